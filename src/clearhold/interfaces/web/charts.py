"""Server-rendered SVG charts (no JavaScript): grouped bars of now against last year."""

from __future__ import annotations

from html import escape


def bars_vs_last_year(series: list[dict], *, title: str, width: int = 640, height: int = 220) -> str:
    """Grouped bars: ``series`` items have ``label``, ``now`` and ``prev`` counts."""
    if not series:
        return ""
    left, right, top, bottom = 34, 8, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(1, max(max(s["now"], s["prev"]) for s in series))
    step = plot_w / len(series)
    bar_w = max(2.0, step * 0.36)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="14">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#889"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{top_value}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, s in enumerate(series):
        x0 = left + i * step + step * 0.12
        for j, (value, css) in enumerate(((s["prev"], "bar-prev"), (s["now"], "bar-now"))):
            h = plot_h * value / top_value
            x = x0 + j * bar_w
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(str(s['label']))}: {value} ({'last year' if j == 0 else 'this year'})</title></rect>"
            )
        if len(series) <= 16 and (i % max(1, len(series) // 6) == 0 or i == len(series) - 1):
            parts.append(f'<text x="{x0:.1f}" y="{height - 18}">{escape(str(s["label"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)
