"""Stores: the records database (SQLAlchemy + Alembic) and the analytical lake (Parquet + DuckDB)."""
