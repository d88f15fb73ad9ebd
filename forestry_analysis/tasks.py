"""Work items (tasks) from the outline: what was done and what is planned.

A task is a leaf of the outline tree inside the body: the enumerated items (一是, 1., (1)),
or a subsection or section that has no items of its own. A subsection with items counts
only its items. Sections about problems and difficulties hold no tasks; items under a
下一步/下半年计划 heading, or in a plan report, are planned.
"""
from __future__ import annotations

from .categories import classify
from .meta import is_plan_heading, is_problem_heading


def _tree(outline: list[dict]) -> list[dict]:
    """Outline rows in order, each (a copy) with its enclosing rows (``parents``) and a ``leaf`` flag."""
    rows = sorted((dict(r) for r in outline), key=lambda r: r["start"])
    stack: list[dict] = []
    for r in rows:
        while stack and stack[-1]["end"] <= r["start"]:
            stack.pop()
        r["parents"] = list(stack)
        r["leaf"] = True
        if stack:
            stack[-1]["leaf"] = False
        stack.append(r)
    return rows


def _content(original: str, r: dict) -> tuple[int, int]:
    """Original span of an item's text: marker dropped, surrounding whitespace stripped."""
    s, e = int(r["start"]) + len(r["marker"]), int(r["end"])
    while s < e and original[s].isspace():
        s += 1
    while e > s and original[e - 1].isspace():
        e -= 1
    return s, e


def task_rows(norm, report_id, outline: list[dict], meta: dict) -> list[dict]:
    """One row per work item (schema 'tasks'), with status and category.

    ``text`` is ``original[start:end]``: the whole item without its marker (the marker is in
    ``item`` for enumerated items).
    """
    original = norm.original
    plan_report = meta.get("report_kind") == "plan"
    seen_votes: dict[str, dict] = {}   # headings recur from task to task
    rows = []
    for r in _tree(outline):
        chain = r["parents"] + [r]
        # The innermost heading about problems or plans decides: "存在问题及下一步打算" is plans.
        # Every enclosing item is a heading ("1、下步打算" with (1)(2) under it), the item itself only at level 1–2.
        decisive = next((c for c in reversed(chain) if (c["level"] < 3 or c is not r) and (
            is_plan_heading(c["heading"]) or is_problem_heading(c["heading"], c["level"]))), None)
        if not r["leaf"] or decisive is not None and not is_plan_heading(decisive["heading"]):
            continue
        heads = {lvl: next((c["heading"] for c in reversed(chain) if c["level"] == lvl), None) for lvl in (1, 2)}
        planned = plan_report or decisive is not None
        s, e = _content(original, r)
        text = original[s:e]
        rows.append(dict(
            report_id=report_id, section=heads[1], subsection=heads[2],
            item=r["marker"] if r["level"] == 3 else None, text=text,
            status="planned" if planned else "done",
            category=classify([(norm.text[norm.to_norm(s):norm.to_norm(e)], 3), (heads[2] or "", 2),
                               (heads[1] or "", 1), (meta.get("title") or "", 0.5)], votes=seen_votes),
            start=s, end=e))
    return rows
