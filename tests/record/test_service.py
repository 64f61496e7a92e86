"""Records on both back ends: create, correct with history, delete as tombstone, exact values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clearhold.errors import Conflict, InvalidInput, NotFound
from clearhold.record import service
from clearhold.record.schemas import RecordCorrection
from clearhold.storage.database import session_scope
from tests.support.ledger import IN_A, IN_B, make_operation

STOP = {"kind": "vehicle_stop", "operation": "op-test", "occurred_at": "2023-08-01T10:00:00+01:00", **IN_A,
        "vrm": "ab12 cde", "reason": "anpr_hit", "result": "arrest", "tactic": "ANPR stops", "ref": "VS-1"}


def arrest(**extra):
    data = {"kind": "arrest", "operation": "op-test", "occurred_at": "2023-08-01T10:30:00+01:00", **IN_B,
            "person_ref": "P-0001", "age_band": "18-24",
            "offences": [{"group": "Drug offences", "text": "PWITS class A"}], "ref": "ARR-1"}
    data.update(extra)
    return data


@pytest.fixture
def engine(any_engine):
    make_operation(any_engine)
    return any_engine


def test_create_keeps_place_in_both_systems_and_assigns_area(engine):
    with session_scope(engine) as s:
        stop = service.create(s, record_in=STOP, entered_by="pc1")
        state = service.to_state(s, stop)
    assert state["vrm"] == "AB12CDE"
    assert state["area"] == "op-test-a"
    # Oracle: pyproj directly, with the axis order spelt out (latitude first for EPSG:4326).
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:4326", "EPSG:27700").transform(IN_A["lat"], IN_A["lon"])
    assert (state["easting"], state["northing"]) == (pytest.approx(e, abs=0.1), pytest.approx(n, abs=0.1))
    assert 470000 < state["easting"] < 480000 and 255000 < state["northing"] < 265000  # Northampton
    assert state["entered_by"] == "pc1" and state["version"] == 1
    assert datetime.fromisoformat(state["occurred_at"]) == datetime(2023, 8, 1, 9, 0, tzinfo=UTC)


def test_drug_value_is_exact_and_records_price_table_version(engine):
    items = [{"item_kind": "drug", "drug_class": "A", "drug_type": "cocaine", "quantity": "12.345", "unit": "g"},
             {"item_kind": "drug", "drug_class": "B", "drug_type": "cannabis", "quantity": "0.25", "unit": "kg"},
             {"item_kind": "drug", "drug_class": "A", "drug_type": "heroin", "quantity": "3", "unit": "g", "value_gbp": "199.99"},
             {"item_kind": "cash", "cash_gbp": "1250.10"}]
    with session_scope(engine) as s:
        rec = service.create(s, record_in=arrest(items=items), entered_by="pc1")
        got = [(i.value_pence, i.value_basis, i.price_table_version, i.cash_pence) for i in rec.items]
    # 12.345 g x £80.00 = £987.60; 0.25 kg = 250 g x £10.00 = £2,500.00; manual £199.99; cash exact.
    assert got == [(98760, "price_table", "illustrative-2023", None), (250000, "price_table", "illustrative-2023", None),
                   (19999, "manual", None, None), (None, None, None, 125010)]


def test_correction_keeps_every_version_with_reason(engine):
    with session_scope(engine) as s:
        rec_id = service.create(s, record_in=arrest(), entered_by="pc1").id
    with session_scope(engine) as s:
        service.correct(s, record_id=rec_id, changed_by="sgt",
                        correction=RecordCorrection(changes={"outcome": "charged"}, reason="charged at custody"))
    with session_scope(engine) as s:
        hist = service.history(s, record_id=rec_id)
        current = service.get(s, record_id=rec_id)
        assert current.outcome == "charged" and current.version == 2 and current.updated_by == "sgt"
        assert [(h.version, h.action, h.changed_fields, h.reason) for h in hist] == [
            (1, "create", [], None), (2, "correct", ["outcome"], "charged at custody")]
        assert hist[0].state["outcome"] == "pending"
        assert hist[1].state["outcome"] == "charged"


def test_correction_with_stale_version_is_refused(engine):
    with session_scope(engine) as s:
        rec_id = service.create(s, record_in=arrest(), entered_by="pc1").id
    with session_scope(engine) as s, pytest.raises(Conflict, match="version 1, not 7"):
        service.correct(s, record_id=rec_id, changed_by="sgt",
                        correction=RecordCorrection(changes={"outcome": "charged"}, reason="x y z", expected_version=7))


def test_correction_is_validated_like_a_new_record(engine):
    with session_scope(engine) as s:
        rec_id = service.create(s, record_in=arrest(), entered_by="pc1").id
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="person_ref was 'John Smith'"):
        service.correct(s, record_id=rec_id, changed_by="sgt",
                        correction=RecordCorrection(changes={"person_ref": "John Smith"}, reason="typo"))
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="kind cannot be corrected"):
        service.correct(s, record_id=rec_id, changed_by="sgt",
                        correction=RecordCorrection(changes={"kind": "seizure"}, reason="wrong"))
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="changes nothing"):
        service.correct(s, record_id=rec_id, changed_by="sgt",
                        correction=RecordCorrection(changes={"outcome": "pending"}, reason="same"))


def test_delete_is_a_tombstone_and_protects_dependants(engine):
    with session_scope(engine) as s:
        stop_id = service.create(s, record_in=STOP, entered_by="pc1").id
        arr_id = service.create(s, record_in=arrest(source_record_id=stop_id), entered_by="pc1").id
    with session_scope(engine) as s, pytest.raises(Conflict, match=f"source of records {arr_id}"):
        service.delete(s, record_id=stop_id, deleted_by="sgt", reason="duplicate")
    with session_scope(engine) as s:
        service.delete(s, record_id=arr_id, deleted_by="sgt", reason="entered twice")
    with session_scope(engine) as s:
        assert [r.id for r in service.list_(s, operation_slug="op-test")] == [stop_id]
        assert len(service.list_(s, operation_slug="op-test", include_deleted=True)) == 2
        with pytest.raises(NotFound, match=f"record {arr_id} not found"):
            service.get(s, record_id=arr_id)
        assert [h.action for h in service.history(s, record_id=arr_id)] == ["create", "delete"]


def test_duplicate_ref_in_operation_is_a_conflict(engine):
    with session_scope(engine) as s:
        service.create(s, record_in=STOP, entered_by="pc1")
    with session_scope(engine) as s, pytest.raises(Conflict, match="ref 'VS-1' already exists"):
        service.create(s, record_in=STOP, entered_by="pc1")


@pytest.mark.parametrize(("change", "message"), [
    ({"occurred_at": "2023-08-01T10:00:00"}, "no time zone"),
    ({"person_ref": "john smith"}, "never a name"),
    ({"offences": []}, "at least 1 item"),
    ({"offences": [{"group": "Crimes", "text": "x"}]}, "offence group was 'Crimes'"),
    ({"lat": 52.2, "lon": None}, "lat and lon go together"),
    ({"age_band": "teen"}, "age_band was 'teen'"),
    ({"items": [{"item_kind": "drug", "drug_type": "cocaine"}]}, "a drug item needs drug_class, quantity, unit"),
    ({"items": [{"item_kind": "weapon"}]}, "a weapon item needs weapon_type"),
    ({"items": [{"item_kind": "cash"}]}, "a cash item needs cash_gbp"),
    ({"items": [{"item_kind": "drug", "drug_class": "A", "drug_type": "unobtainium", "quantity": "1", "unit": "g"}]},
     "unobtainium' in g has no price"),
    ({"items": [{"item_kind": "drug", "drug_class": "B", "drug_type": "cocaine", "quantity": "1", "unit": "g"}]},
     "lists cocaine as class A"),
    ({"tactic": "Magic"}, "tactic 'Magic' is not defined"),
    ({"area": "nowhere"}, "area 'nowhere' not found"),
    ({"source_record_id": 999999}, "record 999999 does not exist"),
])
def test_bad_records_are_refused_with_field_and_reason(engine, change, message):
    with session_scope(engine) as s, pytest.raises((InvalidInput, NotFound), match=message):
        service.create(s, record_in=arrest(**change), entered_by="pc1")


def test_input_dict_is_not_changed(engine):
    data = arrest(items=[{"item_kind": "cash", "cash_gbp": "10.00"}])
    before = repr(data)
    with session_scope(engine) as s:
        service.create(s, record_in=data, entered_by="pc1")
    assert repr(data) == before


def test_list_filters_by_kind_and_period(engine):
    with session_scope(engine) as s:
        service.create(s, record_in=STOP, entered_by="pc1")
        service.create(s, record_in=arrest(occurred_at="2023-09-01T10:00:00+01:00"), entered_by="pc1")
        got = service.list_(s, operation_slug="op-test", kind="arrest")
        assert [r.kind for r in got] == ["arrest"]
        got = service.list_(s, operation_slug="op-test", end=datetime(2023, 8, 2, tzinfo=UTC))
        assert [r.kind for r in got] == ["vehicle_stop"]
        with pytest.raises(InvalidInput, match="kind was 'arrests'"):
            service.list_(s, operation_slug="op-test", kind="arrests")


def test_areas_found_at_once_agree_with_the_area_locator(sqlite_engine):
    """``prime_locate`` (one vectorised test per area, for an import) finds the area
    ``AreaLocator`` finds, point by point: inside, outside, on the edge and at the corners,
    where target areas overlap (the first by id wins), and ignoring buffers and areas
    without a polygon."""
    from itertools import pairwise

    from clearhold.area import service as area_service
    from clearhold.area.schemas import AreaCreate

    make_operation(sqlite_engine)
    big = {"type": "Polygon", "coordinates": [[[-0.90, 52.225], [-0.85, 52.225], [-0.85, 52.245], [-0.90, 52.245],
                                                [-0.90, 52.225]]]}
    with session_scope(sqlite_engine) as s:
        for area_in in (AreaCreate(slug="op-test-big", name="Overlaps A and B", operation="op-test", geometry=big),
                        AreaCreate(slug="op-test-buffer", name="Buffer", operation="op-test", role="buffer",
                                   parent="op-test-a", buffer_m=500),
                        AreaCreate(slug="op-test-lsoa", name="By LSOA only", operation="op-test",
                                   lsoa_codes=["E01027170"])):
            area_service.create(s, area_in=area_in, created_by="tester")
    with session_scope(sqlite_engine) as s:
        areas = area_service.list_(s, operation_slug="op-test")
        points = set()
        for area in areas:
            shape = area_service.bng_geometry(area)
            if shape is None:
                continue
            ring = list(shape.exterior.coords)
            points |= {(round(x, 1), round(y, 1)) for x, y in ring}  # corners, as _place rounds them
            points |= {((x0 + x1) / 2, (y0 + y1) / 2) for (x0, y0), (x1, y1) in pairwise(ring)}  # edges
            c = shape.centroid
            points |= {(c.x, c.y), (c.x + 3000, c.y), (c.x, c.y - 800), (c.x - 1400, c.y + 300)}
        points = sorted(points)
        op = service.operation_service.get(s, slug="op-test")
        ctx = service.new_context(s)
        ctx.prime_locate(op, points)
        got = [ctx.locate(op, x, y) for x, y in points]
        expected = [area_service.AreaLocator(areas).locate(x, y) for x, y in points]
        assert got == expected
        by_id = {a.id: a.slug for a in areas}
        assert {by_id.get(i) for i in got} == {"op-test-a", "op-test-b", "op-test-big", None}
        assert ctx.locate(op, None, None) is None


def test_bulk_insert_binds_values_as_sqlalchemy_does():
    """The import's quicker bind processing gives what the column types give: the same text
    for times on SQLite (or the same refusal), the same JSON for the history state."""
    import json
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    from sqlalchemy.dialects import sqlite

    from clearhold.record.tables import Record, RecordHistory

    dialect = sqlite.dialect()
    for column, values in (
        (Record.__table__.c.occurred_at, [
            datetime(2023, 8, 1, 10, 0, tzinfo=ZoneInfo("Europe/London")), datetime(2023, 1, 1, tzinfo=UTC),
            datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
            datetime(999, 1, 1, 12, 0, 0, 5, tzinfo=UTC)]),
        (RecordHistory.__table__.c.state, [
            {"a": 1, "b": [1.5, None, True, 1e-7, 475551.8], "ü": 'café "q" </script>', "c": {"d": []}},
            None, [], {"big": 2**70}, {1: "x"}]),
    ):
        quick, _ = service._bind_processor(column, dialect)
        plain = column.type.dialect_impl(dialect).bind_processor(dialect)
        for value in values:
            if column.name == "state":
                assert json.loads(quick(value)) == json.loads(plain(value))
            else:
                assert quick(value) == plain(value)
    quick, _ = service._bind_processor(Record.__table__.c.occurred_at, dialect)
    with pytest.raises(ValueError, match="has no time zone"):
        quick(datetime(2023, 8, 1, 10, 0))


def test_bulk_insert_writes_null_columns_and_shared_values(any_engine):
    """Rows through ``_write_tables``: a column NULL in every row (written as NULL, not bound),
    a column NULL in some, values the same for every row, one column only; read back as given."""
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
    from sqlalchemy.orm import Session

    from clearhold.storage.base import UTCDateTime

    table = Table("bulk_probe", MetaData(), Column("id", Integer, primary_key=True), Column("a", String(10)),
                  Column("b", String(10)), Column("at", UTCDateTime), Column("naive", DateTime))
    table.create(any_engine)
    when = datetime(2023, 8, 1, 9, 30, tzinfo=UTC)
    with Session(any_engine) as s, s.begin():
        service._write_tables(s, [(table, ["id", "a", "b"], [(1, None, "x"), (2, None, None)],
                                   {"at": when, "naive": None})])
        service._write_tables(s, [(table, ["id"], [(3,), (4,)], None)])
        service._write_tables(s, [(table, ["id", "a"], [(5, "y")], None)])
        service._write_tables(s, [(table, ["id", "a"], [(6, None), (7, None)], None)])  # one column left to bind
    with Session(any_engine) as s:
        got = [tuple(r) for r in s.execute(select(table).order_by(table.c.id))]
    assert got == [(1, None, "x", when, None), (2, None, None, when, None), (3, None, None, None, None),
                   (4, None, None, None, None), (5, "y", None, None, None), (6, None, None, None, None),
                   (7, None, None, None, None)]


def test_prepared_record_rows_name_every_column_of_records():
    """A prepared record's row is a list in the order of ``_RECORD_COLUMNS``: every column of
    ``records``, each once."""
    from clearhold.record.tables import Record

    assert sorted(service._RECORD_COLUMNS) == sorted(Record.__table__.columns.keys())
    assert len(set(service._RECORD_COLUMNS)) == len(service._RECORD_COLUMNS)


def test_a_context_and_its_batches_are_freed_as_soon_as_they_are_dropped(engine):
    """No reference cycle between the import's lookup context and its batches: dropped, they
    are freed at once (with all they hold), not whenever the garbage collector runs."""
    import gc
    import weakref

    gc.disable()
    try:
        with session_scope(engine) as s:
            ctx = service.new_context(s)
            ctx.batch("op-test", "pc1", datetime.now(UTC))
            dropped = weakref.ref(ctx)
            del ctx
            assert dropped() is None
    finally:
        gc.enable()
