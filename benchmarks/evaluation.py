"""Evaluation benchmark: one full evaluation (all methods) on 500 LSOAs x 36 months.

Panel: ``simulate_panel`` with 500 areas (15 crimes a month on average, NB dispersion 0.1,
shared season, trend and shocks), 33 months before and 3 during, one treated area with a
planted -25% effect, 5 buffer areas, 494 comparison areas. ``evaluate_panel`` runs WDD, WDQ,
the DiD with randomisation inference (999 placebo draws), the pre-trend test (999 draws),
the regression-to-the-mean check, synthetic control with all 494 in-space placebos, and the
ITS. Target: under 10 seconds.

Baseline measured in the same run: statsmodels' GLM with area and month dummies (the textbook
way to fit the same two-way fixed-effects Poisson DiD), ONE fit with no placebo inference, on
the first 100 areas (on all 500 it takes minutes: about 150 s on the 2-core machine), against
clearhold's fit of the same model on the same 100 areas; both estimates are compared.

Run: ``.venv/bin/python benchmarks/evaluation.py``. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import time


def main() -> None:
    import pandas as pd

    from clearhold.analytics.evaluation import did, simulate_panel
    from clearhold.evaluation.flows import evaluate_panel

    sim = simulate_panel(n_areas=500, n_treated=1, n_pre=33, n_post=3, effect=-0.25, mean_count=15, seed=2026)
    treated, buffer, control = sim.treated, sim.control[:5], sim.control[5:]

    evaluate_panel(sim.frame, treated=treated, control=control[:50], buffer=buffer, before=sim.pre,
                   during=sim.post, n_draws=99)  # warm-up: imports, BLAS
    timings = {}
    c0, w0 = time.process_time(), time.perf_counter()
    result = evaluate_panel(sim.frame, treated=treated, control=control, buffer=buffer, before=sim.pre,
                            during=sim.post, n_draws=999, seed=1)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    timings["full_evaluation_s"] = wall
    for name, methods in (("did_only_s", ["did"]), ("synthetic_control_only_s", ["synthetic_control"]),
                          ("its_only_s", ["its"])):
        t0 = time.perf_counter()
        evaluate_panel(sim.frame, treated=treated, control=control, buffer=buffer, before=sim.pre,
                       during=sim.post, n_draws=999, seed=1, methods=methods)
        timings[name] = time.perf_counter() - t0

    # baseline: statsmodels GLM with dummies, one fit
    import statsmodels.api as sm

    sub = treated + control[:99]
    df = sim.frame[sim.frame.area.isin(sub)].copy()
    df["D"] = (df.area.isin(treated) & df.month.isin(sim.post)).astype(float)
    t0 = time.perf_counter()
    x = pd.get_dummies(df[["area", "month"]], drop_first=True, dtype=float)
    x["D"] = df["D"].to_numpy()
    x = sm.add_constant(x)
    ref = sm.GLM(df["count"].astype(float).to_numpy(), x.to_numpy(), family=sm.families.Poisson()).fit()
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = did(sim.frame, treated, pre=sim.pre, post=sim.post, control=control[:99], family="poisson",
               inference="cluster")
    ours_fit = time.perf_counter() - t0
    beta_ref = float(ref.params[-1])

    figures = {
        "areas": 500,
        "months": 36,
        "draws": 999,
        "full_evaluation_s": round(wall, 3),
        "full_evaluation_cpu_s": round(cpu, 3),
        "did_only_s": round(timings["did_only_s"], 3),
        "synthetic_control_only_s": round(timings["synthetic_control_only_s"], 3),
        "its_only_s": round(timings["its_only_s"], 3),
        "baseline_areas": 100,
        "baseline_statsmodels_glm_one_fit_s": round(baseline, 3),
        "clearhold_one_fit_same_100_areas_s": round(ours_fit, 4),
        "did_beta_clearhold": round(ours.beta, 10),
        "did_beta_statsmodels": round(beta_ref, 10),
        "did_beta_abs_diff": float(abs(ours.beta - beta_ref)),
        "under_10_s": bool(wall < 10),
        "did_estimate": round(result["did"]["estimate"], 4),
        "did_ci": [round(result["did"]["ci_low"], 4), round(result["did"]["ci_high"], 4)],
        "planted_effect": -0.25,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
    }
    print(f"{'step':40s} {'clearhold':>12s} {'baseline':>12s}")
    print(f"{'full evaluation, all methods (s)':40s} {wall:12.2f} {'':>12s}")
    print(f"{'  DiD + pre-trends, 999 draws (s)':40s} {timings['did_only_s']:12.2f} {'':>12s}")
    print(f"{'  synthetic control, 494 placebos (s)':40s} {timings['synthetic_control_only_s']:12.2f} {'':>12s}")
    print(f"{'  ITS (s)':40s} {timings['its_only_s']:12.2f} {'':>12s}")
    print(f"{'one DiD fit, 100 areas (s)':40s} {ours_fit:12.3f} {baseline:12.3f}  (baseline: statsmodels GLM + dummies)")
    print(f"{'DiD log IRR':40s} {ours.beta:12.6f} {beta_ref:12.6f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
