"""Where-seen GeoJSON: hand-checked points and track."""

from __future__ import annotations

from datetime import UTC, datetime

from clearhold.analytics.anpr_where_seen import where_seen_geojson


def test_points_in_time_order_and_track():
    rows = [
        {"lat": 52.25, "lon": -0.85, "captured_at": datetime(2026, 1, 1, 10, 5, tzinfo=UTC), "camera_id": "B", "vrm": "X", "match_type": "exact"},
        {"lat": 52.24, "lon": -0.90, "captured_at": datetime(2026, 1, 1, 10, 0, tzinfo=UTC), "camera_id": "A", "vrm": "X", "match_type": "misread"},
        {"lat": None, "lon": None, "captured_at": datetime(2026, 1, 1, 10, 2, tzinfo=UTC), "camera_id": "Z", "vrm": "X", "match_type": "exact"},
    ]
    before = [dict(r) for r in rows]
    fc = where_seen_geojson(rows)
    assert rows == before
    assert [f["geometry"] for f in fc["features"]] == [
        {"type": "Point", "coordinates": [-0.90, 52.24]},
        {"type": "Point", "coordinates": [-0.85, 52.25]},
        {"type": "LineString", "coordinates": [[-0.90, 52.24], [-0.85, 52.25]]},
    ]
    assert fc["features"][0]["properties"]["captured_at"] == "2026-01-01T10:00:00+00:00"
    assert where_seen_geojson([]) == {"type": "FeatureCollection", "features": []}
