"""Tactic scorecards: volume, yield, cost and what the evidence supports ("business as usual?")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from clearhold.analytics.evaluation._common import ResultMixin, check_alpha
from clearhold.errors import InvalidInput

WILSON_REFERENCE = (
    "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. "
    "JASA 22(158); Brown, Cai and DasGupta (2001). Interval estimation for a binomial proportion. "
    "Statistical Science 16(2)."
)


@dataclass(frozen=True)
class MeasuredEffect(ResultMixin):
    """An effect on crime measured for the tactic's area and period (from the evaluation)."""

    method: str
    estimate: float  # proportional change, -0.2 = 20% fewer
    ci_low: float
    ci_high: float
    p: float
    maryland_level: int
    mde_fall: float | None = None  # smallest fall the design could detect, if known


@dataclass(frozen=True)
class TacticScore(ResultMixin):
    tactic: str
    volume: int
    volume_unit: str
    outcomes: int | None
    outcome_label: str
    yield_rate: float | None
    yield_ci_low: float | None
    yield_ci_high: float | None
    officer_hours: float | None
    cost_gbp: float | None
    hours_per_outcome: float | None
    cost_per_outcome_gbp: float | None
    effect: MeasuredEffect | None
    effect_supported: str  # "reduction" | "increase" | "no detectable effect" | "not measured"
    evidence_strength: str
    business_as_usual: str


@dataclass(frozen=True)
class Scorecard(ResultMixin):
    tactics: tuple[TacticScore, ...]
    alpha: float
    officer_hour_gbp: float | None
    method: str = "Yield with a Wilson score interval; cost = officer hours x hourly rate + direct costs"
    reference: str = WILSON_REFERENCE


