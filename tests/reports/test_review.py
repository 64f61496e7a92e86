"""The results review on a small ledger whose every figure can be checked by hand."""

from __future__ import annotations

import copy
import json
import re
from datetime import date

import pytest

from clearhold.errors import InvalidInput, NotFound
from clearhold.intel import service as intel_service
from clearhold.intel.schemas import IntelLogCreate
from clearhold.record import service
from clearhold.record.schemas import RecordCorrection
from clearhold.reports.render import render
from clearhold.reports.review import build_review, figure
from clearhold.storage.database import session_scope
from tests.support.ledger import IN_A, IN_B, make_operation

OP = "op-test"


def _add(s, **data):
    data.setdefault("operation", OP)
    return service.create(s, record_in=data, entered_by="pc1")


@pytest.fixture
def ledger(any_engine):
    """3 ANPR stops (2 led to arrests), 3 arrests by 2 people, a sweep with a machete and 2 knives,
    drugs and cash, patrols (one planned, excluded), courts, test purchases, one intelligence log,
    plus records just inside and just outside the period in UK summer time."""
    make_operation(any_engine)
    ids = {}
    with session_scope(any_engine) as s:
        stops = [_add(s, kind="vehicle_stop", ref=f"VS-{i}", occurred_at=f"2023-08-0{i}T10:00:00+01:00", **IN_A,
                      vrm=f"AB1{i}CDE", reason="anpr_hit", result="arrest" if i < 3 else "nothing_found",
                      tactic="ANPR stops") for i in (1, 2, 3)]
        ids["stops"] = [x.id for x in stops]
        _add(s, kind="vehicle_stop", ref="VS-9", occurred_at="2023-08-04T10:00:00+01:00", **IN_A, vrm="ZZ99ZZZ",
             reason="patrol", result="search")
        a1 = _add(s, kind="arrest", ref="A-1", occurred_at="2023-08-01T10:30:00+01:00", **IN_A, person_ref="P-1",
                  offences=[{"group": "Drug offences", "text": "PWITS"}], source_record_id=stops[0].id,
                  items=[{"item_kind": "weapon", "weapon_type": "knife"}])
        a2 = _add(s, kind="arrest", ref="A-2", occurred_at="2023-08-02T10:30:00+01:00", **IN_B, person_ref="P-2",
                  offences=[{"group": "Violence against the person", "text": "GBH"},
                            {"group": "Possession of weapons offences", "text": "bladed article"}],
                  source_record_id=stops[1].id)
        a3 = _add(s, kind="arrest", ref="A-3", occurred_at="2023-08-20T22:00:00+01:00", **IN_B, person_ref="P-1",
                  offences=[{"group": "Drug offences", "text": "PWITS"}], tactic="Patrols")
        ids["arrests"] = [a1.id, a2.id, a3.id]
        sweep = _add(s, kind="weapons_sweep", ref="SW-1", occurred_at="2023-08-17T10:30:00+01:00", lat=52.2497,
                     lon=-0.8876, place="Racecourse, Northampton", tactic="Weapons sweeps",
                     items=[{"item_kind": "weapon", "weapon_type": "machete", "disposition": "recovered"},
                            {"item_kind": "weapon", "weapon_type": "knife", "disposition": "recovered", "count": 2}])
        ids["sweep"] = sweep.id
        seizure = _add(s, kind="seizure", ref="SZ-1", occurred_at="2023-09-01T12:00:00+01:00", **IN_A,
                       items=[{"item_kind": "drug", "drug_class": "A", "drug_type": "cocaine", "quantity": "10", "unit": "g"},
                              {"item_kind": "drug", "drug_class": "B", "drug_type": "cannabis", "quantity": "1.5", "unit": "kg"},
                              {"item_kind": "cash", "cash_gbp": "1234.56"},
                              {"item_kind": "weapon", "weapon_type": "firearm"}])
        ids["seizure"] = seizure.id
        p1 = _add(s, kind="patrol", occurred_at="2023-08-05T20:00:00+01:00", ended_at="2023-08-05T20:12:00+01:00", **IN_A)
        _add(s, kind="patrol", occurred_at="2023-08-05T21:00:00+01:00", ended_at="2023-08-05T21:15:00+01:00", **IN_A,
             planned=True)
        ids["patrol"] = p1.id
        c1 = _add(s, kind="court_outcome", ref="C-1", occurred_at="2023-09-20T10:00:00+01:00", case_ref="K1",
                  sentence_type="immediate_custody", custodial_months=18, source_record_id=a1.id)
        _add(s, kind="court_outcome", ref="C-2", occurred_at="2023-09-21T10:00:00+01:00", case_ref="K2",
             sentence_type="suspended_sentence", custodial_months=6)
        ids["custody"] = c1.id
        tp = [_add(s, kind="test_purchase", ref=f"TP-{r}", occurred_at="2023-08-10T11:00:00+01:00", premises=f"shop {r}",
                   result=r) for r in ("pass", "fail_sale_made")]
        ids["tp_fail"] = tp[1].id
        # On the last evening of the period (UK summer time) and just after it.
        late = _add(s, kind="arrest", ref="A-late", occurred_at="2023-10-08T23:30:00+01:00", person_ref="P-3",
                    offences=[{"group": "Robbery", "text": "robbery"}])
        # Only court outcomes may come after an operation has ended.
        _add(s, kind="court_outcome", ref="C-after", occurred_at="2023-10-09T00:30:00+01:00", case_ref="K9",
             sentence_type="fine")
        ids["late"] = late.id
        log = intel_service.create(s, log_in=IntelLogCreate(
            ref="INT-1", operation=OP, intel_date=date(2023, 8, 3), recorded_at="2023-08-03T09:00:00+01:00",
            recording_officer="pc9", source_ref="SRC-1", items=[{"text": "x", "grade": "2BP"}]), entered_by="pc9")
        ids["intel"] = log.id
    return any_engine, ids


