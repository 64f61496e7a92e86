"""Load on the web application: 50 concurrent users on the dashboard and the results review.

A real ``clearhold serve`` (uvicorn) on loopback over the demo database; a load generator
keeps N users busy, each on its own keep-alive connection, sending its next request as soon
as the last one answered (closed loop), for a fixed time per page. Prints p50/p95/p99 and
throughput per page side by side with the baseline measured in the same run: ``GET /health``
under the same load (the floor of the stack: uvicorn + FastAPI + one database query).

    .venv/bin/python benchmarks/web_load.py [--users 50] [--seconds 10] [--database URL]
                                            [--workers 1] [--generator python|wrk] [--write-every S]

The generator shares the machine's cores with the server, so its own cost is measured and
printed (``gen CPU``: CPU seconds per wall second, 100 = one core), as is the server's
(``srv CPU``, every worker process, and CPU milliseconds per request) and that of every other
process on the machine (``other CPU``: another job running at the same time skews the run).
``cold ms`` is the first request of a page: it builds what the caches then serve (a new
record, correction or deletion makes the next request of each worker cold again; with
``--write-every S`` a writer records or deletes an arrest every S seconds under load, on a
copy of the database, so the figures include those rebuilds).

- ``python`` (default, always available): a lean asyncio client written here, raw HTTP/1.1
  over asyncio protocols (no HTTP library, no coroutine per request); it sends the headers
  a browser sends (``Accept-Encoding: gzip, deflate``) and counts the body bytes it reads.
- ``wrk``: the C load generator (Debian package ``wrk``), one thread, same connections and
  headers, percentiles from its latency histogram; a cross-check on the Python figures.

Without --database it builds the demo into a temporary SQLite file first (about two minutes).
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PASSWORD = "benchmark-password-1"
ACCEPT_ENCODING = "gzip, deflate"  # what httpx (the earlier generator) and browsers send


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clearhold(*args: str, stdin: str | None = None, env=None) -> str:
    exe = Path(sys.executable).with_name("clearhold")
    done = subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, env=env, check=True)
    return done.stdout


def prepare(database: str | None, workdir: Path, *, writes: bool) -> tuple[str, str]:
    if database is None:
        database = f"sqlite:///{workdir / 'demo.db'}"
        print(f"building the demo into {database} ...", file=sys.stderr)
        clearhold("demo", "--database", database, env={**os.environ, "CLEARHOLD_HOME": str(workdir)})
    elif writes:  # the writer adds and deletes records: on a copy, never on the caller's database
        if not database.startswith("sqlite:///"):
            raise SystemExit("--write-every needs a SQLite --database (it works on a copy)")
        source = Path(database.removeprefix("sqlite:///"))
        copy = workdir / "demo.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        database = f"sqlite:///{copy}"
    name = f"bench{os.getpid()}"
    # a supervisor may also delete what the writer recorded; pages cost the same as an analyst's
    role = "supervisor" if writes else "analyst"
    clearhold("users", "add", name, "--role", role, "--database", database, stdin=PASSWORD + "\n")
    token = json.loads(clearhold("users", "token", name, "--label", "benchmark", "--days", "1", "--database",
                                 database, "--json"))["token"]
    return database, token


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- CPU accounting --------------------------------------------------------------------------

def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            total = 0.0
            for p in [root, *root.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            return total
        except psutil.NoSuchProcess:
            return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        p = pids.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                pids.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _machine_busy_s() -> float | None:
    """CPU seconds every process on the machine has used (``/proc/stat``), None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used over one run by the server (every worker), by the generator, and by
    every other process on the machine (a busy neighbour makes the figures worse)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def __enter__(self):
        self.wall0 = time.perf_counter()
        self.machine0 = _machine_busy_s()
        self.server0 = _proc_cpu_s(self.server_pid)
        self.self0 = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children0 = children.ru_utime + children.ru_stime
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.server = _proc_cpu_s(self.server_pid) - self.server0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        # the generator: this process (python) plus any child reaped meanwhile (wrk)
        self.generator = time.process_time() - self.self0 + children.ru_utime + children.ru_stime - self.children0
        machine = _machine_busy_s()
        self.other = (None if machine is None or self.machine0 is None
                      else max(0.0, machine - self.machine0 - self.server - self.generator))


