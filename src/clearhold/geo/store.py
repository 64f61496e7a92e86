"""Boundaries and lookups in the analytical store, and the cached ``Geography`` built from them."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput
from clearhold.storage.lake import Lake, atomic_write_parquet


@dataclass(frozen=True)
class LoadResult:
    path: str
    kind: str  # "boundaries" | "lookup"
    name: str  # layer or lookup name
    features: int
    total: int  # features/rows now held for that layer or lookup


def load_file(lake: Lake, path: str | Path) -> LoadResult:
    """Store a boundary file (GeoJSON/GeoPackage/Shapefile) or a lookup CSV in the store.

    Boundaries of the same layer are merged by code (the file loaded last wins for codes it
    holds, e.g. detailed county LSOAs over national generalised ones); a lookup replaces the
    previous lookup of the same kind.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    path = Path(path)
    if path.suffix.lower() == ".csv":
        from clearhold.geo.lookups import read_lookup

        name, frame = read_lookup(path)
        with lake.locked():
            atomic_write_parquet(pa.Table.from_pandas(frame, preserve_index=False), lake.lookup_path(name))
        _CACHE.clear()
        return LoadResult(str(path), "lookup", name, len(frame), len(frame))

    from clearhold.geo.boundaries import read_boundaries

    layer = read_boundaries(path)
    new = pa.table({
        "code": pa.array(layer.codes.astype(str)), "name": pa.array(layer.names.astype(str)),
        "wkb": pa.array(list(shapely.to_wkb(layer.geometries)), type=pa.binary()),
        "source": pa.array([layer.source] * len(layer.codes)),
    })
    target = lake.layer_path(layer.layer)
    with lake.locked():
        if target.exists():
            old = pq.read_table(target)
            keep = ~np.isin(np.asarray(old["code"].to_pylist(), dtype=object), layer.codes)
            new = pa.concat_tables([old.filter(pa.array(keep)), new])
        atomic_write_parquet(new, target)
    _CACHE.clear()
    return LoadResult(str(path), "boundaries", layer.layer, len(layer.codes), new.num_rows)


def read_layer(lake: Lake, layer: str):
    """(codes, names, geometries in BNG) of a stored layer; NotFound-style InvalidInput if absent."""
    import pyarrow.parquet as pq
    import shapely

    key = ("layer", str(lake.root), layer, _mtime(lake.layer_path(layer)))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    path = lake.layer_path(layer)
    if not path.exists():
        raise InvalidInput(f"boundary layer {layer!r} is not in the store {lake.root}; load it with `clearhold geo load FILE`")
    table = pq.read_table(path, columns=["code", "name", "wkb"])
    codes = np.asarray(table["code"].to_pylist(), dtype=object)
    names = np.asarray(table["name"].to_pylist(), dtype=object)
    geoms = shapely.from_wkb(table["wkb"].to_numpy(zero_copy_only=False))
    out = (codes, names, geoms)
    _CACHE[key] = out
    return out


def read_lookup_table(lake: Lake, name: str) -> pd.DataFrame | None:
    path = lake.lookup_path(name)
    if not path.exists():
        return None
    key = ("lookup", str(lake.root), name, _mtime(path))
    hit = _CACHE.get(key)
    if hit is None:
        hit = pd.read_parquet(path)
        _CACHE[key] = hit
    return hit


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_size, st.st_mtime_ns)


class _Cache(dict):
    lock = threading.Lock()


_CACHE: _Cache = _Cache()


