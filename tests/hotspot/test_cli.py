"""``clearhold hotspots``, ``patrol plan`` and ``near-repeat`` on a store with real data:
``--json`` equals a direct library call; files open and hold every cell; errors exit 2."""

from __future__ import annotations

import json
import math
import sqlite3
import struct

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clearhold.analytics import hotspots as hs
from clearhold.interfaces.cli.main import app

AREA = "ward:Blackthorn & Rectory Farm"
runner = CliRunner()


def flat(text: str) -> str:
    """Console output with line wrapping undone."""
    return " ".join(text.split())


def invoke(*args: str):
    return runner.invoke(app, list(args))


def base_args(store, *extra: str) -> list[str]:
    return ["hotspots", "--area", AREA, "--from", "2022-01", "--to", "2022-04", "--store", str(store),
            "--cell-size-m", "100", "--bandwidth-m", "300", *extra]


def direct(store, method="gistar", **kw):
    from clearhold.crime import service as crime

    area = crime.resolve_area(AREA, store=store)
    pts = crime.load_points(store=store, area=area, start_month="2022-01", end_month="2022-04",
                            crime_types=kw.pop("crime_types", None))
    return hs.hotspot_grid(pts.x_m, pts.y_m, month=pts.month, area=area.geometry, method=method,
                           cell_size_m=100, bandwidth_m=300, **kw)


@pytest.mark.parametrize("method", ["count", "kde", "gistar", "emerging"])
def test_json_equals_library_call(hotspot_store, method):
    res = invoke(*base_args(hotspot_store, "--method", method, "--json"))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    want = direct(hotspot_store, method=method)
    got = pd.DataFrame(data["cells"])
    assert got["cell_id"].tolist() == want.cells["cell_id"].tolist()
    for col in ("x_m", "y_m", "count", "harm", "kde", "gi_z", "gi_p", "gi_q"):
        np.testing.assert_allclose(got[col].astype(float), want.cells[col].astype(float), rtol=0, atol=1e-12)
    assert got["hotspot_class"].tolist() == want.cells["hotspot_class"].tolist()
    assert data["cell_size_m"] == 100 and data["bandwidth_m"] == 300
    assert data["neighbour_distance_m"] == pytest.approx(100 * math.sqrt(2))
    assert data["period"] == {"from": "2022-01", "to": "2022-04"}
    assert data["crime_types"] == "all" and data["weights"] == "count"
    assert data["area"] == "Blackthorn & Rectory Farm" and data["method"] == method
    assert sum(data["classes"].values()) == len(got) == want.grid.n_cells


