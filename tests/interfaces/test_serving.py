"""How ``clearhold serve`` runs the application: Nagle off on every connection, start-up
objects frozen out of the garbage collector's view."""

from __future__ import annotations

import asyncio
import gc
import socket


def test_nodelay_is_set_on_connections_accepted_from_a_protocol_0_socket():
    """uvicorn's multi-worker socket has protocol 0, so asyncio leaves Nagle on; set_nodelay turns it off."""
    from clearhold.interfaces.api.http_protocol import set_nodelay

    async def run() -> tuple[int, int]:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol 0, as uvicorn binds it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        seen: list[tuple[int, int]] = []
        done = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                before = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                set_nodelay(transport)
                seen.append((before, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
                transport.close()
                done.set_result(None)

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        await done
        writer.close()
        server.close()
        await server.wait_closed()
        return seen[0]

    before, after = asyncio.run(run())
    assert before == 0 and after != 0


def test_serve_runs_uvicorn_with_the_nodelay_protocol(monkeypatch, tmp_path):
    import uvicorn
    from typer.testing import CliRunner

    from clearhold.interfaces.api.http_protocol import PROTOCOL, NoDelayHTTPProtocol
    from clearhold.interfaces.cli.main import app

    calls = []
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    # serve --workers 2 writes these into the environment: let monkeypatch restore them
    for name, value in (("CLEARHOLD_HOME", str(tmp_path)), ("CLEARHOLD_DATABASE_URL", database),
                        ("CLEARHOLD_SECURE_COOKIES", "false")):
        monkeypatch.setenv(name, value)
    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: (calls.append(kwargs), apps.append(args[0])))
    for workers in ("1", "2"):
        result = CliRunner().invoke(app, ["serve", "--database", database, "--workers", workers])
        assert result.exit_code == 0, result.output
    assert [c["http"] for c in calls] == [PROTOCOL, PROTOCOL]
    assert apps[0].state.freeze_gc is True  # one worker: the app object itself
    assert apps[1] == "clearhold.interfaces.api.app:create_app_from_env" and calls[1]["factory"] is True
    module, _, name = PROTOCOL.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is NoDelayHTTPProtocol


def test_the_app_factory_of_the_workers_freezes_start_up_objects(monkeypatch):
    from clearhold.interfaces.api import app as app_module

    seen = {}
    monkeypatch.setattr(app_module, "get_settings", lambda: None)
    monkeypatch.setattr(app_module, "create_app", lambda *args, **kwargs: seen.update(kwargs))
    app_module.create_app_from_env()
    assert seen["freeze_gc"] is True


def test_start_up_objects_are_frozen_only_when_asked(tmp_path):
    from clearhold.config import Settings
    from clearhold.interfaces.api.app import create_app
    from clearhold.storage.database import make_engine
    from clearhold.storage.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    upgrade(engine)  # the ANPR writer starts with the app and reads its tables
    settings = Settings(database_url=str(engine.url), home=tmp_path)

    async def frozen_while_running(app) -> int:
        async with app.router.lifespan_context(app):
            return gc.get_freeze_count()

    assert gc.get_freeze_count() == 0
    try:
        assert asyncio.run(frozen_while_running(create_app(settings, engine=engine))) == 0
        assert asyncio.run(frozen_while_running(create_app(settings, engine=engine, freeze_gc=True))) > 0
    finally:
        gc.unfreeze()
        engine.dispose()
