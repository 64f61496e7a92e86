"""A live server whose crime store holds real data: the West Northamptonshire 2021 LSOAs and the
Northamptonshire street crimes of January to March 2022 (for the patrol plan and evaluation tests).

The records database is the standard seed (tests.api.seed) plus a second operation
``eval-op`` (2022-03-01 to 2022-03-31) with a target and a comparison area in Northampton.
Started once per test run (shared by tests/api and tests/web) and stopped at the end.
"""

from __future__ import annotations

from datetime import date

from tests.api import live_server

MONTHS = ("2022-01", "2022-02", "2022-03")
TARGET = {"type": "Polygon", "coordinates": [[[-0.90, 52.23], [-0.88, 52.23], [-0.88, 52.245], [-0.90, 52.245], [-0.90, 52.23]]]}
COMPARISON = {"type": "Polygon", "coordinates": [[[-0.92, 52.245], [-0.88, 52.245], [-0.88, 52.27], [-0.92, 52.27], [-0.92, 52.245]]]}
_SERVER: dict[str, live_server.Live] = {}


def build_store(root) -> None:
    from clearhold.crime import service
    from clearhold.geo.store import load_file
    from clearhold.storage.lake import Lake
    from tests.conftest import need_shared_data

    load_file(Lake(root), need_shared_data("geography", "lsoa21-west-northamptonshire.geojson"))
    folder = need_shared_data("police-uk", "northamptonshire")
    service.ingest(store=root, paths=[folder / f"{m}-northamptonshire-street.csv" for m in MONTHS])


def seed_with_evaluation(engine) -> None:
    from clearhold.area import service as areas
    from clearhold.area.schemas import AreaCreate
    from clearhold.operation import service as operations
    from clearhold.operation.schemas import OperationCreate
    from clearhold.storage.database import session_scope
    from tests.api.seed import seed

    seed(engine)
    with session_scope(engine) as session:
        operations.create(session, operation_in=OperationCreate(
            slug="eval-op", name="Evaluation operation", starts_on=date(2022, 3, 1), ends_on=date(2022, 3, 31)),
            created_by="seed")
        areas.create(session, area_in=AreaCreate(slug="eval-centre", name="Eval centre", operation="eval-op",
                                                 geometry=TARGET), created_by="seed")
        areas.create(session, area_in=AreaCreate(slug="eval-north", name="Eval north", operation="eval-op",
                                                 role="comparison", parent="eval-centre", geometry=COMPARISON), created_by="seed")


def server(tmp_path_factory) -> live_server.Live:
    """The shared server (started on first use)."""
    if "live" not in _SERVER:
        folder = tmp_path_factory.mktemp("live-analysis")
        build_store(folder / "store")  # Settings(home=folder) -> store folder/store
        _SERVER["live"] = live_server.start(folder / "web.db", seed=seed_with_evaluation)
    return _SERVER["live"]


def stop() -> None:
    live = _SERVER.pop("live", None)
    if live is not None:
        live.stop()