def test_types_filter_and_defaults(hotspot_store):
    res = invoke("hotspots", "--area", AREA, "--from", "2022-01", "--to", "2022-04", "--store", str(hotspot_store),
                 "--types", "Burglary,Vehicle crime", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["crime_types"] == ["Burglary", "Vehicle crime"]
    assert data["cell_size_rule"].startswith("default cell size")
    assert data["bandwidth_rule"].startswith("normal-reference rule")


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg", ".html"])
def test_outputs_hold_every_cell(hotspot_store, tmp_path, suffix):
    out = tmp_path / f"cells{suffix}"
    res = invoke(*base_args(hotspot_store, "--out", str(out)))
    assert res.exit_code == 0, res.output
    want = direct(hotspot_store).cells
    if suffix == ".csv":
        got = pd.read_csv(out)
        assert got["cell_id"].tolist() == want["cell_id"].tolist()
        np.testing.assert_allclose(got["gi_z"], want["gi_z"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(got["kde"], want["kde"], rtol=0, atol=1e-12)
    elif suffix == ".geojson":
        data = json.loads(out.read_text())
        cells = [f for f in data["features"] if f["properties"]["layer"] == "cells"]
        assert [f["properties"]["cell_id"] for f in cells] == want["cell_id"].tolist()
        ring = cells[0]["geometry"]["coordinates"][0]
        assert len(ring) == 5 and ring[0] == ring[-1]
        assert -1.2 < ring[0][0] < -0.7 and 52.1 < ring[0][1] < 52.4  # WGS84, Northampton
        assert data["features"][-1]["properties"]["layer"] == "study_area"
        assert data["metadata"]["cell_size_m"] == 100
    elif suffix == ".gpkg":
        check_gpkg(out, want)
    else:
        html = out.read_text()
        assert "Contains public sector information licensed under the Open Government Licence v3.0" in html
        assert "Contains OS data © Crown copyright and database right" in html
        assert "L.geoJSON" in html and "http://" not in html.split("<script>")[0]
        assert "tile" not in html.lower().split("leaflet")[0]
        assert want["cell_id"].iloc[0] in html


def check_gpkg(path, want):
    import shapely

    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        srs = {r[0] for r in con.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
        assert {-1, 0, 4326, 27700} <= srs
        contents = con.execute("SELECT table_name, data_type, srs_id FROM gpkg_contents ORDER BY table_name").fetchall()
        assert contents == [("hotspot_cells", "features", 27700), ("study_area", "features", 27700)]
        geomcols = con.execute("SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns "
                               "ORDER BY table_name").fetchall()
        assert geomcols[0] == ("hotspot_cells", "geom", "POLYGON", 27700)
        rows = con.execute("SELECT cell_id, x_m, y_m, gi_z, geom FROM hotspot_cells ORDER BY fid").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == want["cell_id"].tolist()
    np.testing.assert_allclose([r[3] if r[3] is not None else np.nan for r in rows], want["gi_z"], rtol=0, atol=1e-12)
    blob = rows[0][4]
    assert blob[:2] == b"GP" and blob[2] == 0 and blob[3] == 0b11
    srs_id, minx, maxx, miny, maxy = struct.unpack("<i4d", blob[4:40])
    geom = shapely.from_wkb(blob[40:])
    assert srs_id == 27700
    assert geom.bounds == (minx, miny, maxx, maxy)
    assert geom.area == pytest.approx(100 * 100)
    assert geom.centroid.x == pytest.approx(rows[0][1]) and geom.centroid.y == pytest.approx(rows[0][2])


def test_human_output(hotspot_store):
    res = invoke(*base_args(hotspot_store, "--method", "kde"))
    assert res.exit_code == 0, res.output
    assert "top 10 cells by kde" in res.stdout and "cells " in res.stdout


def test_forecast_check(hotspot_store):
    res = invoke("hotspots", "--area", AREA, "--from", "2022-01", "--to", "2022-03", "--store", str(hotspot_store),
                 "--cell-size-m", "100", "--bandwidth-m", "300", "--test-from", "2022-04", "--test-to", "2022-04",
                 "--json")
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["forecast"]
    from clearhold.crime import service as crime

    area = crime.resolve_area(AREA, store=hotspot_store)
    early = crime.load_points(store=hotspot_store, area=area, start_month="2022-01", end_month="2022-03")
    later = crime.load_points(store=hotspot_store, area=area, start_month="2022-04", end_month="2022-04")
    r = hs.hotspot_grid(early.x_m, early.y_m, area=area.geometry, cell_size_m=100, bandwidth_m=300)
    count, _ = hs.grid_counts(r.grid, later.x_m, later.y_m)
    acc = hs.forecast_accuracy((r.cells["hotspot_class"] == "hot").to_numpy(), count)
    assert f["hit_rate"] == pytest.approx(acc.hit_rate, abs=1e-12)
    assert f["pai"] == pytest.approx(acc.pai, abs=1e-12)
    assert f["efficiency"] == pytest.approx(acc.efficiency, abs=1e-12)
    assert f["period"] == {"from": "2022-04", "to": "2022-04"}


@pytest.mark.parametrize("extra, message", [
    (["--cell-size-m", "-100"], "cell_size_m was -100; it must be a positive number of metres"),
    (["--types", "Jaywalking"], "crime type 'Jaywalking' is unknown"),
    (["--method", "hexbin"], "method was 'hexbin'; it must be one of count, kde, gistar, emerging"),
    (["--fdr", "1.5"], "fdr was 1.5; it must be a number between 0 and 1"),
    (["--from", "2022-13"], "2022-13"),
    (["--out", "cells.shp"], "the file must end in one of"),
])
def test_bad_input_exits_2(hotspot_store, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    args = ["hotspots", "--area", AREA, "--from", "2022-01", "--to", "2022-04", "--store", str(hotspot_store),
            *extra]
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    assert message in flat(res.stderr)


def test_empty_selection_exits_2(hotspot_store):
    res = invoke("hotspots", "--area", AREA, "--from", "2021-01", "--to", "2021-03", "--store", str(hotspot_store))
    assert res.exit_code == 2
    assert "the selection has no crimes" in flat(res.stderr)


def test_area_with_no_overlap(hotspot_store, tmp_path):
    far = tmp_path / "cornwall.geojson"
    far.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "far"},
                   "geometry": {"type": "Polygon", "coordinates": [[[-5.1, 50.2], [-5.0, 50.2], [-5.0, 50.3],
                                                                    [-5.1, 50.3], [-5.1, 50.2]]]}}]}))
    res = invoke("hotspots", "--area", str(far), "--from", "2022-01", "--to", "2022-04", "--store", str(hotspot_store))
    assert res.exit_code == 2, res.output
    assert "the selection has no crimes" in flat(res.stderr) and "overlap" in flat(res.stderr)


