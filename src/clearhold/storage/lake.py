"""The analytical store: Parquet files partitioned by force and month, queried with DuckDB.

Layout (``root`` is ``Settings.resolved_store``)::

    root/
      manifest.json                      catalog of every publication ever stored (the truth)
      .lock                              held while the manifest is being changed
      crime/<kind>/force=<force>/month=<YYYY-MM>/<pub_id>.parquet
      crime/<kind>_quarantine/force=<force>/month=<YYYY-MM>/<pub_id>.parquet
      geo/layers/<layer>.parquet         boundaries: code, name, wkb (British National Grid)
      geo/lookups/<lookup>.parquet       ONS lookups and Census 2021 residents

``kind`` is ``street``, ``outcomes`` or ``stop_and_search``. A *publication* is one source
file's exact bytes (``pub_id`` is the start of their SHA-256). Several publications of the
same kind, force and month may be stored; the *current* one (latest ``published_at``, then
latest ingest) is used for analysis, the others stay readable for audit. Parquet files are
written before the manifest names them, and the manifest is replaced atomically, so a
failed ingest leaves nothing visible.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ("street", "outcomes", "stop_and_search")


@dataclass(frozen=True)
class Publication:
    """One stored source file (its manifest entry)."""

    pub_id: str
    sha256: str
    kind: str
    force: str
    month: str
    source: str
    published_at: str
    ingested_at: str
    seq: int
    rows_read: int
    rows_stored: int
    rows_quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)
    path: str = ""
    quarantine_path: str = ""


class Lake:
    """Paths and catalog of one analytical store folder (nothing is created until written)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # ---- paths -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def partition_dir(self, kind: str, force: str, month: str, *, quarantine: bool = False) -> Path:
        if kind not in KINDS:
            raise ValueError(f"kind was {kind!r}; it must be one of {', '.join(KINDS)}")
        name = f"{kind}_quarantine" if quarantine else kind
        return self.root / "crime" / name / f"force={force}" / f"month={month}"

    def layer_path(self, layer: str) -> Path:
        return self.root / "geo" / "layers" / f"{layer}.parquet"

    def lookup_path(self, name: str) -> Path:
        return self.root / "geo" / "lookups" / f"{name}.parquet"

    def layers(self) -> list[str]:
        folder = self.root / "geo" / "layers"
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def lookups(self) -> list[str]:
        folder = self.root / "geo" / "lookups"
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []

    # ---- catalog -----------------------------------------------------------------------
    def publications(self) -> list[Publication]:
        """Every publication stored, oldest ingest first."""
        if not self.manifest_path.exists():
            return []
        data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return [Publication(**entry) for entry in data.get("publications", [])]

    def current(self, kind: str = "street", *, forces=None, months=None) -> list[Publication]:
        """The publication used for analysis per (force, month) of ``kind``."""
        best: dict[tuple[str, str], Publication] = {}
        for pub in self.publications():
            if pub.kind != kind:
                continue
            if forces is not None and pub.force not in forces:
                continue
            if months is not None and pub.month not in months:
                continue
            key = (pub.force, pub.month)
            held = best.get(key)
            if held is None or (pub.published_at, pub.seq) > (held.published_at, held.seq):
                best[key] = pub
        return [best[k] for k in sorted(best)]

    def current_files(self, kind: str = "street", *, forces=None, months=None, quarantine: bool = False) -> list[str]:
        pubs = self.current(kind, forces=forces, months=months)
        rel = [p.quarantine_path if quarantine else p.path for p in pubs]
        return [str(self.root / r) for r in rel if r]

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock (one writer at a time, across processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def write_manifest(self, publications: list[Publication]) -> None:
        """Replace the manifest atomically (call while holding ``locked()``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".json.tmp")
        payload = {"version": 1, "publications": [asdict(p) for p in publications]}
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    # ---- querying ----------------------------------------------------------------------
    def connect(self):
        """An in-memory DuckDB connection with views over the store.

        Views: ``street``, ``outcomes``, ``stop_and_search`` (current publications only),
        ``<kind>_all`` (every publication, with ``publication`` column, for audit),
        ``<kind>_quarantine`` and one view per boundary layer and lookup.
        """
        import duckdb

        con = duckdb.connect()
        for kind in KINDS:
            _view(con, kind, self.current_files(kind))
            _view(con, f"{kind}_quarantine", self.current_files(kind, quarantine=True))
            every = [str(self.root / p.path) for p in self.publications() if p.kind == kind and p.path]
            _view(con, f"{kind}_all", every)
        for layer in self.layers():
            _view(con, f"layer_{layer}", [str(self.layer_path(layer))])
        for name in self.lookups():
            _view(con, f"lookup_{name}", [str(self.lookup_path(name))])
        return con


def _view(con, name: str, files: list[str]) -> None:
    if not files:
        return
    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{listing}], union_by_name=true, hive_partitioning=false)')


def atomic_write_parquet(table, path: Path) -> None:
    """Write a pyarrow table to ``path`` via a temporary file and rename."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, tmp, compression="snappy")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
