"""``clearhold serve``: migrate the records database, then run the web application (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    database: DatabaseOpt = None,
    secure_cookies: Annotated[bool | None, typer.Option(
        "--secure-cookies/--insecure-cookies", envvar="CLEARHOLD_SECURE_COOKIES",
        help="Mark cookies Secure (HTTPS only). Default: Secure unless listening on loopback.")] = None,
) -> None:
    """Start the web application and JSON API (migrates the database first)."""
    from clearhold.interfaces.cli.common import engine_for, err_console, handled_errors, settings_for

    if secure_cookies is None:
        secure_cookies = host not in LOOPBACK
    if not secure_cookies and host not in LOOPBACK:
        err_console().print("warning: cookies without Secure on a non-loopback address; use HTTPS in front")
    with handled_errors():
        import uvicorn

        from clearhold.interfaces.api.app import create_app

        engine_for(database).dispose()  # migrate first
        app = create_app(settings_for(database), secure_cookies=secure_cookies)
        err_console().print(f"clearhold serving on http://{host}:{port}/ (health: /health, API: /openapi.json)")
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
