"""Generate the two reference operations as records, so that their results reviews restate
the published figures from the records themselves.

The generator is seeded; the records are synthetic (no real person, vehicle or event), but
every figure in the reviews is computed from them exactly as it would be from real entries.
Published figures (press releases of 2023-10-09 and 2024-03-14) are kept in ``PUBLISHED``
so the demo can show computed and published side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from shapely.geometry import Point
from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.area.geometry import geojson_to_bng
from clearhold.area.schemas import AreaCreate
from clearhold.demo.places import Place
from clearhold.geo.bng import to_wgs84
from clearhold.intel import service as intel_service
from clearhold.intel.schemas import IntelLogCreate
from clearhold.operation import service as operation_service
from clearhold.operation.schemas import OperationCreate
from clearhold.record import service as record_service

GENERATOR_VERSION = 1
ANPR_PRESERVED_FOR = "Ten weeks of action on serious violence (demo)"
ENTERED_BY = "demo-generator"

OPERATION_A = "ten-weeks-of-action-2023"
OPERATION_B = "op-revive-2023"
PUBLISHED = {
    OPERATION_A: {
        "arrests": 72, "knives_and_bladed_weapons": 47, "anpr_vehicle_stops": 95, "anpr_stop_arrests": 21,
    },
    OPERATION_B: {
        "arrests": "more than 190", "drugs_value_gbp": "£209,000", "weapons_seized": 49,
        "cash_seized_gbp": "more than £42,000", "custodial_sentence_years": "31 years", "intelligence_logs": 1969,
    },
}

OFFENCES_A = [
    ("Violence against the person", "GBH with intent", 14), ("Sexual offences", "sexual assault", 5),
    ("Possession of weapons offences", "possession of a bladed article", 16), ("Sexual offences", "rape", 3),
    ("Drug offences", "possession with intent to supply class A", 12), ("Theft offences", "burglary dwelling", 8),
    ("Theft offences", "theft of motor vehicle", 6), ("Violence against the person", "actual bodily harm", 8),
]
OFFENCES_B = [
    ("Drug offences", "possession with intent to supply class A", 30), ("Drug offences", "being concerned in supply of class A", 14),
    ("Possession of weapons offences", "possession of a bladed article", 12), ("Violence against the person", "GBH with intent", 8),
    ("Robbery", "robbery", 6), ("Miscellaneous crimes", "modern slavery (exploitation of a child)", 4),
    ("Violence against the person", "assault occasioning actual bodily harm", 10), ("Theft offences", "burglary dwelling", 6),
    ("Possession of weapons offences", "possession of a firearm", 3), ("Drug offences", "possession of cannabis", 7),
]


@dataclass
class _Gen:
    session: Session
    rng: np.random.Generator
    op: str
    start: date
    end: date
    ctx: Any = None
    seq: int = 0

    def __post_init__(self) -> None:
        self.ctx = record_service.new_context(self.session)

    def when(self, hour_weights: bool = True) -> datetime:
        days = (self.end - self.start).days + 1
        d = self.start + timedelta(days=int(self.rng.integers(0, days)))
        hour = int(self.rng.choice(24, p=_HOURS)) if hour_weights else int(self.rng.integers(8, 20))
        minute = int(self.rng.integers(0, 60))
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)

    def ref(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}-{self.seq:05d}"

    def add(self, data: dict[str, Any]):
        data.setdefault("operation", self.op)
        return record_service.create(self.session, record_in=record_service.parse_record(data),
                                     entered_by=ENTERED_BY, _ctx=self.ctx)


# Hour-of-day weights: violence and drug activity peak in the evening.
_h = np.array([3, 2, 2, 1, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 8, 8, 8, 7, 6, 5, 4], dtype=float)
_HOURS = _h / _h.sum()


class PointSampler:
    """Random points (lat, lon) inside a polygon, near given centres (BNG metres)."""

    def __init__(self, geometry: dict[str, Any], rng: np.random.Generator,
                 centres: list[tuple[float, float]] | None = None, spread_m: float = 900) -> None:
        self.poly = geojson_to_bng(geometry)
        self.rng = rng
        self.centres = centres
        self.spread = spread_m

    def __call__(self) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.poly.bounds
        for _ in range(1000):
            if self.centres:
                cx, cy = self.centres[int(self.rng.integers(len(self.centres)))]
                x, y = self.rng.normal(cx, self.spread), self.rng.normal(cy, self.spread)
            else:
                x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if self.poly.contains(Point(x, y)):
                lon, lat = to_wgs84(x, y)
                return round(float(lat), 6), round(float(lon), 6)
        raise RuntimeError("could not place a point inside the area")


def _weighted(rng, options):
    w = np.array([o[-1] for o in options], dtype=float)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _area(session, slug, name, op, place: Place, role="target", parent=None, description=None):
    return area_service.create(session, area_in=AreaCreate(
        slug=slug, name=name, operation=op, role=role, parent=parent, geometry=place.geometry,
        description=description or f"Boundary: {place.source}"), created_by=ENTERED_BY)


def build_operation_a(session: Session, places: dict[str, Place], seed: int,
                      progress: Callable[[int], None] | None = None, anpr: bool = True) -> str:
    """Reference operation A: ten weeks of action on serious violence, county-wide, 2023.

    With ``anpr`` (the default) the 95 ANPR stops and the 21 arrests that followed come out of
    real hits: a synthetic camera network's reads go through the ANPR back office, the control
    room works the hits, and the stops and arrests reach the ledger from there.
    """
    slug = OPERATION_A
    rng = np.random.default_rng(seed)
    operation_service.create(session, operation_in=OperationCreate(
        slug=slug, name="Ten weeks of action on serious violence", force="Northamptonshire Police", synthetic=True,
        description=f"Reference operation A (demo data, generator v{GENERATOR_VERSION}, seed {seed}). "
                    "County-wide action to evaluate new tactics before deciding on business as usual.",
        starts_on=date(2023, 7, 31), ends_on=date(2023, 10, 8),
        tactics=[
            {"name": "ANPR-initiated stops", "category": "anpr_stops", "is_new": True,
             "description": "Stops of vehicles ANPR identified as used by people involved in violence"},
            {"name": "Weapons sweeps", "category": "weapons_sweep"},
            {"name": "Knife test purchases", "category": "test_purchase", "is_new": True},
            {"name": "Hotspot patrols", "category": "hotspot_patrol"},
            {"name": "Warrants", "category": "warrant"},
            {"name": "Diversion", "category": "diversion", "is_new": True,
             "description": "Diversion of people who want to step away from offending"},
            {"name": "Schools and partners", "category": "partnership"},
        ]), created_by=ENTERED_BY)
    _area(session, "west-northants", "West Northamptonshire", slug, places["west-northamptonshire"])
    _area(session, "north-northants", "North Northamptonshire", slug, places["north-northamptonshire"])
    g = _Gen(session, rng, slug, date(2023, 7, 31), date(2023, 10, 8))
    towns = [(475600, 260700), (475500, 260900), (476800, 262500), (487000, 278500), (489200, 288800),
             (490500, 267800), (456400, 262600)]  # Northampton (x3), Kettering, Corby, Wellingborough, Daventry
    west = PointSampler(places["west-northamptonshire"].geometry, rng, towns, 1200)
    north = PointSampler(places["north-northamptonshire"].geometry, rng, towns, 1200)

    def point():
        for sampler in (west, north) if rng.random() < 0.65 else (north, west):
            try:
                return sampler()
            except RuntimeError:
                continue
        raise RuntimeError("no point")

    knives_left = 47
    # The Racecourse weapons sweep, Northampton: the machete.
    g.add({"kind": "weapons_sweep", "ref": g.ref("SWP"), "occurred_at": datetime(2023, 8, 17, 10, 30, tzinfo=UTC),
           "ended_at": datetime(2023, 8, 17, 13, 0, tzinfo=UTC), "place": "Racecourse, Northampton",
           "area_searched": "Racecourse park, paths and hedgerows", "lat": 52.2497, "lon": -0.8876,
           "tactic": "Weapons sweeps",
           "items": [{"item_kind": "weapon", "weapon_type": "machete", "disposition": "recovered",
                      "description": "machete hidden in hedgerow"}]})
    knives_left -= 1
    sweep_places = ["Abington Park, Northampton", "Castle Station footpaths, Northampton", "Kettering town centre alleys",
                    "Corby Old Village", "Wellingborough Embankment", "Semilong play area, Northampton",
                    "Eastfield Park, Northampton", "Daventry Country Park paths", "Kings Heath open space",
                    "Blackthorn local centre", "Spring Boroughs, Northampton"]
    for place in sweep_places:
        lat, lon = point()
        found = int(rng.integers(0, 3))
        t = g.when(hour_weights=False)
        g.add({"kind": "weapons_sweep", "ref": g.ref("SWP"), "occurred_at": t, "ended_at": t + timedelta(hours=2),
               "place": place, "lat": lat, "lon": lon, "tactic": "Weapons sweeps",
               "items": [{"item_kind": "weapon", "weapon_type": "knife", "disposition": "recovered"}] * found})
        knives_left -= found
    if progress:
        progress(10)

    if anpr:
        _anpr_stops_and_arrests(session, slug, seed)
    else:
        stops = []
        for i in range(95):
            lat, lon = point()
            result = "arrest" if i < 21 else ("search" if i < 61 else "nothing_found")
            stops.append(g.add({"kind": "vehicle_stop", "ref": g.ref("VS"), "occurred_at": g.when(), "lat": lat,
                                "lon": lon, "vrm": _fake_vrm(rng), "reason": "anpr_hit", "result": result,
                                "tactic": "ANPR-initiated stops", "anpr_hit_ref": f"DEMO-HIT-{i + 1:04d}"}))
    for _ in range(30):
        lat, lon = point()
        g.add({"kind": "vehicle_stop", "ref": g.ref("VS"), "occurred_at": g.when(), "lat": lat, "lon": lon,
               "vrm": _fake_vrm(rng), "reason": str(rng.choice(["intelligence", "patrol"])),
               "result": str(rng.choice(["nothing_found", "search"])), "tactic": "Hotspot patrols"})
    if progress:
        progress(30)

    def arrest(t, lat, lon, tactic, source=None, knives=0):
        grp, text, _ = _weighted(rng, OFFENCES_A)
        items = [{"item_kind": "weapon", "weapon_type": "knife", "disposition": "seized"}] * knives
        return g.add({"kind": "arrest", "ref": g.ref("ARR"), "occurred_at": t, "lat": lat, "lon": lon,
                      "person_ref": f"P-A{int(rng.integers(10000, 99999))}", "age_band": str(rng.choice(
                          ["10-17", "18-24", "25-34", "35-44", "45-54"], p=[.2, .35, .25, .12, .08])),
                      "outcome": str(rng.choice(["charged", "released_under_investigation", "bail", "no_further_action",
                                                 "outcome_22_diversion"], p=[.45, .25, .15, .1, .05])),
                      "offences": [{"group": grp, "text": text}], "tactic": tactic,
                      "source_record_id": source.id if source else None, "items": items})

    if not anpr:
        for stop in stops[:21]:
            arrest(stop.occurred_at + timedelta(minutes=int(rng.integers(5, 40))), stop.lat, stop.lon, None, source=stop)
    other_tactics = ["Hotspot patrols", "Warrants", "Hotspot patrols", "Weapons sweeps", "Knife test purchases"]
    arrests_left = 72 - 21
    for i in range(arrests_left):
        lat, lon = point()
        k = 1 if knives_left > 0 and (knives_left >= arrests_left - i or rng.random() < 0.5) else 0
        k = min(k, knives_left)
        arrest(g.when(), lat, lon, other_tactics[i % len(other_tactics)], knives=k)
        knives_left -= k
    if knives_left > 0:  # surrendered at the knife bins
        lat, lon = 52.2372, -0.8956
        g.add({"kind": "seizure", "ref": g.ref("SZ"), "occurred_at": datetime(2023, 10, 6, 12, 0, tzinfo=UTC),
               "lat": lat, "lon": lon, "location_text": "knife surrender bin, Northampton town centre",
               "seizure_context": "surrender bin",
               "items": [{"item_kind": "weapon", "weapon_type": "knife", "disposition": "surrendered",
                          "count": knives_left}]})
    if progress:
        progress(55)

    shops = ["convenience store", "hardware shop", "supermarket", "discount store", "kitchenware shop"]
    for i in range(36):
        lat, lon = point()
        result = str(rng.choice(["pass", "fail_sale_made", "fail_intervened", "no_knives_stocked"], p=[.7, .12, .08, .1]))
        g.add({"kind": "test_purchase", "ref": g.ref("TP"), "occurred_at": g.when(hour_weights=False), "lat": lat,
               "lon": lon, "premises": f"{shops[i % len(shops)]} {i + 1}", "result": result,
               "follow_up": "none" if result in ("pass", "no_knives_stocked") else str(rng.choice(["letter", "advice", "prosecution"])),
               "tactic": "Knife test purchases"})
    for _ in range(420):
        lat, lon = point()
        t = g.when()
        dwell = float(np.clip(rng.normal(14, 4), 5, 40))
        g.add({"kind": "patrol", "occurred_at": t, "ended_at": t + timedelta(minutes=round(dwell, 1)),
               "lat": lat, "lon": lon, "patrol_type": str(rng.choice(["hotspot_foot", "hotspot_vehicle"], p=[.7, .3])),
               "officers": int(rng.choice([1, 2], p=[.4, .6])), "tactic": "Hotspot patrols"})
    for _ in range(28):
        g.add({"kind": "referral", "ref": g.ref("REF"), "occurred_at": g.when(hour_weights=False),
               "person_ref": f"P-A{int(rng.integers(10000, 99999))}", "age_band": str(rng.choice(["10-17", "18-24"], p=[.7, .3])),
               "partner_type": str(rng.choice(["youth_offending_service", "charity", "school", "council"], p=[.45, .3, .15, .1])),
               "reason": str(rng.choice(["at_risk_of_exploitation", "wants_to_exit_offending", "diversion"])),
               "status": str(rng.choice(["referred", "accepted", "engaged"])), "tactic": "Diversion"})
    for i in range(14):
        lat, lon = point()
        g.add({"kind": "engagement", "ref": g.ref("ENG"), "occurred_at": g.when(hour_weights=False), "lat": lat, "lon": lon,
               "engagement_type": "school_session", "participants": int(rng.integers(25, 200)),
               "tactic": "Schools and partners", "notes": "Session on knife crime and exploitation"})
    if progress:
        progress(70)
    return slug


def _anpr_stops_and_arrests(session: Session, operation: str, seed: int) -> dict[str, Any]:
    from clearhold.anpr import demo as anpr_demo
    from clearhold.anpr import synthetic

    network = synthetic.generate(
        seed=seed, start=datetime(2023, 7, 31, tzinfo=UTC), days=70, n_cameras=120, n_vehicles=250,
        n_hotlisted=16, n_lookalikes=4, n_convoys=3, trips_per_day=0.8, hotlisted_trips_per_day=0.4)
    anpr_demo.load_network(session, network=network, hotlist=f"{operation}-violence",
                           preserved_for=ANPR_PRESERVED_FOR)
    return anpr_demo.work_hits(session, network=network, operation=operation, stops=95, arrests=21, seed=seed,
                               tactic="ANPR-initiated stops")


def _fake_vrm(rng) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    tail = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    age = int(rng.choice([15, 16, 17, 18, 19, 65, 66, 67, 68, 69, 70, 71, 72]))
    return (letters[int(rng.integers(len(letters)))] + letters[int(rng.integers(len(letters)))] + f"{age:02d}"
            + "".join(tail[int(rng.integers(len(tail)))] for _ in range(3)))


def _split_total(rng, total: int, parts: int, minimum: int) -> list[int]:
    """``parts`` positive integers >= minimum summing exactly to ``total``."""
    weights = rng.gamma(1.2, 1.0, parts)
    free = total - minimum * parts
    raw = np.floor(weights / weights.sum() * free).astype(int)
    raw[0] += free - int(raw.sum())
    return [int(v) + minimum for v in raw]


def build_operation_b(session: Session, places: dict[str, Place], seed: int,
                      progress: Callable[[int], None] | None = None) -> str:
    """Reference operation B: Op Revive, Blackthorn and Kings Heath, Northampton, 2023."""
    slug = OPERATION_B
    rng = np.random.default_rng(seed + 1)
    operation_service.create(session, operation_in=OperationCreate(
        slug=slug, name="Op Revive", force="Northamptonshire Police", synthetic=True,
        description=f"Reference operation B (demo data, generator v{GENERATOR_VERSION}, seed {seed}). "
                    "A standing team against serious violence linked to class A drug dealing and gangs.",
        starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31),
        tactics=[
            {"name": "Proactive drugs warrants", "category": "warrant"},
            {"name": "Closure orders (cuckooing)", "category": "warrant"},
            {"name": "Hotspot patrols", "category": "hotspot_patrol"},
            {"name": "Intelligence-led arrests", "category": "intelligence"},
            {"name": "Partner referrals", "category": "partnership"},
            {"name": "ANPR-initiated stops", "category": "anpr_stops"},
        ]), created_by=ENTERED_BY)
    _area(session, "blackthorn", "Blackthorn", slug, places["blackthorn"],
          description=f"Northamptonshire's first Clear, Hold, Build area. Boundary: {places['blackthorn'].source}")
    _area(session, "kings-heath", "Kings Heath", slug, places["kings-heath"])
    area_service.create(session, area_in=AreaCreate(slug="blackthorn-buffer", name="Blackthorn 500 m buffer",
                        operation=slug, role="buffer", parent="blackthorn", buffer_m=500), created_by=ENTERED_BY)
    _area(session, "talavera", "Talavera (comparison)", slug, places["talavera"], role="comparison", parent="blackthorn")
    _area(session, "castle", "Castle (comparison)", slug, places["castle"], role="comparison", parent="kings-heath")

    g = _Gen(session, rng, slug, date(2023, 1, 1), date(2023, 12, 31))
    samplers = [PointSampler(places["blackthorn"].geometry, rng), PointSampler(places["kings-heath"].geometry, rng)]

    def point():
        return samplers[int(rng.random() < 0.45)]()

    # Weapons: 49 in all, firearms and ammunition among them.
    weapons = (["firearm"] * 3 + ["ammunition"] * 2 + ["imitation_firearm"] * 1 + ["machete"] * 4
               + ["bladed_article"] * 6 + ["knife"] * 31 + ["other"] * 2)
    rng.shuffle(weapons)
    drug_budget = 20_900_000  # pence: £209,000
    cash_parts = _split_total(rng, 4_235_000, 38, 5_000)  # £42,350 in 38 seizures
    drug_types = [("crack cocaine", "A", "g", 30), ("heroin", "A", "g", 25), ("cocaine", "A", "g", 25),
                  ("cannabis", "B", "g", 15), ("cannabis", "B", "plants", 5)]

    def drug_item(max_pence: int) -> tuple[dict[str, Any], int]:
        dtype, dclass, unit, _ = _weighted(rng, drug_types)
        price = {"crack cocaine": 10_000, "heroin": 6_000, "cocaine": 8_000, "cannabis": 1_000}[dtype]
        if unit == "plants":
            price = 30_000
        qty = max(1, int(rng.gamma(1.5, 25 if unit == "g" else 6)))
        qty = min(qty, max_pence // price)
        if qty <= 0:
            return {}, 0
        return {"item_kind": "drug", "drug_class": dclass, "drug_type": dtype, "quantity": str(qty), "unit": unit}, qty * price

    arrests = []
    offences_person: list[str] = []
    warrant_results = []
    for i in range(46):
        lat, lon = point()
        closure = i >= 40
        items = []
        if not closure:
            for _ in range(int(rng.integers(1, 4))):
                it, v = drug_item(drug_budget - 2_000_000)
                if v:
                    items.append(it)
                    drug_budget -= v
            if weapons and rng.random() < 0.5:
                items.append({"item_kind": "weapon", "weapon_type": weapons.pop(), "disposition": "seized"})
            if cash_parts and rng.random() < 0.6:
                items.append({"item_kind": "cash", "cash_gbp": str(Decimal(cash_parts.pop()) / 100)})
        result = ("closure_granted" if closure else
                  ("executed_items_found" if items else "executed_nothing_found"))
        warrant_results.append(g.add({
            "kind": "warrant", "ref": g.ref("WAR"), "occurred_at": g.when(hour_weights=False), "lat": lat, "lon": lon,
            "address": f"demo address {i + 1}", "warrant_type": "closure_order" if closure else "drugs_search",
            "result": result, "items": items,
            "tactic": "Closure orders (cuckooing)" if closure else "Proactive drugs warrants"}))
    if progress:
        progress(75)

    for i in range(193):
        lat, lon = point()
        grp, text, _ = _weighted(rng, OFFENCES_B)
        person = f"P-B{int(rng.integers(1000, 9999))}"
        offences_person.append(person)
        items = []
        if rng.random() < 0.35 and drug_budget > 2_000_000:
            it, v = drug_item(drug_budget - 2_000_000)
            if v:
                items.append(it)
                drug_budget -= v
        if weapons and rng.random() < 0.12:
            items.append({"item_kind": "weapon", "weapon_type": weapons.pop(), "disposition": "seized"})
        if cash_parts and rng.random() < 0.1:
            items.append({"item_kind": "cash", "cash_gbp": str(Decimal(cash_parts.pop()) / 100)})
        source = warrant_results[i % len(warrant_results)] if i < 60 and i % len(warrant_results) < 40 else None
        arrests.append(g.add({
            "kind": "arrest", "ref": g.ref("ARR"), "occurred_at": (source.occurred_at + timedelta(minutes=20)) if source else g.when(),
            "lat": lat, "lon": lon, "person_ref": person,
            "age_band": str(rng.choice(["10-17", "18-24", "25-34", "35-44", "45-54"], p=[.15, .35, .28, .14, .08])),
            "outcome": str(rng.choice(["charged", "released_under_investigation", "bail", "no_further_action"], p=[.5, .25, .15, .1])),
            "offences": [{"group": grp, "text": text}], "items": items,
            "tactic": None if source else str(rng.choice(["Intelligence-led arrests", "Hotspot patrols"])),
            "source_record_id": source.id if source else None}))
    if progress:
        progress(82)

    # Whatever is left of the published totals is seized in standalone seizures.
    while weapons:
        lat, lon = point()
        g.add({"kind": "seizure", "ref": g.ref("SZ"), "occurred_at": g.when(), "lat": lat, "lon": lon,
               "items": [{"item_kind": "weapon", "weapon_type": weapons.pop(), "disposition": "recovered"}]})
    while cash_parts:
        lat, lon = point()
        g.add({"kind": "seizure", "ref": g.ref("SZ"), "occurred_at": g.when(), "lat": lat, "lon": lon,
               "items": [{"item_kind": "cash", "cash_gbp": str(Decimal(cash_parts.pop()) / 100)}]})
    while drug_budget > 0:
        lat, lon = point()
        it, v = drug_item(drug_budget)
        if not v:  # the remainder, valued at 1p per milligram of cannabis: exact to the penny
            it, v = {"item_kind": "drug", "drug_class": "B", "drug_type": "cannabis",
                     "quantity": str(Decimal(drug_budget) / 1000), "unit": "g"}, drug_budget
        drug_budget -= v
        g.add({"kind": "seizure", "ref": g.ref("SZ"), "occurred_at": g.when(), "lat": lat, "lon": lon, "items": [it]})

    # Court outcomes: 31 years of immediate custody in all.
    months = _split_total(rng, 372, 14, 6)
    for i, arr in enumerate(arrests[:24]):
        t = max(arr.occurred_at + timedelta(days=int(rng.integers(20, 120))), arr.occurred_at)
        t = min(t, datetime(2023, 12, 20, 11, 0, tzinfo=UTC))
        sentence = "immediate_custody" if i < 14 else str(rng.choice(["suspended_sentence", "community_order", "fine"]))
        data = {"kind": "court_outcome", "ref": g.ref("CRT"), "occurred_at": t, "case_ref": f"CASE-{i + 1:04d}",
                "person_ref": arr.person_ref, "sentence_type": sentence, "source_record_id": arr.id}
        if sentence == "immediate_custody":
            data["custodial_months"] = months[i]
        elif sentence == "suspended_sentence":
            data["custodial_months"] = int(rng.integers(6, 24))
        g.add(data)
    for _ in range(1150):
        lat, lon = point()
        t = g.when()
        g.add({"kind": "patrol", "occurred_at": t, "ended_at": t + timedelta(minutes=round(float(np.clip(rng.normal(13, 3), 5, 30)), 1)),
               "lat": lat, "lon": lon, "patrol_type": "hotspot_foot", "tactic": "Hotspot patrols"})
    for _ in range(64):
        g.add({"kind": "referral", "ref": g.ref("REF"), "occurred_at": g.when(hour_weights=False),
               "person_ref": f"P-B{int(rng.integers(1000, 9999))}", "age_band": str(rng.choice(["10-17", "18-24", "55+"], p=[.5, .3, .2])),
               "partner_type": str(rng.choice(["youth_offending_service", "council", "housing", "charity"], p=[.35, .3, .2, .15])),
               "reason": str(rng.choice(["at_risk_of_exploitation", "cuckooing_victim", "wants_to_exit_offending"], p=[.5, .3, .2])),
               "status": str(rng.choice(["referred", "accepted", "engaged", "completed"])), "tactic": "Partner referrals"})
    for q in range(4):
        lat, lon = point()
        confident = int(rng.integers(40, 70))
        g.add({"kind": "engagement", "ref": g.ref("ENG"),
               "occurred_at": datetime(2023, 3 * q + 2, 15, 11, 0, tzinfo=UTC), "lat": lat, "lon": lon,
               "engagement_type": "confidence_survey", "participants": 120,
               "survey": [{"question": "How confident are you that the police deal with the issues that matter here?",
                           "responses": {"confident": confident, "not confident": 120 - confident}}]})
    if progress:
        progress(88)

    subjects = ["drug supply", "weapons", "exploitation", "cuckooing", "OCG", "violence"]
    areas = ["blackthorn", "kings-heath"]
    for i in range(1969):
        rec = g.when()
        graded = []
        for _ in range(int(rng.integers(1, 4))):
            grade = f"{rng.choice(['1', '2', '3'], p=[.25, .6, .15])}{rng.choice(list('ABCDE'), p=[.2, .35, .3, .1, .05])}{rng.choice(['P', 'C'], p=[.85, .15])}"
            graded.append({"text": f"Demo graded item {i + 1}: synthetic content for testing only.", "grade": grade})
        needs = any(x["grade"].endswith("C") for x in graded)
        intel_service.create(session, log_in=IntelLogCreate(
            ref=f"INT-2023-{i + 1:05d}", operation=slug, area=areas[int(rng.random() < 0.45)],
            intel_date=rec.date(), recorded_at=rec, recording_officer=f"officer-{int(rng.integers(1, 40)):02d}",
            source_ref=f"SRC-{int(rng.integers(100, 999))}", subject=str(rng.choice(subjects)),
            handling_instructions="Do not disseminate outside the Op Revive team without originator approval" if needs else None,
            items=graded), entered_by=ENTERED_BY)
    if progress:
        progress(100)
    return slug
