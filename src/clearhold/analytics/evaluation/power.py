"""Planning: the minimum detectable effect of a design before an operation starts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from clearhold.analytics.evaluation._common import ResultMixin, check_alpha
from clearhold.analytics.evaluation.panel import dispersion_test, fit_fe_glm, to_panel
from clearhold.errors import InvalidInput

WEEKS_PER_MONTH = 52.1775 / 12


@dataclass(frozen=True)
class MDEResult(ResultMixin):
    """Smallest fall (and rise) the design detects with the given power."""

    fall: float  # e.g. 0.22 = a fall of 22% or more
    rise: float
    se_log: float
    alpha: float
    power: float
    duration_weeks: float
    pre_weeks: float
    design: str  # "did" or "before/after"
    treated_per_month: float
    control_per_month: float | None
    nb_alpha: float
    history_months: int
    sentence: str
    method: str = (
        "Normal approximation on the log rate ratio: MDE = (z_(1-alpha/2) + z_power) x se, with "
        "se^2 the sum over treated/control x before/during of (sum mu + alpha sum mu^2) / (sum mu)^2 "
        "(NB2 counts, alpha estimated from the history after area and month effects)"
    )
    reference: str = (
        "Bloom, H. S. (1995). Minimum detectable effects. Evaluation Review 19(5); "
        "Cameron and Trivedi (1990) for the dispersion estimate."
    )


def _var_log_total(mu_month: np.ndarray, months: float, nb_alpha: float) -> float:
    """Variance of log(sum) of per-area monthly means ``mu_month`` over ``months`` months (NB2)."""
    total = mu_month.sum() * months
    if total <= 0:
        return math.inf
    return (total + nb_alpha * months * np.sum(mu_month**2)) / total**2


def minimum_detectable_effect(
    history: Any,
    treated: list[str],
    *,
    duration_weeks: float,
    control: list[str] | None = None,
    pre_weeks: float | None = None,
    value_col: str = "count",
    alpha: float = 0.05,
    power: float = 0.8,
) -> MDEResult:
    """Minimum detectable effect for chosen areas, duration and crime types.

    Parameters
    ----------
    history : DataFrame
        Historic monthly counts ``area, month, value_col`` of the treated (and control) areas,
        for the crime types the operation targets. Not changed.
    treated : list of str
        Areas the operation will cover.
    duration_weeks : float
        Planned length of the operation.
    control : list of str, optional
        Comparison areas (difference-in-differences). Without them, a before/after design.
    pre_weeks : float, optional
        Length of the before period; default the whole history.
    alpha, power : float
        Two-sided level and power (defaults 0.05 and 0.8).

    Returns
    -------
    MDEResult
        ``fall``: the smallest proportional fall detectable with ``power``; ``sentence``: the
        plain-language statement, e.g. "with 10 weeks in these areas you can detect a fall of
        22% or more (80% power, 5% two-sided test)".

    Notes
    -----
    Expected monthly counts are each area's historic mean; dispersion alpha (NB2) is the
    Cameron-Trivedi moment estimate after area and month effects. The before/after variant
    ignores trend and seasonality uncertainty, so it is optimistic; a real evaluation also
    loses power to the placebo-based inference with few treated areas.

    References
    ----------
    Bloom (1995); Cameron and Trivedi (1990).
    """
    alpha = check_alpha(alpha)
    power = check_alpha(power, "power")
    if isinstance(duration_weeks, bool) or not isinstance(duration_weeks, int | float):
        raise TypeError(f"duration_weeks was {duration_weeks!r}; it must be a number of weeks")
    if not duration_weeks > 0 or not math.isfinite(duration_weeks):
        raise InvalidInput(f"duration_weeks was {duration_weeks!r}; it must be a positive number of weeks")
    if isinstance(treated, str) or not isinstance(treated, list | tuple) or not treated:
        raise InvalidInput(f"treated was {treated!r}; give a non-empty list of area names")
    p = to_panel(history, value_col=value_col)
    if len(p.months) < 3:
        raise InvalidInput(f"history covers {len(p.months)} months; the planning mode needs at least 3")
    ti = p.index_of([str(t) for t in treated], "treated")
    ci = p.index_of([str(c) for c in control], "control") if control else np.array([], dtype=int)
    if set(ti.tolist()) & set(ci.tolist()):
        raise InvalidInput("control and treated share areas")
    y = p.counts
    rows = np.concatenate([ti, ci])
    sub = y[rows]
    sub = sub[sub.sum(axis=1) > 0]
    if sub.size == 0 or sub.sum() == 0:
        raise InvalidInput("history has no crimes in the chosen areas; nothing to detect a change in")
    if sub.shape[0] >= 2 and np.all(sub.sum(axis=0) > 0):
        fit = fit_fe_glm(sub, None)
        nb_alpha = dispersion_test(sub, fit.mu, n_params=sum(sub.shape) - 1).alpha_hat
    else:
        series = sub.sum(axis=0)
        m, v = series.mean(), series.var(ddof=1)
        nb_alpha = max(0.0, (v - m) / m**2) if m > 0 else 0.0
    mu_t = y[ti].mean(axis=1)
    d_months = duration_weeks / WEEKS_PER_MONTH
    pre_months = len(p.months) if pre_weeks is None else pre_weeks / WEEKS_PER_MONTH
    if pre_weeks is not None and (not pre_weeks > 0):
        raise InvalidInput(f"pre_weeks was {pre_weeks!r}; it must be a positive number of weeks")
    var = _var_log_total(mu_t, d_months, nb_alpha) + _var_log_total(mu_t, pre_months, nb_alpha)
    mu_c = None
    if ci.size:
        mu_c = y[ci].mean(axis=1)
        var += _var_log_total(mu_c, d_months, nb_alpha) + _var_log_total(mu_c, pre_months, nb_alpha)
    se = math.sqrt(var)
    k = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    fall = -math.expm1(-k * se)
    rise = math.expm1(k * se)
    weeks = f"{duration_weeks:g} weeks"
    design = "did" if ci.size else "before/after"
    sentence = (
        f"With {weeks} in these areas you can detect a fall of {100 * fall:.0f}% or more "
        f"({100 * power:.0f}% power, {100 * alpha:g}% two-sided test"
        + (f", against {ci.size} comparison area{'s' if ci.size != 1 else ''})" if ci.size else ", before/after only)")
        + f"; the treated areas average {mu_t.sum():.1f} crimes a month."
    )
    return MDEResult(
        fall=fall,
        rise=rise,
        se_log=se,
        alpha=alpha,
        power=power,
        duration_weeks=float(duration_weeks),
        pre_weeks=float(pre_months * WEEKS_PER_MONTH),
        design=design,
        treated_per_month=float(mu_t.sum()),
        control_per_month=None if mu_c is None else float(mu_c.sum()),
        nb_alpha=float(nb_alpha),
        history_months=len(p.months),
        sentence=sentence,
    )
