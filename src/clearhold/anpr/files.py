"""ANPR files: hotlist and reads CSV readers (checked row by row) and offline matching.

Hotlist CSV: at least ``vrm``, ``reason``, ``priority`` (high, medium, low); optional
``source``, ``markers`` (separated by ``;``), ``action``, ``owner``, ``review_at``, ``expires_at``.
Reads CSV: at least ``read_id``, ``camera_id``, ``captured_at`` (ISO 8601; no offset means
UTC), ``vrm`` (raw OCR text, kept as is); optional ``confidence``, ``lat``, ``lon``, ``lane``,
``direction``, ``plate_image_ref``, ``overview_image_ref``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from clearhold.anpr import matcher, plates
from clearhold.anpr.schemas import PRIORITIES, HotlistEntryCreate, ReadIn
from clearhold.errors import InvalidInput, RowError, SourceError

HOTLIST_REQUIRED = ("vrm", "reason", "priority")
READS_REQUIRED = ("read_id", "camera_id", "captured_at", "vrm")
_READ_OPTIONAL_FLOAT = ("confidence", "lat", "lon")
_READ_OPTIONAL_TEXT = ("lane", "direction", "plate_image_ref", "overview_image_ref")


def _load(path: Path | str, required: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"file {path} does not exist")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise SourceError(f"file {path} is not a readable CSV: {exc}") from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidInput(f"file {path} lacks columns {missing}; it needs at least {list(required)}")
    return frame


def parse_time(value: str, *, path: Path | str, line: int, field: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowError(str(path), line, field, f"{value!r} is not an ISO 8601 date-time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def read_hotlist_csv(path: Path | str) -> list[HotlistEntryCreate]:
    """Hotlist entries from a CSV file; a bad row raises RowError naming file, line and field."""
    frame = _load(path, HOTLIST_REQUIRED)
    entries = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        if not plates.normalise(row["vrm"]):
            raise RowError(str(path), i, "vrm", f"{row['vrm']!r} has no letters or digits")
        if not row["reason"].strip():
            raise RowError(str(path), i, "reason", "is empty")
        priority = row["priority"].strip().lower()
        if priority not in PRIORITIES:
            raise RowError(str(path), i, "priority", f"{row['priority']!r} is not one of {', '.join(PRIORITIES)}")
        data: dict[str, Any] = {"vrm": row["vrm"], "reason": row["reason"].strip(), "priority": priority}
        for opt in ("source", "action", "owner"):
            if row.get(opt, "").strip():
                data[opt] = row[opt].strip()
        if row.get("markers", "").strip():
            data["markers"] = [m.strip() for m in row["markers"].split(";") if m.strip()]
        for opt in ("review_at", "expires_at"):
            if row.get(opt, "").strip():
                data[opt] = parse_time(row[opt], path=path, line=i, field=opt)
        entries.append(HotlistEntryCreate(**data))
    return entries


def read_reads_csv(path: Path | str) -> list[ReadIn]:
    """Reads from a CSV file; a bad row raises RowError naming file, line and field."""
    frame = _load(path, READS_REQUIRED)
    reads = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        for name in ("read_id", "camera_id", "vrm"):
            if not row[name].strip():
                raise RowError(str(path), i, name, "is empty")
        data: dict[str, Any] = {"read_id": row["read_id"].strip(), "camera_id": row["camera_id"].strip(),
                                "vrm": row["vrm"],
                                "captured_at": parse_time(row["captured_at"], path=path, line=i, field="captured_at")}
        for name in _READ_OPTIONAL_FLOAT:
            text = row.get(name, "").strip()
            if text:
                try:
                    data[name] = float(text)
                except ValueError:
                    raise RowError(str(path), i, name, f"{text!r} is not a number") from None
        for name in _READ_OPTIONAL_TEXT:
            if row.get(name, "").strip():
                data[name] = row[name].strip()
        try:
            reads.append(ReadIn(**data))
        except ValueError as exc:
            first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ("?",), "msg": str(exc)}
            raise RowError(str(path), i, str(first["loc"][0]), first["msg"]) from None
    return reads


def match_files(hotlist_path: Path | str, reads_path: Path | str) -> list[dict[str, Any]]:
    """Offline matching of a reads CSV against a hotlist CSV: hits with their match type."""
    entries = read_hotlist_csv(hotlist_path)
    reads = read_reads_csv(reads_path)
    index = matcher.build_index([e.vrm for e in entries])
    found = matcher.match(index, [r.vrm for r in reads])
    hits = []
    for rp, ep, exact in zip(found.read_pos.tolist(), found.entry_pos.tolist(), found.exact.tolist(), strict=True):
        read, entry = reads[rp], entries[ep]
        hits.append({
            "read_id": read.read_id, "camera_id": read.camera_id, "captured_at": read.captured_at.isoformat(),
            "vrm_raw": read.vrm, "vrm_read": plates.normalise(read.vrm), "vrm_hotlist": plates.normalise(entry.vrm),
            "match_type": "exact" if exact else "misread", "reason": entry.reason, "priority": entry.priority,
        })
    return hits
