"""Patrol plans and evaluation results through the JSON API, on a live server whose crime store
holds real Northamptonshire crimes (January to March 2022): answers equal the library's, role
grants and refusals, downloads, the ledger, and clear refusals when the store has no data."""

from __future__ import annotations

import httpx
import pytest

from clearhold.user.roles import ROLES, allowed
from tests.api import analysis_live

PLAN = {"area": "test-centre", "from": "2022-01", "to": "2022-03", "budget_hours": 2, "shift": "18:00-02:00",
        "date": "2022-04-01"}
EVAL = {"before": "2022-01..2022-02", "during": "2022-03..2022-03", "draws": 99}


@pytest.fixture(scope="session")
def alive(tmp_path_factory):
    server = analysis_live.server(tmp_path_factory)
    yield server
    analysis_live.stop()


def _direct_plan(alive):
    from clearhold.area import service as areas
    from clearhold.hotspot import flows
    from clearhold.storage.database import session_scope

    store = analysis_live._SERVER["live"].engine.url.database.rsplit("/", 1)[0] + "/store"
    with session_scope(alive.engine) as session:
        area = areas.get(session, slug="test-centre")
        return flows.patrol_plan(store=store, area=area, start_month="2022-01", end_month="2022-03", budget_hours=2,
                                 shift="18:00-02:00", shift_date=__import__("datetime").date(2022, 4, 1),
                                 session=session)


def test_patrol_plan_json_equals_the_library(alive):
    with alive.client("officer") as c:
        r = c.get("/api/v1/patrol-plan", params=PLAN)
    assert r.status_code == 200, r.text
    body = r.json()
    expected = _direct_plan(alive).to_dict()
    assert len(body["visits"]) == 8 == len(expected["visits"])  # 2 h / 15 min
    assert body["visits"] == expected["visits"]
    assert body["n_cells"] == expected["n_cells"] and body["harm_total"] == expected["harm_total"]
    assert body["area"] == "Test centre" and body["period"] == {"from": "2022-01", "to": "2022-03"}
    assert body["shift_start"] == "2022-04-01T18:00:00+01:00" and body["warnings"] == []


def test_patrol_plan_downloads(alive):
    with alive.client("analyst") as c:
        sheet = c.get("/api/v1/patrol-plan", params={**PLAN, "format": "html"})
        geo = c.get("/api/v1/patrol-plan", params={**PLAN, "format": "geojson"})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/html")
    assert "attachment" in sheet.headers["content-disposition"]
    first = _direct_plan(alive).visits[0]
    assert first.grid_ref in sheet.text
    assert geo.status_code == 200 and geo.headers["content-type"] == "application/geo+json"
    cells = [f for f in geo.json()["features"] if f["properties"]["layer"] == "patrol_cells"]
    assert sum(f["properties"]["visits"] for f in cells) == 8


