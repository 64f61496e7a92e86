"""Police recorded crime: ingest into the analytical store, and reading it back for analysis.

Python API (for notebooks and the analytics modules):

- ``ingest(store=..., paths=[...], progress=None)`` -> list of per-file reconciliation dicts
- ``resolve_area(spec, store=..., session=None, buffer_m=None)`` -> ``ResolvedArea``
- ``load_points(store=..., area=None, start_month=None, end_month=None, crime_types=None,
  weights="count")`` -> DataFrame ``row_id, month, crime_type, x_m, y_m, lon, lat, lsoa21, harm``
- ``monthly_counts(store=..., areas={name: area}, start_month, end_month, ...)`` -> DataFrame
  ``area, month, count, harm`` (every area x month, zeros included)
- ``summary(store=..., area, start_month, end_month, ...)`` -> DataFrame ``month, area,
  crime_type, count, harm, rate_per_1000``

``store`` is a folder path, a ``Lake`` or None (``CLEARHOLD_STORE`` / settings default).
Only current publications are read (see ``clearhold.storage.lake``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput, SourceError
from clearhold.geo.areas import ResolvedArea
from clearhold.storage.lake import Lake, Publication, atomic_write_parquet

Progress = Callable[..., None]
POINT_COLUMNS = ["row_id", "month", "crime_type", "x_m", "y_m", "lon", "lat", "lsoa21", "harm"]
_MAX_LINE = (1 << 22) - 1


def lake_for(store) -> Lake:
    """A Lake for a path, a Lake, or None (the configured store)."""
    if isinstance(store, Lake):
        return store
    if store is None:
        from clearhold.config import get_settings

        return Lake(get_settings().resolved_store)
    if isinstance(store, str | Path):
        return Lake(store)
    raise TypeError(f"store must be a folder path or a Lake, not {type(store).__name__}")


# ---------------------------------------------------------------------------------------
# ingest
# ---------------------------------------------------------------------------------------
def ingest(*, store=None, paths: Iterable[str | Path], progress: Progress | None = None) -> list[dict]:
    """Load data.police.uk files (CSV files, month folders, archive zips) into the store.

    Every file is parsed and checked completely before anything is written; any whole-file
    error (wrong header, non-UTF-8 byte, truncated row, unexpected zip member) raises and
    leaves the store unchanged. Returns one dict per file: ``path, kind, force, month,
    publication, status ("stored" | "unchanged"), current, rows_read, rows_stored,
    rows_quarantined, reasons``. Invariant: ``rows_read == rows_stored + rows_quarantined``.
    """
    from clearhold.geo.store import geography
    from clearhold.sources.police_uk_files import discover

    lake = lake_for(store)
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    if not paths:
        raise InvalidInput("paths was empty; give at least one CSV file, folder or zip")
    report = progress or (lambda *a, **k: None)
    sources = discover(paths)
    if not sources:
        raise InvalidInput(f"no data.police.uk CSV files found in {[str(p) for p in paths]}")
    geo = geography(lake)
    known = {(p.kind, p.force, p.month, p.sha256) for p in lake.publications()}
    results: list[dict] = []
    drafts: list[Publication] = []
    written: list[Path] = []
    seen: set[tuple] = set()
    rows_done = 0
    report(0, len(sources), "reading")
    from concurrent.futures import ThreadPoolExecutor

    # Files are parsed and written two at a time (pyarrow, pyproj and shapely release the GIL).
    # Parquet files are invisible until the manifest names them; on any error the files written
    # by this call are removed and the manifest is left as it was.
    pool = ThreadPoolExecutor(max_workers=2)
    futures: list = []
    try:
        futures = [pool.submit(_prepare, lake, source, geo) for source in sources]
        for i, future in enumerate(futures):
            result, draft, files = future.result()
            written.extend(files)
            key = (result["kind"], result["force"], result["month"], draft.sha256)
            if key in known or key in seen:
                result["status"] = "unchanged"
            else:
                seen.add(key)
                drafts.append(draft)
            results.append(result)
            rows_done += result["rows_read"]
            report(i + 1, len(sources), f"{Path(result['path'].split('!')[-1]).name} ({rows_done:,} rows)")
        if drafts:
            _commit(lake, drafts)
    except BaseException:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=True)
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                written.extend(future.result()[2])
        _remove_unlisted(lake, written)
        raise
    pool.shutdown(wait=True)
    current = {(p.kind, p.force, p.month): p.pub_id for kind in ("street", "outcomes", "stop_and_search") for p in lake.current(kind)}
    for r in results:
        r["current"] = current.get((r["kind"], r["force"], r["month"])) == r["publication"]
    return results


def _prepare(lake: Lake, source, geo) -> tuple[dict, Publication, list[Path]]:
    """Parse one file, add geography, write its Parquet files (not yet in the manifest)."""
    from clearhold.sources.police_uk_files import parse

    parsed = parse(source)
    if parsed.rows_read > _MAX_LINE:
        raise SourceError(f"{source.label}: {parsed.rows_read} rows; at most {_MAX_LINE} rows per file are supported")
    pub_id = parsed.sha256[:16]
    result = {
        "path": source.label, "kind": parsed.kind, "force": parsed.force, "month": parsed.month,
        "publication": pub_id, "status": "stored", "current": False, "rows_read": parsed.rows_read,
        "rows_stored": parsed.table.num_rows, "rows_quarantined": parsed.quarantine.num_rows, "reasons": parsed.reasons,
    }
    path = lake.partition_dir(parsed.kind, parsed.force, parsed.month) / f"{pub_id}.parquet"
    qfile = lake.partition_dir(parsed.kind, parsed.force, parsed.month, quarantine=True) / f"{pub_id}.parquet"
    files: list[Path] = []
    if not path.exists():
        atomic_write_parquet(_with_geography(parsed, geo), path)
        files.append(path)
    if parsed.quarantine.num_rows and not qfile.exists():
        atomic_write_parquet(_quarantine_table(parsed), qfile)
        files.append(qfile)
    draft = Publication(
        pub_id=pub_id, sha256=parsed.sha256, kind=parsed.kind, force=parsed.force, month=parsed.month,
        source=source.label, published_at=source.published_at, ingested_at="", seq=0,
        rows_read=parsed.rows_read, rows_stored=parsed.table.num_rows, rows_quarantined=parsed.quarantine.num_rows,
        reasons=parsed.reasons, path=str(path.relative_to(lake.root)),
        quarantine_path=str(qfile.relative_to(lake.root)) if parsed.quarantine.num_rows else "",
    )
    return result, draft, files


def _remove_unlisted(lake: Lake, files: list[Path]) -> None:
    listed = {p.path for p in lake.publications()} | {p.quarantine_path for p in lake.publications()}
    for f in set(files):
        if str(f.relative_to(lake.root)) not in listed:
            f.unlink(missing_ok=True)
            for parent in f.parents:  # drop partition folders left empty
                if parent == lake.root:
                    break
                try:
                    parent.rmdir()
                except OSError:
                    break


def _commit(lake: Lake, drafts: list[Publication]) -> None:
    from dataclasses import replace

    now = datetime.now(UTC).isoformat(timespec="seconds")
    with lake.locked():
        pubs = lake.publications()
        have = {(p.kind, p.force, p.month, p.sha256) for p in pubs}
        seq = max((p.seq for p in pubs), default=0)
        for draft in drafts:
            if (draft.kind, draft.force, draft.month, draft.sha256) in have:
                continue  # another process stored the same bytes meanwhile
            seq += 1
            pubs.append(replace(draft, ingested_at=now, seq=seq))
        lake.write_manifest(pubs)


def _quarantine_table(parsed):
    import pyarrow as pa

    q = parsed.quarantine
    return q.add_column(0, "publication", pa.array([parsed.sha256[:16]] * q.num_rows, pa.string()))


def _with_geography(parsed, geo):
    """Stored columns: row_id, publication, force, the published fields (snake_case), line,
    lon, lat, x_m, y_m, lsoa21, lsoa21_method, lsoa21_located, ward/lad/csp/pfa codes and names."""
    import pyarrow as pa

    from clearhold.geo.assign import assign_lsoa21, locate
    from clearhold.geo.bng import to_bng

    t = parsed.table
    n = t.num_rows
    lon = t["lon"].to_numpy()
    lat = t["lat"].to_numpy()
    x, y = to_bng(lon, lat)
    located = locate(geo, x, y)
    published = t["lsoa_code"].to_numpy(zero_copy_only=False) if "lsoa_code" in t.column_names else np.full(n, None, dtype=object)
    lsoa21, method = assign_lsoa21(geo, published, x, y, located)
    attrs = geo.attributes_of(lsoa21)
    base = int(parsed.sha256[:10], 16) << 22
    row_id = base + t["line"].to_numpy().astype(np.int64)
    drop = [c for c in ("longitude", "latitude") if c in t.column_names]
    t = t.drop_columns(drop)
    t = t.add_column(0, "force", pa.array([parsed.force] * n, pa.string()))
    t = t.add_column(0, "publication", pa.array([parsed.sha256[:16]] * n, pa.string()))
    t = t.add_column(0, "row_id", pa.array(row_id, pa.int64()))
    cols = {
        "x_m": pa.array(x, pa.float64()), "y_m": pa.array(y, pa.float64()),
        "lsoa21": pa.array(lsoa21, pa.string()), "lsoa21_method": pa.array(method, pa.string()),
        "lsoa21_located": pa.array(located, pa.string()),
    }
    for col in ("ward_code", "ward_name", "lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name"):
        cols[col] = pa.array(attrs[col], pa.string(), from_pandas=True)  # missing (NaN) -> null
    for name, arr in cols.items():
        t = t.append_column(name, arr)
    return t


# ---------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------
def resolve_area(spec, *, store=None, session=None, buffer_m: float | None = None) -> ResolvedArea:
    """An area for analysis from a string (``lsoa:..``, ``ward:..``, ``lad:..``, ``csp:..``,
    ``force:..``, a GeoJSON path, a records-DB slug with ``session``), a records-DB Area or a
    ResolvedArea; see ``clearhold.geo.areas``."""
    from clearhold.geo.areas import resolve

    return resolve(spec, lake=lake_for(store), session=session, buffer_m=buffer_m)


_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check_month(value, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _MONTH_RE.match(value):
        raise InvalidInput(f"{name} was {value!r}; it must be a month written YYYY-MM")
    return value


def month_range(start_month: str, end_month: str) -> list[str]:
    """Every month from start to end inclusive, as YYYY-MM strings."""
    _check_month(start_month, "start_month")
    _check_month(end_month, "end_month")
    if end_month < start_month:
        raise InvalidInput(f"end_month {end_month} is before start_month {start_month}")
    return [str(p) for p in pd.period_range(start_month, end_month, freq="M")]


def _check_types(crime_types) -> list[str] | None:
    from clearhold.sources.police_uk_files import CRIME_TYPES

    if crime_types is None:
        return None
    if isinstance(crime_types, str):
        crime_types = [crime_types]
    crime_types = list(crime_types)
    unknown = [t for t in crime_types if t not in CRIME_TYPES]
    if unknown:
        raise InvalidInput(f"crime_types {unknown} are not data.police.uk crime types; allowed: {', '.join(CRIME_TYPES)}")
    return crime_types


def _area_of(area, lake: Lake) -> ResolvedArea | None:
    if area is None or isinstance(area, ResolvedArea):
        return area
    from clearhold.geo.areas import resolve

    return resolve(area, lake=lake)


def _read_rows(lake: Lake, *, start_month, end_month, crime_types, areas: list[ResolvedArea], columns: list[str]) -> pd.DataFrame:
    """Current street rows filtered by month, type and (loosely) by the areas' extents."""
    import duckdb

    files = []
    for pub in lake.current("street"):
        if start_month and pub.month < start_month:
            continue
        if end_month and pub.month > end_month:
            continue
        files.append(str(lake.root / pub.path))
    if not files:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("x_m", "y_m", "lon", "lat") else "object") for c in columns})
    where = []
    params: list = []
    if start_month:
        where.append("month >= ?")
        params.append(start_month)
    if end_month:
        where.append("month <= ?")
        params.append(end_month)
    if crime_types is not None:
        where.append("crime_type IN (SELECT unnest(?))")
        params.append(list(crime_types))
    if areas:
        clauses = []
        lsoas: set[str] = set()
        for a in areas:
            if a.select_by == "geometry":
                minx, miny, maxx, maxy = a.geometry.bounds
                clauses.append(f"(x_m BETWEEN {minx!r} AND {maxx!r} AND y_m BETWEEN {miny!r} AND {maxy!r})")
            else:
                lsoas.update(a.lsoa21)
        if lsoas:
            clauses.append("lsoa21 IN (SELECT unnest(?))")
            params.append(sorted(lsoas))
        where.append("(" + " OR ".join(clauses) + ")")
    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    sql = f"SELECT {', '.join(columns)} FROM read_parquet([{listing}], hive_partitioning=false)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    con = duckdb.connect()
    try:
        return con.execute(sql, params).fetchdf()
    finally:
        con.close()


