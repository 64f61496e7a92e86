"""Evaluation flows and report: every method, checks, honest summary, renderers, the crime store."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from clearhold.analytics.evaluation import did, interrupted_time_series, synthetic_control, wdd, wdq
from clearhold.errors import InvalidInput
from clearhold.evaluation.flows import METHODS, evaluate, evaluate_panel, plan, summary_text
from clearhold.reports.evaluation import render


@pytest.fixture(scope="module")
def result(sim):
    return evaluate_panel(sim.frame, treated=sim.treated, control=sim.control[:-2], buffer=sim.control[-2:],
                          before=sim.pre, during=sim.post, n_draws=199)


def test_every_method_reports_estimate_interval_and_checks(result):
    for key in METHODS:
        entry = result[key]
        assert entry["status"] == "ok", entry
        assert {"estimate", "ci_low", "ci_high", "checks"} <= set(entry)
        assert entry["checks"]["maryland"]["level"] == (2 if key == "its" else 3)
        assert entry["checks"]["basis"]["months_during"] == 3
    assert result["did"]["checks"]["parallel_trends"]["months"] == 24
    assert result["wdq"]["reading"] in {"diffusion of benefits", "displacement smaller than benefit",
                                        "displacement outweighing benefit", "no success",
                                        "no displacement or diffusion"}
    json.dumps(result, allow_nan=False)


def test_flow_results_equal_direct_library_calls(sim, result):
    control = sim.control[:-2]
    ref = did(sim.frame, sim.treated, pre=sim.pre, post=sim.post, control=control, n_draws=199, seed=0)
    assert result["did"]["estimate"] == ref.estimate and result["did"]["ci_low"] == ref.ci_low
    wide = sim.frame.pivot(index="area", columns="month", values="count")
    t = wide.loc[sim.treated].sum()
    c = wide.loc[control].sum()
    b = wide.loc[sim.control[-2:]].sum()
    pre3, post = sim.pre[-3:], sim.post
    q = wdq((t[pre3].sum(), t[post].sum()), (c[pre3].sum(), c[post].sum()), (b[pre3].sum(), b[post].sum()))
    assert result["wdq"]["estimate"] == pytest.approx(q.wdq, abs=1e-12)
    w = wdd((t[pre3].sum(), t[post].sum()), (c[pre3].sum(), c[post].sum()), buffer=(b[pre3].sum(), b[post].sum()),
            dispersion=result["wdd"]["checks"]["dispersion_factor"])
    assert result["wdd"]["estimate"] == w.estimate and result["wdd"]["ci_high"] == pytest.approx(w.ci_high)
    series = pd.DataFrame({"month": sim.pre + sim.post, "count": t[sim.pre + sim.post].to_numpy()})
    its = interrupted_time_series(series, pre=sim.pre, post=sim.post)
    assert result["its"]["estimate"] == pytest.approx(its.estimate, abs=1e-12)
    frame = pd.concat([sim.frame[sim.frame.area.isin(control)], series.assign(area="__treated__")])
    sc = synthetic_control(frame, "__treated__", pre=sim.pre, post=sim.post, donors=control)
    assert result["synthetic_control"]["estimate"] == pytest.approx(sc.estimate, abs=1e-12)


def test_wdd_on_areas_of_very_different_size_is_flagged_and_not_read_as_an_effect(result):
    comp = result["wdd"]["checks"]["comparability"]
    assert comp["control_to_treated_before"] > 2 and "doubtful between areas of such different size" in comp["warning"]
    assert "do not read it as an effect" in result["summary"]


def test_summary_never_claims_an_effect_whose_interval_includes_zero():
    fake = {
        "did": {"status": "ok", "estimate": -0.2, "ci_low": -0.45, "ci_high": 0.1, "checks": {"maryland": {"level": 3}}},
        "its": {"status": "ok", "estimate": -0.3, "ci_low": -0.5, "ci_high": -0.1, "checks": {"maryland": {"level": 2}}},
    }
    text = summary_text(fake)
    assert "Difference-in-differences: -20% (-45% to +10%); the interval includes no change, so no effect is shown" in text
    assert "Interrupted time series: -30% (-50% to -10%), crimes fewer than expected; Maryland level 2." in text
    fake["its"]["checks"]["warning"] = "Only 8 months before: seasonality cannot be modelled"
    assert "but not to be read as an effect" in summary_text(fake)


def test_methods_that_need_comparison_or_buffer_say_so(sim):
    r = evaluate_panel(sim.frame, treated=sim.treated, control=[], before=sim.pre, during=sim.post,
                       methods=["wdd", "wdq", "did", "synthetic_control", "its"])
    assert r["wdd"]["status"] == "not applicable" and "comparison" in r["wdd"]["reason"]
    assert r["wdq"]["status"] == "not applicable"
    assert r["did"]["status"] == "not applicable" and r["synthetic_control"]["status"] == "not applicable"
    assert r["its"]["status"] == "ok"
    few = evaluate_panel(sim.frame, treated=sim.treated, control=sim.control[:1], before=sim.pre, during=sim.post,
                         methods=["did"])
    assert few["did"]["detail"]["inference"] == "cluster" and "unreliable" in few["did"]["checks"]["warning"]


def test_after_period_and_harm_column(sim):
    frame = sim.frame.assign(harm=sim.frame["count"] * 2.0)
    r = evaluate_panel(frame, treated=sim.treated, control=sim.control, before=sim.pre[:-3], during=sim.pre[-3:],
                       after=sim.post, value_col="harm", methods=["did"], n_draws=99)
    assert r["value"] == "harm" and set(r["after"]["did"]) == {"estimate", "ci_low", "ci_high", "p"}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"treated": []}, "treated was empty"),
        ({"control": ["A000"]}, "more than one role"),
        ({"control": ["nope"]}, r"areas \['nope'\] are not in the panel"),
        ({"methods": ["ols"]}, "methods was"),
        ({"during": "2021-12..2022-02"}, "must not overlap"),
        ({"value_col": "harm"}, "no column 'harm'"),
    ],
)
def test_evaluate_panel_rejects_bad_input(sim, kwargs, match):
    args = {"treated": sim.treated, "control": sim.control, "before": sim.pre, "during": sim.post} | kwargs
    with pytest.raises(InvalidInput, match=match):
        evaluate_panel(sim.frame, **args)


def test_renderers(result):
    html = render(result, "html")
    assert html.startswith("<!doctype html>") and html.count("<svg") >= 3
    assert "Difference-in-differences" in html and "<h2>Checks</h2>" in html
    md = render(result, "md")
    assert "| Difference-in-differences | " in md and "Open Government Licence" in md
    assert json.loads(render(result, "json"))["did"]["estimate"] == result["did"]["estimate"]
    with pytest.raises(InvalidInput, match="format was 'docx'"):
        render(result, "docx")


@pytest.mark.slow
def test_pdf_report(result):
    pdf = render(result, "pdf")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000


@pytest.mark.slow
def test_evaluate_from_the_crime_store_splits_comparison_into_lsoas(crime_store):
    r = evaluate(store=crime_store, treated=["ward:Blackthorn & Rectory Farm"], control=["lad:West Northamptonshire"],
                 before="2022-01..2022-08", during="2022-09..2022-11", n_draws=199)
    assert r["units"]["treated"] == ["ward:Blackthorn & Rectory Farm"]
    assert len(r["units"]["control"]) > 200 and all(u.startswith("lsoa:E01") for u in r["units"]["control"])
    assert r["did"]["status"] == "ok" and r["did"]["detail"]["n_control"] == len(r["units"]["control"])
    # 8 months before: the ITS must warn that seasonality is not modelled
    assert "seasonality cannot be modelled" in r["its"]["checks"]["warning"]
    from clearhold.crime import service

    counts = service.monthly_counts(store=crime_store, areas={"t": "ward:Blackthorn & Rectory Farm"},
                                    start_month="2022-01", end_month="2022-11")
    assert r["series"]["treated"] == counts["count"].astype(float).tolist()
    harm = evaluate(store=crime_store, treated=["ward:Blackthorn & Rectory Farm"], control=["lad:West Northamptonshire"],
                    before="2022-01..2022-08", during="2022-09..2022-11", n_draws=99, weights="illustrative-v1",
                    crime_types=["Violence and sexual offences", "Robbery"])
    assert harm["value"] == "harm" and harm["wdd"]["detail"]["weighted"] is True

    p = plan(store=crime_store, treated=["ward:Blackthorn & Rectory Farm"], control=["lad:West Northamptonshire"],
             history="2022-01..2022-11", duration_weeks=10)
    assert p["design"] == "did" and 0 < p["fall"] < 1 and p["sentence"].startswith("With 10 weeks in these areas")


def test_evaluate_needs_one_of_operation_or_treated():
    with pytest.raises(InvalidInput, match="either operation or treated"):
        evaluate(before="2022-01..2022-08", during="2022-09..2022-11")
    with pytest.raises(InvalidInput, match="needs a records database session"):
        evaluate(operation="op-a", before="2022-01..2022-08", during="2022-09..2022-11")
