"""How metric rows relate: ids, totals and their parts, rates and what they measure, restatements.

Why: a row is right on its own, but a sum over rows misleads unless it knows that "其中一般火灾15起"
is a part of "共发生森林火灾19起", that "为发生面积的96%" is a coverage and not a completion, and
that the opening summary's "造林11.4万亩" is repeated in the detail. ``relate(rows, text)`` adds
to each metric row (offsets into ``text``):

- ``metric_id``: its position in the report (1-based; rows are in text order, so stable);
- ``part_of``: the total it is a part of (a 其中/包括/分别为 clause after a total, or a list
  followed by 合计/共计), only when the parts do not add up to more than the total;
- ``rate_type`` (completion, share, coverage, change, level), ``rate_of`` (the quantity the rate
  is of) and ``rate_base`` (its denominator, when the sentence states it) for rates;
- ``restates``: an earlier row of another sentence with the same indicator, kind, value and unit.

Cue words are in ``lexicon/relations.toml``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from functools import lru_cache

from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import to_simplified
from forestry_analysis.pipeline.outline import sentence_ends, sentence_start
from forestry_analysis.pipeline.quantities.units import units



@lru_cache(maxsize=1)
def words() -> dict:
    return lexicon.toml("relations.toml")


def family(row) -> str | None:
    """The unit family of a row (area, money, count …), the unit itself when unknown."""
    u = row.get("unit")
    if u is None:
        return None
    known = units().get(u)
    return known.family if known else u


def addable(a, b) -> bool:
    """Whether rows ``a`` and ``b`` may be added, so one can be a part of the other: areas of
    any unit (both convert to 亩), any other family only in the same unit (6个村 is no part of
    131把铁锹), as ``summary.summarize`` adds them."""
    fa_, fb = family(a), family(b)
    return fa_ is not None and fa_ == fb and (fa_ == "area" or a.get("unit") == b.get("unit"))


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _is_rate(row) -> bool:
    return row.get("kind") == "rate" or family(row) in ("percent", "ratio")


def _quantity(row) -> float | None:
    """The value in the family's base unit (areas in 亩)."""
    area = _num(row.get("area_mu"))
    return area if area is not None else _num(row.get("value"))


def relate(rows: list[dict], text: str, simple: str | None = None) -> list[dict]:
    """Add the relation columns to ``rows`` (in place) and return them."""
    simple = simple if simple is not None and len(simple) == len(text) else to_simplified(text)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["start"], rows[i]["end"]))
    for n, i in enumerate(order, 1):
        rows[i].update(metric_id=n, part_of=None, rate_of=None, rate_base=None, rate_type=None, restates=None)
    by_sentence: dict = {}
    for i in order:
        by_sentence.setdefault(rows[i].get("sentence_id"), []).append(rows[i])
    # Parts are read per full sentence (to 。 or a line end): a 其中 list may run on past ；.
    ends = sentence_ends(simple, full=True)
    by_full: dict = {}
    for i in order:
        k = bisect_right(ends, rows[i]["start"])
        by_full.setdefault(ends[k - 1] if k else 0, []).append(rows[i])
    _unit_glosses([rows[i] for i in order], simple)
    earlier: list = []
    for start, members in by_full.items():
        members = [r for r in members if r["restates"] is None]   # a gloss is neither part nor total
        if members:
            _parts(members, simple, start, earlier)
            earlier = members
    _table_totals([rows[i] for i in order], simple)
    _cell_totals([rows[i] for i in order])
    for members in by_sentence.values():
        _rates(members, simple)
    _shares_of_a_total([rows[i] for i in order])
    _restatements([rows[i] for i in order])
    return rows


def _unit_glosses(rows, simple):
    """590.99万公顷(8865万亩): the same quantity again in brackets in another unit of its family
    restates it (counted once), when the two agree within half a percent."""
    for a, b in zip(rows, rows[1:]):
        if simple[a["end"]:b["start"]] not in ("(", "（") or simple[b["end"]:b["end"] + 1] not in (")", "）"):
            continue
        qa, qb = _quantity(a), _quantity(b)
        if family(a) == family(b) and a["unit"] != b["unit"] and a.get("kind") == b.get("kind") \
                and qa and qb and abs(qa - qb) <= 0.005 * max(qa, qb):
            b["restates"] = a["metric_id"]