def _in_area(frame: pd.DataFrame, area: ResolvedArea) -> np.ndarray:
    if area.select_by == "geometry":
        import shapely

        x = frame["x_m"].to_numpy(dtype="float64")
        y = frame["y_m"].to_numpy(dtype="float64")
        ok = np.isfinite(x) & np.isfinite(y)
        out = np.zeros(len(frame), dtype=bool)
        if ok.any():
            shapely.prepare(area.geometry)
            out[ok] = shapely.intersects_xy(area.geometry, x[ok], y[ok])
        return out
    return frame["lsoa21"].isin(area.lsoa21).to_numpy()


def _counts(lake: Lake, area: ResolvedArea, *, start_month, end_month, crime_types) -> pd.DataFrame:
    """Crimes per (month, crime_type) in one area: ``month, crime_type, count``.

    LSOA-defined areas are aggregated inside DuckDB; polygon areas fetch the points in the
    polygon's bounding box and test them with shapely."""
    if area.select_by == "lsoa":
        import duckdb

        files = [str(lake.root / p.path) for p in lake.current("street")
                 if (not start_month or p.month >= start_month) and (not end_month or p.month <= end_month)]
        if not files or not area.lsoa21:
            return pd.DataFrame({"month": pd.Series(dtype=object), "crime_type": pd.Series(dtype=object),
                                 "count": pd.Series(dtype="int64")})
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        sql = (f"SELECT month, crime_type, count(*) AS count FROM read_parquet([{listing}], hive_partitioning=false) "
               "WHERE month BETWEEN ? AND ? AND lsoa21 IN (SELECT unnest(?))")
        params: list = [start_month or "0000-00", end_month or "9999-99", list(area.lsoa21)]
        if crime_types is not None:
            sql += " AND crime_type IN (SELECT unnest(?))"
            params.append(list(crime_types))
        con = duckdb.connect()
        try:
            return con.execute(sql + " GROUP BY ALL", params).fetchdf()
        finally:
            con.close()
    frame = _read_rows(lake, start_month=start_month, end_month=end_month, crime_types=crime_types, areas=[area],
                       columns=["month", "crime_type", "x_m", "y_m", "lsoa21"])
    frame = frame[_in_area(frame, area)]
    return frame.groupby(["month", "crime_type"]).size().rename("count").reset_index()


