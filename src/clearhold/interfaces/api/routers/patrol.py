"""Patrol plans from the crime store (``clearhold.hotspot.flows.patrol_plan``) as JSON, a patrol
sheet (HTML, PDF) or GeoJSON, and recording a plan's visits in an operation's ledger.

Viewing a plan needs ``patrol.read`` (officers too); writing the planned visits into the ledger
needs ``patrol.plan``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, CONFLICT, INVALID, NOT_FOUND
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["patrol plans"], responses=AUTH_ERRORS)

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
SHIFT = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"
WEIGHTS = r"^[a-z0-9][a-z0-9-]{0,40}$"  # a harm-set name, never a file path
SLUG = r"^[a-z0-9][a-z0-9-]{1,63}$"
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "geojson": "application/geo+json"}


class PatrolPlanIn(BaseModel):
    """What a patrol plan is computed from (the options of ``clearhold patrol plan``)."""

    model_config = ConfigDict(extra="forbid")

    area: str | None = Field(default=None, max_length=100, description="Area slug or lsoa:/ward:/lad:/csp:/force: spec; none for every stored crime")
    start_month: str | None = Field(default=None, pattern=MONTH, description="First month of crime history (YYYY-MM)")
    end_month: str | None = Field(default=None, pattern=MONTH, description="Last month of crime history (YYYY-MM)")
    crime_types: list[str] | None = Field(default=None, max_length=14)
    weights: str = Field(default="count", pattern=WEIGHTS, description="count or a harm-set name")
    cell_size_m: float | None = Field(default=None, ge=25, le=5000)
    budget_hours: float = Field(gt=0, le=200, description="Officer hours for hotspot visits in the shift")
    shift: str = Field(pattern=SHIFT, description="Local time (Europe/London) HH:MM-HH:MM; may cross midnight")
    shift_date: date | None = Field(default=None, description="Day the shift starts (default today)")
    visit_minutes: float = Field(default=15, ge=1, le=120)
    max_visits_per_cell: int = Field(default=3, ge=1, le=10)


class RecordPlanIn(PatrolPlanIn):
    """A plan to compute and record in the operation's ledger (one planned patrol per visit)."""

    tactic: str | None = Field(default=None, max_length=100, description="The operation's tactic to attach")
    officers: int = Field(default=1, ge=1, le=20)


class VisitOut(BaseModel):
    order: int
    unit: int
    cell_id: str
    x_m: float
    y_m: float
    lon: float
    lat: float
    grid_ref: str
    start: str
    end: str
    harm: float
    visit_number: int
    visits_to_cell: int


class PatrolPlanOut(BaseModel):
    area: str | None
    period: dict[str, str | None]
    crime_types: list[str] | str
    weights: str
    shift_start: str
    shift_end: str
    visit_minutes: float
    budget_minutes: float
    used_minutes: float
    units: int
    harm_total: float
    harm_covered: float
    harm_share: float
    n_cells: int
    cell_size_m: float | None
    rule: str
    visits: list[VisitOut]
    warnings: list[str]


class RecordedPlanOut(BaseModel):
    operation: str
    record_ids: list[int]
    plan: PatrolPlanOut


def compute(request: Request, data: PatrolPlanIn) -> tuple[Any, list[str]]:
    """The plan (``PlanWithContext``) and the warnings the analytics raised (e.g. visit length)."""
    import warnings

    from clearhold.errors import InvalidInput, SourceError
    from clearhold.hotspot import flows
    from clearhold.interfaces.api.routers.analysis import _area_spec

    if data.shift_date is not None and not 2000 <= data.shift_date.year <= 2100:
        raise InvalidInput(f"shift_date was {data.shift_date.isoformat()}; give a day from 2000 to 2100")
    settings = request.app.state.settings
    with scope(request) as session, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            plan = flows.patrol_plan(
                store=settings.resolved_store, area=_area_spec(session, data.area), start_month=data.start_month,
                end_month=data.end_month, crime_types=data.crime_types or None, weights=data.weights,
                cell_size_m=data.cell_size_m, budget_hours=float(data.budget_hours), shift=data.shift,
                shift_date=data.shift_date, visit_minutes=float(data.visit_minutes),
                max_visits_per_cell=int(data.max_visits_per_cell), session=session)
        except SourceError as exc:  # a store that cannot answer: the caller's choice of data, not a crash
            raise InvalidInput(f"the crime store could not answer: {exc}") from exc
    return plan, [str(w.message) for w in caught]


def plan_dict(plan, warnings: list[str]) -> dict[str, Any]:
    from clearhold.reports.evaluation.render import clean

    return clean({**plan.to_dict(), "warnings": warnings})


