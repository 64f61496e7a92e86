"""WGS84 (EPSG:4326) <-> British National Grid (EPSG:27700), vectorised with pyproj.

Both functions take scalars or array-likes and return float64 numpy arrays of the same shape
(scalars come back as 0-d arrays; use ``float(x)``). Axis order is always (x, y) =
(longitude, latitude) or (easting, northing) in metres. NaN in gives NaN out, so rows without
coordinates keep their place.

pyproj's default transformation for 4326 -> 27700 is the Helmert-based one (accuracy ~1-2 m
without the OSTN15 grid installed; checked against ONS LSOA centroids, which carry both
coordinate pairs); that is ample for street-level crime locations, which data.police.uk
already snaps to anonymised map points. Far offshore, outside that transformation's area of
use, PROJ falls back to a "ballpark" conversion without datum shift (errors ~100 m).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"


@lru_cache(maxsize=2)
def _transformer(src: str, dst: str):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def _as_arrays(a, b, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    try:
        a_arr = np.asarray(a, dtype="float64")
        b_arr = np.asarray(b, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{names[0]} and {names[1]} must be numbers or arrays of numbers ({exc})") from None
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"{names[0]} has shape {a_arr.shape} but {names[1]} has shape {b_arr.shape}; they must match")
    return a_arr, b_arr


def _transform(src: str, dst: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out_a = np.full(a.shape, np.nan)
    out_b = np.full(b.shape, np.nan)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.all():
        ra, rb = _transformer(src, dst).transform(a, b)
        out_a[...] = ra
        out_b[...] = rb
    elif ok.any():
        out_a[ok], out_b[ok] = _transformer(src, dst).transform(a[ok], b[ok])
    return out_a, out_b


def to_bng(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude in degrees (WGS84) -> easting/northing in metres (BNG).

    Examples
    --------
    >>> x, y = to_bng(-0.8939, 52.2370)   # Northampton centre
    >>> round(float(x)), round(float(y))
    (475631, 260444)
    """
    lon_a, lat_a = _as_arrays(lon, lat, ("lon", "lat"))
    return _transform(WGS84, BNG, lon_a, lat_a)


def to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing in metres (BNG) -> longitude/latitude in degrees (WGS84)."""
    x_a, y_a = _as_arrays(x, y, ("x", "y"))
    return _transform(BNG, WGS84, x_a, y_a)
