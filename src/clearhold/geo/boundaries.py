"""Reading boundary files into (layer, code, name, geometry in BNG) frames.

Supported formats: GeoJSON (RFC 7946 WGS84, or a legacy ``crs`` member naming EPSG:27700),
GeoPackage (read with the standard library's sqlite3: the GeoPackage binary header is
stripped and the WKB decoded by shapely; CRS from ``gpkg_spatial_ref_sys``) and ESRI Shapefile
(``.shp`` + ``.dbf`` read here in pure Python; CRS from ``.prj``: British National Grid or
WGS84). No GDAL is needed.

The layer is named after the code column found in the attributes, e.g. ``LSOA21CD`` or
``lsoa21_code`` -> ``lsoa21``, ``WD25CD`` -> ``ward25``, ``ltla24_code``/``LAD24CD`` ->
``lad24``, ``pfa20_code`` -> ``pfa20``, ``CSP24CD`` -> ``csp24``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clearhold.errors import InvalidInput, SourceError

_CODE_RE = re.compile(r"^(lsoa|msoa|oa|wd|ward|lad|ltla|utla|cty|pfa|csp|rgn)(\d\d)(cd|_code)$", re.IGNORECASE)
_PREFIX = {"wd": "ward", "ltla": "lad"}


@dataclass(frozen=True)
class BoundaryLayer:
    """Polygons of one layer: parallel arrays of codes, names and shapely geometries (BNG)."""

    layer: str
    codes: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    source: str


def detect_layer(columns) -> tuple[str, str, str | None]:
    """(layer, code column, name column or None) from attribute names."""
    for col in columns:
        m = _CODE_RE.match(str(col))
        if not m:
            continue
        prefix, year, suffix = m.group(1).lower(), m.group(2), m.group(3)
        layer = _PREFIX.get(prefix, prefix) + year
        name_col = None
        wanted = (col[: -len(suffix)] + ("NM" if suffix.isupper() else "nm")) if suffix.lower() == "cd" else col[: -len("_code")] + "_name"
        for cand in columns:
            if str(cand).lower() == wanted.lower():
                name_col = cand
        return layer, col, name_col
    raise InvalidInput(
        f"no area code column found among {list(columns)}; expected one like LSOA21CD, lsoa21_code, WD25CD, "
        "LAD24CD, ltla24_code or pfa20_code"
    )


def read_boundaries(path: str | Path) -> BoundaryLayer:
    """Read a GeoJSON, GeoPackage or Shapefile of polygons; geometries come back in BNG."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"path was {str(path)!r}; no such file")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        props, geoms, crs = _read_geojson(path)
    elif suffix == ".gpkg":
        props, geoms, crs = _read_gpkg(path)
    elif suffix == ".shp":
        props, geoms, crs = _read_shapefile(path)
    else:
        raise InvalidInput(f"path was {str(path)!r}; boundary files must be .geojson, .json, .gpkg or .shp")
    if not props:
        raise SourceError(f"{path}: no features")
    layer, code_col, name_col = detect_layer(list(props[0].keys()))
    codes = np.array([str(p.get(code_col) or "").strip() for p in props], dtype=object)
    names = np.array([str(p.get(name_col) or "").strip() if name_col else "" for p in props], dtype=object)
    if (codes == "").any():
        bad = int(np.flatnonzero(codes == "")[0]) + 1
        raise SourceError(f"{path}: feature {bad} has no {code_col}")
    geoms = _to_bng(np.asarray(geoms, dtype=object), crs, path)
    return BoundaryLayer(layer=layer, codes=codes, names=names, geometries=geoms, source=str(path))


def _to_bng(geoms: np.ndarray, crs: str, path: Path) -> np.ndarray:
    import shapely

    from clearhold.geo.bng import to_bng

    if crs == "EPSG:27700":
        out = geoms
    elif crs == "EPSG:4326":
        out = shapely.transform(geoms, lambda xy: np.column_stack(to_bng(xy[:, 0], xy[:, 1])))
    else:
        raise SourceError(f"{path}: coordinate reference system {crs} is not supported (use WGS84 or EPSG:27700)")
    invalid = ~shapely.is_valid(out)
    if invalid.any():
        out = out.copy()
        out[invalid] = shapely.make_valid(out[invalid])
    return out


def _crs_from_text(text: str | None) -> str:
    if not text:
        return "EPSG:4326"
    t = text.upper()
    if "27700" in t or "BRITISH_NATIONAL_GRID" in t or "OSGB" in t and "1936" in t:
        return "EPSG:27700"
    if "CRS84" in t or "4326" in t or "WGS_1984" in t or "WGS 84" in t or "WGS84" in t:
        return "EPSG:4326"
    return text


