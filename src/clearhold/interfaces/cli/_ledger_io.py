"""Small shared helpers for the ledger commands (parsing and printing)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD", param_hint=option) from None


def read_json_arg(value: str, option: str) -> Any:
    """A JSON value given inline or as @FILE (or - for standard input)."""
    import sys

    try:
        if value == "-":
            text = sys.stdin.read()
        elif value.startswith("@"):
            text = Path(value[1:]).read_text(encoding="utf-8")
        else:
            text = value
        return json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"not valid JSON ({exc})", param_hint=option) from None


def validated(model, data: dict | None = None, **fields):
    """``model`` validated from ``data`` or keyword fields; errors become one InvalidInput line."""
    from pydantic import ValidationError

    from clearhold.errors import InvalidInput
    from clearhold.record.service import validation_message

    try:
        return model.model_validate(data if data is not None else fields)
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc)) from None
