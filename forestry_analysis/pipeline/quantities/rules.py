"""The named rules that decide what a number token is, one small function each.

``metrics._Extractor`` scans the number tokens and asks these rules, in this order:

- ``NOT_METRIC``: before a unit is read, why the token is no quantity (a 《title》, a date, an
  ordinal, a name …); the first rule giving a reason wins;
- the readings of a token other than number + unit: ``range_pair`` (3-5次), ``lost_digits``
  (5.万亩), ``ratio_cheng`` (九成), ``scale_alone`` (近万亩, 数万株), ``wrapped_quantity`` (a unit
  on the next line);
- ``NOT_A_QUANTITY``: a number with its unit that is still no metric (an idiom, 75%酒精, the
  title lines);
- qualifiers: ``quantity_after`` reads the approx words inside and after a quantity,
  ``prefix_approx`` those before it (约, 近, 余, 以上 …);
- ``LOST_NUMBERS``: after the scan, units whose number was lost or left blank.

A rule reads the extractor ``ex`` (its text ``ex.t``, lexicon ``ex.rules``, regions, context)
and returns the ledger reason, or None when it does not apply. Every word a rule looks for is
in ``lexicon/numbers.toml`` (slogans in ``slogans.txt``, units in ``units.csv``).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import CLAUSE_MARKS
from forestry_analysis.pipeline.quantities.numbers import CN_CHARS, CN_DIGITS, Token
from forestry_analysis.pipeline.quantities.units import match_scale, match_unit, scaled, scales, units

SPACE = " \t"
CLAUSE_END = frozenset(CLAUSE_MARKS)                 # bounds the window read for kind
PHRASE_END = CLAUSE_END | frozenset(":、()[]\"")    # bounds the indicator phrase
HAN = re.compile(r"[\u4e00-\u9fff]")
BLANK = re.compile(r"(?=[_xX×*?])(?<![A-Za-z0-9])(?:_+|[xX×*?]+)(?![A-Za-z0-9_])")   # a blank where a number goes
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
_PUNCT = re.compile(r"[,;。!?:、()\s\d]")
_RANGE_DATE = re.compile(r"\s*[-~～至到]\s*(\d{1,4}|[%s]{1,3})\s*" % CN_CHARS)
_DATE_SEP = re.compile(r"[-/.:]\d")
_DIGIT = re.compile(r"\d")


class Words(tuple):
    """A lexicon word list with its longest-first alternation compiled once (``rx``) and the
    length of its longest word; being a tuple, ``text.endswith(words)`` tests every word at once."""

    def __new__(cls, words):
        self = super().__new__(cls, words)
        self.rx = lexicon.compiled(words)
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
def lexicon_rules():
    """(numbers.toml, kinds.toml) with word lists as ``Words``, and the slogan alternation."""
    r = _words(lexicon.toml("numbers.toml"))
    k = _words(lexicon.toml("kinds.toml"))
    slogans = lexicon.lines("slogans.txt")
    return r, k, lexicon.compiled(slogans)


_MONTHS = Words(["个月"])
_ABOUT = Words(["以上", "左右", "的", "多"])
ABOVE = Words(["以上", "左右"])
_WAN = Words(["万"])


def starts(text, pos, words):
    """The longest of ``words`` written at ``text[pos:]``, or None."""
    m = (words.rx if isinstance(words, Words) else lexicon.compiled(words)).match(text, pos)
    return m.group() if m else None


def skip_space(text, pos, limit=3):
    n = 0
    while pos < len(text) and text[pos] in SPACE and n < limit:
        pos += 1
        n += 1
    return pos


def line_start(text, pos) -> bool:
    """Whether only spaces stand between the line start and ``pos``."""
    i = pos - 1
    while i >= 0 and text[i] in SPACE:
        i -= 1
    return i < 0 or text[i] == "\n"


def window_start(text, pos, bounds, floor):
    """Where the run of characters not in ``bounds`` ending at ``pos`` starts (not before ``floor``)."""
    i = pos - 1
    while i >= floor and text[i] not in bounds:
        i -= 1
    return i + 1


# -- regions that hold no metric -------------------------------------------------------------

_TITLE = re.compile(r"《[^《》\n]{0,80}》|〈[^〈〉\n]{0,80}〉")
# The leading lookaheads name the characters a match can start with (tried only there).
# A match of the digits branch starts where its run of digits does (tried once per run, not per digit).
_DOC_NUMBER = re.compile(r"(?=[〔\[【\d])(?:[〔\[【]\s*\d{4}\s*[〕\]】]\s*\d+\s*号|(?<!\d)\d+\s*号文)")


@lru_cache(maxsize=4)
def _quoted(limit: int) -> re.Pattern:
    return re.compile(r"(?=[\"'])(?:\"([^\"\n]{1,%d})\"|'([^'\n]{1,%d})')" % (limit, limit))


def regions(text):
    """Spans that hold no metric: 《titles》, 〔document numbers〕, quoted slogans, slogan words."""
    rules, _, slogan_rx = lexicon_rules()
    spans = []
    # Each scan is skipped when the mark every match holds is not in the text.
    for m in _TITLE.finditer(text) if "《" in text or "〈" in text else ():
        spans.append((m.start(), m.end(), "document_title"))
    for m in _DOC_NUMBER.finditer(text) if "号" in text else ():
        spans.append((m.start(), m.end(), "document_number"))
    limit = rules["not_metric"]["quoted_slogan_max"]
    for m in _quoted(limit).finditer(text) if '"' in text or "'" in text else ():
        inner = m.group(1) or m.group(2) or ""
        if any(c in CN_CHARS or c.isdigit() for c in inner):
            spans.append((m.start(), m.end(), "slogan"))
    for m in slogan_rx.finditer(text):
        spans.append((m.start(), m.end(), "slogan"))
    spans += formula_spans(text, rules["not_metric"]["formula_gap"], rules["not_metric"]["formula_min"])
    return sorted(spans)


# A numeral between words (守住一条红线, 建好两个产业), not an ordinal (一是, 二、, 第三).
_FORMULA_STEP = re.compile(r"(?=[一二两三四五六七八九十])(?<=[\u4e00-\u9fff、,])(?<!第)[一二两三四五六七八九十]"
                           r"(?=[\u4e00-\u9fff])(?![是、])")   # leading lookahead: tried only at numerals
_FORMULA_VALUE = {c: v for v, cs in enumerate(("一", "二两", "三", "四", "五", "六", "七", "八", "九", "十"), 1) for c in cs}
_SENTENCE_MARK = re.compile(r"[。;；!！?？\n]")


def formula_spans(text, gap: int, least: int) -> list[tuple[int, int, str]]:
    """The numerals of a numbered formula, "守住一条红线、建好两个产业、深化三项改革、加强四大建设":
    one, two, three … in order within a sentence, each at most ``gap`` characters after the
    one before, at least ``least`` of them. Such a list names a programme, it counts nothing."""
    if "三" not in text:
        return []    # every formula reaches three
    marks = [(m.start(), _FORMULA_VALUE[m.group()]) for m in _FORMULA_STEP.finditer(text)]
    spans = []
    for i, (p, v) in enumerate(marks):
        if v != 1:
            continue
        chain = [p]
        for q, w in marks[i + 1:]:
            if q - chain[-1] > gap or _SENTENCE_MARK.search(text, chain[-1], q):
                break
            if w == len(chain) + 1:
                chain.append(q)
        if len(chain) >= least:
            spans += [(c, c + 1, "slogan") for c in chain]
    return spans


_REGION_MAX = 120   # longest region ``regions`` can produce (a 《title》 of 80 chars plus margin)


def region_reason(spans, s, e):
    """Reason of the region holding [s, e), if any (``spans`` sorted by start)."""
    i = bisect_right(spans, (s, float("inf"), "")) - 1
    while i >= 0 and spans[i][0] >= s - _REGION_MAX:
        a, b, why = spans[i]
        if a <= s and e <= b:
            return why
        i -= 1
    return None


# -- not a metric, before the unit is read ----------------------------------------------------

def in_region(ex, tok: Token):
    """Inside a 《title》, a 〔document number〕 or a slogan."""
    return region_reason(ex.regions, tok.start, tok.end)


def date_word_after(ex, tok: Token):
    """年, 月, 日 … after the number (2020年, 6月, 3个月); a placeholder year (20XX年)."""
    t, nm = ex.t, ex.rules["not_metric"]
    after = skip_space(t, tok.end, 1)
    if starts(t, after, nm["date_after"]) and not match_unit(t, after) or starts(t, after, _MONTHS):
        return "placeholder_year" if tok.form == "placeholder" else "date"
    return None


def date_range(ex, tok: Token):
    """The first end of a date range: 1-6月, 5月20日至6月10日."""
    t = ex.t
    rng = _RANGE_DATE.match(t[tok.end:tok.end + 12])
    end = tok.end + rng.end() if rng else 0
    if rng and starts(t, end, ex.rules["not_metric"]["date_after"]) and not match_unit(t, end):
        return "date"
    return None


def date_separator(ex, tok: Token):
    """A year or an hour written with a separator after it: 2020-06-30, 3:30."""
    t = ex.t
    if _DATE_SEP.match(t, tok.end) and tok.form == "arabic" and (len(tok.raw) == 4 or t[tok.end] == ":"):
        return "date"
    return None


def date_after_separator(ex, tok: Token):
    """A later part of a date or time: the 30 of 3:30, the 06 of 2020-06."""
    t = ex.t
    if tok.start and _DIGIT.match(t, tok.start - 1) and t[tok.start - 2:tok.start - 1] in "-/:":
        return "date"
    return None


_DOTTED_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}\.\d{1,2}\.\d{1,2}(?![\d.])")


def dotted_date(ex, tok: Token):
    """A date written with points, 2015.12.28: read as 2015.12 and 28, it is neither."""
    t = ex.t
    if tok.form != "arabic" or "." not in t[tok.end:tok.end + 1] + t[tok.start - 1:tok.start]:
        return None
    lo = max(0, tok.start - 8)
    return "date" if any(m.start() <= tok.start and tok.end <= m.end()
                         for m in _DOTTED_DATE.finditer(t, lo, tok.end + 4)) else None


def ordinal_word_before(ex, tok: Token):
    """第一, 其一 …: an ordinal word before the number."""
    return "ordinal" if ex.t[max(0, tok.start - 3):tok.start].endswith(ex.rules["not_metric"]["ordinal_before"]) \
        else None


def ordinal_mark_after(ex, tok: Token):
    """一是, 二、 (and 1、 at a line start): an enumeration."""
    nxt = ex.t[tok.end:tok.end + 1]
    if nxt == "是" and tok.form == "chinese" or nxt == "、" and (tok.form == "chinese" or line_start(ex.t, tok.start)):
        return "ordinal"
    return None


def outline_number(ex, tok: Token):
    """1. at a line start, no decimal digits after the point."""
    t = ex.t
    if t[tok.end:tok.end + 1] in (".", "．") and line_start(t, tok.start) and not t[tok.end + 1:tok.end + 2].isdigit():
        return "ordinal"
    return None


def parenthesised_number(ex, tok: Token):
    """(2), (一): a number alone in brackets."""
    t = ex.t
    return "ordinal" if tok.start and t[tok.start - 1] == "(" and t[tok.end:tok.end + 1] == ")" else None


def journal_issue(ex, tok: Token):
    """2022年11期: the issue of a journal."""
    t = ex.t
    if tok.start and t[tok.start - 1] == "年" and starts(t, tok.end, ex.rules["not_metric"]["issue_after"]):
        return "name"
    return None


def name_after(ex, tok: Token):
    """A name word after the number: 84消毒液, 318国道, 2号工具 (but 30号 after 月 is a date)."""
    t = ex.t
    if starts(t, tok.end, ex.rules["not_metric"]["name_after"]):
        return "date" if t[tok.end] == "号" and t[max(0, tok.start - 1):tok.start] == "月" else "name"
    return None


NOT_METRIC = (in_region, date_word_after, date_range, dotted_date, date_separator, date_after_separator,
              ordinal_word_before, ordinal_mark_after, outline_number, parenthesised_number,
              journal_issue, name_after)


def _chars(words, last: bool = False) -> str:
    """A character class of the first (or last) characters of ``words``."""
    return "[" + re.escape("".join(sorted({w[-1] if last else w[0] for w in words}))) + "]"


@lru_cache(maxsize=1)
def _looks_at() -> dict:
    """For each rule of ``NOT_METRIC`` that reads the text next to a token: what must stand
    right after the token (a regex matched at its end) and right before it (matched at the
    character before it) for the rule to be able to say anything. ``not_metric_reason`` asks a
    rule only there; the rule still checks everything itself."""
    nm = lexicon_rules()[0]["not_metric"]
    return {
        date_word_after: (re.compile(r"[ \t]?" + _chars(nm["date_after"] + _MONTHS)), None),
        date_range: (re.compile(r"\s*[-~～至到]"), None),
        date_separator: (_DATE_SEP, None),
        date_after_separator: (None, _DIGIT),
        ordinal_word_before: (None, re.compile(_chars(nm["ordinal_before"], last=True))),
        ordinal_mark_after: (re.compile("[是、]"), None),
        outline_number: (re.compile("[.．]"), None),
        parenthesised_number: (re.compile(r"\)"), re.compile(r"\(")),
        journal_issue: (None, re.compile("年")),
        name_after: (re.compile(_chars(nm["name_after"])), None),
    }


def not_metric_reason(ex, tok: Token):
    """Why a token is not a quantity (the first rule of ``NOT_METRIC`` that says), or None."""
    t, looks, anywhere = ex.t, _looks_at(), (None, None)
    for rule in NOT_METRIC:
        after, before = looks.get(rule, anywhere)
        if after is not None and not after.match(t, tok.end) or \
                before is not None and not (tok.start and before.match(t, tok.start - 1)):
            continue
        why = rule(ex, tok)
        if why:
            return why
    return None


# -- not a metric, with its unit ---------------------------------------------------------------

def idiom(ex, tok: Token, q):
    """一次性, 三番五次 …: a numeral inside an idiom."""
    return "idiom" if tok.form == "chinese" and tok.raw in ex.rules["chinese"]["idiomatic"] else None


def ordinal_like(ex, tok: Token, q):
    """Chinese numerals that read as an order, not an amount."""
    return "ordinal" if tok.form == "chinese" and tok.raw in ex.rules["chinese"]["ordinal_like"] else None


def concentration(ex, tok: Token, q):
    """75%酒精, 20%吡虫啉可湿性粉剂: a percentage naming a product's strength."""
    end, unit = q[4], q[3]
    if unit.family == "percent" and (starts(ex.t, end, ex.rules["not_metric"]["concentration_after"])
                                     or formulation_after(ex, end)):
        return "concentration"
    return None


