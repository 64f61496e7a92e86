"""The caches behind the dashboard, the operation page and the results review.

Every cached view is keyed by the data version: a record created, corrected or deleted
shows at the next request, on pages and in the JSON alike. Fragments are cached per role,
never per user: names and CSRF tokens are the caller's own.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.api import live_server

OP = "test-op"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own live server and database: these tests add records."""
    from tests.api.seed import seed

    live = live_server.start(tmp_path_factory.mktemp("web-caches") / "web.db", seed=seed)
    yield live
    live.stop()


@pytest.fixture
def session_client(server):
    yield from live_server.session_clients(server.url)


def _arrest(ref: str, when: datetime) -> dict:
    return {"kind": "arrest", "operation": OP, "ref": ref, "occurred_at": when.isoformat(), "area": "test-centre",
            "person_ref": "P-7777", "age_band": "25-34",
            "offences": [{"group": "Drug offences", "text": "possession with intent to supply"}]}


def _withdraw(server, record_id: int) -> None:
    with server.client("supervisor") as c:
        deleted = c.delete(f"/api/v1/records/{record_id}", params={"reason": "test of the cache"})
        assert deleted.status_code == 200, deleted.text


def _dashboard_arrests_week(html: str) -> int:
    section = re.search(rf'<section class="card operation" data-slug="{OP}">(.*?)</section>', html, re.DOTALL).group(1)
    return int(re.search(r'data-figure="arrests-week">(\d+)<', section).group(1))


def _review_arrests(html: str) -> int:
    return int(re.search(r'data-figure="arrests">([\d,]+)<', html).group(1).replace(",", ""))


def _json_arrests(body: dict) -> int:
    return next(f for f in body["figures"] if f["key"] == "arrests")["value"]


def test_dashboard_figure_changes_right_after_a_record_is_created_through_the_api(server):
    with server.client("officer") as c:
        before = _dashboard_arrests_week(c.get("/").text)
        cache = server.server.config.app.state.view_cache
        misses = cache.misses
        assert _dashboard_arrests_week(c.get("/").text) == before
        assert cache.misses == misses  # served from the cache: nothing built
        created = c.post("/api/v1/records", json=_arrest("DASH-1", datetime.now(UTC) - timedelta(minutes=5)))
        assert created.status_code == 201, created.text
        assert _dashboard_arrests_week(c.get("/").text) == before + 1
        _withdraw(server, created.json()["id"])
        assert _dashboard_arrests_week(c.get("/").text) == before


def test_operation_page_figure_changes_right_after_a_record_is_created(server):
    def arrests_week(html: str) -> int:
        return int(re.search(r'data-figure="arrest-week">(\d+)<', html).group(1))

    with server.client("officer") as c:
        before = arrests_week(c.get(f"/operations/{OP}").text)
        created = c.post("/api/v1/records", json=_arrest("OPPAGE-1", datetime.now(UTC) - timedelta(minutes=5)))
        assert created.status_code == 201, created.text
        assert arrests_week(c.get(f"/operations/{OP}").text) == before + 1
        _withdraw(server, created.json()["id"])
        assert arrests_week(c.get(f"/operations/{OP}").text) == before


def test_review_json_and_page_follow_a_correction_at_once(server):
    params = {"from": "2026-11-01", "to": "2026-11-20"}
    with server.client("officer") as c:
        def both() -> tuple[int, int]:
            body = c.get(f"/api/v1/operations/{OP}/review", params=params).json()
            page = c.get(f"/operations/{OP}/review", params={"start": params["from"], "end": params["to"]}).text
            return _json_arrests(body), _review_arrests(page)

        before = both()
        assert before[0] == before[1]
        created = c.post("/api/v1/records", json=_arrest("REVIEW-1", datetime(2026, 11, 10, 12, tzinfo=UTC)))
        assert created.status_code == 201, created.text
        assert both() == (before[0] + 1, before[1] + 1)
        # moved out of the period by a correction: the cached review must not keep it
        record_id, version = created.json()["id"], created.json()["version"]
        corrected = c.patch(f"/api/v1/records/{record_id}", json={
            "changes": {"occurred_at": "2026-10-10T12:00:00+00:00"}, "reason": "wrong date entered",
            "expected_version": version})
        assert corrected.status_code == 200, corrected.text
        assert both() == before


def test_review_json_is_sent_gzipped_with_an_etag_that_follows_the_data(server):
    path = f"/api/v1/operations/{OP}/review"
    with server.client("analyst") as c:
        plain = c.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.headers.get("content-encoding") is None
        raw = c.build_request("GET", path, headers={"Accept-Encoding": "gzip"})
        zipped = c.send(raw, stream=True)
        try:
            compressed = b"".join(zipped.iter_raw())
        finally:
            zipped.close()
        assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
        assert gzip.decompress(compressed) == plain.content
        assert len(compressed) < len(plain.content)
        etag = plain.headers["etag"]
        assert zipped.headers["etag"] == etag
        unchanged = c.get(path, headers={"If-None-Match": etag})
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        assert unchanged.headers["etag"] == etag
        created = c.post("/api/v1/records", json=_arrest("ETAG-1", datetime(2026, 11, 10, 12, tzinfo=UTC)))
        assert created.status_code == 201, created.text
        changed = c.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_partners_get_their_own_fragment_even_after_police_filled_the_cache(server):
    page = f"/operations/{OP}/review"
    with server.client("analyst") as c:
        police = c.get(page).text
    with server.client("partner") as c:
        partner = c.get(page).text
    assert re.search(r'href="/records/\d+"', police)
    assert not re.search(r'href="/records/\d+"', partner)
    assert "partner view: figures only" in partner and "partner view: figures only" not in police
    assert "Tactic scorecards" in police and "Tactic scorecards" not in partner


def test_cached_pages_carry_the_callers_own_name_and_csrf_token(session_client):
    officer, supervisor = session_client("officer"), session_client("supervisor")
    for path in ("/", f"/operations/{OP}", f"/operations/{OP}/review"):
        first, second = officer.get(path), supervisor.get(path)
        assert first.status_code == second.status_code == 200, path
        assert "officer (officer)" in first.text and "supervisor (supervisor)" in second.text
        assert "supervisor (supervisor)" not in first.text and "officer (officer)" not in second.text
        csrf_first, csrf_second = live_server.csrf_of(first.text), live_server.csrf_of(second.text)
        assert csrf_first and csrf_second and csrf_first != csrf_second
        assert officer.get(path).text == first.text  # the same user gets the same page from the cache


def test_an_unknown_operation_is_not_found_and_caches_nothing(server):
    with server.client("officer") as c:
        for path in ("/operations/no-such-op", "/operations/no-such-op/review", "/api/v1/operations/no-such-op/review"):
            assert c.get(path).status_code == 404, path
            assert c.get(path).status_code == 404, path


def test_data_version_is_the_same_from_the_engine_and_a_session_and_moves_with_records(server):
    from clearhold.interfaces.api.review_cache import data_version
    from clearhold.storage.database import session_scope

    fast = data_version(server.engine)
    with session_scope(server.engine) as session:
        assert data_version(session) == fast
    with server.client("officer") as c:
        created = c.post("/api/v1/records", json=_arrest("VERSION-1", datetime(2026, 11, 9, 12, tzinfo=UTC)))
        assert created.status_code == 201, created.text
    assert data_version(server.engine) != fast


def test_templates_are_compiled_once(server):
    from clearhold.config import Settings
    from clearhold.interfaces.api.app import create_app

    app = create_app(Settings(database_url="sqlite://"), engine=server.engine)
    assert app.state.templates.env.auto_reload is False
