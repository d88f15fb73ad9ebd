"""Tasks and metrics joined: each number knows its work item, each work item its numbers.

A work item (a row of ``Report.tasks``) gets ``task_id``, its position in the report (the
rows are in text order, so the id is stable from run to run), and a metric gets the
``task_id`` of the item whose span holds it, NA when it lies outside every item (preamble,
a section's lead paragraph, problems). Each item then carries ``n_metrics``, ``n_missing``
(lost numbers and placeholders) and ``headline``: its first metric in the clause that
holds it, as written, for display.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from forestry_analysis.doc.normalize import CLAUSE_MARKS, both_widths

# Ends of a clause, and ? : 、, in both widths (the headline is cut from the text as read).
_CLAUSE_END = both_widths(CLAUSE_MARKS + "?:、")
_HEADLINE_BEFORE, _HEADLINE_AFTER = 24, 16   # at most this many characters around the number


def task_of(task_rows: list[dict], metric_rows: list[dict]) -> list[int | None]:
    """For each metric, the index in ``task_rows`` of the innermost item holding it, or None."""
    spans = sorted((r["start"], r["end"], i) for i, r in enumerate(task_rows))
    starts = [s for s, _, _ in spans]
    reach = list(accumulate((e for _, e, _ in spans), max))   # furthest end so far
    out = []
    for m in metric_rows:
        s, e = m["start"], m["end"]
        j, found = bisect_right(starts, s) - 1, None
        while j >= 0 and reach[j] > s:
            ts, te, i = spans[j]
            if ts <= s and e <= te:
                found = i
                break
            j -= 1
        out.append(found)
    return out


def headline(text: str, metric: dict, lo: int, hi: int) -> str:
    """The clause of ``text`` holding ``metric``, kept within ``lo``–``hi`` and a few
    characters around the number (完成绿色示范村建设7个). A clause that opens on the number
    (、2万亩) reaches back over one more clause, so the headline names what is counted."""
    s, e = metric["start"], metric["end"]
    a = s
    while a > lo and text[a - 1] not in _CLAUSE_END:
        a -= 1
    if a == s and a > lo:
        a -= 1
        while a > lo and text[a - 1] not in _CLAUSE_END:
            a -= 1
    b = e
    while b < hi and text[b] not in _CLAUSE_END:
        b += 1
    a, b = max(a, s - _HEADLINE_BEFORE), min(b, e + _HEADLINE_AFTER)
    return " ".join(text[a:b].split())


def join(text: str, task_rows: list[dict], metric_rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Copies of the task and metric rows with the join columns added (schema 'tasks' and
    'metrics': ``task_id``; ``n_metrics``, ``n_missing``, ``headline``)."""
    owner = task_of(task_rows, metric_rows)
    tasks = [dict(r, task_id=i, n_metrics=0, n_missing=0, headline=None) for i, r in enumerate(task_rows)]
    metrics = []
    for m, i in zip(metric_rows, owner):
        metrics.append(dict(m, task_id=i))
        if i is None:
            continue
        t = tasks[i]
        t["n_metrics"] += 1
        t["n_missing"] += bool(m["missing"])
        if t["headline"] is None or m["start"] < t["_first"]:
            t["headline"], t["_first"] = headline(text, m, t["start"], t["end"]), m["start"]
    for t in tasks:
        t.pop("_first", None)
    return tasks, metrics
