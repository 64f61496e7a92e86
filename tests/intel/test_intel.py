"""Intelligence logs: 3x5x2 grades, handling code C, sanitising, dissemination rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from clearhold.errors import Conflict, InvalidInput, PermissionDenied
from clearhold.intel import service
from clearhold.intel.schemas import GRADE_3X5X2, DisseminationIn, IntelLogCreate
from clearhold.storage.database import session_scope

BASE = {"ref": "INT-1", "intel_date": date(2023, 5, 1), "recorded_at": "2023-05-02T09:00:00+01:00",
        "recording_officer": "pc-orig", "source_ref": "SRC-77", "items": [{"text": "Subject deals from the flat.", "grade": "[2bp]"}]}


def log(**kw):
    return IntelLogCreate(**{**BASE, **kw})


@given(st.text(min_size=0, max_size=4))
def test_grade_pattern_matches_only_3x5x2(text):
    ok = len(text) == 3 and text[0] in "123" and text[1] in "ABCDE" and text[2] in "PC"
    assert bool(GRADE_3X5X2.match(text)) == ok


def test_grades_are_normalised_and_checked():
    assert log().items[0].grade == "2BP"
    with pytest.raises(ValidationError, match="items.1.grade was '4AP'"):
        log(items=[{"text": "x", "grade": "4AP"}])
    with pytest.raises(ValidationError, match="handling_instructions are required"):
        log(items=[{"text": "x", "grade": "1AC"}])
    assert log(items=[{"text": "x", "grade": "B24"}], grading_system="5x5x5").items[0].grade == "B24"
    with pytest.raises(ValidationError, match="source_ref was 'Jane Doe'"):
        log(source_ref="Jane Doe")
    with pytest.raises(ValidationError, match="security_marking was 'SECRETISH'"):
        log(security_marking="SECRETISH")
    with pytest.raises(ValidationError, match="intel_date 2023-06-01 is after recorded_at 2023-05-02"):
        log(intel_date=date(2023, 6, 1))


def test_dissemination_rules(any_engine):
    c_log = log(ref="INT-C", items=[{"text": "Original graded sentence about the address.", "grade": "1BC"}],
                handling_instructions="Not to be shared with the council without DI approval")
    with session_scope(any_engine) as s:
        service.create(s, log_in=c_log, entered_by="pc-orig")
        with pytest.raises(Conflict, match="already exists"):
            service.create(s, log_in=c_log, entered_by="pc-orig")
    police = DisseminationIn(recipient="Op Revive DS", recipient_is_police=True, purpose="warrant planning", authorised_by="di")
    partner = DisseminationIn(recipient="Council ASB team", recipient_is_police=False, purpose="closure order", authorised_by="di")
    with session_scope(any_engine) as s:
        with pytest.raises(PermissionDenied, match="handling code C: the originator's approval"):
            service.disseminate(s, ref="INT-C", dissemination_in=police)
        with pytest.raises(PermissionDenied, match="only the originator \\(pc-orig\\)"):
            service.approve(s, ref="INT-C", approved_by="someone-else")
        service.approve(s, ref="INT-C", approved_by="pc-orig")
        service.disseminate(s, ref="INT-C", dissemination_in=police)
        with pytest.raises(PermissionDenied, match="partners outside policing only receive sanitised"):
            service.disseminate(s, ref="INT-C", dissemination_in=partner)
        with pytest.raises(InvalidInput, match="repeats an original graded item"):
            service.sanitise(s, ref="INT-C", sanitised_text="Original graded sentence about the address.", sanitised_by="analyst")
        service.sanitise(s, ref="INT-C", sanitised_text="Concerns about drug supply at a local address.", sanitised_by="analyst")
        d = service.disseminate(s, ref="INT-C", dissemination_in=partner)
        assert d.sanitised_copy is True
    with session_scope(any_engine) as s:
        got = service.get(s, ref="INT-C")
        assert [i.text for i in got.items] == ["Original graded sentence about the address."]  # original unchanged
        assert [(d.recipient, d.sanitised_copy) for d in got.disseminations] == [
            ("Op Revive DS", False), ("Council ASB team", True)]
        assert service.partner_view(got) == {"ref": "INT-C", "intel_date": "2023-05-01",
                                             "sanitised_text": "Concerns about drug supply at a local address."}