def load_points(*, store=None, area=None, start_month: str | None = None, end_month: str | None = None,
                crime_types=None, weights="count") -> pd.DataFrame:
    """Street crimes with a location, one row per crime, for mapping and hotspot analysis.

    Parameters
    ----------
    store : path, Lake or None
        The analytical store (None: the configured one).
    area : ResolvedArea, area spec string, records-DB Area, or None
        Keep only crimes in the area (see ``clearhold.geo.areas`` for how membership is
        decided); None keeps every stored crime.
    start_month, end_month : str, optional
        Inclusive bounds, ``YYYY-MM``.
    crime_types : list of str, optional
        Keep only these data.police.uk crime types (default: all 14).
    weights : str, path or HarmSet
        Harm set for the ``harm`` column (default ``count``: 1 per crime).

    Returns
    -------
    pandas.DataFrame
        ``row_id`` (int64, stable per stored row), ``month`` (str YYYY-MM), ``crime_type``,
        ``x_m``, ``y_m`` (BNG metres), ``lon``, ``lat`` (WGS84), ``lsoa21`` (may be None),
        ``harm`` (float). Only rows with coordinates; sorted by month, row_id.
    """
    from clearhold.analytics.harm import harm_weights
    from clearhold.crime.harm import load as load_harm

    lake = lake_for(store)
    start_month = _check_month(start_month, "start_month")
    end_month = _check_month(end_month, "end_month")
    if start_month and end_month and end_month < start_month:
        raise InvalidInput(f"end_month {end_month} is before start_month {start_month}")
    types = _check_types(crime_types)
    harm_set = load_harm(weights)
    resolved = _area_of(area, lake)
    frame = _read_rows(lake, start_month=start_month, end_month=end_month, crime_types=types,
                       areas=[resolved] if resolved else [], columns=POINT_COLUMNS[:-1])
    frame = frame[frame["x_m"].notna()]
    if resolved is not None:
        frame = frame[_in_area(frame, resolved)]
    frame = frame.sort_values(["month", "row_id"], kind="stable").reset_index(drop=True)
    frame["harm"] = harm_weights(frame["crime_type"], harm_set.weights) if len(frame) else pd.Series(dtype="float64")
    frame["row_id"] = frame["row_id"].astype("int64")
    for col in ("x_m", "y_m", "lon", "lat", "harm"):
        frame[col] = frame[col].astype("float64")
    return frame[POINT_COLUMNS]


