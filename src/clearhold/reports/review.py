"""The results review of an operation for a period: every headline figure computed from the
records, with the record ids that make it and its breakdowns.

``build_review`` returns a plain JSON-ready dict (schema: docs/review-schema.md, version
``clearhold.review/1``); ``render`` turns it into HTML, PDF, Markdown or JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.errors import InvalidInput
from clearhold.gcpause import cyclic_gc_paused
from clearhold.intel import service as intel_service
from clearhold.operation import service as operation_service
from clearhold.record import service as record_service
from clearhold.record.tables import ArrestOffence, Record, SeizedItem
from clearhold.record.vocab import BLADED_WEAPON_TYPES
from clearhold.reports import presentation as pres
from clearhold.storage.rawread import fetch_tuples, utc

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


MULTI_KEY_DIMS = frozenset({"offence_group"})
# Dimensions every record-based figure is broken down by: their values are each record's
# ``common`` tuple, in this order (see ``_Context.annotate``).
COMMON_DIMS = ("month", "week", "area", "tactic")


@dataclass
class _Figure:
    """A headline figure being counted: one contribution per (record, amount), with the keys of
    the figure's own dimensions (``dims``, a key or a list of keys each), and, if ``common``,
    the record's COMMON_DIMS. Breakdowns are grouped once, in ``to_dict``."""

    key: str
    label: str
    unit: str  # count | GBP | years | hours
    words: Callable[[int], str]  # wording of the exact base value
    note: str | None = None
    record_type: str = "record"
    dims: tuple[str, ...] = ()
    common: bool = True
    rows: list[Any] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    keys: list[tuple] = field(default_factory=list)

    def add(self, r, amount: float, *keys: str | list[str] | None) -> None:
        """Count ``amount`` for record ``r`` with the keys of ``dims`` in order."""
        self.rows.append(r)
        self.amounts.append(amount)
        self.keys.append(keys)

    def _out(self, base: float) -> int | float:
        _, divisor, decimals = _UNITS[self.unit]
        if divisor == 1:
            return _num(base)
        return round(base / divisor, decimals)

    def to_dict(self) -> dict[str, Any]:
        base_unit = _UNITS[self.unit][0]
        ids = list(map(attrgetter("id"), self.rows))
        contributions: dict[int, float] = {}
        for i, amount in zip(ids, self.amounts, strict=True):
            contributions[i] = contributions.get(i, 0) + amount
        total = sum(self.amounts)
        exact = _num(total)
        out = {
            "key": self.key, "label": self.label, "unit": self.unit, "value": self._out(total),
            "exact": {base_unit: exact}, "display": self.words(exact), "record_type": self.record_type,
            "record_ids": sorted(contributions),
        }
        if any(v != 1 for v in contributions.values()):
            # What each record adds, exactly, in the base unit of ``exact``: they sum to it.
            out["record_values"] = {str(i): _num(v) for i, v in sorted(contributions.items())}
        breakdowns = {}
        if self.rows:
            columns = [(dim, list(map(itemgetter(n), self.keys))) for n, dim in enumerate(self.dims)]
            if self.common:
                columns += zip(COMMON_DIMS, zip(*map(attrgetter("common"), self.rows)), strict=True)
            all_ones = all(a == 1 for a in self.amounts)
            for dim, keys in columns:
                breakdowns[dim] = self._breakdown(dim, keys, ids, all_ones)
        out["breakdowns"] = breakdowns
        out["note"] = self.note
        return out

    def _breakdown(self, dim: str, keys: list, ids: list[int], all_ones: bool) -> list[dict[str, Any]]:
        """The breakdown by ``dim`` (``all_ones``: every amount is 1, so a sum is a count)."""
        amounts = self.amounts
        if dim in MULTI_KEY_DIMS:  # a list of keys per contribution (e.g. an arrest's offence groups)
            triples = [(k, i, a) for ks, i, a in zip(keys, ids, amounts, strict=True) for k in ks]
            keys, ids, amounts = ([t[n] for t in triples] for n in range(3))
        members: dict[str, set[int]] = {}
        for key, i in zip(keys, ids, strict=True):
            found = members.get(key)
            if found is None:
                members[key] = {i}
            else:
                found.add(i)
        if all_ones:
            sums: dict[str, float] = Counter(keys)
        else:
            sums = dict.fromkeys(members, 0)
            for key, amount in zip(keys, amounts, strict=True):
                sums[key] += amount
        if None in sums:
            sums["not recorded"] = sums.get("not recorded", 0) + sums.pop(None)
            members["not recorded"] = members.get("not recorded", set()) | members.pop(None)
        return [{"key": k, "value": self._out(v), "record_ids": sorted(members[k])}
                for k, v in sorted(sums.items(), key=_breakdown_order(dim))]


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
    with cyclic_gc_paused():  # a review holds tens of thousands of rows and dicts while it is built
        return _build_review(session, operation_slug=operation_slug, start=start, end=end, today=today)