def outline_count(ex, tok: Token, q):
    """两个方面, 五个方面的工作: a count of the report's own parts."""
    end, unit = q[4], q[3]
    if unit.family == "count" and starts(ex.t, end, ex.rules["not_metric"]["outline_nouns"]):
        return "outline"
    return None


def boilerplate(ex, tok: Token, q):
    """Outside the report's body (title, page headers, signature)."""
    return None if ex.ctx.in_body(tok.start) else "boilerplate"


NOT_A_QUANTITY = (idiom, ordinal_like, concentration, outline_count, boilerplate)


def not_a_quantity_reason(ex, tok: Token, q):
    """Why a number with its unit (``q`` from ``quantity_after``) is still no metric, or None."""
    for rule in NOT_A_QUANTITY:
        why = rule(ex, tok, q)
        if why:
            return why
    return None


def formulation_after(ex, pos):
    """A pesticide formulation named within a few characters after ``pos`` (20%吡虫啉可湿性粉剂)."""
    nm = ex.rules["not_metric"]
    m = nm["formulations"].rx.search(ex.t, pos, pos + nm["formulation_window"] + nm["formulations"].longest)
    return m is not None and m.start() - pos <= nm["formulation_window"] and not _PUNCT.search(ex.t, pos, m.start())


# -- qualifiers and the unit after a number ----------------------------------------------------

