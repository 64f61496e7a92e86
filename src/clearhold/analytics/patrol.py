"""Patrol plans: greedy harm coverage within an officer-time budget, short visits spread over
a shift. Pure: a cell frame in, a frozen plan out."""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput

#: Each further visit to the same cell in a shift is worth this share of the one before.
REPEAT_VISIT_DECAY = 0.5


@dataclass(frozen=True)
class Visit:
    """One planned visit: where, when, and the harm of the cell."""

    order: int
    unit: int
    cell_id: str
    x_m: float
    y_m: float
    lon: float
    lat: float
    grid_ref: str
    start: datetime
    end: datetime
    harm: float
    visit_number: int
    visits_to_cell: int


@dataclass(frozen=True)
class PatrolPlan:
    visits: tuple[Visit, ...]
    shift_start: datetime
    shift_end: datetime
    visit_minutes: float
    budget_minutes: float
    used_minutes: float
    units: int
    harm_total: float
    harm_covered: float
    n_cells: int
    cell_size_m: float

    @property
    def harm_share(self) -> float:
        return self.harm_covered / self.harm_total if self.harm_total > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "shift_start": self.shift_start.isoformat(), "shift_end": self.shift_end.isoformat(),
            "visit_minutes": self.visit_minutes, "budget_minutes": self.budget_minutes,
            "used_minutes": self.used_minutes, "units": self.units, "harm_total": self.harm_total,
            "harm_covered": self.harm_covered, "harm_share": self.harm_share, "n_cells": self.n_cells,
            "cell_size_m": self.cell_size_m,
            "rule": ("greedy: visits go to the highest marginal harm, a cell's k-th visit worth "
                     f"{REPEAT_VISIT_DECAY:g}^(k-1) of its harm; repeat visits to a cell spaced evenly "
                     "over the shift; travel time not modelled (the slot gap is the slack)"),
            "visits": [{**asdict(v), "start": v.start.isoformat(), "end": v.end.isoformat()} for v in self.visits],
        }


