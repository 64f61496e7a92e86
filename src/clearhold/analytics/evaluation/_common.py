"""Input checks and small helpers shared by the evaluation estimators (private)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from clearhold.errors import InvalidInput

_NORMAL = NormalDist()


def check_alpha(alpha: Any, name: str = "alpha") -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating):
        raise TypeError(f"{name} was {alpha!r}; it must be a number between 0 and 1")
    alpha = float(alpha)
    if not (0.0 < alpha < 1.0) or math.isnan(alpha):
        raise InvalidInput(f"{name} was {alpha!r}; it must be strictly between 0 and 1 (e.g. 0.05)")
    return alpha


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} was {value!r}; it must be a whole number >= {minimum}")
    if value < minimum:
        raise InvalidInput(f"{name} was {value!r}; it must be a whole number >= {minimum}")
    return int(value)


def check_counts(values: Any, name: str, *, allow_float: bool = True) -> np.ndarray:
    """A float array of finite, non-negative counts (or harm-weighted counts)."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} was {values!r}; it must be numbers, not text")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} was {values!r}; it must be numbers") from None
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(f"{name} was {values!r}; every value must be a finite number")
    if np.any(arr < 0):
        raise InvalidInput(f"{name} was {values!r}; counts cannot be negative")
    return arr.copy()


def check_pair(value: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A (before, after) pair; each side a count or an array of counts by crime type."""
    if value is None or isinstance(value, str | bytes | dict) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(f"{name} was {value!r}; it must be a (before, after) pair of counts")
    if len(value) != 2:
        raise InvalidInput(f"{name} was {value!r}; it must be a (before, after) pair, got {len(value)} items")
    before = check_counts(value[0], f"{name}[0] (before)")
    after = check_counts(value[1], f"{name}[1] (after)")
    if before.shape != after.shape or before.ndim > 1:
        raise InvalidInput(
            f"{name} was {value!r}; before and after must both be single counts or equal-length "
            "lists of counts by crime type"
        )
    return np.atleast_1d(before), np.atleast_1d(after)


def z_interval(estimate: float, se: float, alpha: float) -> tuple[float, float, float, float]:
    """z, lower, upper and two-sided p of a normal (Wald) interval."""
    crit = _NORMAL.inv_cdf(1 - alpha / 2)
    if se > 0:
        z = estimate / se
        p = math.erfc(abs(z) / math.sqrt(2))  # two-sided normal tail
    else:
        z = math.copysign(math.inf, estimate) if estimate != 0 else 0.0
        p = 0.0 if estimate != 0 else 1.0
    return float(z), float(estimate - crit * se), float(estimate + crit * se), p


def as_dict(obj: Any) -> Any:
    """A JSON-ready copy of a (nested) frozen result: arrays become lists, NaN becomes None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: as_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): as_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [as_dict(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [as_dict(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else value
    return obj


class ResultMixin:
    """``to_dict()`` for the frozen result dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)
