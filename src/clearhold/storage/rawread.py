"""Bulk reads that skip SQLAlchemy's per-row result processing.

A Core ``select`` is compiled by SQLAlchemy (so that no SQL is built from strings and bind
values go through each column type's own bind processing), then executed on the session's
DB-API connection, inside the session's transaction, and fetched as plain tuples. Values come
back as the driver gives them (SQLite gives timestamps as ISO text, PostgreSQL as naive
datetimes): callers convert the columns that need it. Used where tens of thousands of rows are read at once (the results review).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def fetch_tuples(session: Session, stmt: Select) -> list[tuple[Any, ...]]:
    """All rows of ``stmt`` as tuples of driver values, in the session's transaction."""
    conn = session.connection()
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    for name, value in params.items():
        bind = compiled.binds.get(name)
        if bind is not None and value is not None:
            process = bind.type.bind_processor(dialect)
            if process is not None:
                params[name] = process(value)
    args: Any = [params[name] for name in compiled.positiontup] if compiled.positional else params
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()
