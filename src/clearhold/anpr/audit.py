"""The ANPR audit log: append-only and hash-chained.

Each row stores ``prev_hash`` (the previous row's hash, 64 zeros for the first row) and
``hash = sha256(prev_hash + canonical JSON of the row's content)``. Changing, deleting or
inserting a row anywhere breaks the chain, which :func:`verify` detects. ``prev_hash`` is
unique, so the chain cannot fork even with concurrent writers (PostgreSQL additionally takes
an advisory lock for the append).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr.tables import AuditEntry
from clearhold.errors import InvalidInput
from clearhold.storage.base import utcnow

GENESIS = "0" * 64
_LOCK_KEY = 6_020_611


def canonical(payload: dict[str, Any]) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _payload(at: datetime, actor: str, action: str, reason: str | None, query: dict, result_count: int | None) -> dict:
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "reason": reason,
        "query": query,
        "result_count": result_count,
    }


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(payload)).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    reason: str | None = None,
    query: dict[str, Any] | None = None,
    result_count: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one row at the end of the chain (in the caller's transaction)."""
    if not actor:
        raise InvalidInput("actor was empty; every audited action needs a named user")
    if not action:
        raise InvalidInput("action was empty; it must name what was done")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    at = at or utcnow()
    query = json.loads(canonical(query or {}))  # what the database will give back
    last = session.execute(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    row = AuditEntry(
        at=at, actor=actor, action=action, reason=reason, query=query, result_count=result_count,
        prev_hash=prev, hash=chain_hash(prev, _payload(at, actor, action, reason, query, result_count)),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad_id: int | None
    problem: str | None


def verify(session: Session) -> VerifyResult:
    """Walk the chain in id order and recompute every hash."""
    prev = GENESIS
    count = 0
    rows = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for row in rows:
        count += 1
        if row.prev_hash != prev:
            return VerifyResult(False, count, row.id, f"row {row.id}: prev_hash does not match the row before (row removed or inserted)")
        expected = chain_hash(prev, _payload(row.at, row.actor, row.action, row.reason, row.query, row.result_count))
        if row.hash != expected:
            return VerifyResult(False, count, row.id, f"row {row.id}: content does not match its hash (row changed)")
        prev = row.hash
    return VerifyResult(True, count, None, None)


def list_(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    return list(session.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
