"""The ledger commands: --json output equals the library's answer; exit codes 0/1/2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clearhold.interfaces.cli.main import app
from tests.support.ledger import BOX_A

runner = CliRunner()


def run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def run_json(*args: str):
    return json.loads(run(*args, "--json").stdout)


@pytest.fixture
def operation(tmp_path):
    run("operation", "create", "op-cli", "--name", "Op CLI", "--starts-on", "2023-07-31", "--ends-on", "2023-10-08")
    run("operation", "tactic", "op-cli", "ANPR stops", "--category", "anpr_stops", "--new")
    geo = tmp_path / "a.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A"}, "geometry": BOX_A}]}), encoding="utf-8")
    run("area", "add", "cli-a", "--name", "Area A", "--operation", "op-cli", "--geojson", str(geo))
    run("area", "add", "cli-a-buf", "--name", "Buffer", "--operation", "op-cli", "--role", "buffer",
        "--parent", "cli-a", "--buffer-m", "400")
    return "op-cli"


def test_record_lifecycle_through_the_cli(operation):
    from clearhold.interfaces.cli.common import engine_for
    from clearhold.record import service
    from clearhold.storage.database import session_scope

    stop = run_json("record", "add", operation, "vehicle_stop", "occurred_at=2023-08-01T10:00:00+01:00",
                    "lat=52.235", "lon=-0.895", "vrm=ab12 cde", "reason=anpr_hit", "result=arrest", "tactic=ANPR stops")
    arrest = run_json("record", "add", operation, "arrest", "occurred_at=2023-08-01T10:20:00+01:00", "person_ref=P-9",
                      f"source_record_id={stop['id']}", 'offences=[{"group": "Drug offences", "text": "PWITS"}]')
    with session_scope(engine_for(None)) as s:
        assert service.to_state(s, service.get(s, record_id=stop["id"])) == stop
    assert stop["area"] == "cli-a" and stop["vrm"] == "AB12CDE"
    listed = run_json("record", "list", operation)
    assert [r["id"] for r in listed] == [stop["id"], arrest["id"]]
    corrected = run_json("record", "correct", str(arrest["id"]), "outcome=charged", "--reason", "charged at custody")
    assert corrected["version"] == 2 and corrected["outcome"] == "charged"
    history = run_json("record", "history", str(arrest["id"]))
    assert [(h["version"], h["action"], h["changed_fields"]) for h in history] == [(1, "create", []), (2, "correct", ["outcome"])]
    review = json.loads(run("review", operation, "--format", "json").stdout)
    figs = {f["key"]: f for f in review["figures"]}
    assert (figs["anpr_vehicle_stops"]["value"], figs["anpr_stop_arrests"]["record_ids"]) == (1, [arrest["id"]])
    run("record", "delete", str(stop["id"]), "--reason", "duplicate", code=1)  # it is the arrest's source
    run("record", "delete", str(arrest["id"]), "--reason", "entered twice")
    assert [r["id"] for r in run_json("record", "list", operation)] == [stop["id"]]


def test_bad_input_exits_2_with_the_field(operation):
    result = run("record", "add", operation, "arrest", "occurred_at=2023-08-01T10:20:00+01:00", "person_ref=John Smith",
                 'offences=[{"group": "Drug offences", "text": "PWITS"}]', code=2)
    assert "person_ref was 'John Smith'" in result.stderr
    result = run("record", "add", "op-missing", "patrol", "occurred_at=2023-08-01T10:20:00+01:00",
                 "ended_at=2023-08-01T10:35:00+01:00", code=1)
    assert "operation 'op-missing' not found" in result.stderr
    run("record", "add", operation, "arrest", "not-a-pair", code=2)


def test_import_and_review_formats(operation, tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_text("kind,ref,occurred_at,lat,lon,person_ref,offence_group,offence_text,item_kind,weapon_type\n"
                   "arrest,A1,2023-08-02T10:00:00+01:00,52.235,-0.895,P-1,Robbery,robbery,weapon,machete\n", encoding="utf-8")
    report = run_json("record", "import", operation, str(csv))
    assert (report["rows_read"], report["records_created"], report["items_created"]) == (1, 1, 1)
    local = tmp_path / "local.csv"
    local.write_text("kind,ref,occurred_at,lat,lon,person_ref,offence_group,offence_text\n"
                     "arrest,A2,2023-08-03 10:00,52.235,-0.895,P-2,Robbery,robbery\n", encoding="utf-8")
    refused = run("record", "import", operation, str(local), code=2)
    assert "line 2, field 'occurred_at'" in refused.output and "no time zone" in refused.output
    assert run_json("record", "import", operation, str(local), "--tz", "Europe/London")["records_created"] == 1
    listed = run_json("record", "list", operation)
    assert [r["occurred_at"] for r in listed if r["ref"] == "A2"] == ["2023-08-03T09:00:00+00:00"]
    out = tmp_path / "review.pdf"
    run("review", operation, "--format", "pdf", "--out", str(out))
    assert out.read_bytes()[:5] == b"%PDF-"
    md = run("review", operation, "--format", "md", "--from", "2023-08-01", "--to", "2023-08-31").stdout
    assert "| knives_and_bladed_weapons | knives and bladed weapons seized or recovered | 1 | 1 | count | 1 |" in md
    run("review", operation, "--format", "pdf", code=2)
    run("review", operation, "--format", "docx", code=2)
    run("review", operation, "--from", "August", code=2)


def test_operation_and_area_json(operation):
    from clearhold.area import service as area_service
    from clearhold.interfaces.cli.common import engine_for
    from clearhold.storage.database import session_scope

    ops = run_json("operation", "list")
    assert [o["slug"] for o in ops] == ["op-cli"]
    assert ops[0]["tactics"][0] == {"name": "ANPR stops", "category": "anpr_stops", "description": None,
                                    "is_new": True, "started_on": None, "id": ops[0]["tactics"][0]["id"]}
    areas = run_json("area", "list", "--operation", "op-cli")
    with session_scope(engine_for(None)) as s:
        buf = area_service.get(s, slug="cli-a-buf")
        assert areas[1]["area_m2"] == buf.area_m2
    # A 400 m ring around a ~2 km x 1.1 km box: about 2 x 400 x (2060 + 1110) + pi x 400^2
    assert areas[1]["area_m2"] == pytest.approx(2 * 400 * (2050 + 1112) + 3.14159 * 400**2, rel=0.02)


def test_areas_by_lsoa_list_and_ward_take_their_polygons_from_loaded_boundaries(operation, shared_data, tmp_path):
    store = str(tmp_path / "store")
    for rel in ("geography/lsoa21-west-northamptonshire.geojson", "geography/wards-2025-west-northamptonshire.geojson"):
        run("geo", "load", str(shared_data / rel), "--store", store)
    codes = "E01026986,E01026987"
    by_lsoa = run_json("area", "add", "two-lsoas", "--name", "Two LSOAs", "--operation", "op-cli", "--lsoa", codes,
                       "--store", store)
    assert by_lsoa["lsoa_codes"] == codes.split(",") and by_lsoa["geometry"]["type"] in ("Polygon", "MultiPolygon")
    by_ward = run_json("area", "add", "blackthorn", "--name", "Blackthorn", "--operation", "op-cli",
                       "--ward", "Blackthorn & Rectory Farm", "--store", store)
    assert by_ward["geometry"] is not None and len(by_ward["lsoa_codes"]) >= 4
    assert 1e6 < by_ward["area_m2"] < 1e7
    run("area", "add", "x", "--name", "X", "--ward", "Atlantis", "--store", store, code=1)
    run("area", "add", "y", "--name", "Y", "--lsoa", "E01026986", "--ward", "Talavera", "--store", store, code=2)
