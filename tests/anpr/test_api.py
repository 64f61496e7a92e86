"""The ANPR routes in process: batches acknowledged after commit, idempotent, validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncio

import httpx
import pytest

from clearhold.anpr import service
from clearhold.anpr.schemas import HotlistEntryCreate
from clearhold.storage.database import session_scope

AT = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


class Client:
    """Runs the app's lifespan and requests in one event loop (no network, no TestClient)."""

    def __init__(self, app) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.lifespan = app.router.lifespan_context(app)
        self.loop.run_until_complete(self.lifespan.__aenter__())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://anpr")

    def post(self, url, **kw):
        return self.loop.run_until_complete(self.http.post(url, **kw))

    def get(self, url, **kw):
        return self.loop.run_until_complete(self.http.get(url, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.run_until_complete(self.lifespan.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture
def client(tmp_path):
    from clearhold.anpr.ingest import durable_engine
    from clearhold.interfaces.api.anpr_ingest import create_app

    url = f"sqlite:///{tmp_path / 'api.db'}"
    app = create_app(database_url=url)
    engine = durable_engine(url)
    with session_scope(engine) as s:
        service.create_hotlist(s, name="h", source="local")
        service.add_entries(s, hotlist="h", by="t", entries_in=[HotlistEntryCreate(vrm="AB12CDE", reason="v", priority="high")])
    c = Client(app)
    yield c
    c.close()
    engine.dispose()


def reads(*pairs):
    return [{"read_id": rid, "camera_id": "C1", "captured_at": AT, "vrm": vrm} for rid, vrm in pairs]


def test_post_reads_and_alert_list(client):
    r = client.post("/anpr/reads", json={"reads": reads(("r1", "ab12 cde"), ("r2", "AB I2CDE"), ("r3", "ZZ"))})
    assert r.status_code == 200
    body = r.json()
    assert (body["accepted"], body["duplicates"], len(body["alerts"])) == (3, 0, 2)
    again = client.post("/anpr/reads", json=reads(("r1", "ab12 cde")))  # a bare list works too
    assert again.json() == {"accepted": 0, "duplicates": 1, "alerts": []}
    alerts = client.get("/anpr/alerts", params={"after": 0}).json()
    assert [(a["read_id"], a["match_type"], a["priority"]) for a in alerts] == [("r1", "exact", "high"), ("r2", "misread", "high")]
    assert client.get("/anpr/alerts", params={"after": alerts[0]["hit_id"]}).json()[0]["read_id"] == "r2"


@pytest.mark.parametrize(("payload", "field"), [
    ({"reads": [{"read_id": "x", "camera_id": "C1", "captured_at": "2026-01-01T00:00:00", "vrm": "AB"}]}, "captured_at"),
    ({"reads": [{"read_id": "", "camera_id": "C1", "captured_at": AT, "vrm": "AB"}]}, "read_id"),
    ({"reads": [{"read_id": "x", "camera_id": "C1", "captured_at": AT, "vrm": "AB", "confidence": 3}]}, "confidence"),
])
def test_bad_reads_are_refused_whole(client, payload, field):
    r = client.post("/anpr/reads", json=payload)
    assert r.status_code == 422
    assert any(field in [str(p) for p in d["loc"]] for d in r.json()["detail"])
    assert client.get("/anpr/alerts").json() == []


def test_limits(client):
    assert client.get("/anpr/alerts", params={"limit": 0}).status_code == 422
    assert client.post("/anpr/reads", json={"readings": []}).status_code == 422
    assert client.get("/anpr/health").json()["ok"] is True


ODD_READS = [
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB"},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00+01:00", "vrm": "AB", "confidence": 1},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00", "vrm": "AB"},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01", "vrm": "AB"},
    {"read_id": "a", "camera_id": "C", "captured_at": 1767225600, "vrm": "AB"},
    {"read_id": 5, "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB"},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": ""},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB", "lat": 91},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB", "lane": 3},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB", "confidence": True},
    {"read_id": "a", "camera_id": "C", "captured_at": "2026-01-01T00:00:00Z", "vrm": "AB", "extra": [1]},
]


@pytest.mark.parametrize("item", ODD_READS)
def test_fast_parse_never_accepts_what_pydantic_refuses(item):
    import json

    from pydantic import ValidationError

    from clearhold.anpr.api import _BATCH, _fast_parse

    body = json.dumps({"reads": [item]}).encode()
    fast = _fast_parse(body)
    try:
        slow = _BATCH.validate_json(body)["reads"]
    except ValidationError:
        slow = None
    if fast is not None:
        assert slow is not None
        assert fast[0]["captured_at"] == slow[0]["captured_at"]
        assert {k: fast[0][k] for k in ("read_id", "camera_id", "vrm")} == {k: slow[0][k] for k in ("read_id", "camera_id", "vrm")}
