"""Completion rates: each actual paired with its plan, built on the metrics table.

Why: a work report's key claim is "we did X of the Y planned"; analysts want that as one row
(actual, plan, rate) they can check, not three loose numbers.

Pairs are found in this order, each recorded in ``basis``:
- ``same sentence``: an actual and a plan in one sentence ("完成造林11.4万亩,占年计划12万亩的95%",
  "下达任务16.4万亩,…已完成9万亩"), with the stated rate when there is one;
- ``rate stated``: an actual and a stated rate but no plan: the plan is derived (7个 at 70% → 10);
  the actual is the one relations.py found the rate to be of (``rate_of``: in
  "分别占年计划的110%和106%" each actual in order, after a 其中 list the total); a rate alone is a row too;
- a plan with the same indicator stated elsewhere in the report (the 下一步 section restating the
  annual target) confirms a derived plan when the stated rate agrees with it (the row then
  points at that plan); when it disagrees it may be another period's or a sub-project's
  plan, so the derived plan stays and the note names the other figure; when the rate was
  lost or hidden, the note names the plan stated elsewhere and the rate stays NA;
- ``another report`` (corpus only, ``corpus.pair_across_reports``): a plan in an earlier report.
A lost side stays NA: a rate is never computed from a number the sentence does not state. Rates are fractions
(70% → 0.7, 950‰ → 0.95, 1.1倍 → 1.1). Keywords are matched on a simplified copy of the text,
so traditional reports pair the same way; offsets always point into ``Report.text``.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from functools import lru_cache

import pandas as pd

from forestry_analysis import lexicon
from forestry_analysis.doc import schema
from forestry_analysis.doc.normalize import CLAUSE_MARKS, both_widths, closes_before, to_simplified
from forestry_analysis.pipeline.outline import sentence_ends

# A rate counts as completion when its clause names a plan ("占年计划的", "任务完成率"); a share
# ("生物防治占比≥40%") or a coverage rate does not.
_COMPLETION_WORDS = ("计划", "任务", "完成率", "目标")
# The clause a rate's plan is read from ends at , ; 。 or a line end, in either width:
# ``simple`` keeps full-width marks when the text was not aligned.
_CLAUSE_END = both_widths(CLAUSE_MARKS.replace("!", ""))
_RATE_PER = {"%": 100, "‰": 1000, "倍": 1}   # stated value / per = fraction


def _num(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else float(v)


def _stated(rate) -> float | None:
    """The stated rate as a fraction, None when lost or not a rate unit."""
    v = _num(rate["value"]) if rate is not None else None
    per = _RATE_PER.get(rate["unit"]) if rate is not None else None
    return None if v is None or per is None else v / per


def _tolerance(rate) -> float:
    """Half a unit in the last written digit of a stated rate (at least half a percent), as a fraction."""
    raw = rate["raw"] or ""
    if "成" in raw:                                  # 九成: to the nearest tenth
        return 0.05 + 1e-9
    m = re.search(r"\d+(?:\.(\d+))?", raw)
    decimals = len(m.group(1)) if m and m.group(1) else 0
    return max(0.5 * 10 ** -decimals / _RATE_PER.get(rate["unit"], 100), 0.005) + 1e-9


def completion_row(report_id, actual, plan, rate, basis, note=""):
    """One completion row (schema 'completion' plus the private ``_derived``/``_tolerance``)
    from the metric rows of its actual, plan and rate (any may be None)."""
    a = _num(actual["value"]) if actual is not None else None
    p = _num(plan["value"]) if plan is not None else None
    stated = _stated(rate)
    derived = False
    if p is None and plan is None and a is not None and stated:
        p, derived = a / stated, True
    computed = a / p if a is not None and p else None
    consistent = None
    if computed is not None and stated is not None and not derived:
        consistent = abs(computed - stated) <= _tolerance(rate)
    base = next(x for x in (actual, plan, rate) if x is not None)
    if derived:
        note = _join(note, completion_note("derived"))
    side = actual if actual is not None else plan

    def span(x, end):
        return None if x is None else x[end]

    return dict(
        report_id=report_id, indicator=base["indicator"], indicator_id=base["indicator_id"],
        category=base["category"], actual=a, plan=p, unit=None if side is None else side["unit"],
        rate=computed if computed is not None else (stated if derived else None), stated_rate=stated,
        consistent=consistent, basis=basis,
        actual_start=span(actual, "start"), actual_end=span(actual, "end"),
        plan_start=span(plan, "start"), plan_end=span(plan, "end"),
        rate_start=span(rate, "start"), rate_end=span(rate, "end"),
        plan_report_id=report_id if plan is not None else None, note=note or None,
        _derived=derived, _tolerance=None if rate is None else _tolerance(rate))


@lru_cache(maxsize=1)
def _target_words():
    kinds = lexicon.toml("kinds.toml")
    return tuple(kinds["target_rate_before"]), lexicon.compiled(kinds["target_rate_after"], head=r"\s*")


@lru_cache(maxsize=1)
def _forecast_words() -> tuple[str, ...]:
    return tuple(lexicon.toml("kinds.toml")["forecast_words"])


def _target(r) -> bool:
    """A plan quantity that is a target to complete: a plan, no forecast (预测发生面积) and not the
    base of a coverage rate (应施检疫种苗: what 检疫率 is measured against)."""
    return r["kind"] == "plan" and not r.get("_coverage_base") and \
        not any(w in (r["indicator"] or "") for w in _forecast_words())


def _is_target(simple, rate, before) -> bool:
    """A rate that is the target itself ("超过…85%的要求", "控制在4‰以内"), not a completion rate."""
    words_before, after = _target_words()
    return any(w in before for w in words_before) or after.match(simple, rate["end"]) is not None


def _join(note, more):
    return f"{note}；{more}" if note else more


def completion_note(key: str, **values) -> str:
    """A completion note in Chinese (labels.toml [completion_note])."""
    return lexicon.toml("labels.toml")["completion_note"][key].format(**values)


def _readable(v: float) -> str:
    """A plan value for a note: thousands separators, at most two decimals."""
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _same_unit(a, b):
    return a is not None and b is not None and a["unit"] == b["unit"]


def _completion_rate(rate, before: str) -> bool:
    """A completion rate: typed so by relations.py when the row carries rate_type, else its
    clause names a plan."""
    if "rate_type" in rate:
        return rate["rate_type"] == "completion"
    return any(w in (rate["indicator"] or "") + before for w in _COMPLETION_WORDS)


def _same_level(a, b):
    """Both a part (其中…) or both not: a part is never compared with its total's plan."""
    return (a.get("part_of") is None) == (b.get("part_of") is None)


