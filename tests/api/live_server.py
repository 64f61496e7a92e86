"""A real uvicorn on a free loopback port, on a migrated SQLite file, with one user per role.

Used by tests/api and tests/web (session-scoped: the server starts once per test run).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PASSWORD = "test-password-123"  # test users only; the application itself has no default password
ROLES = ("officer", "analyst", "supervisor", "partner", "admin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    url: str
    engine: object
    tokens: dict[str, str] = field(default_factory=dict)
    server: object = None
    thread: threading.Thread | None = None

    def client(self, role: str | None = None, **kwargs) -> httpx.Client:
        """An httpx client on the live server, authenticated as ``role`` by bearer token."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, follow_redirects=False, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.engine.dispose()


def start(db_path: Path, *, seed=None, secure_cookies: bool = False) -> Live:
    """Migrate ``db_path``, create the users (and run ``seed(engine)``), start uvicorn in a thread."""
    import uvicorn

    from clearhold.config import Settings
    from clearhold.interfaces.api.app import create_app
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade
    from clearhold.user import service

    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    upgrade(engine)
    tokens = {}
    with session_scope(engine) as session:
        for role in ROLES:
            service.create(session, name=role, role=role, password=PASSWORD)
            tokens[role], _ = service.issue_token(session, name=role, label="tests")
    if seed is not None:
        seed(engine)
    app = create_app(Settings(database_url=url, home=db_path.parent), secure_cookies=secure_cookies, engine=engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return Live(url=f"http://127.0.0.1:{port}", engine=engine, tokens=tokens, server=server, thread=thread)


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the form (fetches the login CSRF cookie first); returns the POST response."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def session_clients(url: str):
    """A generator fixture body: yields ``make(role)`` giving httpx clients logged in by session
    cookie as ``role``, and closes them all afterwards."""
    clients: list[httpx.Client] = []

    def make(role: str) -> httpx.Client:
        client = httpx.Client(base_url=url, timeout=30)
        assert login(client, role).status_code == 303
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
