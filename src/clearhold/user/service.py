"""Users, passwords (argon2), web sessions, API tokens, login throttling and the audit.

Keyword-only, no commit inside (the caller's ``session_scope`` commits). Secrets (session
and API tokens) are random, handed out once, and stored only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from clearhold.storage.base import utcnow
from clearhold.user.roles import check_role
from clearhold.user.tables import AccessAudit, ApiToken, LoginAttempt, User, WebSession

SESSION_HOURS = 12
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "chk_"


class Throttled(PermissionDenied):
    """Too many failed logins for this name or client; try again later."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, role and how they authenticated ("session" | "token")."""

    user_id: int
    name: str
    role: str
    via: str
    csrf_token: str | None = None


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_password(password: str) -> None:
    if not isinstance(password, str):
        raise TypeError(f"password must be a str, not {type(password).__name__}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password has {len(password)} characters; it must have at least {MIN_PASSWORD_LENGTH}")


def create(session: Session, *, name: str, role: str, password: str) -> User:
    """A new user with an argon2 hash of ``password``; Conflict if the name is taken."""
    from clearhold.user.schemas import USER_NAME_PATTERN
    import re

    if not re.match(USER_NAME_PATTERN, name or ""):
        raise InvalidInput(f"name was {name!r}; it must be 2-64 letters, digits or . _ @ - (starting with a letter or digit)")
    check_role(role)
    _check_password(password)
    if session.scalar(sa.select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, role=role, password_hash=_hasher().hash(password), active=True, created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def get(session: Session, *, name: str) -> User:
    user = session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def list_(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.name)))


def update(session: Session, *, name: str, role: str | None = None, active: bool | None = None,
           password: str | None = None) -> User:
    """Change a user's role, active flag or password; ending their sessions when disabled."""
    user = get(session, name=name)
    if role is not None:
        user.role = check_role(role).value
    if password is not None:
        _check_password(password)
        user.password_hash = _hasher().hash(password)
    if active is not None:
        user.active = active
    if active is False or password is not None or role is not None:
        session.execute(sa.delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


def _recent_failures(session: Session, *, name: str, client: str, now: datetime) -> int:
    since = now - THROTTLE_WINDOW
    by_name = session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.name == name, LoginAttempt.ok.is_(False), LoginAttempt.at >= since))
    by_client = session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.client == client, LoginAttempt.ok.is_(False), LoginAttempt.at >= since))
    return max(by_name or 0, (by_client or 0) // 4)


def check_throttle(session: Session, *, name: str, client: str, now: datetime | None = None) -> None:
    """Throttled when ``name`` had 5 failed logins (or ``client`` 20) in the last 15 minutes."""
    now = now or utcnow()
    if _recent_failures(session, name=name[:64], client=client[:64], now=now) >= THROTTLE_MAX_FAILURES:
        raise Throttled(
            f"too many failed logins for {name!r} or from this address; try again in "
            f"{int(THROTTLE_WINDOW.total_seconds() // 60)} minutes")


def authenticate(session: Session, *, name: str, password: str, client: str = "unknown",
                 now: datetime | None = None) -> User:
    """The active user whose password matches; PermissionDenied (or Throttled) otherwise.

    Every attempt is recorded; the caller must commit even on failure (see interfaces).
    The same message for unknown names and wrong passwords; a hash is checked either way.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    now = now or utcnow()
    name, client = (name or "")[:64], (client or "unknown")[:64]
    check_throttle(session, name=name, client=client, now=now)
    user = session.scalar(sa.select(User).where(User.name == name))
    hasher = _hasher()
    ok = False
    try:
        if user is not None:
            ok = hasher.verify(user.password_hash, password)
        else:
            hasher.verify(_DUMMY_HASH(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(name=name, client=client, at=now, ok=ok))
    session.flush()
    if not ok:
        raise PermissionDenied("name or password not recognised, or the account is disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802 - a lazily computed constant
    if not _dummy:
        _dummy.append(_hasher().hash(secrets.token_urlsafe(16)))
    return _dummy[0]


def open_session(session: Session, *, user: User, hours: int = SESSION_HOURS) -> tuple[str, WebSession]:
    """A new web session for ``user``: returns (cookie value, row). The cookie value is not stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                     created_at=now, expires_at=now + timedelta(hours=hours))
    session.add(row)
    session.flush()
    return token, row


def resolve_session(session: Session, *, token: str) -> Principal | None:
    """The principal of a live session cookie, or None (unknown, expired, user disabled)."""
    if not token:
        return None
    row = session.execute(
        sa.select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    web, user = row
    if web.expires_at <= utcnow() or not user.active:
        return None
    return Principal(user_id=user.id, name=user.name, role=user.role, via="session", csrf_token=web.csrf_token)


def close_session(session: Session, *, token: str) -> None:
    session.execute(sa.delete(WebSession).where(WebSession.token_hash == _digest(token or "")))


def issue_token(session: Session, *, name: str, label: str, days: int | None = 90) -> tuple[str, ApiToken]:
    """A new API bearer token for user ``name``: returns (token, row); the token is shown once."""
    if not label or len(label) > 100:
        raise InvalidInput(f"label was {label!r}; it must be 1-100 characters")
    if days is not None and not 1 <= days <= 366:
        raise InvalidInput(f"days was {days}; it must be between 1 and 366 (or none for no expiry)")
    user = get(session, name=name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(token_hash=_digest(token), prefix=token[:12], label=label, user_id=user.id, created_at=now,
                   expires_at=None if days is None else now + timedelta(days=days))
    session.add(row)
    session.flush()
    return token, row


def list_tokens(session: Session, *, name: str) -> list[ApiToken]:
    user = get(session, name=name)
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, *, name: str, token_id: int) -> ApiToken:
    user = get(session, name=name)
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"user {name!r} has no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    return row


def resolve_token(session: Session, *, token: str) -> Principal | None:
    """The principal of a live bearer token, or None (unknown, revoked, expired, user disabled)."""
    if not token:
        return None
    row = session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    tok, user = row
    now = utcnow()
    if tok.revoked_at is not None or (tok.expires_at is not None and tok.expires_at <= now) or not user.active:
        return None
    return Principal(user_id=user.id, name=user.name, role=user.role, via="token")


def record_access(session: Session, *, principal: Principal | None, method: str, route: str,
                  permission: str | None, granted: bool, object_ref: str | None = None,
                  client: str | None = None, detail: dict | None = None) -> AccessAudit:
    """One row of the access audit: who, when, which route and object, granted or refused."""
    row = AccessAudit(
        at=utcnow(), user_name=principal.name if principal else None, role=principal.role if principal else None,
        method=method[:8], route=route[:255], permission=permission, object_ref=(object_ref or None) and object_ref[:255],
        granted=granted, client=(client or None) and client[:64], detail=detail,
    )
    session.add(row)
    session.flush()
    return row


def list_audit(session: Session, *, user_name: str | None = None, since: datetime | None = None,
               limit: int = 200, offset: int = 0) -> list[AccessAudit]:
    """Audit rows, newest first, optionally for one user and since a time."""
    if not 1 <= limit <= 5000:
        raise InvalidInput(f"limit was {limit}; it must be between 1 and 5000")
    query = sa.select(AccessAudit).order_by(AccessAudit.id.desc()).limit(limit).offset(max(offset, 0))
    if user_name:
        query = query.where(AccessAudit.user_name == user_name)
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        query = query.where(AccessAudit.at >= since)
    return list(session.scalars(query))
