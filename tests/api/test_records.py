"""Records, operations, review and audit through the JSON API of the live server."""

from __future__ import annotations

import pytest

from tests.api.seed import ARREST_TIMES


def _arrest(ref: str, **extra) -> dict:
    return {"kind": "arrest", "operation": "test-op", "ref": ref, "occurred_at": "2026-11-19T10:00:00+00:00",
            "area": "test-centre", "person_ref": "P-1234", "age_band": "25-34",
            "offences": [{"group": "Drug offences", "text": "possession with intent to supply"}], **extra}


def test_operations_and_areas(live):
    with live.client("officer") as c:
        ops = c.get("/api/v1/operations").json()
        assert "test-op" in [o["slug"] for o in ops]
        op = c.get("/api/v1/operations/test-op").json()
        assert (op["name"], op["starts_on"], op["ends_on"]) == ("Test operation", "2025-01-01", None)
        areas = c.get("/api/v1/operations/test-op/areas").json()
        assert [a["slug"] for a in areas] == ["test-centre"]
        assert areas[0]["geometry"]["type"] == "Polygon"
        missing = c.get("/api/v1/operations/no-such-op")
    assert missing.status_code == 404
    assert "operation 'no-such-op' not found" in missing.json()["detail"]


def test_list_records_of_a_kind_in_a_window(live):
    with live.client("analyst") as c:
        r = c.get("/api/v1/operations/test-op/records",
                  params={"kind": "arrest", "start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"})
    assert r.status_code == 200
    refs = [x["ref"] for x in r.json() if x["ref"] in {"ARR-1", "ARR-2", "ARR-3", "ARR-4", "ARR-5"}]
    assert refs == ["ARR-3", "ARR-2", "ARR-1"]  # oldest first: 1 Mar, 3 Nov, 18 Nov 2026
    assert {x["kind"] for x in r.json()} == {"arrest"}


def test_list_records_needs_time_zones(live):
    with live.client("analyst") as c:
        r = c.get("/api/v1/operations/test-op/records", params={"start": "2026-01-01T00:00:00"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "start"]
    assert "start was 2026-01-01T00:00:00; give a time zone" in r.json()["detail"][0]["msg"]


def test_create_show_correct_delete_with_history(live):
    with live.client("officer") as officer, live.client("supervisor") as supervisor:
        created = officer.post("/api/v1/records", json=_arrest("API-1"))
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["kind"], body["entered_by"], body["version"], body["area"]) == ("arrest", "officer", 1, "test-centre")
        record_id = body["id"]
        assert officer.get(f"/api/v1/records/{record_id}").json()["person_ref"] == "P-1234"

        corrected = officer.patch(f"/api/v1/records/{record_id}",
                                  json={"changes": {"outcome": "charged"}, "reason": "charged at custody"})
        assert corrected.status_code == 200, corrected.text
        assert (corrected.json()["outcome"], corrected.json()["version"]) == ("charged", 2)

        stale = officer.patch(f"/api/v1/records/{record_id}",
                              json={"changes": {"outcome": "bail"}, "reason": "x y z", "expected_version": 1})
        assert stale.status_code == 409

        deleted = supervisor.delete(f"/api/v1/records/{record_id}", params={"reason": "entered twice"})
        assert deleted.status_code == 200
        assert deleted.json()["deleted_at"] is not None
        assert officer.get(f"/api/v1/records/{record_id}").status_code == 404

        history = officer.get(f"/api/v1/records/{record_id}/history").json()
    assert [(h["version"], h["action"], h["changed_by"]) for h in history] == [
        (1, "create", "officer"), (2, "correct", "officer"), (3, "delete", "supervisor")]
    assert history[1]["changed_fields"] == ["outcome"] and history[1]["reason"] == "charged at custody"
    assert history[0]["state"]["outcome"] == "pending"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"person_ref": "John Smith"}, "person_ref", "never a name"),
    ({"age_band": "old"}, "age_band", "age_band was 'old'"),
    ({"offences": []}, "offences", "at least 1 item"),
    ({"occurred_at": "2026-11-19T10:00:00"}, "occurred_at", "no time zone"),
])
def test_invalid_record_is_422_naming_the_field(live, change, field, message):
    with live.client("officer") as c:
        r = c.post("/api/v1/records", json=_arrest("BAD-1", **change))
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert any(field in e["loc"] and message in e["msg"] for e in errors), errors


def test_service_level_refusals_are_422_or_409(live):
    with live.client("officer") as c:
        unknown_area = c.post("/api/v1/records", json=_arrest("BAD-2", area="nowhere"))
        duplicate = c.post("/api/v1/records", json=_arrest("ARR-1"))
        missing = c.get("/api/v1/records/999999")
    assert unknown_area.status_code == 404 and "area 'nowhere' not found" in unknown_area.json()["detail"]
    assert duplicate.status_code == 409 and "ref 'ARR-1' already exists" in duplicate.json()["detail"]
    assert missing.status_code == 404


