"""The results review of an operation for a period: every headline figure computed from the
records, with the record ids that make it and its breakdowns.

``build_review`` returns a plain JSON-ready dict (schema: docs/review-schema.md, version
``clearhold.review/1``); ``render`` turns it into HTML, PDF, Markdown or JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.errors import InvalidInput
from clearhold.intel import service as intel_service
from clearhold.operation import service as operation_service
from clearhold.record import service as record_service
from clearhold.record.tables import ArrestOffence, Record, SeizedItem
from clearhold.record.vocab import BLADED_WEAPON_TYPES
from clearhold.reports import presentation as pres

SCHEMA = "clearhold.review/1"
LOCAL_TZ = ZoneInfo("Europe/London")
ATTRIBUTION = [
    "Contains public sector information licensed under the Open Government Licence v3.0.",
    "Contains OS data © Crown copyright and database right.",
]


# Figures are accumulated in an exact base unit and reported in the contract's unit.
_UNITS = {  # unit -> (base unit, divisor, decimals)
    "count": ("count", 1, 0), "GBP": ("pence", 100, 2), "years": ("months", 12, 2), "hours": ("minutes", 60, 2),
}


@dataclass
class _Figure:
    """A headline figure being counted: contributions per record, with dimensions."""

    key: str
    label: str
    unit: str  # count | GBP | years | hours
    words: Callable[[int], str]  # wording of the exact base value
    note: str | None = None
    record_type: str = "record"
    value: float = 0
    contributions: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    dims: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    dim_records: dict[str, dict[str, set[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))

    def add(self, record_id: int, amount: float = 1, **dims: str | Iterable[str] | None) -> None:
        self.value += amount
        self.contributions[record_id] += amount
        for dim, key in dims.items():
            keys = [key] if isinstance(key, str) or key is None else list(key)
            for k in keys:
                k = k if k is not None else "not recorded"
                self.dims[dim][k] += amount
                self.dim_records[dim][k].add(record_id)

    def _out(self, base: float) -> int | float:
        _, divisor, decimals = _UNITS[self.unit]
        if divisor == 1:
            return _num(base)
        return round(base / divisor, decimals)

    def to_dict(self) -> dict[str, Any]:
        base_unit = _UNITS[self.unit][0]
        exact = _num(self.value)
        out = {
            "key": self.key, "label": self.label, "unit": self.unit, "value": self._out(self.value),
            "exact": {base_unit: exact}, "display": self.words(exact), "record_type": self.record_type,
            "record_ids": sorted(self.contributions),
        }
        if any(v != 1 for v in self.contributions.values()):
            # What each record adds, exactly, in the base unit of ``exact``: they sum to it.
            out["record_values"] = {str(i): _num(v) for i, v in sorted(self.contributions.items())}
        out["breakdowns"] = {
            dim: [
                {"key": k, "value": self._out(v), "record_ids": sorted(self.dim_records[dim][k])}
                for k, v in sorted(vals.items(), key=_breakdown_order(dim))
            ]
            for dim, vals in self.dims.items()
        }
        out["note"] = self.note
        return out


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 2)


def _breakdown_order(dim: str):
    if dim in ("month", "week"):
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])


def resolve_period(op, start: date | None, end: date | None, *, today: date | None = None) -> tuple[date, date]:
    """The review period: the operation's dates unless given; ``end`` is inclusive."""
    given_end = end is not None
    start = start or op.starts_on
    end = end or op.ends_on or (today or datetime.now(LOCAL_TZ).date())
    if end < start:
        if given_end:
            raise InvalidInput(f"--to {end} is before --from {start}")
        raise InvalidInput(f"--from {start} is after the operation ended ({end}); give --to as well")
    return start, end


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants bounding UK local days ``start`` to ``end`` inclusive (end exclusive instant)."""
    lo = datetime.combine(start, time(0), LOCAL_TZ).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC)
    return lo, hi


def build_review(session: Session, *, operation_slug: str, start: date | None = None, end: date | None = None,
                 today: date | None = None) -> dict[str, Any]:
    """Compute the results review of an operation over a period (inclusive dates, UK local time)."""
    op = operation_service.get(session, slug=operation_slug)
    start, end = resolve_period(op, start, end, today=today)
    lo, hi = local_bounds(start, end)
    records = _load_records(session, [_RECORDS.c.operation_id == op.id, _RECORDS.c.occurred_at >= lo,
                                      _RECORDS.c.occurred_at < hi, _RECORDS.c.deleted_at.is_(None)])
    areas = area_service.list_(session, operation_slug=op.slug)
    ctx = _Context(session, op, records, areas, start)
    figs = _new_figures()
    _count_records(figs, ctx)
    intel_fig = _count_intelligence(session, op, lo, hi, ctx)
    figures = [f.to_dict() for f in figs.values()] + [intel_fig.to_dict()]

    traces = [_trace_row(r, ctx.where(r), ctx.tactic(r), ctx.local(r)) for r in records]
    review: dict[str, Any] = {
        "schema": SCHEMA,
        "synthetic": bool(op.synthetic),
        "operation": {"slug": op.slug, "name": op.name, "force": op.force, "description": op.description,
                      "starts_on": op.starts_on.isoformat(), "ends_on": op.ends_on.isoformat() if op.ends_on else None,
                      "synthetic": bool(op.synthetic)},
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": (end - start).days + 1,
                   "weeks": round(((end - start).days + 1) / 7, 1), "time_zone": "Europe/London",
                   "whole_operation": start == op.starts_on and end == (op.ends_on or end)},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "record_count": len(records),
        "figures": figures,
        "offence_examples": [t for t, _ in ctx.offence_texts.most_common(8)],
        "patrol_dwell_minutes": _dwell_summary(ctx.patrol_dwell),
        "price_table_versions": sorted(ctx.price_versions),
        "tactics": [{"name": t.name, "category": t.category, "is_new": t.is_new} for t in op.tactics],
        "areas": [{"slug": x.slug, "name": x.name, "role": x.role, "geometry": x.geometry,
                   "lsoa_codes": x.lsoa_codes} for x in areas],
        "points": [
            {"record_id": r.id, "kind": r.kind, "lat": r.lat, "lon": r.lon,
             "occurred_at": t["occurred_at"], "area": t["area"]}
            for r, t in zip(records, traces, strict=True) if r.lat is not None
        ],
        "records": traces,
        "attribution": ATTRIBUTION,
    }
    review["summary"] = summary_paragraph(review)
    from clearhold.reports.sections import add_scorecards

    return add_scorecards(review)


_RECORDS = Record.__table__
_ITEMS = SeizedItem.__table__
_OFFENCES = ArrestOffence.__table__
_BASE_COLS = [_RECORDS.c[n] for n in ("id", "kind", "ref", "occurred_at", "ended_at", "area_id", "tactic_id",
                                      "lat", "lon", "source_record_id", "version")]
_ITEM_COLS = [_ITEMS.c[n] for n in ("record_id", "item_kind", "weapon_type", "disposition", "count", "drug_class",
                                    "drug_type", "value_pence", "value_basis", "price_table_version", "cash_pence")]


class _Row:
    """A record as the review reads it: its columns as attributes, with ``items`` and ``offences``."""


class _Item:
    pass


def _load_records(session, where) -> list[_Row]:
    """Records matching ``where`` (clauses on the records table), oldest first, with their
    kind's columns, seized items and arrest offences: a few Core selects, no ORM objects."""
    names = [c.key for c in _BASE_COLS]
    records = []
    for values in session.execute(select(*_BASE_COLS).where(*where).order_by(_RECORDS.c.occurred_at, _RECORDS.c.id)).all():
        r = _Row()
        r.__dict__ = dict(zip(names, values))
        r.items = []
        r.offences = []
        records.append(r)
    if not records:
        return records
    by_id = {r.id: r for r in records}
    kinds = {r.kind for r in records}
    for kind in sorted(kinds):
        sub = record_service.KIND_CLASSES[kind].__table__
        cols = [c for c in sub.c if c.name != "id"]
        keys = [c.key for c in cols]
        stmt = select(sub.c.id, *cols).join(_RECORDS, _RECORDS.c.id == sub.c.id).where(*where)
        for row in session.execute(stmt).all():
            by_id[row[0]].__dict__.update(zip(keys, row[1:]))
    item_keys = [c.key for c in _ITEM_COLS]
    stmt = (select(*_ITEM_COLS).join(_RECORDS, _RECORDS.c.id == _ITEMS.c.record_id).where(*where)
            .order_by(_ITEMS.c.record_id, _ITEMS.c.seq))
    for values in session.execute(stmt).all():
        it = _Item()
        it.__dict__ = dict(zip(item_keys, values))
        by_id[values[0]].items.append(it)
    if "arrest" in kinds:
        stmt = (select(_OFFENCES.c.arrest_id, _OFFENCES.c.offence_group, _OFFENCES.c.offence_text)
                .join(_RECORDS, _RECORDS.c.id == _OFFENCES.c.arrest_id).where(*where)
                .order_by(_OFFENCES.c.arrest_id, _OFFENCES.c.seq))
        for arrest_id, group, text in session.execute(stmt).all():
            it = _Item()
            it.offence_group, it.offence_text = group, text
            by_id[arrest_id].offences.append(it)
    return records


