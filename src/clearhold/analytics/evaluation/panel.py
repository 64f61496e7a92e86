"""Monthly panels and a fast two-way fixed-effects count GLM (private engine).

The Poisson / negative binomial (NB2, known alpha) GLM with area and month fixed effects
and one or more extra regressors is fitted by IRLS, with the fixed effects swept out by an
exact weighted two-way projection (the month effects solve a months x months system after
the area effects are concentrated out). The result equals statsmodels' GLM with area and
month dummies (tested), at a fraction of the cost, which makes 999-draw randomisation
inference on 500 areas affordable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clearhold.errors import InvalidInput


@dataclass(frozen=True)
class Panel:
    """A balanced areas x months matrix of counts."""

    counts: np.ndarray  # (areas, months) float
    areas: tuple[str, ...]
    months: tuple[str, ...]

    def index_of(self, names: list[str], what: str) -> np.ndarray:
        lookup = {a: i for i, a in enumerate(self.areas)}
        missing = [n for n in names if n not in lookup]
        if missing:
            raise InvalidInput(f"{what} was {missing!r}; these areas are not in the panel")
        return np.array([lookup[n] for n in names], dtype=int)


def month_label(value: Any) -> str:
    """'YYYY-MM' for a Period, Timestamp, date or string."""
    if isinstance(value, pd.Period):
        return value.strftime("%Y-%m")
    if isinstance(value, str):
        text = value.strip()[:7]
        try:
            return pd.Period(text, freq="M").strftime("%Y-%m")
        except (ValueError, TypeError):
            raise InvalidInput(f"month was {value!r}; it must look like YYYY-MM") from None
    try:
        return pd.Timestamp(value).to_period("M").strftime("%Y-%m")
    except (ValueError, TypeError):
        raise InvalidInput(f"month was {value!r}; it must be a month (YYYY-MM)") from None


def month_range(spec: Any, name: str) -> list[str]:
    """Months of a period given as ('YYYY-MM', 'YYYY-MM') inclusive, 'FROM..TO' or a list."""
    if isinstance(spec, str):
        if ".." not in spec:
            raise InvalidInput(f"{name} was {spec!r}; write it as FROM..TO, e.g. 2022-01..2022-08")
        spec = tuple(spec.split("..", 1))
    if isinstance(spec, tuple) and len(spec) == 2:
        start, end = (pd.Period(month_label(s), freq="M") for s in spec)
        if end < start:
            raise InvalidInput(f"{name} was {spec!r}; the end month is before the start month")
        return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]
    if isinstance(spec, list | np.ndarray | pd.Index | pd.Series):
        months = [month_label(m) for m in spec]
        if not months:
            raise InvalidInput(f"{name} was empty; give at least one month")
        return months
    raise TypeError(f"{name} was {spec!r}; give ('YYYY-MM', 'YYYY-MM'), 'FROM..TO' or a list of months")


def to_panel(
    frame: Any,
    *,
    area_col: str = "area",
    month_col: str = "month",
    value_col: str = "count",
    months: list[str] | None = None,
) -> Panel:
    """A balanced panel from a long frame (missing area-months are zeros); the frame is not changed."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"panel was {type(frame).__name__}; it must be a pandas DataFrame")
    for col in (area_col, month_col, value_col):
        if col not in frame.columns:
            raise InvalidInput(f"panel has no column {col!r}; columns are {list(frame.columns)!r}")
    if frame.empty:
        raise InvalidInput("panel was empty; it needs counts by area and month")
    values = pd.to_numeric(frame[value_col], errors="coerce")
    if values.isna().any() or (values < 0).any() or not np.isfinite(values).all():
        raise InvalidInput(f"panel column {value_col!r} must hold finite, non-negative numbers")
    labels = {m: month_label(m) for m in pd.unique(frame[month_col])}
    long = pd.DataFrame(
        {
            "area": frame[area_col].astype(str).to_numpy(),
            "month": frame[month_col].map(labels).to_numpy(),
            "value": values.to_numpy(dtype=float),
        }
    )
    wide = long.pivot_table(index="area", columns="month", values="value", aggfunc="sum", fill_value=0.0)
    if months is not None:
        wide = wide.reindex(columns=months, fill_value=0.0)
    else:
        wide = wide.sort_index(axis=1)
    return Panel(
        counts=wide.to_numpy(dtype=float),
        areas=tuple(str(a) for a in wide.index),
        months=tuple(str(m) for m in wide.columns),
    )


