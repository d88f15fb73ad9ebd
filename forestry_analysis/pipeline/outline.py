"""The report's outline (一、 / (一) / 一是 …) and its sentences, as tables with original offsets.

Markers are found in the normalised text at a line start or after a sentence end (一是 also
after a comma: "工作中,一是抓任务分解"), nested by marker family (a new family opens a
level below the current item, a family already open closes everything inside it), and
mapped back with ``Normalized.span``. Sentences tile the whole original text so that any
offset can be located in exactly one sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from forestry_analysis import lexicon
from forestry_analysis.lexicon import toml
from forestry_analysis.pipeline.quantities.numbers import chinese_value

_CN = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# The leading lookahead names every character a marker can start with, so the alternatives
# are tried only there (5× faster than trying them all at every position).
_MARKER = re.compile(
    rf"(?=[{_CN}(〔【\d{_CIRCLED}\u3220-\u3229\u2488-\u249b\u2474-\u2487])"
    rf"(?:(?P<l1>[{_CN}]{{1,3}})、(?![{_CN}]{{1,3}}、)"
    rf"|[(〔【](?P<l2>[{_CN}]{{1,3}})[)〕】]、?"
    rf"|(?P<shi>[{_CN}]{{1,3}})是(?!否|不是|非)"
    r"|(?<![\d.])(?P<dot>\d{1,2})[、.](?!\d)"
    r"|\((?P<paren>\d{1,2})\)"
    rf"|(?P<circle>[{_CIRCLED}])"
    "|(?P<l2e>[\u3220-\u3229])"      # ㈠ … ㈩: (一) in one character
    "|(?P<dote>[\u2488-\u249b])"     # ⒈ … ⒛: 1. in one character
    "|(?P<parene>[\u2474-\u2487]))")  # ⑴ … ⒇: (1) in one character
# One-character markers: the family they stand for and the code point of their 1.
_ENCLOSED = {"l2e": ("l2", 0x3220), "dote": ("dot", 0x2488), "parene": ("paren", 0x2474)}
_LEVEL = {"l1": 1, "l2": 2}
# Families that open an item after a plain space too (text flattened onto one line: "情况 (一)造林").
_AFTER_SPACE = ("l2", "l2e", "paren", "parene", "shi")
# A sentence end, in either width ("simple" copies of the text keep full-width marks); "?" in
# a placeholder run ("???万亩") is not one. A full sentence runs on past ";".
_FULL_STOP = r"(?:[。!！]|(?<![?？])[?？](?![?？\dxX*万亿千百十]))"
_TERM = rf"(?:[;；]|{_FULL_STOP})"
_CLOSERS = r"[\"')\]》”’）]*"   # quotes and brackets closing after the mark stay with the sentence
_SENTENCE_END = {False: re.compile(rf"(?=[;；。!！?？]){_TERM}+{_CLOSERS}"),
                 True: re.compile(rf"(?=[。!！?？]){_FULL_STOP}+{_CLOSERS}")}
_HEAD_END = re.compile(_TERM + r"|\n")
_NEWLINE = re.compile(r"\n")


def sentence_ends(text: str, full: bool = False, lines: bool = True, pos: int = 0,
                  endpos: int | None = None) -> list[int]:
    """Sorted offsets right after each sentence end in ``text[pos:endpos]``: 。!? and ; (only
    。!? when ``full``), and line breaks when ``lines``. The one sentence splitter: the
    sentences table, metric kinds, relations and completion pairs all cut here."""
    if pos == 0 and endpos is None:
        return list(_whole_text_ends(text, full, lines))
    return _ends(text, full, lines, pos, len(text) if endpos is None else endpos)


@lru_cache(maxsize=8)
def _whole_text_ends(text: str, full: bool, lines: bool) -> tuple[int, ...]:
    """A whole text's ends, found once: metrics, relations, completion and the sentences
    table all cut the same report text."""
    return tuple(_ends(text, full, lines, 0, len(text)))


def _ends(text: str, full: bool, lines: bool, pos: int, endpos: int) -> list[int]:
    ends = [m.end() for m in _SENTENCE_END[full].finditer(text, pos, endpos)]
    if lines:
        ends = sorted(set(ends).union(m.end() for m in _NEWLINE.finditer(text, pos, endpos)))
    return ends


def sentence_start(text: str, pos: int, lo: int = 0, full: bool = True) -> int:
    """Where the sentence holding ``pos`` starts, looking back no further than ``lo``."""
    ends = sentence_ends(text, full, True, lo, pos)
    return ends[-1] if ends else lo


_STOPS = "。!?;:"
_HEAD_MAX = 16   # a section name run into its first item ("下半年工作计划一是") is at most this long


_LEX = toml("outline.toml")["markers"]
_FOOTNOTE = lexicon.compiled(_LEX["footnote_labels"], tail=r"\s*[:：]")
_CELLS = tuple(_LEX["cell_separators"])
_VERSE = re.compile("|".join(rf"[\u4e00-\u9fff]{{{n}}}(?:[,，][\u4e00-\u9fff]{{{n}}})+[。!？?]?"
                             for n in _LEX["verse_clause_lengths"]))


def _line_at(text: str, i: int, lo: int, hi: int) -> tuple[int, int]:
    """(start, end) of the line holding position ``i``, kept inside ``lo``..``hi``."""
    a = text.rfind("\n", lo, i) + 1 or lo
    b = text.find("\n", i, hi)
    return max(a, lo), hi if b < 0 else b


def not_an_item(text: str, m: re.Match, lo: int, hi: int) -> bool:
    """A numbered token that is no outline item: a page number alone on its line (document
    sharing sites number their page previews "1、"), a row of a statistics table, a footnote
    ("填报说明:1.…"), or a proverb or blurb ("1、宝剑锋从磨砺出,梅花香自苦寒来。")."""
    a, b = _line_at(text, m.start(), lo, hi)
    rest = text[m.end():b].strip()
    if not rest and m.lastgroup in ("dot", "dote", "paren", "parene", "circle"):
        return True
    line = text[a:b]
    return any(c in line for c in _CELLS) or bool(_FOOTNOTE.match(line.lstrip())) \
        or bool(_VERSE.fullmatch(rest))


@dataclass(slots=True)
class Marker:
    """One outline item in normalised offsets (``end`` set when a later item closes it)."""
    level: int
    family: str
    marker: str
    ordinal: int
    start: int
    end: int
    heading: str


def cn_number(s: str) -> int:
    """Value of a Chinese numeral marker (三 → 3, 十二 → 12); 0 when it is not one."""
    return int(chinese_value(s) or 0)


def _context(text: str, i: int, lo: int) -> str | None:
    """What precedes position ``i``: 'line' (line start), 'gap' (sentence end + a space),
    'sentence' (a sentence end), 'comma', 'space' (a space after a word), or None."""
    j = i
    while j > lo and text[j - 1] in " \t":
        j -= 1
    if j == lo or text[j - 1] in "\n\r":
        return "line"
    if text[j - 1] in _STOPS or text[j - 1] == '"' and j - 2 >= lo and text[j - 2] in _STOPS:
        return "gap" if i > j else "sentence"   # a space after 。: a line break flattened away
    if text[j - 1] == ",":
        return "comma"
    return "space" if i > j else None


def _opens_heading(text: str, items: list, i: int) -> bool:
    """Position ``i`` follows a section or subsection marker on its line with only a short
    heading between them (no sentence end, no comma)."""
    if not items or items[-1].level > 2:
        return False
    gap = text[items[-1].start + len(items[-1].marker):i]
    return 0 < len(gap) <= _HEAD_MAX and "\n" not in gap and not re.search(r"[。!?;:,]", gap)


def find_markers(text: str, start: int = 0, end: int | None = None) -> tuple[Marker, ...]:
    """Outline items between normalised ``start`` and ``end``, nested and with their ends."""
    end = len(text) if end is None else end
    items: list[Marker] = []
    stack: list[Marker] = []
    last = {"l1": 0, "l2": 0}   # ordinal of the last section and subsection
    for m in _MARKER.finditer(text, start, end):
        fam = m.lastgroup
        ctx = _context(text, m.start(), start)
        num = m.group(fam)
        if fam in _ENCLOSED:
            fam, first = _ENCLOSED[fam]
            ordinal = ord(num) - first + 1
        else:
            ordinal = _CIRCLED.index(num) + 1 if fam == "circle" else int(num) if num.isascii() else cn_number(num)
        if ctx == "sentence" and fam in _LEVEL and ordinal == last[fam] + 1 > 1:
            ctx = "gap"        # a flattened page: "…。三、下一步打算" continues the sequence
        elif ctx is None and fam == "shi" and ordinal == 1 and _opens_heading(text, items, m.start()):
            ctx = "gap"        # "二、下半年工作计划一是…": the first item runs into its heading
        if ctx is None or (fam in _LEVEL and ctx in ("sentence", "comma")) or (ctx == "comma" and fam != "shi") \
                or (ctx == "space" and fam not in _AFTER_SPACE) or not_an_item(text, m, start, end):
            continue
        if fam in _LEVEL:
            last[fam] = ordinal
            if fam == "l1":
                last["l2"] = 0
        level = _LEVEL.get(fam, 3)
        family = "arabic" if fam == "dot" else fam
        h = _HEAD_END.search(text, m.end(), end)
        heading = text[m.end():h.start() if h else end].strip()
        item = Marker(level, family, m.group(), ordinal, m.start(), end, heading)
        if level < 3:
            while stack and _LEVEL.get(stack[-1].family, 3) >= level:
                stack.pop().end = m.start()
        elif any(s.family == family for s in stack):
            while stack:
                top = stack.pop()
                top.end = m.start()
                if top.family == family:
                    break
        stack.append(item)
        items.append(item)
    for item, nxt in zip(items, items[1:]):   # a heading ends where the next item begins
        if item.start + len(item.marker) + len(item.heading) > nxt.start:
            item.heading = text[item.start + len(item.marker):nxt.start].strip()
    return tuple(items)


def body_markers(norm, start: int, end: int) -> tuple[Marker, ...]:
    """``find_markers`` of a report's body, found once per report: the report kind (in
    ``meta``) and the outline both read them. Shared, so callers must not change them."""
    key = ("markers", start, end)
    if key not in norm.memo:
        norm.memo[key] = find_markers(norm.text, start, end)
    return norm.memo[key]


def outline_rows(norm, report_id, body_start: int, body_end: int) -> list[dict]:
    """One row per heading or enumerated item in the body (schema 'outline', original offsets)."""
    rows = []
    for it in body_markers(norm, body_start, body_end):
        s, e = norm.span(it.start, it.end)
        rows.append(dict(report_id=report_id, level=it.level, marker=it.marker, ordinal=it.ordinal,
                         heading=it.heading, start=s, end=e))
    return rows


def _cuts(norm, outline: list[dict], meta: dict) -> list[int]:
    """Sorted original offsets where a sentence starts."""
    text = norm.text
    cuts = sentence_ends(text)
    bounds = [meta.get("body_start"), meta.get("body_end")]
    for key in ("title_span", "signature_span"):
        if meta.get(key):
            bounds += list(meta[key])
    cuts += [b for b in bounds if b is not None]
    if norm._cuts:
        cuts = [norm.orig(c) for c in cuts]
    cuts += [r["start"] for r in outline]
    n = len(norm.original)
    return sorted({min(max(int(c), 0), n) for c in cuts} | {0, n})   # plain ints: a few dozen, numpy costs more


def _segments(original: str, bounds: list[int]) -> list[tuple[int, int]]:
    """Spans between cuts; whitespace-only spans are joined to the sentence before them."""
    spans: list[list[int]] = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        if spans and (not original[s:e].strip() or not original[spans[-1][0]:spans[-1][1]].strip()):
            spans[-1][1] = e
        else:
            spans.append([s, e])
    return [(s, e) for s, e in spans]


class _Parts:
    """``part`` of a sentence start (title, signature, preamble, body, trailer), bounds mapped once."""

    def __init__(self, meta: dict, norm):
        def orig_span(span):
            return None if span is None else (norm.orig(span[0]), norm.orig(span[1]))
        self.title = orig_span(meta.get("title_span"))
        self.signature = orig_span(meta.get("signature_span"))
        self.body_start = norm.orig(meta.get("body_start", 0))
        self.body_end = norm.orig(meta.get("body_end", len(norm.text)))

    def __call__(self, s: int) -> str:
        if self.title is not None and self.title[0] <= s < self.title[1]:
            return "title"
        if self.signature is not None and self.signature[0] <= s < self.signature[1]:
            return "signature"
        if s < self.body_start:
            return "preamble"
        if s >= self.body_end:
            return "trailer"
        return "body"


def sentence_rows(norm, report_id, outline: list[dict], meta: dict) -> list[dict]:
    """Sentences tiling the original text (schema 'sentences'), with part and outline path.

    Splits after 。!?; and newlines and before every outline marker; each sentence carries
    the level-1/level-2 headings in force and the markers of the items that enclose it.
    ``text`` is exactly ``original[start:end]`` (trailing whitespace included).
    """
    original = norm.original
    items = sorted(outline, key=lambda it: it["start"])
    part = _Parts(meta, norm)
    rows, active, k = [], [], 0
    last, section, subsection, path = None, None, None, None
    for sid, (s, e) in enumerate(_segments(original, _cuts(norm, outline, meta))):
        while k < len(items) and items[k]["start"] <= s:
            while active and active[-1]["end"] <= items[k]["start"]:
                active.pop()
            active.append(items[k])
            k += 1
        while active and active[-1]["end"] <= s:
            active.pop()
        enclosing = [it for it in active if it["start"] <= s < it["end"]]
        if last is None or len(enclosing) != len(last) or any(a is not b for a, b in zip(enclosing, last)):
            last = enclosing   # headings and path change only when the enclosing items do
            section, subsection = (next((it["heading"] for it in reversed(enclosing) if it["level"] == lvl), None)
                                   for lvl in (1, 2))
            path = " > ".join(it["marker"] for it in enclosing) or None
        seg = original[s:e]
        lead = len(seg) - len(seg.lstrip())
        rows.append(dict(report_id=report_id, sentence_id=sid, part=part(s + lead),
                         section=section, subsection=subsection, path=path,
                         text=seg, start=s, end=e))
    return rows


def locate(sentences, offset):
    """Row position (iloc) of the sentence holding original ``offset`` (scalar or array)."""
    starts = sentences["start"].to_numpy(dtype=np.int64)
    pos = np.searchsorted(starts, np.asarray(offset), side="right") - 1
    pos = np.clip(pos, 0, max(len(starts) - 1, 0))
    return int(pos) if np.ndim(pos) == 0 else pos
