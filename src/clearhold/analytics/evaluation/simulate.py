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
