"""Areas from the records database (slug + session, or the Area object itself)."""

from __future__ import annotations

import pytest

from clearhold.area import service as area_service
from clearhold.area.schemas import AreaCreate
from clearhold.crime import service
from clearhold.errors import NotFound
from clearhold.storage.database import session_scope

SQUARE = {"type": "Polygon", "coordinates": [[[-0.90, 52.23], [-0.88, 52.23], [-0.88, 52.245], [-0.90, 52.245], [-0.90, 52.23]]]}


def test_slug_areas_resolve_like_their_direct_forms(ingested, sqlite_engine, tmp_path):
    store, _ = ingested
    with session_scope(sqlite_engine) as s:
        area_service.create(s, area_in=AreaCreate(slug="centre", name="Centre", geometry=SQUARE), created_by="t")
        area_service.create(s, area_in=AreaCreate(slug="one-lsoa", name="One LSOA", lsoa_codes=["E01027135"]), created_by="t")
    with session_scope(sqlite_engine) as s:
        by_slug = service.resolve_area("centre", store=store, session=s)
        by_obj = service.resolve_area(area_service.get(s, slug="centre"), store=store)
        coded = service.resolve_area("one-lsoa", store=store, session=s)
        with pytest.raises(NotFound, match="area 'nope' not found"):
            service.resolve_area("nope", store=store, session=s)
    assert by_slug.name == "Centre" and by_slug.select_by == "geometry" and by_slug.kind == "record"
    assert by_slug.geometry.equals(by_obj.geometry)
    assert coded.select_by == "lsoa" and coded.lsoa21 == ("E01027135",) and coded.name == "One LSOA"
    direct = service.resolve_area("lsoa:E01027135", store=store)
    assert coded.residents == direct.residents
    a = service.summary(store=store, area=coded, start_month="2024-01", end_month="2024-02")
    b = service.summary(store=store, area=direct, start_month="2024-01", end_month="2024-02")
    assert a["count"].tolist() == b["count"].tolist()
    pts = service.load_points(store=store, area=by_slug, start_month="2024-01", end_month="2024-04")
    assert len(pts) > 100
