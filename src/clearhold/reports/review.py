"""The results review of an operation for a period: every headline figure computed from the
records, with the record ids that make it and its breakdowns.

``build_review`` returns a plain JSON-ready dict (schema: docs/review-schema.md, version
``clearhold.review/1``); ``render`` turns it into HTML, PDF, Markdown or JSON.

The records are read and counted column-wise (``clearhold.reports.review_columns``): each
figure is given all its contributions at once, as arrays of record ids, amounts and keys, and
groups its breakdowns with array operations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.errors import InvalidInput
from clearhold.gcpause import cyclic_gc_paused
from clearhold.intel import service as intel_service
from clearhold.localtime import UK, uk_day_start
from clearhold.operation import service as operation_service
from clearhold.record.vocab import BLADED_WEAPON_TYPES
from clearhold.reports import presentation as pres
from clearhold.reports import review_columns as cols
from clearhold.reports.review_columns import RECORDS, Keys, Links, Records, Rows, factorize

SCHEMA = "clearhold.review/1"
LOCAL_TZ = UK
ATTRIBUTION = [
    "Contains public sector information licensed under the Open Government Licence v3.0.",
    "Contains OS data © Crown copyright and database right.",
]


# Figures are accumulated in an exact base unit and reported in the contract's unit.
_UNITS = {  # unit -> (base unit, divisor, decimals)
    "count": ("count", 1, 0), "GBP": ("pence", 100, 2), "years": ("months", 12, 2), "hours": ("minutes", 60, 2),
}


MULTI_KEY_DIMS = frozenset({"offence_group"})
# Dimensions every record-based figure is broken down by, in this order (see ``_common_keys``).
COMMON_DIMS = ("month", "week", "area", "tactic")
NOT_RECORDED = "not recorded"
NO_TACTIC = "no tactic recorded"

# A figure's keys for one of its dimensions: Keys aligned with its contributions, a list of
# values, or (MULTI_KEY_DIMS) a list of lists of values.
KeyColumn = Keys | list


@dataclass
class _Figure:
    """A headline figure: its contributions (a record id, an amount in the base unit, the keys
    of the figure's own ``dims`` and, if ``common``, the record's position for COMMON_DIMS),
    given all at once by ``set``; breakdowns are grouped in ``to_dict``."""

    key: str
    label: str
    unit: str  # count | GBP | years | hours
    words: Callable[[int], str]  # wording of the exact base value
    note: str | None = None
    record_type: str = "record"
    dims: tuple[str, ...] = ()
    common: bool = True
    ids: np.ndarray | None = None
    pos: np.ndarray | None = None
    amounts: np.ndarray | None = None  # None: 1 each
    keys: tuple[KeyColumn, ...] = ()

    def set(self, ids: np.ndarray, pos: np.ndarray | None, amounts: np.ndarray | None, *keys: KeyColumn) -> None:
        """The contributions: ``ids`` (int64), ``pos`` (record positions, for COMMON_DIMS),
        ``amounts`` (None for 1 each) and one key column per dimension of ``dims``, in order."""
        if len(keys) != len(self.dims):
            raise ValueError(f"{self.key}: {len(keys)} key columns for dimensions {self.dims}")
        self.ids, self.pos, self.amounts, self.keys = ids, pos, amounts, keys

    def _out(self, base: float) -> int | float:
        _, divisor, decimals = _UNITS[self.unit]
        if divisor == 1:
            return _num(base)
        return round(base / divisor, decimals)

    def to_dict(self, common: dict[str, Keys]) -> dict[str, Any]:
        """The figure as the review lists it; ``common`` holds each record's COMMON_DIMS keys."""
        base_unit = _UNITS[self.unit][0]
        ids = self.ids if self.ids is not None else np.zeros(0, dtype=np.int64)
        amounts = self.amounts
        if amounts is None:
            total: int | float = len(ids)
        elif amounts.dtype.kind == "f":
            total = sum(amounts.tolist())  # in contribution order, as a running sum
        else:
            total = int(amounts.sum())
        unique_ids, which = np.unique(ids, return_inverse=True)
        exact = _num(total)
        out = {
            "key": self.key, "label": self.label, "unit": self.unit, "value": self._out(total),
            "exact": {base_unit: exact}, "display": self.words(exact), "record_type": self.record_type,
            "record_ids": unique_ids.tolist(),
        }
        per_record = np.bincount(which, weights=amounts, minlength=len(unique_ids))
        if bool(np.any(per_record != 1)):
            # What each record adds, exactly, in the base unit of ``exact``: they sum to it.
            out["record_values"] = {str(i): _num(v) for i, v in zip(unique_ids.tolist(), per_record.tolist(),
                                                                    strict=True)}
        breakdowns = {}
        if len(ids):
            for dim, keys in zip(self.dims, self.keys, strict=True):
                breakdowns[dim] = self._breakdown(dim, keys, ids, amounts)
            if self.common:
                for dim in COMMON_DIMS:
                    breakdowns[dim] = self._breakdown(dim, common[dim].take(self.pos), ids, amounts)
        out["breakdowns"] = breakdowns
        out["note"] = self.note
        return out

    def _breakdown(self, dim: str, keys: KeyColumn, ids: np.ndarray,
                   amounts: np.ndarray | None) -> list[dict[str, Any]]:
        """The breakdown by ``dim``: per key, the sum of its contributions (in contribution
        order) and the distinct records that make it; None is shown as "not recorded"."""
        if dim in MULTI_KEY_DIMS:  # a list of keys per contribution (e.g. an arrest's offence groups)
            lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
            keys = factorize(k for ks in keys for k in ks)
            ids = np.repeat(ids, lengths)
            amounts = None if amounts is None else np.repeat(amounts, lengths)
        elif not isinstance(keys, Keys):
            keys = factorize(keys)
        codes, labels = keys.codes, keys.labels
        if None in labels:  # merged with a key that is already "not recorded"
            merged = factorize(NOT_RECORDED if x is None else x for x in labels)
            codes, labels = merged.codes[codes], merged.labels
        if not len(ids):
            return []
        n = len(labels)
        sums = np.bincount(codes, weights=amounts, minlength=n).tolist()
        span = int(ids.max()) + 1
        pairs = np.unique(codes * span + ids)  # each (key, record) once, by key then record
        pair_codes = pairs // span
        members = (pairs - pair_codes * span).tolist()
        bounds = np.searchsorted(pair_codes, np.arange(n + 1)).tolist()
        entries = [(labels[c], sums[c], members[bounds[c]:bounds[c + 1]]) for c in range(n) if bounds[c] < bounds[c + 1]]
        if dim in ("month", "week"):
            entries.sort(key=lambda e: e[0])
        else:
            entries.sort(key=lambda e: (-e[1], e[0]))
        return [{"key": k, "value": self._out(v), "record_ids": m} for k, v, m in entries]


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 2)


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
    return uk_day_start(start), uk_day_start(end + timedelta(days=1))


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
    recs = cols.load_records(session, [RECORDS.c.operation_id == op.id, RECORDS.c.occurred_at >= lo,
                                       RECORDS.c.occurred_at < hi, RECORDS.c.deleted_at.is_(None)])
    links = cols.load_links(session, recs)
    areas = area_service.list_(session, operation_slug=op.slug)
    area_names = {a.id: a.name for a in areas}
    local = cols.local_times(recs.occurred_us, LOCAL_TZ)
    common = _common_keys(recs, links, local, start, area_names, {t.id: t.name for t in op.tactics})
    figs = _new_figures()
    counted = _count_records(figs, recs, links, common)
    intel_fig = _count_intelligence(session, op, lo, hi, area_names)
    figures = [f.to_dict(common) for f in figs.values()] + [intel_fig.to_dict(common)]

    c = recs.columns
    occurred_at = cols.iso_utc(recs.occurred_us)
    area, tactic = common["area"].values(), common["tactic"].values()
    occurred_local = [f"{m} {z}" for m, z in zip(cols.local_minutes(recs.occurred_us + local.offset_us),
                                                 local.zone.values(), strict=True)]
    # What the trace tables show of a record: never a person reference.
    traces = [{"id": i, "ref": ref, "kind": kind, "occurred_at": at, "occurred_local": loc, "area": a,
               "tactic": t, "source_record_id": s, "version": v}
              for i, ref, kind, at, loc, a, t, s, v in zip(c["id"], c["ref"], c["kind"], occurred_at, occurred_local,
                                                           area, tactic, c["source_record_id"], c["version"],
                                                           strict=True)]
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
        "record_count": len(recs),
        "figures": figures,
        "offence_examples": [t for t, _ in counted.offence_texts.most_common(8)],
        "patrol_dwell_minutes": _dwell_summary(counted.patrol_dwell),
        "price_table_versions": sorted(counted.price_versions),
        "tactics": [{"name": t.name, "category": t.category, "is_new": t.is_new} for t in op.tactics],
        "areas": [{"slug": x.slug, "name": x.name, "role": x.role, "geometry": x.geometry,
                   "lsoa_codes": x.lsoa_codes} for x in areas],
        "points": [
            {"record_id": i, "kind": kind, "lat": lat, "lon": lon, "occurred_at": at, "area": a}
            for i, kind, lat, lon, at, a in zip(c["id"], c["kind"], c["lat"], c["lon"], occurred_at, area, strict=True)
            if lat is not None
        ],
        "records": traces,
        "attribution": ATTRIBUTION,
    }
    review["summary"] = summary_paragraph(review)
    from clearhold.reports.sections import add_scorecards

    return add_scorecards(review)


