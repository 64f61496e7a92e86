"""ANPR services: cameras, read ingest with matching, hotlists, hits. No commit inside."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr import audit, matcher, plates
from clearhold.anpr.schemas import DECISIONS, OUTCOMES, HotlistEntryCreate, HotlistEntryUpdate, ReadIn
from clearhold.anpr.tables import Camera, Hit, Hotlist, HotlistEntry, Read
from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from clearhold.storage.base import utcnow

CHUNK = 900  # bound parameters per IN (...) query, well under every back end's limit
RETRO_DAYS = 365


def _chunks(seq: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


# ------------------------------------------------------------------------------- cameras

def upsert_cameras(session: Session, *, cameras_in: Sequence[dict[str, Any]]) -> int:
    """Add or update cameras by ``camera_ref``; returns how many were new."""
    refs = [c["camera_ref"] for c in cameras_in]
    existing = {c.camera_ref: c for chunk in _chunks(refs) for c in session.execute(
        sa.select(Camera).where(Camera.camera_ref.in_(chunk))).scalars()}
    new = 0
    for cam in cameras_in:
        row = existing.get(cam["camera_ref"])
        if row is None:
            session.add(Camera(**cam))
            new += 1
        else:
            for key, value in cam.items():
                setattr(row, key, value)
    session.flush()
    return new


def list_cameras(session: Session) -> list[Camera]:
    return list(session.execute(sa.select(Camera).order_by(Camera.camera_ref)).scalars())


# ------------------------------------------------------------------------------ hotlists

@dataclass
class LiveIndex:
    """The active hotlist prepared for matching, with the entry details alerts carry."""

    index: matcher.HotlistIndex
    entries: dict[int, dict[str, Any]]
    version: tuple


def hotlist_version(session: Session) -> tuple:
    """Changes whenever an entry is added, changed or expired."""
    row = session.execute(sa.select(sa.func.count(HotlistEntry.id), sa.func.max(HotlistEntry.id),
                                    sa.func.max(HotlistEntry.updated_at))).one()
    return tuple(row)


def load_index(session: Session, *, now: datetime | None = None) -> LiveIndex:
    """Index every entry in force (no expiry, or expiry in the future)."""
    now = now or utcnow()
    version = hotlist_version(session)
    rows = session.execute(
        sa.select(HotlistEntry.id, HotlistEntry.vrm, HotlistEntry.reason, HotlistEntry.priority,
                  HotlistEntry.action, HotlistEntry.markers, HotlistEntry.expires_at, Hotlist.name)
        .join(Hotlist, Hotlist.id == HotlistEntry.hotlist_id)
        .where(sa.or_(HotlistEntry.expires_at.is_(None), HotlistEntry.expires_at > now))
    ).all()
    index = matcher.build_index([r.vrm for r in rows], [r.id for r in rows])
    entries = {r.id: {"entry_id": r.id, "vrm": r.vrm, "reason": r.reason, "priority": r.priority,
                      "action": r.action, "markers": r.markers, "hotlist": r.name, "expires_at": r.expires_at}
               for r in rows}
    return LiveIndex(index, entries, version)


def create_hotlist(session: Session, *, name: str, source: str, description: str | None = None) -> Hotlist:
    if not name:
        raise InvalidInput("name was empty; a hotlist needs a name")
    if session.execute(sa.select(Hotlist.id).where(Hotlist.name == name)).scalar() is not None:
        raise Conflict(f"hotlist {name!r} already exists")
    row = Hotlist(name=name, source=source, description=description)
    session.add(row)
    session.flush()
    return row


def get_hotlist(session: Session, *, name: str) -> Hotlist:
    row = session.execute(sa.select(Hotlist).where(Hotlist.name == name)).scalar()
    if row is None:
        raise NotFound(f"hotlist {name!r} does not exist")
    return row


def get_or_create_hotlist(session: Session, *, name: str, source: str = "local") -> Hotlist:
    row = session.execute(sa.select(Hotlist).where(Hotlist.name == name)).scalar()
    return row or create_hotlist(session, name=name, source=source)


def get_entry(session: Session, *, entry_id: int) -> HotlistEntry:
    row = session.get(HotlistEntry, entry_id)
    if row is None:
        raise NotFound(f"hotlist entry {entry_id} does not exist")
    return row


def list_entries(session: Session, *, hotlist: str | None = None, active_only: bool = False,
                 now: datetime | None = None) -> list[HotlistEntry]:
    stmt = sa.select(HotlistEntry).order_by(HotlistEntry.id)
    if hotlist is not None:
        stmt = stmt.where(HotlistEntry.hotlist_id == get_hotlist(session, name=hotlist).id)
    if active_only:
        now = now or utcnow()
        stmt = stmt.where(sa.or_(HotlistEntry.expires_at.is_(None), HotlistEntry.expires_at > now))
    return list(session.execute(stmt).scalars())


@dataclass(frozen=True)
class EntriesAdded:
    entries: list[HotlistEntry]
    seen: list[Hit] = field(default_factory=list)  # retrospective hits: where already seen


def add_entries(
    session: Session, *, hotlist: str, entries_in: Sequence[HotlistEntryCreate], by: str,
    now: datetime | None = None,
) -> EntriesAdded:
    """Add entries (one or a bulk load) and match them against the last 12 months of reads."""
    if not by:
        raise InvalidInput("by was empty; hotlist changes need a named user")
    now = now or utcnow()
    hl = get_hotlist(session, name=hotlist)
    rows = []
    for entry_in in entries_in:
        vrm = plates.normalise(entry_in.vrm)
        if not vrm:
            raise InvalidInput(f"vrm was {entry_in.vrm!r}; it must contain letters or digits")
        data = entry_in.model_dump()
        data.update(vrm=vrm, vrm_key=plates.misread_key(vrm), source=entry_in.source or hl.source,
                    hotlist_id=hl.id, created_by=by, created_at=now, updated_at=now)
        rows.append(HotlistEntry(**data))
    session.add_all(rows)
    session.flush()
    seen = retrospective_match(session, entries=rows, now=now)
    audit.append(session, actor=by, action="hotlist_add", reason=None,
                 query={"hotlist": hotlist, "vrms": [r.vrm for r in rows][:1000], "entries": len(rows)},
                 result_count=len(seen), at=now)
    return EntriesAdded(rows, seen)


def retrospective_match(session: Session, *, entries: Sequence[HotlistEntry], now: datetime | None = None) -> list[Hit]:
    """Hits (source ``retrospective``) for reads of the last 12 months matching ``entries``."""
    now = now or utcnow()
    since = now - timedelta(days=RETRO_DAYS)
    by_key: dict[str, list[HotlistEntry]] = {}
    for e in entries:
        by_key.setdefault(e.vrm_key, []).append(e)
    keys = list(by_key)
    hits: list[Hit] = []
    for chunk in _chunks(keys):
        reads = session.execute(
            sa.select(Read).where(Read.vrm_key.in_(chunk), Read.captured_at >= since).order_by(Read.captured_at)
        ).scalars()
        for read in reads:
            for e in by_key[read.vrm_key]:
                hits.append(Hit(read_pk=read.id, read_ref=read.read_id, entry_id=e.id, vrm_read=read.vrm,
                                vrm_hotlist=e.vrm, match_type="exact" if read.vrm == e.vrm else "misread",
                                source="retrospective", camera_ref=read.camera_ref, captured_at=read.captured_at,
                                received_at=read.received_at, created_at=now, status="retrospective"))
    session.add_all(hits)
    session.flush()
    return hits


def update_entry(session: Session, *, entry_id: int, entry_in: HotlistEntryUpdate, by: str,
                 now: datetime | None = None) -> HotlistEntry:
    now = now or utcnow()
    row = get_entry(session, entry_id=entry_id)
    changes = entry_in.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = now
    audit.append(session, actor=by, action="hotlist_change", query={"entry_id": entry_id, "changes": sorted(changes)},
                 result_count=1, at=now)
    session.flush()
    return row


def expire_entry(session: Session, *, entry_id: int, by: str, now: datetime | None = None) -> HotlistEntry:
    now = now or utcnow()
    row = get_entry(session, entry_id=entry_id)
    row.expires_at = now
    row.updated_at = now
    audit.append(session, actor=by, action="hotlist_expire", query={"entry_id": entry_id}, result_count=1, at=now)
    session.flush()
    return row


# --------------------------------------------------------------------------------- reads

@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    hits: list[dict[str, Any]]


def ingest_reads(
    session: Session, *, reads_in: Sequence[ReadIn | dict[str, Any]], live: LiveIndex | None,
    received_at: datetime | None = None, now: datetime | None = None,
) -> IngestResult:
    """Store a batch of reads and match the new ones, in the caller's transaction.

    Idempotent on ``read_id``: reads already stored (a client retrying a batch) are counted
    as duplicates and neither stored nor matched again. Returns the alerts created.
    """
    received_at = received_at or utcnow()
    now = now or received_at
    unique: dict[str, dict[str, Any]] = {}
    for r in reads_in:  # ReadIn models or trusted dicts with the same keys
        d = r if isinstance(r, dict) else r.__dict__
        unique.setdefault(d["read_id"], d)
    ids = list(unique)
    existing = _existing_read_ids(session, ids)
    new = [unique[i] for i in ids if i not in existing] if existing else list(unique.values())
    if not new:
        return IngestResult(0, len(reads_in), [])
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    stamp = _sqlite_time if is_sqlite else _same
    received = stamp(received_at)
    normalise, key_of, format_of = plates.normalise, plates.misread_key, plates.format_of_normalised
    rows = []
    for r in new:  # tuples in _READ_COLUMNS order
        vrm = normalise(r["vrm"])
        get = r.get
        rows.append((r["read_id"], r["camera_id"], r["vrm"], vrm, key_of(vrm), format_of(vrm), get("confidence"),
                     stamp(r["captured_at"]), received, get("lat"), get("lon"), get("lane"), get("direction"),
                     get("plate_image_ref"), get("overview_image_ref"), None))
    if is_sqlite:
        session.connection().exec_driver_sql(_SQLITE_INSERT, rows)
    else:
        session.execute(sa.insert(Read.__table__), [dict(zip(_READ_COLUMNS, row, strict=True)) for row in rows])
    alerts: list[dict[str, Any]] = []
    if live is not None and len(live.index):
        found = matcher.match(live.index, [r["vrm"] for r in new])
        if len(found):
            hit_reads = [new[int(p)]["read_id"] for p in np.unique(found.read_pos)]
            pks = {}
            for chunk in _chunks(hit_reads):
                pks.update(session.execute(sa.select(Read.read_id, Read.id).where(Read.read_id.in_(chunk))).all())
            hit_rows = []
            for rp, ep, exact in zip(found.read_pos.tolist(), found.entry_pos.tolist(), found.exact.tolist(), strict=True):
                read = new[rp]
                entry_id = int(live.index.entry_ids[ep])
                expires = live.entries[entry_id]["expires_at"]
                if expires is not None and expires <= now:  # expired since the index was built
                    continue
                hit_rows.append({
                    "read_pk": pks[read["read_id"]], "read_ref": read["read_id"], "entry_id": entry_id,
                    "vrm_read": rows[rp][3], "vrm_hotlist": live.entries[entry_id]["vrm"],
                    "match_type": "exact" if exact else "misread", "source": "live",
                    "camera_ref": read["camera_id"], "captured_at": read["captured_at"],
                    "received_at": received_at, "created_at": now, "status": "new",
                })
            if not hit_rows:
                return IngestResult(len(new), len(reads_in) - len(new), [])
            session.execute(sa.insert(Hit.__table__), hit_rows)
            ids_back = dict(((h.read_ref, h.entry_id), h.id) for h in session.execute(
                sa.select(Hit.read_ref, Hit.entry_id, Hit.id).where(Hit.read_ref.in_(hit_reads))).all())
            for h in hit_rows:
                alerts.append(_alert(h, ids_back[(h["read_ref"], h["entry_id"])], live.entries[h["entry_id"]]))
    return IngestResult(len(new), len(reads_in) - len(new), alerts)


def _alert(hit: dict[str, Any], hit_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    """What subscribers receive for one hit."""
    return {
        "hit_id": hit_id, "read_id": hit["read_ref"], "vrm_read": hit["vrm_read"], "vrm_hotlist": hit["vrm_hotlist"],
        "match_type": hit["match_type"], "camera_id": hit["camera_ref"],
        "captured_at": hit["captured_at"].astimezone(UTC).isoformat(),
        "received_at": hit["received_at"].astimezone(UTC).isoformat(), "priority": entry["priority"],
        "reason": entry["reason"], "action": entry["action"], "hotlist": entry["hotlist"],
    }


def catch_up(session: Session, *, live: LiveIndex, entry_ids: Sequence[int], margin_s: float = 5.0,
             now: datetime | None = None) -> list[dict[str, Any]]:
    """Live hits for reads that arrived after new entries were added but before the live index had them.

    The retrospective match at the time an entry is added covers reads stored until then; a
    running ingest service picks the entry up a moment later. Reads received in between (from
    ``created_at - margin_s``) are matched here; pairs already hit are skipped. Returns alerts.
    """
    now = now or utcnow()
    entries = [live.entries[i] for i in entry_ids if i in live.entries]
    if not entries:
        return []
    created = {e.id: e.created_at for e in session.execute(
        sa.select(HotlistEntry).where(HotlistEntry.id.in_([e["entry_id"] for e in entries]))).scalars()}
    since = min(created.values()) - timedelta(seconds=margin_s)
    by_key: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_key.setdefault(plates.misread_key(e["vrm"]), []).append(e)
    done = set(session.execute(sa.select(Hit.read_ref, Hit.entry_id).where(
        Hit.entry_id.in_([e["entry_id"] for e in entries]))).all())
    rows = []
    for chunk in _chunks(list(by_key)):
        for read in session.execute(sa.select(Read).where(Read.vrm_key.in_(chunk), Read.received_at >= since)).scalars():
            for e in by_key[read.vrm_key]:
                if (read.read_id, e["entry_id"]) in done or read.received_at < created[e["entry_id"]] - timedelta(seconds=margin_s):
                    continue
                rows.append({"read_pk": read.id, "read_ref": read.read_id, "entry_id": e["entry_id"],
                             "vrm_read": read.vrm, "vrm_hotlist": e["vrm"],
                             "match_type": "exact" if read.vrm == e["vrm"] else "misread", "source": "live",
                             "camera_ref": read.camera_ref, "captured_at": read.captured_at,
                             "received_at": read.received_at, "created_at": now, "status": "new"})
    if not rows:
        return []
    session.execute(sa.insert(Hit.__table__), rows)
    ids = dict(((r.read_ref, r.entry_id), r.id) for r in session.execute(
        sa.select(Hit.read_ref, Hit.entry_id, Hit.id).where(Hit.entry_id.in_([e["entry_id"] for e in entries]))).all())
    return [_alert(r, ids[(r["read_ref"], r["entry_id"])], live.entries[r["entry_id"]]) for r in rows]


def _existing_read_ids(session: Session, ids: list[str]) -> set[str]:
    """Which of ``ids`` are stored already (straight through the driver on SQLite: the hot path)."""
    existing: set[str] = set()
    if session.get_bind().dialect.name == "sqlite":
        conn = session.connection()
        for chunk in _chunks(ids):
            sql = f"SELECT read_id FROM anpr_reads WHERE read_id IN ({', '.join('?' * len(chunk))})"
            existing.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)))
        return existing
    for chunk in _chunks(ids):
        existing.update(session.execute(sa.select(Read.read_id).where(Read.read_id.in_(chunk))).scalars())
    return existing


_READ_COLUMNS = ("read_id", "camera_ref", "vrm_raw", "vrm", "vrm_key", "plate_format", "confidence",
                 "captured_at", "received_at", "lat", "lon", "lane", "direction", "plate_image_ref",
                 "overview_image_ref", "preserved_for")
_SQLITE_INSERT = (f"INSERT INTO anpr_reads ({', '.join(_READ_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(_READ_COLUMNS))})")
# times go in as SQLAlchemy's SQLite DATETIME storage format: "YYYY-MM-DD HH:MM:SS.ffffff"


def _sqlite_time(at: datetime) -> str:
    """A tz-aware time as SQLAlchemy stores DATETIME on SQLite (naive UTC text)."""
    if at.tzinfo is None:
        raise InvalidInput(f"captured_at {at!r} has no time zone; clearhold stores UTC only")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(at: datetime) -> datetime:
    return at


def get_read(session: Session, *, read_id: str) -> Read:
    row = session.execute(sa.select(Read).where(Read.read_id == read_id)).scalar()
    if row is None:
        raise NotFound(f"read {read_id!r} does not exist")
    return row


def preserve(session: Session, *, read_ids: Sequence[str], investigation: str, by: str) -> int:
    """Mark reads as preserved for a named investigation (kept past 12 months)."""
    if not investigation or not investigation.strip():
        raise InvalidInput("investigation was empty; preservation needs a named investigation")
    count = 0
    for chunk in _chunks(list(read_ids)):
        count += session.execute(sa.update(Read).where(Read.read_id.in_(chunk)).values(preserved_for=investigation)).rowcount
    audit.append(session, actor=by, action="preserve", reason=investigation,
                 query={"read_ids": list(read_ids)[:1000]}, result_count=count)
    return count


# ---------------------------------------------------------------------------------- hits

def get_hit(session: Session, *, hit_id: int) -> Hit:
    row = session.get(Hit, hit_id)
    if row is None:
        raise NotFound(f"hit {hit_id} does not exist")
    return row


def list_hits(session: Session, *, status: str | None = None, source: str | None = "live",
              after_id: int = 0, limit: int = 200) -> list[Hit]:
    stmt = sa.select(Hit).where(Hit.id > after_id).order_by(Hit.id).limit(limit)
    if status is not None:
        stmt = stmt.where(Hit.status == status)
    if source is not None:
        stmt = stmt.where(Hit.source == source)
    return list(session.execute(stmt).scalars())


def acknowledge(session: Session, *, hit_id: int, decision: str, by: str, image_viewed: bool,
                at: datetime | None = None) -> Hit:
    """Accept a hit or reject it (misread, wrong vehicle), after viewing the image."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision was {decision!r}; it must be one of {', '.join(DECISIONS)}")
    if not by:
        raise InvalidInput("by was empty; acknowledging a hit needs a named user")
    if not image_viewed:
        raise PermissionDenied("image_viewed was False; the plate text is not acted on without viewing the image")
    hit = get_hit(session, hit_id=hit_id)
    if hit.status not in ("new",):
        raise Conflict(f"hit {hit_id} was already {hit.status}; only a new hit can be acknowledged")
    hit.status = "accepted" if decision == "accept" else "rejected"
    hit.reject_reason = None if decision == "accept" else decision.removeprefix("reject_")
    hit.acknowledged_at = at or utcnow()
    hit.acknowledged_by = by
    return hit