class Geography:
    """What ingest and area resolution need, built from the store.

    ``attrs``: one row per 2021 LSOA code known to any lookup or the boundary layer, with
    lsoa21_name, ward_code, ward_name, lad_code, lad_name, csp_code, csp_name, pfa_code,
    pfa_name, residents. ``crosswalk``: lsoa11_code, lsoa11_name, change_code, lsoa21_code.
    ``lsoa21``: (codes, names, geometries in BNG) or None, and ``tree`` (an STRtree over those
    geometries) are read on first use, so LSOA-based summaries never load the polygons.
    """

    def __init__(self, lake: Lake, attrs: pd.DataFrame, crosswalk: pd.DataFrame | None) -> None:
        self._lake = lake
        self.attrs = attrs
        self.crosswalk = crosswalk
        targets: dict[str, tuple[str, ...]] = {}
        if crosswalk is not None:
            for l11, l21 in zip(crosswalk["lsoa11_code"].tolist(), crosswalk["lsoa21_code"].tolist(), strict=True):
                targets[l11] = (*targets.get(l11, ()), l21)
        self.crosswalk_targets = targets
        self.lsoa21_codes = frozenset(attrs.index.tolist())
        self.attr_index = {c: i for i, c in enumerate(attrs.index.tolist())}
        self.attr_arrays = {c: attrs[c].to_numpy(dtype=object) for c in _ATTR_COLUMNS}
        self.unions: dict = {}  # cache: tuple of LSOA codes (or district key) -> union / area
        self._layer = None
        self._tree = None
        self._index = None
        self._lock = threading.Lock()

    def _load_layer(self) -> None:
        with self._lock:
            if self._index is not None:
                return
            import shapely

            if self._lake.layer_path("lsoa21").exists():
                layer = read_layer(self._lake, "lsoa21")
                self._layer = layer
                self._tree = shapely.STRtree(layer[2])
                self._index = {c: i for i, c in reversed(list(enumerate(layer[0].tolist())))}
            else:
                self._index = {}

    @property
    def lsoa21(self):
        self._load_layer()
        return self._layer

    @property
    def tree(self):
        self._load_layer()
        return self._tree

    @property
    def lsoa21_index(self) -> dict:
        self._load_layer()
        return self._index

    @property
    def has_boundaries(self) -> bool:
        return self._lake.layer_path("lsoa21").exists()

    def attributes_of(self, codes) -> dict[str, np.ndarray]:
        """Columns of ``attrs`` for each code (None where unknown), via unique codes."""
        codes = np.asarray(codes, dtype=object)
        out = {c: np.full(codes.shape[0], None, dtype=object) for c in _ATTR_COLUMNS}
        if codes.shape[0] == 0 or not len(self.attrs):
            return out
        inverse, uniq = pd.factorize(codes, use_na_sentinel=False)
        pos = np.array([self.attr_index.get(u, -1) if isinstance(u, str) else -1 for u in uniq], dtype=np.int64)[inverse]
        hit = pos >= 0
        for c in _ATTR_COLUMNS:
            out[c][hit] = self.attr_arrays[c][pos[hit]]
        return out


def geography(lake: Lake) -> Geography:
    """The store's geography (cached per process until a layer or lookup changes)."""
    files = [lake.layer_path("lsoa21")] + [lake.lookup_path(n) for n in ("lsoa11_lsoa21", "lsoa21_ward", "lad_csp_pfa", "population_lsoa21")]
    # keyed by the files' names, sizes and times, so a copied store shares the cache
    key = ("geography", tuple((f.name, *_stat(f)) for f in files))
    hit = _CACHE.get(key)
    if hit is not None and hit._lake.root == lake.root:
        return hit
    if hit is not None:  # same files in another (copied) store: share the work, not the paths
        out = Geography.__new__(Geography)
        out.__dict__.update(hit.__dict__)
        out._lake = lake
        out._lock = threading.Lock()
        out.unions = {}
        if hit._index is None:  # not loaded yet: load from this store, and let the next copy share it
            out._load_layer()
            hit._layer, hit._tree, hit._index = out._layer, out._tree, out._index
        return out
    crosswalk = read_lookup_table(lake, "lsoa11_lsoa21")

    def layer_names():
        if not files[0].exists():
            return None
        import pyarrow.parquet as pq

        t = pq.read_table(files[0], columns=["code", "name"])
        return (np.asarray(t["code"].to_pylist(), dtype=object), np.asarray(t["name"].to_pylist(), dtype=object))
    attrs = _derived_attributes(lake, key, lambda: _attributes(lake, layer_names(), crosswalk))
    out = Geography(lake, attrs, crosswalk)
    _CACHE[key] = out
    return out


