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

from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.errors import InvalidInput
from clearhold.intel import service as intel_service
from clearhold.operation import service as operation_service
from clearhold.record import service as record_service
from clearhold.record.vocab import BLADED_WEAPON_TYPES
from clearhold.reports import presentation as pres

SCHEMA = "clearhold.review/1"
LOCAL_TZ = ZoneInfo("Europe/London")
ATTRIBUTION = [
    "Contains public sector information licensed under the Open Government Licence v3.0.",
    "Contains OS data © Crown copyright and database right.",
]


@dataclass
class _Figure:
    """A headline figure being counted: contributions per record, with dimensions."""

    id: str
    label: str
    unit: str  # count | pence | months | minutes
    words: Callable[[int], str]
    note: str | None = None
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

    def to_dict(self) -> dict[str, Any]:
        value = int(self.value) if float(self.value).is_integer() else round(self.value, 2)
        return {
            "id": self.id, "label": self.label, "unit": self.unit, "value": value,
            "display": self.words(value), "record_ids": sorted(self.contributions),
            "breakdowns": {
                dim: [
                    {"key": k, "value": _num(v), "record_ids": sorted(self.dim_records[dim][k])}
                    for k, v in sorted(vals.items(), key=_breakdown_order(dim))
                ]
                for dim, vals in self.dims.items()
            },
            "note": self.note,
        }


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 2)


def _breakdown_order(dim: str):
    if dim in ("month", "week"):
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])


def resolve_period(op, start: date | None, end: date | None, *, today: date | None = None) -> tuple[date, date]:
    """The review period: the operation's dates unless given; ``end`` is inclusive."""
    start = start or op.starts_on
    end = end or op.ends_on or (today or datetime.now(LOCAL_TZ).date())
    if end < start:
        raise InvalidInput(f"--to {end} is before --from {start}")
    return start, end


def _local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    lo = datetime.combine(start, time(0), LOCAL_TZ).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC)
    return lo, hi


