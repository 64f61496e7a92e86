"""Activity records (storage shape).

One ``records`` row per record holds what every kind shares (operation, time, place, who
entered it, version); each kind with fields of its own has a table joined on the same id
(SQLAlchemy joined-table inheritance). Seized items and arrest offences are child rows.
Corrections never overwrite silently: every version's full state is kept in
``record_history``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearhold.storage.base import Base, UTCDateTime, utcnow


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("operation_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    ref: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    tactic_id: Mapped[int | None] = mapped_column(ForeignKey("tactics.id", ondelete="SET NULL"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    easting: Mapped[float | None] = mapped_column(Float)
    northing: Mapped[float | None] = mapped_column(Float)
    location_text: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    source_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(100))
    deletion_reason: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[SeizedItem]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="SeizedItem.seq", lazy="selectin"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "record"}


class SeizedItem(Base):
    """A drug, weapon, cash or other item seized, recovered or surrendered under any record."""

    __tablename__ = "seized_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    item_kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(300))
    drug_class: Mapped[str | None] = mapped_column(String(1))
    drug_type: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    unit: Mapped[str | None] = mapped_column(String(20))
    value_pence: Mapped[int | None] = mapped_column(BigInteger)
    value_basis: Mapped[str | None] = mapped_column(String(20))
    price_table_version: Mapped[str | None] = mapped_column(String(60))
    weapon_type: Mapped[str | None] = mapped_column(String(30))
    disposition: Mapped[str | None] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=1)
    cash_pence: Mapped[int | None] = mapped_column(BigInteger)

    record: Mapped[Record] = relationship(back_populates="items")


class Arrest(Record):
    __tablename__ = "arrests"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(40), index=True)
    age_band: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(40))
    offences: Mapped[list[ArrestOffence]] = relationship(
        cascade="all, delete-orphan", order_by="ArrestOffence.seq", lazy="selectin"
    )
    __mapper_args__ = {"polymorphic_identity": "arrest"}


class ArrestOffence(Base):
    __tablename__ = "arrest_offences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arrest_id: Mapped[int] = mapped_column(ForeignKey("arrests.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    offence_group: Mapped[str] = mapped_column(String(60))
    offence_text: Mapped[str] = mapped_column(String(200))


class Seizure(Record):
    __tablename__ = "seizures"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    seizure_context: Mapped[str | None] = mapped_column(String(40))
    __mapper_args__ = {"polymorphic_identity": "seizure"}


class VehicleStop(Record):
    __tablename__ = "vehicle_stops"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    vrm: Mapped[str] = mapped_column(String(16), index=True)
    stop_reason: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    anpr_hit_ref: Mapped[str | None] = mapped_column(String(64))
    __mapper_args__ = {"polymorphic_identity": "vehicle_stop"}


class WeaponsSweep(Record):
    __tablename__ = "weapons_sweeps"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    place: Mapped[str] = mapped_column(String(200))
    area_searched: Mapped[str | None] = mapped_column(String(300))
    area_searched_m2: Mapped[float | None] = mapped_column(Float)
    __mapper_args__ = {"polymorphic_identity": "weapons_sweep"}


class TestPurchase(Record):
    __tablename__ = "test_purchases"
    __test__ = False  # not a pytest test class
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    premises: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(30))
    follow_up: Mapped[str | None] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "test_purchase"}


class Patrol(Record):
    __tablename__ = "patrols"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    patrol_type: Mapped[str] = mapped_column(String(30))
    hotspot_ref: Mapped[str | None] = mapped_column(String(64))
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    officers: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"polymorphic_identity": "patrol"}


class Warrant(Record):
    __tablename__ = "warrants"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(300))
    warrant_type: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "warrant"}


class Referral(Record):
    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(40), index=True)
    age_band: Mapped[str] = mapped_column(String(10))
    partner_type: Mapped[str] = mapped_column(String(30))
    partner_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    referral_outcome: Mapped[str | None] = mapped_column(String(200))
    __mapper_args__ = {"polymorphic_identity": "referral"}


class CourtOutcome(Record):
    __tablename__ = "court_outcomes"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(64))
    person_ref: Mapped[str | None] = mapped_column(String(40))
    sentence_type: Mapped[str] = mapped_column(String(30))
    custodial_months: Mapped[int | None] = mapped_column(Integer)
    __mapper_args__ = {"polymorphic_identity": "court_outcome"}


class Engagement(Record):
    __tablename__ = "engagements"
    id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    engagement_type: Mapped[str] = mapped_column(String(30))
    participants: Mapped[int | None] = mapped_column(Integer)
    # [{"question": ..., "responses": {"answer": count, ...}}]
    survey: Mapped[list | None] = mapped_column(JSON)
    __mapper_args__ = {"polymorphic_identity": "engagement"}


class RecordHistory(Base):
    """The full state of a record after each change: created, corrected, deleted."""

    __tablename__ = "record_history"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    state: Mapped[dict] = mapped_column(JSON)
    changed_fields: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DrugPriceTable(Base):
    """A versioned drug price table: price per unit per drug type, with its source and date."""

    __tablename__ = "drug_price_tables"

    version: Mapped[str] = mapped_column(String(60), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    # [{"drug_type": "cocaine", "drug_class": "A", "unit": "g", "price_pence": 8000}, ...]
    entries: Mapped[list] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
