"""When a record may happen: its operation's UK local days, checked as instants for a batch.

The oracle is the rule as the issue states it, record by record: the record's UK local day
(its time converted to Europe/London) is not before the operation's first day, not after its
last (court outcomes may come later), and the record is not more than an hour in the future.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearhold.errors import InvalidInput
from clearhold.record import service

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
# Days the UK clocks changed (forward in March, back in October), and an ordinary winter day.
CLOCK_CHANGES = [date(2023, 3, 26), date(2023, 10, 29), date(1996, 3, 31), date(2029, 10, 28), date(2023, 1, 15)]
HOUR_US = 3600 * 10**6


def _oracle(op, occurred_at: datetime, kind: str, now: datetime) -> str | None:
    day = occurred_at.astimezone(LONDON).date()
    span = f"{op.starts_on} to {op.ends_on or 'open'}"
    if day < op.starts_on:
        return f"occurred_at: {day} is before operation {op.slug!r} started ({span})"
    if op.ends_on is not None and day > op.ends_on and kind != "court_outcome":
        return f"occurred_at: {day} is after operation {op.slug!r} ended ({span})"
    if occurred_at > now + timedelta(hours=1):
        return f"occurred_at: {occurred_at.isoformat()} is in the future"
    return None


def _checked(span, occurred_at: datetime, kind: str) -> str | None:
    try:
        span.check(SimpleNamespace(occurred_at=occurred_at, kind=kind))
    except InvalidInput as exc:
        return str(exc)
    return None


@given(
    change=st.sampled_from(CLOCK_CHANGES),
    start_shift=st.integers(-2, 2),
    days=st.one_of(st.none(), st.integers(0, 3)),
    edge=st.sampled_from(["start", "end"]),
    # Near the edge (to the microsecond), around the changed hour, or anywhere in two days.
    offset_us=st.one_of(st.integers(-3, 3), st.integers(-3, 3).map(lambda h: h * HOUR_US),
                        st.integers(-2 * 24 * HOUR_US, 2 * 24 * HOUR_US)),
    shown_in=st.one_of(st.just(LONDON), st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))),
    kind=st.sampled_from(["arrest", "court_outcome"]),
)
def test_instants_agree_with_local_days_across_clock_changes(change, start_shift, days, edge, offset_us, shown_in, kind):
    starts_on = change + timedelta(days=start_shift)
    op = SimpleNamespace(slug="op-x", starts_on=starts_on, ends_on=None if days is None else starts_on + timedelta(days=days))
    edge_day = starts_on if edge == "start" or op.ends_on is None else op.ends_on + timedelta(days=1)
    at = (datetime.combine(edge_day, time(), LONDON) + timedelta(microseconds=offset_us)).astimezone(shown_in)
    now = at + timedelta(hours=1, microseconds=offset_us % 3 - 1)  # the future check at its edge too
    assert _checked(service._Span(op, now), at, kind) == _oracle(op, at, kind, now)


@pytest.mark.parametrize(("occurred_at", "problem"), [
    # The operation runs on the UK local days 2023-03-26 (clocks forward at 01:00 UTC) to
    # 2023-10-29 (clocks back at 01:00 UTC).
    ("2023-03-25T23:59:59.999999+00:00", "2023-03-25 is before operation 'op-x' started (2023-03-26 to 2023-10-29)"),
    ("2023-03-26T00:00:00+00:00", None),
    ("2023-03-26T00:30:00+01:00", "2023-03-25 is before operation 'op-x' started (2023-03-26 to 2023-10-29)"),
    ("2023-10-28T23:00:00+00:00", None),  # 00:00 BST on the 29th
    ("2023-10-29T23:59:59.999999+00:00", None),  # GMT again
    ("2023-10-30T00:00:00+00:00", "2023-10-30 is after operation 'op-x' ended (2023-03-26 to 2023-10-29)"),
    ("2023-10-29T19:00:00-05:00", "2023-10-30 is after operation 'op-x' ended (2023-03-26 to 2023-10-29)"),
])
def test_the_edges_of_an_operation_across_the_clock_changes(occurred_at, problem):
    op = SimpleNamespace(slug="op-x", starts_on=date(2023, 3, 26), ends_on=date(2023, 10, 29))
    got = _checked(service._Span(op, NOW), datetime.fromisoformat(occurred_at), "arrest")
    assert got == (None if problem is None else f"occurred_at: {problem}")


def test_open_operations_and_the_last_day_there_is():
    """An open operation has no end, nor does one that ends on the last day a date can be;
    a record is in the future more than an hour after the batch's time."""
    for ends_on in (None, date.max):
        op = SimpleNamespace(slug="op-x", starts_on=date(2023, 1, 1), ends_on=ends_on)
        span = service._Span(op, NOW)
        assert _checked(span, NOW + timedelta(hours=1), "arrest") is None
        late = NOW + timedelta(hours=1, microseconds=1)
        assert _checked(span, late, "arrest") == f"occurred_at: {late.isoformat()} is in the future"
