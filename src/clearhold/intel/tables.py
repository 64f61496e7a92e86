"""Intelligence logs graded 3x5x2 (storage shape).

The original log and its graded items are never changed after entry; sanitising adds a
separate sanitised text, and every dissemination is logged.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearhold.storage.base import Base, UTCDateTime, utcnow


class IntelLog(Base):
    __tablename__ = "intel_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id", ondelete="SET NULL"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    intel_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    recording_officer: Mapped[str] = mapped_column(String(100))
    source_ref: Mapped[str] = mapped_column(String(64))
    security_marking: Mapped[str] = mapped_column(String(30))
    grading_system: Mapped[str] = mapped_column(String(10), default="3x5x2")
    handling_instructions: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(60))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    easting: Mapped[float | None] = mapped_column(Float)
    northing: Mapped[float | None] = mapped_column(Float)
    sanitised: Mapped[bool] = mapped_column(Boolean, default=False)
    sanitised_text: Mapped[str | None] = mapped_column(Text)
    sanitised_by: Mapped[str | None] = mapped_column(String(100))
    sanitised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    originator_approval_by: Mapped[str | None] = mapped_column(String(100))
    originator_approval_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[IntelItem]] = relationship(
        cascade="all, delete-orphan", order_by="IntelItem.seq", lazy="selectin"
    )
    disseminations: Mapped[list[Dissemination]] = relationship(
        cascade="all, delete-orphan", order_by="Dissemination.id", lazy="selectin"
    )


class IntelItem(Base):
    """One graded sentence or paragraph of a log, e.g. grade ``1BP``."""

    __tablename__ = "intel_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("intel_logs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(String(5))


class Dissemination(Base):
    __tablename__ = "intel_disseminations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("intel_logs.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_is_police: Mapped[bool] = mapped_column(Boolean)
    purpose: Mapped[str] = mapped_column(Text)
    authorised_by: Mapped[str] = mapped_column(String(100))
    sanitised_copy: Mapped[bool] = mapped_column(Boolean)
    disseminated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
