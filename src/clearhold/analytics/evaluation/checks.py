"""Checks reported with every evaluation: pre-trends, regression to the mean, design strength."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clearhold.analytics.evaluation._common import ResultMixin, check_alpha, check_positive_int
from clearhold.analytics.evaluation.diff_in_diff import _design, fe_effect
from clearhold.analytics.evaluation.panel import month_range, to_panel
from clearhold.errors import InvalidInput

MARYLAND_REFERENCE = (
    "Sherman, L. W. et al. (1998). Preventing crime: what works, what doesn't, what's promising. "
    "National Institute of Justice (the Maryland Scientific Methods Scale); Farrington, D. P. et "
    "al. (2002). The Maryland Scientific Methods Scale."
)
DESIGNS = ("wdd", "wdq", "did", "synthetic_control", "its")


@dataclass(frozen=True)
class ParallelTrends(ResultMixin):
    """Difference between treated and control trends in the pre-period (% per year)."""

    trend_difference_per_year: float
    ci_low: float
    ci_high: float
    p: float
    passed: bool
    months: int
    family: str
    inference: str
    method: str = (
        "Pre-period two-way FE count GLM with treated x linear time (per year); same family and "
        "randomisation inference as the DiD. 'passed' = no significant difference at the chosen "
        "alpha (absence of evidence, not proof of parallel trends)."
    )


@dataclass(frozen=True)
class RegressionToMean(ResultMixin):
    """Was the area chosen just after a peak? Recent pre-period months against the longer history."""

    recent_months: int
    recent_mean: float
    history_mean: float
    ratio: float
    percentile: float  # share of earlier k-month windows below the recent window
    z: float
    warning: bool
    message: str
    method: str = (
        "Mean of the last k pre-period months against the mean of the earlier history; "
        "z under a negative-binomial-like variance (history variance-to-mean ratio); warn when "
        "z > 1.645 or the recent window beats 90% of earlier windows by 15% or more"
    )


@dataclass(frozen=True)
class MarylandLevel(ResultMixin):
    level: int
    design: str
    explanation: str
    reference: str = MARYLAND_REFERENCE


def parallel_trends(
    panel: Any,
    treated: list[str],
    *,
    pre: Any,
    control: list[str] | None = None,
    value_col: str = "count",
    family: str = "auto",
    inference: str = "randomisation",
    n_draws: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> ParallelTrends:
    """Test of a different linear trend in the treated areas during the pre-period.

    Parameters are those of :func:`did` (only ``pre`` is used). Needs 4 or more pre months.

    Returns
    -------
    ParallelTrends
        ``trend_difference_per_year`` = exp(gamma) - 1 for the treated x (months / 12) term.

    References
    ----------
    Roth, J. (2022). Pretest with caution. American Economic Review: Insights 4(3).
    """
    alpha = check_alpha(alpha)
    pre_m = month_range(pre, "pre")
    if len(pre_m) < 4:
        raise InvalidInput(f"pre was {pre!r}; a pre-trend test needs at least 4 pre-period months")
    # split the pre-period in two halves only to reuse the design checks; the profile is a trend
    d = _design(panel, treated, control, pre_m[: len(pre_m) // 2], pre_m[len(pre_m) // 2 :], value_col)
    n = len(pre_m)
    profile = (np.arange(n) - (n - 1) / 2) / 12.0
    eff = fe_effect(
        d.y, d.treated, d.control, profile,
        family=family, inference=inference, n_draws=n_draws, seed=seed, alpha=alpha,
    )
    return ParallelTrends(
        trend_difference_per_year=math.expm1(eff.beta),
        ci_low=math.expm1(eff.lo) if math.isfinite(eff.lo) else -1.0,
        ci_high=math.expm1(eff.hi) if math.isfinite(eff.hi) else math.inf,
        p=eff.p,
        passed=bool(eff.p >= alpha),
        months=n,
        family=eff.family,
        inference=inference,
    )


def regression_to_mean(series: Any, *, pre: Any, recent_months: int = 3, value_col: str = "count") -> RegressionToMean:
    """Warn when the last months before the start were a peak relative to the longer history.

    Parameters
    ----------
    series : Series or DataFrame
        Monthly counts of the treated area(s): a Series indexed by month, or a frame with
        ``month`` and ``value_col``. Not changed.
    pre : period
        The pre-period; its last ``recent_months`` form the recent window, the rest the history.
    recent_months : int, default 3

    Returns
    -------
    RegressionToMean

    Notes
    -----
    Areas are often picked because crime just rose; such peaks fall back without any
    intervention (Galton's regression to the mean; Farrell et al. on hot-spot selection).
    """
    import pandas as pd

    k = check_positive_int(recent_months, "recent_months", 1)
    pre_m = month_range(pre, "pre")
    if len(pre_m) < 2 * k + 1:
        raise InvalidInput(
            f"pre has {len(pre_m)} months; checking regression to the mean over {k} recent months "
            f"needs at least {2 * k + 1}"
        )
    if isinstance(series, pd.Series):
        frame = pd.DataFrame({"area": "x", "month": series.index, value_col: series.to_numpy()})
    elif isinstance(series, pd.DataFrame):
        frame = series.assign(area="x")
    else:
        raise TypeError(f"series was {type(series).__name__}; give a Series indexed by month or a DataFrame")
    y = to_panel(frame, value_col=value_col, months=pre_m).counts[0]
    recent, history = y[-k:], y[:-k]
    h_mean = float(history.mean())
    r_mean = float(recent.mean())
    h_var = float(history.var(ddof=1)) if history.size > 1 else h_mean
    vmr = max(1.0, h_var / h_mean) if h_mean > 0 else 1.0
    z = (r_mean - h_mean) / math.sqrt(vmr * max(h_mean, 1e-9) / k) if h_mean > 0 else (math.inf if r_mean > 0 else 0.0)
    windows = np.convolve(history, np.ones(k) / k, mode="valid")
    pct = float(np.mean(windows < r_mean)) if windows.size else float("nan")
    ratio = r_mean / h_mean if h_mean > 0 else math.inf
    warn = bool(z > 1.645 or (pct >= 0.9 and ratio >= 1.15))
    if warn:
        message = (
            f"The last {k} months before the start averaged {r_mean:.1f} a month against "
            f"{h_mean:.1f} earlier (x{ratio:.2f}): the area may have been picked at a peak, and "
            "part of any fall afterwards would have happened anyway (regression to the mean)."
        )
    else:
        message = (
            f"The last {k} months before the start ({r_mean:.1f} a month) were not unusually high "
            f"against the earlier history ({h_mean:.1f} a month)."
        )
    return RegressionToMean(
        recent_months=k,
        recent_mean=r_mean,
        history_mean=h_mean,
        ratio=ratio,
        percentile=pct,
        z=float(z),
        warning=warn,
        message=message,
    )


def maryland_level(design: str, *, n_control: int = 0, parallel_trends_passed: bool | None = None) -> MarylandLevel:
    """The Maryland Scientific Methods Scale level an evaluation design reaches.

    Level 2: before/after without comparison (interrupted time series). Level 3: before/after
    with a comparable control (WDD, WDQ, DiD, synthetic control). Level 4 needs several treated
    and control units with other influences controlled; level 5 random assignment. clearhold
    never assigns at random, so it reports 3 at most for observational designs with a
    comparison, and notes when the pre-trend check casts doubt on the comparison.
    """
    if design not in DESIGNS:
        raise InvalidInput(f"design was {design!r}; it must be one of {DESIGNS}")
    if design == "its" or n_control <= 0:
        return MarylandLevel(
            2, design,
            "Level 2: before and after in the treated area with no comparison area; changes that "
            "happened anyway (trends, other events) cannot be separated from the operation.",
        )
    text = (
        "Level 3: before and after in treated and comparison areas (the usual minimum for a claim "
        "of effect). Not level 4 or 5: areas were not assigned at random and other influences "
        "are not controlled."
    )
    if parallel_trends_passed is False:
        text += " The pre-period trends differ, so the comparison is doubtful: read it as weaker than level 3."
    return MarylandLevel(3, design, text)
