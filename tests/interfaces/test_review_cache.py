"""The cache helpers: building once, failed builds, gzip negotiation, TCP_NODELAY."""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest

from clearhold.interfaces.api.review_cache import Encoded, ReviewCache, accepts_gzip


def test_a_failed_build_caches_nothing_and_the_next_call_builds_again():
    cache = ReviewCache(size=2)

    def fail():
        raise LookupError("no such operation")

    with pytest.raises(LookupError, match="no such operation"):
        cache.get(("k",), fail)
    assert cache.get(("k",), lambda: "built") == "built"
    assert (cache.hits, cache.misses) == (0, 1)
    assert cache._locks == {}  # no lock left behind by the failure


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip, deflate", True), ("gzip, deflate, br, zstd", True), ("deflate", False), ("", False),
    ("identity", False), ("*", True), ("x-gzip", True), ("br, gzip;q=0.5", True), ("gzip;q=0", False),
    ("gzip;q=0, *", False), ("GZIP", True), ("gzip;q=nonsense", False),
])
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected


def test_encoded_holds_the_body_its_gzip_and_a_stable_etag():
    body = b'{"figures": [1, 2, 3]}' * 100
    first, second = Encoded.of(body), Encoded.of(body)
    assert first.body == body and gzip.decompress(first.gzipped) == body
    assert first.gzipped == second.gzipped  # no timestamp in the gzip header
    assert first.etag == second.etag and first.etag.startswith('"') and first.etag.endswith('"')
    assert Encoded.of(body + b" ").etag != first.etag


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
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    # serve --workers 2 writes these into the environment: let monkeypatch restore them
    for name, value in (("CLEARHOLD_HOME", str(tmp_path)), ("CLEARHOLD_DATABASE_URL", database),
                        ("CLEARHOLD_SECURE_COOKIES", "false")):
        monkeypatch.setenv(name, value)
    for workers in ("1", "2"):
        result = CliRunner().invoke(app, ["serve", "--database", database, "--workers", workers])
        assert result.exit_code == 0, result.output
    assert [c["http"] for c in calls] == [PROTOCOL, PROTOCOL]
    module, _, name = PROTOCOL.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is NoDelayHTTPProtocol
