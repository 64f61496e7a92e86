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
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="uvicorn worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
) -> None:
    """Start the web application and JSON API (migrates the database first)."""
    from clearhold.interfaces.cli.common import (
        engine_for,
        err_console,
        handled_errors,
        settings_for,
    )

    if secure_cookies is None:
        secure_cookies = host not in LOOPBACK
    if not secure_cookies and host not in LOOPBACK:
        err_console().print("warning: cookies without Secure on a non-loopback address; use HTTPS in front")
    with handled_errors():
        import os

        import uvicorn

        from clearhold.interfaces.api.app import create_app
        from clearhold.interfaces.api.http_protocol import PROTOCOL

        engine_for(database).dispose()  # migrate first
        err_console().print(f"clearhold serving on http://{host}:{port}/ (health: /health, API: /openapi.json)")
        if workers == 1:
            app = create_app(settings_for(database), secure_cookies=secure_cookies, freeze_gc=True)
            uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, access_log=access_log,
                        http=PROTOCOL)
            return
        # several processes: each builds the app from the environment
        if database:
            os.environ["CLEARHOLD_DATABASE_URL"] = database
        os.environ["CLEARHOLD_SECURE_COOKIES"] = "true" if secure_cookies else "false"
        uvicorn.run("clearhold.interfaces.api.app:create_app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="info", proxy_headers=False, access_log=access_log, http=PROTOCOL)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
