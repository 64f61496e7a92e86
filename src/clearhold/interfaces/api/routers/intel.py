"""Intelligence logs (analysts, supervisors, admins; never partners)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, NOT_FOUND
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["intelligence"], responses=AUTH_ERRORS)


class IntelItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    text: str
    grade: str


class IntelLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    ref: str
    intel_date: date
    recorded_at: datetime
    recording_officer: str
    source_ref: str
    security_marking: str
    grading_system: str
    handling_instructions: str | None
    subject: str | None
    sanitised: bool
    sanitised_text: str | None
    items: list[IntelItemRead]


@router.get("/operations/{slug}/intel", response_model=list[IntelLogRead], responses=NOT_FOUND)
def list_intel(request: Request, slug: str = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$"),
               limit: int = Query(default=200, ge=1, le=5000), offset: int = Query(default=0, ge=0, le=10_000_000),
               who: Principal = Depends(allow("intel.read"))):
    from clearhold.intel import service
    from clearhold.operation import service as operations

    with scope(request) as session:
        operations.get(session, slug=slug)
        logs = service.list_(session, operation_slug=slug)[::-1][offset:offset + limit]
        return [IntelLogRead.model_validate(x) for x in logs]


@router.get("/intel/{ref}", response_model=IntelLogRead, responses=NOT_FOUND)
def get_intel(request: Request, ref: str = Path(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9/_.-]+$"),
              who: Principal = Depends(allow("intel.read"))):
    from clearhold.intel import service

    with scope(request) as session:
        return IntelLogRead.model_validate(service.get(session, ref=ref))
