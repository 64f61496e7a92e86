"""Imports every domain's tables so that ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations

import importlib
import pkgutil

import clearhold
from clearhold.storage.base import Base


def load_all_tables():
    """Import each ``clearhold.<domain>.tables`` module and return the full metadata."""
    for info in pkgutil.iter_modules(clearhold.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"clearhold.{info.name}.tables")
            except ModuleNotFoundError as exc:
                if exc.name != f"clearhold.{info.name}.tables":
                    raise
    return Base.metadata