def _derived_attributes(lake: Lake, key, build) -> pd.DataFrame:
    """The per-LSOA attribute table, kept in ``geo/derived`` and rebuilt when any input changes."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = lake.root / "geo" / "derived" / "lsoa21_attrs.parquet"
    stamp = json.dumps(key[1])
    if path.exists():
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if meta.get(b"clearhold_inputs", b"").decode() == stamp:
            frame = table.to_pandas()
            return frame.set_index("lsoa21_code")
    attrs = build()
    table = pa.Table.from_pandas(attrs.reset_index(), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"clearhold_inputs": stamp.encode()})
    try:
        atomic_write_parquet(table, path)
    except OSError:  # a read-only store still works, just slower
        pass
    return attrs


_ATTR_COLUMNS = ["lsoa21_name", "ward_code", "ward_name", "lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name", "residents"]


def _attributes(lake: Lake, lsoa21, crosswalk: pd.DataFrame | None) -> pd.DataFrame:
    wards = read_lookup_table(lake, "lsoa21_ward")
    csp = read_lookup_table(lake, "lad_csp_pfa")
    pop = read_lookup_table(lake, "population_lsoa21")
    if wards is not None:
        attrs = wards.drop_duplicates("lsoa21_code").set_index("lsoa21_code")
    else:
        attrs = pd.DataFrame(index=pd.Index([], name="lsoa21_code"))
    if lsoa21 is not None:
        extra = pd.Index(lsoa21[0]).difference(attrs.index)
        names = pd.Series(lsoa21[1], index=lsoa21[0])
        attrs = pd.concat([attrs, pd.DataFrame({"lsoa21_name": names.loc[extra]}, index=extra)])
    attrs.index.name = "lsoa21_code"
    for col in _ATTR_COLUMNS:
        if col not in attrs:
            attrs[col] = None
    if csp is not None and len(attrs):
        attrs = _add_csp_pfa(attrs, csp, crosswalk)
    if pop is not None:
        attrs["residents"] = pop.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["residents"].reindex(attrs.index)
    attrs = attrs[_ATTR_COLUMNS].copy()
    attrs["residents"] = attrs["residents"].astype("float64")
    return attrs


def _add_csp_pfa(attrs: pd.DataFrame, csp: pd.DataFrame, crosswalk: pd.DataFrame | None) -> pd.DataFrame:
    """CSP and PFA per LSOA21: direct where the LAD has one CSP; otherwise the CSP named after
    the old (2011-era) district of the LSOA's parent 2011 LSOA ("Northampton 017D" -> Northampton),
    because CSPs in new unitary authorities still follow the old districts. Left empty when
    that name matches no single CSP of the LAD."""
    attrs = attrs.copy()
    pfa = csp.drop_duplicates("lad_code").set_index("lad_code")
    attrs["pfa_code"] = attrs["lad_code"].map(pfa["pfa_code"])
    attrs["pfa_name"] = attrs["lad_code"].map(pfa["pfa_name"])
    options: dict[str, list[tuple[str, str]]] = {}
    for lad, code, name in zip(csp["lad_code"], csp["csp_code"], csp["csp_name"], strict=True):
        options.setdefault(lad, []).append((code, name))
    lads = attrs["lad_code"].tolist()
    csp_code = [options[l][0][0] if len(options.get(l, ())) == 1 else None for l in lads]
    csp_name = [options[l][0][1] if len(options.get(l, ())) == 1 else None for l in lads]
    if crosswalk is not None:
        multi = {c for c, l in zip(attrs.index.tolist(), lads, strict=True) if len(options.get(l, ())) > 1}
        part = crosswalk[crosswalk["lsoa21_code"].isin(multi)]
        names = part["lsoa11_name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).str.strip().str.lower()
        districts: dict[str, set[str]] = {}
        for l21, name in zip(part["lsoa21_code"].tolist(), names.tolist(), strict=True):
            districts.setdefault(l21, set()).add(name)
        index = attrs.index.tolist()
        for i, lad in enumerate(lads):
            if csp_code[i] is not None or len(options.get(lad, ())) < 2:
                continue
            found = _match_csp(districts.get(index[i], set()), options[lad])
            if found is not None:
                csp_code[i], csp_name[i] = found
    attrs["csp_code"] = pd.Series(csp_code, index=attrs.index, dtype=object)
    attrs["csp_name"] = pd.Series(csp_name, index=attrs.index, dtype=object)
    return attrs


def _match_csp(districts: set[str], options: list[tuple[str, str]]):
    hits = set()
    for code, name in options:
        parts = {p.strip().lower() for p in re.split(r",| and ", name)} | {name.lower()}
        if districts & parts:
            hits.add((code, name))
    return hits.pop() if len(hits) == 1 else None
