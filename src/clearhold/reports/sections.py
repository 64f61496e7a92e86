"""Sections of the results review that come from the evaluation domain: tactic scorecards
(from the review's own figures) and, when asked for, the evaluation of the operation against
its comparison areas (from police recorded crime)."""

from __future__ import annotations

from typing import Any


def add_scorecards(review: dict[str, Any], *, officer_hour_gbp: float | None = None) -> dict[str, Any]:
    """The review with a ``scorecards`` key: volume, yield with a Wilson interval, cost, and a
    "business as usual?" paragraph per tactic."""
    from clearhold.evaluation.scorecards import scorecards

    return {**review, "scorecards": scorecards(review, officer_hour_gbp=officer_hour_gbp).to_dict()}


def add_evaluation(review: dict[str, Any], evaluation: dict[str, Any] | None) -> dict[str, Any]:
    """The review with an ``evaluation`` key (the JSON of ``clearhold evaluate``), or None."""
    return {**review, "evaluation": evaluation}


def evaluate_operation(session, *, review: dict[str, Any], store=None, before: str | None = None,
                       during: str | None = None, n_draws: int = 999) -> dict[str, Any]:
    """Evaluate the review's operation: by default the 12 months before it against its period."""
    from datetime import date

    from clearhold.evaluation.flows import evaluate

    start = date.fromisoformat(review["period"]["from"])
    end = date.fromisoformat(review["period"]["to"])
    if before is None:
        first = (start.year - 1, start.month)
        last = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
        before = f"{first[0]}-{first[1]:02d}..{last[0]}-{last[1]:02d}"
    during = during or f"{start:%Y-%m}..{end:%Y-%m}"
    return evaluate(store=store, session=session, operation=review["operation"]["slug"], before=before,
                    during=during, n_draws=n_draws)
