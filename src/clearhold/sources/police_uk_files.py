"""data.police.uk monthly files: find them (CSV, month folder, archive zip) and parse them.

Column contract (headers must match exactly, in this order; a UTF-8 byte-order mark is
allowed, line ends may be LF or CRLF):

street (``YYYY-MM-<force>-street.csv``)
    Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code,
    LSOA name, Crime type, Last outcome category, Context
outcomes (``YYYY-MM-<force>-outcomes.csv``)
    Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code,
    LSOA name, Outcome type
stop_and_search (``YYYY-MM-<force>-stop-and-search.csv``)
    Type, Date, Part of a policing operation, Policing operation, Latitude, Longitude,
    Gender, Age range, Self-defined ethnicity, Officer-defined ethnicity, Legislation,
    Object of search, Outcome, Outcome linked to object of search, Removal of more clothing
    than just outer clothing (older files) / Removal of more than just outer clothing

Parsed tables keep every published field as a string column (snake_case name, empty ->
null) plus ``line`` (1-based physical line in the file; the header is line 1), ``lon`` and
``lat`` (float64, NaN where absent) and, for stop and search, ``month`` (from Date).

Whole-file errors (raised as ``RowError``/``SourceError`` naming file and line, nothing is
stored): a header that differs, a byte that is not UTF-8, a row with the wrong number of
fields (a truncated file ends with one), an unterminated quote, an empty file, a zip member
that is not a data.police.uk file.

Row problems (row quarantined with this reason, never dropped silently):

- ``bad_month``: Month is not YYYY-MM (stop and search: Date is not an ISO date-time).
- ``month_not_file_month``: the row's month differs from the month in the file name.
- ``missing_crime_type`` / ``unknown_crime_type``: street files only; the 14 categories.
- ``partial_coordinates``: only one of Longitude / Latitude given.
- ``bad_coordinates``: a coordinate that is not a number.
- ``coordinates_outside_uk``: outside longitude -11..3, latitude 49..62.

Rows with neither coordinate are stored without geometry.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from clearhold.errors import InvalidInput, RowError, SourceError

STREET_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)
OUTCOME_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
)
STOP_SEARCH_COLUMNS = (
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
    "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
    "Object of search", "Outcome", "Outcome linked to object of search",
    "Removal of more clothing than just outer clothing",
)
_STOP_SEARCH_ALT_LAST = "Removal of more than just outer clothing"
HEADERS = {"street": STREET_COLUMNS, "outcomes": OUTCOME_COLUMNS, "stop_and_search": STOP_SEARCH_COLUMNS}

CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)
QUARANTINE_REASONS = (
    "bad_month", "month_not_file_month", "missing_crime_type", "unknown_crime_type",
    "partial_coordinates", "bad_coordinates", "coordinates_outside_uk",
)
LON_RANGE = (-11.0, 3.0)
LAT_RANGE = (49.0, 62.0)

_NAME_RE = re.compile(r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv$")
_KIND = {"street": "street", "outcomes": "outcomes", "stop-and-search": "stop_and_search"}


def snake(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


@dataclass(frozen=True)
class SourceFile:
    """One data.police.uk CSV found on disk or inside a zip (bytes read on demand)."""

    label: str
    kind: str | None
    force: str | None
    month: str | None
    published_at: str
    read: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass
class ParsedFile:
    """A parsed file: stored rows, quarantined rows and the reconciliation."""

    source: SourceFile
    kind: str
    force: str
    month: str
    sha256: str
    rows_read: int
    table: object  # pyarrow.Table of stored rows
    quarantine: object  # pyarrow.Table of quarantined rows (line, reason, raw fields)
    reasons: dict[str, int]


def _name_parts(name: str) -> tuple[str | None, str | None, str | None]:
    m = _NAME_RE.match(name)
    if not m:
        return None, None, None
    return _KIND[m.group("kind")], m.group("force"), m.group("month")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def discover(paths: Iterable[str | Path]) -> list[SourceFile]:
    """Every data.police.uk CSV under ``paths`` (CSV files, folders searched recursively for
    ``*.csv`` and ``*.zip``, archive zips). A zip member or a CSV in a folder whose name is
    not ``YYYY-MM-<force>-<street|outcomes|stop-and-search>.csv`` is an error naming it."""
    found: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InvalidInput(f"path was {str(path)!r}; no such file or folder")
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".zip"))
            for member in members:
                if member.suffix.lower() == ".zip":
                    found.extend(_zip_members(member))
                    continue
                kind, force, month = _name_parts(member.name)
                if kind is None:
                    raise SourceError(f"{member}: not a data.police.uk file name (YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv)")
                found.append(_disk(member, kind, force, month))
        elif path.suffix.lower() == ".zip":
            found.extend(_zip_members(path))
        elif path.suffix.lower() == ".csv":
            kind, force, month = _name_parts(path.name)
            found.append(_disk(path, kind, force, month))
        else:
            raise InvalidInput(f"path was {str(path)!r}; expected a .csv file, a folder or a .zip archive")
    return found


def _disk(path: Path, kind, force, month) -> SourceFile:
    return SourceFile(str(path), kind, force, month, _iso(path.stat().st_mtime), path.read_bytes)


def _zip_members(path: Path) -> list[SourceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{path}: not a readable zip archive ({exc})") from None
    out = []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename.rsplit("/", 1)[-1]
            kind, force, month = _name_parts(name)
            if kind is None or ".." in info.filename.split("/") or info.filename.startswith("/"):
                raise SourceError(
                    f"{path}: unexpected member {info.filename!r}; a data.police.uk archive holds only "
                    "YYYY-MM/YYYY-MM-<force>-<street|outcomes|stop-and-search>.csv files"
                )
            if info.flag_bits & 0x1:
                raise SourceError(f"{path}: member {info.filename!r} is encrypted")
            published = datetime(*info.date_time, tzinfo=UTC).isoformat(timespec="seconds")

            def reader(p=path, member=info.filename) -> bytes:
                with zipfile.ZipFile(p) as z:
                    try:
                        return z.read(member)
                    except (zipfile.BadZipFile, EOFError, OSError) as exc:
                        raise SourceError(f"{p}!{member}: damaged zip member ({exc})") from None

            out.append(SourceFile(f"{path}!{info.filename}", kind, force, month, published, reader))
    return out


# ---------------------------------------------------------------------------------------
def parse(source: SourceFile, data: bytes | None = None) -> ParsedFile:
    """Parse one file completely (or raise): see the module docstring for the contract."""

    data = source.read() if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    label = source.label
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():
        raise RowError(label, 1, None, "the file is empty (no header)")
    _check_utf8(label, data)
    header_end = data.find(b"\n")
    header_line = (data if header_end < 0 else data[:header_end]).decode("utf-8").rstrip("\r")
    header = [h.strip().strip('"').strip() for h in header_line.split(",")]
    kind = source.kind or _kind_from_header(label, header)
    _check_header(label, kind, header)
    body = b"" if header_end < 0 else data[header_end + 1 :]
    columns = list(HEADERS[kind])
    table = _read_rows(label, data, body, len(columns))
    names = [snake(c) for c in columns]
    if kind == "stop_and_search":
        names[-1] = "removal_of_more_clothing"
    table = table.rename_columns(names)
    n = table.num_rows
    _check_blank_lines(label, table, width=len(columns))
    lines = np.arange(2, n + 2, dtype=np.int32)
    return _validate(source, kind, sha, table, lines)


def _check_blank_lines(label: str, table, *, width: int) -> None:
    """pyarrow reads an empty line as a row of empty fields; inside a file that is an error."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return
    empty = pc.is_null(table.column(0))
    for i in range(1, table.num_columns):
        empty = pc.and_(empty, pc.is_null(table.column(i)))
    hits = np.flatnonzero(empty.to_numpy(zero_copy_only=False))
    if len(hits):
        raise RowError(label, int(hits[0]) + 2, None, f"empty line; expected {width} fields")


