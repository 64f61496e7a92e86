"""Render the dict from ``clearhold.evaluation.flows.evaluate`` / ``evaluate_panel``.

Charts are drawn on the server with matplotlib as SVG (no JavaScript, PDF-safe).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from clearhold.errors import InvalidInput
from clearhold.reports.charts import new_figure, to_svg
from clearhold.serialise import json_default

TEMPLATES = Path(__file__).resolve().parent
FORMATS = ("html", "pdf", "json", "md")
LABELS = {
    "wdd": "Weighted Displacement Difference",
    "wdq": "Weighted Displacement Quotient",
    "did": "Difference-in-differences",
    "synthetic_control": "Synthetic control",
    "its": "Interrupted time series",
}
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


def _pct(x: Any) -> str:
    if x is None:
        return "unbounded"
    if isinstance(x, float) and not math.isfinite(x):
        return "unbounded"
    return f"{100 * x:+.0f}%"


def _num(x: Any, digits: int = 0) -> str:
    if x is None:
        return "unbounded"
    return f"{x:+,.{digits}f}"


def _interval(entry: dict[str, Any]) -> str:
    scale = entry.get("scale")
    if entry.get("status") != "ok":
        return ""
    if scale == "proportion":
        return f"{_pct(entry['estimate'])} ({_pct(entry['ci_low'])} to {_pct(entry['ci_high'])})"
    if scale == "quotient":
        return "n/a" if entry["estimate"] is None else f"{entry['estimate']:.2f} ({entry.get('reading')})"
    return f"{_num(entry['estimate'])} ({_num(entry['ci_low'])} to {_num(entry['ci_high'])})"


def _p(entry: dict[str, Any]) -> str:
    p = entry.get("p")
    return "" if p is None else f"{p:.3f}"


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["interval"] = _interval
    env.filters["pval"] = _p
    return env


def _shade(ax, months: list[str], periods: dict[str, Any]) -> None:
    colours = {"during": "#fbb4ae", "after": "#ccebc5"}
    for key, colour in colours.items():
        rng = periods.get(key)
        if not rng:
            continue
        start, end = rng.split("..")
        if start in months and end in months:
            ax.axvspan(months.index(start) - 0.5, months.index(end) + 0.5, color=colour, alpha=0.5, lw=0,
                       label=key)


def charts(result: dict[str, Any]) -> list[dict[str, str]]:
    """SVG charts: monthly series, effects with intervals, synthetic and ITS counterfactuals."""
    import numpy as np

    out = []
    s = result["series"]
    months = s["months"]
    x = np.arange(len(months))
    before = result["periods"]["before"].split("..")
    n_pre = months.index(before[1]) + 1 if before[1] in months else len(months)
    fig = new_figure(7.5, 3.0)
    ax = fig.add_subplot()
    t = np.asarray(s["treated"], float)
    ax.plot(x, t, color="#b2182b", marker="o", ms=3, label="treated")
    c = np.asarray(s["control"], float)
    if c.sum() > 0 and c[:n_pre].mean() > 0:
        ax.plot(x, c * t[:n_pre].mean() / c[:n_pre].mean(), color="#2166ac", ls="--",
                label="comparison (scaled to treated before)")
    if s.get("buffer"):
        b = np.asarray(s["buffer"], float)
        if b[:n_pre].mean() > 0:
            ax.plot(x, b * t[:n_pre].mean() / b[:n_pre].mean(), color="#762a83", ls=":", label="buffer (scaled)")
    _shade(ax, months, result["periods"])
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step], [months[i] for i in range(0, len(months), step)], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel(result.get("value", "count"))
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("Crimes by month", fontsize=9)
    out.append({"title": "Crimes by month", "svg": to_svg(fig)})

    rows = [(LABELS[k], result[k]) for k in ("did", "synthetic_control", "its")
            if result.get(k, {}).get("status") == "ok" and result[k].get("estimate") is not None]
    if rows:
        fig = new_figure(7.5, 0.5 + 0.45 * len(rows))
        ax = fig.add_subplot()
        for i, (label, e) in enumerate(rows):
            est = 100 * e["estimate"]
            lo = -100 if e["ci_low"] is None else 100 * e["ci_low"]
            hi = 200 if e["ci_high"] is None else min(100 * e["ci_high"], 200)
            ax.plot([lo, hi], [i, i], color="#333")
            ax.plot([est], [i], "o", color="#b2182b")
        ax.axvline(0, color="#999", lw=1)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
        ax.set_xlabel("% change against the counterfactual (interval)", fontsize=8)
        ax.set_title("Estimated effect by method", fontsize=9)
        out.append({"title": "Estimated effect by method", "svg": to_svg(fig)})

    for key, obs_key, cf_key, title in (("synthetic_control", "observed", "synthetic", "Synthetic control"),
                                        ("its", "observed", "counterfactual", "Interrupted time series")):
        e = result.get(key, {})
        if e.get("status") != "ok":
            continue
        d = e["detail"]
        fig = new_figure(7.5, 2.6)
        ax = fig.add_subplot()
        xm = np.arange(len(d["months"]))
        ax.plot(xm, d[obs_key], color="#b2182b", marker="o", ms=3, label="treated (observed)")
        ax.plot(xm, d[cf_key], color="#4d4d4d", ls="--", label=cf_key)
        _shade(ax, list(d["months"]), result["periods"])
        step = max(1, len(d["months"]) // 12)
        ax.set_xticks(xm[::step], [d["months"][i] for i in range(0, len(d["months"]), step)], rotation=45,
                      ha="right", fontsize=7)
        ax.legend(fontsize=7, frameon=False)
        ax.set_title(title, fontsize=9)
        out.append({"title": title, "svg": to_svg(fig)})
    return out


def _context(result: dict[str, Any]) -> dict[str, Any]:
    methods = [(k, LABELS[k], result[k]) for k in LABELS if k in result]
    return {"r": result, "methods": methods, "attribution": ATTRIBUTION}


def render_html(result: dict[str, Any]) -> str:
    return _env().get_template("evaluation.html").render(charts=charts(result), **_context(result))


def render_pdf(result: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(result)).write_pdf()


def render_md(result: dict[str, Any]) -> str:
    return _env().get_template("evaluation.md").render(**_context(result))


def clean(obj: Any) -> Any:
    """NaN and infinities become null (JSON has neither)."""
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def render(result: dict[str, Any], fmt: str) -> str | bytes:
    """The report in ``fmt`` (html, pdf, json, md)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format was {fmt!r}; it must be one of {FORMATS}")
    if fmt == "json":
        return json.dumps(clean(result), default=json_default, ensure_ascii=False, indent=2, allow_nan=False)
    if fmt == "md":
        return render_md(result)
    if fmt == "pdf":
        return render_pdf(result)
    return render_html(result)