# --- the Python generator: raw HTTP/1.1 keep-alive over asyncio protocols -----------------------

class _Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.first_error: str | None = None
        self.body_bytes = 0

    def error(self, message: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = message


class _User(asyncio.Protocol):
    """One user on one connection: request, read the whole response, request again."""

    def __init__(self, request: bytes, stop_at: float, stats: _Stats, finished: asyncio.Future) -> None:
        self.request = request
        self.stop_at = stop_at
        self.stats = stats
        self.finished = finished
        self.transport = None
        self.buffer = bytearray()
        self.remaining: int | None = None  # body bytes still to come (Content-Length)
        self.chunked = False
        self.status = 0
        self.close_after = False
        self.t0 = 0.0

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        self.t0 = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.remaining is not None and not self.buffer and len(data) <= self.remaining:
            self.remaining -= len(data)  # the common case: body bytes, nothing to parse
            self.stats.body_bytes += len(data)
            if self.remaining == 0:
                self._complete()
            return
        self.buffer += data
        while self.buffer and not self.finished.done():
            if self.remaining is None and not self.chunked:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                self._headers(bytes(self.buffer[:end]))
                del self.buffer[:end + 4]
                if self.remaining == 0:
                    self._complete()
                continue
            if self.chunked:
                if not self._chunks():
                    return
                continue
            take = min(self.remaining, len(self.buffer))
            self.remaining -= take
            self.stats.body_bytes += take
            del self.buffer[:take]
            if self.remaining == 0:
                self._complete()

    def _headers(self, block: bytes) -> None:
        lines = block.split(b"\r\n")
        self.status = int(lines[0].split(b" ", 2)[1])
        self.remaining, self.chunked, self.close_after = 0, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                self.remaining = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                self.chunked, self.remaining = True, None
            elif name == b"connection" and b"close" in value.lower():
                self.close_after = True

    def _chunks(self) -> bool:
        """Consume whole chunks from the buffer; True when the response is complete."""
        while True:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return False
            size = int(bytes(self.buffer[:line_end]).split(b";")[0], 16)
            if size == 0:
                trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                if trailer_end < 0:
                    return False
                del self.buffer[:trailer_end + 4]
                self.chunked = False
                self._complete()
                return True
            if len(self.buffer) < line_end + 2 + size + 2:
                return False
            self.stats.body_bytes += size
            del self.buffer[:line_end + 2 + size + 2]

    def _complete(self) -> None:
        self.stats.latencies.append((time.perf_counter() - self.t0) * 1000)
        if self.status != 200:
            self.stats.error(f"HTTP {self.status}")
        self.remaining = None
        if time.perf_counter() >= self.stop_at:
            self.transport.close()
            self.finished.set_result(True)
        elif self.close_after:
            self.transport.close()
            self.finished.set_result(False)  # reconnect
        else:
            self._send()

    def connection_lost(self, exc) -> None:
        if not self.finished.done():
            self.stats.error(f"connection lost: {exc!r}")
            self.finished.set_result(False)


async def _python_load(host: str, port: int, request: bytes, users: int, seconds: float) -> tuple[_Stats, float]:
    loop = asyncio.get_running_loop()
    stats = _Stats()
    stop_at = time.perf_counter() + seconds

    async def user() -> None:
        while time.perf_counter() < stop_at:
            finished = loop.create_future()
            try:
                await loop.create_connection(lambda f=finished: _User(request, stop_at, stats, f), host, port)
            except OSError as exc:
                stats.error(f"connect: {exc!r}")
                await asyncio.sleep(0.05)
                continue
            if await finished:
                return

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    return stats, time.perf_counter() - started


def python_load(url: str, token: str, path: str, users: int, seconds: float) -> dict:
    host, port = url.removeprefix("http://").split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
               f"Accept-Encoding: {ACCEPT_ENCODING}\r\nUser-Agent: clearhold-web-load\r\n\r\n").encode()
    stats, elapsed = asyncio.run(_python_load(host, int(port), request, users, seconds))
    lat = stats.latencies or [float("nan")]
    return {"path": path, "requests": len(stats.latencies), "errors": stats.errors,
            "rps": round(len(stats.latencies) / elapsed, 1), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(percentile(lat, 95), 1), "p99_ms": round(percentile(lat, 99), 1),
            "wire_kbytes": round(stats.body_bytes / max(1, len(stats.latencies)) / 1024, 1),
            **({"first_error": stats.first_error} if stats.first_error else {})}


