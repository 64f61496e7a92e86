"""Companion (convoy) vehicles of a target: co-sighted at the same camera within a window,
counted only when seen so at several distinct sites (single-site coincidences are common)."""

from __future__ import annotations

import pandas as pd

from clearhold.errors import InvalidInput

COLUMNS = ["vrm", "camera_id", "captured_at"]


def companions(target: pd.DataFrame, others: pd.DataFrame, *, window_s: float, min_sites: int) -> pd.DataFrame:
    """Vehicles seen within ``window_s`` seconds of a target sighting at ``min_sites``+ cameras.

    Parameters
    ----------
    target : DataFrame with ``vrm``, ``camera_id``, ``captured_at`` (tz-aware): the target's sightings.
    others : same columns: reads at the target's cameras around those times (the target's
        own plate is ignored).
    window_s : seconds either side of a target sighting that count as together (> 0).
    min_sites : distinct cameras at which a companion must be co-sighted (>= 1).

    Returns
    -------
    DataFrame ``vrm, n_sites, n_sightings, first_seen, last_seen, sites`` sorted by
    ``n_sites`` then ``n_sightings`` descending, then ``vrm``.

    Method: join on camera, keep pairs with ``|t_other - t_target| <= window_s``, count distinct
    cameras per vehicle (the convoy analysis in docs/anpr.md).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"vrm": ["T1"] * 2, "camera_id": ["A", "B"],
    ...                   "captured_at": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 10:10"], utc=True)})
    >>> o = pd.DataFrame({"vrm": ["C1", "C1"], "camera_id": ["A", "B"],
    ...                   "captured_at": pd.to_datetime(["2026-01-01 10:00:20", "2026-01-01 10:10:30"], utc=True)})
    >>> companions(t, o, window_s=60, min_sites=2)["vrm"].tolist()
    ['C1']
    """
    if not window_s > 0:
        raise InvalidInput(f"window_s was {window_s}; it must be a positive number of seconds")
    if int(min_sites) != min_sites or min_sites < 1:
        raise InvalidInput(f"min_sites was {min_sites}; it must be a whole number >= 1")
    for name, frame in (("target", target), ("others", others)):
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise InvalidInput(f"{name} lacks columns {missing}; it needs {COLUMNS}")
    out_cols = ["vrm", "n_sites", "n_sightings", "first_seen", "last_seen", "sites"]
    if target.empty or others.empty:
        return pd.DataFrame(columns=out_cols)
    targets = set(target["vrm"])
    t = target[COLUMNS].rename(columns={"vrm": "target_vrm", "captured_at": "t_target"})
    o = others.loc[~others["vrm"].isin(targets), COLUMNS]
    pairs = o.merge(t, on="camera_id")
    dt = (pd.to_datetime(pairs["captured_at"], utc=True) - pd.to_datetime(pairs["t_target"], utc=True)).abs()
    pairs = pairs.loc[dt <= pd.Timedelta(seconds=window_s)].drop_duplicates(["vrm", "camera_id", "captured_at"])
    if pairs.empty:
        return pd.DataFrame(columns=out_cols)
    grouped = pairs.groupby("vrm").agg(
        n_sites=("camera_id", "nunique"), n_sightings=("captured_at", "size"),
        first_seen=("captured_at", "min"), last_seen=("captured_at", "max"),
        sites=("camera_id", lambda s: sorted(set(s))),
    ).reset_index()
    grouped = grouped.loc[grouped["n_sites"] >= min_sites]
    return grouped.sort_values(["n_sites", "n_sightings", "vrm"], ascending=[False, False, True]).reset_index(drop=True)[out_cols]