def _review(engine, **kw):
    with session_scope(engine) as s:
        return build_review(s, operation_slug=OP, **kw)


def test_headline_figures_and_their_records(ledger):
    engine, ids = ledger
    r = _review(engine)
    assert r["period"] == {"from": "2023-07-31", "to": "2023-10-08", "days": 70, "weeks": 10.0, "time_zone": "Europe/London", "whole_operation": True}
    expect = {
        "arrests": (4, ids["arrests"] + [ids["late"]]),
        "people_arrested": (3, [ids["arrests"][0], ids["arrests"][1], ids["late"]]),
        "anpr_vehicle_stops": (3, ids["stops"]),
        "anpr_stop_arrests": (2, ids["arrests"][:2]),
        "vehicle_stops": (4, None),
        "knives_and_bladed_weapons": (4, sorted([ids["arrests"][0], ids["sweep"]])),
        "weapons_seized": (5, sorted([ids["arrests"][0], ids["sweep"], ids["seizure"]])),
        "firearms_seized": (1, [ids["seizure"]]),
        "weapons_from_sweeps": (3, [ids["sweep"]]),
        # 10 g cocaine x £80 + 1,500 g cannabis x £10 = £800 + £15,000
        "drugs_value_gbp": (15_800.0, [ids["seizure"]]),
        "cash_seized_gbp": (1_234.56, [ids["seizure"]]),
        "patrol_hours": (0.2, [ids["patrol"]]),
        "planned_patrol_hours": (0.25, None),
        "custodial_sentence_years": (1.5, [ids["custody"]]),
        "court_outcomes": (2, None),
        "test_purchases": (2, None),
        "test_purchase_fails": (1, [ids["tp_fail"]]),
        "weapons_sweeps": (1, [ids["sweep"]]),
    }
    for fid, (value, record_ids) in expect.items():
        f = figure(r, fid)
        assert f["value"] == value, fid
        if record_ids is not None:
            assert f["record_ids"] == sorted(record_ids), fid
    intel = figure(r, "intelligence_logs")
    assert (intel["value"], intel["record_ids"], intel["record_type"]) == (1, [ids["intel"]], "intelligence_log")
    assert figure(r, "drugs_value_gbp")["exact"] == {"pence": 1_580_000}
    assert figure(r, "custodial_sentence_years")["exact"] == {"months": 18}
    assert figure(r, "knives_and_bladed_weapons")["record_values"] == {str(ids["arrests"][0]): 1, str(ids["sweep"]): 3}
    assert r["synthetic"] is False
    assert figure(r, "drugs_value_gbp")["display"] == "more than £15,000"
    assert figure(r, "cash_seized_gbp")["display"] == "more than £1,000"
    assert figure(r, "custodial_sentence_years")["display"] == "1 year and 6 months"


def test_breakdowns_add_up_and_name_their_records(ledger):
    engine, ids = ledger
    arrests = figure(_review(engine), "arrests")
    by = {dim: {row["key"]: (row["value"], row["record_ids"]) for row in rows} for dim, rows in arrests["breakdowns"].items()}
    assert {k: v[0] for k, v in by["area"].items()} == {"Area A": 1, "Area B": 2, "no location recorded": 1}
    assert by["tactic"]["ANPR stops"] == (2, ids["arrests"][:2])
    assert by["tactic"]["Patrols"] == (1, [ids["arrests"][2]])
    assert {k: v[0] for k, v in by["week"].items()} == {"week 01": 2, "week 03": 1, "week 10": 1}
    assert {k: v[0] for k, v in by["month"].items()} == {"2023-08": 3, "2023-10": 1}
    # An arrest for two offence groups counts under each group.
    assert {k: v[0] for k, v in by["offence_group"].items()} == {
        "Drug offences": 2, "Violence against the person": 1, "Possession of weapons offences": 1, "Robbery": 1}
    for dim in ("area", "tactic", "week", "month"):
        assert sum(v[0] for v in by[dim].values()) == arrests["value"]


