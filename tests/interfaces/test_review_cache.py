"""The cache helpers: building once, failed builds, gzip negotiation."""

from __future__ import annotations

import gzip

import pytest

from clearhold.interfaces.api.review_cache import Encoded, ReviewCache, accepts_gzip


def test_a_failed_build_caches_nothing_and_the_next_call_builds_again():
    cache = ReviewCache(size=2)

    def fail():
        raise LookupError("no such operation")

    with pytest.raises(LookupError, match="no such operation"):
        cache.get(("k",), fail)
    assert cache.get(("k",), lambda: "built") == "built"
    assert (cache.hits, cache.misses) == (0, 1)
    assert cache._locks == {}  # no lock left behind by the failure


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip, deflate", True), ("gzip, deflate, br, zstd", True), ("deflate", False), ("", False),
    ("identity", False), ("*", True), ("x-gzip", True), ("br, gzip;q=0.5", True), ("gzip;q=0", False),
    ("gzip;q=0, *", False), ("GZIP", True), ("gzip;q=nonsense", False),
])
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected


def test_encoded_holds_the_body_its_gzip_and_a_stable_etag():
    body = b'{"figures": [1, 2, 3]}' * 100
    first, second = Encoded.of(body), Encoded.of(body)
    assert first.body == body and gzip.decompress(first.gzipped) == body
    assert first.gzipped == second.gzipped  # no timestamp in the gzip header
    assert first.etag == second.etag and first.etag.startswith('"') and first.etag.endswith('"')
    assert Encoded.of(body + b" ").etag != first.etag
