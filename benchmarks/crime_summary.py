"""Benchmark: `crime summary` for one force over 24 months, side by side with the same
aggregation written directly in DuckDB SQL over the same Parquet files (the baseline).
Last line: JSON of all figures.

    .venv/bin/python benchmarks/crime_summary.py [--repeat 20]

The 24 months are the real Northamptonshire files (2022-01..2022-11, 2024-01..04) written
out again under the months 2022-01..2023-12 (the real rows, relabelled), ingested once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _crime_setup import fresh_store, geo_store, real_files  # noqa: E402


def build(work: Path) -> Path:
    from clearhold.crime import service

    store = work / "store24"
    if (store / "manifest.json").exists():
        return store
    fresh_store(geo_store(work / "geo"), store)
    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
    real = real_files()
    src = work / "months24"
    src.mkdir(parents=True, exist_ok=True)
    for i, month in enumerate(months):
        original = real[i % len(real)]
        text = original.read_text(encoding="utf-8").replace(f",{original.name[:7]},", f",{month},")
        (src / f"{month}-northamptonshire-street.csv").write_text(text, encoding="utf-8", newline="")
    service.ingest(store=store, paths=[src])
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "clearhold-bench-crime")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = build(args.work)

    import duckdb

    from clearhold.crime import service
    from clearhold.storage.lake import Lake

    t0 = time.perf_counter()
    first = service.summary(store=store, area="force:Northamptonshire", start_month="2022-01", end_month="2023-12")
    cold = time.perf_counter() - t0
    area = service.resolve_area("force:Northamptonshire", store=store)

    def timed(fn) -> float:
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs)

    with_resolve = timed(lambda: service.summary(store=store, area="force:Northamptonshire", start_month="2022-01", end_month="2023-12"))
    resolved = timed(lambda: service.summary(store=store, area=area, start_month="2022-01", end_month="2023-12"))

    files = Lake(store).current_files("street")
    listing = ", ".join(f"'{f}'" for f in files)
    codes = list(area.lsoa21)

    def sql() -> None:
        con = duckdb.connect()
        con.execute(
            f"SELECT month, crime_type, count(*) AS n FROM read_parquet([{listing}], hive_partitioning=false) "
            "WHERE month BETWEEN '2022-01' AND '2023-12' AND lsoa21 IN (SELECT unnest(?)) GROUP BY ALL", [codes]
        ).fetchall()
        con.close()

    baseline = timed(sql)
    rows = int(first["count"].sum())
    print(f"summary force:Northamptonshire 24 months ({rows:,} crimes, {len(first)} output rows)")
    print(f"  first call in process (area resolution, geography build): {cold * 1000:8.1f} ms")
    print(f"  clearhold summary, area by name (median of {args.repeat}):       {with_resolve * 1000:8.1f} ms")
    print(f"  clearhold summary, area resolved once (median):     {resolved * 1000:8.1f} ms")
    print(f"  baseline: DuckDB SQL GROUP BY over same Parquet:    {baseline * 1000:8.1f} ms")
    print(json.dumps({
        "summary_rows": rows, "summary_cold_ms": round(cold * 1000, 1), "summary_by_name_ms": round(with_resolve * 1000, 1),
        "summary_resolved_ms": round(resolved * 1000, 1), "duckdb_sql_ms": round(baseline * 1000, 1),
        "ratio_to_duckdb": round(resolved / baseline, 2),
    }))


if __name__ == "__main__":
    main()
