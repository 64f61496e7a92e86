"""Vectorised hotlist matching on the exact plate and on the misread-equivalence key.

The hotlist is indexed once by the base-37 code of each entry's misread key (a pandas hash
index over ``uint64``; entries sharing a key are grouped in CSR arrays). A batch of reads is
matched with one hash lookup per read on its key code; for the few reads that find a group,
the exact plate code decides ``exact`` against ``misread`` for every entry of the group.
Exact matches are a subset of key matches, so one lookup serves both. Plates longer than
12 characters (codes not exact) are confirmed by comparing text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clearhold.anpr import plates
from clearhold.errors import InvalidInput


@dataclass(frozen=True)
class HotlistIndex:
    """A hotlist prepared for matching. ``entry_ids[i]`` identifies entry ``i`` to the caller."""

    vrms: np.ndarray  # normalised plate text per entry (object)
    vrm_codes: np.ndarray  # uint64
    key_codes: np.ndarray  # uint64
    too_long: np.ndarray  # bool: code not exact, compare text
    entry_ids: np.ndarray  # int64
    key_index: pd.Index  # unique key codes
    group_offsets: np.ndarray  # int64, len(key_index) + 1
    group_entries: np.ndarray  # int64 entry positions, grouped by key

    def __len__(self) -> int:
        return int(self.vrms.shape[0])


@dataclass(frozen=True)
class MatchResult:
    """Hits as parallel arrays: read position, entry position, exact (else misread)."""

    read_pos: np.ndarray
    entry_pos: np.ndarray
    exact: np.ndarray

    def __len__(self) -> int:
        return int(self.read_pos.shape[0])

    def match_types(self) -> np.ndarray:
        return np.where(self.exact, "exact", "misread")


def build_index(vrms: Sequence[str] | np.ndarray, entry_ids: Sequence[int] | np.ndarray | None = None) -> HotlistIndex:
    """Index hotlist plates (raw or normalised text) for :func:`match`.

    Raises InvalidInput if a plate is empty after normalisation.
    """
    texts = np.array([plates.normalise(v) for v in vrms], dtype=object)
    empty = np.flatnonzero(texts == "")
    if empty.size:
        raise InvalidInput(f"hotlist vrm at position {int(empty[0])} was {vrms[int(empty[0])]!r}; it must contain letters or digits")
    ids = np.arange(len(texts), dtype=np.int64) if entry_ids is None else np.asarray(entry_ids, dtype=np.int64)
    if ids.shape[0] != texts.shape[0]:
        raise InvalidInput(f"entry_ids had {ids.shape[0]} items; it must have one per vrm ({texts.shape[0]})")
    raw = plates.as_bytes_array(list(texts)) if len(texts) else np.zeros(0, dtype="S1")
    vrm_codes, too_long = plates.encode(raw)
    key_codes, _ = plates.encode_key(raw)
    order = np.argsort(key_codes, kind="stable")
    sorted_keys = key_codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(order) else np.zeros(0, np.int64)
    offsets = np.r_[starts, len(order)].astype(np.int64)
    key_index = pd.Index(sorted_keys[starts] if len(order) else np.zeros(0, np.uint64))
    return HotlistIndex(texts, vrm_codes, key_codes, too_long, ids, key_index, offsets, order.astype(np.int64))


def _expand(groups: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each group, the positions offsets[g]..offsets[g+1]; returns (repeat index, positions)."""
    counts = offsets[groups + 1] - offsets[groups]
    reps = np.repeat(np.arange(groups.shape[0]), counts)
    starts = np.repeat(offsets[groups], counts)
    within = np.arange(reps.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
    return reps, starts + within


def match(index: HotlistIndex, reads: Sequence[str] | np.ndarray) -> MatchResult:
    """Match raw read texts (``str`` sequence or fixed-width bytes array) against ``index``.

    Every read whose misread key equals an entry's key is a hit; it is ``exact`` when the
    normalised plates are equal, ``misread`` otherwise.
    """
    raw = plates.as_bytes_array(reads)
    if raw.shape[0] == 0 or len(index) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return MatchResult(empty, empty, np.zeros(0, dtype=bool))
    key_codes, _ = plates.encode_key(raw)
    return match_codes(index, key_codes, raw)


def match_codes(index: HotlistIndex, key_codes: np.ndarray, raw: np.ndarray) -> MatchResult:
    """Like :func:`match` with the read key codes already computed (``raw`` for candidates only)."""
    groups = index.key_index.get_indexer(key_codes)
    candidates = np.flatnonzero(groups >= 0)
    if candidates.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return MatchResult(empty, empty, np.zeros(0, dtype=bool))
    reps, entry_pos = _expand(groups[candidates].astype(np.int64), index.group_offsets)
    entry_pos = index.group_entries[entry_pos]
    read_pos = candidates[reps]
    cand_raw = raw[candidates]
    cand_codes, cand_long = plates.encode(cand_raw)
    exact = cand_codes[reps] == index.vrm_codes[entry_pos]
    check = cand_long[reps] | index.too_long[entry_pos]
    if check.any():  # long plates: codes wrapped, confirm on text
        keep = np.ones(read_pos.shape[0], dtype=bool)
        for i in np.flatnonzero(check):
            text = plates.normalise(cand_raw[reps[i]].decode("ascii"))
            entry = index.vrms[entry_pos[i]]
            exact[i] = text == entry
            keep[i] = plates.misread_key(text) == plates.misread_key(entry)
        read_pos, entry_pos, exact = read_pos[keep], entry_pos[keep], exact[keep]
    order = np.lexsort((entry_pos, read_pos))
    return MatchResult(read_pos[order], entry_pos[order], exact[order])


def naive_index(hotlist_vrms: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """Baseline index: misread key -> [(entry position, normalised plate)] in a Python dict."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    for pos, vrm in enumerate(hotlist_vrms):
        text = plates.normalise(vrm)
        by_key.setdefault(plates.misread_key(text), []).append((pos, text))
    return by_key


def naive_lookup(by_key: dict[str, list[tuple[int, str]]], reads: Sequence[str]) -> list[tuple[int, int, str]]:
    """Baseline matching: one Python dictionary lookup per read."""
    hits = []
    for read_pos, raw in enumerate(reads):
        text = plates.normalise(raw)
        for entry_pos, entry in by_key.get(plates.misread_key(text), ()):
            hits.append((read_pos, entry_pos, "exact" if entry == text else "misread"))
    return hits


def naive_match(hotlist_vrms: Sequence[str], reads: Sequence[str]) -> list[tuple[int, int, str]]:
    """Baseline: per-read Python dictionary lookups (same results as :func:`match`)."""
    return naive_lookup(naive_index(hotlist_vrms), reads)