def _shares_of_a_total(rows, reach=30):
    """占全部造林面积的58% after 西部…342.77万公顷: a share whose value matches the quantity it is
    of against an earlier total (of its family and kind, within ``reach`` rows) makes that
    quantity a part of the total."""
    index = {id(r): i for i, r in enumerate(rows)}
    by_id = {r["metric_id"]: r for r in rows}
    for r in rows:
        q = by_id.get(r["rate_of"]) if r["rate_type"] == "share" else None
        share = _num(r.get("value"))
        if q is None or q["part_of"] is not None or not share or r.get("unit") != "%":
            continue
        vq = _quantity(q)
        for t in reversed(rows[max(0, index[id(q)] - reach):index[id(q)]]):
            vt = _quantity(t)
            if t["part_of"] is None and t["restates"] is None and t["rate_type"] is None and \
                    t.get("kind") == q.get("kind") and addable(t, q) and vq and vt and vq < vt and \
                    abs(vq / vt * 100 - share) <= max(0.5, 0.01 * share):
                q["part_of"] = t["metric_id"]
                break


def _clause_end(simple, pos, limit):
    ends = [simple.find(c, pos, limit) for c in words()["part"]["list_end"]]
    ends = [e for e in ends if e >= 0]
    return min(ends) if ends else limit


def _fits(total, parts) -> bool:
    """Parts of one family whose known values do not add up to more than their total, each
    smaller than it (a lost number: the cue alone decides)."""
    t = _quantity(total)
    vals = [v for v in map(_quantity, parts) if v is not None]
    if t is None:
        return True
    return sum(vals) <= t * 1.001 + 1e-9 and all(v < t * 0.999 for v in vals)


def _complete(total, parts) -> bool:
    """The known parts already add up to the total: no further row is a part."""
    t = _quantity(total)
    vals = [_quantity(p) for p in parts]
    return t is not None and bool(vals) and None not in vals and abs(sum(vals) - t) <= t * 0.001


def _parts(members, simple, start, earlier=()):
    """part_of for the rows of the full sentence starting at ``start``; a sentence opening with
    其中 breaks down the last total of the sentence before (``earlier``)."""
    cues = words()["part"]
    lo, hi = members[0]["start"], members[-1]["end"]
    opening = simple[start:lo].lstrip()
    if earlier and any(opening.startswith(c) for c in cues["breakdown"]):
        members = list(earlier) + members
        lo = earlier[-1]["end"]
    quantities = [r for r in members if not _is_rate(r)]
    if len(quantities) < 2:
        return
    _bracket_parts(quantities, simple, hi)
    for cue in cues["breakdown"]:
        pos = simple.find(cue, lo, hi)
        while pos >= 0:
            _cue_parts(quantities, simple, cue, pos, hi)
            pos = simple.find(cue, pos + len(cue), hi)
    _list_totals(quantities, simple, lo, cues)


def _bracket_parts(quantities, simple, hi):
    """"26000亩(种植业20000亩,补植补造6000亩)": a bracket right after a quantity breaks it down."""
    for total in quantities:
        if simple[total["end"]:total["end"] + 1] not in ("(", "（"):
            continue
        closes = [e for e in (simple.find(c, total["end"], hi + 1) for c in ")）") if e >= 0]
        inside = [r for r in quantities if total["end"] < r["start"] and r["end"] <= min(closes, default=-1)
                  and addable(r, total) and r["kind"] == total["kind"] and r["part_of"] is None]
        if inside and _fits(total, inside):
            for r in inside:
                r["part_of"] = total["metric_id"]


def _cue_parts(quantities, simple, cue, pos, hi):
    """其中 / 包括 / 分别为 (``cue`` at ``pos``) after a total: the parts follow, up to the clause's
    (or bracket's) end, as many as do not add up to more than the total."""
    before = [r for r in quantities if r["end"] <= pos]
    after = [r for r in quantities if r["start"] > pos]
    if not (before and after):
        return
    same = [r for r in before if r["kind"] == after[0]["kind"] and addable(r, after[0])]
    total = (same or before)[-1]
    listed = simple[pos + len(cue):pos + len(cue) + 1] in (":", "：")   # "其中:" lists to the sentence end
    end = hi + 1 if listed else _clause_end(simple, pos, hi + 1)
    opened = max(simple.rfind(c, total["end"], pos) for c in "(（")
    if opened >= 0:
        closes = [e for e in (simple.find(c, pos, hi + 1) for c in ")）") if e >= 0]
        end = min(closes) if closes else end
    parts = []
    for r in quantities:
        if pos < r["start"] < end and addable(r, total) and r["kind"] == total["kind"] \
                and r["part_of"] is None and r is not total:
            if _complete(total, parts) or not _fits(total, parts + [r]):
                break
            parts.append(r)
    for r in parts:
        r["part_of"] = total["metric_id"]