class _Context:
    """Lookups shared by the counting steps: time buckets, area and tactic of a record."""

    def __init__(self, session: Session, op, records, areas, start: date) -> None:
        self.start = start
        self.area_names = {a.id: a.name for a in areas}
        self.tactic_names = {t.id: t.name for t in op.tactics}
        self.by_id = {r.id: r for r in records}
        # Records that others point to but that fall outside the period (e.g. the ANPR stop
        # of an arrest made after --from): fetched so that links still count.
        missing = {r.source_record_id for r in records if r.source_record_id and r.source_record_id not in self.by_id}
        while missing:
            found = _load_records(session, [_RECORDS.c.id.in_(sorted(missing))])  # deleted ones too
            self.by_id.update({r.id: r for r in found})
            missing = {r.source_record_id for r in found if r.source_record_id and r.source_record_id not in self.by_id}
        self.records = records
        self.offence_texts: Counter[str] = Counter()
        self.price_versions: set[str] = set()
        self.patrol_dwell: list[float] = []
        self._when: dict[date, dict[str, str]] = {}
        self._offsets: dict[float, tuple[timedelta, str]] = {}
        self._local: dict[int, tuple[Any, tuple[datetime, str]]] = {}

    def local(self, r) -> tuple[datetime, str]:
        """The record's UK local time (naive) and zone name. UK clocks change on the hour (UTC),
        so the offset is looked up once per hour rather than once per record."""
        done = self._local.get(r.id)
        if done is not None and done[0] is r:
            return done[1]
        at = r.occurred_at
        hour = at.timestamp() // 3600
        found = self._offsets.get(hour)
        if found is None:
            local = at.replace(minute=0, second=0, microsecond=0).astimezone(LOCAL_TZ)
            found = self._offsets[hour] = (local.utcoffset(), local.tzname())
        out = at.replace(tzinfo=None) + found[0], found[1]
        self._local[r.id] = (r, out)
        return out

    def when(self, r) -> dict[str, str]:
        day = self.local(r)[0].date()
        found = self._when.get(day)
        if found is None:
            week = (day - self.start).days // 7 + 1
            found = self._when[day] = {"month": day.strftime("%Y-%m"), "week": f"week {week:02d}"}
        return found

    def where(self, r) -> str:
        if r.area_id in self.area_names:
            return self.area_names[r.area_id]
        return "no location recorded" if r.lat is None else "outside the operation's areas"

    def tactic(self, r) -> str:
        """The record's tactic, or the tactic of the record that led to it (followed back)."""
        seen: set[int] = set()
        while r is not None and r.id not in seen:
            if r.tactic_id:
                return self.tactic_names[r.tactic_id]
            seen.add(r.id)
            r = self.by_id.get(r.source_record_id) if r.source_record_id else None
        return "no tactic recorded"

    def source(self, r):
        return self.by_id.get(r.source_record_id) if r.source_record_id else None


