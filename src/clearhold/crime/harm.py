"""Harm sets: per-crime-type weights kept as versioned CSV configuration.

A harm set file is a CSV with columns ``crime_type,weight,source`` (one row for each of the
14 data.police.uk crime types), preceded by optional ``# key: value`` lines giving ``name``,
``version``, ``date`` and ``source``. Built-in sets live in ``clearhold/crime/harm_sets/``;
``count`` (every weight 1) is always available. A user set is given by its file path.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from clearhold.errors import InvalidInput, NotFound
from clearhold.sources.police_uk_files import CRIME_TYPES

HARM_SET_DIR = Path(__file__).resolve().parent / "harm_sets"


@dataclass(frozen=True)
class HarmSet:
    name: str
    version: str
    date: str
    source: str
    weights: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)


COUNT = HarmSet("count", "1", "", "every crime counts 1", {t: 1.0 for t in CRIME_TYPES}, {t: "count" for t in CRIME_TYPES})


def available() -> list[str]:
    """Names of the built-in harm sets."""
    return ["count", *sorted(p.stem for p in HARM_SET_DIR.glob("*.csv"))]


def load(name_or_path: str | Path | HarmSet) -> HarmSet:
    """A harm set by built-in name (``count``, ``illustrative-v1``) or CSV file path."""
    if isinstance(name_or_path, HarmSet):
        return name_or_path
    if not isinstance(name_or_path, str | Path):
        raise TypeError(f"weights must be a harm set name or a CSV path, not {type(name_or_path).__name__}")
    text = str(name_or_path)
    if text == "count":
        return COUNT
    builtin = HARM_SET_DIR / f"{text}.csv"
    path = builtin if builtin.exists() else Path(text)
    if not path.exists() or path.suffix.lower() != ".csv":
        raise NotFound(f"weights was {text!r}; it must be one of {', '.join(available())} or the path of a harm set CSV")
    return parse(path.read_text(encoding="utf-8"), default_name=path.stem, label=str(path))


def parse(text: str, *, default_name: str, label: str) -> HarmSet:
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip().lower()] = value.strip()
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    if reader.fieldnames is None or not {"crime_type", "weight"} <= set(reader.fieldnames):
        raise InvalidInput(f"{label}: a harm set needs the columns crime_type,weight (and optionally source); got {reader.fieldnames}")
    weights: dict[str, float] = {}
    sources: dict[str, str] = {}
    for number, row in enumerate(reader, start=2):
        ctype = (row["crime_type"] or "").strip()
        if ctype not in CRIME_TYPES:
            raise InvalidInput(f"{label}: crime_type {ctype!r} on data row {number - 1} is not one of the 14 data.police.uk types")
        if ctype in weights:
            raise InvalidInput(f"{label}: crime_type {ctype!r} is given twice")
        try:
            weight = float(row["weight"])
        except (TypeError, ValueError):
            raise InvalidInput(f"{label}: weight for {ctype!r} was {row['weight']!r}; it must be a number") from None
        if not weight >= 0 or weight == float("inf"):
            raise InvalidInput(f"{label}: weight for {ctype!r} was {weight}; it must be a finite number >= 0")
        weights[ctype] = weight
        sources[ctype] = (row.get("source") or "").strip()
    missing = [t for t in CRIME_TYPES if t not in weights]
    if missing:
        raise InvalidInput(f"{label}: no weight for {missing}; a harm set must weight all 14 crime types")
    return HarmSet(
        name=meta.get("name", default_name), version=meta.get("version", ""), date=meta.get("date", ""),
        source=meta.get("source", ""), weights=weights, sources=sources,
    )
