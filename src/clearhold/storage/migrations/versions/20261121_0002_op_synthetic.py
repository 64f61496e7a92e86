"""operations.synthetic: generated (demo) data is labelled synthetic in every output

Revision ID: 20261121_0002_op_synthetic
Revises: 20261121_0001_foundation
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261121_0002_op_synthetic"
down_revision = "20261121_0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operations") as batch:
        batch.add_column(sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("synthetic")
