"""The README's main job: the demo reproduces every published figure of both reference operations."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clearhold.interfaces.cli.main import app

runner = CliRunner()


@pytest.mark.slow
def test_demo_builds_reuses_and_matches_the_press_releases(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("CLEARHOLD_DATA_DIR", str(shared_data))
    out = tmp_path / "out"
    first = runner.invoke(app, ["demo", "--out", str(out), "--json", "--no-pdf"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["action"] == "built"
    assert all(src.startswith("ONS boundary") for src in summary["boundaries"].values())
    got = {(r["operation"], r["figure"]): (r["display"], r["matches"]) for r in summary["figures"]}
    assert got == {
        ("ten-weeks-of-action-2023", "arrests"): ("72", True),
        ("ten-weeks-of-action-2023", "knives_and_bladed_weapons"): ("47", True),
        ("ten-weeks-of-action-2023", "anpr_vehicle_stops"): ("95", True),
        ("ten-weeks-of-action-2023", "anpr_stop_arrests"): ("21", True),
        ("op-revive-2023", "arrests"): ("more than 190", True),
        ("op-revive-2023", "drugs_value_gbp"): ("£209,000", True),
        ("op-revive-2023", "weapons_seized"): ("49", True),
        ("op-revive-2023", "cash_seized_gbp"): ("more than £42,000", True),
        ("op-revive-2023", "custodial_sentence_years"): ("31 years", True),
        ("op-revive-2023", "intelligence_logs"): ("1,969", True),
    }
    review = json.loads((out / "op-revive-2023-review.json").read_text(encoding="utf-8"))
    from clearhold.interfaces.cli.common import engine_for
    from clearhold.reports.review import build_review
    from clearhold.storage.database import session_scope

    with session_scope(engine_for(None)) as s:
        direct = build_review(s, operation_slug="op-revive-2023")
    assert review["figures"] == direct["figures"]
    # The stable contract for scripts.
    assert review["synthetic"] is True and review["period"]["from"] == "2023-01-01"
    figs = {f["key"]: f for f in review["figures"]}
    assert (figs["drugs_value_gbp"]["value"], figs["drugs_value_gbp"]["unit"]) == (209000.0, "GBP")
    assert (figs["custodial_sentence_years"]["value"], figs["custodial_sentence_years"]["unit"]) == (31.0, "years")
    assert figs["firearms_seized"]["value"] > 0 and figs["intelligence_logs"]["record_type"] == "intelligence_log"
    for f in review["figures"]:
        assert {"key", "label", "value", "unit", "record_ids"} <= set(f)
        # The ids explain the value: what each record adds sums to the figure.
        per = f.get("record_values") or {str(i): 1 for i in f["record_ids"]}
        [exact] = f["exact"].values()
        assert sum(per.values()) == pytest.approx(exact, abs=1e-6), f["key"]
    a = json.loads((out / "ten-weeks-of-action-2023-review.json").read_text(encoding="utf-8"))
    afigs = {f["key"]: f for f in a["figures"]}
    assert afigs["test_purchases"]["value"] > afigs["test_purchase_fails"]["value"] > 0
    assert afigs["referrals"]["value"] > 0 and afigs["patrol_hours"]["value"] > 0
    assert "machete at Racecourse, Northampton" in [b["key"] for b in afigs["weapons_from_sweeps"]["breakdowns"]["find"]]
    html = (out / "ten-weeks-of-action-2023-review.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in html and "[Synthetic demo data" in a["summary"]
    assert (out / "ten-weeks-of-action-2023-review.html").stat().st_size > 10_000
    # The 95 ANPR stops came out of real hits worked in the ANPR back office.
    import sqlalchemy as sa

    from clearhold.anpr.flows import hit_ref
    from clearhold.anpr.tables import Hit
    from clearhold.record import service as record_service

    with session_scope(engine_for(None)) as s:
        stops = record_service.list_(s, operation_slug="ten-weeks-of-action-2023", kind="vehicle_stop")
        refs = sorted(r.anpr_hit_ref for r in stops if r.stop_reason == "anpr_hit")
        worked = s.scalars(sa.select(Hit).where(Hit.outcome.in_(["stopped", "searched", "arrest"]))).all()
        assert refs == sorted(hit_ref(h) for h in worked) and len(refs) == 95
        assert sum(h.outcome == "arrest" for h in worked) == 21
        assert all(h.status == "accepted" for h in worked)
    again = runner.invoke(app, ["demo", "--out", str(out), "--json", "--no-pdf"], catch_exceptions=False)
    assert json.loads(again.stdout)["action"] == "reused"
    rebuilt = runner.invoke(app, ["demo", "--out", str(out), "--json", "--no-pdf", "--rebuild"], catch_exceptions=False)
    assert rebuilt.exit_code == 0, rebuilt.output
    summary = json.loads(rebuilt.stdout)
    assert summary["action"] == "rebuilt" and all(r["matches"] for r in summary["figures"])


def test_demo_without_shared_data_uses_labelled_outlines(tmp_path):
    from clearhold.demo.places import load_places

    places = load_places(None)
    assert {p.source for p in places.values()} == {"approximate outline (shared data not found)"}
    assert places["blackthorn"].geometry["type"] == "Polygon"
