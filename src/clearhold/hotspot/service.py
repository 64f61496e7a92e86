"""Hotspot runs: points from the crime store (or a frame) -> analytics -> a result with the
parameters that produced it. No printing, no commits; interfaces render the result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from clearhold.analytics import hotspots as hs
from clearhold.errors import InvalidInput

CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, eq=False)
class HotspotRun:
    """A hotspot result with what it was computed from."""

    result: hs.HotspotResult
    area: str | None
    period: tuple[str | None, str | None]
    crime_types: tuple[str, ...] | None
    weights: str
    boundary: Any = field(default=None, repr=False)  # shapely geometry in BNG, or None

    @property
    def cells(self) -> pd.DataFrame:
        return self.result.cells

    def meta(self) -> dict[str, Any]:
        """Parameters for JSON and file headers (everything needed to recompute)."""
        p = self.result.parameters()
        return {
            "area": self.area,
            "period": {"from": self.period[0], "to": self.period[1]},
            "crime_types": list(self.crime_types) if self.crime_types else "all",
            "weights": self.weights,
            "statistic_on": "count" if self.weights == "count" else f"harm ({self.weights})",
            **p,
        }

    def summary(self, *, with_cells: bool = True) -> dict[str, Any]:
        from clearhold.reports.hotspot_outputs import cell_records

        out = self.meta()
        cls = self.cells["hotspot_class"].value_counts()
        out["classes"] = {str(k): int(v) for k, v in cls.items()}
        if with_cells:
            out["cells"] = cell_records(self.cells)
        return out


def check_month(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _MONTH.match(value):
        raise InvalidInput(f"{name} was {value!r}; it must be a month written YYYY-MM (e.g. 2022-03)")
    return value


def check_crime_types(crime_types: Any) -> tuple[str, ...] | None:
    if crime_types is None:
        return None
    if isinstance(crime_types, str):
        crime_types = [crime_types]
    out = []
    lower = {t.lower(): t for t in CRIME_TYPES}
    for t in crime_types:
        name = lower.get(str(t).strip().lower())
        if name is None:
            raise InvalidInput(
                f"crime type {t!r} is unknown; it must be one of: {', '.join(CRIME_TYPES)}")
        out.append(name)
    return tuple(dict.fromkeys(out)) or None


def from_points(
    points: pd.DataFrame,
    *,
    method: str = "gistar",
    boundary: Any = None,
    area_name: str | None = None,
    start_month: str | None = None,
    end_month: str | None = None,
    crime_types: Any = None,
    weights: str = "count",
    cell_size_m: float | None = None,
    bandwidth_m: float | None = None,
    neighbour_distance_m: float | None = None,
    fdr: float | None = 0.05,
) -> HotspotRun:
    """Hotspots from a points frame in the crime store's contract (``month, crime_type, x_m,
    y_m, harm``), filtered to the period and types given. ``boundary`` is the study area
    in BNG (shapely) or None for the points' box."""
    start_month = check_month("start_month", start_month)
    end_month = check_month("end_month", end_month)
    if start_month and end_month and start_month > end_month:
        raise InvalidInput(f"start_month {start_month} is after end_month {end_month}")
    types = check_crime_types(crime_types)
    missing = {"month", "x_m", "y_m"} - set(points.columns)
    if missing:
        raise InvalidInput(f"points lacks the columns {sorted(missing)}")
    sel = points
    if start_month:
        sel = sel[sel["month"] >= start_month]
    if end_month:
        sel = sel[sel["month"] <= end_month]
    if types:
        sel = sel[sel["crime_type"].isin(types)]
    sel = sel.dropna(subset=["x_m", "y_m"])
    if sel.empty:
        raise InvalidInput(
            f"the selection has no crimes (area {area_name or 'all'}, "
            f"{start_month or 'start'} to {end_month or 'end'}, types "
            f"{', '.join(types) if types else 'all'}); check that the area overlaps the stored crimes "
            "and that the period is stored, or widen the crime types")
    harm = sel["harm"].to_numpy(float) if (weights != "count" and "harm" in sel.columns) else None
    result = hs.hotspot_grid(
        sel["x_m"].to_numpy(float), sel["y_m"].to_numpy(float), method=method, harm=harm,
        month=sel["month"].astype(str).to_numpy(), area=boundary, cell_size_m=cell_size_m,
        bandwidth_m=bandwidth_m, neighbour_distance_m=neighbour_distance_m, fdr=fdr,
    )
    months = result.months
    period = (start_month or (months[0] if months else None), end_month or (months[-1] if months else None))
    return HotspotRun(result=result, area=area_name, period=period, crime_types=types,
                      weights=weights, boundary=boundary)


def area_boundary(area: Any) -> Any:
    """The BNG shapely geometry of an area returned by ``crime.service.resolve_area``, or None
    (an area known only by its LSOAs: the grid then covers the selected points' box)."""
    if hasattr(area, "bounds") and hasattr(area, "is_empty"):
        return area
    geom = getattr(area, "geometry", None)
    if geom is not None and hasattr(geom, "bounds"):
        return geom
    return None


def area_label(area: Any, spec: str) -> str:
    for name in ("name", "label", "slug", "code"):
        v = getattr(area, name, None)
        if isinstance(v, str) and v:
            return v
    return spec


def run(
    *,
    store: Path | str | None,
    area: str | None,
    start_month: str | None,
    end_month: str | None,
    method: str = "gistar",
    crime_types: Any = None,
    weights: str = "count",
    cell_size_m: float | None = None,
    bandwidth_m: float | None = None,
    neighbour_distance_m: float | None = None,
    fdr: float | None = 0.05,
    session: Any = None,
) -> HotspotRun:
    """Hotspots for an area and period from the crime store.

    ``area`` is any spec ``clearhold.crime.service.resolve_area`` understands (a product area
    slug, an LSOA/ward/force name or code ...); None uses every point in the store.
    """
    from clearhold.crime import service as crime

    if method not in hs.METHODS:
        raise InvalidInput(f"method was {method!r}; it must be one of {', '.join(hs.METHODS)}")
    start_month = check_month("start_month", start_month)
    end_month = check_month("end_month", end_month)
    types = check_crime_types(crime_types)
    boundary = None
    label = None
    resolved = None
    if area is not None:
        resolved = crime.resolve_area(area, store=store, session=session)
        boundary = area_boundary(resolved)
        label = area_label(resolved, area)
    points = crime.load_points(store=store, area=resolved, start_month=start_month,
                               end_month=end_month, crime_types=list(types) if types else None,
                               weights=weights)
    return from_points(points, method=method, boundary=boundary, area_name=label,
                       start_month=start_month, end_month=end_month, crime_types=types,
                       weights=weights, cell_size_m=cell_size_m, bandwidth_m=bandwidth_m,
                       neighbour_distance_m=neighbour_distance_m, fdr=fdr)
