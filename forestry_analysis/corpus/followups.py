"""Follow-ups: a planned work item of one report and the done item of a later report of the
same organisation that carries it out (下半年计划 in an H1 report → 全年总结).

Items are compared by the words they share, on the package's own jieba segmentation
(``segment.cut``, content words only): the cosine of their word sets, each word weighted by
its inverse document frequency over the corpus's work items, so that words every item uses
(推进, 工作) count little and the words naming the work (绿色示范村, 松材线虫病) count much.
A planned item is matched with its most similar done item in the later reports that cover
the year it plans for; below ``min_similarity`` it is listed as not reported.
"""
from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from forestry_analysis.doc import schema
from forestry_analysis.pipeline.segment import cut, is_content_word

MIN_SIMILARITY = 0.2


def words(text: str) -> frozenset[str]:
    """Content words of a work item's text (two characters or more, no stop words or numbers)."""
    return frozenset(w for w in cut(text) if is_content_word(w))


def _weights(bags: list[frozenset[str]]) -> dict[str, float]:
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    return {w: math.log(1 + n / k) for w, k in df.items()}


def similarity(a: frozenset[str], b: frozenset[str], idf: dict[str, float]) -> float:
    """Cosine of two word sets, each word weighted by ``idf`` (0 when either is empty)."""
    shared = sum(idf.get(w, 1.0) ** 2 for w in a & b)
    if not shared:
        return 0.0
    norm = math.sqrt(sum(idf.get(w, 1.0) ** 2 for w in a) * sum(idf.get(w, 1.0) ** 2 for w in b))
    return shared / norm


def _later_reports(meta: pd.DataFrame) -> dict[str, list[str]]:
    """For each report whose org and period are known, the later reports of its org covering
    the year it plans for (its own year, or the next one after a year-end summary), nearest
    first: the rule of ``corpus.pair_across_reports``. Keys are in org, then time order."""
    from forestry_analysis.corpus.pairing import _period_end
    by_org: dict[str, list[tuple]] = {}
    cols = ("report_id", "org", "year", "period", "report_kind")
    for rid, org, year, period, kind in zip(*(meta[c].astype(object).tolist() for c in cols)):
        end = _period_end(year, period, kind)
        if isinstance(org, str) and end is not None:
            year_end = kind != "plan" and end - int(year) * 12 == 12
            by_org.setdefault(org, []).append((end, int(year), str(rid), int(year) + 1 if year_end else int(year)))
    later: dict[str, list[str]] = {}
    for org in sorted(by_org):
        ordered = sorted(by_org[org], key=lambda x: x[0])   # stable: file order within a period
        for i, (end, _, rid, target) in enumerate(ordered):
            later[rid] = [r for e, y, r, _ in ordered[i + 1:] if e > end and y == target]
    return later


def _metric_text(metrics: pd.DataFrame) -> dict[tuple[str, int], str]:
    """(report_id, task_id) → its metrics as indicator + number as written, joined by '；'."""
    m = metrics[metrics["task_id"].notna()]
    out: dict[tuple[str, int], list[str]] = {}
    for rid, tid, ind, raw in zip(m["report_id"].astype(str), m["task_id"].astype(int),
                                  m["indicator"].astype(object), m["raw"].astype(object)):
        out.setdefault((rid, tid), []).append(f"{ind if isinstance(ind, str) else ''}{raw}")
    return {k: "；".join(v) for k, v in out.items()}


def followups(meta: pd.DataFrame, tasks: pd.DataFrame, metrics: pd.DataFrame,
              min_similarity: float = MIN_SIMILARITY) -> pd.DataFrame:
    """One row per planned item (schema 'followups'): matched with the done item that
    carries it out (``reported``), ``not_reported`` when no done item of a later report is
    similar enough, ``no_later_report`` when the corpus has no later report of the org."""
    if tasks.empty or meta.empty:
        return schema.frame("followups")
    later = _later_reports(meta)
    orgs = dict(zip(meta["report_id"].astype(str), meta["org"].astype(object)))
    cols = ("report_id", "task_id", "text", "status", "category")
    items = [dict(zip(cols, vals)) for vals in zip(*(tasks[c].astype(object).tolist() for c in cols))]
    for t in items:
        t["report_id"] = str(t["report_id"])
    order = {rid: i for i, rid in enumerate(later)}
    planned = sorted((t for t in items if t["status"] == "planned"),
                     key=lambda t: (order.get(t["report_id"], len(order)), t["report_id"], t["task_id"]))
    wanted = {t["report_id"] for t in planned} | {r for t in planned for r in later.get(t["report_id"], [])}
    bags = {(t["report_id"], t["task_id"]): words(t["text"]) for t in items if t["report_id"] in wanted}
    idf = _weights(list(bags.values()))
    done: dict[str, list[dict]] = {}
    for t in items:
        if t["status"] == "done" and t["report_id"] in wanted:
            done.setdefault(t["report_id"], []).append(t)
    texts = _metric_text(metrics)
    rows = []
    for p in planned:
        key = (p["report_id"], p["task_id"])
        row = dict(org=orgs.get(p["report_id"]), plan_report_id=p["report_id"], plan_task_id=p["task_id"],
                   plan_text=p["text"], plan_category=p["category"], plan_metrics=texts.get(key))
        candidates = [d for rid in later.get(p["report_id"], []) for d in done.get(rid, [])]
        best, score = None, 0.0
        for d in candidates:   # nearest report first: a tie keeps the earlier one
            s = similarity(bags[key], bags[(d["report_id"], d["task_id"])], idf)
            if s > score:
                best, score = d, s
        if not later.get(p["report_id"]):
            row["outcome"] = "no_later_report"
        elif best is None or score < min_similarity:
            row.update(outcome="not_reported", similarity=round(score, 3))
        else:
            dkey = (best["report_id"], best["task_id"])
            row.update(done_report_id=best["report_id"], done_task_id=best["task_id"], done_text=best["text"],
                       done_metrics=texts.get(dkey), similarity=round(score, 3), outcome="reported")
        rows.append(row)
    return schema.frame("followups", [{k: None if v is pd.NA else v for k, v in r.items()} for r in rows])
