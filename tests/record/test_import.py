"""CSV import: all or nothing, every problem named by file, line and field."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearhold.errors import InvalidInput, NotFound, RowError
from clearhold.record import service
from clearhold.record.flows import ImportFailed, import_csv
from clearhold.storage.database import session_scope
from tests.support.ledger import make_operation

GOOD = """kind,ref,occurred_at,lat,lon,vrm,reason,result,tactic,source_ref,person_ref,offence_group,offence_text,item_kind,weapon_type,drug_class,drug_type,quantity,unit,cash_gbp
vehicle_stop,VS-1,2023-08-01T10:00:00+01:00,52.235,-0.895,AB12CDE,anpr_hit,arrest,ANPR stops,,,,,,,,,,,
arrest,ARR-1,2023-08-01T10:20:00+01:00,52.235,-0.895,,,,,VS-1,P-0001,Drug offences|Possession of weapons offences,PWITS class A|possession of a knife,weapon,knife,,,,,
,ARR-1,,,,,,,,,,,,drug,,A,cocaine,10,g,
,ARR-1,,,,,,,,,,,,cash,,,,,,500.00
"""


@pytest.fixture
def engine(sqlite_engine):
    make_operation(sqlite_engine)
    return sqlite_engine


def _count(engine) -> int:
    with session_scope(engine) as s:
        return len(service.list_(s, operation_slug="op-test"))


def test_good_file_imports_with_items_offences_and_links(engine, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(GOOD, encoding="utf-8")
    with session_scope(engine) as s:
        report = import_csv(s, path=path, operation="op-test", entered_by="analyst")
    assert (report.rows_read, report.records_created, report.items_created) == (4, 2, 3)
    with session_scope(engine) as s:
        arrest = service.get_by_ref(s, operation_slug="op-test", ref="ARR-1")
        stop = service.get_by_ref(s, operation_slug="op-test", ref="VS-1")
        assert arrest.source_record_id == stop.id
        assert [(o.offence_group, o.offence_text) for o in arrest.offences] == [
            ("Drug offences", "PWITS class A"), ("Possession of weapons offences", "possession of a knife")]
        assert [(i.item_kind, i.value_pence, i.cash_pence) for i in arrest.items] == [
            ("weapon", None, None), ("drug", 80000, None), ("cash", None, 50000)]


def test_reimport_is_refused_unless_skip_existing(engine, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(GOOD, encoding="utf-8")
    with session_scope(engine) as s:
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    with session_scope(engine) as s, pytest.raises(ImportFailed, match="use --skip-existing"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    with session_scope(engine) as s:
        report = import_csv(s, path=path, operation="op-test", entered_by="analyst", skip_existing=True)
    assert (report.records_created, report.records_skipped) == (0, 2)
    assert _count(engine) == 2


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_named(engine, tmp_path):
    bad = GOOD + "arrest,ARR-2,2023-08-02T10:00:00+01:00,52.235,-0.895,,,,,,john smith,Drug offences,x,,,,,,,\n"
    bad += "vehicle_stop,VS-2,yesterday,52.235,-0.895,XY99ABC,anpr_hit,search,,,,,,,,,,,,\n"
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    errors = info.value.errors
    assert [(e.line, e.field) for e in errors] == [(6, "person_ref"), (7, "occurred_at")]
    assert all(e.path == str(path) for e in errors)
    assert "never a name" in errors[0].problem
    assert "nothing was imported" in str(info.value)
    assert _count(engine) == 0


@pytest.mark.parametrize(("content", "line", "field", "message"), [
    ("kind,occurred_at,colour\narrest,2023-08-01T10:00:00+01:00,red\n", 1, "colour", "unknown column"),
    ("kind,ref\narrest,A\n", 1, "occurred_at", "required column is missing"),
    ("kind,occurred_at\narrest,2023-08-01T10:00:00+01:00,extra\n", 2, None, "has 3 values but the header has 2"),
    ("kind,occurred_at,lat,lon\nvehicle_stop,2023-08-01T10:00:00+01:00,north,1\n", 2, "lat", "'north' is not a number"),
])
def test_structural_problems_name_line_and_field(engine, tmp_path, content, line, field, message):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match=message) as info:
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    if not isinstance(info.value, ImportFailed):
        assert (info.value.line, info.value.field) == (line, field)
    else:
        assert (info.value.errors[0].line, info.value.errors[0].field) == (line, field)


def test_non_utf8_byte_names_its_line(engine, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("kind,occurred_at,notes\narrest,2023-08-01T10:00:00+01:00,caf\xe9\n".encode("latin-1"))
    with session_scope(engine) as s, pytest.raises(RowError, match=r"line 2: byte 0xe9 is not UTF-8"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")


def test_empty_file_and_unknown_operation(engine, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="the file is empty"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    path.write_text(GOOD, encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(NotFound, match="operation 'op-nope' not found"):
        import_csv(s, path=path, operation="op-nope", entered_by="analyst")


_cell = st.text(alphabet=string.ascii_letters + string.digits + " -:.+|", max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["arrest", "vehicle_stop", "patrol", "seizure", "bogus"]),
                               _cell, _cell, _cell), min_size=1, max_size=6))
def test_arbitrary_rows_import_whole_or_not_at_all(engine, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("h") / "fuzz.csv"
    lines = ["kind,occurred_at,person_ref,vrm"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _count(engine)
    try:
        with session_scope(engine) as s:
            report = import_csv(s, path=path, operation="op-test", entered_by="fuzz")
    except InvalidInput as exc:
        assert str(path) in str(exc)
        assert _count(engine) == before
    else:
        assert _count(engine) == before + report.records_created
        assert report.records_created + report.records_skipped <= report.rows_read


HEAD = "kind,ref,occurred_at,lat,lon,person_ref,offence_group,offence_text,item_kind,drug_class,drug_type,quantity,unit\n"
OK_ROW = "arrest,A-{n},2023-08-02T10:00:00+01:00,52.235,-0.895,P-{n},Robbery,robbery,,,,,\n"


@pytest.mark.parametrize(("row", "field", "value", "problem"), [
    ("arrest,B-1,2023-08-02T10:00:00+01:00,52.235,-0.895,P-9,Crimes,x,,,,,", "offence_group", "Crimes",
     "offence group was 'Crimes'"),
    ("arrest,B-1,2019-08-02T10:00:00+01:00,52.235,-0.895,P-9,Robbery,robbery,,,,,", "occurred_at",
     "2019-08-02T10:00:00+01:00", "2019-08-02 is before operation 'op-test' started (2023-07-31 to 2023-10-08)"),
    ("arrest,B-1,2023-11-02T10:00:00+00:00,52.235,-0.895,P-9,Robbery,robbery,,,,,", "occurred_at",
     "2023-11-02T10:00:00+00:00", "after operation 'op-test' ended"),
    ("arrest,B-1,2023-08-02T10:00:00+01:00,52.235,-0.895,P-9,Robbery,robbery,drug,A,cocaine,-5,g", "quantity", "-5",
     "greater than 0"),
    ("arrest,B-1,2023-08-02T10:00:00+01:00,52.235,-0.895,P-9,Robbery,robbery,drug,A,cocaine,5,bags", "unit", "bags",
     "unit was 'bags'"),
    ("arrest,B-1,2023-08-02T10:00:00+01:00,53.35,-6.26,P-9,Robbery,robbery,,,,,", "lat", "53.35",
     "outside the United Kingdom"),
    ("arrest,A-1,2023-08-02T10:00:00+01:00,52.235,-0.895,P-1,Robbery,robbery,,,,,", "ref", "A-1",
     "duplicate reference (first on line 2)"),
])
def test_each_bad_input_of_the_issue_names_line_column_value_and_problem(engine, tmp_path, row, field, value, problem):
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + OK_ROW.format(n=1) + row + "\n" + OK_ROW.format(n=2), encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    [err] = info.value.errors
    assert (err.path, err.line, err.field, err.value) == (str(path), 3, field, value)
    assert problem in err.problem
    assert f"line 3, field {field!r}, value {value!r}: " in str(info.value)
    assert _count(engine) == 0


def test_identical_duplicate_rows_are_refused_not_double_counted(engine, tmp_path):
    row = "seizure,SZ-9,2023-08-02T10:00:00+01:00,52.235,-0.895,,,,weapon,,,,\n"
    path = tmp_path / "dup.csv"
    path.write_text(HEAD.replace("item_kind,drug_class", "item_kind,drug_class") + row + row, encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(ImportFailed, match="duplicate reference"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")


def test_a_deleted_records_ref_can_be_used_again(engine, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(HEAD + OK_ROW.format(n=1), encoding="utf-8")
    with session_scope(engine) as s:
        [rid] = import_csv(s, path=path, operation="op-test", entered_by="analyst").record_ids
    with session_scope(engine) as s:
        service.delete(s, record_id=rid, deleted_by="sgt", reason="wrong operation")
    with session_scope(engine) as s:
        assert import_csv(s, path=path, operation="op-test", entered_by="analyst").records_created == 1
        assert service.history(s, record_id=rid)[-1].state["ref"] == "A-1"


def test_spreadsheet_artefacts_are_named(engine, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kind,occurred_at,,\narrest,2023-08-02T10:00:00+01:00,,\n", encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(RowError, match="column 3 has no name"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    path.write_text("kind;occurred_at\narrest;2023\n", encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(RowError, match="separated by ';'"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    path.write_text("kind,occurred_at,kind\narrest,2023,arrest\n", encoding="utf-8")
    with session_scope(engine) as s, pytest.raises(RowError, match="field 'kind': column appears more than once"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")


# One record of every kind, with every way of giving a place, items of every kind, offences
# and links to records earlier in the file, as the API takes them (``source`` names the ref
# of the record that led to this one).
EVERY_KIND = [
    {"kind": "vehicle_stop", "ref": "VS-1", "occurred_at": "2023-08-01T10:00:00+01:00", "lat": 52.235, "lon": -0.895,
     "vrm": "AB12CDE", "reason": "anpr_hit", "result": "arrest", "tactic": "ANPR stops", "anpr_hit_ref": "HIT-9"},
    {"kind": "arrest", "ref": "ARR-1", "occurred_at": "2023-08-01T10:20:00+01:00", "lat": 52.2351, "lon": -0.8551,
     "source": "VS-1", "person_ref": "P-0001", "age_band": "18-24", "outcome": "charged",
     "offences": [{"group": "Drug offences", "text": "PWITS class A"},
                  {"group": "Possession of weapons offences", "text": "possession of a knife"}],
     "items": [{"item_kind": "weapon", "weapon_type": "knife", "count": 2},
               {"item_kind": "drug", "drug_class": "A", "drug_type": "cocaine", "quantity": "12.345", "unit": "g"},
               {"item_kind": "cash", "cash_gbp": "1250.10"}]},
    {"kind": "seizure", "ref": "SZ-1", "occurred_at": "2023-08-02T23:30:00+00:00", "area": "op-test-b",
     "seizure_context": "found", "notes": "under a bench, \"wrapped\"; ü",
     "items": [{"item_kind": "drug", "drug_class": "B", "drug_type": "Cannabis", "quantity": "0.25", "unit": "kg",
                "value_gbp": "199.99", "description": "two bags"}]},
    {"kind": "weapons_sweep", "ref": "WS-1", "occurred_at": "2023-08-03T09:00:00+01:00", "easting": 475551.8,
     "northing": 260242.3, "place": "Park", "area_searched": "north field", "area_searched_m2": 1200.5,
     "tactic": "Weapons sweeps", "items": [{"item_kind": "weapon", "weapon_type": "machete"}]},
    {"kind": "test_purchase", "ref": "TP-1", "occurred_at": "2023-08-04T15:00:00+01:00", "premises": "Shop 1",
     "result": "fail_sale_made", "follow_up": "letter", "location_text": "High Street"},
    {"kind": "patrol", "ref": "PT-1", "occurred_at": "2023-08-05T20:00:00+01:00",
     "ended_at": "2023-08-05T20:17:30+01:00", "lat": 52.2342, "lon": -0.9001, "patrol_type": "hotspot_vehicle",
     "hotspot_ref": "HS-3", "planned": True, "officers": 3, "tactic": "Patrols"},
    {"kind": "patrol", "ref": "PT-2", "occurred_at": "2023-08-05T21:00:00+01:00",
     "ended_at": "2023-08-05T21:05:00+01:00", "lat": 52.5, "lon": -1.5, "planned": False},
    {"kind": "warrant", "ref": "WR-1", "occurred_at": "2023-08-06T06:00:00+01:00", "address": "1 High Street",
     "warrant_type": "drugs_search", "result": "executed_items_found",
     "items": [{"item_kind": "other", "description": "scales"}]},
    {"kind": "referral", "ref": "RF-1", "occurred_at": "2023-08-07T12:00:00+01:00", "person_ref": "P-0002",
     "age_band": "10-17", "partner_type": "charity", "partner_name": "Youth Trust", "reason": "diversion",
     "status": "accepted"},
    {"kind": "court_outcome", "ref": "CO-1", "occurred_at": "2023-10-20T10:00:00+01:00", "source": "ARR-1",
     "case_ref": "CASE-1", "person_ref": "P-0001", "sentence_type": "immediate_custody", "custodial_months": 18},
    {"kind": "engagement", "occurred_at": "2023-08-08T18:00:00+01:00", "engagement_type": "community_meeting",
     "participants": 40},
]
ITEM_CSV = {"description": "item_description", "count": "item_count", "item_kind": "item_kind"}


def _every_kind_csv(path) -> None:
    """EVERY_KIND as import rows: one per item after the first (ref and item columns only)."""
    import csv

    rows = []
    for rec in EVERY_KIND:
        row = {k: v for k, v in rec.items() if k not in ("items", "offences", "source")}
        row["planned"] = {True: "yes", False: "no"}.get(row.get("planned"), row.get("planned"))
        if "source" in rec:
            row["source_ref"] = rec["source"]
        if "offences" in rec:
            row["offence_group"] = "|".join(o["group"] for o in rec["offences"])
            row["offence_text"] = "|".join(o["text"] for o in rec["offences"])
        items = [{ITEM_CSV.get(k, k): v for k, v in it.items()} for it in rec.get("items", [])]
        rows.append({**row, **(items[0] if items else {})})
        rows.extend({"ref": rec["ref"], **it} for it in items[1:])
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _states(engine, operation: str) -> list[dict]:
    """Every record's state as stored and as its history's first version keeps it, with what
    differs between operations and databases (ids, operation, times entered) named by ref."""
    with session_scope(engine) as s:
        records = service.list_(s, operation_slug=operation)
        refs = {r.id: r.ref for r in records}
        out = []
        for record in records:
            [created] = service.history(s, record_id=record.id)
            assert (created.version, created.action, created.changed_fields) == (1, "create", [])
            for state in (service.to_state(s, record), dict(created.state)):
                state.pop("entered_at")
                state["id"] = state["ref"]
                state["source_record_id"] = refs.get(state["source_record_id"])
                state["operation"] = "-"
                state["area"] = state["area"] and state["area"].removeprefix(operation)
                out.append(state)
    return out


def test_import_stores_what_creating_each_record_stores(any_engine, tmp_path):
    make_operation(any_engine)
    make_operation(any_engine, "op-two")
    path = tmp_path / "every.csv"
    _every_kind_csv(path)
    with session_scope(any_engine) as s:
        report = import_csv(s, path=path, operation="op-test", entered_by="analyst")
    assert (report.records_created, report.items_created) == (len(EVERY_KIND), 6)
    ids = {}
    with session_scope(any_engine) as s:
        for rec in EVERY_KIND:
            data = {k: v for k, v in rec.items() if k != "source"}
            data["operation"] = "op-two"
            if "area" in data:
                data["area"] = data["area"].replace("op-test", "op-two")
            if "source" in rec:
                data["source_record_id"] = ids[rec["source"]]
            ids[rec.get("ref")] = service.create(s, record_in=data, entered_by="analyst").id
    imported, created = _states(any_engine, "op-test"), _states(any_engine, "op-two")
    assert imported == created
    assert [r["area"] for r in imported[::2]] == ["-a", "-b", "-b", "-a", None, "-a", None, None, None, None, None]


def test_sqlite_and_postgres_store_the_same_records(sqlite_engine, postgres_engine, tmp_path):
    path = tmp_path / "every.csv"
    _every_kind_csv(path)
    states = []
    for engine in (sqlite_engine, postgres_engine):
        make_operation(engine)
        with session_scope(engine) as s:
            import_csv(s, path=path, operation="op-test", entered_by="analyst")
        states.append(_states(engine, "op-test"))
    assert states[0] == states[1]
    assert len(states[0]) == 2 * len(EVERY_KIND)


def test_the_garbage_collector_runs_again_after_an_import(engine, tmp_path):
    """The import pauses Python's cyclic garbage collector; it runs again afterwards, whether
    the import succeeded or failed, and stays off if the caller had turned it off."""
    import gc

    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEAD + OK_ROW.format(n=1), encoding="utf-8")
    bad.write_text(HEAD + OK_ROW.format(n=2).replace("P-2", "john"), encoding="utf-8")
    assert gc.isenabled()
    with session_scope(engine) as s:
        import_csv(s, path=good, operation="op-test", entered_by="analyst")
    assert gc.isenabled()
    with session_scope(engine) as s, pytest.raises(ImportFailed):
        import_csv(s, path=bad, operation="op-test", entered_by="analyst")
    assert gc.isenabled()
    gc.disable()
    try:
        with session_scope(engine) as s, pytest.raises(ImportFailed):
            import_csv(s, path=bad, operation="op-test", entered_by="analyst")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failure_while_writing_leaves_nothing_written(any_engine, tmp_path, monkeypatch):
    """All or nothing holds for the writing too: if anything fails after the first rows are
    written (here, while the history rows are built, with the records' COPY still open on
    PostgreSQL), the import's savepoint takes every row back."""
    make_operation(any_engine)
    path = tmp_path / "every.csv"
    _every_kind_csv(path)
    written = service._table_rows

    def failing(prepared, ids, first):
        yield next(written(prepared, ids, first))  # the records
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_table_rows", failing)
    with session_scope(any_engine) as s, pytest.raises(RuntimeError, match="disk full"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    monkeypatch.undo()
    assert _count(any_engine) == 0
    with session_scope(any_engine) as s:
        assert import_csv(s, path=path, operation="op-test", entered_by="analyst").records_created == len(EVERY_KIND)
