"""Who may search ANPR reads, by the age of the data searched.

* up to 90 days old: an authorised role (a ``role`` grant) and a stated reason;
* 91 to 365 days: also a recorded senior officer authorisation (a ``senior`` grant for the
  same user) naming a serious-offence category;
* older than 365 days: reads exist only when preserved for a named investigation; searching
  them needs the senior authorisation and returns preserved reads only.

Refusals raise :class:`clearhold.errors.PermissionDenied`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr.schemas import AUTHORISED_ROLES, SERIOUS_OFFENCE_CATEGORIES
from clearhold.anpr.tables import AccessAuthorisation
from clearhold.errors import InvalidInput, NotFound, PermissionDenied
from clearhold.storage.base import utcnow

ROUTINE_DAYS = 90
RETENTION_DAYS = 365


@dataclass(frozen=True)
class AccessDecision:
    """The tier granted: ``routine`` (<= 90 days), ``senior`` (<= 365) or ``preserved`` (older)."""

    tier: str
    user: str
    reason: str
    authorisation_id: int | None
    offence_category: str | None


def _active(now: datetime):
    return sa.and_(
        AccessAuthorisation.revoked_at.is_(None),
        AccessAuthorisation.valid_from <= now,
        sa.or_(AccessAuthorisation.valid_until.is_(None), AccessAuthorisation.valid_until > now),
    )


def grant_role(
    session: Session, *, user: str, role: str, granted_by: str, reason: str,
    valid_until: datetime | None = None, now: datetime | None = None,
) -> AccessAuthorisation:
    """Record that ``user`` holds an ANPR role (one of AUTHORISED_ROLES)."""
    if role not in AUTHORISED_ROLES:
        raise InvalidInput(f"role was {role!r}; it must be one of {', '.join(AUTHORISED_ROLES)}")
    _need("user", user)
    _need("granted_by", granted_by)
    _need("reason", reason)
    row = AccessAuthorisation(kind="role", user=user, role=role, reason=reason, granted_by=granted_by,
                              valid_from=now or utcnow(), valid_until=valid_until)
    session.add(row)
    session.flush()
    return row


def grant_senior(
    session: Session, *, user: str, offence_category: str, granted_by: str, granted_by_rank: str,
    reason: str, valid_until: datetime | None = None, now: datetime | None = None,
) -> AccessAuthorisation:
    """Record a senior officer's authorisation for ``user`` to search reads 91-365 days old."""
    if offence_category not in SERIOUS_OFFENCE_CATEGORIES:
        raise InvalidInput(
            f"offence_category was {offence_category!r}; it must be one of {', '.join(SERIOUS_OFFENCE_CATEGORIES)}"
        )
    for name, value in (("user", user), ("granted_by", granted_by), ("granted_by_rank", granted_by_rank), ("reason", reason)):
        _need(name, value)
    if granted_by == user:
        raise PermissionDenied(f"granted_by was {granted_by!r}; a user cannot authorise their own search")
    row = AccessAuthorisation(kind="senior", user=user, offence_category=offence_category, reason=reason,
                              granted_by=granted_by, granted_by_rank=granted_by_rank,
                              valid_from=now or utcnow(), valid_until=valid_until)
    session.add(row)
    session.flush()
    return row


def revoke(session: Session, *, authorisation_id: int, now: datetime | None = None) -> AccessAuthorisation:
    row = session.get(AccessAuthorisation, authorisation_id)
    if row is None:
        raise NotFound(f"authorisation {authorisation_id} does not exist")
    row.revoked_at = now or utcnow()
    session.flush()
    return row


def _need(name: str, value: str | None) -> None:
    if not value or not str(value).strip():
        raise InvalidInput(f"{name} was {value!r}; it must not be empty")


def check_search(
    session: Session, *, user: str, reason: str | None, since: datetime,
    authorisation_id: int | None = None, now: datetime | None = None,
) -> AccessDecision:
    """Decide whether ``user`` may search reads captured from ``since`` onwards.

    Raises PermissionDenied (with the rule that refused) or returns the tier granted.
    """
    now = now or utcnow()
    if since.tzinfo is None:
        raise InvalidInput(f"since was {since!r}; it must be timezone-aware")
    if not reason or not reason.strip():
        raise PermissionDenied("reason was empty; every ANPR search needs a stated reason")
    role = session.execute(
        sa.select(AccessAuthorisation.id).where(
            AccessAuthorisation.kind == "role", AccessAuthorisation.user == user, _active(now)
        ).limit(1)
    ).scalar()
    if role is None:
        raise PermissionDenied(f"user {user!r} holds no authorised ANPR role")
    age = now - since
    if age <= timedelta(days=ROUTINE_DAYS):
        return AccessDecision("routine", user, reason, None, None)
    if authorisation_id is None:
        raise PermissionDenied(
            f"reads older than {ROUTINE_DAYS} days need a recorded senior authorisation (authorisation_id was None)"
        )
    auth = session.get(AccessAuthorisation, authorisation_id)
    if auth is None or auth.kind != "senior":
        raise PermissionDenied(f"authorisation {authorisation_id} is not a recorded senior authorisation")
    if auth.user != user:
        raise PermissionDenied(f"authorisation {authorisation_id} was granted to {auth.user!r}, not {user!r}")
    if auth.revoked_at is not None or auth.valid_from > now or (auth.valid_until is not None and auth.valid_until <= now):
        raise PermissionDenied(f"authorisation {authorisation_id} is not in force")
    if auth.offence_category not in SERIOUS_OFFENCE_CATEGORIES:
        raise PermissionDenied(f"authorisation {authorisation_id} names no serious-offence category")
    tier = "senior" if age <= timedelta(days=RETENTION_DAYS) else "preserved"
    return AccessDecision(tier, user, reason, auth.id, auth.offence_category)
