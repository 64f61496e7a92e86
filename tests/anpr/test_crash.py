"""Crash test: SIGKILL the real ingest service under load, restart it, lose and duplicate nothing.

A subscriber follows the alert stream before the crash and reconnects afterwards with
Last-Event-ID; between the two connections it must see every alert exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow

HOT = [f"HT{i:02d}ABC" for i in range(40)]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db_url: str, port: int, log) -> subprocess.Popen:
    env = dict(os.environ, CLEARHOLD_DATABASE_URL=db_url)
    proc = subprocess.Popen([sys.executable, "-m", "clearhold.interfaces.cli.main", "anpr", "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/anpr/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("service did not start in 60 s")


def _batch(prefix: str, n: int, size: int) -> list[dict]:
    now = datetime.now(UTC).isoformat()
    return [{"read_id": f"{prefix}-{n}-{i}", "camera_id": f"C{i % 7}", "captured_at": now,
             "vrm": HOT[(n + i) % len(HOT)] if i % 10 == 0 else f"ZX{n % 90:02d} {i:03d}"[:9]}
            for i in range(size)]


class Subscriber(threading.Thread):
    def __init__(self, base: str, last_id: int | None = None) -> None:
        super().__init__(daemon=True)
        self.base, self.last_id = base, last_id
        self.events: list[dict] = []
        self.connected = threading.Event()

    def run(self) -> None:
        headers = {} if self.last_id is None else {"Last-Event-ID": str(self.last_id)}
        try:
            with httpx.Client(timeout=None) as client, client.stream(
                    "GET", f"{self.base}/anpr/alerts/stream", headers=headers) as resp:
                self.connected.set()
                for line in resp.iter_lines():
                    if line.startswith("data: "):
                        self.events.append(json.loads(line[6:]))
        except httpx.HTTPError:
            pass  # the server was killed


def test_sigkill_under_load_loses_and_duplicates_nothing(tmp_path):
    from clearhold.anpr import service
    from clearhold.anpr.schemas import HotlistEntryCreate
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade

    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as s:
        service.create_hotlist(s, name="crash", source="local")
        service.add_entries(s, hotlist="crash", by="test",
                            entries_in=[HotlistEntryCreate(vrm=v, reason="test", priority="high") for v in HOT])

    port = _port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed at the end
    procs = []
    try:
        _run(engine, db_url, port, base, log, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        log.close()
        engine.dispose()


def _run(engine, db_url, port, base, log, procs) -> None:
    from clearhold.anpr.tables import Hit, Read
    from clearhold.storage.database import session_scope

    proc = _start(db_url, port, log)
    procs.append(proc)
    sub = Subscriber(base)
    sub.start()
    assert sub.connected.wait(10)

    acked: list[list[dict]] = []
    unacked: list[list[dict]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def loader(k: int) -> None:
        n = 0
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                batch = _batch(f"L{k}", n, 100)
                n += 1
                try:
                    resp = client.post(f"{base}/anpr/reads", json={"reads": batch})
                    resp.raise_for_status()
                except httpx.HTTPError:
                    with lock:
                        unacked.append(batch)
                    return
                with lock:
                    acked.append(batch)

    loaders = [threading.Thread(target=loader, args=(k,)) for k in range(3)]
    for t in loaders:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-load: requests are in flight
    proc.wait(10)
    stop.set()
    for t in loaders:
        t.join(15)
    sub.join(5)
    assert len(acked) >= 30, "the load did not get going"
    assert len(unacked) == 3  # every loader had a request in flight when the service died

    proc = _start(db_url, port, log)
    procs.append(proc)
    try:
        with httpx.Client(timeout=30) as client:  # clients retry what was never acknowledged
            for batch in unacked:
                client.post(f"{base}/anpr/reads", json={"reads": batch}).raise_for_status()
            for batch in acked[:3]:  # and a retry of acknowledged batches changes nothing
                assert client.post(f"{base}/anpr/reads", json={"reads": batch}).json()["accepted"] == 0
        last_seen = max((e["hit_id"] for e in sub.events), default=0)
        sub2 = Subscriber(base, last_id=last_seen)
        sub2.start()
        assert sub2.connected.wait(10)
        time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGTERM)  # graceful stop closes the open alert stream
        proc.wait(20)
    sub2.join(5)

    sent = [r for batch in acked + unacked for r in batch]
    hot_ids = {r["read_id"] for r in sent if r["vrm"] in HOT}
    with session_scope(engine) as s:
        stored = s.execute(sa.select(Read.read_id)).scalars().all()
        hits = s.execute(sa.select(Hit.read_ref, Hit.id)).all()
    assert len(stored) == len(set(stored))
    assert {r["read_id"] for batch in acked for r in batch} <= set(stored)  # nothing acknowledged is lost
    assert set(stored) == {r["read_id"] for r in sent}  # retried batches landed, nothing else did
    assert sorted(ref for ref, _ in hits) == sorted(hot_ids)  # one alert per hotlisted read, no duplicate
    seen = [e["hit_id"] for e in sub.events + sub2.events]
    assert len(seen) == len(set(seen))  # the subscriber never saw an alert twice
    assert set(seen) == {hit_id for _, hit_id in hits}  # and missed none
