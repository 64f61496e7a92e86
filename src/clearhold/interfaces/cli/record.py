"""``clearhold record``: add, import, list, show, correct, delete and history of records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, TzOpt, UserOpt, console, emit_json, engine_for, handled_errors, table

record_app = typer.Typer(help="Activity records of an operation (arrests, seizures, stops ...).", no_args_is_help=True)
_JSON_FIELDS = {"offences", "items", "survey"}


def register(app: typer.Typer) -> None:
    app.add_typer(record_app, name="record")


def _pairs(pairs: list[str]) -> dict:
    import json

    out = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{p!r} is not FIELD=VALUE", param_hint="FIELDS")
        if key in _JSON_FIELDS:
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise typer.BadParameter(f"{key} must be JSON ({exc})", param_hint="FIELDS") from None
        else:
            out[key] = value if value != "" else None
    return out


@record_app.command("add")
def add(
    operation: str,
    kind: Annotated[str, typer.Argument(help="arrest, seizure, vehicle_stop, weapons_sweep, test_purchase, patrol, warrant, referral, court_outcome, engagement")],
    fields: Annotated[list[str] | None, typer.Argument(help="FIELD=VALUE pairs; offences, items and survey take JSON")] = None,
    data: Annotated[str | None, typer.Option("--data", help="The whole record as JSON, @FILE or - (stdin)")] = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one activity. Example: clearhold record add op-a arrest occurred_at=2023-08-01T14:30+01:00
    person_ref=P-0001 offences='[{"group": "Drug offences", "text": "PWITS class A"}]'"""
    from clearhold.interfaces.cli._ledger_io import read_json_arg
    from clearhold.record import service
    from clearhold.storage.database import session_scope

    payload = read_json_arg(data, "--data") if data else {}
    payload.update(_pairs(fields or []))
    payload.update({"operation": operation, "kind": kind})
    with handled_errors(), session_scope(engine_for(database)) as s:
        rec = service.create(s, record_in=payload, entered_by=user)
        state = service.to_state(s, rec)
    emit_json(state) if as_json else console().print(f"recorded {kind} {state['id']}" + (f" ({state['ref']})" if state["ref"] else ""))


@record_app.command("import")
def import_(
    operation: str,
    path: Path,
    kind: Annotated[str | None, typer.Option(help="Kind of every row, when the file has no kind column")] = None,
    skip_existing: Annotated[bool, typer.Option("--skip-existing", help="Skip rows whose ref is already recorded")] = False,
    tz: TzOpt = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a CSV of records: all rows or none; every problem listed with its line and field."""
    from dataclasses import asdict

    from clearhold.record.flows import import_csv
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        report = import_csv(s, path=path, operation=operation, entered_by=user, kind=kind, skip_existing=skip_existing,
                            time_zone=tz)
    out = asdict(report)
    if as_json:
        emit_json(out)
    else:
        console().print(f"{path}: {report.rows_read} rows read, {report.records_created} records created "
                        f"({report.items_created} items), {report.records_skipped} skipped as already recorded")


@record_app.command("list")
def list_(
    operation: str,
    kind: Annotated[str | None, typer.Option()] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD (UK time)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD inclusive (UK time)")] = None,
    area: Annotated[str | None, typer.Option()] = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted records")] = False,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List records of an operation."""
    from clearhold.interfaces.cli._ledger_io import parse_date
    from clearhold.record import service
    from clearhold.reports.review import local_bounds
    from clearhold.storage.database import session_scope

    d0, d1 = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    lo = local_bounds(d0, d0)[0] if d0 else None
    hi = local_bounds(d1, d1)[1] if d1 else None
    with handled_errors(), session_scope(engine_for(database)) as s:
        rows = [service.to_state(s, r) for r in service.list_(
            s, operation_slug=operation, kind=kind, start=lo, end=hi, area_slug=area, include_deleted=deleted, limit=limit)]
    if as_json:
        emit_json(rows)
        return
    console().print(table(["id", "ref", "kind", "when (UTC)", "area", "version", "deleted"], [
        [r["id"], r["ref"], r["kind"], r["occurred_at"][:16], r["area"], r["version"], "yes" if r["deleted_at"] else ""]
        for r in rows]))


@record_app.command("show")
def show(record_id: int, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Show one record in full."""
    from clearhold.interfaces.cli.common import dumps
    from clearhold.record import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        state = service.to_state(s, service.get(s, record_id=record_id, include_deleted=True))
    emit_json(state) if as_json else console().print(dumps(state))


@record_app.command("correct")
def correct(
    record_id: int,
    fields: Annotated[list[str], typer.Argument(help="FIELD=VALUE pairs to change")],
    reason: Annotated[str, typer.Option(help="Why the record is corrected (kept in history)")],
    expected_version: Annotated[int | None, typer.Option(help="Refuse if the record changed since this version")] = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct fields of a record; the previous version stays in its history."""
    from clearhold.interfaces.cli._ledger_io import validated
    from clearhold.record import service
    from clearhold.record.schemas import RecordCorrection
    from clearhold.storage.database import session_scope

    with handled_errors():
        corr = validated(RecordCorrection, changes=_pairs(fields), reason=reason, expected_version=expected_version)
        with session_scope(engine_for(database)) as s:
            state = service.to_state(s, service.correct(s, record_id=record_id, correction=corr, changed_by=user))
    emit_json(state) if as_json else console().print(f"record {record_id} corrected, now version {state['version']}")


@record_app.command("delete")
def delete(
    record_id: int,
    reason: Annotated[str, typer.Option(help="Why the record is withdrawn (kept in history)")],
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
) -> None:
    """Withdraw a record from every figure; it stays in the history."""
    from clearhold.record import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        service.delete(s, record_id=record_id, deleted_by=user, reason=reason)
    console().print(f"record {record_id} deleted")


@record_app.command("history")
def history(record_id: int, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Every version of a record: who changed what, when and why."""
    from clearhold.record import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        rows = [{"version": h.version, "action": h.action, "changed_fields": h.changed_fields, "reason": h.reason,
                 "changed_by": h.changed_by, "changed_at": h.changed_at.isoformat(), "state": h.state}
                for h in service.history(s, record_id=record_id)]
    if as_json:
        emit_json(rows)
        return
    console().print(table(["version", "action", "fields", "reason", "by", "at"], [
        [h["version"], h["action"], ", ".join(h["changed_fields"]), h["reason"], h["changed_by"], h["changed_at"][:19]]
        for h in rows]))
