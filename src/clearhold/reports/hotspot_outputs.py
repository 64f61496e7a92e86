"""Writers for hotspot cell tables: CSV, GeoJSON (WGS84), GeoPackage (BNG, written with sqlite3
to the OGC GeoPackage 1.2 encoding) and a self-contained HTML map (Leaflet inlined, no tiles).

Every writer takes the cell frame (``cell_id, x_m, y_m, count, harm, kde, gi_z, gi_p, gi_q,
hotspot_class`` ...), the cell size and a ``meta`` dict of parameters, and writes every cell.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput

OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right"
FORMATS = (".csv", ".geojson", ".json", ".gpkg", ".html")


def _json_value(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.str_):
        return str(v)
    return v


def cell_records(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Cells as JSON-ready dicts (NaN becomes null)."""
    cols = list(cells.columns)
    return [{k: _json_value(v) for k, v in zip(cols, row, strict=True)}
            for row in cells.itertuples(index=False, name=None)]


def cell_polygons_wgs84(cells: pd.DataFrame, cell_size_m: float) -> np.ndarray:
    """``(n, 5, 2)`` lon/lat rings of the cell squares (corners projected from BNG)."""
    from clearhold.geo.bng import to_wgs84

    h = cell_size_m / 2
    x = cells["x_m"].to_numpy(float)
    y = cells["y_m"].to_numpy(float)
    dx = np.array([-h, h, h, -h, -h])
    dy = np.array([-h, -h, h, h, -h])
    lon, lat = to_wgs84((x[:, None] + dx).ravel(), (y[:, None] + dy).ravel())
    return np.stack([lon.reshape(-1, 5), lat.reshape(-1, 5)], axis=2)


