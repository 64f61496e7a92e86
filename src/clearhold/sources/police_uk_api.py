"""data.police.uk: a polite HTTP client and the JSON -> archive-CSV converters.

The client keeps to the published rate limit with a client-side token bucket (15 requests a
second, bursts of 30), backs off exponentially with jitter on HTTP 429 and 5xx (honouring
``Retry-After``), retries a bounded number of times and allows long responses. Every JSON
answer is checked before use: an HTML page, malformed JSON or a null where an object belongs
raises :class:`~clearhold.errors.SourceError` naming the URL and the problem.

The converters turn API crimes and stops into rows in exactly the column layout of the
monthly archive files (``YYYY-MM-<force>-street.csv`` and ``-stop-and-search.csv``), so that
``clearhold crime ingest`` loads fetched files like downloaded ones.

Nothing here prints; randomness (jitter) comes only from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import numpy as np

from clearhold.errors import InvalidInput, SourceError

DEFAULT_BASE_URL = "https://data.police.uk/api"
DEFAULT_RATE_PER_S = 15.0
DEFAULT_BURST = 30
DEFAULT_TIMEOUT_S = 180.0
USER_AGENT = "clearhold (police operations analysis; https://data.police.uk API client)"

STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
OUTCOMES_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
)
STOP_AND_SEARCH_COLUMNS: tuple[str, ...] = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)

#: API category slugs -> the 14 crime type names of the archive files.
CRIME_TYPES: Mapping[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}
BTP_NAME = "British Transport Police"
NO_LOCATION = "No Location"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --------------------------------------------------------------------------- rate limit


class TokenBucket:
    """A thread-safe token bucket: ``rate_per_s`` tokens a second, at most ``burst`` saved.

    ``acquire()`` takes one token, sleeping until it is available; callers queue fairly
    because each reservation is made under the lock (tokens may go negative) and the
    sleep happens outside it.
    """

    def __init__(
        self,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not (
            isinstance(rate_per_s, int | float) and math.isfinite(rate_per_s) and rate_per_s > 0
        ):
            raise InvalidInput(
                f"rate_per_s was {rate_per_s!r}; it must be a positive number of requests per second"
            )
        if not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
            raise InvalidInput(
                f"burst was {burst!r}; it must be a whole number of requests, at least 1"
            )
        self.rate_per_s = float(rate_per_s)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._last = clock()

    def acquire(self) -> float:
        """Take one token; return the seconds waited for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(
                float(self.burst), self._tokens + (now - self._last) * self.rate_per_s
            )
            self._last = now
            self._tokens -= 1.0
            wait_s = 0.0 if self._tokens >= 0 else -self._tokens / self.rate_per_s
        if wait_s > 0:
            self._sleep(wait_s)
        return wait_s


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential back-off and jitter.

    The n-th retry (n = 0, 1, ...) waits ``min(backoff_max_s, backoff_base_s * 2**n)``
    scaled by a random factor in [0.5, 1) ("equal jitter"). When the server sends
    ``Retry-After``, the wait is that many seconds (capped at ``retry_after_max_s``) plus a
    random part of up to ``backoff_base_s``, so it is never shorter than asked.
    """

    max_retries: int = 6
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise InvalidInput(
                f"max_retries was {self.max_retries!r}; it must be a whole number >= 0"
            )
        for name in ("backoff_base_s", "backoff_max_s", "retry_after_max_s"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InvalidInput(f"{name} was {value!r}; it must be a number of seconds >= 0")

    def delay_s(self, retry: int, retry_after_s: float | None, rng: np.random.Generator) -> float:
        if retry_after_s is not None:
            return min(retry_after_s, self.retry_after_max_s) + float(
                rng.uniform(0.0, self.backoff_base_s)
            )
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2.0**retry))
        return ceiling * float(rng.uniform(0.5, 1.0))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class AreaTooLarge(SourceError):
    """The API refused a custom-area query (HTTP 503: more than 10,000 crimes)."""


# --------------------------------------------------------------------------- client


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


def _short(url: str, limit: int = 200) -> str:
    return url if len(url) <= limit else url[: limit - 3] + "..."


class PoliceUkClient:
    """HTTP access to data.police.uk (or a server with the same URL layout).

    Parameters
    ----------
    base_url : the API root, default ``https://data.police.uk/api``.
    archive_url : the archive root; default derived from ``base_url`` (``.../api`` ->
        ``.../data/archive``), so a fake server serves both.
    rate_per_s, burst : the client-side token bucket.
    retry : the back-off policy for HTTP 429, 5xx and transport errors.
    timeout_s : read timeout per response (the API sometimes takes over a minute).
    seed : seed of the jitter generator.
    on_request : called as ``on_request(method, url, monotonic_time)`` just before each
        request goes out (after the token bucket let it), e.g. for logging or measuring.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        archive_url: str | None = None,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        burst: int = DEFAULT_BURST,
        retry: RetryPolicy | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str, str, float], None] | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not re.match(r"^https?://", base_url):
            raise InvalidInput(f"base_url was {base_url!r}; it must be an http:// or https:// URL")
        if not (isinstance(timeout_s, int | float) and timeout_s > 0):
            raise InvalidInput(
                f"timeout_s was {timeout_s!r}; it must be a positive number of seconds"
            )
        self.base_url = base_url.rstrip("/")
        self.archive_url = (archive_url or default_archive_url(self.base_url)).rstrip("/")
        self.bucket = TokenBucket(rate_per_s, burst, sleep=sleep)
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = np.random.default_rng(seed)
        self._on_request = on_request
        # stats and the jitter generator, when threads share the client
        self._lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(30.0, timeout_s)),
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> PoliceUkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- raw requests -------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        area_query: bool = False,
        accept_missing: bool = False,
    ) -> httpx.Response:
        """One request with rate limiting and bounded retries; the final response.

        ``area_query``: a 503 means "more than 10,000 crimes" and raises
        :class:`AreaTooLarge` at once instead of being retried.
        ``accept_missing``: return a 403, 404 or 410 response instead of raising (a missing
        file on a static host such as S3 may answer 403).
        """
        attempts = self.retry.max_retries + 1
        shown = _short(str(httpx.URL(url, params=params)) if params else url)
        problem = ""
        for attempt in range(attempts):
            waited_s = self.bucket.acquire()
            with self._lock:
                self.stats.waited_s += waited_s
                self.stats.requests += 1
            if self._on_request is not None:
                self._on_request(method, url, time.monotonic())
            retry_after: float | None = None
            try:
                response = self._http.request(
                    method, url, params=params, data=data, headers=headers
                )
            except httpx.TimeoutException as exc:
                problem = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                with self._lock:
                    self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
                if status == 503 and area_query:
                    raise AreaTooLarge(
                        f"{method} {shown}: HTTP 503 (the area holds more than the API's 10,000 crimes)"
                    )
                if status == 429 or 500 <= status <= 599:
                    problem = f"HTTP {status}"
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                elif status in (403, 404, 410) and accept_missing:
                    return response
                elif status >= 400:
                    raise SourceError(
                        f"{method} {shown}: HTTP {status} {response.reason_phrase}".rstrip()
                    )
                else:
                    return response
            if attempt + 1 < attempts:
                with self._lock:
                    self.stats.retries += 1
                    delay_s = self.retry.delay_s(attempt, retry_after, self._rng)
                self._sleep(delay_s)
        raise SourceError(f"{method} {shown}: {problem} after {attempts} attempts; giving up")

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        response = self.request("GET", url, params=params)
        return decode_json(response)

    def post_json(self, path: str, data: Mapping[str, str], *, area_query: bool = False) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        response = self.request("POST", url, data=data, area_query=area_query)
        return decode_json(response)

    # -- endpoints ----------------------------------------------------------------------

    def crimes_street_dates(self) -> list[DataSet]:
        url = f"{self.base_url}/crimes-street-dates"
        return parse_data_sets(self.get_json("crimes-street-dates"), url)

    def forces(self) -> dict[str, str]:
        url = f"{self.base_url}/forces"
        return parse_forces(self.get_json("forces"), url)

    def neighbourhoods(self, force: str) -> list[str]:
        url = f"{self.base_url}/{force}/neighbourhoods"
        return parse_neighbourhoods(self.get_json(f"{force}/neighbourhoods"), url)

    def boundary(self, force: str, neighbourhood: str) -> list[tuple[float, float]]:
        path = f"{force}/{neighbourhood}/boundary"
        return parse_boundary(self.get_json(path), f"{self.base_url}/{path}")

    def crimes_in_area(
        self, ring: list[tuple[float, float]], month: str, *, split_on_503: bool = True
    ) -> list[dict]:
        """Street-level crimes of all categories inside a polygon (lon, lat ring) for a month.

        ``split_on_503``: raise :class:`AreaTooLarge` on HTTP 503 (the caller splits the area)
        instead of retrying it like any other 5xx.
        """
        poly = ":".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring)
        url = f"{self.base_url}/crimes-street/all-crime"
        payload = self.post_json(
            "crimes-street/all-crime", {"poly": poly, "date": month}, area_query=split_on_503
        )
        return expect_list_of_objects(payload, f"POST {url} (date={month})")

    def crimes_no_location(self, force: str, month: str) -> list[dict]:
        params = {"category": "all-crime", "force": force, "date": month}
        url = str(httpx.URL(f"{self.base_url}/crimes-no-location", params=params))
        return expect_list_of_objects(self.get_json("crimes-no-location", params), url)

    def stops_force(self, force: str, month: str) -> list[dict]:
        params = {"force": force, "date": month}
        url = str(httpx.URL(f"{self.base_url}/stops-force", params=params))
        return expect_list_of_objects(self.get_json("stops-force", params), url)


