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
