"""Simulated monthly crime panels with a planted effect (for honesty tests and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clearhold.analytics.evaluation._common import check_positive_int
from clearhold.errors import InvalidInput


@dataclass(frozen=True)
class SimulatedPanel:
    frame: pd.DataFrame  # area, month, count, expected
    treated: list[str]
    control: list[str]
    pre: list[str]
    post: list[str]
    effect: float


def simulate_panel(
    *,
    n_areas: int = 40,
    n_treated: int = 1,
    n_pre: int = 24,
    n_post: int = 3,
    effect: float = 0.0,
    mean_count: float = 15.0,
    area_sd: float = 0.5,
    nb_alpha: float = 0.1,
    season_amplitude: float = 0.15,
    trend_per_year: float = -0.03,
    shock_sd: float = 0.05,
    start: str = "2020-01",
    seed: int | None = 0,
) -> SimulatedPanel:
    """A panel of negative-binomial monthly counts: area levels, a shared season, trend and shocks.

    ``E[y_it] = m_i * exp(season_t + trend_t + shock_t) * (1 + effect)^(treated_i * post_t)`` with
    ``m_i`` log-normal around ``mean_count``; counts are NB2 with dispersion ``nb_alpha``
    (variance ``mu + nb_alpha mu^2``). The first ``n_treated`` areas are treated in the last
    ``n_post`` months. Randomness only through ``numpy.random.default_rng(seed)``.
    """
    n_areas = check_positive_int(n_areas, "n_areas", 2)
    n_treated = check_positive_int(n_treated, "n_treated", 1)
    n_pre = check_positive_int(n_pre, "n_pre", 2)
    n_post = check_positive_int(n_post, "n_post", 1)
    if n_treated >= n_areas:
        raise InvalidInput(f"n_treated was {n_treated}; it must be smaller than n_areas ({n_areas})")
    if not -1 < effect:
        raise InvalidInput(f"effect was {effect!r}; it must be above -1 (a -100% change)")
    if nb_alpha < 0 or mean_count <= 0:
        raise InvalidInput(f"nb_alpha was {nb_alpha!r} and mean_count {mean_count!r}; need nb_alpha >= 0 and mean_count > 0")
    rng = np.random.default_rng(seed)
    n_months = n_pre + n_post
    months = [p.strftime("%Y-%m") for p in pd.period_range(start, periods=n_months, freq="M")]
    month_of_year = np.array([int(m[5:7]) for m in months])
    level = mean_count * np.exp(rng.normal(0, area_sd, n_areas) - area_sd**2 / 2)
    season = season_amplitude * np.cos(2 * np.pi * (month_of_year - 7) / 12)
    trend = trend_per_year * np.arange(n_months) / 12
    shock = rng.normal(0, shock_sd, n_months)
    mu = level[:, None] * np.exp(season + trend + shock)[None, :]
    mult = np.ones_like(mu)
    mult[:n_treated, n_pre:] = 1 + effect
    mu = mu * mult
    if nb_alpha > 0:
        shape = 1 / nb_alpha
        lam = rng.gamma(shape, mu / shape)
    else:
        lam = mu
    y = rng.poisson(lam)
    areas = [f"A{i:03d}" for i in range(n_areas)]
    frame = pd.DataFrame(
        {
            "area": np.repeat(areas, n_months),
            "month": np.tile(months, n_areas),
            "count": y.ravel(),
            "expected": mu.ravel(),
        }
    )
    return SimulatedPanel(
        frame=frame,
        treated=areas[:n_treated],
        control=areas[n_treated:],
        pre=months[:n_pre],
        post=months[n_pre:],
        effect=float(effect),
    )


ESTIMATORS = ("wdd", "wdd_poisson", "did", "synthetic_control", "its")


def simulation_study(
    estimator: str,
    *,
    effect: float,
    n_trials: int,
    seed: int = 0,
    n_draws: int = 199,
    alpha: float = 0.05,
) -> dict:
    """Bias, interval coverage and rejection rate of one estimator over seeded simulated panels.

    Designs (all negative-binomial, alpha 0.1, 24 pre and 3 post months, shared season, trend
    and shocks): ``wdd`` / ``wdd_poisson``: one treated and one control area of equal level
    (30 a month), 3 months before against 3 during, with the larger of the NB and the empirical
    dispersion factors estimated from the earlier history (``wdd``) or the published Poisson variance (``wdd_poisson``); ``did``:
    3 treated of 30 areas (15 a month), randomisation inference with ``n_draws``;
    ``synthetic_control``: 1 treated of 30 areas (30 a month); ``its``: one area (40 a month).
    Coverage counts an undefined interval as not covering.
    """
    from clearhold.analytics.evaluation.diff_in_diff import did
    from clearhold.analytics.evaluation.displacement import dispersion_factor, empirical_dispersion, wdd
    from clearhold.analytics.evaluation.time_series import interrupted_time_series
    from clearhold.analytics.evaluation.synth import synthetic_control

    if estimator not in ESTIMATORS:
        raise InvalidInput(f"estimator was {estimator!r}; it must be one of {ESTIMATORS}")
    n_trials = check_positive_int(n_trials, "n_trials", 1)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_trials)
    est, truth, cover, reject = [], [], [], []
    for s in seeds:
        s = int(s)
        if estimator in ("wdd", "wdd_poisson"):
            sim = simulate_panel(n_areas=2, n_treated=1, effect=effect, mean_count=30, area_sd=0.0, seed=s)
            y = sim.frame.pivot(index="area", columns="month", values="count").to_numpy(float)
            mu = sim.frame.pivot(index="area", columns="month", values="expected").to_numpy(float)
            before, after = slice(21, 24), slice(24, 27)
            disp = 1.0
            if estimator == "wdd":
                emp = empirical_dispersion(y[0, :21], y[1, :21], 3)
                disp = max(dispersion_factor(y[:, :21]), emp or 1.0)
            r = wdd((y[0, before].sum(), y[0, after].sum()), (y[1, before].sum(), y[1, after].sum()),
                    alpha=alpha, dispersion=disp)
            true = mu[0, after].sum() - mu[0, after].sum() / (1 + effect)
            est.append(r.estimate)
            truth.append(true)
            cover.append(r.ci_low <= true <= r.ci_high)
            reject.append(r.p < alpha)
            continue
        if estimator == "did":
            sim = simulate_panel(n_areas=30, n_treated=3, effect=effect, mean_count=15, seed=s)
            r = did(sim.frame, sim.treated, pre=sim.pre, post=sim.post, n_draws=n_draws, seed=s, alpha=alpha)
        elif estimator == "synthetic_control":
            sim = simulate_panel(n_areas=30, n_treated=1, effect=effect, mean_count=30, seed=s)
            r = synthetic_control(sim.frame, sim.treated[0], pre=sim.pre, post=sim.post, alpha=alpha)
        else:
            sim = simulate_panel(n_areas=2, n_treated=1, effect=effect, mean_count=40, seed=s)
            series = sim.frame[sim.frame.area == sim.treated[0]][["month", "count"]]
            r = interrupted_time_series(series, pre=sim.pre, post=sim.post, alpha=alpha)
        est.append(r.estimate)
        truth.append(effect)
        ok = r.ci_low is not None and np.isfinite(r.ci_low) and r.ci_low <= effect <= (
            r.ci_high if np.isfinite(r.ci_high) else np.inf
        )
        cover.append(bool(ok))
        reject.append(r.p < alpha)
    est_a, truth_a = np.array(est), np.array(truth)
    if estimator in ("wdd", "wdd_poisson"):
        scale = float(np.mean(np.abs(truth_a))) if effect != 0 else 1.0
        bias = float(np.mean(est_a - truth_a))
        bias_se = float(np.std(est_a - truth_a, ddof=1) / np.sqrt(n_trials)) if n_trials > 1 else float("nan")
        bias_log = bias_log_se = float("nan")
        rel = bias / scale if effect != 0 else float("nan")
    else:
        bias = float(np.mean(est_a) - effect)
        bias_se = float(np.std(est_a, ddof=1) / np.sqrt(n_trials)) if n_trials > 1 else float("nan")
        bias_log = float(np.mean(np.log1p(est_a)) - np.log1p(effect))
        bias_log_se = float(np.std(np.log1p(est_a), ddof=1) / np.sqrt(n_trials)) if n_trials > 1 else float("nan")
        rel = float("nan")
    return {
        "estimator": estimator,
        "effect": float(effect),
        "n_trials": n_trials,
        "bias": bias,
        "bias_se": bias_se,  # Monte Carlo standard error of the bias
        "bias_log": bias_log,
        "bias_log_se": bias_log_se,
        "relative_bias": rel,
        "coverage": float(np.mean(cover)),
        "rejection_rate": float(np.mean(reject)),
    }
