"""Use cases spanning the crime store, the analytics and the report writers: hotspot runs,
forecast checks, patrol plans, near-repeat tables from event files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from clearhold.analytics import hotspots as hs
from clearhold.errors import InvalidInput
from clearhold.hotspot import service
from clearhold.hotspot.service import HotspotRun

#: Shifts given as "HH:MM-HH:MM" are local time in this zone.
LOCAL_TZ = "Europe/London"


def hotspots(**kwargs: Any) -> HotspotRun:
    """Same as :func:`clearhold.hotspot.service.run` (store -> analytics)."""
    return service.run(**kwargs)


def forecast(hrun: HotspotRun, *, store: Any, area: str | None, start_month: str | None,
             end_month: str | None, session: Any = None) -> dict[str, Any]:
    """Hit rate, PAI and efficiency of a run's hotspots (classes hot, persistent, emerging)
    on a later period of the same area, types and weights, counted on the same grid."""
    from clearhold.crime import service as crime

    if not start_month or not end_month:
        raise InvalidInput("the forecast check needs both --test-from and --test-to (YYYY-MM)")
    start_month = service.check_month("test_from", start_month)
    end_month = service.check_month("test_to", end_month)
    resolved = crime.resolve_area(area, store=store, session=session) if area else None
    later = crime.load_points(store=store, area=resolved, start_month=start_month, end_month=end_month,
                              crime_types=list(hrun.crime_types) if hrun.crime_types else None,
                              weights=hrun.weights)
    if later.empty:
        raise InvalidInput(f"the later period {start_month} to {end_month} has no crimes")
    return forecast_from_points(hrun, later, period=(start_month, end_month))


def forecast_from_points(hrun: HotspotRun, later, *, period: tuple[str, str]) -> dict[str, Any]:
    grid = hrun.result.grid
    weights = later["harm"].to_numpy(float) if hrun.weights != "count" else None
    count, harm = hs.grid_counts(grid, later["x_m"].to_numpy(float), later["y_m"].to_numpy(float), weights=weights)
    selected = hrun.cells["hotspot_class"].isin(["hot", "persistent", "emerging"]).to_numpy()
    acc = hs.forecast_accuracy(selected, harm if hrun.weights != "count" else count)
    out = {"period": {"from": period[0], "to": period[1]}, "selected": "classes hot, persistent, emerging"}
    out.update({k: (float(v) if isinstance(v, float | np.floating) else int(v)) for k, v in acc.__dict__.items()})
    return out


def write(hrun: HotspotRun, out: Path) -> Path:
    from clearhold.reports.hotspot_outputs import write_cells

    title = f"Hotspots ({hrun.result.method}) - {hrun.area or 'all stored crime'}, {hrun.period[0]} to {hrun.period[1]}"
    write_cells(Path(out), hrun.cells, hrun.result.cell_size_m, hrun.meta(), boundary=hrun.boundary, title=title)
    return Path(out)


# ---------------------------------------------------------------------------- patrol plans

def patrol_plan(*, store: Any, area: str | None, start_month: str | None, end_month: str | None,
                crime_types: Any = None, weights: str = "count", cell_size_m: float | None = None,
                budget_hours: float, shift: str | tuple[datetime, datetime], shift_date: date | None = None,
                visit_minutes: float = 15, max_visits_per_cell: int = 3, session: Any = None):
    """A patrol plan over the harm per cell of the area and period (see
    :func:`clearhold.analytics.patrol.plan_patrols`). ``shift`` is ``"HH:MM-HH:MM"`` (on
    ``shift_date``, default today) or a (start, end) pair of datetimes."""
    from clearhold.analytics.patrol import parse_shift, plan_patrols

    if isinstance(shift, str):
        from zoneinfo import ZoneInfo

        start, end = parse_shift(shift, on=shift_date, tz=ZoneInfo(LOCAL_TZ))
    else:
        start, end = shift
    hrun = service.run(store=store, area=area, start_month=start_month, end_month=end_month,
                       method="count", crime_types=crime_types, weights=weights, cell_size_m=cell_size_m,
                       bandwidth_m=None, session=session)
    plan = plan_patrols(hrun.cells, budget_hours=budget_hours, shift_start=start, shift_end=end,
                        visit_minutes=visit_minutes, max_visits_per_cell=max_visits_per_cell,
                        cell_size_m=hrun.result.cell_size_m)
    return PlanWithContext(plan=plan, run=hrun)


class PlanWithContext:
    """A patrol plan with the hotspot run it came from (area, period, weights, boundary)."""

    def __init__(self, *, plan, run: HotspotRun) -> None:
        self.plan = plan
        self.run = run

    def __getattr__(self, name: str):
        return getattr(self.plan, name)

    def to_dict(self) -> dict[str, Any]:
        meta = self.run.meta()
        return {"area": meta["area"], "period": meta["period"], "crime_types": meta["crime_types"],
                "weights": meta["weights"], **self.plan.to_dict()}


def record_planned_patrols(session: Any, *, plan, operation: str, entered_by: str, area: str | None = None,
                           tactic: str | None = None, patrol_type: str = "hotspot_foot",
                           officers: int = 1) -> list[int]:
    """Record every planned visit in the ledger as a ``patrol`` record with ``planned=True``
    (start, end, place, ``hotspot_ref`` = cell id), so that the ledger can compare planned
    with delivered patrol time. Returns the new record ids. No commit (the caller's
    ``session_scope`` commits)."""
    from clearhold.record import service as record_service
    from clearhold.record.schemas import PatrolCreate

    p = plan.plan if isinstance(plan, PlanWithContext) else plan
    if any(v.start.tzinfo is None for v in p.visits):
        raise InvalidInput("the plan's times have no time zone; plan the shift with a time zone to record it")
    ids = []
    for v in p.visits:
        record_in = PatrolCreate(
            operation=operation, occurred_at=v.start, ended_at=v.end, lat=round(v.lat, 6), lon=round(v.lon, 6),
            area=area, tactic=tactic, patrol_type=patrol_type, hotspot_ref=v.cell_id, planned=True,
            officers=officers, ref=f"plan-{v.start:%Y%m%d%H%M}-{v.cell_id}-{v.visit_number}"[:64],
            location_text=f"grid ref {v.grid_ref}, unit {v.unit}")
        ids.append(record_service.create(session, record_in=record_in, entered_by=entered_by).id)
    return ids


def planned_patrols(plan, *, operation: str | None = None, area: str | None = None) -> list[dict[str, Any]]:
    """The planned visits as plain dicts ready to be recorded in the ledger (one per visit):
    ``operation``, ``area`` (slugs, if given), ``tactic`` "hotspot patrol", ``planned_start``,
    ``planned_end`` (datetimes), ``minutes``, ``lat``, ``lon``, ``cell_id``, ``grid_ref``,
    ``unit``, ``ref`` (``"patrol-<cell_id>-<n>"``)."""
    p = plan.plan if isinstance(plan, PlanWithContext) else plan
    out = []
    for v in p.visits:
        out.append({"operation": operation, "area": area, "tactic": "hotspot patrol",
                    "planned_start": v.start, "planned_end": v.end, "minutes": p.visit_minutes,
                    "lat": v.lat, "lon": v.lon, "cell_id": v.cell_id, "grid_ref": v.grid_ref,
                    "unit": v.unit, "ref": f"patrol-{v.cell_id}-{v.visit_number}"})
    return out


def write_plan(plan: PlanWithContext, out: Path, *, title: str = "Hotspot patrol plan") -> Path:
    from clearhold.reports import hotspot_patrol

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".html":
        out.write_text(hotspot_patrol.sheet_html(plan, title=title), encoding="utf-8")
    elif suffix == ".pdf":
        hotspot_patrol.write_pdf(plan, out, title=title)
    elif suffix in (".geojson", ".json"):
        import json

        out.write_text(json.dumps(hotspot_patrol.plan_geojson(plan), ensure_ascii=False), encoding="utf-8")
    else:
        raise InvalidInput(f"out was {str(out)!r}; the patrol sheet must end in .html, .pdf or .geojson")
    return out


# ---------------------------------------------------------------------------- near repeats

def near_repeat_from_csv(path: Path, **kwargs: Any):
    """Knox table from a CSV with ``occurred_at`` and ``x_m, y_m`` (BNG) or ``lon, lat``."""
    import pandas as pd

    from clearhold.analytics.near_repeat import knox_table

    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"events file {str(path)!r} does not exist")
    df = pd.read_csv(path)
    if "occurred_at" not in df.columns:
        raise InvalidInput(f"{path.name} has no occurred_at column; it needs occurred_at and x_m,y_m or lon,lat")
    if {"x_m", "y_m"} <= set(df.columns):
        x, y = df["x_m"].to_numpy(float), df["y_m"].to_numpy(float)
    elif {"lon", "lat"} <= set(df.columns):
        from clearhold.geo.bng import to_bng

        x, y = to_bng(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
    else:
        raise InvalidInput(f"{path.name} needs x_m,y_m (BNG) or lon,lat columns")
    return knox_table(x, y, df["occurred_at"], **kwargs)


def near_repeat_from_records(session: Any, *, operation: str, kinds: Any = None, **kwargs: Any):
    """Knox table from the ledger's own records of an operation (real timestamps), those with a
    place only; ``kinds`` limits the record kinds (e.g. ``["arrest", "vehicle_stop"]``)."""
    from clearhold.analytics.near_repeat import knox_table
    from clearhold.record import service as record_service

    records = [r for r in record_service.list_(session, operation_slug=operation, kind=kinds)
               if r.easting is not None and r.northing is not None]
    if len(records) < 2:
        raise InvalidInput(f"operation {operation} has {len(records)} records with a place"
                           f"{' of kind ' + ', '.join(kinds) if kinds else ''}; near-repeat analysis needs at least 2")
    return knox_table([r.easting for r in records], [r.northing for r in records],
                      [r.occurred_at for r in records], **kwargs)