def _new_figures() -> dict[str, _Figure]:
    count, money, years, hours = pres.count_words, pres.money_words, pres.months_words, pres.hours_words
    figures = [
        _Figure("arrests", "people arrested", "count", count,
                note="Each arrest counts once; a person arrested twice counts twice (see people_arrested)."),
        _Figure("people_arrested", "different people arrested", "count", count,
                note="Distinct person references, each counted at their first arrest in the period."),
        _Figure("anpr_vehicle_stops", "vehicles stopped after ANPR identified them", "count", count),
        _Figure("anpr_stop_arrests", "arrests resulting from ANPR stops", "count", count,
                note="Arrests whose source record is a vehicle stop made on an ANPR hit (the stop may precede the period)."),
        _Figure("vehicle_stops", "vehicles stopped for any reason", "count", count),
        _Figure("knives_and_bladed_weapons", "knives and bladed weapons seized or recovered", "count", count,
                note="Knives, bladed articles and machetes: seized, recovered or surrendered, under any record."),
        _Figure("weapons_seized", "weapons seized or recovered, all types", "count", count,
                note="Every weapon item (seized, recovered or surrendered), firearms and ammunition included."),
        _Figure("firearms_seized", "firearms and ammunition seized or recovered", "count", count,
                note="Firearms and ammunition items; imitation firearms are counted under weapons_seized only."),
        _Figure("drugs_value_gbp", "worth of illegal drugs seized", "GBP", money,
                note="Valued with the drug price table version recorded on each item (or a value entered by hand)."),
        _Figure("drug_items_seized", "drug items seized", "count", count),
        _Figure("cash_seized_gbp", "cash seized", "GBP", money),
        _Figure("weapons_sweeps", "weapons sweeps", "count", count),
        _Figure("weapons_from_sweeps", "weapons recovered in weapons sweeps", "count", count),
        _Figure("test_purchases", "knife test purchases at shops", "count", count),
        _Figure("test_purchase_fails", "test purchases failed (a knife was sold, or the sale was stopped)", "count", count),
        _Figure("patrol_hours", "hours of patrol delivered", "hours", hours,
                note="Delivered patrols of every type (breakdown by patrol type and hotspot); presence, not officer-hours."),
        _Figure("planned_patrol_hours", "hours of patrol planned in patrol plans", "hours", hours,
                note="Planned visits from patrol plans; compare with patrol_hours."),
        _Figure("warrants", "warrants executed and premises closures", "count", count),
        _Figure("referrals", "referrals and diversions to partners", "count", count),
        _Figure("custodial_sentence_years", "prison sentences handed down", "years", years,
                note="Immediate custody only; suspended sentences are counted under court_outcomes."),
        _Figure("court_outcomes", "court outcomes recorded", "count", count),
        _Figure("engagements", "community engagement events and surveys", "count", count),
    ]
    return {f.key: f for f in figures}


