"""ANPR HTTP routes (an APIRouter the main app can include): reads in, alerts out.

* ``POST /anpr/reads``: a JSON batch ``{"reads": [...]}`` (or a bare list); answered only
  after the batch is committed; idempotent on ``read_id``.
* ``GET /anpr/alerts/stream``: server-sent events, one ``alert`` event per hit, ``id`` = hit id;
  a client reconnecting with ``Last-Event-ID`` (or ``?after=``) first gets every durable alert
  it missed, then live ones, each exactly once.
* ``GET /anpr/alerts``: the control room list (JSON).

The app that includes the router must call :func:`start` at startup and :func:`stop` at
shutdown (``clearhold.interfaces.api.anpr_ingest.create_app`` does).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine

from clearhold.anpr.ingest import IngestEngine, replay_alerts
from clearhold.anpr.schemas import ReadDict
from clearhold.storage.base import utcnow

router = APIRouter(prefix="/anpr", tags=["anpr"])
_BATCH = TypeAdapter(dict[str, list[ReadDict]] | list[ReadDict])
KEEPALIVE_S = 15.0


class AlertBroker:
    """Fans alerts out to every subscriber's queue (called from the writer thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.subscribers: set[asyncio.Queue] = set()

    def publish(self, alerts: list[dict[str, Any]]) -> None:
        self.loop.call_soon_threadsafe(self._fanout, alerts)

    def _fanout(self, alerts: list[dict[str, Any]]) -> None:
        for q in list(self.subscribers):
            q.put_nowait(alerts)


class AnprState:
    def __init__(self, engine: Engine, ingest: IngestEngine, broker: AlertBroker) -> None:
        self.engine = engine
        self.ingest = ingest
        self.broker = broker


def start(app: FastAPI, engine: Engine) -> AnprState:
    """Start the writer thread for ``engine`` and attach it to ``app.state.anpr`` (call in the running loop)."""
    broker = AlertBroker(asyncio.get_running_loop())
    ingest = IngestEngine(engine, on_alerts=broker.publish)
    ingest.start()
    app.state.anpr = AnprState(engine, ingest, broker)
    return app.state.anpr


def stop(app: FastAPI) -> None:
    state = getattr(app.state, "anpr", None)
    if state is not None:
        state.ingest.stop()


def _state(request: Request) -> AnprState:
    state = getattr(request.app.state, "anpr", None)
    if state is None:
        raise HTTPException(503, "the ANPR ingest engine is not running")
    return state


_TEXT_LIMITS = {"read_id": (1, 100), "camera_id": (1, 64), "vrm": (1, 64)}
_OPTIONAL_TEXT = {"lane": 16, "direction": 16, "plate_image_ref": 300, "overview_image_ref": 300}
_OPTIONAL_RANGE = {"confidence": (0.0, 1.0), "lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}


def _fast_parse(body: bytes) -> list[dict] | None:
    """The common case without pydantic: well-formed reads, checked field by field.

    Returns None at the first doubt; the caller then validates with pydantic (``ReadDict``),
    which decides and explains. Only accepts what that validation accepts.
    """
    try:
        data = json.loads(body)
    except ValueError:
        return None
    reads = data.get("reads") if type(data) is dict else data
    if type(reads) is not list:
        return None
    fromiso = datetime.fromisoformat
    for r in reads:
        if type(r) is not dict:
            return None
        for name, (lo, hi) in _TEXT_LIMITS.items():
            v = r.get(name)
            if type(v) is not str or not lo <= len(v) <= hi:
                return None
        cap = r.get("captured_at")
        if type(cap) is not str or len(cap) < 20:
            return None
        try:
            at = fromiso(cap)
        except ValueError:
            return None
        if at.tzinfo is None:
            return None
        for name, hi in _OPTIONAL_TEXT.items():
            v = r.get(name)
            if v is not None and (type(v) is not str or len(v) > hi):
                return None
        for name, (lo, hi) in _OPTIONAL_RANGE.items():
            v = r.get(name)
            if v is not None and (type(v) not in (int, float) or not lo <= v <= hi):
                return None
        r["captured_at"] = at
    return reads


@router.post("/reads")
async def post_reads(request: Request) -> JSONResponse:
    """Store a batch of reads; the answer comes after the commit (200) or says why not (422)."""
    received_at = utcnow()
    state = _state(request)
    body = await request.body()
    reads = _fast_parse(body)
    if reads is None:
        try:
            parsed = _BATCH.validate_json(body)
        except ValidationError as exc:
            return JSONResponse({"detail": json.loads(exc.json(include_url=False, include_input=False))}, status_code=422)
        reads = parsed if isinstance(parsed, list) else parsed.get("reads")
    if reads is None:
        return JSONResponse({"detail": "body must be a list of reads or {\"reads\": [...]}"}, status_code=422)
    if len(reads) > 20_000:
        return JSONResponse({"detail": f"batch had {len(reads)} reads; at most 20000 per request"}, status_code=413)
    result = await asyncio.wrap_future(state.ingest.submit(reads, received_at))
    return JSONResponse({"accepted": result.accepted, "duplicates": result.duplicates,
                         "alerts": [a["hit_id"] for a in result.hits]})


def _event(alert: dict[str, Any]) -> str:
    return f"id: {alert['hit_id']}\nevent: alert\ndata: {json.dumps(alert, separators=(',', ':'))}\n\n"


@router.get("/alerts/stream")
async def alert_stream(request: Request, after: int | None = None) -> StreamingResponse:
    """Server-sent events: missed durable alerts first, then live ones; each once."""
    state = _state(request)
    last_header = request.headers.get("last-event-id")
    last_id = after if after is not None else int(last_header) if last_header and last_header.isdigit() else None
    q: asyncio.Queue = asyncio.Queue()
    state.broker.subscribers.add(q)

    async def events():
        sent = last_id if last_id is not None else -1
        try:
            yield ": connected\n\n"
            if last_id is not None:  # replay what was missed, in pages
                while True:
                    page = await asyncio.to_thread(replay_alerts, state.engine, after_id=sent)
                    for alert in page:
                        yield _event(alert)
                        sent = alert["hit_id"]
                    if len(page) < 1000:
                        break
            while True:
                try:
                    alerts = await asyncio.wait_for(q.get(), timeout=KEEPALIVE_S)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                chunk = []
                for alert in alerts:
                    if alert["hit_id"] > sent:
                        chunk.append(_event(alert))
                        sent = alert["hit_id"]
                if chunk:
                    yield "".join(chunk)
        finally:
            state.broker.subscribers.discard(q)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/alerts")
async def list_alerts(request: Request, after: int = 0, limit: int = 200) -> list[dict[str, Any]]:
    """Durable live alerts after ``after`` (hit id), oldest first."""
    state = _state(request)
    if limit < 1 or limit > 1000:
        raise HTTPException(422, f"limit was {limit}; it must be between 1 and 1000")
    return await asyncio.to_thread(replay_alerts, state.engine, after_id=after, limit=limit)


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    state = _state(request)
    return {"ok": True, "commits": state.ingest.commits}
