"""Hotspot analytics on real Northamptonshire data (read straight from ../shared/data)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clearhold.analytics import hotspots as hs
from tests.hotspot.data import ALL_MONTHS, load_months, northamptonshire_bng

TOL = 1e-9


@pytest.mark.slow
def test_gistar_equals_esda_on_a_real_month():
    import esda
    import libpysal

    df = load_months("2022-03")
    area = northamptonshire_bng()
    g = hs.make_grid(df.x_m, df.y_m, cell_size_m=250, area=area)
    count, _ = hs.grid_counts(g, df.x_m, df.y_m)
    assert g.n_cells > 30_000 and count.sum() > 6000
    x, y = g.centres()
    d = 250 * math.sqrt(2)
    w = libpysal.weights.DistanceBand(np.column_stack([x, y]), threshold=d * (1 + 1e-9), binary=True,
                                      silence_warnings=True)
    want = esda.G_Local(count.astype(float), w, transform="B", star=True, permutations=0).Zs
    got = hs.getis_ord_gistar(g, count)
    np.testing.assert_allclose(got.z, want, rtol=0, atol=TOL)
    # and the whole pipeline gives the same z
    r = hs.hotspot_grid(df.x_m, df.y_m, area=area, cell_size_m=250, bandwidth_m=1000)
    np.testing.assert_allclose(r.cells["gi_z"], want, rtol=0, atol=TOL)
    assert r.cells["count"].sum() + r.n_points_outside == len(df)


def test_kde_on_a_real_month_equals_brute_force_in_a_window():
    df = load_months("2022-03")
    area = northamptonshire_bng()
    r = hs.hotspot_grid(df.x_m, df.y_m, area=area, cell_size_m=500, bandwidth_m=1500)
    c = r.cells
    # brute force at 40 cells around the densest cell
    top = c["kde"].idxmax()
    near = c.index[(np.hypot(c.x_m - c.x_m[top], c.y_m - c.y_m[top]) < 2000)][:40]
    px = df.x_m.to_numpy()
    py = df.y_m.to_numpy()
    inside = r.grid.locate(px, py) >= 0
    px, py = px[inside], py[inside]
    for i in near:
        d2 = (c.x_m[i] - px) ** 2 + (c.y_m[i] - py) ** 2
        k = np.where(d2 < 1500 ** 2, (1 - d2 / 1500 ** 2) ** 2, 0.0).sum() * 3 / (math.pi * 1500 ** 2) * 1e6
        assert c.kde[i] == pytest.approx(k, abs=TOL)


@pytest.mark.slow
def test_emerging_on_fifteen_real_months_runs_with_defaults():
    df = load_months(*ALL_MONTHS)
    area = northamptonshire_bng()
    r = hs.hotspot_grid(df.x_m, df.y_m, month=df.month, area=area, method="emerging",
                        cell_size_m=500, bandwidth_m=1500)
    assert r.months[0] == "2022-01" and r.months[-1] == "2024-04" and len(r.months) == 28
    assert r.months_without_data == ("2022-12",) + tuple(f"2023-{m:02d}" for m in range(1, 13))
    classes = set(r.cells["hotspot_class"])
    assert classes <= set(hs.EMERGING_CLASSES)
    assert {"persistent", "none"} <= classes
    # Northampton town centre (SP 755 605) is a persistent hotspot
    c = r.cells
    centre = c.loc[np.hypot(c.x_m - 475_500, c.y_m - 260_500).idxmin()]
    assert centre["hotspot_class"] == "persistent"


def test_forecast_accuracy_on_real_months():
    area = northamptonshire_bng()
    early = load_months("2022-01", "2022-02", "2022-03")
    later = load_months("2022-04")
    r = hs.hotspot_grid(early.x_m, early.y_m, area=area, cell_size_m=250, bandwidth_m=750)
    hot = (r.cells["hotspot_class"] == "hot").to_numpy()
    later_count, _ = hs.grid_counts(r.grid, later.x_m, later.y_m)
    acc = hs.forecast_accuracy(hot, later_count)
    assert 0 < acc.hit_rate < 1 and acc.pai > 5 and 0 < acc.efficiency <= 1
    assert acc.pai == pytest.approx(acc.hit_rate / acc.area_share)
