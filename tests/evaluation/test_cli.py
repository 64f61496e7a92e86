"""CLI: ``clearhold evaluate`` / ``evaluate plan`` --json equal the direct library calls; exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from clearhold.analytics.evaluation import minimum_detectable_effect
from clearhold.evaluation.flows import evaluate, evaluate_panel
from clearhold.interfaces.cli.main import app
from clearhold.reports.evaluation.render import clean

runner = CliRunner()


def _flat(text: str) -> str:
    """Output with Rich's error box and line wrapping removed."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


@pytest.fixture(scope="module")
def panel_csv(sim, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    sim.frame[["area", "month", "count"]].to_csv(path, index=False)
    return path


def _args(panel_csv, *extra):
    return ["evaluate", "--treated", "A000", "--buffer", "A059", "--before", "2020-01..2021-12",
            "--during", "2022-01..2022-03", "--panel", str(panel_csv), "--draws", "99", *extra]


def test_evaluate_json_equals_library(sim, panel_csv):
    result = runner.invoke(app, _args(panel_csv, "--json"))
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    control = [a for a in sorted(set(sim.frame.area)) if a not in {"A000", "A059"}]
    expect = evaluate_panel(sim.frame[["area", "month", "count"]], treated=["A000"], control=control, buffer=["A059"],
                            before="2020-01..2021-12", during="2022-01..2022-03", n_draws=99)
    assert got == json.loads(json.dumps(clean(expect)))
    for key in ("wdd", "wdq", "did", "synthetic_control", "its"):
        assert {"estimate", "ci_low", "ci_high", "checks"} <= set(got[key])


def test_evaluate_writes_html_and_md(panel_csv, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(app, _args(panel_csv, "--format", "html", "--out", str(out)))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    md = runner.invoke(app, _args(panel_csv, "--format", "md"))
    assert md.exit_code == 0 and md.stdout.startswith("# Did it work?")


def test_plan_json_equals_library(sim, panel_csv):
    result = runner.invoke(app, ["evaluate", "plan", "--treated", "A000", "--control", "A001", "--control", "A002",
                                 "--history", "2020-01..2021-12", "--weeks", "10", "--panel", str(panel_csv), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    hist = sim.frame[sim.frame.month.isin(sim.pre)][["area", "month", "count"]]
    expect = minimum_detectable_effect(hist, ["A000"], duration_weeks=10.0, control=["A001", "A002"]).to_dict()
    assert {k: got[k] for k in expect} == json.loads(json.dumps(expect))
    assert got["history"] == "2020-01..2021-12" and got["control_units"] == 2
    text = runner.invoke(app, ["evaluate", "plan", "--treated", "A000", "--history", "2020-01..2021-12",
                               "--panel", str(panel_csv)])
    assert text.exit_code == 0 and "With 10 weeks in these areas you can detect a fall of" in text.stdout


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["evaluate"], 2, "give --operation SLUG or --treated AREA"),
        (["evaluate", "--treated", "A", "--before", "2020-01..2020-02"], 2, "--before and --during are required"),
        (["evaluate", "--treated", "A", "--before", "x", "--during", "y", "--format", "docx"], 2, "docx"),
        (["evaluate", "--treated", "A", "--before", "x", "--during", "y", "--format", "pdf"], 2, "give --out"),
        (["evaluate", "plan", "--treated", "A"], 2, "--history FROM..TO is required"),
    ],
)
def test_bad_usage_exits_2(args, code, message):
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert message in _flat(result.output)


def test_invalid_input_exits_2_with_the_message(panel_csv, tmp_path):
    missing = runner.invoke(app, _args(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "no such file" in _flat(missing.output)
    bad = runner.invoke(app, ["evaluate", "--treated", "A000", "--before", "2020-01", "--during", "2022-01..2022-03",
                              "--panel", str(panel_csv)])
    assert bad.exit_code == 2 and "before was '2020-01'" in _flat(bad.output)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    cols = runner.invoke(app, _args(wrong))
    assert cols.exit_code == 2 and "lacks column(s)" in _flat(cols.output)


@pytest.mark.slow
def test_evaluate_operation_from_ledger_and_store(sqlite_engine, crime_store, tmp_path):
    from clearhold.area import service as area_service
    from clearhold.area.schemas import AreaCreate
    from clearhold.crime import service as crime
    from clearhold.operation import service as operation_service
    from clearhold.operation.schemas import OperationCreate
    from clearhold.storage.database import session_scope

    ward = crime.resolve_area("ward:Blackthorn & Rectory Farm", store=crime_store)
    county = crime.resolve_area("lad:West Northamptonshire", store=crime_store)
    target = sorted(ward.lsoa21)[:6]
    comparison = [c for c in sorted(county.lsoa21) if c not in set(ward.lsoa21)][:60]
    with session_scope(sqlite_engine) as s:
        operation_service.create(s, operation_in=OperationCreate(slug="op-eval", name="Op Eval", starts_on=date(2022, 9, 1)),
                                 created_by="test")
        area_service.create(s, area_in=AreaCreate(slug="t-area", name="Target", operation="op-eval", role="target",
                                                  lsoa_codes=target), created_by="test")
        area_service.create(s, area_in=AreaCreate(slug="c-area", name="Comparison", operation="op-eval",
                                                  role="comparison", parent="t-area", lsoa_codes=comparison),
                                created_by="test")
    url = str(sqlite_engine.url)
    result = runner.invoke(app, ["evaluate", "--operation", "op-eval", "--before", "2022-01..2022-08",
                                 "--during", "2022-09..2022-11", "--draws", "99", "--json",
                                 "--store", str(crime_store), "--database", url])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["units"]["treated"] == ["t-area"] and len(got["units"]["control"]) == 60
    with session_scope(sqlite_engine) as s:
        expect = evaluate(store=crime_store, session=s, operation="op-eval", before="2022-01..2022-08",
                          during="2022-09..2022-11", n_draws=99)
    assert got == json.loads(json.dumps(clean(expect)))
    unknown = runner.invoke(app, ["evaluate", "--operation", "nope", "--before", "2022-01..2022-08",
                                  "--during", "2022-09..2022-11", "--store", str(crime_store), "--database", url])
    assert unknown.exit_code == 1 and "nope" in _flat(unknown.output)
