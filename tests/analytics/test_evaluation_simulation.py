"""Honesty, small and seeded: bias, coverage and false positives on simulated panels.

The large version (500+ trials per estimator and effect) is benchmarks/evaluation_simulation.py;
its figures are in docs/benchmarks.md (evaluation section). Bounds here are loose enough for 60 trials
(binomial sd of a 5% rate is about 2.8 points) but tight enough to catch a broken interval.
"""

from __future__ import annotations

import math

import pytest

from clearhold.analytics.evaluation.simulate import simulation_study
from clearhold.errors import InvalidInput

TRIALS = 60

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("estimator", ["did", "its", "synthetic_control", "wdd"])
@pytest.mark.parametrize("effect", [0.0, -0.1, -0.25])
def test_estimators_are_close_to_unbiased_and_cover(estimator, effect):
    r = simulation_study(estimator, effect=effect, n_trials=TRIALS, seed=20261121, n_draws=199)
    assert r["coverage"] >= 0.85, r
    if effect == 0.0:
        assert r["rejection_rate"] <= 0.10, r
    # bias within three Monte Carlo standard errors of zero
    if estimator == "wdd":
        assert abs(r["bias"]) <= 3 * r["bias_se"], r  # in crimes; period totals are about 90
    else:
        assert abs(r["bias_log"]) <= 3 * r["bias_log_se"], r


def test_did_has_power_against_a_quarter_fall():
    r = simulation_study("did", effect=-0.25, n_trials=TRIALS, seed=7, n_draws=199)
    assert r["rejection_rate"] >= 0.2, r


def test_published_poisson_wdd_is_anti_conservative_under_over_dispersion():
    # the reason evaluate_panel passes a dispersion factor to wdd: with NB counts the plain
    # Poisson variance rejects a true null far more often than 5%
    r = simulation_study("wdd_poisson", effect=0.0, n_trials=TRIALS, seed=20261121)
    assert r["rejection_rate"] >= 0.15, r


def test_simulation_study_rejects_unknown_estimator():
    with pytest.raises(InvalidInput, match="estimator was 'ols'"):
        simulation_study("ols", effect=0.0, n_trials=1)
    assert math.isnan(simulation_study("did", effect=0.0, n_trials=2, seed=1)["relative_bias"])
