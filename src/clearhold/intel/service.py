"""Intelligence logs: create, get, list_, sanitise, approve, disseminate. Never commits.

Rules enforced: a C-graded item needs handling instructions (schema); a log with C items is
not disseminated without the originator's approval on record; partners outside policing
only ever receive the sanitised version; the original text and grades never change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearhold.area import service as area_service
from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from clearhold.intel.schemas import DisseminationIn, IntelLogCreate
from clearhold.intel.tables import Dissemination, IntelItem, IntelLog
from clearhold.operation import service as operation_service
from clearhold.operation.tables import Operation
from clearhold.storage.base import utcnow


def create(session: Session, *, log_in: IntelLogCreate, entered_by: str) -> IntelLog:
    if session.scalar(select(IntelLog.id).where(IntelLog.ref == log_in.ref)) is not None:
        raise Conflict(f"intelligence log {log_in.ref!r} already exists")
    log = IntelLog(
        ref=log_in.ref, intel_date=log_in.intel_date, recorded_at=log_in.recorded_at,
        recording_officer=log_in.recording_officer, source_ref=log_in.source_ref,
        security_marking=log_in.security_marking, grading_system=log_in.grading_system,
        handling_instructions=log_in.handling_instructions, subject=log_in.subject,
        lat=log_in.lat, lon=log_in.lon, entered_by=entered_by, entered_at=utcnow(),
    )
    if log_in.operation:
        log.operation_id = operation_service.get(session, slug=log_in.operation).id
    if log_in.area:
        log.area_id = area_service.get(session, slug=log_in.area).id
    if log_in.lat is not None:
        from clearhold.geo.bng import to_bng

        x, y = to_bng(log_in.lon, log_in.lat)
        log.easting, log.northing = round(float(x), 1), round(float(y), 1)
    log.items = [IntelItem(seq=i, text=it.text, grade=it.grade) for i, it in enumerate(log_in.items, start=1)]
    session.add(log)
    session.flush()
    return log


def get(session: Session, *, ref: str) -> IntelLog:
    log = session.scalar(select(IntelLog).where(IntelLog.ref == ref))
    if log is None:
        raise NotFound(f"intelligence log {ref!r} not found")
    return log


def list_(session: Session, *, operation_slug: str | None = None, start: datetime | None = None,
          end: datetime | None = None) -> list[IntelLog]:
    stmt = select(IntelLog).order_by(IntelLog.recorded_at, IntelLog.id)
    if operation_slug is not None:
        stmt = stmt.join(Operation, IntelLog.operation_id == Operation.id).where(Operation.slug == operation_slug)
    if start is not None:
        stmt = stmt.where(IntelLog.recorded_at >= start)
    if end is not None:
        stmt = stmt.where(IntelLog.recorded_at < end)
    return list(session.scalars(stmt))


def count(session: Session, *, operation_id: int, start: datetime | None = None, end: datetime | None = None) -> int:
    stmt = select(func.count(IntelLog.id)).where(IntelLog.operation_id == operation_id)
    if start is not None:
        stmt = stmt.where(IntelLog.recorded_at >= start)
    if end is not None:
        stmt = stmt.where(IntelLog.recorded_at < end)
    return int(session.scalar(stmt) or 0)


def has_conditions(log: IntelLog) -> bool:
    return log.grading_system == "3x5x2" and any(i.grade.endswith("C") for i in log.items)


def sanitise(session: Session, *, ref: str, sanitised_text: str, sanitised_by: str) -> IntelLog:
    """Add a sanitised version for wider sharing; the original stays as it was."""
    if len(sanitised_text.strip()) < 3:
        raise InvalidInput("sanitised_text is empty")
    log = get(session, ref=ref)
    originals = [i.text for i in log.items if len(i.text) > 20]
    leaked = [t for t in originals if t in sanitised_text]
    if leaked:
        raise InvalidInput("sanitised_text repeats an original graded item word for word; rewrite it")
    log.sanitised, log.sanitised_text, log.sanitised_by, log.sanitised_at = True, sanitised_text.strip(), sanitised_by, utcnow()
    session.flush()
    return log


def approve(session: Session, *, ref: str, approved_by: str) -> IntelLog:
    """Record the originator's approval to disseminate a log with handling conditions."""
    log = get(session, ref=ref)
    if approved_by != log.recording_officer:
        raise PermissionDenied(
            f"only the originator ({log.recording_officer}) can approve dissemination of {ref}, not {approved_by}"
        )
    log.originator_approval_by, log.originator_approval_at = approved_by, utcnow()
    session.flush()
    return log


def disseminate(session: Session, *, ref: str, dissemination_in: DisseminationIn) -> Dissemination:
    log = get(session, ref=ref)
    if has_conditions(log) and log.originator_approval_by is None:
        raise PermissionDenied(f"{ref} carries handling code C: the originator's approval must be on record first")
    if not dissemination_in.recipient_is_police and not log.sanitised:
        raise PermissionDenied(f"{ref} is not sanitised: partners outside policing only receive sanitised material")
    d = Dissemination(
        log_id=log.id, recipient=dissemination_in.recipient, recipient_is_police=dissemination_in.recipient_is_police,
        purpose=dissemination_in.purpose, authorised_by=dissemination_in.authorised_by,
        sanitised_copy=not dissemination_in.recipient_is_police, disseminated_at=utcnow(),
    )
    log.disseminations.append(d)
    session.flush()
    return d


def partner_view(log: IntelLog) -> dict:
    """What a partner outside policing may see: the sanitised text only, or nothing."""
    if not log.sanitised:
        raise PermissionDenied(f"{log.ref} is not sanitised")
    return {"ref": log.ref, "intel_date": log.intel_date.isoformat(), "sanitised_text": log.sanitised_text}