def test_period_filter_uses_uk_local_days(ledger):
    engine, ids = ledger
    r = _review(engine, start=date(2023, 10, 8), end=date(2023, 10, 8))
    assert figure(r, "arrests")["record_ids"] == [ids["late"]]
    assert figure(r, "court_outcomes")["value"] == 0
    r = _review(engine, start=date(2023, 10, 9), end=date(2023, 10, 9))
    assert (figure(r, "arrests")["value"], figure(r, "court_outcomes")["value"]) == (0, 1)
    empty = _review(engine, start=date(2023, 9, 10), end=date(2023, 9, 10))  # a day with no records
    assert empty["record_count"] == 0 and empty["records"] == [] and empty["points"] == []
    assert all(f["value"] == 0 and f["record_ids"] == [] and f["breakdowns"] == {} for f in empty["figures"])
    for fmt in ("json", "md", "html"):
        assert render(empty, fmt)
    with pytest.raises(InvalidInput, match="--to 2023-08-01 is before --from 2023-09-01"):
        _review(engine, start=date(2023, 9, 1), end=date(2023, 8, 1))
    with pytest.raises(InvalidInput, match="--from 2024-06-01 is after the operation ended \\(2023-10-08\\)"):
        _review(engine, start=date(2024, 6, 1))
    with session_scope(engine) as s, pytest.raises(NotFound, match="operation 'op-zzz' not found"):
        build_review(s, operation_slug="op-zzz")


def test_deleted_and_corrected_records_are_reflected(ledger):
    engine, ids = ledger
    with session_scope(engine) as s:
        service.delete(s, record_id=ids["late"], deleted_by="sgt", reason="entered in error")
        service.correct(s, record_id=ids["patrol"], changed_by="sgt",
                        correction=RecordCorrection(changes={"ended_at": "2023-08-05T20:15:00+01:00"}, reason="late radio"))
    r = _review(engine)
    assert figure(r, "arrests")["value"] == 3
    assert figure(r, "patrol_hours")["exact"] == {"minutes": 15}


def test_summary_paragraph_states_the_figures(ledger):
    engine, _ = ledger
    text = _review(engine)["summary"]
    assert text.startswith("Op Test: during the ten weeks of the operation, 4 arrests were made (3 different people)")
    assert "4 knives and bladed weapons were seized or recovered, 3 of them in weapons sweeps, among them a machete at Racecourse, Northampton." in text
    assert "3 vehicles were stopped after ANPR identified them, and 2 arrests resulted from those stops." in text
    assert "Illegal drugs worth more than £15,000 were seized." in text


def test_review_never_names_a_person(ledger):
    engine, _ = ledger
    r = _review(engine)
    text = json.dumps(r) + render(r, "html") + render(r, "md")
    for person in ("P-1", "P-2", "P-3"):  # never shown
        assert f'"{person}"' not in text and f">{person}<" not in text and f" {person} " not in text


def test_formats(ledger):
    engine, ids = ledger
    r = _review(engine)
    before = copy.deepcopy(r)
    html = render(r, "html")
    assert '<a href="#trace-arrests"><span class="big">4</span>people arrested</a>' in html
    assert f'<a href="#rec-{ids["sweep"]}">{ids["sweep"]}</a>' in html and f'id="rec-{ids["sweep"]}"' in html
    assert "Contains OS data © Crown copyright and database right." in html
    assert "L.map(" in html
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # Leaflet's own code links to its site
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup) is None  # nothing loaded from elsewhere
    assert "<script src" not in html and "<link" not in html
    assert json.loads(render(r, "json")) == json.loads(json.dumps(r))
    md = render(r, "md")
    assert "| arrests | people arrested | 4 | 4 | count | 4 |" in md
    pdf = render(r, "pdf")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 5000
    assert r == before
    with pytest.raises(InvalidInput, match="format was 'docx'"):
        render(r, "docx")


