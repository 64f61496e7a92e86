"""Hotspot analytics: hand-checked values, oracles (esda/libpysal, brute-force KDE,
statsmodels BH), every error branch, warnings pointing at the caller."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from clearhold.analytics import hotspots as hs
from clearhold.errors import InvalidInput

TOL = 1e-9


def esda_gistar(values, x, y, distance):
    """Gi* z from esda with binary distance-band weights built by libpysal from cell centres."""
    import esda
    import libpysal

    w = libpysal.weights.DistanceBand(np.column_stack([x, y]), threshold=distance * (1 + 1e-9),
                                      binary=True, silence_warnings=True)
    return esda.G_Local(np.asarray(values, float), w, transform="B", star=True, permutations=0).Zs


def brute_quartic(cx, cy, px, py, w, h):
    out = np.zeros(len(cx))
    for i in range(len(cx)):
        for j in range(len(px)):
            d2 = (cx[i] - px[j]) ** 2 + (cy[i] - py[j]) ** 2
            if d2 < h * h:
                out[i] += w[j] * 3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2
    return out * 1e6


# ----------------------------------------------------------------------------- grid

def test_grid_ids_centres_and_order():
    g = hs.make_grid([50, 250], [50, 150], cell_size_m=100)
    cells = g.cells()
    assert cells["cell_id"].tolist() == ["100m-E0-N0", "100m-E1-N0", "100m-E2-N0",
                                         "100m-E0-N1", "100m-E1-N1", "100m-E2-N1"]
    assert cells["x_m"].tolist() == [50, 150, 250, 50, 150, 250]
    assert cells["y_m"].tolist() == [50, 50, 50, 150, 150, 150]
    assert g.cell_size_rule == "given"


def test_grid_ids_are_absolute_bng_indices():
    g = hs.make_grid([450_120.0], [260_340.0], cell_size_m=250)
    assert g.cell_ids().tolist() == ["250m-E1800-N1041"]
    assert g.centres()[0].tolist() == [450_125.0] and g.centres()[1].tolist() == [260_375.0]


def test_grid_clipped_to_area_keeps_empty_cells():
    # right triangle over a 3 x 3 box of 100 m cells: cells above the diagonal are out,
    # cells the diagonal only touches at a corner are out, the diagonal cells are in
    tri = Polygon([(0, 0), (300, 0), (0, 300)])
    g = hs.make_grid([10], [10], cell_size_m=100, area=tri)
    assert g.mask.tolist() == [[True, True, True], [True, True, False], [True, False, False]]
    count, harm = hs.grid_counts(g, [10], [10])
    assert count.tolist() == [1, 0, 0, 0, 0, 0]


def test_grid_cell_touching_area_on_an_edge_only_is_out():
    g = hs.make_grid([10], [10], cell_size_m=100, area=box(0, 0, 200, 100))
    assert g.n_cells == 2


def test_default_cell_size_rule_is_stated():
    xx, yy = np.meshgrid(np.linspace(0, 15000, 100), np.linspace(0, 30000, 100))
    size, rule = hs.default_cell_size(xx.ravel(), yy.ravel())
    assert size == 250.0
    assert "shorter side 15000 m / 150 = 100 m" in rule and "= 212 m" in rule
    g = hs.make_grid(xx.ravel(), yy.ravel())
    assert g.cell_size_m == 250.0 and g.cell_size_rule == rule


@pytest.mark.parametrize("bad, exc, message", [
    (-100, InvalidInput, "cell_size_m was -100; it must be a positive number of metres"),
    (0, InvalidInput, "cell_size_m was 0; it must be a positive number of metres"),
    (float("nan"), InvalidInput, "cell_size_m was nan"),
    ("100", TypeError, "cell_size_m was '100' \\(str\\); it must be a number of metres"),
])
def test_cell_size_errors(bad, exc, message):
    with pytest.raises(exc, match=message):
        hs.make_grid([0], [0], cell_size_m=bad)
    with pytest.raises(exc, match=message):
        hs.hotspot_grid([0, 1], [0, 1], cell_size_m=bad)


def test_coordinate_errors():
    with pytest.raises(InvalidInput, match="the selection has no crimes \\(0 points\\)"):
        hs.make_grid([], [], cell_size_m=100)
    with pytest.raises(InvalidInput, match="x_m has 2 values and y_m has 1"):
        hs.make_grid([0, 1], [0], cell_size_m=100)
    with pytest.raises(InvalidInput, match="x_m/y_m have 1 missing or infinite values \\(first at position 1\\)"):
        hs.make_grid([0, np.nan], [0, 1], cell_size_m=100)


def test_area_errors():
    with pytest.raises(TypeError, match="area was str; it must be a shapely geometry"):
        hs.make_grid([0], [0], cell_size_m=100, area="Kings Heath")
    with pytest.raises(InvalidInput, match="area is empty"):
        hs.make_grid([0], [0], cell_size_m=100, area=Polygon())


def test_area_with_no_overlap():
    far = box(500_000, 200_000, 501_000, 201_000)
    with pytest.raises(InvalidInput, match="none of the 2 points falls inside the area; the area does not overlap"):
        hs.hotspot_grid([10, 20], [10, 20], area=far, cell_size_m=100)


def test_too_many_cells_is_refused():
    with pytest.raises(InvalidInput, match="cell_size_m was 1; the grid would have .* cells \\(more than 60,000,000\\)"):
        hs.make_grid([0, 100_000], [0, 100_000], cell_size_m=1)


def test_large_grid_warns_at_caller():
    with pytest.warns(UserWarning, match="the grid has 2,000,000 cells \\(2000 x 1000 of 100 m\\), more than a million") as rec:
        hs.make_grid([0, 199_999], [0, 99_999], cell_size_m=100)
    assert rec[0].filename == __file__


def test_stray_points_warn_at_caller():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(0, 5000, 500), [900_000]])
    y = np.concatenate([rng.uniform(0, 5000, 500), [900_000]])
    with pytest.warns(UserWarning, match="1 stray points lie far outside the bulk of the data") as rec:
        hs.make_grid(x, y, cell_size_m=5000)
    assert rec[0].filename == __file__


# ----------------------------------------------------------------------------- counts

def test_counts_and_harm_by_hand_and_inputs_unchanged():
    g = hs.make_grid([0, 299], [0, 99], cell_size_m=100)
    x = np.array([10.0, 20.0, 150.0, 299.0, 5000.0])
    y = np.array([10.0, 90.0, 50.0, 99.0, 5000.0])
    w = np.array([1.0, 2.5, 4.0, 0.5, 100.0])
    copies = x.copy(), y.copy(), w.copy()
    count, harm = hs.grid_counts(g, x, y, weights=w)
    assert count.tolist() == [2, 1, 1]
    assert harm.tolist() == [3.5, 4.0, 0.5]
    for a, b in zip((x, y, w), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_weight_errors():
    g = hs.make_grid([0], [0], cell_size_m=100)
    with pytest.raises(InvalidInput, match="weights has 1 values for 2 points"):
        hs.grid_counts(g, [0, 1], [0, 1], weights=[1])
    with pytest.raises(InvalidInput, match="harm weights must be >= 0"):
        hs.grid_counts(g, [0], [0], weights=[-1])


# ----------------------------------------------------------------------------- KDE

def test_kde_single_point_by_hand():
    g = hs.make_grid([50], [50], cell_size_m=100)
    assert hs.quartic_kde(g, [50], [50], bandwidth_m=100)[0] == pytest.approx(3e6 / (math.pi * 1e4), abs=TOL)
    # a point 60 m from the centre with h = 100: (1 - 0.36)^2 = 0.4096
    v = hs.quartic_kde(g, [110], [50], bandwidth_m=100)[0]
    assert v == pytest.approx(0.4096 * 3e6 / (math.pi * 1e4), abs=TOL)


@pytest.mark.parametrize("cell, h", [(100, 250), (100, 90), (50, 333.3), (250, 1000)])
def test_kde_equals_brute_force_quartic_sum(cell, h):
    rng = np.random.default_rng(42)
    x = rng.uniform(1000, 3000, 150)
    y = rng.uniform(2000, 3500, 150)
    x[:20] = x[0]  # shared snapped points
    y[:20] = y[0]
    w = rng.uniform(0, 3, 150)
    area = Polygon([(900, 1900), (3100, 2100), (2500, 3600), (1200, 3300)])
    g = hs.make_grid(x, y, cell_size_m=cell, area=area)
    cx, cy = g.centres()
    got = hs.quartic_kde(g, x, y, bandwidth_m=h, weights=w)
    want = brute_quartic(cx, cy, x, y, w, h)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def test_kde_integrates_to_total_weight():
    g = hs.make_grid([0, 4000], [0, 4000], cell_size_m=10)
    got = hs.quartic_kde(g, [2000, 2100], [2000, 1900], bandwidth_m=300, weights=[1, 2])
    assert got.sum() * (10 * 10) / 1e6 == pytest.approx(3.0, rel=1e-3)


def test_kde_errors():
    g = hs.make_grid([0], [0], cell_size_m=100)
    with pytest.raises(InvalidInput, match="bandwidth_m was -5; it must be a positive number of metres"):
        hs.quartic_kde(g, [0], [0], bandwidth_m=-5)
    with pytest.raises(InvalidInput, match="bandwidth_m is required"):
        hs.quartic_kde(g, [0], [0], bandwidth_m=None)
    with pytest.raises(InvalidInput, match="the exact KDE would need"):
        hs.quartic_kde(g, np.arange(2000.0), np.arange(2000.0), bandwidth_m=500_000)


def test_normal_reference_bandwidth_by_hand():
    # sd 129.10, IQR/1.349 = 111.19 -> sigma 111.19; 2.78 * 111.19 * 4^(-1/6)
    want = 2.78 * (150 / 1.349) * 4 ** (-1 / 6)
    assert hs.normal_reference_bandwidth([0, 100, 200, 300], [0, 100, 200, 300]) == pytest.approx(want, abs=TOL)
    with pytest.raises(InvalidInput, match="needs at least 2 points; got 1"):
        hs.normal_reference_bandwidth([0], [0])
    with pytest.raises(InvalidInput, match="all points are at the same place"):
        hs.normal_reference_bandwidth([5, 5], [5, 5])


# ----------------------------------------------------------------------------- Gi*

def test_gistar_by_hand():
    g = hs.make_grid([50, 250], [50, 250], cell_size_m=100)
    r = hs.getis_ord_gistar(g, [9, 0, 0, 0, 0, 0, 0, 0, 0])
    # corner: lag 9, W = 4, mean 1, s = sqrt(8): z = (9 - 4) / (sqrt(8) sqrt((36 - 16) / 8))
    assert r.z[0] == pytest.approx(5 / math.sqrt(20), abs=TOL)
    # centre: every cell is its neighbour (W = n): no variance, Gi* undefined (NaN, as in esda)
    assert np.isnan(r.z[4]) and np.isnan(r.p[4])
    assert r.n_neighbours.tolist() == [4, 6, 4, 6, 9, 6, 4, 6, 4]
    assert r.p[0] == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(r.z[0] / math.sqrt(2)))), abs=TOL)
    assert r.neighbour_distance_m == pytest.approx(100 * math.sqrt(2))


def test_gistar_equals_esda_lat2w_queen():
    import esda
    import libpysal

    rng = np.random.default_rng(3)
    values = rng.poisson(2.0, 36).astype(float)
    values[14] += 15
    g = hs.make_grid([0, 599], [0, 599], cell_size_m=100)  # 6 x 6, row-major from the south
    w = libpysal.weights.lat2W(6, 6, rook=False)  # row-major ids: same neighbour sets
    want = esda.G_Local(values, w, transform="B", star=True, permutations=0).Zs
    np.testing.assert_allclose(hs.getis_ord_gistar(g, values).z, want, rtol=0, atol=TOL)


@pytest.mark.parametrize("distance_cells", [1.0, math.sqrt(2), 2.0, 3.2])
def test_gistar_equals_esda_on_clipped_region(distance_cells):
    rng = np.random.default_rng(11)
    area = Polygon([(0, 0), (1500, 200), (1300, 1400), (600, 900), (100, 1200)])
    g = hs.make_grid([0], [0], cell_size_m=100, area=area)
    values = rng.poisson(1.5, g.n_cells).astype(float) * rng.uniform(0.5, 3, g.n_cells)
    x, y = g.centres()
    d = 100 * distance_cells
    got = hs.getis_ord_gistar(g, values, neighbour_distance_m=d)
    np.testing.assert_allclose(got.z, esda_gistar(values, x, y, d), rtol=0, atol=TOL)


def test_gistar_constant_values_are_undefined():
    g = hs.make_grid([0, 299], [0, 299], cell_size_m=100)
    r = hs.getis_ord_gistar(g, np.ones(9))
    assert np.isnan(r.z).all() and np.isnan(r.p).all()


def test_gistar_errors():
    g = hs.make_grid([0, 299], [0, 299], cell_size_m=100)
    with pytest.raises(InvalidInput, match="values has 3 entries; the grid has 9 region cells"):
        hs.getis_ord_gistar(g, [1, 2, 3])
    with pytest.raises(InvalidInput, match="values has missing or infinite entries"):
        hs.getis_ord_gistar(g, [np.nan] * 9)
    with pytest.raises(InvalidInput, match="neighbour_distance_m was -1"):
        hs.getis_ord_gistar(g, np.arange(9.0), neighbour_distance_m=-1)


def test_neighbour_offsets():
    assert len(hs.neighbour_offsets(100, 100 * math.sqrt(2))) == 9
    assert len(hs.neighbour_offsets(100, 100)) == 5
    assert len(hs.neighbour_offsets(100, 99)) == 1
    assert len(hs.neighbour_offsets(100, 200)) == 13


# ----------------------------------------------------------------------------- FDR

def test_benjamini_hochberg_by_hand_and_statsmodels():
    from statsmodels.stats.multitest import multipletests

    assert hs.benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    p = np.random.default_rng(5).uniform(0, 1, 500) ** 3
    np.testing.assert_allclose(hs.benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], rtol=0, atol=TOL)


def test_benjamini_hochberg_nan_and_errors():
    q = hs.benjamini_hochberg([0.01, np.nan, 0.02])
    assert np.isnan(q[1]) and q[0] == pytest.approx(0.02) and q[2] == pytest.approx(0.02)
    with pytest.raises(InvalidInput, match="p has values outside"):
        hs.benjamini_hochberg([1.5])


# ----------------------------------------------------------------------------- Mann-Kendall, emerging

def test_mann_kendall_by_hand():
    S, z, p = hs.mann_kendall([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [1, 1, 2, 2, 2], [3, 3, 3, 3, 3]])
    assert S.tolist() == [10, -10, 6, 0]
    assert z[0] == pytest.approx(9 / math.sqrt(50 / 3), abs=TOL)
    assert z[1] == pytest.approx(-9 / math.sqrt(50 / 3), abs=TOL)
    # ties: groups of 2 and 3 -> sum t(t-1)(2t+5) = 18 + 66; var = (5*4*15 - 84) / 18 = 12
    assert z[2] == pytest.approx(5 / math.sqrt(12), abs=TOL)
    assert z[3] == 0 and p[3] == 1


def test_mann_kendall_errors():
    with pytest.raises(InvalidInput, match="series has 1 dimensions"):
        hs.mann_kendall([1, 2, 3])
    with pytest.raises(InvalidInput, match="series has 2 time points; Mann-Kendall needs at least 3"):
        hs.mann_kendall([[1, 2]])
    with pytest.raises(InvalidInput, match="series has missing"):
        hs.mann_kendall([[1, np.nan, 2]])


def _emerging_fixture():
    g = hs.make_grid([0, 1999], [0, 1999], cell_size_m=100)
    rng = np.random.default_rng(1)
    sl = rng.poisson(1.0, size=(12, g.n_cells)).astype(float)

    def put(t, col, row, v=12):
        for dc in (-1, 0, 1):
            for dr in (-1, 0, 1):
                sl[t, (row + dr) * 20 + col + dc] += v

    for t in range(12):
        put(t, 3, 3)
    for t in range(8, 12):
        put(t, 10, 3)
    for t in range(0, 4):
        put(t, 16, 3)
    for t in (2, 7):
        put(t, 3, 12)
    return g, sl


def test_emerging_classes():
    g, sl = _emerging_fixture()
    before = sl.copy()
    em = hs.emerging_hotspots(g, sl)
    at = {name: row * 20 + col for name, (col, row) in
          {"persistent": (3, 3), "emerging": (10, 3), "former": (16, 3), "intermittent": (3, 12),
           "none": (15, 15)}.items()}
    assert {name: em.hotspot_class[i] for name, i in at.items()} == {k: k for k in at}
    assert em.hot_months[at["persistent"]] == 12 and em.hot_months[at["emerging"]] == 4
    assert em.trend_z[at["former"]] < -1.96 and em.trend_z[at["emerging"]] > 1.96
    assert set(em.hotspot_class) <= set(hs.EMERGING_CLASSES)
    np.testing.assert_array_equal(sl, before)
    # per-slice z are Gi* z
    np.testing.assert_allclose(em.z[5], hs.getis_ord_gistar(g, sl[5]).z, rtol=0, atol=TOL)


def test_emerging_errors():
    g, sl = _emerging_fixture()
    with pytest.raises(InvalidInput, match="slices has 2 time slices; emerging hotspots need at least 3 months"):
        hs.emerging_hotspots(g, sl[:2])
    with pytest.raises(InvalidInput, match="slices has shape \\(12, 5\\)"):
        hs.emerging_hotspots(g, sl[:, :5])
    with pytest.raises(InvalidInput, match="fdr was 2; it must be a number between 0 and 1"):
        hs.emerging_hotspots(g, sl, fdr=2)
    with pytest.raises(InvalidInput, match="alpha was 0"):
        hs.emerging_hotspots(g, sl, alpha=0)


# ----------------------------------------------------------------------------- forecast accuracy

def test_forecast_accuracy_by_hand():
    r = hs.forecast_accuracy([True, False, False, False], [3, 5, 1, 1])
    assert (r.hits, r.crimes, r.best_hits) == (3, 10, 5)
    assert r.hit_rate == pytest.approx(0.3) and r.area_share == 0.25
    assert r.pai == pytest.approx(1.2) and r.best_pai == pytest.approx(2.0)
    assert r.efficiency == pytest.approx(0.6)


def test_forecast_accuracy_errors():
    with pytest.raises(TypeError, match="selected has dtype int64; it must be booleans"):
        hs.forecast_accuracy(np.array([1, 0]), [1, 2])
    with pytest.raises(InvalidInput, match="selected has 2 cells and later has 3"):
        hs.forecast_accuracy([True, False], [1, 2, 3])
    with pytest.raises(InvalidInput, match="the later period has no crimes"):
        hs.forecast_accuracy([True, False], [0, 0])
    with pytest.raises(InvalidInput, match="no cell is selected"):
        hs.forecast_accuracy([False, False], [1, 0])
    with pytest.raises(InvalidInput, match="selected is empty"):
        hs.forecast_accuracy(np.array([], dtype=bool), [])


# ----------------------------------------------------------------------------- everything at once

def test_hotspot_grid_columns_and_consistency():
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.normal(1500, 80, 60), rng.uniform(0, 3000, 100)])
    y = np.concatenate([rng.normal(1500, 80, 60), rng.uniform(0, 3000, 100)])
    harm = rng.uniform(1, 5, x.size)
    months = np.array(["2022-01", "2022-03"])[np.arange(x.size) % 2]
    keep = x.copy(), y.copy(), harm.copy(), months.copy()
    r = hs.hotspot_grid(x, y, harm=harm, month=months, cell_size_m=250, bandwidth_m=600, fdr=0.05)
    c = r.cells
    assert list(c.columns[:10]) == ["cell_id", "x_m", "y_m", "count", "harm", "kde", "gi_z", "gi_p", "gi_q",
                                    "n_neighbours"]
    assert c["count"].sum() == 160 and c["harm"].sum() == pytest.approx(harm.sum())
    g = r.grid
    np.testing.assert_allclose(c["kde"], hs.quartic_kde(g, x, y, bandwidth_m=600, weights=harm), rtol=0, atol=TOL)
    np.testing.assert_allclose(c["gi_z"], hs.getis_ord_gistar(g, c["harm"]).z, rtol=0, atol=TOL)
    np.testing.assert_allclose(c["gi_q"], hs.benjamini_hochberg(c["gi_p"]), rtol=0, atol=TOL)
    hot = (c["gi_q"] < 0.05) & (c["gi_z"] > 0)
    assert (c["hotspot_class"] == "hot").tolist() == hot.tolist() and hot.any()
    assert r.months == ("2022-01", "2022-02", "2022-03") and r.months_without_data == ("2022-02",)
    assert r.parameters()["bandwidth_m"] == 600 and r.bandwidth_rule == "given"
    for a, b in zip((x, y, harm, months), keep, strict=True):
        np.testing.assert_array_equal(a, b)


def test_hotspot_grid_fdr_off_uses_raw_p():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    r = hs.hotspot_grid(x, y, cell_size_m=200, bandwidth_m=400, fdr=None)
    np.testing.assert_array_equal(r.cells["gi_q"], r.cells["gi_p"])
    assert r.fdr is None


def test_hotspot_grid_default_bandwidth_rule_stated():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    r = hs.hotspot_grid(x, y, cell_size_m=200)
    assert r.bandwidth_m == pytest.approx(hs.normal_reference_bandwidth(x, y))
    assert r.bandwidth_rule.startswith("normal-reference rule for the quartic kernel")


def test_hotspot_grid_bandwidth_below_cell_warns_at_caller():
    with pytest.warns(UserWarning, match="bandwidth_m \\(50\\) is smaller than cell_size_m \\(100\\)") as rec:
        hs.hotspot_grid([0, 500], [0, 500], cell_size_m=100, bandwidth_m=50)
    assert rec[0].filename == __file__


def test_hotspot_grid_errors():
    with pytest.raises(InvalidInput, match="method was 'hexbin'; it must be one of count, kde, gistar, emerging"):
        hs.hotspot_grid([0], [0], method="hexbin")
    with pytest.raises(InvalidInput, match="method 'emerging' needs the month of each crime"):
        hs.hotspot_grid([0, 1], [0, 1], method="emerging")
    with pytest.raises(InvalidInput, match="month has 1 values for 2 points"):
        hs.hotspot_grid([0, 1], [0, 1], month=["2022-01"])
    with pytest.raises(InvalidInput, match="fdr was 0; it must be a number between 0 and 1"):
        hs.hotspot_grid([0, 1], [0, 1], fdr=0)
    with pytest.raises(InvalidInput, match="harm has 1 values for 2 points"):
        hs.hotspot_grid([0, 1], [0, 1], harm=[1])
    with pytest.raises(InvalidInput, match="the selection has no crimes"):
        hs.hotspot_grid([], [])
    with pytest.raises(InvalidInput, match="the selection has crimes in 2 months; emerging hotspots need at least 3"):
        hs.hotspot_grid([0, 1, 2], [0, 1, 2], month=["2022-01", "2022-02", "2022-02"], method="emerging",
                        cell_size_m=100, bandwidth_m=100)
    with pytest.raises(InvalidInput, match="month has values that are not 'YYYY-MM'"):
        hs.hotspot_grid([0, 1], [0, 1], month=["2022-01", "soon"], cell_size_m=100, bandwidth_m=100)


def test_hotspot_grid_emerging_matches_emerging_hotspots():
    g, sl = _emerging_fixture()
    # turn the slice counts into points at cell centres
    cx, cy = g.centres()
    t_idx, c_idx = np.nonzero(sl)
    reps = sl[t_idx, c_idx].astype(int)
    x = np.repeat(cx[c_idx], reps)
    y = np.repeat(cy[c_idx], reps)
    months = np.repeat(np.array([f"2022-{m:02d}" for m in range(1, 13)])[t_idx], reps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = hs.hotspot_grid(x, y, month=months, method="emerging", cell_size_m=100, bandwidth_m=200,
                            area=box(0, 0, 2000, 2000))
    em = hs.emerging_hotspots(g, sl)
    assert r.cells["hotspot_class"].tolist() == em.hotspot_class.tolist()
    assert r.cells["hot_months"].tolist() == em.hot_months.tolist()


def test_kde_counts_points_outside_the_region_box():
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 2000, 80)
    y = rng.uniform(0, 2000, 80)
    g = hs.make_grid(x, y, cell_size_m=100, area=box(700, 700, 1300, 1300))
    cx, cy = g.centres()
    got = hs.quartic_kde(g, x, y, bandwidth_m=450)
    np.testing.assert_allclose(got, brute_quartic(cx, cy, x, y, np.ones(80), 450), rtol=0, atol=TOL)


@pytest.mark.parametrize("module", ["clearhold.analytics.hotspots", "clearhold.analytics.patrol",
                                    "clearhold.analytics.near_repeat"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_hotspot_grid_skips_an_oversized_kde_unless_asked_for():
    x = np.concatenate([np.arange(2000.0) * 15, np.full(1000, 500.0)])
    y = np.zeros(3000)
    with pytest.warns(UserWarning, match="kde not computed \\(left empty\\): bandwidth_m was 1e\\+06") as rec:
        r = hs.hotspot_grid(x, y, cell_size_m=1000, bandwidth_m=1_000_000, method="gistar")
    assert rec[0].filename == __file__
    assert r.cells["kde"].isna().all() and r.cells["gi_z"].notna().any()
    with pytest.raises(InvalidInput, match="the exact KDE would need"):
        hs.hotspot_grid(x, y, cell_size_m=1000, bandwidth_m=1_000_000, method="kde")


def test_clip_equals_exact_square_test_on_an_irregular_polygon():
    import shapely

    area = Polygon([(13, 7), (980, 140), (610, 420), (870, 990), (55, 760), (300, 410)])
    for cell in (50, 100, 137):
        g = hs.make_grid([0], [0], cell_size_m=cell, area=area)
        c0, r0 = g.col0, g.row0
        want = []
        for r in range(g.n_rows):
            for c in range(g.n_cols):
                sq = box((c0 + c) * cell, (r0 + r) * cell, (c0 + c + 1) * cell, (r0 + r + 1) * cell)
                want.append(shapely.intersection(sq, area).area > 0)
        assert g.mask.ravel().tolist() == want
