"""Evaluation estimators: hand-checked small cases, oracles, error branches, inputs unchanged."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearhold.analytics.evaluation import (
    did,
    interrupted_time_series,
    maryland_level,
    minimum_detectable_effect,
    parallel_trends,
    regression_to_mean,
    simulate_panel,
    synthetic_control,
    wdd,
    wdq,
)
from clearhold.errors import InvalidInput

TOL = 1e-9
Z975 = 1.959963984540054


# ----------------------------------------------------------------------------- WDD
def test_wdd_hand_checked_treated_and_control():
    r = wdd((60, 40), (50, 50))
    # (40 - 60) - (50 - 50) = -20; variance 60 + 40 + 50 + 50 = 200
    assert r.estimate == -20.0
    assert r.se == pytest.approx(math.sqrt(200), abs=TOL)
    assert r.z == pytest.approx(-20 / math.sqrt(200), abs=TOL)
    assert r.ci_low == pytest.approx(-20 - Z975 * math.sqrt(200), abs=1e-9)
    assert r.ci_high == pytest.approx(-20 + Z975 * math.sqrt(200), abs=1e-9)
    assert r.p == pytest.approx(0.15729920705028513, abs=1e-12)
    assert r.buffer_change is None and r.displacement_estimate is None


def test_wdd_with_buffer_and_its_own_control():
    r = wdd((60, 40), (50, 50), buffer=(30, 35), buffer_control=(40, 38))
    # local -20, displacement (35 - 30) - (38 - 40) = 7, total -13
    assert (r.local_estimate, r.displacement_estimate, r.estimate) == (-20.0, 7.0, -13.0)
    assert r.se == pytest.approx(math.sqrt(200 + 30 + 35 + 40 + 38), abs=TOL)
    assert r.displacement_se == pytest.approx(math.sqrt(143), abs=TOL)


def test_wdd_buffer_reusing_control_counts_control_variance_four_times():
    r = wdd((60, 40), (50, 50), buffer=(30, 35))
    # -20 + 5 - 2 * 0 = -15; variance 100 + 65 + 4 * 100
    assert r.estimate == -15.0
    assert r.se == pytest.approx(math.sqrt(565), abs=TOL)


def test_wdd_harm_weights_variance_is_sum_of_squared_weights_times_counts():
    r = wdd(([10, 2], [6, 1]), ([8, 1], [8, 1]), weights=[1, 10])
    assert r.estimate == -14.0
    assert r.se == pytest.approx(math.sqrt(16 + 300 + 16 + 200), abs=TOL)
    assert r.weighted is True


def test_wdd_dispersion_widens_the_variance():
    r = wdd((60, 40), (50, 50), dispersion=2.0)
    assert r.se == pytest.approx(20.0, abs=TOL)


def test_wdd_no_change_and_zero_counts():
    r = wdd((0, 0), (0, 0))
    assert (r.estimate, r.se, r.z, r.p) == (0.0, 0.0, 0.0, 1.0)


def test_wdd_leaves_inputs_unchanged():
    treated = [np.array([10.0, 2.0]), np.array([6.0, 1.0])]
    control = [[8, 1], [8, 1]]
    w = np.array([1.0, 10.0])
    wdd(treated, control, weights=w)
    assert treated[0].tolist() == [10.0, 2.0] and control == [[8, 1], [8, 1]] and w.tolist() == [1.0, 10.0]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"treated": (1, 2, 3), "control": (1, 1)}, InvalidInput, "treated was"),
        ({"treated": "ab", "control": (1, 1)}, TypeError, "treated was"),
        ({"treated": (1, -2), "control": (1, 1)}, InvalidInput, r"treated\[1\] \(after\)"),
        ({"treated": (1, float("nan")), "control": (1, 1)}, InvalidInput, "finite"),
        ({"treated": (1, 2), "control": (1, 1), "alpha": 1.5}, InvalidInput, "alpha was 1.5"),
        ({"treated": (1, 2), "control": (1, 1), "alpha": "x"}, TypeError, "alpha was"),
        ({"treated": (1, 2), "control": (1, 1), "dispersion": 0}, InvalidInput, "dispersion was 0"),
        ({"treated": (1, 2), "control": (1, 1), "dispersion": "2"}, TypeError, "dispersion was"),
        ({"treated": (1, 2), "control": (1, 1), "buffer_control": (1, 1)}, InvalidInput, "buffer_control"),
        ({"treated": ([1, 2], [1]), "control": (1, 1)}, InvalidInput, "treated was"),
        ({"treated": ([1, 2], [1, 2]), "control": (1, 1)}, InvalidInput, "control has 1 crime types"),
        ({"treated": ([1, 2], [1, 2]), "control": ([1, 2], [1, 2]), "weights": [1]}, InvalidInput, "weights was"),
        ({"treated": (1, 2), "control": (1, 1), "buffer": ([1, 2], [1, 2])}, InvalidInput, "buffer has 2"),
        ({"treated": (1, 2), "control": (1, 1), "buffer": (1, 1), "buffer_control": ([1, 1], [1, 1])},
         InvalidInput, "buffer_control has 2"),
    ],
)
def test_wdd_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        wdd(**kwargs)


# ----------------------------------------------------------------------------- WDQ
@pytest.mark.parametrize(
    "buffer, quotient, tne, reading",
    [
        ((80, 70), 0.25, 50.0, "diffusion of benefits"),
        ((80, 80), 0.0, 40.0, "no displacement or diffusion"),
        ((80, 90), -0.25, 30.0, "displacement smaller than benefit"),
        ((80, 130), -1.25, -10.0, "displacement outweighing benefit"),
    ],
)
def test_wdq_hand_checked_readings(buffer, quotient, tne, reading):
    r = wdq((100, 60), (200, 200), buffer)
    assert r.success_measure == pytest.approx(-0.2, abs=TOL)
    assert r.wdq == pytest.approx(quotient, abs=TOL)
    assert r.total_net_effect == pytest.approx(tne, abs=TOL)
    assert r.treated_net_effect == pytest.approx(40.0, abs=TOL)
    assert r.reading == reading


def test_wdq_control_change_scales_the_expected_counts():
    r = wdq((50, 60), (100, 200), (40, 60))
    # success 60/200 - 50/100 = -0.2; buffer 60/200 - 40/100 = -0.1
    assert r.success_measure == pytest.approx(-0.2, abs=TOL)
    assert r.buffer_measure == pytest.approx(-0.1, abs=TOL)
    assert r.wdq == pytest.approx(0.5, abs=TOL)
    assert r.total_net_effect == pytest.approx((100 - 60) + (80 - 60), abs=TOL)


def test_wdq_no_success_when_treated_does_not_fall_relative_to_control():
    r = wdq((60, 100), (200, 200), (80, 70))
    assert r.reading == "no success"
    assert r.success_measure == pytest.approx(0.2, abs=TOL)
    flat = wdq((60, 60), (200, 200), (80, 70))
    assert flat.wdq is None and flat.reading == "no success"


def test_wdq_weighted_and_errors():
    r = wdq(([10, 1], [5, 1]), ([20, 2], [20, 2]), ([4, 1], [4, 0]), weights=[1, 10])
    # weighted R: 20 -> 15, C: 40 -> 40, D: 14 -> 4
    assert r.success_measure == pytest.approx(15 / 40 - 20 / 40, abs=TOL)
    assert r.buffer_measure == pytest.approx(4 / 40 - 14 / 40, abs=TOL)
    with pytest.raises(InvalidInput, match="control was"):
        wdq((1, 1), (0, 5), (1, 1))
    with pytest.raises(InvalidInput, match="buffer has 2"):
        wdq((1, 1), (5, 5), ([1, 1], [1, 1]))
    with pytest.raises(TypeError, match="buffer was None"):
        wdq((1, 1), (5, 5), None)


# ----------------------------------------------------------------------------- DiD
def _small_panel():
    rows = []
    counts = {
        "t": [10, 12, 11, 6, 5],
        "c1": [20, 22, 21, 20, 19],
        "c2": [5, 6, 4, 6, 5],
        "c3": [14, 13, 15, 15, 12],
        "c4": [8, 9, 7, 9, 10],
    }
    months = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05"]
    for area, ys in counts.items():
        rows += [(area, m, y) for m, y in zip(months, ys, strict=True)]
    return pd.DataFrame(rows, columns=["area", "month", "count"]), months


def test_did_two_by_two_is_the_ratio_of_ratios():
    frame = pd.DataFrame(
        [("t", "2022-01", 10), ("t", "2022-02", 5), ("c", "2022-01", 20), ("c", "2022-02", 20),
         ("d", "2022-01", 12), ("d", "2022-02", 12)],
        columns=["area", "month", "count"],
    )
    r = did(frame, ["t"], pre=["2022-01"], post=["2022-02"], family="poisson", inference="cluster")
    assert r.estimate == pytest.approx(-0.5, abs=1e-8)
    assert r.observed_post == 5.0 and r.expected_post == pytest.approx(10.0, abs=1e-6)


def test_did_matches_statsmodels_glm_with_dummies():
    sm = pytest.importorskip("statsmodels.api")
    frame, months = _small_panel()
    r = did(frame, ["t"], pre=months[:3], post=months[3:], family="poisson", inference="cluster")
    df = frame.copy()
    df["D"] = ((df.area == "t") & df.month.isin(months[3:])).astype(float)
    x = pd.get_dummies(df[["area", "month"]], drop_first=True).astype(float)
    x["D"] = df["D"]
    x = sm.add_constant(x)
    ref = sm.GLM(df["count"].astype(float), x, family=sm.families.Poisson()).fit(tol=1e-12)
    assert r.beta == pytest.approx(ref.params["D"], abs=1e-8)
    assert r.se_model == pytest.approx(ref.bse["D"], abs=1e-8)
    refc = sm.GLM(df["count"].astype(float), x, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df.area)[0]}, tol=1e-12
    )
    n, k = len(df), x.shape[1]
    # statsmodels also multiplies by (n - 1) / (n - k); ours is CR1 (G / (G - 1)) only
    assert r.se_cluster * math.sqrt((n - 1) / (n - k)) == pytest.approx(refc.bse["D"], rel=1e-6)


def test_did_negative_binomial_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    sim = simulate_panel(n_areas=12, n_treated=2, n_pre=8, n_post=3, effect=-0.3, nb_alpha=0.3, seed=4)
    r = did(sim.frame, sim.treated, pre=sim.pre, post=sim.post, family="negbin", inference="cluster")
    assert r.family == "negative binomial" and r.nb_alpha > 0
    df = sim.frame.copy()
    df["D"] = (df.area.isin(sim.treated) & df.month.isin(sim.post)).astype(float)
    x = sm.add_constant(pd.concat([pd.get_dummies(df[["area", "month"]], drop_first=True).astype(float), df["D"]], axis=1))
    ref = sm.GLM(df["count"].astype(float), x, family=sm.families.NegativeBinomial(alpha=r.nb_alpha)).fit(tol=1e-12)
    assert r.beta == pytest.approx(ref.params["D"], abs=1e-7)
    assert r.se_model == pytest.approx(ref.bse["D"], abs=1e-7)


def test_did_randomisation_inference_enumerates_small_control_sets_and_is_seeded():
    frame, months = _small_panel()
    r = did(frame, ["t"], pre=months[:3], post=months[3:], family="poisson")
    assert r.exact is True and r.n_draws == 4  # four single-area placebo sets
    assert r.p == pytest.approx(0.4, abs=TOL)  # the smallest equal-tailed p with 4 placebos
    assert (r.ci_low, r.ci_high) == (-1.0, math.inf)  # too few placebos for the test ever to reject
    sim = simulate_panel(n_areas=30, n_treated=2, effect=-0.25, seed=3)
    a = did(sim.frame, sim.treated, pre=sim.pre, post=sim.post, n_draws=199, seed=7)
    b = did(sim.frame, sim.treated, pre=sim.pre, post=sim.post, n_draws=199, seed=7)
    assert a == b and a.exact is False and a.n_draws == 199
    assert a.ci_low < a.estimate < a.ci_high


def test_did_leaves_the_panel_unchanged_and_drops_empty_controls():
    frame, months = _small_panel()
    frame = pd.concat([frame, pd.DataFrame({"area": ["z"] * 5, "month": months, "count": [0] * 5})])
    before = frame.copy()
    r = did(frame, ["t"], pre=months[:3], post=months[3:], family="poisson", inference="cluster")
    pd.testing.assert_frame_equal(frame, before)
    assert r.dropped_areas == ("z",)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"treated": "t"}, TypeError, "treated was 't'"),
        ({"treated": []}, InvalidInput, "treated was empty"),
        ({"treated": ["nope"]}, InvalidInput, "treated was"),
        ({"treated": ["t"], "control": ["t", "c1"]}, InvalidInput, "also treated"),
        ({"treated": ["t"], "control": "c1"}, TypeError, "control was"),
        ({"treated": ["t"], "control": []}, InvalidInput, "control was empty"),
        ({"treated": ["t"], "family": "gauss"}, InvalidInput, "family was 'gauss'"),
        ({"treated": ["t"], "inference": "magic"}, InvalidInput, "inference was 'magic'"),
        ({"treated": ["t"], "n_draws": 5}, InvalidInput, "n_draws was 5"),
        ({"treated": ["t"], "pre": "2022-01", "post": "2022-04..2022-05"}, InvalidInput, "pre was"),
        ({"treated": ["t"], "pre": "2022-01..2022-04"}, InvalidInput, "overlap"),
        ({"treated": ["t"], "control": ["c1"]}, InvalidInput, "randomisation inference needs"),
    ],
)
def test_did_rejects_bad_input(kwargs, error, match):
    frame, months = _small_panel()
    args = {"pre": "2022-01..2022-03", "post": "2022-04..2022-05"} | kwargs
    treated = args.pop("treated")
    with pytest.raises(error, match=match):
        did(frame, treated, **args)


def test_did_rejects_bad_panels():
    frame, months = _small_panel()
    with pytest.raises(TypeError, match="panel was list"):
        did([1, 2], ["t"], pre=months[:3], post=months[3:])
    with pytest.raises(InvalidInput, match="no column 'count'"):
        did(frame.rename(columns={"count": "n"}), ["t"], pre=months[:3], post=months[3:])
    bad = frame.copy()
    bad.loc[0, "count"] = -1
    with pytest.raises(InvalidInput, match="non-negative"):
        did(bad, ["t"], pre=months[:3], post=months[3:])
    zero = frame.copy()
    zero.loc[zero.area == "t", "count"] = 0
    with pytest.raises(InvalidInput, match="treated area has no crimes"):
        did(zero, ["t"], pre=months[:3], post=months[3:])


# ----------------------------------------------------------------------------- synthetic control
def _exact_synth_frame(post_factor=0.8):
    months = [p.strftime("%Y-%m") for p in pd.period_range("2021-01", periods=12, freq="M")]
    t = np.arange(12)
    d1 = 10 + 3 * np.sin(t)
    d2 = 10 + 3 * np.cos(t)
    d3 = 10 + 0.5 * t
    target = 0.5 * d1 / d1[:9].mean() + 0.5 * d2 / d2[:9].mean()
    target = target * 20
    target[9:] *= post_factor
    rows = []
    for name, ys in (("t", target), ("d1", d1), ("d2", d2), ("d3", d3)):
        rows += [(name, m, y) for m, y in zip(months, ys, strict=True)]
    return pd.DataFrame(rows, columns=["area", "month", "count"]), months


def test_synthetic_control_recovers_known_weights_and_effect():
    frame, months = _exact_synth_frame(0.8)
    r = synthetic_control(frame, "t", pre=months[:9], post=months[9:])
    assert r.weights == pytest.approx({"d1": 0.5, "d2": 0.5}, abs=1e-6)
    assert r.estimate == pytest.approx(-0.2, abs=1e-6)
    assert r.rmspe_pre == pytest.approx(0.0, abs=1e-6)
    assert r.rank == 1 and r.p == pytest.approx(0.25, abs=TOL)  # 3 placebos
    assert len(r.observed) == 12 and r.synthetic[0] == pytest.approx(r.observed[0], rel=1e-6)


def test_synthetic_control_placebo_p_and_interval_on_noisy_panel():
    sim = simulate_panel(n_areas=30, n_treated=1, effect=-0.3, seed=11, mean_count=30)
    r = synthetic_control(sim.frame, sim.treated[0], pre=sim.pre, post=sim.post)
    assert r.n_placebos == 29 and 0 < r.p <= 1
    assert sum(r.weights.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(w >= 0 for w in r.weights.values())
    assert r.ci_low <= r.estimate <= r.ci_high
    capped = synthetic_control(sim.frame, sim.treated[0], pre=sim.pre, post=sim.post, max_placebos=10, seed=1)
    assert capped.n_placebos == 10


def test_synthetic_control_errors():
    frame, months = _exact_synth_frame()
    with pytest.raises(TypeError, match="treated was"):
        synthetic_control(frame, ["t"], pre=months[:9], post=months[9:])
    with pytest.raises(InvalidInput, match="at least 3 pre-period"):
        synthetic_control(frame, "t", pre=months[:2], post=months[9:])
    with pytest.raises(InvalidInput, match="must not contain"):
        synthetic_control(frame, "t", pre=months[:9], post=months[9:], donors=["t", "d1"])
    with pytest.raises(InvalidInput, match="at least 2 donor"):
        synthetic_control(frame, "t", pre=months[:9], post=months[9:], donors=["d1"])
    with pytest.raises(InvalidInput, match="overlap"):
        synthetic_control(frame, "t", pre=months[:9], post=months[8:])


# ----------------------------------------------------------------------------- ITS
def test_its_recovers_a_planted_level_change_exactly_on_noiseless_counts():
    months = [p.strftime("%Y-%m") for p in pd.period_range("2020-01", periods=30, freq="M")]
    moy = np.array([int(m[5:]) for m in months])
    t = (np.arange(30) - 23) / 12
    mu = np.exp(np.log(50) - 0.05 * t + 0.2 * np.cos(2 * np.pi * moy / 12))
    mu[24:] *= 0.75
    r = interrupted_time_series(pd.Series(mu, index=months), pre=months[:24], post=months[24:], family="poisson")
    assert r.estimate == pytest.approx(-0.25, abs=1e-6)
    assert r.level_change == pytest.approx(-0.25, abs=1e-6)
    assert r.slope_change_per_year == pytest.approx(0.0, abs=1e-5)
    assert r.expected_post == pytest.approx(sum(mu[24:]) / 0.75, rel=1e-6)


def test_its_on_noisy_series_and_errors():
    sim = simulate_panel(n_areas=3, n_treated=1, effect=-0.3, seed=2, mean_count=60)
    series = sim.frame[sim.frame.area == sim.treated[0]][["month", "count"]]
    before = series.copy()
    r = interrupted_time_series(series, pre=sim.pre, post=sim.post)
    pd.testing.assert_frame_equal(series, before)
    assert r.ci_low < r.estimate < r.ci_high and r.slope_change_per_year is None
    d = interrupted_time_series(series, pre=sim.pre, post=sim.post, seasonality="dummies")
    assert d.seasonality == "dummies"
    with pytest.raises(InvalidInput, match="seasonality was 'weekly'"):
        interrupted_time_series(series, pre=sim.pre, post=sim.post, seasonality="weekly")
    with pytest.raises(InvalidInput, match="pre has 5 months"):
        interrupted_time_series(series, pre=sim.pre[-5:], post=sim.post)
    with pytest.raises(InvalidInput, match="consecutive"):
        interrupted_time_series(series, pre=sim.pre[:-2], post=sim.post)
    with pytest.raises(TypeError, match="series was list"):
        interrupted_time_series([1, 2], pre=sim.pre, post=sim.post)
    with pytest.raises(InvalidInput, match="family was"):
        interrupted_time_series(series, pre=sim.pre, post=sim.post, family="x")


# ----------------------------------------------------------------------------- checks
def test_parallel_trends_detects_a_diverging_treated_trend():
    sim = simulate_panel(n_areas=40, n_treated=4, seed=5, mean_count=40)
    frame = sim.frame.copy()
    month_index = {m: i for i, m in enumerate(sim.pre + sim.post)}
    treated = frame.area.isin(sim.treated)
    frame.loc[treated, "count"] = np.round(
        frame.loc[treated, "count"] * np.exp(0.5 * frame.loc[treated, "month"].map(month_index) / 12)
    )
    r = parallel_trends(frame, sim.treated, pre=sim.pre, n_draws=199)
    assert r.passed is False and r.trend_difference_per_year > 0.3
    ok = parallel_trends(sim.frame, sim.treated, pre=sim.pre, n_draws=199)
    assert ok.passed is True
    with pytest.raises(InvalidInput, match="at least 4"):
        parallel_trends(sim.frame, sim.treated, pre=sim.pre[:3])


def test_regression_to_the_mean_flags_a_recent_peak():
    months = [p.strftime("%Y-%m") for p in pd.period_range("2021-01", periods=12, freq="M")]
    flat = pd.Series([10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9], index=months)
    peak = pd.Series([10, 11, 9, 10, 12, 10, 9, 11, 10, 18, 20, 19], index=months)
    r = regression_to_mean(peak, pre=months)
    assert r.warning is True and r.recent_mean == pytest.approx(19.0) and r.history_mean == pytest.approx(92 / 9)
    assert "regression to the mean" in r.message
    assert regression_to_mean(flat, pre=months).warning is False
    with pytest.raises(InvalidInput, match="needs at least 7"):
        regression_to_mean(flat, pre=months[:6])
    with pytest.raises(TypeError, match="recent_months was"):
        regression_to_mean(flat, pre=months, recent_months=1.5)


def test_maryland_levels():
    assert maryland_level("its").level == 2
    assert maryland_level("did", n_control=5).level == 3
    assert maryland_level("wdd", n_control=0).level == 2
    weak = maryland_level("did", n_control=5, parallel_trends_passed=False)
    assert weak.level == 3 and "doubtful" in weak.explanation
    with pytest.raises(InvalidInput, match="design was 'rct'"):
        maryland_level("rct")


# ----------------------------------------------------------------------------- planning
def test_minimum_detectable_effect_poisson_hand_check():
    months = [p.strftime("%Y-%m") for p in pd.period_range("2021-01", periods=12, freq="M")]
    frame = pd.DataFrame({"area": "t", "month": months, "count": [20] * 12})
    r = minimum_detectable_effect(frame, ["t"], duration_weeks=52.1775 / 12 * 3)
    # no over-dispersion; during 3 months (60 crimes), before 12 months (240)
    se = math.sqrt(1 / 60 + 1 / 240)
    k = Z975 + 0.8416212335729143
    assert r.nb_alpha == 0.0
    assert r.se_log == pytest.approx(se, abs=1e-9)
    assert r.fall == pytest.approx(1 - math.exp(-k * se), abs=1e-9)
    assert r.sentence.startswith(f"With {52.1775 / 12 * 3:g} weeks in these areas you can detect a fall of 33% or more")


def test_minimum_detectable_effect_shrinks_with_duration_and_errors():
    sim = simulate_panel(n_areas=20, n_treated=3, seed=8)
    hist = sim.frame[sim.frame.month.isin(sim.pre)]
    short = minimum_detectable_effect(hist, sim.treated, duration_weeks=10, control=sim.control)
    long = minimum_detectable_effect(hist, sim.treated, duration_weeks=30, control=sim.control)
    assert 0 < long.fall < short.fall < 1 and short.design == "did" and short.nb_alpha > 0
    with pytest.raises(InvalidInput, match="duration_weeks was -1"):
        minimum_detectable_effect(hist, sim.treated, duration_weeks=-1)
    with pytest.raises(TypeError, match="duration_weeks was"):
        minimum_detectable_effect(hist, sim.treated, duration_weeks="10")
    with pytest.raises(InvalidInput, match="power was 1.2"):
        minimum_detectable_effect(hist, sim.treated, duration_weeks=10, power=1.2)
    with pytest.raises(InvalidInput, match="treated was"):
        minimum_detectable_effect(hist, [], duration_weeks=10)


# ----------------------------------------------------------------------------- properties
counts = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, counts)
def test_wdd_swapping_treated_and_control_negates_the_estimate(tb, ta, cb, ca):
    a = wdd((tb, ta), (cb, ca))
    b = wdd((cb, ca), (tb, ta))
    assert a.estimate == -b.estimate and a.se == b.se and a.p == pytest.approx(b.p, abs=1e-12)
    assert a.ci_low <= a.estimate <= a.ci_high
    assert a.se == pytest.approx(math.sqrt(tb + ta + cb + ca), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(counts, counts, st.integers(1, 10_000), st.integers(1, 10_000), counts, counts)
def test_wdq_net_effect_and_reading_are_consistent(rb, ra, cb, ca, db, da):
    r = wdq((rb, ra), (cb, ca), (db, da))
    assert r.total_net_effect == pytest.approx(r.treated_net_effect + r.buffer_net_effect, abs=1e-6)
    if r.reading == "no success":
        assert r.success_measure >= 0
    elif r.reading == "diffusion of benefits":
        assert r.wdq > 0 and r.buffer_net_effect > -1e-9
    elif r.reading == "displacement smaller than benefit":
        assert -1 < r.wdq < 0 and r.total_net_effect > 0
    elif r.reading == "displacement outweighing benefit":
        assert r.wdq <= -1 and r.total_net_effect <= 1e-9


def test_empirical_dispersion_hand_checked():
    from clearhold.analytics.evaluation.displacement import empirical_dispersion

    # windows of 1 month: pairs (10,20 | 10,10) and (20,10 | 10,10): d = 10 and -10
    assert empirical_dispersion([10, 20, 10], [10, 10, 10], 1) == pytest.approx(100 / 50)
    assert empirical_dispersion([10, 10, 10], [10, 10, 10], 1) == 1.0  # never below Poisson
    assert empirical_dispersion([10, 20], [10, 10], 1) is None  # one pair only
    with pytest.raises(InvalidInput, match="equal length"):
        empirical_dispersion([1, 2, 3], [1, 2], 1)
    with pytest.raises(InvalidInput, match="months_per_period was 0"):
        empirical_dispersion([1, 2, 3], [1, 2, 3], 0)


def test_its_with_months_of_zero_before_says_it_cannot_be_fitted():
    """Regression: most months zero before made the level change overflow (OverflowError)."""
    from clearhold.analytics.evaluation import interrupted_time_series
    from clearhold.errors import InvalidInput

    months = [f"2022-{m:02d}" for m in range(1, 13)] + ["2023-01", "2023-02", "2023-03"]
    series = pd.Series([0.0] * 11 + [1.0, 9.0, 12.0, 10.0], index=months)
    with pytest.raises(InvalidInput, match="could not be fitted"):
        interrupted_time_series(series, pre=months[:12], post=months[12:], family="poisson")
