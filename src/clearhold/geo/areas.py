"""Areas for analysis: a polygon, a list of 2021 LSOAs, a ward, a local authority, a CSP or a
police force area, optionally buffered by metres, resolved to a BNG geometry plus LSOAs.

Which crimes belong to a resolved area (``select_by``):

- ``geometry``: crimes whose (snapped) point lies inside or on the boundary of
  ``geometry`` (polygon files, record areas with a polygon, wards found in a stored
  boundary layer, and any area given a buffer);
- ``lsoa``: crimes whose 2021 LSOA (published, or crosswalked from 2011) is in ``lsoa21``
  (LSOA lists, local authorities, CSPs, force areas, wards known only from the lookup).

Residents (Census 2021 usual residents) are summed over ``lsoa21`` for ``lsoa`` areas; for
``geometry`` areas each intersecting LSOA contributes its residents times the share of its
area inside the polygon (areal weighting: residents assumed spread evenly within an LSOA).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from clearhold.errors import InvalidInput, NotFound
from clearhold.storage.lake import Lake


@dataclass(frozen=True, eq=False)
class ResolvedArea:
    """An area ready for analysis.

    ``geometry`` is a shapely geometry in BNG metres (or None when no boundaries are loaded
    for an LSOA-defined area; for LSOA-defined areas it is the union of their polygons,
    computed on first access); ``lsoa21`` the 2021 LSOAs that make up or intersect it;
    ``residents`` Census 2021 usual residents (None if unknown); ``select_by`` is
    ``"geometry"`` or ``"lsoa"`` (see the module docstring).
    """

    name: str
    kind: str
    select_by: str
    lsoa21: tuple[str, ...]
    residents: float | None
    buffer_m: float | None = None
    _geometry: object | None = field(default=None, repr=False)
    _loader: Callable[[], object] | None = field(default=None, repr=False)

    @property
    def geometry(self):
        if self._geometry is None and self._loader is not None:
            object.__setattr__(self, "_geometry", self._loader())
            object.__setattr__(self, "_loader", None)
        return self._geometry


def resolve(spec, *, lake: Lake, session=None, buffer_m: float | None = None) -> ResolvedArea:
    """Resolve an area given as a ResolvedArea, a records-DB Area, or a string.

    Strings: ``lsoa:E01..,E01..``, ``ward:NAME`` (or ward code), ``lad:NAME``, ``csp:NAME``,
    ``force:NAME``, a path to a GeoJSON file, or the slug of an area in the records database
    (needs ``session``). ``buffer_m`` grows the area by that many metres (selection then by
    geometry).
    """
    if buffer_m is not None and not (isinstance(buffer_m, int | float) and buffer_m >= 0):
        raise InvalidInput(f"buffer_m was {buffer_m!r}; it must be a number of metres >= 0")
    if isinstance(spec, ResolvedArea):
        area = spec
    elif hasattr(spec, "slug") and hasattr(spec, "lsoa_codes"):
        area = from_record(spec, lake=lake)
    elif isinstance(spec, str | Path):
        area = _from_string(str(spec), lake=lake, session=session)
    else:
        raise TypeError(f"area must be a string, a path, an Area or a ResolvedArea, not {type(spec).__name__}")
    return with_buffer(area, buffer_m, lake=lake) if buffer_m else area


def _from_string(text: str, *, lake: Lake, session) -> ResolvedArea:
    prefix, sep, rest = text.partition(":")
    prefix = prefix.strip().lower() if sep else ""
    if prefix == "lsoa":
        codes = [c.strip() for c in rest.split(",") if c.strip()]
        return from_lsoa(codes, lake=lake)
    if prefix == "ward":
        return from_ward(rest.strip(), lake=lake)
    if prefix in ("lad", "csp", "force", "pfa"):
        return from_district(prefix, rest.strip(), lake=lake)
    path = Path(text)
    if path.suffix.lower() in (".geojson", ".json") or path.exists():
        return from_geojson_file(path, lake=lake)
    if session is None:
        raise InvalidInput(
            f"area was {text!r}; use lsoa:CODE,CODE, ward:NAME, lad:NAME, csp:NAME, force:NAME, a GeoJSON file, "
            "or the slug of an area in the records database"
        )
    from clearhold.area import service as area_service

    return from_record(area_service.get(session, slug=text), lake=lake)


def from_record(area, *, lake: Lake) -> ResolvedArea:
    """From a records-database Area (its polygon if it has one, else its LSOA codes).

    Buffer areas in the records database already hold their ring polygon, so ``buffer_m``
    is not applied again."""
    if area.geometry:
        geom = geojson_to_bng_geometry(area.geometry, label=f"area {area.slug}")
        return _polygon_area(area.name or area.slug, "record", geom, lake=lake)
    if area.lsoa_codes:
        return replace(from_lsoa(list(area.lsoa_codes), lake=lake), name=area.name or area.slug, kind="record")
    raise InvalidInput(f"area {area.slug!r} has neither a polygon nor LSOA codes")


def from_lsoa(codes: list[str], *, lake: Lake) -> ResolvedArea:
    from clearhold.geo.store import geography

    if not codes:
        raise InvalidInput("lsoa codes were empty; give at least one 2021 LSOA code, e.g. lsoa:E01027135")
    bad = [c for c in codes if not re.fullmatch(r"[EW]01\d{6}", c)]
    if bad:
        raise InvalidInput(f"lsoa codes {bad} are not LSOA codes (E01xxxxxx or W01xxxxxx)")
    geo = geography(lake)
    if len(geo.attrs):
        unknown = [c for c in codes if c not in geo.attrs.index]
        if unknown:
            raise NotFound(f"lsoa codes {unknown} are not 2021 LSOAs in the store's lookups")
    name = codes[0] if len(codes) == 1 else f"{len(codes)} LSOAs"
    return _lsoa_area(name, "lsoa", sorted(set(codes)), lake=lake)


def from_district(level: str, value: str, *, lake: Lake) -> ResolvedArea:
    from clearhold.geo.store import geography

    geo = geography(lake)
    cached = geo.unions.get(("district", level, value))
    if cached is not None:
        return cached
    attrs = geo.attrs
    col = {"lad": "lad", "csp": "csp", "force": "pfa", "pfa": "pfa"}[level]
    if not len(attrs) or attrs[f"{col}_code"].isna().all():
        raise InvalidInput(f"{level} areas need the LSOA lookups in the store; load them with `clearhold geo load FILE`")
    wanted = _norm(value)
    codes_col = attrs[f"{col}_code"].fillna("")
    labels = attrs[f"{col}_name"].fillna("")
    pairs = {(c, n) for c, n in zip(codes_col.tolist(), labels.tolist(), strict=True)}
    chosen = {c for c, n in pairs if c and (_norm(n) == wanted or c.upper() == value.upper())}
    mask = codes_col.isin(chosen)
    if not mask.any():
        known = sorted(set(attrs[f"{col}_name"].dropna()))
        close = [k for k in known if wanted[:4] and wanted[:4] in _norm(k)][:10]
        raise NotFound(f"{level} {value!r} not found" + (f"; did you mean {close}?" if close else ""))
    label = attrs.loc[mask, f"{col}_name"].iloc[0]
    out = _lsoa_area(label, level if level != "pfa" else "force", sorted(attrs.index[mask]), lake=lake)
    geo.unions[("district", level, value)] = out
    return out


def _norm(text: str) -> str:
    text = re.sub(r"[^a-z0-9]+", " ", str(text).lower().replace("&", " and ")).strip()
    return re.sub(r"\s+(police|constabulary|police service)$", "", text)


def from_ward(value: str, *, lake: Lake) -> ResolvedArea:
    """A ward by name or code: its boundary from the newest stored ward layer holding it,
    else the LSOAs the lookup assigns to it (best fit)."""
    from clearhold.geo.store import geography, read_layer

    if not value:
        raise InvalidInput("ward name was empty")
    wanted = _norm(value)
    layers = sorted((l for l in lake.layers() if l.startswith("ward")), key=lambda l: l[4:], reverse=True)
    for layer in layers:
        codes, names, geoms = read_layer(lake, layer)
        hit = np.flatnonzero((np.array([_norm(n) for n in names]) == wanted) | (codes == value.upper()))
        if len(hit) > 1:
            raise InvalidInput(f"ward {value!r} matches {len(hit)} wards in layer {layer} ({', '.join(codes[hit])}); give the ward code")
        if len(hit) == 1:
            return _polygon_area(str(names[hit[0]]), "ward", geoms[hit[0]], lake=lake)
    attrs = geography(lake).attrs
    mask = (attrs["ward_name"].fillna("").map(_norm) == wanted) | (attrs["ward_code"].fillna("") == value.upper())
    if mask.any():
        codes_found = attrs.loc[mask, "ward_code"].unique()
        if len(codes_found) > 1:
            raise InvalidInput(f"ward {value!r} matches several wards ({', '.join(codes_found)}); give the ward code")
        return _lsoa_area(attrs.loc[mask, "ward_name"].iloc[0], "ward", sorted(attrs.index[mask]), lake=lake)
    raise NotFound(f"ward {value!r} not found in the stored ward boundaries ({', '.join(layers) or 'none'}) or the LSOA-to-ward lookup")


def from_geojson_file(path: Path, *, lake: Lake) -> ResolvedArea:
    if not path.exists():
        raise InvalidInput(f"area file was {str(path)!r}; no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"area file {path} is not valid GeoJSON ({exc})") from None
    geom = geojson_to_bng_geometry(data, label=str(path))
    return _polygon_area(path.stem, "polygon", geom, lake=lake)


def geojson_to_bng_geometry(data: dict, *, label: str):
    """Union of the polygons in a GeoJSON geometry / Feature / FeatureCollection, in BNG."""
    import shapely

    from clearhold.geo.boundaries import _crs_from_text, _to_bng

    if not isinstance(data, dict):
        raise InvalidInput(f"{label}: GeoJSON must be an object")
    kind = data.get("type")
    if kind == "FeatureCollection":
        geoms = [f.get("geometry") for f in data.get("features") or []]
    elif kind == "Feature":
        geoms = [data.get("geometry")]
    else:
        geoms = [data]
    geoms = [g for g in geoms if g]
    if not geoms or any(g.get("type") not in ("Polygon", "MultiPolygon") for g in geoms):
        raise InvalidInput(f"{label}: an area needs Polygon or MultiPolygon geometries")
    try:
        shapes = shapely.from_geojson([json.dumps(g) for g in geoms])
    except shapely.errors.GEOSException as exc:
        raise InvalidInput(f"{label}: unreadable polygon ({exc})") from None
    crs = _crs_from_text(json.dumps(data.get("crs"))) if data.get("crs") else "EPSG:4326"
    if crs == "EPSG:4326":
        minx, miny, maxx, maxy = shapely.total_bounds(shapes)
        if not (-11 <= minx and maxx <= 3 and 49 <= miny and maxy <= 62):
            raise InvalidInput(f"{label}: coordinates are outside Great Britain; GeoJSON must be WGS84 longitude, latitude")
    bng = shapely.union_all(_to_bng(np.asarray(shapes, dtype=object), crs, Path(label)))
    if bng.is_empty or bng.area <= 0:
        raise InvalidInput(f"{label}: the polygon has no area")
    return bng


def with_buffer(area: ResolvedArea, buffer_m: float, *, lake: Lake) -> ResolvedArea:
    """The area grown by ``buffer_m`` metres (selection switches to geometry)."""
    if area.geometry is None:
        raise InvalidInput("a buffer needs the area's boundary; load the 2021 LSOA boundaries with `clearhold geo load`")
    grown = area.geometry.buffer(float(buffer_m))
    out = _polygon_area(f"{area.name} +{buffer_m:g} m", area.kind, grown, lake=lake)
    return replace(out, buffer_m=float(buffer_m))


def _lsoa_area(name: str, kind: str, codes: list[str], *, lake: Lake) -> ResolvedArea:
    import shapely

    from clearhold.geo.store import geography

    geo = geography(lake)

    def union():
        if geo.lsoa21 is None:
            return None
        key = tuple(codes)
        geom = geo.unions.get(key)
        idx = [geo.lsoa21_index[c] for c in codes if c in geo.lsoa21_index]
        if geom is None and idx:
            geom = shapely.union_all(geo.lsoa21[2][idx])
            if len(geo.unions) > 64:
                geo.unions.clear()
            geo.unions[key] = geom
        return geom

    residents = None
    if len(geo.attrs) and geo.attrs["residents"].notna().any():
        residents = float(geo.attrs["residents"].reindex(codes).sum())
    return ResolvedArea(name=name, kind=kind, select_by="lsoa", lsoa21=tuple(codes), residents=residents, _loader=union)


def _polygon_area(name: str, kind: str, geom, *, lake: Lake) -> ResolvedArea:
    import shapely

    from clearhold.geo.store import geography

    geo = geography(lake)
    codes: list[str] = []
    residents = None
    if geo.lsoa21 is not None:
        idx = geo.tree.query(geom, predicate="intersects")
        idx = np.sort(idx)
        share = np.zeros(len(idx))
        if len(idx):
            polys = geo.lsoa21[2][idx]
            share = shapely.area(shapely.intersection(polys, geom)) / np.maximum(shapely.area(polys), 1e-9)
        keep = share > 0
        codes = [str(c) for c in geo.lsoa21[0][idx[keep]]]
        if len(geo.attrs) and geo.attrs["residents"].notna().any():
            res = geo.attrs["residents"].reindex(codes).fillna(0).to_numpy()
            residents = float(np.sum(res * share[keep]))
    return ResolvedArea(name=name, kind=kind, select_by="geometry", lsoa21=tuple(codes), residents=residents, _geometry=geom)


def lsoa_geometries(lake: Lake):
    """A callable ``codes -> {code: BNG polygon}`` over the stored 2021 LSOA boundaries
    (the ``lsoa_geometries`` argument of ``clearhold.area.service.create``)."""
    from clearhold.geo.store import read_layer

    def lookup(codes) -> dict:
        all_codes, _, geoms = read_layer(lake, "lsoa21")
        wanted = set(codes)
        return {str(c): g for c, g in zip(all_codes, geoms, strict=True) if c in wanted}

    return lookup
