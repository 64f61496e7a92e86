"""Intelligence CSV import: grades and handling codes refused with line, column and value."""

from __future__ import annotations

import pytest

from clearhold.intel import service
from clearhold.intel.flows import import_csv
from clearhold.record.flows import ImportFailed
from clearhold.storage.database import session_scope

HEAD = "ref,intel_date,recorded_at,recording_officer,source_ref,handling_instructions,lat,lon,item_text,grade\n"
GOOD = ("INT-1,2023-05-01,2023-05-02T09:00:00+01:00,pc1,SRC-1,,52.24,-0.89,Subject deals from the flat.,2BP\n"
        "INT-1,,,,,,,,Seen with a knife.,3CP\n")


def test_good_file(any_engine, tmp_path):
    path = tmp_path / "intel.csv"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    with session_scope(any_engine) as s:
        report = import_csv(s, path=path, operation=None, entered_by="analyst")
    assert (report.rows_read, report.logs_created, report.items_created) == (2, 1, 2)
    with session_scope(any_engine) as s:
        assert [(i.seq, i.grade) for i in service.get(s, ref="INT-1").items] == [(1, "2BP"), (2, "3CP")]


@pytest.mark.parametrize(("rows", "line", "field", "value", "problem"), [
    ("INT-2,2023-05-01,2023-05-02T09:00:00+01:00,pc1,SRC-1,,,,x,4AP\n", 4, "grade", "4AP", "grade was '4AP'"),
    ("INT-2,2023-05-01,2023-05-02T09:00:00+01:00,pc1,SRC-1,,,,x,1BC\n", 4, "handling_instructions", None,
     "handling_instructions are required"),
    ("INT-2,2023-05-01,2023-05-02T09:00:00+01:00,pc1,SRC-1,,50.95,1.85,x,1BP\n", 4, "lat", "50.95",
     "outside the United Kingdom"),
    ("INT-2,2023-05-01,2023-05-02T09:00:00+01:00,pc1,SRC-1,,,,x,1BP\nINT-2,,,,SRC-2,,,,y,1BP\n", 5, "source_ref",
     "SRC-2", "duplicate reference 'INT-2'"),
])
def test_bad_rows(any_engine, tmp_path, rows, line, field, value, problem):
    path = tmp_path / "intel.csv"
    path.write_text(HEAD + GOOD + rows, encoding="utf-8")
    with session_scope(any_engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=path, operation=None, entered_by="analyst")
    [err] = info.value.errors
    assert (err.line, err.field, err.value) == (line, field, value)
    assert problem in err.problem
    with session_scope(any_engine) as s:
        assert service.list_(s) == []


def test_cli_list_shows_grades_not_content(tmp_path):
    import json

    from typer.testing import CliRunner

    from clearhold.interfaces.cli.main import app

    path = tmp_path / "intel.csv"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["intel", "import", str(path)]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["intel", "list", "--json"]).stdout)
    assert [i for i in listed[0]["items"]] == [{"seq": 1, "grade": "2BP"}, {"seq": 2, "grade": "3CP"}]
    shown = json.loads(runner.invoke(app, ["intel", "show", "INT-1", "--json"]).stdout)
    assert shown["items"][0]["text"] == "Subject deals from the flat."


def test_recorded_at_in_local_time_with_tz(any_engine, tmp_path):
    from datetime import UTC, datetime

    path = tmp_path / "intel.csv"
    path.write_text(HEAD + "INT-5,2023-05-01,2023-05-02 09:00,pc1,SRC-1,,,,x,2BP\nINT-5,,,,,,,,y,3CP\n", encoding="utf-8")
    with session_scope(any_engine) as s, pytest.raises(ImportFailed, match="no time zone"):
        import_csv(s, path=path, operation=None, entered_by="analyst")
    with session_scope(any_engine) as s:
        import_csv(s, path=path, operation=None, entered_by="analyst", time_zone="Europe/London")
    with session_scope(any_engine) as s:
        log = service.get(s, ref="INT-5")
        assert log.recorded_at == datetime(2023, 5, 2, 8, 0, tzinfo=UTC) and len(log.items) == 2
    ambiguous = tmp_path / "ambiguous.csv"
    ambiguous.write_text(HEAD + "INT-6,2023-10-28,2023-10-29 01:15,pc1,SRC-1,,,,x,2BP\nINT-6,,,,,,,,y,3CP\n",
                         encoding="utf-8")
    with session_scope(any_engine) as s, pytest.raises(ImportFailed) as info:
        import_csv(s, path=ambiguous, operation=None, entered_by="analyst", time_zone="Europe/London")
    [err] = info.value.errors  # once, for the log's first row; its second row still belongs to it
    assert (err.line, err.field, err.value) == (2, "recorded_at", "2023-10-29 01:15")
    assert "happened twice" in err.problem
