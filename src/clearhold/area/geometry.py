"""Geometry helpers for areas: GeoJSON in WGS84 <-> shapely in British National Grid."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from clearhold.errors import InvalidInput
from clearhold.geo.bng import to_bng, to_wgs84


def _project(geom, fn):
    def coords(xy: np.ndarray) -> np.ndarray:
        x, y = fn(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, coords)


def geojson_to_bng(geometry: dict[str, Any], *, field: str = "geometry"):
    """A GeoJSON Polygon/MultiPolygon (WGS84) as a valid shapely geometry in BNG metres."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise InvalidInput(f"{field} must be a GeoJSON geometry object with a 'type'")
    if geometry["type"] == "Feature":
        geometry = geometry.get("geometry") or {}
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(f"{field} type was {geometry.get('type')!r}; it must be Polygon or MultiPolygon")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise InvalidInput(f"{field} is not a readable GeoJSON polygon: {exc}") from None
    minx, miny, maxx, maxy = geom.bounds
    if not (-9.0 <= minx and maxx <= 2.5 and 49.0 <= miny and maxy <= 61.5):
        raise InvalidInput(
            f"{field} lies outside Great Britain (bounds {geom.bounds}); coordinates must be WGS84 longitude, latitude"
        )
    bng = _project(geom, to_bng)
    if not bng.is_valid:
        bng = shapely.make_valid(bng)
        polys = [g for g in getattr(bng, "geoms", [bng]) if g.geom_type in ("Polygon", "MultiPolygon")]
        bng = shapely.union_all(polys)
    if bng.is_empty or bng.area <= 0:
        raise InvalidInput(f"{field} has no area")
    return bng


def bng_to_geojson(geom) -> dict[str, Any]:
    """A shapely geometry in BNG as a GeoJSON geometry dict in WGS84 (6 decimals, ~0.1 m)."""
    wgs = _project(geom, to_wgs84)
    wgs = shapely.set_precision(wgs, 1e-6)
    return mapping(wgs)


def buffer_ring(parent_bng, buffer_m: float):
    """The ring of width ``buffer_m`` around ``parent_bng`` (the parent itself excluded)."""
    if buffer_m <= 0:
        raise InvalidInput(f"buffer_m was {buffer_m}; it must be a positive number of metres")
    return parent_bng.buffer(buffer_m).difference(parent_bng)
