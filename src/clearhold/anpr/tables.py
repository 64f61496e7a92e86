"""ANPR records tables: cameras, reads, hotlists and entries, hits, audit log, authorisations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clearhold.storage.base import Base, UTCDateTime, utcnow


class Camera(Base):
    __tablename__ = "anpr_cameras"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    camera_ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    site: Mapped[str | None] = mapped_column(sa.String(200))
    road: Mapped[str | None] = mapped_column(sa.String(200))
    direction: Mapped[str | None] = mapped_column(sa.String(16))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    area: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Read(Base):
    __tablename__ = "anpr_reads"
    __table_args__ = (
        sa.Index("ix_anpr_reads_key_captured", "vrm_key", "captured_at"),
        sa.Index("ix_anpr_reads_camera_captured", "camera_ref", "captured_at"),
        sa.Index("ix_anpr_reads_captured", "captured_at"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    read_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    camera_ref: Mapped[str] = mapped_column(sa.String(64))
    vrm_raw: Mapped[str] = mapped_column(sa.String(64))
    vrm: Mapped[str] = mapped_column(sa.String(64))
    vrm_key: Mapped[str] = mapped_column(sa.String(64))
    plate_format: Mapped[str] = mapped_column(sa.String(20))
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    lane: Mapped[str | None] = mapped_column(sa.String(16))
    direction: Mapped[str | None] = mapped_column(sa.String(16))
    plate_image_ref: Mapped[str | None] = mapped_column(sa.String(300))
    overview_image_ref: Mapped[str | None] = mapped_column(sa.String(300))
    preserved_for: Mapped[str | None] = mapped_column(sa.String(200))


class Hotlist(Base):
    __tablename__ = "anpr_hotlists"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    source: Mapped[str] = mapped_column(sa.String(50))
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HotlistEntry(Base):
    __tablename__ = "anpr_hotlist_entries"
    __table_args__ = (sa.Index("ix_anpr_hotlist_entries_key", "vrm_key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    hotlist_id: Mapped[int] = mapped_column(sa.ForeignKey("anpr_hotlists.id"), index=True)
    vrm: Mapped[str] = mapped_column(sa.String(64), index=True)
    vrm_key: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(50))
    reason: Mapped[str] = mapped_column(sa.String(200))
    priority: Mapped[str] = mapped_column(sa.String(10))
    markers: Mapped[list] = mapped_column(sa.JSON, default=list)
    action: Mapped[str | None] = mapped_column(sa.String(200))
    owner: Mapped[str | None] = mapped_column(sa.String(100))
    review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Hit(Base):
    __tablename__ = "anpr_hits"
    __table_args__ = (sa.UniqueConstraint("read_ref", "entry_id", name="uq_anpr_hits_read_entry"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    read_pk: Mapped[int | None] = mapped_column(sa.ForeignKey("anpr_reads.id", ondelete="SET NULL"), index=True)
    read_ref: Mapped[str] = mapped_column(sa.String(100))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("anpr_hotlist_entries.id"), index=True)
    vrm_read: Mapped[str] = mapped_column(sa.String(64))
    vrm_hotlist: Mapped[str] = mapped_column(sa.String(64))
    match_type: Mapped[str] = mapped_column(sa.String(10))
    source: Mapped[str] = mapped_column(sa.String(20), default="live")
    camera_ref: Mapped[str] = mapped_column(sa.String(64))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(20), default="new")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(100))
    reject_reason: Mapped[str | None] = mapped_column(sa.String(20))
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by: Mapped[str | None] = mapped_column(sa.String(100))
    stop_record_id: Mapped[int | None] = mapped_column(sa.Integer)
    arrest_record_id: Mapped[int | None] = mapped_column(sa.Integer)


class AuditEntry(Base):
    """Append-only, hash-chained: ``hash = sha256(prev_hash + canonical JSON of the row)``."""

    __tablename__ = "anpr_audit_log"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(50))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    query: Mapped[dict] = mapped_column(sa.JSON)
    result_count: Mapped[int | None] = mapped_column(sa.Integer)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AccessAuthorisation(Base):
    """A role grant (kind ``role``) or a senior officer's authorisation (kind ``senior``)."""

    __tablename__ = "anpr_access_authorisations"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    user: Mapped[str] = mapped_column(sa.String(100), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(50))
    offence_category: Mapped[str | None] = mapped_column(sa.String(50))
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by: Mapped[str] = mapped_column(sa.String(100))
    granted_by_rank: Mapped[str | None] = mapped_column(sa.String(50))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