class TwoWay:
    """Weighted projection off area and month fixed effects for fixed weights W (areas x months)."""

    def __init__(self, weights: np.ndarray) -> None:
        self.w = weights
        self.wi = weights.sum(axis=1)
        wt = weights.sum(axis=0)
        k = np.diag(wt) - (weights.T / self.wi) @ weights
        # the system is singular by one constant (shared by area and month effects): fix the
        # first month's effect at 0 and invert the rest (positive definite for positive weights)
        self.k_inv = np.linalg.inv(k[1:, 1:]) if k.shape[0] > 1 else np.zeros((0, 0))

    def effects(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Area and month effects (a, g) of the weighted LS fit of z (..., A, T) on the dummies."""
        w = self.w
        wz = w * z
        m = wz.sum(axis=-1) / self.wi
        r = wz.sum(axis=-2) - m @ w
        g = np.zeros_like(r)
        g[..., 1:] = r[..., 1:] @ self.k_inv
        a = (wz.sum(axis=-1) - g @ w.T) / self.wi
        return a, g

    def resid(self, z: np.ndarray) -> np.ndarray:
        a, g = self.effects(z)
        return z - a[..., :, None] - g[..., None, :]


@dataclass(frozen=True)
class FEFit:
    beta: np.ndarray
    mu: np.ndarray
    weights: np.ndarray  # IRLS weights mu / (1 + alpha mu)
    resid_score: np.ndarray  # (y - mu) / (1 + alpha mu)
    x_tilde: np.ndarray  # (p, A, T) regressors with the fixed effects swept out
    hessian: np.ndarray  # (p, p)
    nb_alpha: float
    iterations: int

    def se_model(self) -> np.ndarray:
        return np.sqrt(np.diag(np.linalg.inv(self.hessian)))

    def se_cluster(self) -> np.ndarray:
        """Cluster-robust (by area) standard errors, CR1 (G/(G-1)) small-sample factor."""
        scores = (self.x_tilde * self.resid_score[None]).sum(axis=-1)  # (p, A)
        meat = scores @ scores.T
        g = scores.shape[1]
        hinv = np.linalg.inv(self.hessian)
        cov = hinv @ meat @ hinv * (g / (g - 1))
        return np.sqrt(np.diag(cov))


def fit_fe_glm(
    y: np.ndarray,
    x: np.ndarray | None = None,
    *,
    nb_alpha: float = 0.0,
    offset: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> FEFit:
    """Poisson (nb_alpha=0) or NB2 GLM, log link, area + month fixed effects, regressors x (p, A, T).

    Every area and month must have a positive total (the caller drops all-zero areas).
    """
    if x is None:
        x = np.zeros((0,) + y.shape)
    p = x.shape[0]
    off = np.zeros_like(y) if offset is None else offset
    mu = (y + y.mean(axis=1, keepdims=True)) / 2 + 1e-3
    eta = np.log(mu)
    beta = np.zeros(p)
    last_dev = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        w = mu / (1 + nb_alpha * mu)
        z = eta - off + (y - mu) / mu
        tw = TwoWay(w)
        zt = tw.resid(z)
        xt = tw.resid(x) if p else x
        if p:
            h = np.einsum("iat,jat->ij", xt * w, xt)
            beta = np.linalg.solve(h, np.einsum("iat,at->i", xt * w, zt))
            xb = np.tensordot(beta, x, axes=1)
            xtb = np.tensordot(beta, xt, axes=1)
        else:
            xb = xtb = 0.0
        eta = (z - xb) - (zt - xtb) + xb + off
        mu = np.exp(eta)
        dev = _deviance(y, mu, nb_alpha)
        if abs(dev - last_dev) <= tol * (abs(dev) + 0.1):
            break
        last_dev = dev
    w = mu / (1 + nb_alpha * mu)
    tw = TwoWay(w)
    xt = tw.resid(x) if p else x
    h = np.einsum("iat,jat->ij", xt * w, xt) if p else np.zeros((0, 0))
    return FEFit(
        beta=beta,
        mu=mu,
        weights=w,
        resid_score=(y - mu) / (1 + nb_alpha * mu),
        x_tilde=xt,
        hessian=h,
        nb_alpha=float(nb_alpha),
        iterations=it,
    )


def _deviance(y: np.ndarray, mu: np.ndarray, nb_alpha: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    if nb_alpha == 0:
        return float(2 * np.sum(term - (y - mu)))
    a = nb_alpha
    t2 = (y + 1 / a) * np.log((1 + a * y) / (1 + a * mu))
    return float(2 * np.sum(term - t2))


@dataclass(frozen=True)
class DispersionTest:
    """Cameron and Trivedi (1990) regression test of Poisson equidispersion against NB2."""

    alpha_hat: float
    t: float
    p: float
    overdispersed: bool
    method: str = (
        "Cameron-Trivedi (1990) auxiliary regression: ((y-mu)^2 - y)/mu on mu without intercept, "
        "one-sided t-test of the slope (NB2 alpha) at 5%"
    )


def dispersion_test(y: np.ndarray, mu: np.ndarray, level: float = 0.05, *, n_params: int = 0) -> DispersionTest:
    """Over-dispersion test on a Poisson fit (Cameron and Trivedi 1990, Journal of Econometrics 46).

    Squared residuals are scaled by ``n / (n - n_params)`` so that fitted effects (e.g. one per
    area and month) do not make the counts look less dispersed than they are.
    """
    y = np.ravel(y)
    mu = np.ravel(mu)
    keep = mu > 1e-9
    y, mu = y[keep], mu[keep]
    n_all = y.size
    scale = n_all / (n_all - n_params) if n_all > n_params else 1.0
    dep = ((y - mu) ** 2 * scale - y) / mu
    alpha = float(np.sum(dep * mu) / np.sum(mu**2))
    resid = dep - alpha * mu
    n = y.size
    s2 = float(np.sum(resid**2) / max(n - 1, 1))
    se = np.sqrt(s2 / np.sum(mu**2)) if s2 > 0 else np.inf
    t = float(alpha / se) if se > 0 else 0.0
    p = float(stats.t.sf(t, df=max(n - 1, 1)))
    return DispersionTest(alpha_hat=max(alpha, 0.0), t=t, p=p, overdispersed=bool(p < level and alpha > 0))
