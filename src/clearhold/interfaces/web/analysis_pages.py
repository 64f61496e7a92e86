"""Pages: hotspot patrol plans and evaluation results, over the same code as the JSON API
(``clearhold.interfaces.api.routers.patrol`` and ``.evaluation``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.web.pages import render
from clearhold.user.roles import allowed
from clearhold.user.service import Principal

router = APIRouter(include_in_schema=False)

PLAN_FIELDS = ("area", "start", "end", "budget_hours", "shift", "date", "visit_minutes", "max_visits_per_cell",
               "types", "weights", "cell_size_m")
PLAN_DEFAULTS = {"budget_hours": "3", "shift": "18:00-02:00", "visit_minutes": "15", "max_visits_per_cell": "3",
                 "weights": "count"}


def _plan_input(values: dict[str, str]):
    """The API's PatrolPlanIn from the form values; (None, errors by field) when not valid."""
    from pydantic import ValidationError

    from clearhold.interfaces.api.routers.patrol import PatrolPlanIn, split_types

    names = {"start_month": "start", "end_month": "end", "shift_date": "date", "crime_types": "types"}
    data = {"area": values.get("area") or None, "start_month": values.get("start") or None,
            "end_month": values.get("end") or None, "crime_types": split_types([values.get("types", "")]),
            "weights": values.get("weights") or "count", "cell_size_m": values.get("cell_size_m") or None,
            "budget_hours": values.get("budget_hours") or None, "shift": values.get("shift") or None,
            "shift_date": values.get("date") or None, "visit_minutes": values.get("visit_minutes") or 15,
            "max_visits_per_cell": values.get("max_visits_per_cell") or 3}
    try:
        return PatrolPlanIn(**data), {}
    except ValidationError as exc:
        errors = {}
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "__all__"
            errors[names.get(field, field)] = e["msg"]
        return None, errors


def _plan_map(plan) -> str:
    """The visited cells (and the study area) for /static/map.js: cells coloured as hot, the
    tooltip giving the crimes (harm) of the period in the cell."""
    from jinja2.utils import htmlsafe_json_dumps

    from clearhold.reports import hotspot_patrol
    from clearhold.reports.evaluation.render import clean

    collection = clean(hotspot_patrol.plan_geojson(plan))
    features = []
    for f in collection["features"]:
        p = f["properties"]
        if p.get("layer") == "patrol_cells":
            p = {**p, "layer": "cells", "hotspot_class": "hot", "count": p.get("harm")}
        features.append({**f, "properties": p})
    return htmlsafe_json_dumps({"areas": {"type": "FeatureCollection", "features": features}, "points": []})


def _plan_page(request: Request, who: Principal, values: dict[str, str], *, message: str = "",
               force: bool = False, status_code: int = 200, errors: dict | None = None):
    from clearhold.area import service as areas
    from clearhold.errors import ClearholdError
    from clearhold.hotspot.service import CRIME_TYPES
    from clearhold.interfaces.api.routers.patrol import compute, plan_dict
    from clearhold.operation import service as operations

    with scope(request) as session:
        area_choices = [(a.slug, a.name) for a in areas.list_(session)]
        op_choices = [(o.slug, o.name) for o in operations.list_(session)]
    errors = dict(errors or {})
    plan = data = map_json = None
    warnings: list[str] = []
    downloads: dict[str, str] = {}
    asked = force or any(values.get(k) for k in ("budget_hours", "shift", "area"))
    shown = {**PLAN_DEFAULTS, **{k: v for k, v in values.items() if v}}
    if asked and not errors:
        parsed, errors = _plan_input(shown)
        if parsed is not None:
            try:
                plan_obj, warnings = compute(request, parsed)
                data = plan_dict(plan_obj, warnings)
                plan = plan_obj
                map_json = _plan_map(plan_obj)
                query = {"area": shown.get("area", ""), "from": shown.get("start", ""), "to": shown.get("end", ""),
                         "budget_hours": shown["budget_hours"], "shift": shown["shift"], "date": shown.get("date", ""),
                         "visit_minutes": shown["visit_minutes"], "max_visits_per_cell": shown["max_visits_per_cell"],
                         "weights": shown["weights"], "cell_size_m": shown.get("cell_size_m", "")}
                query = {k: v for k, v in query.items() if v}
                types = [("types", t) for t in parsed.crime_types or []]
                downloads = {fmt: "/api/v1/patrol-plan?" + urlencode([*query.items(), *types, ("format", fmt)])
                             for fmt in ("html", "pdf", "geojson")}
            except ClearholdError as exc:
                errors["__all__"] = str(exc)
    if errors and status_code == 200:
        status_code = 422
    return render(request, "patrol_plan.html", who, status_code=status_code, values=shown, errors=errors,
                  data=data, plan=plan, map_json=map_json, warnings=warnings, downloads=downloads,
                  area_choices=area_choices, op_choices=op_choices, crime_types=CRIME_TYPES, message=message,
                  may_record=allowed(who.role, "patrol.plan"))


