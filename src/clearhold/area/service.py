"""Areas: get, list_, create, delete, locate. Never commits.

An area is a polygon (kept as GeoJSON in WGS84, measured in British National Grid), a list
of 2021 LSOA codes, or both. A buffer area can be made as the ring of ``buffer_m`` metres
around its parent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from clearhold.area.geometry import bng_to_geojson, buffer_ring, geojson_to_bng
from clearhold.area.schemas import AreaCreate
from clearhold.area.tables import Area
from clearhold.errors import Conflict, InvalidInput, NotFound
from clearhold.operation import service as operation_service
from clearhold.operation.tables import Operation

LsoaGeometries = Callable[[Iterable[str]], dict]


def get(session: Session, *, slug: str) -> Area:
    area = session.scalar(select(Area).where(Area.slug == slug))
    if area is None:
        known = session.scalars(select(Area.slug).order_by(Area.slug)).all()
        hint = f"; known areas: {', '.join(known[:20])}" if known else "; no areas exist yet"
        raise NotFound(f"area {slug!r} not found{hint}")
    return area


def list_(session: Session, *, operation_slug: str | None = None, role: str | None = None) -> list[Area]:
    stmt = select(Area).order_by(Area.id)
    if operation_slug is not None:
        stmt = stmt.join(Operation, Area.operation_id == Operation.id).where(Operation.slug == operation_slug)
    if role is not None:
        stmt = stmt.where(Area.role == role)
    return list(session.scalars(stmt))


def create(
    session: Session, *, area_in: AreaCreate, created_by: str, lsoa_geometries: LsoaGeometries | None = None
) -> Area:
    """Create an area.

    ``lsoa_geometries`` (optional) maps LSOA codes to BNG shapely polygons; when given, an
    area defined only by LSOA codes also gets their union as its polygon.
    """
    if session.scalar(select(Area.id).where(Area.slug == area_in.slug)) is not None:
        raise Conflict(f"area {area_in.slug!r} already exists")
    operation_id = None
    if area_in.operation is not None:
        operation_id = operation_service.get(session, slug=area_in.operation).id
    parent = get(session, slug=area_in.parent) if area_in.parent else None

    geom_bng = geojson_to_bng(area_in.geometry) if area_in.geometry is not None else None
    if geom_bng is None and area_in.lsoa_codes and lsoa_geometries is not None:
        from shapely import union_all

        found = lsoa_geometries(area_in.lsoa_codes)
        missing = sorted(set(area_in.lsoa_codes) - set(found))
        if missing:
            raise InvalidInput(f"lsoa_codes not found in the loaded boundaries: {', '.join(missing[:10])}")
        geom_bng = union_all(list(found.values()))
    if geom_bng is None and area_in.role == "buffer" and area_in.buffer_m:
        if parent is None or parent.geometry is None:
            raise InvalidInput("a buffer by distance needs a parent area that has a polygon")
        geom_bng = buffer_ring(geojson_to_bng(parent.geometry, field="parent geometry"), area_in.buffer_m)

    area = Area(
        slug=area_in.slug, name=area_in.name, operation_id=operation_id, role=area_in.role,
        parent_id=parent.id if parent else None,
        geometry=bng_to_geojson(geom_bng) if geom_bng is not None else None,
        lsoa_codes=list(area_in.lsoa_codes), buffer_m=area_in.buffer_m,
        area_m2=float(geom_bng.area) if geom_bng is not None else None,
        description=area_in.description, created_by=created_by,
    )
    session.add(area)
    session.flush()
    return area


def delete(session: Session, *, slug: str) -> None:
    session.delete(get(session, slug=slug))
    session.flush()


def bng_geometry(area: Area):
    """The area's polygon in BNG, or None when it is defined by LSOA codes only."""
    return geojson_to_bng(area.geometry, field=f"area {area.slug} geometry") if area.geometry else None


class AreaLocator:
    """Finds which of an operation's target areas contains a BNG point (first by id)."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self._areas = [(a.id, bng_geometry(a)) for a in areas if a.geometry and a.role == "target"]
        for _, geom in self._areas:
            shapely.prepare(geom)

    def locate(self, easting: float | None, northing: float | None) -> int | None:
        if easting is None or northing is None:
            return None
        for area_id, geom in self._areas:
            if shapely.contains_xy(geom, easting, northing):
                return area_id
        return None

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        """``locate`` of every (easting, northing) point, in one vectorised test per area."""
        if not points:
            return []
        xs, ys = (np.array(v, dtype="float64") for v in zip(*points, strict=True))
        found = np.full(len(points), -1, dtype="int64")
        for area_id, geom in reversed(self._areas):  # the first by id is written last, so it wins
            found[shapely.contains_xy(geom, xs, ys)] = area_id
        return [None if i < 0 else i for i in found.tolist()]
