from __future__ import annotations

import pytest

from tests.api import live_server


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The application on a real uvicorn, shared by the API tests."""
    from tests.api.seed import seed

    server = live_server.start(tmp_path_factory.mktemp("live-api") / "web.db", seed=seed)
    yield server
    server.stop()
