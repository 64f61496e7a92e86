"""Shapes shared by the routers: error bodies and the standard error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Message(BaseModel):
    detail: Any


AUTH_ERRORS: dict[int | str, dict] = {
    400: {"model": Message, "description": "The body is not valid JSON"},
    401: {"model": Message, "description": "Not authenticated"},
    403: {"model": Message, "description": "The role may not do this (see docs/roles.md)"},
}
NOT_FOUND: dict[int | str, dict] = {404: {"model": Message, "description": "No such object"}}
CONFLICT: dict[int | str, dict] = {409: {"model": Message, "description": "Clashes with what is stored"}}
INVALID: dict[int | str, dict] = {422: {"model": Message, "description": "Not valid; the detail names the fields"}}