def _key(r):
    """(indicator_id, unit) of a mention with a known value, else None."""
    ok = isinstance(r["indicator_id"], str) and r["indicator_id"] and _num(r["value"]) is not None
    return (r["indicator_id"], r["unit"]) if ok else None


def _before_text(simple, r):
    """Up to 12 characters before a mention, within its clause."""
    text = simple[max(0, r["start"] - 12):r["start"]]
    return text[max(text.rfind(c) for c in _CLAUSE_END) + 1:]


def _pair_part_plans(members, report_id, used):
    """Plans listed as the parts of a total plan ("任务7.8万亩(其中…项目3.8万亩、封山育林1万亩、营林抚育
    3万亩)") and the actuals listed after them: each part against its own actual, the one of the
    same name, else the only one of its catalogue indicator, so that no part's actual is read
    against the whole plan."""
    rows = []
    for same in (lambda a, p: a["indicator"] == p["indicator"], lambda a, p: _key(a) == _key(p)):
        parts = [p for p in members if _target(p) and p.get("part_of") is not None and _key(p) and p["_i"] not in used]
        acts = [a for a in members if a["kind"] == "actual" and a.get("part_of") is None and _key(a)
                and a["_i"] not in used]
        for p in parts:
            found = [a for a in acts if a["start"] > p["start"] and _same_unit(a, p) and same(a, p)]
            rivals = [q for q in parts if q is not p and any(same(a, q) for a in found)]
            if len(found) == 1 and not rivals and found[0]["_i"] not in used:
                rows.append(completion_row(report_id, found[0], p, None, "same sentence"))
                used.update({p["_i"], found[0]["_i"]})
    return sorted(rows, key=lambda r: r["actual_start"])


