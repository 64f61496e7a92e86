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

from importlib import import_module

# Each public name and the submodule that defines it (no submodule shares a public name, which
# importing the submodule would replace with the module). Submodules are imported on first use:
# the estimators pull in SciPy and statsmodels (about a second), which the tactic scorecards
# of every results review do not need.
_WHERE = {
    "MarylandLevel": "checks", "ParallelTrends": "checks", "RegressionToMean": "checks",
    "maryland_level": "checks", "parallel_trends": "checks", "regression_to_mean": "checks",
    "DiDResult": "diff_in_diff", "did": "diff_in_diff",
    "WDDResult": "displacement", "WDQResult": "displacement", "wdd": "displacement", "wdq": "displacement",
    "ITSResult": "time_series", "interrupted_time_series": "time_series", "its": "time_series",
    "MDEResult": "power", "minimum_detectable_effect": "power", "mde": "power",
    "MeasuredEffect": "tactic_scores", "Scorecard": "tactic_scores", "TacticScore": "tactic_scores",
    "scorecard": "tactic_scores", "wilson_interval": "tactic_scores",
    "SimulatedPanel": "simulate", "simulate_panel": "simulate",
    "SynthResult": "synth", "synthetic_control": "synth",
}
_ALIASES = {"its": "interrupted_time_series", "mde": "minimum_detectable_effect"}

__all__ = [
    "DiDResult", "ITSResult", "MDEResult", "MarylandLevel", "MeasuredEffect", "ParallelTrends",
    "RegressionToMean", "Scorecard", "SimulatedPanel", "SynthResult", "TacticScore", "WDDResult",
    "WDQResult", "did", "interrupted_time_series", "its", "maryland_level", "mde",
    "minimum_detectable_effect", "parallel_trends", "regression_to_mean", "scorecard",
    "simulate_panel", "synthetic_control", "wdd", "wdq", "wilson_interval",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
