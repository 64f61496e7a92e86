"""The ingest engine behind ``clearhold anpr serve``: durable group commit, matching, alert fan-out.

Batches from many requests are queued to ONE writer thread, which takes everything waiting
(up to ``max_group_reads``), stores and matches it in ONE transaction (SQLite in WAL mode
with ``synchronous=FULL`` on this engine), commits, and only then completes each request and
publishes the alerts. So a read is acknowledged only once it is durable, an alert is pushed
only once it is durable, and a retried batch (same ``read_id``) is neither stored nor
alerted twice. No web framework here: the HTTP layer is ``clearhold.anpr.api``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, event

from clearhold.anpr import service
from clearhold.anpr.schemas import ReadIn
from clearhold.storage.base import utcnow
from clearhold.storage.database import session_scope


def durable_engine(url: str) -> Engine:
    """An engine for the ingest path: on SQLite, WAL with ``synchronous=FULL`` (fsync per commit)."""
    from clearhold.storage.database import make_engine

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _full_sync(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB of pages: index inserts stay in memory
            cursor.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run off the commit path (IngestEngine)
            cursor.close()
    return engine


@dataclass
class _Job:
    reads: list[ReadIn | dict]
    received_at: Any
    future: Future = field(default_factory=Future)


class IngestEngine:
    """Owns the writer thread. ``submit(reads)`` returns a Future of :class:`service.IngestResult`."""

    def __init__(self, engine: Engine, *, on_alerts: Callable[[list[dict]], None] | None = None,
                 max_group_reads: int = 20_000, index_check_s: float = 1.0,
                 purge_every_s: float | None = 3600.0) -> None:
        self.engine = engine
        # Retention: reads older than 365 days and not preserved are purged on this schedule
        # (the first one interval after start); each purge is audited with what it deleted. None: never.
        self.purge_every_s = purge_every_s
        self.last_purge = None
        self._stop_purges = threading.Event()
        self._purger: threading.Thread | None = None
        self.on_alerts = on_alerts
        self.max_group_reads = max_group_reads
        self.index_check_s = index_check_s
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._live: service.LiveIndex | None = None
        self._checked = 0.0
        self._pending_alerts: list[dict] = []
        self._committed_live: service.LiveIndex | None = None
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anpr-index")
        self._next: Future | None = None
        self._stop_checkpoints = threading.Event()
        self._checkpointer: threading.Thread | None = None
        self.commits = 0

    def start(self) -> None:
        with session_scope(self.engine) as session:
            self._live = self._committed_live = service.load_index(session)
        self._checked = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="anpr-writer", daemon=True)
        self._thread.start()
        if self.purge_every_s is not None:
            self._stop_purges.clear()
            self._purger = threading.Thread(target=self._purges, name="anpr-retention", daemon=True)
            self._purger.start()
        if self.engine.dialect.name == "sqlite":
            self._stop_checkpoints.clear()
            self._checkpointer = threading.Thread(target=self._checkpoints, name="anpr-checkpoint", daemon=True)
            self._checkpointer.start()

    def _purges(self) -> None:
        from clearhold.anpr import retention

        # The first purge waits one interval, so start-up (and its first writes) never contend for the lock.
        while not self._stop_purges.wait(self.purge_every_s):
            try:
                with session_scope(self.engine) as session:
                    self.last_purge = retention.purge(session, by="anpr-serve (scheduled retention)")
            except Exception:  # noqa: BLE001 - busy or locked: the next round tries again
                continue

    def _checkpoints(self, every_s: float = 1.0) -> None:
        """Copy the WAL into the database in the background (PASSIVE: never blocks the writer),
        so no commit, and no alert waiting on it, pays for a checkpoint."""
        conn = self.engine.raw_connection()
        try:
            while not self._stop_checkpoints.wait(every_s):
                try:
                    conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # noqa: BLE001 - busy or locked: try again next time
                    continue
        finally:
            conn.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self._builder.shutdown(wait=True, cancel_futures=True)
        self._stop_purges.set()
        if self._purger is not None:
            self._purger.join(timeout=30)
            self._purger = None
        self._stop_checkpoints.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=30)
            self._checkpointer = None

    def submit(self, reads: list[ReadIn | dict], received_at=None) -> Future:
        job = _Job(reads, received_at or utcnow())
        self._queue.put(job)
        return job.future

    def _build_index(self) -> service.LiveIndex:
        with session_scope(self.engine) as session:
            return service.load_index(session)

    def _refresh_index(self, session) -> None:
        """Swap in an index built in the background (a big hotlist takes seconds), then catch up."""
        if self._next is not None and self._next.done():
            future, self._next = self._next, None
            try:
                fresh = future.result()
            except Exception:  # noqa: BLE001 - keep matching with the index we have; retry later
                self._checked = 0.0
                fresh = None
            if fresh is not None:
                old = set(self._live.entries) if self._live is not None else set()
                self._live = fresh
                added = sorted(set(fresh.entries) - old)
                if added:  # reads that came in while the new entries were not yet in the index
                    self._pending_alerts = service.catch_up(session, live=fresh, entry_ids=added)
        now = time.monotonic()
        if self._next is not None or now - self._checked < self.index_check_s:
            return
        self._checked = now
        if self._live is None or service.hotlist_version(session) != self._live.version:
            self._next = self._builder.submit(self._build_index)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            job = self._queue.get()
            if job is None:
                break
            jobs = [job]
            size = len(job.reads)
            while size < self.max_group_reads:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                jobs.append(nxt)
                size += len(nxt.reads)
            self._commit_group(jobs)

    def _commit_group(self, jobs: list[_Job]) -> None:
        try:
            results = []
            with session_scope(self.engine) as session:
                self._refresh_index(session)
                for job in jobs:
                    results.append(service.ingest_reads(session, reads_in=job.reads, live=self._live,
                                                        received_at=job.received_at))
            self.commits += 1
        except BaseException as exc:  # noqa: BLE001 - every waiting request must learn of it
            # the transaction rolled back: forget an index swapped in it (and its catch-up), retry next time
            self._pending_alerts = []
            self._live = self._committed_live
            self._checked = 0.0
            for job in jobs:
                job.future.set_exception(exc)
            return
        self._committed_live = self._live
        alerts = self._pending_alerts + [a for r in results for a in r.hits]
        self._pending_alerts = []
        if alerts and self.on_alerts is not None:
            self.on_alerts(alerts)
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)


def replay_alerts(engine: Engine, *, after_id: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Durable alerts with ``hit_id > after_id`` (for subscribers that reconnect)."""
    from clearhold.anpr.tables import Hit, Hotlist, HotlistEntry

    with session_scope(engine) as session:
        rows = session.execute(
            sa.select(Hit, HotlistEntry.priority, HotlistEntry.reason, HotlistEntry.action, Hotlist.name)
            .join(HotlistEntry, HotlistEntry.id == Hit.entry_id).join(Hotlist, Hotlist.id == HotlistEntry.hotlist_id)
            .where(Hit.id > after_id, Hit.source == "live").order_by(Hit.id).limit(limit)
        ).all()
        return [{
            "hit_id": h.id, "read_id": h.read_ref, "vrm_read": h.vrm_read, "vrm_hotlist": h.vrm_hotlist,
            "match_type": h.match_type, "camera_id": h.camera_ref, "captured_at": h.captured_at.isoformat(),
            "received_at": h.received_at.isoformat(), "priority": priority, "reason": reason, "action": action,
            "hotlist": name,
        } for h, priority, reason, action, name in rows]
