"""``clearhold crime fetch``: the command against the fake server, compared with the library."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from clearhold.interfaces.cli.crime_fetch import fetch, register
from clearhold.sources.police_uk_api import PoliceUkClient, RetryPolicy
from clearhold.sources.police_uk_fetch import fetch_force
from tests.sources.fake_police_uk import Fault

FAST = [
    "--rate",
    "500",
    "--burst",
    "50",
    "--backoff",
    "0.01",
    "--retries",
    "2",
    "--timeout",
    "5",
    "--seed",
    "1",
]


@pytest.fixture
def app():
    """A local app with a ``crime`` group, standing in for the ingest helper's crime module."""
    root = typer.Typer()
    crime = typer.Typer()
    root.add_typer(crime, name="crime")
    crime.command("fetch")(fetch)
    return root


def one_line(text):
    """The console wraps long messages at its width; compare them as one line."""
    return " ".join(text.split())


def run(app, *args):
    return CliRunner().invoke(app, ["crime", "fetch", *args])


def test_json_output_matches_the_library(app, fake, tmp_path):
    result = run(
        app,
        "--force",
        "northamptonshire",
        "--from",
        "2023-01",
        "--to",
        "2023-02",
        "--cache",
        str(tmp_path / "cli"),
        "--base-url",
        fake.base_url,
        "--json",
        *FAST,
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    client = PoliceUkClient(
        fake.base_url,
        rate_per_s=500,
        burst=50,
        timeout_s=5,
        seed=1,
        retry=RetryPolicy(max_retries=2, backoff_base_s=0.01),
    )
    with client:
        direct = fetch_force(
            "northamptonshire", "2023-01", "2023-02", cache_dir=tmp_path / "lib", client=client
        ).as_dict()
    assert printed["cache"] == str(tmp_path / "cli")
    assert direct["cache"] == str(tmp_path / "lib")
    printed.pop("cache"), direct.pop("cache")
    assert printed == direct
    assert printed["fetched"] == 4 and printed["cached"] == 0


def test_rerun_reports_the_cache(app, fake, tmp_path):
    args = [
        "--force",
        "northamptonshire",
        "--from",
        "2023-01",
        "--to",
        "2023-01",
        "--cache",
        str(tmp_path),
        "--base-url",
        fake.base_url,
        "--kind",
        "street",
        *FAST,
    ]
    assert run(app, *args).exit_code == 0
    result = run(app, *args, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["fetched"], data["cached"], data["requests"]) == (0, 1, 0)
    assert [u["kind"] for u in data["units"]] == ["street"]


def test_table_output(app, fake, tmp_path):
    result = run(
        app,
        "--force",
        "northamptonshire",
        "--from",
        "2023-01",
        "--to",
        "2023-01",
        "--cache",
        str(tmp_path),
        "--base-url",
        fake.base_url,
        *FAST,
    )
    assert result.exit_code == 0
    assert "northamptonshire -> " in result.stdout
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith("2 fetched, 0 from cache, 0 not published, 0 unavailable; ")
    )


def test_default_cache_is_in_clearhold_home(app, fake, tmp_path):
    result = run(
        app,
        "--force",
        "northamptonshire",
        "--from",
        "2023-01",
        "--to",
        "2023-01",
        "--kind",
        "street",
        "--base-url",
        fake.base_url,
        "--json",
        *FAST,
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["cache"] == str(tmp_path / "home" / "police-uk")
    assert (
        tmp_path / "home" / "police-uk" / "2023-01" / "2023-01-northamptonshire-street.csv"
    ).is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2023-1", "--to", "2023-02"],
            "error: from_month was '2023-1'; it must be a month written YYYY-MM",
        ),
        (
            ["--from", "2023-01", "--to", "2023-02", "--kind", "crimes"],
            "error: kinds was ['crimes']; allowed: street, stop-and-search, outcomes",
        ),
        (["--from", "2023-01", "--to", "2023-02", "--rate", "0"], "error: rate_per_s was 0.0"),
        (
            ["--from", "2023-01", "--to", "2023-02", "--workers", "99"],
            "error: workers was 99; it must be a whole number from 1 to 16",
        ),
        (
            ["--from", "2023-01", "--to", "2023-09"],
            "error: month 2023-04 is not published by data.police.uk",
        ),
    ],
)
def test_bad_usage_exits_2(app, fake, tmp_path, args, message):
    result = run(
        app,
        "--force",
        "northamptonshire",
        "--cache",
        str(tmp_path),
        "--base-url",
        fake.base_url,
        *args,
    )
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(message)


def test_source_failure_exits_1(app, fake, tmp_path):
    fake.faults.append(
        Fault(
            "/api/crimes-street-dates",
            body=b"<html><title>Down for maintenance</title></html>",
            content_type="text/html",
        )
    )
    result = run(
        app,
        "--force",
        "northamptonshire",
        "--from",
        "2023-01",
        "--to",
        "2023-01",
        "--cache",
        str(tmp_path),
        "--base-url",
        fake.base_url,
        *FAST,
    )
    assert result.exit_code == 1
    assert one_line(result.stderr) == (
        f"error: GET {fake.base_url}/crimes-street-dates: expected JSON but got an HTML page (Down for maintenance)"
    )


def test_register_adds_fetch_to_the_crime_group():
    root = typer.Typer()
    register(root)
    try:  # the crime group made by the ingest module, when it is there
        from clearhold.interfaces.cli.crime import crime_app
    except ImportError:
        group = root
        args = ["crime", "fetch", "--help"]
    else:
        group = typer.Typer()
        group.add_typer(crime_app, name="crime")
        args = ["crime", "fetch", "--help"]
    result = CliRunner().invoke(group, args)
    assert result.exit_code == 0, result.output
    assert "--force" in result.stdout and "--base-url" in result.stdout
