"""Is a point in the United Kingdom? A coarse outline with a coastal margin.

Two hand-drawn polygons (Great Britain with its islands, and Northern Ireland), in WGS84
longitude/latitude, drawn a few kilometres outside the coast so that coastal records pass,
while points in Ireland or France (Dublin, Calais) fail. It catches swapped or mistyped
coordinates; it is not a boundary for analysis (load real boundaries with `clearhold geo load`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_GREAT_BRITAIN = [
    (-6.6, 49.8), (-5.0, 49.8), (-3.0, 50.3), (-1.0, 50.45), (1.0, 50.7), (1.6, 51.1), (1.9, 51.4),
    (1.9, 52.5), (1.5, 53.0), (0.5, 53.5), (0.1, 54.2), (-0.8, 54.75), (-1.3, 55.4), (-1.6, 55.95),
    (-2.0, 56.4), (-1.5, 57.7), (-0.5, 60.2), (-0.6, 60.95), (-1.2, 61.0), (-2.3, 60.2), (-3.6, 59.2),
    (-5.0, 58.75), (-6.3, 58.65), (-8.8, 57.9), (-7.8, 56.7), (-7.1, 56.4), (-6.5, 55.6), (-5.9, 55.2),
    (-5.3, 54.55), (-4.9, 53.3), (-5.0, 52.8), (-5.5, 51.9), (-5.5, 51.6), (-6.8, 50.2), (-6.6, 49.8),
]
_NORTHERN_IRELAND = [
    (-7.25, 55.25), (-6.0, 55.3), (-5.4, 54.7), (-5.4, 54.2), (-6.1, 54.0), (-6.6, 54.03), (-7.2, 54.1),
    (-7.6, 54.15), (-8.2, 54.45), (-7.9, 54.7), (-7.45, 54.95), (-7.25, 55.05), (-7.25, 55.25),
]


@lru_cache(maxsize=1)
def _outline():
    from shapely import prepare
    from shapely.geometry import MultiPolygon, Polygon

    shape = MultiPolygon([Polygon(_GREAT_BRITAIN), Polygon(_NORTHERN_IRELAND)])
    prepare(shape)
    return shape


def in_uk(lon, lat) -> np.ndarray:
    """Whether each (lon, lat) lies within the coarse UK outline (NaN -> False)."""
    import shapely

    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    return shapely.contains_xy(_outline(), lon_a, lat_a)
