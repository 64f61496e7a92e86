"""Before/after comparisons with a control and a buffer: WDD and WDQ."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clearhold.analytics.evaluation._common import (
    ResultMixin,
    check_alpha,
    check_counts,
    check_pair,
    z_interval,
)
from clearhold.errors import InvalidInput

WDD_REFERENCE = (
    "Wheeler, A. P. and Ratcliffe, J. H. (2018). A simple weighted displacement difference test "
    "to evaluate place based crime interventions. Crime Science 7:11."
)
WDQ_REFERENCE = (
    "Bowers, K. J. and Johnson, S. D. (2003). Measuring the geographical displacement and "
    "diffusion of benefit effects of crime prevention activity. Journal of Quantitative "
    "Criminology 19(3):275-301."
)


@dataclass(frozen=True)
class WDDResult(ResultMixin):
    """Weighted Displacement Difference. Negative ``estimate`` = fewer crimes than the control implies."""

    estimate: float
    se: float
    z: float
    ci_low: float
    ci_high: float
    p: float
    alpha: float
    treated_change: float
    control_change: float
    buffer_change: float | None
    buffer_control_change: float | None
    local_estimate: float
    local_se: float
    displacement_estimate: float | None
    displacement_se: float | None
    dispersion: float
    weighted: bool
    method: str = "Weighted Displacement Difference (Wheeler and Ratcliffe 2018)"
    reference: str = WDD_REFERENCE


@dataclass(frozen=True)
class WDQResult(ResultMixin):
    """Weighted Displacement Quotient, its two measures, total net effect and the reading."""

    wdq: float | None
    success_measure: float
    buffer_measure: float
    total_net_effect: float
    treated_net_effect: float
    buffer_net_effect: float
    reading: str
    explanation: str
    method: str = "Weighted Displacement Quotient (Bowers and Johnson 2003)"
    reference: str = WDQ_REFERENCE


def _weights(weights: Any, size: int) -> np.ndarray:
    if weights is None:
        return np.ones(size)
    w = check_counts(weights, "weights")
    w = np.atleast_1d(w)
    if w.shape != (size,):
        raise InvalidInput(
            f"weights was {weights!r}; it must have one weight per crime type ({size} expected)"
        )
    return w


def _change_and_var(pair: tuple[np.ndarray, np.ndarray], w: np.ndarray) -> tuple[float, float]:
    before, after = pair
    change = float(np.sum(w * (after - before)))
    var = float(np.sum(w**2 * (after + before)))
    return change, var


def wdd(
    treated: Any,
    control: Any,
    buffer: Any = None,
    buffer_control: Any = None,
    alpha: float = 0.05,
    *,
    weights: Any = None,
    dispersion: float = 1.0,
) -> WDDResult:
    """Weighted Displacement Difference test of a place-based intervention.

    Parameters
    ----------
    treated, control : (before, after) pair
        Crime counts in the treated (target) and control areas before and after (or during)
        the intervention, over periods of equal length. Each side is a single count or, with
        ``weights``, a list of counts by crime type.
    buffer, buffer_control : (before, after) pair, optional
        Counts in the buffer (displacement catchment) and the buffer's own control. When only
        ``buffer`` is given, ``control`` serves as the buffer's control too (and, because it
        then enters the estimate twice, its variance counts four times).
    alpha : float, default 0.05
        Two-sided level; the interval is the ``1 - alpha`` normal interval.
    weights : sequence of float, optional
        Harm weights (e.g. Crime Severity Score) per crime type, applied to the by-type counts.
    dispersion : float, default 1.0
        Variance inflation factor. The published test assumes Poisson counts (1.0); crime counts
        are usually over-dispersed, which makes that variance too small. Pass an estimate of the
        variance-to-mean ratio of the period totals (``evaluate_panel`` estimates one) to widen
        the interval accordingly.

    Returns
    -------
    WDDResult
        ``estimate = (T_a - T_b) - (C_a - C_b) [+ (D_a - D_b) - (Cd_a - Cd_b)]``; negative
        means the treated area (and buffer) fell more than the control implies. ``se`` is the
        square root of the variance, ``z = estimate / se``, ``p`` two-sided.

    Notes
    -----
    Method: Wheeler and Ratcliffe (2018). Treating every count as an independent Poisson
    variable, the variance of the difference is the sum of the counts. With harm weights the
    weighted count ``sum_k w_k N_k`` has variance ``sum_k w_k^2 N_k`` (a weighted sum of
    independent Poisson counts), so the variance becomes the sum of squared weights times
    counts. Periods must be of equal length; areas need not be of equal size, but the test
    assumes the control's change in counts is what the treated area would have seen.

    References
    ----------
    Wheeler, A. P. and Ratcliffe, J. H. (2018). Crime Science 7:11.

    Examples
    --------
    >>> r = wdd((60, 40), (50, 50))
    >>> r.estimate, r.se
    (-20.0, 14.142135623730951)
    """
    alpha = check_alpha(alpha)
    if isinstance(dispersion, bool) or not isinstance(dispersion, int | float | np.floating):
        raise TypeError(f"dispersion was {dispersion!r}; it must be a number >= 1")
    if not math.isfinite(dispersion) or dispersion <= 0:
        raise InvalidInput(f"dispersion was {dispersion!r}; it must be a positive finite number (1 = Poisson)")
    t = check_pair(treated, "treated")
    c = check_pair(control, "control")
    size = t[0].size
    for name, pair in (("control", c),):
        if pair[0].size != size:
            raise InvalidInput(f"{name} has {pair[0].size} crime types but treated has {size}")
    if buffer is None and buffer_control is not None:
        raise InvalidInput("buffer_control was given without buffer; give buffer too or drop buffer_control")
    w = _weights(weights, size)
    if weights is None and size > 1:
        # by-type lists without weights: plain totals
        w = np.ones(size)

    dt, vt = _change_and_var(t, w)
    dc, vc = _change_and_var(c, w)
    local = dt - dc
    local_var = vt + vc
    db = dbc = disp = disp_var = None
    if buffer is not None:
        d = check_pair(buffer, "buffer")
        if d[0].size != size:
            raise InvalidInput(f"buffer has {d[0].size} crime types but treated has {size}")
        db, vd = _change_and_var(d, w)
        if buffer_control is None:
            dbc, vbc = dc, vc
            disp = db - dbc
            disp_var = vd + vbc
            estimate = dt + db - 2 * dc
            var = vt + vd + 4 * vc
        else:
            bc = check_pair(buffer_control, "buffer_control")
            if bc[0].size != size:
                raise InvalidInput(f"buffer_control has {bc[0].size} crime types but treated has {size}")
            dbc, vbc = _change_and_var(bc, w)
            disp = db - dbc
            disp_var = vd + vbc
            estimate = local + disp
            var = local_var + disp_var
    else:
        estimate, var = local, local_var
    var *= float(dispersion)
    se = math.sqrt(var)
    z, lo, hi, p = z_interval(estimate, se, alpha)
    return WDDResult(
        estimate=float(estimate),
        se=se,
        z=z,
        ci_low=lo,
        ci_high=hi,
        p=p,
        alpha=alpha,
        treated_change=dt,
        control_change=dc,
        buffer_change=db,
        buffer_control_change=dbc,
        local_estimate=float(local),
        local_se=math.sqrt(local_var * dispersion),
        displacement_estimate=None if disp is None else float(disp),
        displacement_se=None if disp_var is None else math.sqrt(disp_var * dispersion),
        dispersion=float(dispersion),
        weighted=weights is not None,
    )


_READINGS = {
    "no success": (
        "The treated area did not fall relative to the control (success measure >= 0), so the "
        "quotient cannot be read as displacement or diffusion."
    ),
    "diffusion of benefits": (
        "The buffer also fell relative to the control: the benefit spread beyond the treated area."
    ),
    "no displacement or diffusion": "The buffer changed exactly as the control did.",
    "displacement smaller than benefit": (
        "The buffer rose relative to the control, but by less than the treated area fell: "
        "some crime may have moved, and the net effect is still a reduction."
    ),
    "displacement outweighing benefit": (
        "The buffer rose relative to the control by at least as much as the treated area fell: "
        "displacement cancels or outweighs the benefit."
    ),
}


def wdq(treated: Any, control: Any, buffer: Any, *, weights: Any = None) -> WDQResult:
    """Weighted Displacement Quotient and total net effect.

    Parameters
    ----------
    treated, control, buffer : (before, after) pair
        Counts in the response (treated) area R, the control area C and the buffer D, before
        (b) and after (a). Each side a single count or, with ``weights``, a list by crime type.
    weights : sequence of float, optional
        Harm weights per crime type.

    Returns
    -------
    WDQResult
        ``success_measure = R_a/C_a - R_b/C_b`` (negative = success),
        ``buffer_measure = D_a/C_a - D_b/C_b``, ``wdq = buffer_measure / success_measure``
        (None when the success measure is 0), ``total_net_effect = (R_b C_a/C_b - R_a) +
        (D_b C_a/C_b - D_a)`` (crimes prevented; positive = net reduction), and the reading:
        "no success" (success measure >= 0), "diffusion of benefits" (WDQ > 0), "no
        displacement or diffusion" (WDQ = 0), "displacement smaller than benefit"
        (-1 < WDQ < 0), "displacement outweighing benefit" (WDQ <= -1).

    Notes
    -----
    Method: Bowers and Johnson (2003). The quotient has no sampling distribution of its own;
    read it alongside the WDD test, which gives the uncertainty.

    References
    ----------
    Bowers, K. J. and Johnson, S. D. (2003). Journal of Quantitative Criminology 19(3).

    Examples
    --------
    >>> r = wdq((100, 60), (200, 200), (80, 70))
    >>> round(r.wdq, 6), r.reading
    (0.25, 'diffusion of benefits')
    """
    r = check_pair(treated, "treated")
    c = check_pair(control, "control")
    d = check_pair(buffer, "buffer")
    size = r[0].size
    for name, pair in (("control", c), ("buffer", d)):
        if pair[0].size != size:
            raise InvalidInput(f"{name} has {pair[0].size} crime types but treated has {size}")
    w = _weights(weights, size)
    rb, ra = float(np.sum(w * r[0])), float(np.sum(w * r[1]))
    cb, ca = float(np.sum(w * c[0])), float(np.sum(w * c[1]))
    db, da = float(np.sum(w * d[0])), float(np.sum(w * d[1]))
    if cb <= 0 or ca <= 0:
        raise InvalidInput(
            f"control was {control!r}; the control needs crimes both before and after (the quotient divides by them)"
        )
    success = ra / ca - rb / cb
    bmeasure = da / ca - db / cb
    ratio = ca / cb
    treated_net = rb * ratio - ra
    buffer_net = db * ratio - da
    quotient = None if success == 0 else bmeasure / success
    if success >= 0:
        reading = "no success"
    elif bmeasure < 0:
        reading = "diffusion of benefits"
    elif bmeasure == 0:
        reading = "no displacement or diffusion"
    elif quotient is not None and quotient > -1:
        reading = "displacement smaller than benefit"
    else:
        reading = "displacement outweighing benefit"
    return WDQResult(
        wdq=quotient,
        success_measure=success,
        buffer_measure=bmeasure,
        total_net_effect=treated_net + buffer_net,
        treated_net_effect=treated_net,
        buffer_net_effect=buffer_net,
        reading=reading,
        explanation=_READINGS[reading],
    )


def dispersion_factor(monthly_counts: Any) -> float:
    """Variance inflation for WDD period totals from monthly history (areas x months array).

    NB2 monthly counts with means ``mu_k`` and dispersion alpha give period totals whose
    variance-to-mean ratio is ``1 + alpha mu_k``; for several areas the count-weighted
    ``1 + alpha sum(mu_k^2) / sum(mu_k)``. Alpha is the Cameron-Trivedi moment estimate after
    area and month effects (area means only when there is one area). Returns at least 1.
    """
    from clearhold.analytics.evaluation.panel import dispersion_test, fit_fe_glm

    y = check_counts(monthly_counts, "monthly_counts")
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[1] < 3:
        raise InvalidInput("monthly_counts must be an areas x months array with at least 3 months")
    y = y[y.sum(axis=1) > 0]
    if y.size == 0:
        return 1.0
    mu = y.mean(axis=1)
    if y.shape[0] >= 2 and np.all(y.sum(axis=0) > 0):
        nb_alpha = dispersion_test(y, fit_fe_glm(y, None).mu, n_params=sum(y.shape) - 1).alpha_hat
    else:
        m, v = float(y[0].mean()), float(y[0].var(ddof=1))
        nb_alpha = max(0.0, (v - m) / m**2)
    return float(1.0 + nb_alpha * np.sum(mu**2) / np.sum(mu))


def empirical_dispersion(treated_history: Any, control_history: Any, months_per_period: int) -> float | None:
    """Variance inflation seen in the history itself: pseudo-WDDs of consecutive periods.

    For every pair of consecutive ``months_per_period``-month windows of the before months
    (sliding by one month), the WDD ``(T2 - T1) - (C2 - C1)`` under no intervention; returns
    ``mean(d^2) / mean(T1 + T2 + C1 + C2)`` (at least 1), or None with fewer than two pairs.
    Unlike the NB factor this also captures differences in trend and season between the areas,
    which real areas have (a placebo on Northamptonshire LSOAs showed the NB factor alone rejects
    too often). Few windows make it noisy; use the larger of the two factors.
    """
    t = check_counts(treated_history, "treated_history")
    c = check_counts(control_history, "control_history")
    if t.ndim != 1 or t.shape != c.shape:
        raise InvalidInput("treated_history and control_history must be monthly series of equal length")
    k = int(months_per_period)
    if k < 1:
        raise InvalidInput(f"months_per_period was {months_per_period!r}; it must be at least 1")
    n_pairs = t.size - 2 * k + 1
    if n_pairs < 2:
        return None
    ct, cc = np.concatenate([[0.0], np.cumsum(t)]), np.concatenate([[0.0], np.cumsum(c)])
    starts = np.arange(n_pairs)
    t1, t2 = ct[starts + k] - ct[starts], ct[starts + 2 * k] - ct[starts + k]
    c1, c2 = cc[starts + k] - cc[starts], cc[starts + 2 * k] - cc[starts + k]
    d = (t2 - t1) - (c2 - c1)
    pois = t1 + t2 + c1 + c2
    if pois.mean() <= 0:
        return None
    return float(max(1.0, np.mean(d**2) / np.mean(pois)))
