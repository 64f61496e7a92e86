"""The role matrix (clearhold.user.roles.POLICY) enforced on the live server: grants AND refusals.

For each permission one representative route is called as each role: a role holding the
permission gets the route's success status, every other role gets 403, and nobody gets in
without credentials (401). A separate test checks that every route declares a permission.
"""

from __future__ import annotations

import itertools

import httpx
import pytest

from clearhold.user.roles import POLICY, ROLES, allowed

_counter = itertools.count(1)


def _arrest_body(ref: str) -> dict:
    return {"kind": "arrest", "operation": "test-op", "ref": ref, "occurred_at": "2026-11-19T10:00:00+00:00",
            "area": "test-centre", "person_ref": "P-9999", "age_band": "25-34",
            "offences": [{"group": "Drug offences", "text": "possession with intent to supply"}]}


def _fresh_record(live) -> int:
    with live.client("admin") as c:
        r = c.post("/api/v1/records", json=_arrest_body(f"MATRIX-{next(_counter)}"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


# permission -> function(live, role) returning (method, path, kwargs, success status)
def _case(permission: str, live, role: str):
    n = next(_counter)
    if permission == "dashboard.read":
        return "GET", "/", {}, 200
    if permission == "operations.read":
        return "GET", "/api/v1/operations", {}, 200
    if permission == "operations.write":
        return "POST", "/api/v1/operations/test-op/tactics", {"json": {"name": f"tactic {role} {n}"}}, 201
    if permission == "review.read":
        return "GET", "/api/v1/operations/test-op/review", {}, 200
    if permission == "records.read":
        return "GET", "/api/v1/records/1", {}, 200
    if permission == "records.create":
        return "POST", "/api/v1/records", {"json": _arrest_body(f"M-{role}-{n}")}, 201
    if permission == "records.correct":
        record_id = _fresh_record(live)
        return "PATCH", f"/api/v1/records/{record_id}", {"json": {"changes": {"notes": f"by {role}"}, "reason": "typo"}}, 200
    if permission == "records.delete":
        record_id = _fresh_record(live)
        return "DELETE", f"/api/v1/records/{record_id}", {"params": {"reason": "entered twice"}}, 200
    if permission == "intel.read":
        return "GET", "/api/v1/operations/test-op/intel", {}, 200
    if permission == "audit.read":
        return "GET", "/api/v1/audit", {}, 200
    if permission == "users.admin":
        return "GET", "/api/v1/users", {}, 200
    if permission == "patrol.read":
        return "GET", "/hotspots/patrol-plan", {}, 200
    if permission == "evaluation.read":
        return "GET", "/operations/test-op/evaluation", {}, 200
    if permission == "patrol.plan":  # 422: this server's crime store is empty, but the role got past the gate
        return "POST", "/api/v1/operations/test-op/patrol-plan", {"json": {"budget_hours": 1, "shift": "09:00-10:00"}}, 422
    if permission == "analysis.read":
        return "GET", "/api/v1/operations/test-op/scorecards", {}, 200
    if permission == "account.own":
        return "GET", "/api/v1/me", {}, 200
    if permission.startswith("anpr.") and not _anpr_mounted():
        return None
    if permission == "anpr.alerts":
        return "GET", "/api/v1/anpr/alerts", {}, 200
    if permission == "anpr.ingest":
        return "POST", "/api/v1/anpr/reads", {"json": []}, 200
    if permission == "anpr.search":
        return "GET", "/anpr/search", {}, 200
    if permission == "anpr.hotlist":
        return "GET", "/anpr/hotlist", {}, 200
    return None


def _anpr_mounted() -> bool:
    import importlib.util

    return importlib.util.find_spec("clearhold.anpr.api") is not None


MATRIX = [(p, r) for p in POLICY for r in ROLES]


@pytest.mark.parametrize(("permission", "role"), MATRIX, ids=[f"{p}-{r}" for p, r in MATRIX])
def test_matrix(live, permission, role):
    case = _case(permission, live, role)
    if case is None:
        pytest.skip(f"no route for {permission} in this build (its domain is not mounted)")
    method, path, kwargs, success = case
    with live.client(role) as c:
        r = c.request(method, path, **kwargs)
    if allowed(role, permission):
        assert r.status_code == success, r.text
    else:
        assert r.status_code == 403, r.text
        assert role in r.text


@pytest.mark.parametrize("permission", list(POLICY))
def test_no_credentials_no_access(live, permission):
    case = _case(permission, live, "nobody")
    if case is None:
        pytest.skip(f"no route for {permission}")
    method, path, kwargs, _ = case
    r = httpx.request(method, live.url + path, **kwargs)
    if path.startswith("/api/"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


PUBLIC = {("/health", "GET"), ("/login", "GET"), ("/login", "POST"), ("/openapi.json", "GET"), ("/openapi.json", "HEAD")}


def test_every_route_declares_a_permission_from_the_table():
    from clearhold.config import Settings
    from clearhold.interfaces.api.app import create_app
    from clearhold.interfaces.api.deps import iter_routes, permission_of

    app = create_app(Settings(database_url="sqlite://"))
    unguarded, unknown = [], []
    for path, methods, route in iter_routes(app):
        if path is None or path.startswith("/static"):
            continue
        permission = permission_of(route)
        for method in methods:
            if (path, method) in PUBLIC:
                assert permission is None, f"{method} {path} is public"
                continue
            if permission is None:
                unguarded.append(f"{method} {path}")
            elif any(p not in POLICY for p in permission.split("|")):
                unknown.append(f"{method} {path}: {permission}")
    assert unguarded == []
    assert unknown == []


def test_partner_review_is_sanitised(live):
    with live.client("partner") as c:
        partner = c.get("/api/v1/operations/test-op/review").json()
    with live.client("analyst") as c:
        analyst = c.get("/api/v1/operations/test-op/review").json()
    assert partner["sanitised"] is True and "sanitised" not in analyst
    assert [f["value"] for f in partner["figures"]] == [f["value"] for f in analyst["figures"]]
    assert partner["records"] == [] and partner["points"] == []
    assert all(f["record_ids"] == [] and f.get("record_values", {}) == {} for f in partner["figures"])
    assert all(row["record_ids"] == [] for f in partner["figures"] for rows in f["breakdowns"].values() for row in rows)
    assert analyst["records"] and any(f["record_ids"] for f in analyst["figures"])


def test_partner_never_sees_intelligence_content(live):
    from tests.api.seed import INTEL_TEXT

    with live.client("partner") as c:
        for path in ("/api/v1/operations/test-op/intel", "/api/v1/intel/INT-1", "/api/v1/records/1",
                     "/api/v1/operations/test-op/records"):
            assert c.get(path).status_code == 403
        review = c.get("/api/v1/operations/test-op/review").text
    assert INTEL_TEXT not in review and "P-0001" not in review
    with live.client("analyst") as c:
        assert c.get("/api/v1/intel/INT-1").json()["items"][0]["text"] == INTEL_TEXT
