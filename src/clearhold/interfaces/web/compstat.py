"""CompStat figures: this week, this month and year to date against the same period last year.

Pure functions over (occurred_at, kind, area_id) rows, plus one lightweight query that reads
only those three columns (the dashboard must stay fast under many users).
Days are counted in UK local time (Europe/London). The comparison week is the same seven
weekdays 52 weeks (364 days) earlier; month and year to date compare the same calendar dates.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")
KIND_LABELS = {
    "arrest": "Arrests", "seizure": "Seizures", "vehicle_stop": "Vehicle stops", "weapons_sweep": "Weapons sweeps",
    "test_purchase": "Test purchases", "patrol": "Patrols", "warrant": "Warrants / closures",
    "referral": "Referrals / diversions", "court_outcome": "Court outcomes", "engagement": "Community engagement",
}


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # inclusive
    prev_start: date
    prev_end: date


@dataclass(frozen=True)
class Cell:
    now: int
    prev: int

    @property
    def change_pct(self) -> float | None:
        if self.prev == 0:
            return None
        return round(100.0 * (self.now - self.prev) / self.prev, 1)


def _same_day_last_year(d: date) -> date:
    year = d.year - 1
    return date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1]))


def periods(as_of: date) -> list[Period]:
    """Week (7 days to ``as_of``), month to date and year to date, each with last year's twin."""
    if not isinstance(as_of, date):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    week_start = as_of - timedelta(days=6)
    month_start = as_of.replace(day=1)
    year_start = as_of.replace(month=1, day=1)
    return [
        Period("week", "Last 7 days", week_start, as_of, week_start - timedelta(days=364), as_of - timedelta(days=364)),
        Period("month", "Month to date", month_start, as_of, _same_day_last_year(month_start), _same_day_last_year(as_of)),
        Period("ytd", "Year to date", year_start, as_of, _same_day_last_year(year_start), _same_day_last_year(as_of)),
    ]


def window(as_of: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) covering every period and its comparison."""
    ps = periods(as_of)
    first = min(min(p.start, p.prev_start) for p in ps) - timedelta(days=7 * 12)
    start = datetime.combine(first, time.min, LOCAL).astimezone(UTC)
    end = datetime.combine(as_of + timedelta(days=1), time.min, LOCAL).astimezone(UTC)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def tabulate(rows: Iterable[tuple[datetime, str, int | None]], as_of: date) -> dict:
    """Counts per (kind, area_id) and per period: ``{(kind, area_id): {period_key: Cell}}``.

    ``area_id`` None in the key means the whole operation (every record, placed or not).
    """
    ps = periods(as_of)
    now = defaultdict(int)
    prev = defaultdict(int)
    for occurred_at, kind, area_id in rows:
        day = local_day(occurred_at)
        for p in ps:
            hit_now = p.start <= day <= p.end
            hit_prev = p.prev_start <= day <= p.prev_end
            if not (hit_now or hit_prev):
                continue
            for key in ((kind, None), (kind, area_id)) if area_id is not None else ((kind, None),):
                if hit_now:
                    now[(key, p.key)] += 1
                if hit_prev:
                    prev[(key, p.key)] += 1
    table: dict = defaultdict(dict)
    for key, pkey in set(now) | set(prev):
        table[key][pkey] = Cell(now[(key, pkey)], prev[(key, pkey)])
    for key in table:
        for p in ps:
            table[key].setdefault(p.key, Cell(0, 0))
    return dict(table)


def weekly(rows: Iterable[tuple[datetime, str, int | None]], as_of: date, *, kind: str, weeks: int = 12) -> list[dict]:
    """Counts of ``kind`` per 7-day block ending ``as_of`` (oldest first), with last year's."""
    ends = [as_of - timedelta(days=7 * i) for i in range(weeks)][::-1]
    now = [0] * weeks
    prev = [0] * weeks
    for occurred_at, k, _ in rows:
        if k != kind:
            continue
        day = local_day(occurred_at)
        for i, end in enumerate(ends):
            if end - timedelta(days=6) <= day <= end:
                now[i] += 1
            last = end - timedelta(days=364)
            if last - timedelta(days=6) <= day <= last:
                prev[i] += 1
    return [{"week_ending": e, "now": n, "prev": p} for e, n, p in zip(ends, now, prev, strict=True)]


def rows_for(session, *, operation_id: int, as_of: date) -> list[tuple[datetime, str, int | None]]:
    """(occurred_at, kind, area_id) of the operation's live records inside the CompStat window."""
    import sqlalchemy as sa

    from clearhold.record.tables import Record

    start, end = window(as_of)
    query = (sa.select(Record.occurred_at, Record.kind, Record.area_id)
             .where(Record.operation_id == operation_id, Record.deleted_at.is_(None),
                    Record.occurred_at >= start, Record.occurred_at < end))
    return [tuple(r) for r in session.execute(query)]


def default_as_of(starts_on: date, ends_on: date | None, today: date | None = None) -> date:
    """Today, or the operation's last day when it has ended (so a closed operation shows its end)."""
    today = today or datetime.now(LOCAL).date()
    if ends_on is not None and ends_on < today:
        return ends_on
    return max(today, starts_on)
