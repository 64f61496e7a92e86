"""Points to 2021 LSOAs (point in polygon) and published LSOA codes to 2021 codes (crosswalk).

``lsoa21_method`` values written per row:

- ``published``: the published code is a 2021 LSOA code (also every unchanged 2011 code).
- ``crosswalk``: a 2011 code that the ONS crosswalk maps to exactly one 2021 LSOA (change
  code U or M).
- ``split_point``: a 2011 code split into several 2021 LSOAs (change code S, or X with
  several targets); the 2021 LSOA is the candidate containing the point.
- ``split_nearest``: as above, but the (snapped) point lies in none of the candidates; the
  candidate nearest to the point is taken.
- ``split_unresolved``: split code with no coordinates or no candidate boundaries: no LSOA.
- ``point``: no usable published code; the LSOA containing the point.
- ``none``: nothing known (no code we recognise, no point inside a loaded LSOA).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clearhold.geo.store import Geography


def locate(geo: Geography, x_m, y_m) -> np.ndarray:
    """The 2021 LSOA code containing each point (BNG metres), or None; NaN points -> None.

    Points are de-duplicated first (data.police.uk snaps crimes to shared map points), then
    queried against an STRtree of the stored LSOA polygons; a point on a shared edge takes
    the first polygon in store order.
    """
    import shapely

    x = np.asarray(x_m, dtype="float64")
    y = np.asarray(y_m, dtype="float64")
    out = np.full(x.shape, None, dtype=object)
    if geo.lsoa21 is None or x.size == 0:
        return out
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return out
    inverse, uniq = pd.factorize(x[ok] + 1j * y[ok])  # hash-based: fast on 10^6 points
    points = shapely.points(np.real(uniq), np.imag(uniq))
    pt_idx, geom_idx = geo.tree.query(points, predicate="intersects")
    first = np.full(len(uniq), -1, dtype=np.int64)
    order = np.lexsort((geom_idx, pt_idx))
    pt_sorted, geom_sorted = pt_idx[order], geom_idx[order]
    keep = np.ones(len(pt_sorted), dtype=bool)
    keep[1:] = pt_sorted[1:] != pt_sorted[:-1]
    first[pt_sorted[keep]] = geom_sorted[keep]
    codes = geo.lsoa21[0]
    per_unique = np.where(first >= 0, codes[np.maximum(first, 0)], None)
    out[ok] = per_unique[inverse]
    return out


def assign_lsoa21(geo: Geography, published_codes, x_m, y_m, located) -> tuple[np.ndarray, np.ndarray]:
    """(lsoa21 code or None, method) per row; see the module docstring for the methods."""
    raw = np.asarray(published_codes, dtype=object)
    n = raw.shape[0]
    located = np.asarray(located, dtype=object)
    lsoa21 = np.full(n, None, dtype=object)
    method = np.full(n, "none", dtype=object)
    if n == 0:
        return lsoa21, method
    inverse, uniq = pd.factorize(raw, use_na_sentinel=False)
    uniq = ["" if (u is None or u != u) else str(u) for u in uniq]
    known21 = geo.lsoa21_codes
    targets = geo.crosswalk_targets
    u_code = np.full(len(uniq), None, dtype=object)
    u_method = np.full(len(uniq), "none", dtype=object)
    split_cands: dict[int, tuple[str, ...]] = {}
    for i, code in enumerate(uniq):
        code = code.strip()
        if not code:
            continue
        if code in known21:
            u_code[i], u_method[i] = code, "published"
            continue
        cands = targets.get(code)
        if cands is None:
            continue
        if len(cands) == 1:
            u_code[i], u_method[i] = cands[0], "crosswalk"
        else:
            split_cands[i] = cands
            u_method[i] = "split"
    lsoa21[:] = u_code[inverse]
    method[:] = u_method[inverse]
    split_rows = np.flatnonzero(method == "split")
    if len(split_rows):
        cands = [split_cands[int(inverse[r])] for r in split_rows]
        _resolve_splits(geo, split_rows, cands, x_m, y_m, located, lsoa21, method)
    fallback = (method == "none") & (located != None)  # noqa: E711
    lsoa21[fallback] = located[fallback]
    method[fallback] = "point"
    return lsoa21, method


def _resolve_splits(geo, rows, candidates, x_m, y_m, located, lsoa21, method) -> None:
    import shapely

    x = np.asarray(x_m, dtype="float64")
    y = np.asarray(y_m, dtype="float64")
    where = geo.lsoa21_index if geo.lsoa21 is not None else None
    for row, cands in zip(rows, candidates, strict=True):
        if located[row] in cands:
            lsoa21[row], method[row] = located[row], "split_point"
            continue
        method[row] = "split_unresolved"
        if where is None or not np.isfinite(x[row]) or not np.isfinite(y[row]):
            continue
        have = [c for c in cands if c in where]
        if not have:
            continue
        dist = shapely.distance(geo.lsoa21[2][[where[c] for c in have]], shapely.Point(x[row], y[row]))
        lsoa21[row], method[row] = have[int(np.argmin(dist))], "split_nearest"
