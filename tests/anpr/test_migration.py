"""The hand-written migration creates exactly the tables in clearhold.anpr.tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clearhold.storage.models import load_all_tables


def test_migration_matches_tables(any_engine):
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), load_all_tables())
    assert [d for d in diff if "anpr_" in str(d)] == []
