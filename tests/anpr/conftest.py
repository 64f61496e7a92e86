"""ANPR fixtures: a fixed clock, a small hotlist and reads you can check by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def read(read_id: str, vrm: str, camera: str = "CAM1", at: datetime | None = None, **extra):
    from clearhold.anpr.schemas import ReadIn

    return ReadIn(read_id=read_id, camera_id=camera, vrm=vrm, captured_at=at or NOW - timedelta(minutes=5), **extra)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def hotlisted(any_engine):
    """A hotlist with AB12CDE (high) and XY51ABC (low) and an analyst with a role."""
    from clearhold.anpr import access, service
    from clearhold.anpr.schemas import HotlistEntryCreate
    from clearhold.storage.database import session_scope

    with session_scope(any_engine) as s:
        service.create_hotlist(s, name="violence", source="local")
        service.add_entries(s, hotlist="violence", by="sgt", now=NOW - timedelta(days=1), entries_in=[
            HotlistEntryCreate(vrm="AB12 CDE", reason="linked to violence", priority="high", markers=["weapons"]),
            HotlistEntryCreate(vrm="XY51ABC", reason="stolen", priority="low"),
        ])
        access.grant_role(s, user="ana", role="anpr_analyst", granted_by="admin", reason="analyst",
                          now=NOW - timedelta(days=400))
    return any_engine
