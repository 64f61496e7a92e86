"""ONS lookup tables and Census population, recognised by their columns and normalised.

| lookup name | recognised by | stored columns |
| --- | --- | --- |
| ``lsoa11_lsoa21`` | lsoa11_code, change_code, lsoa21_code (or LSOA11CD, CHGIND, LSOA21CD) | lsoa11_code, lsoa11_name, change_code, lsoa21_code, lsoa21_name |
| ``lsoa21_ward`` | lsoa21_code + wardNN_code + ltlaNN_code (or LSOA21CD, WDnnCD, LADnnCD) | lsoa21_code, lsoa21_name, ward_code, ward_name, lad_code, lad_name |
| ``lsoa11_ward`` | LSOA11CD, WDnnCD, LADnnCD | lsoa11_code, ward_code, ward_name, lad_code, lad_name |
| ``lad_csp_pfa`` | ltlaNN_code, cspNN_code, pfaNN_code | lad_code, lad_name, csp_code, csp_name, pfa_code, pfa_name |
| ``population_lsoa21`` | lsoa21_code, total_residents | lsoa21_code, residents |
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from clearhold.errors import InvalidInput, SourceError


def _find(cols: dict[str, str], pattern: str) -> str | None:
    rx = re.compile(pattern, re.IGNORECASE)
    for low, orig in cols.items():
        if rx.fullmatch(low):
            return orig
    return None


def read_lookup(path: str | Path) -> tuple[str, pd.DataFrame]:
    """(lookup name, normalised frame) for a lookup CSV; raises InvalidInput if unrecognised."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"path was {str(path)!r}; no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 ({exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(f"{path}: not a readable CSV ({exc})") from None
    cols = {c.lower().strip(): c for c in raw.columns}
    f = lambda p: _find(cols, p)  # noqa: E731
    l11, l21, chg = f(r"lsoa11_?(code|cd)"), f(r"lsoa21_?(code|cd)"), f(r"change_code|chgind")
    ward, lad = f(r"(ward|wd)\d\d_?(code|cd)"), f(r"(ltla|lad)\d\d_?(code|cd)")
    csp, pfa = f(r"csp\d\d_?(code|cd)"), f(r"pfa\d\d_?(code|cd)")
    res = f(r"total_residents|residents|usual_residents")

    def name_of(code_col: str | None) -> pd.Series:
        if code_col is None:
            return pd.Series([""] * len(raw))
        base = re.sub(r"(_code|_cd|cd)$", "", code_col, flags=re.IGNORECASE)
        for cand in (base + "_name", base + "NM", base + "nm", base + "_nm"):
            if cand.lower() in cols:
                return raw[cols[cand.lower()]].str.strip()
        return pd.Series([""] * len(raw))

    if l11 and l21 and chg:
        out = pd.DataFrame({
            "lsoa11_code": raw[l11].str.strip(), "lsoa11_name": name_of(l11),
            "change_code": raw[chg].str.strip().str.upper(),
            "lsoa21_code": raw[l21].str.strip(), "lsoa21_name": name_of(l21),
        })
        bad = ~out["change_code"].isin(["U", "S", "M", "X"])
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise SourceError(f"{path}, line {i + 2}: change code {out['change_code'].iloc[i]!r} is not U, S, M or X")
        return "lsoa11_lsoa21", out
    if l21 and ward and lad:
        return "lsoa21_ward", pd.DataFrame({
            "lsoa21_code": raw[l21].str.strip(), "lsoa21_name": name_of(l21),
            "ward_code": raw[ward].str.strip(), "ward_name": name_of(ward),
            "lad_code": raw[lad].str.strip(), "lad_name": name_of(lad),
        })
    if l11 and ward and lad:
        return "lsoa11_ward", pd.DataFrame({
            "lsoa11_code": raw[l11].str.strip(), "ward_code": raw[ward].str.strip(), "ward_name": name_of(ward),
            "lad_code": raw[lad].str.strip(), "lad_name": name_of(lad),
        })
    if lad and csp and pfa:
        return "lad_csp_pfa", pd.DataFrame({
            "lad_code": raw[lad].str.strip(), "lad_name": name_of(lad),
            "csp_code": raw[csp].str.strip(), "csp_name": name_of(csp),
            "pfa_code": raw[pfa].str.strip(), "pfa_name": name_of(pfa),
        })
    if l21 and res:
        values = pd.to_numeric(raw[res], errors="coerce")
        if values.isna().any():
            i = int(values.isna().to_numpy().nonzero()[0][0])
            raise SourceError(f"{path}, line {i + 2}: residents {raw[res].iloc[i]!r} is not a number")
        return "population_lsoa21", pd.DataFrame({"lsoa21_code": raw[l21].str.strip(), "residents": values.astype("float64")})
    raise InvalidInput(
        f"{path}: columns {list(raw.columns)} match no known lookup (LSOA 2011->2021 crosswalk, LSOA21->ward->LAD, "
        "LSOA11->ward->LAD, LAD->CSP->PFA, Census 2021 residents per LSOA21)"
    )
