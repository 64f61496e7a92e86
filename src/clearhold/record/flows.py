"""Importing records from CSV: all or nothing, every problem named by file, line and field.

One row is one record, except that rows sharing a ``ref`` form one record with several
seized items (the first of those rows gives the record's fields; later rows may repeat them
or leave them blank). ``source_ref`` links a record to an earlier one by its ref (for
example an arrest to the ANPR stop that led to it). Arrest offences go in ``offence_group``
and ``offence_text``, several separated by ``|``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from clearhold.errors import Conflict, InvalidInput, NotFound, RowError
from clearhold.gcpause import cyclic_gc_paused
from clearhold.localtime import localise, zone
from clearhold.record import service
from clearhold.record.schemas import CREATE_MODELS, InUK
from clearhold.storage.base import utcnow

ITEM_COLUMNS = (
    "item_kind", "item_description", "drug_class", "drug_type", "quantity", "unit", "value_gbp",
    "weapon_type", "disposition", "item_count", "cash_gbp",
)
BASE_COLUMNS = (
    "kind", "ref", "occurred_at", "ended_at", "area", "tactic", "lat", "lon", "easting", "northing",
    "location_text", "notes", "source_ref", "offence_group", "offence_text",
)
_NUMERIC = {"lat", "lon", "easting", "northing", "area_searched_m2"}
_INTEGER = {"officers", "custodial_months", "participants"}
_BOOLEAN = {"planned"}
_TIMESTAMPS = ("occurred_at", "ended_at")  # in this order: the first bad one is named
MAX_ERRORS_SHOWN = 50
_ITEM_SET = frozenset(ITEM_COLUMNS)
_TYPED = _NUMERIC | _INTEGER | _BOOLEAN | {"item_count"}  # other columns are text: stripped, or None if blank


def allowed_columns() -> set[str]:
    cols = set(BASE_COLUMNS) | set(ITEM_COLUMNS)
    for model in CREATE_MODELS.values():
        cols |= {f for f in model.model_fields if f not in ("items", "offences", "survey", "operation", "source_record_id")}
    return cols


@dataclass
class ImportReport:
    path: str
    rows_read: int = 0
    records_created: int = 0
    records_skipped: int = 0
    items_created: int = 0
    record_ids: list[int] = field(default_factory=list)


class ImportFailed(InvalidInput):
    """The import wrote nothing; ``errors`` lists every problem found."""

    def __init__(self, path: str, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:MAX_ERRORS_SHOWN])
        more = f"\n  ... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        super().__init__(f"{path}: {len(errors)} problem(s); nothing was imported\n{shown}{more}")


def read_csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-blank rows of a UTF-8 CSV file, each with its line number."""
    header, rows = _read_rows(path)
    return header, [(line, _cells(header, values)) for line, values in rows]


def _cells(header: list[str], values: list[str]) -> dict[str, str]:
    return dict(zip(header, values, strict=True))


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``read_csv_rows`` with each row as its list of cells."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RowError(str(path), line, None, f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{path}: the file is empty") from None
    rows = []
    for values in reader:
        line = reader.line_num
        if not "".join(values).strip():  # a blank line (only separators and spaces)
            continue
        if len(values) != len(header):
            raise RowError(str(path), line, None, f"has {len(values)} values but the header has {len(header)} columns")
        rows.append((line, values))
    return header, rows


