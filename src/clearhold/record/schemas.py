"""API/input shape of activity records (kept apart from the tables).

``RecordCreate`` is a union discriminated by ``kind``; the same models validate the command
line, CSV imports and the web forms, so every route in applies the same rules.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from clearhold.record import vocab

PERSON_REF = re.compile(r"^[A-Z0-9][A-Z0-9/_-]{2,39}$")


def _choice(name: str, allowed: tuple[str, ...]):
    def check(value):
        if value is None:
            return value
        if value not in allowed:
            raise ValueError(f"{name} was {value!r}; it must be one of: {', '.join(allowed)}")
        return value

    return check


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OffenceIn(_Model):
    group: str
    text: str = Field(min_length=1, max_length=200)

    _g = field_validator("group")(_choice("offence group", vocab.OFFENCE_GROUPS))


class ItemIn(_Model):
    """One seized item. Drugs need class, type, quantity and unit; weapons a type; cash an amount."""

    item_kind: str
    description: str | None = Field(default=None, max_length=300)
    drug_class: str | None = None
    drug_type: str | None = Field(default=None, max_length=40)
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=3)
    unit: str | None = None
    value_gbp: Decimal | None = Field(default=None, ge=0, decimal_places=2)
    weapon_type: str | None = None
    disposition: str | None = None
    count: int = Field(default=1, ge=1, le=100000)
    cash_gbp: Decimal | None = Field(default=None, gt=0, decimal_places=2)

    _k = field_validator("item_kind")(_choice("item_kind", vocab.ITEM_KINDS))
    _dc = field_validator("drug_class")(_choice("drug_class", vocab.DRUG_CLASSES))
    _u = field_validator("unit")(_choice("unit", vocab.DRUG_UNITS))
    _w = field_validator("weapon_type")(_choice("weapon_type", vocab.WEAPON_TYPES))
    _d = field_validator("disposition")(_choice("disposition", vocab.WEAPON_DISPOSITIONS))

    @field_validator("drug_type")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return v.lower() if v else v

    @model_validator(mode="after")
    def _complete(self) -> ItemIn:
        k = self.item_kind
        if k == "drug":
            missing = [f for f in ("drug_class", "drug_type", "quantity", "unit") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a drug item needs {', '.join(missing)}")
        if k == "weapon":
            if self.weapon_type is None:
                raise ValueError("a weapon item needs weapon_type")
            if self.disposition is None:
                self.disposition = "seized"
        if k == "cash" and self.cash_gbp is None:
            raise ValueError("a cash item needs cash_gbp")
        if k != "cash" and self.cash_gbp is not None:
            raise ValueError(f"cash_gbp is only for cash items, not {k}")
        if k != "drug" and any(getattr(self, f) is not None for f in ("drug_class", "drug_type", "quantity", "unit")):
            raise ValueError(f"drug fields are only for drug items, not {k}")
        if k != "weapon" and self.weapon_type is not None:
            raise ValueError(f"weapon_type is only for weapon items, not {k}")
        return self


class _RecordBase(_Model):
    operation: str = Field(min_length=1, max_length=64, description="Operation slug")
    ref: str | None = Field(default=None, max_length=64, description="Your own reference, unique in the operation")
    occurred_at: datetime
    ended_at: datetime | None = None
    area: str | None = Field(default=None, description="Area slug")
    tactic: str | None = Field(default=None, description="Tactic name, as defined on the operation")
    lat: float | None = Field(default=None, ge=49.0, le=61.5)
    lon: float | None = Field(default=None, ge=-9.0, le=2.5)
    easting: float | None = Field(default=None, ge=0, le=700000)
    northing: float | None = Field(default=None, ge=0, le=1300000)
    location_text: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=5000)
    source_record_id: int | None = Field(default=None, description="The record that led to this one")
    items: list[ItemIn] = Field(default_factory=list)

    @field_validator("occurred_at", "ended_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("timestamp has no time zone; give an offset, e.g. 2023-08-01T14:30:00+01:00")
        return v

    @model_validator(mode="after")
    def _place_and_time(self, info: ValidationInfo):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        if (self.easting is None) != (self.northing is None):
            raise ValueError("easting and northing go together: give both or neither")
        _check_in_uk(self.lat, self.lon, self.easting, self.northing, (info.context or {}).get("in_uk"))
        if self.ended_at is not None and self.ended_at < self.occurred_at:
            raise ValueError(f"ended_at {self.ended_at.isoformat()} is before occurred_at {self.occurred_at.isoformat()}")
        return self


class InUK:
    """Answers to "is this point in the UK?" worked out for many points in one vectorised call
    (an import's), so that validating each record looks its answer up instead of testing one
    point at a time. A point it was not given is tested on its own, as for a single record."""

    def __init__(self, lon_lat=(), east_north=()) -> None:
        from clearhold.geo.bng import to_wgs84

        self._lon_lat = _answers(lon_lat)
        self._east_north = _answers(east_north, to_wgs84)

    def lon_lat(self, lon: float, lat: float) -> bool:
        found = self._lon_lat.get((lon, lat))
        return _lon_lat_in_uk(lon, lat) if found is None else found

    def east_north(self, easting: float, northing: float) -> bool:
        found = self._east_north.get((easting, northing))
        return _east_north_in_uk(easting, northing) if found is None else found


def _answers(pairs, to_lon_lat=None) -> dict[tuple[float, float], bool]:
    """(x, y) -> in the UK, for every pair at once (``to_lon_lat`` converts them first)."""
    import numpy as np

    from clearhold.geo.uk import in_uk

    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    xs, ys = (np.array(v, dtype="float64") for v in zip(*pairs, strict=True))
    if to_lon_lat is not None:
        xs, ys = to_lon_lat(xs, ys)
    return dict(zip(pairs, in_uk(xs, ys).tolist(), strict=True))


def _lon_lat_in_uk(lon: float, lat: float) -> bool:
    from clearhold.geo.uk import in_uk

    return bool(in_uk(lon, lat))


def _east_north_in_uk(easting: float, northing: float) -> bool:
    from clearhold.geo.bng import to_wgs84

    return _lon_lat_in_uk(*to_wgs84(easting, northing))


def _check_in_uk(lat, lon, easting, northing, known: InUK | None = None) -> None:
    known = known or InUK()  # without answers worked out beforehand, each point is tested on its own
    if lat is not None and not known.lon_lat(lon, lat):
        raise ValueError(f"lat/lon ({lat}, {lon}) is outside the United Kingdom (latitude first, then longitude)")
    if easting is not None and not known.east_north(easting, northing):
        raise ValueError(f"easting/northing ({easting:.0f}, {northing:.0f}) is outside the United Kingdom")


def _person(v: str) -> str:
    if not PERSON_REF.match(v):
        raise ValueError(
            f"person_ref was {v!r}; it must be an opaque reference (3-40 upper-case letters, digits, / _ -), never a name"
        )
    return v


class ArrestCreate(_RecordBase):
    kind: Literal["arrest"] = "arrest"
    person_ref: str
    age_band: str = "unknown"
    outcome: str = "pending"
    offences: list[OffenceIn] = Field(min_length=1)

    _p = field_validator("person_ref")(_person)
    _a = field_validator("age_band")(_choice("age_band", vocab.AGE_BANDS))
    _o = field_validator("outcome")(_choice("outcome", vocab.ARREST_OUTCOMES))


class SeizureCreate(_RecordBase):
    kind: Literal["seizure"] = "seizure"
    seizure_context: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _has_items(self):
        if not self.items:
            raise ValueError("a seizure needs at least one item")
        return self


class VehicleStopCreate(_RecordBase):
    kind: Literal["vehicle_stop"] = "vehicle_stop"
    vrm: str = Field(min_length=1, max_length=16)
    reason: str
    result: str
    anpr_hit_ref: str | None = Field(default=None, max_length=64)

    _r = field_validator("reason")(_choice("reason", vocab.STOP_REASONS))
    _s = field_validator("result")(_choice("result", vocab.STOP_RESULTS))

    @field_validator("vrm")
    @classmethod
    def _norm(cls, v: str) -> str:
        n = re.sub(r"[^A-Za-z0-9]", "", v).upper()
        if not n:
            raise ValueError(f"vrm was {v!r}; it has no letters or digits")
        return n


class WeaponsSweepCreate(_RecordBase):
    kind: Literal["weapons_sweep"] = "weapons_sweep"
    place: str = Field(min_length=1, max_length=200)
    area_searched: str | None = Field(default=None, max_length=300)
    area_searched_m2: float | None = Field(default=None, gt=0)


class TestPurchaseCreate(_RecordBase):
    __test__ = False
    kind: Literal["test_purchase"] = "test_purchase"
    premises: str = Field(min_length=1, max_length=200)
    result: str
    follow_up: str | None = None

    _r = field_validator("result")(_choice("result", vocab.TEST_PURCHASE_RESULTS))
    _f = field_validator("follow_up")(_choice("follow_up", vocab.TEST_PURCHASE_FOLLOW_UPS))


class PatrolCreate(_RecordBase):
    kind: Literal["patrol"] = "patrol"
    patrol_type: str = "hotspot_foot"
    hotspot_ref: str | None = Field(default=None, max_length=64)
    planned: bool = False
    officers: int = Field(default=1, ge=1, le=100)

    _t = field_validator("patrol_type")(_choice("patrol_type", vocab.PATROL_TYPES))

    @model_validator(mode="after")
    def _needs_end(self):
        if self.ended_at is None:
            raise ValueError("a patrol needs ended_at (start and end give the dwell time)")
        return self


class WarrantCreate(_RecordBase):
    kind: Literal["warrant"] = "warrant"
    address: str = Field(min_length=1, max_length=300)
    warrant_type: str
    result: str

    _t = field_validator("warrant_type")(_choice("warrant_type", vocab.WARRANT_TYPES))
    _r = field_validator("result")(_choice("result", vocab.WARRANT_RESULTS))


class ReferralCreate(_RecordBase):
    kind: Literal["referral"] = "referral"
    person_ref: str
    age_band: str = "unknown"
    partner_type: str
    partner_name: str | None = Field(default=None, max_length=200)
    reason: str
    status: str = "referred"
    referral_outcome: str | None = Field(default=None, max_length=200)

    _p = field_validator("person_ref")(_person)
    _a = field_validator("age_band")(_choice("age_band", vocab.AGE_BANDS))
    _pt = field_validator("partner_type")(_choice("partner_type", vocab.PARTNER_TYPES))
    _r = field_validator("reason")(_choice("reason", vocab.REFERRAL_REASONS))
    _s = field_validator("status")(_choice("status", vocab.REFERRAL_STATUSES))


class CourtOutcomeCreate(_RecordBase):
    kind: Literal["court_outcome"] = "court_outcome"
    case_ref: str = Field(min_length=1, max_length=64)
    person_ref: str | None = None
    sentence_type: str
    custodial_months: int | None = Field(default=None, ge=0, le=1200)

    _p = field_validator("person_ref")(lambda v: _person(v) if v is not None else v)
    _s = field_validator("sentence_type")(_choice("sentence_type", vocab.SENTENCE_TYPES))

    @model_validator(mode="after")
    def _months(self):
        custodial = self.sentence_type in ("immediate_custody", "suspended_sentence")
        if custodial and self.custodial_months is None:
            raise ValueError(f"custodial_months is needed for sentence_type {self.sentence_type}")
        if not custodial and self.custodial_months:
            raise ValueError(f"custodial_months is only for custodial sentences, not {self.sentence_type}")
        return self


class SurveyQuestion(_Model):
    question: str = Field(min_length=1, max_length=500)
    responses: dict[str, int]

    @field_validator("responses")
    @classmethod
    def _nonneg(cls, v: dict[str, int]) -> dict[str, int]:
        bad = {k: n for k, n in v.items() if n < 0}
        if bad:
            raise ValueError(f"response counts must not be negative: {bad}")
        return v


class EngagementCreate(_RecordBase):
    kind: Literal["engagement"] = "engagement"
    engagement_type: str
    participants: int | None = Field(default=None, ge=0)
    survey: list[SurveyQuestion] | None = None

    _t = field_validator("engagement_type")(_choice("engagement_type", vocab.ENGAGEMENT_TYPES))


RecordCreate = Annotated[
    ArrestCreate | SeizureCreate | VehicleStopCreate | WeaponsSweepCreate | TestPurchaseCreate
    | PatrolCreate | WarrantCreate | ReferralCreate | CourtOutcomeCreate | EngagementCreate,
    Field(discriminator="kind"),
]
CREATE_MODELS: dict[str, type[_RecordBase]] = {
    m.model_fields["kind"].default: m
    for m in (ArrestCreate, SeizureCreate, VehicleStopCreate, WeaponsSweepCreate, TestPurchaseCreate,
              PatrolCreate, WarrantCreate, ReferralCreate, CourtOutcomeCreate, EngagementCreate)
}
record_create_adapter: TypeAdapter = TypeAdapter(RecordCreate)


def parse_record(data: dict[str, Any], *, in_uk: InUK | None = None):
    """Validate a dict into the Create model of its ``kind``.

    ``in_uk``: the UK check's answers for many records' points, worked out at once (imports);
    without it each point is tested on its own. The checks and messages are the same.
    """
    if in_uk is None:
        return record_create_adapter.validate_python(data)
    return record_create_adapter.validate_python(data, context={"in_uk": in_uk})


class RecordCorrection(_Model):
    """A correction: the fields to change, and why. History keeps every version."""

    changes: dict[str, Any] = Field(min_length=1)
    reason: str = Field(min_length=3, max_length=2000)
    expected_version: int | None = None
