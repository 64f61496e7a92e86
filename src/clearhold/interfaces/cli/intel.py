"""``clearhold intel``: intelligence logs graded 3x5x2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, TzOpt, UserOpt, console, emit_json, engine_for, handled_errors, table

intel_app = typer.Typer(help="Intelligence logs (3x5x2 grading, handling conditions, dissemination).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(intel_app, name="intel")


def _state(log, *, content: bool = True) -> dict:
    """A log as JSON; ``content=False`` leaves out the graded text (lists show grades only)."""
    return {
        "id": log.id, "ref": log.ref, "intel_date": log.intel_date.isoformat(), "recorded_at": log.recorded_at.isoformat(),
        "recording_officer": log.recording_officer, "source_ref": log.source_ref, "security_marking": log.security_marking,
        "grading_system": log.grading_system, "handling_instructions": log.handling_instructions, "subject": log.subject,
        "items": [{"seq": i.seq, "grade": i.grade, **({"text": i.text} if content else {})} for i in log.items],
        "sanitised": log.sanitised, "sanitised_text": log.sanitised_text if content else None,
        "sanitised_by": log.sanitised_by,
        "originator_approval_by": log.originator_approval_by,
        "disseminations": [{"recipient": d.recipient, "recipient_is_police": d.recipient_is_police, "purpose": d.purpose,
                            "authorised_by": d.authorised_by, "sanitised_copy": d.sanitised_copy,
                            "at": d.disseminated_at.isoformat()} for d in log.disseminations],
    }


@intel_app.command("add")
def add(
    data: Annotated[str, typer.Argument(help="The log as JSON, @FILE or - (stdin)")],
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an intelligence log (items graded like 1BP; code C needs handling_instructions)."""
    from clearhold.intel import service
    from clearhold.intel.schemas import IntelLogCreate
    from clearhold.interfaces.cli._ledger_io import read_json_arg, validated
    from clearhold.storage.database import session_scope

    with handled_errors():
        log_in = validated(IntelLogCreate, read_json_arg(data, "DATA"))
        with session_scope(engine_for(database)) as s:
            out = _state(service.create(s, log_in=log_in, entered_by=user))
    emit_json(out) if as_json else console().print(f"recorded intelligence log {out['ref']}")


@intel_app.command("import")
def import_(
    path: Path,
    operation: Annotated[str | None, typer.Option(help="Operation slug the logs belong to")] = None,
    tz: TzOpt = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a CSV of intelligence logs (one row per graded item): all or nothing."""
    from dataclasses import asdict

    from clearhold.intel.flows import import_csv
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        report = import_csv(s, path=path, operation=operation, entered_by=user, time_zone=tz)
    if as_json:
        emit_json(asdict(report))
    else:
        console().print(f"{path}: {report.rows_read} rows read, {report.logs_created} logs with {report.items_created} graded items")


@intel_app.command("list")
def list_(operation: Annotated[str | None, typer.Option()] = None, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """List intelligence logs (grades and metadata; content with `intel show`)."""
    from clearhold.intel import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        rows = [_state(x, content=False) for x in service.list_(s, operation_slug=operation)]
    if as_json:
        emit_json(rows)
        return
    console().print(table(["ref", "recorded", "marking", "grades", "sanitised", "disseminated"], [
        [r["ref"], r["recorded_at"][:16], r["security_marking"], " ".join(i["grade"] for i in r["items"]),
         "yes" if r["sanitised"] else "", len(r["disseminations"])] for r in rows]))


@intel_app.command("show")
def show(ref: str, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Show a log in full."""
    from clearhold.intel import service
    from clearhold.interfaces.cli.common import dumps
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        out = _state(service.get(s, ref=ref))
    emit_json(out) if as_json else console().print(dumps(out))


@intel_app.command("sanitise")
def sanitise(ref: str, text: Annotated[str, typer.Option(help="The sanitised version for wider sharing")],
             user: UserOpt = "cli", database: DatabaseOpt = None) -> None:
    """Add a sanitised version; the original stays unchanged."""
    from clearhold.intel import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        service.sanitise(s, ref=ref, sanitised_text=text, sanitised_by=user)
    console().print(f"{ref} sanitised")


@intel_app.command("approve")
def approve(ref: str, user: UserOpt = "cli", database: DatabaseOpt = None) -> None:
    """Record the originator's approval to disseminate a log with handling code C."""
    from clearhold.intel import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        service.approve(s, ref=ref, approved_by=user)
    console().print(f"{ref}: originator approval recorded")


@intel_app.command("disseminate")
def disseminate(
    ref: str,
    recipient: Annotated[str, typer.Option()],
    purpose: Annotated[str, typer.Option()],
    partner: Annotated[bool, typer.Option("--partner", help="Recipient is outside policing (gets the sanitised copy only)")] = False,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
) -> None:
    """Log a dissemination; refused for C-graded logs without approval, and for unsanitised logs to partners."""
    from clearhold.intel import service
    from clearhold.intel.schemas import DisseminationIn
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        service.disseminate(s, ref=ref, dissemination_in=DisseminationIn(
            recipient=recipient, recipient_is_police=not partner, purpose=purpose, authorised_by=user))
    console().print(f"{ref} disseminated to {recipient}")
