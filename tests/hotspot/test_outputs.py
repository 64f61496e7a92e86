"""Writers: every cell, NaN as null, the map's trimming rule, unknown suffixes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import box

from clearhold.analytics import hotspots as hs
from clearhold.errors import InvalidInput
from clearhold.reports import hotspot_outputs as out


def result():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(475_500, 100, 80), [474_050.0]])
    y = np.concatenate([rng.normal(260_500, 100, 80), [259_050.0]])
    return hs.hotspot_grid(x, y, area=box(474_000, 259_000, 477_000, 262_000), cell_size_m=250,
                           bandwidth_m=400, method="kde")


def test_geojson_cells_are_squares_in_wgs84_and_nan_is_null():
    r = result()
    cells = r.cells.copy()
    cells.loc[0, "gi_z"] = np.nan
    gj = out.to_geojson(cells, 250, r.parameters())
    assert len(gj["features"]) == len(cells) == 144
    assert gj["features"][0]["properties"]["gi_z"] is None
    from clearhold.geo.bng import to_bng

    ring = np.array(gj["features"][5]["geometry"]["coordinates"][0])
    x, y = to_bng(ring[:, 0], ring[:, 1])
    cx, cy = cells.loc[5, "x_m"], cells.loc[5, "y_m"]
    np.testing.assert_allclose(x[:4], cx + np.array([-125, 125, 125, -125]), atol=0.05)
    np.testing.assert_allclose(y[:4], cy + np.array([-125, -125, 125, 125]), atol=0.05)
    json.dumps(gj)  # serialisable, no NaN


def test_map_trims_to_max_cells_by_the_mapped_column():
    r = result()
    html = out.map_html(r.cells, 250, r.parameters(), max_cells=10)
    start = html.index("var cells = ") + len("var cells = ")
    data = json.loads(html[start:html.index(";\n", start)])
    ids = [f["properties"]["cell_id"] for f in data["features"]]
    want = r.cells.sort_values("kde", ascending=False).head(10)["cell_id"]
    assert sorted(ids) == sorted(want) and len(ids) == 10
    assert "10 of 144 cells drawn" in html


def test_unknown_suffix_is_refused(tmp_path):
    r = result()
    with pytest.raises(InvalidInput, match="the file must end in one of .csv, .geojson, .json, .gpkg, .html"):
        out.write_cells(tmp_path / "cells.shp", r.cells, 250, r.parameters())