def quantity_after(ex, pos):
    """(scale word, factor, approx, Unit, end) for a quantity written after a number at pos,
    approx when a qualifier stands inside (万余亩) or after it (亩以上, 多名)."""
    t, approx_words = ex.t, ex.rules["approx"]
    p = skip_space(t, pos)
    approx = False
    w = starts(t, p, approx_words["infix"])
    if w:
        approx, p = True, p + len(w)
    unit = match_unit(t, p)
    scale, factor = "", 1.0
    if unit is None:
        sc = match_scale(t, p)
        if sc:
            q = p + len(sc[0])
            w = starts(t, q, approx_words["infix"])
            if w:
                approx, q = True, q + len(w)
            q = skip_space(t, q, 1)
            u2 = match_unit(t, q)
            if u2:
                scale, factor, unit, p = sc[0], sc[1], u2, q
    if unit is None:
        return None
    end = p + len(unit.surface)
    w = starts(t, end, approx_words["suffix"])
    if w and not (w == "多" and HAN.match(t[end + 1:end + 2] or "") and t[end + 1:end + 2] not in "个次"):
        approx = True
    return scale, factor, approx, unit, end


def prefix_approx(ex, start):
    """约, 近, 超过 … right before the number."""
    before = ex.t[max(0, start - 4):start].rstrip(SPACE)
    return before.endswith(ex.rules["approx"]["prefix"])


