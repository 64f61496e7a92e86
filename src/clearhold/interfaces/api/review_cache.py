"""A small cache of built reviews, keyed by the data they were built from.

Building the review of a year-long operation takes about a second; many users asking for
the same review at once would queue behind each other. The key holds the operation, the
period, today's date and a *data version* read in one cheap query (highest record-history
id, intelligence log count and highest id, areas and tactics): any record created,
corrected or deleted, any new log, area or tactic makes a new key, so a cached review is
never stale. One lock per key: concurrent first requests build it once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

_VERSION_SQL = sa.text(
    "SELECT (SELECT max(id) FROM record_history), (SELECT count(*) FROM record_history), "
    "(SELECT max(id) FROM intel_logs), (SELECT count(*) FROM intel_logs), "
    "(SELECT max(id) FROM areas), (SELECT count(*) FROM areas), "
    "(SELECT max(id) FROM tactics), (SELECT count(*) FROM tactics), (SELECT count(*) FROM operations)"
)


def data_version(session) -> tuple:
    return tuple(session.execute(_VERSION_SQL).one())


class ReviewCache:
    def __init__(self, size: int = 32) -> None:
        if size < 1:
            raise ValueError(f"size was {size}; it must be at least 1")
        self.size = size
        self._items: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The cached review for ``key`` (shared: treat it as read-only), built once when missing."""
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
            review = build()
            with self._guard:
                self.misses += 1
                self._items[key] = review
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    old, _ = self._items.popitem(last=False)
                    self._locks.pop(old, None)
                self._locks.pop(key, None)
            return review


def key_for(session, slug: str, start: date | None, end: date | None) -> tuple:
    return (slug, start, end, date.today(), data_version(session))
