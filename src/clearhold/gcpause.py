"""Pausing Python's cyclic garbage collector while bulk work makes many objects.

A record import or a results review of 50,000 records creates hundreds of thousands of
objects that are not garbage (rows, dicts, lists) and that it holds until it is done. The
cyclic collector would pass over all of them again and again as they accumulate (a quarter to
a third of the time measured). Reference counting still frees memory as usual while it is paused.

The pause is process-wide and may be entered by several threads at once (the web server builds
reviews in worker threads): a counter under a lock makes the first entrant pause the collector
and the last one leaving switch it back on, if it was on before the first entered.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (see the module's docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