def default_archive_url(base_url: str) -> str:
    """``https://data.police.uk/api`` -> ``https://data.police.uk/data/archive``."""
    root = base_url.rstrip("/")
    if root.endswith("/api"):
        root = root[: -len("/api")]
    return f"{root}/data/archive"


# --------------------------------------------------------------------------- validation


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a response, or SourceError naming the URL and what is wrong.

    A body starting with ``<`` is an HTML (error or maintenance) page whatever its
    Content-Type; a body that is not JSON is reported as an HTML page when the Content-Type
    says HTML, else as malformed JSON. HTML inside JSON strings (neighbourhood descriptions)
    is data, not an error.
    """
    where = f"{response.request.method} {_short(str(response.request.url))}"
    body = response.content
    content_type = response.headers.get("content-type", "").lower()
    if body.lstrip().startswith(b"<"):
        raise SourceError(f"{where}: expected JSON but got an HTML page{_title(body)}")
    if not body.strip():
        raise SourceError(f"{where}: expected JSON but the response body is empty")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        if "html" in content_type:
            raise SourceError(
                f"{where}: expected JSON but got an HTML page{_title(body)}"
            ) from None
        raise SourceError(f"{where}: malformed JSON ({exc})") from None


def _title(body: bytes) -> str:
    title = re.search(rb"<title>(.*?)</title>", body[:4096], flags=re.I | re.S)
    return f" ({title.group(1).decode('utf-8', 'replace').strip()[:80]})" if title else ""


def expect_list_of_objects(payload: Any, where: str) -> list[dict]:
    if not isinstance(payload, list):
        raise SourceError(f"{where}: expected a JSON list, got {_kind(payload)}")
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            raise SourceError(f"{where}: item {index} is {_kind(item)}; expected an object")
    return payload


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _field(
    obj: Mapping[str, Any],
    name: str,
    where: str,
    kinds: tuple[type, ...],
    *,
    nullable: bool = False,
) -> Any:
    if name not in obj:
        raise SourceError(f"{where}: field {name!r} is missing")
    value = obj[name]
    if value is None and nullable:
        return None
    if (
        value is None
        or not isinstance(value, kinds)
        or (bool not in kinds and isinstance(value, bool))
    ):
        wanted = " or ".join(_kind_name(k) for k in kinds)
        raise SourceError(f"{where}: field {name!r} is {_kind(value)}; expected {wanted}")
    return value


def _kind_name(kind: type) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }[kind]


def _coordinate(obj: Mapping[str, Any], name: str, where: str, low: float, high: float) -> float:
    raw = _field(obj, name, where, (str, int, float))
    try:
        value = float(raw)
    except ValueError:
        raise SourceError(f"{where}: field {name!r} is {raw!r}, not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise SourceError(f"{where}: field {name!r} is {raw!r}, outside {low} to {high}")
    return value


def _month(value: Any, where: str, name: str = "month") -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise SourceError(f"{where}: field {name!r} is {value!r}; expected a month YYYY-MM")
    return value


@dataclass(frozen=True)
class DataSet:
    """One published month: its street data and the forces with stop-and-search data."""

    month: str
    stop_and_search: frozenset[str]


def parse_data_sets(payload: Any, url: str) -> list[DataSet]:
    items = expect_list_of_objects(payload, url)
    out = []
    for index, item in enumerate(items):
        where = f"{url}: item {index}"
        month = _month(_field(item, "date", where, (str,)), where, "date")
        forces = _field(item, "stop-and-search", where, (list,))
        if not all(isinstance(f, str) for f in forces):
            raise SourceError(f"{where}: field 'stop-and-search' must be a list of force ids")
        out.append(DataSet(month, frozenset(forces)))
    if not out:
        raise SourceError(f"{url}: the list of published months is empty")
    return out


def parse_forces(payload: Any, url: str) -> dict[str, str]:
    items = expect_list_of_objects(payload, url)
    out = {}
    for index, item in enumerate(items):
        where = f"{url}: item {index}"
        out[_field(item, "id", where, (str,))] = _field(item, "name", where, (str,))
    return out


def parse_neighbourhoods(payload: Any, url: str) -> list[str]:
    items = expect_list_of_objects(payload, url)
    return [_field(item, "id", f"{url}: item {index}", (str,)) for index, item in enumerate(items)]


def parse_boundary(payload: Any, url: str) -> list[tuple[float, float]]:
    """A neighbourhood boundary as (lon, lat) pairs."""
    items = expect_list_of_objects(payload, url)
    ring = []
    for index, item in enumerate(items):
        where = f"{url}: point {index}"
        ring.append(
            (
                _coordinate(item, "longitude", where, -180, 180),
                _coordinate(item, "latitude", where, -90, 90),
            )
        )
    if len(ring) < 3:
        raise SourceError(f"{url}: a boundary needs at least 3 points, got {len(ring)}")
    return ring


# --------------------------------------------------------------------------- converters


def crime_to_street_row(
    crime: Any, *, force_name: str, where: str = "crime", require_location: bool = False
) -> tuple[str, ...]:
    """One API crime (``crimes-street`` or ``crimes-no-location``) as a street-file row.

    Column by column (:data:`STREET_COLUMNS`): ``persistent_id`` ("" for anti-social
    behaviour), ``month``, the force name as "Reported by" and "Falls within", the
    location's longitude and latitude with 6 decimals as in the archive, the street name
    (``No Location`` and empty coordinates when ``location`` is null), empty LSOA code and
    name (the API does not give them; ingest assigns geography from the point), the crime
    type name for the category slug, the outcome status category ("" when null) and context.
    ``require_location``: a null location is an error (``crimes-street`` answers).
    """
    if not isinstance(crime, dict):
        raise SourceError(f"{where}: is {_kind(crime)}; expected an object")
    slug = _field(crime, "category", where, (str,))
    if slug not in CRIME_TYPES:
        raise SourceError(
            f"{where}: category {slug!r} is not one of the 14 data.police.uk crime types"
        )
    month = _month(_field(crime, "month", where, (str,)), where)
    persistent_id = _field(crime, "persistent_id", where, (str,), nullable=True) or ""
    location = _field(crime, "location", where, (dict,), nullable=not require_location)
    if location is None:
        lon = lat = ""
        place = NO_LOCATION
    else:
        loc_where = f"{where}: location"
        lon = f"{_coordinate(location, 'longitude', loc_where, -180, 180):.6f}"
        lat = f"{_coordinate(location, 'latitude', loc_where, -90, 90):.6f}"
        street = _field(location, "street", loc_where, (dict,))
        place = _field(street, "name", f"{loc_where}: street", (str,))
    outcome = (
        _field(crime, "outcome_status", where, (dict,), nullable=True)
        if "outcome_status" in crime
        else None
    )
    last_outcome = (
        "" if outcome is None else _field(outcome, "category", f"{where}: outcome_status", (str,))
    )
    context = _field(crime, "context", where, (str,), nullable=True) if "context" in crime else None
    return (
        persistent_id,
        month,
        force_name,
        force_name,
        lon,
        lat,
        place,
        "",
        "",
        CRIME_TYPES[slug],
        last_outcome,
        context or "",
    )


def is_btp(crime: Mapping[str, Any]) -> bool:
    """Crimes the British Transport Police recorded (``location_type`` "BTP")."""
    return crime.get("location_type") == "BTP"


def _flag(value: Any, where: str, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    raise SourceError(f"{where}: field {name!r} is {_kind(value)}; expected true, false or null")


def _text(stop: Mapping[str, Any], name: str, where: str) -> str:
    if name not in stop:
        return ""
    value = stop[name]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceError(f"{where}: field {name!r} is {_kind(value)}; expected a string or null")
    return value


def stop_to_row(stop: Any, *, where: str = "stop") -> tuple[str, ...]:
    """One API stop and search (``stops-force``) as a row of the archive stop-and-search file."""
    if not isinstance(stop, dict):
        raise SourceError(f"{where}: is {_kind(stop)}; expected an object")
    when = _field(stop, "datetime", where, (str,))
    location = (
        _field(stop, "location", where, (dict,), nullable=True) if "location" in stop else None
    )
    if location is None:
        lat = lon = ""
    else:
        lat = f"{_coordinate(location, 'latitude', where + ': location', -90, 90):.6f}"
        lon = f"{_coordinate(location, 'longitude', where + ': location', -180, 180):.6f}"
    outcome = stop.get("outcome")
    if outcome is False or outcome is None:  # the API gave false for "no outcome" in older data
        outcome_text = ""
    elif isinstance(outcome, str):
        outcome_text = outcome
    else:
        raise SourceError(
            f"{where}: field 'outcome' is {_kind(outcome)}; expected a string, false or null"
        )
    return (
        _text(stop, "type", where),
        when,
        _flag(stop.get("operation"), where, "operation"),
        _text(stop, "operation_name", where),
        lat,
        lon,
        _text(stop, "gender", where),
        _text(stop, "age_range", where),
        _text(stop, "self_defined_ethnicity", where),
        _text(stop, "officer_defined_ethnicity", where),
        _text(stop, "legislation", where),
        _text(stop, "object_of_search", where),
        outcome_text,
        _flag(
            stop.get("outcome_linked_to_object_of_search"),
            where,
            "outcome_linked_to_object_of_search",
        ),
        _flag(
            stop.get("removal_of_more_than_outer_clothing"),
            where,
            "removal_of_more_than_outer_clothing",
        ),
    )
