"""Near-repeat Knox table: observed pairs against a brute-force loop, expected against the same
permutations done by hand, and every error branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clearhold.analytics.near_repeat import knox_table
from clearhold.errors import InvalidInput


def brute(x, y, days, d_edges, t_edges):
    nd, nt = len(d_edges), len(t_edges)
    out = np.zeros((nd, nt), dtype=int)
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            d = np.hypot(x[i] - x[j], y[i] - y[j])
            t = abs(days[i] - days[j])
            if d > d_edges[-1] or t > t_edges[-1]:
                continue
            db = 0 if d <= 1e-6 else int(np.searchsorted(d_edges, d, side="left"))
            tb = 0 if t == 0 else int(np.searchsorted(t_edges, t, side="left"))
            out[db, tb] += 1
    return out


def test_hand_example():
    r = knox_table([0, 0, 50, 5000], [0, 0, 0, 0],
                   ["2024-01-01T10:00Z", "2024-01-01T22:00Z", "2024-01-09", "2024-01-02"],
                   distance_bands_m=[0, 100], time_bands_days=[0, 7, 14], permutations=9, seed=1)
    # pairs within 100 m: (0,1) same place same day; (0,2) and (1,2) 50 m, 8 days
    assert r.observed.tolist() == [[1, 0, 0], [0, 0, 2]]
    assert r.distance_bands == ("same location", "0-100 m") and r.time_bands == ("same day", "0-7 days", "7-14 days")
    assert r.n_pairs == 3 and r.n_events == 4
    assert ((r.p > 0) & (r.p <= 1)).all()


def test_observed_equals_brute_force_and_expected_equals_manual_permutations():
    rng = np.random.default_rng(5)
    n = 80
    x = np.round(rng.uniform(0, 800, n) / 25) * 25
    y = np.round(rng.uniform(0, 800, n) / 25) * 25
    t = pd.Timestamp("2024-03-01T09:30Z") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    d_edges, t_edges = [0, 100, 200, 400], [0, 7, 14, 28]
    before = x.copy(), y.copy()
    r = knox_table(x, y, t, distance_bands_m=d_edges, time_bands_days=t_edges, permutations=15, seed=9)
    days = (t - pd.Timestamp("1970-01-01T00:00Z")).days.to_numpy()
    assert r.observed.tolist() == brute(x, y, days, d_edges, t_edges).tolist()
    prng = np.random.default_rng(9)
    sims = np.stack([brute(x, y, prng.permutation(days), d_edges, t_edges) for _ in range(15)])
    np.testing.assert_allclose(r.expected, sims.mean(axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.p, (1 + (sims >= r.observed).sum(axis=0)) / 16, rtol=0, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        want_ratio = np.where(r.expected > 0, r.observed / r.expected, np.nan)
    np.testing.assert_allclose(r.ratio, want_ratio, rtol=0, atol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])
    # same seed, same answer
    again = knox_table(x, y, t, distance_bands_m=d_edges, time_bands_days=t_edges, permutations=15, seed=9)
    np.testing.assert_array_equal(again.expected, r.expected)


def test_to_dict_and_frame():
    r = knox_table([0, 10, 20], [0, 0, 0], ["2024-01-01", "2024-01-02", "2024-01-20"], permutations=5, seed=2)
    d = r.to_dict()
    assert len(d["cells"]) == 16 and d["permutations"] == 5 and d["seed"] == 2
    assert list(r.frame().columns) == ["distance_band", "time_band", "observed", "expected", "ratio", "p"]


@pytest.mark.parametrize("kwargs, message", [
    ({"occurred_at": ["2022-01-01", "2022-02-01", "2022-03-01"]}, "occurred_at holds months only"),
    ({"occurred_at": ["2022-01-05", "nonsense", "2022-03-01"]}, "occurred_at has values that are not dates"),
    ({"occurred_at": ["2022-01-05", None, "2022-03-01"]}, "occurred_at has 1 missing values"),
    ({"occurred_at": ["2022-01-05", "2022-01-06"]}, "occurred_at has 2 values for 3 events"),
    ({"distance_bands_m": [50, 100]}, "distance_bands_m was \\[50, 100\\]; it must start at 0 and increase"),
    ({"time_bands_days": [0, 7, 7]}, "time_bands_days was \\[0, 7, 7\\]"),
    ({"permutations": 0}, "permutations was 0; it must be a whole number >= 1"),
])
def test_errors(kwargs, message):
    args = {"x_m": [0, 10, 20], "y_m": [0, 0, 0], "occurred_at": ["2024-01-03", "2024-01-05", "2024-01-09"], **kwargs}
    with pytest.raises(InvalidInput, match=message):
        knox_table(args.pop("x_m"), args.pop("y_m"), args.pop("occurred_at"), **args)


def test_too_few_events_and_bad_coordinates():
    with pytest.raises(InvalidInput, match="needs at least 2 events; got 1"):
        knox_table([0], [0], ["2024-01-03"])
    with pytest.raises(InvalidInput, match="x_m and y_m must be finite"):
        knox_table([0, np.nan], [0, 0], ["2024-01-03", "2024-01-04"])
