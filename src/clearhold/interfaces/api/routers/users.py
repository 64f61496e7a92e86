"""User administration (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, CONFLICT, NOT_FOUND
from clearhold.user import service as users
from clearhold.user.schemas import USER_NAME_PATTERN, UserCreate, UserRead, UserUpdate
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=AUTH_ERRORS)

from fastapi import Path as PathParam  # noqa: E402

NameParam = PathParam(pattern=USER_NAME_PATTERN)


@router.get("", response_model=list[UserRead])
def list_users(request: Request, who: Principal = Depends(allow("users.admin"))):
    with scope(request) as session:
        return [UserRead.model_validate(u) for u in users.list_(session)]


@router.post("", response_model=UserRead, status_code=201, responses=CONFLICT)
def create_user(user_in: UserCreate, request: Request, who: Principal = Depends(allow("users.admin"))):
    with scope(request) as session:
        return UserRead.model_validate(users.create(session, name=user_in.name, role=user_in.role, password=user_in.password))


@router.patch("/{name}", response_model=UserRead, responses={**NOT_FOUND, **CONFLICT})
def update_user(user_in: UserUpdate, request: Request, name: str = NameParam,
                who: Principal = Depends(allow("users.admin"))):
    from clearhold.errors import Conflict

    if name == who.name and (user_in.active is False or user_in.role not in (None, who.role)):
        raise Conflict("an admin cannot disable their own account or change their own role; ask another admin")
    from clearhold.interfaces.api.deps import forget_all_credentials

    with scope(request) as session:
        changed = UserRead.model_validate(users.update(session, name=name, role=user_in.role, active=user_in.active))
    forget_all_credentials(request)
    return changed
