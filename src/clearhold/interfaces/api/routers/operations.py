"""Operations, their tactics and areas."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request

from clearhold.area.schemas import AreaCreate, AreaRead
from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, CONFLICT, NOT_FOUND
from clearhold.operation.schemas import OperationCreate, OperationRead, TacticCreate, TacticRead
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["operations"], responses=AUTH_ERRORS)

SlugParam = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="Operation or area slug")


@router.get("/operations", response_model=list[OperationRead])
def list_operations(request: Request, who: Principal = Depends(allow("operations.read"))):
    from clearhold.operation import service

    with scope(request) as session:
        return [OperationRead.model_validate(o) for o in service.list_(session)]


@router.post("/operations", response_model=OperationRead, status_code=201, responses=CONFLICT)
def create_operation(operation_in: OperationCreate, request: Request,
                     who: Principal = Depends(allow("operations.write"))):
    from clearhold.operation import service

    with scope(request) as session:
        return OperationRead.model_validate(service.create(session, operation_in=operation_in, created_by=who.name))


@router.get("/operations/{slug}", response_model=OperationRead, responses=NOT_FOUND)
def get_operation(request: Request, slug: str = SlugParam, who: Principal = Depends(allow("operations.read"))):
    from clearhold.operation import service

    with scope(request) as session:
        return OperationRead.model_validate(service.get(session, slug=slug))


@router.post("/operations/{slug}/tactics", response_model=TacticRead, status_code=201,
             responses={**NOT_FOUND, **CONFLICT})
def add_tactic(tactic_in: TacticCreate, request: Request, slug: str = SlugParam,
               who: Principal = Depends(allow("operations.write"))):
    from clearhold.operation import service

    with scope(request) as session:
        return TacticRead.model_validate(service.add_tactic(session, operation_slug=slug, tactic_in=tactic_in))


@router.get("/operations/{slug}/areas", response_model=list[AreaRead], responses=NOT_FOUND)
def list_areas(request: Request, slug: str = SlugParam, who: Principal = Depends(allow("operations.read"))):
    from clearhold.area import service as areas
    from clearhold.operation import service as operations

    with scope(request) as session:
        operations.get(session, slug=slug)
        return [AreaRead.model_validate(a) for a in areas.list_(session, operation_slug=slug)]


@router.post("/areas", response_model=AreaRead, status_code=201, responses={**NOT_FOUND, **CONFLICT})
def create_area(area_in: AreaCreate, request: Request, who: Principal = Depends(allow("operations.write"))):
    from clearhold.area import service as areas

    with scope(request) as session:
        return AreaRead.model_validate(areas.create(session, area_in=area_in, created_by=who.name))


@router.get("/areas/{slug}", response_model=AreaRead, responses=NOT_FOUND)
def get_area(request: Request, slug: str = SlugParam, who: Principal = Depends(allow("operations.read"))):
    from clearhold.area import service as areas

    with scope(request) as session:
        return AreaRead.model_validate(areas.get(session, slug=slug))
