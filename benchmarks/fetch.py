"""Benchmark of ``clearhold crime fetch`` against the local fake data.police.uk (loopback).

Figures, each beside its baseline measured or computed in the same run:

1. API path, 28 months x (street, stop-and-search), data.police.uk's own limits (15/s,
   bursts of 30), instant answers: wall time against the floor the token bucket allows
   for that many requests ((n - 30) / 15 s).
2. The same with every answer taking ``SLOW_S`` seconds (the real API can be slow):
   1 worker against 4 workers.
3. Archive path, the 4 real 2024 Northamptonshire street files inside a zip that also
   holds other members: bytes fetched by range requests against the zip's size (what a
   whole download would cost).

Run: .venv/bin/python benchmarks/fetch.py    (needs ../shared/data; about a minute)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sources.fake_police_uk import FakePoliceUk  # noqa: E402

from clearhold.sources.police_uk_api import PoliceUkClient  # noqa: E402
from clearhold.sources.police_uk_fetch import fetch_force  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "data" / "police-uk" / "api"
STREET = ROOT.parent / "shared" / "data" / "police-uk" / "northamptonshire"
SLOW_S = 0.25


def months(first_year: int, first_month: int, n: int) -> tuple[str, ...]:
    start = first_year * 12 + first_month - 1
    return tuple(f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, start + n))


def run_api(delay_s: float, workers: int) -> dict:
    fake = FakePoliceUk(SAMPLES, months=months(2022, 1, 28), crimes_per_month=400, delay_s=delay_s)
    fake.start()
    try:
        with (
            tempfile.TemporaryDirectory() as cache,
            PoliceUkClient(fake.base_url, seed=1) as client,
        ):
            t0 = time.perf_counter()
            report = fetch_force(
                "northamptonshire",
                "2022-01",
                "2024-04",
                cache_dir=cache,
                client=client,
                source="api",
                workers=workers,
            )
            seconds = time.perf_counter() - t0
    finally:
        fake.stop()
    return {
        "seconds": round(seconds, 2),
        "requests": report.requests,
        "units": len(report.units),
        "rows": sum(u.rows for u in report.units),
    }


def run_archive() -> dict:
    files = {
        m: (STREET / f"{m}-northamptonshire-street.csv").read_bytes() for m in months(2024, 1, 4)
    }
    members = {f"{m}/{m}-northamptonshire-street.csv": data for m, data in files.items()}
    for m, data in files.items():  # other forces' files make the zip realistic in shape
        for other in ("bedfordshire", "cambridgeshire", "leicestershire", "lincolnshire"):
            members[f"{m}/{m}-{other}-street.csv"] = data.replace(
                b"Northamptonshire", other.title().encode()
            )
    fake = FakePoliceUk(SAMPLES, months=months(2024, 1, 4), archive={"2024-04": members})
    fake.start()
    try:
        zip_bytes = len(fake._zips["2024-04"])
        sent = []
        with (
            tempfile.TemporaryDirectory() as cache,
            PoliceUkClient(fake.base_url, seed=1) as client,
        ):
            client._http.event_hooks["response"].append(
                lambda r: sent.append(
                    int(r.headers.get("content-length", 0))
                    if r.request.method == "GET" and "/data/archive/" in str(r.url)
                    else 0
                )
            )
            t0 = time.perf_counter()
            report = fetch_force(
                "northamptonshire",
                "2024-01",
                "2024-04",
                cache_dir=cache,
                client=client,
                kinds=("street",),
            )
            seconds = time.perf_counter() - t0
    finally:
        fake.stop()
    assert all(u.source == "archive 2024-04.zip" for u in report.units)
    return {
        "seconds": round(seconds, 2),
        "requests": report.requests,
        "bytes_by_range": sum(sent),
        "zip_bytes": zip_bytes,
        "rows": sum(u.rows for u in report.units),
    }


def main() -> None:
    fast = run_api(0.0, 4)
    floor_s = max(0, fast["requests"] - 30) / 15
    print(
        f"API, 28 months x 2 kinds, 15/s bursts of 30: {fast['requests']} requests in {fast['seconds']} s; "
        f"baseline (token-bucket floor): {floor_s:.2f} s"
    )
    slow1 = run_api(SLOW_S, 1)
    slow4 = run_api(SLOW_S, 4)
    print(
        f"API, answers taking {SLOW_S} s: 1 worker {slow1['seconds']} s; 4 workers {slow4['seconds']} s "
        f"(speed-up {slow1['seconds'] / slow4['seconds']:.1f}x)"
    )
    archive = run_archive()
    print(
        f"archive, 4 months by HTTP ranges: {archive['requests']} requests, {archive['bytes_by_range']:,} bytes in "
        f"{archive['seconds']} s; baseline (whole zip): {archive['zip_bytes']:,} bytes"
    )
    print(
        json.dumps(
            {
                "api_requests": fast["requests"],
                "api_seconds": fast["seconds"],
                "api_bucket_floor_seconds": round(floor_s, 2),
                "api_rows": fast["rows"],
                "slow_answer_s": SLOW_S,
                "slow_1_worker_seconds": slow1["seconds"],
                "slow_4_workers_seconds": slow4["seconds"],
                "archive_requests": archive["requests"],
                "archive_bytes_by_range": archive["bytes_by_range"],
                "archive_zip_bytes": archive["zip_bytes"],
                "archive_seconds": archive["seconds"],
                "archive_rows": archive["rows"],
            }
        )
    )


if __name__ == "__main__":
    main()
