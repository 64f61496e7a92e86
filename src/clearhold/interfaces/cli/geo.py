"""``clearhold geo load|list``: boundaries and lookups in the analytical store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import JsonOpt, StoreOpt, console, emit_json, handled_errors, settings_for, table

geo_app = typer.Typer(name="geo", help="Boundaries (GeoJSON, GeoPackage, Shapefile) and ONS lookups.", no_args_is_help=True)


@geo_app.command("load")
def load(
    files: Annotated[list[Path], typer.Argument(help="Boundary files (.geojson, .gpkg, .shp) or lookup CSVs.")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Store boundaries (merged by code into their layer) and lookups (replacing the older one)."""
    with handled_errors():
        from dataclasses import asdict

        from clearhold.geo.store import load_file
        from clearhold.storage.lake import Lake

        lake = Lake(settings_for(store=store).resolved_store)
        results = [asdict(load_file(lake, f)) for f in files]
    if json_out:
        emit_json(results)
        return
    console().print(table(["file", "kind", "name", "features", "now held"],
                          [[r["path"], r["kind"], r["name"], r["features"], r["total"]] for r in results]))


@geo_app.command("list")
def list_(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Boundary layers and lookups held in the store."""
    from clearhold.storage.lake import Lake

    lake = Lake(settings_for(store=store).resolved_store)
    data = {"layers": lake.layers(), "lookups": lake.lookups()}
    if json_out:
        emit_json(data)
        return
    console().print(table(["kind", "name"], [["layer", n] for n in data["layers"]] + [["lookup", n] for n in data["lookups"]]))


def register(app: typer.Typer) -> None:
    app.add_typer(geo_app, name="geo")
