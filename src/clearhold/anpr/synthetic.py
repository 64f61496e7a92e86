"""A seeded synthetic ANPR camera network for the demo, tests and benchmarks.

Cameras sit along radial roads and two ring roads around the demo town (Northampton,
lon -0.90, lat 52.24). Vehicles make trips shaped by a daily traffic curve (morning and
evening peaks); each trip passes a run of cameras along one road. A share of vehicles is
hotlisted; some ordinary vehicles carry look-alike plates (same misread key as a hotlisted
plate, so they raise misread-equivalent hits of the wrong vehicle); convoys of companions
follow some hotlisted vehicles a few seconds behind; OCR misreads swap characters within
their confusion class at configured rates. Everything comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from clearhold.anpr import plates
from clearhold.errors import InvalidInput

CENTRE_LON, CENTRE_LAT = -0.90, 52.24
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(CENTRE_LAT))
LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
SAFE_LETTERS = "ACEFHJKLMNPRTUVWXY"  # letters outside every confusion class
DEFAULT_CLASS_RATES = {"0ODQ": 0.4, "1I": 0.2, "2Z": 0.1, "5S": 0.1, "8B": 0.15, "6G": 0.05}
HOTLIST_REASONS = (("linked to serious violence", "high", "stop and search if safe; intelligence report"),
                   ("drugs supply (county lines)", "high", "stop; search under s23 if grounds"),
                   ("carrying weapons (intelligence)", "high", "armed support; do not stop alone"),
                   ("stolen vehicle", "medium", "stop and recover"),
                   ("no insurance", "low", "stop and seize"))
# hourly traffic weights: night trough, 08:00 and 17:00 peaks
TRAFFIC_CURVE = np.array([0.3, 0.2, 0.15, 0.15, 0.2, 0.5, 1.2, 2.4, 3.0, 2.0, 1.6, 1.6,
                          1.7, 1.6, 1.6, 1.9, 2.6, 3.0, 2.3, 1.6, 1.2, 0.9, 0.7, 0.5])


@dataclass(frozen=True)
class Network:
    """The generated world: cameras, vehicles, hotlist, reads (with the truth kept alongside)."""

    cameras: pd.DataFrame   # camera_ref, name, site, road, direction, lat, lon
    vehicles: pd.DataFrame  # vrm, kind (ordinary, hotlisted, lookalike, companion), leader
    hotlist: pd.DataFrame   # vrm, reason, priority, action, source, markers, owner
    reads: pd.DataFrame     # read_id, camera_id, captured_at, vrm (raw OCR), true_vrm, misread, confidence, lat, lon
    convoys: list[tuple[str, ...]]
    seed: int


def _road_network(rng, n_cameras: int) -> pd.DataFrame:
    roads = []
    for k in range(10):  # radial roads, slightly bent
        angle = 2 * np.pi * k / 10 + rng.uniform(-0.15, 0.15)
        r = np.linspace(300, 9000, 60)
        bend = 0.15 * np.sin(r / 3000 + k)
        roads.append((f"A{4500 + 10 * k}", r * np.cos(angle + bend), r * np.sin(angle + bend)))
    for name, radius in (("Inner ring", 2000.0), ("Outer ring", 5500.0)):
        t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
        roads.append((name, radius * np.cos(t), radius * np.sin(t)))
    per_road = np.full(len(roads), n_cameras // len(roads))
    per_road[: n_cameras - per_road.sum()] += 1
    rows = []
    for (name, x, y), n in zip(roads, per_road, strict=True):
        idx = np.sort(rng.choice(len(x), size=n, replace=False))
        for order, i in enumerate(idx):
            rows.append({"road": name, "order": order, "x": x[i], "y": y[i]})
    cams = pd.DataFrame(rows)
    cams["camera_ref"] = [f"NTH{i:04d}" for i in range(len(cams))]
    cams["lon"] = (CENTRE_LON + cams["x"] / M_PER_DEG_LON).round(6)
    cams["lat"] = (CENTRE_LAT + cams["y"] / M_PER_DEG_LAT).round(6)
    cams["direction"] = rng.choice(["inbound", "outbound", "both"], size=len(cams))
    cams["site"] = [f"{r} site {o + 1}" for r, o in zip(cams["road"], cams["order"], strict=True)]
    cams["name"] = cams["camera_ref"] + " " + cams["site"]
    return cams


def _plates(rng, n: int, letters: str = LETTERS) -> list[str]:
    """Mostly current-format plates, some prefix, suffix, dateless and Northern Ireland."""
    out: set[str] = set()
    L = np.array(list(letters))
    while len(out) < n:
        k = n - len(out)
        kind = rng.choice(5, size=k, p=[0.9, 0.05, 0.02, 0.02, 0.01])
        for t in kind:
            if t == 0:
                age = rng.choice([f"{y:02d}" for y in list(range(2, 25)) + list(range(51, 75))])
                p = "".join(rng.choice(L, 2)) + age + "".join(rng.choice(L, 3))
            elif t == 1:
                p = str(rng.choice(L)) + str(rng.integers(1, 999)) + "".join(rng.choice(L, 3))
            elif t == 2:
                p = "".join(rng.choice(L, 3)) + str(rng.integers(1, 999)) + str(rng.choice(L))
            elif t == 3:
                p = "".join(rng.choice(L, rng.integers(1, 4))) + str(rng.integers(1, 9999))
            else:
                p = str(rng.choice(L)) + "IZ" + str(rng.integers(1, 9999))
            out.add(p)
    return sorted(out)[:n] if len(out) > n else sorted(out)


def _lookalike(rng, plate: str) -> str | None:
    """A different plate with the same misread key (one character swapped within its class)."""
    classes = {ch: cls for cls in plates.CONFUSION_CLASSES for ch in cls}
    positions = [i for i, ch in enumerate(plate) if ch in classes]
    if not positions:
        return None
    i = int(rng.choice(positions))
    options = [c for c in classes[plate[i]] if c != plate[i]]
    return plate[:i] + str(rng.choice(options)) + plate[i + 1:]


def _misread(rng, plate: str, class_weights: dict[str, float]) -> str:
    classes = {ch: cls for cls in plates.CONFUSION_CLASSES for ch in cls}
    positions = [i for i, ch in enumerate(plate) if ch in classes]
    if not positions:
        return plate
    w = np.array([class_weights.get(classes[plate[i]], 0.0) for i in positions], dtype=float)
    if w.sum() <= 0:
        return plate
    i = positions[int(rng.choice(len(positions), p=w / w.sum()))]
    options = [c for c in classes[plate[i]] if c != plate[i]]
    return plate[:i] + str(rng.choice(options)) + plate[i + 1:]


def generate(
    seed: int, *, n_cameras: int = 300, n_vehicles: int = 5000, n_hotlisted: int = 120, n_lookalikes: int = 20,
    n_convoys: int | None = None, days: int = 14, start: datetime | None = None, trips_per_day: float = 1.2,
    hotlisted_trips_per_day: float = 1.5, misread_rate: float = 0.01,
    class_rates: dict[str, float] | None = None,
) -> Network:
    """Generate a camera network and ``days`` of reads.

    Parameters
    ----------
    seed : seed of ``numpy.random.default_rng`` (same seed, same network and reads).
    n_cameras : cameras placed along 10 radial and 2 ring roads (a few hundred by default).
    n_vehicles : ordinary vehicles; plus ``n_hotlisted`` hotlisted ones, ``n_lookalikes``
        ordinary vehicles whose plate shares a hotlisted plate's misread key, and 1-2
        companions per convoy (``n_convoys`` hotlisted leaders; default min(12, n_hotlisted // 4)).
    days, start : the period generated (start defaults to 2023-08-01 00:00 UTC).
    trips_per_day, hotlisted_trips_per_day : mean trips per vehicle per day (Poisson).
    misread_rate : share of reads whose OCR text has one character swapped within its
        confusion class; ``class_rates`` weights the classes (default DEFAULT_CLASS_RATES).

    Returns
    -------
    Network with reads sorted by ``captured_at``; ``read_id`` is ``S{seed}-{n}``.
    """
    for name, value in (("n_cameras", n_cameras), ("n_vehicles", n_vehicles), ("days", days)):
        if int(value) != value or value < 1:
            raise InvalidInput(f"{name} was {value!r}; it must be a whole number >= 1")
    if n_cameras < 24:
        raise InvalidInput(f"n_cameras was {n_cameras}; it must be at least 24 (two per road)")
    if n_convoys is None:
        n_convoys = min(12, n_hotlisted // 4)
    if not 0 <= misread_rate <= 1:
        raise InvalidInput(f"misread_rate was {misread_rate}; it must be between 0 and 1")
    if n_convoys > n_hotlisted:
        raise InvalidInput(f"n_convoys was {n_convoys}; it must not exceed n_hotlisted ({n_hotlisted})")
    rates = dict(DEFAULT_CLASS_RATES if class_rates is None else class_rates)
    unknown = sorted(set(rates) - set(plates.CONFUSION_CLASSES))
    if unknown:
        raise InvalidInput(f"class_rates had unknown classes {unknown}; allowed: {list(plates.CONFUSION_CLASSES)}")
    start = start or datetime(2023, 8, 1, tzinfo=UTC)
    if start.tzinfo is None:
        raise InvalidInput("start has no time zone; give a UTC datetime")
    rng = np.random.default_rng(seed)

    cams = _road_network(rng, n_cameras)
    convoy_sizes = rng.integers(1, 3, n_convoys)  # companions per convoy
    n_companions = int(convoy_sizes.sum())
    pool = _plates(rng, n_vehicles + n_hotlisted + n_companions)
    order = rng.permutation(len(pool))
    pool = [pool[i] for i in order]
    hot = pool[:n_hotlisted]
    ordinary = pool[n_hotlisted:n_hotlisted + n_vehicles]
    companion_plates = pool[n_hotlisted + n_vehicles:]
    taken = set(pool)
    looks = []
    for p in rng.permutation(hot):
        q = _lookalike(rng, str(p))
        if q and q not in taken:
            looks.append(q)
            taken.add(q)
        if len(looks) >= n_lookalikes:
            break
    vehicles = ([{"vrm": v, "kind": "hotlisted", "leader": None} for v in hot]
                + [{"vrm": v, "kind": "ordinary", "leader": None} for v in ordinary]
                + [{"vrm": v, "kind": "lookalike", "leader": None} for v in looks])
    convoys = []
    leaders = list(rng.choice(hot, size=n_convoys, replace=False)) if n_convoys else []
    it = iter(companion_plates)
    for leader, size in zip(leaders, convoy_sizes, strict=True):
        group = [str(leader)] + [next(it) for _ in range(int(size))]
        convoys.append(tuple(group))
        vehicles += [{"vrm": c, "kind": "companion", "leader": str(leader)} for c in group[1:]]
    vehicles_df = pd.DataFrame(vehicles)

    reasons = rng.integers(0, len(HOTLIST_REASONS), n_hotlisted)
    hotlist = pd.DataFrame({
        "vrm": hot, "reason": [HOTLIST_REASONS[i][0] for i in reasons],
        "priority": [HOTLIST_REASONS[i][1] for i in reasons], "action": [HOTLIST_REASONS[i][2] for i in reasons],
        "source": rng.choice(["local", "national"], n_hotlisted, p=[0.7, 0.3]),
        "markers": [["weapons"] if HOTLIST_REASONS[i][0].startswith("carrying") else [] for i in reasons],
        "owner": rng.choice(["DS Patel", "DC Hughes", "Insp Ward"], n_hotlisted),
    })

    # trips, vectorised: vehicle, start time, road, entry camera, length, direction
    cams = cams.sort_values(["road", "order"], kind="stable").reset_index(drop=True)
    road_names = sorted(cams["road"].unique())
    road_len = cams.groupby("road").size().reindex(road_names).to_numpy()
    road_off = np.r_[0, np.cumsum(road_len)[:-1]]
    cam_refs = cams["camera_ref"].to_numpy()
    hour_p = TRAFFIC_CURVE / TRAFFIC_CURVE.sum()
    base = vehicles_df.loc[vehicles_df["kind"] != "companion"].reset_index(drop=True)
    mean = np.where(base["kind"] == "hotlisted", hotlisted_trips_per_day, trips_per_day) * days
    n_trips = rng.poisson(mean)
    veh = np.repeat(np.arange(len(base)), n_trips)
    t = veh.size
    t0 = (rng.integers(0, days, t) * 86400 + rng.choice(24, size=t, p=hour_p) * 3600 + rng.uniform(0, 3600, t))
    road = rng.integers(0, len(road_names), t)
    length = np.minimum(road_len[road], rng.integers(2, 7, t))
    first = (rng.random(t) * (road_len[road] - length + 1)).astype(np.int64)
    backwards = rng.random(t) < 0.5
    trip = np.repeat(np.arange(t), length)
    step = np.arange(trip.size) - np.repeat(np.cumsum(length) - length, length)
    pos = np.where(backwards[trip], first[trip] + length[trip] - 1 - step, first[trip] + step)
    gap = np.where(step == 0, 0.0, rng.uniform(45, 240, trip.size))
    cum = np.cumsum(gap)
    cum -= np.repeat(cum[np.cumsum(length) - length], length)
    seconds = t0[trip] + cum
    who = base["vrm"].to_numpy(dtype=object)[veh][trip]
    cam_idx = road_off[road[trip]] + pos
    parts_vrm, parts_cam, parts_s = [who], [cam_idx], [seconds]
    vrm_of_trip = base["vrm"].to_numpy(dtype=object)[veh]
    for group in convoys:
        leader_trips = np.flatnonzero(vrm_of_trip == group[0])
        for companion in group[1:]:
            joined = leader_trips[rng.random(leader_trips.size) < 0.8]
            rows = np.flatnonzero(np.isin(trip, joined))
            lag = rng.uniform(4, 40, joined.size)
            lag_of = dict(zip(joined.tolist(), lag.tolist(), strict=True))
            parts_vrm.append(np.full(rows.size, companion, dtype=object))
            parts_cam.append(cam_idx[rows])
            parts_s.append(seconds[rows] + np.array([lag_of[x] for x in trip[rows].tolist()]) + rng.uniform(0, 2, rows.size))
    all_s = np.concatenate(parts_s)
    reads = pd.DataFrame({"true_vrm": np.concatenate(parts_vrm), "camera_id": cam_refs[np.concatenate(parts_cam)],
                          "captured_at": (pd.Timestamp(start) + pd.to_timedelta(all_s, unit="s")).round("ms")})
    reads = reads.sort_values(["captured_at", "camera_id", "true_vrm"], kind="stable").reset_index(drop=True)
    n = len(reads)
    wrong = rng.random(n) < misread_rate
    ocr = reads["true_vrm"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(wrong):
        ocr[i] = _misread(rng, ocr[i], rates)
    spaced = rng.random(n) < 0.3
    raw = [f"{p[:4]} {p[4:]}" if s and len(p) == 7 else p for p, s in zip(ocr, spaced, strict=True)]
    reads["vrm"] = raw
    reads["misread"] = ocr != reads["true_vrm"].to_numpy(dtype=object)
    reads["confidence"] = np.round(np.where(reads["misread"], rng.uniform(0.55, 0.9, n), rng.uniform(0.8, 0.999, n)), 3)
    pos = cams.set_index("camera_ref")[["lat", "lon"]]
    reads["lat"] = pos.loc[reads["camera_id"], "lat"].to_numpy()
    reads["lon"] = pos.loc[reads["camera_id"], "lon"].to_numpy()
    reads.insert(0, "read_id", [f"S{seed}-{i}" for i in range(n)])
    cameras = cams[["camera_ref", "name", "site", "road", "direction", "lat", "lon"]].reset_index(drop=True)
    return Network(cameras, vehicles_df, hotlist, reads[["read_id", "camera_id", "captured_at", "vrm", "true_vrm",
                                                         "misread", "confidence", "lat", "lon"]], convoys, seed)
