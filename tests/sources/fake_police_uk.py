"""A fake data.police.uk on 127.0.0.1 (real sockets, a thread per request) for the fetch tests.

It answers the endpoints the fetcher uses with lists built from the real single-object
response samples in ../shared/data/police-uk/api/ (read when the server is made, never
copied into the project), filters crimes by the posted polygon like the real API, answers
503 when an area holds more than ``max_area_crimes``, serves ``/data/archive/YYYY-MM.zip``
with HTTP range support, keeps a log of every request with its arrival time, and can be
told to misbehave: 429 with Retry-After, 500/503, slow answers, malformed JSON, HTML, nulls.
"""

from __future__ import annotations

import copy
import io
import json
import re
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import shapely
from shapely.geometry import Polygon

CATEGORIES = (
    "anti-social-behaviour",
    "bicycle-theft",
    "burglary",
    "criminal-damage-arson",
    "drugs",
    "other-crime",
    "other-theft",
    "possession-of-weapons",
    "public-order",
    "robbery",
    "shoplifting",
    "theft-from-the-person",
    "vehicle-crime",
    "violent-crime",
)
# a 2 x 2 grid of neighbourhoods around Northampton
AREA = (-1.00, 52.20, -0.80, 52.36)


@dataclass
class Fault:
    """Misbehave on the next ``times`` requests whose path starts with ``path_prefix``."""

    path_prefix: str
    status: int = 200
    times: int = 1
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    delay_s: float = 0.0


@dataclass
class Logged:
    t: float
    method: str
    path: str
    status: int


@dataclass
class FakePoliceUk:
    samples: Path
    force: str = "northamptonshire"
    force_name: str = "Northamptonshire Police"
    months: tuple[str, ...] = ("2023-01", "2023-02", "2023-03")
    crimes_per_month: int = 40
    no_location_per_month: int = 2
    stops_per_month: int = 6
    months_without_stops: tuple[str, ...] = ()
    max_area_crimes: int = 10_000
    archive: dict[str, dict[str, bytes]] = field(
        default_factory=dict
    )  # zip name -> member -> bytes
    archive_ranges: bool = True
    server_rate_per_s: float | None = None  # answer 429 above this rate (a leaky bucket)
    server_burst: int = 30
    delay_s: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests being answered at one time
        self._lock = threading.Lock()
        self._bucket = (float(self.server_burst), time.monotonic())
        self._build_data()
        self._zips = {name: _zip(members) for name, members in self.archive.items()}

    # -- data built from the real samples ---------------------------------------------

    def sample(self, name: str):
        return json.loads((self.samples / name).read_text(encoding="utf-8"))

    def _build_data(self) -> None:
        rng = np.random.default_rng(self.seed)
        crime_t = self.sample("crime.json")
        no_loc_t = self.sample("case-history.json")["crime"]
        stop_t = self.sample("stop-and-search.json")
        data_set_t = self.sample("data-set.json")
        coord_t = self.sample("coordinate.json")
        ref_t = self.sample("neighbourhood-reference.json")
        self.forces_payload = self.sample("dpu-forces.json") + [
            dict(self.sample("police-force-reference.json"), id=self.force, name=self.force_name)
        ]
        x0, y0, x1, y1 = AREA
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        cells = {
            "NH01": (x0, y0, xm, ym),
            "NH02": (xm, y0, x1, ym),
            "NH03": (x0, ym, xm, y1),
            "NH04": (xm, ym, x1, y1),
        }
        self.neighbourhoods_payload = [dict(ref_t, id=k, name=f"Neighbourhood {k}") for k in cells]
        self.boundaries = {
            k: [
                dict(coord_t, latitude=f"{lat:.6f}", longitude=f"{lon:.6f}")
                for lon, lat in ((a, b), (c, b), (c, d), (a, d))
            ]
            for k, (a, b, c, d) in cells.items()
        }
        self.data_sets_payload = [
            dict(
                data_set_t,
                date=m,
                **{
                    "stop-and-search": ["bedfordshire"]
                    + ([] if m in self.months_without_stops else [self.force])
                },
            )
            for m in sorted(self.months, reverse=True)
        ]
        self.crimes: dict[str, list[dict]] = {}
        self.no_location: dict[str, list[dict]] = {}
        self.stops: dict[str, list[dict]] = {}
        next_id = 90_000_000
        for m in self.months:
            crimes = []
            for i in range(self.crimes_per_month):
                c = copy.deepcopy(crime_t)
                slug = CATEGORIES[i % len(CATEGORIES)]
                lon, lat = rng.uniform(x0 + 0.001, x1 - 0.001), rng.uniform(y0 + 0.001, y1 - 0.001)
                c.update(category=slug, month=m, id=next_id, context="")
                c["persistent_id"] = "" if slug == "anti-social-behaviour" else f"{next_id:064x}"
                c["location"]["latitude"], c["location"]["longitude"] = f"{lat:.6f}", f"{lon:.6f}"
                c["location"]["street"] = {"id": 880000 + i, "name": f"On or near Fake Street {i}"}
                c["outcome_status"] = (
                    None
                    if slug == "anti-social-behaviour"
                    else {"category": "Under investigation", "date": m}
                )
                c["location_type"] = "BTP" if i == 7 else "Force"
                crimes.append(c)
                next_id += 1
            self.crimes[m] = crimes
            self.no_location[m] = []
            for _ in range(self.no_location_per_month):
                c = copy.deepcopy(no_loc_t)
                c.update(month=m, id=next_id, persistent_id=f"{next_id:064x}", category="burglary")
                c["outcome_status"] = {
                    "category": "Investigation complete; no suspect identified",
                    "date": m,
                }
                self.no_location[m].append(c)
                next_id += 1
            stops = []
            for i in range(self.stops_per_month):
                s = copy.deepcopy(stop_t)
                s["datetime"] = f"{m}-{i + 1:02d}T13:40:00+00:00"
                if i % 3 == 2:
                    s["location"] = None
                stops.append(s)
            self.stops[m] = stops

    def expected_street_ids(self, month: str) -> list[int]:
        return sorted(c["id"] for c in self.crimes[month] if c["location_type"] != "BTP")

    # -- server --------------------------------------------------------------------------

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        host, port = self.httpd.server_address[:2]
        self.root = f"http://{host}:{port}"
        self.base_url = f"{self.root}/api"
        return self.base_url

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def requests(self, prefix: str = "") -> list[Logged]:
        with self._lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path_prefix):
                    fault.times -= 1
                    return fault
        return None

    def _over_server_rate(self) -> bool:
        if self.server_rate_per_s is None:
            return False
        with self._lock:
            tokens, last = self._bucket
            now = time.monotonic()
            tokens = min(float(self.server_burst), tokens + (now - last) * self.server_rate_per_s)
            if tokens < 1:
                self._bucket = (tokens, now)
                return True
            self._bucket = (tokens - 1, now)
            return False


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _poly(text: str) -> Polygon:
    pairs = [p.split(",") for p in text.split(":") if p]
    return Polygon([(float(lng), float(lat)) for lat, lng in pairs])