def _count_records(figs: dict[str, _Figure], ctx: _Context) -> None:
    persons: dict[str, list] = defaultdict(list)
    for r in ctx.records:
        common = {**ctx.when(r), "area": ctx.where(r), "tactic": ctx.tactic(r)}
        if r.kind == "arrest":
            groups = sorted({o.offence_group for o in r.offences})
            figs["arrests"].add(r.id, 1, offence_group=groups, outcome=r.outcome, age_band=r.age_band, **common)
            persons[r.person_ref].append(r)
            ctx.offence_texts.update(o.offence_text for o in r.offences)
            src = ctx.source(r)
            if src is not None and src.kind == "vehicle_stop" and src.stop_reason == "anpr_hit":
                figs["anpr_stop_arrests"].add(r.id, 1, offence_group=groups, outcome=r.outcome, **common)
        elif r.kind == "vehicle_stop":
            figs["vehicle_stops"].add(r.id, 1, reason=r.stop_reason, result=r.result, **common)
            if r.stop_reason == "anpr_hit":
                figs["anpr_vehicle_stops"].add(r.id, 1, result=r.result, **common)
        elif r.kind == "weapons_sweep":
            figs["weapons_sweeps"].add(r.id, 1, place=r.place, **common)
        elif r.kind == "test_purchase":
            figs["test_purchases"].add(r.id, 1, result=r.result, **common)
            if r.result.startswith("fail"):
                figs["test_purchase_fails"].add(r.id, 1, result=r.result, follow_up=r.follow_up, **common)
        elif r.kind == "patrol":
            minutes = (r.ended_at - r.occurred_at).total_seconds() / 60
            if r.planned:
                figs["planned_patrol_hours"].add(r.id, minutes, hotspot=r.hotspot_ref, **common)
            else:
                ctx.patrol_dwell.append(minutes)
                figs["patrol_hours"].add(r.id, minutes, patrol_type=r.patrol_type, hotspot=r.hotspot_ref, **common)
        elif r.kind == "warrant":
            figs["warrants"].add(r.id, 1, warrant_type=r.warrant_type, result=r.result, **common)
        elif r.kind == "referral":
            figs["referrals"].add(r.id, 1, partner_type=r.partner_type, reason=r.reason, status=r.status,
                                  age_band=r.age_band, **common)
        elif r.kind == "court_outcome":
            figs["court_outcomes"].add(r.id, 1, sentence_type=r.sentence_type, **common)
            if r.sentence_type == "immediate_custody" and r.custodial_months:
                figs["custodial_sentence_years"].add(r.id, r.custodial_months, **common)
        elif r.kind == "engagement":
            figs["engagements"].add(r.id, 1, engagement_type=r.engagement_type, **common)
        for it in r.items:
            _count_item(figs, ctx, r, it, common)
    for arrests in persons.values():
        first = min(arrests, key=lambda a: (a.occurred_at, a.id))
        figs["people_arrested"].add(first.id, 1, month=ctx.when(first)["month"])


