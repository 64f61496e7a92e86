"""CLI: --json output equals the direct library call; exit codes."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from clearhold.crime import service
from clearhold.interfaces.cli.main import app

runner = CliRunner()


def test_ingest_json_matches_library(empty_store, crime_dir, tmp_path, geo_store):
    import shutil

    files = [str(crime_dir / "2024-01-northamptonshire-street.csv"), str(crime_dir / "2024-02-northamptonshire-street.csv")]
    result = runner.invoke(app, ["crime", "ingest", *files, "--store", str(empty_store), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    other = tmp_path / "other"
    shutil.copytree(geo_store, other)
    expect = service.ingest(store=other, paths=files)
    assert got == expect
    assert [(r["rows_read"], r["rows_stored"], r["rows_quarantined"]) for r in got] == [(r["rows_read"], r["rows_read"], 0) for r in expect]


def test_ingest_uses_clearhold_store_env(empty_store, crime_dir, monkeypatch):
    monkeypatch.setenv("CLEARHOLD_STORE", str(empty_store))
    result = runner.invoke(app, ["crime", "ingest", str(crime_dir / "2024-03-northamptonshire-street.csv")])
    assert result.exit_code == 0, result.output
    assert "rows read =" in result.stdout
    assert (empty_store / "manifest.json").exists()


def test_ingest_bad_file_exit_code_and_message(empty_store, tmp_path):
    bad = tmp_path / "2024-01-northamptonshire-street.csv"
    bad.write_text("Crime ID,Month\n1,2\n")
    result = runner.invoke(app, ["crime", "ingest", str(bad), "--store", str(empty_store), "--json"])
    assert result.exit_code == 2
    assert "2024-01-northamptonshire-street.csv, line 1: wrong header" in result.stderr.replace("\n", "")


def test_summary_json_matches_library(ingested):
    store, _ = ingested
    args = ["crime", "summary", "--area", "ward:Kings Heath", "--from", "2022-01", "--to", "2022-03",
            "--types", "Burglary,Robbery", "--weights", "illustrative-v1", "--store", str(store), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    expect = service.summary(store=store, area="ward:Kings Heath", start_month="2022-01", end_month="2022-03",
                             crime_types=["Burglary", "Robbery"], weights="illustrative-v1")
    assert got == json.loads(expect.to_json(orient="records"))
    assert pd.DataFrame(got)["count"].sum() > 0


def test_summary_bad_area_exit_2(ingested):
    store, _ = ingested
    result = runner.invoke(app, ["crime", "summary", "--area", "lsoa:nope", "--from", "2022-01", "--to", "2022-02", "--store", str(store)])
    assert result.exit_code == 2
    assert "not LSOA codes" in result.stderr.replace("\n", "")


def test_summary_unknown_slug_exit_1(ingested):
    store, _ = ingested
    result = runner.invoke(app, ["crime", "summary", "--area", "no-such-area", "--from", "2022-01", "--to", "2022-02", "--store", str(store)])
    assert result.exit_code == 1
    assert "area 'no-such-area' not found" in result.stderr.replace("\n", "")


def test_harm_sets_json():
    result = runner.invoke(app, ["crime", "harm-sets", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["name"] for d in data] == ["count", "illustrative-v1"]
    assert set(data[0]["weights"].values()) == {1.0}


def test_geo_load_and_list(tmp_path, shared_data):
    store = tmp_path / "s"
    f = shared_data / "geography" / "wards-2019-northampton.geojson"
    lk = shared_data / "lookups" / "lad24-to-csp24-to-pfa24.csv"
    result = runner.invoke(app, ["geo", "load", str(f), str(lk), "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"path": str(f), "kind": "boundaries", "name": "ward19", "features": 33, "total": 33},
        {"path": str(lk), "kind": "lookup", "name": "lad_csp_pfa", "features": 332, "total": 332},
    ]
    listed = runner.invoke(app, ["geo", "list", "--store", str(store), "--json"])
    assert json.loads(listed.stdout) == {"layers": ["ward19"], "lookups": ["lad_csp_pfa"]}


def test_summary_with_records_database_slug(ingested, tmp_path):
    from clearhold.area import service as area_service
    from clearhold.area.schemas import AreaCreate
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.storage.migrate import upgrade

    store, _ = ingested
    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        area_service.create(s, area_in=AreaCreate(slug="hot-lsoa", name="Hot LSOA", lsoa_codes=["E01027135"]), created_by="t")
    engine.dispose()
    args = ["crime", "summary", "--area", "hot-lsoa", "--from", "2024-01", "--to", "2024-02", "--store", str(store),
            "--database", url, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    expect = service.summary(store=store, area="lsoa:E01027135", start_month="2024-01", end_month="2024-02")
    assert [r["count"] for r in got] == expect["count"].tolist()
    assert {r["area"] for r in got} == {"Hot LSOA"}


def test_publications_lists_current_and_audit(empty_store, crime_dir, tmp_path):
    import os

    original = crime_dir / "2024-04-northamptonshire-street.csv"
    revised = tmp_path / original.name
    revised.write_bytes(original.read_bytes().replace(b"Under investigation", b"Investigation complete; no suspect identified", 1))
    later = original.stat().st_mtime + 3600
    os.utime(revised, (later, later))
    service.ingest(store=empty_store, paths=[original])
    service.ingest(store=empty_store, paths=[revised])
    result = runner.invoke(app, ["crime", "publications", "--store", str(empty_store), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(d["source"], d["current"]) for d in data] == [(str(original), False), (str(revised), True)]
    assert all(d["rows_read"] == d["rows_stored"] + d["rows_quarantined"] for d in data)


def test_summary_compares_several_areas(ingested):
    store, _ = ingested
    args = ["crime", "summary", "--area", "lsoa:E01027135", "--area", "lad:West Northamptonshire", "--from", "2024-01",
            "--to", "2024-01", "--types", "Burglary", "--store", str(store), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    expect = [json.loads(service.summary(store=store, area=a, start_month="2024-01", end_month="2024-01",
                                         crime_types=["Burglary"]).to_json(orient="records"))
              for a in ("lsoa:E01027135", "lad:West Northamptonshire")]
    assert got == expect[0] + expect[1]
    assert [r["area"] for r in got] == ["E01027135", "West Northamptonshire"]
