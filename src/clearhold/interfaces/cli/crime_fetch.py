"""``clearhold crime fetch``: download a force's months from data.police.uk into a cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import (
    JsonOpt,
    console,
    emit_json,
    handled_errors,
    progress_callback,
    table,
)

DEFAULT_BASE_URL = "https://data.police.uk/api"


def fetch(
    force: Annotated[
        str, typer.Option("--force", help="data.police.uk force id, e.g. northamptonshire.")
    ],
    from_month: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to_month: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM (inclusive).")],
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Folder for the CSV files and manifest (default: CLEARHOLD_HOME/police-uk).",
        ),
    ] = None,
    base_url: Annotated[
        str, typer.Option("--base-url", help="API root (a fake server in tests).")
    ] = DEFAULT_BASE_URL,
    archive_url: Annotated[
        str | None,
        typer.Option("--archive-url", help="Archive root (default: derived from --base-url)."),
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            "--source", help="auto (archive where it has the file, else API), api or archive."
        ),
    ] = "auto",
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="street, stop-and-search, outcomes (archive only); repeat; default street and stop-and-search.",
        ),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch again even what the cache holds.")
    ] = False,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second (data.police.uk allows 15).")
    ] = 15.0,
    burst: Annotated[
        int, typer.Option("--burst", help="Burst size (data.police.uk allows 30).")
    ] = 30,
    retries: Annotated[
        int, typer.Option("--retries", help="Retries after HTTP 429, 5xx or a timeout.")
    ] = 6,
    backoff: Annotated[
        float, typer.Option("--backoff", help="First back-off in seconds (doubles each retry).")
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for one response.")
    ] = 180.0,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the back-off jitter.")] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", help="Units fetched at the same time (sharing the rate limit)."),
    ] = 4,
    json_out: JsonOpt = False,
) -> None:
    """Download street crime and stop-and-search files for one force and a range of months."""
    from clearhold.interfaces.cli.common import settings_for
    from clearhold.sources.police_uk_api import PoliceUkClient, RetryPolicy
    from clearhold.sources.police_uk_fetch import DEFAULT_KINDS, fetch_force

    with handled_errors():
        cache_dir = cache if cache is not None else settings_for().home / "police-uk"
        client = PoliceUkClient(
            base_url,
            archive_url=archive_url,
            rate_per_s=rate,
            burst=burst,
            timeout_s=timeout,
            seed=seed,
            retry=RetryPolicy(max_retries=retries, backoff_base_s=backoff),
        )
        with client, progress_callback(f"fetching {force}", enabled=not json_out) as progress:
            report = fetch_force(
                force,
                from_month,
                to_month,
                cache_dir=cache_dir,
                client=client,
                kinds=tuple(kinds) if kinds else DEFAULT_KINDS,
                source=source,
                refresh=refresh,
                workers=workers,
                progress=progress,
            )
    data = report.as_dict()
    if json_out:
        emit_json(data)
        return
    out = console()
    rows = [[u.month, u.kind, u.status, u.source, u.rows, u.path or ""] for u in report.units]
    out.print(
        table(
            ["month", "kind", "status", "source", "rows", "file"],
            rows,
            title=f"{force} -> {cache_dir}",
        )
    )
    out.print(
        f"{data['fetched']} fetched, {data['cached']} from cache, {data['not_published']} not published, "
        f"{data['unavailable']} unavailable; "
        f"{data['requests']} requests, {data['retries']} retries"
    )


def register(app: typer.Typer) -> None:
    """Add ``fetch`` to the ``crime`` group (made by clearhold.interfaces.cli.crime)."""
    try:
        from clearhold.interfaces.cli.crime import crime_app
    except ImportError:  # the crime group is not there yet: offer fetch on its own group
        crime_app = typer.Typer(name="crime", help="Police recorded crime.", no_args_is_help=True)
        app.add_typer(crime_app, name="crime")
    crime_app.command("fetch")(fetch)