# -- other readings of a token -----------------------------------------------------------------

def wrapped_quantity(ex, tok: Token):
    """A quantity whose unit a line break cut off, as in text copied from PDF pages
    ("管护面积达\n12.06\n万亩", "完成造林3000\n亩"); a year ending a line is not one."""
    t = ex.t
    brk = _LINE_BREAK.match(t, tok.end)
    if brk is None or tok.form != "arabic" or _YEAR_LIKE.fullmatch(tok.raw):
        return None
    before = t[t.rfind("\n", 0, tok.start) + 1:tok.start].strip(SPACE)
    if before and not HAN.match(before[-1]):
        return None
    return quantity_after(ex, brk.end())


def range_pair(ex, a: Token, b: Token):
    """3-5次, 1至2个: one row with both ends (value, value_high), approx, sharing the unit
    written after the second (one row, so that sums never count a range twice)."""
    sep = ex.t[a.end:b.start].strip(SPACE)
    if sep not in ex.rules["range"]["separators"] or a.form != b.form:
        return False
    if not_metric_reason(ex, b) is not None:
        return False
    q = quantity_after(ex, b.end)
    if q is None or a.value is None or b.value is None:
        return False
    scale, factor, _, unit, end = q
    ex.add(a.start, end, scaled(a.value, factor, unit.to_base), unit, scale + unit.surface, True, False, a.start,
           high=scaled(b.value, factor, unit.to_base))
    for tok in (a, b):
        ex.record(tok, True, "metric")
    ex.consumed = end
    return True