def _list_totals(quantities, simple, lo, cues):
    """A list then 合计/共计: the row right after the cue is the total of the rows before it."""
    total_word = lexicon.compiled(cues["total_after"])
    for total in quantities:
        gap = simple[max(lo, total["start"] - 8):total["start"]]
        if not total_word.search(gap):
            continue   # every reading below needs a total word in the gap
        cut = max(gap.rfind(c) for c in "，,、；;。")
        gap = gap[cut + 1:]
        if not any(gap.startswith(w) or gap.endswith(w) or w in gap[:3] for w in cues["total_after"]):
            continue
        start = max([lo] + [simple.rfind(c, lo, total["start"]) for c in cues["list_end"]])
        parts = [r for r in quantities if start <= r["start"] and r["end"] <= total["start"] - len(gap)
                 and addable(r, total) and r["part_of"] is None]
        if len(parts) >= 2 and _fits(total, parts):
            for r in parts:
                r["part_of"] = total["metric_id"]


def _line(simple, pos):
    """(start, end) of the line holding ``pos``."""
    return simple.rfind("\n", 0, pos) + 1, (simple.find("\n", pos) + 1 or len(simple) + 1) - 1


def _table_totals(rows, simple):
    """A table's 合计 row: the total of the rows above it in the same column, up to the first
    line without such a row (the header)."""
    if "\t" not in simple and "  " not in simple:
        return   # no line of aligned columns, so no 合计 row of one
    cues = words()["part"]["table_total"]
    for k, total in enumerate(rows):
        ls, _ = _line(simple, total["start"])
        head = simple[ls:total["start"]]
        if not any(head.lstrip().startswith(c) for c in cues) or "\t" not in head and "  " not in head:
            continue
        column = head.count("\t")
        parts, line = [], ls
        for r in reversed(rows[:k]):
            rs, re_ = _line(simple, r["start"])
            if rs == ls or not addable(r, total) or r["part_of"] is not None \
                    or simple[rs:r["start"]].count("\t") != column:
                continue
            if simple.count("\n", re_, line) > 1:
                break   # a line between without a row of this column: the table's top
            parts.append(r)
            line = rs
        if len(parts) >= 2 and _fits(total, parts):
            for r in parts:
                r["part_of"] = total["metric_id"]


def _cell_totals(rows):
    """A statistics-table cell is a part of the cell in its column of the 合计/小计 row that sums
    its row (``table_total_row``, found by the table parser), when the parts do not add up to
    more than that total."""
    at = {(r["table_id"], r["table_row"], r["table_col"]): r for r in rows if r.get("table_id") is not None}
    groups: dict = {}
    for r in rows:
        if r.get("table_total_row") is None or r["part_of"] is not None:
            continue
        total = at.get((r["table_id"], r["table_total_row"], r["table_col"]))
        if total is not None and total is not r and addable(total, r) and total["kind"] == r["kind"]:
            groups.setdefault(id(total), (total, []))[1].append(r)
    for total, parts in groups.values():
        if _fits(total, parts):
            for r in parts:
                r["part_of"] = total["metric_id"]


def rate_type(before: str, indicator: str) -> str:
    """The type of a rate from the words just before it and its indicator."""
    w = words()["rate"]
    both = before + indicator
    if any(c in before for c in w["change"]):
        return "change"
    if any(c in both for c in w["level_indicators"]):
        return "level"
    if any(c in both for c in w["coverage"]):
        return "coverage"
    if any(c in before for c in w["completion"]) or "完成率" in indicator:
        return "completion"
    if any(c in before for c in w["share"]):
        return "share"
    return "level"


def _before(simple, r, lo=0):
    """Up to ``window`` characters before a rate, within its sentence, after ``lo``."""
    return simple[sentence_start(simple, r["start"], max(lo, r["start"] - words()["rate"]["window"])):r["start"]]


