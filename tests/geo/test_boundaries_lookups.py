"""Boundary readers (GeoJSON, GeoPackage, Shapefile), lookups, the store's geography, harm sets."""

from __future__ import annotations

import json
import sqlite3
import struct

import numpy as np
import pytest
import shapely

from clearhold.errors import InvalidInput, NotFound, SourceError
from clearhold.geo.boundaries import detect_layer, read_boundaries
from clearhold.geo.bng import to_bng
from clearhold.geo.lookups import read_lookup
from clearhold.geo.store import geography, load_file
from clearhold.storage.lake import Lake

# a 1 km square in BNG near Northampton and the same in WGS84
SQ = [(475000.0, 260000.0), (476000.0, 260000.0), (476000.0, 261000.0), (475000.0, 261000.0), (475000.0, 260000.0)]


def test_detect_layer_names():
    assert detect_layer(["FID", "LSOA21CD", "LSOA21NM"]) == ("lsoa21", "LSOA21CD", "LSOA21NM")
    assert detect_layer(["lsoa21_name", "lsoa21_code"]) == ("lsoa21", "lsoa21_code", "lsoa21_name")
    assert detect_layer(["WD25CD", "WD25NM"]) == ("ward25", "WD25CD", "WD25NM")
    assert detect_layer(["ltla24_name", "ltla24_code"]) == ("lad24", "ltla24_code", "ltla24_name")
    assert detect_layer(["pfa20_code"]) == ("pfa20", "pfa20_code", None)
    with pytest.raises(InvalidInput, match="no area code column"):
        detect_layer(["name", "id"])


def test_real_geojson_ward_layer(shared_data):
    layer = read_boundaries(shared_data / "geography" / "wards-2019-northampton.geojson")
    assert layer.layer == "ward19" and len(layer.codes) == 33
    assert "Kings Heath" in set(layer.names) and "Rectory Farm" in set(layer.names)
    minx, miny, maxx, maxy = shapely.total_bounds(layer.geometries)
    assert 470000 < minx < maxx < 485000 and 250000 < miny < maxy < 270000  # BNG metres


def test_geojson_with_bng_crs(tmp_path):
    data = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
            "features": [{"type": "Feature", "properties": {"WD25CD": "E05000001", "WD25NM": "Test"},
                          "geometry": {"type": "Polygon", "coordinates": [SQ]}}]}
    path = tmp_path / "w.geojson"
    path.write_text(json.dumps(data))
    layer = read_boundaries(path)
    assert layer.geometries[0].area == pytest.approx(1_000_000.0)


