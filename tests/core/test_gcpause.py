"""The cyclic-GC pause used by imports and reviews, entered from many threads at once."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from clearhold.gcpause import cyclic_gc_paused


@pytest.fixture(autouse=True)
def _gc_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_on_after_even_on_error():
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():  # nested
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_off_if_it_was_off():
    gc.disable()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_many_threads_interleaving_leave_it_on():
    # Switch threads as often as possible so that entries and exits interleave. (A plain
    # "was it on? pause; ...; switch back on if it was" left the collector off in about one
    # trial in ten here.)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(20):
            start = threading.Barrier(8)

            def work(start=start):
                start.wait()
                for _ in range(2000):
                    with cyclic_gc_paused():
                        pass

            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert gc.isenabled()
    finally:
        sys.setswitchinterval(interval)
