"""Placebo on real data: "operations" on random LSOA groups of Northamptonshire in 2022 (no real
intervention) must show no effect at about the nominal rate. The larger run is in
benchmarks/evaluation_simulation.py --placebo; figures in docs/benchmarks.md (evaluation section)."""

from __future__ import annotations

import numpy as np
import pytest

from clearhold.analytics.evaluation import did, synthetic_control

pytestmark = pytest.mark.slow

BEFORE, DURING = "2022-01..2022-08", "2022-09..2022-11"


def test_real_panel_shape(northants_2022):
    assert northants_2022["area"].nunique() > 400
    assert sorted(northants_2022["month"].unique())[0] == "2022-01"
    assert northants_2022["count"].sum() > 70_000


def test_did_on_random_lsoa_groups_rejects_at_about_the_nominal_rate(northants_2022):
    areas = np.array(sorted(northants_2022["area"].unique()))
    rng = np.random.default_rng(2022)
    trials = 60
    reject = cover = 0
    for i in range(trials):
        treated = list(rng.choice(areas, size=5, replace=False))
        r = did(northants_2022, treated, pre=BEFORE, post=DURING, n_draws=199, seed=i)
        reject += r.p < 0.05
        cover += r.ci_low <= 0 <= r.ci_high
    # nominal 5%: with 60 trials, 0 to 7 rejections is within about two binomial sd
    assert reject <= 7, reject
    assert cover >= 53, cover


def test_synthetic_control_on_random_lsoas_rejects_rarely(northants_2022):
    areas = np.array(sorted(northants_2022["area"].unique()))
    rng = np.random.default_rng(11)
    trials = 20
    reject = 0
    for i in range(trials):
        r = synthetic_control(northants_2022, str(rng.choice(areas)), pre=BEFORE, post=DURING, max_placebos=99, seed=i)
        reject += r.p <= 0.05
    assert reject <= 3, reject
