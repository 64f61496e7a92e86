"""``clearhold hotspots``, ``clearhold patrol plan`` and ``clearhold near-repeat``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import (
    DatabaseOpt,
    JsonOpt,
    StoreOpt,
    UserOpt,
    emit_json,
    err_console,
    handled_errors,
    table,
)
from clearhold.interfaces.cli.common import console as make_console

AreaOpt = Annotated[str | None, typer.Option("--area", help="Area: slug, ward:NAME, lad:NAME, force:NAME, lsoa:CODES or a GeoJSON file. Default: every stored crime.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")]
TypesOpt = Annotated[list[str] | None, typer.Option("--types", help="Crime type (repeat, or comma-separated). Default: all 14.")]
WeightsOpt = Annotated[str, typer.Option("--weights", help="Harm weight set (count = 1 per crime).")]
CellOpt = Annotated[float | None, typer.Option("--cell-size-m", help="Cell size in metres (default from extent and density).")]
BandwidthOpt = Annotated[float | None, typer.Option("--bandwidth-m", help="KDE bandwidth in metres (default: normal-reference rule).")]
NeighbourOpt = Annotated[float | None, typer.Option("--neighbour-distance-m", help="Gi* neighbour distance (default: the 8 touching cells).")]


def _types(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out.extend(t.strip() for t in v.split(",") if t.strip())
    return out or None


def _warn_lines(caught) -> None:
    err = err_console()
    for w in caught:
        err.print(f"warning: {w.message}")


def _is_slug(area: str | None) -> bool:
    """True for an area given as a records-database slug (not prefix:NAME and not a file)."""
    if not area or ":" in area:
        return False
    path = Path(area)
    return not (path.suffix.lower() in (".geojson", ".json") or path.exists())


def _session_scope(database: str | None, needed: bool):
    """A records-DB session (committed at the end) when needed, else None."""
    from contextlib import nullcontext

    if not needed:
        return nullcontext(None)
    from clearhold.interfaces.cli.common import engine_for
    from clearhold.storage.database import session_scope

    return session_scope(engine_for(database))


def hotspots(
    area: AreaOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    types: TypesOpt = None,
    weights: WeightsOpt = "count",
    method: Annotated[str, typer.Option("--method", help="count | kde | gistar | emerging")] = "gistar",
    cell_size_m: CellOpt = None,
    bandwidth_m: BandwidthOpt = None,
    neighbour_distance_m: NeighbourOpt = None,
    fdr: Annotated[float, typer.Option("--fdr", help="Benjamini-Hochberg false discovery rate.")] = 0.05,
    no_fdr: Annotated[bool, typer.Option("--no-fdr", help="Switch the FDR correction off (raw p < 0.05).")] = False,
    test_from: Annotated[str | None, typer.Option("--test-from", help="Later period for hit rate / PAI: first month.")] = None,
    test_to: Annotated[str | None, typer.Option("--test-to", help="Later period for hit rate / PAI: last month.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write cells: .geojson, .gpkg, .csv or .html.")] = None,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Hotspots on a British National Grid grid: counts, quartic KDE, Gi* with FDR, emerging classes."""
    import warnings

    from clearhold.hotspot import flows

    with handled_errors():
        if method not in ("count", "kde", "gistar", "emerging"):
            from clearhold.errors import InvalidInput

            raise InvalidInput(f"method was {method!r}; it must be one of count, kde, gistar, emerging")
        with warnings.catch_warnings(record=True) as caught, _session_scope(database, _is_slug(area)) as session:
            warnings.simplefilter("always")
            hrun = flows.hotspots(
                store=store, area=area, start_month=start, end_month=end, crime_types=_types(types),
                weights=weights, method=method, cell_size_m=cell_size_m, bandwidth_m=bandwidth_m,
                neighbour_distance_m=neighbour_distance_m, fdr=None if no_fdr else fdr, session=session,
            )
            accuracy = None
            if test_from or test_to:
                accuracy = flows.forecast(hrun, store=store, area=area, start_month=test_from,
                                          end_month=test_to, session=session)
        _warn_lines(caught)
        if out is not None:
            flows.write(hrun, out)
        summary = hrun.summary(with_cells=json_out)
        if accuracy is not None:
            summary["forecast"] = accuracy
        if out is not None:
            summary["out"] = str(out)
        if json_out:
            emit_json(summary)
            return
        _print_summary(hrun, summary, out)


