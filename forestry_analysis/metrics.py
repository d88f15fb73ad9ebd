"""Quantity mentions → the metrics table and the ledger of every number-like token.

Works on the normalised text (``normalize.Normalized``) and maps every span back to the
original. Steps: scan number tokens; decide for each whether it is a quantity (a unit or
classifier follows) or not (year, ordinal, slogan, title, name, …, each with a reason); find
units whose number was lost or hidden by a placeholder; then give every quantity its
indicator (the report's words), kind (actual/plan/rate), category and catalogue id.
All word lists live in ``lexicon/``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from . import categories, lexicon_data
from .normalize import closes_before
from .numbers import CN_CHARS, CN_DIGITS, Token, scan
from .units import Unit, match_scale, match_unit, scales, units

_SPACE = " \t"
_CLAUSE_END = frozenset(",;。!\n")                     # bounds the window read for kind
_PHRASE_END = _CLAUSE_END | frozenset(":、()[]\"")    # bounds the indicator phrase
_RATE_CLAUSE_END = _CLAUSE_END | frozenset(":、")     # bounds the clause a rate belongs to
_MARKER = re.compile(r"\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]是")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_YEARS = re.compile(r"(?:\d{2,4}|[\dxX*]{4})\s*年度?|\d{1,2}月(?:\d{1,2}日)?(?:底|初|中旬|末)?|[截止至到]+[^,;。]{0,8}?日")
_PHRASES = lexicon_data.toml("phrases.toml")
_IND = _PHRASES["indicator"]


def _any_of(words, head="", tail="") -> re.Pattern:
    return re.compile(head + "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")" + tail)


_FILLER_HEAD = frozenset(_IND["filler_head"])
_VERBS_ONLY = re.compile("^" + _any_of(_IND["weak_adverbs"]).pattern + "*" + _any_of(_IND["weak_verbs"]).pattern + "*$")
_LEADING_VERB = _any_of(_IND["leading_verbs"])
_AFTER_STOP = _any_of(_IND["after_stops"])
_REFERS_BACK = _any_of(_IND["refers_back"])
_BREAKDOWN = _any_of(_PHRASES["kind"]["breakdown"], head=r"\s*")
_BASE = re.compile(r"\(.*\)$")
_PLAN_NOUN_HEAD = re.compile(_IND["plan_head_pattern"])
_PLAN_NOUN_TAIL = re.compile(_IND["plan_tail_pattern"])
_GROUP_END = re.compile("[。!?\n]")
_OF_RATE = re.compile(r"的\s*(?:[\d.]+|[xX*?]+)\s*[%‰倍]")
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
_PUNCT = re.compile(r"[,;。!?:、()\s\d]")
_BLANK = re.compile(r"(?=[_xX×*?])(?<![A-Za-z0-9])(?:_+|[xX×*?]+)(?![A-Za-z0-9_])")   # a blank where a number goes
_OF_TOTAL = re.compile(r"\s*(占|为|达|完成)")           # a rate of the quantity before it


@dataclass(slots=True)
class Mention:
    start: int                 # normalised offsets
    end: int
    value: float | None        # in base unit
    unit: Unit
    unit_written: str
    approx: bool
    missing: bool
    num_start: int             # where the number (or the lost number) is
    unit_end: int
    high: float | None = None  # upper end of a range (3-5次, 二三十名); value is the lower end
    kind: str = "actual"
    indicator: str = ""
    indicator_id: str | None = None
    category: str = "other"
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=None)
def _alternation(words: tuple, tail: str = "") -> re.Pattern:
    return re.compile("(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")" + tail)


class Words(tuple):
    """A lexicon word list with its longest-first alternation compiled once (``rx``) and the
    length of its longest word; being a tuple, ``text.endswith(words)`` tests every word at once."""

    def __new__(cls, words):
        self = super().__new__(cls, words)
        self.rx = _alternation(tuple(words))
        self.longest = max(map(len, self), default=0)
        return self


def _words(data):
    """The lexicon ``data`` with every list of strings made ``Words``."""
    if isinstance(data, dict):
        return {k: _words(v) for k, v in data.items()}
    if isinstance(data, list) and all(isinstance(w, str) for w in data):
        return Words(data)
    return data


@lru_cache(maxsize=1)
def _rules():
    r = _words(lexicon_data.toml("numbers.toml"))
    k = _words(lexicon_data.toml("kinds.toml"))
    slogans = lexicon_data.lines("slogans.txt")
    return r, k, re.compile("|".join(map(re.escape, sorted(slogans, key=len, reverse=True))))


@lru_cache(maxsize=1)
def _reference():
    """A clause opening that compares the quantity after it: 占, 较, 比 …, or 为 + a plan noun."""
    kinds = _rules()[1]
    return re.compile(rf"\s*(?:{kinds['reference'].rx.pattern}|为[^,;。]{{0,4}}?{kinds['plan_nouns'].rx.pattern})")


def _per(text, pos) -> bool:
    """Whether "/" and a unit follow ``pos`` (0.02次/万公顷, 3次/年): a quantity per something."""
    p = _skip_space(text, pos)
    if text[p:p + 1] != "/":
        return False
    p = _skip_space(text, p + 1)
    sc = match_scale(text, p)
    q = p + len(sc[0]) if sc else p
    return match_unit(text, q) is not None or _starts(text, q, _rules()[1]["per_time"]) is not None


def _starts(text, pos, words):
    """The longest of ``words`` written at ``text[pos:]``, or None."""
    m = (words.rx if isinstance(words, Words) else _alternation(tuple(words))).match(text, pos)
    return m.group() if m else None


_MONTHS = Words(["个月"])
_ABOUT = Words(["以上", "左右", "的", "多"])
_ABOVE = Words(["以上", "左右"])
_WAN = Words(["万"])
_RANGE_DATE = re.compile(r"\s*[-~～至到]\s*(\d{1,4}|[%s]{1,3})\s*" % CN_CHARS)
_DATE_SEP = re.compile(r"[-/.:]\d")
_DIGIT = re.compile(r"\d")


def _skip_space(text, pos, limit=3):
    n = 0
    while pos < len(text) and text[pos] in _SPACE and n < limit:
        pos += 1
        n += 1
    return pos


_TITLE = re.compile(r"《[^《》\n]{0,80}》|〈[^〈〉\n]{0,80}〉")
# The leading lookaheads name the characters a match can start with (tried only there).
_DOC_NUMBER = re.compile(r"(?=[〔\[【\d])(?:[〔\[【]\s*\d{4}\s*[〕\]】]\s*\d+\s*号|\d+\s*号文)")


@lru_cache(maxsize=4)
def _quoted(limit: int) -> re.Pattern:
    return re.compile(r"(?=[\"'])(?:\"([^\"\n]{1,%d})\"|'([^'\n]{1,%d})')" % (limit, limit))


def _regions(text):
    """Spans that hold no metric: 《titles》, 〔document numbers〕, quoted slogans, slogan words."""
    rules, _, slogan_rx = _rules()
    spans = []
    for m in _TITLE.finditer(text):
        spans.append((m.start(), m.end(), "document_title"))
    for m in _DOC_NUMBER.finditer(text):
        spans.append((m.start(), m.end(), "document_number"))
    limit = rules["not_metric"]["quoted_slogan_max"]
    for m in _quoted(limit).finditer(text):
        inner = m.group(1) or m.group(2) or ""
        if any(c in CN_CHARS or c.isdigit() for c in inner):
            spans.append((m.start(), m.end(), "slogan"))
    for m in slogan_rx.finditer(text):
        spans.append((m.start(), m.end(), "slogan"))
    return sorted(spans)


_REGION_MAX = 120   # longest region _regions can produce (a 《title》 of 80 chars plus margin)


def _region_reason(spans, s, e):
    """Reason of the region holding [s, e), if any (``spans`` sorted by start)."""
    i = bisect_right(spans, (s, float("inf"), "")) - 1
    while i >= 0 and spans[i][0] >= s - _REGION_MAX:
        a, b, why = spans[i]
        if a <= s and e <= b:
            return why
        i -= 1
    return None


@lru_cache(maxsize=1)
def _lost_lexicon():
    """What may not stand before a lost number, and the scale words and strong units to look for."""
    nm = _rules()[0]["not_metric"]
    blockers = frozenset(nm["lost_blockers"]) | frozenset(CN_DIGITS) | frozenset("xX×*?")
    strong = sorted((s for s, u in units().items() if u.strong), key=len, reverse=True)
    return blockers, re.compile("(?P<scale>万|亿)|(?P<unit>" + "|".join(map(re.escape, strong)) + ")")


class _Extractor:
    def __init__(self, text, context):
        self.t = text
        self.ctx = context
        self.rules, self.kinds, _ = _rules()
        self.regions = _regions(text)
        self.mentions: list[Mention] = []
        self.ledger: list[dict] = []
        self.consumed = 0
        self.odd_decimals: list[tuple[int, int]] = []
        skip = sorted(getattr(context, "skip_spans", ()))   # statistics tables: read by tables.py
        self.skip_starts, self.skip = [a for a, _ in skip], skip

    def skipped(self, pos) -> bool:
        i = bisect_right(self.skip_starts, pos) - 1
        return i >= 0 and pos < self.skip[i][1]

    # -- the number grammar -------------------------------------------------------------
    def quantity_after(self, pos):
        """(scale word, factor, approx, Unit, end) for a quantity written after a number at pos."""
        t, approx_words = self.t, self.rules["approx"]
        p = _skip_space(t, pos)
        approx = False
        w = _starts(t, p, approx_words["infix"])
        if w:
            approx, p = True, p + len(w)
        unit = match_unit(t, p)
        scale, factor = "", 1.0
        if unit is None:
            sc = match_scale(t, p)
            if sc:
                q = p + len(sc[0])
                w = _starts(t, q, approx_words["infix"])
                if w:
                    approx, q = True, q + len(w)
                q = _skip_space(t, q, 1)
                u2 = match_unit(t, q)
                if u2:
                    scale, factor, unit, p = sc[0], sc[1], u2, q
        if unit is None:
            return None
        end = p + len(unit.surface)
        w = _starts(t, end, approx_words["suffix"])
        if w and not (w == "多" and _HAN.match(t[end + 1:end + 2] or "") and t[end + 1:end + 2] not in "个次"):
            approx = True
        return scale, factor, approx, unit, end

    def wrapped_quantity(self, tok):
        """A quantity whose unit a line break cut off, as in text copied from PDF pages
        ("管护面积达\n12.06\n万亩", "完成造林3000\n亩"); a year ending a line is not one."""
        t = self.t
        brk = _LINE_BREAK.match(t, tok.end)
        if brk is None or tok.form != "arabic" or _YEAR_LIKE.fullmatch(tok.raw):
            return None
        before = t[t.rfind("\n", 0, tok.start) + 1:tok.start].strip(_SPACE)
        if before and not _HAN.match(before[-1]):
            return None
        return self.quantity_after(brk.end())

    def prefix_approx(self, start):
        before = self.t[max(0, start - 4):start].rstrip(_SPACE)
        return before.endswith(self.rules["approx"]["prefix"])

    def not_metric_reason(self, tok: Token):
        """Why a token is not a quantity, or None when it may be one."""
        t, nm = self.t, self.rules["not_metric"]
        why = _region_reason(self.regions, tok.start, tok.end)
        if why:
            return why
        after = _skip_space(t, tok.end, 1)
        if _starts(t, after, nm["date_after"]) and not match_unit(t, after) or \
                _starts(t, after, _MONTHS):
            return "placeholder_year" if tok.form == "placeholder" else "date"
        rng = _RANGE_DATE.match(t[tok.end:tok.end + 12])
        if rng and _starts(t, tok.end + rng.end(), nm["date_after"]) and not match_unit(t, tok.end + rng.end()):
            return "date"
        if _DATE_SEP.match(t, tok.end) and tok.form == "arabic" and \
                (len(tok.raw) == 4 or t[tok.end] == ":"):
            return "date"
        if tok.start and _DIGIT.match(t, tok.start - 1) and t[tok.start - 2:tok.start - 1] in "-/:":
            return "date"
        before = t[max(0, tok.start - 3):tok.start]
        if before.endswith(nm["ordinal_before"]):
            return "ordinal"
        nxt = t[tok.end:tok.end + 1]
        if nxt == "是" and tok.form == "chinese" or nxt == "、" and (tok.form == "chinese" or self.line_start(tok.start)):
            return "ordinal"
        if nxt in (".", "．") and self.line_start(tok.start) and not t[tok.end + 1:tok.end + 2].isdigit():
            return "ordinal"
        if tok.start and t[tok.start - 1] == "(" and nxt == ")":
            return "ordinal"
        if tok.start and t[tok.start - 1] == "年" and _starts(t, tok.end, nm["issue_after"]):
            return "name"   # 2022年11期: a journal issue
        if _starts(t, tok.end, nm["name_after"]):
            return "date" if t[tok.end] == "号" and t[max(0, tok.start - 1):tok.start] == "月" else "name"
        return None

    def formulation_after(self, pos):
        """A pesticide formulation named within a few characters after ``pos`` (20%吡虫啉可湿性粉剂)."""
        nm = self.rules["not_metric"]
        m = nm["formulations"].rx.search(self.t, pos, pos + nm["formulation_window"] + nm["formulations"].longest)
        return m is not None and m.start() - pos <= nm["formulation_window"] and not _PUNCT.search(self.t, pos, m.start())

    def line_start(self, pos):
        i = pos - 1
        while i >= 0 and self.t[i] in _SPACE:
            i -= 1
        return i < 0 or self.t[i] == "\n"

    # -- the main pass ---------------------------------------------------------------
    def run(self):
        tokens = self.join_full_stop_decimals(list(scan(self.t)))
        for i, tok in enumerate(tokens):
            if tok.start < self.consumed or self.skipped(tok.start):
                continue
            self.take(tok, tokens[i + 1] if i + 1 < len(tokens) else None)
        self.blanks()
        self.lost_units()
        self.lost_counts()
        self.mentions.sort(key=lambda m: m.start)
        return self

    def join_full_stop_decimals(self, tokens):
        """"320。9亩": a decimal point typed as 。 between digits, the first with no unit."""
        out = []
        for tok in tokens:
            prev = out[-1] if out else None
            if prev is not None and prev.form == tok.form == "arabic" and prev.end + 1 == tok.start and \
                    self.t[prev.end] == "。" and "." not in prev.raw and tok.raw.isdigit() and \
                    match_unit(self.t, prev.end) is None and self.quantity_after(tok.end) is not None:
                out[-1] = Token(prev.start, tok.end, f"{prev.raw}.{tok.raw}", "arabic",
                                float(f"{prev.raw.replace(',', '')}.{tok.raw}"))
                self.odd_decimals.append((prev.start, tok.end))
                continue
            out.append(tok)
        return out

    def record(self, tok, is_metric, reason, form=None, value=None):
        self.ledger.append(dict(start=tok.start, end=tok.end, raw=tok.raw, form=form or tok.form,
                                value=tok.value if value is None else value, is_metric=is_metric, reason=reason))

    def take(self, tok: Token, nxt: Token | None):
        t = self.t
        if tok.form == "chinese" and tok.value is None:
            if any(c in CN_DIGITS or c == "十" for c in tok.raw):
                self.record(tok, False, "unparsed")   # 十十个: numeral characters, no number
            else:
                self.scale_alone(tok)
            return
        if tok.percent:
            unit = units()["%"]
            self.add(tok.start, tok.end, tok.value, unit, "%", self.prefix_approx(tok.start), False, tok.start)
            self.record(tok, True, "metric")
            return
        why = self.not_metric_reason(tok)
        if why is None and nxt is not None and tok.form != "placeholder":
            if self.range_pair(tok, nxt):
                return
        if why is None and tok.form == "arabic" and t[tok.end:tok.end + 1] == "." and \
                (match_unit(t, tok.end + 1) or match_scale(t, tok.end + 1)):
            q = self.quantity_after(tok.end + 1)
            if q:  # "5.万亩": the digits after the point were lost
                scale, factor, approx, unit, end = q
                self.add(tok.start, end, None, unit, scale + unit.surface, approx, True, tok.start)
                self.record(tok, True, "lost_digits")
                self.consumed = end
                return
        q = self.quantity_after(tok.end) if why is None else None
        if q is None and why is None:
            q = self.wrapped_quantity(tok)
        if why is None and q is None:
            why = self.ratio_cheng(tok) or "no_unit"
            if why == "metric":
                return
        if why is None:
            scale, factor, approx, unit, end = q
            nm = self.rules["not_metric"]
            if tok.form == "chinese" and tok.raw in self.rules["chinese"]["idiomatic"]:
                why = "idiom"
            elif tok.form == "chinese" and tok.raw in self.rules["chinese"]["ordinal_like"]:
                why = "ordinal"
            elif unit.family == "percent" and (_starts(t, end, nm["concentration_after"]) or
                                               self.formulation_after(end)):
                why = "concentration"
            elif not self.ctx.in_body(tok.start):
                why = "boilerplate"
        if why == "no_unit" and tok.form == "placeholder":
            why = "placeholder"
        if why is not None:
            if tok.form == "chinese" and len(tok.raw) == 1 and why in ("no_unit", "name"):
                return  # a numeral inside a word (统一, 进一步): not a number
            self.record(tok, False, why)
            return
        if tok.high is not None:   # 二三十名: both ends, approximate, in one row
            self.add(tok.start, end, tok.value * factor * unit.to_base, unit, scale + unit.surface, True, False,
                     tok.start, high=tok.high * factor * unit.to_base)
            self.record(tok, True, "metric")
            self.consumed = end
            return
        approx = approx or self.prefix_approx(tok.start)
        missing = tok.form == "placeholder"
        value = None if missing else tok.value * factor * unit.to_base
        self.add(tok.start, end, value, unit, scale + unit.surface, approx, missing, tok.start)
        reason = "placeholder" if missing else \
            "metric_decimal_full_stop" if (tok.start, tok.end) in self.odd_decimals else "metric"
        self.record(tok, True, reason)
        self.consumed = end

    def scale_alone(self, tok: Token):
        """近万亩, 上千人次 (approximate); 数万株 (vague, ledgered only). Other lone scale words
        are looked at by ``lost_units``."""
        t, rules = self.t, self.rules["approx"]
        before = t[max(0, tok.start - 2):tok.start]
        approx = next((w for w in rules["scale_approx_before"] if before.endswith(w)), None)
        vague = next((w for w in rules["scale_vague_before"] if before.endswith(w)), None)
        if not (approx or vague) or tok.raw not in scales():
            return
        unit = match_unit(t, tok.end)
        if unit is None:
            return
        if vague:
            self.record(tok, False, "vague")
            self.consumed = tok.end + len(unit.surface)
            return
        value = scales()[tok.raw] * unit.to_base
        self.add(tok.start - len(approx), tok.end + len(unit.surface), value, unit, tok.raw + unit.surface,
                 True, False, tok.start)
        self.record(tok, True, "metric", value=scales()[tok.raw])
        self.consumed = tok.end + len(unit.surface)

    def ratio_cheng(self, tok):
        """九成 → 90%: a Chinese numeral before 成 at a phrase end."""
        t = self.t
        if tok.form != "chinese" or t[tok.end:tok.end + 1] != "成" or not tok.value or tok.value > 10:
            return None
        if t[tok.end + 1:tok.end + 2] not in "" and t[tok.end + 1] not in _PHRASE_END and \
                not _starts(t, tok.end + 1, _ABOUT):
            return None
        end = tok.end + 1
        suffix = _starts(t, end, self.rules["approx"]["suffix"])
        self.add(tok.start, end, tok.value * 10, units()["%"], "成",
                 self.prefix_approx(tok.start) or bool(suffix), False, tok.start)
        self.mentions[-1].unit_end = end + len(suffix or "")
        self.record(tok, True, "metric")
        self.consumed = end
        return "metric"

    def range_pair(self, a: Token, b: Token):
        """3-5次, 1至2个: one row with both ends (value, value_high), approx, sharing the unit
        written after the second (one row, so that sums never count a range twice)."""
        t = self.t
        sep = t[a.end:b.start].strip(_SPACE)
        if sep not in self.rules["range"]["separators"] or a.form != b.form:
            return False
        if self.not_metric_reason(b) is not None:
            return False
        q = self.quantity_after(b.end)
        if q is None or a.value is None or b.value is None:
            return False
        scale, factor, _, unit, end = q
        self.add(a.start, end, a.value * factor * unit.to_base, unit, scale + unit.surface, True, False, a.start,
                 high=b.value * factor * unit.to_base)
        for tok in (a, b):
            self.record(tok, True, "metric")
        self.consumed = end
        return True

    def add(self, start, end, value, unit, written, approx, missing, num_start, high=None):
        m = _alternation(self.rules["approx"]["prefix"], "$").search(self.t, max(0, start - 4), start)
        s = m.start() if m else start
        self.mentions.append(Mention(s, end, value, unit, written, approx, missing, num_start, end, high=high))

    # -- lost numbers -----------------------------------------------------------------
    def blanks(self):
        """A template blank or a lone placeholder mark where the number should be: 造林____万亩,
        成活率__%, 护林员X名, 投入x万元 (``XX0亩``, ``**8.4%`` … are number tokens already)."""
        t = self.t
        spans = sorted([(m.start, m.end) for m in self.mentions] + [(r["start"], r["end"]) for r in self.ledger])
        starts = [a for a, _ in spans]
        for b in _BLANK.finditer(t):
            k = bisect_right(starts, b.start()) - 1
            if k >= 0 and spans[k][1] > b.start() or k + 1 < len(spans) and spans[k + 1][0] < b.end():
                continue
            q = self.quantity_after(b.end())
            if q is None or _region_reason(self.regions, b.start(), b.end()) or not self.ctx.in_body(b.start()) \
                    or self.skipped(b.start()):
                continue
            scale, factor, approx, unit, end = q
            self.add(b.start(), end, None, unit, scale + unit.surface, approx, True, b.start())
            self.ledger.append(dict(start=b.start(), end=b.end(), raw=b.group(), form="placeholder", value=None,
                                    is_metric=True, reason="placeholder"))

    def lost_units(self):
        """Units whose number is lost: 完成营造林万亩, 占计划任务的%, 缴纳了亿一期, 防火公路公里."""
        t, nm = self.t, self.rules["not_metric"]
        taken = sorted((m.start, m.end) for m in self.mentions)
        taken_starts = [a for a, _ in taken]
        blockers, rx = _lost_lexicon()
        pos = 0
        while True:
            m = rx.search(t, pos)
            if not m:
                break
            pos = m.end()
            s = m.start()
            k = bisect_right(taken_starts, s) - 1
            if s == 0 or k >= 0 and taken[k][0] <= s < taken[k][1]:
                continue
            prev = t[s - 1]
            if prev.isdigit() or prev in blockers or not (_HAN.match(prev) or prev in "(:\""):
                continue
            if _region_reason(self.regions, s, m.end()) or not self.ctx.in_body(s) or self.skipped(s):
                continue
            if m.group("scale"):
                unit = match_unit(t, m.end())
                if unit is None:
                    if m.group() != "亿" or prev not in nm["bare_yi_after"] or match_unit(t, m.end()):
                        continue
                    if t[m.end():m.end() + 1] in "万亿" or _starts(t, m.end(), _WAN):
                        continue
                    unit, written, end = units()["元"], "亿", m.end()
                else:
                    written, end = m.group() + unit.surface, m.end() + len(unit.surface)
                    if _modifies_noun(t, end):
                        continue   # 万亩油茶基地: "ten-thousand-mu" describes the base, no number lost
            else:
                unit, written, end = units()[m.group()], m.group(), m.end()
                if _modifies_noun(t, end):
                    continue
            self.mentions.append(Mention(s, end, None, unit, written, False, True, s, end))
            self.ledger.append(dict(start=s, end=end, raw=t[s:end], form="unit_only", value=None,
                                    is_metric=True, reason="lost_number"))
            pos = end

    def lost_counts(self):
        """A count classifier ending a clause right after what a counting verb governs lost its
        number: 举办培训班期, 印发明白纸份, 出动车辆次, 每周巡查次, 共计株."""
        t, nm = self.t, self.rules["not_metric"]
        taken = sorted((m.start, m.end) for m in self.mentions)
        taken_starts = [a for a, _ in taken]
        rx, verbs, blockers = _weak_count_rx(), nm["lost_count_verbs"], nm["lost_count_blockers"]
        pos = 0
        while (m := rx.search(t, pos)) is not None:
            s, end = m.start(), m.end()
            pos = s + 1
            nxt = t[end:end + 1]
            if s == 0 or nxt and nxt not in _CLAUSE_END:
                continue
            k = bisect_right(taken_starts, end) - 1
            if k >= 0 and taken[k][1] > s:
                continue
            prev = t[s - 1]
            if not _HAN.match(prev) or prev in blockers or prev in CN_DIGITS:
                continue
            cs = _window_start(t, s, _PHRASE_END, max(0, s - 20))
            window = t[cs:s]
            v = list(verbs.rx.finditer(window))
            if not v or _DIGIT.search(window) or _BLANK.search(window):
                continue
            if _region_reason(self.regions, s, end) or not self.ctx.in_body(s):
                continue
            unit = units()[m.group()]
            self.mentions.append(Mention(s, end, None, unit, m.group(), False, True, s, end))
            self.ledger.append(dict(start=s, end=end, raw=t[s:end], form="unit_only", value=None,
                                    is_metric=True, reason="lost_number"))
            pos = end


@lru_cache(maxsize=1)
def _weak_count_rx() -> re.Pattern:
    """Count classifiers that alone do not read as a lost number, longest first."""
    return _alternation(tuple(s for s, u in units().items() if u.family == "count" and not u.strong))


def extract(text: str, context) -> tuple[list[Mention], list[dict]]:
    """Mentions and ledger rows (normalised offsets) for normalised ``text``."""
    ex = _Extractor(text, context).run()
    ms = ex.mentions
    annotate(text, ms, context)
    return ms, sorted(ex.ledger, key=lambda r: r["start"])


# -- meaning: indicator, kind, category, catalogue id --------------------------------------

def _window_start(text, pos, bounds, floor):
    i = pos - 1
    while i >= floor and text[i] not in bounds:
        i -= 1
    return i + 1


def _skip_paren_back(text, pos):
    """Skip a parenthetical written right before ``pos``: 枯死松树(含濒死树,下同)15590株."""
    j = pos
    while j > 0 and text[j - 1] in _SPACE:
        j -= 1
    if j > 0 and text[j - 1] == ")":
        depth, k = 0, j - 1
        while k >= 0:
            if text[k] == ")":
                depth += 1
            elif text[k] == "(":
                depth -= 1
                if depth == 0:
                    return k
            k -= 1
    return pos


_HEAD_RX = re.compile("^" + _any_of(_IND["filler_head"]).pattern + "+(?=.)")
_TAIL_RX = re.compile("(?<=.)" + _any_of(_IND["filler_tail"]).pattern + "+$")
_SUBJECT_TIME = re.compile(_IND["subject_time_head_pattern"])
_NOISE_RX = re.compile(r"[\dxX*?%‰.]+|[《》〈〉]")


def _clean(phrase: str) -> str:
    """The words of a phrase that name what is measured: dates, digits, fillers and
    connectives at either end removed."""
    s = _NOISE_RX.sub("", _YEARS.sub("", _MARKER.sub("", phrase))).strip(" \t\"'`")
    s = _TAIL_RX.sub("", _HEAD_RX.sub("", _SUBJECT_TIME.sub("", s)))
    s = _HEAD_RX.sub("", s) if _HEAD_RX.match(s) else s
    return s.strip(" \t\"'`")


def _after_phrase(text, pos, limit=12):
    j = pos
    while j < len(text) and text[j] not in _PHRASE_END and not text[j].isdigit() and j - pos < limit:
        j += 1
    s = text[pos:j].lstrip("的")   # 18人的专业扑火队: the noun, not the particle
    m = _AFTER_STOP.search(s)
    if m and m.start() >= 1:
        s = s[:m.start()]
    return s.strip(" \t")


@lru_cache(maxsize=1)
def catalogue_labels() -> dict[str, str]:
    """Indicator id → Chinese label."""
    return {r["id"]: r["label"] for r in lexicon_data.table("indicators.csv")}


@lru_cache(maxsize=1)
def _catalogue():
    """(synonym, id, unit family, category), longest synonym first, and for each character the
    positions of the synonyms that start with it."""
    rows = []
    for r in lexicon_data.table("indicators.csv"):
        for syn in r["synonyms"].split("|"):
            rows.append((syn, r["id"], r["family"], r["category"] or None, r.get("scope") == "context"))
    rows.sort(key=lambda x: len(x[0]), reverse=True)
    by_first: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_first.setdefault(row[0][0], []).append(i)
    return rows, by_first


def catalogue_match(indicator: str, family: str, category: str = "other"):
    """(indicator_id, category) of the longest catalogue synonym inside ``indicator`` whose
    unit family fits and whose category does not contradict the one found in context."""
    fam = "percent" if family in ("percent", "ratio") else family
    main = ("afforestation", "fire_prevention", "pest_control")
    rows, by_first = _catalogue()
    for i in sorted({i for ch in set(indicator) for i in by_first.get(ch, ())}):
        syn, iid, f, cat, scoped = rows[i]
        if scoped and (category != cat if cat else category not in main):
            continue   # a generic name (任务, 人员) counts only where the context decided
        if syn in indicator and (not f or f == fam) and not (cat in main and category in main and cat != category):
            return iid, None if scoped else cat
    return None, None


def annotate(text: str, ms: list[Mention], ctx):
    """Fill indicator, kind, category and indicator_id of each mention, in text order."""
    _, kinds, _ = _rules()
    prev_in_sentence: dict[int, list[Mention]] = {}
    seen_votes: dict[str, dict] = {}   # sentences and headings recur from mention to mention
    starts = [m.start for m in ms]
    group_ends = [g.start() for g in _GROUP_END.finditer(text)]
    for idx, m in enumerate(ms):
        sid, s_start, s_end = ctx.sentence(m.start)
        earlier = prev_in_sentence.setdefault(sid, [])
        floor = max([s_start] + [p.unit_end for p in earlier])
        # Indicator: the phrase before the number, else the noun phrase after the unit.
        a = _skip_paren_back(text, m.start)
        ws = _window_start(text, a, _PHRASE_END, floor)
        before = _clean(text[ws:a])
        per = _per(text, m.unit_end)
        after = _after_phrase(text, m.unit_end) if m.unit_end < len(text) and not per else ""
        weak = len(before) < 2 or bool(_VERBS_ONLY.match(before))
        after = _LEADING_VERB.sub("", after, count=1) if _LEADING_VERB.match(after) else after
        if after in _FILLER_HEAD or len(after) < (1 if m.unit.family == "count" else 2):
            after = ""   # a count may name a one-character noun after it (8个村)
        after = "" if _HEAD_FW.match(after) else _strip_function_words(after)   # 40人及…: another item
        if m.unit.family == "count" and after:
            ind = after
        elif (weak or before.endswith("了")) and len(after) >= 2:
            ind = after
        elif weak or before in _IND["generic"]:
            ind = _subject(text, m, s_start, earlier) + ("" if weak else before)
        else:
            ind = before
        if earlier and ind == before and _REFERS_BACK.match(before):
            subject = next((p for p in reversed(earlier) if p.kind == "actual"), earlier[-1])
            ind = f"{_BASE.sub('', subject.indicator)}({before})"
        if m.unit.family in ("percent", "ratio"):
            cs = _window_start(text, m.start, _RATE_CLAUSE_END, s_start)
            clause = text[cs:m.start]
            for p in earlier:
                if p.start >= cs:
                    clause = clause.replace(text[p.start:p.end], "")
            ind = _clean(clause) or ind
            actuals = [p for p in earlier if p.kind == "actual"]
            rates_here = [p for p in earlier if p.unit.family in ("percent", "ratio") and p.start >= cs]
            if "分别" in text[cs:m.start] and actuals:
                n_rates = 1 + len(rates_here) + sum(1 for q in ms[idx + 1:bisect_left(starts, s_end)]
                                                    if q.unit.family == "percent")
                group = actuals[-n_rates:] if len(actuals) >= n_rates else actuals
                pick = group[min(len(rates_here), len(group) - 1)]
                ind = f"{_BASE.sub('', pick.indicator)}({_clean(clause.replace('分别', ''))})"
                m.extra["rate_of"] = pick
            elif _OF_TOTAL.match(text, cs, m.start) and actuals:
                ind = f"{_BASE.sub('', actuals[-1].indicator)}({ind})"
                m.extra["rate_of"] = actuals[-1]
            elif earlier and _REFERS_BACK.match(ind) and earlier[-1].unit.family not in ("percent", "ratio"):
                ind = f"{_BASE.sub('', earlier[-1].indicator)}({ind})"   # 火灾次数减少9起,下降56.3%
        if not ind and earlier:
            ind = earlier[-1].indicator
        if ind in _PART_WORDS:
            whole = next((p for p in reversed(earlier) if p.indicator.split("·")[-1] not in _PART_WORDS
                          and p.unit.family == m.unit.family), None)
            if whole is not None:
                ind = f"{_BASE.sub('', whole.indicator)}·{ind}"   # 其中新建58亩 → 苗木基地建设·新建
        m.indicator = _tidy(ind, m, text, s_start, earlier, ctx)
        cs = _window_start(text, m.start, _CLAUSE_END, s_start)
        m.extra["reference"] = bool(_reference().match(text, cs, m.start))
        # Kind.
        if m.unit.family in ("percent", "ratio") or m.unit.surface in kinds["rate_units"] or per:
            m.kind = "rate"
        else:
            k = bisect_left(group_ends, m.start)
            g = group_ends[k - 1] + 1 if k else 0     # after the last 。!?\n before the number
            group = [p for p in ms[bisect_left(starts, g):idx]
                     if not p.extra.get("reference") and not closes_before(text, p.end, m.start)]
            lead = text[g:group[0].start if group else m.start]
            m.kind = _kind(text, m, ctx, kinds, max(floor, cs, g), group,   # the clause, not before g
                           plan_led=bool(kinds["plan_lead"].rx.search(lead)))
        # Category: innermost context first.
        heads = ctx.headings(m.start)
        local = [(m.indicator, 3), (text[cs:m.unit_end], 2), (text[s_start:s_end], 1.5)]
        m.category, basis = categories.classify_explained(local + heads, votes=seen_votes)
        where = "indicator" if basis == m.indicator else "heading" if basis in {h for h, _ in heads} else "sentence"
        subject, heading = categories.topic(heads, seen_votes)
        own = categories._leader(categories._cached_votes(m.indicator, seen_votes))
        if subject and m.category != subject and (own not in categories.MAIN or m.unit.family == "count"):
            m.category, basis, where = subject, heading, "topic"   # a passage on one topic
        elif m.category == "other" and earlier and m.unit.family in ("percent", "ratio") and where != "heading":
            m.category, basis, where = earlier[-1].category, earlier[-1].indicator, "rate_of"
        m.extra["category_basis"] = f"{where}:{basis}" if basis else ""
        iid, cat = catalogue_match(m.indicator, m.unit.family, m.category)
        m.indicator_id = iid
        if m.category == "other" and cat:
            m.category = cat
        earlier.append(m)


_NAMES = _PHRASES["names"]
_PART_WORDS = frozenset(_IND["part_words"])
_FUNCTION_WORDS = Words(_NAMES["function_words"])
_HEAD_FW = re.compile("^(?:" + _FUNCTION_WORDS.rx.pattern + ")+")
_TAIL_FW = re.compile("(?:" + _FUNCTION_WORDS.rx.pattern + ")+$")


def _strip_function_words(name: str) -> str:
    """``name`` without function words or marks at either end (及, 等, 以下, 基中 …)."""
    return _TAIL_FW.sub("", _HEAD_FW.sub("", name.strip())).strip()


def _han(s: str) -> int:
    return len(_HAN.findall(s))


def _tidy(ind: str, m, text, s_start, earlier, ctx) -> str:
    """A usable indicator name: function words cut from the base and the (qualifier); a lone
    counted noun named as a count (村 → 村数); a base with under two Han characters replaced by
    the words a line break cut off before the sentence, the previous quantity's name, or the
    nearest heading."""
    base, paren, qual = ind.partition("(")
    base = _strip_function_words(base)
    if paren:
        qual = _strip_function_words(qual.rstrip(")"))
    if len(base) == 1 and _han(base) == 1 and m.unit.family == "count":
        base += _NAMES["count_suffix"]
    if _han(base) < 2:
        head = text[_window_start(text, s_start, _CLAUSE_END - {"\n"}, max(0, s_start - 20)):s_start]
        cands = [_clean(head) if head.endswith("\n") and head.strip() else "",
                 _BASE.sub("", earlier[-1].indicator) if earlier else ""]
        cands += [_clean(h) for h, _ in ctx.headings(m.start)]
        base = next((c for c in map(_strip_function_words, cands) if _han(c) >= 2), base)
    return f"{base}({qual})" if paren and _han(qual) >= 1 else base


def _modifies_noun(text, end) -> bool:
    """Whether a word goes on after a unit written without its number (万亩林场, 公里长廊):
    the unit is part of a name or an attribute, not a lost quantity."""
    nxt = text[end:end + 1]
    return bool(nxt) and nxt not in _PHRASE_END and nxt not in "的 " and not _starts(text, end, _ABOVE)


def _modal_before(kinds, text) -> bool:
    """Whether ``text`` holds a plan modal (需, 确保, 要 …) that is not inside a word (主要, 重要)."""
    inside = [(m.start(), m.end()) for m in kinds["plan_modal_inside"].rx.finditer(text)]
    return any(not any(a <= m.start() < b for a, b in inside) for m in kinds["plan_modal"].rx.finditer(text))


def _subject(text, m, s_start, earlier):
    """What a bare "已完成800米" measures: the topic before ':' in the sentence, else the
    subject of the previous quantity ("…抚育任务13.6万亩,目前已完成10.9万亩")."""
    head = text[s_start:m.start]
    if ":" in head:
        topic = _clean(_MARKER.sub("", head[:head.rfind(":")]).split(",")[-1].strip("()0123456789.、 "))
        if 2 <= len(topic) <= 16 and not _VERBS_ONLY.match(topic) and not topic.endswith("如下"):
            return topic
    if earlier:
        return _PLAN_NOUN_HEAD.sub("", _PLAN_NOUN_TAIL.sub("", earlier[-1].indicator))
    return ""


def _kind(text, m, ctx, kinds, ws, earlier, plan_led=False):
    window = text[ws:m.start]
    cut = max((x.end() for x in _MARKER.finditer(window)), default=0)
    colon = window.rfind(":")
    head, window = window[:max(cut, colon + 1)], window[max(cut, colon + 1):]
    if colon >= cut and not any(w in window for w in
                                kinds["actual"] + kinds["plan_verbs"] + kinds["plan_nouns"] + kinds["strong_actual"]):
        window = head[cut:] + window
    in_plan = ctx.in_plan(m.start)

    def last(words):
        return max((m.end() for m in words.rx.finditer(window)), default=-1)

    strong, actual = last(kinds["strong_actual"]), last(kinds["actual"])
    verb = last(kinds["plan_verbs"])
    noun = max((mm.end() for mm in kinds["plan_nouns"].rx.finditer(window)
                if not _starts(window, mm.end(), kinds["plan_noun_not_before"])), default=-1)
    noun_last = noun > max(strong, actual, verb)   # a plan noun is the cue nearest the number
    if noun_last and _OF_RATE.match(text, m.unit_end):
        return "plan"   # 完成年计划8000亩的95%: the plan the rate is measured against
    told = kinds["done_as_told"].rx.search(window)
    if told and 0 <= actual <= told.start() and not noun_last:
        return "actual"   # 完成省下达的3万亩造林任务: the target handed down, done
    if strong >= 0 and strong >= verb:
        return "actual"
    if verb >= 0 and verb >= actual:
        return "plan"
    prior = [p.kind for p in earlier if p.kind != "rate"]
    if plan_led and prior and prior[-1] == "plan" and not kinds["plan_list_ends"].rx.search(window):
        return "plan"
    last = next((p for p in reversed(earlier) if p.kind != "rate"), None)
    in_list = last is not None and last.extra.get("breakdown") and ";" not in text[last.end:m.start]
    if prior and verb < 0 and strong < 0 and (in_list or _BREAKDOWN.match(window)):
        m.extra["breakdown"] = True
        return prior[-1]   # a breakdown ("其中…任务5万亩, …3万亩") shares the kind of its total
    if noun_last and noun == len(window.rstrip(_SPACE)) and \
            not kinds["plan_list_ends"].rx.search(window):
        return "plan"   # 除治任务5万株: the target of the work, not the work done
    if actual >= 0:
        if _modal_before(kinds, window[max(0, actual - 8):actual - 1]):
            return "plan"
        if not in_plan:
            return "actual"
        return prior[-1] if prior else "plan"
    if noun >= 0:
        return "plan"
    return prior[-1] if prior else ("plan" if in_plan else "actual")