def test_warnings_are_printed(hotspot_store):
    res = invoke(*base_args(hotspot_store)[:-2], "--bandwidth-m", "50")
    assert res.exit_code == 0, res.output
    assert "warning: bandwidth_m (50) is smaller than cell_size_m (100)" in flat(res.stderr)


# ---------------------------------------------------------------------------- patrol

def patrol_args(store, *extra):
    return ["patrol", "plan", "--area", AREA, "--from", "2022-01", "--to", "2022-04", "--store", str(store),
            "--cell-size-m", "150", "--budget-hours", "3", "--shift", "18:00-02:00", *extra]


def test_patrol_plan_json_equals_library_call(hotspot_store):
    from datetime import date

    from clearhold.analytics.patrol import parse_shift, plan_patrols

    res = invoke(*patrol_args(hotspot_store, "--json"))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    from clearhold.crime import service as crime

    area = crime.resolve_area(AREA, store=hotspot_store)
    pts = crime.load_points(store=hotspot_store, area=area, start_month="2022-01", end_month="2022-04")
    r = hs.hotspot_grid(pts.x_m, pts.y_m, area=area.geometry, cell_size_m=150, method="count")
    from zoneinfo import ZoneInfo

    start, end = parse_shift("18:00-02:00", on=date.today(), tz=ZoneInfo("Europe/London"))
    plan = plan_patrols(r.cells, budget_hours=3, shift_start=start, shift_end=end, cell_size_m=150)
    assert [v["cell_id"] for v in data["visits"]] == [v.cell_id for v in plan.visits]
    assert [v["start"] for v in data["visits"]] == [v.start.isoformat() for v in plan.visits]
    assert len(data["visits"]) == 12 and data["used_minutes"] == 180
    assert data["harm_covered"] == pytest.approx(plan.harm_covered)
    assert data["area"] == "Blackthorn & Rectory Farm"


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".geojson"])
def test_patrol_sheet_files(hotspot_store, tmp_path, suffix):
    out = tmp_path / f"plan{suffix}"
    res = invoke(*patrol_args(hotspot_store, "--out", str(out)))
    assert res.exit_code == 0, res.output
    if suffix == ".pdf":
        assert out.read_bytes()[:5] == b"%PDF-"
    elif suffix == ".html":
        html = out.read_text()
        assert "Hotspot patrol plan" in html and "SP " in html and "<svg" in html
        assert "Open Government Licence v3.0" in html
    else:
        data = json.loads(out.read_text())
        cells = [f for f in data["features"] if f["properties"]["layer"] == "patrol_cells"]
        assert sum(f["properties"]["visits"] for f in cells) == 12


def test_patrol_plan_errors(hotspot_store):
    res = invoke(*patrol_args(hotspot_store)[:-4], "--budget-hours", "-1", "--shift", "18:00-02:00")
    assert res.exit_code == 2 and "budget_hours was -1" in flat(res.stderr)
    res = invoke(*patrol_args(hotspot_store)[:-4], "--budget-hours", "2", "--shift", "evening")
    assert res.exit_code == 2 and "shift was 'evening'" in flat(res.stderr)


# ---------------------------------------------------------------------------- near repeat

