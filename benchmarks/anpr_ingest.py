"""ANPR ingest end to end through HTTP with durable storage, and alert latency to a subscriber.

Starts the real service (``clearhold anpr serve``, SQLite WAL, synchronous=FULL) on
127.0.0.1 with a 10,000-entry hotlist, then:

1. throughput: several client connections POST batches of reads as fast as the service
   acknowledges them (each acknowledgement comes after the commit), for a fixed time;
2. latency (run first, on the fresh service): one client sends 1,000 reads a second (20 reads every 20 ms, 5% hotlisted)
   while a subscriber on ``GET /anpr/alerts/stream`` records when each alert arrives;
   latency = arrival at the subscriber - the server's receipt time stamped on the alert.

Baseline in the same run: one read per request (no batching), sequential.
Last line: one JSON object with all figures.

    .venv/bin/python benchmarks/anpr_ingest.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, CLEARHOLD_DATABASE_URL=db_url)
    proc = subprocess.Popen([sys.executable, "-m", "clearhold.interfaces.cli.main", "anpr", "serve",
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/anpr/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("service did not start: " + proc.stderr.read().decode())


def seed_hotlist(db_url: str, plates: list[str]) -> None:
    from clearhold.anpr import service
    from clearhold.anpr.schemas import HotlistEntryCreate
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as s:
        service.create_hotlist(s, name="bench", source="local")
        service.add_entries(s, hotlist="bench", by="bench",
                            entries_in=[HotlistEntryCreate(vrm=p, reason="bench", priority="high") for p in plates])
    engine.dispose()


def plate(rng) -> str:
    letters = "ACEFHJKLMNPRTUVWXY"
    return ("".join(rng.choice(list(letters), 2)) + "".join(rng.choice(list("34679"), 2)) + " "
            + "".join(rng.choice(list(letters), 3)))


def batch_body(prefix: str, start: int, n: int, vrms: list[str]) -> bytes:
    now = datetime.now(UTC).isoformat()
    reads = [{"read_id": f"{prefix}-{start + i}", "camera_id": f"CAM{(start + i) % 300:03d}", "captured_at": now,
              "vrm": vrms[(start + i) % len(vrms)], "confidence": 0.93} for i in range(n)]
    return json.dumps({"reads": reads}).encode()


def throughput(base: str, seconds: float, vrms: list[str], clients: int, batch: int,
               max_reads_per_s: int = 60_000) -> tuple[int, float]:
    """Clients post prepared bodies (built before timing, so the client spends little CPU)."""
    per_client = int(seconds * max_reads_per_s / clients / batch) + 1
    bodies = [[batch_body(f"t{k}", i * batch, batch, vrms) for i in range(per_client)] for k in range(clients)]
    stop = time.monotonic() + seconds
    counts = [0] * clients

    def worker(k: int) -> None:
        with httpx.Client(timeout=60) as client:
            for body in bodies[k]:
                if time.monotonic() >= stop:
                    break
                r = client.post(f"{base}/anpr/reads", content=body, headers={"content-type": "application/json"})
                r.raise_for_status()
                counts[k] += r.json()["accepted"]

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), time.monotonic() - t0


def baseline_single(base: str, seconds: float, vrms: list[str]) -> tuple[int, float]:
    stop = time.monotonic() + seconds
    n = 0
    t0 = time.monotonic()
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < stop:
            client.post(f"{base}/anpr/reads", content=batch_body("b", n, 1, vrms),
                        headers={"content-type": "application/json"}).raise_for_status()
            n += 1
    return n, time.monotonic() - t0


def latency(base: str, seconds: float, normal: list[str], hot: list[str], rate: int = 1000,
            every_s: float = 0.02) -> tuple[list[float], int]:
    arrivals: list[float] = []
    ready = threading.Event()
    done = threading.Event()
    hot_set = set(hot)

    def subscriber() -> None:
        with httpx.Client(timeout=None) as client, client.stream("GET", f"{base}/anpr/alerts/stream") as resp:
            ready.set()
            for line in resp.iter_lines():
                if line.startswith("data: "):
                    now = time.time()
                    alert = json.loads(line[6:])
                    if alert["read_id"].startswith("lat"):
                        received = datetime.fromisoformat(alert["received_at"]).timestamp()
                        arrivals.append((now - received) * 1000)
                if done.is_set():
                    return

    th = threading.Thread(target=subscriber, daemon=True)
    th.start()
    ready.wait(10)
    time.sleep(0.3)
    per_batch = int(rate * every_s)
    rng = np.random.default_rng(11)
    hot_sent = 0
    with httpx.Client(timeout=30) as client:
        t_next = time.monotonic()
        i = 0
        end = t_next + seconds
        while t_next < end:
            vrms = [hot[rng.integers(len(hot))] if rng.random() < 0.05 else normal[rng.integers(len(normal))]
                    for _ in range(per_batch)]
            hot_sent += sum(v in hot_set for v in vrms)
            client.post(f"{base}/anpr/reads", content=batch_body("lat", i, per_batch, vrms),
                        headers={"content-type": "application/json"}).raise_for_status()
            i += per_batch
            t_next += every_s
            pause = t_next - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    time.sleep(0.5)
    done.set()
    # one more post so the subscriber loop wakes and sees done
    httpx.post(f"{base}/anpr/reads", content=batch_body("end", 0, 1, [hot[0]]), headers={"content-type": "application/json"})
    th.join(5)
    return arrivals, hot_sent


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    hot = sorted({plate(rng) for _ in range(10_000)})
    normal = [plate(rng) for _ in range(50_000)]
    normal = [v for v in normal if v not in set(hot)]
    with tempfile.TemporaryDirectory(prefix="anpr-bench-") as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        seed_hotlist(db_url, hot)
        port = free_port()
        proc = start_server(db_url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            # latency first: steady 1,000 reads/s, not the backlog a 20,000 reads/s burst leaves behind
            arrivals, hot_sent = latency(base, args.seconds, normal, hot)
            lat = np.array(arrivals)
            n_base, s_base = baseline_single(base, min(3.0, args.seconds), normal)
            cpu0 = cpu_seconds(proc.pid)
            n, s = throughput(base, args.seconds, normal, args.clients, args.batch)
            server_cpu_s = cpu_seconds(proc.pid) - cpu0
        finally:
            proc.terminate()
            proc.wait(10)
    ingest_rps = n / s
    base_rps = n_base / s_base
    figures = {
        "ingest_reads_per_s": round(ingest_rps), "ingest_reads": n, "ingest_seconds": round(s, 2),
        "clients": args.clients, "batch_reads": args.batch,
        "server_cpu_us_per_read": round(server_cpu_s / max(n, 1) * 1e6, 1),
        "server_one_core_capacity_reads_per_s": round(n / server_cpu_s) if server_cpu_s else None,
        "baseline": "one read per request, sequential (same service, same durability)",
        "baseline_reads_per_s": round(base_rps),
        "alert_rate_reads_per_s": 1000, "alerts_measured": int(lat.size), "hotlisted_reads_sent": hot_sent,
        "alert_latency_p50_ms": round(float(np.percentile(lat, 50)), 2) if lat.size else None,
        "alert_latency_p99_ms": round(float(np.percentile(lat, 99)), 2) if lat.size else None,
        "alert_latency_max_ms": round(float(lat.max()), 2) if lat.size else None,
        "storage": "SQLite WAL, synchronous=FULL, group commit", "cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(f"{'':34}{'batched':>12}{'1 read/request':>16}")
    print(f"{'reads per second (durable)':34}{ingest_rps:>12,.0f}{base_rps:>16,.0f}")
    print(f"service CPU per read {figures['server_cpu_us_per_read']} us "
          f"(one core of service CPU = {figures['server_one_core_capacity_reads_per_s']:,} reads/s)")
    print(f"alert latency at 1,000 reads/s: p50 {figures['alert_latency_p50_ms']} ms, "
          f"p99 {figures['alert_latency_p99_ms']} ms over {lat.size} alerts")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
