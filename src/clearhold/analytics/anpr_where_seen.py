"""Where seen: a vehicle's sightings as GeoJSON for a map (points in time order and the track)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


def where_seen_geojson(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection: one Point per sighting with a position, then one LineString track.

    Parameters
    ----------
    rows : sightings with ``lat``, ``lon`` (WGS84, may be None), ``captured_at``, ``camera_id``,
        ``vrm``, ``match_type`` (as returned by ``clearhold.anpr.search.where_seen``).

    Returns
    -------
    dict: ``{"type": "FeatureCollection", "features": [...]}``; sightings without a position are
    left out; the track is added when there are two or more points.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> fc = where_seen_geojson([{"lat": 52.2, "lon": -0.9, "captured_at": datetime(2026, 1, 1, tzinfo=UTC),
    ...                          "camera_id": "C1", "vrm": "AB12CDE", "match_type": "exact"}])
    >>> fc["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [-0.9, 52.2]}
    """
    points = []
    for row in sorted(rows, key=lambda r: r["captured_at"]):
        if row.get("lat") is None or row.get("lon") is None:
            continue
        at = row["captured_at"]
        points.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
            "properties": {"captured_at": at.isoformat() if isinstance(at, datetime) else str(at),
                           "camera_id": row.get("camera_id"), "vrm": row.get("vrm"),
                           "match_type": row.get("match_type"), "site": row.get("site")},
        })
    features = list(points)
    if len(points) >= 2:
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString", "coordinates": [p["geometry"]["coordinates"] for p in points]},
                         "properties": {"kind": "track", "sightings": len(points)}})
    return {"type": "FeatureCollection", "features": features}
