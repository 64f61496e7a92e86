"""Local clock times read in a time zone: one instant, or a clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearhold.errors import InvalidInput
from clearhold.localtime import localise, zone

LONDON = zone("Europe/London")


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)))
def test_a_clock_reading_becomes_the_one_instant_that_shows_it(at):
    text = at.isoformat(sep=" ")
    # every UTC instant within a day of the reading that shows it on London's clocks
    base = at.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
    shown = {u for u in (base + timedelta(minutes=m) + (at - at.replace(minute=0, second=0, microsecond=0))
                         for m in range(-24 * 60, 24 * 60 + 1, 30))
             if u.astimezone(LONDON).replace(tzinfo=None) == at}
    if len(shown) == 1:
        out = datetime.fromisoformat(localise(text, LONDON))
        assert out.astimezone(UTC) == shown.pop()
    elif not shown:
        with pytest.raises(ValueError, match="did not happen in Europe/London"):
            localise(text, LONDON)
    else:
        with pytest.raises(ValueError, match="happened twice in Europe/London"):
            localise(text, LONDON)


@pytest.mark.parametrize("value", ["2023-08-01T14:30:00+01:00", "2023-08-01T13:30:00Z", "2023-08-01", "not a time", ""])
def test_values_with_an_offset_or_not_a_clock_reading_are_left_to_validation(value):
    assert localise(value, LONDON) == value


def test_unknown_zone():
    with pytest.raises(InvalidInput, match="is not known"):
        zone("Mars/Olympus_Mons")