def build_review(session: Session, *, operation_slug: str, start: date | None = None, end: date | None = None,
                 today: date | None = None) -> dict[str, Any]:
    """Compute the results review of an operation over a period (inclusive dates, UK local time)."""
    op = operation_service.get(session, slug=operation_slug)
    start, end = resolve_period(op, start, end, today=today)
    lo, hi = _local_bounds(start, end)
    records = record_service.list_(session, operation_slug=op.slug, start=lo, end=hi)
    areas = area_service.list_(session, operation_slug=op.slug)
    area_names = {a.id: a.name for a in areas}
    tactic_names = {t.id: t.name for t in op.tactics}
    by_id = {r.id: r for r in records}

    def when(r) -> dict[str, str]:
        local = r.occurred_at.astimezone(LOCAL_TZ)
        week = (local.date() - start).days // 7 + 1
        return {"month": local.strftime("%Y-%m"), "week": f"week {week:02d}"}

    def where(r) -> str:
        return area_names.get(r.area_id, "outside the operation's areas")

    def tactic(r) -> str:
        if r.tactic_id:
            return tactic_names[r.tactic_id]
        src = by_id.get(r.source_record_id) if r.source_record_id else None
        if src is not None and src.tactic_id:
            return tactic_names[src.tactic_id]
        return "no tactic recorded"

    f_count = pres.count_words
    figs = {
        f.id: f for f in [
            _Figure("arrests", "people arrested", "count", f_count,
                    note="Each arrest counts once; a person arrested twice counts twice (see distinct_people_arrested)."),
            _Figure("distinct_people_arrested", "different people arrested", "count", f_count),
            _Figure("knives_bladed", "knives and bladed weapons seized or recovered", "count", f_count),
            _Figure("weapons", "weapons seized (all types, firearms and ammunition included)", "count", f_count),
            _Figure("firearms", "firearms and ammunition seized", "count", f_count),
            _Figure("drugs_value", "worth of illegal drugs seized", "pence", pres.money_words,
                    note="Valued with the drug price table version recorded on each item."),
            _Figure("drug_seizures", "drug items seized", "count", f_count),
            _Figure("cash", "cash seized", "pence", pres.money_words),
            _Figure("vehicle_stops", "vehicles stopped", "count", f_count),
            _Figure("anpr_stops", "vehicles stopped after ANPR identified them", "count", f_count),
            _Figure("arrests_from_anpr_stops", "arrests resulting from ANPR stops", "count", f_count,
                    note="Arrests whose source record is a vehicle stop made on an ANPR hit."),
            _Figure("weapons_sweeps", "weapons sweeps", "count", f_count),
            _Figure("items_from_sweeps", "weapons recovered in weapons sweeps", "count", f_count),
            _Figure("test_purchases", "knife test purchases at shops", "count", f_count),
            _Figure("test_purchase_failures", "test purchases where a knife was sold or a sale was stopped", "count", f_count),
            _Figure("patrol_minutes", "hours of patrol in hotspot areas", "minutes", pres.hours_words,
                    note="Delivered patrols only (planned patrols are excluded); hours of patrol presence, not officer-hours."),
            _Figure("planned_patrol_minutes", "hours of patrol planned in hotspot plans", "minutes", pres.hours_words,
                    note="Planned visits from patrol plans; compare with the delivered hours above."),
            _Figure("warrants", "warrants executed and premises closures", "count", f_count),
            _Figure("referrals", "referrals and diversions to partners", "count", f_count),
            _Figure("custodial_months", "prison sentences handed down", "months", pres.months_words,
                    note="Immediate custody only; suspended sentences are counted under sentences."),
            _Figure("sentences", "court outcomes recorded", "count", f_count),
            _Figure("engagements", "community engagement events and surveys", "count", f_count),
        ]
    }
    persons: dict[str, set[int]] = defaultdict(set)
    offence_texts: Counter[str] = Counter()
    anpr_stop_ids = {r.id for r in records if r.kind == "vehicle_stop" and r.stop_reason == "anpr_hit"}
    price_versions: set[str] = set()
    patrol_dwell: list[float] = []

    for r in records:
        t, a, tac = when(r), where(r), tactic(r)
        common = {"month": t["month"], "week": t["week"], "area": a, "tactic": tac}
        if r.kind == "arrest":
            groups = sorted({o.offence_group for o in r.offences})
            figs["arrests"].add(r.id, 1, offence_group=groups, outcome=r.outcome, age_band=r.age_band, **common)
            persons[r.person_ref].add(r.id)
            offence_texts.update(o.offence_text for o in r.offences)
            if r.source_record_id in anpr_stop_ids:
                figs["arrests_from_anpr_stops"].add(r.id, 1, offence_group=groups, outcome=r.outcome, **common)
        elif r.kind == "vehicle_stop":
            figs["vehicle_stops"].add(r.id, 1, reason=r.stop_reason, result=r.result, **common)
            if r.stop_reason == "anpr_hit":
                figs["anpr_stops"].add(r.id, 1, result=r.result, **common)
        elif r.kind == "weapons_sweep":
            figs["weapons_sweeps"].add(r.id, 1, place=r.place, **common)
        elif r.kind == "test_purchase":
            figs["test_purchases"].add(r.id, 1, result=r.result, **common)
            if r.result.startswith("fail"):
                figs["test_purchase_failures"].add(r.id, 1, result=r.result, follow_up=r.follow_up, **common)
        elif r.kind == "patrol":
            minutes = (r.ended_at - r.occurred_at).total_seconds() / 60
            if r.planned:
                figs["planned_patrol_minutes"].add(r.id, minutes, hotspot=r.hotspot_ref, **common)
            else:
                patrol_dwell.append(minutes)
                figs["patrol_minutes"].add(r.id, minutes, patrol_type=r.patrol_type, hotspot=r.hotspot_ref, **common)
        elif r.kind == "warrant":
            figs["warrants"].add(r.id, 1, warrant_type=r.warrant_type, result=r.result, **common)
        elif r.kind == "referral":
            figs["referrals"].add(r.id, 1, partner_type=r.partner_type, reason=r.reason, status=r.status,
                                  age_band=r.age_band, **common)
        elif r.kind == "court_outcome":
            figs["sentences"].add(r.id, 1, sentence_type=r.sentence_type, **common)
            if r.sentence_type == "immediate_custody" and r.custodial_months:
                figs["custodial_months"].add(r.id, r.custodial_months, **common)
        elif r.kind == "engagement":
            figs["engagements"].add(r.id, 1, engagement_type=r.engagement_type, **common)

        for it in r.items:
            if it.item_kind == "weapon":
                dims = {"weapon_type": it.weapon_type, "disposition": it.disposition, "found_by": r.kind, **common}
                figs["weapons"].add(r.id, it.count, **dims)
                if it.weapon_type in BLADED_WEAPON_TYPES:
                    figs["knives_bladed"].add(r.id, it.count, **dims)
                if it.weapon_type in ("firearm", "ammunition", "imitation_firearm"):
                    figs["firearms"].add(r.id, it.count, **dims)
                if r.kind == "weapons_sweep":
                    figs["items_from_sweeps"].add(r.id, it.count, weapon_type=it.weapon_type, place=r.place,
                                                  find=f"{it.weapon_type.replace('_', ' ')} at {r.place}", **common)
            elif it.item_kind == "drug":
                figs["drug_seizures"].add(r.id, 1, drug_class=f"Class {it.drug_class}", drug_type=it.drug_type, **common)
                if it.value_pence is not None:
                    figs["drugs_value"].add(r.id, it.value_pence, drug_class=f"Class {it.drug_class}",
                                            drug_type=it.drug_type, **common)
                if it.price_table_version:
                    price_versions.add(it.price_table_version)
            elif it.item_kind == "cash":
                figs["cash"].add(r.id, it.cash_pence or 0, **common)

    distinct = figs["distinct_people_arrested"]
    for ids in persons.values():
        first = min(ids, key=lambda i: (by_id[i].occurred_at, i))
        distinct.add(first, 1, **{"month": when(by_id[first])["month"]})

    intel_logs = intel_service.list_(session, operation_slug=op.slug, start=lo, end=hi)
    intel_fig = _Figure("intel_logs", "intelligence logs received", "count", f_count,
                        note="Intelligence logs linked to the operation; their content is never shown here.")
    for log in intel_logs:
        local = log.recorded_at.astimezone(LOCAL_TZ)
        intel_fig.add(log.id, 1, month=local.strftime("%Y-%m"), area=area_names.get(log.area_id, "no area"),
                      subject=log.subject)
    figures = [f.to_dict() for f in figs.values()] + [intel_fig.to_dict()]
    intel_fig_dict = figures[-1]
    intel_fig_dict["record_ids"] = []
    intel_fig_dict["intel_log_ids"] = sorted(intel_fig.contributions)
    for b in intel_fig_dict["breakdowns"].values():
        for row in b:
            row["intel_log_ids"] = row.pop("record_ids")
            row["record_ids"] = []

    weeks = ((end - start).days + 1) / 7
    review: dict[str, Any] = {
        "schema": SCHEMA,
        "operation": {"slug": op.slug, "name": op.name, "force": op.force, "description": op.description,
                      "starts_on": op.starts_on.isoformat(), "ends_on": op.ends_on.isoformat() if op.ends_on else None},
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": (end - start).days + 1,
                   "weeks": round(weeks, 1), "time_zone": "Europe/London"},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "record_count": len(records),
        "figures": figures,
        "offence_examples": [t for t, _ in offence_texts.most_common(8)],
        "patrol_dwell_minutes": _dwell_summary(patrol_dwell),
        "price_table_versions": sorted(price_versions),
        "tactics": [{"name": t.name, "category": t.category, "is_new": t.is_new} for t in op.tactics],
        "areas": [{"slug": x.slug, "name": x.name, "role": x.role, "geometry": x.geometry,
                   "lsoa_codes": x.lsoa_codes} for x in areas],
        "points": [
            {"record_id": r.id, "kind": r.kind, "lat": r.lat, "lon": r.lon,
             "occurred_at": r.occurred_at.isoformat(), "area": where(r)}
            for r in records if r.lat is not None
        ],
        "records": [_trace_row(r, where(r), tactic(r)) for r in records],
        "attribution": ATTRIBUTION,
    }
    review["summary"] = summary_paragraph(review)
    return review


