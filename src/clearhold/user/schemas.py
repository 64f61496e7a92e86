"""API shapes of users, tokens and audit entries (kept apart from the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["officer", "analyst", "supervisor", "partner", "admin"]
USER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$"


class UserCreate(BaseModel):
    name: str = Field(pattern=USER_NAME_PATTERN, description="Login name: letters, digits, . _ @ -")
    role: RoleName
    password: str = Field(min_length=12, max_length=1024, description="At least 12 characters")


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: RoleName
    active: bool
    created_at: datetime


class UserUpdate(BaseModel):
    role: RoleName | None = None
    active: bool | None = None


class TokenCreate(BaseModel):
    label: str = Field(min_length=1, max_length=100)
    days: int | None = Field(default=90, ge=1, le=366, description="Lifetime in days (None: no expiry)")


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str = Field(description="The bearer token; shown once, stored only as a hash")


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_name: str | None
    role: str | None
    method: str
    route: str
    permission: str | None
    object_ref: str | None
    granted: bool
    client: str | None
    detail: dict | None
