"""Versioned drug price tables and the valuation of drug items.

There is no national street-value method: each force keeps a local table. A table is a TOML
file with ``version``, ``source``, ``published_on``, ``notes`` and ``[[entries]]`` of
``drug_type``, ``drug_class``, ``unit`` and ``price_gbp`` (a decimal string). Values are
exact: Decimal pounds in, integer pence out, rounded half up.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy.orm import Session

from clearhold.errors import InvalidInput, NotFound
from clearhold.record import vocab
from clearhold.record.tables import DrugPriceTable

BUILTIN_DIR = Path(__file__).resolve().parent / "price_tables"
_UNIT_FACTORS = {("kg", "g"): Decimal(1000), ("g", "kg"): Decimal("0.001")}


@dataclass(frozen=True)
class Valuation:
    value_pence: int
    price_table_version: str
    unit_price_pence: int
    priced_unit: str


def parse_price_table(path: Path) -> dict:
    """Read and check a price table file; errors name the file and the entry."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: not a readable TOML price table ({exc})") from None
    for key in ("version", "source", "published_on", "entries"):
        if key not in raw:
            raise InvalidInput(f"{path}: missing {key!r}")
    try:
        published = date.fromisoformat(str(raw["published_on"]))
    except ValueError:
        raise InvalidInput(f"{path}: published_on was {raw['published_on']!r}; use YYYY-MM-DD") from None
    entries = []
    seen = set()
    for i, e in enumerate(raw["entries"], start=1):
        where = f"{path}: entry {i}"
        for key in ("drug_type", "drug_class", "unit", "price_gbp"):
            if key not in e:
                raise InvalidInput(f"{where}: missing {key!r}")
        if e["drug_class"] not in vocab.DRUG_CLASSES:
            raise InvalidInput(f"{where}: drug_class was {e['drug_class']!r}; it must be A, B or C")
        if e["unit"] not in vocab.DRUG_UNITS:
            raise InvalidInput(f"{where}: unit was {e['unit']!r}; it must be one of {', '.join(vocab.DRUG_UNITS)}")
        try:
            price = Decimal(str(e["price_gbp"]))
        except InvalidOperation:
            raise InvalidInput(f"{where}: price_gbp was {e['price_gbp']!r}; it must be a decimal amount") from None
        if price < 0 or price.as_tuple().exponent < -2:
            raise InvalidInput(f"{where}: price_gbp was {price}; it must be a non-negative amount in pounds and pence")
        key = (e["drug_type"].lower(), e["unit"])
        if key in seen:
            raise InvalidInput(f"{where}: {key[0]} per {key[1]} is priced twice")
        seen.add(key)
        entries.append({"drug_type": key[0], "drug_class": e["drug_class"], "unit": e["unit"],
                        "price_pence": int(price * 100)})
    return {"version": str(raw["version"]), "source": str(raw["source"]), "published_on": published,
            "notes": raw.get("notes"), "entries": entries}


def load(session: Session, *, path: Path) -> DrugPriceTable:
    """Store a price table. A version, once stored, never changes: loading it again must match."""
    data = parse_price_table(path)
    existing = session.get(DrugPriceTable, data["version"])
    if existing is not None:
        if existing.entries != data["entries"] or existing.source != data["source"]:
            raise InvalidInput(
                f"{path}: price table version {data['version']!r} is already stored with different "
                "prices; give the changed table a new version"
            )
        return existing
    table = DrugPriceTable(**data)
    session.add(table)
    session.flush()
    return table


def get(session: Session, *, version: str) -> DrugPriceTable:
    table = session.get(DrugPriceTable, version)
    if table is None:
        builtin = BUILTIN_DIR / f"{version}.toml"
        if builtin.exists():
            return load(session, path=builtin)
        raise NotFound(f"drug price table {version!r} is not loaded (clearhold prices load FILE)")
    return table


def value_of(table: DrugPriceTable, *, drug_type: str, drug_class: str, quantity: Decimal, unit: str) -> Valuation:
    """Value of a quantity of a drug under a price table, exact to the penny."""
    prices = {(e["drug_type"], e["unit"]): e for e in table.entries}
    entry = prices.get((drug_type, unit))
    factor = Decimal(1)
    if entry is None:
        for (src, dst), f in _UNIT_FACTORS.items():
            if src == unit and (drug_type, dst) in prices:
                entry, factor = prices[(drug_type, dst)], f
                break
    if entry is None:
        priced = sorted(f"{t} per {u}" for t, u in prices)
        raise InvalidInput(
            f"drug_type {drug_type!r} in {unit} has no price in table {table.version!r} "
            f"(priced: {', '.join(priced)}); give value_gbp or load a table that prices it"
        )
    if entry["drug_class"] != drug_class:
        raise InvalidInput(
            f"drug_class was {drug_class!r} but table {table.version!r} lists {drug_type} as class {entry['drug_class']}"
        )
    pence = (quantity * factor * entry["price_pence"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Valuation(int(pence), table.version, entry["price_pence"], entry["unit"])
