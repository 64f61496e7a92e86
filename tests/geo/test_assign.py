"""Point in polygon and the 2011 -> 2021 crosswalk on a hand-made geography.

Three 2021 LSOAs, squares of 1 km in BNG (relative to an origin near Northampton, E 470000
N 260000, inside the area where the OSGB36 transformation applies):
A [0,1000]x[0,1000]   B [1000,2000]x[0,1000]   C [3000,4000]x[0,1000]. 2011 code OLD_U is unchanged (-> A), OLD_S was split into A and B,
OLD_M1 and OLD_M2 merged into C.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clearhold.geo.assign import assign_lsoa21, locate
from clearhold.geo.bng import to_wgs84
from clearhold.geo.store import geography, load_file
from clearhold.storage.lake import Lake

A, B, C = "E01000001", "E01000002", "E01000003"
X0, Y0 = 470000.0, 260000.0


def _square(x0):
    # densified edges (every 50 m), so the square survives the round trip through WGS84 to < 1 mm
    t = np.linspace(0, 1000, 21)
    bx = np.concatenate([x0 + t, np.full(20, x0 + 1000.0), x0 + 1000 - t[1:], np.full(20, x0)])
    by = np.concatenate([np.zeros(21), t[1:], np.full(20, 1000.0), 1000 - t[1:]])
    bx, by = np.append(bx, bx[0]), np.append(by, by[0])
    xs, ys = to_wgs84(bx + X0, by + Y0)
    return {"type": "Polygon", "coordinates": [list(map(list, zip(xs.tolist(), ys.tolist(), strict=True)))]}


@pytest.fixture
def geo(tmp_path):
    features = [{"type": "Feature", "properties": {"LSOA21CD": code, "LSOA21NM": code}, "geometry": _square(x0)}
                for code, x0 in ((A, 0), (B, 1000), (C, 3000))]
    layer = tmp_path / "l.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    cw = tmp_path / "cw.csv"
    cw.write_text(
        "lsoa11_code,lsoa11_name,change_code,lsoa21_code,lsoa21_name\n"
        f"{A},Old 001A,U,{A},New 001A\nE01099998,Old 002A,S,{A},New 001A\nE01099998,Old 002A,S,{B},New 001B\n"
        f"E01099996,Old 003A,M,{C},New 003A\nE01099997,Old 003B,M,{C},New 003A\n"
    )
    lake = Lake(tmp_path / "s")
    load_file(lake, layer)
    load_file(lake, cw)
    return geography(lake)


def test_locate_points_edges_and_nan(geo):
    x = np.array([500.0, 1500.0, 2500.0, 3999.0, np.nan, 500.0])
    y = np.array([500.0, 10.0, 500.0, 999.0, 1.0, 500.0])
    before = x.copy()
    got = locate(geo, x + X0, y + Y0)
    assert got.tolist() == [A, B, None, C, None, A]
    np.testing.assert_array_equal(x, before)


def test_crosswalk_methods_by_hand(geo):
    codes = [A, "E01099998", "E01099998", "E01099998", "E01099996", "", "E01099998", "W01999999", None]
    x = np.array([10.0, 10.0, 1500.0, 2500.0, 3500.0, 1500.0, np.nan, 3500.0, np.nan])
    y = np.array([10.0, 10.0, 10.0, 500.0, 500.0, 10.0, np.nan, 500.0, np.nan])
    located = locate(geo, x + X0, y + Y0)
    lsoa21, method = assign_lsoa21(geo, codes, x + X0, y + Y0, located)
    assert lsoa21.tolist() == [A, A, B, B, C, B, None, C, None]
    assert method.tolist() == [
        "published", "split_point", "split_point", "split_nearest", "crosswalk", "point", "split_unresolved", "point", "none",
    ]


def test_empty_input(geo):
    lsoa21, method = assign_lsoa21(geo, [], [], [], locate(geo, [], []))
    assert lsoa21.shape == (0,) and method.shape == (0,)
