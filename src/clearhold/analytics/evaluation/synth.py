"""Synthetic control for one treated area, with placebo-in-space inference."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from clearhold.analytics.evaluation._common import ResultMixin, check_alpha
from clearhold.analytics.evaluation.panel import month_range, to_panel
from clearhold.errors import InvalidInput

SYNTH_REFERENCE = (
    "Abadie, A., Diamond, A. and Hainmueller, J. (2010). Synthetic control methods for "
    "comparative case studies. Journal of the American Statistical Association 105(490):493-505; "
    "Firpo, S. and Possebom, V. (2018). Synthetic control method: inference, sensitivity "
    "analysis and confidence sets. Journal of Causal Inference 6(2)."
)


@dataclass(frozen=True)
class SynthResult(ResultMixin):
    """Synthetic-control estimate (percentage change over the post months) and placebo inference."""

    estimate: float  # observed / synthetic - 1 over the post months
    ci_low: float
    ci_high: float
    p: float  # placebo-in-space rank of the post/pre RMSPE ratio
    alpha: float
    weights: dict[str, float]  # donor -> weight (non-zero only)
    rmspe_pre: float  # on the scale of the area's pre-period mean (1 = 100%)
    rmspe_post: float
    rmspe_ratio: float
    rank: int  # 1 = most extreme of treated + placebos
    n_placebos: int
    n_donors: int
    observed_post: float
    synthetic_post: float
    months: tuple[str, ...]
    observed: tuple[float, ...]  # counts by month
    synthetic: tuple[float, ...]  # synthetic counts by month
    method: str = (
        "Synthetic control on series scaled by their pre-period mean; non-negative donor weights "
        "summing to 1 fitted by constrained least squares on the pre-period (scipy.optimize.nnls); "
        "p-value: rank of the post/pre RMSPE ratio among in-space placebos (Abadie et al. 2010); "
        "interval: inversion of that test for a constant proportional effect (Firpo and Possebom 2018)"
    )
    reference: str = SYNTH_REFERENCE


def synth_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to 1 minimising ||target - donors @ w|| (donors: T0 x J)."""
    j = donors.shape[1]
    if j == 1:
        return np.ones(1)
    scale = max(float(np.abs(donors).max()), 1e-9)
    lam = 1e3 * scale * math.sqrt(donors.shape[0])
    a = np.vstack([donors, np.full((1, j), lam)])
    b = np.concatenate([target, [lam]])
    w, _ = optimize.nnls(a, b, maxiter=50 * j)
    total = w.sum()
    return w / total if total > 0 else np.full(j, 1 / j)


def _fit_one(series: np.ndarray, donors: np.ndarray, n_pre: int) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    w = synth_weights(series[:n_pre], donors[:n_pre])
    synthetic = donors @ w
    gap = series - synthetic
    pre = math.sqrt(float(np.mean(gap[:n_pre] ** 2)))
    post = math.sqrt(float(np.mean(gap[n_pre:] ** 2)))
    post_obs = float(series[n_pre:].sum())
    post_syn = float(synthetic[n_pre:].sum())
    effect = math.log(post_obs / post_syn) if post_obs > 0 and post_syn > 0 else float("nan")
    return w, synthetic, pre, post, effect


def _inverted_interval(
    obs_post: np.ndarray, syn_post: np.ndarray, r_pre: float, placebo_ratios: np.ndarray, alpha: float
) -> tuple[float, float]:
    """Effects c (treated post divided by 1 + c) that the RMSPE-ratio rank test does not reject.

    Firpo and Possebom (2018): the placebos do not involve the treated area, so only the
    treated ratio moves with c. With u = 1 / (1 + c) the test accepts while
    mean((u y_t - s_t)^2) <= (R r_pre)^2, R the critical placebo ratio: a quadratic in u.
    """
    n = placebo_ratios.size
    # accept c while 1 + #{placebo >= ratio(c)} > alpha (n + 1)
    need = int(math.floor(alpha * (n + 1)))  # number of placebos that must be at least as large
    if need < 1:
        return -1.0, math.inf
    crit = np.sort(placebo_ratios)[::-1][need - 1]
    if not math.isfinite(crit) or r_pre <= 0:
        return -1.0, math.inf
    bound = (crit * r_pre) ** 2
    a = float(np.mean(obs_post**2))
    b = float(np.mean(obs_post * syn_post))
    c0 = float(np.mean(syn_post**2)) - bound
    if a <= 0:
        return float("nan"), float("nan")
    disc = b * b - a * c0
    if disc < 0:
        return float("nan"), float("nan")
    u1, u2 = (b - math.sqrt(disc)) / a, (b + math.sqrt(disc)) / a
    if u2 <= 0:
        return float("nan"), float("nan")
    high = math.inf if u1 <= 0 else 1 / u1 - 1
    low = 1 / u2 - 1
    return low, high


