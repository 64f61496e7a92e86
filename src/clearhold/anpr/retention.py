"""Retention: reads older than 365 days are deleted unless preserved for a named investigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr import audit
from clearhold.anpr.access import RETENTION_DAYS
from clearhold.anpr.tables import Hit, Read
from clearhold.errors import InvalidInput
from clearhold.storage.base import utcnow


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    deleted: int
    oldest_deleted: datetime | None
    newest_deleted: datetime | None
    by_camera: dict[str, int]
    kept_preserved: int
    dry_run: bool


def purge(session: Session, *, by: str, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete reads captured before ``now - 365 days`` that are not preserved; audited."""
    if not by:
        raise InvalidInput("by was empty; a purge needs a named user or service")
    now = now or utcnow()
    cutoff = now - timedelta(days=RETENTION_DAYS)
    old = sa.and_(Read.captured_at < cutoff, Read.preserved_for.is_(None))
    summary = session.execute(
        sa.select(Read.camera_ref, sa.func.count(), sa.func.min(Read.captured_at), sa.func.max(Read.captured_at))
        .where(old).group_by(Read.camera_ref).order_by(Read.camera_ref)
    ).all()
    by_camera = {cam: n for cam, n, _, _ in summary}
    oldest = min((_aware(r[2]) for r in summary), default=None)
    newest = max((_aware(r[3]) for r in summary), default=None)
    kept = session.execute(sa.select(sa.func.count()).select_from(Read).where(
        Read.captured_at < cutoff, Read.preserved_for.is_not(None))).scalar_one()
    deleted = sum(by_camera.values())
    if not dry_run and deleted:
        doomed = sa.select(Read.id).where(old).scalar_subquery()
        session.execute(sa.update(Hit).where(Hit.read_pk.in_(doomed)).values(read_pk=None))
        session.execute(sa.delete(Read).where(old))
    audit.append(session, actor=by, action="purge" if not dry_run else "purge_dry_run",
                 reason=f"retention: reads captured before {cutoff.isoformat()} and not preserved",
                 query={"cutoff": cutoff.isoformat(), "by_camera": by_camera, "kept_preserved": kept},
                 result_count=deleted, at=now)
    return PurgeReport(cutoff, deleted, oldest, newest, by_camera, kept, dry_run)


def _aware(value: datetime | str) -> datetime:
    """Aggregates (min/max) bypass the column type: naive or text on some back ends."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