def _build_review(session: Session, *, operation_slug: str, start: date | None, end: date | None,
                  today: date | None) -> dict[str, Any]:
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

    traces = [r.trace for r in records]
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
_BASE_KEYS = [c.key for c in _BASE_COLS]
_ITEM_COLS = [_ITEMS.c[n] for n in ("record_id", "item_kind", "weapon_type", "disposition", "count", "drug_class",
                                    "drug_type", "value_pence", "value_basis", "price_table_version", "cash_pence")]
_ITEM_KEYS = [c.key for c in _ITEM_COLS]
_fromisoformat = datetime.fromisoformat
# The columns of each kind's own table that the review reads.
_KIND_COLUMNS = {
    "arrest": ("person_ref", "age_band", "outcome"),
    "seizure": ("seizure_context",),
    "vehicle_stop": ("stop_reason", "result"),
    "weapons_sweep": ("place",),
    "test_purchase": ("result", "follow_up"),
    "patrol": ("patrol_type", "hotspot_ref", "planned"),
    "warrant": ("warrant_type", "result"),
    "referral": ("person_ref", "age_band", "partner_type", "reason", "status"),
    "court_outcome": ("person_ref", "sentence_type", "custodial_months"),
    "engagement": ("engagement_type",),
}


class _Row:
    """A record as the review reads it: its columns as attributes, with ``items`` and ``offences``."""


class _Item:
    pass