def monthly_counts(*, store=None, areas: Mapping[str, object], start_month: str, end_month: str,
                   crime_types=None, weights="count") -> pd.DataFrame:
    """Crime count and harm per area and month, every area x month present (zeros included).

    ``areas`` maps the label to use in the ``area`` column to an area (ResolvedArea or spec).
    Returns columns ``area, month, count (int64), harm (float64)``, sorted by area order
    given, then month.
    """
    from clearhold.analytics.harm import harm_weights
    from clearhold.crime.harm import load as load_harm

    lake = lake_for(store)
    months = month_range(start_month, end_month)
    if not isinstance(areas, Mapping) or not areas:
        raise InvalidInput("areas must be a non-empty mapping of label -> area")
    types = _check_types(crime_types)
    harm_set = load_harm(weights)
    resolved = {label: _area_of(a, lake) for label, a in areas.items()}
    weights_map = harm_set.weights
    parts = []
    for label, area in resolved.items():
        c = _counts(lake, area, start_month=start_month, end_month=end_month, crime_types=types)
        c = c.assign(harm=c["count"].to_numpy(dtype="float64") * harm_weights(c["crime_type"], weights_map) if len(c) else 0.0)
        g = c.groupby("month").agg(count=("count", "sum"), harm=("harm", "sum")).reindex(months, fill_value=0)
        parts.append(pd.DataFrame({"area": label, "month": months, "count": g["count"].to_numpy(dtype="int64"),
                                   "harm": g["harm"].to_numpy(dtype="float64")}))
    return pd.concat(parts, ignore_index=True)


