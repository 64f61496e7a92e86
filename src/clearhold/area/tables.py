"""Areas: operation target areas, their buffers and comparison areas (storage shape)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearhold.storage.base import Base, UTCDateTime, utcnow


class Area(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="target")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    # GeoJSON geometry (Polygon or MultiPolygon) in WGS84 longitude/latitude
    geometry: Mapped[dict | None] = mapped_column(JSON)
    # 2021 LSOA codes that make the area (may be empty when defined by a polygon)
    lsoa_codes: Mapped[list] = mapped_column(JSON, default=list)
    buffer_m: Mapped[float | None] = mapped_column(Float)
    area_m2: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
