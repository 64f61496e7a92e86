"""BNG conversion: reference points, NaN handling, shapes, round trip, error branches."""

from __future__ import annotations

import numpy as np
import pytest

from clearhold.geo.bng import to_bng, to_wgs84

TOL_M = 5.0  # pyproj without the OSTN15 grid: Helmert, ~2 m; one shared tolerance


def test_reference_point_true_origin_region():
    # OS "A guide to coordinate systems in Great Britain": the BNG false origin is at
    # 49N 2W (OSGB36). In WGS84 that point is shifted by about 100 m, so compare the
    # inverse: BNG (400000, -100000) is within ~120 m of lon -2, lat 49 in WGS84.
    lon, lat = to_wgs84(400000.0, -100000.0)
    assert abs(float(lon) - -2.0) < 0.0025
    assert abs(float(lat) - 49.0) < 0.0025


def test_northampton_point_matches_reference():
    x, y = to_bng(-0.8939, 52.2370)
    assert float(x) == pytest.approx(475630.7, abs=TOL_M)
    assert float(y) == pytest.approx(260443.7, abs=TOL_M)


def test_round_trip_and_shape_kept():
    lon = np.array([[-0.8939, -0.7], [-1.2, -3.0]])
    lat = np.array([[52.237, 52.4], [52.1, 51.5]])
    before = (lon.copy(), lat.copy())
    x, y = to_bng(lon, lat)
    assert x.shape == (2, 2) and y.shape == (2, 2)
    lon2, lat2 = to_wgs84(x, y)
    np.testing.assert_allclose(lon2, lon, atol=1e-7)
    np.testing.assert_allclose(lat2, lat, atol=1e-7)
    np.testing.assert_array_equal(lon, before[0])
    np.testing.assert_array_equal(lat, before[1])


def test_nan_in_nan_out():
    x, y = to_bng([-0.8939, np.nan, -0.9], [52.237, 52.0, np.nan])
    assert np.isfinite(x[0]) and np.isfinite(y[0])
    assert np.isnan(x[1:]).all() and np.isnan(y[1:]).all()
    lon, lat = to_wgs84([np.nan], [np.nan])
    assert np.isnan(lon).all() and np.isnan(lat).all()


def test_empty_arrays():
    x, y = to_bng([], [])
    assert x.shape == (0,) and y.shape == (0,)


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="lon has shape"):
        to_bng([1.0, 2.0], [1.0])


def test_non_numeric_raises_type_error():
    with pytest.raises(TypeError, match="lon and lat must be numbers"):
        to_bng(["a"], ["b"])


def test_against_ons_centroids_both_ways(shared_data):
    """ONS publishes each 2011 LSOA centroid in both BNG and WGS84: an independent oracle."""
    import json

    data = json.loads((shared_data / "geography" / "lsoa11-west-northamptonshire.geojson").read_text())
    props = [f["properties"] for f in data["features"]]
    lon = np.array([p["LONG"] for p in props])
    lat = np.array([p["LAT"] for p in props])
    east = np.array([p["BNG_E"] for p in props], dtype=float)
    north = np.array([p["BNG_N"] for p in props], dtype=float)
    x, y = to_bng(lon, lat)
    assert len(props) == 228
    assert np.abs(x - east).max() < TOL_M and np.abs(y - north).max() < TOL_M  # ONS rounds to 1 m / 1e-5 deg
    lon2, lat2 = to_wgs84(east, north)
    assert np.abs(lon2 - lon).max() < 1e-4 and np.abs(lat2 - lat).max() < 1e-4