def record_outcome(session: Session, *, hit_id: int, outcome: str, by: str, at: datetime | None = None) -> Hit:
    """Record what happened after an accepted hit (not_located, stopped, searched, arrest)."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome was {outcome!r}; it must be one of {', '.join(OUTCOMES)}")
    if not by:
        raise InvalidInput("by was empty; recording an outcome needs a named user")
    hit = get_hit(session, hit_id=hit_id)
    if hit.status != "accepted":
        raise Conflict(f"hit {hit_id} is {hit.status}; only an accepted hit can have an outcome")
    if hit.outcome is not None:
        raise Conflict(f"hit {hit_id} already has outcome {hit.outcome!r}")
    hit.outcome = outcome
    hit.outcome_at = at or utcnow()
    hit.outcome_by = by
    return hit


def conversion(session: Session, *, since: datetime | None = None) -> dict[str, int]:
    """Counts for the results review: hits, accepted, stops, arrests (live hits only)."""
    stmt = sa.select(Hit.status, Hit.outcome, sa.func.count()).where(Hit.source == "live").group_by(Hit.status, Hit.outcome)
    if since is not None:
        stmt = stmt.where(Hit.captured_at >= since)
    out = {"hits": 0, "accepted": 0, "rejected": 0, "not_located": 0, "stops": 0, "searches": 0, "arrests": 0}
    for status, outcome, n in session.execute(stmt).all():
        out["hits"] += n
        out["accepted"] += n if status == "accepted" else 0
        out["rejected"] += n if status == "rejected" else 0
        out["not_located"] += n if outcome == "not_located" else 0
        out["stops"] += n if outcome in ("stopped", "searched", "arrest") else 0
        out["searches"] += n if outcome in ("searched", "arrest") else 0
        out["arrests"] += n if outcome == "arrest" else 0
    return out


Callback = Callable[..., None]