def _load_records(session, where) -> list[_Row]:
    """Records matching ``where`` (clauses on the records table), oldest first, with their
    kind's columns, seized items and arrest offences, read as plain tuples.

    The records come first. Their kind rows, items and offences are then read either by a
    range of record ids (when the records fill at least half of the ids between their lowest
    and highest: a range scan on the primary key or record index, rows of other operations
    dropped here) or, when the records are sparse among others, joined to the records with
    ``where`` again. Both give the same rows; the range read avoids a join per row."""
    records = []
    for values in fetch_tuples(session, select(*_BASE_COLS).where(*where)
                               .order_by(_RECORDS.c.occurred_at, _RECORDS.c.id)):
        r = _Row()
        d = r.__dict__ = dict(zip(_BASE_KEYS, values, strict=True))
        at = values[3]  # SQLite gives ISO text, PostgreSQL a naive datetime: both UTC
        d["occurred_at"] = (_fromisoformat(at) if at.__class__ is str else at).replace(tzinfo=UTC)
        if values[4] is not None:
            d["ended_at"] = utc(values[4])
        d["items"] = []
        d["offences"] = []
        records.append(r)
    if not records:
        return records
    by_id = {r.id: r for r in records}
    lowest, highest = min(by_id), max(by_id)
    by_range = highest - lowest + 1 <= 2 * len(records)

    def restrict(stmt, id_column):
        if by_range:
            return stmt.where(id_column.between(lowest, highest))
        return stmt.join(_RECORDS, _RECORDS.c.id == id_column).where(*where)

    kinds = {r.kind for r in records}
    for kind in sorted(kinds):
        sub = record_service.KIND_CLASSES[kind].__table__
        names = _KIND_COLUMNS[kind]
        for row in fetch_tuples(session, restrict(select(sub.c.id, *(sub.c[n] for n in names)), sub.c.id)):
            r = by_id.get(row[0])
            if r is not None:
                r.__dict__.update(zip(names, row[1:], strict=True))
    stmt = restrict(select(*_ITEM_COLS), _ITEMS.c.record_id).order_by(_ITEMS.c.record_id, _ITEMS.c.seq)
    for values in fetch_tuples(session, stmt):
        r = by_id.get(values[0])
        if r is not None:
            it = _Item()
            it.__dict__ = dict(zip(_ITEM_KEYS, values, strict=True))
            r.items.append(it)
    if "arrest" in kinds:
        stmt = restrict(select(_OFFENCES.c.arrest_id, _OFFENCES.c.offence_group, _OFFENCES.c.offence_text),
                        _OFFENCES.c.arrest_id).order_by(_OFFENCES.c.arrest_id, _OFFENCES.c.seq)
        for arrest_id, group, text in fetch_tuples(session, stmt):
            r = by_id.get(arrest_id)
            if r is not None:
                it = _Item()
                it.offence_group, it.offence_text = group, text
                r.offences.append(it)
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
        self._when: dict[date, tuple[str, str]] = {}
        self._offsets: dict[float, tuple[timedelta, str]] = {}
        for r in records:
            self.annotate(r)

    def annotate(self, r) -> None:
        """Set the record's ``common`` (its values of COMMON_DIMS: month and week of its UK local
        time, area, tactic) and ``trace``, its row in the review's list of records."""
        at = r.occurred_at
        hour = at.timestamp() // 3600
        found = self._offsets.get(hour)
        if found is None:
            # UK clocks change on the hour (UTC): one zone lookup per hour, not per record.
            local = at.replace(minute=0, second=0, microsecond=0).astimezone(LOCAL_TZ)
            found = self._offsets[hour] = (local.utcoffset(), local.tzname())
        local_at = at.replace(tzinfo=None) + found[0]
        day = local_at.date()
        when = self._when.get(day)
        if when is None:
            when = self._when[day] = (day.strftime("%Y-%m"), f"week {(day - self.start).days // 7 + 1:02d}")
        area, tactic = self.where(r), self.tactic(r)
        r.common = (*when, area, tactic)
        iso = local_at.isoformat()  # "%Y-%m-%d %H:%M %Z", taken from the ISO form (faster than strftime)
        # What the trace tables show of a record: never a person reference.
        r.trace = {"id": r.id, "ref": r.ref, "kind": r.kind, "occurred_at": at.isoformat(),
                   "occurred_local": f"{iso[:10]} {iso[11:16]} {found[1]}", "area": area,
                   "tactic": tactic, "source_record_id": r.source_record_id, "version": r.version}

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
    weapon_dims = ("weapon_type", "disposition", "found_by")
    drug_dims = ("drug_class", "drug_type")
    figures = [
        _Figure("arrests", "people arrested", "count", count, dims=("offence_group", "outcome", "age_band"),
                note="Each arrest counts once; a person arrested twice counts twice (see people_arrested)."),
        _Figure("people_arrested", "different people arrested", "count", count, dims=("month",), common=False,
                note="Distinct person references, each counted at their first arrest in the period."),
        _Figure("anpr_vehicle_stops", "vehicles stopped after ANPR identified them", "count", count, dims=("result",)),
        _Figure("anpr_stop_arrests", "arrests resulting from ANPR stops", "count", count,
                dims=("offence_group", "outcome"),
                note="Arrests whose source record is a vehicle stop made on an ANPR hit (the stop may precede the period)."),
        _Figure("vehicle_stops", "vehicles stopped for any reason", "count", count, dims=("reason", "result")),
        _Figure("knives_and_bladed_weapons", "knives and bladed weapons seized or recovered", "count", count,
                dims=weapon_dims,
                note="Knives, bladed articles and machetes: seized, recovered or surrendered, under any record."),
        _Figure("weapons_seized", "weapons seized or recovered, all types", "count", count, dims=weapon_dims,
                note="Every weapon item (seized, recovered or surrendered), firearms and ammunition included."),
        _Figure("firearms_seized", "firearms and ammunition seized or recovered", "count", count, dims=weapon_dims,
                note="Firearms and ammunition items; imitation firearms are counted under weapons_seized only."),
        _Figure("drugs_value_gbp", "worth of illegal drugs seized", "GBP", money, dims=(*drug_dims, "value_basis"),
                note="Valued with the drug price table version recorded on each item (or a value entered by hand)."),
        _Figure("drug_items_seized", "drug items seized", "count", count, dims=drug_dims),
        _Figure("cash_seized_gbp", "cash seized", "GBP", money),
        _Figure("weapons_sweeps", "weapons sweeps", "count", count, dims=("place",)),
        _Figure("weapons_from_sweeps", "weapons recovered in weapons sweeps", "count", count,
                dims=("weapon_type", "place", "find")),
        _Figure("test_purchases", "knife test purchases at shops", "count", count, dims=("result",)),
        _Figure("test_purchase_fails", "test purchases failed (a knife was sold, or the sale was stopped)", "count",
                count, dims=("result", "follow_up")),
        _Figure("patrol_hours", "hours of patrol delivered", "hours", hours, dims=("patrol_type", "hotspot"),
                note="Delivered patrols of every type (breakdown by patrol type and hotspot); presence, not officer-hours."),
        _Figure("planned_patrol_hours", "hours of patrol planned in patrol plans", "hours", hours, dims=("hotspot",),
                note="Planned visits from patrol plans; compare with patrol_hours."),
        _Figure("warrants", "warrants executed and premises closures", "count", count, dims=("warrant_type", "result")),
        _Figure("referrals", "referrals and diversions to partners", "count", count,
                dims=("partner_type", "reason", "status", "age_band")),
        _Figure("custodial_sentence_years", "prison sentences handed down", "years", years,
                note="Immediate custody only; suspended sentences are counted under court_outcomes."),
        _Figure("court_outcomes", "court outcomes recorded", "count", count, dims=("sentence_type",)),
        _Figure("engagements", "community engagement events and surveys", "count", count, dims=("engagement_type",)),
    ]
    return {f.key: f for f in figures}


