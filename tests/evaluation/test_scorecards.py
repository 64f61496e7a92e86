"""Scorecards from a results review dict (the shape ``build_review`` returns)."""

from __future__ import annotations

import pytest

from clearhold.evaluation.scorecards import scorecards, tactics_from_review


def _fig(fid, value, record_ids=None, breakdowns=None):
    return {"id": fid, "value": value, "record_ids": record_ids or list(range(int(value))),
            "breakdowns": breakdowns or {}}


REVIEW = {
    "figures": [
        _fig("anpr_stops", 95),
        _fig("arrests_from_anpr_stops", 21),
        _fig("test_purchases", 12),
        _fig("test_purchase_failures", 3),
        _fig("warrants", 4, breakdowns={"result": [{"key": "executed_items_found", "value": 2},
                                             {"key": "executed_nothing_found", "value": 1},
                                             {"key": "not_executed", "value": 1}]}),
        _fig("weapons_sweeps", 1),
        _fig("patrol_minutes", 900, record_ids=list(range(60))),
        _fig("referrals", 0),
    ]
}


def test_tactics_from_review_reference_operation_a():
    rows = {r["tactic"]: r for r in tactics_from_review(REVIEW)}
    assert rows["ANPR-initiated stops"] == {"tactic": "ANPR-initiated stops", "volume": 95, "volume_unit": "stops",
                                            "outcomes": 21, "outcome_label": "arrests"}
    assert rows["Test purchases"]["outcomes"] == 3
    # only items found (or a closure granted) count
    assert rows["Warrants"]["outcomes"] == 2
    assert rows["Hotspot patrols"] == {"tactic": "Hotspot patrols", "volume": 60, "volume_unit": "patrols",
                                       "officer_hours": 15.0}
    assert "Diversion referrals" not in rows and rows["Weapons sweeps"]["volume"] == 1


def test_scorecards_attach_effects_by_tactic_and_cost_hours():
    effect = {"method": "Difference-in-differences", "estimate": -0.1, "ci_low": -0.3, "ci_high": 0.15, "p": 0.4,
              "maryland_level": 3}
    card = scorecards(REVIEW, officer_hour_gbp=40.0, effects={"Hotspot patrols": effect})
    by = {t.tactic: t for t in card.tactics}
    assert by["ANPR-initiated stops"].yield_rate == pytest.approx(21 / 95)
    assert by["Hotspot patrols"].cost_gbp == pytest.approx(600.0)
    assert by["Hotspot patrols"].effect_supported == "no detectable effect"
    assert by["ANPR-initiated stops"].effect_supported == "not measured"


@pytest.mark.slow
def test_scorecard_command_on_reference_operation_a(sqlite_engine, shared_data):
    import json

    from typer.testing import CliRunner

    from clearhold.demo.flows import DEMO_SLUGS, build_demo
    from clearhold.interfaces.cli.main import app
    from clearhold.reports.review import build_review
    from clearhold.storage.database import session_scope

    build_demo(sqlite_engine, data_dir=shared_data)
    slug = DEMO_SLUGS[0]  # reference operation A
    result = CliRunner().invoke(app, ["evaluate", "scorecard", slug, "--officer-hour-gbp", "40",
                                      "--json", "--database", str(sqlite_engine.url)])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    with session_scope(sqlite_engine) as s:
        review = build_review(s, operation_slug=slug)
    assert got == json.loads(json.dumps(scorecards(review, officer_hour_gbp=40.0).to_dict()))
    anpr = next(t for t in got["tactics"] if t["tactic"] == "ANPR-initiated stops")
    assert (anpr["volume"], anpr["outcomes"]) == (95, 21)  # the published figures of operation A
    assert anpr["business_as_usual"].startswith("95 stops led to 21 arrests (22%; 95% interval 15% to 31%).")
    assert {t["tactic"] for t in got["tactics"]} >= {"ANPR-initiated stops", "Test purchases", "Weapons sweeps"}


def test_current_review_figure_keys_are_understood():
    review = {"figures": [
        {"key": "anpr_vehicle_stops", "value": 95, "record_ids": list(range(95)), "breakdowns": {}},
        {"key": "anpr_stop_arrests", "value": 21, "record_ids": list(range(21)), "breakdowns": {}},
        {"key": "test_purchases", "value": 10, "record_ids": list(range(10)), "breakdowns": {}},
        {"key": "test_purchase_fails", "value": 2, "record_ids": [1, 2], "breakdowns": {}},
        {"key": "patrol_hours", "value": 12.5, "record_ids": list(range(30)), "breakdowns": {}},
    ]}
    rows = {r["tactic"]: r for r in tactics_from_review(review)}
    assert (rows["ANPR-initiated stops"]["volume"], rows["ANPR-initiated stops"]["outcomes"]) == (95, 21)
    assert rows["Test purchases"]["outcomes"] == 2
    assert rows["Hotspot patrols"] == {"tactic": "Hotspot patrols", "volume": 30, "volume_unit": "patrols",
                                       "officer_hours": 12.5}
