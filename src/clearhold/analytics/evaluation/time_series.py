"""Interrupted time series with seasonality for an area without a comparison."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clearhold.analytics.evaluation._common import ResultMixin, check_alpha
from clearhold.analytics.evaluation.panel import DispersionTest, dispersion_test, month_label, month_range
from clearhold.errors import InvalidInput

ITS_REFERENCE = (
    "Bernal, J. L., Cummins, S. and Gasparrini, A. (2017). Interrupted time series regression for "
    "the evaluation of public health interventions: a tutorial. International Journal of "
    "Epidemiology 46(1):348-355; Cameron and Trivedi (1990), Journal of Econometrics 46."
)
SEASONALITY = ("harmonic", "dummies", "none")
FAMILIES = ("auto", "poisson", "negbin")


@dataclass(frozen=True)
class ITSResult(ResultMixin):
    """Average percentage change over the post months against the extrapolated pre-period model."""

    estimate: float
    ci_low: float
    ci_high: float
    p: float
    alpha: float
    level_change: float  # IRR - 1 at the first post month
    level_ci: tuple[float, float]
    slope_change_per_year: float | None  # IRR - 1 per year of change in trend, if modelled
    slope_ci: tuple[float, float] | None
    family: str
    nb_alpha: float
    dispersion: DispersionTest
    seasonality: str
    months_pre: int
    months_post: int
    observed_post: float
    expected_post: float
    months: tuple[str, ...]
    observed: tuple[float, ...]
    counterfactual: tuple[float, ...]
    method: str = (
        "Segmented Poisson/negative-binomial GLM: trend, seasonality, a level change and "
        "(with 6 or more post months) a slope change; average effect over the post months with a "
        "delta-method interval, Pearson-scaled, t quantiles"
    )
    reference: str = ITS_REFERENCE


def _series(series: Any, value_col: str) -> pd.Series:
    if isinstance(series, pd.DataFrame):
        for col in ("month", value_col):
            if col not in series.columns:
                raise InvalidInput(f"series has no column {col!r}; columns are {list(series.columns)!r}")
        s = pd.Series(pd.to_numeric(series[value_col], errors="coerce").to_numpy(), index=series["month"])
    elif isinstance(series, pd.Series):
        s = pd.to_numeric(series, errors="coerce")
    else:
        raise TypeError(f"series was {type(series).__name__}; give a pandas Series indexed by month or a DataFrame")
    if s.isna().any() or (s < 0).any():
        raise InvalidInput("series must hold non-negative numbers (counts) in every month")
    s.index = [month_label(m) for m in s.index]
    return s.groupby(level=0).sum()


def _design(months: list[str], n_pre: int, seasonality: str, slope: bool) -> tuple[np.ndarray, list[str]]:
    n = len(months)
    t = (np.arange(n) - (n_pre - 1)) / 12.0
    moy = np.array([int(m[5:7]) for m in months])
    cols = [np.ones(n), t]
    names = ["const", "trend"]
    if seasonality == "harmonic":
        for k in (1, 2):
            cols += [np.sin(2 * np.pi * k * moy / 12), np.cos(2 * np.pi * k * moy / 12)]
            names += [f"sin{k}", f"cos{k}"]
    elif seasonality == "dummies":
        for mo in range(2, 13):
            cols.append((moy == mo).astype(float))
            names.append(f"m{mo}")
    post = (np.arange(n) >= n_pre).astype(float)
    cols.append(post)
    names.append("level")
    if slope:
        cols.append(post * (np.arange(n) - n_pre + 1) / 12.0)
        names.append("slope")
    return np.column_stack(cols), names


def interrupted_time_series(
    series: Any,
    *,
    pre: Any,
    post: Any,
    value_col: str = "count",
    seasonality: str = "harmonic",
    slope_change: bool | None = None,
    family: str = "auto",
    alpha: float = 0.05,
) -> ITSResult:
    """Segmented count regression of one area's monthly series.

    Parameters
    ----------
    series : Series or DataFrame
        Monthly counts, a Series indexed by month or a frame with ``month`` and ``value_col``.
        Months missing from it count as zero. Not changed.
    pre, post : ('YYYY-MM', 'YYYY-MM'), 'FROM..TO' or list of months
        Contiguous pre-period followed by the post (during or after) period.
    seasonality : {"harmonic", "dummies", "none"}
        Two harmonics (annual and half-year) or month-of-year dummies (needs 24+ pre months).
    slope_change : bool, optional
        Model a change of trend after the start; default only with 6 or more post months.
    family : {"auto", "poisson", "negbin"}
        "auto": Poisson, then NB2 (alpha by moments) when the Cameron-Trivedi test rejects.
    alpha : float, default 0.05

    Returns
    -------
    ITSResult
        ``estimate``: sum of fitted post counts over the sum of their counterfactual (model
        without the intervention terms) minus 1, i.e. the average proportional change.

    Notes
    -----
    Without a comparison area any change coinciding with the intervention (a county-wide
    trend, a recording change) is attributed to it: the design reaches Maryland level 2 only.
    Standard errors are model-based (Poisson or NB2), inflated by the Pearson dispersion
    ``X2 / (n - p)`` when it exceeds 1, with t quantiles on ``n - p`` degrees of freedom (a
    short series estimates its dispersion poorly). Residual autocorrelation is not modelled.

    References
    ----------
    Bernal, Cummins and Gasparrini (2017).
    """
    alpha = check_alpha(alpha)
    if seasonality not in SEASONALITY:
        raise InvalidInput(f"seasonality was {seasonality!r}; it must be one of {SEASONALITY}")
    if family not in FAMILIES:
        raise InvalidInput(f"family was {family!r}; it must be one of {FAMILIES}")
    pre_m = month_range(pre, "pre")
    post_m = month_range(post, "post")
    months = pre_m + post_m
    expected_order = month_range((months[0], months[-1]), "pre..post")
    if months != expected_order:
        raise InvalidInput("pre and post must be consecutive month ranges with post after pre")
    s = _series(series, value_col).reindex(months, fill_value=0.0)
    y = s.to_numpy(dtype=float)
    n_pre = len(pre_m)
    if slope_change is None:
        slope_change = len(post_m) >= 6
    n_par = 2 + {"harmonic": 4, "dummies": 11, "none": 0}[seasonality]
    if n_pre < n_par + 3:
        raise InvalidInput(
            f"pre has {n_pre} months; {seasonality!r} seasonality with a trend needs at least {n_par + 3}"
        )
    if y[:n_pre].sum() <= 0:
        raise InvalidInput("series has no crimes in the pre-period")
    x, names = _design(months, n_pre, seasonality, slope_change)
    import statsmodels.api as sm

    def fit(fam):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # perfect-fit/convergence chatter is checked below
            res = sm.GLM(y, x, family=fam).fit()
        if not np.all(np.isfinite(res.params)):
            raise InvalidInput("series: the model could not be fitted (too few non-zero months)")
        return res

    pois = fit(sm.families.Poisson())
    disp = dispersion_test(y, pois.fittedvalues, n_params=x.shape[1])
    if family == "poisson" or (family == "auto" and not disp.overdispersed):
        res, fam_name, nb_alpha = pois, "poisson", 0.0
    else:
        nb_alpha = max(disp.alpha_hat, 1e-6)
        res, fam_name = fit(sm.families.NegativeBinomial(alpha=nb_alpha)), "negative binomial"
    params = np.asarray(res.params)
    dof = max(len(y) - x.shape[1], 1)
    pearson = float(np.sum((y - res.fittedvalues) ** 2 / res.family.variance(res.fittedvalues)) / dof)
    scale = max(1.0, pearson)
    cov = np.asarray(res.cov_params()) * scale
    crit = stats.t.ppf(1 - alpha / 2, dof)
    li = names.index("level")
    mu = np.exp(x @ params)
    x0 = x.copy()
    x0[:, li:] = 0.0
    mu0 = np.exp(x0 @ params)
    post_sl = slice(n_pre, None)
    log_r = math.log(mu[post_sl].sum() / mu0[post_sl].sum())
    grad = (mu[post_sl, None] * x[post_sl]).sum(0) / mu[post_sl].sum() - (
        mu0[post_sl, None] * x0[post_sl]
    ).sum(0) / mu0[post_sl].sum()
    se_r = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    p = float(2 * stats.t.sf(abs(log_r / se_r), dof)) if se_r > 0 else float("nan")
    lv, lv_se = params[li], math.sqrt(cov[li, li])
    # A fit that runs off to infinity (e.g. months of zero crime before) gives no estimate.
    if not all(math.isfinite(v) and abs(v) < 30 for v in (log_r, se_r, lv, lv_se)):
        raise InvalidInput(
            "the interrupted time series could not be fitted: the counts (many months of zero before, or "
            f"too few crimes) make the level change unbounded (log change {log_r:.3g}, se {se_r:.3g})")
    slope = slope_ci = None
    if slope_change:
        si = names.index("slope")
        sv, s_se = params[si], math.sqrt(cov[si, si])
        slope = math.expm1(sv)
        slope_ci = (math.expm1(sv - crit * s_se), math.expm1(sv + crit * s_se))
    return ITSResult(
        estimate=math.expm1(log_r),
        ci_low=math.expm1(log_r - crit * se_r),
        ci_high=math.expm1(log_r + crit * se_r),
        p=p,
        alpha=alpha,
        level_change=math.expm1(lv),
        level_ci=(math.expm1(lv - crit * lv_se), math.expm1(lv + crit * lv_se)),
        slope_change_per_year=slope,
        slope_ci=slope_ci,
        family=fam_name,
        nb_alpha=float(nb_alpha),
        dispersion=disp,
        seasonality=seasonality,
        months_pre=n_pre,
        months_post=len(post_m),
        observed_post=float(y[post_sl].sum()),
        expected_post=float(mu0[post_sl].sum()),
        months=tuple(months),
        observed=tuple(float(v) for v in y),
        counterfactual=tuple(float(v) for v in mu0),
    )