def _count_records(figs: dict[str, _Figure], ctx: _Context) -> None:
    persons: dict[str, list] = defaultdict(list)
    arrests, anpr_arrests = figs["arrests"], figs["anpr_stop_arrests"]
    for r in ctx.records:
        kind = r.kind
        if kind == "arrest":
            groups = sorted({o.offence_group for o in r.offences})
            arrests.add(r, 1, groups, r.outcome, r.age_band)
            persons[r.person_ref].append(r)
            ctx.offence_texts.update(o.offence_text for o in r.offences)
            src = ctx.source(r)
            if src is not None and src.kind == "vehicle_stop" and src.stop_reason == "anpr_hit":
                anpr_arrests.add(r, 1, groups, r.outcome)
        elif kind == "vehicle_stop":
            figs["vehicle_stops"].add(r, 1, r.stop_reason, r.result)
            if r.stop_reason == "anpr_hit":
                figs["anpr_vehicle_stops"].add(r, 1, r.result)
        elif kind == "weapons_sweep":
            figs["weapons_sweeps"].add(r, 1, r.place)
        elif kind == "test_purchase":
            figs["test_purchases"].add(r, 1, r.result)
            if r.result.startswith("fail"):
                figs["test_purchase_fails"].add(r, 1, r.result, r.follow_up)
        elif kind == "patrol":
            minutes = (r.ended_at - r.occurred_at).total_seconds() / 60
            if r.planned:
                figs["planned_patrol_hours"].add(r, minutes, r.hotspot_ref)
            else:
                ctx.patrol_dwell.append(minutes)
                figs["patrol_hours"].add(r, minutes, r.patrol_type, r.hotspot_ref)
        elif kind == "warrant":
            figs["warrants"].add(r, 1, r.warrant_type, r.result)
        elif kind == "referral":
            figs["referrals"].add(r, 1, r.partner_type, r.reason, r.status, r.age_band)
        elif kind == "court_outcome":
            figs["court_outcomes"].add(r, 1, r.sentence_type)
            if r.sentence_type == "immediate_custody" and r.custodial_months:
                figs["custodial_sentence_years"].add(r, r.custodial_months)
        elif kind == "engagement":
            figs["engagements"].add(r, 1, r.engagement_type)
        for it in r.items:
            _count_item(figs, ctx, r, it)
    for person_arrests in persons.values():
        first = min(person_arrests, key=lambda a: (a.occurred_at, a.id))
        figs["people_arrested"].add(first, 1, first.common[0])  # its month


