"""Sums an analyst can quote, and the rates listed with what they measure.

Why: adding up a metrics table by indicator counts a total with its parts (19起 + 其中15起),
a restated figure twice, 元 with 亩, and a lost number as zero. ``summarize`` sums only rows
that are not a part, not a restatement and not a rate, per unit family in the family's base
unit (areas in 亩, money in 元); ``rates`` lists the rates with their type and the values of
their numerator and denominator. Both work on one report's or a corpus's metrics.
"""
from __future__ import annotations

import pandas as pd

from forestry_analysis.pipeline.quantities.units import units

_BASE = {"area": "亩"}   # other families: the base unit as extracted (元 for 万元 and 亿元)


def _family(unit) -> str | None:
    if unit is None or unit is pd.NA:
        return None
    u = units().get(unit)
    return u.family if u else unit


def summarize(metrics: pd.DataFrame, by=("report_id",)) -> pd.DataFrame:
    """One row per group × indicator × kind × unit: ``value`` (NA when every mention was lost),
    ``unit``, ``mentions`` (rows summed) and ``missing`` (rows whose number was lost). Areas are
    added in 亩 (公顷 and 平方米 converted); any other unit only to the same unit: 车次 and 场次,
    公里 and 米, 元 and 美元 stay apart.
    ``by=()`` sums the whole table."""
    by = [by] if isinstance(by, str) else list(by)
    m = metrics
    top = (m["part_of"].isna() & m["restates"].isna() & m["rate_type"].isna()
           & m["kind"].isin(["actual", "plan"]))
    m = m.loc[top]
    family = m["unit"].astype(object).map(_family)
    m = m.assign(
        indicator_key=m["indicator_id"].astype(object).where(m["indicator_id"].notna(), m["indicator"].astype(object)),
        family=family,
        base_value=m["area_mu"].where(family == "area", m["value"]),
        base_unit=m["unit"].astype(object).where(family != "area", "亩"),
        lost=m["missing"].fillna(False).astype(bool) | m["value"].isna())
    m = m.loc[m["family"].notna() & ~m["family"].isin(["percent", "ratio"])]
    keys = by + ["indicator_key", "kind", "family", "base_unit"]   # 车次 and 场次 are both counts: never added
    cols = by + ["indicator_key", "kind", "family", "value", "unit", "mentions", "missing"]
    if m.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).rename(columns={"indicator_key": "indicator"})
    g = m.groupby(keys, dropna=False, observed=True, sort=True)
    out = g.agg(value=("base_value", lambda s: s.sum() if s.notna().any() else pd.NA),
                unit=("base_unit", lambda s: s.dropna().iloc[0] if s.notna().any() else pd.NA),
                mentions=("base_value", "size"), missing=("lost", "sum")).reset_index()
    out["value"] = out["value"].astype("Float64")
    out["mentions"] = out["mentions"].astype("Int64")
    out["missing"] = out["missing"].astype("Int64")
    return out.rename(columns={"indicator_key": "indicator"})[[c if c != "indicator_key" else "indicator"
                                                               for c in cols]]


def rates(metrics: pd.DataFrame) -> pd.DataFrame:
    """Every rate with its ``rate_type`` and, where the text names them, the value and unit of
    its numerator (``of_value``) and denominator (``base_value``). Rates are never summed."""
    m = metrics
    r = m.loc[m["rate_type"].notna()]
    cols = ["report_id", "metric_id", "indicator", "rate_type", "value", "unit", "start", "end"]
    out = r[cols].copy()
    ref = m[["report_id", "metric_id", "value", "unit", "indicator"]]
    for side, col in (("of", "rate_of"), ("base", "rate_base")):
        linked = r[["report_id", col]].merge(
            ref.rename(columns={"metric_id": col, "value": f"{side}_value", "unit": f"{side}_unit",
                                "indicator": f"{side}_indicator"}), on=["report_id", col], how="left")
        out[f"{side}_value"] = linked[f"{side}_value"].to_numpy()
        out[f"{side}_unit"] = linked[f"{side}_unit"].to_numpy()
    return out.reset_index(drop=True)
