"""Hotspot analytics on a British National Grid grid: counts, quartic KDE, Getis-Ord Gi*,
Benjamini-Hochberg FDR, emerging hotspot classes and forecast accuracy (hit rate, PAI, PEI).

Pure functions: arrays or data frames in, arrays, data frames or frozen dataclasses out; no
database, file or network I/O. Coordinates are metres on the British National Grid (EPSG:27700).

The grid
--------
Cells are squares of side ``cell_size_m`` aligned to the national grid origin: the cell with
absolute indices ``(col, row)`` covers ``[col*c, (col+1)*c) x [row*c, (row+1)*c)``. Its
``cell_id`` is ``"<c>m-E<col>-N<row>"``, so the same cell has the same id in every run, area and
period. The study region is every cell whose square overlaps the interior of the area
(or, without an area, every cell of the points' bounding box), empty cells included. Region
cells are ordered south to north, then west to east.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput

#: Above this many cells in the grid's bounding box a warning is issued.
LARGE_GRID_CELLS = 1_000_000
#: Above this many cells the grid is refused (memory would run into gigabytes).
MAX_GRID_CELLS = 60_000_000
#: Above this many point x kernel-cell evaluations the exact KDE is refused.
MAX_KDE_EVALUATIONS = 3_000_000_000
#: Silverman's (1986, table 4.1) scaling constant A(K) of the normal-reference rule for the
#: bivariate biweight (quartic) kernel.
QUARTIC_NORMAL_REFERENCE_FACTOR = 2.78
#: The class labels of :func:`hotspot_grid` for the count, kde and gistar methods.
GISTAR_CLASSES = ("none", "hot", "cold")
#: The class labels of :func:`emerging_hotspots`, in the order of the rules.
EMERGING_CLASSES = ("persistent", "emerging", "former", "intermittent", "none")
_NICE_CELL_SIZES = (25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000,
                    2500, 5000, 10000)


# ----------------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------------

def _positive_metres(name: str, value: Any, *, allow_none: bool = True) -> float | None:
    if value is None:
        if allow_none:
            return None
        raise InvalidInput(f"{name} is required; it must be a positive number of metres")
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} was {value!r} ({type(value).__name__}); it must be a number of metres")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{name} was {value:g}; it must be a positive number of metres")
    return value


def _probability(name: str, value: Any, *, allow_none: bool = True) -> float | None:
    if value is None:
        if allow_none:
            return None
        raise InvalidInput(f"{name} is required; it must be a number between 0 and 1")
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} was {value!r} ({type(value).__name__}); it must be a number between 0 and 1")
    value = float(value)
    if not (0 < value < 1):
        raise InvalidInput(f"{name} was {value:g}; it must be a number between 0 and 1 (exclusive)")
    return value


def _coordinates(x_m: Any, y_m: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x_m, dtype=float).ravel()
    y = np.asarray(y_m, dtype=float).ravel()
    if x.shape != y.shape:
        raise InvalidInput(f"x_m has {x.size} values and y_m has {y.size}; they must have the same length")
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        raise InvalidInput(
            f"x_m/y_m have {int(bad.sum())} missing or infinite values (first at position "
            f"{int(np.flatnonzero(bad)[0])}); drop rows without coordinates first"
        )
    if x.size == 0:
        raise InvalidInput("the selection has no crimes (0 points); widen the period, area or crime types")
    return x, y


def _weights(weights: Any, n: int, name: str = "weights") -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != n:
        raise InvalidInput(f"{name} has {w.size} values for {n} points; it must have one per point")
    if not np.isfinite(w).all() or (w < 0).any():
        raise InvalidInput(f"{name} has negative, missing or infinite values; harm weights must be >= 0")
    return w


# ----------------------------------------------------------------------------------------
# the grid
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Grid:
    """A BNG grid clipped to a study region.

    Attributes
    ----------
    cell_size_m : float
        Side of each square cell in metres.
    col0, row0 : int
        Absolute grid indices (``floor(x / cell_size_m)``) of the south-west cell of the box.
    mask : numpy.ndarray
        ``(n_rows, n_cols)`` booleans, row 0 in the south: True for cells in the study region.
    cell_size_rule : str
        How the cell size was chosen ("given" or the default rule with its inputs).
    """

    cell_size_m: float
    col0: int
    row0: int
    mask: np.ndarray = field(repr=False)
    cell_size_rule: str = "given"

    @property
    def n_rows(self) -> int:
        return int(self.mask.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.mask.shape[1])

    @cached_property
    def flat(self) -> np.ndarray:
        """Row-major positions (in the box) of the region cells, in region order."""
        flat = np.flatnonzero(self.mask.ravel())
        flat.setflags(write=False)
        return flat

    @cached_property
    def n_cells(self) -> int:
        return int(self.flat.size)

    @cached_property
    def is_full(self) -> bool:
        """True when every cell of the box is in the region (no area clipping)."""
        return bool(self.mask.all())

    def from_dense(self, dense: np.ndarray) -> np.ndarray:
        """Region-cell values (region order) from a ``(n_rows, n_cols)`` box array."""
        return dense.ravel() if self.is_full else dense.ravel()[self.flat]

    def columns_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Absolute (col, row) indices of the region cells."""
        col, row = self._columns_rows
        return col.copy(), row.copy()

    @cached_property
    def _columns_rows(self) -> tuple[np.ndarray, np.ndarray]:
        r, c = np.divmod(self.flat, self.n_cols)
        return c + self.col0, r + self.row0

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell centres ``(x_m, y_m)`` of the region cells."""
        col, row = self.columns_rows()
        return (col + 0.5) * self.cell_size_m, (row + 0.5) * self.cell_size_m

    def _cell_id_series(self) -> pd.Series:
        import pyarrow as pa
        import pyarrow.compute as pc

        col, row = self.columns_rows()
        ids = pc.binary_join_element_wise(
            f"{self.cell_size_m:g}m-E", pc.cast(pa.array(col), pa.string()), "-N",
            pc.cast(pa.array(row), pa.string()), "")
        return pd.Series(pd.array(ids, dtype="str"), name="cell_id")

    def cell_ids(self) -> np.ndarray:
        """``"<size>m-E<col>-N<row>"`` of the region cells (absolute BNG indices)."""
        return self._cell_id_series().to_numpy(dtype=object)

    def cells(self) -> pd.DataFrame:
        """The region cells: ``cell_id``, ``x_m``, ``y_m`` (centre), ``col``, ``row``."""
        col, row = self.columns_rows()
        x, y = self.centres()
        return pd.DataFrame({"cell_id": self._cell_id_series(), "x_m": x, "y_m": y, "col": col, "row": row})

    def locate(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Region position of each point's cell, or -1 for points outside the region."""
        c = self.cell_size_m
        col = np.floor(np.asarray(x_m, float) / c).astype(np.int64) - self.col0
        row = np.floor(np.asarray(y_m, float) / c).astype(np.int64) - self.row0
        inside = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        out = np.full(col.shape, -1, dtype=np.int64)
        if self.is_full:  # region order is box order
            out[inside] = row[inside] * self.n_cols + col[inside]
            return out
        out[inside] = self._lookup()[row[inside] * self.n_cols + col[inside]]
        return out

    def _lookup(self) -> np.ndarray:
        return self._lookup_cached

    @cached_property
    def _lookup_cached(self) -> np.ndarray:
        lookup = np.full(self.mask.size, -1, dtype=np.int64)
        lookup[self.flat] = np.arange(self.n_cells)
        lookup.setflags(write=False)
        return lookup

    def to_dense(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Scatter per-region-cell values into the ``(n_rows, n_cols)`` box."""
        if self.is_full:
            return np.array(values, dtype=float).reshape(self.mask.shape)
        dense = np.full(self.mask.size, fill, dtype=float)
        dense[self.flat] = values
        return dense.reshape(self.mask.shape)


def default_cell_size(x_m: Any, y_m: Any, *, area: Any = None) -> tuple[float, str]:
    """A cell size from the study region's extent and the density of points.

    Parameters
    ----------
    x_m, y_m : array_like
        Point coordinates (BNG metres).
    area : shapely geometry, optional
        The study area in BNG; its bounds and area are used instead of the points' box.

    Returns
    -------
    (float, str)
        The cell size in metres and a sentence stating the rule and its inputs.

    Notes
    -----
    Method: the larger of (a) the shorter side of the region's bounding box divided by 150
    (Chainey 2013's rule of thumb for KDE hotspot maps) and (b) the side of a square that
    holds one point on average, ``sqrt(region area / n points)``, rounded up to a round value
    (25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1000 ... metres).

    References
    ----------
    Chainey, S. (2013). Examining the influence of cell size and bandwidth size on kernel
    density estimation crime hotspot maps for predicting spatial patterns of crime.
    Bulletin of the Geographical Society of Liverpool, 60, 7-19.

    Examples
    --------
    >>> xx, yy = np.meshgrid(np.linspace(0, 15000, 100), np.linspace(0, 30000, 100))
    >>> default_cell_size(xx.ravel(), yy.ravel())[0]  # max(15000 / 150, sqrt(4.5e8 / 1e4) = 212)
    250.0
    """
    x, y = _coordinates(x_m, y_m)
    if area is not None:
        minx, miny, maxx, maxy = area.bounds
        region_m2 = float(area.area)
    else:
        minx, miny, maxx, maxy = x.min(), y.min(), x.max(), y.max()
        region_m2 = float((maxx - minx) * (maxy - miny))
    shorter = float(min(maxx - minx, maxy - miny))
    by_extent = shorter / 150.0
    by_density = math.sqrt(region_m2 / x.size) if region_m2 > 0 else 0.0
    raw = max(by_extent, by_density, _NICE_CELL_SIZES[0])
    nice = next((float(s) for s in _NICE_CELL_SIZES if s >= raw), float(_NICE_CELL_SIZES[-1]))
    rule = (f"default cell size {nice:g} m: max(shorter side {shorter:.0f} m / 150 = {by_extent:.0f} m, "
            f"sqrt(area / {x.size} points) = {by_density:.0f} m), rounded up")
    return nice, rule


def make_grid(
    x_m: Any,
    y_m: Any,
    *,
    cell_size_m: float | None = None,
    area: Any = None,
) -> Grid:
    """Build a BNG grid over the study region.

    Parameters
    ----------
    x_m, y_m : array_like
        Point coordinates in BNG metres (used for the extent when ``area`` is None and for
        the default cell size).
    cell_size_m : float, optional
        Cell side in metres; default from :func:`default_cell_size`.
    area : shapely geometry, optional
        Study area in BNG metres. Cells overlapping its interior form the region.

    Returns
    -------
    Grid

    Warns
    -----
    UserWarning
        When the box would exceed a million cells, or (without an area) when a few stray
        points lie far outside the bulk of the data and blow up the extent.

    Examples
    --------
    >>> g = make_grid([50, 250], [50, 150], cell_size_m=100)
    >>> g.n_cells, g.cell_ids()[:2].tolist()
    (6, ['100m-E0-N0', '100m-E1-N0'])
    """
    return _make_grid(x_m, y_m, cell_size_m=cell_size_m, area=area, stacklevel=3)


def _make_grid(x_m, y_m, *, cell_size_m, area, stacklevel) -> Grid:
    x, y = _coordinates(x_m, y_m)
    cell_size_m = _positive_metres("cell_size_m", cell_size_m)
    if area is not None:
        if not hasattr(area, "bounds") or not hasattr(area, "is_empty"):
            raise TypeError(f"area was {type(area).__name__}; it must be a shapely geometry in BNG metres")
        if area.is_empty or area.area <= 0:
            raise InvalidInput("area is empty (no polygon with a positive area); check the area's boundary")
    rule = "given"
    if cell_size_m is None:
        cell_size_m, rule = default_cell_size(x, y, area=area)
    c = cell_size_m
    if area is not None:
        minx, miny, maxx, maxy = area.bounds
    else:
        minx, miny, maxx, maxy = x.min(), y.min(), x.max(), y.max()
        _warn_stray_points(x, y, stacklevel=stacklevel + 1)
    col0, row0 = math.floor(minx / c), math.floor(miny / c)
    if area is not None:  # a polygon ending exactly on a grid line does not enter the next cell
        last_col, last_row = math.ceil(maxx / c) - 1, math.ceil(maxy / c) - 1
    else:  # a point on a grid line belongs to the cell east / north of it
        last_col, last_row = math.floor(maxx / c), math.floor(maxy / c)
    n_cols = max(last_col - col0 + 1, 1)
    n_rows = max(last_row - row0 + 1, 1)
    total = n_cols * n_rows
    if total > MAX_GRID_CELLS:
        raise InvalidInput(
            f"cell_size_m was {c:g}; the grid would have {total:,} cells (more than "
            f"{MAX_GRID_CELLS:,}); use larger cells or a smaller area"
        )
    if total > LARGE_GRID_CELLS:
        warnings.warn(
            f"the grid has {total:,} cells ({n_cols} x {n_rows} of {c:g} m), more than a million; "
            "computation and outputs will be large; consider larger cells or a smaller area",
            UserWarning, stacklevel=stacklevel,
        )
    if area is None:
        mask = np.ones((n_rows, n_cols), dtype=bool)
    else:
        mask = _clip_mask(area, c, col0, row0, n_cols, n_rows)
        if not mask.any():  # pragma: no cover - a positive-area polygon always overlaps a cell
            raise InvalidInput("area does not overlap any grid cell")
    mask.setflags(write=False)
    return Grid(cell_size_m=c, col0=col0, row0=row0, mask=mask, cell_size_rule=rule)


def _clip_mask(area, c, col0, row0, n_cols, n_rows) -> np.ndarray:
    """Cells whose square shares interior with the area: centre inside, or box crossing the
    boundary without merely touching it."""
    import shapely

    shapely.prepare(area)
    cols = (np.arange(n_cols) + col0) * c
    rows = (np.arange(n_rows) + row0) * c
    xx, yy = np.meshgrid(cols, rows)
    xx, yy = xx.ravel(), yy.ravel()
    mask = shapely.contains_xy(area, xx + c / 2, yy + c / 2)
    # a square overlapping the area has its centre within c / sqrt(2) of it: only those
    # cells (a ring along the boundary) need the exact square test
    grown = area.buffer(c * math.sqrt(0.5) * 1.05, quad_segs=4)  # 5% covers the arcs' chords
    shapely.prepare(grown)
    boundary = area.boundary
    shapely.prepare(boundary)
    outside = np.flatnonzero(~mask)
    candidates = outside[shapely.contains_xy(grown, xx[outside] + c / 2, yy[outside] + c / 2)]
    for start in range(0, candidates.size, 500_000):
        idx = candidates[start:start + 500_000]
        boxes = shapely.box(xx[idx], yy[idx], xx[idx] + c, yy[idx] + c)
        near = shapely.intersects(boundary, boxes)
        if near.any():
            sub = idx[near]
            overlap = shapely.intersects(area, boxes[near]) & ~shapely.touches(area, boxes[near])
            mask[sub[overlap]] = True
    return mask.reshape(n_rows, n_cols)


def _warn_stray_points(x: np.ndarray, y: np.ndarray, *, stacklevel: int) -> None:
    if x.size < 20:
        return
    qx = np.quantile(x, [0.005, 0.995])
    qy = np.quantile(y, [0.005, 0.995])
    core = max((qx[1] - qx[0]), 1.0) * max((qy[1] - qy[0]), 1.0)
    full = max(x.max() - x.min(), 1.0) * max(y.max() - y.min(), 1.0)
    if full > 4 * core:
        span_x, span_y = qx[1] - qx[0], qy[1] - qy[0]
        stray = ((x < qx[0] - span_x) | (x > qx[1] + span_x) | (y < qy[0] - span_y) | (y > qy[1] + span_y))
        warnings.warn(
            f"{int(stray.sum())} stray points lie far outside the bulk of the data and make the grid's "
            f"box {full / core:.0f} times larger; pass an area to clip the grid, or drop them",
            UserWarning, stacklevel=stacklevel,
        )


# ----------------------------------------------------------------------------------------
# counts, KDE
# ----------------------------------------------------------------------------------------

def grid_counts(grid: Grid, x_m: Any, y_m: Any, *, weights: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of weights (harm) per region cell.

    Parameters
    ----------
    grid : Grid
    x_m, y_m : array_like
        Point coordinates in BNG metres. Points outside the region are ignored.
    weights : array_like, optional
        One non-negative weight per point (harm); default 1.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``count`` (int64) and ``harm`` (float) per region cell, in region order.

    Examples
    --------
    >>> g = make_grid([50, 250], [50, 150], cell_size_m=100)
    >>> grid_counts(g, [50, 60, 250], [50, 50, 150])[0].tolist()
    [2, 0, 0, 0, 0, 1]
    """
    x, y = _coordinates(x_m, y_m)
    w = _weights(weights, x.size)
    pos = grid.locate(x, y)
    keep = pos >= 0
    count = np.bincount(pos[keep], minlength=grid.n_cells).astype(np.int64)
    harm = np.bincount(pos[keep], weights=w[keep], minlength=grid.n_cells)
    return count, harm


def normal_reference_bandwidth(x_m: Any, y_m: Any) -> float:
    """Normal-reference (rule-of-thumb) bandwidth for the bivariate quartic kernel.

    Parameters
    ----------
    x_m, y_m : array_like
        Point coordinates in metres (at least two distinct points).

    Returns
    -------
    float
        ``h = A(K) * sigma * n ** (-1/6)`` in metres.

    Notes
    -----
    Method: Silverman's normal-reference rule for a ``d = 2`` dimensional kernel,
    ``h = A(K) sigma n^(-1/(d+4))``, with ``A(K) = 2.78`` for the biweight (quartic) kernel
    (Silverman 1986, eq. 4.14 and table 4.1) and ``sigma`` the robust spread
    ``sqrt((s_x^2 + s_y^2) / 2)`` where each ``s = min(standard deviation, IQR / 1.349)``.
    The rule is optimal for normally distributed points and oversmooths clustered crime data;
    pass an explicit bandwidth for street-level detail.

    References
    ----------
    Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis. Chapman & Hall.

    Examples
    --------
    >>> round(normal_reference_bandwidth([0, 100, 200, 300], [0, 100, 200, 300]), 1)
    245.3
    """
    x, y = _coordinates(x_m, y_m)
    if x.size < 2:
        raise InvalidInput(f"the normal-reference bandwidth needs at least 2 points; got {x.size}")

    def spread(v: np.ndarray) -> float:
        sd = float(np.std(v, ddof=1))
        q75, q25 = np.quantile(v, [0.75, 0.25])
        iqr = float(q75 - q25) / 1.349
        return min(sd, iqr) if iqr > 0 else sd

    sigma = math.sqrt((spread(x) ** 2 + spread(y) ** 2) / 2)
    if sigma <= 0:
        raise InvalidInput("all points are at the same place; give bandwidth_m explicitly")
    return QUARTIC_NORMAL_REFERENCE_FACTOR * sigma * x.size ** (-1 / 6)


def quartic_kde(grid: Grid, x_m: Any, y_m: Any, *, bandwidth_m: float, weights: Any = None) -> np.ndarray:
    """Quartic-kernel density at the centre of every region cell, in events per km².

    Parameters
    ----------
    grid : Grid
    x_m, y_m : array_like
        Point coordinates (BNG metres). Every point contributes, also those outside the region.
    bandwidth_m : float
        Kernel radius ``h`` in metres (the kernel is zero beyond it).
    weights : array_like, optional
        Non-negative weight per point (harm); default 1.

    Returns
    -------
    numpy.ndarray
        ``f(s) = 1e6 * sum_i w_i * 3 / (pi h^2) * (1 - d_i^2 / h^2)^2`` over points with
        ``d_i < h`` from the cell centre ``s`` (per km², so ``f`` integrates to the weight total).

    Notes
    -----
    Method: the exact kernel sum, not a binned approximation. Identical locations are merged
    (police.uk points are snapped to map points) and the points sorted by their own cell.
    For every offset ``(dc, dr)`` of a cell whose centre can lie within ``h`` of some point of
    the home cell, the kernel from all points to the centre of the offset cell is evaluated
    at once (vectorised over points), summed per home cell (``numpy.add.reduceat``) and added
    to the shifted cells. Cost: points x offsets, ``offsets ~ pi (h / c + 1.5)^2``; no loop
    over cells.

    References
    ----------
    Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis, eq. 4.5
    (the biweight kernel ``K2``). Levine, N. (2015). CrimeStat IV, chapter 10 (quartic kernel).

    Examples
    --------
    >>> g = make_grid([50], [50], cell_size_m=100)
    >>> round(float(quartic_kde(g, [50], [50], bandwidth_m=100)[0]), 3)
    95.493
    """
    x, y = _coordinates(x_m, y_m)
    w = _weights(weights, x.size)
    h = _positive_metres("bandwidth_m", bandwidth_m, allow_none=False)
    return _quartic_kde(grid, x, y, w, h)


def _kde_offsets(c: float, h: float) -> np.ndarray:
    reach = int(math.ceil(h / c)) + 1
    d = np.arange(-reach, reach + 1)
    dc, dr = np.meshgrid(d, d)
    dc, dr = dc.ravel(), dr.ravel()
    # smallest distance between any point of the home cell and the centre of the offset cell
    gap_x = np.maximum(np.abs(dc) - 0.5, 0.0) * c
    gap_y = np.maximum(np.abs(dr) - 0.5, 0.0) * c
    keep = gap_x ** 2 + gap_y ** 2 < h ** 2
    return np.stack([dc[keep], dr[keep]], axis=1)


def _quartic_kde(grid: Grid, x, y, w, h) -> np.ndarray:
    c = grid.cell_size_m
    # merge identical locations (police.uk points are snapped to shared map points)
    order = np.lexsort((y, x))
    xs, ys = x[order], y[order]
    new = np.empty(xs.size, dtype=bool)
    new[:1] = True
    new[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
    uw = np.bincount(np.cumsum(new) - 1, weights=w[order])
    keep = uw > 0
    ux, uy, uw = xs[new][keep], ys[new][keep], uw[keep]
    work = int(ux.size * math.pi * (h / c + 1.5) ** 2)  # points x offsets, before building them
    if work > MAX_KDE_EVALUATIONS:
        raise InvalidInput(
            f"bandwidth_m was {h:g} with cell_size_m {c:g}: the exact KDE would need {work:,} kernel "
            f"evaluations (limit {MAX_KDE_EVALUATIONS:,}); use a smaller bandwidth or larger cells"
        )
    offsets = _kde_offsets(c, h)
    reach = int(np.abs(offsets).max()) if offsets.size else 0
    # points can reach the box from up to `reach` cells outside it; the array is padded by
    # 2 * reach so that shifted targets never leave it
    pad = 2 * reach
    n_rows, n_cols = grid.n_rows + 2 * pad, grid.n_cols + 2 * pad
    acol = np.floor(ux / c)
    arow = np.floor(uy / c)
    pcol = acol.astype(np.int64) - grid.col0 + pad
    prow = arow.astype(np.int64) - grid.row0 + pad
    inside = ((pcol >= reach) & (pcol < n_cols - reach) & (prow >= reach) & (prow < n_rows - reach))
    fx = (ux - acol * c)[inside]  # position within the home cell, [0, c)
    fy = (uy - arow * c)[inside]
    uw = uw[inside]
    src = prow[inside] * n_cols + pcol[inside]
    order = np.argsort(src, kind="stable")
    src, fx, fy, uw = src[order], fx[order], fy[order], uw[order]
    cells, starts = np.unique(src, return_index=True)
    padded = np.zeros(n_rows * n_cols)
    h2 = h * h
    for dc, dr in offsets:
        dx = (dc + 0.5) * c - fx
        dy = (dr + 0.5) * c - fy
        u = 1.0 - (dx * dx + dy * dy) / h2
        np.maximum(u, 0.0, out=u)
        k = uw * u * u
        if cells.size:
            # targets are distinct for one offset, so a fancy-index add is exact
            padded[cells + (dr * n_cols + dc)] += np.add.reduceat(k, starts)
    dense = padded.reshape(n_rows, n_cols)[pad:pad + grid.n_rows, pad:pad + grid.n_cols]
    return grid.from_dense(np.ascontiguousarray(dense)) * (1e6 * 3.0 / (math.pi * h2))


# ----------------------------------------------------------------------------------------
# Getis-Ord Gi*, FDR
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GiStar:
    """Gi* per region cell: ``z``, two-sided normal ``p``, the neighbour count incl. self
    (``n_neighbours``) and the ``neighbour_distance_m`` used."""

    z: np.ndarray
    p: np.ndarray
    n_neighbours: np.ndarray
    neighbour_distance_m: float


def neighbour_offsets(cell_size_m: float, neighbour_distance_m: float) -> np.ndarray:
    """Offsets ``(dcol, drow)`` of cells whose centres lie within the distance (self included).

    A relative tolerance of 1e-9 makes the diagonal distance ``c * sqrt(2)`` (the default)
    include the 8 touching cells despite rounding.
    """
    c = _positive_metres("cell_size_m", cell_size_m, allow_none=False)
    d = _positive_metres("neighbour_distance_m", neighbour_distance_m, allow_none=False)
    reach = int(math.floor(d / c + 1e-9))
    r = np.arange(-reach, reach + 1)
    dc, dr = np.meshgrid(r, r)
    keep = (dc ** 2 + dr ** 2) * c * c <= d * d * (1 + 1e-9)
    return np.stack([dc[keep], dr[keep]], axis=1)


def getis_ord_gistar(grid: Grid, values: Any, *, neighbour_distance_m: float | None = None) -> GiStar:
    """Getis-Ord Gi* with binary weights over the cell and its neighbours.

    Parameters
    ----------
    grid : Grid
    values : array_like
        One value per region cell (count or harm), in region order.
    neighbour_distance_m : float, optional
        Cells whose centres lie within this distance are neighbours; default
        ``cell_size_m * sqrt(2)``: the 8 touching cells (queen contiguity). Only region cells
        are neighbours; ``n`` is the number of region cells.

    Returns
    -------
    GiStar
        ``z``, two-sided ``p = 2 * (1 - Phi(|z|))`` and the neighbour counts.

    Notes
    -----
    Method (Ord and Getis 1995, eq. 8 with binary weights, self included):

    ``z_i = (sum_j w_ij x_j - xbar W_i) / (s sqrt((n W_i - W_i^2) / (n - 1)))``, with
    ``W_i = sum_j w_ij``, ``xbar`` the mean and ``s`` the standard deviation (divisor ``n``)
    of all region cells. Neighbour sums are computed with ``scipy.ndimage.correlate`` over a
    dense box, one shifted slice per neighbour offset. The z-scores equal ``esda.G_Local(y, w, transform="B",
    star=True).Zs``; esda's own ``p_norm`` is one-sided (``p_norm = gi_p / 2``).
    If all values are equal, Gi* is undefined and every z and p is NaN.

    References
    ----------
    Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189-206. Ord, J. K. and Getis, A. (1995). Local
    spatial autocorrelation statistics: distributional issues and an application.
    Geographical Analysis 27(4), 286-306.

    Examples
    --------
    >>> g = make_grid([50, 250], [50, 250], cell_size_m=100)
    >>> r = getis_ord_gistar(g, [9, 0, 0, 0, 0, 0, 0, 0, 0])
    >>> round(float(r.z[0]), 4), int(r.n_neighbours[4])
    (1.118, 9)
    """
    x = np.asarray(values, dtype=float).ravel()
    if x.size != grid.n_cells:
        raise InvalidInput(f"values has {x.size} entries; the grid has {grid.n_cells} region cells")
    if not np.isfinite(x).all():
        raise InvalidInput("values has missing or infinite entries")
    d = _positive_metres("neighbour_distance_m", neighbour_distance_m)
    if d is None:
        d = grid.cell_size_m * math.sqrt(2)
    z, nb = _gistar_z(grid, x[None, :], d)
    z = z[0]
    p = _two_sided_p(z)
    return GiStar(z=z, p=p, n_neighbours=nb, neighbour_distance_m=d)


def _neighbour_sum(dense: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum over the offsets of the shifted box (zero outside): ``out[r, c] = sum dense[r+dr, c+dc]``."""
    out = np.zeros_like(dense)
    n_rows, n_cols = dense.shape
    for dc, dr in offsets:
        if abs(dr) >= n_rows or abs(dc) >= n_cols:
            continue
        dst_r = slice(max(0, -dr), n_rows - max(0, dr))
        src_r = slice(max(0, dr), n_rows - max(0, -dr))
        dst_c = slice(max(0, -dc), n_cols - max(0, dc))
        src_c = slice(max(0, dc), n_cols - max(0, -dc))
        out[dst_r, dst_c] += dense[src_r, src_c]
    return out


def _gistar_z(grid: Grid, x: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z for each row of ``x`` (slices x region cells); returns (z, neighbour counts)."""
    offsets = neighbour_offsets(grid.cell_size_m, d)
    nb = grid.from_dense(_neighbour_sum(grid.mask.astype(float), offsets))
    n = grid.n_cells
    z = np.full(x.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt((n * nb - nb * nb) / (n - 1)) if n > 1 else np.zeros_like(nb)
    for t in range(x.shape[0]):
        xt = x[t]
        lag = grid.from_dense(_neighbour_sum(grid.to_dense(xt), offsets))
        mean = xt.sum() / n
        s = math.sqrt(max((xt * xt).sum() / n - mean * mean, 0.0))
        if n < 2 or s <= 0 or s < 1e-12 * max(abs(mean), 1.0):
            continue
        denom = s * spread
        with np.errstate(divide="ignore", invalid="ignore"):
            z[t] = np.where(denom > 0, (lag - mean * nb) / denom, np.nan)
    return z, nb.astype(np.int64)


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return 2.0 * ndtr(-np.abs(z))


def benjamini_hochberg(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) controlling the false discovery rate.

    Parameters
    ----------
    p : array_like
        p-values in [0, 1]; NaN entries stay NaN and do not count as tests.

    Returns
    -------
    numpy.ndarray
        ``q_(i) = min_{k >= i} min(1, m p_(k) / k)`` over the sorted p-values, in input order.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical
    and powerful approach to multiple testing. JRSS B 57(1), 289-300.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p, dtype=float)
    flat = p.ravel()
    ok = np.isfinite(flat)
    if ((flat[ok] < 0) | (flat[ok] > 1)).any():
        raise InvalidInput("p has values outside [0, 1]")
    q = np.full(flat.shape, np.nan)
    pv = flat[ok]
    m = pv.size
    if m:
        # tied p-values share the q of the tie group's last rank, so work on distinct values
        # (Gi* on counts has few distinct p-values; np.sort is much faster than argsort)
        sorted_p = np.sort(pv)
        new = np.empty(m, dtype=bool)
        new[0] = True
        np.not_equal(sorted_p[1:], sorted_p[:-1], out=new[1:])
        values = sorted_p[new]
        last_rank = np.append(np.flatnonzero(new)[1:], m)  # 1-based rank of each group's last
        ranked = values * m / last_rank
        ranked = np.minimum.accumulate(ranked[::-1])[::-1]
        q[ok] = np.minimum(ranked, 1.0)[np.searchsorted(values, pv)]
    return q.reshape(p.shape)


# ----------------------------------------------------------------------------------------
# Mann-Kendall and emerging hotspots
# ----------------------------------------------------------------------------------------

def mann_kendall(series: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall trend test on each row of a (cells x time) array.

    Parameters
    ----------
    series : array_like
        2-D ``(n_series, n_times)``; at least 3 time points. NaNs are not allowed.

    Returns
    -------
    (S, z, p)
        The statistic ``S = sum_{i<j} sign(x_j - x_i)``, the continuity-corrected normal
        score ``z = (S - sign(S)) / sqrt(var S)`` with the tie correction
        ``var S = (n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18``, and the two-sided p-value.
        Rows without variance get ``z = 0`` and ``p = 1``.

    References
    ----------
    Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13, 245-259.
    Kendall, M. G. (1975). Rank Correlation Methods. Griffin.

    Examples
    --------
    >>> S, z, p = mann_kendall([[1, 2, 3, 4, 5]])
    >>> int(S[0]), round(float(z[0]), 4), round(float(p[0]), 4)
    (10, 2.2045, 0.0275)
    """
    a = np.asarray(series, dtype=float)
    if a.ndim != 2:
        raise InvalidInput(f"series has {a.ndim} dimensions; it must be 2-D (series x time)")
    if a.shape[1] < 3:
        raise InvalidInput(f"series has {a.shape[1]} time points; Mann-Kendall needs at least 3")
    if not np.isfinite(a).all():
        raise InvalidInput("series has missing or infinite values")
    n = a.shape[1]
    S = np.zeros(a.shape[0])
    ties = np.zeros(a.shape[0])
    for i in range(n - 1):
        diff = a[:, i + 1:] - a[:, i:i + 1]
        S += np.sign(diff).sum(axis=1)
    for i in range(n):
        t = (a == a[:, i:i + 1]).sum(axis=1)  # size of the tie group of element i
        ties += (t - 1) * (2 * t + 5)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (S - np.sign(S)) / np.sqrt(var), 0.0)
    return S, z, _two_sided_p(z)


@dataclass(frozen=True, eq=False)
class EmergingHotspots:
    """Per region cell: the class, months significantly hot, the Mann-Kendall trend of Gi* z."""

    hotspot_class: np.ndarray
    hot_months: np.ndarray
    hot_last: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    z: np.ndarray  # (n_slices, n_cells) Gi* z per slice


def emerging_hotspots(
    grid: Grid,
    slices: Any,
    *,
    neighbour_distance_m: float | None = None,
    fdr: float | None = 0.05,
    alpha: float = 0.05,
) -> EmergingHotspots:
    """Classify cells from Gi* computed on each time slice (month).

    Parameters
    ----------
    grid : Grid
    slices : array_like
        ``(n_slices, n_cells)`` values (count or harm) per slice in time order; at least 3.
    neighbour_distance_m : float, optional
        As in :func:`getis_ord_gistar`.
    fdr : float or None
        False discovery rate for the per-slice Benjamini-Hochberg correction; None uses raw p.
    alpha : float
        Significance for raw p (when ``fdr`` is None) and for the Mann-Kendall trend.

    Returns
    -------
    EmergingHotspots

    Notes
    -----
    Method, after ESRI's Emerging Hot Spot Analysis (space-time cube), simplified to the five
    classes the product uses. A cell is *hot* in a slice when its Gi* z > 0 and its q (or p)
    is below the threshold. The Mann-Kendall test runs on the cell's Gi* z series. With
    ``n`` slices, ``H`` hot slices, "first half" the first ``floor(n/2)`` slices, rules in order:

    1. persistent: hot in at least 90% of slices (trend either way; see ``trend_z``);
    2. emerging: hot in the last slice, and an increasing trend (p < alpha) or no hot slice
       in the first half;
    3. former: not hot in the last slice, hot at least once in the first half, and a
       decreasing trend (p < alpha) or no hot slice in the second half;
    4. intermittent: hot in at least one slice, none of the above;
    5. none: never hot.

    References
    ----------
    ESRI (2024). How Emerging Hot Spot Analysis works. ArcGIS Pro documentation.
    Getis and Ord (1992); Mann (1945); Benjamini and Hochberg (1995).
    """
    x = np.asarray(slices, dtype=float)
    if x.ndim != 2 or x.shape[1] != grid.n_cells:
        raise InvalidInput(
            f"slices has shape {x.shape}; it must be (n_slices, {grid.n_cells}) for this grid")
    if x.shape[0] < 3:
        raise InvalidInput(f"slices has {x.shape[0]} time slices; emerging hotspots need at least 3 months")
    fdr = _probability("fdr", fdr)
    alpha = _probability("alpha", alpha, allow_none=False)
    d = _positive_metres("neighbour_distance_m", neighbour_distance_m)
    if d is None:
        d = grid.cell_size_m * math.sqrt(2)
    z, _ = _gistar_z(grid, x, d)
    p = _two_sided_p(z)
    if fdr is not None:
        sig = np.vstack([benjamini_hochberg(p[t]) for t in range(p.shape[0])]) < fdr
    else:
        sig = p < alpha
    hot = sig & (z > 0)
    n = x.shape[0]
    half = n // 2
    H = hot.sum(axis=0)
    first = hot[:half].any(axis=0)
    second = hot[half:].any(axis=0)
    last = hot[-1]
    _, tz, tp = mann_kendall(np.nan_to_num(z.T, nan=0.0))
    up = (tz > 0) & (tp < alpha)
    down = (tz < 0) & (tp < alpha)
    cls = np.full(grid.n_cells, "none", dtype=object)
    intermittent = H > 0
    former = ~last & first & (down | ~second)
    emerging = last & (up | ~first)
    persistent = H >= 0.9 * n
    cls[intermittent] = "intermittent"
    cls[former] = "former"
    cls[emerging] = "emerging"
    cls[persistent] = "persistent"
    return EmergingHotspots(hotspot_class=cls, hot_months=H.astype(np.int64), hot_last=last,
                            trend_z=tz, trend_p=tp, z=z)


# ----------------------------------------------------------------------------------------
# forecast accuracy
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForecastAccuracy:
    """Hit rate, PAI and efficiency of a set of predicted hotspot cells on a later period."""

    n_cells: int
    n_selected: int
    crimes: float
    hits: float
    hit_rate: float
    area_share: float
    pai: float
    best_hits: float
    best_pai: float
    efficiency: float


def forecast_accuracy(selected: Any, later: Any) -> ForecastAccuracy:
    """Hit rate, Predictive Accuracy Index and its efficiency against the best possible.

    Parameters
    ----------
    selected : array_like of bool
        Region cells predicted as hotspots (from an earlier period).
    later : array_like
        Count (or harm) per region cell in the later period.

    Returns
    -------
    ForecastAccuracy
        ``hit_rate = hits / crimes``; ``area_share = n_selected / n_cells`` (all cells have
        the same size); ``pai = hit_rate / area_share``; ``best_hits`` the crimes in the
        ``n_selected`` cells with most crimes in the later period; ``efficiency = hits /
        best_hits`` (= PAI / best PAI, the Predictive Efficiency Index).

    References
    ----------
    Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal 21, 4-28 (PAI).
    Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the modifiable
    areal unit problem and modifiable temporal unit problem on crime hot spot stability.
    American University, PhD thesis (Predictive Efficiency Index).

    Examples
    --------
    >>> r = forecast_accuracy([True, False, False, False], [3, 5, 1, 1])
    >>> r.hit_rate, r.pai, r.efficiency
    (0.3, 1.2, 0.6)
    """
    sel = np.asarray(selected)
    if sel.dtype != bool:
        raise TypeError(f"selected has dtype {sel.dtype}; it must be booleans (one per cell)")
    later_v = np.asarray(later, dtype=float).ravel()
    sel = sel.ravel()
    if sel.size != later_v.size:
        raise InvalidInput(f"selected has {sel.size} cells and later has {later_v.size}; they must match")
    if sel.size == 0:
        raise InvalidInput("selected is empty; there are no cells")
    crimes = float(later_v.sum())
    if crimes <= 0:
        raise InvalidInput("the later period has no crimes; hit rate and PAI are undefined")
    k = int(sel.sum())
    if k == 0:
        raise InvalidInput("no cell is selected as a hotspot; hit rate and PAI are undefined")
    hits = float(later_v[sel].sum())
    best = float(np.sort(later_v)[::-1][:k].sum())
    area_share = k / sel.size
    hit_rate = hits / crimes
    return ForecastAccuracy(
        n_cells=int(sel.size), n_selected=k, crimes=crimes, hits=hits, hit_rate=hit_rate,
        area_share=area_share, pai=hit_rate / area_share, best_hits=best,
        best_pai=(best / crimes) / area_share, efficiency=hits / best if best > 0 else float("nan"),
    )


# ----------------------------------------------------------------------------------------
# everything at once
# ----------------------------------------------------------------------------------------

METHODS = ("count", "kde", "gistar", "emerging")


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """The cell table and the parameters that produced it."""

    cells: pd.DataFrame
    method: str
    cell_size_m: float
    cell_size_rule: str
    bandwidth_m: float | None
    bandwidth_rule: str
    neighbour_distance_m: float
    fdr: float | None
    n_points: int
    n_points_outside: int
    months: tuple[str, ...]
    grid: Grid = field(repr=False)
    months_without_data: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "cell_size_m": self.cell_size_m,
            "cell_size_rule": self.cell_size_rule,
            "bandwidth_m": self.bandwidth_m,
            "bandwidth_rule": self.bandwidth_rule,
            "kernel": "quartic",
            "kde_unit": "weighted crimes per km2",
            "neighbour_distance_m": self.neighbour_distance_m,
            "neighbours": "binary, self included, cell centres within neighbour_distance_m",
            "fdr": self.fdr,
            "p_value": "two-sided normal",
            "n_cells": int(len(self.cells)),
            "n_points": self.n_points,
            "n_points_outside": self.n_points_outside,
            "months": list(self.months),
            "months_without_data": list(self.months_without_data),
        }


def hotspot_grid(
    x_m: Any,
    y_m: Any,
    *,
    method: str = "gistar",
    harm: Any = None,
    month: Any = None,
    area: Any = None,
    cell_size_m: float | None = None,
    bandwidth_m: float | None = None,
    neighbour_distance_m: float | None = None,
    fdr: float | None = 0.05,
) -> HotspotResult:
    """Grid counts, harm, quartic KDE, Gi* (z, p, BH q) and hotspot classes for every cell.

    Parameters
    ----------
    x_m, y_m : array_like
        Crime locations in BNG metres.
    method : {"count", "kde", "gistar", "emerging"}
        Which statistic drives ``hotspot_class``: for count, kde and gistar the Gi* class
        ("hot", "cold", "none": z sign and q < fdr, or p < 0.05 when fdr is None); for
        emerging the classes of :func:`emerging_hotspots`. All columns are always filled.
    harm : array_like, optional
        Harm weight per crime; default 1 (then ``harm`` equals ``count``). KDE and Gi* run
        on harm, so a harm weight set gives harm-weighted KDE and Gi*.
    month : array_like of str, optional
        ``"YYYY-MM"`` per crime; required for ``method="emerging"``: one slice per month from
        the first to the last; a month without any crime in the whole region is treated as
        missing data (police.uk gaps), left out and listed in ``months_without_data``.
    area : shapely geometry, optional
        Study area in BNG; the grid is clipped to it and points outside are ignored.
    cell_size_m, bandwidth_m, neighbour_distance_m : float, optional
        Defaults: :func:`default_cell_size`, :func:`normal_reference_bandwidth`,
        ``cell_size_m * sqrt(2)`` (8 touching cells).
    fdr : float or None
        Benjamini-Hochberg false discovery rate; None switches the correction off.

    Returns
    -------
    HotspotResult
        ``cells`` has ``cell_id, x_m, y_m, count, harm, kde, gi_z, gi_p, gi_q,
        hotspot_class`` (plus ``hot_months, trend_z, trend_p`` for emerging).

    Warns
    -----
    UserWarning
        Bandwidth smaller than the cell size; grid over a million cells; stray points; KDE
        left empty (NaN) for methods other than kde when the exact sum would be too large.

    Examples
    --------
    >>> r = hotspot_grid([50, 60, 250], [50, 50, 150], cell_size_m=100, bandwidth_m=150)
    >>> r.cells.loc[0, "cell_id"], int(r.cells.loc[0, "count"])
    ('100m-E0-N0', 2)
    """
    if not isinstance(method, str) or method not in METHODS:
        raise InvalidInput(f"method was {method!r}; it must be one of {', '.join(METHODS)}")
    x, y = _coordinates(x_m, y_m)
    w = _weights(harm, x.size, "harm")
    fdr = _probability("fdr", fdr)
    _positive_metres("cell_size_m", cell_size_m)
    _positive_metres("bandwidth_m", bandwidth_m)
    months: tuple[str, ...] = ()
    month_arr = None
    if month is not None:
        month_arr = np.asarray(month, dtype=str).ravel()
        if month_arr.size != x.size:
            raise InvalidInput(f"month has {month_arr.size} values for {x.size} points")
    elif method == "emerging":
        raise InvalidInput("method 'emerging' needs the month of each crime (month=...)")
    grid = _make_grid(x, y, cell_size_m=cell_size_m, area=area, stacklevel=3)
    pos = grid.locate(x, y)
    inside = pos >= 0
    if not inside.any():
        raise InvalidInput(
            f"none of the {x.size} points falls inside the area; the area does not overlap the "
            "selected crimes (check the area and the period)")
    xi, yi, wi = x[inside], y[inside], w[inside]
    if month_arr is not None:
        month_arr = month_arr[inside]
        months = _month_range(month_arr)
    count, harm_sum = grid_counts(grid, xi, yi, weights=wi)
    c = grid.cell_size_m
    if bandwidth_m is None:
        if xi.size >= 2 and np.ptp(xi) + np.ptp(yi) > 0:
            bandwidth_m = normal_reference_bandwidth(xi, yi)
            bw_rule = ("normal-reference rule for the quartic kernel: 2.78 x robust sigma x n^(-1/6) "
                       f"(Silverman 1986) = {bandwidth_m:.0f} m")
        else:
            bandwidth_m = 2 * c
            bw_rule = "two cell sizes (too few distinct points for the normal-reference rule)"
    else:
        bandwidth_m = float(bandwidth_m)
        bw_rule = "given"
    if bandwidth_m < c:
        warnings.warn(
            f"bandwidth_m ({bandwidth_m:g}) is smaller than cell_size_m ({c:g}); the density surface "
            "will miss points between cell centres; use a bandwidth of at least one cell",
            UserWarning, stacklevel=2)
    try:
        kde = _quartic_kde(grid, xi, yi, wi, bandwidth_m)
    except InvalidInput as exc:
        if method == "kde":
            raise
        warnings.warn(f"kde not computed (left empty): {exc}", UserWarning, stacklevel=2)
        kde = np.full(grid.n_cells, np.nan)
    d = _positive_metres("neighbour_distance_m", neighbour_distance_m)
    if d is None:
        d = c * math.sqrt(2)
    gz, nb = _gistar_z(grid, harm_sum[None, :], d)
    gz = gz[0]
    gp = _two_sided_p(gz)
    gq = benjamini_hochberg(gp) if fdr is not None else gp.copy()
    threshold = fdr if fdr is not None else 0.05
    cells = grid.cells().drop(columns=["col", "row"])
    cells["count"] = count
    cells["harm"] = harm_sum
    cells["kde"] = kde
    cells["gi_z"] = gz
    cells["gi_p"] = gp
    cells["gi_q"] = gq
    cells["n_neighbours"] = nb
    months_missing: tuple[str, ...] = ()
    if method == "emerging":
        slices = _monthly_slices(grid, xi, yi, wi, month_arr, months)
        # a month without a single crime in the whole region is missing data, not zero crime
        has_data = slices.sum(axis=1) > 0
        months_missing = tuple(m for m, ok in zip(months, has_data, strict=True) if not ok)
        slices = slices[has_data]
        if slices.shape[0] < 3:
            raise InvalidInput(
                f"the selection has crimes in {slices.shape[0]} months; emerging hotspots need at least 3")
        em = emerging_hotspots(grid, slices, neighbour_distance_m=d, fdr=fdr)
        cells["hotspot_class"] = pd.Categorical(em.hotspot_class, categories=EMERGING_CLASSES)
        cells["hot_months"] = em.hot_months
        cells["trend_z"] = em.trend_z
        cells["trend_p"] = em.trend_p
    else:
        if months:
            present = {str(pd.Period(m, freq="M")) for m in np.unique(month_arr)}
            months_missing = tuple(m for m in months if m not in present)
        codes = np.zeros(grid.n_cells, dtype=np.int8)
        sig = gq < threshold
        codes[sig & (gz > 0)] = 1
        codes[sig & (gz < 0)] = 2
        cells["hotspot_class"] = pd.Categorical.from_codes(codes, categories=GISTAR_CLASSES)
    return HotspotResult(
        cells=cells, method=method, cell_size_m=c, cell_size_rule=grid.cell_size_rule,
        bandwidth_m=float(bandwidth_m), bandwidth_rule=bw_rule, neighbour_distance_m=d, fdr=fdr,
        n_points=int(xi.size), n_points_outside=int(x.size - xi.size), months=months, grid=grid,
        months_without_data=months_missing,
    )


def _month_range(months: np.ndarray) -> tuple[str, ...]:
    try:
        periods = pd.PeriodIndex(pd.unique(months), freq="M")
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"month has values that are not 'YYYY-MM' ({exc})") from None
    if len(periods) == 0:
        return ()
    full = pd.period_range(periods.min(), periods.max(), freq="M")
    return tuple(str(p) for p in full)


def _monthly_slices(grid, x, y, w, month_arr, months) -> np.ndarray:
    index = {m: i for i, m in enumerate(months)}
    uniq, inverse = np.unique(month_arr, return_inverse=True)
    code = np.array([index[str(pd.Period(m, freq="M"))] for m in uniq], dtype=np.int64)
    t = code[inverse.ravel()]
    pos = grid.locate(x, y)
    ok = pos >= 0
    flat = t[ok] * grid.n_cells + pos[ok]
    return np.bincount(flat, weights=w[ok], minlength=len(months) * grid.n_cells).reshape(
        len(months), grid.n_cells)
