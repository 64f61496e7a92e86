"""Hand-checkable data for the API and page tests.

One operation ``test-op`` (from 2025-01-01, ongoing), one target area ``test-centre`` (a
box in Northampton), one tactic, and five arrests placed so that, with figures to
2026-11-20 (a Friday), CompStat reads:

=========  ===  =========
period     now  last year
=========  ===  =========
week         1          1   (2026-11-18 | 2025-11-19: 364 days earlier is 2025-11-21)
month        2          1   (2026-11-03, 2026-11-18 | 2025-11-19)
ytd          3          2   (+ 2026-03-01 | + 2025-06-01)
=========  ===  =========

plus one ANPR vehicle stop on 2026-11-18 in the area, and one intelligence log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

AS_OF = "2026-11-20"
BOX = {"type": "Polygon", "coordinates": [[[-0.90, 52.23], [-0.88, 52.23], [-0.88, 52.245], [-0.90, 52.245], [-0.90, 52.23]]]}
ARREST_TIMES = [
    datetime(2026, 11, 18, 12, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=UTC), datetime(2026, 3, 1, 12, tzinfo=UTC),
    datetime(2025, 11, 19, 12, tzinfo=UTC), datetime(2025, 6, 1, 12, tzinfo=UTC),
]
INTEL_TEXT = "Subject ALPHA-1 is storing knives at the garages behind the parade."


def arrest(when: datetime, n: int, **extra) -> dict:
    return {
        "kind": "arrest", "operation": "test-op", "ref": f"ARR-{n}", "occurred_at": when.isoformat(),
        "lat": 52.2375, "lon": -0.89, "person_ref": f"P-{n:04d}", "age_band": "18-24",
        "offences": [{"group": "Possession of weapons offences", "text": "possession of a bladed article"}], **extra,
    }


def seed_anpr(session) -> None:
    """One hotlist entry and one read of it: hit #1, new (when the ANPR domain exists)."""
    import importlib.util

    if importlib.util.find_spec("clearhold.anpr.service") is None:
        return
    from clearhold.anpr import service as anpr
    from clearhold.anpr.schemas import HotlistEntryCreate, ReadIn

    anpr.get_or_create_hotlist(session, name="local")
    anpr.add_entries(session, hotlist="local", by="seed", entries_in=[
        HotlistEntryCreate(vrm="AB12CDE", reason="linked to violence", priority="high", action="stop and search")])
    anpr.ingest_reads(session, live=anpr.load_index(session), reads_in=[ReadIn(
        read_id="R-1", camera_id="CAM-1", captured_at=datetime.now(UTC), vrm="AB12 CDE", confidence=0.93,
        plate_image_ref="images/R-1-plate.jpg", overview_image_ref="images/R-1-overview.jpg")])


def seed(engine) -> None:
    from clearhold.area import service as areas
    from clearhold.area.schemas import AreaCreate
    from clearhold.intel import service as intel
    from clearhold.intel.schemas import IntelLogCreate
    from clearhold.operation import service as operations
    from clearhold.operation.schemas import OperationCreate
    from clearhold.record import service as records
    from clearhold.storage.database import session_scope

    with session_scope(engine) as session:
        operations.create(session, operation_in=OperationCreate(
            slug="test-op", name="Test operation", starts_on=date(2025, 1, 1),
            tactics=[{"name": "ANPR stops", "category": "anpr_stops"}]), created_by="seed")
        areas.create(session, area_in=AreaCreate(slug="test-centre", name="Test centre", operation="test-op",
                                                 geometry=BOX), created_by="seed")
        for n, when in enumerate(ARREST_TIMES, start=1):
            records.create(session, record_in=arrest(when, n, area="test-centre"), entered_by="seed")
        records.create(session, record_in={
            "kind": "vehicle_stop", "operation": "test-op", "ref": "VS-1", "occurred_at": ARREST_TIMES[0].isoformat(),
            "lat": 52.2375, "lon": -0.89, "vrm": "AB12 CDE", "reason": "anpr_hit", "result": "search",
            "tactic": "ANPR stops"}, entered_by="seed")
        intel.create(session, log_in=IntelLogCreate(
            ref="INT-1", operation="test-op", intel_date=date(2026, 11, 17), recorded_at=ARREST_TIMES[0],
            recording_officer="analyst", source_ref="SRC-7", subject="weapons",
            items=[{"text": INTEL_TEXT, "grade": "2BP"}]), entered_by="analyst")
        seed_anpr(session)
