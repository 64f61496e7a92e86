"""Investigation: search reads by plate (wildcards, misread tolerance), where-seen, companions.

Every search and export goes through :func:`clearhold.anpr.access.check_search` and is
written to the audit log with who, when, reason, query and number of results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr import access, audit, plates
from clearhold.anpr.tables import Camera, Read
from clearhold.errors import InvalidInput
from clearhold.storage.base import utcnow

MAX_RESULTS = 100_000
_KEY_TABLE = str.maketrans({ch: cls[0] for cls in plates.CONFUSION_CLASSES for ch in cls})


def like_pattern(pattern: str, *, misread_tolerant: bool) -> str:
    """SQL LIKE pattern for a plate pattern with ``*`` (any run) and ``?`` (one character)."""
    if not isinstance(pattern, str):
        raise TypeError(f"pattern was {type(pattern).__name__}; it must be a str")
    kept = "".join(ch for ch in pattern.upper() if ch in plates.ALPHABET or ch in "*?")
    if not kept:
        raise InvalidInput(f"pattern was {pattern!r}; it must contain letters, digits, '*' or '?'")
    if misread_tolerant:
        kept = kept.translate(_KEY_TABLE)
    return kept.replace("*", "%").replace("?", "_")


@dataclass(frozen=True)
class ReadQuery:
    pattern: str
    since: datetime
    until: datetime | None = None
    misread_tolerant: bool = False
    camera_refs: Sequence[str] | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    area: str | None = None  # slug of an operation area (its WGS84 polygon)
    limit: int = 10_000

    def as_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "since": self.since.isoformat(),
                "until": self.until.isoformat() if self.until else None,
                "misread_tolerant": self.misread_tolerant,
                "camera_refs": list(self.camera_refs) if self.camera_refs else None,
                "bbox": list(self.bbox) if self.bbox else None, "area": self.area, "limit": self.limit}


def _statement(query: ReadQuery, decision: access.AccessDecision, now: datetime):
    if query.limit < 1 or query.limit > MAX_RESULTS:
        raise InvalidInput(f"limit was {query.limit}; it must be between 1 and {MAX_RESULTS}")
    if query.until is not None and query.until < query.since:
        raise InvalidInput(f"until was {query.until.isoformat()}; it must not be before since ({query.since.isoformat()})")
    column = Read.vrm_key if query.misread_tolerant else Read.vrm
    lat = sa.func.coalesce(Read.lat, Camera.lat).label("lat")
    lon = sa.func.coalesce(Read.lon, Camera.lon).label("lon")
    pattern = like_pattern(query.pattern, misread_tolerant=query.misread_tolerant)
    if "%" in pattern or "_" in pattern:
        plate_match = column.like(pattern)
    else:  # a whole plate: the (vrm_key, captured_at) index finds it, exact or misread-tolerant
        key = plates.misread_key(pattern)
        plate_match = Read.vrm_key == key if query.misread_tolerant else sa.and_(Read.vrm_key == key, Read.vrm == pattern)
    stmt = (sa.select(Read, lat, lon, Camera.site, Camera.area)
            .outerjoin(Camera, Camera.camera_ref == Read.camera_ref)
            .where(plate_match, Read.captured_at >= query.since)
            .order_by(Read.captured_at, Read.id).limit(query.limit))
    if query.until is not None:
        stmt = stmt.where(Read.captured_at <= query.until)
    if query.camera_refs:
        stmt = stmt.where(Read.camera_ref.in_(list(query.camera_refs)))
    if query.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = query.bbox
        stmt = stmt.where(lon.between(min_lon, max_lon), lat.between(min_lat, max_lat))
    # past retention only preserved reads exist (a purge may not have run yet)
    cutoff = now - timedelta(days=access.RETENTION_DAYS)
    stmt = stmt.where(sa.or_(Read.captured_at >= cutoff, Read.preserved_for.is_not(None)))
    return stmt


def _rows(result) -> list[dict[str, Any]]:
    out = []
    for read, lat, lon, site, area in result:
        out.append({
            "read_id": read.read_id, "camera_id": read.camera_ref, "captured_at": read.captured_at,
            "vrm_raw": read.vrm_raw, "vrm": read.vrm, "match_type": None, "plate_format": read.plate_format,
            "confidence": read.confidence, "lat": lat, "lon": lon, "site": site, "area": area,
            "plate_image_ref": read.plate_image_ref, "overview_image_ref": read.overview_image_ref,
            "preserved_for": read.preserved_for,
        })
    return out


def search_reads(
    session: Session, *, user: str, reason: str, query: ReadQuery,
    authorisation_id: int | None = None, now: datetime | None = None, action: str = "search",
) -> list[dict[str, Any]]:
    """Reads matching ``query`` (access-checked and audited). Each row says how it matched."""
    now = now or utcnow()
    decision = access.check_search(session, user=user, reason=reason, since=query.since,
                                   authorisation_id=authorisation_id, now=now)
    polygon = None
    if query.area is not None:
        from dataclasses import replace

        from shapely.geometry import shape

        from clearhold.area import service as areas

        area = areas.get(session, slug=query.area)
        if not area.geometry:
            raise InvalidInput(f"area was {query.area!r}; it has no polygon to search in")
        polygon = shape(area.geometry)
        box = polygon.bounds
        if query.bbox is not None:  # both: the overlap of the two boxes
            box = (max(box[0], query.bbox[0]), max(box[1], query.bbox[1]), min(box[2], query.bbox[2]), min(box[3], query.bbox[3]))
        query_sql = replace(query, bbox=box, limit=MAX_RESULTS)
    else:
        query_sql = query
    rows = _rows(session.execute(_statement(query_sql, decision, now)).all())
    if polygon is not None:
        from shapely import contains_xy

        import numpy as np

        lon = np.array([r["lon"] if r["lon"] is not None else np.nan for r in rows], dtype=float)
        lat = np.array([r["lat"] if r["lat"] is not None else np.nan for r in rows], dtype=float)
        inside = contains_xy(polygon, lon, lat) if rows else np.zeros(0, dtype=bool)
        rows = [r for r, keep in zip(rows, inside, strict=True) if keep][: query.limit]
    wanted = plates.normalise(query.pattern.replace("*", "").replace("?", ""))
    for row in rows:
        exact_like = "*" not in query.pattern and "?" not in query.pattern
        row["match_type"] = ("exact" if row["vrm"] == wanted else "misread") if exact_like else (
            "wildcard" if not query.misread_tolerant else "wildcard_misread")
    audit.append(session, actor=user, action=action, reason=reason,
                 query={**query.as_dict(), "tier": decision.tier, "authorisation_id": authorisation_id,
                        "offence_category": decision.offence_category},
                 result_count=len(rows), at=now)
    return rows


def export_reads(session: Session, *, user: str, reason: str, query: ReadQuery, path,
                 authorisation_id: int | None = None, now: datetime | None = None) -> int:
    """Write the search result to a CSV file (audited as an export); returns the row count."""
    import csv

    rows = search_reads(session, user=user, reason=reason, query=query, authorisation_id=authorisation_id,
                        now=now, action="export")
    columns = ["read_id", "camera_id", "captured_at", "vrm_raw", "vrm", "match_type", "plate_format",
               "confidence", "lat", "lon", "site", "area", "plate_image_ref", "overview_image_ref", "preserved_for"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()})
    return len(rows)


def where_seen(session: Session, *, user: str, reason: str, vrm: str, since: datetime,
               until: datetime | None = None, misread_tolerant: bool = False,
               authorisation_id: int | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """A vehicle's sightings over time with positions, for a map (audited as a search)."""
    return search_reads(session, user=user, reason=reason, authorisation_id=authorisation_id, now=now,
                        query=ReadQuery(pattern=plates.normalise(vrm), since=since, until=until,
                                        misread_tolerant=misread_tolerant), action="where_seen")


