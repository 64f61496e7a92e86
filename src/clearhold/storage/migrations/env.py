"""Alembic environment: runs on the engine handed over by clearhold.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from clearhold.storage.models import load_all_tables

config = context.config
target_metadata = load_all_tables()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
