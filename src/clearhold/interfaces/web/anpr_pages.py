"""ANPR pages: live alert list (polling), hit workflow (image, acknowledge, outcome), plate
search with reason and authorisation, hotlist management. Over ``clearhold.anpr`` services;
included by the app only when the ANPR domain exists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.web.pages import render
from clearhold.user.service import Principal

router = APIRouter(include_in_schema=False)


def _hit_row(hit, entry=None) -> dict:
    return {
        "id": hit.id, "vrm_read": hit.vrm_read, "vrm_hotlist": hit.vrm_hotlist, "match_type": hit.match_type,
        "camera": hit.camera_ref, "captured_at": hit.captured_at.isoformat(timespec="seconds"), "status": hit.status,
        "outcome": hit.outcome, "priority": entry.priority if entry else None, "reason": entry.reason if entry else None,
        "misread": hit.match_type != "exact",
    }


def _hits(session, *, after_id: int = 0, limit: int = 100) -> list[dict]:
    from clearhold.anpr import service as anpr
    from clearhold.anpr.tables import HotlistEntry

    hits = anpr.list_hits(session, after_id=after_id, limit=1000)[-limit:]
    entries = {e.id: e for e in session.query(HotlistEntry).filter(HotlistEntry.id.in_({h.entry_id for h in hits}))} if hits else {}
    return [_hit_row(h, entries.get(h.entry_id)) for h in hits][::-1]


@router.get("/anpr")
def alerts_page(request: Request, who: Principal = Depends(allow("anpr.alerts"))):
    with scope(request) as session:
        rows = _hits(session)
    return render(request, "anpr_alerts.html", who, rows=rows, last_id=max([r["id"] for r in rows], default=0))


@router.get("/anpr/alerts.json")
def alerts_json(request: Request, after: int = 0, who: Principal = Depends(allow("anpr.alerts"))):
    """New alerts after hit ``after`` (the alert list polls this every few seconds)."""
    with scope(request) as session:
        return JSONResponse(_hits(session, after_id=max(after, 0)))


@router.get("/anpr/hits/{hit_id}")
def hit_page(request: Request, hit_id: int, who: Principal = Depends(allow("anpr.alerts"))):
    from clearhold.anpr import service as anpr
    from clearhold.anpr.schemas import DECISIONS, OUTCOMES
    from clearhold.anpr.tables import HotlistEntry, Read

    with scope(request) as session:
        hit = anpr.get_hit(session, hit_id=hit_id)
        entry = session.get(HotlistEntry, hit.entry_id)
        read = session.get(Read, hit.read_pk) if hit.read_pk else None
        row = _hit_row(hit, entry)
        row.update({"acknowledged_by": hit.acknowledged_by, "acknowledged_at": hit.acknowledged_at,
                    "reject_reason": hit.reject_reason, "outcome_by": hit.outcome_by, "outcome_at": hit.outcome_at,
                    "action": entry.action if entry else None, "markers": entry.markers if entry else [],
                    "plate_image_ref": read.plate_image_ref if read else None,
                    "overview_image_ref": read.overview_image_ref if read else None,
                    "confidence": read.confidence if read else None})
        from clearhold.operation import service as operations
        from clearhold.record.vocab import OFFENCE_GROUPS

        ops = [o.slug for o in operations.list_(session)]
    return render(request, "anpr_hit.html", who, hit=row, decisions=DECISIONS, outcomes=OUTCOMES,
                  operations=ops, offence_groups=OFFENCE_GROUPS)


@router.post("/anpr/hits/{hit_id}/acknowledge")
def acknowledge(request: Request, hit_id: int, decision: str = Form(max_length=40),
                image_viewed: str = Form(default=""), who: Principal = Depends(allow("anpr.alerts"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        anpr.acknowledge(session, hit_id=hit_id, decision=decision, by=who.name, image_viewed=image_viewed == "on")
    return RedirectResponse(f"/anpr/hits/{hit_id}", status_code=303)


@router.post("/anpr/hits/{hit_id}/outcome")
def outcome(request: Request, hit_id: int, outcome: str = Form(max_length=40),
            operation: str = Form(default="", max_length=64), person_ref: str = Form(default="", max_length=40),
            offence_group: str = Form(default="", max_length=60), offence_text: str = Form(default="", max_length=200),
            who: Principal = Depends(allow("anpr.alerts"))):
    """Record the outcome; with an operation chosen, the stop and any arrest enter its ledger."""
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        if not operation:
            anpr.record_outcome(session, hit_id=hit_id, outcome=outcome, by=who.name)
        else:
            from clearhold.anpr import flows

            offences = [{"group": offence_group, "text": offence_text}] if offence_group and offence_text else None
            flows.record_outcome(session, hit_id=hit_id, outcome=outcome, by=who.name, operation=operation,
                                 person_ref=person_ref or None, offences=offences)
    return RedirectResponse(f"/anpr/hits/{hit_id}", status_code=303)


@router.get("/anpr/search")
def search_form(request: Request, who: Principal = Depends(allow("anpr.search"))):
    return render(request, "anpr_search.html", who, rows=None, values={"days": "30"}, error="")


@router.post("/anpr/search")
def search(request: Request, pattern: str = Form(max_length=64), reason: str = Form(default="", max_length=500),
           days: int = Form(default=30, ge=1, le=3650), misread_tolerant: str = Form(default=""),
           authorisation_id: str = Form(default=""), who: Principal = Depends(allow("anpr.search"))):
    from clearhold.anpr import search as anpr_search
    from clearhold.errors import ClearholdError

    values = {"pattern": pattern, "reason": reason, "days": str(days), "misread_tolerant": misread_tolerant,
              "authorisation_id": authorisation_id}
    query = anpr_search.ReadQuery(pattern=pattern, since=datetime.now(UTC) - timedelta(days=days),
                                  misread_tolerant=misread_tolerant == "on", limit=500)
    try:
        with scope(request) as session:
            rows = anpr_search.search_reads(session, user=who.name, reason=reason, query=query,
                                            authorisation_id=int(authorisation_id) if authorisation_id.isdigit() else None)
    except ClearholdError as exc:
        # the refusal itself is kept in the access audit by the page's permission check
        return render(request, "anpr_search.html", who, rows=None, values=values, error=str(exc), status_code=422)
    return render(request, "anpr_search.html", who, rows=rows, values=values, error="")


@router.get("/anpr/hotlist")
def hotlist_page(request: Request, who: Principal = Depends(allow("anpr.hotlist"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        entries = anpr.list_entries(session, active_only=True)[::-1][:500]
    return render(request, "anpr_hotlist.html", who, entries=entries, error="", values={})


@router.post("/anpr/hotlist")
def hotlist_add(request: Request, vrm: str = Form(max_length=64), reason: str = Form(max_length=200),
                priority: str = Form(default="medium", max_length=10), action: str = Form(default="", max_length=200),
                hotlist: str = Form(default="local", max_length=60), who: Principal = Depends(allow("anpr.hotlist"))):
    from pydantic import ValidationError

    from clearhold.anpr import service as anpr
    from clearhold.anpr.schemas import HotlistEntryCreate
    from clearhold.errors import ClearholdError

    values = {"vrm": vrm, "reason": reason, "priority": priority, "action": action}
    try:
        entry = HotlistEntryCreate(vrm=vrm, reason=reason, priority=priority, action=action or None, owner=who.name)
        with scope(request) as session:
            anpr.get_or_create_hotlist(session, name=hotlist)
            added = anpr.add_entries(session, hotlist=hotlist, entries_in=[entry], by=who.name)
            seen = len(added.seen)
    except ValidationError as exc:
        error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        return _hotlist_error(request, who, error, values)
    except ClearholdError as exc:
        return _hotlist_error(request, who, str(exc), values)
    from urllib.parse import urlencode

    return RedirectResponse("/anpr/hotlist?" + urlencode({"added": entry.vrm, "seen": seen}), status_code=303)


def _hotlist_error(request, who, error, values):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        entries = anpr.list_entries(session, active_only=True)[::-1][:500]
    return render(request, "anpr_hotlist.html", who, entries=entries, error=error, values=values, status_code=422)


@router.post("/anpr/hotlist/{entry_id}/expire")
def hotlist_expire(request: Request, entry_id: int, who: Principal = Depends(allow("anpr.hotlist"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        anpr.expire_entry(session, entry_id=entry_id, by=who.name)
    return RedirectResponse("/anpr/hotlist", status_code=303)