def _count_item(figs: dict[str, _Figure], ctx: _Context, r, it, common: dict[str, str]) -> None:
    if it.item_kind == "weapon":
        dims = {"weapon_type": it.weapon_type, "disposition": it.disposition, "found_by": r.kind, **common}
        figs["weapons_seized"].add(r.id, it.count, **dims)
        if it.weapon_type in BLADED_WEAPON_TYPES:
            figs["knives_and_bladed_weapons"].add(r.id, it.count, **dims)
        if it.weapon_type in ("firearm", "ammunition"):
            figs["firearms_seized"].add(r.id, it.count, **dims)
        if r.kind == "weapons_sweep":
            figs["weapons_from_sweeps"].add(r.id, it.count, weapon_type=it.weapon_type, place=r.place,
                                            find=f"{it.weapon_type.replace('_', ' ')} at {r.place}", **common)
    elif it.item_kind == "drug":
        drug = {"drug_class": f"Class {it.drug_class}", "drug_type": it.drug_type}
        figs["drug_items_seized"].add(r.id, 1, **drug, **common)
        if it.value_pence is not None:
            figs["drugs_value_gbp"].add(r.id, it.value_pence, **drug, value_basis=it.value_basis, **common)
        if it.price_table_version:
            ctx.price_versions.add(it.price_table_version)
    elif it.item_kind == "cash":
        figs["cash_seized_gbp"].add(r.id, it.cash_pence or 0, **common)


def _count_intelligence(session: Session, op, lo: datetime, hi: datetime, ctx: _Context) -> _Figure:
    fig = _Figure("intelligence_logs", "intelligence logs received", "count", pres.count_words,
                  note="Intelligence logs linked to the operation, by date recorded; record_ids are intelligence "
                       "log ids. Their content is never shown here.", record_type="intelligence_log")
    for log in intel_service.list_(session, operation_slug=op.slug, start=lo, end=hi):
        local = log.recorded_at.astimezone(LOCAL_TZ)
        fig.add(log.id, 1, month=local.strftime("%Y-%m"), area=ctx.area_names.get(log.area_id, "no area recorded"),
                subject=log.subject)
    return fig


def _dwell_summary(minutes: list[float]) -> dict[str, Any] | None:
    if not minutes:
        return None
    s = sorted(minutes)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    in_band = sum(1 for m in s if 10 <= m <= 15)
    return {"patrols": len(s), "median": round(median, 1), "share_10_to_15": round(in_band / len(s), 3)}


def _trace_row(r, area: str, tactic: str, local: tuple[datetime, str] | None = None) -> dict[str, Any]:
    """What the trace tables show of a record: never a person reference."""
    if local is None:
        at = r.occurred_at.astimezone(LOCAL_TZ)
        local = at.replace(tzinfo=None), at.tzname()
    iso = local[0].isoformat()  # "%Y-%m-%d %H:%M %Z", taken from the ISO form (faster than strftime)
    return {"id": r.id, "ref": r.ref, "kind": r.kind, "occurred_at": r.occurred_at.isoformat(),
            "occurred_local": f"{iso[:10]} {iso[11:16]} {local[1]}", "area": area,
            "tactic": tactic, "source_record_id": r.source_record_id, "version": r.version}


def figure(review: dict[str, Any], key: str) -> dict[str, Any]:
    """The figure with ``key`` from a review."""
    for f in review["figures"]:
        if f["key"] == key:
            return f
    raise KeyError(key)


def _n(fig: dict[str, Any], singular: str, plural: str) -> str:
    """``'47 knives'`` / ``'1 knife'``: the figure's wording with the noun that agrees with it."""
    return f"{fig['display']} {singular if fig['value'] == 1 else plural}"