def download(plan, fmt: str) -> Response:
    """The patrol sheet (HTML, PDF) or the GeoJSON of the visited cells, as an attachment."""
    import json
    import tempfile
    from pathlib import Path as FilePath

    from clearhold.reports import hotspot_patrol
    from clearhold.reports.evaluation.render import clean

    if fmt == "html":
        body: bytes | str = hotspot_patrol.sheet_html(plan)
    elif fmt == "pdf":
        with tempfile.TemporaryDirectory() as tmp:
            out = FilePath(tmp) / "plan.pdf"
            hotspot_patrol.write_pdf(plan, out)
            body = out.read_bytes()
    else:
        body = json.dumps(clean(hotspot_patrol.plan_geojson(plan)), ensure_ascii=False, default=str)
    name = f"patrol-plan-{plan.shift_start:%Y%m%d-%H%M}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def split_types(values: list[str] | None) -> list[str] | None:
    out = [t.strip() for v in values or [] for t in re.split(r",", v) if t.strip()]
    return out or None


@router.get("/patrol-plan", response_model=PatrolPlanOut, responses={
    **NOT_FOUND, **INVALID,
    200: {"description": "The plan (JSON), the patrol sheet (HTML, PDF) or the visited cells (GeoJSON)",
          "content": {"application/json": {}, "text/html": {}, "application/pdf": {}, "application/geo+json": {}}}})
def get_patrol_plan(
    request: Request,
    budget_hours: float = Query(gt=0, le=200),
    shift: str = Query(pattern=SHIFT),
    area: str | None = Query(default=None, max_length=100),
    start_month: str | None = Query(default=None, alias="from", pattern=MONTH),
    end_month: str | None = Query(default=None, alias="to", pattern=MONTH),
    types: list[str] | None = Query(default=None, max_length=14),
    weights: str = Query(default="count", pattern=WEIGHTS),
    cell_size_m: float | None = Query(default=None, ge=25, le=5000),
    shift_date: date | None = Query(default=None, alias="date"),
    visit_minutes: float = Query(default=15, ge=1, le=120),
    max_visits_per_cell: int = Query(default=3, ge=1, le=10),
    fmt: Literal["json", "html", "pdf", "geojson"] = Query(default="json", alias="format"),
    who: Principal = Depends(allow("patrol.read")),
):
    """A patrol plan: visits of ``visit_minutes`` to the cells with most harm, within the budget,
    spread over the shift (docs/hotspots.md, "Patrol plans")."""
    data = PatrolPlanIn(area=area or None, start_month=start_month, end_month=end_month, crime_types=split_types(types),
                        weights=weights, cell_size_m=cell_size_m, budget_hours=budget_hours, shift=shift,
                        shift_date=shift_date, visit_minutes=visit_minutes, max_visits_per_cell=max_visits_per_cell)
    plan, warnings = compute(request, data)
    if fmt != "json":
        return download(plan, fmt)
    return JSONResponse(plan_dict(plan, warnings))


def record(request: Request, who: Principal, slug: str, data: RecordPlanIn) -> dict[str, Any]:
    """Compute the plan and store each visit as a planned ``patrol`` record of operation ``slug``."""
    from clearhold.area import service as areas
    from clearhold.hotspot import flows
    from clearhold.operation import service as operations

    with scope(request) as session:
        op = operations.get(session, slug=slug)  # 404 before any work
        area_slug = None
        if data.area and re.match(SLUG, data.area):
            area = areas.get(session, slug=data.area)
            area_slug = area.slug if area.operation_id == op.id else None
    plan, warnings = compute(request, data)
    with scope(request) as session:
        ids = flows.record_planned_patrols(session, plan=plan, operation=slug, entered_by=who.name, area=area_slug,
                                           tactic=data.tactic, officers=data.officers)
    return {"operation": slug, "record_ids": ids, "plan": plan_dict(plan, warnings)}


@router.post("/operations/{slug}/patrol-plan", status_code=201, response_model=RecordedPlanOut,
             responses={**NOT_FOUND, **CONFLICT, **INVALID})
def record_patrol_plan(request: Request, data: RecordPlanIn, slug: str = Path(pattern=SLUG),
                       who: Principal = Depends(allow("patrol.plan"))):
    """Compute a plan and record every visit in the operation's ledger as a planned patrol
    (``planned=True``, ``hotspot_ref`` = cell id), so planned and delivered patrol time can be
    compared. Recording the same plan twice is refused (409: the references repeat)."""
    return JSONResponse(record(request, who, slug, data), status_code=201)
