"""``clearhold prices``: versioned drug price tables."""

from __future__ import annotations

from pathlib import Path

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, console, emit_json, engine_for, handled_errors

prices_app = typer.Typer(help="Drug price tables used to value seizures.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(prices_app, name="prices")


@prices_app.command("load")
def load(path: Path, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Load a price table (TOML: version, source, published_on, [[entries]])."""
    from clearhold.record import prices
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        t = prices.load(s, path=path)
        out = {"version": t.version, "source": t.source, "published_on": t.published_on.isoformat(), "entries": t.entries}
    emit_json(out) if as_json else console().print(
        f"price table {out['version']} ({len(out['entries'])} prices); set CLEARHOLD_DRUG_PRICE_TABLE={out['version']} to use it")


@prices_app.command("show")
def show(version: str = "illustrative-2023", database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Show a price table."""
    from clearhold.record import prices
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        t = prices.get(s, version=version)
        out = {"version": t.version, "source": t.source, "published_on": t.published_on.isoformat(), "notes": t.notes,
               "entries": t.entries}
    if as_json:
        emit_json(out)
        return
    c = console()
    c.print(f"{out['version']}: {out['source']} ({out['published_on']})")
    for e in out["entries"]:
        c.print(f"  {e['drug_type']} (class {e['drug_class']}): £{e['price_pence'] / 100:,.2f} per {e['unit']}")
