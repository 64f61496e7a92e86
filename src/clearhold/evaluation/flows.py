"""Evaluation flows: crime store and ledger -> monthly panel -> every method -> one result dict.

- :func:`evaluate_panel` (pure: a monthly panel in, a JSON-ready dict out) runs WDD, WDQ,
  DiD, synthetic control and ITS with their checks.
- :func:`build_panel` reads the crime store (``clearhold.crime.service.monthly_counts``),
  splitting LSOA-defined comparison areas into their LSOAs so the DiD and the synthetic
  control have many comparison units.
- :func:`evaluate` resolves an operation's areas (or given area specs) and does both.
- :func:`plan` answers the planning question (minimum detectable effect) before a start.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clearhold.errors import InvalidInput

METHODS = ("wdd", "wdq", "did", "synthetic_control", "its")
Progress = Callable[..., None]


def _months(spec: Any, name: str) -> list[str]:
    from clearhold.analytics.evaluation.panel import month_range

    return month_range(spec, name)


def _fmt_range(months: list[str]) -> str:
    return f"{months[0]}..{months[-1]}" if months else ""


def _summary(result: Any, *, scale: str, checks: dict[str, Any]) -> dict[str, Any]:
    d = result.to_dict()
    return {
        "status": "ok",
        "scale": scale,
        "estimate": d.get("estimate"),
        "ci_low": d.get("ci_low"),
        "ci_high": d.get("ci_high"),
        "p": d.get("p"),
        "method": d.get("method"),
        "reference": d.get("reference"),
        "checks": checks,
        "detail": d,
    }


def _not_run(reason: str) -> dict[str, Any]:
    return {"status": "not applicable", "reason": reason, "estimate": None, "ci_low": None, "ci_high": None,
            "p": None, "checks": {}}


def _failed(exc: Exception) -> dict[str, Any]:
    return {"status": "failed", "reason": str(exc), "estimate": None, "ci_low": None, "ci_high": None,
            "p": None, "checks": {}}


def evaluate_panel(
    panel: pd.DataFrame,
    *,
    treated: Sequence[str],
    control: Sequence[str],
    before: Any,
    during: Any,
    buffer: Sequence[str] | None = None,
    after: Any = None,
    value_col: str = "count",
    by_type: pd.DataFrame | None = None,
    n_draws: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    methods: Sequence[str] = METHODS,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every evaluation method on one monthly panel, with the checks, as a JSON-ready dict.

    Parameters
    ----------
    panel : DataFrame
        ``area, month, <value_col>``; areas are the units (treated areas, control units, buffer).
    treated, control, buffer : list of str
        Units of the panel in each role. Treated units are summed into one series for WDD,
        WDQ, synthetic control and ITS; the DiD keeps them apart.
    before, during, after : period
        ``FROM..TO`` strings, (from, to) tuples or lists of months. WDD and WDQ compare the
        ``during`` months with the same number of months just before them.
    value_col : str
        "count" or "harm" (harm-weighted counts).
    by_type : DataFrame, optional
        ``role, month, crime_type, count, harm`` for treated/control/buffer, for the harm-weighted
        WDD variance (sum of squared weights times counts). Without it a harm WDD uses the
        harm per crime of each role as its weight.

    Returns
    -------
    dict
        ``periods``, ``units``, and one entry per method (``wdd``, ``wdq``, ``did``,
        ``synthetic_control``, ``its``) with ``status``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p``, ``scale`` ("crimes" or "proportion"), ``checks`` and ``detail``; ``series`` for charts.
    """
    from clearhold.analytics.evaluation import (
        did,
        interrupted_time_series,
        maryland_level,
        parallel_trends,
        regression_to_mean,
        synthetic_control,
        wdd,
        wdq,
    )
    from clearhold.analytics.evaluation.displacement import dispersion_factor, empirical_dispersion

    report = progress or (lambda *a, **k: None)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InvalidInput(f"methods was {list(methods)!r}; choose from {METHODS}")
    treated, control, buffer = list(treated), list(control), list(buffer or [])
    if not treated:
        raise InvalidInput("treated was empty; name at least one treated area")
    clash = (set(treated) & set(control)) | (set(treated) & set(buffer)) | (set(control) & set(buffer))
    if clash:
        raise InvalidInput(f"areas {sorted(clash)!r} appear in more than one role (treated, control, buffer)")
    pre = _months(before, "before")
    post = _months(during, "during")
    aft = _months(after, "after") if after is not None else []
    if set(pre) & set(post) or set(post) & set(aft):
        raise InvalidInput("before, during and after must not overlap")
    if value_col not in panel.columns:
        raise InvalidInput(f"panel has no column {value_col!r}; columns are {list(panel.columns)!r}")
    frame = panel[["area", "month", value_col]].copy()
    frame["area"] = frame["area"].astype(str)
    from clearhold.analytics.evaluation.panel import to_panel

    all_months = pre + post + aft
    wide = to_panel(frame, value_col=value_col, months=all_months)
    missing = [a for a in treated + control + buffer if a not in wide.areas]
    if missing:
        raise InvalidInput(f"areas {missing!r} are not in the panel")
    idx = {a: i for i, a in enumerate(wide.areas)}
    y = wide.counts

    def total(names: list[str]) -> np.ndarray:
        return y[[idx[a] for a in names]].sum(axis=0) if names else np.zeros(len(all_months))

    t_series, c_series, b_series = total(treated), total(control), total(buffer)
    n_pre, n_post = len(pre), len(post)
    k = min(n_post, n_pre)
    sl_b, sl_d = slice(n_pre - k, n_pre), slice(n_pre, n_pre + n_post)
    treated_series = pd.DataFrame({"month": all_months, "count": t_series})
    result: dict[str, Any] = {
        "value": value_col,
        "alpha": alpha,
        "periods": {"before": _fmt_range(pre), "during": _fmt_range(post), "after": _fmt_range(aft) or None},
        "units": {"treated": treated, "control": control, "buffer": buffer},
        "series": {
            "months": all_months,
            "treated": t_series.tolist(),
            "control": c_series.tolist(),
            "buffer": b_series.tolist() if buffer else None,
        },
    }

    # shared checks
    rtm = None
    try:
        rtm = regression_to_mean(treated_series, pre=pre, recent_months=min(3, max(1, (n_pre - 1) // 2)))
    except InvalidInput as exc:
        rtm_dict: dict[str, Any] = {"status": "not applicable", "reason": str(exc)}
    else:
        rtm_dict = rtm.to_dict()
    trends: dict[str, Any]
    pt = None
    if control and n_pre >= 4:
        try:
            pt = parallel_trends(frame, treated, pre=pre, control=control, value_col=value_col,
                                 n_draws=n_draws, seed=seed, alpha=alpha,
                                 inference="randomisation" if len(control) > len(treated) else "cluster")
            trends = pt.to_dict()
        except InvalidInput as exc:
            trends = {"status": "not applicable", "reason": str(exc)}
    else:
        trends = {"status": "not applicable", "reason": "needs comparison areas and 4 or more months before"}
    trends_ok = None if pt is None else pt.passed

    def basis(months_before: int, months_during: int, before_count: float, during_count: float, **extra) -> dict:
        return {"months_before": months_before, "months_during": months_during,
                "treated_before": float(before_count), "treated_during": float(during_count), **extra}

    def checks_for(design: str, n_control: int, b: dict) -> dict[str, Any]:
        return {
            "parallel_trends": trends if design in ("did", "synthetic_control", "wdd", "wdq") else None,
            "regression_to_mean": rtm_dict,
            "basis": b,
            "maryland": maryland_level(design, n_control=n_control, parallel_trends_passed=trends_ok).to_dict(),
        }

    step = 0
    total_steps = len(methods)

    # WDD / WDQ on period totals
    if "wdd" in methods or "wdq" in methods:
        tb, td = float(t_series[sl_b].sum()), float(t_series[sl_d].sum())
        cb, cd = float(c_series[sl_b].sum()), float(c_series[sl_d].sum())
        bb, bd = float(b_series[sl_b].sum()), float(b_series[sl_d].sum())
        b = basis(k, n_post, tb, td, control_before=cb, control_during=cd,
                  buffer_before=bb if buffer else None, buffer_during=bd if buffer else None)
        if "wdd" in methods:
            if not control:
                result["wdd"] = _not_run("WDD needs a comparison area")
            else:
                try:
                    units_hist = np.vstack([total(treated)[:n_pre], total(control)[:n_pre]]
                                           + ([total(buffer)[:n_pre]] if buffer else []))
                    disp = dispersion_factor(units_hist) if n_pre >= 3 else 1.0
                    emp = empirical_dispersion(t_series[:n_pre], c_series[:n_pre], k)
                    disp = max(disp, emp or 1.0)
                    weights_arg, pairs = None, {}
                    if value_col == "harm" and by_type is not None:
                        pairs, weights_arg = _typed_pairs(by_type, pre[-k:], post)
                    if pairs:
                        res = wdd(pairs["treated"], pairs["control"], buffer=pairs.get("buffer"),
                                  alpha=alpha, weights=weights_arg, dispersion=disp)
                    else:
                        res = wdd((tb, td), (cb, cd), buffer=(bb, bd) if buffer else None, alpha=alpha,
                                  dispersion=disp)
                    plain = wdd((tb, td), (cb, cd), buffer=(bb, bd) if buffer else None, alpha=alpha) if not pairs else None
                    entry = _summary(res, scale="crimes" if value_col == "count" else "harm",
                                     checks=checks_for("wdd", len(control), b))
                    entry["checks"]["dispersion_factor"] = disp
                    size = cb / tb if tb > 0 else math.inf
                    entry["checks"]["comparability"] = {
                        "control_to_treated_before": size,
                        "warning": None if 0.5 <= size <= 2 else (
                            f"The comparison had {size:.1f} times the treated area's crimes before the start; "
                            "WDD assumes the control's change in counts is what the treated area would have "
                            "seen, which is doubtful between areas of such different size. Prefer the DiD."
                        ),
                    }
                    if plain is not None:
                        entry["poisson_variance"] = {"se": plain.se, "ci_low": plain.ci_low, "ci_high": plain.ci_high,
                                                     "p": plain.p}
                    result["wdd"] = entry
                except InvalidInput as exc:
                    result["wdd"] = _failed(exc)
        if "wdq" in methods:
            if not control or not buffer:
                result["wdq"] = _not_run("WDQ needs a comparison area and a buffer")
            else:
                try:
                    res = wdq((tb, td), (cb, cd), (bb, bd))
                    entry = _summary(res, scale="quotient", checks=checks_for("wdq", len(control), b))
                    entry["estimate"] = res.wdq
                    entry["ci_low"] = entry["ci_high"] = None
                    entry["reading"] = res.reading
                    result["wdq"] = entry
                except InvalidInput as exc:
                    result["wdq"] = _failed(exc)
        step += ("wdd" in methods) + ("wdq" in methods)
        report(step, total_steps, "WDD and WDQ")

    if "did" in methods:
        if len(control) < 1:
            result["did"] = _not_run("difference-in-differences needs comparison areas")
        else:
            inference = "randomisation" if len(control) > len(treated) else "cluster"
            try:
                res = did(frame, treated, pre=pre, post=post, control=control, value_col=value_col,
                          n_draws=n_draws, seed=seed, alpha=alpha, inference=inference)
                b = basis(n_pre, n_post, t_series[:n_pre].sum(), t_series[sl_d].sum(),
                          control_units=res.n_control, treated_units=res.n_treated,
                          control_before=float(c_series[:n_pre].sum()), control_during=float(c_series[sl_d].sum()))
                entry = _summary(res, scale="proportion", checks=checks_for("did", res.n_control, b))
                if inference == "cluster":
                    entry["checks"]["warning"] = (
                        "Too few comparison units for randomisation inference; the clustered interval "
                        "is unreliable with so few areas. Split the comparison area into LSOAs."
                    )
                result["did"] = entry
            except InvalidInput as exc:
                result["did"] = _failed(exc)
            if aft:
                try:
                    res_a = did(frame, treated, pre=pre, post=aft, control=control, value_col=value_col,
                                n_draws=n_draws, seed=seed, alpha=alpha, inference=inference)
                    result.setdefault("after", {})["did"] = {
                        "estimate": res_a.estimate, "ci_low": res_a.ci_low, "ci_high": res_a.ci_high, "p": res_a.p}
                except InvalidInput as exc:
                    result.setdefault("after", {})["did"] = _failed(exc)
        step += 1
        report(step, total_steps, "difference-in-differences")

    if "synthetic_control" in methods:
        if len(control) < 2:
            result["synthetic_control"] = _not_run("synthetic control needs at least 2 comparison units")
        else:
            try:
                synth_frame = pd.concat(
                    [frame[frame.area.isin(control)],
                     treated_series.assign(area="__treated__").rename(columns={"count": value_col})],
                    ignore_index=True,
                )
                res = synthetic_control(synth_frame, "__treated__", pre=pre, post=post, donors=control,
                                        value_col=value_col, alpha=alpha)
                b = basis(n_pre, n_post, t_series[:n_pre].sum(), t_series[sl_d].sum(), donors=res.n_donors,
                          rmspe_pre=res.rmspe_pre)
                result["synthetic_control"] = _summary(res, scale="proportion",
                                                       checks=checks_for("synthetic_control", res.n_donors, b))
            except InvalidInput as exc:
                result["synthetic_control"] = _failed(exc)
        step += 1
        report(step, total_steps, "synthetic control")

    if "its" in methods:
        try:
            res = interrupted_time_series(treated_series.iloc[: n_pre + n_post], pre=pre, post=post, alpha=alpha,
                                          seasonality="dummies" if n_pre >= 36 else "harmonic"
                                          if n_pre >= 9 else "none")
            b = basis(n_pre, n_post, t_series[:n_pre].sum(), t_series[sl_d].sum())
            entry = _summary(res, scale="proportion", checks=checks_for("its", 0, b))
            if n_pre < 12:
                entry["checks"]["warning"] = (
                    f"Only {n_pre} months before: seasonality cannot be modelled, so a seasonal rise or "
                    "dip would look like an effect. Use 24 or more months before, or a comparison area."
                )
            result["its"] = entry
        except InvalidInput as exc:
            result["its"] = _failed(exc)
        step += 1
        report(step, total_steps, "interrupted time series")
    result["summary"] = summary_text(result)
    return result


def _typed_pairs(by_type: pd.DataFrame, before: list[str], during: list[str]):
    """(before, after) by-type count vectors per role and the per-type harm weights."""
    need = {"role", "month", "crime_type", "count", "harm"}
    if not need <= set(by_type.columns):
        raise InvalidInput(f"by_type needs columns {sorted(need)!r}")
    types = sorted(by_type["crime_type"].unique())
    g = by_type.groupby("crime_type")[["count", "harm"]].sum()
    weights = [float(g.loc[t, "harm"] / g.loc[t, "count"]) if g.loc[t, "count"] > 0 else 0.0 for t in types]
    pairs = {}
    for role in ("treated", "control", "buffer"):
        part = by_type[by_type.role == role]
        if part.empty:
            continue
        vec = []
        for months in (before, during):
            s = part[part.month.isin(months)].groupby("crime_type")["count"].sum()
            vec.append([float(s.get(t, 0.0)) for t in types])
        pairs[role] = tuple(vec)
    return pairs, weights


def _pct(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "unbounded"
    return f"{100 * x:+.0f}%"


def summary_text(result: dict[str, Any]) -> str:
    """A short plain-language summary that claims an effect only where an interval excludes zero."""
    lines = []
    names = {"did": "Difference-in-differences", "synthetic_control": "Synthetic control",
             "its": "Interrupted time series"}
    for key, label in names.items():
        r = result.get(key)
        if not r or r.get("status") != "ok" or r.get("estimate") is None:
            continue
        lo, hi = r.get("ci_low"), r.get("ci_high")
        sig = lo is not None and hi is not None and (hi < 0 or lo > 0)
        level = r["checks"]["maryland"]["level"]
        if sig and r["checks"].get("warning"):
            lines.append(f"{label}: {_pct(r['estimate'])} ({_pct(lo)} to {_pct(hi)}), but not to be read as an "
                         f"effect: {r['checks']['warning']}")
        elif sig:
            kind = "fewer" if r["estimate"] < 0 else "more"
            lines.append(f"{label}: {_pct(r['estimate'])} ({_pct(lo)} to {_pct(hi)}), crimes {kind} than expected; "
                         f"Maryland level {level}.")
        else:
            lines.append(f"{label}: {_pct(r['estimate'])} ({_pct(lo)} to {_pct(hi)}); the interval includes no "
                         f"change, so no effect is shown; Maryland level {level}.")
    w = result.get("wdd")
    if w and w.get("status") == "ok":
        sig = w["ci_high"] < 0 or w["ci_low"] > 0
        caveat = (w["checks"].get("comparability") or {}).get("warning")
        lines.append(f"WDD: {w['estimate']:+.0f} ({w['ci_low']:+.0f} to {w['ci_high']:+.0f})"
                     + ("" if sig else "; the interval includes no change")
                     + ("; the areas are not comparable in size, so do not read it as an effect" if caveat else "")
                     + ".")
    q = result.get("wdq")
    if q and q.get("status") == "ok":
        lines.append(f"WDQ reading: {q['reading']}.")
    return " ".join(lines)


# ----------------------------------------------------------------------------------- store
def build_panel(
    *,
    store: Any,
    treated: dict[str, Any],
    control: dict[str, Any],
    buffer: dict[str, Any] | None,
    start_month: str,
    end_month: str,
    crime_types: list[str] | None = None,
    weights: str = "count",
    split_controls: bool = True,
    session: Any = None,
) -> tuple[pd.DataFrame, dict[str, list[str]], pd.DataFrame | None]:
    """Monthly panel from the crime store: treated and buffer areas whole, control areas split
    into their 2021 LSOAs (those not in a treated or buffer area) when ``split_controls``.

    Returns the panel (``area, month, count, harm``), the units per role, and, for harm
    weights, the by-type frame for the WDD variance.
    """
    from clearhold.crime import service as crime

    resolved = {role: {label: crime.resolve_area(spec, store=store, session=session)
                       for label, spec in (areas or {}).items()}
                for role, areas in (("treated", treated), ("control", control), ("buffer", buffer))}
    taken = {code for role in ("treated", "buffer") for a in resolved[role].values() for code in (a.lsoa21 or ())}
    units: dict[str, list[str]] = {"treated": list(resolved["treated"]), "buffer": list(resolved["buffer"]), "control": []}
    areas: dict[str, Any] = {}
    for role in ("treated", "buffer"):
        areas.update(resolved[role])
    split_parts = []
    months = [p.strftime("%Y-%m") for p in pd.period_range(start_month, end_month, freq="M")]
    for label, area in resolved["control"].items():
        if split_controls and area.lsoa21:
            codes = [c for c in area.lsoa21 if c not in taken and f"lsoa:{c}" not in units["control"]]
            if not codes:
                continue
            # one read of the area's points, counted by LSOA (one query per LSOA would be slow)
            pts = crime.load_points(store=store, area=area, start_month=start_month, end_month=end_month,
                                    crime_types=crime_types, weights=weights)
            pts = pts[pts["lsoa21"].isin(codes)]
            g = pts.groupby(["lsoa21", "month"]).agg(count=("row_id", "size"), harm=("harm", "sum"))
            index = pd.MultiIndex.from_product([codes, months], names=["lsoa21", "month"])
            g = g.reindex(index, fill_value=0).reset_index()
            split_parts.append(pd.DataFrame({
                "area": "lsoa:" + g["lsoa21"].astype(str), "month": g["month"].astype(str),
                "count": g["count"].to_numpy(dtype="int64"), "harm": g["harm"].to_numpy(dtype="float64"),
            }))
            units["control"].extend(f"lsoa:{c}" for c in codes)
        else:
            areas[label] = area
            units["control"].append(label)
    parts = split_parts
    if areas:
        parts = [crime.monthly_counts(store=store, areas=areas, start_month=start_month, end_month=end_month,
                                      crime_types=crime_types, weights=weights)] + split_parts
    panel = pd.concat(parts, ignore_index=True)
    by_type = None
    if weights != "count":
        parts = []
        for role in ("treated", "control", "buffer"):
            for label, area in resolved[role].items():
                s = crime.summary(store=store, area=area, start_month=start_month, end_month=end_month,
                                  crime_types=crime_types, weights=weights)
                parts.append(s.assign(role=role))
        by_type = pd.concat(parts, ignore_index=True) if parts else None
    return panel, units, by_type


def operation_areas(session: Any, slug: str) -> dict[str, dict[str, Any]]:
    """An operation's areas by role: target -> treated, comparison -> control, buffer -> buffer."""
    from clearhold.area import service as area_service
    from clearhold.operation import service as operation_service

    operation_service.get(session, slug=slug)  # NotFound if missing
    roles = {"target": "treated", "comparison": "control", "buffer": "buffer"}
    out: dict[str, dict[str, Any]] = {"treated": {}, "control": {}, "buffer": {}}
    for area in area_service.list_(session, operation_slug=slug):
        role = roles.get(area.role)
        if role:
            out[role][area.slug] = area
    return out


def evaluate(
    *,
    store: Any = None,
    session: Any = None,
    operation: str | None = None,
    treated: list[str] | None = None,
    control: list[str] | None = None,
    buffer: list[str] | None = None,
    before: Any,
    during: Any,
    after: Any = None,
    crime_types: list[str] | None = None,
    weights: str = "count",
    n_draws: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Evaluate an operation (its target/comparison/buffer areas) or given area specs."""
    if (operation is None) == (not treated):
        raise InvalidInput("give either operation or treated areas (not both, not neither)")
    specs: dict[str, dict[str, Any]]
    if operation is not None:
        if session is None:
            raise InvalidInput("operation needs a records database session")
        specs = operation_areas(session, operation)
        if control:
            specs["control"] = {c: c for c in control}
        if buffer:
            specs["buffer"] = {b: b for b in buffer}
        if not specs["treated"]:
            raise InvalidInput(f"operation {operation!r} has no target areas; add one or use --treated")
    else:
        specs = {"treated": {t: t for t in treated or []}, "control": {c: c for c in control or []},
                 "buffer": {b: b for b in buffer or []}}
    pre, post = _months(before, "before"), _months(during, "during")
    aft = _months(after, "after") if after is not None else []
    months = sorted(pre + post + aft)
    panel, units, by_type = build_panel(store=store, treated=specs["treated"], control=specs["control"],
                                        buffer=specs["buffer"] or None, start_month=months[0],
                                        end_month=months[-1], crime_types=crime_types, weights=weights,
                                        session=session)
    value = "count" if weights == "count" else "harm"
    result = evaluate_panel(panel, treated=units["treated"], control=units["control"], buffer=units["buffer"],
                            before=pre, during=post, after=aft or None, value_col=value, by_type=by_type,
                            n_draws=n_draws, seed=seed, alpha=alpha, progress=progress)
    result["operation"] = operation
    result["crime_types"] = crime_types
    result["weights"] = weights
    return result


def plan(
    *,
    store: Any = None,
    session: Any = None,
    operation: str | None = None,
    treated: list[str] | None = None,
    control: list[str] | None = None,
    history: Any,
    duration_weeks: float,
    crime_types: list[str] | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> dict[str, Any]:
    """Planning mode: the minimum detectable effect for the chosen areas from their history."""
    from clearhold.analytics.evaluation import minimum_detectable_effect

    if operation is not None:
        if session is None:
            raise InvalidInput("operation needs a records database session")
        specs = operation_areas(session, operation)
        if control:
            specs["control"] = {c: c for c in control}
    elif treated:
        specs = {"treated": {t: t for t in treated}, "control": {c: c for c in control or []}, "buffer": {}}
    else:
        raise InvalidInput("give either operation or treated areas")
    months = _months(history, "history")
    panel, units, _ = build_panel(store=store, treated=specs["treated"], control=specs["control"], buffer=None,
                                  start_month=months[0], end_month=months[-1], crime_types=crime_types,
                                  session=session)
    r = minimum_detectable_effect(panel, units["treated"], duration_weeks=duration_weeks,
                                  control=units["control"] or None, alpha=alpha, power=power)
    out = r.to_dict()
    out.update({"history": _fmt_range(months), "treated": units["treated"], "control_units": len(units["control"]),
                "crime_types": crime_types})
    return out
