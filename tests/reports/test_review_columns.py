"""The column-wise pieces of the results review, checked against the one-value-at-a-time
definitions they replace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clearhold.reports import review_columns as cols
from clearhold.reports.review import _Figure, _num
from clearhold.reports.review_columns import Records, factorize

LONDON = ZoneInfo("Europe/London")
INSTANTS = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
# Instants within three hours of a UK clock change, where an hour-by-hour lookup matters.
CHANGES = [datetime(y, m, d, 1, tzinfo=UTC) for y, m, d in
           ((2023, 3, 26), (2023, 10, 29), (2024, 3, 31), (2024, 10, 27), (2025, 3, 30), (2025, 10, 26))]
NEAR_CHANGES = st.builds(lambda c, s: c + timedelta(seconds=s), st.sampled_from(CHANGES),
                         st.integers(-3 * 3600, 3 * 3600))


def _us(instants: list[datetime]) -> np.ndarray:
    return np.array([round(t.timestamp() * 1e6) if t.microsecond == 0 else
                     (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) for t in instants],
                    dtype=np.int64)


@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "not recorded", ""]), st.integers(0, 3))))
def test_factorize_round_trips(values):
    keys = factorize(values)
    assert keys.values() == values
    assert len(set(keys.labels)) == len(keys.labels)
    assert keys.labels == list(dict.fromkeys(values))  # in order of first appearance


@given(st.lists(st.one_of(INSTANTS, NEAR_CHANGES), min_size=1, max_size=60))
@settings(max_examples=200)
def test_local_times_match_zoneinfo_for_each_instant(instants):
    local = cols.local_times(_us(instants), LONDON)
    zones = local.zone.values()
    minutes = cols.local_minutes(_us(instants) + local.offset_us)
    for n, t in enumerate(instants):
        expect = t.astimezone(LONDON)
        assert int(local.offset_us[n]) == expect.utcoffset() // timedelta(microseconds=1), t
        assert zones[n] == expect.tzname(), t
        assert datetime(1970, 1, 1).date() + timedelta(days=int(local.day[n])) == expect.date(), t
        assert minutes[n] == expect.strftime("%Y-%m-%d %H:%M"), t


@given(st.lists(INSTANTS, max_size=30))
def test_iso_utc_is_isoformat(instants):
    assert cols.iso_utc(_us(instants)) == [t.isoformat() for t in instants]


def test_epoch_from_sqlite_text_and_postgresql_datetimes():
    text = ["2023-03-26 00:59:59.000000", "2023-03-26 01:00:00.250000"]
    naive = [datetime(2023, 3, 26, 0, 59, 59), datetime(2023, 3, 26, 1, 0, 0, 250000)]
    assert cols.to_epoch_us(text).tolist() == cols.to_epoch_us(naive).tolist() == _us(
        [t.replace(tzinfo=UTC) for t in naive]).tolist()


def _records(ids: list[int]) -> Records:
    return Records(np.array(ids, dtype=np.int64), {"id": ids}, np.zeros(len(ids), dtype=np.int64))


def test_rows_follow_record_order_and_drop_other_records():
    recs = _records([30, 10, 20])  # record order is by time, not id
    rows = recs.rows([(10, "a"), (10, "b"), (20, "c"), (25, "other"), (30, "d")], ("name",))
    assert rows.pos.tolist() == [0, 1, 1, 2]
    assert rows.columns["name"] == ["d", "a", "b", "c"]  # a record's rows keep the order read
    found, pos = recs.locate(np.array([20, 5, 99, 30]))
    assert found.tolist() == [True, False, False, True]
    assert pos[found].tolist() == [2, 0]
    empty = recs.rows([], ("name",))
    assert len(empty) == 0 and empty.columns == {"name": []}
    none = _records([])
    assert none.locate(np.array([1, 2]))[0].tolist() == [False, False]
    assert len(none.rows([(1, "a")], ("name",))) == 0


def test_rows_already_in_order_are_taken_as_read():
    recs = _records([1, 2, 3])
    rows = recs.rows([(1, "a"), (1, "b"), (3, "c")], ("name",))
    assert rows.pos.tolist() == [0, 0, 2]
    assert rows.columns["name"] == ["a", "b", "c"]


def _naive_breakdown(fig: _Figure, dim: str, keys, ids, amounts):
    """The breakdown as a running sum per key (the definition the array version replaces)."""
    sums: dict = {}
    members: dict = {}
    for key, i, a in zip(keys, ids, amounts, strict=True):
        key = "not recorded" if key is None else key
        sums[key] = sums.get(key, 0) + a
        members.setdefault(key, set()).add(i)
    order = (lambda kv: kv[0]) if dim in ("month", "week") else (lambda kv: (-kv[1], kv[0]))
    return [{"key": k, "value": fig._out(v), "record_ids": sorted(members[k])} for k, v in sorted(sums.items(), key=order)]


CONTRIBUTIONS = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["x", "y", "not recorded", "z"])),
                                   st.integers(1, 40),
                                   st.one_of(st.integers(0, 5000), st.floats(0, 600, allow_nan=False))),
                         max_size=80)


@given(CONTRIBUTIONS, st.sampled_from(["count", "GBP", "hours"]), st.sampled_from(["result", "month"]),
       st.booleans())
def test_breakdown_matches_a_running_sum_per_key(contributions, unit, dim, ones):
    fig = _Figure("f", "f", unit, str)
    keys = [k for k, _, _ in contributions]
    ids = np.array([i for _, i, _ in contributions], dtype=np.int64)
    if ones:
        amounts, given_amounts = [1] * len(contributions), None
    else:
        amounts = [a for _, _, a in contributions]
        given_amounts = np.array(amounts, dtype=float if any(isinstance(a, float) for a in amounts) else np.int64)
    assert fig._breakdown(dim, keys, ids, given_amounts) == _naive_breakdown(fig, dim, keys, ids.tolist(), amounts)


@given(st.lists(st.tuples(st.lists(st.sampled_from(["Drugs", "Robbery", "Theft"]), max_size=3, unique=True),
                          st.integers(1, 30)), max_size=40))
def test_multi_key_breakdown_counts_each_key_of_a_contribution(contributions):
    fig = _Figure("arrests", "arrests", "count", str, dims=("offence_group",))
    keys = [ks for ks, _ in contributions]
    ids = np.array([i for _, i in contributions], dtype=np.int64)
    flat = [(k, i) for ks, i in contributions for k in ks]
    expect = _naive_breakdown(fig, "offence_group", [k for k, _ in flat], [i for _, i in flat], [1] * len(flat))
    assert fig._breakdown("offence_group", keys, ids, None) == expect


@given(st.lists(st.tuples(st.integers(1, 20), st.floats(0, 600, allow_nan=False)), max_size=50))
def test_figure_totals_and_record_values(contributions):
    fig = _Figure("patrol_hours", "hours", "hours", lambda v: f"{v}", common=False)
    ids = np.array([i for i, _ in contributions], dtype=np.int64)
    amounts = [a for _, a in contributions]
    fig.set(ids, None, np.array(amounts, dtype=float))
    out = fig.to_dict({})
    total = sum(amounts)
    assert out["exact"] == {"minutes": _num(total)}
    assert out["record_ids"] == sorted(set(ids.tolist()))
    per_record: dict[int, float] = {}
    for i, a in contributions:
        per_record[i] = per_record.get(i, 0) + a
    if any(v != 1 for v in per_record.values()):
        assert out["record_values"] == {str(i): _num(v) for i, v in sorted(per_record.items())}
    else:
        assert "record_values" not in out
    assert out["breakdowns"] == {}
