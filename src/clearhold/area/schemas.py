"""API/input shape of areas."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from clearhold.operation.schemas import check_slug

LSOA21 = re.compile(r"^[EW]010\d{5}$")
ROLES = ("target", "buffer", "comparison")


class AreaCreate(BaseModel):
    """An area by polygon (GeoJSON geometry, WGS84) or by a list of 2021 LSOA codes (or both)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    slug: str
    name: str = Field(min_length=1, max_length=200)
    operation: str | None = Field(default=None, description="Operation slug")
    role: str = "target"
    parent: str | None = Field(default=None, description="Slug of the area this is a buffer or comparison of")
    geometry: dict[str, Any] | None = None
    lsoa_codes: list[str] = Field(default_factory=list)
    buffer_m: float | None = Field(default=None, gt=0, le=50000)
    description: str | None = None

    _s = field_validator("slug")(check_slug)

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if v not in ROLES:
            raise ValueError(f"role was {v!r}; it must be one of: {', '.join(ROLES)}")
        return v

    @field_validator("lsoa_codes")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not LSOA21.match(c)]
        if bad:
            raise ValueError(f"not 2021 LSOA codes (E010xxxxx or W010xxxxx): {', '.join(bad[:5])}")
        return sorted(set(v))

    @model_validator(mode="after")
    def _something(self):
        if self.geometry is None and not self.lsoa_codes and not (self.role == "buffer" and self.buffer_m):
            raise ValueError(
                "an area needs a geometry (GeoJSON polygon), a list of LSOA codes, "
                "or (for a buffer) buffer_m around its parent"
            )
        if self.role != "target" and self.parent is None:
            raise ValueError(f"a {self.role} area needs parent: the slug of the area it serves")
        return self


class AreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    role: str
    operation_id: int | None
    parent_id: int | None
    geometry: dict[str, Any] | None
    lsoa_codes: list[str]
    buffer_m: float | None
    area_m2: float | None
