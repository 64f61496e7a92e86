"""Fetching a force's months into the cache: API and archive paths, splitting, caching, resume."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clearhold.errors import InvalidInput, SourceError
from clearhold.sources.police_uk_api import STOP_AND_SEARCH_COLUMNS, STREET_COLUMNS, RetryPolicy
from clearhold.sources.police_uk_fetch import Manifest, fetch_force, month_range
from clearhold.sources.police_uk_fetch_archive import archive_for
from tests.conftest import PROJECT_ROOT, need_shared_data
from tests.sources.fake_police_uk import Fault

FORCE = "northamptonshire"
MONTHS = ("2023-01", "2023-02", "2023-03")


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


# --------------------------------------------------------------------------- inputs


def test_month_range():
    assert month_range("2022-11", "2023-02") == ["2022-11", "2022-12", "2023-01", "2023-02"]
    assert month_range("2024-04", "2024-04") == ["2024-04"]
    assert len(month_range("2022-01", "2024-04")) == 28


@pytest.mark.parametrize(
    ("args", "options", "match"),
    [
        (
            ("northamptonshire", "2022-1", "2022-03"),
            {},
            r"from_month was '2022-1'; it must be a month written YYYY-MM",
        ),
        (("northamptonshire", "2022-01", "2022-13"), {}, r"to_month was '2022-13'"),
        (
            ("northamptonshire", "2022-03", "2022-01"),
            {},
            r"from_month was '2022-03' and to_month '2022-01'; from_month must not be after to_month",
        ),
        (
            ("Northamptonshire Police", "2022-01", "2022-03"),
            {},
            r"force was 'Northamptonshire Police'; it must be a data.police.uk force id",
        ),
        (
            ("northamptonshire", "2022-01", "2022-03"),
            {"kinds": ("crimes",)},
            r"kinds was \['crimes'\]; allowed: street, stop-and-search, outcomes",
        ),
        (("northamptonshire", "2022-01", "2022-03"), {"kinds": ()}, r"kinds was \[\]"),
        (
            ("northamptonshire", "2022-01", "2022-03"),
            {"source": "web"},
            r"source was 'web'; allowed: auto, api, archive",
        ),
    ],
)
def test_bad_inputs_are_refused_before_any_request(tmp_path, args, options, match):
    with pytest.raises(InvalidInput, match=match):
        fetch_force(*args, cache_dir=tmp_path / "cache", **options)


def test_unknown_force_and_unpublished_month(fake, make_client, tmp_path):
    client = make_client(fake)
    with pytest.raises(
        InvalidInput,
        match=r"force was 'atlantis'; data.police.uk knows these forces: avon-and-somerset, bedfordshire, northamptonshire",
    ):
        fetch_force("atlantis", "2023-01", "2023-01", cache_dir=tmp_path, client=client)
    with pytest.raises(
        InvalidInput,
        match=r"month 2023-04 is not published by data.police.uk \(http://127.0.0.1:\d+/api\): "
        r"the API has 2023-01 to 2023-03; http://127.0.0.1:\d+/data/archive/2023-03.zip does not exist \(HTTP 404\)$",
    ):
        fetch_force(FORCE, "2023-03", "2023-04", cache_dir=tmp_path, client=client)
    with pytest.raises(
        InvalidInput,
        match=r"month 2022-12 is not published by data.police.uk \(http://127.0.0.1:\d+/api\): the API has 2023-01 to 2023-03$",
    ):
        fetch_force(FORCE, "2022-12", "2022-12", cache_dir=tmp_path, client=client, source="api")
    assert sorted(files_of(tmp_path)) == [
        "2023-03/2023-03-northamptonshire-stop-and-search.csv",
        "2023-03/2023-03-northamptonshire-street.csv",
    ]


# --------------------------------------------------------------------------- the API path


def test_fetch_from_the_api_writes_archive_layout_files(fake, make_client, tmp_path):
    calls = []
    report = fetch_force(
        FORCE,
        "2023-01",
        "2023-03",
        cache_dir=tmp_path,
        client=make_client(fake),
        workers=1,
        progress=lambda done, total, description: calls.append((done, total, description)),
    )
    assert calls == [(0, 6, "northamptonshire: checking cache")] + [
        (i + 1, 6, f"northamptonshire {m} {k}")
        for i, (m, k) in enumerate((m, k) for m in MONTHS for k in ("street", "stop-and-search"))
    ]
    assert [(u.month, u.kind, u.status, u.source, u.rows) for u in report.units] == [
        (m, k, "fetched", "api", 41 if k == "street" else 6)
        for m in MONTHS
        for k in ("street", "stop-and-search")
    ]
    for month in MONTHS:
        street = read_csv(tmp_path / month / f"{month}-northamptonshire-street.csv")
        assert tuple(street[0]) == STREET_COLUMNS
        assert all(len(row) == 12 for row in street)
        # 40 located crimes less the one BTP crime, plus 2 without a location
        located = [r for r in street[1:] if r[6] != "No Location"]
        assert [r[0] for r in located] == [
            c["persistent_id"] for c in fake.crimes[month] if c["location_type"] != "BTP"
        ]
        assert len(located) == 39
        assert [r[4:7] for r in street[1:] if r[6] == "No Location"] == [
            ["", "", "No Location"]
        ] * 2
        assert {r[1] for r in street[1:]} == {month}
        assert {(r[2], r[3]) for r in street[1:]} == {
            ("Northamptonshire Police", "Northamptonshire Police")
        }
        asb = [r for r in street[1:] if r[9] == "Anti-social behaviour"]
        assert asb and all(r[0] == "" and r[10] == "" for r in asb)
        stops = read_csv(tmp_path / month / f"{month}-northamptonshire-stop-and-search.csv")
        assert tuple(stops[0]) == STOP_AND_SEARCH_COLUMNS
        assert len(stops) == 7
        assert (tmp_path / month / f"{month}-northamptonshire-street.csv").read_bytes().count(
            b"\r\n"
        ) == 42
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(manifest["units"]) == sorted(
        f"{FORCE}/{m}/{k}" for m in MONTHS for k in ("street", "stop-and-search")
    )
    assert report.units[0].notes == {
        "archive": f"{fake.root}/data/archive/2023-03.zip does not exist (HTTP 404)",
        "area_queries": 1,
        "area_splits": 0,
        "btp_excluded": 1,
        "no_location": 2,
    }
    assert report.retries == 0


def test_areas_with_too_many_crimes_are_quartered_with_the_same_result(
    make_fake, make_client, tmp_path
):
    whole = fetch_force(
        FORCE,
        "2023-01",
        "2023-01",
        cache_dir=tmp_path / "a",
        client=make_client(make_fake()),
        kinds=("street",),
    )
    split_fake = make_fake(max_area_crimes=4)
    split = fetch_force(
        FORCE,
        "2023-01",
        "2023-01",
        cache_dir=tmp_path / "b",
        client=make_client(split_fake),
        kinds=("street",),
    )
    assert whole.units[0].notes["area_splits"] == 0
    assert split.units[0].notes["area_splits"] >= 4
    assert 503 in {r.status for r in split_fake.requests("/api/crimes-street")}
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_splitting_gives_up_at_the_depth_limit(make_fake, make_client, tmp_path):
    fake = make_fake(max_area_crimes=0)
    with pytest.raises(
        SourceError,
        match=r"POST http://127.0.0.1:\d+/api/crimes-street/all-crime: HTTP 503 .*still refused after splitting the area 2 times "
        r"\(POST http://127.0.0.1:\d+/api/crimes-street/all-crime: HTTP 503 after 4 attempts; giving up\)",
    ):
        fetch_force(
            FORCE,
            "2023-01",
            "2023-01",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
            max_split_depth=2,
        )
    assert not (tmp_path / "2023-01").exists()


def test_a_busy_503_on_a_small_enough_area_is_retried(fake, make_client, tmp_path):
    fake.faults.append(Fault("/api/crimes-street/all-crime", status=503, times=2))
    report = fetch_force(
        FORCE,
        "2023-01",
        "2023-01",
        cache_dir=tmp_path,
        client=make_client(fake),
        kinds=("street",),
        max_split_depth=0,
    )
    assert (report.units[0].rows, report.units[0].notes["area_splits"], report.retries) == (
        41,
        0,
        1,
    )
    assert [r.status for r in fake.requests("/api/crimes-street/")] == [503, 503, 200]


def test_parallel_workers_give_the_same_files_and_report(make_fake, make_client, tmp_path):
    months = ("2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06")
    fake = make_fake(months=months, delay_s=0.05)
    calls = []
    one = fetch_force(
        FORCE, "2023-01", "2023-06", cache_dir=tmp_path / "one", client=make_client(fake), workers=1
    )
    assert fake.max_in_flight == 1
    four = fetch_force(
        FORCE,
        "2023-01",
        "2023-06",
        cache_dir=tmp_path / "four",
        client=make_client(fake),
        workers=4,
        progress=lambda done, total, what: calls.append((done, total)),
    )
    assert fake.max_in_flight > 1
    assert files_of(tmp_path / "one") == files_of(tmp_path / "four")
    assert [(u.month, u.kind, u.status, u.rows, u.path) for u in one.units] == [
        (u.month, u.kind, u.status, u.rows, u.path) for u in four.units
    ]
    assert one.requests == four.requests
    assert calls == [(n, 12) for n in range(13)]
    assert Manifest(tmp_path / "four").units.keys() == Manifest(tmp_path / "one").units.keys()


def test_a_failure_on_one_worker_stops_the_run_and_keeps_finished_units(
    fake, make_client, tmp_path
):
    fake.faults.append(
        Fault(
            "/api/stops-force",
            body=b"<html><title>Error</title></html>",
            content_type="text/html",
            times=100,
        )
    )
    with pytest.raises(
        SourceError,
        match=r"/api/stops-force\?force=northamptonshire&date=2023-0\d: expected JSON but got an HTML page \(Error\)",
    ):
        fetch_force(
            FORCE, "2023-01", "2023-03", cache_dir=tmp_path, client=make_client(fake), workers=3
        )
    units = Manifest(tmp_path).units
    assert all(key.endswith("/street") for key in units)
    assert sorted(files_of(tmp_path)) == sorted(u["path"] for u in units.values())
    assert not list(tmp_path.rglob("*.part"))


def test_cache_dir_must_be_a_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(
        InvalidInput,
        match=r"cache_dir was '.*/file'; it cannot be used as a folder \(File exists\)",
    ):
        fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path / "file")


@pytest.mark.parametrize("status", [403, 410])
def test_an_archive_answering_forbidden_or_gone_counts_as_missing(
    fake, make_client, tmp_path, status
):
    fake.faults.append(Fault("/data/archive/", status=status, times=5))
    report = fetch_force(
        FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake), kinds=("street",)
    )
    assert report.units[0].source == "api"
    assert (
        report.units[0].notes["archive"]
        == f"{fake.root}/data/archive/2023-03.zip does not exist (HTTP {status})"
    )


def test_with_workers_the_earliest_failing_unit_is_reported(fake, make_client, tmp_path):
    fake.faults.append(Fault("/api/crimes-street-dates", delay_s=0.2))  # let all workers queue up
    for _ in range(5):
        with pytest.raises(InvalidInput, match=r"^month 2023-04 is not published"):
            fetch_force(FORCE, "2023-02", "2023-07", cache_dir=tmp_path, client=make_client(fake), workers=8)


def test_workers_must_be_sensible(tmp_path):
    with pytest.raises(
        InvalidInput, match=r"workers was 0; it must be a whole number from 1 to 16"
    ):
        fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path, workers=0)


def test_stop_and_search_not_published_for_a_month(make_fake, make_client, tmp_path):
    fake = make_fake(months_without_stops=("2023-02",))
    report = fetch_force(FORCE, "2023-02", "2023-02", cache_dir=tmp_path, client=make_client(fake))
    assert [(u.kind, u.status, u.rows, u.path) for u in report.units] == [
        ("street", "fetched", 41, "2023-02/2023-02-northamptonshire-street.csv"),
        ("stop-and-search", "not-published", 0, None),
    ]
    assert fake.requests("/api/stops-force") == []
    again = fetch_force(FORCE, "2023-02", "2023-02", cache_dir=tmp_path, client=make_client(fake))
    assert [u.status for u in again.units] == ["cached", "cached"]


@pytest.mark.parametrize(
    ("path", "body", "match"),
    [
        (
            "/api/crimes-street/all-crime",
            b"<html><title>Oops</title></html>",
            r"POST http://127.0.0.1:\d+/api/crimes-street/all-crime: expected JSON but got an HTML page \(Oops\)",
        ),
        (
            "/api/crimes-street/all-crime",
            b'[{"category": "burglary"',
            r"/api/crimes-street/all-crime: malformed JSON",
        ),
        (
            "/api/crimes-no-location",
            b"null",
            r"http://127.0.0.1:\d+/api/crimes-no-location\?category=all-crime&force=northamptonshire&date=2023-01: expected a JSON list, got null",
        ),
        (
            "/api/stops-force",
            b"[null]",
            r"/api/stops-force\?force=northamptonshire&date=2023-01: item 0 is null; expected an object",
        ),
    ],
)
def test_bad_answers_stop_the_fetch_and_leave_no_half_written_file(
    fake, make_client, tmp_path, path, body, match
):
    fake.faults.append(Fault(path, body=body, times=100))
    with pytest.raises(SourceError, match=match):
        fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake))
    written = files_of(tmp_path)
    assert not [p for p in tmp_path.rglob("*.part")]
    manifest = (
        json.loads((tmp_path / "manifest.json").read_text())
        if (tmp_path / "manifest.json").exists()
        else {"units": {}}
    )
    assert sorted(written) == sorted(u["path"] for u in manifest["units"].values())


def test_a_crime_with_null_location_in_street_results_is_refused(
    samples, fake, make_client, tmp_path
):
    crime = json.loads((samples / "case-history.json").read_text())["crime"]
    crime["id"] = 1
    fake.faults.append(Fault("/api/crimes-street/all-crime", body=json.dumps([crime]).encode()))
    with pytest.raises(
        SourceError,
        match=r"crimes-street/all-crime \(date=2023-01\): crime 1: field 'location' is null; expected an object",
    ):
        fetch_force(
            FORCE,
            "2023-01",
            "2023-01",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
        )


def test_a_crime_without_id_is_refused(samples, fake, make_client, tmp_path):
    crime = json.loads((samples / "crime.json").read_text())
    crime["id"] = None
    fake.faults.append(Fault("/api/crimes-street/all-crime", body=json.dumps([crime]).encode()))
    with pytest.raises(
        SourceError,
        match=r"crimes-street/all-crime \(date=2023-01\): item 0: field 'id' is None; expected a number",
    ):
        fetch_force(
            FORCE,
            "2023-01",
            "2023-01",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
        )


def test_transient_errors_during_a_fetch_are_ridden_out(fake, make_client, tmp_path):
    fake.faults += [
        Fault("/api/stops-force", status=429, retry_after="0.05", times=2),
        Fault(
            "/api/crimes-no-location",
            status=502,
            times=2,
            body=b"<html>Bad gateway</html>",
            content_type="text/html",
        ),
    ]
    report = fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake))
    assert report.retries == 4
    assert [u.rows for u in report.units] == [41, 6]


# --------------------------------------------------------------------------- cache and resume


def test_a_second_run_uses_the_cache_without_any_request(fake, make_client, tmp_path):
    first = fetch_force(FORCE, "2023-01", "2023-03", cache_dir=tmp_path, client=make_client(fake))
    before = files_of(tmp_path)
    count = len(fake.requests())
    second = fetch_force(FORCE, "2023-01", "2023-03", cache_dir=tmp_path, client=make_client(fake))
    assert len(fake.requests()) == count
    assert second.requests == 0
    assert [u.status for u in second.units] == ["cached"] * 6
    assert [(u.month, u.kind, u.rows, u.path, u.source) for u in second.units] == [
        (u.month, u.kind, u.rows, u.path, u.source) for u in first.units
    ]
    assert files_of(tmp_path) == before
    refreshed = fetch_force(
        FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake), refresh=True
    )
    assert [u.status for u in refreshed.units] == ["fetched", "fetched"]


def test_a_damaged_cached_file_is_fetched_again(fake, make_client, tmp_path):
    fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake))
    good = files_of(tmp_path)
    path = tmp_path / "2023-01" / "2023-01-northamptonshire-street.csv"
    path.write_bytes(path.read_bytes()[:100])
    report = fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake))
    assert [u.status for u in report.units] == ["fetched", "cached"]
    assert files_of(tmp_path) == good


def test_a_foreign_manifest_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text('{"hello": 1}')
    with pytest.raises(
        SourceError,
        match=r"manifest.json: not a clearhold fetch manifest \('units'\); move it away to start afresh",
    ):
        fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path)


def test_resume_after_a_failure_fetches_only_what_is_missing(fake, make_client, tmp_path):
    fetch_force(FORCE, "2023-01", "2023-03", cache_dir=tmp_path / "clean", client=make_client(fake))
    clean = files_of(tmp_path / "clean")
    # the server breaks down while 2023-02's stop and search is asked for
    fake.faults.append(Fault("/api/stops-force", status=500, times=100))
    fake.faults.insert(0, Fault("/api/stops-force", times=1))  # ... but 2023-01's still works
    cache = tmp_path / "cache"
    with pytest.raises(
        SourceError,
        match=r"/api/stops-force\?force=northamptonshire&date=2023-02: HTTP 500 after 2 attempts",
    ):
        fetch_force(
            FORCE,
            "2023-01",
            "2023-03",
            cache_dir=cache,
            workers=1,
            client=make_client(fake, retry=RetryPolicy(max_retries=1, backoff_base_s=0.01)),
        )
    assert sorted(Manifest(cache).units) == [
        "northamptonshire/2023-01/stop-and-search",
        "northamptonshire/2023-01/street",
        "northamptonshire/2023-02/street",
    ]
    fake.faults.clear()
    start = len(fake.requests())
    report = fetch_force(FORCE, "2023-01", "2023-03", cache_dir=cache, client=make_client(fake))
    assert [u.status for u in report.units] == [
        "cached",
        "cached",
        "cached",
        "fetched",
        "fetched",
        "fetched",
    ]
    assert [r.path for r in fake.requests()[start:] if r.path == "/api/stops-force"] == [
        "/api/stops-force"
    ] * 2
    assert files_of(cache) == clean


def test_resume_after_the_process_is_killed(make_fake, make_client, tmp_path):
    """A real process killed mid-run (SIGKILL) leaves whole files only; a rerun completes the set."""
    fake = make_fake(
        months=("2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"), delay_s=0.08
    )
    cache = tmp_path / "cache"
    script = (
        "import sys\n"
        "from clearhold.sources.police_uk_api import PoliceUkClient\n"
        "from clearhold.sources.police_uk_fetch import fetch_force\n"
        "client = PoliceUkClient(sys.argv[1], rate_per_s=1000, burst=100, timeout_s=10)\n"
        "fetch_force('northamptonshire', '2023-01', '2023-06', cache_dir=sys.argv[2], client=client, workers=2)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, fake.base_url, str(cache)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            done = len(Manifest(cache).units) if (cache / "manifest.json").exists() else 0
            if done >= 3:
                break
            assert process.poll() is None, "the fetch finished before it could be interrupted"
            time.sleep(0.01)
        else:
            pytest.fail("the fetch made no progress")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    interrupted = Manifest(cache).units
    assert 3 <= len(interrupted) < 12
    for entry in interrupted.values():  # what the manifest lists is whole
        assert (cache / entry["path"]).stat().st_size == entry["bytes"]
    time.sleep(0.2)  # requests the killed process had already sent reach the server first
    killed_at = time.monotonic()  # the server runs in this process: same clock
    fake.delay_s = 0.0
    report = fetch_force(FORCE, "2023-01", "2023-06", cache_dir=cache, client=make_client(fake))
    statuses = {(u.month, u.kind): u.status for u in report.units}
    assert sorted(k for k, s in statuses.items() if s == "cached") == sorted(
        tuple(key.split("/")[1:]) for key in interrupted
    )
    assert len(Manifest(cache).units) == 12
    assert not list(cache.rglob("*.part"))
    stops_asked = [r for r in fake.requests("/api/stops-force") if r.t > killed_at]
    assert len(stops_asked) == sum(
        1 for (m, k), s in statuses.items() if k == "stop-and-search" and s == "fetched"
    )
    fetch_force(FORCE, "2023-01", "2023-06", cache_dir=tmp_path / "clean", client=make_client(fake))
    assert files_of(cache) == files_of(tmp_path / "clean")


# --------------------------------------------------------------------------- the archive path


def test_archive_for():
    assert archive_for("2024-04", "2024-04") == "2024-04"
    assert archive_for("2021-05", "2024-04") == "2024-04"
    assert archive_for("2021-04", "2024-04") == "2024-03"
    assert archive_for("2019-02", "2024-04") == "2022-01"


@pytest.fixture(scope="module")
def real_street_files():
    folder = need_shared_data("police-uk", "northamptonshire")
    return {
        m: (folder / f"{m}-northamptonshire-street.csv").read_bytes()
        for m in ("2024-01", "2024-02", "2024-03", "2024-04")
    }


ARCHIVE_MONTHS = ("2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04")


OUTCOMES = (
    b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\r\n"
    b"0e51b9ce,2024-01,Northamptonshire Police,Northamptonshire Police,-0.890000,52.240000,On or near Abington Street,"
    b"E01027000,West Northamptonshire 021D,Investigation complete; no suspect identified\r\n"
)


def archive_members(files):
    members = {f"{m}/{m}-northamptonshire-street.csv": data for m, data in files.items()}
    members["2024-01/2024-01-northamptonshire-outcomes.csv"] = OUTCOMES
    members["2024-01/2024-01-bedfordshire-street.csv"] = files["2024-01"].replace(
        b"Northamptonshire", b"Bedfordshire"
    )
    return members


def test_archive_months_are_copied_byte_for_byte_and_others_come_from_the_api(
    make_fake, make_client, tmp_path, real_street_files
):
    fake = make_fake(months=ARCHIVE_MONTHS, archive={"2024-04": archive_members(real_street_files)})
    report = fetch_force(
        FORCE, "2023-12", "2024-04", cache_dir=tmp_path, client=make_client(fake), kinds=("street",)
    )
    assert [(u.month, u.source) for u in report.units] == [("2023-12", "api")] + [
        (m, "archive 2024-04.zip") for m in real_street_files
    ]
    for month, data in real_street_files.items():
        assert (tmp_path / month / f"{month}-northamptonshire-street.csv").read_bytes() == data
    assert [u.rows for u in report.units[1:]] == [
        len(data.decode().splitlines()) - 1 for data in real_street_files.values()
    ]
    archive_requests = fake.requests("/data/archive/")
    assert [r.method for r in archive_requests][:1] == ["HEAD"]
    assert all(r.status in (200, 206) for r in archive_requests)
    assert len(archive_requests) <= 10  # a HEAD and a few 1 MiB ranges, not the whole zip at once
    assert (
        report.units[0].notes["archive"]
        == f"{fake.root}/data/archive/2024-04.zip has no 2023-12/2023-12-northamptonshire-street.csv"
    )


def test_an_archive_without_range_support_falls_back_to_the_api(
    make_fake, make_client, tmp_path, real_street_files
):
    fake = make_fake(
        months=ARCHIVE_MONTHS,
        archive={"2024-04": archive_members(real_street_files)},
        archive_ranges=False,
    )
    report = fetch_force(
        FORCE, "2024-01", "2024-01", cache_dir=tmp_path, client=make_client(fake), kinds=("street",)
    )
    assert report.units[0].source == "api"
    assert (
        report.units[0].notes["archive"]
        == f"{fake.root}/data/archive/2024-04.zip does not offer range requests"
    )
    with pytest.raises(
        SourceError,
        match=r"northamptonshire 2024-01 street: not available from the archive \(.*does not offer range requests\)",
    ):
        fetch_force(
            FORCE,
            "2024-01",
            "2024-01",
            cache_dir=tmp_path / "b",
            client=make_client(fake),
            kinds=("street",),
            source="archive",
        )


def test_source_api_never_touches_the_archive(make_fake, make_client, tmp_path, real_street_files):
    fake = make_fake(months=ARCHIVE_MONTHS, archive={"2024-04": archive_members(real_street_files)})
    report = fetch_force(
        FORCE,
        "2024-01",
        "2024-01",
        cache_dir=tmp_path,
        client=make_client(fake),
        kinds=("street",),
        source="api",
    )
    assert report.units[0].source == "api"
    assert fake.requests("/data/archive/") == []


def test_an_archive_member_with_a_wrong_header_is_refused(
    make_fake, make_client, tmp_path, real_street_files
):
    files = dict(real_street_files)
    files["2024-02"] = files["2024-02"].replace(b"Crime ID,Month", b"Crime,Month", 1)
    fake = make_fake(months=ARCHIVE_MONTHS, archive={"2024-04": archive_members(files)})
    with pytest.raises(
        SourceError,
        match=r"2024-04.zip: member 2024-02/2024-02-northamptonshire-street.csv, line 1: header is 'Crime,Month,",
    ):
        fetch_force(
            FORCE,
            "2024-01",
            "2024-03",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
            workers=1,
        )
    assert sorted(files_of(tmp_path)) == ["2024-01/2024-01-northamptonshire-street.csv"]


def test_an_archive_that_is_not_a_zip_is_refused(make_fake, make_client, tmp_path):
    fake = make_fake(months=ARCHIVE_MONTHS)
    fake._zips["2024-04"] = b"this is not a zip file" * 100
    with pytest.raises(
        SourceError,
        match=r"/data/archive/2024-04.zip: not a readable zip archive \(File is not a zip file\)",
    ):
        fetch_force(
            FORCE,
            "2024-01",
            "2024-01",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
        )


def test_archive_member_that_is_not_utf8_is_refused(
    make_fake, make_client, tmp_path, real_street_files
):
    files = dict(real_street_files)
    files["2024-01"] = files["2024-01"].replace(
        b"On or near Gooker Lane", b"On or near G\xf6oker Lane", 1
    )
    fake = make_fake(months=ARCHIVE_MONTHS, archive={"2024-04": archive_members(files)})
    with pytest.raises(
        SourceError,
        match=r"member 2024-01/2024-01-northamptonshire-street.csv is not UTF-8 \('utf-8' codec can't decode byte 0xf6",
    ):
        fetch_force(
            FORCE,
            "2024-01",
            "2024-01",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("street",),
        )


def test_fetched_files_read_back_with_the_archive_columns(fake, make_client, tmp_path):
    """The API-made file parses as the archive's does (same header, 12 fields, CRLF)."""
    fetch_force(
        FORCE, "2023-01", "2023-01", cache_dir=tmp_path, client=make_client(fake), kinds=("street",)
    )
    text = (
        (tmp_path / "2023-01" / "2023-01-northamptonshire-street.csv").read_bytes().decode("utf-8")
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 41
    assert list(rows[0]) == list(STREET_COLUMNS)


def test_the_fetched_cache_folder_loads_with_crime_ingest(fake, make_client, tmp_path):
    """The contract with ``clearhold crime ingest``: the whole cache folder loads, every row stored."""
    service = pytest.importorskip("clearhold.crime.service")
    report = fetch_force(
        FORCE, "2023-01", "2023-02", cache_dir=tmp_path / "cache", client=make_client(fake)
    )
    results = service.ingest(store=tmp_path / "store", paths=[tmp_path / "cache"])
    fetched = {u.path: u.rows for u in report.units}
    loaded = {
        str(Path(r["path"]).relative_to(tmp_path / "cache")): (r["rows_read"], r["rows_stored"])
        for r in results
    }
    assert loaded == {path: (rows, rows) for path, rows in fetched.items()}


def test_outcomes_come_from_the_archive_only(make_fake, make_client, tmp_path, real_street_files):
    fake = make_fake(months=ARCHIVE_MONTHS, archive={"2024-04": archive_members(real_street_files)})
    report = fetch_force(
        FORCE,
        "2023-12",
        "2024-01",
        cache_dir=tmp_path,
        client=make_client(fake),
        kinds=("outcomes",),
    )
    assert [(u.month, u.status, u.source, u.rows, u.path) for u in report.units] == [
        ("2023-12", "unavailable", "", 0, None),
        (
            "2024-01",
            "fetched",
            "archive 2024-04.zip",
            1,
            "2024-01/2024-01-northamptonshire-outcomes.csv",
        ),
    ]
    assert (
        report.units[0].notes["reason"]
        == "outcomes files come only from the monthly archive; the API has no per-force outcomes query"
    )
    assert (tmp_path / "2024-01" / "2024-01-northamptonshire-outcomes.csv").read_bytes() == OUTCOMES
    assert sorted(Manifest(tmp_path).units) == [
        "northamptonshire/2024-01/outcomes"
    ]  # unavailable is not "done"


def test_one_fetch_per_cache_folder_at_a_time(tmp_path):
    import fcntl

    from clearhold.errors import Conflict

    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        with pytest.raises(
            Conflict,
            match=r"cache_dir .* is in use by another fetch \(lock .*\.lock\); wait for it to finish",
        ):
            fetch_force(FORCE, "2023-01", "2023-01", cache_dir=tmp_path)


def test_months_the_api_no_longer_has_come_from_an_older_archive(
    make_fake, make_client, tmp_path, real_street_files
):
    """The API keeps about three years; the archive of month M + 35 still holds month M."""
    fake = make_fake(
        months=("2027-12", "2028-01"), archive={"2027-03": archive_members(real_street_files)}
    )
    report = fetch_force(
        FORCE, "2024-04", "2024-04", cache_dir=tmp_path, client=make_client(fake), kinds=("street",)
    )
    assert [(u.kind, u.status, u.source) for u in report.units] == [
        ("street", "fetched", "archive 2027-03.zip")
    ]
    assert (
        tmp_path / "2024-04" / "2024-04-northamptonshire-street.csv"
    ).read_bytes() == real_street_files["2024-04"]
    assert (
        fake.requests("/api/crimes-street/") == []
        and fake.requests("/api/crimes-no-location") == []
    )


def test_a_month_in_neither_the_api_nor_the_archive(
    make_fake, make_client, tmp_path, real_street_files
):
    fake = make_fake(
        months=("2027-12", "2028-01"), archive={"2027-03": archive_members(real_street_files)}
    )
    with pytest.raises(
        InvalidInput,
        match=r"month 2024-04 is not published .*: the API has 2027-12 to 2028-01; "
        r"http://127.0.0.1:\d+/data/archive/2027-03.zip has no 2024-04/2024-04-northamptonshire-stop-and-search.csv$",
    ):
        fetch_force(
            FORCE,
            "2024-04",
            "2024-04",
            cache_dir=tmp_path,
            client=make_client(fake),
            kinds=("stop-and-search",),
        )
