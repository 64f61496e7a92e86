"""Benchmark: `crime ingest` of the 15 real files and of a generated national month, side by
side with DuckDB's own read_csv of the same files (the floor). Last line: JSON of all figures.

    .venv/bin/python benchmarks/crime_ingest.py [--rows 550000] [--repeat 3]
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
from _crime_setup import fresh_store, geo_store, national_month, real_files  # noqa: E402


CPU: list[float] = []


def duckdb_floor(files: list[Path]) -> float:
    import duckdb

    con = duckdb.connect()
    listing = ", ".join(f"'{f}'" for f in files)
    start = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv([{listing}], header=true, all_varchar=true, union_by_name=true)")
    elapsed = time.perf_counter() - start
    n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    con.close()
    assert n > 0
    return elapsed


def ingest_once(geo: Path, work: Path, files: list[Path]) -> tuple[float, int]:
    from clearhold.crime import service

    store = fresh_store(geo, work / "store")
    start = time.perf_counter()
    cpu = time.process_time()
    results = service.ingest(store=store, paths=files)
    elapsed = time.perf_counter() - start
    CPU.append(time.process_time() - cpu)
    rows = sum(r["rows_read"] for r in results)
    assert rows == sum(r["rows_stored"] + r["rows_quarantined"] for r in results)
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=550_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "clearhold-bench-crime")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    geo = geo_store(work / "geo")
    setup_geo = time.perf_counter() - t0

    from clearhold.geo.store import geography
    from clearhold.storage.lake import Lake

    t0 = time.perf_counter()
    geography(Lake(geo))  # built once per process, cached afterwards
    geography_build = time.perf_counter() - t0

    real = real_files()
    t0 = time.perf_counter()
    national = national_month(work / "national", rows=args.rows)
    generate = time.perf_counter() - t0

    figures: dict[str, float | int] = {"setup_geo_store_s": round(setup_geo, 3), "geography_build_s": round(geography_build, 3),
                                       "generate_national_s": round(generate, 3)}
    for label, files in (("real15", real), ("national", national)):
        CPU.clear()
        runs = [ingest_once(geo, work, files) for _ in range(args.repeat)]
        cpu_s = statistics.median(CPU)
        floors = [duckdb_floor(files) for _ in range(args.repeat)]
        ingest_s = statistics.median(r[0] for r in runs)
        floor_s = statistics.median(floors)
        rows = runs[0][1]
        figures.update({
            f"{label}_files": len(files), f"{label}_rows": rows, f"{label}_ingest_s": round(ingest_s, 3),
            f"{label}_duckdb_read_csv_s": round(floor_s, 3), f"{label}_ratio_to_duckdb": round(ingest_s / floor_s, 2),
            f"{label}_rows_per_s": int(rows / ingest_s), f"{label}_ingest_cpu_s": round(cpu_s, 3),
        })
        print(f"{label:9s} {len(files):3d} files {rows:>8,} rows | clearhold ingest {ingest_s:6.2f} s "
              f"| DuckDB read_csv {floor_s:6.2f} s | ratio {ingest_s / floor_s:5.1f}x | ingest CPU {cpu_s:6.2f} s")
    # the whole command in a fresh process: imports, geography index, ingest, output
    import subprocess

    cli = Path(sys.executable).with_name("clearhold")
    store = fresh_store(geo, work / "store-cli")
    t0 = time.perf_counter()
    subprocess.run([str(cli), "crime", "ingest", str(real[0].parent), "--store", str(store), "--json"],
                   check=True, capture_output=True)
    figures["real15_cli_fresh_process_s"] = round(time.perf_counter() - t0, 3)
    print(f"geography build (once per process, not in the figures above): {geography_build:.2f} s")
    print(f"`clearhold crime ingest` of the 15 files in a fresh process (all included): {figures['real15_cli_fresh_process_s']:.2f} s")
    figures["load_average_1min"] = round(__import__("os").getloadavg()[0], 2)
    print(f"machine load average (1 min) at the end: {figures['load_average_1min']} on {__import__('os').cpu_count()} CPUs")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