def synthetic_control(
    panel: Any,
    treated: str,
    *,
    pre: Any,
    post: Any,
    donors: list[str] | None = None,
    value_col: str = "count",
    alpha: float = 0.05,
    max_placebos: int | None = None,
    seed: int | None = 0,
) -> SynthResult:
    """Synthetic control estimate for a single treated area.

    Parameters
    ----------
    panel : DataFrame
        Long frame ``area, month, value_col``; not changed.
    treated : str
        The treated area.
    pre, post : ('YYYY-MM', 'YYYY-MM'), 'FROM..TO' or list of months
    donors : list of str, optional
        Donor pool; default every other area. Leave buffers out. Donors with no crimes in the
        pre-period are dropped.
    alpha : float, default 0.05
    max_placebos : int, optional
        Cap on the in-space placebos (a random subset, ``default_rng(seed)``); default all donors.

    Returns
    -------
    SynthResult
        ``estimate = sum(observed post) / sum(synthetic post) - 1``.

    Notes
    -----
    Each series is divided by its own pre-period mean, so the synthetic area reproduces the
    treated area's month-to-month shape rather than its size, and gaps read as proportions.
    Weights minimise the pre-period squared gap subject to ``w >= 0``, ``sum(w) = 1`` (solved as
    a non-negative least-squares problem with the sum constraint as a heavily weighted row).
    Inference: each donor in turn is treated as if treated (donor pool = the other donors);
    ``p`` = rank of the treated area's post/pre RMSPE ratio / (placebos + 1). The interval
    inverts that test for a constant proportional effect (Firpo and Possebom 2018): every c
    for which the treated post counts divided by ``1 + c`` would not be rejected. It can be
    open-ended (``ci_high`` infinite, shown as null in JSON) when few placebos are available.

    References
    ----------
    Abadie, Diamond and Hainmueller (2010); Firpo and Possebom (2018).
    """
    alpha = check_alpha(alpha)
    if not isinstance(treated, str):
        raise TypeError(f"treated was {treated!r}; synthetic control takes one area name")
    pre_m = month_range(pre, "pre")
    post_m = month_range(post, "post")
    if set(pre_m) & set(post_m):
        raise InvalidInput("pre and post overlap; the periods must not share months")
    if len(pre_m) < 3:
        raise InvalidInput(f"pre was {pre!r}; synthetic control needs at least 3 pre-period months")
    p = to_panel(panel, value_col=value_col, months=pre_m + post_m)
    ti = int(p.index_of([treated], "treated")[0])
    if donors is None:
        donors = [a for a in p.areas if a != treated]
    if treated in donors:
        raise InvalidInput(f"donors was {donors!r}; it must not contain the treated area {treated!r}")
    di = p.index_of([str(d) for d in donors], "donors")
    n_pre = len(pre_m)
    y = p.counts
    pre_mean = y[:, :n_pre].mean(axis=1)
    if pre_mean[ti] <= 0:
        raise InvalidInput(f"treated was {treated!r}; it has no crimes in the pre-period")
    di = di[pre_mean[di] > 0]
    if di.size < 2:
        raise InvalidInput("donors: synthetic control needs at least 2 donor areas with crimes in the pre-period")
    norm = y / np.where(pre_mean > 0, pre_mean, 1.0)[:, None]
    donor_mat = norm[di].T  # T x J
    w, synthetic, r_pre, r_post, eff = _fit_one(norm[ti], donor_mat, n_pre)
    ratio = r_post / r_pre if r_pre > 0 else math.inf

    placebo_idx = np.arange(di.size)
    if max_placebos is not None and max_placebos < di.size:
        rng = np.random.default_rng(seed)
        placebo_idx = rng.choice(di.size, size=max_placebos, replace=False)
    ratios = []
    for j in placebo_idx:
        others = np.delete(np.arange(di.size), j)
        _, _, pr, po, _ = _fit_one(donor_mat[:, j], donor_mat[:, others], n_pre)
        ratios.append(po / pr if pr > 0 else math.inf)
    ratios_a = np.array(ratios)
    rank = int(1 + np.sum(ratios_a >= ratio - 1e-12))
    pval = rank / (ratios_a.size + 1)
    lo, hi = _inverted_interval(norm[ti, n_pre:], synthetic[n_pre:], r_pre, ratios_a, alpha)
    scale = pre_mean[ti]
    synthetic_counts = synthetic * scale
    return SynthResult(
        estimate=math.expm1(eff) if math.isfinite(eff) else float("nan"),
        ci_low=lo,
        ci_high=hi,
        p=float(pval),
        alpha=alpha,
        weights={p.areas[di[k]]: float(w[k]) for k in np.argsort(-w) if w[k] > 1e-6},
        rmspe_pre=r_pre,
        rmspe_post=r_post,
        rmspe_ratio=ratio,
        rank=rank,
        n_placebos=int(ratios_a.size),
        n_donors=int(di.size),
        observed_post=float(y[ti, n_pre:].sum()),
        synthetic_post=float(synthetic_counts[n_pre:].sum()),
        months=p.months,
        observed=tuple(float(v) for v in y[ti]),
        synthetic=tuple(float(v) for v in synthetic_counts),
    )
