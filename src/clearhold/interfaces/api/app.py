"""The application factory: API routers, pages, static assets, security headers.

Nothing happens at import. ``create_app(settings)`` makes the engine (without connecting);
``clearhold serve`` migrates the database before starting uvicorn.
"""

from __future__ import annotations

import importlib
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import clearhold
from clearhold.config import Settings, get_settings

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

# Routers that exist only when their domain does (``clearhold.<domain>`` importable).
_API_ROUTERS = [
    ("health", None), ("account", None), ("users", None), ("audit", None),
    ("operations", "clearhold.operation.service"), ("records", "clearhold.record.service"),
    ("review", "clearhold.reports.review"), ("intel", "clearhold.intel.service"),
    ("analysis", "clearhold.evaluation.scorecards"), ("anpr_office", "clearhold.anpr.service"),
    ("patrol", "clearhold.hotspot.flows"), ("evaluation", "clearhold.evaluation.flows"),
]


def _available(module: str | None) -> bool:
    if module is None:
        return True
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return False
        raise
    return True


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app, csp: str) -> None:
        self.app = app
        self.fixed = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                      (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.fixed if k not in present]
                if not static and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: settings from the environment,
    ``CLEARHOLD_SECURE_COOKIES`` (true/false) for the cookie flag."""
    import os

    secure = os.environ.get("CLEARHOLD_SECURE_COOKIES", "true").lower() not in ("0", "false", "no")
    return create_app(get_settings(), secure_cookies=secure, freeze_gc=True)


def _content_security_policy(tile_url: str | None) -> str:
    img = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
            img += f" {parts.scheme}://{host}"
    return (f"default-src 'self'; img-src {img}; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


# Modules the busiest pages import on first use: imported before the start-up objects are frozen.
_HOT_MODULES = ("clearhold.reports.review", "clearhold.evaluation.scorecards", "clearhold.interfaces.web.compstat",
                "clearhold.interfaces.web.charts", "clearhold.operation.service", "clearhold.area.service")


def freeze_startup_objects() -> None:
    """Take every object alive at start-up (modules, classes, functions ...) out of the
    cyclic garbage collector's view (``gc.freeze``).

    Under load, objects of the requests in flight survive young collections, and every few
    hundred milliseconds they trigger a full collection, which traverses every tracked
    object, the start-up ones included: measured on one worker under 50 users, 28 full
    collections in 25 s, 110 ms each on average, every request stalled meanwhile. Frozen,
    a full collection looks only at what was made since (about 10 ms). Frozen objects are
    still freed by reference counting.
    """
    import gc

    for module in _HOT_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:  # not in this build: the page that needs it says so when asked
            pass
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Start what needs the running loop (the ANPR ingest writer, when ANPR is mounted)."""
    if getattr(app.state, "freeze_gc", False):
        freeze_startup_objects()
    started = False
    if getattr(app.state, "anpr_enabled", False):
        from clearhold.anpr import api as anpr_api

        anpr_api.start(app, app.state.engine)
        started = True
    try:
        yield
    finally:
        if started:
            from clearhold.anpr import api as anpr_api

            anpr_api.stop(app)


def create_app(settings: Settings | None = None, *, secure_cookies: bool = True, engine=None,
               freeze_gc: bool = False) -> FastAPI:
    """The clearhold web application and JSON API.

    Parameters
    ----------
    settings : Settings, optional
        Database URL, tile URL ...; default: read from the environment.
    secure_cookies : bool
        Mark cookies ``Secure`` (default). Only for plain http on loopback, turn this off.
    engine : sqlalchemy.Engine, optional
        Use this engine instead of one made from ``settings`` (tests, benchmarks).
    freeze_gc : bool
        At start-up, freeze the objects alive then out of the garbage collector's view
        (:func:`freeze_startup_objects`); ``clearhold serve`` does, tests need not.
    """
    from fastapi.templating import Jinja2Templates

    from clearhold.interfaces.api import errors
    from clearhold.storage.database import make_engine

    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="clearhold",
        version=clearhold.__version__,
        description="Operations ledger, results reviews and ANPR back office. JSON API under /api/v1; "
                    "authenticate with `Authorization: Bearer <token>` (see `clearhold users token`).",
        docs_url=None, redoc_url=None,  # the stock pages load JavaScript from a CDN
    )
    app.state.settings = settings
    app.state.engine = engine if engine is not None else make_engine(settings.resolved_database_url)
    app.state.secure_cookies = secure_cookies
    app.state.freeze_gc = freeze_gc
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.auto_reload = False  # compiled once; no stat() of every template on every page
    templates.env.globals["tile_url"] = settings.tile_url or ""
    app.state.templates = templates
    csp = _content_security_policy(settings.tile_url)

    app.add_middleware(SecurityHeaders, csp=csp)

    errors.install(app)
    for name, needs in _API_ROUTERS:
        if _available(needs) and _available(f"clearhold.interfaces.api.routers.{name}"):
            module = importlib.import_module(f"clearhold.interfaces.api.routers.{name}")
            app.include_router(module.router)
    _include_anpr(app)

    from clearhold.interfaces.web import pages

    app.include_router(pages.router)
    if _available("clearhold.hotspot.flows") and _available("clearhold.evaluation.flows"):
        from clearhold.interfaces.web import analysis_pages

        app.include_router(analysis_pages.router)
    _mount_static(app)
    return app


ANPR_RULES = [("/reads", "anpr.ingest"), ("/search", "anpr.search"), ("/hotlist", "anpr.hotlist"), ("", "anpr.alerts")]


def _include_anpr(app: FastAPI) -> None:
    """The ANPR helper's API router, when it exists, under /api/v1 and behind the policy table."""
    from fastapi import Depends

    from clearhold.interfaces.api.deps import allow_by_path
    from clearhold.interfaces.api.routers.common import AUTH_ERRORS, INVALID

    if not _available("clearhold.anpr.api"):
        return
    module = importlib.import_module("clearhold.anpr.api")
    router = getattr(module, "router", None)
    if router is None:
        return
    app.include_router(router, prefix="/api/v1", dependencies=[Depends(allow_by_path(ANPR_RULES))],
                       responses={**AUTH_ERRORS, **INVALID})
    from clearhold.interfaces.web import anpr_pages

    app.include_router(anpr_pages.router)
    app.state.anpr_enabled = True


def _mount_static(app: FastAPI) -> None:
    from xstatic.pkg import leaflet

    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
