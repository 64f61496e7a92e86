"""The migrations build exactly the tables the code describes, on SQLite and PostgreSQL, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from clearhold.storage.migrate import current_heads, downgrade, script_heads, upgrade
from clearhold.storage.models import load_all_tables


def test_schema_matches_models_and_round_trips(any_engine):
    metadata = load_all_tables()
    assert current_heads(any_engine) == script_heads(any_engine)
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diff == []
    downgrade(any_engine, "base")
    assert set(inspect(any_engine).get_table_names()) <= {"alembic_version"}
    upgrade(any_engine)
    assert set(metadata.tables) <= set(inspect(any_engine).get_table_names())


def test_sqlite_uses_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_database_made_by_an_older_migration_upgrades_in_place(tmp_path, any_engine):
    """Data written under the foundation revision survives the later revisions."""
    import sqlalchemy as sa

    downgrade(any_engine, "base")
    upgrade(any_engine, "20261121_0001_foundation")
    with any_engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO operations (slug, name, starts_on, created_by, created_at) "
            "VALUES ('op-old', 'Old', '2023-01-01', 'x', '2023-01-01 00:00:00')"))
    upgrade(any_engine)
    from clearhold.operation import service
    from clearhold.storage.database import session_scope

    with session_scope(any_engine) as s:
        op = service.get(s, slug="op-old")
        assert (op.name, op.synthetic) == ("Old", False)
