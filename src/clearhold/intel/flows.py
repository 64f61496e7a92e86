"""Importing intelligence logs from CSV: all or nothing, every problem named by line, column and value.

One row per graded item: ``ref``, ``item_text`` and ``grade`` on every row; the log's other
columns (``intel_date``, ``recorded_at``, ``recording_officer``, ``source_ref``,
``security_marking``, ``grading_system``, ``handling_instructions``, ``subject``, ``area``,
``lat``, ``lon``) on the log's first row. Rows that repeat a ``ref`` add items to that log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from clearhold.errors import Conflict, InvalidInput, NotFound, RowError
from clearhold.intel import service
from clearhold.intel.schemas import IntelLogCreate
from clearhold.localtime import localise, zone
from clearhold.record.flows import ImportFailed, read_csv_rows

LOG_COLUMNS = ("ref", "intel_date", "recorded_at", "recording_officer", "source_ref", "security_marking",
               "grading_system", "handling_instructions", "subject", "area", "lat", "lon")
ITEM_COLUMNS = ("item_text", "grade")
REQUIRED = ("ref", "item_text", "grade")


@dataclass
class IntelImportReport:
    path: str
    rows_read: int = 0
    logs_created: int = 0
    items_created: int = 0
    log_ids: list[int] = field(default_factory=list)


def import_csv(session: Session, *, path: Path, operation: str | None, entered_by: str,
               time_zone: str | None = None) -> IntelImportReport:
    """Import intelligence logs: every log, or none (raises ImportFailed listing every problem).
    ``time_zone`` reads a ``recorded_at`` without an offset as a clock time there."""
    p = str(path)
    tz = zone(time_zone) if time_zone else None
    header, rows = read_csv_rows(Path(path))
    for i, h in enumerate(header, start=1):
        if not h:
            raise RowError(p, 1, None, f"column {i} has no name")
        if h not in LOG_COLUMNS + ITEM_COLUMNS:
            raise RowError(p, 1, h[:60], f"unknown column; allowed: {', '.join(LOG_COLUMNS + ITEM_COLUMNS)}")
    for col in REQUIRED:
        if col not in header:
            raise RowError(p, 1, col, "required column is missing")
    if operation is not None:
        service.operation_service.get(session, slug=operation)

    logs: dict[str, dict[str, Any]] = {}
    errors: list[RowError] = []
    for line, raw in rows:
        ref = raw["ref"].strip()
        if not ref:
            errors.append(RowError(p, line, "ref", "is empty"))
            continue
        item = {"text": raw["item_text"], "grade": raw["grade"], "line": line, "raw": raw}
        if ref in logs:
            extra = [c for c in LOG_COLUMNS if c != "ref" and raw.get(c, "").strip()]
            if extra:
                errors.append(RowError(p, line, extra[0], f"duplicate reference {ref!r} (first on line "
                                       f"{logs[ref]['line']}); later rows of a log give only ref, item_text and grade",
                                       raw[extra[0]]))
                continue
            logs[ref]["items"].append(item)
        else:
            fields = {c: raw[c].strip() for c in LOG_COLUMNS if c in raw and raw[c].strip() != ""}
            bad = False
            if tz is not None and "recorded_at" in fields:
                try:
                    fields["recorded_at"] = localise(fields["recorded_at"], tz)
                except ValueError as exc:
                    errors.append(RowError(p, line, "recorded_at", str(exc), fields["recorded_at"]))
                    bad = True  # reported; its later rows still belong to it
            logs[ref] = {"line": line, "fields": fields, "items": [item], "raw": raw, "bad": bad}

    report = IntelImportReport(path=p, rows_read=len(rows))
    outer = session.begin_nested()
    try:
        for ref, log in logs.items():
            if log["bad"]:
                continue
            data = {**log["fields"], "operation": operation,
                    "items": [{"text": it["text"], "grade": it["grade"]} for it in log["items"]]}
            try:
                log_in = IntelLogCreate.model_validate(data)
                with session.begin_nested():
                    created = service.create(session, log_in=log_in, entered_by=entered_by)
                report.logs_created += 1
                report.items_created += len(log["items"])
                report.log_ids.append(created.id)
            except ValidationError as exc:
                for err in exc.errors():
                    errors.append(_error(p, log, [str(x) for x in err["loc"]], err["msg"].removeprefix("Value error, ")))
            except Conflict as exc:
                errors.append(RowError(p, log["line"], "ref", str(exc), ref))
            except (InvalidInput, NotFound) as exc:
                errors.append(RowError(p, log["line"], None, str(exc)))
    except BaseException:
        outer.rollback()
        raise
    if errors:
        outer.rollback()
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(p, errors)
    outer.commit()
    return report


def _error(p: str, log: dict[str, Any], loc: list[str], problem: str) -> RowError:
    """Point a schema error at the CSV line and column it comes from."""
    import re

    if loc and loc[0] == "items" and len(loc) > 1:  # e.g. items.2.grade
        item = log["items"][int(loc[1])]
        column = {"text": "item_text", "grade": "grade"}.get(loc[2] if len(loc) > 2 else "", "item_text")
        return RowError(p, item["line"], column, problem, item["raw"].get(column) or None)
    m = re.match(r"items\.(\d+)\.grade was", problem)
    if m:  # a model-level message naming an item (1-based)
        item = log["items"][int(m.group(1)) - 1]
        return RowError(p, item["line"], "grade", problem, item["raw"].get("grade"))
    if "handling_instructions are required" in problem:
        return RowError(p, log["line"], "handling_instructions", problem)
    column = loc[0] if loc else None
    if column is None and "lat/lon" in problem:
        column = "lat"
    value = log["raw"].get(column) if column else None
    return RowError(p, log["line"], column, problem, value or None)