def _print_summary(hrun, summary: dict, out: Path | None) -> None:
    con = make_console()
    meta = hrun.meta()
    con.print(f"Hotspots ({meta['method']}): area {meta['area'] or 'all stored crime'}, "
              f"{meta['period']['from']} to {meta['period']['to']}, weights {meta['weights']}")
    con.print(f"cells {meta['n_cells']:,} of {meta['cell_size_m']:g} m ({meta['cell_size_rule']}); "
              f"bandwidth {meta['bandwidth_m']:.0f} m ({meta['bandwidth_rule']}); "
              f"neighbours within {meta['neighbour_distance_m']:.1f} m; FDR {meta['fdr']}")
    con.print("classes: " + ", ".join(f"{k} {v:,}" for k, v in summary["classes"].items()))
    key = {"count": "count", "kde": "kde", "gistar": "gi_z", "emerging": "gi_z"}[meta["method"]]
    top = hrun.cells.sort_values(key, ascending=False).head(10)
    rows = [[r.cell_id, f"{r.x_m:.0f}", f"{r.y_m:.0f}", r.count, f"{r.harm:.4g}", f"{r.kde:.4g}",
             f"{r.gi_z:.3f}", f"{r.gi_q:.3g}", r.hotspot_class] for r in top.itertuples()]
    t = table(["cell_id", "x_m", "y_m", "count", "harm", "kde", "gi_z", "gi_q", "class"], rows,
              title=f"top 10 cells by {key}")
    t.columns[0].overflow = "fold"
    con.print(t)
    if "forecast" in summary:
        f = summary["forecast"]
        con.print(f"forecast on {f['period']['from']} to {f['period']['to']}: hit rate {f['hit_rate']:.3f}, "
                  f"PAI {f['pai']:.2f}, best PAI {f['best_pai']:.2f}, efficiency {f['efficiency']:.3f}")
    if out is not None:
        con.print(f"written: {out}")


# ------------------------------------------------------------------------------ patrol

patrol_app = typer.Typer(help="Patrol plans from hotspots.", no_args_is_help=True)


@patrol_app.command("plan")
def patrol_plan(
    area: AreaOpt = None,
    budget_hours: Annotated[float, typer.Option("--budget-hours", help="Officer hours available for hotspot visits.")] = ...,
    shift: Annotated[str, typer.Option("--shift", help="Shift as START-END, e.g. 18:00-02:00 (may cross midnight).")] = ...,
    visit_minutes: Annotated[float, typer.Option("--visit-minutes", help="Minutes per visit (10 to 15 recommended).")] = 15,
    start: FromOpt = None,
    end: ToOpt = None,
    types: TypesOpt = None,
    weights: WeightsOpt = "count",
    cell_size_m: CellOpt = None,
    max_visits_per_cell: Annotated[int, typer.Option("--max-visits-per-cell", help="Visits per cell per shift at most.")] = 3,
    out: Annotated[Path | None, typer.Option("--out", help="Write the sheet: .html, .pdf or .geojson.")] = None,
    title: Annotated[str, typer.Option("--title", help="Sheet title.")] = "Hotspot patrol plan",
    shift_date: Annotated[str | None, typer.Option("--date", help="Date the shift starts, YYYY-MM-DD (default today).")] = None,
    operation: Annotated[str | None, typer.Option("--operation", help="Operation slug (needed with --record).")] = None,
    record: Annotated[bool, typer.Option("--record", help="Record the planned visits in the ledger (planned patrols).")] = False,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    database: DatabaseOpt = None,
    user: UserOpt = "",
) -> None:
    """Pick the cells that cover the most harm within the budget; spread short visits over the shift."""
    import warnings

    from clearhold.hotspot import flows

    with handled_errors():
        from datetime import date

        from clearhold.errors import InvalidInput

        try:
            on = date.fromisoformat(shift_date) if shift_date else None
        except ValueError:
            raise InvalidInput(f"--date was {shift_date!r}; it must be YYYY-MM-DD") from None
        if record and not operation:
            raise InvalidInput("--record needs --operation (the operation the patrols belong to)")
        if record and not user:
            raise InvalidInput("--record needs --user (who is entering the planned patrols)")
        recorded: list[int] = []
        with warnings.catch_warnings(record=True) as caught, \
                _session_scope(database, record or _is_slug(area)) as session:
            warnings.simplefilter("always")
            plan = flows.patrol_plan(
                store=store, area=area, start_month=start, end_month=end, crime_types=_types(types),
                weights=weights, cell_size_m=cell_size_m, budget_hours=budget_hours, shift=shift,
                shift_date=on, visit_minutes=visit_minutes, max_visits_per_cell=max_visits_per_cell,
                session=session,
            )
            if record:
                recorded = flows.record_planned_patrols(
                    session, plan=plan, operation=operation, entered_by=user,
                    area=area if _is_slug(area) else None)
        _warn_lines(caught)
        if out is not None:
            flows.write_plan(plan, out, title=title)
        data = plan.to_dict()
        if out is not None:
            data["out"] = str(out)
        if record:
            data["recorded_ids"] = recorded
        if json_out:
            emit_json(data)
            return
        con = make_console()
        con.print(f"{title}: {len(plan.visits)} visits to {plan.n_cells} cells, "
                  f"{plan.used_minutes:.0f} of {plan.budget_minutes:.0f} minutes; "
                  f"harm covered {plan.harm_covered:.4g} of {plan.harm_total:.4g} ({plan.harm_share:.1%})")
        rows = [[v.order, v.start.strftime("%H:%M"), v.end.strftime("%H:%M"), v.cell_id,
                 v.grid_ref, f"{v.lat:.5f},{v.lon:.5f}", f"{v.harm:.4g}"] for v in plan.visits]
        con.print(table(["#", "start", "end", "cell", "grid ref", "lat,lon", "harm"], rows))
        if out is not None:
            con.print(f"written: {out}")
        if record:
            con.print(f"recorded {len(recorded)} planned patrols in operation {operation}")


