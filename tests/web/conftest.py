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
    yield from live_server.session_clients(web_live.url)
