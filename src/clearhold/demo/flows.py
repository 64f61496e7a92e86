"""Build (or reuse) the demo in a records database and render the reviews of both operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from clearhold.demo import builder
from clearhold.demo.places import load_places
from clearhold.operation.tables import Operation
from clearhold.storage.database import session_scope

DEMO_SLUGS = (builder.OPERATION_A, builder.OPERATION_B)


@dataclass(frozen=True)
class DemoBuild:
    action: str  # "built", "rebuilt" or "reused"
    reason: str
    operations: tuple[str, ...]
    boundary_sources: dict[str, str]


def _fingerprint(seed: int) -> str:
    return f"(demo data, generator v{builder.GENERATOR_VERSION}, seed {seed})"


def build_demo(engine: Engine, *, seed: int = 2023, data_dir: Path | None = None, rebuild: bool = False,
               progress: Callable[[int], None] | None = None) -> DemoBuild:
    """Generate both reference operations; reuse them if the same generator and seed made them."""
    places = load_places(data_dir)
    sources = {k: p.source for k, p in places.items()}
    with session_scope(engine) as session:
        existing = {op.slug: op for op in session.scalars(select(Operation).where(Operation.slug.in_(DEMO_SLUGS)))}
        if not rebuild and len(existing) == len(DEMO_SLUGS) and all(
            _fingerprint(seed) in (op.description or "") for op in existing.values()
        ):
            return DemoBuild("reused", f"both demo operations already exist {_fingerprint(seed)}", DEMO_SLUGS, sources)
        action, reason = "built", "no demo operations in this database"
        if existing:
            action = "rebuilt"
            reason = "--rebuild was given" if rebuild else "the stored demo was made by another generator or seed"
            for op in existing.values():
                session.delete(op)
            session.flush()
        _remove_demo_leftovers(session)  # also after an interrupted build
    with session_scope(engine) as session:
        builder.build_operation_a(session, places, seed, progress=progress)
    with session_scope(engine) as session:
        builder.build_operation_b(session, places, seed, progress=progress)
    return DemoBuild(action, reason, DEMO_SLUGS, sources)


def _remove_demo_leftovers(session) -> None:
    """Remove what the demo put outside its operations: intelligence logs whose operation is
    gone, and its hotlist, hits and reads in the ANPR back office. The ANPR audit log is
    append-only and keeps its entries."""
    import sqlalchemy as sa

    from clearhold.anpr.tables import Hit, Hotlist, HotlistEntry, Read
    from clearhold.intel.tables import IntelLog

    session.execute(sa.delete(IntelLog).where(IntelLog.entered_by == builder.ENTERED_BY, IntelLog.operation_id.is_(None)))
    hotlist = session.scalar(sa.select(Hotlist).where(Hotlist.name == f"{DEMO_SLUGS[0]}-violence"))
    if hotlist is not None:
        entry_ids = sa.select(HotlistEntry.id).where(HotlistEntry.hotlist_id == hotlist.id)
        session.execute(sa.delete(Hit).where(Hit.entry_id.in_(entry_ids)))
        session.execute(sa.delete(HotlistEntry).where(HotlistEntry.hotlist_id == hotlist.id))
        session.delete(hotlist)
    session.execute(sa.delete(Read).where(Read.preserved_for == builder.ANPR_PRESERVED_FOR))
    session.flush()


def render_reviews(engine: Engine, *, out_dir: Path, formats: tuple[str, ...] = ("html", "json")) -> dict[str, dict]:
    """Write each demo operation's review in ``formats`` to ``out_dir``; return the reviews and paths."""
    from clearhold.reports.render import render
    from clearhold.reports.review import build_review

    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    with session_scope(engine) as session:
        for slug in DEMO_SLUGS:
            review = build_review(session, operation_slug=slug)
            paths = {}
            for fmt in formats:
                path = out_dir / f"{slug}-review.{fmt}"
                content = render(review, fmt)
                _atomic_write(path, content)
                paths[fmt] = path
            results[slug] = {"review": review, "paths": paths}
    return results


def _atomic_write(path: Path, content: str | bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
