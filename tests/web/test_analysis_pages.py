"""The patrol plan and evaluation pages on a live server with real crimes in its store
(tests.api.analysis_live): forms, results, the map data, downloads, CSRF, grants and refusals."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.api import analysis_live, live_server

PLAN = {"area": "test-centre", "start": "2022-01", "end": "2022-03", "budget_hours": "2", "shift": "18:00-02:00",
        "date": "2022-04-01"}


@pytest.fixture(scope="session")
def alive(tmp_path_factory):
    server = analysis_live.server(tmp_path_factory)
    yield server
    analysis_live.stop()


@pytest.fixture
def as_role(alive):
    yield from live_server.session_clients(alive.url)


def _map_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1))


def test_patrol_plan_page_shows_visits_map_and_downloads(as_role, alive):
    c = as_role("officer")
    empty = c.get("/hotspots/patrol-plan")
    assert empty.status_code == 200 and 'id="plan-form"' in empty.text and 'id="visits"' not in empty.text
    r = c.get("/hotspots/patrol-plan", params=PLAN)
    assert r.status_code == 200, r.text
    with alive.client("officer") as api:
        plan = api.get("/api/v1/patrol-plan", params={**PLAN, "from": "2022-01", "to": "2022-03"}).json()
    rows = re.findall(r"<tr><td class=\"num\">\d+</td>", r.text)
    assert len(rows) == len(plan["visits"]) == 8
    for v in plan["visits"]:
        assert v["grid_ref"] in r.text and v["cell_id"] in r.text
    cells = [f for f in _map_data(r.text)["areas"]["features"] if f["properties"]["layer"] == "cells"]
    assert len(cells) == plan["n_cells"]
    assert "/static/leaflet/leaflet.js" in r.text and "/static/map.js" in r.text and "<script>" not in r.text
    links = re.findall(r'href="(/api/v1/patrol-plan\?[^"]+)"', r.text)
    assert len(links) == 3
    sheet = c.get(links[0].replace("&amp;", "&"))
    assert sheet.status_code == 200 and plan["visits"][0]["grid_ref"] in sheet.text
    # officers view plans but may not record them: no recording form
    assert 'id="record-form"' not in r.text


def test_patrol_plan_page_area_spec_and_errors(as_role):
    c = as_role("analyst")
    bad = c.get("/hotspots/patrol-plan", params={**PLAN, "shift": "6pm-2am", "budget_hours": "-1"})
    assert bad.status_code == 422
    assert "shift" in bad.text and "budget_hours" in bad.text and 'id="plan-errors"' in bad.text
    nowhere = c.get("/hotspots/patrol-plan", params={**PLAN, "start": "2019-01", "end": "2019-02"})
    assert nowhere.status_code == 422 and "no crimes" in nowhere.text
    spec = c.get("/hotspots/patrol-plan", params={**PLAN, "area": "", "area_spec": "ward:../etc"})
    assert spec.status_code == 422 and "must not contain" in spec.text


def test_patrol_plan_recorded_from_the_page_with_csrf(as_role):
    c = as_role("analyst")
    values = {**PLAN, "date": "2026-07-01", "budget_hours": "0.5", "shift": "10:00-12:00"}
    page = c.get("/hotspots/patrol-plan", params=values)
    assert 'id="record-form"' in page.text
    csrf = live_server.csrf_of(page.text)
    no_csrf = c.post("/hotspots/patrol-plan", data={**values, "operation": "test-op"})
    assert no_csrf.status_code == 403
    done = c.post("/hotspots/patrol-plan", data={**values, "operation": "test-op", "csrf_token": csrf})
    assert done.status_code == 200, done.text
    assert "Recorded 2 planned patrols in test-op" in done.text
    again = c.post("/hotspots/patrol-plan", data={**values, "operation": "test-op", "csrf_token": csrf})
    assert again.status_code == 422 and 'id="plan-errors"' in again.text
    records = c.get("/operations/test-op/records", params={"kind": "patrol"})
    assert records.status_code == 200 and records.text.count("patrol") >= 2


def test_patrol_plan_roles(as_role):
    partner = as_role("partner")
    assert partner.get("/hotspots/patrol-plan", params=PLAN).status_code == 403
    assert "Patrol plans" not in partner.get("/").text
    officer = as_role("officer")
    assert "Patrol plans" in officer.get("/").text
    page = officer.get("/hotspots/patrol-plan")
    refused = officer.post("/hotspots/patrol-plan", data={**PLAN, "operation": "test-op",
                                                         "csrf_token": live_server.csrf_of(page.text)})
    assert refused.status_code == 403


def test_evaluation_page(as_role, alive):
    c = as_role("partner")
    form = c.get("/operations/eval-op/evaluation")
    assert form.status_code == 200
    assert 'value="2021-03..2022-02"' in form.text and 'value="2022-03..2022-03"' in form.text
    r = c.get("/operations/eval-op/evaluation", params={"before": "2022-01..2022-02", "during": "2022-03..2022-03"})
    assert r.status_code == 200, r.text
    with alive.client("partner") as api:
        body = api.get("/api/v1/operations/eval-op/evaluation",
                       params={"before": "2022-01..2022-02", "during": "2022-03..2022-03"}).json()
    for key in ("wdd", "wdq", "did", "synthetic_control", "its"):
        assert f'id="method-{key}"' in r.text
    assert body["wdd"]["status"] == "ok"
    assert f"{body['wdd']['estimate']:+,.0f}" in r.text
    assert 'src="data:image/svg+xml;base64,' in r.text and "<style" not in r.text
    assert len(re.findall(r'href="/api/v1/operations/eval-op/evaluation\?', r.text)) == 4
    assert 'href="/operations/eval-op/evaluation"' in c.get("/operations/eval-op").text


def test_evaluation_page_messages(as_role):
    c = as_role("analyst")
    empty = c.get("/operations/eval-op/evaluation", params={"before": "2019-01..2019-06", "during": "2019-07..2019-08"})
    assert empty.status_code == 422 and "no crimes" in empty.text and 'id="evaluation-error"' in empty.text
    bad = c.get("/operations/eval-op/evaluation", params={"before": "last year", "during": "2022-03..2022-03"})
    assert bad.status_code == 422 and "YYYY-MM..YYYY-MM" in bad.text
    weeks = c.get("/operations/eval-op/evaluation", params={"before": "2022-01..2022-02", "during": "2022-03..2022-03",
                                                            "weeks": "lots"})
    assert weeks.status_code == 422 and "weeks" in weeks.text
    assert c.get("/operations/no-such-op/evaluation").status_code == 404


def test_pages_need_login(alive):
    for path in ("/hotspots/patrol-plan", "/operations/eval-op/evaluation"):
        r = httpx.get(alive.url + path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
