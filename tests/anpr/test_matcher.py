"""Vectorised matcher against the naive per-read baseline and hand-checked hits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearhold.anpr import matcher
from clearhold.errors import InvalidInput

HOTLIST = ["AB12CDE", "AB12CD8", "XY51ZZZ", "A1", "LONGFOREIGNPLATE1"]


def test_hand_checked_hits():
    reads = ["ab12 cde", "AB12CDB", "nothing", "XY5I 222", "a i", "longforeignplate1", "LONGF0REIGNPLATEI", "LONGFOREIGNPLATE2"]
    before = list(reads)
    index = matcher.build_index(HOTLIST, [10, 11, 12, 13, 14])
    result = matcher.match(index, reads)
    assert reads == before
    got = list(zip(result.read_pos.tolist(), index.entry_ids[result.entry_pos].tolist(), result.match_types().tolist(), strict=True))
    assert got == [(0, 10, "exact"), (1, 11, "misread"), (3, 12, "misread"), (4, 13, "misread"),
                   (5, 14, "exact"), (6, 14, "misread")]


def test_shared_key_gives_one_hit_per_entry():
    index = matcher.build_index(["SO5", "505", "S05"])
    result = matcher.match(index, ["505"])
    assert result.entry_pos.tolist() == [0, 1, 2]
    assert result.match_types().tolist() == ["misread", "exact", "misread"]


def test_empty_inputs():
    assert len(matcher.match(matcher.build_index([]), ["AB12CDE"])) == 0
    assert len(matcher.match(matcher.build_index(["AB"]), [])) == 0


def test_build_index_errors():
    with pytest.raises(InvalidInput, match="hotlist vrm at position 1 was ' - '"):
        matcher.build_index(["AB", " - "])
    with pytest.raises(InvalidInput, match="entry_ids had 1 items"):
        matcher.build_index(["AB", "CD"], [1])


PLATE = st.text(st.sampled_from(list("AB0O1I5S8DZ2 ")), min_size=1, max_size=8).filter(lambda s: s.strip())


@settings(max_examples=150)
@given(st.lists(PLATE, min_size=1, max_size=20), st.lists(PLATE, max_size=40))
def test_vectorised_equals_naive(hotlist, reads):
    from clearhold.anpr import plates

    hotlist = [h for h in hotlist if plates.normalise(h)]
    index = matcher.build_index(hotlist)
    result = matcher.match(index, reads)
    got = sorted(zip(result.read_pos.tolist(), result.entry_pos.tolist(), result.match_types().tolist(), strict=True))
    assert got == sorted(matcher.naive_match(hotlist, reads))


def test_large_hotlist_finds_planted_reads():
    rng = np.random.default_rng(3)
    letters = np.frombuffer(b"ACEFHJKLMNPRTUVWXY", dtype=np.uint8)  # no confusable letters
    digits = np.frombuffer(b"34679", dtype=np.uint8)
    def plates_(n):
        cols = [letters, letters, digits, digits, letters, letters, letters]
        return np.stack([c[rng.integers(0, len(c), n)] for c in cols], axis=1).copy().view("S7").ravel()
    hot = np.unique(plates_(50_000))
    reads = plates_(20_000)
    reads[:5] = hot[:5]
    index = matcher.build_index([h.decode() for h in hot])
    result = matcher.match(index, reads)
    assert set(range(5)) <= set(result.read_pos.tolist())
    assert result.exact.all()  # no confusable characters, so every hit is exact