# --- wrk ---------------------------------------------------------------------------------------

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, '
    .. '"status_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_load(url: str, token: str, path: str, users: int, seconds: float, workdir: Path) -> dict:
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    done = subprocess.run(
        ["wrk", "-t1", f"-c{users}", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(script),
         "-H", f"Authorization: Bearer {token}", "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url + path],
        capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    r = json.loads(line.removeprefix("WRKJSON "))
    errors = r["errors"] + r["status_errors"]
    return {"path": path, "requests": r["requests"], "errors": errors,
            "rps": round(r["requests"] / (r["duration_us"] / 1e6), 1), "p50_ms": round(r["p50_us"] / 1000, 1),
            "p95_ms": round(r["p95_us"] / 1000, 1), "p99_ms": round(r["p99_us"] / 1000, 1),
            # wrk counts header bytes too
            "wire_kbytes": round(r["bytes"] / max(1, r["requests"]) / 1024, 1),
            **({"first_error": f"{r['status_errors']} non-2xx/3xx, {r['errors']} socket errors"} if errors else {})}


# --- a writer: data changes under load ---------------------------------------------------------

class Writer(threading.Thread):
    """Every ``every_s`` seconds records an arrest through the API, or deletes the last one:
    each change makes every cached view stale, so the next request of each worker rebuilds."""

    def __init__(self, url: str, token: str, slug: str, every_s: float) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.slug, self.every_s = url, token, slug, every_s
        self.stop = threading.Event()
        self.writes = 0
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60) as c:
            op = c.get(f"/api/v1/operations/{self.slug}").json()
            when = f"{op['starts_on']}T12:00:00+00:00"
            last = None
            while not self.stop.wait(self.every_s):
                if last is None:
                    r = c.post("/api/v1/records", json={
                        "kind": "arrest", "operation": self.slug, "occurred_at": when, "person_ref": "P-BENCH",
                        "offences": [{"group": "Drug offences", "text": "web load benchmark"}]})
                    last = r.json().get("id") if r.status_code == 201 else None
                else:
                    r = c.delete(f"/api/v1/records/{last}", params={"reason": "web load benchmark"})
                    last = None
                if r.status_code in (200, 201):
                    self.writes += 1
                elif not self.failures:
                    self.failures.append(f"HTTP {r.status_code}: {r.text[:200]}")


# --- the run -----------------------------------------------------------------------------------

def wait_for(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url + "/health", timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start: " + log_path.read_text()) from None
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", default=None, help="a database with the demo already built")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server")
    parser.add_argument("--generator", choices=("python", "wrk"), default="python",
                        help="load generator: the lean asyncio client here (default) or wrk, if installed")
    parser.add_argument("--write-every", type=float, default=0.0, metavar="S",
                        help="record an arrest (or delete it again) through the API every S seconds under load, "
                             "on a copy of the database (default 0: no writes)")
    args = parser.parse_args()
    if args.generator == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--generator wrk: wrk is not installed (Debian: apt-get install wrk); use --generator python")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database, token = prepare(args.database, workdir, writes=args.write_every > 0)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        exe = Path(sys.executable).with_name("clearhold")
        log_path = workdir / "serve.log"
        log = log_path.open("w")
        server = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database,
                                   "--workers", str(args.workers), "--no-access-log"],
                                  stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "CLEARHOLD_HOME": str(workdir)})
        try:
            wait_for(url, server, log_path)
            auth = {"Authorization": f"Bearer {token}"}
            ops = [o["slug"] for o in httpx.get(url + "/api/v1/operations", headers=auth).json()]
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
                with httpx.Client(base_url=url, headers=auth, timeout=120) as c:
                    t0 = time.perf_counter()
                    c.get(path)  # the first request builds what this worker caches
                    cold_ms = round((time.perf_counter() - t0) * 1000, 1)
                    for _ in range(args.workers * 2):  # warm every worker's caches
                        c.get(path)
                    kbytes = round(len(c.get(path).content) / 1024, 1)
                single = python_load(url, token, path, 1, min(3.0, args.seconds))
                writer = Writer(url, token, slug, args.write_every) if args.write_every > 0 else None
                with CpuMeter(server.pid) as cpu:
                    if writer:
                        writer.start()
                    if args.generator == "wrk":
                        r = wrk_load(url, token, path, args.users, args.seconds, workdir)
                    else:
                        r = python_load(url, token, path, args.users, args.seconds)
                    if writer:
                        writer.stop.set()
                        writer.join()
                if writer:
                    r["writes"] = writer.writes
                    if writer.failures:
                        r.setdefault("first_error", "writer: " + writer.failures[0])
                r["single_p50_ms"] = single["p50_ms"]
                r["kbytes"] = kbytes
                r["cold_ms"] = cold_ms
                r["generator_cpu_pct"] = round(100 * cpu.generator / cpu.wall)
                r["server_cpu_pct"] = round(100 * cpu.server / cpu.wall)
                r["server_cpu_ms_per_req"] = round(1000 * cpu.server / max(1, r["requests"]), 2)
                r["other_cpu_pct"] = None if cpu.other is None else round(100 * cpu.other / cpu.wall)
                results[name] = r
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            log.close()
    load_avg = os.getloadavg()[0]
    print(f"{args.users} concurrent users, {args.seconds:.0f} s per page, operation {slug}, "
          f"{args.workers} uvicorn worker(s), generator {args.generator}, "
          + (f"a record written every {args.write_every:g} s, " if args.write_every > 0 else "")
          + f"{os.cpu_count()} CPUs, "
          f"load average {load_avg:.1f} at the end")
    print(f"{'page':<19} {'KiB':>6} {'wire KiB':>8} {'cold ms':>8} {'1 user p50':>10} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'srv CPU%':>8} {'srv ms/req':>10} {'gen CPU%':>8} {'other CPU%':>10}")
    for name, r in results.items():
        print(f"{name:<19} {r['kbytes']:>6} {r['wire_kbytes']:>8} {r['cold_ms']:>8} {r['single_p50_ms']:>10} {r['requests']:>8} "
              f"{r['rps']:>7} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} {r['errors']:>6} "
              f"{r['server_cpu_pct']:>8} {r['server_cpu_ms_per_req']:>10} {r['generator_cpu_pct']:>8} "
              f"{'' if r['other_cpu_pct'] is None else r['other_cpu_pct']:>10}")
    figures = {"users": args.users, "seconds_per_page": args.seconds, "operation": slug, "workers": args.workers,
               "generator": args.generator, "write_every_s": args.write_every, "cpus": os.cpu_count(), "load_average_1min": round(load_avg, 2),
               **{f"{name}_{k}": v for name, r in results.items() for k, v in r.items() if k not in ("path", "first_error")}}
    if args.write_every > 0:
        print("writes under load (each makes every cached view stale): "
              + ", ".join(f"{name} {r['writes']}" for name, r in results.items()))
    for name, r in results.items():
        if "first_error" in r:
            print(f"{name}: first error: {r['first_error']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
