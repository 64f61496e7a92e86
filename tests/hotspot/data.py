"""Real Northamptonshire data read straight from ../shared/data (pandas + pyproj), so that the
analytics tests do not depend on the crime store."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from tests.conftest import need_shared_data

FORCE_DIR = ("police-uk", "northamptonshire")


def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@lru_cache(maxsize=32)
def _month_frame(month: str) -> pd.DataFrame:
    path = need_shared_data(*FORCE_DIR, f"{month}-northamptonshire-street.csv")
    df = pd.read_csv(path, usecols=["Month", "Longitude", "Latitude", "Crime type", "LSOA code"])
    df = df.dropna(subset=["Longitude", "Latitude"]).reset_index(drop=True)
    x, y = _transformer().transform(df["Longitude"].to_numpy(), df["Latitude"].to_numpy())
    return pd.DataFrame({
        "month": df["Month"].astype(str), "crime_type": df["Crime type"].astype(str),
        "x_m": x, "y_m": y, "lon": df["Longitude"], "lat": df["Latitude"],
        "lsoa": df["LSOA code"], "harm": 1.0,
    })


def load_months(*months: str) -> pd.DataFrame:
    """Points of the given months with BNG coordinates (copies; callers may change them)."""
    return pd.concat([_month_frame(m) for m in months], ignore_index=True)


ALL_MONTHS = tuple([f"2022-{m:02d}" for m in range(1, 12)] + [f"2024-{m:02d}" for m in range(1, 5)])


@lru_cache(maxsize=1)
def northamptonshire_bng():
    """The Northamptonshire police force area (2020) as a shapely geometry in BNG metres."""
    import shapely
    from shapely.geometry import shape

    path = need_shared_data("geography", "police-force-areas-2020.geojson")
    features = json.loads(path.read_text())["features"]
    feat = next(f for f in features if f["properties"]["pfa20_name"] == "Northamptonshire")
    geom = shape(feat["geometry"])
    t = _transformer()
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