def _convert(path: str, line: int, col: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    try:
        if col in _NUMERIC:
            return float(value)
        if col in _INTEGER or col == "item_count":
            return int(value)
    except ValueError:
        raise RowError(path, line, col, f"{value!r} is not a number") from None
    if col in _BOOLEAN:
        low = value.lower()
        if low in ("true", "yes", "1", "y"):
            return True
        if low in ("false", "no", "0", "n"):
            return False
        raise RowError(path, line, col, f"{value!r} is not yes/no")
    return value


def _item(row: dict[str, Any]) -> dict[str, Any] | None:
    if not row.get("item_kind"):
        if not _ITEM_SET.isdisjoint(row):
            stray = [c for c in ITEM_COLUMNS if row.get(c) not in (None, "")]
            if stray:
                raise InvalidInput(f"{stray[0]}: item columns need item_kind")
        return None
    item = {
        "item_kind": row["item_kind"], "description": row.get("item_description"),
        "drug_class": row.get("drug_class"), "drug_type": row.get("drug_type"), "quantity": row.get("quantity"),
        "unit": row.get("unit"), "value_gbp": row.get("value_gbp"), "weapon_type": row.get("weapon_type"),
        "disposition": row.get("disposition"), "count": row.get("item_count") or 1, "cash_gbp": row.get("cash_gbp"),
    }
    return {k: v for k, v in item.items() if v is not None}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


_NOT_FIELDS = frozenset(ITEM_COLUMNS) | {"kind", "source_ref", "offence_group", "offence_text"}
_FIELDS = {kind: frozenset(model.model_fields) for kind, model in CREATE_MODELS.items()}


def _record_dict(operation: str, kind: str, row: dict[str, Any]) -> dict[str, Any]:
    fields = _FIELDS.get(kind)
    if fields is None:
        raise InvalidInput(f"kind: {kind!r} is not a record kind; use one of: {', '.join(CREATE_MODELS)}")
    data: dict[str, Any] = {"kind": kind, "operation": operation}
    for col, value in row.items():
        if value is None or col in _NOT_FIELDS:
            continue
        if col not in fields:
            raise InvalidInput(f"{col}: not a field of {_article(kind)} {kind.replace('_', ' ')} record")
        data[col] = value
    if kind == "arrest":
        groups = (row.get("offence_group") or "").split("|")
        texts = (row.get("offence_text") or "").split("|")
        if len(groups) != len(texts):
            raise InvalidInput(
                f"offence_text: {len(groups)} offence group(s) but {len(texts)} offence text(s); separate several with |"
            )
        data["offences"] = [{"group": g.strip(), "text": t.strip()} for g, t in zip(groups, texts, strict=True) if g.strip() or t.strip()]
    elif row.get("offence_group") or row.get("offence_text"):
        raise InvalidInput(f"offence_group: offences belong to arrests, not {kind} records")
    return data


def import_csv(
    session: Session, *, path: Path, operation: str, entered_by: str, kind: str | None = None,
    skip_existing: bool = False, time_zone: str | None = None,
) -> ImportReport:
    """Import a CSV of records into an operation: every record, or none (raises ImportFailed).

    Timestamps need an offset unless ``time_zone`` (e.g. ``Europe/London``) is given: then one
    without an offset is read as a clock time there (see ``clearhold.localtime``)."""
    tz = zone(time_zone) if time_zone else None
    with cyclic_gc_paused():  # an import holds several objects per row until it writes them
        return _import_csv(session, Path(path), operation, entered_by, kind, skip_existing, tz)


def _import_csv(session: Session, path: Path, operation: str, entered_by: str, kind: str | None,
                skip_existing: bool, tz: ZoneInfo | None = None) -> ImportReport:
    p = str(path)
    header, rows = _read_rows(path)
    for i, h in enumerate(header, start=1):
        if not h:
            raise RowError(p, 1, None, f"column {i} has no name (remove empty columns, e.g. left by a spreadsheet)")
        if header.count(h) > 1:
            raise RowError(p, 1, h, "column appears more than once")
    unknown = [h for h in header if h not in allowed_columns()]
    if unknown:
        hint = " (is the file separated by ';' rather than ','?)" if ";" in unknown[0] else ""
        raise RowError(p, 1, unknown[0][:60], f"unknown column{hint}; allowed columns are: {', '.join(sorted(allowed_columns()))}")
    if "occurred_at" not in header:
        raise RowError(p, 1, "occurred_at", "required column is missing")
    if kind is None and "kind" not in header:
        raise RowError(p, 1, "kind", "required column is missing (or pass --kind)")
    service.operation_service.get(session, slug=operation)

    report = ImportReport(path=p, rows_read=len(rows))
    errors: list[RowError] = []
    # Group rows into records: rows sharing a ref are one record with several items.
    # Each record's first line, its cells, its items, and the line and cells as read of each item
    # (made into a dict by column only if a problem is reported).
    groups: list[tuple[int, dict[str, Any], list[dict[str, Any]], list[tuple[int, list[str]]]]] = []
    by_ref: dict[str, int] = {}
    typed = [c for c in header if c in _TYPED]
    for line, values in rows:
        try:
            # The non-blank cells, stripped and typed (in the file's order: the first bad cell is named).
            row = {c: v.strip() for c, v in zip(compress(header, values), filter(None, values))}
            if "" in row.values():
                row = {c: v for c, v in row.items() if v}
            for c in typed:
                if c in row:
                    row[c] = _convert(p, line, c, row[c])
            if tz is not None:
                for c in _TIMESTAMPS:
                    if c not in row:
                        continue
                    try:
                        row[c] = localise(row[c], tz)
                    except ValueError as exc:
                        raise RowError(p, line, c, str(exc), row[c]) from None
            item = _item(row)
            ref = row.get("ref")
            if ref is None or ref not in by_ref:
                row_kind = row.get("kind") or kind
                if kind is not None and row.get("kind") not in (None, kind):
                    raise InvalidInput(f"kind: {row['kind']!r} but --kind {kind} was given")
                if row_kind is None:
                    raise InvalidInput("kind: missing")
                row["kind"] = row_kind
            if ref is not None and ref in by_ref:
                first_line, _, items, item_rows = groups[by_ref[ref]]
                given = [c for c, v in row.items() if v is not None and c not in ITEM_COLUMNS and c not in ("ref", "kind")]
                if given or item is None:
                    raise InvalidInput(
                        f"ref: duplicate reference (first on line {first_line}); a row that adds an item to that "
                        "record gives only ref and the item columns")
                items.append(item)
                item_rows.append((line, values))
                continue
            if ref is not None:
                by_ref[ref] = len(groups)
            groups.append((line, row, [item] if item else [], [(line, values)] if item else []))
        except RowError as exc:
            errors.append(exc)
        except InvalidInput as exc:
            errors.append(_row_error(p, line, str(exc), _cells(header, values)))

    outer = session.begin_nested()  # the import's own all-or-nothing, whatever the caller does next
    try:
        _create_all(session, p, operation, entered_by, header, groups, skip_existing, report, errors)
    except BaseException:
        outer.rollback()
        raise
    if errors:
        outer.rollback()
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(p, errors)
    outer.commit()
    return report


# Model-level checks name their fields in the message; the first one named is the column.
_CROSS_FIELD = ("lat/lon", "lat", "easting/northing", "easting", "ended_at", "custodial_months", "source_record_id")
_ITEM_FIELD_TO_COLUMN = {"description": "item_description", "count": "item_count"}
_OFFENCE_FIELD_TO_COLUMN = {"group": "offence_group", "text": "offence_text"}


def _column_of(loc: list[str], line: int, item_rows: list[tuple[int, dict[str, Any]]]) -> tuple[str | None, int]:
    """The CSV column (and line) a validation location points at: items.2.quantity -> quantity
    on the line of the second item."""
    if not loc:
        return None, line
    if loc[0] == "items" and len(loc) >= 2 and loc[1].isdigit():
        index = int(loc[1])
        item_line = item_rows[index][0] if index < len(item_rows) else line
        column = _ITEM_FIELD_TO_COLUMN.get(loc[2], loc[2]) if len(loc) > 2 else "item_kind"
        return column, item_line
    if loc[0] == "offences":
        return (_OFFENCE_FIELD_TO_COLUMN.get(loc[2], loc[2]) if len(loc) > 2 else "offence_group"), line
    if loc[0] == "source_record_id":
        return "source_ref", line
    return {"lat/lon": "lat", "easting/northing": "easting"}.get(loc[0], loc[0]), line


def _row_error(p: str, line: int, message: str, raw: dict[str, str],
               item_rows: list[tuple[int, dict[str, Any]]] | None = None) -> RowError:
    """A service or schema message ``field: problem`` as a RowError naming column and value."""
    field_name, _, problem = message.partition(": ")
    if not problem or " " in field_name:
        return RowError(p, line, None, message)
    loc = field_name.split(".")
    if loc[0] == "items" and len(loc) >= 2 and loc[1].isdigit():  # the service counts items from 1
        loc[1] = str(int(loc[1]) - 1)
    column, at = _column_of(loc, line, item_rows or [])
    source = dict(item_rows)[at] if item_rows and at in dict(item_rows) else raw
    value = source.get(column) if column else None
    return RowError(p, at, column, problem, value if value not in ("", None) else None)


def _create_all(session: Session, p: str, operation: str, entered_by: str, header: list[str], groups,
                skip_existing: bool, report: ImportReport, errors: list[RowError]) -> None:
    """Check every record first (the same checks, in the same order, as ``service.create``),
    then write them all with a few multi-row inserts; nothing is written if any row fails."""
    ctx = service.new_context(session)
    existing = service.existing_refs(session, operation_id=ctx.operation(operation).id)
    in_uk = _prime_places(ctx, operation, groups)
    ids_by_ref: dict[str, int] = {}  # refs already in the operation that --skip-existing skipped
    new_by_ref: dict[str, int] = {}  # refs of this file's records -> their place in ``prepared``
    prepared: list[service.PreparedRecord] = []
    entered_at = utcnow()  # every record of the import is entered at once
    for line, row, items, item_rows in groups:
        ref = row.get("ref")
        try:
            data = _record_dict(operation, row["kind"], row)
            data["items"] = items
            source_index = None
            if row.get("source_ref"):
                src = row["source_ref"]
                if src in new_by_ref:
                    source_index = new_by_ref[src]
                    data["source_record_id"] = 0  # its id is known once it is written
                elif src in ids_by_ref:
                    data["source_record_id"] = ids_by_ref[src]
                elif src in existing:
                    data["source_record_id"] = existing[src]
                else:
                    raise InvalidInput(f"source_ref: no record with ref {src!r} earlier in the file or in the operation")
            record_in = service.parse_record(data, in_uk=in_uk)
            record = service.prepare_create(ctx, record_in, entered_by=entered_by, entered_at=entered_at)
            if ref is not None and ref in existing:
                raise Conflict(f"ref {ref!r} already exists in operation {record_in.operation!r}")
            record.source_index = source_index
            if ref is not None:
                new_by_ref[ref] = len(prepared)
            prepared.append(record)
            report.records_created += 1
            report.items_created += len(items)
        except Conflict as exc:
            if skip_existing and ref is not None:
                ids_by_ref[ref] = existing[ref]
                report.records_skipped += 1
                continue
            errors.append(RowError(p, line, "ref", f"{exc}; use --skip-existing to re-import a file", ref))
        except ValidationError as exc:
            raw = _raw(row)
            item_rows = _item_cells(header, item_rows)
            for err in exc.errors():
                loc = [str(x) for x in err["loc"] if str(x) not in CREATE_MODELS]
                problem = err["msg"].removeprefix("Value error, ")
                if not loc:  # a check across fields: name the first field its message names
                    loc = [next((f for f in _CROSS_FIELD if problem.startswith(f) or f" {f} " in f" {problem}"), "")]
                    loc = [x for x in loc if x]
                column, at = _column_of(loc, line, item_rows)
                source = dict(item_rows).get(at, raw) if item_rows else raw
                value = source.get(column) if column else None
                errors.append(RowError(p, at, column, problem, value if value not in ("", None) else None))
        except (InvalidInput, NotFound) as exc:
            errors.append(_row_error(p, line, str(exc), _raw(row), _item_cells(header, item_rows)))
    if not errors:
        report.record_ids.extend(service.insert_prepared(session, prepared))


def _item_cells(header: list[str], item_rows: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    """Item rows (line, cells as read) with their cells by column, to name a problem's value."""
    return [(item_line, _cells(header, values)) for item_line, values in item_rows]


def _raw(row: dict[str, Any]) -> dict[str, str]:
    return {k: ("" if v is None else str(v)) for k, v in row.items()}


def _prime_places(ctx, operation: str, groups) -> InUK:
    """Work out every row's place at once, in vectorised calls: lat/lon to BNG, the target area
    of each point (as ``service._place`` rounds it), and the UK check (rows then look theirs up)."""
    lon_lat = list({(row["lon"], row["lat"]) for _, row, _, _ in groups
                    if isinstance(row.get("lat"), float) and isinstance(row.get("lon"), float)})
    east_north = [(row["easting"], row["northing"]) for _, row, _, _ in groups
                  if isinstance(row.get("easting"), float) and isinstance(row.get("northing"), float)]
    grids = []
    if lon_lat:
        lons, lats = zip(*lon_lat, strict=True)
        grids = ctx.prime_bng(list(lons), list(lats))
    places = {grid[2:] for grid in grids}  # easting and northing as records keep them
    ctx.prime_locate(ctx.operation(operation), list({*places, *east_north}))
    return InUK(lon_lat, east_north)
