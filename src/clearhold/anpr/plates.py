"""Plate text: normalisation, the misread-equivalence key, format labels and integer codes.

The raw OCR text is never changed; everything here derives new values from it.

* ``normalise``: upper case, only ASCII letters and digits kept (spaces, punctuation and
  any other character dropped).
* ``misread_key``: every character replaced by the representative of its OCR confusion
  class ({0,O,D,Q} -> 0, {1,I} -> 1, {2,Z} -> 2, {5,S} -> 5, {8,B} -> 8, {6,G} -> 6), so two
  plates that differ only by such confusions share one key and exact hashing still works.
* ``plate_format``: a label (current, prefix, suffix, dateless, northern_ireland, other);
  a format is never a reason to reject a read.
* ``encode`` / ``encode_key``: vectorised numpy versions giving a base-37 ``uint64`` code per
  plate (exact for up to 12 characters; longer plates are flagged so callers compare text).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from collections.abc import Iterable, Sequence

import numpy as np

FORMATS = ("current", "prefix", "suffix", "dateless", "northern_ireland", "other")

CONFUSION_CLASSES: tuple[str, ...] = ("0ODQ", "1I", "2Z", "5S", "8B", "6G")
"""OCR confusion classes (see docs/anpr.md); the first character represents its class."""

ALPHABET = string.digits + string.ascii_uppercase  # codes 1..36; 0 means "no character"
MAX_CODE_CHARS = 12  # 37**12 < 2**63: up to 12 characters encode without loss

_CLASS_OF = {ch: cls[0] for cls in CONFUSION_CLASSES for ch in cls}
_UPPER_BYTES = bytes.maketrans(string.ascii_lowercase.encode(), string.ascii_uppercase.encode())
_KEY_BYTES = bytes(
    ord(_CLASS_OF.get(chr(b).upper(), chr(b).upper())) if chr(b).isascii() and chr(b).isalnum() else b
    for b in range(256)
)
_DROP_BYTES = bytes(b for b in range(256) if not (chr(b).isascii() and chr(b).isalnum()))

_CURRENT = re.compile(r"^[A-HJ-PR-Y]{2}([0-9]{2})[A-HJ-PR-Z]{3}$")
_PREFIX = re.compile(r"^[A-HJ-NPR-Y][0-9]{1,3}[A-HJ-PR-Y]{3}$")
_SUFFIX = re.compile(r"^[A-HJ-PR-Y]{3}[0-9]{1,3}[A-HJ-NPR-Y]$")
_NI = re.compile(r"^[A-HJ-PR-Y][A-PR-Z]{2}[0-9]{1,4}$")
_DATELESS = re.compile(r"^(?:[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3})$")
_AGE_NOT_ISSUED = {"00", "01", "50"}


def normalise(raw: str) -> str:
    """Upper-case ``raw`` and keep only ASCII letters and digits: ``"ab12 cde"`` -> ``"AB12CDE"``."""
    if not isinstance(raw, str):
        raise TypeError(f"raw was {type(raw).__name__}; it must be a str")
    # C-level: drop non-ASCII, upper-case, delete everything but letters and digits
    return raw.encode("ascii", "ignore").translate(_UPPER_BYTES, _DROP_BYTES).decode("ascii")


def misread_key(vrm: str) -> str:
    """The misread-equivalence key of a plate (normalised first): ``"SO5 OBD"`` -> ``"505080"``."""
    return vrm.encode("ascii", "ignore").translate(_KEY_BYTES, _DROP_BYTES).decode("ascii")


def plate_format(vrm: str) -> str:
    """The format label of a plate (normalised first); never raises for odd plates."""
    return format_of_normalised(normalise(vrm))


@lru_cache(maxsize=1 << 16)
def format_of_normalised(plate: str) -> str:
    """:func:`plate_format` of a plate already normalised (cached: plates recur in traffic)."""
    current = _CURRENT.match(plate)
    if current:
        return "other" if current.group(1) in _AGE_NOT_ISSUED else "current"
    if _PREFIX.match(plate):
        return "prefix"
    if _SUFFIX.match(plate):
        return "suffix"
    if _NI.match(plate) and ("I" in plate[:3] or "Z" in plate[:3]):
        return "northern_ireland"
    if _DATELESS.match(plate):
        return "dateless"
    return "other"


# ----------------------------------------------------------------------------- numpy codes

_CODE_LUT = np.zeros(256, dtype=np.uint64)
_MULT_LUT = np.ones(256, dtype=np.uint64)
_KEY_CODE_LUT = np.zeros(256, dtype=np.uint64)
for _i, _ch in enumerate(ALPHABET, start=1):
    for _byte in {ord(_ch), ord(_ch.lower())}:
        _CODE_LUT[_byte] = _i
        _MULT_LUT[_byte] = 37
        _KEY_CODE_LUT[_byte] = ALPHABET.index(_CLASS_OF.get(_ch, _ch)) + 1


def as_bytes_array(raws: Iterable[str] | np.ndarray) -> np.ndarray:
    """Raw plate texts as a fixed-width ASCII bytes array (non-ASCII characters dropped)."""
    if isinstance(raws, np.ndarray) and raws.dtype.kind == "S":
        return raws
    items = [r.encode("ascii", "ignore") if isinstance(r, str) else _bad(r) for r in raws]
    width = max((len(b) for b in items), default=1) or 1
    return np.array(items, dtype=f"S{width}")


def _bad(value):
    raise TypeError(f"plate text was {type(value).__name__}; it must be a str")


def _fold(raws: np.ndarray, lut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = raws.shape[0]
    width = raws.dtype.itemsize
    chars = np.ascontiguousarray(raws).view(np.uint8).reshape(n, width)
    codes = np.zeros(n, dtype=np.uint64)
    kept = np.zeros(n, dtype=np.uint8)
    for j in range(width):
        col = chars[:, j]
        mult = _MULT_LUT[col]  # 37 for a kept character, 1 for a dropped one (no shift)
        np.multiply(codes, mult, out=codes)
        np.add(codes, lut[col], out=codes)
        kept += mult != 1
    return codes, kept


def encode(raws: Sequence[str] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base-37 codes of the normalised plates and a mask of plates too long to encode exactly.

    Returns ``(codes uint64, too_long bool)``; plates of more than 12 characters wrap around,
    so callers confirm any match on them by comparing text.
    """
    arr = as_bytes_array(raws)
    codes, kept = _fold(arr, _CODE_LUT)
    return codes, kept > MAX_CODE_CHARS


def encode_key(raws: Sequence[str] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base-37 codes of the misread keys (same layout as :func:`encode`)."""
    arr = as_bytes_array(raws)
    codes, kept = _fold(arr, _KEY_CODE_LUT)
    return codes, kept > MAX_CODE_CHARS


def decode(code: int) -> str:
    """The plate text of a base-37 code (inverse of :func:`encode` for short plates)."""
    out = []
    code = int(code)
    while code:
        code, digit = divmod(code, 37)
        out.append(ALPHABET[digit - 1])
    return "".join(reversed(out))
