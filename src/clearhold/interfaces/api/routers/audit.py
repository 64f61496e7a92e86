"""The access audit (supervisors and admins)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS
from clearhold.user import service as users
from clearhold.user.schemas import AuditRead
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=AUTH_ERRORS)


@router.get("", response_model=list[AuditRead])
def list_audit(request: Request, user: str | None = Query(default=None, max_length=64),
               since: datetime | None = None, limit: int = Query(default=200, ge=1, le=5000),
               offset: int = Query(default=0, ge=0, le=10_000_000),
               who: Principal = Depends(allow("audit.read"))):
    with scope(request) as session:
        return [AuditRead.model_validate(a) for a in users.list_audit(
            session, user_name=user, since=since, limit=limit, offset=offset)]
