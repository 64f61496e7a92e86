"""Patrol plans: greedy harm coverage by hand, visits spread over the shift, every error branch."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from clearhold.analytics.patrol import os_grid_ref, parse_shift, plan_patrols
from clearhold.errors import InvalidInput
from clearhold.hotspot.flows import planned_patrols

START = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)


def cells():
    return pd.DataFrame({"cell_id": ["a", "b", "c", "d"], "x_m": [475_050.0, 475_150, 475_250, 475_350],
                         "y_m": [260_050.0] * 4, "harm": [10.0, 6.0, 4.0, 0.0]})


def test_greedy_plan_by_hand():
    frame = cells()
    before = frame.copy()
    plan = plan_patrols(frame, budget_hours=1, shift_start=START, shift_end=START + timedelta(hours=2),
                        visit_minutes=15, cell_size_m=100)
    # gains: a 10, 5, 2.5; b 6, 3, 1.5; c 4, 2, 1 -> the 4 best: a, b, a, c
    assert [(v.cell_id, v.visit_number, v.visits_to_cell) for v in plan.visits] == [
        ("a", 1, 2), ("b", 1, 1), ("c", 1, 1), ("a", 2, 2)]
    assert [v.start.strftime("%H:%M:%S") for v in plan.visits] == ["18:07:30", "18:37:30", "19:07:30", "19:37:30"]
    assert all(v.end - v.start == timedelta(minutes=15) for v in plan.visits)
    assert plan.units == 1 and plan.used_minutes == 60 and plan.budget_minutes == 60
    assert plan.harm_covered == 20 and plan.harm_total == 20 and plan.harm_share == 1
    assert plan.n_cells == 3
    assert plan.visits[0].grid_ref == "SP 7505 6005"
    assert plan.visits[0].lat == pytest.approx(52.236, abs=0.01) and plan.visits[0].lon == pytest.approx(-0.893, abs=0.01)
    pd.testing.assert_frame_equal(frame, before)


def test_parallel_units_when_budget_exceeds_shift():
    plan = plan_patrols(cells(), budget_hours=2, shift_start=START, shift_end=START + timedelta(hours=1),
                        visit_minutes=15, max_visits_per_cell=3)
    # 8 visits of 15 min in a 60 min shift: 2 units, 4 slots of 15 min each
    assert len(plan.visits) == 8 and plan.units == 2
    assert {v.unit for v in plan.visits} == {1, 2}
    for unit in (1, 2):
        mine = [v for v in plan.visits if v.unit == unit]
        assert all(a.end <= b.start for a, b in zip(mine, mine[1:], strict=False))
    assert all(START <= v.start and v.end <= START + timedelta(hours=1) for v in plan.visits)
    # harm c gets at most 3 visits; d (no harm) none
    assert "d" not in {v.cell_id for v in plan.visits}


def test_budget_smaller_than_harmful_cells_covers_the_top():
    plan = plan_patrols(cells(), budget_hours=0.5, shift_start=START, shift_end=START + timedelta(hours=8))
    assert [v.cell_id for v in plan.visits] == ["a", "b"]
    assert plan.harm_covered == 16 and plan.harm_share == pytest.approx(0.8)


def test_planned_patrols_for_the_ledger():
    plan = plan_patrols(cells(), budget_hours=0.5, shift_start=START, shift_end=START + timedelta(hours=8))
    rows = planned_patrols(plan, operation="op-x", area="target")
    assert rows[0]["operation"] == "op-x" and rows[0]["area"] == "target"
    assert rows[0]["tactic"] == "hotspot patrol" and rows[0]["minutes"] == 15
    assert rows[0]["planned_start"] == plan.visits[0].start and rows[0]["ref"] == "patrol-a-1"


def test_plan_to_dict():
    plan = plan_patrols(cells(), budget_hours=0.5, shift_start=START, shift_end=START + timedelta(hours=8))
    d = plan.to_dict()
    assert d["visits"][0]["start"] == plan.visits[0].start.isoformat()
    assert d["harm_share"] == pytest.approx(0.8) and "greedy" in d["rule"]


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"budget_hours": -1}, InvalidInput, "budget_hours was -1; it must be a positive number of hours"),
    ({"budget_hours": "2"}, TypeError, "budget_hours was '2'"),
    ({"budget_hours": 0.1}, InvalidInput, "budget_hours was 0.1; it does not cover one visit of 15 minutes"),
    ({"visit_minutes": 0}, InvalidInput, "visit_minutes was 0; it must be between 1 and 120 minutes"),
    ({"max_visits_per_cell": 0}, InvalidInput, "max_visits_per_cell was 0"),
    ({"shift_end": START}, InvalidInput, "not after its start"),
    ({"shift_end": START + timedelta(minutes=10)}, InvalidInput, "the shift \\(10 minutes\\) is shorter than one visit"),
    ({"shift_start": "18:00"}, TypeError, "shift_start and shift_end must be datetimes"),
])
def test_errors(kwargs, exc, message):
    args = {"budget_hours": 1, "shift_start": START, "shift_end": START + timedelta(hours=8), **kwargs}
    with pytest.raises(exc, match=message):
        plan_patrols(cells(), **args)


def test_no_harm_and_missing_columns():
    with pytest.raises(InvalidInput, match="no cell has any harm"):
        plan_patrols(cells().assign(harm=0.0), budget_hours=1, shift_start=START, shift_end=START + timedelta(hours=8))
    with pytest.raises(InvalidInput, match="cells lacks the columns \\['harm'\\]"):
        plan_patrols(cells().drop(columns="harm"), budget_hours=1, shift_start=START,
                     shift_end=START + timedelta(hours=8))


def test_long_visits_warn_at_caller():
    with pytest.warns(UserWarning, match="visit_minutes is 30; visits of 10 to 15 minutes") as rec:
        plan_patrols(cells(), budget_hours=1, shift_start=START, shift_end=START + timedelta(hours=8), visit_minutes=30)
    assert rec[0].filename == __file__


def test_parse_shift():
    assert parse_shift("22:00-06:00", on=date(2026, 11, 21)) == (datetime(2026, 11, 21, 22), datetime(2026, 11, 22, 6))
    assert parse_shift("08:00-16:00", on=date(2026, 11, 21)) == (datetime(2026, 11, 21, 8), datetime(2026, 11, 21, 16))
    for bad in ("evening", "25:00-02:00", "18:00"):
        with pytest.raises(InvalidInput, match="write it as START-END in 24-hour time"):
            parse_shift(bad)


def test_os_grid_ref():
    assert os_grid_ref(475_512, 260_577) == "SP 7551 6057"  # Northampton
    assert os_grid_ref(216_675, 771_283) == "NN 1667 7128"  # Ben Nevis
    assert os_grid_ref(216_675, 771_283, digits=10) == "NN 16675 71283"
    assert os_grid_ref(-5, 10) == "-5 10"
