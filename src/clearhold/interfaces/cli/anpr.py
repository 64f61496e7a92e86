"""``clearhold anpr``: match files, import and serve reads, hotlists, hits, search, audit, purge."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import (
    DatabaseOpt,
    JsonOpt,
    UserOpt,
    console,
    emit_json,
    engine_for,
    handled_errors,
    table,
)

anpr = typer.Typer(help="ANPR back office: reads, hotlists, hits, investigation, audit, retention.", no_args_is_help=True)
hotlist_app = typer.Typer(help="Hotlists: add, load, list, change, expire entries.", no_args_is_help=True)
hits_app = typer.Typer(help="Hits: list, acknowledge, record the outcome.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
access_app = typer.Typer(help="Access authorisations (roles, senior authorisations).", no_args_is_help=True)
anpr.add_typer(hotlist_app, name="hotlist")
anpr.add_typer(hits_app, name="hits")
anpr.add_typer(audit_app, name="audit")
anpr.add_typer(access_app, name="access")

ReasonOpt = Annotated[str, typer.Option("--reason", help="Why you are searching (audited).")]
AuthOpt = Annotated[int | None, typer.Option("--authorisation", help="Senior authorisation id (reads > 90 days old).")]
SinceOpt = Annotated[str, typer.Option("--since", help="Earliest capture time: ISO 8601 or a number of days, e.g. 30d.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Latest capture time (ISO 8601).")]


def register(app: typer.Typer) -> None:
    app.add_typer(anpr, name="anpr")


def _when(text: str, now=None):
    """ISO 8601, or ``Nd`` = N days before ``now`` (pass the same ``now`` to the access check)."""
    from datetime import timedelta

    from clearhold.anpr.files import parse_time
    from clearhold.errors import InvalidInput
    from clearhold.storage.base import utcnow

    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit():
        return (now or utcnow()) - timedelta(days=int(text[:-1]))
    try:
        return parse_time(text, path="--since/--until", line=0, field="time")
    except InvalidInput:
        raise InvalidInput(f"time was {text!r}; it must be ISO 8601 or a number of days such as 30d") from None


@contextmanager
def _refusals_audited(engine, user: str, action: str, reason: str | None, query: dict):
    """A refused search is written to the audit log before the refusal is reported."""
    from clearhold.anpr.flows import audit_refusal
    from clearhold.errors import PermissionDenied

    try:
        yield
    except PermissionDenied as exc:
        audit_refusal(engine, user=user, action=action, reason=reason, query=query, problem=str(exc))
        raise


def _dump(obj):
    from dataclasses import asdict, is_dataclass

    return asdict(obj) if is_dataclass(obj) else obj


@anpr.command("match")
def match_cmd(
    hotlist: Annotated[Path, typer.Option("--hotlist", help="Hotlist CSV (vrm, reason, priority, ...).")],
    reads: Annotated[Path, typer.Option("--reads", help="Reads CSV (read_id, camera_id, captured_at, vrm).")],
    json_out: JsonOpt = False,
) -> None:
    """Match a file of reads against a hotlist file offline (exact and misread-equivalent)."""
    from clearhold.anpr.files import match_files

    with handled_errors():
        hits = match_files(hotlist, reads)
    if json_out:
        emit_json(hits)
        return
    cols = ["read_id", "camera_id", "captured_at", "vrm_read", "vrm_hotlist", "match_type", "priority"]
    console().print(table(cols, [[h[c] for c in cols] for h in hits], title=f"{len(hits)} hits"))


@anpr.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="Reads CSV.")],
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a reads CSV: stored, matched against the hotlists, alerts recorded (idempotent)."""
    from clearhold.anpr import files, service
    from clearhold.storage.database import session_scope

    with handled_errors():
        reads = files.read_reads_csv(path)
        engine = engine_for(database)
        total = {"accepted": 0, "duplicates": 0, "hits": []}
        with session_scope(engine) as session:
            live = service.load_index(session)
            for start in range(0, len(reads), 5000):
                result = service.ingest_reads(session, reads_in=reads[start:start + 5000], live=live)
                total["accepted"] += result.accepted
                total["duplicates"] += result.duplicates
                total["hits"].extend(result.hits)
    if json_out:
        emit_json(total)
        return
    console().print(f"{total['accepted']} reads stored, {total['duplicates']} already present, {len(total['hits'])} alerts")