def test_near_repeat_refuses_monthly_police_data(hotspot_store):
    res = invoke("near-repeat", "--area", AREA, "--from", "2022-01", "--to", "2022-04", "--store", str(hotspot_store))
    assert res.exit_code == 1
    assert "police.uk street crime is published by month only" in flat(res.stderr)


def test_near_repeat_events_json_equals_library_call(tmp_path):
    from clearhold.analytics.near_repeat import knox_table

    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame({"x_m": rng.uniform(450_000, 452_000, n), "y_m": rng.uniform(260_000, 262_000, n),
                       "occurred_at": pd.Timestamp("2024-01-01T10:00Z") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")})
    path = tmp_path / "events.csv"
    df.to_csv(path, index=False)
    res = invoke("near-repeat", "--events", str(path), "--permutations", "19", "--seed", "3", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    want = knox_table(df.x_m, df.y_m, df.occurred_at, permutations=19, seed=3)
    assert [c["observed"] for c in data["cells"]] == want.observed.ravel().tolist()
    np.testing.assert_allclose([c["expected"] for c in data["cells"]], want.expected.ravel(), rtol=0, atol=1e-12)


def test_near_repeat_refuses_month_only_events(tmp_path):
    path = tmp_path / "events.csv"
    pd.DataFrame({"x_m": [0, 10, 20], "y_m": [0, 0, 0],
                  "occurred_at": ["2022-01-01", "2022-02-01", "2022-03-01"]}).to_csv(path, index=False)
    res = invoke("near-repeat", "--events", str(path))
    assert res.exit_code == 2
    assert "occurred_at holds months only" in flat(res.stderr)


def test_patrol_plan_records_planned_patrols(hotspot_store, tmp_path):
    from sqlalchemy import select

    from clearhold.record import service as record_service
    from clearhold.record.tables import Record
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade
    from tests.support.ledger import make_operation

    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = make_engine(url)
    upgrade(engine)
    make_operation(engine)
    res = invoke(*patrol_args(hotspot_store, "--date", "2023-08-04", "--operation", "op-test", "--record",
                              "--user", "pc1", "--database", url, "--json"))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["recorded_ids"]) == 12
    with session_scope(engine) as s:
        recs = s.scalars(select(Record).where(Record.id.in_(data["recorded_ids"])).order_by(Record.id)).all()
        states = [record_service.to_state(s, r) for r in recs]
    engine.dispose()
    assert all(st["kind"] == "patrol" and st["planned"] is True and st["entered_by"] == "pc1" for st in states)
    assert [st["hotspot_ref"] for st in states] == [v["cell_id"] for v in data["visits"]]
    from datetime import datetime

    assert [datetime.fromisoformat(st["occurred_at"]) for st in states] == \
        [datetime.fromisoformat(v["start"]) for v in data["visits"]]
    assert data["visits"][0]["start"].startswith("2023-08-04T18:") and data["visits"][0]["start"].endswith("+01:00")


def test_patrol_record_needs_operation_and_user(hotspot_store):
    res = invoke(*patrol_args(hotspot_store, "--record", "--user", "pc1"))
    assert res.exit_code == 2 and "--record needs --operation" in flat(res.stderr)
    res = invoke(*patrol_args(hotspot_store, "--record", "--operation", "op-test"))
    assert res.exit_code == 2 and "--record needs --user" in flat(res.stderr)
    res = invoke(*patrol_args(hotspot_store, "--date", "04/08/2023"))
    assert res.exit_code == 2 and "--date was '04/08/2023'; it must be YYYY-MM-DD" in flat(res.stderr)


def test_harm_weighted_gistar(hotspot_store):
    res = invoke(*base_args(hotspot_store, "--weights", "illustrative-v1", "--json"))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["weights"] == "illustrative-v1" and data["statistic_on"] == "harm (illustrative-v1)"
    from clearhold.crime import service as crime

    area = crime.resolve_area(AREA, store=hotspot_store)
    pts = crime.load_points(store=hotspot_store, area=area, start_month="2022-01", end_month="2022-04",
                            weights="illustrative-v1")
    r = hs.hotspot_grid(pts.x_m, pts.y_m, harm=pts.harm, area=area.geometry, cell_size_m=100, bandwidth_m=300)
    got = pd.DataFrame(data["cells"])
    np.testing.assert_allclose(got["harm"], r.cells["harm"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["gi_z"].astype(float), r.cells["gi_z"], rtol=0, atol=1e-12)
    # harm differs from count, and Gi* ran on harm
    assert not np.allclose(got["harm"], got["count"])
    np.testing.assert_allclose(got["gi_z"].astype(float), hs.getis_ord_gistar(r.grid, r.cells["harm"]).z,
                               rtol=0, atol=1e-12)


def test_area_slug_from_the_records_database(hotspot_store, tmp_path):
    from clearhold.storage.database import make_engine
    from clearhold.storage.migrate import upgrade
    from tests.support.ledger import make_operation

    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = make_engine(url)
    upgrade(engine)
    make_operation(engine)
    engine.dispose()
    res = invoke("hotspots", "--area", "op-test-a", "--from", "2022-01", "--to", "2022-04", "--store",
                 str(hotspot_store), "--database", url, "--cell-size-m", "100", "--bandwidth-m", "300", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # Area A is a 0.03 x 0.01 degree box (about 2.05 km x 1.11 km): 21 x 12 or 22 x 13 cells of 100 m
    assert 240 <= len(data["cells"]) <= 300
    assert sum(c["count"] for c in data["cells"]) == data["n_points"] > 100


def test_near_repeat_from_the_operations_own_records(tmp_path):
    from clearhold.analytics.near_repeat import knox_table
    from clearhold.geo.bng import to_bng
    from clearhold.record import service as record_service
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade
    from tests.support.ledger import make_operation

    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = make_engine(url)
    upgrade(engine)
    make_operation(engine)
    places = [(52.235, -0.895), (52.2351, -0.8951), (52.236, -0.894), (52.235, -0.855), (52.2352, -0.8949)]
    days = ["2023-08-01T10:00:00+01:00", "2023-08-02T23:30:00+01:00", "2023-08-20T10:00:00+01:00",
            "2023-08-03T10:00:00+01:00", "2023-09-15T12:00:00+01:00"]
    with session_scope(engine) as s:
        for i, ((lat, lon), when) in enumerate(zip(places, days, strict=True)):
            record_service.create(s, record_in={
                "kind": "vehicle_stop", "operation": "op-test", "occurred_at": when, "lat": lat, "lon": lon,
                "vrm": f"AB12CD{i}", "reason": "patrol", "result": "nothing_found", "ref": f"VS-{i}"}, entered_by="pc1")
    engine.dispose()
    res = invoke("near-repeat", "--operation", "op-test", "--kind", "vehicle_stop", "--database", url,
                 "--permutations", "19", "--seed", "4", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    x, y = to_bng([p[1] for p in places], [p[0] for p in places])
    want = knox_table(x, y, pd.to_datetime(days, utc=True), permutations=19, seed=4)
    assert [c["observed"] for c in data["cells"]] == want.observed.ravel().tolist()
    assert data["n_events"] == 5
    res = invoke("near-repeat", "--operation", "op-test", "--kind", "arrest", "--database", url)
    assert res.exit_code == 2 and "operation op-test has 0 records with a place of kind arrest" in flat(res.stderr)
    res = invoke("near-repeat", "--operation", "op-test", "--events", "x.csv", "--database", url)
    assert res.exit_code == 2 and "give --events or --operation, not both" in flat(res.stderr)


def test_gdal_reads_the_geopackage_and_geojson(hotspot_store, tmp_path):
    """An outside reader (GDAL's ogrinfo, what QGIS uses) when installed; the structural checks
    in check_gpkg run everywhere."""
    import shutil
    import subprocess

    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("GDAL's ogrinfo is not installed (optional: apt-get install gdal-bin)")
    for suffix in (".gpkg", ".geojson"):
        out = tmp_path / f"cells{suffix}"
        assert invoke(*base_args(hotspot_store, "--out", str(out))).exit_code == 0
        info = subprocess.run([ogrinfo, "-so", "-al", str(out)], capture_output=True, text=True, check=True)
        assert "Warning" not in info.stderr and "ERROR" not in info.stderr
        n = len(direct(hotspot_store).cells)
        counts = [int(line.split(":")[1]) for line in info.stdout.splitlines() if line.startswith("Feature Count")]
        assert counts[0] == n if suffix == ".gpkg" else counts == [n + 1]