def _common_keys(recs: Records, links: Links, local: cols.LocalTimes, start: date, area_names: dict[int, str],
                 tactic_names: dict[int, str]) -> dict[str, Keys]:
    """Each record's COMMON_DIMS: month and week of its UK local day, area, and tactic."""
    c = recs.columns
    area = [area_names.get(a, "no location recorded" if lat is None else "outside the operation's areas")
            for a, lat in zip(c["area_id"], c["lat"], strict=True)]
    tactic = [tactic_names[t] if t else (_followed_tactic(i, s, links, tactic_names) if s else NO_TACTIC)
              for i, t, s in zip(c["id"], c["tactic_id"], c["source_record_id"], strict=True)]
    return {
        "month": cols.day_labels(local.day, lambda d: f"{d.year:04d}-{d.month:02d}"),
        "week": cols.day_labels(local.day, lambda d: f"week {(d - start).days // 7 + 1:02d}"),
        "area": factorize(area),
        "tactic": factorize(tactic),
    }


def _followed_tactic(record_id: int, source: int, links: Links, tactic_names: dict[int, str]) -> str:
    """The tactic of the record that led to a record with none of its own (followed back)."""
    seen = {record_id}
    r: int | None = source
    while r is not None and r in links.kind and r not in seen:
        tactic_id = links.tactic_id[r]
        if tactic_id:
            return tactic_names[tactic_id]
        seen.add(r)
        r = links.source[r] or None
    return NO_TACTIC


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