def lost_digits(ex, tok: Token):
    """"5.万亩": the digits after the decimal point were lost; a missing row."""
    t = ex.t
    if tok.form != "arabic" or t[tok.end:tok.end + 1] != "." or \
            not (match_unit(t, tok.end + 1) or match_scale(t, tok.end + 1)):
        return False
    q = quantity_after(ex, tok.end + 1)
    if not q:
        return False
    scale, factor, approx, unit, end = q
    ex.add(tok.start, end, None, unit, scale + unit.surface, approx, True, tok.start)
    ex.record(tok, True, "lost_digits")
    ex.consumed = end
    return True


def ratio_cheng(ex, tok: Token):
    """九成 → 90%: a Chinese numeral before 成 at a phrase end."""
    t = ex.t
    if tok.form != "chinese" or t[tok.end:tok.end + 1] != "成" or not tok.value or tok.value > 10:
        return None
    if t[tok.end + 1:tok.end + 2] not in "" and t[tok.end + 1] not in PHRASE_END and \
            not starts(t, tok.end + 1, _ABOUT):
        return None
    end = tok.end + 1
    suffix = starts(t, end, ex.rules["approx"]["suffix"])
    ex.add(tok.start, end, tok.value * 10, units()["%"], "成", prefix_approx(ex, tok.start) or bool(suffix),
           False, tok.start)
    ex.mentions[-1].unit_end = end + len(suffix or "")
    ex.record(tok, True, "metric")
    ex.consumed = end
    return "metric"


