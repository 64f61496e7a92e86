"""Hotspot benchmark: clearhold against esda on the same grid, and a synthetic national month.

Part 1 (Northamptonshire, 100 m cells clipped to the force area): Gi* + Benjamini-Hochberg with
clearhold, and the same z-scores with esda (``G_Local(star=True)``, binary weights from libpysal's
``DistanceBand`` on the same cell centres, ``permutations=0``) plus statsmodels' BH as the
baseline; the z-scores are compared. The shared data has 15 months (2022-01..11, 2024-01..04),
not 24: the run uses the 15 real months, and a "24 months" variant that appends the first 9
months again (tiled, labelled as such).

Part 2 (synthetic England and Wales month): 550,000 points drawn around the 35,672 LSOA
centroids (one LSOA picked uniformly per point, Gaussian jitter 300 m, snapped to a 20 m
lattice like police.uk's map points), 250 m cells over the points' box; grid + counts + KDE
(bandwidth 500 m) + Gi* + BH, timed in a child process (which only loads the points from a
.npy file) whose peak RSS is read with ``resource.getrusage``. Wall and CPU time are both
printed: on a shared machine the wall time includes waiting for a core.

Run: ``.venv/bin/python benchmarks/hotspots.py``. The last line is one JSON object.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
MONTHS = [f"2022-{m:02d}" for m in range(1, 12)] + [f"2024-{m:02d}" for m in range(1, 5)]


def _bng(lon, lat):
    from clearhold.geo.bng import to_bng

    return to_bng(lon, lat)


def northamptonshire_points(months):
    import pandas as pd

    frames = [pd.read_csv(DATA / "police-uk" / "northamptonshire" / f"{m}-northamptonshire-street.csv",
                          usecols=["Longitude", "Latitude"]) for m in months]
    df = pd.concat(frames, ignore_index=True).dropna()
    return _bng(df["Longitude"].to_numpy(), df["Latitude"].to_numpy())


def force_area():
    import shapely
    from shapely.geometry import shape

    feats = json.loads((DATA / "geography" / "police-force-areas-2020.geojson").read_text())["features"]
    geom = shape(next(f for f in feats if f["properties"]["pfa20_name"] == "Northamptonshire")["geometry"])
    return shapely.transform(geom, lambda xy: np.column_stack(_bng(xy[:, 0], xy[:, 1])))


def best_of(fn, repeat=3):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def part_northamptonshire() -> dict:
    import esda
    import libpysal
    from statsmodels.stats.multitest import multipletests

    from clearhold.analytics import hotspots as hs

    area = force_area()
    x15, y15 = northamptonshire_points(MONTHS)
    x24, y24 = northamptonshire_points(MONTHS + MONTHS[:9])
    t = time.perf_counter()
    grid = hs.make_grid(x15, y15, cell_size_m=100, area=area)
    t_grid = time.perf_counter() - t
    res = {"cells": grid.n_cells, "points_15_months": int(x15.size), "points_24_months_tiled": int(x24.size),
           "grid_clip_s": t_grid}
    d = 100 * math.sqrt(2)
    for label, x, y in (("15", x15, y15), ("24_tiled", x24, y24)):
        t_count, (count, _) = best_of(lambda x=x, y=y: hs.grid_counts(grid, x, y))

        def gi_fdr(count=count):
            r = hs.getis_ord_gistar(grid, count, neighbour_distance_m=d)
            return r, hs.benjamini_hochberg(r.p)

        t_gi, (gi, q) = best_of(gi_fdr)
        res[f"count_s_{label}"] = t_count
        res[f"gistar_fdr_s_{label}"] = t_gi
    # baseline on the 24-month counts
    cx, cy = grid.centres()
    t = time.perf_counter()
    w = libpysal.weights.DistanceBand(np.column_stack([cx, cy]), threshold=d * (1 + 1e-9), binary=True,
                                      silence_warnings=True)
    t_w = time.perf_counter() - t

    def esda_fdr():
        g = esda.G_Local(count.astype(float), w, transform="B", star=True, permutations=0)
        p2 = 2 * g.p_norm
        return g, multipletests(p2, method="fdr_bh")[1]

    t_esda, (g, q_esda) = best_of(esda_fdr, repeat=2)
    res["esda_weights_s"] = t_w
    res["esda_gistar_fdr_s"] = t_esda
    res["max_abs_z_diff"] = float(np.nanmax(np.abs(g.Zs - gi.z)))
    res["max_abs_q_diff"] = float(np.nanmax(np.abs(q_esda - q)))
    res["ratio_esda_vs_clearhold"] = t_esda / res["gistar_fdr_s_24_tiled"]
    res["ratio_esda_incl_weights_vs_clearhold"] = (t_esda + t_w) / res["gistar_fdr_s_24_tiled"]
    return res


def national_points(n=550_000, seed=20261121):
    from shapely.geometry import shape

    feats = json.loads((DATA / "geography" / "lsoa21-england-wales-generalised.geojson").read_text())["features"]
    cent = np.array([shape(f["geometry"]).representative_point().coords[0] for f in feats])
    cx, cy = _bng(cent[:, 0], cent[:, 1])
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, cx.size, n)
    x = cx[pick] + rng.normal(0, 300, n)
    y = cy[pick] + rng.normal(0, 300, n)
    return np.round(x / 20) * 20, np.round(y / 20) * 20


def part_national_child(points_file: str) -> dict:
    import scipy.special  # noqa: F401 - import outside the timed section

    from clearhold.analytics import hotspots as hs

    xy = np.load(points_file)
    x, y = xy[0], xy[1]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0 = time.process_time()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "more than a million cells" warning is expected here
        grid = hs.make_grid(x, y, cell_size_m=250)
    t1 = time.perf_counter()
    count, harm = hs.grid_counts(grid, x, y)
    t2 = time.perf_counter()
    kde = hs.quartic_kde(grid, x, y, bandwidth_m=500)
    t3 = time.perf_counter()
    gi = hs.getis_ord_gistar(grid, harm)
    q = hs.benjamini_hochberg(gi.p)
    t4 = time.perf_counter()
    cpu = time.process_time() - c0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"points": int(x.size), "unique_points": int(np.unique(np.column_stack([x, y]), axis=0).shape[0]),
            "cells": grid.n_cells, "grid_s": t1 - t0, "count_s": t2 - t1, "kde_s": t3 - t2,
            "gistar_fdr_s": t4 - t3, "total_s": t4 - t0, "total_cpu_s": cpu, "peak_rss_mib": peak_kib / 1024,
            "rss_before_mib": rss_before / 1024, "hot_cells": int(((q < 0.05) & (gi.z > 0)).sum()),
            "kde_max": float(kde.max())}


def vm_hwm_mib() -> float:
    """Peak RSS of this process image from /proc (cross-check; not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def national() -> dict:
    """Make the points in one child, time the analysis in another; both are started from this
    (still small) process, because Linux carries the parent's peak RSS into ru_maxrss."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        points_file = str(Path(tmp) / "points.npy")
        subprocess.run([sys.executable, __file__, "--make-points", points_file], check=True)
        out = subprocess.run([sys.executable, __file__, "--national-child", points_file],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--make-points":
        np.save(sys.argv[2], np.stack(national_points()))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--national-child":
        result = part_national_child(sys.argv[2])
        result["vm_hwm_mib"] = vm_hwm_mib()
        print(json.dumps(result))
        return
    na = national()
    nh = part_northamptonshire()
    print("Northamptonshire, 100 m cells clipped to the force area:", f"{nh['cells']:,} cells")
    print(f"  clearhold Gi*+FDR, 15 real months ({nh['points_15_months']:,} points): {nh['gistar_fdr_s_15'] * 1000:.1f} ms")
    print(f"  clearhold Gi*+FDR, 24 months (15 real + first 9 repeated, {nh['points_24_months_tiled']:,} points): "
          f"{nh['gistar_fdr_s_24_tiled'] * 1000:.1f} ms   (counting {nh['count_s_24_tiled'] * 1000:.1f} ms, "
          f"grid clip {nh['grid_clip_s'] * 1000:.0f} ms once)")
    print(f"  esda G_Local(star) + statsmodels BH (baseline):            {nh['esda_gistar_fdr_s'] * 1000:.1f} ms   "
          f"(+ libpysal DistanceBand weights {nh['esda_weights_s']:.2f} s)")
    print(f"  ratio esda / clearhold: {nh['ratio_esda_vs_clearhold']:.1f}x "
          f"({nh['ratio_esda_incl_weights_vs_clearhold']:.0f}x including building the weights); "
          f"max |z diff| {nh['max_abs_z_diff']:.2e}, max |q diff| {nh['max_abs_q_diff']:.2e}")
    print(f"Synthetic England and Wales month: {na['points']:,} points ({na['unique_points']:,} distinct), "
          f"250 m cells, {na['cells']:,} cells (points' box)")
    print(f"  grid {na['grid_s']:.2f} s, counts {na['count_s']:.2f} s, KDE (h 500 m) {na['kde_s']:.2f} s, "
          f"Gi*+FDR {na['gistar_fdr_s']:.2f} s: total {na['total_s']:.2f} s wall, {na['total_cpu_s']:.2f} s CPU "
          f"(target < 5 s)")
    print(f"  peak RSS {na['peak_rss_mib']:.0f} MiB by getrusage, {na['vm_hwm_mib']:.0f} MiB by VmHWM "
          f"(target < 4096 MiB; {na['rss_before_mib']:.0f} MiB after imports and loading the points)")
    print(json.dumps({"northamptonshire": nh, "national": na}))


if __name__ == "__main__":
    main()