@dataclass
class _Counted:
    """What counting the records finds besides the figures."""

    offence_texts: Counter[str]
    price_versions: set[str]
    patrol_dwell: list[float]


def _give(fig: _Figure, recs: Records, rows: Rows, index: np.ndarray | None, amounts: np.ndarray | None,
          *keys: str | KeyColumn) -> None:
    """Set ``fig`` from ``rows`` (those at ``index``, int positions or a mask, or all of them):
    each key is a column name of ``rows`` or a column aligned with them."""
    if index is not None and index.dtype == bool:
        index = np.flatnonzero(index)
    columns: list[KeyColumn] = []
    for k in keys:
        column = rows.keys(k) if isinstance(k, str) else k
        if index is not None:
            column = column.take(index) if isinstance(column, Keys) else [column[i] for i in index.tolist()]
        columns.append(column)
    pos = rows.pos if index is None else rows.pos[index]
    if amounts is not None and index is not None:
        amounts = amounts[index]
    fig.set(recs.ids[pos], pos, amounts, *columns)


def _count_records(figs: dict[str, _Figure], recs: Records, links: Links, common: dict[str, Keys]) -> _Counted:
    counted = _Counted(Counter(), set(), [])
    kinds = recs.kinds
    rows = kinds.get("arrest")
    if rows is not None:
        _count_arrests(figs, recs, links, common, rows, counted)
    rows = kinds.get("vehicle_stop")
    if rows is not None:
        _give(figs["vehicle_stops"], recs, rows, None, None, "stop_reason", "result")
        _give(figs["anpr_vehicle_stops"], recs, rows, rows.where("stop_reason", lambda x: x == "anpr_hit"), None,
              "result")
    rows = kinds.get("weapons_sweep")
    if rows is not None:
        _give(figs["weapons_sweeps"], recs, rows, None, None, "place")
    rows = kinds.get("test_purchase")
    if rows is not None:
        _give(figs["test_purchases"], recs, rows, None, None, "result")
        fails = rows.where("result", lambda x: x is not None and x.startswith("fail"))
        _give(figs["test_purchase_fails"], recs, rows, fails, None, "result", "follow_up")
    rows = kinds.get("patrol")
    if rows is not None:
        ended = cols.to_epoch_us([recs.columns["ended_at"][p] for p in rows.pos.tolist()])
        minutes = (ended - recs.occurred_us[rows.pos]) / 1e6 / 60
        planned = rows.where("planned", bool)
        _give(figs["planned_patrol_hours"], recs, rows, planned, minutes, "hotspot_ref")
        counted.patrol_dwell.extend(minutes[~planned].tolist())
        _give(figs["patrol_hours"], recs, rows, ~planned, minutes, "patrol_type", "hotspot_ref")
    rows = kinds.get("warrant")
    if rows is not None:
        _give(figs["warrants"], recs, rows, None, None, "warrant_type", "result")
    rows = kinds.get("referral")
    if rows is not None:
        _give(figs["referrals"], recs, rows, None, None, "partner_type", "reason", "status", "age_band")
    rows = kinds.get("court_outcome")
    if rows is not None:
        _give(figs["court_outcomes"], recs, rows, None, None, "sentence_type")
        months = rows.columns["custodial_months"]
        custody = rows.where("sentence_type", lambda x: x == "immediate_custody")
        custody &= np.fromiter((bool(m) for m in months), dtype=bool, count=len(months))
        amounts = np.array([m or 0 for m in months], dtype=np.int64)
        _give(figs["custodial_sentence_years"], recs, rows, custody, amounts)
    rows = kinds.get("engagement")
    if rows is not None:
        _give(figs["engagements"], recs, rows, None, None, "engagement_type")
    if recs.items is not None and len(recs.items):
        _count_items(figs, recs, common, recs.items, counted)
    return counted


