"""Render a results review (the dict from ``review.build_review``) as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from clearhold.errors import InvalidInput

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "pdf", "json", "md")
# Figures shown as headline cards, in press-release order, when not zero.
HEADLINES = (
    "arrests", "knives_and_bladed_weapons", "weapons_seized", "anpr_vehicle_stops", "anpr_stop_arrests",
    "drugs_value_gbp", "cash_seized_gbp", "custodial_sentence_years", "intelligence_logs", "weapons_sweeps",
    "test_purchases", "test_purchase_fails", "patrol_hours", "warrants", "referrals",
)
# Above this many records the PDF leaves the full record list, and a figure's list of record
# ids, to the JSON and HTML forms (pages of numbers are no use on paper and cost WeasyPrint
# seconds per hundred pages); it states how many there are instead.
PDF_RECORD_LIMIT = 400
SHORT_LABELS = {"arrests": "arrests", "anpr_vehicle_stops": "ANPR stops", "weapons_seized": "weapons",
                "drug_items_seized": "drug items"}
# The static map (the PDF's, and the HTML's fallback without JavaScript) draws at most this many
# points, evenly thinned in time order, so that its cost stays bounded; the interactive map and
# the JSON keep every point.
STATIC_MAP_POINT_LIMIT = 5000
CHART_DIMS = ("week", "month", "area", "offence_group", "tactic", "weapon_type", "drug_type", "result",
              "partner_type", "reason", "outcome")


def _json_for_script(value: Any) -> str:
    """Compact JSON safe inside a <script> element (no "</" in it)."""
    import orjson

    return orjson.dumps(value).decode("utf-8").replace("</", "<\\/")


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_compact"] = _json_for_script
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    return env


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS from the xstatic-leaflet package (installed, never committed)."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    return (base / "leaflet.js").read_text(encoding="utf-8"), (base / "leaflet.css").read_text(encoding="utf-8")


def _charts(review: dict[str, Any]) -> list[dict[str, str]]:
    from clearhold.reports import charts

    figs = {f["key"]: f for f in review["figures"]}
    out = []
    time_dim = _time_dim(review)
    activity = {k: figs[k] for k in SHORT_LABELS if figs[k]["value"]}
    if activity:
        keys = sorted({b["key"] for f in activity.values() for b in f["breakdowns"].get(time_dim, [])})
        series = {}
        for fid, f in activity.items():
            vals = {b["key"]: b["value"] for b in f["breakdowns"].get(time_dim, [])}
            series[SHORT_LABELS[fid]] = [vals.get(k, 0) for k in keys]
        out.append({"title": f"Activity by {time_dim}",
                    "svg": charts.bar_chart(keys, series, title=f"Activity by {time_dim}", stacked=False)})
    for fid, dim, title in (("arrests", "offence_group", "Arrests by offence group"),
                            ("arrests", "tactic", "Arrests by tactic"),
                            ("weapons_seized", "weapon_type", "Weapons by type"),
                            ("drugs_value_gbp", "drug_type", "Drugs seized by value (£)")):
        rows = figs[fid]["breakdowns"].get(dim, [])
        if not rows:
            continue
        out.append({"title": title, "svg": charts.bar_chart(
            [r["key"] for r in rows], {"value": [r["value"] for r in rows]}, title=title, horizontal=True)})
    return out


def _time_dim(review: dict[str, Any]) -> str:
    """The time unit a review is charted by: weeks for up to 16 weeks, months beyond."""
    return "week" if review["period"]["days"] <= 16 * 7 else "month"


def render_html(review: dict[str, Any], *, for_pdf: bool = False, interactive_map: bool = True) -> str:
    from clearhold.reports import charts

    figs = {f["key"]: f for f in review["figures"]}
    headlines = [figs[h] for h in HEADLINES if figs.get(h, {}).get("value")]
    leaflet_js = leaflet_css = ""
    if interactive_map and not for_pdf:
        leaflet_js, leaflet_css = leaflet_assets()
    static_map = charts.static_map(review["areas"], _static_map_points(review["points"]), title="Activity and areas")
    show_records = not (for_pdf and len(review["records"]) > PDF_RECORD_LIMIT)
    # A PDF of a long period breaks figures down by month, not by each of its weeks as well.
    pdf_left_out = ("week",) if for_pdf and _time_dim(review) == "month" else ()
    return _env().get_template("review.html.j2").render(
        r=review, headlines=headlines, figures=review["figures"], charts=_charts(review), static_map=static_map,
        leaflet_js=leaflet_js, leaflet_css=leaflet_css, for_pdf=for_pdf, chart_dims=CHART_DIMS, pdf_left_out=pdf_left_out,
        map_data={"areas": review["areas"], "points": review["points"]},
        id_lists={f["key"]: _id_list_html(f["record_ids"], links=not for_pdf and f["record_type"] != "intelligence_log")
                  for f in review["figures"] if f["value"] and not (for_pdf and len(f["record_ids"]) > PDF_RECORD_LIMIT)},
        record_rows=_record_rows_html(review["records"]) if show_records else "",
    )


# The two long parts of the HTML review (each figure's record ids, and the table of every record)
# are assembled here rather than in the template: tens of thousands of rows go through one
# f-string each, and text is escaped once per distinct value.

def _id_list_html(ids: list[int], *, links: bool):
    """``ids`` as a comma-separated list, each a link to its row of the records table if ``links``."""
    from markupsafe import Markup

    if links:
        return Markup(", ".join([f'<a href="#rec-{i:d}">{i:d}</a>' for i in ids]))
    return Markup(", ".join([f"{i:d}" for i in ids]))


def _record_rows_html(records: list[dict[str, Any]]):
    """The rows of the records table: id, ref, kind, UK time, area, tactic, version."""
    from markupsafe import Markup, escape

    cache: dict[Any, str] = {}

    def esc(value: Any) -> str:
        found = cache.get(value)
        if found is None:
            found = cache[value] = str(escape("" if value is None else value))
        return found

    rows = [
        f'<tr id="rec-{x["id"]:d}"><td>{x["id"]:d}</td><td>{escape(x["ref"] or "")}</td>'
        f'<td>{esc(x["kind"].replace("_", " "))}</td><td>{esc(x["occurred_local"])}</td><td>{esc(x["area"])}</td>'
        f'<td>{esc(x["tactic"])}</td><td class="n">{x["version"]:d}</td></tr>'
        for x in records
    ]
    return Markup("".join(rows))


def _static_map_points(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    n = len(points)
    if n <= STATIC_MAP_POINT_LIMIT:
        return points
    step = n / STATIC_MAP_POINT_LIMIT
    return [points[int(i * step)] for i in range(STATIC_MAP_POINT_LIMIT)]


def render_pdf(review: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(review, for_pdf=True)).write_pdf()


def render_md(review: dict[str, Any]) -> str:
    op, period = review["operation"], review["period"]
    banner = ["**SYNTHETIC DEMO DATA: no real person, vehicle or event.**", ""] if review.get("synthetic") else []
    lines = [f"# Results review: {op['name']}", "", *banner,
             (f"Period {period['from']} to {period['to']} ({period['days']} days). "
              f"{review['record_count']} records."), "", review["summary"], "", "## Headline figures", "",
             "| key | figure | as stated | value | unit | records |", "| --- | --- | --- | --- | --- | --- |"]
    for f in review["figures"]:
        if not f["value"]:
            continue
        lines.append(f"| {f['key']} | {f['label']} | {f['display']} | {f['value']} | {f['unit']} | {len(f['record_ids'])} |")
    for f in review["figures"]:
        if not f["value"]:
            continue
        lines += ["", f"### {f['label']} (`{f['key']}`)", ""]
        for dim, rows in f["breakdowns"].items():
            lines.append(f"By {dim.replace('_', ' ')}: " + ", ".join(f"{r['key']} {r['value']}" for r in rows))
            lines.append("")
        kind = "Intelligence log" if f["record_type"] == "intelligence_log" else "Record"
        lines.append(f"{kind} ids: " + ", ".join(map(str, f["record_ids"])))
    lines += ["", "---", "", *review["attribution"], ""]
    return "\n".join(lines)


def dumps_indent2(obj) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, byte for byte, encoded by orjson (a review
    of 50,000 records is 30-odd MB of JSON: about 20 times faster than the standard library)."""
    import orjson

    try:
        return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:  # a type orjson does not take (e.g. an int beyond 64 bits): the standard encoder
        return json.dumps(obj, ensure_ascii=False, indent=2)


def render(review: dict[str, Any], fmt: str) -> str | bytes:
    """The review in ``fmt``: html, pdf (bytes), json or md."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format was {fmt!r}; it must be one of: {', '.join(FORMATS)}")
    if fmt == "json":
        return dumps_indent2(review)
    if fmt == "md":
        return render_md(review)
    if fmt == "pdf":
        return render_pdf(review)
    return render_html(review)