def _check_utf8(label: str, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RowError(label, line, None, f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8 (files must be UTF-8)") from None


def _kind_from_header(label: str, header: list[str]) -> str:
    for kind, cols in HEADERS.items():
        if header[:2] == list(cols[:2]):
            return kind
    raise RowError(label, 1, None, f"header {header} is not a data.police.uk street, outcomes or stop-and-search header")


def _check_header(label: str, kind: str, header: list[str]) -> None:
    expected = list(HEADERS[kind])
    if kind == "stop_and_search" and header[-1:] == [_STOP_SEARCH_ALT_LAST]:
        expected[-1] = _STOP_SEARCH_ALT_LAST
    if header == expected:
        return
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    detail = []
    if missing:
        detail.append(f"missing {missing}")
    if extra:
        detail.append(f"unexpected {extra}")
    if not detail:
        detail.append("columns out of order")
    raise RowError(label, 1, None, f"wrong header for a {kind} file ({'; '.join(detail)}); expected {expected}")


def _read_rows(label: str, data: bytes, body: bytes, width: int):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not body or body.isspace():
        return pa.table({f"f{i}": pa.array([], pa.string()) for i in range(width)})
    names = [f"f{i}" for i in range(width)]
    body = body.rstrip(b"\r\n") + b"\n"  # trailing blank lines are harmless; inner ones are errors
    try:
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        _raise_row_error(label, data, width, str(exc))
        raise SourceError(f"{label}: could not be read as CSV ({exc})") from None


def _raise_row_error(label: str, data: bytes, width: int, arrow_message: str) -> None:
    """Find the first bad line with the standard csv module (slow path, errors only)."""
    import csv

    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    last = len(lines)
    for number, line in enumerate(lines, start=1):
        if number == 1:
            continue
        stripped = line.rstrip("\r\n")
        if not stripped:
            if number == last:
                continue
            raise RowError(label, number, None, f"empty line; expected {width} fields")
        if stripped.count('"') % 2:
            raise RowError(label, number, None, "unterminated quote" + (" (the file ends here: truncated?)" if number == last else ""))
        fields = next(csv.reader([stripped], strict=True))
        if len(fields) != width:
            hint = " (the file ends here: truncated?)" if number == last else ""
            raise RowError(label, number, None, f"{len(fields)} fields; expected {width}{hint}")
    raise SourceError(f"{label}: could not be read as CSV ({arrow_message})")


def _validate(source: SourceFile, kind: str, sha: str, table, lines: np.ndarray) -> ParsedFile:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    reason = np.full(n, None, dtype=object)

    def flag(mask, name: str) -> None:
        mask = np.asarray(mask, dtype=bool) & (reason == None)  # noqa: E711
        reason[mask] = name

    if kind == "stop_and_search":
        date = table["date"]
        ok_date = pc.fill_null(pc.match_substring_regex(date, r"^\d{4}-(0[1-9]|1[0-2])-\d{2}T\d{2}:\d{2}(:\d{2})?"), False)
        month = pc.if_else(ok_date, pc.utf8_slice_codeunits(date, 0, 7), pa.scalar(None, pa.string()))
        table = table.append_column("month", month)
        flag(~ok_date.to_numpy(zero_copy_only=False), "bad_month")
    else:
        month = table["month"]
        ok_month = pc.fill_null(pc.match_substring_regex(month, r"^\d{4}-(0[1-9]|1[0-2])$"), False)
        flag(~ok_month.to_numpy(zero_copy_only=False), "bad_month")
    months = np.asarray(table["month"].to_pylist(), dtype=object)
    file_month = source.month
    if file_month is None:
        valid = sorted({m for m, r in zip(months, reason, strict=True) if r is None and m})
        if len(valid) > 1:
            raise SourceError(f"{source.label}: rows from several months {valid}; name the file YYYY-MM-<force>-{kind.replace('_', '-')}.csv")
        file_month = valid[0] if valid else "unknown"
    flag(months != file_month, "month_not_file_month")

    if kind == "street":
        ctype = table["crime_type"]
        present = pc.is_valid(ctype).to_numpy(zero_copy_only=False)
        flag(~present, "missing_crime_type")
        known = pc.fill_null(pc.is_in(ctype, value_set=pa.array(CRIME_TYPES)), False).to_numpy(zero_copy_only=False)
        flag(~known, "unknown_crime_type")

    lon_s, lat_s = table["longitude"], table["latitude"]
    has_lon = pc.is_valid(lon_s).to_numpy(zero_copy_only=False)
    has_lat = pc.is_valid(lat_s).to_numpy(zero_copy_only=False)
    flag(has_lon != has_lat, "partial_coordinates")
    number = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
    lon_ok = pc.fill_null(pc.match_substring_regex(lon_s, number), False).to_numpy(zero_copy_only=False)
    lat_ok = pc.fill_null(pc.match_substring_regex(lat_s, number), False).to_numpy(zero_copy_only=False)
    flag(has_lon & has_lat & ~(lon_ok & lat_ok), "bad_coordinates")
    both = lon_ok & lat_ok
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if both.any():
        lon[both] = pc.cast(pc.utf8_trim_whitespace(pc.filter(lon_s, pa.array(both))), pa.float64()).to_numpy()
        lat[both] = pc.cast(pc.utf8_trim_whitespace(pc.filter(lat_s, pa.array(both))), pa.float64()).to_numpy()
    inside = (lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1]) & (lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1])
    flag(both & ~inside, "coordinates_outside_uk")

    bad = reason != None  # noqa: E711
    good = ~bad
    stored = table.filter(pa.array(good)).append_column("line", pa.array(lines[good])) \
        .append_column("lon", pa.array(lon[good])).append_column("lat", pa.array(lat[good]))
    quarantine = table.filter(pa.array(bad))
    quarantine = quarantine.add_column(0, "reason", pa.array(reason[bad].astype(str) if bad.any() else [], pa.string()))
    quarantine = quarantine.add_column(0, "line", pa.array(lines[bad]))
    reasons: dict[str, int] = {}
    for r in reason[bad]:
        reasons[r] = reasons.get(r, 0) + 1
    force = source.force or _force_from_rows(table)
    return ParsedFile(source, kind, force, file_month, sha, n, stored, quarantine, dict(sorted(reasons.items())))


def _force_from_rows(table) -> str:
    col = "reported_by" if "reported_by" in table.column_names else None
    if col is None:
        return "unknown"
    values = {v for v in table[col].to_pylist() if v}
    if len(values) != 1:
        return "unknown"
    slug = re.sub(r"[^a-z0-9]+", "-", values.pop().lower()).strip("-")
    return re.sub(r"-(police|constabulary|police-service)$", "", slug) or "unknown"
