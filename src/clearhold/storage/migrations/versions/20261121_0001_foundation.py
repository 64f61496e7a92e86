"""foundation: operations, areas, tactics, activity records, intelligence logs

Revision ID: 20261121_0001_foundation
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

revision = "20261121_0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
