"""Shared set-up for the crime benchmarks: a geography store and generated national data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GEO_FILES = (
    "geography/lsoa21-england-wales-generalised.geojson",
    "geography/lsoa21-west-northamptonshire.geojson",
    "geography/lsoa21-north-northamptonshire.geojson",
    "lookups/lsoa11-to-lsoa21-to-lad22.csv",
    "lookups/lsoa21-to-ward24-to-lad24.csv",
    "lookups/lad24-to-csp24-to-pfa24.csv",
    "population/census2021-usual-residents-lsoa21.csv",
)


def geo_store(root: Path) -> Path:
    """A store with the boundaries and lookups (built once, reused between runs)."""
    from clearhold.geo.store import load_file
    from clearhold.storage.lake import Lake

    marker = root / ".geo-ready"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        lake = Lake(root)
        for rel in GEO_FILES:
            load_file(lake, DATA / rel)
        marker.write_text("ok")
    return root


def fresh_store(geo: Path, target: Path) -> Path:
    """A copy of the geography store with no crime in it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(geo, target)
    return target


def real_files() -> list[Path]:
    return sorted((DATA / "police-uk" / "northamptonshire").glob("*-street.csv"))


def national_month(folder: Path, *, rows: int = 550_000, month: str = "2024-01", seed: int = 7) -> list[Path]:
    """One month for England and Wales at realistic size, one file per force.

    From the real Northamptonshire files: crime type mix, outcome mix by type, the share of
    ASB without Crime ID, the share of duplicated Crime IDs and the number of distinct map
    points per crime. Locations: LSOAs drawn in proportion to Census 2021 residents, each
    crime at one of a few snapped map points around the LSOA's representative point.
    """
    import shapely

    from clearhold.geo.bng import to_wgs84

    folder.mkdir(parents=True, exist_ok=True)
    done = sorted(folder.glob(f"{month}-*-street.csv"))
    if done and (folder / f".rows-{rows}").exists():
        return done
    rng = np.random.default_rng(seed)
    real = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in real_files()], ignore_index=True)
    geo = pd.read_csv(DATA / "lookups" / "lsoa21-to-ward24-to-lad24.csv", dtype=str)
    pfa = pd.read_csv(DATA / "lookups" / "lad24-to-csp24-to-pfa24.csv", dtype=str).drop_duplicates("ltla24_code")
    pop = pd.read_csv(DATA / "population" / "census2021-usual-residents-lsoa21.csv")
    lsoa = geo.merge(pfa[["ltla24_code", "pfa24_name"]], on="ltla24_code").merge(pop, on="lsoa21_code")
    import json

    features = json.loads((DATA / "geography" / "lsoa21-england-wales-generalised.geojson").read_text())["features"]
    codes = [f["properties"]["lsoa21_code"] for f in features]
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    rep = shapely.get_coordinates(shapely.point_on_surface(geoms))
    where = pd.Series(np.arange(len(codes)), index=codes)
    lsoa = lsoa[lsoa["lsoa21_code"].isin(where.index)].reset_index(drop=True)
    weights = lsoa["total_residents"].to_numpy(dtype=float)
    pick = rng.choice(len(lsoa), size=rows, p=weights / weights.sum())
    sample = real.iloc[rng.integers(0, len(real), size=rows)].reset_index(drop=True)
    chosen = lsoa.iloc[pick].reset_index(drop=True)
    base = rep[where[chosen["lsoa21_code"]].to_numpy()]
    # ~6 snapped map points per LSOA: the same (lsoa, k) gives the same point
    k = rng.integers(0, 6, size=rows)
    offsets = np.random.default_rng(seed + 1).normal(0, 0.0012, size=(len(lsoa), 6, 2))
    lonlat = base + offsets[pick, k]
    ids = np.array([f"{h:064x}" for h in rng.integers(0, 2**63, size=rows, dtype=np.int64)], dtype=object)
    dup = rng.random(rows) < 0.007
    ids[dup] = ids[np.maximum(np.flatnonzero(dup) - 1, 0)]
    ids[(sample["Crime type"] == "Anti-social behaviour").to_numpy()] = ""
    out = pd.DataFrame({
        "Crime ID": ids, "Month": month, "Reported by": chosen["pfa24_name"] + " Police",
        "Falls within": chosen["pfa24_name"] + " Police", "Longitude": np.round(lonlat[:, 0], 6),
        "Latitude": np.round(lonlat[:, 1], 6), "Location": sample["Location"], "LSOA code": chosen["lsoa21_code"],
        "LSOA name": chosen["lsoa21_name"], "Crime type": sample["Crime type"],
        "Last outcome category": sample["Last outcome category"], "Context": "",
    })
    for old in folder.glob("*.csv"):
        old.unlink()
    paths = []
    for force, part in out.groupby(chosen["pfa24_name"]):
        slug = re.sub(r"[^a-z0-9]+", "-", force.lower()).strip("-")
        path = folder / f"{month}-{slug}-street.csv"
        part.to_csv(path, index=False, lineterminator="\r\n")
        paths.append(path)
    (folder / f".rows-{rows}").write_text("ok")
    return sorted(paths)
