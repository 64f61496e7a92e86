"""Harm weighting of crime counts (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput


def harm_weights(crime_types, weights: Mapping[str, float]) -> np.ndarray:
    """The harm weight of each crime (float64 array), looked up by crime type.

    Parameters
    ----------
    crime_types : array-like of str
        data.police.uk crime types, one per crime.
    weights : mapping
        crime type -> weight (e.g. ``clearhold.crime.harm.load("count").weights``).

    Returns
    -------
    numpy.ndarray
        One weight per crime. Harm of a group of crimes is the sum of their weights
        (the convention of the ONS Crime Severity Score and the Cambridge Crime Harm Index:
        harm = sum over crimes of the offence's weight).

    Examples
    --------
    >>> harm_weights(["Robbery", "Drugs"], {"Robbery": 40.0, "Drugs": 8.0}).tolist()
    [40.0, 8.0]
    """
    series = pd.Series(np.asarray(crime_types, dtype=object))
    out = series.map(dict(weights))
    if out.isna().any():
        missing = sorted(set(series[out.isna()].astype(str)))
        raise InvalidInput(f"crime_types include {missing}, which the harm set does not weight")
    return out.to_numpy(dtype="float64")
