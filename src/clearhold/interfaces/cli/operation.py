"""``clearhold operation``: create, list and show operations; add tactics."""

from __future__ import annotations

from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, UserOpt, console, emit_json, engine_for, handled_errors, table

operation_app = typer.Typer(help="Operations and their tactics.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(operation_app, name="operation")


def _read(op) -> dict:
    from clearhold.operation.schemas import OperationRead

    return OperationRead.model_validate(op).model_dump(mode="json")


@operation_app.command("create")
def create(
    slug: str,
    name: Annotated[str, typer.Option(help="Full name, e.g. 'Op Revive'")],
    starts_on: Annotated[str, typer.Option("--starts-on", help="First day, YYYY-MM-DD")],
    ends_on: Annotated[str | None, typer.Option("--ends-on", help="Last day, YYYY-MM-DD")] = None,
    force: Annotated[str | None, typer.Option(help="Police force")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an operation."""
    from clearhold.interfaces.cli._ledger_io import validated
    from clearhold.operation import service
    from clearhold.operation.schemas import OperationCreate
    from clearhold.storage.database import session_scope

    with handled_errors():
        op_in = validated(OperationCreate, slug=slug, name=name, starts_on=starts_on, ends_on=ends_on, force=force,
                          description=description)
        with session_scope(engine_for(database)) as s:
            out = _read(service.create(s, operation_in=op_in, created_by=user))
    emit_json(out) if as_json else console().print(f"created operation {out['slug']} (id {out['id']})")


@operation_app.command("tactic")
def add_tactic(
    operation: str,
    name: str,
    category: Annotated[str, typer.Option(help="anpr_stops, weapons_sweep, test_purchase, hotspot_patrol, warrant, diversion, partnership, intelligence, other")] = "other",
    new: Annotated[bool, typer.Option("--new", help="A new tactic under evaluation")] = False,
    description: Annotated[str | None, typer.Option()] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add a tactic to an operation."""
    from clearhold.interfaces.cli._ledger_io import validated
    from clearhold.operation import service
    from clearhold.operation.schemas import TacticCreate
    from clearhold.storage.database import session_scope

    with handled_errors():
        t_in = validated(TacticCreate, name=name, category=category, is_new=new, description=description)
        with session_scope(engine_for(database)) as s:
            service.add_tactic(s, operation_slug=operation, tactic_in=t_in)
    console().print(f"added tactic {name!r} to {operation}")


@operation_app.command("list")
def list_(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """List operations."""
    from clearhold.operation import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        ops = [_read(o) for o in service.list_(s)]
    if as_json:
        emit_json(ops)
        return
    console().print(table(["slug", "name", "from", "to", "tactics"],
                          [[o["slug"], o["name"], o["starts_on"], o["ends_on"], len(o["tactics"])] for o in ops]))


@operation_app.command("show")
def show(slug: str, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Show an operation and its tactics."""
    from clearhold.operation import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        o = _read(service.get(s, slug=slug))
    if as_json:
        emit_json(o)
        return
    c = console()
    c.print(f"{o['name']} ({o['slug']}), {o['force'] or 'force not set'}, {o['starts_on']} to {o['ends_on'] or 'open'}")
    c.print(table(["tactic", "category", "new"], [[t["name"], t["category"], "yes" if t["is_new"] else ""] for t in o["tactics"]]))
