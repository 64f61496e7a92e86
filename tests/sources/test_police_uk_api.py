"""The data.police.uk client: rate limit, back-off, timeouts, validation of every answer."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import numpy as np
import pytest

from clearhold.errors import InvalidInput, SourceError
from clearhold.sources.police_uk_api import (
    CRIME_TYPES,
    PoliceUkClient,
    RetryPolicy,
    TokenBucket,
    crime_to_street_row,
    default_archive_url,
    parse_boundary,
    parse_data_sets,
    parse_forces,
    parse_neighbourhoods,
    parse_retry_after,
    stop_to_row,
)
from tests.sources.fake_police_uk import Fault

HTML_PAGE = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>busy</body></html>"


def sample(samples, name):
    return json.loads((samples / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- token bucket


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_bucket_allows_a_burst_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(15, 30, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(45)]
    assert waits[:30] == [0.0] * 30
    # then one token every 1/15 s
    assert waits[30:] == pytest.approx([1 / 15] * 15)
    assert clock.now == pytest.approx(100.0 + 1.0)


def test_bucket_refills_while_idle_but_not_beyond_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(10, 3, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 60.0  # a minute idle saves only 3 tokens
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("rate", "burst", "match"),
    [
        (0, 30, "rate_per_s was 0"),
        (-1.5, 30, "rate_per_s was -1.5"),
        (float("nan"), 30, "rate_per_s was nan"),
        (15, 0, "burst was 0"),
        (15, 2.5, "burst was 2.5"),
    ],
)
def test_bucket_rejects_bad_settings(rate, burst, match):
    with pytest.raises(InvalidInput, match=match):
        TokenBucket(rate, burst)


def assert_obeys_bucket(times, rate, burst, tolerance_s):
    """Any n consecutive requests span at least (n - burst) / rate seconds."""
    for i in range(len(times)):
        for j in range(i + burst, len(times)):
            n = j - i + 1
            assert times[j] - times[i] >= (n - burst) / rate - tolerance_s, (
                i,
                j,
                times[j] - times[i],
            )


def test_requests_obey_the_bucket_when_sent_and_when_they_arrive(fake, make_client):
    """Send times (the client's hook) obey the bucket exactly; arrival times at the server
    obey it up to the variation of network and scheduling delay (50 ms allowed on a busy
    2-core machine; the first request, which also opens the connection, is left out)."""
    rate, burst = 40.0, 5
    sent = []
    client = make_client(
        fake, rate_per_s=rate, burst=burst, on_request=lambda m, u, t: sent.append(t)
    )
    for _ in range(31):
        client.get_json("forces")
    assert len(sent) == 31
    assert_obeys_bucket(np.array(sent), rate, burst, tolerance_s=1e-6)
    assert sent[-1] - sent[0] >= (31 - burst) / rate - 1e-6
    arrived = np.array([r.t for r in fake.requests("/api/forces")])
    assert_obeys_bucket(arrived[1:], rate, burst, tolerance_s=0.05)
    assert client.stats.waited_s > 0  # the client, not the server, did the waiting


def test_default_rate_is_data_police_uks_15_a_second_with_bursts_of_30(fake):
    """46 requests with the defaults: 30 at once, then one every 1/15 s (about one second)."""
    sent = []
    with PoliceUkClient(
        fake.base_url, timeout_s=5.0, seed=1, on_request=lambda m, u, t: sent.append(t)
    ) as client:
        assert (client.bucket.rate_per_s, client.bucket.burst) == (15.0, 30)
        for _ in range(46):
            client.get_json("forces")
    assert_obeys_bucket(np.array(sent), 15.0, 30, tolerance_s=1e-6)
    assert sent[-1] - sent[0] >= 16 / 15 - 1e-6
    assert sent[-1] - sent[0] < 3.0
    arrived = np.array([r.t for r in fake.requests("/api/forces")])
    assert_obeys_bucket(arrived[1:], 15.0, 30, tolerance_s=0.05)


def test_a_server_side_rate_limit_is_met_by_backing_off(make_fake, make_client):
    fake = make_fake(server_rate_per_s=20.0, server_burst=5)
    client = make_client(
        fake,
        rate_per_s=1000.0,
        burst=100,
        retry=RetryPolicy(max_retries=20, backoff_base_s=0.01, retry_after_max_s=0.05),
    )
    for _ in range(15):
        assert client.get_json("forces")[0]["id"] == "avon-and-somerset"
    assert client.stats.statuses[429] > 0
    assert client.stats.statuses[200] == 15


# --------------------------------------------------------------------------- back-off


def test_429_with_retry_after_is_honoured(fake, make_client):
    fake.faults.append(Fault("/api/forces", status=429, times=2, retry_after="0.3"))
    client = make_client(fake)
    forces = client.get_json("forces")
    assert forces[-1] == {"id": "northamptonshire", "name": "Northamptonshire Police"}
    times = [r.t for r in fake.requests("/api/forces")]
    assert [r.status for r in fake.requests("/api/forces")] == [429, 429, 200]
    assert times[1] - times[0] >= 0.3
    assert times[2] - times[1] >= 0.3
    assert client.stats.retries == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_growing_waits(fake, make_client, status):
    fake.faults.append(
        Fault("/api/forces", status=status, times=3, body=HTML_PAGE, content_type="text/html")
    )
    client = make_client(
        fake, retry=RetryPolicy(max_retries=3, backoff_base_s=0.05, backoff_max_s=1.0)
    )
    assert len(client.get_json("forces")) == 3
    t = [r.t for r in fake.requests("/api/forces")]
    gaps = np.diff(t)
    # retry n waits between 0.5 and 1 times 0.05 * 2**n
    for n, gap in enumerate(gaps):
        assert gap >= 0.5 * 0.05 * 2**n
    assert client.stats.retries == 3


def test_retries_are_bounded(fake, make_client):
    fake.faults.append(Fault("/api/forces", status=500, times=100))
    client = make_client(fake, retry=RetryPolicy(max_retries=2, backoff_base_s=0.01))
    with pytest.raises(
        SourceError,
        match=r"GET http://127\.0\.0\.1:\d+/api/forces: HTTP 500 after 3 attempts; giving up",
    ):
        client.get_json("forces")
    assert len(fake.requests("/api/forces")) == 3


def test_a_slow_answer_within_the_timeout_is_waited_for(fake, make_client):
    fake.faults.append(Fault("/api/forces", delay_s=0.4))
    client = make_client(fake, timeout_s=2.0)
    assert len(client.get_json("forces")) == 3
    assert client.stats.retries == 0


def test_timeouts_are_retried_then_reported(fake, make_client):
    fake.faults.append(Fault("/api/forces", delay_s=0.6, times=5))
    client = make_client(fake, timeout_s=0.2, retry=RetryPolicy(max_retries=1, backoff_base_s=0.01))
    with pytest.raises(
        SourceError, match=r"/api/forces: timed out \(ReadTimeout\) after 2 attempts"
    ):
        client.get_json("forces")


def test_connection_refused_is_reported(make_client, fake):
    client = make_client(fake, retry=RetryPolicy(max_retries=1, backoff_base_s=0.01))
    fake.stop()
    fake.stop = lambda: None  # already stopped
    with pytest.raises(SourceError, match=r"/api/forces: connection failed \(ConnectError"):
        client.get_json("forces")


def test_client_errors_are_not_retried(fake, make_client):
    client = make_client(fake)
    with pytest.raises(
        SourceError,
        match=r"GET http://127\.0\.0\.1:\d+/api/nowhere/neighbourhoods: HTTP 404 Not Found",
    ):
        client.neighbourhoods("nowhere")
    assert len(fake.requests("/api/nowhere")) == 1


def test_jitter_is_reproducible_from_the_seed():
    policy = RetryPolicy(backoff_base_s=1.0, backoff_max_s=8.0)
    a = [policy.delay_s(n, None, np.random.default_rng(3)) for n in range(6)]
    b = [policy.delay_s(n, None, np.random.default_rng(3)) for n in range(6)]
    assert a == b
    for n, delay in enumerate(a):
        ceiling = min(8.0, 2.0**n)
        assert 0.5 * ceiling <= delay < ceiling
    rng = np.random.default_rng(0)
    assert 30.0 <= policy.delay_s(0, 30.0, rng) < 31.0
    assert 300.0 <= policy.delay_s(0, 9999.0, rng) < 301.0  # capped at retry_after_max_s


def test_retry_after_forms():
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert (
        parse_retry_after(
            format_datetime(now + timedelta(seconds=90), usegmt=True), now=now.timestamp()
        )
        == 90.0
    )
    assert (
        parse_retry_after(
            format_datetime(now - timedelta(seconds=90), usegmt=True), now=now.timestamp()
        )
        == 0.0
    )
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"max_retries": -1}, "max_retries was -1"),
        ({"backoff_base_s": -0.1}, "backoff_base_s was -0.1"),
        ({"backoff_max_s": float("inf")}, "backoff_max_s was inf"),
    ],
)
def test_retry_policy_rejects_bad_settings(options, match):
    with pytest.raises(InvalidInput, match=match):
        RetryPolicy(**options)


def test_client_rejects_bad_settings():
    with pytest.raises(InvalidInput, match="base_url was 'data.police.uk'"):
        PoliceUkClient("data.police.uk")
    with pytest.raises(InvalidInput, match="timeout_s was 0"):
        PoliceUkClient(timeout_s=0)


def test_archive_url_follows_the_base_url():
    assert (
        default_archive_url("https://data.police.uk/api") == "https://data.police.uk/data/archive"
    )
    assert default_archive_url("http://127.0.0.1:8000/api/") == "http://127.0.0.1:8000/data/archive"
    assert PoliceUkClient().archive_url == "https://data.police.uk/data/archive"


# --------------------------------------------------------------------------- validation of answers


@pytest.mark.parametrize(
    ("body", "content_type", "match"),
    [
        (
            HTML_PAGE,
            "text/html",
            r"/api/forces: expected JSON but got an HTML page \(503 Service Unavailable\)",
        ),
        (
            b"<html><body>Maintenance</body></html>",
            "application/json",
            r"/api/forces: expected JSON but got an HTML page$",
        ),
        (
            b'[{"id": "avon-and-somerset", "name": ',
            "application/json",
            r"/api/forces: malformed JSON \(Expecting value",
        ),
        (b"", "application/json", r"/api/forces: expected JSON but the response body is empty"),
        (b"null", "application/json", r"/api/forces: expected a JSON list, got null"),
        (b'{"id": "x"}', "application/json", r"/api/forces: expected a JSON list, got an object"),
        (b"[null]", "application/json", r"/api/forces: item 0 is null; expected an object"),
        (
            b'[{"id": "x", "name": null}]',
            "application/json",
            r"/api/forces: item 0: field 'name' is null; expected a string",
        ),
        (b'[{"id": "x"}]', "application/json", r"/api/forces: item 0: field 'name' is missing"),
        (b"\xff\xfe[]", "application/json", r"/api/forces: malformed JSON"),
    ],
)
def test_bad_answers_raise_source_error_naming_the_url(
    fake, make_client, body, content_type, match
):
    fake.faults.append(Fault("/api/forces", status=200, body=body, content_type=content_type))
    with pytest.raises(SourceError, match=match):
        make_client(fake).forces()


def test_html_inside_json_values_is_data(samples, fake, make_client):
    """The *-html-* samples carry HTML in JSON strings: valid answers, not error pages."""
    items = [
        sample(samples, "neighbourhood-html-in-name.json"),
        sample(samples, "neighbourhood-priority-html.json"),
    ]
    body = json.dumps([dict(items[0], id="NC04"), dict(items[1], id="NC05")]).encode()
    fake.faults.append(
        Fault("/api/northamptonshire/neighbourhoods", body=body, content_type="text/html")
    )
    assert make_client(fake).neighbourhoods("northamptonshire") == ["NC04", "NC05"]


def test_non_json_labelled_html_is_an_html_page(fake, make_client):
    fake.faults.append(
        Fault("/api/forces", body=b"Service Unavailable", content_type="text/html; charset=utf-8")
    )
    with pytest.raises(SourceError, match=r"/api/forces: expected JSON but got an HTML page$"):
        make_client(fake).forces()


def test_forces_and_neighbourhoods_from_real_shapes(samples, fake, make_client):
    client = make_client(fake)
    assert client.forces() == {
        "avon-and-somerset": "Avon and Somerset Constabulary",
        "bedfordshire": "Bedfordshire Police",
        "northamptonshire": "Northamptonshire Police",
    }
    assert parse_forces(sample(samples, "dpu-forces.json"), "u") == {
        "avon-and-somerset": "Avon and Somerset Constabulary",
        "bedfordshire": "Bedfordshire Police",
    }
    assert client.neighbourhoods("northamptonshire") == ["NH01", "NH02", "NH03", "NH04"]
    assert parse_neighbourhoods([sample(samples, "neighbourhood-reference.json")], "u") == ["NC04"]
    assert client.boundary("northamptonshire", "NH01") == [
        (-1.0, 52.2),
        (-0.9, 52.2),
        (-0.9, 52.28),
        (-1.0, 52.28),
    ]


def test_data_sets_from_the_real_shape(samples):
    sets = parse_data_sets([sample(samples, "data-set.json")], "u")
    assert [(s.month, sorted(s.stop_and_search)) for s in sets] == [
        ("2015-06", ["bedfordshire", "cleveland", "durham"])
    ]
    with pytest.raises(
        SourceError, match=r"u: item 0: field 'date' is '2015-6'; expected a month YYYY-MM"
    ):
        parse_data_sets([dict(sample(samples, "data-set.json"), date="2015-6")], "u")
    with pytest.raises(
        SourceError, match=r"u: item 0: field 'stop-and-search' must be a list of force ids"
    ):
        parse_data_sets([dict(sample(samples, "data-set.json"), **{"stop-and-search": [1]})], "u")
    with pytest.raises(SourceError, match=r"u: the list of published months is empty"):
        parse_data_sets([], "u")


def test_boundaries_with_bad_coordinates_are_refused(samples):
    good = sample(samples, "coordinate.json")
    assert parse_boundary([good] * 3, "u") == [(-1.13619, 52.6389)] * 3
    with pytest.raises(SourceError, match=r"u: point 1: field 'longitude' is 'B', not a number"):
        parse_boundary([good, sample(samples, "coordinate-invalid.json"), good], "u")
    nulls = sample(samples, "neighbourhood-location-null-coordinates.json")
    with pytest.raises(
        SourceError, match=r"u: point 0: field 'longitude' is null; expected a string or a number"
    ):
        parse_boundary([nulls, good, good], "u")
    with pytest.raises(
        SourceError, match=r"u: point 0: field 'latitude' is '91', outside -90 to 90"
    ):
        parse_boundary([dict(good, latitude="91")] * 3, "u")
    with pytest.raises(SourceError, match=r"u: a boundary needs at least 3 points, got 2"):
        parse_boundary([good, good], "u")


def test_bad_boundary_from_the_server(samples, fake, make_client):
    fake.faults.append(
        Fault(
            "/api/northamptonshire/NH01/boundary",
            body=json.dumps([sample(samples, "coordinate-invalid.json")] * 3).encode(),
        )
    )
    with pytest.raises(
        SourceError,
        match=r"/api/northamptonshire/NH01/boundary: point 0: field 'longitude' is 'B', not a number",
    ):
        make_client(fake).boundary("northamptonshire", "NH01")


# --------------------------------------------------------------------------- converters


def test_crime_sample_becomes_an_archive_row(samples):
    crime = sample(samples, "crime.json")
    before = copy.deepcopy(crime)
    row = crime_to_street_row(crime, force_name="Leicestershire Police")
    assert row == (
        "0e51b9ceb4aedef3f9679481aa11262a6c5ea90a68d0dd0e0002a0b521c445e0",
        "2020-02",
        "Leicestershire Police",
        "Leicestershire Police",
        "-1.132073",
        "52.629909",
        "On or near Marquis Street",
        "",
        "",
        "Violence and sexual offences",
        "Status update unavailable",
        "",
    )
    assert crime == before


def test_crime_without_location_becomes_a_no_location_row(samples):
    crime = sample(samples, "case-history.json")["crime"]
    assert crime_to_street_row(crime, force_name="F") == (
        "46688f40815e3a4cb7fcf69550492d8bffa4ed267652e676e49e23d00955c486",
        "2020-03",
        "F",
        "F",
        "",
        "",
        "No Location",
        "",
        "",
        "Bicycle theft",
        "",
        "",
    )
    with pytest.raises(SourceError, match=r"crime: field 'location' is null; expected an object"):
        crime_to_street_row(crime, force_name="F", require_location=True)


def test_outcome_crime_sample_without_outcome_status(samples):
    row = crime_to_street_row(sample(samples, "outcome-crime.json"), force_name="F")
    assert row[9:] == ("Burglary", "", "")
    assert row[4:7] == ("-1.122319", "52.640374", "On or near Christow Street")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            {"category": "public-disorder-weapons"},
            r"c: category 'public-disorder-weapons' is not one of the 14",
        ),
        ({"category": None}, r"c: field 'category' is null; expected a string"),
        ({"month": "2020-13"}, r"c: field 'month' is '2020-13'; expected a month YYYY-MM"),
        ({"persistent_id": 5}, r"c: field 'persistent_id' is a number; expected a string"),
        ({"location": []}, r"c: field 'location' is a list; expected an object"),
        ({"outcome_status": "done"}, r"c: field 'outcome_status' is a string; expected an object"),
        (
            {"outcome_status": {"date": "2020-02"}},
            r"c: outcome_status: field 'category' is missing",
        ),
        ({"context": 0}, r"c: field 'context' is a number; expected a string"),
    ],
)
def test_crime_problems_are_named(samples, change, match):
    crime = dict(sample(samples, "crime.json"), **change)
    with pytest.raises(SourceError, match=match):
        crime_to_street_row(crime, force_name="F", where="c")


def test_crime_with_the_invalid_location_sample(samples):
    crime = dict(
        sample(samples, "crime.json"), location=sample(samples, "location-invalid-coordinate.json")
    )
    with pytest.raises(SourceError, match=r"c: location: field 'longitude' is 'aaa', not a number"):
        crime_to_street_row(crime, force_name="F", where="c")
    crime = dict(
        sample(samples, "crime.json"), location=dict(sample(samples, "location.json"), street=None)
    )
    with pytest.raises(
        SourceError, match=r"c: location: field 'street' is null; expected an object"
    ):
        crime_to_street_row(crime, force_name="F", where="c")
    with pytest.raises(SourceError, match=r"c: is null; expected an object"):
        crime_to_street_row(None, force_name="F", where="c")


def test_stop_sample_becomes_an_archive_row(samples):
    stop = sample(samples, "stop-and-search.json")
    before = copy.deepcopy(stop)
    assert stop_to_row(stop) == (
        "Person search",
        "2018-06-08T13:40:00+00:00",
        "",
        "",
        "52.636250",
        "-1.133691",
        "Male",
        "over 34",
        "White - English/Welsh/Scottish/Northern Irish/British",
        "White",
        "Police and Criminal Evidence Act 1984 (section 1)",
        "Offensive weapons",
        "A no further action disposal",
        "",
        "",
    )
    assert stop == before
    row = stop_to_row(
        dict(
            stop,
            operation=True,
            operation_name="Op Alpha",
            location=None,
            outcome=False,
            outcome_linked_to_object_of_search=False,
            removal_of_more_than_outer_clothing=True,
        )
    )
    assert row[2:6] == ("True", "Op Alpha", "", "")
    assert row[12:] == ("", "False", "True")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"datetime": None}, r"s: field 'datetime' is null; expected a string"),
        ({"operation": "yes"}, r"s: field 'operation' is a string; expected true, false or null"),
        ({"gender": 1}, r"s: field 'gender' is a number; expected a string or null"),
        (
            {"outcome": {"id": "x"}},
            r"s: field 'outcome' is an object; expected a string, false or null",
        ),
        (
            {"location": {"latitude": "x", "longitude": "1"}},
            r"s: location: field 'latitude' is 'x', not a number",
        ),
    ],
)
def test_stop_problems_are_named(samples, change, match):
    with pytest.raises(SourceError, match=match):
        stop_to_row(dict(sample(samples, "stop-and-search.json"), **change), where="s")


def test_the_fourteen_crime_types():
    assert len(CRIME_TYPES) == 14
    assert sorted(CRIME_TYPES.values()) == [
        "Anti-social behaviour",
        "Bicycle theft",
        "Burglary",
        "Criminal damage and arson",
        "Drugs",
        "Other crime",
        "Other theft",
        "Possession of weapons",
        "Public order",
        "Robbery",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
        "Violence and sexual offences",
    ]
