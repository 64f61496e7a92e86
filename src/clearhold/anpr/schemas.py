"""ANPR API shapes (pydantic), kept apart from the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from typing_extensions import Required, TypedDict

PRIORITIES = ("high", "medium", "low")
DECISIONS = ("accept", "reject_misread", "reject_wrong_vehicle")
OUTCOMES = ("not_located", "stopped", "searched", "arrest")
AUTHORISED_ROLES = ("anpr_operator", "anpr_analyst", "investigator", "supervisor")
SERIOUS_OFFENCE_CATEGORIES = (
    "homicide", "serious_violence", "firearms", "knife_crime", "kidnap", "rape_serious_sexual",
    "drugs_supply", "organised_crime", "terrorism", "robbery", "burglary_series", "child_exploitation",
)


class ReadIn(BaseModel):
    """One camera read as sent by a camera, a feed or a file."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    read_id: str = Field(min_length=1, max_length=100)
    camera_id: str = Field(min_length=1, max_length=64)
    captured_at: AwareDatetime
    vrm: str = Field(min_length=1, max_length=64, description="raw OCR text, kept as sent")
    confidence: float | None = Field(default=None, ge=0, le=1)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lane: str | None = Field(default=None, max_length=16)
    direction: str | None = Field(default=None, max_length=16)
    plate_image_ref: str | None = Field(default=None, max_length=300)
    overview_image_ref: str | None = Field(default=None, max_length=300)


class ReadBatch(BaseModel):
    reads: list[ReadIn] = Field(max_length=20_000)


def _text(max_length: int, min_length: int = 0):
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length)]


class ReadDict(TypedDict, total=False):
    """The same read as :class:`ReadIn`, validated into a plain dict (the fast ingest path)."""

    read_id: Required[_text(100, 1)]
    camera_id: Required[_text(64, 1)]
    captured_at: Required[AwareDatetime]
    vrm: Required[_text(64, 1)]
    confidence: Annotated[float, Field(ge=0, le=1)] | None
    lat: Annotated[float, Field(ge=-90, le=90)] | None
    lon: Annotated[float, Field(ge=-180, le=180)] | None
    lane: _text(16) | None
    direction: _text(16) | None
    plate_image_ref: _text(300) | None
    overview_image_ref: _text(300) | None


class HotlistEntryCreate(BaseModel):
    vrm: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)
    priority: str = "medium"
    source: str | None = Field(default=None, max_length=50)
    markers: list[str] = Field(default_factory=list)
    action: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=100)
    review_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str) -> str:
        if v not in PRIORITIES:
            raise ValueError(f"priority was {v!r}; it must be one of {', '.join(PRIORITIES)}")
        return v


class HotlistEntryUpdate(BaseModel):
    reason: str | None = Field(default=None, min_length=1, max_length=200)
    priority: str | None = None
    markers: list[str] | None = None
    action: str | None = None
    owner: str | None = None
    review_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str | None) -> str | None:
        if v is not None and v not in PRIORITIES:
            raise ValueError(f"priority was {v!r}; it must be one of {', '.join(PRIORITIES)}")
        return v


class HitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    read_ref: str
    entry_id: int
    vrm_read: str
    vrm_hotlist: str
    match_type: str
    source: str
    camera_ref: str
    captured_at: datetime
    received_at: datetime
    created_at: datetime
    status: str
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    reject_reason: str | None = None
    outcome: str | None = None
    outcome_by: str | None = None
    outcome_at: datetime | None = None
    stop_record_id: int | None = None
    arrest_record_id: int | None = None
