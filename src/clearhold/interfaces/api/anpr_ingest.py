"""The standalone ANPR ingest service behind ``clearhold anpr serve``."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from clearhold.anpr import api
from clearhold.anpr.ingest import durable_engine
from clearhold.config import get_settings
from clearhold.storage.migrate import upgrade


def create_app(database_url: str | None = None) -> FastAPI:
    """A FastAPI app with the ANPR router and a durable writer on ``database_url``."""
    url = database_url or get_settings().resolved_database_url
    engine = durable_engine(url)
    upgrade(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        api.start(app, engine)
        try:
            yield
        finally:
            api.stop(app)
            engine.dispose()

    app = FastAPI(title="clearhold ANPR ingest", lifespan=lifespan)
    app.include_router(api.router)
    return app
