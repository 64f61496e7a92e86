"""Activity records: create, list, show, correct (kept in history), delete, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, CONFLICT, NOT_FOUND
from clearhold.record.schemas import RecordCorrection, RecordCreate
from clearhold.record.vocab import RECORD_KINDS
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["records"], responses=AUTH_ERRORS)

RecordKind = Literal[RECORD_KINDS]  # type: ignore[valid-type]
RecordId = Path(ge=1, le=2**31 - 1, description="Record id")


class RecordRead(BaseModel):
    """A record's full state: the fields of its kind, derived values and bookkeeping."""

    model_config = ConfigDict(extra="allow")
    id: int
    kind: str
    operation: str
    ref: str | None = None
    occurred_at: datetime
    area: str | None = None
    tactic: str | None = None
    version: int
    entered_by: str
    entered_at: datetime
    updated_by: str | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None


class HistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    action: str
    changed_fields: list[str]
    reason: str | None
    changed_by: str
    changed_at: datetime
    state: dict[str, Any]


def _read(session, record) -> RecordRead:
    from clearhold.record import service

    return RecordRead.model_validate(service.to_state(session, record))


@router.get("/operations/{slug}/records", response_model=list[RecordRead], responses=NOT_FOUND)
def list_records(request: Request, slug: str = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$"),
                 kind: RecordKind | None = None,
                 start: datetime | None = Query(default=None, description="From (inclusive), with time zone"),
                 end: datetime | None = Query(default=None, description="To (exclusive), with time zone"),
                 limit: int = Query(default=500, ge=1, le=5000), offset: int = Query(default=0, ge=0, le=10_000_000),
                 who: Principal = Depends(allow("records.read"))):
    from clearhold.errors import InvalidInput
    from clearhold.record import service

    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} was {value.isoformat()}; give a time zone, e.g. {value.isoformat()}Z")
    with scope(request) as session:
        return [_read(session, r) for r in service.list_(session, operation_slug=slug, kind=kind, start=start,
                                                        end=end, limit=limit, offset=offset)]


@router.post("/records", response_model=RecordRead, status_code=201, responses={**NOT_FOUND, **CONFLICT})
def create_record(record_in: RecordCreate, request: Request, who: Principal = Depends(allow("records.create"))):
    from clearhold.record import service

    with scope(request) as session:
        return _read(session, service.create(session, record_in=record_in, entered_by=who.name))


@router.get("/records/{record_id}", response_model=RecordRead, responses=NOT_FOUND)
def get_record(request: Request, record_id: int = RecordId, who: Principal = Depends(allow("records.read"))):
    from clearhold.record import service

    with scope(request) as session:
        return _read(session, service.get(session, record_id=record_id))


@router.get("/records/{record_id}/history", response_model=list[HistoryRead], responses=NOT_FOUND)
def record_history(request: Request, record_id: int = RecordId, who: Principal = Depends(allow("records.read"))):
    from clearhold.record import service

    with scope(request) as session:
        return [HistoryRead.model_validate(h) for h in service.history(session, record_id=record_id)]


@router.patch("/records/{record_id}", response_model=RecordRead, responses={**NOT_FOUND, **CONFLICT})
def correct_record(correction: RecordCorrection, request: Request, record_id: int = RecordId,
                   who: Principal = Depends(allow("records.correct"))):
    from clearhold.record import service

    with scope(request) as session:
        return _read(session, service.correct(session, record_id=record_id, correction=correction, changed_by=who.name))


@router.delete("/records/{record_id}", response_model=RecordRead, responses={**NOT_FOUND, **CONFLICT})
def delete_record(request: Request, record_id: int = RecordId,
                  reason: str = Query(min_length=3, max_length=2000, description="Why the record is withdrawn"),
                  who: Principal = Depends(allow("records.delete"))):
    from clearhold.record import service

    with scope(request) as session:
        record = service.delete(session, record_id=record_id, deleted_by=who.name, reason=reason)
        return _read(session, service.get(session, record_id=record.id, include_deleted=True))
