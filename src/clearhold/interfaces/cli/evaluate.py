"""``clearhold evaluate``: did it work? (and ``clearhold evaluate plan``: could we tell?)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, StoreOpt, err_console, handled_errors

FORMATS = ("html", "pdf", "json", "md")

TreatedOpt = Annotated[list[str] | None, typer.Option("--treated", help="Treated area (spec or panel label); repeatable.")]
ControlOpt = Annotated[list[str] | None, typer.Option("--control", help="Comparison area; repeatable.")]
BufferOpt = Annotated[list[str] | None, typer.Option("--buffer", help="Buffer (displacement) area; repeatable.")]
OperationOpt = Annotated[str | None, typer.Option("--operation", help="Operation slug: its target, comparison and buffer areas.")]
TypesOpt = Annotated[list[str] | None, typer.Option("--types", help="Crime types (repeatable or comma-separated); default all.")]
PanelOpt = Annotated[
    Path | None,
    typer.Option("--panel", help="CSV of monthly counts (area,month,count[,harm]) to use instead of the crime store."),
]


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        name="evaluate",
        help="Did it work? Evaluate an operation against comparison areas (WDD, WDQ, DiD, synthetic control, ITS).",
        invoke_without_command=True,
        no_args_is_help=False,
    )
    sub.callback(invoke_without_command=True)(evaluate)
    sub.command("plan")(plan)
    sub.command("scorecard")(scorecard)
    app.add_typer(sub, name="evaluate")


def _types(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [t.strip() for v in values for t in v.split(",") if t.strip()]
    return out or None


def _read_panel(path: Path):
    import pandas as pd

    from clearhold.errors import InvalidInput

    try:
        frame = pd.read_csv(path, dtype={"area": str, "month": str})
    except FileNotFoundError:
        raise InvalidInput(f"--panel was {str(path)!r}; no such file") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"--panel was {str(path)!r}; not a readable CSV ({exc})") from None
    missing = {"area", "month", "count"} - set(frame.columns)
    if missing:
        raise InvalidInput(f"--panel was {str(path)!r}; it lacks column(s) {sorted(missing)!r} (needs area, month, count)")
    return frame


def evaluate(
    ctx: typer.Context,
    operation: OperationOpt = None,
    treated: TreatedOpt = None,
    control: ControlOpt = None,
    buffer: BufferOpt = None,
    before: Annotated[str | None, typer.Option("--before", help="Months before, FROM..TO (YYYY-MM..YYYY-MM).")] = None,
    during: Annotated[str | None, typer.Option("--during", help="Months of the operation, FROM..TO.")] = None,
    after: Annotated[str | None, typer.Option("--after", help="Months after, FROM..TO (persistence).")] = None,
    types: TypesOpt = None,
    weights: Annotated[str, typer.Option("--weights", help="Harm set for harm-weighted counts (default: count).")] = "count",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, json or md")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output; pdf needs --out).")] = None,
    draws: Annotated[int, typer.Option("--draws", help="Placebo draws for randomisation inference.")] = 999,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the placebo draws.")] = 0,
    keep_whole: Annotated[bool, typer.Option("--keep-whole", help="Do not split comparison areas into their LSOAs.")] = False,
    panel: PanelOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Evaluate an operation: every method with its interval, checks and Maryland level."""
    if ctx.invoked_subcommand is not None:
        return
    if as_json:
        fmt = "json"
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}; use one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "pdf" and out is None:
        raise typer.BadParameter("PDF is binary: give --out FILE.pdf", param_hint="--out")
    if (operation is None) == (not treated):
        raise typer.BadParameter("give --operation SLUG or --treated AREA (one of them)", param_hint="--operation/--treated")
    if before is None or during is None:
        raise typer.BadParameter("--before and --during are required (FROM..TO)", param_hint="--before/--during")
    if panel is not None and operation is not None:
        raise typer.BadParameter("--panel works with --treated labels, not --operation", param_hint="--panel")
    with handled_errors():
        from clearhold.reports.evaluation import render

        result = _run(operation, treated, control, buffer, before, during, after, _types(types), weights, draws,
                      seed, keep_whole, panel, store, database)
        content = render(result, fmt)
    _write(content, out)


