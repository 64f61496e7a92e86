"""ANPR back-office actions for scripts (the pages do the same): hits, acknowledge, outcome,
hotlist, plate search. The ANPR domain's own router (reads in, alerts out) is mounted beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from clearhold.anpr.schemas import HitRead as HitOut  # one shape for a hit, owned by the ANPR domain
from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, CONFLICT, INVALID, NOT_FOUND
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1/anpr", tags=["anpr"], responses={**AUTH_ERRORS, **INVALID})
HitId = Path(ge=1, le=2**31 - 1)




class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "reject_misread", "reject_wrong_vehicle"]
    image_viewed: bool = Field(description="The plate text is not acted on without viewing the image")


class OffenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str = Field(max_length=60)
    text: str = Field(min_length=1, max_length=200)


class Outcome(BaseModel):
    """The outcome of an accepted hit. With ``operation``, a stop (and an arrest) also become
    records of that operation's ledger, linked to the hit."""

    model_config = ConfigDict(extra="forbid")
    outcome: Literal["not_located", "stopped", "searched", "arrest"]
    operation: str | None = Field(default=None, max_length=64)
    tactic: str | None = Field(default=None, max_length=200)
    person_ref: str | None = Field(default=None, max_length=40)
    offences: list[OffenceIn] | None = None


class HotlistEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    vrm: str
    reason: str
    priority: str
    action: str | None
    owner: str | None
    expires_at: datetime | None
    created_by: str


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=500)
    days: int = Field(default=30, ge=1, le=3650)
    misread_tolerant: bool = False
    authorisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    limit: int = Field(default=500, ge=1, le=10_000)


@router.get("/hits", response_model=list[HitOut])
def list_hits(request: Request, status: Literal["new", "accepted", "rejected"] | None = None,
              after: int = Query(default=0, ge=0, le=2**31 - 1), limit: int = Query(default=200, ge=1, le=1000),
              who: Principal = Depends(allow("anpr.alerts"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        return [HitOut.model_validate(h) for h in anpr.list_hits(session, status=status, after_id=after, limit=limit)]


@router.post("/hits/{hit_id}/acknowledge", response_model=HitOut, responses={**NOT_FOUND, **CONFLICT})
def acknowledge(ack: Acknowledgement, request: Request, hit_id: int = HitId,
                who: Principal = Depends(allow("anpr.alerts"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        return HitOut.model_validate(anpr.acknowledge(session, hit_id=hit_id, decision=ack.decision, by=who.name,
                                                      image_viewed=ack.image_viewed))


@router.post("/hits/{hit_id}/outcome", response_model=HitOut, responses={**NOT_FOUND, **CONFLICT})
def outcome(body: Outcome, request: Request, hit_id: int = HitId, who: Principal = Depends(allow("anpr.alerts"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        if body.operation is None:
            hit = anpr.record_outcome(session, hit_id=hit_id, outcome=body.outcome, by=who.name)
        else:
            from clearhold.anpr import flows

            hit = flows.record_outcome(
                session, hit_id=hit_id, outcome=body.outcome, by=who.name, operation=body.operation,
                tactic=body.tactic, person_ref=body.person_ref,
                offences=[o.model_dump() for o in body.offences] if body.offences else None)
        return HitOut.model_validate(hit)


@router.get("/hotlist", response_model=list[HotlistEntryOut])
def hotlist(request: Request, who: Principal = Depends(allow("anpr.hotlist"))):
    from clearhold.anpr import service as anpr

    with scope(request) as session:
        return [HotlistEntryOut.model_validate(e) for e in anpr.list_entries(session, active_only=True)]


@router.post("/search", responses=NOT_FOUND)
def search(body: SearchIn, request: Request, who: Principal = Depends(allow("anpr.search"))) -> list[dict[str, Any]]:
    """Reads matching a plate or pattern; the ANPR domain checks the reason and authorisation
    (91-365 days need a senior authorisation) and audits the search."""
    from clearhold.anpr import search as anpr_search

    query = anpr_search.ReadQuery(pattern=body.pattern, since=datetime.now(UTC) - timedelta(days=body.days),
                                  misread_tolerant=body.misread_tolerant, limit=body.limit)
    with scope(request) as session:
        rows = anpr_search.search_reads(session, user=who.name, reason=body.reason, query=query,
                                        authorisation_id=body.authorisation_id)
    from clearhold.serialise import json_default
    import json

    return json.loads(json.dumps(rows, default=json_default))
