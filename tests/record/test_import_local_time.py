"""Import of timestamps written without an offset (local clock time, with --tz)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clearhold.errors import InvalidInput
from clearhold.record import service
from clearhold.record.flows import ImportFailed, import_csv
from clearhold.storage.database import session_scope
from tests.support.ledger import make_operation

HEADER = "kind,ref,occurred_at,ended_at,lat,lon,patrol_type\n"


@pytest.fixture
def engine(sqlite_engine):
    make_operation(sqlite_engine)
    return sqlite_engine


def _write(tmp_path, *rows: str):
    path = tmp_path / "records.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_local_times_are_read_in_the_given_zone(engine, tmp_path):
    path = _write(tmp_path,
                  "patrol,P-1,2023-08-01 20:00,2023-08-01 20:12,52.235,-0.895,hotspot_foot",  # BST
                  "patrol,P-2,2023-10-01T21:00:00+01:00,2023-10-01 21:15,52.235,-0.895,hotspot_foot",  # offset kept
                  "patrol,P-3,2023-10-08 23:50,2023-10-08 23:59:30,52.235,-0.895,hotspot_foot")
    with session_scope(engine) as s:
        import_csv(s, path=path, operation="op-test", entered_by="analyst", time_zone="Europe/London")
    with session_scope(engine) as s:
        got = {r: service.get_by_ref(s, operation_slug="op-test", ref=r) for r in ("P-1", "P-2", "P-3")}
        assert got["P-1"].occurred_at == datetime(2023, 8, 1, 19, 0, tzinfo=UTC)
        assert got["P-1"].ended_at == datetime(2023, 8, 1, 19, 12, tzinfo=UTC)
        assert got["P-2"].occurred_at == datetime(2023, 10, 1, 20, 0, tzinfo=UTC)
        assert got["P-3"].ended_at == datetime(2023, 10, 8, 22, 59, 30, tzinfo=UTC)


def test_without_a_zone_local_times_are_refused(engine, tmp_path):
    path = _write(tmp_path, "patrol,P-1,2023-08-01 20:00,2023-08-01 20:12,52.235,-0.895,hotspot_foot")
    with session_scope(engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=path, operation="op-test", entered_by="analyst")
    assert "no time zone" in str(info.value)


def test_clock_change_hours_are_named_not_guessed(engine, tmp_path):
    path = _write(tmp_path,
                  "patrol,P-1,2023-08-01 20:00,2023-08-01 20:12,52.235,-0.895,hotspot_foot",
                  "patrol,P-2,2023-10-29 01:30,2023-10-29 01:40,52.235,-0.895,hotspot_foot",
                  "patrol,P-3,2023-03-26 01:30,,52.235,-0.895,hotspot_foot")
    with session_scope(engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=path, operation="op-test", entered_by="analyst", time_zone="Europe/London")
    errors = {(e.line, e.field): e for e in info.value.errors}
    twice = errors[(3, "occurred_at")]
    assert twice.value == "2023-10-29 01:30"
    assert "happened twice in Europe/London" in twice.problem and "+01:00 or +00:00" in twice.problem
    assert (4, "occurred_at") in errors and "did not happen in Europe/London" in errors[(4, "occurred_at")].problem
    assert str(path) in str(info.value)
    with session_scope(engine) as s:
        assert service.list_(s, operation_slug="op-test") == []


def test_unknown_zone_is_a_clear_error(engine, tmp_path):
    path = _write(tmp_path, "patrol,P-1,2023-08-01 20:00,2023-08-01 20:12,52.235,-0.895,hotspot_foot")
    with session_scope(engine) as s, pytest.raises(InvalidInput, match="time zone 'Europe/Londn' is not known"):
        import_csv(s, path=path, operation="op-test", entered_by="analyst", time_zone="Europe/Londn")
