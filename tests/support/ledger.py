"""Small hand-checkable ledgers for tests."""

from __future__ import annotations

from datetime import date

from clearhold.area import service as area_service
from clearhold.area.schemas import AreaCreate
from clearhold.operation import service as operation_service
from clearhold.operation.schemas import OperationCreate
from clearhold.storage.database import session_scope

# A 2 km x 1 km box in Northampton and a second box east of it.
BOX_A = {"type": "Polygon", "coordinates": [[[-0.91, 52.23], [-0.88, 52.23], [-0.88, 52.24], [-0.91, 52.24], [-0.91, 52.23]]]}
BOX_B = {"type": "Polygon", "coordinates": [[[-0.87, 52.23], [-0.84, 52.23], [-0.84, 52.24], [-0.87, 52.24], [-0.87, 52.23]]]}
IN_A = {"lat": 52.235, "lon": -0.895}
IN_B = {"lat": 52.235, "lon": -0.855}


def make_operation(engine, slug: str = "op-test", *, starts_on=date(2023, 7, 31), ends_on=date(2023, 10, 8)) -> None:
    with session_scope(engine) as s:
        operation_service.create(s, operation_in=OperationCreate(
            slug=slug, name="Op Test", force="Testshire Police", starts_on=starts_on, ends_on=ends_on,
            tactics=[{"name": "ANPR stops", "category": "anpr_stops", "is_new": True},
                     {"name": "Weapons sweeps", "category": "weapons_sweep"},
                     {"name": "Patrols", "category": "hotspot_patrol"}]), created_by="tester")
        area_service.create(s, area_in=AreaCreate(slug=f"{slug}-a", name="Area A", operation=slug, geometry=BOX_A),
                            created_by="tester")
        area_service.create(s, area_in=AreaCreate(slug=f"{slug}-b", name="Area B", operation=slug, geometry=BOX_B),
                            created_by="tester")
