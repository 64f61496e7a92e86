"""``clearhold area``: define areas by polygon, LSOA list or buffer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, StoreOpt, UserOpt, console, emit_json, engine_for, handled_errors, table

area_app = typer.Typer(help="Operation areas, buffers and comparison areas.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(area_app, name="area")


def _read(a) -> dict:
    from clearhold.area.schemas import AreaRead

    return AreaRead.model_validate(a).model_dump(mode="json")


def _geometry_from_file(path: Path, feature_name: str | None) -> dict:
    import json

    from clearhold.errors import InvalidInput

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: not a readable GeoJSON file ({exc})") from None
    if data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
        if feature_name is not None:
            feats = [f for f in feats if feature_name in {str(v) for v in (f.get("properties") or {}).values()}]
            if not feats:
                raise InvalidInput(f"{path}: no feature has a property equal to {feature_name!r}")
        if len(feats) != 1:
            raise InvalidInput(f"{path}: holds {len(feats)} features; name one with --feature")
        return feats[0]["geometry"]
    if data.get("type") == "Feature":
        return data["geometry"]
    return data


@area_app.command("add")
def add(
    slug: str,
    name: Annotated[str, typer.Option()],
    operation: Annotated[str | None, typer.Option(help="Operation slug")] = None,
    geojson: Annotated[Path | None, typer.Option(help="GeoJSON file with the polygon (WGS84)")] = None,
    feature: Annotated[str | None, typer.Option(help="Pick the feature with this property value from --geojson")] = None,
    lsoa: Annotated[str | None, typer.Option(help="Comma-separated 2021 LSOA codes")] = None,
    ward: Annotated[str | None, typer.Option(help="Ward name or code, from boundaries loaded with `clearhold geo load`")] = None,
    role: Annotated[str, typer.Option(help="target, buffer or comparison")] = "target",
    parent: Annotated[str | None, typer.Option(help="Area this buffer or comparison area serves")] = None,
    buffer_m: Annotated[float | None, typer.Option("--buffer-m", help="Buffer ring width in metres (role buffer)")] = None,
    user: UserOpt = "cli",
    database: DatabaseOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Define an area by a GeoJSON polygon, a list of LSOAs, a ward, or a buffer around its parent."""
    from clearhold.area import service
    from clearhold.area.schemas import AreaCreate
    from clearhold.errors import InvalidInput
    from clearhold.interfaces.cli._ledger_io import validated
    from clearhold.storage.database import session_scope

    with handled_errors():
        if sum(x is not None for x in (geojson, lsoa, ward)) > 1:
            raise InvalidInput("give one of --geojson, --lsoa or --ward")
        geometry = _geometry_from_file(geojson, feature) if geojson else None
        codes = [c.strip() for c in lsoa.split(",") if c.strip()] if lsoa else []
        lookup = None
        if ward is not None or codes:
            from clearhold.crime.service import lake_for
            from clearhold.geo import areas as geo_areas

            lake = lake_for(store)
            if ward is not None:
                from clearhold.area.geometry import bng_to_geojson

                resolved = geo_areas.from_ward(ward, lake=lake)
                geometry = bng_to_geojson(resolved.geometry) if resolved.geometry is not None else None
                codes = list(resolved.lsoa21)
            elif "lsoa21" in lake.layers():
                lookup = geo_areas.lsoa_geometries(lake)
        area_in = validated(AreaCreate, slug=slug, name=name, operation=operation, geometry=geometry,
                            lsoa_codes=codes, role=role, parent=parent, buffer_m=buffer_m)
        with session_scope(engine_for(database)) as s:
            out = _read(service.create(s, area_in=area_in, created_by=user, lsoa_geometries=lookup))
    if as_json:
        emit_json(out)
    else:
        size = f", {out['area_m2'] / 1e6:.2f} km²" if out["area_m2"] else ""
        console().print(f"created area {out['slug']} ({out['role']}{size})")


@area_app.command("list")
def list_(operation: Annotated[str | None, typer.Option()] = None, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """List areas."""
    from clearhold.area import service
    from clearhold.storage.database import session_scope

    with handled_errors(), session_scope(engine_for(database)) as s:
        areas = [_read(a) for a in service.list_(s, operation_slug=operation)]
    if as_json:
        emit_json(areas)
        return
    console().print(table(["slug", "name", "role", "km²", "LSOAs"], [
        [a["slug"], a["name"], a["role"], f"{a['area_m2'] / 1e6:.2f}" if a["area_m2"] else "", len(a["lsoa_codes"])]
        for a in areas]))