def summary(*, store=None, area, start_month: str, end_month: str, crime_types=None, weights="count",
            area_label: str | None = None) -> pd.DataFrame:
    """Count, harm and rate per 1,000 Census 2021 residents by month and crime type.

    Every month x crime type (the requested types, or all 14) is present, zeros included.
    ``rate_per_1000`` is count / residents * 1000 (None when the area's residents are unknown).
    """
    from clearhold.analytics.harm import harm_weights
    from clearhold.crime.harm import load as load_harm
    from clearhold.sources.police_uk_files import CRIME_TYPES

    lake = lake_for(store)
    months = month_range(start_month, end_month)
    types = _check_types(crime_types)
    harm_set = load_harm(weights)
    resolved = _area_of(area, lake)
    if resolved is None:
        raise InvalidInput("area is required")
    c = _counts(lake, resolved, start_month=start_month, end_month=end_month, crime_types=types)
    g = c.set_index(["month", "crime_type"])[["count"]]
    index = pd.MultiIndex.from_product([months, types or list(CRIME_TYPES)], names=["month", "crime_type"])
    g = g.reindex(index, fill_value=0).reset_index()
    counts = g["count"].to_numpy(dtype="int64")
    out = pd.DataFrame({
        "month": g["month"].astype(object), "area": area_label or resolved.name, "crime_type": g["crime_type"].astype(object),
        "count": counts, "harm": counts * harm_weights(g["crime_type"], harm_set.weights),
    })
    if resolved.residents:
        out["rate_per_1000"] = (out["count"] / resolved.residents * 1000.0).round(6)
    else:
        out["rate_per_1000"] = None
    return out