def to_geojson(cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any] | None = None,
               *, boundary: Any = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84) of every cell, its properties and,
    when given, the study-area ``boundary`` (shapely, BNG) as a last feature with
    ``"layer": "study_area"``."""
    rings = np.round(cell_polygons_wgs84(cells, cell_size_m), 7)
    features = []
    for rec, ring in zip(cell_records(cells), rings, strict=True):
        rec["layer"] = "cells"
        features.append({"type": "Feature", "properties": rec,
                         "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]}})
    if boundary is not None:
        features.append({"type": "Feature", "properties": {"layer": "study_area"},
                         "geometry": boundary_wgs84(boundary)})
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if meta is not None:
        out["metadata"] = {**meta, "attribution": [OGL_ATTRIBUTION, OS_ATTRIBUTION]}
    return out


def boundary_wgs84(boundary: Any) -> dict[str, Any]:
    """A BNG shapely geometry as a GeoJSON geometry dict in WGS84."""
    import shapely

    from clearhold.geo.bng import to_wgs84

    def tx(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    geom = shapely.transform(boundary, tx)
    return json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-7)))


def write_csv(path: Path, cells: pd.DataFrame) -> None:
    cells.to_csv(path, index=False, float_format="%.17g")


def write_geojson(path: Path, cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any],
                  *, boundary: Any = None) -> None:
    path.write_text(json.dumps(to_geojson(cells, cell_size_m, meta, boundary=boundary),
                               ensure_ascii=False), encoding="utf-8")


# ----------------------------------------------------------------------------------------
# GeoPackage
# ----------------------------------------------------------------------------------------

_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_GPKG_USER_VERSION = 10200  # 1.2.0: read without warnings by GDAL >= 2.2 (QGIS 3)


def _gpkg_blob(wkb: bytes, env: tuple[float, float, float, float], srs_id: int) -> bytes:
    """GeoPackageBinary: magic, version 0, flags (little endian, [minx,maxx,miny,maxy] envelope),
    srs_id, envelope, then ISO WKB (OGC 12-128r18, 2.1.3)."""
    flags = 0b0000_0011
    return b"GP" + bytes([0, flags]) + struct.pack("<i4d", srs_id, *env) + wkb


def write_gpkg(path: Path, cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any],
               *, boundary: Any = None, layer: str = "hotspot_cells") -> None:
    """Write the cells (and the study area) as a GeoPackage in EPSG:27700.

    The file has the mandatory ``gpkg_spatial_ref_sys`` (with the -1, 0 and 4326 rows of the
    specification plus 27700), ``gpkg_contents``, ``gpkg_geometry_columns``, the
    ``application_id``/``user_version`` pragmas, and one feature table per layer.
    """
    import shapely
    from pyproj import CRS

    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        con.execute(f"PRAGMA application_id = {_GPKG_APPLICATION_ID}")
        con.execute(f"PRAGMA user_version = {_GPKG_USER_VERSION}")
        con.executescript("""
            CREATE TABLE gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
              definition TEXT NOT NULL, description TEXT);
            CREATE TABLE gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
              identifier TEXT UNIQUE, description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (
              table_name TEXT NOT NULL, column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT uk_gc_table_name UNIQUE (table_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        """)
        srs = [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
             "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
            ("OSGB36 / British National Grid", 27700, "EPSG", 27700,
             CRS.from_epsg(27700).to_wkt("WKT1_GDAL"), "British National Grid"),
        ]
        con.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", srs)

        h = cell_size_m / 2
        x = cells["x_m"].to_numpy(float)
        y = cells["y_m"].to_numpy(float)
        boxes = shapely.box(x - h, y - h, x + h, y + h)
        _gpkg_layer(con, layer, cells, boxes, "POLYGON",
                    f"hotspot cells, {cell_size_m:g} m; " + json.dumps(meta, default=str))
        if boundary is not None:
            _gpkg_layer(con, "study_area", pd.DataFrame({"name": ["study area"]}),
                        np.array([boundary]), "GEOMETRY", "study area boundary")
        con.commit()
    finally:
        con.close()


def _gpkg_layer(con: sqlite3.Connection, table: str, frame: pd.DataFrame, geoms: np.ndarray,
                geom_type: str, description: str) -> None:
    import shapely

    types = {}
    for col in frame.columns:
        kind = frame[col].dtype.kind
        types[col] = "INTEGER" if kind in "iub" else "DOUBLE" if kind == "f" else "TEXT"
    cols_sql = ", ".join(f'"{c}" {t}' for c, t in types.items())
    con.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                f'geom {geom_type}, {cols_sql})')
    bounds = shapely.bounds(geoms)
    wkbs = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    blobs = [_gpkg_blob(wkb, (b[0], b[2], b[1], b[3]), 27700) for wkb, b in zip(wkbs, bounds, strict=True)]
    recs = cell_records(frame)
    placeholders = ", ".join("?" * (len(types) + 1))
    names = ", ".join(["geom"] + [f'"{c}"' for c in types])
    con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})',
                    [[blob] + list(r.values()) for blob, r in zip(blobs, recs, strict=True)])
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, "
        "max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, 27700)",
        (table, table, description, float(bounds[:, 0].min()), float(bounds[:, 1].min()),
         float(bounds[:, 2].max()), float(bounds[:, 3].max())))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 27700, 0, 0)",
                (table, geom_type))


# ----------------------------------------------------------------------------------------
# HTML map
# ----------------------------------------------------------------------------------------

_COLOUR_COLUMN = {"count": "count", "kde": "kde", "gistar": "gi_z", "emerging": "hotspot_class"}
_CLASS_COLOURS = {"hot": "#d7301f", "cold": "#2166ac", "persistent": "#7f0000", "emerging": "#fc8d59",
                  "former": "#6a51a3", "intermittent": "#fdd49e", "none": "#f0f0f0"}
_RAMP = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]


def leaflet_assets() -> tuple[str, str]:
    """leaflet.js and leaflet.css from the xstatic-leaflet package (served locally, inlined)."""
    import xstatic.pkg.leaflet as leaflet_pkg

    base = Path(leaflet_pkg.BASE_DIR)
    return (base / "leaflet.js").read_text(encoding="utf-8"), (base / "leaflet.css").read_text(encoding="utf-8")


def map_html(cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any], *,
             boundary: Any = None, title: str = "Hotspots", max_cells: int = 60_000) -> str:
    """A self-contained HTML page: Leaflet (inlined), the cells as coloured vector squares,
    the study-area boundary, a legend, the parameters and the OGL/OS attribution. No tiles,
    no network. With more than ``max_cells`` cells, empty unclassified cells (zero density for
    kde) are left out of the map, then only the ``max_cells`` highest values of the mapped
    column are drawn; the data outputs always hold every cell."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    method = str(meta.get("method", "count"))
    column = _COLOUR_COLUMN.get(method, "count")
    show = cells
    if len(show) > max_cells:
        keep = (cells["count"] > 0) | (cells["hotspot_class"].astype(str) != "none")
        if column == "kde":
            keep |= cells["kde"] > 0
        show = cells[keep]
    if len(show) > max_cells and column != "hotspot_class":
        key = show[column].abs() if column == "gi_z" else show[column]
        show = show.loc[key.sort_values(ascending=False, kind="stable").index[:max_cells]].sort_index()
    colours, legend = _colours(show, column)
    rings = np.round(cell_polygons_wgs84(show, cell_size_m), 6)
    keep_cols = [c for c in ("cell_id", "count", "harm", "kde", "gi_z", "gi_q", "hotspot_class")
                 if c in show.columns]
    features = []
    for rec, ring, colour in zip(cell_records(show[keep_cols]), rings, colours, strict=True):
        for k in ("harm", "kde", "gi_z", "gi_q"):
            if isinstance(rec.get(k), float):
                rec[k] = float(f"{rec[k]:.4g}")
        rec["_c"] = colour
        features.append({"type": "Feature", "properties": rec,
                         "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]}})
    cells_json = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    boundary_json = json.dumps(boundary_wgs84(boundary)) if boundary is not None else "null"
    js, css = leaflet_assets()
    env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html"]))
    template = env.get_template("hotspot_map.html")
    return template.render(
        title=title, leaflet_js=js, leaflet_css=css, cells_json=cells_json, boundary_json=boundary_json,
        legend=legend, column=column, meta=meta, n_shown=len(show), n_cells=len(cells),
        attribution=[OGL_ATTRIBUTION, OS_ATTRIBUTION],
    )


def _colours(cells: pd.DataFrame, column: str) -> tuple[list[str], list[tuple[str, str]]]:
    if column == "hotspot_class":
        vals = cells["hotspot_class"].astype(str)
        classes = [c for c in _CLASS_COLOURS if (vals == c).any()]
        return [_CLASS_COLOURS.get(v, "#cccccc") for v in vals], [(c, _CLASS_COLOURS[c]) for c in classes]
    v = cells[column].to_numpy(float)
    finite = v[np.isfinite(v)]
    if column == "gi_z":
        edges = np.array([-1.96, 0, 1.65, 1.96, 2.58])
        ramp = ["#2166ac", "#f7f7f7", "#fdd0a2", "#fc8d59", "#e34a33", "#b30000"]
        labels = ["z < -1.96", "-1.96 to 0", "0 to 1.65", "1.65 to 1.96", "1.96 to 2.58", "z >= 2.58"]
    else:
        pos = finite[finite > 0]
        if pos.size == 0:
            pos = np.array([1.0])
        qs = np.unique(np.quantile(pos, [0.5, 0.75, 0.9, 0.97]))
        edges = np.concatenate([[np.nextafter(0, 1)], qs])
        ramp = _RAMP[: len(edges) + 1]
        labels = ["0"] + [f">= {e:.3g}" for e in edges]
        labels[1] = "> 0"
    idx = np.searchsorted(edges, np.nan_to_num(v, nan=-np.inf), side="right")
    return [ramp[i] for i in idx], list(zip(labels, ramp, strict=True))


def write_html(path: Path, cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any],
               *, boundary: Any = None, title: str = "Hotspots") -> None:
    path.write_text(map_html(cells, cell_size_m, meta, boundary=boundary, title=title), encoding="utf-8")


def write_cells(path: Path, cells: pd.DataFrame, cell_size_m: float, meta: dict[str, Any],
                *, boundary: Any = None, title: str = "Hotspots") -> None:
    """Write by the file's suffix: .csv, .geojson/.json, .gpkg or .html."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"out was {str(path)!r}; the file must end in one of {', '.join(FORMATS)}")
    if suffix == ".csv":
        write_csv(path, cells)
    elif suffix in (".geojson", ".json"):
        write_geojson(path, cells, cell_size_m, meta, boundary=boundary)
    elif suffix == ".gpkg":
        write_gpkg(path, cells, cell_size_m, meta, boundary=boundary)
    else:
        write_html(path, cells, cell_size_m, meta, boundary=boundary, title=title)