def summary_paragraph(review: dict[str, Any]) -> str:
    """A short paragraph in the style of a force press release, from the figures only."""
    v = {f["key"]: f for f in review["figures"]}
    period = review["period"]
    weeks = period["weeks"]
    if period.get("whole_operation") and float(weeks).is_integer() and 2 <= weeks <= 12:
        span = f"during the {pres.small_number(int(weeks))} weeks of the operation"
    elif period["from"].endswith("-01-01") and period["to"] == f"{period['from'][:4]}-12-31":
        span = f"in {period['from'][:4]}"
    else:
        span = f"from {period['from']} to {period['to']}"
    name = review["operation"]["name"]
    sentences = []
    if review.get("synthetic"):
        sentences.append("[Synthetic demo data: no real person, vehicle or event.]")
    arrests, people = v["arrests"], v["people_arrested"]
    if arrests["value"]:
        examples = review["offence_examples"][:6]
        ex = f" for offences including {', '.join(examples[:-1])} and {examples[-1]}" if len(examples) > 1 else ""
        if arrests["value"] == people["value"]:
            who = f"{_n(arrests, 'person was', 'people were')} arrested"
        else:
            who = f"{_n(arrests, 'arrest was', 'arrests were')} made ({_n(people, 'person', 'different people')})"
        sentences.append(f"{name}: {span}, {who}{ex}.")
    else:
        sentences.append(f"{name}: {span}, no arrests were recorded.")
    knives = v["knives_and_bladed_weapons"]
    if knives["value"]:
        sweeps = v["weapons_from_sweeps"]
        extra = ""
        if sweeps["value"]:
            finds = [b["key"] for b in sweeps["breakdowns"].get("find", []) if b["key"].startswith("machete")]
            extra = f", {sweeps['display']} of them in weapons sweeps"
            if finds:
                extra += f", among them a {finds[0]}"
        verb = "was" if knives["value"] == 1 else "were"
        sentences.append(f"{_n(knives, 'knife or bladed weapon', 'knives and bladed weapons').capitalize()} {verb} "
                         f"seized or recovered{extra}.")
    if v["weapons_seized"]["value"] and v["firearms_seized"]["value"]:
        sentences.append(f"In all {_n(v['weapons_seized'], 'weapon was', 'weapons were')} seized or recovered, "
                         "including firearms and ammunition.")
    stops = v["anpr_vehicle_stops"]
    if stops["value"]:
        s = f"{_n(stops, 'vehicle was', 'vehicles were').capitalize()} stopped after ANPR identified them"
        if v["anpr_stop_arrests"]["value"]:
            s += f", and {_n(v['anpr_stop_arrests'], 'arrest', 'arrests')} resulted from those stops"
        sentences.append(s + ".")
    if v["drugs_value_gbp"]["value"]:
        sentences.append(f"Illegal drugs worth {v['drugs_value_gbp']['display']} were seized.")
    if v["cash_seized_gbp"]["value"]:
        sentences.append(f"Cash seized came to {v['cash_seized_gbp']['display']}.")
    if v["custodial_sentence_years"]["value"]:
        sentences.append(f"Courts handed down prison sentences totalling {v['custodial_sentence_years']['display']}.")
    if v["intelligence_logs"]["value"]:
        sentences.append(f"{_n(v['intelligence_logs'], 'intelligence log was', 'intelligence logs were').capitalize()} received.")
    others = []
    if v["weapons_sweeps"]["value"]:
        others.append(_n(v["weapons_sweeps"], "weapons sweep", "weapons sweeps"))
    if v["test_purchases"]["value"]:
        fails = v["test_purchase_fails"]["value"]
        others.append(_n(v["test_purchases"], "knife test purchase", "knife test purchases")
                      + f" at shops ({fails} failed)")
    if v["patrol_hours"]["value"]:
        others.append(f"{v['patrol_hours']['display']} of patrol")
    if v["referrals"]["value"]:
        others.append(_n(v["referrals"], "referral", "referrals") + " to partners")
    if others:
        sentences.append("Officers also carried out " + ", ".join(others[:-1]) + (" and " if len(others) > 1 else "")
                         + others[-1] + ".")
    return " ".join(sentences)


def render(review: dict[str, Any], fmt: str) -> str | bytes:
    """The review as html, pdf (bytes), json or md (see ``clearhold.reports.render``)."""
    from clearhold.reports.render import render as _render

    return _render(review, fmt)
