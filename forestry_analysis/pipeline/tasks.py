"""Work items (tasks) from the outline: what was done and what is planned.

A task is a leaf of the outline tree inside the body: the enumerated items (一是, 1., (1)),
or a subsection or section that has no items of its own. A subsection with items counts
only its items. Sections about problems and difficulties hold no tasks; items under a
下一步/下半年计划 heading or a target heading (工作任务, 总体目标), in a plan report, or
opening with a plan word (计划, 力争) are planned. Analysis sections (发生趋势) and empty items
(a marker at the end of a cut-off page) hold no tasks.
"""
from __future__ import annotations

import re

from forestry_analysis.pipeline.categories import classify
from forestry_analysis import lexicon
from forestry_analysis.lexicon import toml
from forestry_analysis.pipeline.meta import is_plan_heading, is_problem_heading


_LEX = toml("outline.toml")["tasks"]
_TARGETS = frozenset(_LEX["target_headings"])
_ANALYSIS = lexicon.compiled(_LEX["analysis_words"])
_OPENINGS = tuple(_LEX["planned_openings"])
_NAME_MAX = _LEX["section_name_len"]
_HEADING_MAX = toml("meta.toml")["sections"]["max_heading_len"]


def _bare(heading) -> str:
    """A heading without its punctuation and spaces, for whole-heading matches."""
    return re.sub(r"[\s,，、:：。.]", "", heading or "")


def section_name(heading) -> str:
    """The name a heading starts with: a heading that ran into its body on a flattened line
    ("下一步工作打算我局将继续…") is judged by its first words, as long as a section name."""
    h = (heading or "").strip()
    return h if len(h) <= _HEADING_MAX else re.split(r"[,，]", h, maxsplit=1)[0][:_NAME_MAX]


def is_target_heading(heading) -> bool:
    """A heading that is exactly a targets section (工作任务, 总体目标): its items are planned."""
    return _bare(heading) in _TARGETS


def is_analysis_heading(heading) -> bool:
    """A short heading of analysis, not work (林业有害生物发生及危害趋势)."""
    return bool(heading) and len(heading) <= 30 and bool(_ANALYSIS.search(heading))


_TOC = re.compile(r"^[ \t\u3000]*(?:" + lexicon.alternation(_LEX["contents_labels"])
                  + r")[^\n]*\n.*?^[ \t\u3000]*(?:…+|\.{3,})[ \t\u3000]*$", re.M | re.S)


def contents_spans(original: str) -> list[tuple[int, int]]:
    """Spans of a table of contents ("目录/提纲:" … a line of "……"): its entries repeat the
    headings of the report below it and are no work items."""
    return [m.span() for m in _TOC.finditer(original)]


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
    contents = contents_spans(original)
    rows = []
    for r in _tree(outline):
        chain = r["parents"] + [r]
        # The innermost heading about problems or plans decides: "存在问题及下一步打算" is plans.
        # Every enclosing item is a heading ("1、下步打算" with (1)(2) under it), the item itself only at level 1–2.
        decisive = next((c for c in reversed(chain) if (c["level"] < 3 or c is not r) and (
            is_plan_heading(section_name(c["heading"]))
            or is_problem_heading(section_name(c["heading"]), c["level"]))), None)
        if not r["leaf"] or decisive is not None and not is_plan_heading(section_name(decisive["heading"])) \
                or any(is_analysis_heading(c["heading"]) for c in chain if c["level"] < 3 or c is not r):
            continue
        heads = {lvl: next((c["heading"] for c in reversed(chain) if c["level"] == lvl), None) for lvl in (1, 2)}
        s, e = _content(original, r)
        text = original[s:e]
        if not text.strip() or any(a <= s < b for a, b in contents):
            continue
        planned = plan_report or decisive is not None or text.startswith(_OPENINGS) \
            or any(is_target_heading(c["heading"]) for c in chain if c["level"] < 3 or c is not r)
        rows.append(dict(
            report_id=report_id, section=heads[1], subsection=heads[2],
            item=r["marker"] if r["level"] == 3 else None, text=text,
            status="planned" if planned else "done",
            category=classify([(norm.text[norm.to_norm(s):norm.to_norm(e)], 3), (heads[2] or "", 2),
                               (heads[1] or "", 1), (meta.get("title") or "", 0.5)], votes=seen_votes),
            start=s, end=e))
    return rows