def _pair_group(members, simple, report_id, used):
    """Rows for the mentions of one full sentence (``simple``: the text in simplified characters)."""
    rows, paired = _pair_part_plans(members, report_id, used), {}   # paired: actual → end of the rate it was paired with
    for rt in members:
        if rt["kind"] == "rate" and rt["unit"] in _RATE_PER and rt["_i"] not in used and \
                _completion_rate(rt, _before_text(simple, rt)) and not _is_target(simple, rt, _before_text(simple, rt)):
            rows.append(_pair_rate(rt, members, simple, report_id, used, paired))
    return rows + _pair_plans(members, report_id, used)


def _actuals_before(members, simple, used, pos):
    return [r for r in members if r["kind"] == "actual" and r["start"] < pos and r["_i"] not in used
            and not closes_before(simple, r["end"], pos)]


def _rate_actual(rt, acts):
    """The actual a rate is of, as relations.py found it (``rate_of``: the n-th of n actuals
    for 分别, the total, not its 其中 parts), and the actuals up to it; else the last one."""
    named = next((a for a in acts if a.get("metric_id") == rt.get("rate_of")), None)
    if named is not None:
        return named, acts[:acts.index(named) + 1]
    return (acts[-1] if acts else None), acts


def _again(rt, members, simple, used, paired):
    """The actual of an earlier pair in the sentence when this rate compares it with
    another plan: "完成X,为年度任务A的B倍,占总任务C的D%" (X against A, then X against C)."""
    prior = [r for r in members if r["kind"] == "actual" and r["start"] < rt["start"]
             and not closes_before(simple, r["end"], rt["start"])]
    a = prior[-1] if prior else None
    if a is None or a["_i"] not in paired:
        return None
    plan_between = any(_target(p) and p["_i"] not in used and _same_unit(p, a)
                       and paired[a["_i"]] <= p["start"] < rt["start"] for p in members)
    return a if plan_between else None


def _pair_rate(rt, members, simple, report_id, used, paired):
    """The row of a completion rate: its actual and the plan after it ("完成X,占计划Y的Z%") or
    before it ("下达任务Y,已完成X,完成率Z%"), never a plan before an earlier actual."""
    actual, acts = _rate_actual(rt, _actuals_before(members, simple, used, rt["start"]))
    floor = acts[-2]["start"] if len(acts) > 1 else -1
    if actual is None and (actual := _again(rt, members, simple, used, paired)) is not None:
        floor = paired[actual["_i"]]
    plans = [r for r in members if _target(r) and floor < r["start"] < rt["start"] and
             r["_i"] not in used and (actual is None or _same_unit(r, actual))]
    after = [r for r in plans if actual is None or r["start"] > actual["start"]]
    plan = (after or plans or [None])[-1]
    used.update(x["_i"] for x in (actual, plan, rt) if x is not None)
    if actual is None and plan is None:
        return completion_row(report_id, None, None, rt, "rate stated", completion_note("rate_only"))
    if actual is not None and plan is not None:
        paired[actual["_i"]] = rt["end"]
        return completion_row(report_id, actual, plan, rt, "same sentence")
    return completion_row(report_id, actual, plan, rt, "rate stated")


def _pair_plans(members, report_id, used):
    """No rate: an actual and a plan of the same unit ("下达任务16.4万亩,…已完成9万亩"): the first
    actual after the plan, else the nearest before it ("总投资1500万元,计划投资800万元,已完成640万元")."""
    rows = []
    acts = [r for r in members if r["kind"] == "actual" and r["_i"] not in used]
    for p in (r for r in members if _target(r) and r["_i"] not in used):
        fits = [a for a in acts if a["_i"] not in used and _same_unit(a, p) and _same_level(a, p)]
        a = next((a for a in fits if a["start"] > p["start"]), fits[-1] if fits else None)
        if a is not None:
            rows.append(completion_row(report_id, a, p, None, "same sentence"))
            used.update({a["_i"], p["_i"]})
    return rows


