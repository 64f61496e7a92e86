"""Records-side ANPR services on SQLite and PostgreSQL: ingest, hits, hotlists, rules, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clearhold.anpr import access, audit, retention, search, service
from clearhold.anpr.schemas import HotlistEntryCreate, HotlistEntryUpdate
from clearhold.anpr.tables import AuditEntry, Hit, Read
from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from clearhold.storage.database import session_scope
from tests.anpr.conftest import NOW, read


def _ingest(engine, reads, now=NOW):
    with session_scope(engine) as s:
        live = service.load_index(s, now=now)
        return service.ingest_reads(s, reads_in=reads, live=live, received_at=now)


def test_ingest_stores_matches_and_is_idempotent(hotlisted):
    reads = [read("r1", "ab12 cde"), read("r2", "AB I2 CDE"), read("r3", "ZZ99ZZZ"), read("r1", "ab12 cde")]
    first = _ingest(hotlisted, reads)
    assert (first.accepted, first.duplicates) == (3, 1)
    assert [(a["read_id"], a["vrm_read"], a["vrm_hotlist"], a["match_type"], a["priority"]) for a in first.hits] == [
        ("r1", "AB12CDE", "AB12CDE", "exact", "high"), ("r2", "ABI2CDE", "AB12CDE", "misread", "high")]
    again = _ingest(hotlisted, reads[:3])
    assert (again.accepted, again.duplicates, again.hits) == (0, 3, [])
    with session_scope(hotlisted) as s:
        stored = s.execute(sa.select(Read).order_by(Read.read_id)).scalars().all()
        assert [(r.read_id, r.vrm_raw, r.vrm, r.vrm_key, r.plate_format) for r in stored] == [
            ("r1", "ab12 cde", "AB12CDE", "A812C0E", "current"),
            ("r2", "AB I2 CDE", "ABI2CDE", "A812C0E", "other"),
            ("r3", "ZZ99ZZZ", "ZZ99ZZZ", "2299222", "other"),
        ]
        assert s.execute(sa.select(sa.func.count()).select_from(Hit)).scalar_one() == 2


def test_expired_entry_does_not_alert(hotlisted):
    with session_scope(hotlisted) as s:
        entry = service.list_entries(s, hotlist="violence")[0]
        service.expire_entry(s, entry_id=entry.id, by="sgt", now=NOW - timedelta(hours=1))
    assert _ingest(hotlisted, [read("r1", "AB12CDE")]).hits == []
    with session_scope(hotlisted) as s:
        assert [e.vrm for e in service.list_entries(s, active_only=True, now=NOW)] == ["XY51ABC"]


def test_new_entry_is_matched_against_last_12_months(hotlisted):
    _ingest(hotlisted, [read("old", "KL09MNO", at=NOW - timedelta(days=400)),
                        read("mid", "KL09 MN0", at=NOW - timedelta(days=200)),
                        read("new", "kl09mno", at=NOW - timedelta(days=2))])
    with session_scope(hotlisted) as s:
        added = service.add_entries(s, hotlist="violence", by="sgt", now=NOW,
                                    entries_in=[HotlistEntryCreate(vrm="KL09MNO", reason="linked", priority="high")])
        assert [(h.read_ref, h.match_type, h.source) for h in added.seen] == [
            ("mid", "misread", "retrospective"), ("new", "exact", "retrospective")]
        assert service.list_hits(s) == []  # retrospective hits are not control-room alerts


def test_update_entry_and_errors(hotlisted):
    with session_scope(hotlisted) as s:
        entry = service.list_entries(s)[1]
        service.update_entry(s, entry_id=entry.id, entry_in=HotlistEntryUpdate(priority="high", owner="DS Lee"), by="sgt")
        assert (entry.priority, entry.owner) == ("high", "DS Lee")
        with pytest.raises(NotFound, match="hotlist entry 999 does not exist"):
            service.update_entry(s, entry_id=999, entry_in=HotlistEntryUpdate(), by="sgt")
        with pytest.raises(Conflict, match="hotlist 'violence' already exists"):
            service.create_hotlist(s, name="violence", source="local")
        with pytest.raises(NotFound, match="hotlist 'nope' does not exist"):
            service.add_entries(s, hotlist="nope", by="sgt", entries_in=[])
        with pytest.raises(InvalidInput, match="vrm was '--'"):
            service.add_entries(s, hotlist="violence", by="sgt",
                                entries_in=[HotlistEntryCreate(vrm="--", reason="x", priority="low")])
    with pytest.raises(ValueError, match="priority was 'urgent'"):
        HotlistEntryCreate(vrm="AB", reason="x", priority="urgent")


def test_hit_workflow(hotlisted):
    ids = [a["hit_id"] for a in _ingest(hotlisted, [read("r1", "AB12CDE"), read("r2", "AB12CDE", camera="CAM2")]).hits]
    with session_scope(hotlisted) as s:
        with pytest.raises(PermissionDenied, match="image_viewed was False"):
            service.acknowledge(s, hit_id=ids[0], decision="accept", by="pc", image_viewed=False)
        with pytest.raises(InvalidInput, match="decision was 'maybe'"):
            service.acknowledge(s, hit_id=ids[0], decision="maybe", by="pc", image_viewed=True)
        with pytest.raises(Conflict, match="only an accepted hit can have an outcome"):
            service.record_outcome(s, hit_id=ids[0], outcome="stopped", by="pc")
        hit = service.acknowledge(s, hit_id=ids[0], decision="accept", by="pc", image_viewed=True, at=NOW)
        assert (hit.status, hit.acknowledged_by, hit.acknowledged_at) == ("accepted", "pc", NOW)
        with pytest.raises(Conflict, match="already accepted"):
            service.acknowledge(s, hit_id=ids[0], decision="accept", by="pc", image_viewed=True)
        with pytest.raises(InvalidInput, match="outcome was 'fled'"):
            service.record_outcome(s, hit_id=ids[0], outcome="fled", by="pc")
        hit = service.record_outcome(s, hit_id=ids[0], outcome="arrest", by="pc", at=NOW)
        assert (hit.outcome, hit.outcome_by, hit.outcome_at) == ("arrest", "pc", NOW)
        with pytest.raises(Conflict, match="already has outcome 'arrest'"):
            service.record_outcome(s, hit_id=ids[0], outcome="stopped", by="pc")
        rejected = service.acknowledge(s, hit_id=ids[1], decision="reject_wrong_vehicle", by="pc", image_viewed=True)
        assert (rejected.status, rejected.reject_reason) == ("rejected", "wrong_vehicle")
        with pytest.raises(NotFound, match="hit 999 does not exist"):
            service.get_hit(s, hit_id=999)
        assert service.conversion(s) == {"hits": 2, "accepted": 1, "rejected": 1, "not_located": 0,
                                         "stops": 1, "searches": 1, "arrests": 1}


# ----------------------------------------------------------------------------- access rules

def _query(days, pattern="AB12CDE", **kw):
    return search.ReadQuery(pattern=pattern, since=NOW - timedelta(days=days), **kw)


def test_access_refusals(hotlisted):
    with session_scope(hotlisted) as s:
        with pytest.raises(PermissionDenied, match="reason was empty"):
            search.search_reads(s, user="ana", reason=" ", query=_query(30), now=NOW)
        with pytest.raises(PermissionDenied, match="user 'bob' holds no authorised ANPR role"):
            search.search_reads(s, user="bob", reason="inv 1", query=_query(30), now=NOW)
        with pytest.raises(PermissionDenied, match="need a recorded senior authorisation"):
            search.search_reads(s, user="ana", reason="inv 1", query=_query(120), now=NOW)
        other = access.grant_senior(s, user="bob", offence_category="firearms", granted_by="supt",
                                    granted_by_rank="Superintendent", reason="op", now=NOW - timedelta(days=1))
        with pytest.raises(PermissionDenied, match=f"authorisation {other.id} was granted to 'bob', not 'ana'"):
            search.search_reads(s, user="ana", reason="inv 1", query=_query(120), authorisation_id=other.id, now=NOW)
        role_id = s.execute(sa.select(access.AccessAuthorisation.id).where(access.AccessAuthorisation.kind == "role")).scalar()
        with pytest.raises(PermissionDenied, match=f"authorisation {role_id} is not a recorded senior authorisation"):
            search.search_reads(s, user="ana", reason="inv 1", query=_query(120), authorisation_id=role_id, now=NOW)
        mine = access.grant_senior(s, user="ana", offence_category="firearms", granted_by="supt",
                                   granted_by_rank="Superintendent", reason="op", now=NOW - timedelta(days=1))
        access.revoke(s, authorisation_id=mine.id, now=NOW - timedelta(hours=1))
        with pytest.raises(PermissionDenied, match=f"authorisation {mine.id} is not in force"):
            search.search_reads(s, user="ana", reason="inv 1", query=_query(120), authorisation_id=mine.id, now=NOW)
        with pytest.raises(PermissionDenied, match="cannot authorise their own search"):
            access.grant_senior(s, user="ana", offence_category="firearms", granted_by="ana",
                                granted_by_rank="Inspector", reason="op")
        with pytest.raises(InvalidInput, match="offence_category was 'shoplifting'"):
            access.grant_senior(s, user="ana", offence_category="shoplifting", granted_by="supt",
                                granted_by_rank="Superintendent", reason="op")
        with pytest.raises(InvalidInput, match="role was 'boss'"):
            access.grant_role(s, user="ana", role="boss", granted_by="admin", reason="x")
        with pytest.raises(NotFound, match="authorisation 999 does not exist"):
            access.revoke(s, authorisation_id=999)
        # nothing was searched, so nothing was audited as a search
        assert s.execute(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "search")).scalar_one() == 0


def test_search_tiers_and_audit(hotlisted):
    _ingest(hotlisted, [read("recent", "AB12CDE", at=NOW - timedelta(days=10)),
                        read("mid", "AB12 CDE", at=NOW - timedelta(days=200)),
                        read("old", "AB12CDE", at=NOW - timedelta(days=500)),
                        read("kept", "AB12CDE", at=NOW - timedelta(days=600))])
    with session_scope(hotlisted) as s:
        service.preserve(s, read_ids=["kept"], investigation="Op Clearhold", by="ds")
        rows = search.search_reads(s, user="ana", reason="inv 1", query=_query(90), now=NOW)
        assert [r["read_id"] for r in rows] == ["recent"]
        auth = access.grant_senior(s, user="ana", offence_category="serious_violence", granted_by="supt",
                                   granted_by_rank="Superintendent", reason="op", now=NOW - timedelta(days=1))
        rows = search.search_reads(s, user="ana", reason="inv 2", query=_query(365), authorisation_id=auth.id, now=NOW)
        assert [r["read_id"] for r in rows] == ["mid", "recent"]
        rows = search.search_reads(s, user="ana", reason="inv 3", query=_query(1000), authorisation_id=auth.id, now=NOW)
        assert [r["read_id"] for r in rows] == ["kept", "mid", "recent"]  # "old" is past retention, not preserved
        logged = s.execute(sa.select(AuditEntry).where(AuditEntry.action == "search").order_by(AuditEntry.id)).scalars().all()
        assert [(e.actor, e.reason, e.result_count, e.query["tier"]) for e in logged] == [
            ("ana", "inv 1", 1, "routine"), ("ana", "inv 2", 2, "senior"), ("ana", "inv 3", 3, "preserved")]
        assert logged[1].query["offence_category"] == "serious_violence"
        assert logged[0].query["pattern"] == "AB12CDE" and logged[0].at == NOW


def test_wildcards_misread_camera_and_bbox(hotlisted):
    with session_scope(hotlisted) as s:
        service.upsert_cameras(s, cameras_in=[{"camera_ref": "CAM1", "lat": 52.24, "lon": -0.90, "site": "A"},
                                              {"camera_ref": "CAM2", "lat": 52.30, "lon": -0.80, "site": "B"}])
    _ingest(hotlisted, [read("a", "AB12CDE"), read("b", "AB12CDF", camera="CAM2"), read("c", "A812CDE"),
                        read("d", "ZZ12CDE")])
    with session_scope(hotlisted) as s:
        def ids(pattern, **kw):
            return [r["read_id"] for r in search.search_reads(s, user="ana", reason="r", query=_query(1, pattern, **kw), now=NOW)]
        assert ids("AB12CD?") == ["a", "b"]
        assert ids("*12CDE") == ["a", "c", "d"]
        assert ids("AB12CDE", misread_tolerant=True) == ["a", "c"]
        assert ids("AB*", camera_refs=["CAM2"]) == ["b"]
        assert ids("*", bbox=(-0.95, 52.2, -0.85, 52.26)) == ["a", "c", "d"]
        rows = search.search_reads(s, user="ana", reason="r", query=_query(1, "AB12CDE", misread_tolerant=True), now=NOW)
        assert [(r["read_id"], r["match_type"], r["lat"]) for r in rows] == [("a", "exact", 52.24), ("c", "misread", 52.24)]
        with pytest.raises(InvalidInput, match="pattern was '--'"):
            ids("--")
        with pytest.raises(InvalidInput, match="limit was 0"):
            ids("AB*", limit=0)


def test_export_is_audited(hotlisted, tmp_path):
    _ingest(hotlisted, [read("a", "AB12CDE")])
    with session_scope(hotlisted) as s:
        n = search.export_reads(s, user="ana", reason="file", query=_query(1, "AB*"), path=tmp_path / "out.csv", now=NOW)
        row = s.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert n == 1 and (row.action, row.result_count) == ("export", 1)
    assert (tmp_path / "out.csv").read_text().splitlines()[1].startswith("a,CAM1,")


def test_companions(hotlisted):
    t0 = NOW - timedelta(hours=3)
    reads = []
    for i, cam in enumerate(["C1", "C2", "C3", "C4"]):
        at = t0 + timedelta(minutes=10 * i)
        reads += [read(f"t{i}", "TT11TTT", cam, at), read(f"p{i}", "PP22PPP", cam, at + timedelta(seconds=20))]
    reads += [read("x0", "XX33XXX", "C1", t0 + timedelta(seconds=5)), read("x1", "XX33XXX", "C2", t0 + timedelta(minutes=30))]
    _ingest(hotlisted, reads)
    with session_scope(hotlisted) as s:
        frame = search.companions(s, user="ana", reason="convoy", vrm="TT11TTT", since=NOW - timedelta(days=1),
                                  window_s=60, min_sites=3, now=NOW)
    assert frame[["vrm", "n_sites", "n_sightings"]].values.tolist() == [["PP22PPP", 4, 4]]


# ----------------------------------------------------------------------- audit and retention

def test_audit_chain_verifies_and_detects_tampering(hotlisted):
    with session_scope(hotlisted) as s:
        audit.append(s, actor="ana", action="search", reason="r", query={"pattern": "A*", "n": 1.5}, result_count=3)
        audit.append(s, actor="ana", action="export", reason="r", query={}, result_count=1)
        result = audit.verify(s)
        assert (result.ok, result.rows) == (True, 3)  # the fixture's hotlist_add, then these two
        with pytest.raises(InvalidInput, match="actor was empty"):
            audit.append(s, actor="", action="x")
        last = s.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        first_id = s.execute(sa.select(sa.func.min(AuditEntry.id))).scalar_one()
    with session_scope(hotlisted) as s:  # change a row behind the log's back
        s.execute(sa.update(AuditEntry).where(AuditEntry.id == last.id - 1).values(result_count=99))
    with session_scope(hotlisted) as s:
        result = audit.verify(s)
        assert (result.ok, result.first_bad_id) == (False, last.id - 1)
        assert "content does not match its hash" in result.problem
    with session_scope(hotlisted) as s:  # delete the first row instead
        s.execute(sa.update(AuditEntry).where(AuditEntry.id == last.id - 1).values(result_count=3))
        assert audit.verify(s).ok
        s.execute(sa.delete(AuditEntry).where(AuditEntry.id == first_id))
    with session_scope(hotlisted) as s:
        result = audit.verify(s)
        assert (result.ok, result.first_bad_id) == (False, first_id + 1)
        assert "prev_hash does not match" in result.problem


def test_purge_deletes_old_unpreserved_reads(hotlisted):
    _ingest(hotlisted, [read("new", "AB12CDE", "C1", NOW - timedelta(days=30)),
                        read("old1", "AB12CDE", "C1", NOW - timedelta(days=366)),
                        read("old2", "QQ11QQQ", "C2", NOW - timedelta(days=400)),
                        read("kept", "QQ11QQQ", "C2", NOW - timedelta(days=500))], now=NOW - timedelta(days=500))
    with session_scope(hotlisted) as s:
        service.preserve(s, read_ids=["kept"], investigation="Op X", by="ds")
        with pytest.raises(InvalidInput, match="investigation was empty"):
            service.preserve(s, read_ids=["kept"], investigation="", by="ds")
        dry = retention.purge(s, by="system", now=NOW, dry_run=True)
        assert (dry.deleted, dry.by_camera) == (2, {"C1": 1, "C2": 1})
        report = retention.purge(s, by="system", now=NOW)
        assert (report.deleted, report.by_camera, report.kept_preserved) == (2, {"C1": 1, "C2": 1}, 1)
        assert report.oldest_deleted == NOW - timedelta(days=400)
        assert report.newest_deleted == NOW - timedelta(days=366)
        assert sorted(s.execute(sa.select(Read.read_id)).scalars()) == ["kept", "new"]
        hits = s.execute(sa.select(Hit.read_ref, Hit.read_pk).order_by(Hit.read_ref)).all()
        assert [(ref, pk is None) for ref, pk in hits] == [("new", False), ("old1", True)]  # hit kept, link cleared
        assert audit.verify(s).ok
        with pytest.raises(InvalidInput, match="by was empty"):
            retention.purge(s, by="", now=NOW)


def test_search_by_operation_area(hotlisted):
    from tests.support.ledger import make_operation

    make_operation(hotlisted)  # areas op-test-a (box A) and op-test-b (box B)
    with session_scope(hotlisted) as s:
        service.upsert_cameras(s, cameras_in=[{"camera_ref": "INA", "lat": 52.235, "lon": -0.895},
                                              {"camera_ref": "INB", "lat": 52.235, "lon": -0.855}])
    _ingest(hotlisted, [read("a", "AB12CDE", camera="INA"), read("b", "AB12CDE", camera="INB"),
                        read("c", "AB12CDE", camera="INA", lat=52.2355, lon=-0.856)])  # mobile camera, in B
    with session_scope(hotlisted) as s:
        rows = search.search_reads(s, user="ana", reason="r", query=_query(1, "AB*", area="op-test-b"), now=NOW)
        assert [r["read_id"] for r in rows] == ["b", "c"]
        with pytest.raises(NotFound, match="nope"):
            search.search_reads(s, user="ana", reason="r", query=_query(1, "AB*", area="nope"), now=NOW)


def test_entry_expiring_after_the_index_was_built_stops_alerting(hotlisted):
    with session_scope(hotlisted) as s:
        entry = service.list_entries(s, hotlist="violence")[0]
        entry.expires_at = NOW + timedelta(minutes=1)
        live = service.load_index(s, now=NOW)  # built while the entry was in force
    with session_scope(hotlisted) as s:
        early = service.ingest_reads(s, reads_in=[read("r1", "AB12CDE")], live=live, received_at=NOW)
        late = service.ingest_reads(s, reads_in=[read("r2", "AB12CDE")], live=live,
                                    received_at=NOW + timedelta(minutes=2))
    assert ([a["read_id"] for a in early.hits], late.hits) == (["r1"], [])


@pytest.mark.parametrize(("column", "value"), [
    ("actor", "mallory"), ("action", "export"), ("reason", "other reason"), ("query", {"pattern": "ZZ*"}),
    ("result_count", 0), ("at", NOW + timedelta(seconds=1)), ("hash", "f" * 64),
])
def test_any_changed_field_breaks_the_chain(sqlite_engine, column, value):
    with session_scope(sqlite_engine) as s:
        for i in range(3):
            audit.append(s, actor="ana", action="search", reason=f"r{i}", query={"pattern": "AB*"}, result_count=i, at=NOW)
        target = s.execute(sa.select(AuditEntry.id).order_by(AuditEntry.id).offset(1).limit(1)).scalar_one()
    with session_scope(sqlite_engine) as s:
        s.execute(sa.update(AuditEntry).where(AuditEntry.id == target).values({column: value}))
    with session_scope(sqlite_engine) as s:
        result = audit.verify(s)
    assert (result.ok, result.first_bad_id) == (False, target)
