"""Analysis: tactic scorecards from the results review, hotspot maps from the crime store."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from clearhold.interfaces.api.deps import allow
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, INVALID, NOT_FOUND
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["analysis"], responses=AUTH_ERRORS)
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def scorecards_for(request: Request, who: Principal, slug: str, start: date | None, end: date | None,
                   officer_hour_gbp: float | None) -> dict[str, Any]:
    from clearhold.evaluation.scorecards import scorecards
    from clearhold.interfaces.api.routers.review import build_for

    review = build_for(request, who, slug, start, end)
    return scorecards(review, officer_hour_gbp=officer_hour_gbp).to_dict()


@router.get("/operations/{slug}/scorecards", responses={**NOT_FOUND, **INVALID})
def get_scorecards(request: Request, slug: str = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$"),
                   start: date | None = Query(default=None, alias="from"),
                   end: date | None = Query(default=None, alias="to"),
                   officer_hour_gbp: float | None = Query(default=None, gt=0, le=10_000),
                   who: Principal = Depends(allow("analysis.read"))) -> dict[str, Any]:
    """Yield, cost and evidence per tactic (clearhold.evaluation.scorecards) over the review."""
    return scorecards_for(request, who, slug, start, end, officer_hour_gbp)


AREA_PREFIXES = ("lsoa:", "ward:", "lad:", "csp:", "force:", "pfa:")


def _area_spec(session, area: str | None):
    """An area the web may name: a records-database slug or a prefixed spec, never a file path.

    (``clearhold.geo.areas.resolve`` also reads GeoJSON files from the server's disk; that is
    for the command line only.)
    """
    import re

    from clearhold.errors import InvalidInput

    area = (area or "").strip()
    if not area:
        return None
    if area.lower().startswith(AREA_PREFIXES):
        if "/" in area or "\\" in area:
            raise InvalidInput(f"area was {area!r}; it must not contain / or \\")
        return area
    if re.match(r"^[a-z0-9][a-z0-9-]{1,63}$", area):
        from clearhold.area import service as areas

        return areas.get(session, slug=area)
    raise InvalidInput(f"area was {area!r}; give an area slug or lsoa:CODE,CODE, ward:NAME, lad:NAME, csp:NAME, "
                       "force:NAME")


def hotspots_geojson(request: Request, *, area: str | None, start_month: str | None, end_month: str | None,
                     method: str) -> dict[str, Any]:
    from clearhold.hotspot import service as hotspots
    from clearhold.interfaces.api.deps import scope
    from clearhold.reports.hotspot_outputs import to_geojson

    settings = request.app.state.settings
    with scope(request) as session:
        run = hotspots.run(store=settings.resolved_store, area=_area_spec(session, area), start_month=start_month,
                           end_month=end_month, method=method, session=session)
    return to_geojson(run.cells, run.result.cell_size_m, run.meta(), boundary=run.boundary)


@router.get("/hotspots", responses={**NOT_FOUND, **INVALID})
def get_hotspots(request: Request, area: str | None = Query(default=None, max_length=100),
                 start_month: str | None = Query(default=None, alias="from", pattern=MONTH),
                 end_month: str | None = Query(default=None, alias="to", pattern=MONTH),
                 method: Literal["gistar", "kde", "count", "emerging"] = "gistar",
                 who: Principal = Depends(allow("analysis.read"))):
    """Hotspot cells of police recorded crime (GeoJSON, WGS84) for an area and months."""
    return JSONResponse(hotspots_geojson(request, area=area, start_month=start_month, end_month=end_month,
                                         method=method))
