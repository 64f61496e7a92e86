"""Demo flows over the synthetic network: load it through the real ingest path, then work the
hits as a control room would, so that stops and arrests in the ledger come out of real hits.

    from clearhold.anpr import synthetic, demo
    net = synthetic.generate(seed=2023, start=datetime(2023, 8, 1, tzinfo=UTC), days=14)
    with session_scope(engine) as s:
        demo.load_network(s, network=net, preserved_for="Operation Clearhold")
    with session_scope(engine) as s:
        demo.work_hits(s, network=net, operation="op-a", stops=95, arrests=21, seed=2023)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearhold.anpr import flows, service
from clearhold.anpr.schemas import HotlistEntryCreate
from clearhold.anpr.synthetic import Network
from clearhold.anpr.tables import Hit, Read
from clearhold.errors import InvalidInput

OFFENCES = {
    "linked to serious violence": ("Violence against the person", "wanted for wounding with intent (s18)"),
    "drugs supply (county lines)": ("Drug offences", "possession with intent to supply class A"),
    "carrying weapons (intelligence)": ("Possession of weapons offences", "possession of a bladed article"),
    "stolen vehicle": ("Theft offences", "theft of a motor vehicle"),
    "no insurance": ("Miscellaneous crimes", "driving while disqualified"),
}
TRIP_GAP = timedelta(minutes=30)


def load_network(session: Session, *, network: Network, hotlist: str = "synthetic", by: str = "synthetic",
                 batch: int = 5000, preserved_for: str | None = None,
                 progress: Callable[..., None] | None = None) -> dict[str, int]:
    """Store cameras and hotlist, then feed every read through :func:`service.ingest_reads`."""
    start = network.reads["captured_at"].min().to_pydatetime() if len(network.reads) else None
    cameras = network.cameras.to_dict("records")
    service.upsert_cameras(session, cameras_in=cameras)
    service.get_or_create_hotlist(session, name=hotlist, source="local")
    entries = [HotlistEntryCreate(vrm=r["vrm"], reason=r["reason"], priority=r["priority"], action=r["action"],
                                  source=r["source"], markers=list(r["markers"]), owner=r["owner"])
               for r in network.hotlist.to_dict("records")]
    service.add_entries(session, hotlist=hotlist, entries_in=entries, by=by,
                        now=(start - timedelta(days=1)) if start is not None else None)
    live = service.load_index(session, now=start)
    reads = network.reads
    total = len(reads)
    accepted = alerts = 0
    columns = ["read_id", "camera_id", "captured_at", "vrm", "confidence", "lat", "lon"]
    for lo in range(0, total, batch):
        chunk = reads.iloc[lo:lo + batch]
        frame = chunk[columns].astype({"captured_at": object})
        frame["captured_at"] = [t.to_pydatetime() for t in chunk["captured_at"]]
        models = frame.to_dict("records")
        received = chunk["captured_at"].max().to_pydatetime() + timedelta(seconds=1)
        result = service.ingest_reads(session, reads_in=models, live=live, received_at=received)
        accepted += result.accepted
        alerts += len(result.hits)
        if progress is not None:
            progress(min(lo + batch, total), total)
    if preserved_for:
        session.execute(sa.update(Read).where(Read.read_id.like(f"S{network.seed}-%")).values(preserved_for=preserved_for))
    return {"cameras": len(cameras), "hotlist_entries": len(entries), "reads": accepted, "alerts": alerts}


def work_hits(session: Session, *, network: Network, operation: str, stops: int = 95, arrests: int = 21,
              seed: int = 0, by: str = "control-room", tactic: str | None = None) -> dict[str, Any]:
    """Acknowledge every new live hit from the truth kept by the generator, then deploy.

    A hit is accepted when the vehicle really is the hotlisted one, otherwise rejected
    (``misread`` when the OCR text was wrong, ``wrong_vehicle`` for a look-alike plate).
    Accepted hits of one vehicle less than 30 minutes apart are one sighting; ``stops``
    sightings (chosen at random with ``seed``) are stopped, ``arrests`` of them end in an
    arrest, a share in a search, the other sightings are ``not_located``. Each stop and
    arrest is created in ``operation``'s ledger by :func:`flows.record_outcome`.
    """
    if arrests > stops:
        raise InvalidInput(f"arrests was {arrests}; it must not exceed stops ({stops})")
    truth = dict(zip(network.reads["read_id"], zip(network.reads["true_vrm"], network.reads["misread"], strict=True), strict=True))
    hits = session.execute(sa.select(Hit).where(Hit.source == "live", Hit.status == "new").order_by(Hit.captured_at, Hit.id)).scalars().all()
    sightings: list[Hit] = []
    last_seen: dict[str, Any] = {}
    counts = {"accepted": 0, "rejected_misread": 0, "rejected_wrong_vehicle": 0}
    for hit in hits:
        if hit.read_ref not in truth:
            continue
        true_vrm, misread = truth[hit.read_ref]
        at = hit.captured_at + timedelta(seconds=30)
        if true_vrm == hit.vrm_hotlist:
            service.acknowledge(session, hit_id=hit.id, decision="accept", by=by, image_viewed=True, at=at)
            counts["accepted"] += 1
            prev = last_seen.get(hit.vrm_hotlist)
            if prev is None or hit.captured_at - prev > TRIP_GAP:
                sightings.append(hit)
            last_seen[hit.vrm_hotlist] = hit.captured_at
        else:
            decision = "reject_misread" if misread else "reject_wrong_vehicle"
            service.acknowledge(session, hit_id=hit.id, decision=decision, by=by, image_viewed=True, at=at)
            counts[decision.replace("reject_", "rejected_")] += 1
    rng = np.random.default_rng(seed)
    times = [hit.captured_at + timedelta(minutes=int(rng.integers(5, 40))) for hit in sightings]
    eligible = _inside_operation(session, operation, times)
    if len(eligible) < stops:
        raise InvalidInput(f"stops was {stops}; the network has only {len(eligible)} accepted sightings inside "
                           f"operation {operation!r} (generate more days or hotlisted vehicles)")
    chosen = set(rng.choice(eligible, size=stops, replace=False).tolist())
    stop_list = sorted(chosen)
    arrest_set = set(rng.choice(stop_list, size=arrests, replace=False).tolist()) if arrests else set()
    reasons = dict(session.execute(sa.text("SELECT id, reason FROM anpr_hotlist_entries")).all())
    made = {"stops": 0, "arrests": 0, "searched": 0, "not_located": 0}
    for i, hit in enumerate(sightings):
        at = times[i]
        if i not in chosen:
            flows.record_outcome(session, hit_id=hit.id, outcome="not_located", by=by, operation=operation, at=at)
            made["not_located"] += 1
            continue
        if i in arrest_set:
            group, text = OFFENCES.get(reasons.get(hit.entry_id), ("Miscellaneous crimes", "other offence"))
            flows.record_outcome(session, hit_id=hit.id, outcome="arrest", by=by, operation=operation, at=at,
                                 tactic=tactic, person_ref=f"P-ANPR-{seed}-{made['arrests'] + 1:04d}",
                                 offences=[{"group": group, "text": text}])
            made["arrests"] += 1
        else:
            outcome = "searched" if rng.random() < 0.4 else "stopped"
            flows.record_outcome(session, hit_id=hit.id, outcome=outcome, by=by, operation=operation, at=at, tactic=tactic)
            made["searched"] += outcome == "searched"
        made["stops"] += 1
    return {**counts, "sightings": len(sightings), **made}


def _inside_operation(session: Session, operation: str, times: list) -> list[int]:
    """Positions of ``times`` on days strictly inside the operation (a day's margin at each end,
    so that a stop never lands outside the operation in any time zone)."""
    from clearhold.operation import service as operations

    op = operations.get(session, slug=operation)
    first = op.starts_on + timedelta(days=1)
    last = (op.ends_on - timedelta(days=1)) if op.ends_on is not None else None
    return [i for i, at in enumerate(times) if at.date() >= first and (last is None or at.date() <= last)]
