"""Load on the web application: 50 concurrent users on the dashboard and the results review.

A real ``clearhold serve`` (uvicorn, one process) on loopback over the demo database; an
asyncio load generator (httpx) keeps N users busy, each sending its next request as soon as
the last one answered, for a fixed time per page. Prints p50/p95/p99 and throughput per page
side by side with the baseline measured in the same run: ``GET /health`` under the same load
(the floor of the stack: uvicorn + FastAPI + one database query).

    .venv/bin/python benchmarks/web_load.py [--users 50] [--seconds 10] [--database URL]

Without --database it builds the demo into a temporary SQLite file first (about two minutes).
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "benchmark-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clearhold(*args: str, stdin: str | None = None, env=None) -> str:
    exe = Path(sys.executable).with_name("clearhold")
    done = subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, env=env, check=True)
    return done.stdout


def prepare(database: str | None, workdir: Path) -> str:
    if database is None:
        database = f"sqlite:///{workdir / 'demo.db'}"
        print(f"building the demo into {database} ...", file=sys.stderr)
        clearhold("demo", "--database", database, env={**os.environ, "CLEARHOLD_HOME": str(workdir)})
    name = f"bench{os.getpid()}"
    clearhold("users", "add", name, "--role", "analyst", "--database", database, stdin=PASSWORD + "\n")
    token = json.loads(clearhold("users", "token", name, "--label", "benchmark", "--days", "1", "--database",
                                 database, "--json"))["token"]
    return database, token


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def load(url: str, token: str, path: str, users: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    first_error: dict[str, str] = {}
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                                 limits=limits) as client:
        await client.get(path)  # warm (builds the review cache once)

        async def user() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                except httpx.TransportError as exc:
                    errors += 1
                    first_error.setdefault("error", f"{type(exc).__name__}: {exc}")
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1
                    first_error.setdefault("error", f"HTTP {r.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        elapsed = time.perf_counter() - started
    return {"path": path, "requests": len(latencies), "errors": errors, "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1), **({"first_error": first_error["error"]} if first_error else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", default=None, help="a database with the demo already built")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database, token = prepare(args.database, workdir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        exe = Path(sys.executable).with_name("clearhold")
        log = (workdir / "serve.log").open("w")
        server = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database,
                                   "--workers", str(args.workers)],
                                  stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "CLEARHOLD_HOME": str(workdir)})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url + "/health", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start: " + (workdir / "serve.log").read_text()) from None
                    time.sleep(0.3)
            ops = [o["slug"] for o in httpx.get(url + "/api/v1/operations", headers={"Authorization": f"Bearer {token}"}).json()]
            slug = "op-revive-2023" if "op-revive-2023" in ops else ops[0]
            pages = {
                "baseline_health": "/health",
                "dashboard": "/",
                "operation_compstat": f"/operations/{slug}",
                "review_json": f"/api/v1/operations/{slug}/review",
                "review_page": f"/operations/{slug}/review",
            }
            results = {}
            for name, path in pages.items():
                single = asyncio.run(load(url, token, path, 1, min(3.0, args.seconds)))
                results[name] = asyncio.run(load(url, token, path, args.users, args.seconds))
                results[name]["single_p50_ms"] = single["p50_ms"]
                with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
                    results[name]["kbytes"] = round(len(c.get(path).content) / 1024, 1)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            log.close()
    load_avg = os.getloadavg()[0]
    print(f"{args.users} concurrent users, {args.seconds:.0f} s per page, operation {slug}, "
          f"{args.workers} uvicorn worker(s), {os.cpu_count()} CPUs, load average {load_avg:.1f} at the end")
    print(f"{'page':<20} {'KiB':>7} {'1 user p50':>10} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:<20} {r['kbytes']:>7} {r['single_p50_ms']:>10} {r['requests']:>9} {r['rps']:>7} {r['p50_ms']:>8} "
              f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7}")
    figures = {"users": args.users, "seconds_per_page": args.seconds, "operation": slug, "workers": args.workers,
               "cpus": os.cpu_count(), "load_average_1min": round(load_avg, 2),
               **{f"{name}_{k}": v for name, r in results.items() for k, v in r.items() if k not in ("path", "first_error")}}
    for name, r in results.items():
        if "first_error" in r:
            print(f"{name}: first error: {r['first_error']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
