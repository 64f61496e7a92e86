"""ANPR use cases that reach into the ledger: a stop or an arrest after a hit becomes a record.

``record_outcome`` records the hit's outcome and, for ``stopped``, ``searched`` and ``arrest``,
creates a vehicle stop (``reason="anpr_hit"``, ``anpr_hit_ref`` = the hit) in the operation's
ledger; for ``arrest`` also an arrest whose ``source_record_id`` is that stop. The results
review's ANPR figures (stops, arrests from stops) therefore come from real hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from clearhold.anpr import service
from clearhold.anpr.tables import Camera, Hit
from clearhold.errors import InvalidInput
from clearhold.storage.base import utcnow

STOP_RESULT = {"stopped": "nothing_found", "searched": "search", "arrest": "arrest"}


def hit_ref(hit: Hit) -> str:
    """The reference a ledger record carries back to its hit (``anpr_hit_ref``)."""
    return f"ANPR-HIT-{hit.id}"


def _offences(offence: str | None, offences: Sequence[dict] | None) -> list[dict]:
    if offences:
        return [dict(o) for o in offences]
    if offence:
        group, sep, text = offence.partition(":")
        if not sep or not text.strip():
            raise InvalidInput(f"offence was {offence!r}; it must be 'group:text', e.g. 'Possession of weapons offences:knife'")
        return [{"group": group.strip(), "text": text.strip()}]
    raise InvalidInput("offences were not given; an arrest needs at least one offence (group and text)")


def record_outcome(
    session: Session, *, hit_id: int, outcome: str, by: str, operation: str, at: datetime | None = None,
    area: str | None = None, tactic: str | None = None, person_ref: str | None = None,
    offence: str | None = None, offences: Sequence[dict] | None = None, age_band: str = "unknown",
    notes: str | None = None,
) -> Hit:
    """Record the outcome of an accepted hit and enter the stop/arrest in ``operation``'s ledger."""
    from pydantic import ValidationError

    from clearhold.record import service as records
    from clearhold.record.schemas import ArrestCreate, VehicleStopCreate
    from clearhold.record.service import validation_message

    at = at or utcnow()
    hit = service.get_hit(session, hit_id=hit_id)
    stop_in = arrest_in = None
    if outcome in STOP_RESULT:  # build and check the ledger records before changing anything
        camera = session.query(Camera).filter(Camera.camera_ref == hit.camera_ref).one_or_none()
        place = {"lat": camera.lat, "lon": camera.lon} if camera is not None and camera.lat is not None else {}
        try:
            stop_in = VehicleStopCreate(
                operation=operation, occurred_at=at, vrm=hit.vrm_hotlist, reason="anpr_hit",
                result=STOP_RESULT[outcome], anpr_hit_ref=hit_ref(hit), area=area, tactic=tactic,
                ref=f"{hit_ref(hit)}-STOP", notes=notes, **place,
            )
            if outcome == "arrest":
                if not person_ref:
                    raise InvalidInput("person_ref was not given; an arrest needs an opaque person reference")
                arrest_in = ArrestCreate(
                    operation=operation, occurred_at=at, person_ref=person_ref, age_band=age_band,
                    offences=_offences(offence, offences), area=area, tactic=tactic,
                    ref=f"{hit_ref(hit)}-ARREST", **place,
                )
        except ValidationError as exc:
            raise InvalidInput(validation_message(exc)) from None
    hit = service.record_outcome(session, hit_id=hit_id, outcome=outcome, by=by, at=at)
    if stop_in is not None:
        stop = records.create(session, record_in=stop_in, entered_by=by)
        hit.stop_record_id = stop.id
        if arrest_in is not None:
            arrest_in = arrest_in.model_copy(update={"source_record_id": stop.id})
            hit.arrest_record_id = records.create(session, record_in=arrest_in, entered_by=by).id
    session.flush()
    return hit


def audit_refusal(engine, *, user: str, action: str, reason: str | None, query: dict, problem: str) -> None:
    """Keep a refused search in the audit log (its own transaction: the refused one rolls back)."""
    from clearhold.anpr import audit
    from clearhold.storage.database import session_scope

    with session_scope(engine) as session:
        audit.append(session, actor=user or "unknown", action=f"{action}_refused", reason=reason,
                     query={**query, "refused": problem}, result_count=None)