def pair_in_report(text: str, metrics: pd.DataFrame | list[dict] | None, report_id: str,
                   simple: str | None = None) -> list[dict]:
    """Completion rows (schema 'completion') for one report's metrics, given as the metrics
    table or its rows (offsets into ``text``). ``simple``: a simplified copy of ``text`` with
    the same offsets, when the caller has one."""
    if metrics is None or len(metrics) == 0:
        return []
    simple = simple if simple is not None and len(simple) == len(text) else to_simplified(text)
    ends = sentence_ends(simple, full=True)
    recs = schema.records(metrics) if isinstance(metrics, pd.DataFrame) else [dict(r) for r in metrics]
    groups: dict[int, list[dict]] = {}
    bases = {r.get("rate_base") for r in recs if r.get("rate_type") == "coverage"} - {None}
    for i, r in enumerate(recs):
        r["_i"] = i
        r["_coverage_base"] = r.get("metric_id") in bases
        groups.setdefault(bisect_right(ends, r["start"]), []).append(r)

    rows, used = [], set()
    for members in groups.values():
        rows += _pair_group(members, simple, report_id, used)

    # A plan stated elsewhere in the report (e.g. the 下一步 section): confirms a derived plan, or
    # is named in the note (a rate lost, or a plan that disagrees); the nearest in value.
    plans = [r for r in recs if _target(r) and r["_i"] not in used and _key(r)]
    for row in rows:
        derived, stated = row["_derived"], row["stated_rate"]
        if row["actual"] is None or not (derived or (row["plan_start"] is None and row["rate"] is None)):
            continue
        found = [p for p in plans if _key(p) == (row["indicator_id"], row["unit"]) and _num(p["value"])]
        if not found:
            continue
        match = min(found, key=lambda p: abs(_num(p["value"]) - (row["plan"] or 0)))
        pv = _num(match["value"])
        where = completion_note("elsewhere", plan=_readable(pv), start=match["start"], end=match["end"])
        if not derived:
            row["note"] = _join(row["note"], completion_note("rate_lost", where=where))
        elif abs(row["actual"] / pv - stated) <= row["_tolerance"]:
            row.update(plan=pv, rate=row["actual"] / pv, plan_start=match["start"], plan_end=match["end"],
                       plan_report_id=report_id, consistent=True,
                       note=completion_note("agrees", derived=_readable(row["plan"]), where=where))
            used.add(match["_i"])
            plans.remove(match)
        else:
            row["note"] = _join(row["note"], completion_note("differs", derived=_readable(row["plan"]), where=where))

    for row in rows:
        row.pop("_derived", None)
        row.pop("_tolerance", None)
    return rows


TABLE_ROW = "table row"   # basis of a pair read from one row of a statistics table


def basis_label(basis: str) -> str:
    """Chinese label of a pairing basis for deliverables (表格同行 for a table row)."""
    from forestry_analysis.present.labels import display
    return display("basis", basis)


def pair_table_rows(metrics: list[dict], report_id: str) -> list[dict]:
    """Completion rows from statistics tables: in one table row, each actual column paired with
    the nearest plan column of the same unit before it (else after it), and the rate column
    after the actual checked against them (basis "table row")."""
    rows_by: dict[tuple, list[dict]] = {}
    for r in metrics:
        if r.get("table_id") is not None:
            rows_by.setdefault((r["table_id"], r["table_row"]), []).append(r)
    out = []
    for cells in rows_by.values():
        cells = sorted(cells, key=lambda r: r["table_col"])
        plans = [r for r in cells if _target(r)]
        rates = [r for r in cells if r["kind"] == "rate" and r["unit"] in _RATE_PER]
        used = set()
        for a in (r for r in cells if r["kind"] == "actual"):
            fits = [p for p in plans if p["unit"] == a["unit"] and id(p) not in used]
            before = [p for p in fits if p["table_col"] < a["table_col"]]
            plan = before[-1] if before else (fits[0] if fits else None)
            nxt = [x for x in cells if x["table_col"] > a["table_col"] and x["kind"] == "actual"]
            stop = nxt[0]["table_col"] if nxt else float("inf")
            rate = next((x for x in rates if a["table_col"] < x["table_col"] < stop and id(x) not in used), None)
            if plan is None and rate is None:
                continue
            used.update(id(x) for x in (plan, rate) if x is not None)
            row = completion_row(report_id, a, plan, rate, TABLE_ROW)
            row.pop("_derived")
            row.pop("_tolerance")
            out.append(row)
    return out