def _rates(members, simple):
    """rate_type, rate_of and rate_base for the rates of one sentence."""
    lo, prev, last = members[0]["start"], 0, None
    floor = sentence_start(simple, lo, max(0, lo - words()["rate"]["window"]), full=False)   # not back past a ;
    for r in members:
        if _is_rate(r):
            gap = simple[prev:r["start"]]
            if last is not None and last["end"] == prev and len(gap) <= 2 and set(gap) <= set("和及与、,，"):
                r["rate_type"] = last["rate_type"]   # "分别占年计划的110%和106%"
            else:
                r["rate_type"] = rate_type(_before(simple, r, last["end"] if last else floor), r.get("indicator") or "")
            last = r
        prev = r["end"]
    rates = [r for r in members if r["rate_type"] is not None]
    quantities = [r for r in members if r["rate_type"] is None and r.get("kind") != "rate"
                  and r["restates"] is None]   # a unit gloss (8865万亩) is no quantity of its own
    # "完成育苗1105亩,义务植树212万株,分别占年计划的110%和106%": the n rates go to the last n quantities.
    resp = [r for r in rates if "分别" in _before(simple, r, lo) and r["rate_type"] != "level"]
    if resp:
        follow = [r for r in rates if r["start"] >= resp[0]["start"] and r["rate_type"] == resp[0]["rate_type"]]
        acts = [q for q in quantities if q["end"] <= resp[0]["start"] and q.get("kind") == "actual"
                and q["part_of"] is None]
        for q, r in zip(acts[-len(follow):], follow):
            r["rate_of"] = q["metric_id"]
    for r in rates:
        if r["rate_type"] == "level" or r["rate_of"] is not None:
            continue
        before = [q for q in quantities if q["end"] <= r["start"]]
        if r["rate_type"] == "change":
            if before:
                r["rate_of"] = before[-1]["metric_id"]
            continue
        actuals = [q for q in before if q.get("kind") == "actual"]
        if r["rate_type"] == "coverage":
            base_words = words()["rate"]["coverage_base"]

            def is_base(q):
                named = simple[max(lo, q["start"] - 8):q["end"]] + (q.get("indicator") or "")
                return any(w in named for w in base_words)
            treated = [q for q in actuals if not is_base(q)]
            bases = [q for q in before if is_base(q)]
            if treated:
                r["rate_of"] = treated[-1]["metric_id"]
            if bases and (not treated or family(bases[-1]) == family(treated[-1])):
                r["rate_base"] = bases[-1]["metric_id"]
            continue
        # completion / share: the total (not its part) before the rate, and a plan of its unit;
        # a rate in brackets right after a quantity is that quantity's (52000亩(任务完成率100%)).
        tops = [q for q in actuals if q["part_of"] is None]
        actual = _bracketed(simple, actuals, r) or (tops or actuals or [None])[-1]
        if actual is not None:
            r["rate_of"] = actual["metric_id"]
        if r["rate_type"] == "completion":
            plans = [q for q in before if q.get("kind") == "plan" and
                     (actual is None or family(q) == family(actual))]
            plans = [q for q in plans if q["part_of"] is None] or plans   # the total's plan, not a part's
            if plans:
                r["rate_base"] = plans[-1]["metric_id"]


def _bracketed(simple, quantities, rate):
    """The last of ``quantities`` when ``rate`` stands in the bracket opened right after it."""
    if not quantities:
        return None
    q = quantities[-1]
    inside = simple[q["end"] + 1:rate["start"]]
    opened = simple[q["end"]:q["end"] + 1] in ("(", "（")
    return q if opened and not any(c in inside for c in "()（）") else None


def _restatements(rows):
    """restates: the same indicator, kind, value and unit stated in an earlier sentence (exact
    quantities only: rates and approximate figures repeat by chance; cells of one table never)."""
    seen: dict = {}
    for r in rows:
        v = _num(r.get("value"))
        ind = r.get("indicator_id") or r.get("indicator")
        if v is None or not ind or r.get("missing") or r.get("approx") or r["rate_type"] is not None:
            continue
        key = (ind, r.get("kind"), v, r.get("unit"), _num(r.get("value_high")))
        first = seen.get(key)
        if first is None:
            seen[key] = r
        elif first.get("sentence_id") != r.get("sentence_id") and not _same_table(first, r):
            r["restates"] = first["metric_id"]


def _same_table(a, b) -> bool:
    """Two cells of one table: equal figures there are different cells, never a repeat."""
    t, u = a.get("table_id"), b.get("table_id")
    return isinstance(t, int) and t == u


def _fraction(rate) -> float | None:
    v = _num(rate.get("value"))
    per = {"%": 100, "‰": 1000}.get(rate.get("unit"))
    return None if v is None or per is None else v / per


def coverage_rows(rows: list[dict]) -> list[dict]:
    """Coverage table rows (schema 'coverage'): each coverage rate with its treated and base
    quantities, from metric rows that carry the relation columns (one report or many)."""
    by_id = {(r.get("report_id"), r.get("metric_id")): r for r in rows}
    out = []
    for r in rows:
        if r.get("rate_type") != "coverage":
            continue
        rid = r.get("report_id")
        treated = by_id.get((rid, r.get("rate_of")))
        base = by_id.get((rid, r.get("rate_base")))
        t = None if treated is None else _quantity(treated)
        b = None if base is None else _quantity(base)
        stated = _fraction(r)
        rate = t / b if t is not None and b else None
        consistent = None
        if rate is not None and stated is not None:
            consistent = abs(rate - stated) <= 0.005 + 1e-9
        side = treated or base

        def span(x, key):
            return None if x is None else x[key]
        out.append(dict(
            report_id=rid, indicator=(side or r).get("indicator") or r.get("indicator"),
            indicator_id=(side or r).get("indicator_id"), category=r.get("category"),
            treated=t, base=b, unit=None if side is None else ("亩" if _num(side.get("area_mu")) is not None
                                                                else side.get("unit")),
            rate=rate, stated_rate=stated, consistent=consistent,
            treated_start=span(treated, "start"), treated_end=span(treated, "end"),
            base_start=span(base, "start"), base_end=span(base, "end"),
            rate_start=r["start"], rate_end=r["end"]))
    return out