def _count_item(figs: dict[str, _Figure], ctx: _Context, r, it) -> None:
    if it.item_kind == "weapon":
        keys = (it.weapon_type, it.disposition, r.kind)
        figs["weapons_seized"].add(r, it.count, *keys)
        if it.weapon_type in BLADED_WEAPON_TYPES:
            figs["knives_and_bladed_weapons"].add(r, it.count, *keys)
        if it.weapon_type in ("firearm", "ammunition"):
            figs["firearms_seized"].add(r, it.count, *keys)
        if r.kind == "weapons_sweep":
            figs["weapons_from_sweeps"].add(r, it.count, it.weapon_type, r.place,
                                            f"{it.weapon_type.replace('_', ' ')} at {r.place}")
    elif it.item_kind == "drug":
        drug_class = f"Class {it.drug_class}"
        figs["drug_items_seized"].add(r, 1, drug_class, it.drug_type)
        if it.value_pence is not None:
            figs["drugs_value_gbp"].add(r, it.value_pence, drug_class, it.drug_type, it.value_basis)
        if it.price_table_version:
            ctx.price_versions.add(it.price_table_version)
    elif it.item_kind == "cash":
        figs["cash_seized_gbp"].add(r, it.cash_pence or 0)


class _Log:
    """An intelligence log as the review counts it: its id only, never its content."""

    def __init__(self, log_id: int) -> None:
        self.id = log_id


def _count_intelligence(session: Session, op, lo: datetime, hi: datetime, ctx: _Context) -> _Figure:
    fig = _Figure("intelligence_logs", "intelligence logs received", "count", pres.count_words,
                  note="Intelligence logs linked to the operation, by date recorded; record_ids are intelligence "
                       "log ids. Their content is never shown here.", record_type="intelligence_log",
                  dims=("month", "area", "subject"), common=False)
    for log in intel_service.list_(session, operation_slug=op.slug, start=lo, end=hi):
        month = log.recorded_at.astimezone(LOCAL_TZ).strftime("%Y-%m")
        area = ctx.area_names.get(log.area_id, "no area recorded")
        fig.add(_Log(log.id), 1, month, area, log.subject)
    return fig


def _dwell_summary(minutes: list[float]) -> dict[str, Any] | None:
    if not minutes:
        return None
    s = sorted(minutes)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    in_band = sum(1 for m in s if 10 <= m <= 15)
    return {"patrols": len(s), "median": round(median, 1), "share_10_to_15": round(in_band / len(s), 3)}


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