def _count_arrests(figs: dict[str, _Figure], recs: Records, links: Links, common: dict[str, Keys], rows: Rows,
                   counted: _Counted) -> None:
    offences = recs.offences
    groups_of: dict[int, set[str]] = {}
    if offences is not None:
        for p, group in zip(offences.pos.tolist(), offences.columns["offence_group"], strict=True):
            groups_of.setdefault(p, set()).add(group)
        counted.offence_texts.update(offences.columns["offence_text"])  # in record order
    positions = rows.pos.tolist()
    groups = [sorted(groups_of.get(p, ())) for p in positions]
    _give(figs["arrests"], recs, rows, None, None, groups, "outcome", "age_band")
    sources = recs.columns["source_record_id"]
    anpr = np.fromiter((s is not None and links.kind.get(s) == "vehicle_stop"
                        and links.stop_reason.get(s) == "anpr_hit" for s in (sources[p] for p in positions)),
                       dtype=bool, count=len(positions))
    _give(figs["anpr_stop_arrests"], recs, rows, anpr, None, groups, "outcome")
    # Each person at their first arrest: records are in order of time, then id.
    first: dict[Any, int] = {}
    for p, person in zip(positions, rows.columns["person_ref"], strict=True):
        first.setdefault(person, p)
    pos = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    figs["people_arrested"].set(recs.ids[pos], pos, None, common["month"].take(pos))


