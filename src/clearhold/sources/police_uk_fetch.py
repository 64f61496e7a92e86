"""Download a force's months from data.police.uk into a resumable cache of archive-layout CSVs.

``fetch_force(...)`` works through units (force, month, kind), kind being ``street``,
``stop-and-search`` or ``outcomes`` (the last only from the archive: the API has no
per-force outcomes query). Each unit comes from the monthly archive zip where it holds the file
(read by HTTP ranges, byte for byte as published) and from the API otherwise:

- street: ``crimes-street/all-crime`` (POST ``poly=``, ``date=``) over the union of the
  force's neighbourhood boundaries, quartered whenever the API answers 503 (more than
  10,000 crimes), de-duplicated by the API crime id, plus ``crimes-no-location``;
- stop-and-search: ``stops-force`` (only for months where ``crimes-street-dates`` lists the
  force as having stop-and-search data; other months are recorded as not published).

Every finished unit is written atomically (temporary file, then rename) to
``<cache>/YYYY-MM/YYYY-MM-<force>-<kind>.csv`` and recorded in ``<cache>/manifest.json``
(also replaced atomically), so an interrupted run leaves only whole files and a rerun skips
what is done. Progress goes to a callback ``progress(done, total, description)``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clearhold.errors import Conflict, InvalidInput, SourceError
from clearhold.sources.police_uk_api import (
    STOP_AND_SEARCH_COLUMNS,
    STREET_COLUMNS,
    AreaTooLarge,
    PoliceUkClient,
    crime_to_street_row,
    is_btp,
    stop_to_row,
)

KINDS = ("street", "stop-and-search", "outcomes")
DEFAULT_KINDS = ("street", "stop-and-search")
SOURCES = ("auto", "api", "archive")
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_FORCE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Progress = Callable[..., None]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class UnitResult:
    force: str
    month: str
    kind: str
    status: (
        str  # "fetched" | "cached" | "not-published" | "unavailable" (outcomes outside the archive)
    )
    source: str  # "api", "archive YYYY-MM.zip" or "" when not published
    rows: int
    path: str | None  # relative to the cache folder
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchReport:
    force: str
    from_month: str
    to_month: str
    cache_dir: str
    units: tuple[UnitResult, ...]
    requests: int
    retries: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "force": self.force,
            "from": self.from_month,
            "to": self.to_month,
            "cache": self.cache_dir,
            "requests": self.requests,
            "retries": self.retries,
            "fetched": sum(u.status == "fetched" for u in self.units),
            "cached": sum(u.status == "cached" for u in self.units),
            "not_published": sum(u.status == "not-published" for u in self.units),
            "unavailable": sum(u.status == "unavailable" for u in self.units),
            "units": [asdict(u) for u in self.units],
        }


# --------------------------------------------------------------------------- inputs


def month_range(from_month: str, to_month: str) -> list[str]:
    """Every month from ``from_month`` to ``to_month`` inclusive, as YYYY-MM."""
    bounds = []
    for name, value in (("from_month", from_month), ("to_month", to_month)):
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise InvalidInput(
                f"{name} was {value!r}; it must be a month written YYYY-MM, e.g. 2022-01"
            )
        bounds.append(int(match.group(1)) * 12 + int(match.group(2)) - 1)
    if bounds[0] > bounds[1]:
        raise InvalidInput(
            f"from_month was {from_month!r} and to_month {to_month!r}; from_month must not be after to_month"
        )
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(bounds[0], bounds[1] + 1)]


def _check_inputs(force: str, kinds: Iterable[str], source: str) -> tuple[str, ...]:
    if not isinstance(force, str) or not _FORCE.match(force):
        raise InvalidInput(
            f"force was {force!r}; it must be a data.police.uk force id such as 'northamptonshire'"
        )
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise InvalidInput(f"kinds was {list(kinds)!r}; allowed: {', '.join(KINDS)} (at least one)")
    if source not in SOURCES:
        raise InvalidInput(f"source was {source!r}; allowed: {', '.join(SOURCES)}")
    return tuple(dict.fromkeys(kinds))


# --------------------------------------------------------------------------- cache


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


class Manifest:
    """``<cache>/manifest.json``: one entry per completed unit, with its file's size and SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / MANIFEST
        self.units: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                units = data["units"]
                if data.get("format") != MANIFEST_FORMAT or not isinstance(units, dict):
                    raise ValueError("unknown format")
            except (ValueError, KeyError, TypeError) as exc:
                raise SourceError(
                    f"{self.path}: not a clearhold fetch manifest ({exc}); move it away to start afresh"
                ) from None
            self.units = units

    @staticmethod
    def key(force: str, month: str, kind: str) -> str:
        return f"{force}/{month}/{kind}"

    def completed(self, key: str) -> dict[str, Any] | None:
        """The entry of a completed unit whose file is still there, unchanged in size."""
        entry = self.units.get(key)
        if entry is None:
            return None
        if entry.get("path") is None:
            return entry
        file = self.root / entry["path"]
        if not file.is_file() or file.stat().st_size != entry.get("bytes"):
            return None
        return entry

    def record(self, key: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self.units[key] = entry
            payload = {"format": MANIFEST_FORMAT, "units": dict(sorted(self.units.items()))}
            atomic_write(
                self.path, (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode()
            )


def _remove_stale_parts(root: Path) -> None:
    for part in root.rglob(".*.part"):
        part.unlink(missing_ok=True)


def _csv_bytes(columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- the force area


def force_area_rings(
    client: PoliceUkClient, force: str, cache_root: Path, *, simplify_deg: float = 0.0001
) -> list[list[tuple[float, float]]]:
    """Exterior rings (lon, lat) of the union of the force's neighbourhood boundaries, cached."""
    path = cache_root / "_api" / f"{force}-area.json"
    if path.exists():
        try:
            return [
                [(float(x), float(y)) for x, y in ring]
                for ring in json.loads(path.read_text())["rings"]
            ]
        except (ValueError, KeyError, TypeError):
            path.unlink()
    from shapely import make_valid, union_all
    from shapely.geometry import Polygon

    ids = client.neighbourhoods(force)
    if not ids:
        raise SourceError(
            f"{client.base_url}/{force}/neighbourhoods: the force has no neighbourhoods to build its area from"
        )
    polygons = []
    for neighbourhood in ids:
        ring = client.boundary(force, neighbourhood)
        polygons.append(make_valid(Polygon(ring)))
    area = union_all(polygons)
    if simplify_deg > 0:
        area = area.simplify(simplify_deg, preserve_topology=True)
    rings = [
        [(round(x, 6), round(y, 6)) for x, y in poly.exterior.coords[:-1]]
        for poly in _polygons(area)
    ]
    atomic_write(
        path, json.dumps({"force": force, "neighbourhoods": len(ids), "rings": rings}).encode()
    )
    return rings


def _polygons(geometry) -> list:
    if geometry.geom_type == "Polygon":
        return [geometry] if not geometry.is_empty else []
    if hasattr(geometry, "geoms"):
        return [p for g in geometry.geoms for p in _polygons(g)]
    return []


def _quarters(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split a polygon into the parts inside the four quarters of its bounding box (slightly
    overlapping, so that points on a cut line are asked for twice rather than not at all)."""
    from shapely.geometry import Polygon, box

    polygon = Polygon(ring)
    minx, miny, maxx, maxy = polygon.bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    eps = 1e-5
    pieces = []
    for x0, y0, x1, y1 in (
        (minx, miny, midx, midy),
        (midx, miny, maxx, midy),
        (minx, midy, midx, maxy),
        (midx, midy, maxx, maxy),
    ):
        part = polygon.intersection(box(x0 - eps, y0 - eps, x1 + eps, y1 + eps))
        pieces.extend(
            [(round(x, 6), round(y, 6)) for x, y in p.exterior.coords[:-1]] for p in _polygons(part)
        )
    return [p for p in pieces if len(p) >= 3]


def _street_rows_from_api(
    client: PoliceUkClient, rings, force: str, force_name: str, month: str, max_split_depth: int
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    crimes: dict[Any, dict] = {}
    stack = [(ring, 0) for ring in rings]
    queries = splits = 0
    while stack:
        ring, depth = stack.pop()
        queries += 1
        try:
            items = client.crimes_in_area(ring, month)
        except AreaTooLarge as exc:
            if depth >= max_split_depth:
                # small enough by now: the 503 may be the service being busy, so retry it as such
                try:
                    items = client.crimes_in_area(ring, month, split_on_503=False)
                except SourceError as retry_exc:
                    raise SourceError(
                        f"{exc}; still refused after splitting the area {depth} times ({retry_exc})"
                    ) from None
            else:
                splits += 1
                stack.extend((piece, depth + 1) for piece in _quarters(ring))
                continue
        for index, crime in enumerate(items):
            crime_id = crime.get("id")
            if not isinstance(crime_id, int) or isinstance(crime_id, bool):
                raise SourceError(
                    f"crimes-street/all-crime (date={month}): item {index}: field 'id' is {crime_id!r}; expected a number"
                )
            crimes[crime_id] = crime
    no_location = client.crimes_no_location(force, month)
    rows, btp = [], 0
    located = sorted(crimes.items(), key=lambda kv: kv[0])
    for crime_id, crime in located:
        if is_btp(crime):
            btp += 1
            continue
        rows.append(
            crime_to_street_row(
                crime,
                force_name=force_name,
                where=f"crimes-street/all-crime (date={month}): crime {crime_id}",
                require_location=True,
            )
        )
    for index, crime in enumerate(no_location):
        rows.append(
            crime_to_street_row(
                crime,
                force_name=force_name,
                where=f"crimes-no-location (force={force}, date={month}): item {index}",
            )
        )
    notes = {
        "area_queries": queries,
        "area_splits": splits,
        "btp_excluded": btp,
        "no_location": len(no_location),
    }
    return rows, notes


# --------------------------------------------------------------------------- the fetch


def fetch_force(
    force: str,
    from_month: str,
    to_month: str,
    *,
    cache_dir: Path | str,
    client: PoliceUkClient | None = None,
    kinds: Iterable[str] = DEFAULT_KINDS,
    source: str = "auto",
    refresh: bool = False,
    max_split_depth: int = 6,
    workers: int = 4,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch ``force``'s street crime and stop-and-search files for the months given.

    Parameters
    ----------
    force : data.police.uk force id, e.g. ``"northamptonshire"``.
    from_month, to_month : first and last month, ``YYYY-MM``, inclusive.
    cache_dir : folder for the CSV files and ``manifest.json``; created if missing.
    client : the HTTP client (its base URL, rate limit and retry policy); default: the real API.
    kinds : which files: ``street``, ``stop-and-search``, ``outcomes`` (archive only; a month
        the archive does not hold is reported "unavailable" and not recorded as done).
    source : ``auto`` (archive where it holds the file, else API), ``api`` or ``archive``.
    refresh : fetch again even what the manifest records as done.
    max_split_depth : how many times an area refused with HTTP 503 may be quartered.
    workers : units fetched at the same time (threads sharing the client and so its rate
        limit); API answers can take over a minute, so waiting on several at once helps.
    progress : ``progress(done, total, description)`` after each unit (from the calling thread).

    Returns
    -------
    FetchReport with one UnitResult per unit, in month then kind order.
    """
    kinds = _check_inputs(force, kinds, source)
    months = month_range(from_month, to_month)
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 16:
        raise InvalidInput(f"workers was {workers!r}; it must be a whole number from 1 to 16")
    root = Path(cache_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"cache_dir was {str(root)!r}; it cannot be used as a folder ({exc.strerror})"
        ) from None
    with _cache_lock(root):
        return _fetch_locked(
            force, months, kinds, root, client, source, refresh, max_split_depth, workers, progress
        )


@contextmanager
def _cache_lock(root: Path) -> Iterator[None]:
    """One fetch per cache folder at a time (an advisory lock the OS drops if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock
        yield
        return
    path = root / ".lock"
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                f"cache_dir {root} is in use by another fetch (lock {path}); wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fetch_locked(
    force, months, kinds, root: Path, client, source, refresh, max_split_depth, workers, progress
) -> FetchReport:
    _remove_stale_parts(root)
    manifest = Manifest(root)
    report = progress or (lambda *a, **k: None)
    units = [(m, k) for m in months for k in kinds]
    total = len(units)
    owns_client = client is None
    client = client or PoliceUkClient()
    requests_before, retries_before = client.stats.requests, client.stats.retries
    try:
        session = _Session(client, force, root, manifest, source, max_split_depth)
        results: dict[int, UnitResult] = {}
        pending = []
        report(0, total, f"{force}: checking cache")
        for index, (month, kind) in enumerate(units):
            key = Manifest.key(force, month, kind)
            entry = None if refresh else manifest.completed(key)
            if entry is None:
                pending.append((index, month, kind, key))
            else:
                results[index] = _cached_result(force, month, kind, entry)
                report(len(results), total, f"{force} {month} {kind} (cached)")
        if workers == 1 or len(pending) <= 1:
            for index, month, kind, key in pending:
                results[index] = session.fetch_unit(month, kind, key)
                report(len(results), total, f"{force} {month} {kind}")
        else:
            _fetch_in_parallel(
                session,
                pending,
                results,
                workers,
                lambda m, k: report(len(results), total, f"{force} {m} {k}"),
            )
        return FetchReport(
            force,
            months[0],
            months[-1],
            str(root),
            tuple(results[i] for i in range(total)),
            client.stats.requests - requests_before,
            client.stats.retries - retries_before,
        )
    finally:
        if owns_client:
            client.close()


def _fetch_in_parallel(
    session: _Session,
    pending,
    results: dict[int, UnitResult],
    workers: int,
    done: Callable[[str, str], None],
) -> None:
    """Fetch units on ``workers`` threads. On a failure, cancel what has not started, let
    running units finish (each is written whole or not at all) and raise the failure of the
    earliest unit, so that the error does not depend on thread timing."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    failures: list[tuple[int, BaseException]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="police-uk") as pool:
        futures = {
            pool.submit(session.fetch_unit, month, kind, key): (index, month, kind)
            for index, month, kind, key in pending
        }
        try:
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                index, month, kind = futures[future]
                error = future.exception()
                if error is not None:
                    if not failures:
                        for other in futures:
                            other.cancel()
                    failures.append((index, error))
                    continue
                results[index] = future.result()
                done(month, kind)
        except BaseException:  # e.g. Ctrl-C: start nothing new
            for future in futures:
                future.cancel()
            raise
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]


def _cached_result(force: str, month: str, kind: str, entry: dict[str, Any]) -> UnitResult:
    return UnitResult(
        force,
        month,
        kind,
        "cached",
        entry.get("source", ""),
        int(entry.get("rows", 0)),
        entry.get("path"),
        dict(entry.get("notes", {})),
    )


class _Session:
    """What one run learns once and reuses: published months, the force, its area, archives."""

    def __init__(
        self,
        client: PoliceUkClient,
        force: str,
        root: Path,
        manifest: Manifest,
        source: str,
        max_split_depth: int,
    ) -> None:
        self.client, self.force, self.root, self.manifest = client, force, root, manifest
        self.source, self.max_split_depth = source, max_split_depth
        self._data_sets: dict[str, frozenset[str]] | None = None
        self._force_name: str | None = None
        self._rings = None
        self._archives: dict[str, Any] = {}
        self._lock = threading.RLock()  # what is learnt once, when units run on threads
        self._archive_lock = threading.Lock()

    @property
    def data_sets(self) -> dict[str, frozenset[str]]:
        with self._lock:
            if self._data_sets is None:
                self._data_sets = {
                    d.month: d.stop_and_search for d in self.client.crimes_street_dates()
                }
            return self._data_sets

    @property
    def force_name(self) -> str:
        with self._lock:
            if self._force_name is None:
                forces = self.client.forces()
                if self.force not in forces:
                    known = ", ".join(sorted(forces)[:50])
                    raise InvalidInput(
                        f"force was {self.force!r}; data.police.uk knows these forces: {known}"
                    )
                self._force_name = forces[self.force]
            return self._force_name

    @property
    def rings(self):
        with self._lock:
            if self._rings is None:
                self._rings = force_area_rings(self.client, self.force, self.root)
            return self._rings

    def _not_published(self, month: str, archive_note: str | None) -> InvalidInput:
        months = sorted(self.data_sets)
        where = f"; {archive_note}" if archive_note else ""
        return InvalidInput(
            f"month {month} is not published by data.police.uk ({self.client.base_url}): "
            f"the API has {months[0]} to {months[-1]}{where}"
        )

    def _archive(self, month: str):
        from clearhold.sources.police_uk_fetch_archive import RemoteArchive, archive_for

        name = archive_for(month, max(self.data_sets))
        with self._lock:
            if name not in self._archives:
                archive = RemoteArchive(self.client, name)
                archive.open()
                self._archives[name] = archive
            return self._archives[name]

    def fetch_unit(self, month: str, kind: str, key: str) -> UnitResult:
        # the API keeps about 36 months; older ones are only in the archives
        in_api = month in self.data_sets
        if not in_api and self.source == "api":
            raise self._not_published(month, None)
        _ = self.force_name  # checks the force id before anything is written
        if kind == "stop-and-search" and in_api and self.force not in self.data_sets[month]:
            entry = {
                "source": "",
                "rows": 0,
                "path": None,
                "bytes": None,
                "sha256": None,
                "completed_at": _now(),
                "notes": {
                    "reason": "crimes-street-dates lists no stop-and-search data for this force and month"
                },
            }
            self.manifest.record(key, entry)
            return UnitResult(self.force, month, kind, "not-published", "", 0, None, entry["notes"])
        data, source, rows, notes = None, "api", 0, {}
        if self.source in ("auto", "archive"):
            data, source, rows, notes = self._from_archive(month, kind)
        if data is None and not in_api:
            raise self._not_published(month, notes.get("archive"))
        if data is None and kind == "outcomes" and self.source != "archive":
            notes["reason"] = (
                "outcomes files come only from the monthly archive; the API has no per-force outcomes query"
            )
            return UnitResult(self.force, month, kind, "unavailable", "", 0, None, notes)
        if data is None:
            if self.source == "archive":
                raise SourceError(
                    f"{self.force} {month} {kind}: not available from the archive ({notes.get('archive')})"
                )
            data, rows, api_notes = self._from_api(month, kind)
            notes.update(api_notes)
            source = "api"
        relative = f"{month}/{month}-{self.force}-{kind}.csv"
        atomic_write(self.root / relative, data)
        entry = {
            "source": source,
            "rows": rows,
            "path": relative,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "completed_at": _now(),
            "notes": notes,
        }
        self.manifest.record(key, entry)
        return UnitResult(self.force, month, kind, "fetched", source, rows, relative, notes)

    def _from_archive(self, month: str, kind: str):
        from clearhold.sources.police_uk_fetch_archive import member_name

        archive = self._archive(month)
        if archive.unavailable_reason:
            return None, "", 0, {"archive": archive.unavailable_reason}
        name = member_name(month, self.force, kind)
        if name not in archive.members:
            return None, "", 0, {"archive": f"{archive.url} has no {name}"}
        with self._archive_lock:  # one zip reader, one file position
            data = archive.read_member(name, kind)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{archive.url}: member {name} is not UTF-8 ({exc})") from None
        rows = sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
        return data, f"archive {archive.name}.zip", rows, {}

    def _from_api(self, month: str, kind: str) -> tuple[bytes, int, dict[str, Any]]:
        if kind == "stop-and-search":
            stops = self.client.stops_force(self.force, month)
            rows = [
                stop_to_row(s, where=f"stops-force (force={self.force}, date={month}): item {i}")
                for i, s in enumerate(stops)
            ]
            return _csv_bytes(STOP_AND_SEARCH_COLUMNS, rows), len(rows), {}
        rows, notes = _street_rows_from_api(
            self.client, self.rings, self.force, self.force_name, month, self.max_split_depth
        )
        return _csv_bytes(STREET_COLUMNS, rows), len(rows), notes


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