def _run(operation, treated, control, buffer, before, during, after, types, weights, draws, seed, keep_whole,
         panel, store, database):
    from clearhold.evaluation import flows

    if panel is not None:
        frame = _read_panel(panel)
        value = "count" if weights == "count" else "harm"
        labels = sorted(frame["area"].astype(str).unique())
        ctrl = list(control) if control else [a for a in labels if a not in set(treated) | set(buffer or [])]
        return flows.evaluate_panel(frame, treated=list(treated), control=ctrl, buffer=list(buffer or []),
                                    before=before, during=during, after=after, value_col=value, n_draws=draws,
                                    seed=seed)
    from clearhold.interfaces.cli.common import engine_for, settings_for
    from clearhold.storage.database import session_scope

    settings = settings_for(database, store)
    store_dir = settings.resolved_store
    if operation is not None:
        with session_scope(engine_for(database)) as session:
            return flows.evaluate(store=store_dir, session=session, operation=operation, control=control,
                                  buffer=buffer, before=before, during=during, after=after, crime_types=types,
                                  weights=weights, n_draws=draws, seed=seed)
    return flows.evaluate(store=store_dir, treated=list(treated), control=list(control or []),
                          buffer=list(buffer or []), before=before, during=during, after=after,
                          crime_types=types, weights=weights, n_draws=draws, seed=seed)


def _write(content, out: Path | None) -> None:
    import sys

    if out is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        if isinstance(content, str) and not content.endswith("\n"):
            sys.stdout.write("\n")
        return
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    err_console().print(f"wrote {out}")


def plan(
    operation: OperationOpt = None,
    treated: TreatedOpt = None,
    control: ControlOpt = None,
    history: Annotated[str | None, typer.Option("--history", help="Historic months to learn from, FROM..TO.")] = None,
    weeks: Annotated[float, typer.Option("--weeks", help="Planned duration of the operation in weeks.")] = 10.0,
    types: TypesOpt = None,
    power: Annotated[float, typer.Option("--power", help="Power (default 0.8).")] = 0.8,
    alpha: Annotated[float, typer.Option("--alpha", help="Two-sided level (default 0.05).")] = 0.05,
    panel: PanelOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Before an operation starts: the smallest fall the chosen design could detect."""
    if (operation is None) == (not treated):
        raise typer.BadParameter("give --operation SLUG or --treated AREA (one of them)", param_hint="--operation/--treated")
    if history is None:
        raise typer.BadParameter("--history FROM..TO is required", param_hint="--history")
    with handled_errors():
        from clearhold.evaluation import flows

        if panel is not None:
            from clearhold.analytics.evaluation import minimum_detectable_effect
            from clearhold.analytics.evaluation.panel import month_range

            frame = _read_panel(panel)
            months = month_range(history, "history")
            frame = frame[frame["month"].astype(str).str[:7].isin(months)]
            res = minimum_detectable_effect(frame, list(treated), duration_weeks=weeks, control=control or None,
                                            alpha=alpha, power=power)
            result = res.to_dict()
            result.update({"history": f"{months[0]}..{months[-1]}", "treated": list(treated),
                           "control_units": len(control or []), "crime_types": _types(types)})
        else:
            from clearhold.interfaces.cli.common import engine_for, settings_for
            from clearhold.storage.database import session_scope

            store_dir = settings_for(database, store).resolved_store
            if operation is not None:
                with session_scope(engine_for(database)) as session:
                    result = flows.plan(store=store_dir, session=session, operation=operation, control=control,
                                        history=history, duration_weeks=weeks, crime_types=_types(types),
                                        alpha=alpha, power=power)
            else:
                result = flows.plan(store=store_dir, treated=list(treated), control=control, history=history,
                                    duration_weeks=weeks, crime_types=_types(types), alpha=alpha, power=power)
    if as_json:
        from clearhold.interfaces.cli.common import emit_json

        emit_json(result)
        return
    from clearhold.interfaces.cli.common import console

    c = console()
    c.print(result["sentence"])
    c.print(f"Design: {result['design']}; history {result['history']}; over-dispersion alpha {result['nb_alpha']:.3f}; "
            f"a rise of {100 * result['rise']:.0f}% or more is detectable too.")


def scorecard(
    operation: Annotated[str, typer.Argument(help="Operation slug.")],
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: the operation's start).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, inclusive (default: the operation's end, or today).")] = None,
    officer_hour_gbp: Annotated[float | None, typer.Option("--officer-hour-gbp", help="Cost of one officer hour (state its source).")] = None,
    as_json: JsonOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Tactic scorecards: volume, yield with a Wilson interval, cost per outcome, business as usual?"""
    with handled_errors():
        from clearhold.evaluation.scorecards import scorecards
        from clearhold.interfaces.cli._ledger_io import parse_date
        from clearhold.interfaces.cli.common import engine_for
        from clearhold.reports.review import build_review
        from clearhold.storage.database import session_scope

        start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
        with session_scope(engine_for(database)) as s:
            review = build_review(s, operation_slug=operation, start=start, end=end)
        card = scorecards(review, officer_hour_gbp=officer_hour_gbp)
    if as_json:
        from clearhold.interfaces.cli.common import emit_json

        emit_json(card.to_dict())
        return
    from clearhold.interfaces.cli.common import console

    c = console()
    for t in card.tactics:
        c.print(t.tactic)
        c.print("  " + t.business_as_usual)
