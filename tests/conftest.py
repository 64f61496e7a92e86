"""Fixtures shared by the whole suite.

Real data lives in ../shared/data (never copied into the project). Where it is missing,
tests that need it skip with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CLEARHOLD_TEST_DATA", PROJECT_ROOT.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_shared_data(*parts: str) -> Path:
    """The path of a real data file under ../shared/data; skip (or fail under CI) if missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"real data {path} is missing (expected ../shared/data beside the project)"
        if IN_CI:
            pytest.fail(message + "; CI=true requires it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return need_shared_data()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own CLEARHOLD_HOME so nothing leaks between tests or into the repo."""
    monkeypatch.setenv("CLEARHOLD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLEARHOLD_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLEARHOLD_STORE", raising=False)
    from clearhold.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def sqlite_engine(tmp_path):
    """A migrated SQLite records database in a temporary file."""
    from clearhold.storage.database import make_engine
    from clearhold.storage.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (started here, stopped at the end)."""
    from tests.support.postgres import PostgresServer, pg_bindir

    if pg_bindir() is None:
        message = "PostgreSQL is not installed (scripts/run test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_engine(postgres_server):
    """A fresh, migrated PostgreSQL database for one test."""
    from clearhold.storage.database import make_engine
    from clearhold.storage.migrate import upgrade

    url = postgres_server.create_database("t_" + uuid.uuid4().hex[:12])
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request):
    """Runs a test on both back ends: the embedded default and a real PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_engine")
    return request.getfixturevalue("postgres_engine")