def wilson_interval(successes: int, trials: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927)."""
    if trials <= 0:
        raise InvalidInput(f"trials was {trials!r}; it must be positive")
    if not 0 <= successes <= trials:
        raise InvalidInput(f"successes was {successes!r}; it must be between 0 and trials ({trials})")
    z = NormalDist().inv_cdf(1 - alpha / 2)
    phat = successes / trials
    denom = 1 + z * z / trials
    centre = (phat + z * z / (2 * trials)) / denom
    half = z * math.sqrt(phat * (1 - phat) / trials + z * z / (4 * trials * trials)) / denom
    # With no successes (or no failures) the bound is exactly 0 (or 1); floating point would give 1e-17.
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == trials else min(1.0, centre + half)
    return lo, hi


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _signed_pct(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "unbounded"
    return f"{100 * x:+.0f}%"


def _money(x: float) -> str:
    return f"£{x:,.0f}"


def _number(value: Any, name: str, *, integer: bool = False, optional: bool = True) -> Any:
    if value is None:
        if optional:
            return None
        raise InvalidInput(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} was {value!r}; it must be a number")
    if integer and int(value) != value:
        raise InvalidInput(f"{name} was {value!r}; it must be a whole number")
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"{name} was {value!r}; it must be a non-negative number")
    return int(value) if integer else float(value)


def _effect(value: Any, name: str) -> MeasuredEffect | None:
    if value is None:
        return None
    if isinstance(value, MeasuredEffect):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} was {value!r}; give a MeasuredEffect or a dict")
    try:
        return MeasuredEffect(
            method=str(value["method"]),
            estimate=float(value["estimate"]),
            ci_low=float(value["ci_low"]),
            ci_high=float(value["ci_high"]),
            p=float(value["p"]),
            maryland_level=int(value.get("maryland_level", 2)),
            mde_fall=None if value.get("mde_fall") is None else float(value["mde_fall"]),
        )
    except KeyError as exc:
        raise InvalidInput(f"{name} lacks {exc.args[0]!r}; it needs method, estimate, ci_low, ci_high, p") from None


def _bau(score: dict, eff: MeasuredEffect | None, alpha: float) -> tuple[str, str, str]:
    """The effect verdict, evidence strength and the 'business as usual?' paragraph."""
    parts = []
    unit, label = score["volume_unit"], score["outcome_label"]
    if score["outcomes"] is not None and score["volume"] > 0:
        parts.append(
            f"{score['volume']} {unit} led to {score['outcomes']} {label} "
            f"({_pct(score['yield_rate'])}; {_pct(1 - alpha)} interval {_pct(score['yield_ci_low'])} to "
            f"{_pct(score['yield_ci_high'])})."
        )
    else:
        parts.append(f"{score['volume']} {unit} were recorded; no outcomes were linked to them.")
    if score["cost_per_outcome_gbp"] is not None:
        parts.append(f"Each of the {label} cost about {_money(score['cost_per_outcome_gbp'])} in officer time and direct costs.")
    elif score["officer_hours"] is None and score["cost_gbp"] is None:
        parts.append("Officer hours were not recorded, so the tactic cannot be costed.")
    level = None
    if eff is None:
        verdict, strength = "not measured", "activity only"
        parts.append(
            "No effect on crime has been measured for this tactic: the evaluation design does not "
            "separate it from the rest of the operation. Volume and yield show that it was done and "
            "what it produced, not that it changed crime."
        )
        settle = (
            "To settle it, run the tactic in some comparable areas or weeks and not in others "
            "(ideally chosen at random) and record where and when each activity took place."
        )
    else:
        level = eff.maryland_level
        significant = eff.p < alpha and (eff.ci_high < 0 or eff.ci_low > 0)
        if significant and eff.estimate < 0:
            verdict = "reduction"
            strength = "moderate" if level >= 3 else "weak"
            parts.append(
                f"{eff.method} measured a fall of {_pct(-eff.estimate)} in crime ({_pct(1 - alpha)} "
                f"interval {_signed_pct(eff.ci_low)} to {_signed_pct(eff.ci_high)}, p = {eff.p:.3f}), "
                f"a Maryland level {level} design."
            )
            if level < 3:
                parts.append(
                    "Without a comparison area the fall could reflect a wider trend, so this is weak evidence."
                )
            settle = (
                "A replication in other areas with comparison areas (or random assignment) would "
                "show whether the effect holds."
            )
        elif significant:
            verdict = "increase"
            strength = "moderate" if level >= 3 else "weak"
            parts.append(
                f"{eff.method} measured a rise of {_pct(eff.estimate)} in recorded crime "
                f"({_pct(1 - alpha)} interval {_signed_pct(eff.ci_low)} to {_signed_pct(eff.ci_high)}, "
                f"p = {eff.p:.3f}); more proactive work can raise recorded crime (e.g. weapons and "
                "drugs found), so check which crime types rose."
            )
            settle = "Break the change down by crime type and compare with reactive (victim-reported) crime."
        else:
            verdict, strength = "no detectable effect", "inconclusive"
            parts.append(
                f"{eff.method} estimated a change of {_signed_pct(eff.estimate)} in crime "
                f"({_pct(1 - alpha)} interval {_signed_pct(eff.ci_low)} to {_signed_pct(eff.ci_high)}, "
                f"p = {eff.p:.3f}). The interval includes no change, so the data cannot tell an "
                "effect from chance; this is neither evidence of an effect nor evidence of its absence."
            )
            if eff.mde_fall is not None:
                parts.append(
                    f"The design could only have detected an effect of about {_pct(eff.mde_fall)} or more."
                )
            settle = (
                "To settle it: a longer period, more comparison areas, or running the tactic in some "
                "areas and not in others chosen at random."
            )
    if verdict == "reduction" and level is not None and level >= 3:
        parts.append(
            "On this evidence the tactic is a candidate for business as usual, weighed against its cost."
        )
    else:
        parts.append(
            "The evidence does not yet show an effect on crime; a decision to adopt it as business as "
            "usual would rest on its yield and cost, not on a demonstrated effect."
        )
    parts.append(settle)
    return verdict, strength, " ".join(parts)


def scorecard(
    tactics: Sequence[Mapping[str, Any]],
    *,
    officer_hour_gbp: float | None = None,
    alpha: float = 0.05,
) -> Scorecard:
    """Scorecards for the tactics of an operation.

    Parameters
    ----------
    tactics : sequence of dict
        One dict per tactic with keys:

        - ``tactic`` (str, required): e.g. "ANPR-initiated stops"
        - ``volume`` (int, required): e.g. 95 (stops)
        - ``volume_unit`` (str): e.g. "stops" (default "activities")
        - ``outcomes`` (int, optional): e.g. 21 (arrests resulting)
        - ``outcome_label`` (str): e.g. "arrests" (default "outcomes")
        - ``officer_hours`` (float, optional), ``cost_gbp`` (float, optional): direct costs
        - ``effect`` (MeasuredEffect or dict with method, estimate, ci_low, ci_high, p,
          maryland_level, optional mde_fall): a measured effect on crime, if any
    officer_hour_gbp : float, optional
        Cost of one officer hour (configuration, stated with its source by the caller).
    alpha : float, default 0.05
        For the Wilson interval and for reading the effect.

    Returns
    -------
    Scorecard
        One ``TacticScore`` per tactic, in the order given. ``business_as_usual`` is a paragraph
        that never reports an effect unless its interval excludes no change at ``alpha``.

    References
    ----------
    Wilson (1927); Brown, Cai and DasGupta (2001).

    Examples
    --------
    >>> card = scorecard([{"tactic": "ANPR stops", "volume": 95, "volume_unit": "stops",
    ...                    "outcomes": 21, "outcome_label": "arrests"}])
    >>> round(card.tactics[0].yield_rate, 3)
    0.221
    """
    alpha = check_alpha(alpha)
    rate = _number(officer_hour_gbp, "officer_hour_gbp")
    if isinstance(tactics, str | bytes | Mapping) or not isinstance(tactics, Sequence):
        raise TypeError(f"tactics was {tactics!r}; give a list of dicts, one per tactic")
    scores = []
    for i, raw in enumerate(tactics):
        where = f"tactics[{i}]"
        if not isinstance(raw, Mapping):
            raise TypeError(f"{where} was {raw!r}; it must be a dict")
        name = raw.get("tactic")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}.tactic was {name!r}; give the tactic's name")
        volume = _number(raw.get("volume"), f"{where}.volume", integer=True, optional=False)
        outcomes = _number(raw.get("outcomes"), f"{where}.outcomes", integer=True)
        if outcomes is not None and outcomes > volume:
            raise InvalidInput(
                f"{where}.outcomes was {outcomes}; it cannot exceed volume ({volume}) — "
                "count outcomes per activity (e.g. stops that led to an arrest)"
            )
        hours = _number(raw.get("officer_hours"), f"{where}.officer_hours")
        direct = _number(raw.get("cost_gbp"), f"{where}.cost_gbp")
        eff = _effect(raw.get("effect"), f"{where}.effect")
        if outcomes is not None and volume > 0:
            yr = outcomes / volume
            lo, hi = wilson_interval(outcomes, volume, alpha)
        else:
            yr = lo = hi = None
        cost = None
        if hours is not None and rate is not None:
            cost = hours * rate + (direct or 0.0)
        elif direct is not None:
            cost = direct
        per_outcome = outcomes if outcomes else None
        score = {
            "tactic": name.strip(),
            "volume": volume,
            "volume_unit": str(raw.get("volume_unit") or "activities"),
            "outcomes": outcomes,
            "outcome_label": str(raw.get("outcome_label") or "outcomes"),
            "yield_rate": yr,
            "yield_ci_low": lo,
            "yield_ci_high": hi,
            "officer_hours": hours,
            "cost_gbp": cost,
            "hours_per_outcome": hours / per_outcome if hours is not None and per_outcome else None,
            "cost_per_outcome_gbp": cost / per_outcome if cost is not None and per_outcome else None,
        }
        verdict, strength, text = _bau(score, eff, alpha)
        scores.append(
            TacticScore(**score, effect=eff, effect_supported=verdict, evidence_strength=strength, business_as_usual=text)
        )
    return Scorecard(tactics=tuple(scores), alpha=alpha, officer_hour_gbp=rate)