def _gpkg(path, srs_id: int, ring):
    wkb = shapely.to_wkb(shapely.Polygon(ring))
    env = struct.pack("<4d", min(p[0] for p in ring), max(p[0] for p in ring), min(p[1] for p in ring), max(p[1] for p in ring))
    blob = b"GP" + bytes([0, 0x03]) + struct.pack("<i", srs_id) + env + wkb
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
            organization_coordsys_id INTEGER, definition TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER);
        CREATE TABLE wards (fid INTEGER PRIMARY KEY, geom BLOB, WD24CD TEXT, WD24NM TEXT);
    """)
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?, 'EPSG', ?, '')", (srs_id, srs_id))
    con.execute("INSERT INTO gpkg_contents VALUES ('wards', 'features', ?)", (srs_id,))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('wards', 'geom', 'POLYGON', ?)", (srs_id,))
    con.execute("INSERT INTO wards VALUES (1, ?, 'E05000002', 'Packaged')", (blob,))
    con.commit()
    con.close()


def test_geopackage_bng_and_wgs84(tmp_path):
    _gpkg(tmp_path / "a.gpkg", 27700, SQ)
    layer = read_boundaries(tmp_path / "a.gpkg")
    assert (layer.layer, list(layer.codes), list(layer.names)) == ("ward24", ["E05000002"], ["Packaged"])
    assert layer.geometries[0].area == pytest.approx(1_000_000.0)
    from clearhold.geo.bng import to_wgs84

    lon, lat = to_wgs84([p[0] for p in SQ], [p[1] for p in SQ])
    _gpkg(tmp_path / "b.gpkg", 4326, list(zip(lon, lat, strict=True)))
    assert read_boundaries(tmp_path / "b.gpkg").geometries[0].area == pytest.approx(1_000_000.0, rel=1e-6)


def test_not_a_geopackage(tmp_path):
    bad = tmp_path / "x.gpkg"
    bad.write_bytes(b"nonsense" * 20)
    with pytest.raises(SourceError, match="not a GeoPackage"):
        read_boundaries(bad)


def _shapefile(base, ring, prj: str | None):
    pts = np.asarray(ring, dtype="<f8")
    content = struct.pack("<i", 5) + struct.pack("<4d", pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
    content += struct.pack("<ii", 1, len(pts)) + struct.pack("<i", 0) + pts.tobytes()
    record = struct.pack(">ii", 1, len(content) // 2) + content
    header = struct.pack(">i", 9994) + b"\0" * 20 + struct.pack(">i", (100 + len(record)) // 2)
    header += struct.pack("<ii", 1000, 5) + struct.pack("<4d", 0, 0, 0, 0) + b"\0" * 32
    (base.with_suffix(".shp")).write_bytes(header + record)
    fields = [(b"LAD24CD", b"C", 9), (b"LAD24NM", b"C", 20)]
    rec_len = 1 + sum(f[2] for f in fields)
    dbf = struct.pack("<BBBBIHH", 3, 124, 1, 1, 1, 32 + 32 * len(fields) + 1, rec_len) + b"\0" * 20
    for name, ftype, flen in fields:
        dbf += name.ljust(11, b"\0") + ftype + b"\0" * 4 + bytes([flen, 0]) + b"\0" * 14
    dbf += b"\x0d" + b" " + b"E06000062".ljust(9) + b"West Northants".ljust(20) + b"\x1a"
    base.with_suffix(".dbf").write_bytes(dbf)
    if prj:
        base.with_suffix(".prj").write_text(prj)


def test_shapefile_bng(tmp_path):
    clockwise = list(reversed(SQ))
    _shapefile(tmp_path / "lad", clockwise, 'PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936"]]')
    layer = read_boundaries(tmp_path / "lad.shp")
    assert (layer.layer, list(layer.codes), list(layer.names)) == ("lad24", ["E06000062"], ["West Northants"])
    assert layer.geometries[0].area == pytest.approx(1_000_000.0)


def test_shapefile_without_dbf(tmp_path):
    _shapefile(tmp_path / "lad", list(reversed(SQ)), None)
    (tmp_path / "lad.dbf").unlink()
    with pytest.raises(SourceError, match="lad.dbf is missing"):
        read_boundaries(tmp_path / "lad.shp")


def test_boundary_errors(tmp_path):
    with pytest.raises(InvalidInput, match="no such file"):
        read_boundaries(tmp_path / "none.geojson")
    odd = tmp_path / "a.kml"
    odd.write_text("x")
    with pytest.raises(InvalidInput, match="must be .geojson, .json, .gpkg or .shp"):
        read_boundaries(odd)
    bad = tmp_path / "b.geojson"
    bad.write_text("{")
    with pytest.raises(SourceError, match="not valid GeoJSON"):
        read_boundaries(bad)
    empty = tmp_path / "c.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(SourceError, match="no features"):
        read_boundaries(empty)


# ---- lookups ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rel", "name", "rows"),
    [
        ("lookups/lsoa11-to-lsoa21-to-lad22.csv", "lsoa11_lsoa21", 35_795),
        ("lookups/lsoa21-to-ward24-to-lad24.csv", "lsoa21_ward", 35_672),
        ("lookups/lsoa11-to-ward19-to-lad19.csv", "lsoa11_ward", 34_753),
        ("lookups/lad24-to-csp24-to-pfa24.csv", "lad_csp_pfa", 332),
        ("population/census2021-usual-residents-lsoa21.csv", "population_lsoa21", 35_672),
    ],
)
def test_real_lookups_recognised(shared_data, rel, name, rows):
    got, frame = read_lookup(shared_data.joinpath(*rel.split("/")))
    assert got == name and len(frame) == rows


def test_lookup_errors(tmp_path):
    unknown = tmp_path / "u.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInput, match="match no known lookup"):
        read_lookup(unknown)
    bad_code = tmp_path / "cw.csv"
    bad_code.write_text("lsoa11_code,change_code,lsoa21_code\nE01000001,U,E01000001\nE01000002,Q,E01000002\n")
    with pytest.raises(SourceError, match=r"cw.csv, line 3: change code 'Q' is not U, S, M or X"):
        read_lookup(bad_code)
    pop = tmp_path / "p.csv"
    pop.write_text("lsoa21_code,total_residents\nE01000001,many\n")
    with pytest.raises(SourceError, match="line 2: residents 'many' is not a number"):
        read_lookup(pop)


def test_layer_merge_by_code_and_csp_from_old_districts(tmp_path, shared_data):
    lake = Lake(tmp_path / "s")
    r1 = load_file(lake, shared_data / "geography" / "lsoa21-west-northamptonshire.geojson")
    r2 = load_file(lake, shared_data / "geography" / "lsoa21-north-northamptonshire.geojson")
    r3 = load_file(lake, shared_data / "geography" / "lsoa21-west-northamptonshire.geojson")
    assert (r1.total, r2.total, r3.total) == (238, 443, 443)
    for rel in ("lookups/lsoa11-to-lsoa21-to-lad22.csv", "lookups/lsoa21-to-ward24-to-lad24.csv",
                "lookups/lad24-to-csp24-to-pfa24.csv", "population/census2021-usual-residents-lsoa21.csv"):
        load_file(lake, shared_data.joinpath(*rel.split("/")))
    geo = geography(lake)
    # Northampton 017D (2011) sits in West Northamptonshire; its CSP is Northampton
    row = geo.attrs.loc["E01027135"]
    assert row["lad_name"] == "West Northamptonshire" and row["pfa_name"] == "Northamptonshire"
    assert row["csp_name"] in {"Northampton", "Daventry and South Northamptonshire"}
    county = geo.attrs[geo.attrs["pfa_name"] == "Northamptonshire"]
    # 443 LSOAs in the two county boundary files; the ONS lookup puts one of them in Cherwell
    assert len(county) == 442 and county["csp_name"].notna().all()
    assert county["residents"].sum() == pytest.approx(785_243, rel=0.05)


# ---- harm sets ---------------------------------------------------------------------------
def test_harm_sets(tmp_path):
    from clearhold.analytics.harm import harm_weights
    from clearhold.crime import harm

    assert harm.available() == ["count", "illustrative-v1"]
    ill = harm.load("illustrative-v1")
    assert ill.version == "1" and "NOT a published index" in ill.source and len(ill.weights) == 14
    assert harm_weights(["Robbery", "Shoplifting"], ill.weights).tolist() == [40.0, 2.0]
    custom = tmp_path / "cchi-mine.csv"
    lines = ["# source: my force's CCHI table, 2025", "crime_type,weight,source"]
    lines += [f"{t},{i + 1},cchi" for i, t in enumerate(harm.CRIME_TYPES)]
    custom.write_text("\n".join(lines) + "\n")
    mine = harm.load(str(custom))
    assert mine.name == "cchi-mine" and mine.source == "my force's CCHI table, 2025"
    assert mine.weights["Anti-social behaviour"] == 1.0
    short = tmp_path / "short.csv"
    short.write_text("crime_type,weight\nRobbery,3\n")
    with pytest.raises(InvalidInput, match="no weight for"):
        harm.load(str(short))
    neg = tmp_path / "neg.csv"
    neg.write_text("crime_type,weight\nRobbery,-3\n")
    with pytest.raises(InvalidInput, match="must be a finite number >= 0"):
        harm.load(str(neg))
    typo = tmp_path / "typo.csv"
    typo.write_text("crime_type,weight\nRobery,3\n")
    with pytest.raises(InvalidInput, match="'Robery' on data row 1 is not one of"):
        harm.load(str(typo))
    with pytest.raises(NotFound, match="weights was 'nope'"):
        harm.load("nope")
    with pytest.raises(InvalidInput, match="does not weight"):
        harm_weights(["Arson"], ill.weights)


def test_derived_attributes_follow_the_lookups(tmp_path, shared_data):
    lake = Lake(tmp_path / "s")
    load_file(lake, shared_data / "lookups" / "lsoa21-to-ward24-to-lad24.csv")
    before = geography(lake)
    assert before.attrs["residents"].isna().all()
    assert (tmp_path / "s" / "geo" / "derived" / "lsoa21_attrs.parquet").exists()
    load_file(lake, shared_data / "population" / "census2021-usual-residents-lsoa21.csv")
    after = geography(lake)
    assert after.attrs.loc["E01027135", "residents"] > 0
    assert not after.has_boundaries and after.lsoa21 is None and after.tree is None
