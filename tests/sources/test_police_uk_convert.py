"""Properties of the API JSON -> archive row converters (Hypothesis)."""

from __future__ import annotations

import copy
import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from clearhold.errors import SourceError
from clearhold.sources.police_uk_api import (
    CRIME_TYPES,
    STREET_COLUMNS,
    crime_to_street_row,
    stop_to_row,
)

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)

months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2010, 2030), st.integers(1, 12))
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def crimes(draw):
    slug = draw(st.sampled_from(sorted(CRIME_TYPES)))
    located = draw(st.booleans())
    location = None
    if located:
        lon = draw(st.floats(-8.7, 1.8, allow_nan=False))
        lat = draw(st.floats(49.8, 60.9, allow_nan=False))
        decimals = draw(st.integers(0, 6))
        location = {
            "latitude": f"{lat:.{decimals}f}",
            "longitude": f"{lon:.{decimals}f}",
            "street": {"id": draw(st.integers(0, 10**7)), "name": draw(texts)},
        }
    outcome = draw(st.none() | st.builds(lambda c, m: {"category": c, "date": m}, texts, months))
    return {
        "category": slug,
        "location_type": draw(st.sampled_from(["Force", "BTP", None])),
        "location": location,
        "context": draw(st.none() | texts),
        "outcome_status": outcome,
        "persistent_id": ""
        if slug == "anti-social-behaviour"
        else draw(st.text("0123456789abcdef", min_size=64, max_size=64)),
        "id": draw(st.integers(1, 10**9)),
        "location_subtype": "",
        "month": draw(months),
    }


def roundtrip(row):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([STREET_COLUMNS, row])
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


@settings(max_examples=300, deadline=None)
@given(crimes(), texts)
def test_every_valid_crime_becomes_a_faithful_row(crime, force_name):
    before = copy.deepcopy(crime)
    row = crime_to_street_row(crime, force_name=force_name)
    assert crime == before
    assert len(row) == len(STREET_COLUMNS) == 12
    assert all(isinstance(v, str) for v in row)
    assert roundtrip(row) == [list(STREET_COLUMNS), list(row)]
    assert row[0] == crime["persistent_id"]
    assert row[1] == crime["month"]
    assert row[2] == row[3] == force_name
    assert row[7:9] == ("", "")
    assert row[9] == CRIME_TYPES[crime["category"]]
    assert row[10] == (
        "" if crime["outcome_status"] is None else crime["outcome_status"]["category"]
    )
    assert row[11] == (crime["context"] or "")
    if crime["location"] is None:
        assert row[4:7] == ("", "", "No Location")
    else:
        assert abs(float(row[4]) - float(crime["location"]["longitude"])) <= 5e-7
        assert abs(float(row[5]) - float(crime["location"]["latitude"])) <= 5e-7
        assert len(row[4].split(".")[1]) == len(row[5].split(".")[1]) == 6
        assert row[6] == crime["location"]["street"]["name"]


@settings(max_examples=300, deadline=None)
@given(
    crimes(),
    st.dictionaries(
        st.sampled_from(
            ["category", "location", "month", "persistent_id", "outcome_status", "context"]
        ),
        json_values,
        max_size=3,
    ),
)
def test_any_damage_to_a_crime_is_a_source_error_or_a_row(crime, damage):
    crime.update(damage)
    try:
        row = crime_to_street_row(crime, force_name="F", where="w")
    except SourceError as exc:
        assert str(exc).startswith("w")
    else:
        assert len(row) == 12 and all(isinstance(v, str) for v in row)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_as_a_crime_or_stop_is_refused_cleanly(value):
    for convert in (lambda v: crime_to_street_row(v, force_name="F"), stop_to_row):
        try:
            row = convert(value)
        except SourceError:
            continue
        assert all(isinstance(v, str) for v in row)
