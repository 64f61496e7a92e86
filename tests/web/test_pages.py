"""Pages over the live server with a session cookie (no browser): content, forms, refusals."""

from __future__ import annotations

import re

from tests.api.live_server import csrf_of
from tests.api.seed import AS_OF, INTEL_TEXT


def _figure(html: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">(\d+)<', html).group(1))


def test_dashboard_shows_compstat_against_last_year(logged_in):
    c = logged_in("officer")
    page = c.get("/", params={"as_of": AS_OF})
    assert page.status_code == 200
    assert [_figure(page.text, f"arrests-{p}") for p in ("week", "month", "ytd")] == [1, 2, 3]
    op = c.get("/operations/test-op", params={"as_of": AS_OF})
    assert op.status_code == 200
    assert [_figure(op.text, f"arrest-{p}") for p in ("week", "month", "ytd")] == [1, 2, 3]
    assert _figure(op.text, "vehicle_stop-week") == 1
    assert "<svg class=\"chart\"" in op.text and 'id="map"' in op.text
    assert '"name": "Test centre"' in op.text or '"name":"Test centre"' in op.text
    assert "Contains OS data © Crown copyright and database right." in op.text  # shown with every map


def test_static_assets_are_served_by_the_app(web_live):
    import httpx

    for path in ("/static/app.css", "/static/map.js", "/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css"):
        r = httpx.get(web_live.url + path)
        assert r.status_code == 200, path
    assert "script-src 'self'" in httpx.get(web_live.url + "/health").headers["content-security-policy"]


def test_record_an_arrest_through_the_form_and_see_its_history(logged_in):
    c = logged_in("officer")
    form = c.get("/operations/test-op/records/new", params={"kind": "arrest"})
    assert form.status_code == 200
    data = {"csrf_token": csrf_of(form.text), "occurred_at": "2026-11-19T09:30", "person_ref": "P-7777",
            "age_band": "18-24", "offence_group": "Robbery", "offence_text": "robbery of a phone",
            "outcome": "pending", "area": "test-centre", "ref": "FORM-1"}
    saved = c.post("/operations/test-op/records/new?kind=arrest", data=data)
    assert saved.status_code == 303
    record_url = saved.headers["location"].split("?")[0]
    page = c.get(record_url)
    assert "P-7777" in page.text and "robbery of a phone" in page.text and "Record saved." in c.get(saved.headers["location"]).text

    correct = c.get(record_url + "/correct")
    values = {**data, "csrf_token": csrf_of(correct.text), "outcome": "charged", "reason": "charged at custody",
              "version": "1"}
    done = c.post(record_url + "/correct", data=values)
    assert done.status_code == 303, done.text
    history = c.get(record_url).text
    assert "charged at custody" in history and re.search(r"<td>2</td><td>correct</td><td>officer</td>", history)


def test_form_errors_are_shown_inline_against_their_fields(logged_in):
    c = logged_in("officer")
    form = c.get("/operations/test-op/records/new", params={"kind": "arrest"})
    bad = {"csrf_token": csrf_of(form.text), "occurred_at": "2026-11-19T09:30", "person_ref": "John Smith",
           "offence_group": "Robbery", "offence_text": "", "lat": "52.2"}
    r = c.post("/operations/test-op/records/new?kind=arrest", data=bad)
    assert r.status_code == 422
    assert re.search(r'id="err-person_ref" role="alert">[^<]*never a name', r.text)
    assert 'id="err-offence_text"' in r.text
    assert 'value="John Smith"' in r.text  # what was typed is kept
    whole = {**bad, "csrf_token": csrf_of(r.text), "person_ref": "P-1", "offence_text": "robbery"}
    r2 = c.post("/operations/test-op/records/new?kind=arrest", data=whole)
    assert r2.status_code == 422
    assert re.search(r'id="err-all">[^<]*lat and lon go together', r2.text)


def test_forms_without_the_csrf_token_are_refused(logged_in):
    c = logged_in("officer")
    r = c.post("/operations/test-op/records/new?kind=arrest", data={"occurred_at": "2026-11-19T09:30"})
    assert r.status_code == 403
    assert "missing or wrong CSRF token" in r.text


def test_review_page_links_downloads(logged_in):
    c = logged_in("supervisor")
    r = c.get("/operations/test-op/review", params={"start": "2026-11-01", "end": "2026-11-20"})
    assert r.status_code == 200
    assert "/api/v1/operations/test-op/review?from=2026-11-01&amp;to=2026-11-20&amp;format=pdf" in r.text
    assert 'href="/records/' in r.text  # figures trace to records for police roles
    json_download = c.get("/api/v1/operations/test-op/review", params={"from": "2026-11-01", "to": "2026-11-20"})
    assert json_download.status_code == 200 and json_download.json()["period"]["to"] == "2026-11-20"


def test_partner_sees_figures_but_no_records_intelligence_or_audit(logged_in):
    c = logged_in("partner")
    assert c.get("/", params={"as_of": AS_OF}).status_code == 200
    review = c.get("/operations/test-op/review")
    assert review.status_code == 200 and 'href="/records/' not in review.text and "partner view" in review.text
    for path in ("/intel", "/audit", "/records/1", "/operations/test-op/records", "/operations/test-op/records/new"):
        r = c.get(path)
        assert r.status_code == 403, path
        assert INTEL_TEXT not in r.text
    op = c.get("/operations/test-op", params={"as_of": AS_OF}).text
    assert '"points": []' in op or '"points":[]' in op


def test_analyst_reads_intelligence_and_supervisor_the_audit(logged_in):
    analyst = logged_in("analyst")
    assert INTEL_TEXT in analyst.get("/intel").text
    supervisor = logged_in("supervisor")
    audit = supervisor.get("/audit", params={"user": "analyst"}).text
    assert "/intel" in audit and "intel.read" in audit


def _anpr_or_skip(web_live):
    import httpx
    import pytest

    if httpx.get(web_live.url + "/anpr").status_code == 404:
        pytest.skip("the ANPR domain is not mounted in this build")


def test_anpr_hit_workflow_refusals_and_polling(web_live, logged_in):
    _anpr_or_skip(web_live)
    officer = logged_in("officer")
    page = officer.get("/anpr")
    assert page.status_code == 200 and "AB12CDE" in page.text
    newest = int(re.search(r'data-hit="(\d+)"', page.text).group(1))
    assert officer.get("/anpr/alerts.json", params={"after": newest}).json() == []
    hit_id = 1  # the seeded read R-1 (other tests may have added more)
    assert [a["vrm_read"] for a in officer.get("/anpr/alerts.json", params={"after": 0}).json()][-1] == "AB12CDE"
    hit = officer.get(f"/anpr/hits/{hit_id}")
    assert "images/R-1-plate.jpg" in hit.text
    csrf = csrf_of(hit.text)
    unviewed = officer.post(f"/anpr/hits/{hit_id}/acknowledge", data={"csrf_token": csrf, "decision": "accept"})
    assert unviewed.status_code == 403 and "without viewing the image" in unviewed.text
    assert officer.get("/anpr/search").status_code == 403  # officers work alerts, analysts search
    partner = logged_in("partner")
    for path in ("/anpr", "/anpr/alerts.json", f"/anpr/hits/{hit_id}", "/anpr/search", "/anpr/hotlist"):
        assert partner.get(path).status_code == 403, path


def test_anpr_search_needs_a_reason_and_an_anpr_authorisation(web_live, logged_in):
    _anpr_or_skip(web_live)
    analyst = logged_in("analyst")
    form = analyst.get("/anpr/search")
    r = analyst.post("/anpr/search", data={"csrf_token": csrf_of(form.text), "pattern": "AB12CDE", "reason": "",
                                           "days": "30"})
    assert r.status_code == 422 and 'id="search-error"' in r.text


def test_anpr_hotlist_add_and_expire(web_live, logged_in):
    _anpr_or_skip(web_live)
    analyst = logged_in("analyst")
    page = analyst.get("/anpr/hotlist")
    added = analyst.post("/anpr/hotlist", data={"csrf_token": csrf_of(page.text), "vrm": "XY51 ABC",
                                                "reason": "linked to violence", "priority": "high"})
    assert added.status_code == 303
    listing = analyst.get(added.headers["location"]).text
    assert "XY51ABC" in listing and "added; already seen on 0 reads" in listing
    bad = analyst.post("/anpr/hotlist", data={"csrf_token": csrf_of(listing), "vrm": "X", "reason": "r",
                                              "priority": "urgent"})
    assert bad.status_code == 422 and "priority was &#39;urgent&#39;" in bad.text


def test_hotspots_page_reports_an_empty_crime_store_and_refuses_partners(logged_in):
    analyst = logged_in("analyst")
    empty = analyst.get("/hotspots")
    assert empty.status_code == 200 and 'id="map"' not in empty.text  # the form only
    r = analyst.get("/hotspots", params={"start": "2024-01", "end": "2024-03"})
    assert r.status_code == 422
    assert re.search(r'id="hotspot-error">the selection has no crimes', r.text)
    bad = analyst.get("/hotspots", params={"start": "2024-13"})
    assert bad.status_code == 422 and "from was &#39;2024-13&#39;" in bad.text
    assert logged_in("partner").get("/hotspots").status_code == 403


def test_review_page_shows_tactic_scorecards_to_analysts(logged_in):
    page = logged_in("analyst").get("/operations/test-op/review").text
    assert "Tactic scorecards" in page and "ANPR-initiated stops" in page


def test_records_list_newest_first_and_kind_checked(logged_in):
    c = logged_in("officer")
    page = c.get("/operations/test-op/records", params={"kind": "arrest"})
    assert page.status_code == 200
    refs = re.findall(r"<td>(ARR-\d)</td>", page.text)
    assert refs == ["ARR-1", "ARR-2", "ARR-3", "ARR-4", "ARR-5"]  # 18 Nov 2026 first, 1 Jun 2025 last
    bad = c.get("/operations/test-op/records", params={"kind": "party"})
    assert bad.status_code == 422 and "kind was &#39;party&#39;" in bad.text


def test_hotspot_areas_are_never_read_from_server_files(logged_in):
    analyst = logged_in("analyst")
    for area, message in (("../etc/passwd.json", "give an area slug"), ("src", "area &#39;src&#39; not found"),
                          ("lsoa:../x", "must not contain")):
        r = analyst.get("/hotspots", params={"area": area, "start": "2024-01"})
        assert r.status_code in (404, 422), area
        assert message in r.text, area