@router.get("/hotspots/patrol-plan")
def patrol_plan_page(request: Request, who: Principal = Depends(allow("patrol.read"))):
    """Form for a patrol plan; with its fields in the query, the plan: visits, map, downloads."""
    values = {k: request.query_params.get(k, "")[:200] for k in PLAN_FIELDS}
    values["area"] = request.query_params.get("area_spec", "").strip()[:200] or values["area"]
    return _plan_page(request, who, values)


@router.post("/hotspots/patrol-plan")
async def record_patrol_plan(request: Request, who: Principal = Depends(allow("patrol.plan"))):
    """Record the plan of the form's fields in the chosen operation's ledger (planned patrols)."""
    from clearhold.errors import ClearholdError
    from clearhold.interfaces.api.routers.patrol import RecordPlanIn, record

    form = await request.form()
    values = {k: str(form.get(k, ""))[:200] for k in PLAN_FIELDS}
    operation = str(form.get("operation", ""))[:64]

    def work():
        shown = {**PLAN_DEFAULTS, **{k: v for k, v in values.items() if v}}
        parsed, errors = _plan_input(shown)
        if parsed is None:
            return _plan_page(request, who, values, errors=errors)
        if not operation:
            return _plan_page(request, who, values, force=True, errors={"operation": "choose the operation"})
        try:
            out = record(request, who, operation, RecordPlanIn(**parsed.model_dump()))
        except ClearholdError as exc:
            return _plan_page(request, who, values, force=True, errors={"operation": str(exc)})
        message = (f"Recorded {len(out['record_ids'])} planned patrols in {operation} "
                   f"(records {out['record_ids'][0]} to {out['record_ids'][-1]}).")
        return _plan_page(request, who, values, force=True, message=message)

    return await run_in_threadpool(work)


# --- evaluation --------------------------------------------------------------------------------

def _chart_images(result: dict[str, Any]) -> list[dict[str, str]]:
    """The report's SVG charts as data: URIs (images are allowed from data:, inline styles are not)."""
    import base64

    from clearhold.reports.evaluation.render import charts

    return [{"title": c["title"], "src": "data:image/svg+xml;base64," + base64.b64encode(c["svg"].encode()).decode()}
            for c in charts(result)]


@router.get("/operations/{slug}/evaluation")
def evaluation_page(request: Request, slug: str, who: Principal = Depends(allow("evaluation.read"))):
    """Did it work? The operation's evaluation for the months asked (defaults: 12 months
    before, the operation's months), every method with interval and checks, and downloads."""
    import re

    from clearhold.errors import ClearholdError, InvalidInput
    from clearhold.hotspot.service import CRIME_TYPES
    from clearhold.interfaces.api.routers.evaluation import RANGE, default_periods, evaluate_for
    from clearhold.interfaces.api.routers.patrol import WEIGHTS, split_types
    from clearhold.operation import service as operations
    from clearhold.reports.evaluation.render import LABELS, _interval, _p

    q = {k: request.query_params.get(k, "").strip()[:400] for k in ("before", "during", "types", "weights", "weeks")}
    with scope(request) as session:
        op = operations.get(session, slug=slug)
    default_before, default_during = default_periods(op)
    values = {"before": q["before"] or default_before, "during": q["during"] or default_during,
              "types": q["types"], "weights": q["weights"] or "count", "weeks": q["weeks"]}
    result = error = None
    images: list[dict[str, str]] = []
    downloads: dict[str, str] = {}
    if request.query_params:
        try:
            for name in ("before", "during"):
                if not re.match(RANGE, values[name]):
                    raise InvalidInput(f"{name} was {values[name]!r}; give months as YYYY-MM..YYYY-MM")
            if not re.match(WEIGHTS, values["weights"]):
                raise InvalidInput(f"weights was {values['weights']!r}; give count or a harm-set name")
            weeks = None
            if values["weeks"]:
                try:
                    weeks = float(values["weeks"])
                except ValueError:
                    weeks = -1.0
                if not 0 < weeks <= 104:
                    raise InvalidInput(f"weeks was {values['weeks']!r}; give a number of weeks from 1 to 104")
            types = split_types([values["types"]])
            result = evaluate_for(request, slug, before=values["before"], during=values["during"], crime_types=types,
                                  weights=values["weights"], weeks=weeks)
            images = _chart_images(result)
            query = [("before", values["before"]), ("during", values["during"]), ("weights", values["weights"]),
                     *[("types", t) for t in types or []]]
            downloads = {fmt: f"/api/v1/operations/{slug}/evaluation?" + urlencode([*query, ("format", fmt)])
                         for fmt in ("html", "pdf", "json", "md")}
        except ClearholdError as exc:
            error = str(exc)
    methods = [(key, label, result[key], _interval(result[key]), _p(result[key]))
               for key, label in LABELS.items() if result and key in result]
    return render(request, "evaluation.html", who, status_code=422 if error else 200, op=op, values=values,
                  result=result, error=error, methods=methods, images=images, downloads=downloads,
                  crime_types=CRIME_TYPES)
