"""``clearhold crime ingest|summary|harm-sets``: police recorded crime in the analytical store.

``crime_app`` is the group's Typer app; other modules (``crime_fetch``) add commands to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import (
    DatabaseOpt, JsonOpt, StoreOpt, console, emit_json, handled_errors, progress_callback, settings_for, table,
)

crime_app = typer.Typer(name="crime", help="Police recorded crime (data.police.uk).", no_args_is_help=True)


@crime_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Street/outcomes/stop-and-search CSV files, month folders or archive zips.")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Load data.police.uk files; print per file rows read = stored + quarantined."""
    with handled_errors():
        from clearhold.crime import service

        lake_dir = settings_for(store=store).resolved_store
        with progress_callback("ingesting", enabled=not json_out) as cb:
            results = service.ingest(store=lake_dir, paths=paths, progress=cb)
    if json_out:
        emit_json(results)
        return
    rows = [[r["path"], r["kind"], r["month"], r["status"] + ("" if r["current"] else " (not current)"), r["rows_read"],
             r["rows_stored"], r["rows_quarantined"], ", ".join(f"{k} {v}" for k, v in r["reasons"].items())] for r in results]
    console().print(table(["file", "kind", "month", "status", "read", "stored", "quarantined", "reasons"], rows))
    total = [sum(r[k] for r in results) for k in ("rows_read", "rows_stored", "rows_quarantined")]
    console().print(f"{len(results)} files: {total[0]} rows read = {total[1]} stored + {total[2]} quarantined")


@crime_app.command("summary")
def summary(
    areas: Annotated[list[str], typer.Option("--area", help="Area slug, GeoJSON file, lsoa:CODE,CODE, ward:NAME, lad:NAME, csp:NAME or force:NAME (repeat to compare areas).")],
    from_month: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to_month: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM (inclusive).")],
    types: Annotated[list[str] | None, typer.Option("--types", help="Crime type (repeat, or comma-separated); default all 14.")] = None,
    weights: Annotated[str, typer.Option("--weights", help="Harm set: count, illustrative-v1, or a CSV path.")] = "count",
    buffer_m: Annotated[float | None, typer.Option("--buffer-m", help="Grow the area by this many metres.")] = None,
    store: StoreOpt = None,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Counts, harm and rates per 1,000 residents (Census 2021) by month and crime type."""
    with handled_errors():
        from clearhold.crime import service

        lake_dir = settings_for(store=store).resolved_store
        crime_types = None
        if types:
            crime_types = [t.strip() for item in types for t in item.split(",") if t.strip()]
        records = []
        for area in areas:
            resolved = _resolve(area, lake_dir, database, buffer_m)
            frame = service.summary(store=lake_dir, area=resolved, start_month=from_month, end_month=to_month,
                                    crime_types=crime_types, weights=weights)
            records.extend(frame.to_dict(orient="records"))
    if json_out:
        emit_json(records)
        return
    rows = [[r["month"], r["area"], r["crime_type"], r["count"], f"{r['harm']:g}",
             "" if r["rate_per_1000"] is None else f"{r['rate_per_1000']:.3f}"] for r in records if r["count"]]
    console().print(table(["month", "area", "crime type", "count", "harm", "per 1,000"], rows))


def _resolve(area: str, lake_dir, database, buffer_m):
    """Resolve an area; a records-database slug is looked up only when no other form fits."""
    from clearhold.crime import service
    from clearhold.errors import InvalidInput

    try:
        return service.resolve_area(area, store=lake_dir, buffer_m=buffer_m)
    except InvalidInput as exc:
        if not str(exc).startswith("area was"):
            raise
    from clearhold.interfaces.cli.common import engine_for
    from clearhold.storage.database import session_scope

    engine = engine_for(database)
    try:
        with session_scope(engine) as session:
            return service.resolve_area(area, store=lake_dir, session=session, buffer_m=buffer_m)
    finally:
        engine.dispose()


@crime_app.command("publications")
def publications(
    store: StoreOpt = None,
    kind: Annotated[str | None, typer.Option("--kind", help="street, outcomes or stop_and_search.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Every stored publication (older ones kept for audit), marking the current one per force-month."""
    from dataclasses import asdict

    from clearhold.storage.lake import KINDS, Lake

    lake = Lake(settings_for(store=store).resolved_store)
    current = {p.pub_id + p.kind + p.force + p.month for k in KINDS for p in lake.current(k)}
    data = [{**asdict(p), "current": (p.pub_id + p.kind + p.force + p.month) in current}
            for p in lake.publications() if kind is None or p.kind == kind]
    if json_out:
        emit_json(data)
        return
    console().print(table(
        ["kind", "force", "month", "publication", "published", "ingested", "read", "stored", "quarantined", "current"],
        [[d["kind"], d["force"], d["month"], d["pub_id"], d["published_at"], d["ingested_at"], d["rows_read"],
          d["rows_stored"], d["rows_quarantined"], "yes" if d["current"] else "no (audit)"] for d in data],
    ))


@crime_app.command("harm-sets")
def harm_sets(json_out: JsonOpt = False) -> None:
    """List the built-in harm sets with their sources."""
    from clearhold.crime import harm

    sets = [harm.load(name) for name in harm.available()]
    data = [{"name": s.name, "version": s.version, "date": s.date, "source": s.source, "weights": s.weights} for s in sets]
    if json_out:
        emit_json(data)
        return
    console().print(table(["name", "version", "date", "source"], [[d["name"], d["version"], d["date"], d["source"]] for d in data]))


def register(app: typer.Typer) -> None:
    app.add_typer(crime_app, name="crime")
