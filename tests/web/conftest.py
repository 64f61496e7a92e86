from __future__ import annotations

import pytest

from tests.api import live_server


@pytest.fixture(scope="session")
def web_live(tmp_path_factory):
    """The application on a real uvicorn for the page and browser tests (its own database)."""
    from tests.api.seed import seed

    server = live_server.start(tmp_path_factory.mktemp("live-web") / "web.db", seed=seed)
    yield server
    server.stop()


@pytest.fixture
def logged_in(web_live):
    """A function giving an httpx client logged in (session cookie) as a role."""
    import httpx

    clients = []

    def make(role: str) -> httpx.Client:
        client = httpx.Client(base_url=web_live.url, timeout=30)
        assert live_server.login(client, role).status_code == 303
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
