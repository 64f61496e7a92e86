"""The caller's own account: who am I, my API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, NOT_FOUND
from clearhold.user import service as users
from clearhold.user.schemas import TokenCreate, TokenIssued, TokenRead, UserRead
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["account"], responses=AUTH_ERRORS)


@router.get("/me", response_model=UserRead)
def me(request: Request, who: Principal = Depends(allow("account.own"))):
    with scope(request) as session:
        return UserRead.model_validate(users.get(session, name=who.name))


@router.get("/me/tokens", response_model=list[TokenRead])
def my_tokens(request: Request, who: Principal = Depends(allow("account.own"))):
    with scope(request) as session:
        return [TokenRead.model_validate(t) for t in users.list_tokens(session, name=who.name)]


@router.post("/me/tokens", response_model=TokenIssued, status_code=201)
def issue_token(token_in: TokenCreate, request: Request, who: Principal = Depends(allow("account.own"))):
    with scope(request) as session:
        token, row = users.issue_token(session, name=who.name, label=token_in.label, days=token_in.days)
        return TokenIssued(token=token, **TokenRead.model_validate(row).model_dump())


@router.delete("/me/tokens/{token_id}", response_model=TokenRead, responses=NOT_FOUND)
def revoke_token(token_id: int, request: Request, who: Principal = Depends(allow("account.own"))):
    from clearhold.interfaces.api.deps import forget_all_credentials

    with scope(request) as session:
        revoked = TokenRead.model_validate(users.revoke_token(session, name=who.name, token_id=token_id))
    forget_all_credentials(request)
    return revoked