def companions(session: Session, *, user: str, reason: str, vrm: str, since: datetime,
               until: datetime | None = None, window_s: float = 60.0, min_sites: int = 3,
               authorisation_id: int | None = None, now: datetime | None = None):
    """Vehicles co-sighted with ``vrm`` within ``window_s`` at ``min_sites`` or more distinct cameras."""
    import pandas as pd

    from clearhold.analytics.anpr_companions import companions as compute

    now = now or utcnow()
    target = where_seen(session, user=user, reason=reason, vrm=vrm, since=since, until=until,
                        authorisation_id=authorisation_id, now=now)
    window = timedelta(seconds=window_s)
    others: list[dict[str, Any]] = []
    by_camera: dict[str, list[datetime]] = {}
    for t in target:
        by_camera.setdefault(t["camera_id"], []).append(t["captured_at"])
    for camera, times in by_camera.items():
        conds = [Read.captured_at.between(t - window, t + window) for t in times]
        for start in range(0, len(conds), 200):
            stmt = sa.select(Read.vrm, Read.camera_ref, Read.captured_at).where(
                Read.camera_ref == camera, sa.or_(*conds[start:start + 200]))
            others.extend({"vrm": v, "camera_id": c, "captured_at": at} for v, c, at in session.execute(stmt).all())
    target_df = pd.DataFrame([{"vrm": r["vrm"], "camera_id": r["camera_id"], "captured_at": r["captured_at"]}
                              for r in target], columns=["vrm", "camera_id", "captured_at"])
    others_df = pd.DataFrame(others, columns=["vrm", "camera_id", "captured_at"])
    result = compute(target_df, others_df, window_s=window_s, min_sites=min_sites)
    audit.append(session, actor=user, action="companions", reason=reason,
                 query={"vrm": plates.normalise(vrm), "since": since.isoformat(), "window_s": window_s,
                        "min_sites": min_sites}, result_count=len(result), at=now)
    return result
