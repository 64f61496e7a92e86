"""anpr: cameras, reads, hotlists, hotlist entries, hits, audit log, access authorisations

Revision ID: 20261121_06_anpr
Revises: 20261121_0001_foundation
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clearhold.storage.base import UTCDateTime

revision = "20261121_06_anpr"
down_revision = "20261121_0001_foundation"
branch_labels = ("anpr",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anpr_cameras",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_ref", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("site", sa.String(200)),
        sa.Column("road", sa.String(200)),
        sa.Column("direction", sa.String(16)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("area", sa.String(100)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_cameras"),
        sa.UniqueConstraint("camera_ref", name="uq_anpr_cameras_camera_ref"),
    )
    op.create_table(
        "anpr_reads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("read_id", sa.String(100), nullable=False),
        sa.Column("camera_ref", sa.String(64), nullable=False),
        sa.Column("vrm_raw", sa.String(64), nullable=False),
        sa.Column("vrm", sa.String(64), nullable=False),
        sa.Column("vrm_key", sa.String(64), nullable=False),
        sa.Column("plate_format", sa.String(20), nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("captured_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("lane", sa.String(16)),
        sa.Column("direction", sa.String(16)),
        sa.Column("plate_image_ref", sa.String(300)),
        sa.Column("overview_image_ref", sa.String(300)),
        sa.Column("preserved_for", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_reads"),
        sa.UniqueConstraint("read_id", name="uq_anpr_reads_read_id"),
    )
    op.create_index("ix_anpr_reads_key_captured", "anpr_reads", ["vrm_key", "captured_at"])
    op.create_index("ix_anpr_reads_camera_captured", "anpr_reads", ["camera_ref", "captured_at"])
    op.create_index("ix_anpr_reads_captured", "anpr_reads", ["captured_at"])
    op.create_table(
        "anpr_hotlists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_hotlists"),
        sa.UniqueConstraint("name", name="uq_anpr_hotlists_name"),
    )
    op.create_table(
        "anpr_hotlist_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hotlist_id", sa.Integer, nullable=False),
        sa.Column("vrm", sa.String(64), nullable=False),
        sa.Column("vrm_key", sa.String(64), nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("markers", sa.JSON, nullable=False),
        sa.Column("action", sa.String(200)),
        sa.Column("owner", sa.String(100)),
        sa.Column("review_at", UTCDateTime),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_hotlist_entries"),
        sa.ForeignKeyConstraint(["hotlist_id"], ["anpr_hotlists.id"],
                                name="fk_anpr_hotlist_entries_hotlist_id_anpr_hotlists"),
    )
    op.create_index("ix_anpr_hotlist_entries_hotlist_id", "anpr_hotlist_entries", ["hotlist_id"])
    op.create_index("ix_anpr_hotlist_entries_vrm", "anpr_hotlist_entries", ["vrm"])
    op.create_index("ix_anpr_hotlist_entries_key", "anpr_hotlist_entries", ["vrm_key"])
    op.create_table(
        "anpr_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("read_pk", sa.Integer),
        sa.Column("read_ref", sa.String(100), nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("vrm_read", sa.String(64), nullable=False),
        sa.Column("vrm_hotlist", sa.String(64), nullable=False),
        sa.Column("match_type", sa.String(10), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("camera_ref", sa.String(64), nullable=False),
        sa.Column("captured_at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime),
        sa.Column("acknowledged_by", sa.String(100)),
        sa.Column("reject_reason", sa.String(20)),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_at", UTCDateTime),
        sa.Column("outcome_by", sa.String(100)),
        sa.Column("stop_record_id", sa.Integer),
        sa.Column("arrest_record_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_hits"),
        sa.ForeignKeyConstraint(["read_pk"], ["anpr_reads.id"], ondelete="SET NULL",
                                name="fk_anpr_hits_read_pk_anpr_reads"),
        sa.ForeignKeyConstraint(["entry_id"], ["anpr_hotlist_entries.id"],
                                name="fk_anpr_hits_entry_id_anpr_hotlist_entries"),
        sa.UniqueConstraint("read_ref", "entry_id", name="uq_anpr_hits_read_entry"),
    )
    op.create_index("ix_anpr_hits_read_pk", "anpr_hits", ["read_pk"])
    op.create_index("ix_anpr_hits_entry_id", "anpr_hits", ["entry_id"])
    op.create_table(
        "anpr_audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("result_count", sa.Integer),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_audit_log"),
        sa.UniqueConstraint("prev_hash", name="uq_anpr_audit_log_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_anpr_audit_log_hash"),
    )
    op.create_table(
        "anpr_access_authorisations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("role", sa.String(50)),
        sa.Column("offence_category", sa.String(50)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_by_rank", sa.String(50)),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("valid_until", UTCDateTime),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anpr_access_authorisations"),
    )
    op.create_index("ix_anpr_access_authorisations_user", "anpr_access_authorisations", ["user"])


def downgrade() -> None:
    for name in ("anpr_access_authorisations", "anpr_audit_log", "anpr_hits",
                 "anpr_hotlist_entries", "anpr_hotlists", "anpr_reads", "anpr_cameras"):
        op.drop_table(name)