def _dwell_summary(minutes: list[float]) -> dict[str, Any] | None:
    if not minutes:
        return None
    s = sorted(minutes)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    in_band = sum(1 for m in s if 10 <= m <= 15)
    return {"patrols": len(s), "median": round(median, 1), "share_10_to_15": round(in_band / len(s), 3)}


def _trace_row(r, area: str, tactic: str) -> dict[str, Any]:
    """What the trace tables show of a record: never a person reference."""
    return {"id": r.id, "ref": r.ref, "kind": r.kind, "occurred_at": r.occurred_at.isoformat(), "area": area,
            "tactic": tactic, "version": r.version}


def figure(review: dict[str, Any], figure_id: str) -> dict[str, Any]:
    for f in review["figures"]:
        if f["id"] == figure_id:
            return f
    raise KeyError(figure_id)


def summary_paragraph(review: dict[str, Any]) -> str:
    """A short paragraph in the style of a force press release, from the figures only."""
    v = {f["id"]: f for f in review["figures"]}
    weeks = review["period"]["weeks"]
    days = review["period"]["days"]
    period = review["period"]
    if float(weeks).is_integer() and weeks <= 12:
        span = f"during the {pres.small_number(int(weeks))} weeks of the operation"
    elif days >= 365 and period["from"].endswith("-01-01") and period["to"] == f"{period['from'][:4]}-12-31":
        span = f"in {period['from'][:4]}"
    else:
        span = f"from {period['from']} to {period['to']}"
    name = review["operation"]["name"]
    sentences = []
    if v["arrests"]["value"]:
        examples = review["offence_examples"][:6]
        ex = f" for offences including {', '.join(examples[:-1])} and {examples[-1]}" if len(examples) > 1 else ""
        sentences.append(f"{name}: {span}, {v['arrests']['display']} people were arrested{ex}.")
    else:
        sentences.append(f"{name}: {span}, no arrests were recorded.")
    if v["knives_bladed"]["value"]:
        sweeps = v["items_from_sweeps"]
        extra = ""
        if sweeps["value"]:
            finds = [b["key"] for b in sweeps["breakdowns"].get("find", []) if b["key"].startswith("machete")]
            extra = f", {sweeps['display']} of them in weapons sweeps"
            if finds:
                extra += f", among them a {finds[0]}"
        sentences.append(f"{v['knives_bladed']['display'].capitalize()} knives and bladed weapons were seized or recovered{extra}.")
    if v["weapons"]["value"] and v["firearms"]["value"]:
        sentences.append(f"In all {v['weapons']['display']} weapons were seized, including firearms and ammunition.")
    if v["anpr_stops"]["value"]:
        s = f"{v['anpr_stops']['display'].capitalize()} vehicles were stopped after ANPR identified them"
        if v["arrests_from_anpr_stops"]["value"]:
            s += f", and {v['arrests_from_anpr_stops']['display']} arrests resulted from those stops"
        sentences.append(s + ".")
    if v["drugs_value"]["value"]:
        sentences.append(f"Illegal drugs worth {v['drugs_value']['display']} were seized.")
    if v["cash"]["value"]:
        sentences.append(f"Cash seized came to {v['cash']['display']}.")
    if v["custodial_months"]["value"]:
        sentences.append(f"Courts handed down prison sentences totalling {v['custodial_months']['display']}.")
    if v["intel_logs"]["value"]:
        sentences.append(f"{v['intel_logs']['display'].capitalize()} intelligence logs were received.")
    others = []
    if v["weapons_sweeps"]["value"]:
        others.append(f"{v['weapons_sweeps']['display']} weapons sweeps")
    if v["test_purchases"]["value"]:
        others.append(f"{v['test_purchases']['display']} knife test purchases at shops")
    if v["patrol_minutes"]["value"]:
        others.append(f"{v['patrol_minutes']['display']} of patrol in hotspot areas")
    if v["referrals"]["value"]:
        others.append(f"{v['referrals']['display']} referrals to partners")
    if others:
        sentences.append("Officers also carried out " + ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1] + ".")
    return " ".join(sentences)


def render(review: dict[str, Any], fmt: str) -> str | bytes:
    """The review as html, pdf (bytes), json or md (see ``clearhold.reports.render``)."""
    from clearhold.reports.render import render as _render

    return _render(review, fmt)