def _count_items(figs: dict[str, _Figure], recs: Records, common: dict[str, Keys], items: Rows,
                 counted: _Counted) -> None:
    kinds = recs.columns["kind"]
    kind = factorize([kinds[p] for p in items.pos.tolist()])  # of the record each item was found under
    counts = np.array(items.columns["count"], dtype=np.int64)
    weapon = items.where("item_kind", lambda x: x == "weapon")
    weapon_type = items.keys("weapon_type")
    weapon_keys = ("weapon_type", "disposition", kind)
    _give(figs["weapons_seized"], recs, items, weapon, counts, *weapon_keys)
    bladed = weapon & weapon_type.where(lambda x: x in BLADED_WEAPON_TYPES)
    _give(figs["knives_and_bladed_weapons"], recs, items, bladed, counts, *weapon_keys)
    firearms = weapon & weapon_type.where(lambda x: x in ("firearm", "ammunition"))
    _give(figs["firearms_seized"], recs, items, firearms, counts, *weapon_keys)
    sweeps = recs.kinds.get("weapons_sweep")
    in_sweep = np.flatnonzero(weapon & kind.where(lambda x: x == "weapons_sweep"))
    if sweeps is not None:
        place_of = dict(zip(sweeps.pos.tolist(), sweeps.columns["place"], strict=True))
        places = [place_of[p] for p in items.pos[in_sweep].tolist()]
        finds = [f"{t.replace('_', ' ')} at {place}" for t, place in
                 zip(weapon_type.take(in_sweep).values(), places, strict=True)]
        figs["weapons_from_sweeps"].set(recs.ids[items.pos[in_sweep]], items.pos[in_sweep], counts[in_sweep],
                                        weapon_type.take(in_sweep), places, finds)
    drug = items.where("item_kind", lambda x: x == "drug")
    drug_class = items.keys("drug_class")
    drug_class = Keys(drug_class.codes, [f"Class {c}" for c in drug_class.labels])
    _give(figs["drug_items_seized"], recs, items, drug, None, drug_class, "drug_type")
    values = items.columns["value_pence"]
    valued = drug & np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    _give(figs["drugs_value_gbp"], recs, items, valued, np.array([v or 0 for v in values], dtype=np.int64),
          drug_class, "drug_type", "value_basis")
    versions = items.keys("price_table_version")
    counted.price_versions.update(versions.labels[c] for c in np.unique(versions.codes[drug]).tolist()
                                  if versions.labels[c])
    cash = items.where("item_kind", lambda x: x == "cash")
    _give(figs["cash_seized_gbp"], recs, items, cash,
          np.array([v or 0 for v in items.columns["cash_pence"]], dtype=np.int64))


def _count_intelligence(session: Session, op, lo: datetime, hi: datetime, area_names: dict[int, str]) -> _Figure:
    fig = _Figure("intelligence_logs", "intelligence logs received", "count", pres.count_words,
                  note="Intelligence logs linked to the operation, by date recorded; record_ids are intelligence "
                       "log ids. Their content is never shown here.", record_type="intelligence_log",
                  dims=("month", "area", "subject"), common=False)
    logs = intel_service.list_(session, operation_slug=op.slug, start=lo, end=hi)
    fig.set(np.array([log.id for log in logs], dtype=np.int64), None, None,
            [log.recorded_at.astimezone(LOCAL_TZ).strftime("%Y-%m") for log in logs],
            [area_names.get(log.area_id, "no area recorded") for log in logs],
            [log.subject for log in logs])
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
