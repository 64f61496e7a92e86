"""API/input shape of operations and tactics."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from clearhold.record import vocab

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def check_slug(v: str) -> str:
    if not SLUG.match(v):
        raise ValueError(f"slug was {v!r}; use 2-64 lower-case letters, digits and hyphens, starting with a letter or digit")
    return v


class TacticCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    category: str = "other"
    description: str | None = None
    is_new: bool = Field(default=False, description="A new tactic under evaluation for business as usual")
    started_on: date | None = None

    @field_validator("category")
    @classmethod
    def _cat(cls, v: str) -> str:
        if v not in vocab.TACTIC_CATEGORIES:
            raise ValueError(f"category was {v!r}; it must be one of: {', '.join(vocab.TACTIC_CATEGORIES)}")
        return v


class OperationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    slug: str
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    force: str | None = None
    starts_on: date
    ends_on: date | None = None
    synthetic: bool = Field(default=False, description="Generated data, labelled synthetic in every output")
    tactics: list[TacticCreate] = Field(default_factory=list)

    _s = field_validator("slug")(check_slug)

    @model_validator(mode="after")
    def _dates(self):
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        names = [t.name for t in self.tactics]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tactic names must be unique; repeated: {', '.join(dupes)}")
        return self


class TacticRead(TacticCreate):
    model_config = ConfigDict(from_attributes=True)
    id: int


class OperationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    description: str | None
    force: str | None
    starts_on: date
    ends_on: date | None
    synthetic: bool
    created_by: str
    tactics: list[TacticRead]
