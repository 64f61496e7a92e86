"""``clearhold demo``: build the two reference operations and render their results reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, console, emit_json, engine_for, handled_errors, progress_callback, table


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the review files")] = Path("clearhold-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the generator")] = 2023,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Regenerate even if the demo is already there")] = False,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write PDF reviews")] = True,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the demo (both reference operations) in the records database, render their reviews,
    and compare the computed figures with the published ones."""
    from clearhold.config import get_settings
    from clearhold.demo.builder import PUBLISHED
    from clearhold.demo.flows import build_demo, render_reviews

    settings = get_settings()
    with handled_errors():
        engine = engine_for(database)
        with progress_callback("building the demo") as cb:
            build = build_demo(engine, seed=seed, data_dir=settings.resolved_data_dir(), rebuild=rebuild,
                               progress=lambda pct: cb(pct, 100))
        formats = ("html", "json", "md") + (("pdf",) if pdf else ())
        with progress_callback("rendering reviews") as cb:
            cb(0, 1)
            results = render_reviews(engine, out_dir=out, formats=formats)
            cb(1, 1)
    rows = []
    for slug, res in results.items():
        figs = {f["key"]: f for f in res["review"]["figures"]}
        for fid, published in PUBLISHED[slug].items():
            f = figs[fid]
            [(base_unit, exact)] = f["exact"].items()
            rows.append({"operation": slug, "figure": fid, "label": f["label"], "display": f["display"],
                         "value": f["value"], "unit": f["unit"], "exact": exact, "exact_unit": base_unit,
                         "published": published,
                         "matches": str(published).replace(",", "") == f["display"].replace(",", ""),
                         "record_count": len(f["record_ids"])})
    summary = {
        "synthetic": True,
        "database": engine.url.render_as_string(hide_password=True), "action": build.action, "reason": build.reason,
        "boundaries": build.boundary_sources,
        "reviews": {slug: {fmt: str(p.resolve()) for fmt, p in res["paths"].items()} for slug, res in results.items()},
        "figures": rows,
    }
    if as_json:
        emit_json(summary)
        return
    c = console()
    c.print(f"Demo {build.action}: {build.reason}. Database: {summary['database']}")
    c.print("SYNTHETIC DEMO DATA: generated records that restate published results; no real person, vehicle or event.")
    names = {slug: res["review"]["operation"]["name"] for slug, res in results.items()}
    c.print(table(["operation", "figure", "computed", "exact", "published", "same", "records"], [
        [names[r["operation"]][:14], r["figure"], r["display"],
         f"{r['exact']:,}" + ("" if r["exact_unit"] == "count" else f" {r['exact_unit']}"), r["published"],
         "yes" if r["matches"] else "NO", r["record_count"]] for r in rows], title="Computed from the records vs published"))
    for slug, paths in summary["reviews"].items():
        c.print(f"{slug} review: {paths['html']}")
    c.print("Contains public sector information licensed under the Open Government Licence v3.0. "
            "Contains OS data © Crown copyright and database right.")
    c.print("Next: clearhold serve (web pages over the same database), clearhold review OPERATION --format pdf --out FILE")
    if not all(r["matches"] for r in rows):
        raise typer.Exit(1)