@pytest.mark.slow
def test_patrol_plan_pdf(alive):
    with alive.client("supervisor") as c:
        r = c.get("/api/v1/patrol-plan", params={**PLAN, "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_patrol_plan_warning_for_a_long_visit_is_reported_not_raised(alive):
    with alive.client("analyst") as c:
        r = c.get("/api/v1/patrol-plan", params={**PLAN, "visit_minutes": 30})
    assert r.status_code == 200, r.text
    assert len(r.json()["visits"]) == 4
    assert any("Koper" in w for w in r.json()["warnings"])


@pytest.mark.parametrize(("params", "match"), [
    ({"area": "ward:Nowhere At All"}, "Nowhere"),
    ({"from": "2019-01", "to": "2019-02"}, "no crimes"),
    ({"area": "no-such-area"}, None),
    ({"types": "Jaywalking"}, "Jaywalking"),
])
def test_patrol_plan_refusals(alive, params, match):
    with alive.client("analyst") as c:
        r = c.get("/api/v1/patrol-plan", params={**PLAN, **params})
    assert r.status_code in (404, 422), r.text
    if match:
        assert match in r.text


def test_patrol_plan_schema_errors(alive):
    with alive.client("analyst") as c:
        assert c.get("/api/v1/patrol-plan", params={**PLAN, "shift": "25:00-02:00"}).status_code == 422
        assert c.get("/api/v1/patrol-plan", params={**PLAN, "budget_hours": 0}).status_code == 422
        assert c.get("/api/v1/patrol-plan", params={**PLAN, "weights": "../etc/passwd"}).status_code == 422
        assert c.get("/api/v1/patrol-plan", params={**PLAN, "area": "ward:../x"}).status_code == 422
        late = c.get("/api/v1/patrol-plan", params={**PLAN, "date": "9999-12-31"})
    assert late.status_code == 422 and "shift_date" in late.text


def test_record_patrol_plan_in_the_ledger(alive):
    body = {"area": "test-centre", "start_month": "2022-01", "end_month": "2022-03", "budget_hours": 1,
            "shift": "08:00-16:00", "shift_date": "2026-05-04"}
    with alive.client("analyst") as c:
        r = c.post("/api/v1/operations/test-op/patrol-plan", json=body)
        assert r.status_code == 201, r.text
        out = r.json()
        assert len(out["record_ids"]) == 4 == len(out["plan"]["visits"])
        rec = c.get(f"/api/v1/records/{out['record_ids'][0]}").json()
        again = c.post("/api/v1/operations/test-op/patrol-plan", json=body)
    visit = out["plan"]["visits"][0]
    assert rec["kind"] == "patrol" and rec["planned"] is True and rec["hotspot_ref"] == visit["cell_id"]
    assert rec["area"] == "test-centre"
    assert again.status_code == 409
    with alive.client("officer") as c:
        assert c.post("/api/v1/operations/test-op/patrol-plan", json=body).status_code == 403
    with alive.client("analyst") as c:
        assert c.post("/api/v1/operations/no-such-op/patrol-plan", json=body).status_code == 404


def test_evaluation_json_equals_the_library(alive):
    from clearhold.evaluation import flows
    from clearhold.reports.evaluation.render import clean
    from clearhold.storage.database import session_scope

    with alive.client("partner") as c:
        r = c.get("/api/v1/operations/eval-op/evaluation", params={**EVAL, "before": "2022-01..2022-02",
                                                                   "during": "2022-03"})
    assert r.status_code == 200, r.text
    body = r.json()
    store = alive.engine.url.database.rsplit("/", 1)[0] + "/store"
    with session_scope(alive.engine) as session:
        expected = clean(flows.evaluate(store=store, session=session, operation="eval-op", before="2022-01..2022-02",
                                        during="2022-03..2022-03", n_draws=99))
    for key in ("wdd", "wdq", "did", "synthetic_control", "its"):
        assert body[key]["status"] == expected[key]["status"], key
        assert body[key]["estimate"] == expected[key]["estimate"], key
    assert body["wdd"]["status"] == "ok"
    assert body["series"] == expected["series"] and body["summary"] == expected["summary"]
    assert body["units"] == expected["units"] and body["units"]["treated"] == ["eval-centre"]
    assert all(u.startswith("lsoa:E01") for u in body["units"]["control"])  # the comparison box, split by LSOA
    assert body["planning"] is None and body["warnings"] == []
    with alive.client("partner") as c:
        planned = c.get("/api/v1/operations/eval-op/evaluation",
                        params={"before": "2022-01..2022-03", "during": "2022-04", "weeks": 4, "draws": 99})
    # April is not stored: counting it as zero would bias every estimate, so the evaluation is refused
    assert planned.status_code == 422 and "no crime is stored for 2022-04" in planned.text
    with alive.client("partner") as c:
        planned = c.get("/api/v1/operations/eval-op/evaluation",
                        params={"before": "2022-01..2022-02", "during": "2022-03", "weeks": 4, "draws": 99})
    assert planned.status_code == 200, planned.text
    # Two months of history are too few to plan on: the page says so rather than guessing.
    assert "at least 3" in planned.json()["planning"]["error"]


def test_evaluation_defaults_are_the_year_before_and_the_operation(alive):
    from clearhold.interfaces.api.routers.evaluation import default_periods
    from clearhold.operation import service as operations
    from clearhold.storage.database import session_scope

    with session_scope(alive.engine) as session:
        assert default_periods(operations.get(session, slug="eval-op")) == ("2021-03..2022-02", "2022-03..2022-03")
    with alive.client("analyst") as c:
        r = c.get("/api/v1/operations/eval-op/evaluation", params={"draws": 99})
    # 2021-03..2021-12 are not in the store: a clear refusal naming the periods, not a 500
    assert r.status_code == 422, r.text
    assert "2021-03..2022-02" in r.text and "stored" in r.text


def test_evaluation_planning_needs_three_months(alive):
    with alive.client("analyst") as c:
        r = c.get("/api/v1/operations/eval-op/evaluation", params={**EVAL, "weeks": 4})
    assert r.status_code == 200, r.text
    assert "at least 3" in r.json()["planning"]["error"]


def test_evaluation_report_downloads(alive):
    with alive.client("analyst") as c:
        html = c.get("/api/v1/operations/eval-op/evaluation", params={**EVAL, "format": "html"})
        md = c.get("/api/v1/operations/eval-op/evaluation", params={**EVAL, "format": "md"})
    assert html.status_code == 200 and "Did it work?" in html.text and "attachment" in html.headers["content-disposition"]
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")


def test_evaluation_without_stored_crime_is_a_clear_refusal(alive):
    with alive.client("analyst") as c:
        r = c.get("/api/v1/operations/eval-op/evaluation", params={"before": "2019-01..2019-06", "during": "2019-07",
                                                                   "draws": 99})
        bad = c.get("/api/v1/operations/eval-op/evaluation", params={"before": "2022-03", "during": "2022-01"})
        missing = c.get("/api/v1/operations/nope-op/evaluation", params=EVAL)
    assert r.status_code == 422 and "no crimes" in r.text and "crime ingest" in r.text
    assert bad.status_code == 422 and "before" in bad.text
    assert missing.status_code == 404


NEW = {"patrol.read": ("GET", "/api/v1/patrol-plan", {"params": PLAN}, 200),
       "evaluation.read": ("GET", "/api/v1/operations/eval-op/evaluation", {"params": EVAL}, 200)}
CASES = [(p, r) for p in NEW for r in ROLES]


@pytest.mark.parametrize(("permission", "role"), CASES, ids=[f"{p}-{r}" for p, r in CASES])
def test_new_permissions_grant_and_refuse(alive, permission, role):
    method, path, kwargs, success = NEW[permission]
    with alive.client(role) as c:
        r = c.request(method, path, **kwargs)
    if allowed(role, permission):
        assert r.status_code == success, r.text
    else:
        assert r.status_code == 403 and role in r.text


@pytest.mark.parametrize("role", ROLES)
def test_patrol_plan_recording_grant_and_refusal(alive, role):
    body = {"area": "test-centre", "start_month": "2022-01", "end_month": "2022-03", "budget_hours": 0.25,
            "shift": "09:00-10:00", "shift_date": f"2026-06-{ROLES.index(role) + 1:02d}"}
    with alive.client(role) as c:
        r = c.post("/api/v1/operations/test-op/patrol-plan", json=body)
    assert r.status_code == (201 if allowed(role, "patrol.plan") else 403), r.text


def test_new_routes_need_credentials(alive):
    assert httpx.get(alive.url + "/api/v1/patrol-plan", params=PLAN).status_code == 401
    assert httpx.get(alive.url + "/api/v1/operations/eval-op/evaluation").status_code == 401
    assert httpx.post(alive.url + "/api/v1/operations/test-op/patrol-plan", json={}).status_code == 401


def test_empty_store_on_the_standard_server_is_a_422_not_a_500(live):
    with live.client("analyst") as c:
        plan = c.get("/api/v1/patrol-plan", params=PLAN)
        ev = c.get("/api/v1/operations/test-op/evaluation", params=EVAL)
    assert plan.status_code == 422, plan.text
    assert ev.status_code == 422 and "no crimes" in ev.text, ev.text
