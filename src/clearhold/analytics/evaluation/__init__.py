"""Evaluation of operations: did it work? (pure functions; no database, files or network).

- :func:`wdd`, :func:`wdq`: before/after with control and buffer (Wheeler and Ratcliffe 2018;
  Bowers and Johnson 2003), from (before, after) count pairs.
- :func:`did`: count difference-in-differences on a monthly panel (area and month fixed effects,
  Poisson / negative binomial, randomisation inference valid with few treated areas).
- :func:`synthetic_control`: one treated area, placebo-in-space inference.
- :func:`interrupted_time_series`: one area without comparison, with seasonality.
- :func:`parallel_trends`, :func:`regression_to_mean`, :func:`maryland_level`: checks.
- :func:`minimum_detectable_effect`: planning mode.
- :func:`scorecard`: tactic scorecards with a "business as usual?" paragraph.
"""

from clearhold.analytics.evaluation.checks import (
    MarylandLevel,
    ParallelTrends,
    RegressionToMean,
    maryland_level,
    parallel_trends,
    regression_to_mean,
)
from clearhold.analytics.evaluation.did import DiDResult, did
from clearhold.analytics.evaluation.displacement import WDDResult, WDQResult, wdd, wdq
from clearhold.analytics.evaluation.its import ITSResult, interrupted_time_series
from clearhold.analytics.evaluation.power import MDEResult, minimum_detectable_effect
from clearhold.analytics.evaluation.scorecard import (
    MeasuredEffect,
    Scorecard,
    TacticScore,
    scorecard,
    wilson_interval,
)
from clearhold.analytics.evaluation.simulate import SimulatedPanel, simulate_panel
from clearhold.analytics.evaluation.synth import SynthResult, synthetic_control

its = interrupted_time_series
mde = minimum_detectable_effect

__all__ = [
    "DiDResult", "ITSResult", "MDEResult", "MarylandLevel", "MeasuredEffect", "ParallelTrends",
    "RegressionToMean", "Scorecard", "SimulatedPanel", "SynthResult", "TacticScore", "WDDResult",
    "WDQResult", "did", "interrupted_time_series", "its", "maryland_level", "mde",
    "minimum_detectable_effect", "parallel_trends", "regression_to_mean", "scorecard",
    "simulate_panel", "synthetic_control", "wdd", "wdq", "wilson_interval",
]
