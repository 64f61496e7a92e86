"""API/input shape of intelligence logs (3x5x2 graded)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GRADE_3X5X2 = re.compile(r"^[1-3][A-E][PC]$")
# The older 5x5x5: source A-E, intelligence 1-5, handling 1-5 (e.g. "B24").
GRADE_5X5X5 = re.compile(r"^[A-E][1-5][1-5]$")
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
SOURCE_REF = re.compile(r"^[A-Z0-9][A-Z0-9/_-]{2,63}$")


class IntelItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=5000)
    grade: str

    @field_validator("grade")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().strip("[]").upper()


class IntelLogCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ref: str = Field(min_length=3, max_length=64)
    operation: str | None = None
    area: str | None = None
    intel_date: date
    recorded_at: datetime
    recording_officer: str = Field(min_length=1, max_length=100)
    source_ref: str = Field(description="A source token, never the source's identity")
    security_marking: str = "OFFICIAL-SENSITIVE"
    grading_system: str = "3x5x2"
    handling_instructions: str | None = Field(default=None, max_length=2000)
    subject: str | None = Field(default=None, max_length=60, description="e.g. drug supply, weapons, exploitation, OCG")
    lat: float | None = Field(default=None, ge=49.0, le=61.5)
    lon: float | None = Field(default=None, ge=-9.0, le=2.5)
    items: list[IntelItemIn] = Field(min_length=1)

    @field_validator("source_ref")
    @classmethod
    def _token(cls, v: str) -> str:
        if not SOURCE_REF.match(v):
            raise ValueError(f"source_ref was {v!r}; it must be a token (upper-case letters, digits, / _ -), never a name")
        return v

    @field_validator("security_marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        if v not in MARKINGS:
            raise ValueError(f"security_marking was {v!r}; it must be one of: {', '.join(MARKINGS)}")
        return v

    @field_validator("recorded_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("recorded_at has no time zone")
        return v

    @model_validator(mode="after")
    def _grades(self):
        if self.grading_system not in ("3x5x2", "5x5x5"):
            raise ValueError(f"grading_system was {self.grading_system!r}; it must be 3x5x2 or 5x5x5")
        pattern = GRADE_3X5X2 if self.grading_system == "3x5x2" else GRADE_5X5X5
        for i, item in enumerate(self.items, start=1):
            if not pattern.match(item.grade):
                allowed = "like 1BP: source 1-3, intelligence A-E, handling P or C" if self.grading_system == "3x5x2" else "like B24"
                raise ValueError(f"items.{i}.grade was {item.grade!r}; a {self.grading_system} grade looks {allowed}")
        if self.grading_system == "3x5x2" and any(i.grade.endswith("C") for i in self.items):
            if not (self.handling_instructions or "").strip():
                raise ValueError("handling_instructions are required: an item has handling code C")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        if self.lat is not None:
            from clearhold.geo.uk import in_uk

            if not in_uk(self.lon, self.lat):
                raise ValueError(f"lat/lon ({self.lat}, {self.lon}) is outside the United Kingdom")
        if self.intel_date > self.recorded_at.date():
            raise ValueError(f"intel_date {self.intel_date} is after recorded_at {self.recorded_at.date()}")
        return self


class DisseminationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    recipient: str = Field(min_length=1, max_length=200)
    recipient_is_police: bool
    purpose: str = Field(min_length=3, max_length=2000)
    authorised_by: str = Field(min_length=1, max_length=100)