# ------------------------------------------------------------------------------ near repeats

def near_repeat(
    events: Annotated[Path | None, typer.Option("--events", help="CSV of events with real timestamps: occurred_at and x_m,y_m (BNG) or lon,lat.")] = None,
    operation: Annotated[str | None, typer.Option("--operation", help="Use this operation's own records (real timestamps) from the ledger.")] = None,
    kinds: Annotated[list[str] | None, typer.Option("--kind", help="Record kind(s) with --operation (repeat).")] = None,
    database: DatabaseOpt = None,
    area: AreaOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    distance_bands_m: Annotated[str, typer.Option("--distance-bands-m", help="Band edges in metres, comma-separated (first 0 = same location).")] = "0,100,200,400",
    time_bands_days: Annotated[str, typer.Option("--time-bands-days", help="Band edges in days, comma-separated.")] = "0,7,14,28",
    permutations: Annotated[int, typer.Option("--permutations", help="Monte Carlo permutations of the dates.")] = 99,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Near-repeat (Knox) table for events with real timestamps. Monthly police.uk data is refused."""
    from clearhold.hotspot import flows

    with handled_errors():
        if events is not None and operation is not None:
            from clearhold.errors import InvalidInput

            raise InvalidInput("give --events or --operation, not both")
        if events is None and operation is None:
            err_console().print(
                "refused: near-repeat analysis needs the date (and time) of each event; police.uk "
                "street crime is published by month only, so every pair within a month would look "
                "simultaneous and the Knox table would be meaningless. Give --events with a force "
                "incident export, or --operation for the product's own records.")
            raise typer.Exit(1)
        bands = {"distance_bands_m": _floats(distance_bands_m, "distance-bands-m"),
                 "time_bands_days": _floats(time_bands_days, "time-bands-days"),
                 "permutations": permutations, "seed": seed}
        if events is not None:
            result = flows.near_repeat_from_csv(events, **bands)
        else:
            from clearhold.interfaces.cli.common import engine_for
            from clearhold.storage.database import session_scope

            with session_scope(engine_for(database)) as session:
                result = flows.near_repeat_from_records(session, operation=operation, kinds=kinds, **bands)
        data = result.to_dict()
        if json_out:
            emit_json(data)
            return
        con = make_console()
        con.print(f"Near-repeat Knox table: {result.n_events} events, {result.n_pairs:,} close pairs, "
                  f"{result.permutations} permutations (seed {result.seed})")
        rows = []
        for cell in data["cells"]:
            rows.append([cell["distance_band"], cell["time_band"], cell["observed"],
                         f"{cell['expected']:.2f}", f"{cell['ratio']:.2f}" if cell["ratio"] is not None else "",
                         f"{cell['p']:.3f}"])
        con.print(table(["distance", "time", "observed", "expected", "ratio", "p"], rows))


def _floats(text: str, name: str) -> list[float]:
    from clearhold.errors import InvalidInput

    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InvalidInput(f"--{name} was {text!r}; it must be numbers separated by commas") from None


def register(app: typer.Typer) -> None:
    app.command("hotspots")(hotspots)
    app.add_typer(patrol_app, name="patrol")
    app.command("near-repeat")(near_repeat)