def scale_alone(ex, tok: Token):
    """近万亩, 上千人次 (approximate); 数万株 (vague, ledgered only). Other lone scale words
    are looked at by ``lost_units``."""
    t, rules = ex.t, ex.rules["approx"]
    before = t[max(0, tok.start - 2):tok.start]
    approx = next((w for w in rules["scale_approx_before"] if before.endswith(w)), None)
    vague = next((w for w in rules["scale_vague_before"] if before.endswith(w)), None)
    if not (approx or vague) or tok.raw not in scales():
        return
    unit = match_unit(t, tok.end)
    if unit is None:
        return
    if vague:
        ex.record(tok, False, "vague")
        ex.consumed = tok.end + len(unit.surface)
        return
    value = scales()[tok.raw] * unit.to_base
    ex.add(tok.start - len(approx), tok.end + len(unit.surface), value, unit, tok.raw + unit.surface,
           True, False, tok.start)
    ex.record(tok, True, "metric", value=scales()[tok.raw])
    ex.consumed = tok.end + len(unit.surface)


def join_full_stop_decimals(ex, tokens):
    """"320。9亩": a decimal point typed as 。 between digits, the first with no unit."""
    out = []
    for tok in tokens:
        prev = out[-1] if out else None
        if prev is not None and prev.form == tok.form == "arabic" and prev.end + 1 == tok.start and \
                ex.t[prev.end] == "。" and "." not in prev.raw and tok.raw.isdigit() and \
                match_unit(ex.t, prev.end) is None and quantity_after(ex, tok.end) is not None:
            out[-1] = Token(prev.start, tok.end, f"{prev.raw}.{tok.raw}", "arabic",
                            float(f"{prev.raw.replace(',', '')}.{tok.raw}"))
            ex.odd_decimals.append((prev.start, tok.end))
            continue
        out.append(tok)
    return out


# -- lost numbers ------------------------------------------------------------------------------

def _taken(ex):
    taken = sorted((m.start, m.end) for m in ex.mentions)
    return taken, [a for a, _ in taken]


def blanks(ex):
    """A template blank or a lone placeholder mark where the number should be: 造林____万亩,
    成活率__%, 护林员X名, 投入x万元 (``XX0亩``, ``**8.4%`` … are number tokens already)."""
    t = ex.t
    found = list(BLANK.finditer(t))
    if not found:
        return
    spans = sorted([(m.start, m.end) for m in ex.mentions] + [(r["start"], r["end"]) for r in ex.ledger])
    starts_ = [a for a, _ in spans]
    for b in found:
        k = bisect_right(starts_, b.start()) - 1
        if k >= 0 and spans[k][1] > b.start() or k + 1 < len(spans) and spans[k + 1][0] < b.end():
            continue
        q = quantity_after(ex, b.end())
        if q is None or region_reason(ex.regions, b.start(), b.end()) or not ex.ctx.in_body(b.start()) \
                or ex.skipped(b.start()):
            continue
        scale, factor, approx, unit, end = q
        ex.add(b.start(), end, None, unit, scale + unit.surface, approx, True, b.start())
        ex.ledger.append(dict(start=b.start(), end=b.end(), raw=b.group(), form="placeholder", value=None,
                              is_metric=True, reason="placeholder"))


@lru_cache(maxsize=1)
def _lost_lexicon():
    """What may not stand before a lost number, and the scale words and strong units to look for."""
    nm = lexicon_rules()[0]["not_metric"]
    blockers = frozenset(nm["lost_blockers"]) | frozenset(CN_DIGITS) | frozenset("xX×*?")
    strong = [s for s, u in units().items() if u.strong]
    first = re.escape("".join(sorted({"万", "亿"} | {s[0] for s in strong})))
    return blockers, re.compile(f"(?=[{first}])(?:(?P<scale>万|亿)|(?P<unit>{lexicon.alternation(strong)}))")


