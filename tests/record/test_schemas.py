"""The UK check worked out for many points at once agrees with the one-record check."""

from __future__ import annotations

import math
import re

import pytest
from pydantic import ValidationError

from clearhold.geo.bng import to_bng
from clearhold.geo.uk import _GREAT_BRITAIN, _NORTHERN_IRELAND
from clearhold.record.schemas import InUK, _east_north_in_uk, _lon_lat_in_uk, parse_record

# (lon, lat): inside, outside, and exactly on the outline (a vertex, the middle of an edge).
INSIDE = [(-0.1276, 51.5072), (-5.93, 54.597), (-3.19, 55.95), (-1.15, 60.15)]  # London, Belfast, Edinburgh, Lerwick
OUTSIDE = [(-6.26, 53.35), (1.86, 50.95), (-10.0, 55.0), (2.0, 49.5)]  # Dublin, Calais, Atlantic, Channel
ON_EDGE = [_GREAT_BRITAIN[0], _NORTHERN_IRELAND[3], (1.9, 52.0), (-5.4, 54.45)]
POINTS = INSIDE + OUTSIDE + ON_EDGE


def test_bulk_answers_agree_with_one_point_at_a_time():
    known = InUK(POINTS)
    got = [known.lon_lat(lon, lat) for lon, lat in POINTS]
    assert got == [_lon_lat_in_uk(lon, lat) for lon, lat in POINTS]
    assert got == [True] * 4 + [False] * 8  # the outline's edge is outside (shapely "contains")


def test_bulk_answers_agree_for_easting_northing():
    xs, ys = to_bng([p[0] for p in POINTS], [p[1] for p in POINTS])
    pairs = list(zip(xs.tolist(), ys.tolist(), strict=True)) + [(0.0, 0.0), (700000.0, 1300000.0)]
    known = InUK(east_north=pairs)
    got = [known.east_north(e, n) for e, n in pairs]
    assert got == [_east_north_in_uk(e, n) for e, n in pairs]
    assert got[:4] == [True] * 4 and got[4:8] == [False] * 4 and got[-2:] == [False, False]


def test_points_not_given_are_tested_on_their_own_and_input_is_unchanged():
    pairs = [(-0.1276, 51.5072)]
    known = InUK(pairs, [])
    assert pairs == [(-0.1276, 51.5072)]
    assert known.lon_lat(-6.26, 53.35) is False and known.lon_lat(-3.19, 55.95) is True
    assert known.lon_lat(math.nan, 51.0) is False
    assert known.east_north(530000.0, 180000.0) is True


@pytest.mark.parametrize(("place", "message"), [
    ({"lat": 53.35, "lon": -6.26}, "lat/lon (53.35, -6.26) is outside the United Kingdom"),
    ({"easting": 5000.0, "northing": 5000.0}, "easting/northing (5000, 5000) is outside the United Kingdom"),
])
def test_a_record_outside_fails_with_the_same_message_either_way(place, message):
    data = {"kind": "patrol", "operation": "op", "occurred_at": "2023-08-01T10:00:00+01:00",
            "ended_at": "2023-08-01T10:20:00+01:00", **place}
    lon_lat = [(place["lon"], place["lat"])] if "lat" in place else []
    east_north = [(place["easting"], place["northing"])] if "easting" in place else []
    errors = []
    for in_uk in (None, InUK(lon_lat, east_north)):
        with pytest.raises(ValidationError, match=re.escape(message)) as info:
            parse_record(dict(data), in_uk=in_uk)
        errors.append([(e["type"], e["loc"], e["msg"]) for e in info.value.errors()])
    assert errors[0] == errors[1]
    inside = {**data, "lat": 52.235, "lon": -0.895, "easting": None, "northing": None}
    assert parse_record(inside, in_uk=InUK([(-0.895, 52.235)])) == parse_record(inside)
