"""Plate normalisation, misread key and format labels (reference values and properties)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearhold.anpr import plates

PLATE_CHARS = st.sampled_from(list(plates.ALPHABET + plates.ALPHABET.lower() + " -.·é/"))
RAW = st.text(PLATE_CHARS, min_size=0, max_size=14)
ANY_TEXT = st.text(max_size=20)


@pytest.mark.parametrize(("raw", "expected"), [
    ("ab12 cde", "AB12CDE"), (" AB12-CDE ", "AB12CDE"), ("a.b/1", "AB1"), ("", ""), ("é1ß", "1"),
])
def test_normalise_reference(raw, expected):
    assert plates.normalise(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("SO5 OBD", "505080"), ("AB12CDE", "A812C0E"), ("0ODQ", "0000"), ("1I2Z5S8B6G", "1122558866"),
    ("XY", "XY"),
])
def test_misread_key_reference(raw, expected):
    assert plates.misread_key(raw) == expected


@pytest.mark.parametrize(("raw", "label"), [
    ("AB12 CDE", "current"), ("AB51CDE", "current"), ("AB01CDE", "other"), ("AB50CDE", "other"),
    ("A123 BCD", "prefix"), ("ABC 123D", "suffix"), ("AIZ 1234", "northern_ireland"),
    ("ABC 1234", "dateless"), ("1 ABC", "dateless"), ("ZZ 99", "dateless"),
    ("W0LF", "other"), ("D-123-ABC", "prefix"), ("WOLF1X", "other"), ("", "other"),
])
def test_plate_format_reference(raw, label):
    assert plates.plate_format(raw) == label


def test_normalise_rejects_non_text():
    with pytest.raises(TypeError, match="raw was int"):
        plates.normalise(123)


def test_as_bytes_array_rejects_non_text():
    with pytest.raises(TypeError, match="plate text was NoneType"):
        plates.as_bytes_array(["AB", None])


@given(ANY_TEXT)
def test_normalise_idempotent_and_clean(raw):
    n = plates.normalise(raw)
    assert plates.normalise(n) == n
    assert all(ch in plates.ALPHABET for ch in n)


@given(ANY_TEXT)
def test_key_idempotent_and_format_always_labelled(raw):
    key = plates.misread_key(raw)
    assert plates.misread_key(key) == key
    assert plates.plate_format(raw) in plates.FORMATS


@given(st.text(st.sampled_from(list(plates.ALPHABET)), min_size=1, max_size=10), st.data())
def test_confusions_share_a_key(plate, data):
    """Swapping any character for a member of its confusion class keeps the key."""
    classes = {ch: cls for cls in plates.CONFUSION_CLASSES for ch in cls}
    misread = "".join(data.draw(st.sampled_from(classes.get(ch, ch))) for ch in plate)
    assert plates.misread_key(misread) == plates.misread_key(plate)


@settings(max_examples=200)
@given(st.lists(RAW, min_size=1, max_size=30))
def test_numpy_codes_equal_python(raws):
    before = list(raws)
    codes, too_long = plates.encode(raws)
    keys, _ = plates.encode_key(raws)
    assert raws == before
    for raw, code, key, long_ in zip(raws, codes, keys, too_long, strict=True):
        text = plates.normalise(raw)
        assert bool(long_) == (len(text) > plates.MAX_CODE_CHARS)
        if not long_:
            assert plates.decode(code) == text
            assert plates.decode(key) == plates.misread_key(text)


def test_codes_of_bytes_array_input():
    arr = np.array([b"ab 12", b"A B1 2"], dtype="S6")
    codes, _ = plates.encode(arr)
    assert codes[0] == codes[1] and plates.decode(codes[0]) == "AB12"
