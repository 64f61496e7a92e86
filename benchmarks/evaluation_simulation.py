"""Honesty benchmark: bias, 95% coverage and false-positive rate of every estimator.

Part 1, simulation (``clearhold.analytics.evaluation.simulate.simulation_study``): negative
binomial monthly panels (dispersion 0.1, shared season, trend and shocks, 24 months before and
3 during) with planted effects of 0%, -10% and -25%, ``--trials`` (default 500) seeded trials
per estimator and effect. Estimators: ``did`` (3 treated of 30 areas, randomisation inference
with 999 draws), ``synthetic_control`` (1 of 30), ``its`` (one area, no comparison), ``wdd``
(one treated and one equal-sized control area, the larger of the NB and the empirical
dispersion factors from the history) and, as the named baseline, ``wdd_poisson`` (the
published Poisson variance).

Part 2, placebo on real data: "operations" on random groups of 5 LSOAs of Northamptonshire
(street crime Jan-Nov 2022 from ../shared/data, counted by published LSOA; LSOAs with fewer
than 22 crimes in 11 months, i.e. neighbouring forces' strays, left out), before Jan-Aug,
during Sep-Nov: rejection rate at 5% of the DiD, of the WDD (against 5 other random LSOAs)
and of the synthetic control (single random LSOA, 99 in-space placebos).

Run: ``.venv/bin/python benchmarks/evaluation_simulation.py [--trials 500] [--placebos 200]
[--jobs 2] [--only did wdd ...]``. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "police-uk" / "northamptonshire"
MONTHS = [f"2022-{m:02d}" for m in range(1, 12)]
ESTIMATORS = ("did", "synthetic_control", "its", "wdd", "wdd_poisson")
EFFECTS = (0.0, -0.1, -0.25)


def _sim(task):
    from clearhold.analytics.evaluation.simulate import simulation_study

    estimator, effect, trials, seed = task
    t0 = time.perf_counter()
    r = simulation_study(estimator, effect=effect, n_trials=trials, seed=seed, n_draws=999)
    r["seconds"] = round(time.perf_counter() - t0, 2)
    return r


def _real_panel():
    import pandas as pd

    rows = pd.concat([pd.read_csv(DATA / f"{m}-northamptonshire-street.csv", usecols=["Month", "LSOA code"]).dropna()
                      for m in MONTHS])
    c = rows.groupby(["LSOA code", "Month"]).size().rename("count").reset_index()
    c.columns = ["area", "month", "count"]
    wide = c.pivot(index="area", columns="month", values="count").reindex(columns=MONTHS).fillna(0)
    wide = wide[wide.sum(axis=1) >= 22]
    long = wide.stack().rename("count").reset_index()
    long.columns = ["area", "month", "count"]
    return wide, long


def _placebo(task):
    import numpy as np

    from clearhold.analytics.evaluation import did, synthetic_control, wdd
    from clearhold.analytics.evaluation.displacement import dispersion_factor, empirical_dispersion

    kind, n, seed = task
    wide, long = _real_panel()
    areas = np.array(wide.index)
    rng = np.random.default_rng(seed)
    reject, cover = [], []
    t0 = time.perf_counter()
    for i in range(n):
        if kind == "synthetic_control":
            r = synthetic_control(long, str(rng.choice(areas)), pre="2022-01..2022-08", post="2022-09..2022-11",
                                  max_placebos=99, seed=i)
            reject.append(r.p <= 0.05)
            cover.append(r.ci_low <= 0 <= (r.ci_high if r.ci_high == r.ci_high else 0))
            continue
        pick = rng.choice(areas.size, 10, replace=False)
        treated, other = list(areas[pick[:5]]), list(areas[pick[5:]])
        if kind == "did":
            r = did(long, treated, pre="2022-01..2022-08", post="2022-09..2022-11", n_draws=999, seed=i)
        else:
            t, c = wide.loc[treated].sum(), wide.loc[other].sum()
            emp = empirical_dispersion(t.to_numpy()[:8], c.to_numpy()[:8], 3)
            disp = max(dispersion_factor(np.vstack([t.to_numpy()[:8], c.to_numpy()[:8]])), emp or 1.0)
            r = wdd((t.iloc[5:8].sum(), t.iloc[8:].sum()), (c.iloc[5:8].sum(), c.iloc[8:].sum()), dispersion=disp)
        reject.append(r.p < 0.05)
        cover.append(r.ci_low <= 0 <= r.ci_high)
    return {"estimator": kind, "trials": n, "rejection_rate": float(np.mean(reject)),
            "coverage_of_zero": float(np.mean(cover)), "seconds": round(time.perf_counter() - t0, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--placebos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="estimators to run (default all)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    # wdd and wdd_poisson share their seeds: the baseline is measured on the very same trials
    group = {"did": 0, "synthetic_control": 1, "its": 2, "wdd": 3, "wdd_poisson": 3}
    chosen = args.only or ESTIMATORS
    tasks = [(e, eff, args.trials, 1000 + 10 * group[e] + j) for e in ESTIMATORS if e in chosen
             for j, eff in enumerate(EFFECTS)]
    placebo_tasks = [t for t in (("did", args.placebos, 2022), ("wdd", args.placebos, 2023),
                                 ("synthetic_control", args.placebos // 2, 2024)) if t[0] in chosen]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        placebo_futures = [pool.submit(_placebo, t) for t in placebo_tasks] if DATA.exists() and args.placebos else []
        sims = list(pool.map(_sim, tasks))
        placebos = [f.result() for f in placebo_futures]
    wall = time.perf_counter() - t0

    print(f"{'estimator':18s} {'effect':>7s} {'trials':>6s} {'bias(log)':>10s} {'bias':>9s} {'coverage':>9s} "
          f"{'reject':>7s}")
    for r in sims:
        bl = "" if r["bias_log"] != r["bias_log"] else f"{r['bias_log']:+.4f}"
        print(f"{r['estimator']:18s} {r['effect']:+7.2f} {r['n_trials']:6d} {bl:>10s} {r['bias']:+9.4f} "
              f"{r['coverage']:9.3f} {r['rejection_rate']:7.3f}")
    print("baseline: wdd_poisson = the published WDD (Poisson variance) on the same WDD trials")
    for p in placebos:
        print(f"placebo real data {p['estimator']:18s} trials {p['trials']:4d} rejection {p['rejection_rate']:.3f} "
              f"coverage of 0 {p['coverage_of_zero']:.3f}")
    out = {
        "trials_per_cell": args.trials,
        "wall_s": round(wall, 1),
        "simulation": {f"{r['estimator']}@{r['effect']:+.2f}": {k: (None if isinstance(v, float) and v != v else v)
                                                               for k, v in r.items()} for r in sims},
        "placebo_real": {p["estimator"]: p for p in placebos},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
