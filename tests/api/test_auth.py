"""Authentication against the live server: health, tokens, sessions, cookies, CSRF, throttling."""

from __future__ import annotations

import httpx
import pytest

from tests.api.live_server import PASSWORD, csrf_of, login


def test_health_answers_without_login(live):
    r = httpx.get(live.url + "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == "ok"


def test_openapi_is_public_and_lists_the_api(live):
    r = httpx.get(live.url + "/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "clearhold"
    assert "/api/v1/me" in spec["paths"]
    assert "/login" not in spec["paths"]  # pages are not part of the JSON API


def test_api_without_credentials_is_401(live):
    r = httpx.get(live.url + "/api/v1/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_unknown_bearer_token_is_401(live):
    r = httpx.get(live.url + "/api/v1/me", headers={"Authorization": "Bearer chk_not-a-token"})
    assert r.status_code == 401


def test_bearer_token_identifies_the_user(live):
    with live.client("analyst") as c:
        r = c.get("/api/v1/me")
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["role"]) == ("analyst", "analyst")


def test_issued_token_works_and_revoked_token_does_not(live):
    with live.client("officer") as c:
        issued = c.post("/api/v1/me/tokens", json={"label": "phone", "days": 1})
        assert issued.status_code == 201
        body = issued.json()
        assert body["token"].startswith("chk_") and body["prefix"] == body["token"][:12]
        fresh = {"Authorization": f"Bearer {body['token']}"}
        assert httpx.get(live.url + "/api/v1/me", headers=fresh).json()["name"] == "officer"
        assert c.delete(f"/api/v1/me/tokens/{body['id']}").json()["revoked_at"] is not None
    assert httpx.get(live.url + "/api/v1/me", headers=fresh).status_code == 401


def test_tokens_are_stored_hashed(live):
    from sqlalchemy import select

    from clearhold.storage.database import session_scope
    from clearhold.user.tables import ApiToken

    with session_scope(live.engine) as session:
        stored = set(session.scalars(select(ApiToken.token_hash)))
    assert live.tokens["admin"] not in stored
    assert all(len(h) == 64 for h in stored)


def test_pages_redirect_to_login_when_not_logged_in(live):
    r = httpx.get(live.url + "/audit")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Faudit"


def test_login_sets_an_httponly_samesite_session_cookie(live):
    with httpx.Client(base_url=live.url) as c:
        r = login(c, "supervisor")
        assert r.status_code == 303
        cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("clearhold_session=")][0]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Secure" not in cookie  # this server runs with secure_cookies=False (http on loopback)
        assert c.get("/audit").status_code == 200


def test_login_refuses_a_wrong_password_without_saying_which_part(live):
    with httpx.Client(base_url=live.url) as c:
        r = login(c, "partner", "wrong-password-xyz")
    assert r.status_code == 401
    assert "name or password not recognised" in r.text
    assert "clearhold_session" not in r.headers.get("set-cookie", "")


def test_login_form_without_its_csrf_cookie_is_refused(live):
    r = httpx.post(live.url + "/login", data={"name": "admin", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert "The form had expired" in r.text


def test_cookie_session_changes_need_the_csrf_token(live):
    with httpx.Client(base_url=live.url) as c:
        login(c, "analyst")
        refused = c.post("/api/v1/me/tokens", json={"label": "x"})
        assert refused.status_code == 403
        assert refused.json() == {"detail": "missing or wrong CSRF token"}
        csrf = csrf_of(c.get("/").text)
        granted = c.post("/api/v1/me/tokens", json={"label": "x"}, headers={"X-CSRF-Token": csrf})
        assert granted.status_code == 201


def test_logout_ends_the_session(live):
    with httpx.Client(base_url=live.url) as c:
        login(c, "admin")
        csrf = csrf_of(c.get("/audit").text)
        assert c.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert c.get("/audit").status_code == 303


def test_login_is_throttled_after_five_failures(live):
    from clearhold.storage.database import session_scope
    from clearhold.user import service

    with session_scope(live.engine) as session:
        service.create(session, name="throttled", role="officer", password=PASSWORD)
    with httpx.Client(base_url=live.url) as c:
        statuses = [login(c, "throttled", "wrong-password-!!").status_code for _ in range(5)]
        assert statuses == [401] * 5
        r = login(c, "throttled", PASSWORD)  # even the right password now waits
    assert r.status_code == 429
    assert "too many failed logins for &#39;throttled&#39;" in r.text


def test_cookies_are_secure_by_default(tmp_path):
    """create_app marks cookies Secure unless told otherwise (here driven in-process via ASGI)."""
    import asyncio

    from clearhold.config import Settings
    from clearhold.interfaces.api.app import create_app
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade
    from clearhold.user import service

    engine = make_engine(f"sqlite:///{tmp_path / 'secure.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        service.create(session, name="sam", role="officer", password=PASSWORD)
    app = create_app(Settings(database_url="sqlite://"), engine=engine)

    async def go():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            page = await c.get("/login")
            assert page.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            r = await c.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
            return r

    r = asyncio.run(go())
    engine.dispose()
    assert r.status_code == 303
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("clearhold_session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_disabling_a_user_through_the_api_ends_their_access_at_once(live):
    from clearhold.storage.database import session_scope
    from clearhold.user import service

    with session_scope(live.engine) as session:
        service.create(session, name="leaver", role="analyst", password=PASSWORD)
        token, _ = service.issue_token(session, name="leaver", label="t")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(live.url + "/api/v1/me", headers=headers).status_code == 200
    with live.client("admin") as admin:
        assert admin.patch("/api/v1/users/leaver", json={"active": False}).json()["active"] is False
        assert admin.patch("/api/v1/users/admin", json={"role": "officer"}).status_code == 409
    assert httpx.get(live.url + "/api/v1/me", headers=headers).status_code == 401
