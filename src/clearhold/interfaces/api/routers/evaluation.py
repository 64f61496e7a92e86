"""Evaluation results of an operation ("did it work?"): ``clearhold.evaluation.flows.evaluate`` on
the crime store over the operation's target, comparison and buffer areas, as JSON or the
evaluation report (HTML, PDF, Markdown); optionally the planning answer (minimum detectable
effect, ``flows.plan``). Figures are monthly counts of public police.uk crime by area: aggregate,
so partners may read them too (docs/roles.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, INVALID, NOT_FOUND
from clearhold.interfaces.api.routers.patrol import SLUG, WEIGHTS, split_types
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=AUTH_ERRORS)

RANGE = r"^\d{4}-(0[1-9]|1[0-2])(\.\.\d{4}-(0[1-9]|1[0-2]))?$"
MEDIA = {"json": "application/json", "pdf": "application/pdf", "html": "text/html; charset=utf-8",
         "md": "text/markdown; charset=utf-8"}
METHOD_KEYS = ("wdd", "wdq", "did", "synthetic_control", "its")
MAX_MONTHS = 120


class MethodOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p: float | None = None
    reason: str | None = None
    checks: dict[str, Any] = {}


class EvaluationOut(BaseModel):
    """The dict of ``clearhold.evaluation.flows.evaluate`` (docs/evaluation.md, "Output")."""

    model_config = ConfigDict(extra="allow")

    operation: str | None
    periods: dict[str, Any]
    units: dict[str, Any]
    series: dict[str, Any]
    summary: str
    wdd: MethodOut
    wdq: MethodOut
    did: MethodOut
    synthetic_control: MethodOut
    its: MethodOut
    planning: dict[str, Any] | None = None


def _month_add(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) - 1 + n
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def default_periods(op, today: date | None = None) -> tuple[str, str]:
    """12 months before the operation's first month; the operation's months (to its end, or this
    month while it runs)."""
    today = today or date.today()
    first = op.starts_on.strftime("%Y-%m")
    last_day = min(op.ends_on, today) if op.ends_on else today
    last = max(first, last_day.strftime("%Y-%m"))
    return f"{_month_add(first, -12)}..{_month_add(first, -1)}", f"{first}..{last}"


def _months(spec: str, name: str) -> list[str]:
    from clearhold.errors import InvalidInput

    a, _, b = spec.partition("..")
    b = b or a
    if b < a:
        raise InvalidInput(f"{name} was {spec!r}; the last month is before the first")
    n = (int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7]) + 1
    if n > MAX_MONTHS:
        raise InvalidInput(f"{name} was {spec!r}; at most {MAX_MONTHS} months")
    return [_month_add(a, i) for i in range(n)]


def evaluate_for(request: Request, slug: str, *, before: str | None, during: str | None,
                 crime_types: list[str] | None, weights: str, weeks: float | None = None,
                 draws: int = 999) -> dict[str, Any]:
    """Run the evaluation of operation ``slug`` (defaults: see ``default_periods``).

    InvalidInput, with a message saying what to do, when the crime store has no crimes for the
    operation's areas in those months (instead of a report of zeros).
    """
    import warnings

    from clearhold.errors import InvalidInput, SourceError
    from clearhold.evaluation import flows
    from clearhold.operation import service as operations
    from clearhold.reports.evaluation.render import clean

    store = request.app.state.settings.resolved_store
    with scope(request) as session:
        op = operations.get(session, slug=slug)
        default_before, default_during = default_periods(op)
        before, during = before or default_before, during or default_during
        pre, post = _months(before, "before"), _months(during, "during")
        if pre[-1] >= post[0]:
            raise InvalidInput(f"before was {before!r}; it must end before during ({during}) starts")
        before, during = f"{pre[0]}..{pre[-1]}", f"{post[0]}..{post[-1]}"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = flows.evaluate(store=store, session=session, operation=slug, before=before, during=during,
                                        crime_types=crime_types, weights=weights, n_draws=draws)
            except SourceError as exc:
                raise InvalidInput(f"the crime store could not answer: {exc}") from exc
            except ArithmeticError as exc:  # e.g. a model on months that are all zero (not stored)
                raise InvalidInput(f"the evaluation could not be computed for before {before} and during {during} "
                                   f"({exc}); months the crime store does not hold count as zero: choose months that "
                                   "are stored (`clearhold crime publications` lists them)") from exc
            planning = None
            if weeks:
                try:
                    planning = flows.plan(store=store, session=session, operation=slug, history=before,
                                          duration_weeks=float(weeks), crime_types=crime_types)
                except (InvalidInput, ArithmeticError) as exc:
                    planning = {"error": str(exc)}
    series = result.get("series") or {}
    treated, control = (list(series.get(k) or []) for k in ("treated", "control"))
    if not sum(float(v or 0) for v in treated) and not sum(float(v or 0) for v in control):
        raise InvalidInput(f"the crime store has no crimes for the areas of {slug} in {before} and {during}; "
                           "load data.police.uk files with `clearhold crime ingest` or choose months that are stored")
    notes = [str(w.message) for w in caught]
    empty = [m for i, m in enumerate(series.get("months") or [])
             if not float((treated[i] if i < len(treated) else 0) or 0) and not float((control[i] if i < len(control) else 0) or 0)]
    if empty:  # a month with no crime at all in treated and comparison areas is a month not stored
        raise InvalidInput(f"no crime is stored for {', '.join(empty)} in the areas of {slug} (before {before}, "
                           f"during {during}); months not stored would count as zero and bias every estimate: "
                           "load them with `clearhold crime ingest` or choose months that are stored")
    result["planning"] = planning
    result["warnings"] = notes
    return clean(result)


@router.get("/operations/{slug}/evaluation", response_model=EvaluationOut, responses={
    **NOT_FOUND, **INVALID,
    200: {"description": "The evaluation (JSON, docs/evaluation.md) or its report (HTML, PDF, Markdown)",
          "content": {"application/json": {}, "text/html": {}, "application/pdf": {}, "text/markdown": {}}}})
def get_evaluation(
    request: Request,
    slug: str = Path(pattern=SLUG),
    before: str | None = Query(default=None, pattern=RANGE, description="YYYY-MM..YYYY-MM (default: the 12 months before the operation)"),
    during: str | None = Query(default=None, pattern=RANGE, description="YYYY-MM..YYYY-MM (default: the operation's months)"),
    types: list[str] | None = Query(default=None, max_length=14, description="Crime types (repeat or comma-separate)"),
    weights: str = Query(default="count", pattern=WEIGHTS, description="count or a harm-set name"),
    weeks: float | None = Query(default=None, gt=0, le=104, description="Also answer the planning question for this many weeks"),
    draws: int = Query(default=999, ge=99, le=1999, description="Placebo draws of the randomisation inference"),
    fmt: Literal["json", "html", "pdf", "md"] = Query(default="json", alias="format"),
    who: Principal = Depends(allow("evaluation.read")),
):
    """Did it work? Every method (WDD, WDQ, DiD, synthetic control, ITS) with its interval and checks."""
    from clearhold.reports.evaluation.render import render

    result = evaluate_for(request, slug, before=before, during=during, crime_types=split_types(types),
                          weights=weights, weeks=weeks, draws=draws)
    body = render(result, fmt)
    if fmt == "json":
        return Response(body, media_type=MEDIA["json"])
    name = f"evaluation-{slug}-{result['periods']['during']}.{fmt}".replace("..", "-")
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
