"""Fixtures: simulated panels, the real Northamptonshire 2022 LSOA x month panel, a small crime store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import need_shared_data

GEO_FILES = (
    "geography/lsoa21-england-wales-generalised.geojson",
    "geography/lsoa21-west-northamptonshire.geojson",
    "geography/lsoa21-north-northamptonshire.geojson",
    "geography/wards-2025-west-northamptonshire.geojson",
    "geography/wards-2025-north-northamptonshire.geojson",
    "lookups/lsoa11-to-lsoa21-to-lad22.csv",
    "lookups/lsoa21-to-ward24-to-lad24.csv",
    "lookups/lad24-to-csp24-to-pfa24.csv",
    "population/census2021-usual-residents-lsoa21.csv",
)
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 12)]


@pytest.fixture(scope="session")
def sim():
    """40 areas, 24 months before and 3 during, one treated area with a planted -25% effect."""
    from clearhold.analytics.evaluation import simulate_panel

    return simulate_panel(n_areas=60, n_treated=1, n_pre=24, n_post=3, effect=-0.25, mean_count=30, seed=3)


@pytest.fixture(scope="session")
def northants_2022() -> pd.DataFrame:
    """Real street crime of Northamptonshire, Jan-Nov 2022, counted by published LSOA and month
    (aggregated here from the published CSVs; every row kept, rows without an LSOA dropped)."""
    folder = need_shared_data("police-uk", "northamptonshire")
    frames = []
    for month in MONTHS_2022:
        f = pd.read_csv(folder / f"{month}-northamptonshire-street.csv", usecols=["Month", "LSOA code"])
        frames.append(f.dropna(subset=["LSOA code"]))
    rows = pd.concat(frames, ignore_index=True)
    counts = rows.groupby(["LSOA code", "Month"]).size().rename("count").reset_index()
    counts.columns = ["area", "month", "count"]
    wide = counts.pivot(index="area", columns="month", values="count").reindex(columns=MONTHS_2022).fillna(0)
    wide = wide[wide.sum(axis=1) >= 22]  # LSOAs of the force area (neighbours' strays have a handful)
    long = wide.stack().rename("count").reset_index()
    long.columns = ["area", "month", "count"]
    return long


@pytest.fixture(scope="session")
def crime_store(tmp_path_factory) -> Path:
    """A store with the real geography and the Jan-Nov 2022 street files ingested."""
    from clearhold.crime import service
    from clearhold.geo.store import load_file
    from clearhold.storage.lake import Lake

    root = tmp_path_factory.mktemp("evaluation_store")
    lake = Lake(root)
    for rel in GEO_FILES:
        load_file(lake, need_shared_data(*rel.split("/")))
    folder = need_shared_data("police-uk", "northamptonshire")
    service.ingest(store=root, paths=[folder / f"{m}-northamptonshire-street.csv" for m in MONTHS_2022])
    return root


@pytest.fixture
def store_copy(crime_store, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(crime_store, root)
    return root