def _modifies_noun(text, end) -> bool:
    """Whether a word goes on after a unit written without its number (万亩林场, 公里长廊):
    the unit is part of a name or an attribute, not a lost quantity."""
    nxt = text[end:end + 1]
    return bool(nxt) and nxt not in PHRASE_END and nxt not in "的 " and not starts(text, end, ABOVE)


def _lost_unit_at(ex, m, prev):
    """(unit, written, end) of a scale word or strong unit ``m`` whose number was lost, or None."""
    t, nm = ex.t, ex.rules["not_metric"]
    if not m.group("scale"):
        unit, written, end = units()[m.group()], m.group(), m.end()
        return None if _modifies_noun(t, end) else (unit, written, end)
    unit = match_unit(t, m.end())
    if unit is not None:
        written, end = m.group() + unit.surface, m.end() + len(unit.surface)
        return None if _modifies_noun(t, end) else (unit, written, end)   # 万亩油茶基地: no number lost
    if m.group() != "亿" or prev not in nm["bare_yi_after"] or t[m.end():m.end() + 1] in "万亿" \
            or starts(t, m.end(), _WAN):
        return None
    return units()["元"], "亿", m.end()   # 缴纳了亿一期: 亿 alone is money


def lost_units(ex):
    """Units whose number is lost: 完成营造林万亩, 占计划任务的%, 缴纳了亿一期, 防火公路公里."""
    t = ex.t
    taken, taken_starts = _taken(ex)
    blockers, rx = _lost_lexicon()
    pos = 0
    while (m := rx.search(t, pos)) is not None:
        pos, s = m.end(), m.start()
        k = bisect_right(taken_starts, s) - 1
        if s == 0 or k >= 0 and taken[k][0] <= s < taken[k][1]:
            continue
        prev = t[s - 1]
        if prev.isdigit() or prev in blockers or not (HAN.match(prev) or prev in "(:\""):
            continue
        if region_reason(ex.regions, s, m.end()) or not ex.ctx.in_body(s) or ex.skipped(s):
            continue
        found = _lost_unit_at(ex, m, prev)
        if found is None:
            continue
        unit, written, end = found
        ex.add_lost(s, end, unit, written)
        pos = end


@lru_cache(maxsize=1)
def _weak_count_rx() -> re.Pattern:
    """Count classifiers that alone do not read as a lost number, longest first."""
    return lexicon.compiled(s for s, u in units().items() if u.family == "count" and not u.strong)


def lost_counts(ex):
    """A count classifier ending a clause right after what a counting verb governs lost its
    number: 举办培训班期, 印发明白纸份, 出动车辆次, 每周巡查次, 共计株."""
    t, nm = ex.t, ex.rules["not_metric"]
    taken, taken_starts = _taken(ex)
    rx, verbs, blockers = _weak_count_rx(), nm["lost_count_verbs"], nm["lost_count_blockers"]
    pos = 0
    while (m := rx.search(t, pos)) is not None:
        s, end = m.start(), m.end()
        pos = s + 1
        nxt = t[end:end + 1]
        if s == 0 or nxt and nxt not in CLAUSE_END:
            continue
        k = bisect_right(taken_starts, end) - 1
        if k >= 0 and taken[k][1] > s:
            continue
        prev = t[s - 1]
        if not HAN.match(prev) or prev in blockers or prev in CN_DIGITS:
            continue
        cs = window_start(t, s, PHRASE_END, max(0, s - 20))
        window = t[cs:s]
        if not verbs.rx.search(window) or _DIGIT.search(window) or BLANK.search(window):
            continue
        i = bisect_left(taken_starts, cs)
        if i < len(taken_starts) and taken_starts[i] < s:
            continue   # 出动两个工作组: the phrase already has its number
        if region_reason(ex.regions, s, end) or not ex.ctx.in_body(s):
            continue
        ex.add_lost(s, end, units()[m.group()], m.group())
        pos = end


LOST_NUMBERS = (blanks, lost_units, lost_counts)
READINGS = (range_pair, lost_digits, ratio_cheng, scale_alone, wrapped_quantity, join_full_stop_decimals)
QUALIFIERS = (quantity_after, prefix_approx)
