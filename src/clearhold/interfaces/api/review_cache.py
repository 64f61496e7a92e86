"""Caches of built reviews and page views, keyed by the data they were built from.

Building the review of a year-long operation takes about a second; many users asking for
the same review at once would queue behind each other. The key holds the operation, the
period, today's date and a *data version* read in one cheap query (highest record-history
id and count, intelligence logs, areas, tactics and operations: highest id and count): any
record created, corrected or deleted, any new log, area, tactic or operation makes a new
key, so a cached view is never stale. One lock per key: concurrent first requests build it
once.

The version is read on every request, before anything is built: with the engine it takes
one pooled DBAPI connection and one statement (no ORM session, no explicit transaction),
tens of microseconds on SQLite. A build reads the data after the version, so what is
cached under a key is never older than the key.

What the API sends is cached too, already serialised: :class:`Encoded` holds the JSON bytes,
their gzip and an ETag, so a cache hit costs no serialisation and no compression.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

_VERSION_SQL = (
    "SELECT (SELECT max(id) FROM record_history), (SELECT count(*) FROM record_history), "
    "(SELECT max(id) FROM intel_logs), (SELECT count(*) FROM intel_logs), "
    "(SELECT max(id) FROM areas), (SELECT count(*) FROM areas), "
    "(SELECT max(id) FROM tactics), (SELECT count(*) FROM tactics), "
    "(SELECT max(id) FROM operations), (SELECT count(*) FROM operations)"
)


def data_version(bind) -> tuple:
    """The data version: a tuple that changes whenever data a review or page shows changes.

    ``bind`` is an Engine (the fast path: one pooled DBAPI connection, one statement) or a
    Session or Connection (inside its transaction).
    """
    if isinstance(bind, sa.Engine):
        connection = bind.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(_VERSION_SQL)
                return tuple(cursor.fetchone())
            finally:
                cursor.close()
        finally:
            connection.close()
    return tuple(bind.execute(sa.text(_VERSION_SQL)).one())


class ReviewCache:
    """A bounded LRU of values built once per key (shared between requests: treat as read-only)."""

    def __init__(self, size: int = 32) -> None:
        if size < 1:
            raise ValueError(f"size was {size}; it must be at least 1")
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The cached value for ``key``, built once when missing (a failed build caches nothing)."""
        with self._guard:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._items:
                    self.hits += 1
                    return self._items[key]
            try:
                value = build()
            except BaseException:
                with self._guard:
                    self._locks.pop(key, None)
                raise
            with self._guard:
                self.misses += 1
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    old, _ = self._items.popitem(last=False)
                    self._locks.pop(old, None)
                self._locks.pop(key, None)
            return value


def key_for(bind, slug: str, start: date | None, end: date | None) -> tuple:
    """The cache key of a review: operation, period, today and the data version."""
    return (slug, start, end, date.today(), data_version(bind))


@dataclass(frozen=True)
class Encoded:
    """A response body serialised once: the bytes, their gzip, and an ETag naming them."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Encoded:
        return cls(body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0),
                   etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header value accepts gzip (``gzip;q=0`` refuses it)."""
    weights = {}
    for item in accept_encoding.lower().split(","):
        name, *params = item.split(";")
        weight = 1.0
        for param in params:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip()] = weight
    for name in ("gzip", "x-gzip", "*"):
        if name in weights:
            return weights[name] > 0
    return False


def send_encoded(request, encoded: Encoded, media_type: str):
    """``encoded`` as a response: 304 when the client holds it, gzip when it accepts gzip."""
    from fastapi.responses import Response

    headers = {"ETag": encoded.etag, "Vary": "Accept-Encoding"}
    sent = request.headers.get("if-none-match", "")
    if sent and (sent.strip() == "*" or encoded.etag in [t.strip().removeprefix("W/") for t in sent.split(",")]):
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        return Response(encoded.gzipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(encoded.body, media_type=media_type, headers=headers)
