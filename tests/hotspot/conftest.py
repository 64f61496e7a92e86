"""A crime store with real West Northamptonshire geography and four real months (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import need_shared_data

GEO = (
    "geography/lsoa21-west-northamptonshire.geojson",
    "geography/lsoa21-north-northamptonshire.geojson",
    "geography/wards-2025-west-northamptonshire.geojson",
    "lookups/lsoa11-to-lsoa21-to-lad22.csv",
    "lookups/lsoa21-to-ward24-to-lad24.csv",
    "lookups/lad24-to-csp24-to-pfa24.csv",
)
MONTHS = ("2022-01", "2022-02", "2022-03", "2022-04")


@pytest.fixture(scope="session")
def hotspot_store(tmp_path_factory) -> Path:
    from clearhold.crime import service
    from clearhold.geo.store import load_file
    from clearhold.storage.lake import Lake

    root = tmp_path_factory.mktemp("hotspot_store")
    lake = Lake(root)
    for rel in GEO:
        load_file(lake, need_shared_data(*rel.split("/")))
    service.ingest(store=root, paths=[need_shared_data("police-uk", "northamptonshire",
                                                       f"{m}-northamptonshire-street.csv") for m in MONTHS])
    return root