class _Handler(BaseHTTPRequestHandler):
    fake: FakePoliceUk
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET", {})

    def do_HEAD(self) -> None:
        self._serve("HEAD", {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        self._serve("POST", form)

    def _send(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict | None = None,
    ) -> None:
        fake = self.fake
        with fake._lock:
            fake.log.append(Logged(self._t, method, path, status))
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True

    def _serve(self, method: str, form: dict) -> None:
        fake = self.fake
        with fake._lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            self._answer(method, form)
        finally:
            with fake._lock:
                fake.in_flight -= 1

    def _answer(self, method: str, form: dict) -> None:
        self._t = time.monotonic()
        fake = self.fake
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query.update({k: v[0] for k, v in form.items()})
        if fake.delay_s:
            time.sleep(fake.delay_s)
        fault = fake._take_fault(path)
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.status != 200 or fault.body is not None:
                headers = (
                    {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                )
                return self._send(
                    method, path, fault.status, fault.body or b"", fault.content_type, headers
                )
        if fake._over_server_rate():
            return self._send(method, path, 429, b"", "text/plain", {"Retry-After": "1"})
        if path.startswith("/data/archive/"):
            return self._archive(method, path)
        status, payload = self._api(path, query)
        self._send(
            method, path, status, json.dumps(payload).encode() if payload is not None else b""
        )

    def _api(self, path: str, q: dict):
        fake = self.fake
        if path == "/api/crimes-street-dates":
            return 200, fake.data_sets_payload
        if path == "/api/forces":
            return 200, fake.forces_payload
        m = re.match(r"^/api/([a-z-]+)/neighbourhoods$", path)
        if m:
            return (200, fake.neighbourhoods_payload) if m.group(1) == fake.force else (404, None)
        m = re.match(r"^/api/([a-z-]+)/(\w+)/boundary$", path)
        if m:
            return (
                (200, fake.boundaries[m.group(2)]) if m.group(2) in fake.boundaries else (404, None)
            )
        if path == "/api/crimes-street/all-crime":
            month = q.get("date")
            if month not in fake.crimes or "poly" not in q:
                return 200, []
            polygon = _poly(q["poly"])
            crimes = fake.crimes[month]
            lon = np.array([float(c["location"]["longitude"]) for c in crimes])
            lat = np.array([float(c["location"]["latitude"]) for c in crimes])
            inside = shapely.intersects_xy(polygon, lon, lat)
            if int(inside.sum()) > fake.max_area_crimes:
                return 503, None
            return 200, [c for c, ok in zip(crimes, inside, strict=True) if ok]
        if path == "/api/crimes-no-location":
            return 200, fake.no_location.get(q.get("date"), []) if q.get(
                "force"
            ) == fake.force else []
        if path == "/api/stops-force":
            return 200, fake.stops.get(q.get("date"), []) if q.get("force") == fake.force else []
        return 404, None

    def _archive(self, method: str, path: str) -> None:
        name = path.rsplit("/", 1)[-1].removesuffix(".zip")
        data = self.fake._zips.get(name)
        if data is None:
            return self._send(
                method, path, 404, b"<html><title>Not found</title></html>", "text/html"
            )
        ranges = self.fake.archive_ranges
        headers = {"Accept-Ranges": "bytes"} if ranges else {}
        wanted = re.match(r"^bytes=(\d+)-(\d+)$", self.headers.get("Range", ""))
        if wanted and ranges:
            first, last = int(wanted.group(1)), min(int(wanted.group(2)), len(data) - 1)
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            return self._send(method, path, 206, data[first : last + 1], "application/zip", headers)
        self._send(method, path, 200, data, "application/zip", headers)