def test_printed_form_leaves_long_lists_to_the_html_and_json(ledger, monkeypatch):
    """On paper: a figure's record ids above PDF_RECORD_LIMIT become their count, the weekly
    breakdowns of a period charted by month are left out (both said so), and the static map's
    points are one embedded image, not a vector mark each."""
    from clearhold.reports import render as render_module

    engine, _ = ledger
    r = _review(engine)
    monkeypatch.setattr(render_module, "PDF_RECORD_LIMIT", 3)
    printed, screen = render_module.render_html(r, for_pdf=True), render_module.render_html(r)
    arrests = figure(r, "arrests")
    assert len(arrests["record_ids"]) == 4
    assert "4 record ids: listed in the JSON and HTML forms of this review." in printed
    assert f'<a href="#rec-{arrests["record_ids"][0]}">' in screen
    sweeps = figure(r, "weapons_sweeps")  # one record: still listed on paper
    assert f'record ids: {sweeps["record_ids"][0]}</p>' in printed
    assert printed.count("<summary>by week</summary>") > 0  # a short period keeps its weeks
    long = {**r, "period": {**r["period"], "days": 200}}
    printed_long = render_module.render_html(long, for_pdf=True)
    assert "<summary>by week</summary>" not in printed_long
    assert "leaves out the breakdowns by week" in printed_long
    assert "<summary>by month</summary>" in printed_long
    assert "<summary>by week</summary>" in render_module.render_html(long)
    static_map = next(m for m in re.findall(r"<svg.*?</svg>", printed, re.DOTALL) if "Activity and areas" in m)
    assert "<image" in static_map and "<path" in static_map  # points raster, outlines vector


def test_arrest_counts_from_its_anpr_stop_even_when_the_stop_is_before_the_period(ledger):
    engine, ids = ledger
    with session_scope(engine) as s:
        service.correct(s, record_id=ids["arrests"][1], changed_by="sgt",
                        correction=RecordCorrection(changes={"occurred_at": "2023-08-03T01:00:00+01:00"}, reason="time"))
    r = _review(engine, start=date(2023, 8, 3), end=date(2023, 8, 3))
    f = figure(r, "anpr_stop_arrests")
    assert (f["value"], f["record_ids"]) == (1, [ids["arrests"][1]])
    assert f["breakdowns"]["tactic"][0]["key"] == "ANPR stops"
    assert figure(r, "anpr_vehicle_stops")["record_ids"] == [ids["stops"][2]]  # VS-2 itself is on 2 August


@pytest.mark.parametrize("operations", [2, 3])
def test_interleaved_operations_read_only_their_own_rows(any_engine, operations):
    """Records of several operations entered in turn: with two, each operation's records fill half
    of their id range (read by range); with three, a third (read joined to the records). Either
    way each review has exactly its own records, kind fields, items and offences."""
    slugs = [f"op-mix-{n}" for n in range(operations)]
    for slug in slugs:
        make_operation(any_engine, slug)
    mine: dict[str, dict[str, list[int]]] = {slug: {"stops": [], "arrests": [], "seizures": []} for slug in slugs}
    with session_scope(any_engine) as s:
        for i in range(4):
            for n, slug in enumerate(slugs):
                stop = _add(s, operation=slug, kind="vehicle_stop", ref=f"VS-{i}",
                            occurred_at=f"2023-08-0{i + 1}T10:00:00+01:00", **IN_A, vrm=f"AB{n}{i}CDE",
                            reason="anpr_hit" if n == 0 else "patrol", result="arrest")
                arrest = _add(s, operation=slug, kind="arrest", ref=f"A-{i}", occurred_at=f"2023-08-0{i + 1}T11:00:00+01:00",
                              **IN_B, person_ref=f"P-{n}-{i}", source_record_id=stop.id,
                              offences=[{"group": "Drug offences" if n == 0 else "Robbery", "text": "x"}])
                seizure = _add(s, operation=slug, kind="seizure", ref=f"SZ-{i}",
                               occurred_at=f"2023-08-0{i + 1}T12:00:00+01:00", **IN_A,
                               items=[{"item_kind": "weapon", "weapon_type": "knife", "count": n + 1}])
                mine[slug]["stops"].append(stop.id)
                mine[slug]["arrests"].append(arrest.id)
                mine[slug]["seizures"].append(seizure.id)
    for n, slug in enumerate(slugs):
        with session_scope(any_engine) as s:
            review = build_review(s, operation_slug=slug)
            day = build_review(s, operation_slug=slug, start=date(2023, 8, 2), end=date(2023, 8, 2))
        assert review["record_count"] == 12
        assert figure(review, "vehicle_stops")["record_ids"] == mine[slug]["stops"]
        assert figure(review, "anpr_vehicle_stops")["value"] == (4 if n == 0 else 0)
        assert figure(review, "anpr_stop_arrests")["record_ids"] == (mine[slug]["arrests"] if n == 0 else [])
        groups = {b["key"]: b["value"] for b in figure(review, "arrests")["breakdowns"]["offence_group"]}
        assert groups == ({"Drug offences": 4} if n == 0 else {"Robbery": 4})
        knives = figure(review, "knives_and_bladed_weapons")
        assert knives["value"] == 4 * (n + 1) and knives["record_ids"] == mine[slug]["seizures"]
        assert day["record_count"] == 3
        assert figure(day, "knives_and_bladed_weapons")["value"] == n + 1
        assert figure(day, "arrests")["record_ids"] == [mine[slug]["arrests"][1]]
