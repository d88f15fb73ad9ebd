"""Completion rates: each actual paired with its plan, built on the metrics table.

Pairs are found in this order, each recorded in ``basis``:
- ``same sentence``: an actual and a plan in one sentence ("完成造林11.4万亩,占年计划12万亩的95%",
  "下达任务16.4万亩,…已完成9万亩"), with the stated rate when there is one;
- ``rate stated``: an actual and a stated rate but no plan: the plan is derived (7个 at 70% → 10);
- ``plan stated elsewhere in the report``: a plan with the same indicator elsewhere (下一步 section);
- ``another report`` (corpus only): a plan in an earlier report of the same org.
A lost side stays NA: a rate is never computed from a borrowed number.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from . import schema

_GROUP_END = re.compile(r"[。!\n]")
_COMPLETION_WORDS = ("计划", "任务", "完成率", "占", "目标")


def _tolerance(raw: str) -> float:
    """Half a unit in the last written digit of a stated percentage, as a fraction."""
    m = re.search(r"\d+(?:\.(\d+))?", raw or "")
    decimals = len(m.group(1)) if m and m.group(1) else 0
    return max(0.5 * 10 ** -decimals / 100, 0.005) + 1e-9


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else float(v)


def _row(report_id, actual, plan, rate, basis, note=""):
    a = _num(actual["value"]) if actual is not None else None
    p = _num(plan["value"]) if plan is not None else None
    stated = _num(rate["value"]) / 100 if rate is not None and _num(rate["value"]) is not None else None
    derived = False
    if p is None and plan is None and a is not None and stated:
        p, derived = a / stated, True
    computed = a / p if a is not None and p else None
    consistent = None
    if computed is not None and stated is not None and not derived:
        consistent = abs(computed - stated) <= _tolerance(rate["raw"])
    base = next(x for x in (actual, plan, rate) if x is not None)
    if derived:
        note = (note + "; " if note else "") + "plan derived from actual and stated rate"
    return dict(
        report_id=report_id, indicator=base["indicator"], indicator_id=base["indicator_id"],
        category=base["category"], actual=a, plan=p,
        unit=(actual if actual is not None else plan if plan is not None else rate)["unit"],
        rate=computed if computed is not None else (stated if derived else None), stated_rate=stated,
        consistent=consistent, basis=basis,
        actual_start=None if actual is None else actual["start"], actual_end=None if actual is None else actual["end"],
        plan_start=None if plan is None else plan["start"], plan_end=None if plan is None else plan["end"],
        rate_start=None if rate is None else rate["start"], rate_end=None if rate is None else rate["end"],
        plan_report_id=report_id if plan is not None else None, note=note or None, _derived=derived)


def _same_unit(a, b):
    return a is not None and b is not None and a["unit"] == b["unit"]


def pair_in_report(text: str, metrics: pd.DataFrame, report_id: str) -> list[dict]:
    """Completion rows for one report's metrics (offsets into ``text``)."""
    if metrics.empty:
        return []
    ends = np.array([m.end() for m in _GROUP_END.finditer(text)], dtype=np.int64)
    recs = metrics.to_dict("records")
    for r in recs:
        r["_group"] = int(np.searchsorted(ends, r["start"], side="right"))
    rows, used = [], set()
    groups: dict[int, list[dict]] = {}
    for i, r in enumerate(recs):
        r["_i"] = i
        groups.setdefault(r["_group"], []).append(r)
    for members in groups.values():
        rates = [r for r in members if r["kind"] == "rate" and
                 any(w in (r["indicator"] or "") + text[max(0, r["start"] - 12):r["start"]] for w in _COMPLETION_WORDS)]
        respectively = [r for r in rates if "分别" in text[max(0, r["start"] - 12):r["start"]]]
        if respectively:
            first = respectively[0]
            acts = [r for r in members if r["kind"] == "actual" and r["start"] < first["start"]]
            follow = [r for r in rates if r["start"] >= first["start"]]
            for a, rt in zip(acts[-len(follow):], follow):
                rows.append(_row(report_id, a, None, rt, "rate stated"))
                used.update({a["_i"], rt["_i"]})
        for rt in rates:
            if rt["_i"] in used:
                continue
            before = [r for r in members if r["start"] < rt["start"] and r["_i"] not in used and r["kind"] != "rate"]
            actual = next((r for r in reversed(before) if r["kind"] == "actual"), None)
            plan = next((r for r in reversed(before) if r["kind"] == "plan" and
                         (actual is None or (r["start"] > actual["start"] and _same_unit(r, actual)))), None)
            if actual is None and plan is None:
                rows.append(_row(report_id, None, None, rt, "rate stated", "rate stated without its numbers"))
                used.add(rt["_i"])
                continue
            basis = "same sentence" if actual is not None and plan is not None else "rate stated"
            rows.append(_row(report_id, actual, plan, rt, basis))
            used.update(x["_i"] for x in (actual, plan, rt) if x is not None)
        acts = [r for r in members if r["kind"] == "actual" and r["_i"] not in used]
        plans = [r for r in members if r["kind"] == "plan" and r["_i"] not in used]
        for p in plans:
            a = next((a for a in acts if a["_i"] not in used and _same_unit(a, p)), None)
            if a is not None:
                rows.append(_row(report_id, a, p, None, "same sentence"))
                used.update({a["_i"], p["_i"]})
    # A plan stated elsewhere in the report (e.g. the 下一步 section) checks or completes a pair.
    plans = [r for r in recs if r["kind"] == "plan" and r["_i"] not in used and _num(r["value"]) is not None]
    for row in rows:
        if row["plan_start"] is not None and not row["_derived"]:
            continue
        match = next((p for p in plans if p["indicator_id"] is not pd.NA and p["indicator_id"] and
                      p["indicator_id"] == row["indicator_id"] and p["unit"] == row["unit"]), None)
        if match is None:
            continue
        pv = _num(match["value"])
        if row["_derived"]:
            ok = abs(row["plan"] - pv) <= max(0.01 * pv, 0.5)
            row["note"] = f"derived plan {row['plan']:g} vs plan stated elsewhere {pv:g}: " + \
                          ("consistent" if ok else "inconsistent")
            row["consistent"] = ok
        elif row["actual"] is not None and row["rate"] is None and row["stated_rate"] is None:
            row.update(plan=pv, rate=row["actual"] / pv if pv else None)
        row.update(plan_start=match["start"], plan_end=match["end"], plan_report_id=report_id,
                   basis=row["basis"] if row["_derived"] else "plan stated elsewhere in the report")
    for row in rows:
        row.pop("_derived", None)
    return rows


def completion_table(report) -> pd.DataFrame:
    """The completion table of one ``Report``."""
    return schema.frame("completion", pair_in_report(report.text, report.metrics, report.report_id))