@anpr.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8406,
    database: DatabaseOpt = None,
) -> None:
    """Run the ingest service: POST /anpr/reads, GET /anpr/alerts/stream (server-sent events)."""
    import uvicorn

    from clearhold.interfaces.api.anpr_ingest import create_app

    with handled_errors():
        app = create_app(database_url=database)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=3)


# ------------------------------------------------------------------------------ hotlists

@hotlist_app.command("add")
def hotlist_add(
    vrm: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason")],
    user: UserOpt,
    priority: Annotated[str, typer.Option("--priority")] = "medium",
    hotlist: Annotated[str, typer.Option("--hotlist")] = "local",
    action: Annotated[str | None, typer.Option("--action")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    marker: Annotated[list[str] | None, typer.Option("--marker")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="ISO 8601")] = None,
    review: Annotated[str | None, typer.Option("--review", help="ISO 8601")] = None,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add one entry; it is matched at once against the last 12 months of reads."""
    from pydantic import ValidationError

    from clearhold.anpr import service
    from clearhold.anpr.schemas import HotlistEntryCreate
    from clearhold.errors import InvalidInput
    from clearhold.storage.database import session_scope

    with handled_errors():
        try:
            entry_in = HotlistEntryCreate(vrm=vrm, reason=reason, priority=priority, action=action, owner=owner,
                                          markers=marker or [], expires_at=_when(expires) if expires else None,
                                          review_at=_when(review) if review else None)
        except ValidationError as exc:
            raise InvalidInput(exc.errors()[0]["msg"]) from None
        with session_scope(engine_for(database)) as session:
            service.get_or_create_hotlist(session, name=hotlist)
            added = service.add_entries(session, hotlist=hotlist, entries_in=[entry_in], by=user)
            out = {"entry_id": added.entries[0].id, "vrm": added.entries[0].vrm,
                   "seen": [{"read_id": h.read_ref, "camera_id": h.camera_ref, "captured_at": h.captured_at,
                             "vrm_read": h.vrm_read, "match_type": h.match_type} for h in added.seen]}
    if json_out:
        emit_json(out)
        return
    console().print(f"entry {out['entry_id']} {out['vrm']} added; seen {len(out['seen'])} times in the last 12 months")
    for s in out["seen"]:
        console().print(f"  {s['captured_at'].isoformat()} {s['camera_id']} {s['vrm_read']} ({s['match_type']})")


@hotlist_app.command("load")
def hotlist_load(
    path: Annotated[Path, typer.Argument(help="Hotlist CSV.")],
    user: UserOpt,
    hotlist: Annotated[str, typer.Option("--hotlist")] = "local",
    source: Annotated[str, typer.Option("--source")] = "local",
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Bulk-load entries from a CSV; all are matched against the last 12 months of reads."""
    from clearhold.anpr import files, service
    from clearhold.storage.database import session_scope

    with handled_errors():
        entries = files.read_hotlist_csv(path)
        with session_scope(engine_for(database)) as session:
            service.get_or_create_hotlist(session, name=hotlist, source=source)
            added = service.add_entries(session, hotlist=hotlist, entries_in=entries, by=user)
            out = {"entries": len(added.entries), "seen": len(added.seen)}
    if json_out:
        emit_json(out)
        return
    console().print(f"{out['entries']} entries loaded into {hotlist}; {out['seen']} past sightings found")


@hotlist_app.command("list")
def hotlist_list(
    hotlist: Annotated[str | None, typer.Option("--hotlist")] = None,
    active: Annotated[bool, typer.Option("--active")] = False,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List entries."""
    from clearhold.anpr import service
    from clearhold.storage.database import session_scope

    cols = ["id", "vrm", "reason", "priority", "source", "action", "owner", "review_at", "expires_at"]
    with handled_errors(), session_scope(engine_for(database)) as session:
        rows = [{c: getattr(e, c) for c in cols} for e in service.list_entries(session, hotlist=hotlist, active_only=active)]
    if json_out:
        emit_json(rows)
        return
    console().print(table(cols, [[r[c] for c in cols] for r in rows]))


@hotlist_app.command("change")
def hotlist_change(
    entry_id: int, user: UserOpt,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    priority: Annotated[str | None, typer.Option("--priority")] = None,
    action: Annotated[str | None, typer.Option("--action")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    review: Annotated[str | None, typer.Option("--review", help="ISO 8601")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="ISO 8601")] = None,
    database: DatabaseOpt = None, json_out: JsonOpt = False,
) -> None:
    """Change an entry's reason, priority, action, owner, review or expiry date."""
    from pydantic import ValidationError

    from clearhold.anpr import service
    from clearhold.anpr.schemas import HotlistEntryUpdate
    from clearhold.errors import InvalidInput
    from clearhold.storage.database import session_scope

    given = {"reason": reason, "priority": priority, "action": action, "owner": owner,
             "review_at": _when(review) if review else None, "expires_at": _when(expires) if expires else None}
    with handled_errors():
        try:
            update = HotlistEntryUpdate(**{k: v for k, v in given.items() if v is not None})
        except ValidationError as exc:
            raise InvalidInput(exc.errors()[0]["msg"]) from None
        with session_scope(engine_for(database)) as session:
            entry = service.update_entry(session, entry_id=entry_id, entry_in=update, by=user)
            out = {c: getattr(entry, c) for c in ("id", "vrm", "reason", "priority", "action", "owner", "review_at", "expires_at")}
    emit_json(out) if json_out else console().print(f"entry {entry_id} changed")


@hotlist_app.command("expire")
def hotlist_expire(entry_id: int, user: UserOpt, database: DatabaseOpt = None) -> None:
    """Expire an entry now (no more alerts)."""
    from clearhold.anpr import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        service.expire_entry(session, entry_id=entry_id, by=user)
    console().print(f"entry {entry_id} expired")


# ---------------------------------------------------------------------------------- hits

def _hit_dict(hit) -> dict:
    from clearhold.anpr.schemas import HitRead

    return HitRead.model_validate(hit).model_dump()


@hits_app.command("list")
def hits_list(
    status: Annotated[str | None, typer.Option("--status")] = None,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The control room list of live alerts."""
    from clearhold.anpr import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        rows = [_hit_dict(h) for h in service.list_hits(session, status=status, limit=10_000)]
    if json_out:
        emit_json(rows)
        return
    cols = ["id", "captured_at", "camera_ref", "vrm_read", "vrm_hotlist", "match_type", "status", "outcome"]
    console().print(table(cols, [[r[c] for c in cols] for r in rows]))


@hits_app.command("ack")
def hits_ack(
    hit_id: int,
    decision: Annotated[str, typer.Option("--decision", help="accept, reject_misread or reject_wrong_vehicle")],
    user: UserOpt,
    image_viewed: Annotated[bool, typer.Option("--image-viewed", help="Confirm you viewed the plate image.")] = False,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Acknowledge a hit after viewing the image."""
    from clearhold.anpr import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        out = _hit_dict(service.acknowledge(session, hit_id=hit_id, decision=decision, by=user, image_viewed=image_viewed))
    emit_json(out) if json_out else console().print(f"hit {hit_id} {out['status']}")


@hits_app.command("outcome")
def hits_outcome(
    hit_id: int,
    outcome: Annotated[str, typer.Option("--outcome", help="not_located, stopped, searched or arrest")],
    user: UserOpt,
    operation: Annotated[str | None, typer.Option("--operation", help="Operation slug: stops/arrests become ledger records.")] = None,
    person_ref: Annotated[str | None, typer.Option("--person-ref")] = None,
    offence: Annotated[str | None, typer.Option("--offence", help="group:text of the arrest offence")] = None,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record what happened; with --operation a stop/arrest is also entered in the ledger."""
    from clearhold.anpr import flows, service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        if operation:
            hit = flows.record_outcome(session, hit_id=hit_id, outcome=outcome, by=user, operation=operation,
                                       person_ref=person_ref, offence=offence)
        else:
            hit = service.record_outcome(session, hit_id=hit_id, outcome=outcome, by=user)
        out = _hit_dict(hit)
    emit_json(out) if json_out else console().print(f"hit {hit_id}: {out['outcome']}")


# ------------------------------------------------------------------------- investigation

@anpr.command("search")
def search_cmd(
    pattern: Annotated[str, typer.Argument(help="Plate, with * (any run) and ? (one character).")],
    user: UserOpt,
    reason: ReasonOpt,
    since: SinceOpt = "90d",
    until: UntilOpt = None,
    misread: Annotated[bool, typer.Option("--misread", help="Tolerate OCR confusions.")] = False,
    camera: Annotated[list[str] | None, typer.Option("--camera")] = None,
    bbox: Annotated[str | None, typer.Option("--bbox", help="min_lon,min_lat,max_lon,max_lat")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Area slug: reads inside its polygon.")] = None,
    authorisation: AuthOpt = None,
    export: Annotated[Path | None, typer.Option("--export", help="Write the result to this CSV (audited).")] = None,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Search reads (access-checked by data age, audited)."""
    from clearhold.anpr import search
    from clearhold.errors import InvalidInput
    from clearhold.storage.base import utcnow
    from clearhold.storage.database import session_scope

    with handled_errors():
        box = None
        if bbox:
            try:
                box = tuple(float(v) for v in bbox.split(","))
            except ValueError:
                raise InvalidInput(f"bbox was {bbox!r}; it must be four numbers min_lon,min_lat,max_lon,max_lat") from None
            if len(box) != 4:
                raise InvalidInput(f"bbox was {bbox!r}; it must be four numbers min_lon,min_lat,max_lon,max_lat")
        now = utcnow()
        query = search.ReadQuery(pattern=pattern, since=_when(since, now), until=_when(until) if until else None,
                                 misread_tolerant=misread, camera_refs=camera, bbox=box, area=area)
        engine = engine_for(database)
        with _refusals_audited(engine, user, "export" if export else "search", reason, query.as_dict()), \
                session_scope(engine) as session:
            if export:
                n = search.export_reads(session, user=user, reason=reason, query=query, path=export,
                                        authorisation_id=authorisation, now=now)
                rows = None
            else:
                rows = search.search_reads(session, user=user, reason=reason, query=query,
                                           authorisation_id=authorisation, now=now)
    if rows is None:
        emit_json({"exported": n, "path": str(export)}) if json_out else console().print(f"{n} reads written to {export}")
        return
    if json_out:
        emit_json(rows)
        return
    cols = ["captured_at", "camera_id", "vrm_raw", "vrm", "match_type", "lat", "lon"]
    console().print(table(cols, [[r[c] for c in cols] for r in rows], title=f"{len(rows)} reads"))


@anpr.command("where-seen")
def where_seen_cmd(
    vrm: str, user: UserOpt, reason: ReasonOpt, since: SinceOpt = "90d", until: UntilOpt = None,
    misread: Annotated[bool, typer.Option("--misread")] = False, authorisation: AuthOpt = None,
    geojson: Annotated[bool, typer.Option("--geojson", help="Print GeoJSON points and track for a map.")] = False,
    database: DatabaseOpt = None, json_out: JsonOpt = False,
) -> None:
    """A vehicle's sightings over time with positions."""
    from clearhold.anpr import search
    from clearhold.storage.database import session_scope

    from clearhold.storage.base import utcnow

    engine = engine_for(database)
    now = utcnow()
    with handled_errors(), _refusals_audited(engine, user, "where_seen", reason, {"vrm": vrm, "since": since}), \
            session_scope(engine) as session:
        rows = search.where_seen(session, user=user, reason=reason, vrm=vrm, since=_when(since, now),
                                 until=_when(until) if until else None, misread_tolerant=misread,
                                 authorisation_id=authorisation, now=now)
    if geojson:
        from clearhold.analytics.anpr_where_seen import where_seen_geojson

        emit_json(where_seen_geojson(rows))
        return
    if json_out:
        emit_json(rows)
        return
    cols = ["captured_at", "camera_id", "site", "vrm", "match_type", "lat", "lon"]
    console().print(table(cols, [[r[c] for c in cols] for r in rows]))


@anpr.command("companions")
def companions_cmd(
    vrm: str, user: UserOpt, reason: ReasonOpt, since: SinceOpt = "90d", until: UntilOpt = None,
    window_s: Annotated[float, typer.Option("--window-s")] = 60.0,
    min_sites: Annotated[int, typer.Option("--min-sites")] = 3, authorisation: AuthOpt = None,
    database: DatabaseOpt = None, json_out: JsonOpt = False,
) -> None:
    """Vehicles co-sighted with VRM within the window at several distinct sites."""
    from clearhold.anpr import search
    from clearhold.storage.database import session_scope

    from clearhold.storage.base import utcnow

    engine = engine_for(database)
    now = utcnow()
    with handled_errors(), _refusals_audited(engine, user, "companions", reason, {"vrm": vrm, "since": since}), \
            session_scope(engine) as session:
        frame = search.companions(session, user=user, reason=reason, vrm=vrm, since=_when(since, now),
                                  until=_when(until) if until else None, window_s=window_s,
                                  min_sites=min_sites, authorisation_id=authorisation, now=now)
    rows = frame.to_dict("records")
    if json_out:
        emit_json(rows)
        return
    cols = ["vrm", "n_sites", "n_sightings", "first_seen", "last_seen"]
    console().print(table(cols, [[r[c] for c in cols] for r in rows]))


# ------------------------------------------------------------------- retention and audit

@anpr.command("purge")
def purge_cmd(
    user: UserOpt,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be deleted.")] = False,
    database: DatabaseOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Delete reads older than 365 days unless preserved; reports what was deleted."""
    from clearhold.anpr import retention
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        report = _dump(retention.purge(session, by=user, dry_run=dry_run))
    if json_out:
        emit_json(report)
        return
    verb = "would delete" if dry_run else "deleted"
    console().print(f"{verb} {report['deleted']} reads captured before {report['cutoff'].isoformat()} "
                    f"({report['kept_preserved']} preserved reads kept)")
    for cam, n in report["by_camera"].items():
        console().print(f"  {cam}: {n}")


@anpr.command("preserve")
def preserve_cmd(
    read_ids: Annotated[list[str], typer.Argument(help="read_id of each read to keep past 12 months.")],
    investigation: Annotated[str, typer.Option("--investigation", help="The named investigation or prosecution.")],
    user: UserOpt, database: DatabaseOpt = None, json_out: JsonOpt = False,
) -> None:
    """Preserve reads for a named investigation (the purge keeps them; audited)."""
    from clearhold.anpr import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        n = service.preserve(session, read_ids=read_ids, investigation=investigation, by=user)
    out = {"preserved": n, "investigation": investigation}
    emit_json(out) if json_out else console().print(f"{n} reads preserved for {investigation}")
    if n < len(set(read_ids)):
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Recompute the hash chain; exit 1 if any row was changed, removed or inserted."""
    from clearhold.anpr import audit
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        result = _dump(audit.verify(session))
    if json_out:
        emit_json(result)
    else:
        console().print(f"audit log intact: {result['rows']} rows" if result["ok"] else f"TAMPERED: {result['problem']}")
    if not result["ok"]:
        raise typer.Exit(1)


@audit_app.command("list")
def audit_list(limit: Annotated[int, typer.Option("--limit")] = 50, database: DatabaseOpt = None,
               json_out: JsonOpt = False) -> None:
    """The latest audit rows."""
    from clearhold.anpr import audit
    from clearhold.storage.database import session_scope

    cols = ["id", "at", "actor", "action", "reason", "query", "result_count"]
    with handled_errors(), session_scope(engine_for(database)) as session:
        rows = [{c: getattr(r, c) for c in cols} for r in audit.list_(session, limit=limit)]
    if json_out:
        emit_json(rows)
        return
    console().print(table(cols, [[r[c] for c in cols] for r in rows]))


@access_app.command("grant-role")
def grant_role_cmd(target: Annotated[str, typer.Argument(help="User receiving the role.")],
                   role: Annotated[str, typer.Option("--role")], reason: ReasonOpt, user: UserOpt,
                   database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Record that a user holds an ANPR role."""
    from clearhold.anpr import access
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        row = access.grant_role(session, user=target, role=role, granted_by=user, reason=reason)
        out = {"authorisation_id": row.id, "user": target, "role": role}
    emit_json(out) if json_out else console().print(f"authorisation {out['authorisation_id']}: {target} is {role}")


@access_app.command("grant-senior")
def grant_senior_cmd(target: Annotated[str, typer.Argument(help="User authorised.")],
                     offence_category: Annotated[str, typer.Option("--offence-category")],
                     rank: Annotated[str, typer.Option("--rank", help="Rank of the authorising officer.")],
                     reason: ReasonOpt, user: UserOpt, database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Record a senior officer's authorisation (you are the senior officer)."""
    from clearhold.anpr import access
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as session:
        row = access.grant_senior(session, user=target, offence_category=offence_category, granted_by=user,
                                  granted_by_rank=rank, reason=reason)
        out = {"authorisation_id": row.id, "user": target, "offence_category": offence_category}
    emit_json(out) if json_out else console().print(f"senior authorisation {out['authorisation_id']} for {target}")


# ------------------------------------------------------------------------------ synthetic

def _network(seed: int, start: str | None, days: int, cameras: int, vehicles: int, hotlisted: int):
    from clearhold.anpr import synthetic

    return synthetic.generate(seed, start=_when(start) if start else None, days=days, n_cameras=cameras,
                              n_vehicles=vehicles, n_hotlisted=hotlisted)


SeedOpt = Annotated[int, typer.Option("--seed")]
StartOpt = Annotated[str | None, typer.Option("--start", help="First day (ISO 8601, default 2023-08-01).")]
DaysOpt = Annotated[int, typer.Option("--days")]
CamerasOpt = Annotated[int, typer.Option("--cameras")]
VehiclesOpt = Annotated[int, typer.Option("--vehicles")]
HotlistedOpt = Annotated[int, typer.Option("--hotlisted")]


@anpr.command("generate")
def generate_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for cameras.csv, hotlist.csv, reads.csv.")],
    seed: SeedOpt = 2023, start: StartOpt = None, days: DaysOpt = 14, cameras: CamerasOpt = 300,
    vehicles: VehiclesOpt = 5000, hotlisted: HotlistedOpt = 120, json_out: JsonOpt = False,
) -> None:
    """Write a seeded synthetic camera network and its reads as CSV files."""
    with handled_errors():
        net = _network(seed, start, days, cameras, vehicles, hotlisted)
        out.mkdir(parents=True, exist_ok=True)
        net.cameras.to_csv(out / "cameras.csv", index=False)
        hot = net.hotlist.assign(markers=net.hotlist["markers"].map(";".join))
        hot.to_csv(out / "hotlist.csv", index=False)
        reads = net.reads.assign(captured_at=net.reads["captured_at"].map(lambda t: t.isoformat()))
        reads.to_csv(out / "reads.csv", index=False)
    summary = {"cameras": len(net.cameras), "hotlist": len(net.hotlist), "reads": len(net.reads), "out": str(out)}
    emit_json(summary) if json_out else console().print(
        f"{summary['cameras']} cameras, {summary['hotlist']} hotlist entries, {summary['reads']} reads in {out}")


@anpr.command("demo")
def demo_cmd(
    user: UserOpt, seed: SeedOpt = 2023, start: StartOpt = None, days: DaysOpt = 14, cameras: CamerasOpt = 300,
    vehicles: VehiclesOpt = 5000, hotlisted: HotlistedOpt = 120,
    operation: Annotated[str | None, typer.Option("--operation", help="Work the hits into this operation's ledger.")] = None,
    stops: Annotated[int, typer.Option("--stops")] = 95, arrests: Annotated[int, typer.Option("--arrests")] = 21,
    tactic: Annotated[str | None, typer.Option("--tactic")] = None,
    preserve: Annotated[str | None, typer.Option("--preserve", help="Preserve the reads for this named investigation.")] = None,
    database: DatabaseOpt = None, json_out: JsonOpt = False,
) -> None:
    """Load a synthetic network through the ingest path; with --operation, turn hits into stops and arrests."""
    from clearhold.anpr import demo
    from clearhold.interfaces.cli.common import progress_callback
    from clearhold.storage.database import session_scope

    with handled_errors():
        net = _network(seed, start, days, cameras, vehicles, hotlisted)
        engine = engine_for(database)
        with progress_callback("loading reads") as cb, session_scope(engine) as session:
            out = {"loaded": demo.load_network(session, network=net, preserved_for=preserve, by=user, progress=cb)}
        if operation:
            with session_scope(engine) as session:
                out["worked"] = demo.work_hits(session, network=net, operation=operation, stops=stops,
                                               arrests=arrests, seed=seed, by=user, tactic=tactic)
    emit_json(out) if json_out else console().print(str(out))
