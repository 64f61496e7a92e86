"""Tactic scorecards from a results review (``clearhold.reports.review.build_review``).

``tactics_from_review(review)`` turns the review's figures into the input rows of
``clearhold.analytics.evaluation.scorecard``; ``scorecards(review, ...)`` does both. Effects on
crime come from an evaluation (``clearhold.evaluation.flows.evaluate``) and are attached to the
tactics they measure by the caller (``effects={"Hotspot patrols": {...}}``): the operation-level
design cannot separate one tactic from another, so by default no tactic gets one.
"""

from __future__ import annotations

from typing import Any


# results of clearhold.record.vocab.WARRANT_RESULTS that count as a positive outcome
WARRANT_SUCCESS = frozenset({"executed_items_found", "closure_granted"})


# figure keys of the results review (older names first, current names second)
ALIASES = {
    "anpr_stops": ("anpr_stops", "anpr_vehicle_stops"),
    "arrests_from_anpr_stops": ("arrests_from_anpr_stops", "anpr_stop_arrests"),
    "test_purchase_failures": ("test_purchase_failures", "test_purchase_fails"),
}


def _fig(review: dict[str, Any], fid: str) -> dict[str, Any] | None:
    names = ALIASES.get(fid, (fid,))
    for f in review.get("figures", []):
        if f.get("id", f.get("key")) in names:
            return f
    return None


def _n(f: dict[str, Any] | None) -> int:
    return 0 if f is None else len(f.get("record_ids", []))


def tactics_from_review(review: dict[str, Any]) -> list[dict[str, Any]]:
    """Scorecard rows for the tactics the review has figures for (volume > 0 only).

    - ANPR-initiated stops: volume = ANPR stops, outcomes = arrests linked to those stops
      (counted per stop would be ideal; the review links arrests to stops, so an arrest count
      above the stop count is capped and said so).
    - Test purchases: outcomes = failures (a sale made or attempted).
    - Warrants: outcomes = results ``executed_items_found`` or ``closure_granted``.
    - Weapons sweeps, hotspot patrols, referrals: volume only. Patrol hours delivered count as
      officer hours: a lower bound (one officer per patrol), so the cost is a lower bound too.
    """
    rows: list[dict[str, Any]] = []
    stops, arrests = _fig(review, "anpr_stops"), _fig(review, "arrests_from_anpr_stops")
    if stops and stops["value"]:
        out = int(arrests["value"]) if arrests else 0
        rows.append({"tactic": "ANPR-initiated stops", "volume": int(stops["value"]), "volume_unit": "stops",
                     "outcomes": min(out, int(stops["value"])), "outcome_label": "arrests"})
    tp, fails = _fig(review, "test_purchases"), _fig(review, "test_purchase_failures")
    if tp and tp["value"]:
        rows.append({"tactic": "Test purchases", "volume": int(tp["value"]), "volume_unit": "test purchases",
                     "outcomes": int(fails["value"]) if fails else 0, "outcome_label": "failures (sale made)"})
    w = _fig(review, "warrants")
    if w and w["value"]:
        found = sum(int(b["value"]) for b in w.get("breakdowns", {}).get("result", [])
                    if str(b["key"]) in WARRANT_SUCCESS)
        rows.append({"tactic": "Warrants", "volume": int(w["value"]), "volume_unit": "warrants",
                     "outcomes": min(found, int(w["value"])), "outcome_label": "warrants with items found or a closure granted"})
    sw = _fig(review, "weapons_sweeps")
    if sw and sw["value"]:
        rows.append({"tactic": "Weapons sweeps", "volume": int(sw["value"]), "volume_unit": "sweeps"})
    pm, ph = _fig(review, "patrol_minutes"), _fig(review, "patrol_hours")
    if pm and pm["value"]:
        rows.append({"tactic": "Hotspot patrols", "volume": _n(pm), "volume_unit": "patrols",
                     "officer_hours": float(pm["value"]) / 60.0})
    elif ph and ph["value"]:
        rows.append({"tactic": "Hotspot patrols", "volume": _n(ph), "volume_unit": "patrols",
                     "officer_hours": float(ph["value"])})
    rf = _fig(review, "referrals")
    if rf and rf["value"]:
        rows.append({"tactic": "Diversion referrals", "volume": int(rf["value"]), "volume_unit": "referrals"})
    return rows


def scorecards(
    review: dict[str, Any],
    *,
    officer_hour_gbp: float | None = None,
    effects: dict[str, Any] | None = None,
    alpha: float = 0.05,
):
    """``scorecard`` over the review's tactics, with measured effects attached by tactic name."""
    from clearhold.analytics.evaluation import scorecard

    rows = tactics_from_review(review)
    for row in rows:
        if effects and row["tactic"] in effects:
            row["effect"] = effects[row["tactic"]]
    return scorecard(rows, officer_hour_gbp=officer_hour_gbp, alpha=alpha)
