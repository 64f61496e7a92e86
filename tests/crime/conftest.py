"""Shared fixtures: a store with the real Northamptonshire geography, and the real files ingested."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import need_shared_data

GEO_FILES = (
    "geography/lsoa21-england-wales-generalised.geojson",
    "geography/lsoa21-west-northamptonshire.geojson",
    "geography/lsoa21-north-northamptonshire.geojson",
    "geography/wards-2025-west-northamptonshire.geojson",
    "geography/wards-2025-north-northamptonshire.geojson",
    "geography/wards-2019-northampton.geojson",
    "lookups/lsoa11-to-lsoa21-to-lad22.csv",
    "lookups/lsoa21-to-ward24-to-lad24.csv",
    "lookups/lad24-to-csp24-to-pfa24.csv",
    "population/census2021-usual-residents-lsoa21.csv",
)


@pytest.fixture(scope="session")
def geo_store(tmp_path_factory) -> Path:
    """A store holding the real boundaries and lookups (built once per session)."""
    from clearhold.geo.store import load_file
    from clearhold.storage.lake import Lake

    root = tmp_path_factory.mktemp("geo_store")
    lake = Lake(root)
    for rel in GEO_FILES:
        load_file(lake, need_shared_data(*rel.split("/")))
    return root


@pytest.fixture
def empty_store(geo_store, tmp_path) -> Path:
    """A fresh store with the geography but no crime."""
    root = tmp_path / "store"
    shutil.copytree(geo_store, root)
    return root


@pytest.fixture(scope="session")
def crime_dir() -> Path:
    return need_shared_data("police-uk", "northamptonshire")


@pytest.fixture(scope="session")
def ingested(geo_store, crime_dir, tmp_path_factory):
    """(store, results) with all 15 real street files ingested (read-only for tests)."""
    from clearhold.crime import service

    root = tmp_path_factory.mktemp("crime_store")
    shutil.copytree(geo_store, root, dirs_exist_ok=True)
    results = service.ingest(store=root, paths=[crime_dir])
    return root, results