def os_grid_ref(x_m: float, y_m: float, digits: int = 8) -> str:
    """Ordnance Survey grid reference (e.g. ``SP 7550 6050``) of a BNG point.

    Examples
    --------
    >>> os_grid_ref(475_512, 260_577)
    'SP 7551 6057'
    """
    e100k, n100k = int(x_m // 100_000), int(y_m // 100_000)
    if not (0 <= e100k < 7 and 0 <= n100k < 13):
        return f"{x_m:.0f} {y_m:.0f}"
    l1 = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    l2 = (19 - n100k) * 5 % 25 + e100k % 5
    l1 += l1 > 7
    l2 += l2 > 7
    half = digits // 2
    e = int((x_m % 100_000) // 10 ** (5 - half))
    n = int((y_m % 100_000) // 10 ** (5 - half))
    return f"{chr(l1 + 65)}{chr(l2 + 65)} {e:0{half}d} {n:0{half}d}"


def plan_patrols(
    cells: pd.DataFrame,
    *,
    budget_hours: float,
    shift_start: datetime,
    shift_end: datetime,
    visit_minutes: float = 15,
    max_visits_per_cell: int = 3,
    cell_size_m: float | None = None,
) -> PatrolPlan:
    """Greedy harm-coverage patrol plan.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``cell_id, x_m, y_m, harm`` (a hotspot cell table); ``lon, lat`` optional.
    budget_hours : float
        Officer hours for hotspot visits in the shift.
    shift_start, shift_end : datetime
        The shift (end after start; tz-aware or naive, as given).
    visit_minutes : float
        Length of a visit; 10 to 15 minutes is the Koper curve's optimum (warning outside).
    max_visits_per_cell : int
        At most this many visits to one cell.

    Returns
    -------
    PatrolPlan

    Notes
    -----
    Method: ``N = floor(budget / visit)`` visits. Each (cell, k-th visit) has a marginal value
    ``harm * 0.5^(k-1)``; the ``N`` largest are taken (a greedy choice that is optimal for
    this separable, diminishing objective). Harm covered counts each visited cell once. The
    visits are sorted by target time (a cell's k-th of m visits aims at ``(k - 1/2) / m`` of the
    shift) and dealt to ``units = ceil(N * visit / shift length)`` parallel patrols in equal
    slots, each visit centred in its slot.

    References
    ----------
    Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly behavior
    by optimizing patrol time in crime hot spots. Justice Quarterly 12(4), 649-672.
    Sherman, L. W. et al. (2016). The Cambridge Crime Harm Index. Policing 10(3), 171-183.
    """
    if not isinstance(budget_hours, int | float) or isinstance(budget_hours, bool):
        raise TypeError(f"budget_hours was {budget_hours!r}; it must be a number of hours")
    if not math.isfinite(budget_hours) or budget_hours <= 0:
        raise InvalidInput(f"budget_hours was {budget_hours:g}; it must be a positive number of hours")
    if not isinstance(visit_minutes, int | float) or not (1 <= visit_minutes <= 120):
        raise InvalidInput(f"visit_minutes was {visit_minutes!r}; it must be between 1 and 120 minutes")
    if not isinstance(max_visits_per_cell, int) or max_visits_per_cell < 1:
        raise InvalidInput(f"max_visits_per_cell was {max_visits_per_cell!r}; it must be a whole number >= 1")
    if not (isinstance(shift_start, datetime) and isinstance(shift_end, datetime)):
        raise TypeError("shift_start and shift_end must be datetimes")
    shift_s = (shift_end - shift_start).total_seconds()
    if shift_s <= 0:
        raise InvalidInput(f"shift ends at {shift_end.isoformat()}, not after its start {shift_start.isoformat()}")
    if shift_s < visit_minutes * 60:
        raise InvalidInput(f"the shift ({shift_s / 60:.0f} minutes) is shorter than one visit ({visit_minutes:g} minutes)")
    if not 10 <= visit_minutes <= 15:
        warnings.warn(f"visit_minutes is {visit_minutes:g}; visits of 10 to 15 minutes give the longest "
                      "residual deterrence (Koper 1995)", UserWarning, stacklevel=2)
    missing = {"cell_id", "x_m", "y_m", "harm"} - set(cells.columns)
    if missing:
        raise InvalidInput(f"cells lacks the columns {sorted(missing)}")
    n_visits = int(budget_hours * 60 // visit_minutes)
    if n_visits == 0:
        raise InvalidInput(f"budget_hours was {budget_hours:g}; it does not cover one visit of {visit_minutes:g} minutes")
    harm = cells["harm"].to_numpy(float)
    cand = np.flatnonzero(harm > 0)
    if cand.size == 0:
        raise InvalidInput("no cell has any harm in the period; there is nothing to patrol")
    # marginal values of the k-th visit to each cell
    k = np.arange(max_visits_per_cell)
    gains = harm[cand][:, None] * REPEAT_VISIT_DECAY ** k[None, :]
    flat = np.argsort(-gains.ravel(), kind="stable")[:n_visits]
    cell_pos, _ = np.divmod(flat, max_visits_per_cell)
    chosen = cand[cell_pos]
    per_cell = pd.Series(chosen).value_counts()
    # target times: the k-th of m visits of a cell aims at (k - 1/2) / m of the shift
    targets = []
    for pos, m in per_cell.items():
        for j in range(m):
            targets.append(((j + 0.5) / m, -harm[pos], pos, j + 1, m))
    targets.sort()
    n = len(targets)
    units = max(1, math.ceil(n * visit_minutes * 60 / shift_s))
    slots = math.ceil(n / units)
    spacing = shift_s / slots
    has_ll = {"lon", "lat"} <= set(cells.columns)
    if not has_ll:
        from clearhold.geo.bng import to_wgs84

        lon_all, lat_all = to_wgs84(cells["x_m"].to_numpy(float), cells["y_m"].to_numpy(float))
    else:
        lon_all, lat_all = cells["lon"].to_numpy(float), cells["lat"].to_numpy(float)
    visits = []
    for order, (_, _, pos, number, m) in enumerate(targets):
        slot, unit = divmod(order, units)
        start = shift_start + timedelta(seconds=slot * spacing + (spacing - visit_minutes * 60) / 2)
        row = cells.iloc[pos]
        visits.append(Visit(
            order=order + 1, unit=unit + 1, cell_id=str(row["cell_id"]), x_m=float(row["x_m"]),
            y_m=float(row["y_m"]), lon=float(lon_all[pos]), lat=float(lat_all[pos]),
            grid_ref=os_grid_ref(float(row["x_m"]), float(row["y_m"])),
            start=start.replace(microsecond=0), end=(start + timedelta(minutes=visit_minutes)).replace(microsecond=0),
            harm=float(harm[pos]), visit_number=number, visits_to_cell=int(m)))
    return PatrolPlan(
        visits=tuple(visits), shift_start=shift_start, shift_end=shift_end, visit_minutes=float(visit_minutes),
        budget_minutes=budget_hours * 60, used_minutes=n * visit_minutes, units=units,
        harm_total=float(harm.sum()), harm_covered=float(harm[per_cell.index.to_numpy()].sum()),
        n_cells=int(per_cell.size), cell_size_m=float(cell_size_m) if cell_size_m else float("nan"),
    )


def parse_shift(text: str, *, on: Any = None, tz: Any = None) -> tuple[datetime, datetime]:
    """``"18:00-02:00"`` -> (start, end) datetimes on the date ``on`` (default today), the end
    on the next day when it is not after the start.

    Examples
    --------
    >>> from datetime import date
    >>> [t.isoformat() for t in parse_shift("22:00-06:00", on=date(2026, 11, 21))]
    ['2026-11-21T22:00:00', '2026-11-22T06:00:00']
    """
    from datetime import date, time

    if not isinstance(text, str) or text.count("-") != 1:
        raise InvalidInput(f"shift was {text!r}; write it as START-END in 24-hour time, e.g. 18:00-02:00")
    a, b = (s.strip() for s in text.split("-"))
    try:
        ta, tb = time.fromisoformat(a), time.fromisoformat(b)
    except ValueError:
        raise InvalidInput(f"shift was {text!r}; write it as START-END in 24-hour time, e.g. 18:00-02:00") from None
    day = on or date.today()
    start = datetime.combine(day, ta, tzinfo=tz)
    end = datetime.combine(day, tb, tzinfo=tz)
    if end <= start:
        end += timedelta(days=1)
    return start, end
