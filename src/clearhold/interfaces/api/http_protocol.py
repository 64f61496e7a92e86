"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

asyncio sets ``TCP_NODELAY`` only on sockets whose protocol number is ``IPPROTO_TCP``.
With several workers uvicorn binds the listening socket itself with protocol 0, so the
accepted connections keep Nagle on: a small response, written as headers then body, waits
for the client's delayed ACK (40 ms on Linux) on every keep-alive request. ``clearhold
serve`` passes this class to uvicorn (``http=PROTOCOL``) whatever the number of workers.
"""

from __future__ import annotations

import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

PROTOCOL = "clearhold.interfaces.api.http_protocol:NoDelayHTTPProtocol"


def set_nodelay(transport) -> None:
    """Turn Nagle's algorithm off on ``transport``'s TCP socket (nothing for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # pragma: no cover - a socket closed under us
        pass


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # httptools when installed, else h11
    def connection_made(self, transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
