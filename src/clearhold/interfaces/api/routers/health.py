"""GET /health: answers without login; says whether the database is reachable."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import clearhold

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str


def _ping(engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request):
    ok = await run_in_threadpool(_ping, request.app.state.engine)
    body = Health(status="ok" if ok else "degraded", version=clearhold.__version__, database="ok" if ok else "unreachable")
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
