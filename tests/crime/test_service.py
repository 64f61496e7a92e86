"""Reading the store back: load_points, monthly_counts, summary, areas; all-or-nothing ingest."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
import shapely

from clearhold.crime import service
from clearhold.errors import InvalidInput, NotFound, RowError, SourceError
from clearhold.geo.bng import to_bng
from clearhold.storage.lake import Lake

LSOA = "E01027135"


@pytest.fixture(scope="module")
def raw_2024(crime_dir) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(crime_dir.glob("2024-*.csv"))]
    return pd.concat(frames, ignore_index=True)


def test_bad_file_among_good_ones_leaves_store_unchanged(empty_store, crime_dir, tmp_path):
    bad = tmp_path / "2024-05-northamptonshire-street.csv"
    good = (crime_dir / "2024-01-northamptonshire-street.csv").read_bytes()
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(RowError, match=r"2024-05-northamptonshire-street.csv, line \d+: .*truncated"):
        service.ingest(store=empty_store, paths=[crime_dir / "2024-01-northamptonshire-street.csv", bad])
    assert not (empty_store / "manifest.json").exists()
    assert not list(empty_store.rglob("*.tmp"))
    assert not list((empty_store / "crime").rglob("*.parquet")) if (empty_store / "crime").exists() else True
    assert not (empty_store / "crime").exists()  # partition folders written by the good file are removed


def test_zip_archive_ingest_and_unexpected_member(empty_store, crime_dir, tmp_path):
    archive = tmp_path / "2024-02.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for m in ("2024-01", "2024-02"):
            z.write(crime_dir / f"{m}-northamptonshire-street.csv", f"{m}/{m}-northamptonshire-street.csv")
    results = service.ingest(store=empty_store, paths=[archive])
    assert [r["month"] for r in results] == ["2024-01", "2024-02"]
    assert all(r["rows_read"] == r["rows_stored"] for r in results)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.write(crime_dir / "2024-03-northamptonshire-street.csv", "2024-03/2024-03-northamptonshire-street.csv")
        z.writestr("2024-03/extra.xlsx", "x")
    before = (empty_store / "manifest.json").read_bytes()
    with pytest.raises(SourceError, match=r"bad.zip: unexpected member '2024-03/extra.xlsx'"):
        service.ingest(store=empty_store, paths=[bad])
    assert (empty_store / "manifest.json").read_bytes() == before


def test_quarantined_rows_are_kept_for_audit(empty_store, tmp_path):
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    rows = [
        "a,2024-01,Northamptonshire Police,Northamptonshire Police,-0.8939,52.237,On or near X,E01027135,W 021D,Burglary,o,",
        "b,2024-01,Northamptonshire Police,Northamptonshire Police,,,No location,,,Drugs,o,",
        "c,2024-01,Northamptonshire Police,Northamptonshire Police,-0.8939,,On or near X,E01027135,W 021D,Drugs,o,",
    ]
    path = tmp_path / "2024-01-northamptonshire-street.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    r = service.ingest(store=empty_store, paths=[path])[0]
    assert (r["rows_read"], r["rows_stored"], r["rows_quarantined"], r["reasons"]) == (3, 2, 1, {"partial_coordinates": 1})
    con = Lake(empty_store).connect()
    assert con.sql("SELECT line, reason, crime_id FROM street_quarantine").fetchall() == [(4, "partial_coordinates", "c")]
    no_geo = con.sql("SELECT crime_id, x_m, lsoa21, lsoa21_method FROM street WHERE crime_id = 'b'").fetchall()
    assert no_geo[0][0] == "b" and np.isnan(no_geo[0][1]) and no_geo[0][2] is None and no_geo[0][3] == "none"
    points = service.load_points(store=empty_store)
    assert len(points) == 1  # only rows with geometry


def test_outcomes_and_stop_search_go_to_their_own_tables(empty_store, tmp_path):
    (tmp_path / "2024-01-northamptonshire-outcomes.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
        "abc,2024-01,N,N,-0.8939,52.237,On or near X,E01027135,W 021D,Unable to prosecute suspect\n"
    )
    (tmp_path / "2024-01-northamptonshire-stop-and-search.csv").write_text(
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
        "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
        "Outcome linked to object of search,Removal of more clothing than just outer clothing\n"
        "Person search,2024-01-05T09:58:14+00:00,False,,52.237,-0.8939,Male,18-24,W,W,PACE,Stolen goods,Arrest,True,False\n"
    )
    results = service.ingest(store=empty_store, paths=[tmp_path])
    assert sorted(r["kind"] for r in results) == ["outcomes", "stop_and_search"]
    con = Lake(empty_store).connect()
    assert con.sql("SELECT outcome_type, lsoa21 FROM outcomes").fetchall() == [("Unable to prosecute suspect", LSOA)]
    # no LSOA column in stop and search: the LSOA containing the point (Northampton centre)
    assert con.sql("SELECT object_of_search, lsoa21, lsoa21_method, lad_name FROM stop_and_search").fetchall() == [
        ("Stolen goods", "E01035417", "point", "West Northamptonshire")
    ]


# ---- reading -------------------------------------------------------------------------
def test_load_points_contract(ingested):
    store, _ = ingested
    pts = service.load_points(store=store, start_month="2024-01", end_month="2024-04")
    assert list(pts.columns) == ["row_id", "month", "crime_type", "x_m", "y_m", "lon", "lat", "lsoa21", "harm"]
    assert str(pts["row_id"].dtype) == "int64" and str(pts["x_m"].dtype) == "float64"
    assert pts["harm"].eq(1.0).all()
    assert sorted(pts["month"].unique()) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert pts["row_id"].is_unique


def test_load_points_lsoa_area_matches_the_raw_file(ingested, raw_2024):
    store, _ = ingested
    pts = service.load_points(store=store, area=f"lsoa:{LSOA}", start_month="2024-01", end_month="2024-04",
                              crime_types=["Violence and sexual offences"])
    expect = raw_2024[(raw_2024["LSOA code"] == LSOA) & (raw_2024["Crime type"] == "Violence and sexual offences")]
    assert len(pts) == len(expect) > 0


def test_load_points_polygon_area_against_shapely_oracle(ingested, raw_2024, tmp_path):
    store, _ = ingested
    square = {"type": "Polygon", "coordinates": [[[-0.90, 52.23], [-0.88, 52.23], [-0.88, 52.245], [-0.90, 52.245], [-0.90, 52.23]]]}
    path = tmp_path / "square.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": square}]}))
    pts = service.load_points(store=store, area=str(path), start_month="2024-01", end_month="2024-04")
    x, y = to_bng(raw_2024["Longitude"].astype(float).to_numpy(), raw_2024["Latitude"].astype(float).to_numpy())
    poly_bng = shapely.transform(shapely.from_geojson(json.dumps(square)), lambda xy: np.column_stack(to_bng(xy[:, 0], xy[:, 1])))
    inside = shapely.intersects_xy(poly_bng, x, y)
    assert len(pts) == int(inside.sum()) > 100


def test_load_points_harm_weights(ingested):
    store, _ = ingested
    pts = service.load_points(store=store, area=f"lsoa:{LSOA}", start_month="2024-01", end_month="2024-01", weights="illustrative-v1")
    from clearhold.crime.harm import load

    weights = load("illustrative-v1").weights
    assert pts["harm"].tolist() == [weights[t] for t in pts["crime_type"]]


def test_monthly_counts_include_zero_months(ingested, raw_2024):
    store, _ = ingested
    frame = service.monthly_counts(store=store, areas={"a": f"lsoa:{LSOA}", "b": "lad:North Northamptonshire"},
                                   start_month="2023-11", end_month="2024-02", crime_types=["Burglary"])
    assert list(frame.columns) == ["area", "month", "count", "harm"]
    assert frame["area"].tolist() == ["a"] * 4 + ["b"] * 4
    assert frame["month"].tolist() == ["2023-11", "2023-12", "2024-01", "2024-02"] * 2
    a = frame[frame["area"] == "a"]["count"].tolist()
    expect = [0, 0] + [int(((raw_2024["LSOA code"] == LSOA) & (raw_2024["Crime type"] == "Burglary") & (raw_2024["Month"] == m)).sum()) for m in ("2024-01", "2024-02")]
    assert a == expect
    assert str(frame["count"].dtype) == "int64"


def test_summary_rates_by_hand(ingested, raw_2024, shared_data):
    store, _ = ingested
    out = service.summary(store=store, area=f"lsoa:{LSOA}", start_month="2024-01", end_month="2024-02")
    assert list(out.columns) == ["month", "area", "crime_type", "count", "harm", "rate_per_1000"]
    assert len(out) == 2 * 14
    pop = pd.read_csv(shared_data / "population" / "census2021-usual-residents-lsoa21.csv")
    residents = float(pop.loc[pop["lsoa21_code"] == LSOA, "total_residents"].iloc[0])
    for _, row in out.iterrows():
        n = int(((raw_2024["LSOA code"] == LSOA) & (raw_2024["Crime type"] == row["crime_type"]) & (raw_2024["Month"] == row["month"])).sum())
        assert row["count"] == n
        assert row["rate_per_1000"] == pytest.approx(n / residents * 1000, abs=1e-6)


def test_summary_force_covers_the_county(ingested):
    store, results = ingested
    out = service.summary(store=store, area="force:Northamptonshire", start_month="2024-01", end_month="2024-01")
    total = out["count"].sum()
    file_rows = [r["rows_read"] for r in results if r["month"] == "2024-01"][0]
    assert 0.99 * file_rows < total <= file_rows + 50


def test_ward_by_boundary_and_buffer(ingested):
    store, _ = ingested
    ward = service.resolve_area("ward:Kings Heath", store=store)
    assert ward.select_by == "geometry" and ward.kind == "ward"
    wider = service.resolve_area("ward:Kings Heath", store=store, buffer_m=500)
    assert wider.geometry.area > ward.geometry.area
    assert wider.residents > ward.residents > 0
    n = len(service.load_points(store=store, area=ward, start_month="2022-01", end_month="2022-11"))
    m = len(service.load_points(store=store, area=wider, start_month="2022-01", end_month="2022-11"))
    assert m > n > 0


def test_area_errors(ingested, tmp_path):
    store, _ = ingested
    with pytest.raises(InvalidInput, match="not LSOA codes"):
        service.resolve_area("lsoa:X123", store=store)
    with pytest.raises(NotFound, match=r"lsoa codes \['E01999999'\] are not 2021 LSOAs"):
        service.resolve_area("lsoa:E01999999", store=store)
    with pytest.raises(NotFound, match="ward 'Atlantis' not found"):
        service.resolve_area("ward:Atlantis", store=store)
    with pytest.raises(NotFound, match="lad 'Nowhere' not found"):
        service.resolve_area("lad:Nowhere", store=store)
    with pytest.raises(InvalidInput, match="area was 'my-slug'"):
        service.resolve_area("my-slug", store=store)
    with pytest.raises(InvalidInput, match="buffer_m was -5"):
        service.resolve_area("ward:Kings Heath", store=store, buffer_m=-5)
    with pytest.raises(InvalidInput, match="no such file"):
        service.resolve_area(str(tmp_path / "missing.geojson"), store=store)
    with pytest.raises(TypeError, match="area must be"):
        service.resolve_area(42, store=store)


def test_month_and_type_errors(ingested):
    store, _ = ingested
    with pytest.raises(InvalidInput, match="start_month was '2024-1'"):
        service.load_points(store=store, start_month="2024-1")
    with pytest.raises(InvalidInput, match="end_month 2023-01 is before start_month 2024-01"):
        service.monthly_counts(store=store, areas={"a": f"lsoa:{LSOA}"}, start_month="2024-01", end_month="2023-01")
    with pytest.raises(InvalidInput, match=r"crime_types \['Arson'\]"):
        service.summary(store=store, area=f"lsoa:{LSOA}", start_month="2024-01", end_month="2024-01", crime_types=["Arson"])
    with pytest.raises(NotFound, match="weights was 'severe'"):
        service.load_points(store=store, weights="severe")
    with pytest.raises(InvalidInput, match="areas must be a non-empty mapping"):
        service.monthly_counts(store=store, areas={}, start_month="2024-01", end_month="2024-01")


def test_empty_store_reads_empty(tmp_path):
    pts = service.load_points(store=tmp_path / "nothing")
    assert list(pts.columns) == service.POINT_COLUMNS and len(pts) == 0


def test_same_file_twice_in_one_call_is_stored_once(empty_store, crime_dir, tmp_path):
    original = crime_dir / "2024-03-northamptonshire-street.csv"
    copy = tmp_path / "copy" / original.name
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    results = service.ingest(store=empty_store, paths=[original, copy])
    assert [r["status"] for r in results] == ["stored", "unchanged"]
    assert results[0]["publication"] == results[1]["publication"]
    assert len(Lake(empty_store).publications()) == 1
    assert len(list((empty_store / "crime").rglob("*.parquet"))) == 1


def test_ward_names_match_ignoring_case_and_ampersand(ingested):
    store, _ = ingested
    a = service.resolve_area("ward:Blackthorn & Rectory Farm", store=store)
    b = service.resolve_area("ward:blackthorn and rectory farm", store=store)
    assert a.name == b.name == "Blackthorn & Rectory Farm"
    assert a.geometry.equals(b.geometry) and a.select_by == "geometry"