def test_review_json_and_pdf(live):
    with live.client("supervisor") as c:
        review = c.get("/api/v1/operations/test-op/review", params={"from": "2026-11-01", "to": "2026-11-20"})
        assert review.status_code == 200
        body = review.json()
        assert body["period"] == {**body["period"], "from": "2026-11-01", "to": "2026-11-20"}
        arrests = next(f for f in body["figures"] if f["key"] == "arrests")
        assert arrests["value"] == len(arrests["record_ids"])
        pdf = c.get("/api/v1/operations/test-op/review", params={"format": "pdf", "from": "2026-11-01", "to": "2026-11-20"})
        backwards = c.get("/api/v1/operations/test-op/review", params={"from": "2026-11-20", "to": "2026-11-01"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="review-test-op-2026-11-01-2026-11-20.pdf"'
    assert backwards.status_code == 422


def test_sensitive_access_is_audited_with_user_route_and_object(live):
    with live.client("officer") as c:
        c.get("/api/v1/records/2")
    with live.client("partner") as c:
        c.get("/api/v1/records/3")
    with live.client("supervisor") as c:
        rows = c.get("/api/v1/audit", params={"limit": 50}).json()
    granted = next(a for a in rows if a["user_name"] == "officer" and a["object_ref"] == "record_id=2")
    assert (granted["method"], granted["route"], granted["permission"], granted["granted"]) == (
        "GET", "/api/v1/records/{record_id}", "records.read", True)
    refused = next(a for a in rows if a["user_name"] == "partner" and a["object_ref"] == "record_id=3")
    assert (refused["granted"], refused["detail"]) == (False, {"reason": "role"})
    assert refused["client"] == "127.0.0.1"


def test_seeded_times_are_what_the_docstring_says():
    assert [t.date().isoformat() for t in ARREST_TIMES] == [
        "2026-11-18", "2026-11-03", "2026-03-01", "2025-11-19", "2025-06-01"]


def test_cached_review_follows_every_change(live):
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    with live.client("supervisor") as c:
        def arrests() -> int:
            body = c.get("/api/v1/operations/test-op/review", params=params).json()
            return next(f for f in body["figures"] if f["key"] == "arrests")["value"]

        before = arrests()
        assert arrests() == before  # served from the cache
        created = c.post("/api/v1/records", json=_arrest("CACHE-1", occurred_at="2026-11-21T10:00:00+00:00"))
        assert arrests() == before + 1
        c.delete(f"/api/v1/records/{created.json()['id']}", params={"reason": "test of the cache"})
        assert arrests() == before


def test_review_cache_builds_once_under_concurrency():
    import threading

    from clearhold.interfaces.api.review_cache import ReviewCache

    cache = ReviewCache(size=2)
    calls = []

    def build():
        calls.append(1)
        threading.Event().wait(0.05)
        return {"n": len(calls)}

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(("k",), build))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [{"n": 1}] * 8
    assert (cache.hits, cache.misses) == (7, 1)
    cache.get(("a",), lambda: {"n": "a"})
    cache.get(("b",), lambda: {"n": "b"})
    assert cache.get(("k",), lambda: {"n": "rebuilt"}) == {"n": "rebuilt"}  # evicted (size 2)
    with pytest.raises(ValueError, match="size was 0"):
        ReviewCache(size=0)


def test_anpr_office_api_acknowledge_and_outcome(live):
    import importlib.util

    if importlib.util.find_spec("clearhold.anpr.service") is None:
        pytest.skip("the ANPR domain is not in this build")
    with live.client("officer") as c:
        hits = c.get("/api/v1/anpr/hits", params={"status": "new"}).json()
        hit_id = next(h["id"] for h in hits if h["read_ref"] == "R-1")
        unviewed = c.post(f"/api/v1/anpr/hits/{hit_id}/acknowledge", json={"decision": "accept", "image_viewed": False})
        assert unviewed.status_code == 403 and "without viewing the image" in unviewed.json()["detail"]
        early = c.post(f"/api/v1/anpr/hits/{hit_id}/outcome", json={"outcome": "stopped"})
        assert early.status_code == 409
        ok = c.post(f"/api/v1/anpr/hits/{hit_id}/acknowledge", json={"decision": "accept", "image_viewed": True})
        assert (ok.json()["status"], ok.json()["acknowledged_by"]) == ("accepted", "officer")
        done = c.post(f"/api/v1/anpr/hits/{hit_id}/outcome", json={
            "outcome": "arrest", "operation": "test-op", "person_ref": "P-0042",
            "offences": [{"group": "Drug offences", "text": "possession with intent to supply class A"}]})
        assert (done.json()["outcome"], done.json()["outcome_by"]) == ("arrest", "officer")
        # The stop and the arrest entered the operation's ledger, linked to the hit and to each other.
        records = c.get("/api/v1/operations/test-op/records").json()
        stops = [r for r in records if r["kind"] == "vehicle_stop" and r["anpr_hit_ref"] == f"ANPR-HIT-{hit_id}"]
        arrests = [r for r in records if r["kind"] == "arrest" and r["source_record_id"] == stops[0]["id"]]
        assert (len(stops), len(arrests), arrests[0]["person_ref"]) == (1, 1, "P-0042")
        assert c.get("/api/v1/anpr/hotlist").status_code == 403  # officers do not manage hotlists
    with live.client("analyst") as c:
        assert [e["vrm"] for e in c.get("/api/v1/anpr/hotlist").json()] == ["AB12CDE"]
        no_reason = c.post("/api/v1/anpr/search", json={"pattern": "AB12CDE", "reason": ""})
        assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    with live.client("partner") as c:
        assert c.get("/api/v1/anpr/hits").status_code == 403
