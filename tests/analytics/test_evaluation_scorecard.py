"""Tactic scorecards: Wilson intervals, costs, and a 'business as usual?' text that never overclaims."""

from __future__ import annotations

import copy
import re

import pytest

from clearhold.analytics.evaluation import MeasuredEffect, scorecard, wilson_interval
from clearhold.errors import InvalidInput

ANPR = {
    "tactic": "ANPR-initiated stops", "volume": 95, "volume_unit": "stops",
    "outcomes": 21, "outcome_label": "arrests", "officer_hours": 190.0,
}
# words that claim an effect on crime
CLAIMS = re.compile(r"\b(reduc\w*|fall|fell|cut|decrease\w*|worked|effective)\b", re.IGNORECASE)


def test_wilson_interval_reference_values():
    # 21 of 95 at 95%: centre (p + z^2/2n) / (1 + z^2/n), values checked against statsmodels' proportion_confint
    lo, hi = wilson_interval(21, 95)
    from statsmodels.stats.proportion import proportion_confint

    ref = proportion_confint(21, 95, alpha=0.05, method="wilson")
    assert (lo, hi) == pytest.approx(ref, abs=1e-12)
    assert (round(lo, 4), round(hi, 4)) == (0.1494, 0.3144)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
    with pytest.raises(InvalidInput, match="successes was 11"):
        wilson_interval(11, 10)
    with pytest.raises(InvalidInput, match="trials was 0"):
        wilson_interval(0, 0)


def test_anpr_scorecard_yield_and_cost_per_arrest():
    tactics = [ANPR]
    before = copy.deepcopy(tactics)
    card = scorecard(tactics, officer_hour_gbp=40.0)
    assert tactics == before
    t = card.tactics[0]
    assert t.yield_rate == pytest.approx(21 / 95)
    assert t.cost_gbp == pytest.approx(7600.0) and t.cost_per_outcome_gbp == pytest.approx(7600 / 21)
    assert t.hours_per_outcome == pytest.approx(190 / 21)
    assert t.effect_supported == "not measured" and t.evidence_strength == "activity only"
    assert t.business_as_usual.startswith("95 stops led to 21 arrests (22%; 95% interval 15% to 31%).")
    assert "£362" in t.business_as_usual
    assert not CLAIMS.search(t.business_as_usual)
    assert card.to_dict()["tactics"][0]["tactic"] == "ANPR-initiated stops"


def test_non_significant_effect_is_never_described_as_a_reduction():
    effect = {"method": "Difference-in-differences", "estimate": -0.18, "ci_low": -0.40, "ci_high": 0.08,
              "p": 0.16, "maryland_level": 3, "mde_fall": 0.3}
    card = scorecard([{"tactic": "Hotspot patrols", "volume": 120, "volume_unit": "patrols", "effect": effect}])
    t = card.tactics[0]
    assert t.effect_supported == "no detectable effect" and t.evidence_strength == "inconclusive"
    assert not CLAIMS.search(t.business_as_usual), t.business_as_usual
    assert "cannot tell an effect from chance" in t.business_as_usual
    assert "-18%" in t.business_as_usual and "30% or more" in t.business_as_usual
    assert "candidate for business as usual" not in t.business_as_usual


def test_significant_p_but_interval_including_zero_is_not_a_reduction():
    eff = MeasuredEffect("WDD", -0.2, -0.45, 0.01, 0.04, 3)
    t = scorecard([{"tactic": "x", "volume": 1, "effect": eff}]).tactics[0]
    assert t.effect_supported == "no detectable effect" and not CLAIMS.search(t.business_as_usual)


def test_significant_reduction_with_comparison_is_reported_with_its_strength():
    eff = {"method": "Difference-in-differences", "estimate": -0.25, "ci_low": -0.4, "ci_high": -0.08,
           "p": 0.004, "maryland_level": 3}
    t = scorecard([{"tactic": "Hotspot patrols", "volume": 120, "effect": eff}]).tactics[0]
    assert t.effect_supported == "reduction" and t.evidence_strength == "moderate"
    assert "measured a fall of 25% in crime" in t.business_as_usual
    assert "candidate for business as usual" in t.business_as_usual
    its = dict(eff, method="Interrupted time series", maryland_level=2)
    weak = scorecard([{"tactic": "Hotspot patrols", "volume": 120, "effect": its}]).tactics[0]
    assert weak.evidence_strength == "weak" and "candidate for business as usual" not in weak.business_as_usual


def test_significant_increase_is_reported_as_a_rise():
    eff = {"method": "DiD", "estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5, "p": 0.01, "maryland_level": 3}
    t = scorecard([{"tactic": "Weapons sweeps", "volume": 4, "effect": eff}]).tactics[0]
    assert t.effect_supported == "increase" and "rise of 30%" in t.business_as_usual


def test_missing_outcomes_and_hours_are_said_plainly():
    t = scorecard([{"tactic": "Test purchases", "volume": 12}]).tactics[0]
    assert t.yield_rate is None and t.cost_gbp is None
    assert "no outcomes were linked" in t.business_as_usual and "cannot be costed" in t.business_as_usual


@pytest.mark.parametrize(
    "tactics, kwargs, error, match",
    [
        ("abc", {}, TypeError, "tactics was 'abc'"),
        ([1], {}, TypeError, r"tactics\[0\] was 1"),
        ([{"volume": 3}], {}, InvalidInput, r"tactics\[0\].tactic was None"),
        ([{"tactic": "x"}], {}, InvalidInput, r"tactics\[0\].volume is required"),
        ([{"tactic": "x", "volume": -1}], {}, InvalidInput, r"tactics\[0\].volume was -1"),
        ([{"tactic": "x", "volume": 2.5}], {}, InvalidInput, "whole number"),
        ([{"tactic": "x", "volume": "9"}], {}, TypeError, r"tactics\[0\].volume was '9'"),
        ([{"tactic": "x", "volume": 5, "outcomes": 6}], {}, InvalidInput, "cannot exceed volume"),
        ([{"tactic": "x", "volume": 5, "effect": {"estimate": 1}}], {}, InvalidInput, "lacks 'method'"),
        ([{"tactic": "x", "volume": 5, "effect": 3}], {}, TypeError, "effect was 3"),
        ([ANPR], {"officer_hour_gbp": -5}, InvalidInput, "officer_hour_gbp was -5"),
        ([ANPR], {"alpha": 0}, InvalidInput, "alpha was 0"),
    ],
)
def test_scorecard_rejects_bad_input(tactics, kwargs, error, match):
    with pytest.raises(error, match=match):
        scorecard(tactics, **kwargs)