def _read_geojson(path: Path):
    import shapely

    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{path}: not valid GeoJSON ({exc})") from None
    if data.get("type") == "Feature":
        features = [data]
    elif data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    else:
        raise SourceError(f"{path}: GeoJSON type was {data.get('type')!r}; expected FeatureCollection or Feature")
    crs = _crs_from_text(json.dumps(data.get("crs"))) if data.get("crs") else "EPSG:4326"
    props = [f.get("properties") or {} for f in features]
    geoms = shapely.from_geojson([json.dumps(f.get("geometry")) for f in features])
    return props, list(geoms), crs


def _read_gpkg(path: Path):
    import shapely

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = con.execute(
            "SELECT c.table_name, g.column_name, c.srs_id FROM gpkg_contents c "
            "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features'"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise SourceError(f"{path}: not a GeoPackage ({exc})") from None
    if len(tables) != 1:
        con.close()
        raise SourceError(f"{path}: has {len(tables)} feature tables; expected exactly one")
    table, geom_col, srs_id = tables[0]
    row = con.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)
    ).fetchone()
    crs = "EPSG:4326"
    if row:
        crs = f"EPSG:{row[1]}" if str(row[0]).upper() == "EPSG" else _crs_from_text(row[2])
    cur = con.execute(f'SELECT * FROM "{table}"')
    cols = [d[0] for d in cur.description]
    props, wkbs = [], []
    for rec in cur:
        item = dict(zip(cols, rec, strict=True))
        blob = item.pop(geom_col)
        wkbs.append(_gpkg_blob_to_wkb(blob, path))
        props.append(item)
    con.close()
    return props, list(shapely.from_wkb(wkbs)), crs


def _gpkg_blob_to_wkb(blob: bytes, path: Path) -> bytes:
    # GeoPackage binary: 'GP', version, flags, srs_id (int32), envelope (0/32/48/64 bytes), WKB
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        raise SourceError(f"{path}: a geometry is not in GeoPackage binary format")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07)
    if envelope is None:
        raise SourceError(f"{path}: a geometry has an invalid envelope code")
    return bytes(blob[8 + envelope :])


def _read_shapefile(path: Path):

    prj = path.with_suffix(".prj")
    crs = _crs_from_text(prj.read_text(errors="replace")) if prj.exists() else "EPSG:27700"
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        raise SourceError(f"{path}: the attribute file {dbf.name} is missing")
    props = _read_dbf(dbf)
    data = path.read_bytes()
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise SourceError(f"{path}: not an ESRI Shapefile")
    geoms = []
    pos = 100
    while pos < len(data):
        _, length_words = struct.unpack(">ii", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * length_words]
        pos += 8 + 2 * length_words
        shape_type = struct.unpack("<i", content[:4])[0]
        if shape_type == 0:
            geoms.append(None)
            continue
        if shape_type not in (5, 15, 25):
            raise SourceError(f"{path}: shape type {shape_type} is not a polygon")
        num_parts, num_points = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{num_parts}i", content[44 : 44 + 4 * num_parts])) + [num_points]
        start = 44 + 4 * num_parts
        pts = np.frombuffer(content[start : start + 16 * num_points], dtype="<f8").reshape(-1, 2)
        rings = [pts[parts[i] : parts[i + 1]] for i in range(num_parts)]
        geoms.append(_rings_to_polygon(rings))
    if len(geoms) != len(props):
        raise SourceError(f"{path}: {len(geoms)} shapes but {len(props)} attribute records")
    return props, geoms, crs


def _rings_to_polygon(rings):
    import shapely

    # Shapefile: outer rings clockwise, holes anticlockwise.
    shells, holes = [], []
    for ring in rings:
        lr = shapely.LinearRing(ring)
        (holes if lr.is_ccw else shells).append(ring)
    polys = [shapely.Polygon(s) for s in shells]
    for h in holes:
        hp = shapely.Polygon(h)
        for i, p in enumerate(polys):
            if p.contains(hp.representative_point()):
                polys[i] = shapely.Polygon(p.exterior.coords, [*(r.coords for r in p.interiors), h])
                break
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _read_dbf(path: Path) -> list[dict]:
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        ftype = chr(data[pos + 11])
        flen = data[pos + 16]
        fields.append((name, ftype, flen))
        pos += 32
    out = []
    for i in range(n_records):
        rec = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        if rec[:1] == b"*":
            continue
        off = 1
        item = {}
        for name, ftype, flen in fields:
            raw = rec[off : off + flen].decode("utf-8", errors="replace").strip()
            off += flen
            if ftype in "NF" and raw:
                item[name] = float(raw) if ("." in raw or "e" in raw.lower()) else int(raw)
            else:
                item[name] = raw or None
        out.append(item)
    return out
