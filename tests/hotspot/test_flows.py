"""Hotspot flows without the command line: planned patrols recorded on both back ends,
hotspots from a points frame, forecast checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from clearhold.analytics.patrol import plan_patrols
from clearhold.errors import InvalidInput
from clearhold.hotspot import flows, service

START = datetime(2023, 8, 4, 17, 0, tzinfo=UTC)


def small_plan(tz=UTC):
    cells = pd.DataFrame({"cell_id": ["100m-E4750-N2602", "100m-E4751-N2602"], "x_m": [475_050.0, 475_150.0],
                          "y_m": [260_250.0, 260_250.0], "harm": [5.0, 2.0]})
    start = START.replace(tzinfo=tz)
    return plan_patrols(cells, budget_hours=0.75, shift_start=start, shift_end=start + timedelta(hours=4),
                        cell_size_m=100)


def test_record_planned_patrols_on_both_back_ends(any_engine):
    from clearhold.record import service as record_service
    from clearhold.storage.database import session_scope
    from tests.support.ledger import make_operation

    make_operation(any_engine)
    plan = small_plan()
    with session_scope(any_engine) as s:
        ids = flows.record_planned_patrols(s, plan=plan, operation="op-test", entered_by="sgt1", tactic="Patrols")
    with session_scope(any_engine) as s:
        states = [record_service.to_state(s, record_service.get(s, record_id=i)) for i in ids]
    assert len(states) == 3
    assert [st["hotspot_ref"] for st in states] == ["100m-E4750-N2602", "100m-E4751-N2602", "100m-E4750-N2602"]
    assert all(st["planned"] is True and st["kind"] == "patrol" and st["tactic"] == "Patrols" for st in states)
    assert [datetime.fromisoformat(st["occurred_at"]) for st in states] == [v.start for v in plan.visits]
    assert [datetime.fromisoformat(st["ended_at"]) for st in states] == [v.end for v in plan.visits]
    assert states[0]["ref"] == "plan-202308041732-100m-E4750-N2602-1"


def test_record_refuses_naive_times(sqlite_engine):
    from clearhold.storage.database import session_scope

    plan = small_plan(tz=None)
    with session_scope(sqlite_engine) as s, pytest.raises(InvalidInput, match="the plan's times have no time zone"):
        flows.record_planned_patrols(s, plan=plan, operation="op-test", entered_by="sgt1")


def test_from_points_filters_and_states_parameters():
    rng = np.random.default_rng(1)
    n = 400
    pts = pd.DataFrame({"month": np.where(np.arange(n) % 2, "2022-01", "2022-02"),
                        "crime_type": np.where(np.arange(n) % 3, "Burglary", "Drugs"),
                        "x_m": rng.uniform(0, 3000, n), "y_m": rng.uniform(0, 3000, n), "harm": rng.uniform(1, 9, n)})
    before = pts.copy()
    run = service.from_points(pts, method="kde", start_month="2022-02", end_month="2022-02", crime_types=["burglary"],
                              weights="ons-css", cell_size_m=250, bandwidth_m=500)
    sel = pts[(pts.month == "2022-02") & (pts.crime_type == "Burglary")]
    assert run.cells["count"].sum() == len(sel)
    assert run.cells["harm"].sum() == pytest.approx(sel.harm.sum())
    meta = run.meta()
    assert meta["crime_types"] == ["Burglary"] and meta["weights"] == "ons-css"
    assert meta["statistic_on"] == "harm (ons-css)" and meta["period"] == {"from": "2022-02", "to": "2022-02"}
    pd.testing.assert_frame_equal(pts, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"start_month": "2022-1"}, "start_month was '2022-1'; it must be a month written YYYY-MM"),
    ({"start_month": "2022-03", "end_month": "2022-01"}, "start_month 2022-03 is after end_month 2022-01"),
    ({"crime_types": ["Jaywalking"]}, "crime type 'Jaywalking' is unknown"),
    ({"start_month": "2030-01"}, "the selection has no crimes"),
])
def test_from_points_errors(kwargs, message):
    pts = pd.DataFrame({"month": ["2022-01"], "crime_type": ["Drugs"], "x_m": [0.0], "y_m": [0.0], "harm": [1.0]})
    with pytest.raises(InvalidInput, match=message):
        service.from_points(pts, **kwargs)


def test_from_points_missing_columns():
    with pytest.raises(InvalidInput, match="points lacks the columns \\['x_m', 'y_m'\\]"):
        service.from_points(pd.DataFrame({"month": ["2022-01"]}))
