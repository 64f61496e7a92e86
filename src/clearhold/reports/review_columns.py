"""The records of a results review, read column-wise.

A review counts tens of thousands of records at once, so they are read as columns (lists and
NumPy arrays, one entry per record, oldest first) rather than one object per record: each
kind's own rows, seized items and arrest offences become :class:`Rows` tied to the position
of their record, and a column of values becomes :class:`Keys` (integer codes and the
distinct values) so that grouping and counting are array operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearhold.record import service as record_service
from clearhold.record.tables import ArrestOffence, Record, SeizedItem
from clearhold.storage.rawread import fetch_tuples

RECORDS = Record.__table__
_ITEMS = SeizedItem.__table__
_OFFENCES = ArrestOffence.__table__
_BASE_NAMES = ("id", "kind", "ref", "occurred_at", "ended_at", "area_id", "tactic_id", "lat", "lon",
               "source_record_id", "version")
_ITEM_NAMES = ("item_kind", "weapon_type", "disposition", "count", "drug_class", "drug_type", "value_pence",
               "value_basis", "price_table_version", "cash_pence")
# The columns of each kind's own table that the review reads.
KIND_COLUMNS = {
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
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Keys:
    """A column of hashable values as ``codes`` (int64, one per row) into ``labels`` (distinct)."""

    codes: np.ndarray
    labels: list[Any]

    def take(self, index: np.ndarray) -> Keys:
        """The rows at ``index`` (positions or a boolean mask), with the same labels."""
        return Keys(self.codes[index], self.labels)

    def values(self) -> list[Any]:
        labels = self.labels
        return [labels[c] for c in self.codes.tolist()]

    def where(self, predicate) -> np.ndarray:
        """A boolean mask of the rows whose value satisfies ``predicate`` (tested once per label)."""
        hits = np.fromiter((bool(predicate(x)) for x in self.labels), dtype=bool, count=len(self.labels))
        return hits[self.codes]


def factorize(values) -> Keys:
    """``values`` (an iterable of hashables) as :class:`Keys`, labels in order of first appearance."""
    if not isinstance(values, list | tuple):
        values = list(values)
    labels = list(dict.fromkeys(values))
    code = {v: i for i, v in enumerate(labels)}.__getitem__
    return Keys(np.fromiter(map(code, values), dtype=np.int64, count=len(values)), labels)


@dataclass
class Rows:
    """Rows tied to records: ``pos`` is each row's record position; rows are in record order
    (and, within a record, in the order read)."""

    pos: np.ndarray
    columns: dict[str, list[Any]]
    _keys: dict[str, Keys] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.pos)

    def keys(self, name: str) -> Keys:
        """Column ``name`` as :class:`Keys` (computed once)."""
        found = self._keys.get(name)
        if found is None:
            found = self._keys[name] = factorize(self.columns[name])
        return found

    def where(self, name: str, predicate) -> np.ndarray:
        return self.keys(name).where(predicate)


@dataclass
class Records:
    """An operation's records in a period, oldest first (by time, then id), column-wise."""

    ids: np.ndarray  # int64
    columns: dict[str, list[Any]]  # _BASE_NAMES (occurred_at and ended_at as the driver gives them)
    occurred_us: np.ndarray  # int64 microseconds since the epoch, UTC
    kinds: dict[str, Rows] = field(default_factory=dict)
    items: Rows | None = None
    offences: Rows | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, pos)``: which of ``ids`` are these records, and their positions (0 where not)."""
        if not len(self.ids):
            return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=np.int64)
        order = self._order
        sorted_ids = self.ids[order]
        at = np.searchsorted(sorted_ids, ids)
        at[at >= len(sorted_ids)] = 0
        found = sorted_ids[at] == ids
        return found, np.where(found, order[at], 0)

    @cached_property
    def _order(self) -> np.ndarray:
        """Positions of the records in order of id (for ``locate``)."""
        return np.argsort(self.ids, kind="stable")

    def rows(self, values: list[tuple], names: tuple[str, ...]) -> Rows:
        """``values`` (tuples whose first value is a record id) as :class:`Rows` of these records,
        in record order; rows of other records are dropped."""
        if not values:
            return Rows(np.zeros(0, dtype=np.int64), {n: [] for n in names})
        cols = list(zip(*values, strict=True))
        found, pos = self.locate(np.array(cols[0], dtype=np.int64))
        keep = np.flatnonzero(found)
        order = keep[np.argsort(pos[keep], kind="stable")]
        if len(order) == len(values) and bool(np.all(np.diff(pos) >= 0)):  # already in record order
            return Rows(pos, {n: list(c) for n, c in zip(names, cols[1:], strict=True)})
        index = order.tolist()
        return Rows(pos[order], {n: [c[i] for i in index] for n, c in zip(names, cols[1:], strict=True)})


def to_epoch_us(values: list[Any]) -> np.ndarray:
    """Stored naive-UTC timestamps (SQLite's ISO text or PostgreSQL's naive datetimes; None
    becomes NaT) as int64 microseconds since the epoch."""
    return np.array(values, dtype="datetime64[us]").astype(np.int64)


def load_records(session: Session, where) -> Records:
    """Records matching ``where`` (clauses on the records table), oldest first, with their
    kind's columns, seized items and arrest offences.

    The records come first. Their kind rows, items and offences are then read either by a
    range of record ids (when the records fill at least half of the ids between their lowest
    and highest: a range scan on the primary key or record index, rows of other records
    dropped here) or, when the records are sparse among others, joined to the records with
    ``where`` again. Both give the same rows; the range read avoids a join per row."""
    values = fetch_tuples(session, select(*(RECORDS.c[n] for n in _BASE_NAMES)).where(*where)
                          .order_by(RECORDS.c.occurred_at, RECORDS.c.id))
    if not values:
        return Records(np.zeros(0, dtype=np.int64), {n: [] for n in _BASE_NAMES}, np.zeros(0, dtype=np.int64),
                       items=Rows(np.zeros(0, dtype=np.int64), {n: [] for n in _ITEM_NAMES}),
                       offences=Rows(np.zeros(0, dtype=np.int64), {"offence_group": [], "offence_text": []}))
    columns = dict(zip(_BASE_NAMES, map(list, zip(*values, strict=True)), strict=True))
    ids = np.array(columns["id"], dtype=np.int64)
    recs = Records(ids, columns, to_epoch_us(columns["occurred_at"]))
    lowest, highest = int(ids.min()), int(ids.max())
    by_range = highest - lowest + 1 <= 2 * len(ids)

    def restrict(stmt, id_column):
        if by_range:
            return stmt.where(id_column.between(lowest, highest))
        return stmt.join(RECORDS, RECORDS.c.id == id_column).where(*where)

    for kind in sorted(set(columns["kind"])):
        sub = record_service.KIND_CLASSES[kind].__table__
        names = KIND_COLUMNS[kind]
        stmt = restrict(select(sub.c.id, *(sub.c[n] for n in names)), sub.c.id).order_by(sub.c.id)
        recs.kinds[kind] = recs.rows(fetch_tuples(session, stmt), names)
    stmt = (restrict(select(_ITEMS.c.record_id, *(_ITEMS.c[n] for n in _ITEM_NAMES)), _ITEMS.c.record_id)
            .order_by(_ITEMS.c.record_id, _ITEMS.c.seq))
    recs.items = recs.rows(fetch_tuples(session, stmt), _ITEM_NAMES)
    offence_names = ("offence_group", "offence_text")
    offences: list[tuple] = []
    if "arrest" in recs.kinds:
        stmt = (restrict(select(_OFFENCES.c.arrest_id, *(_OFFENCES.c[n] for n in offence_names)), _OFFENCES.c.arrest_id)
                .order_by(_OFFENCES.c.arrest_id, _OFFENCES.c.seq))
        offences = fetch_tuples(session, stmt)
    recs.offences = recs.rows(offences, offence_names)
    return recs


@dataclass(frozen=True)
class Links:
    """What following a record's source needs to know of any record it may lead to: its kind,
    tactic, own source and (vehicle stops) stop reason, by record id."""

    kind: dict[int, str]
    tactic_id: dict[int, int | None]
    source: dict[int, int | None]
    stop_reason: dict[int, str]


def load_links(session: Session, recs: Records) -> Links:
    """The links of ``recs``, with the records they point to that are not among them (e.g. the
    ANPR stop of an arrest made after ``--from``; deleted ones too), followed to the end."""
    cols = recs.columns
    links = Links(dict(zip(cols["id"], cols["kind"], strict=True)),
                  dict(zip(cols["id"], cols["tactic_id"], strict=True)),
                  dict(zip(cols["id"], cols["source_record_id"], strict=True)), {})
    stops = recs.kinds.get("vehicle_stop")
    if stops is not None:
        links.stop_reason.update(zip(recs.ids[stops.pos].tolist(), stops.columns["stop_reason"], strict=True))
    missing = {s for s in cols["source_record_id"] if s is not None and s not in links.kind}
    vs = record_service.KIND_CLASSES["vehicle_stop"].__table__
    while missing:
        wanted = sorted(missing)
        found = fetch_tuples(session, select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.tactic_id,
                                             RECORDS.c.source_record_id).where(RECORDS.c.id.in_(wanted)))
        for record_id, kind, tactic_id, source in found:
            links.kind[record_id] = kind
            links.tactic_id[record_id] = tactic_id
            links.source[record_id] = source
        links.stop_reason.update(fetch_tuples(session, select(vs.c.id, vs.c.stop_reason).where(vs.c.id.in_(wanted))))
        missing = {s for _, _, _, s in found if s is not None and s not in links.kind}
    return links


@dataclass(frozen=True)
class LocalTimes:
    """Each record's UK local time: its offset from UTC and zone abbreviation (``zone``), and
    its local day as a day number since 1970-01-01 (``day``)."""

    offset_us: np.ndarray
    zone: Keys
    day: np.ndarray


def local_times(epoch_us: np.ndarray, tz: ZoneInfo) -> LocalTimes:
    """Offsets of ``tz`` at each instant. A zone is looked up at both ends of each distinct UTC
    day; only a day whose two ends differ (a day the clocks change, on the hour in UTC) is
    looked up hour by hour."""
    if not len(epoch_us):
        return LocalTimes(np.zeros(0, dtype=np.int64), Keys(np.zeros(0, dtype=np.int64), []),
                          np.zeros(0, dtype=np.int64))
    hours = epoch_us // _HOUR_US
    unique_hours, hour_of = np.unique(hours, return_inverse=True)
    offsets = np.zeros(len(unique_hours), dtype=np.int64)
    zone_of_hour: list[str] = [""] * len(unique_hours)

    def at(hour: int) -> tuple[int, str]:
        local = datetime.fromtimestamp(hour * 3600, UTC).astimezone(tz)
        delta = local.utcoffset() or timedelta(0)
        return delta // timedelta(microseconds=1), local.tzname() or ""

    days = unique_hours // 24
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    ends = np.r_[starts[1:], len(unique_hours)]
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        day = int(days[s])
        first, last = at(day * 24), at(day * 24 + 23)
        if first == last:
            offsets[s:e] = first[0]
            zone_of_hour[s:e] = [first[1]] * (e - s)
        else:
            for i in range(s, e):
                offsets[i], zone_of_hour[i] = at(int(unique_hours[i]))
    zones = factorize(zone_of_hour)
    offset_us = offsets[hour_of]
    return LocalTimes(offset_us, zones.take(hour_of), (epoch_us + offset_us) // _DAY_US)


def day_labels(day: np.ndarray, label) -> Keys:
    """``label(date)`` of each day number, looked up once per distinct day."""
    unique_days, day_of = np.unique(day, return_inverse=True)
    per_day = factorize(label(_EPOCH + timedelta(days=int(d))) for d in unique_days.tolist())
    return per_day.take(day_of)


def iso_utc(epoch_us: np.ndarray) -> list[str]:
    """``datetime.isoformat()`` of each instant as an aware UTC datetime."""
    return [s[:19] + "+00:00" if s.endswith(".000000") else s + "+00:00"
            for s in np.datetime_as_string(epoch_us.astype("datetime64[us]")).tolist()]


def local_minutes(local_us: np.ndarray) -> list[str]:
    """Each local time as ``YYYY-MM-DD HH:MM``."""
    return [f"{s[:10]} {s[11:]}" for s in np.datetime_as_string(local_us.astype("datetime64[us]"), unit="m").tolist()]
