"""The writer thread: group commit, and reads that slip in before a new entry reaches the index."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from clearhold.anpr import service
from clearhold.anpr.ingest import IngestEngine, durable_engine
from clearhold.anpr.schemas import HotlistEntryCreate
from clearhold.anpr.tables import Hit
from clearhold.storage.database import session_scope
from clearhold.storage.migrate import upgrade

AT = datetime.now(UTC) - timedelta(minutes=1)


def _reads(*pairs):
    return [{"read_id": rid, "camera_id": "C1", "captured_at": AT, "vrm": vrm} for rid, vrm in pairs]


def test_new_entry_catches_reads_that_arrived_before_the_index_had_it(tmp_path):
    engine = durable_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    with session_scope(engine) as s:
        service.create_hotlist(s, name="h", source="local")
    published: list[dict] = []
    writer = IngestEngine(engine, on_alerts=published.extend, index_check_s=3600)
    writer.start()
    try:
        with session_scope(engine) as s:  # added before the read arrives; the writer has not reloaded
            service.add_entries(s, hotlist="h", by="t",
                                entries_in=[HotlistEntryCreate(vrm="KL09MNO", reason="r", priority="high")])
        first = writer.submit(_reads(("r1", "KL09 MNO"), ("r2", "ZZ"))).result(30)
        assert (first.accepted, first.hits) == (2, [])  # the old index did not know the plate
        writer.index_check_s = 0.0  # the new index is built in the background and swapped in
        writer.submit(_reads(("r3", "KL09MN0"))).result(30)
        for i in range(200):
            if len(published) >= 2:
                break
            writer.submit(_reads((f"x{i}", "AB"))).result(30)
            time.sleep(0.05)
        assert sorted((a["read_id"], a["match_type"]) for a in published) == [("r1", "exact"), ("r3", "misread")]
        writer.submit(_reads(("r4", "AB"))).result(30)  # later reloads find nothing new to catch up
        time.sleep(0.2)
        writer.submit(_reads(("r5", "AB"))).result(30)
        assert len(published) == 2
    finally:
        writer.stop()
    with session_scope(engine) as s:
        assert sorted(s.execute(sa.select(Hit.read_ref, Hit.source)).all()) == [("r1", "live"), ("r3", "live")]
    engine.dispose()


def test_group_commit_answers_every_request(tmp_path):
    engine = durable_engine(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(engine)
    writer = IngestEngine(engine)
    writer.start()
    try:
        futures = [writer.submit(_reads(*((f"g{i}-{j}", "AB12CDE") for j in range(50)))) for i in range(20)]
        results = [f.result(30) for f in futures]
        dup = writer.submit(_reads(("g0-0", "AB12CDE"))).result(30)
    finally:
        writer.stop()
    assert [r.accepted for r in results] == [50] * 20 and (dup.accepted, dup.duplicates) == (0, 1)
    assert writer.commits <= 21
    engine.dispose()


def test_the_service_purges_old_reads_on_its_schedule(tmp_path):
    from clearhold.anpr import audit
    from clearhold.anpr.tables import AuditEntry, Read

    engine = durable_engine(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    old = datetime.now(UTC) - timedelta(days=400)
    with session_scope(engine) as s:
        service.ingest_reads(s, reads_in=[service.ReadIn(read_id="old", camera_id="C1", captured_at=old, vrm="AB12CDE"),
                                          service.ReadIn(read_id="new", camera_id="C1", captured_at=AT, vrm="AB12CDE")],
                             live=service.load_index(s))
    writer = IngestEngine(engine, index_check_s=3600, purge_every_s=0.1)
    writer.start()
    try:
        for _ in range(300):
            if writer.last_purge is not None:
                break
            time.sleep(0.05)
    finally:
        writer.stop()
    assert writer.last_purge is not None and writer.last_purge.deleted == 1
    with session_scope(engine) as s:
        assert list(s.execute(sa.select(Read.read_id)).scalars()) == ["new"]
        actions = list(s.execute(sa.select(AuditEntry.action)).scalars())
        assert "purge" in actions and audit.verify(s).ok
