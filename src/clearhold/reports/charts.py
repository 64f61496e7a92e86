"""Charts and static maps rendered on the server as SVG (no JavaScript needed, PDF-safe)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

PALETTE = {
    "arrest": "#b2182b", "vehicle_stop": "#2166ac", "seizure": "#e08214", "weapons_sweep": "#542788",
    "test_purchase": "#1b7837", "patrol": "#7f7f7f", "warrant": "#8c510a", "referral": "#01665e",
    "court_outcome": "#333333", "engagement": "#4d9221",
}


def new_figure(width_in: float, height_in: float):
    """A matplotlib Figure on the Agg backend (no display, no global pyplot state)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=96)


def to_svg(fig) -> str:
    """The figure as an inline SVG string: text kept as text, deterministic ids, no date;
    artists drawn ``rasterized`` become an image at 200 dots per inch."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "clearhold"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", dpi=200, metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def bar_chart(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str, ylabel: str = "",
              horizontal: bool = False, stacked: bool = True) -> str:
    """A (stacked) bar chart as an SVG string."""
    import numpy as np

    n = len(labels)
    height = max(2.4, 0.28 * n + 1.0) if horizontal else 2.8
    fig = new_figure(7.0, height)
    ax = fig.add_subplot()
    pos = np.arange(n)
    bottom = np.zeros(n)
    k = len(series)
    width = 0.8 if stacked or k == 1 else 0.8 / k
    for j, (name, values) in enumerate(series.items()):
        vals = np.asarray(values, dtype=float)
        color = PALETTE.get(name)
        offset = 0.0 if stacked or k == 1 else (j - (k - 1) / 2) * width
        if horizontal:
            ax.barh(pos + offset, vals, height=width, left=bottom, label=name.replace("_", " "), color=color)
        else:
            ax.bar(pos + offset, vals, width=width, bottom=bottom, label=name.replace("_", " "), color=color)
        if stacked:
            bottom = bottom + vals
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        step = max(1, n // 14)
        ax.set_xticks(pos[::step], [labels[i] for i in range(0, n, step)], rotation=45, ha="right")
        ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False, ncols=min(4, len(series)))
    return to_svg(fig)


def static_map(areas: list[dict[str, Any]], points: list[dict[str, Any]], *, title: str = "") -> str:
    """Area outlines and activity points in British National Grid, as SVG (for PDF and no-JS)."""
    import numpy as np
    from shapely.geometry import shape

    from clearhold.geo.bng import to_bng

    fig = new_figure(7.0, 5.0)
    ax = fig.add_subplot()
    role_style = {"target": ("#b2182b", 1.6, "-"), "buffer": ("#666666", 1.0, "--"), "comparison": ("#2166ac", 1.0, ":")}
    for a in areas:
        if not a.get("geometry"):
            continue
        geom = shape(a["geometry"])
        color, lw, ls = role_style.get(a["role"], ("#000", 1, "-"))
        for poly in getattr(geom, "geoms", [geom]):
            rings = [poly.exterior, *poly.interiors]
            for ring in rings:
                lon, lat = np.asarray(ring.coords).T
                x, y = to_bng(lon, lat)
                ax.plot(x, y, color=color, lw=lw, ls=ls)
        c = geom.representative_point()
        cx, cy = to_bng(c.x, c.y)
        ax.annotate(a["name"], (float(cx), float(cy)), fontsize=7, ha="center", color=color)
    kinds: dict[str, list[tuple[float, float]]] = {}
    for p in points:
        kinds.setdefault(p["kind"], []).append((p["lon"], p["lat"]))
    for kind, pts in sorted(kinds.items()):
        lon, lat = np.asarray(pts).T
        x, y = to_bng(lon, lat)
        # The points are drawn as one embedded image (outlines, names, legend and scale stay
        # vector): thousands of SVG circles would cost a PDF seconds to lay out and write.
        ax.scatter(x, y, s=6, color=PALETTE.get(kind, "#000"), label=kind.replace("_", " "), alpha=0.7, linewidths=0,
                   rasterized=True)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    x0, x1 = ax.get_xlim()
    y0, _ = ax.get_ylim()
    bar = _nice_length((x1 - x0) / 5)
    ax.plot([x0 + bar * 0.2, x0 + bar * 1.2], [y0 + (x1 - x0) * 0.02] * 2, color="black", lw=2)
    ax.annotate(f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m", (x0 + bar * 0.7, y0 + (x1 - x0) * 0.03),
                ha="center", fontsize=7)
    if kinds:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=2)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return to_svg(fig)


def _nice_length(x: float) -> float:
    import math

    if x <= 0:
        return 100.0
    exp = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * exp >= x:
            return m * exp
    return 10 * exp
