"""Where the demo happens: real boundaries from the shared public data when present,
otherwise approximate outlines (clearly labelled) so the demo runs anywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (file, name property, name) of the real boundary for each demo area.
REAL = {
    "blackthorn": ("geography/wards-2025-west-northamptonshire.geojson", "WD25NM", "Blackthorn & Rectory Farm"),
    "kings-heath": ("geography/wards-2019-northampton.geojson", "WD19NM", "Kings Heath"),
    "talavera": ("geography/wards-2025-west-northamptonshire.geojson", "WD25NM", "Talavera"),
    "castle": ("geography/wards-2025-west-northamptonshire.geojson", "WD25NM", "Castle"),
    "west-northamptonshire": ("geography/local-authorities-2024.geojson", "ltla24_name", "West Northamptonshire"),
    "north-northamptonshire": ("geography/local-authorities-2024.geojson", "ltla24_name", "North Northamptonshire"),
}
# Approximate centres (lon, lat) and half-widths (degrees) for the fallback outlines.
APPROX = {
    "blackthorn": (-0.852, 52.268, 0.012, 0.007),
    "kings-heath": (-0.918, 52.256, 0.010, 0.006),
    "talavera": (-0.870, 52.277, 0.010, 0.006),
    "castle": (-0.897, 52.236, 0.010, 0.006),
    "west-northamptonshire": (-1.000, 52.200, 0.280, 0.180),
    "north-northamptonshire": (-0.620, 52.400, 0.200, 0.160),
}


@dataclass(frozen=True)
class Place:
    key: str
    geometry: dict[str, Any]
    source: str  # "ONS boundary (file)" or "approximate outline"


def _box(lon: float, lat: float, dx: float, dy: float) -> dict[str, Any]:
    ring = [[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]
    return {"type": "Polygon", "coordinates": [ring]}


def load_places(data_dir: Path | None) -> dict[str, Place]:
    places: dict[str, Place] = {}
    cache: dict[str, Any] = {}
    for key, (rel, prop, name) in REAL.items():
        geom = None
        if data_dir is not None and (data_dir / rel).exists():
            if rel not in cache:
                cache[rel] = json.loads((data_dir / rel).read_text(encoding="utf-8"))
            for feat in cache[rel]["features"]:
                if feat["properties"].get(prop) == name:
                    geom = feat["geometry"]
                    break
        if geom is not None:
            places[key] = Place(key, geom, f"ONS boundary ({rel})")
        else:
            places[key] = Place(key, _box(*APPROX[key]), "approximate outline (shared data not found)")
    return places
