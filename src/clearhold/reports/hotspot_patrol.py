"""Patrol sheets officers can carry (HTML, PDF via WeasyPrint) and a GeoJSON for the map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from clearhold.reports.hotspot_outputs import OGL_ATTRIBUTION, OS_ATTRIBUTION, boundary_wgs84, cell_polygons_wgs84


def plan_geojson(plan) -> dict[str, Any]:
    """Visited cells as WGS84 polygons with their visits (times, units) as properties."""
    import pandas as pd

    p = plan.plan if hasattr(plan, "plan") else plan
    run = getattr(plan, "run", None)
    by_cell: dict[str, list] = {}
    for v in p.visits:
        by_cell.setdefault(v.cell_id, []).append(v)
    cells = pd.DataFrame([{"x_m": vs[0].x_m, "y_m": vs[0].y_m} for vs in by_cell.values()])
    rings = np.round(cell_polygons_wgs84(cells, p.cell_size_m), 7) if len(cells) else []
    features = []
    for (cell_id, vs), ring in zip(by_cell.items(), rings, strict=True):
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]},
                         "properties": {"layer": "patrol_cells", "cell_id": cell_id, "grid_ref": vs[0].grid_ref,
                                        "harm": vs[0].harm, "visits": len(vs),
                                        "times": [f"{v.start:%H:%M}-{v.end:%H:%M} (unit {v.unit})" for v in vs],
                                        "first_visit": vs[0].order}})
    if run is not None and run.boundary is not None:
        features.append({"type": "Feature", "properties": {"layer": "study_area"},
                         "geometry": boundary_wgs84(run.boundary)})
    return {"type": "FeatureCollection", "features": features,
            "metadata": {**(plan.to_dict() if hasattr(plan, "to_dict") else {}),
                         "attribution": [OGL_ATTRIBUTION, OS_ATTRIBUTION]}}


def _sketch_svg(plan, width: int = 640, height: int = 420) -> str:
    """A plain SVG sketch: the area outline and the visited cells with their first visit number."""
    p = plan.plan if hasattr(plan, "plan") else plan
    run = getattr(plan, "run", None)
    xs = [v.x_m for v in p.visits]
    ys = [v.y_m for v in p.visits]
    geoms = []
    if run is not None and run.boundary is not None:
        minx, miny, maxx, maxy = run.boundary.bounds
    else:
        h = p.cell_size_m
        minx, miny, maxx, maxy = min(xs) - h, min(ys) - h, max(xs) + h, max(ys) + h
    scale = min(width / max(maxx - minx, 1), height / max(maxy - miny, 1))

    def tx(x, y):
        return (x - minx) * scale, height - (y - miny) * scale

    if run is not None and run.boundary is not None:
        import shapely

        for poly in getattr(shapely.get_parts(run.boundary), "tolist", lambda: [])():
            ring = getattr(poly, "exterior", None)
            if ring is None:
                continue
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (tx(x, y) for x, y in ring.coords))
            geoms.append(f'<polygon points="{pts}" fill="none" stroke="#333" stroke-width="1"/>')
    seen = set()
    side = max(p.cell_size_m * scale, 4)
    for v in p.visits:
        if v.cell_id in seen:
            continue
        seen.add(v.cell_id)
        cx, cy = tx(v.x_m, v.y_m)
        geoms.append(f'<rect x="{cx - side / 2:.1f}" y="{cy - side / 2:.1f}" width="{side:.1f}" height="{side:.1f}" '
                     f'fill="#d7301f" fill-opacity="0.7" stroke="#7f0000"/>')
        geoms.append(f'<text x="{cx + side / 2 + 2:.1f}" y="{cy + 4:.1f}" font-size="10">{v.order}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">' + "".join(geoms) + "</svg>")


def sheet_html(plan, *, title: str = "Hotspot patrol plan") -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html"]))
    data = plan.to_dict()
    return env.get_template("hotspot_patrol_sheet.html").render(
        title=title, plan=plan.plan if hasattr(plan, "plan") else plan, data=data, sketch=_sketch_svg(plan),
        attribution=[OGL_ATTRIBUTION, OS_ATTRIBUTION])


def write_pdf(plan, path: Path, *, title: str = "Hotspot patrol plan") -> None:
    from weasyprint import HTML

    HTML(string=sheet_html(plan, title=title)).write_pdf(str(path))
