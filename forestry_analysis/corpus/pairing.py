"""Plans of an earlier report paired with actuals of a later report of the same org (basis
"another report"): a half-year plan with the annual summary, never across orgs or periods.
"""
from __future__ import annotations

import pandas as pd

from forestry_analysis import lexicon


def _period_end(year, period, kind=None) -> int | None:
    """When a report was written, in months since year 0: the end of its period, or for a
    plan report (2022年工作要点) the start of the period it plans; None when unknown."""
    if year is None or year is pd.NA:
        return None
    plan = kind == "plan"
    if not isinstance(period, str):
        return int(year) * 12 if plan else None
    p = lexicon.period(period)
    return None if p is None else int(year) * 12 + (p.start if plan else p.end)


_PAIR_COLUMNS = ["report_id", "start", "end", "raw", "value", "unit", "kind", "category", "indicator",
                 "indicator_id", "missing"]


def _pairable(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics rows that can pair across reports: plans and actuals with an indicator_id
    and a number."""
    keep = (metrics["indicator_id"].notna() & metrics["value"].notna()
            & ~metrics["missing"].fillna(False).astype(bool) & metrics["kind"].isin(["plan", "actual"]))
    return metrics.loc[keep, _PAIR_COLUMNS]


def pair_across_reports(meta: pd.DataFrame, metrics: pd.DataFrame) -> list[dict]:
    """Plans in an earlier report (下半年 targets in H1) paired with actuals in a later one.

    Each plan of a report (indicator_id and unit known, number not lost) pairs with the
    actual of the same indicator and unit in the nearest later report of the same org that
    covers the year the plan is for: the report's own year (下半年 plans in an H1 report, a
    plan report), the next year after a year-end summary (明年工作打算). Reports of the same
    period never pair, nor do reports whose year or period is unknown (except a plan report:
    see ``_period_end``).
    """
    from forestry_analysis.pipeline.completion import completion_note, completion_row
    if metrics.empty or meta.empty:
        return []
    cols = _PAIR_COLUMNS[:-1]
    m = _pairable(metrics)
    if m.empty:
        return []
    recs = [dict(zip(cols, vals)) for vals in zip(*(m[c].astype(object).tolist() for c in cols))]
    plans: dict[str, list[dict]] = {}
    actuals: dict[str, dict] = {}
    for r in recs:
        r["kind"], r["category"] = str(r["kind"]), None if r["category"] is pd.NA else r["category"]
        if r["kind"] == "plan":
            plans.setdefault(r["report_id"], []).append(r)
        else:
            actuals.setdefault(r["report_id"], {}).setdefault((r["indicator_id"], r["unit"]), r)
    reports = {}
    for rid, org, year, period, kind in zip(*(meta[c].astype(object).tolist() for c in
                                              ("report_id", "org", "year", "period", "report_kind"))):
        end = _period_end(year, period, kind)
        if isinstance(org, str) and end is not None:
            # the year its plans are for: its own, or the next one after a year-end summary
            year_end = kind != "plan" and end - int(year) * 12 == 12
            target = int(year) + 1 if year_end else int(year)
            reports.setdefault(org, []).append((end, int(year), rid, target))
    rows = []
    for org in sorted(reports):
        ordered = sorted(reports[org], key=lambda x: x[0])  # stable: file order within a period
        for i, (end, year, rid, target) in enumerate(ordered):
            for p in plans.get(rid, []):
                for later_end, later_year, later, _ in ordered[i + 1:]:
                    if later_year > target:
                        break
                    if later_end <= end or later_year < target:
                        continue
                    a = actuals.get(later, {}).get((p["indicator_id"], p["unit"]))
                    if a is None:
                        continue
                    row = completion_row(later, a, p, None, "another report", completion_note("another_report", report=rid))
                    row.pop("_derived", None)
                    row["plan_report_id"] = rid
                    rows.append(row)
                    break
    return rows
