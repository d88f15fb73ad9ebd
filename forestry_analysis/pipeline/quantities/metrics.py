"""Quantity mentions → the metrics table and the ledger of every number-like token.

Works on the normalised text (``normalize.Normalized``) and maps every span back to the
original. Steps: scan number tokens and let the named rules of ``rules.py`` decide for each
whether it is a quantity (a unit or classifier follows) or not (year, ordinal, slogan, title,
name, …, each with a reason); find units whose number was lost or hidden by a placeholder;
then give every quantity its indicator (the report's words), kind (actual/plan/rate),
category and catalogue id. All word lists live in ``lexicon/``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from forestry_analysis.pipeline import categories
from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import closes_before
from forestry_analysis.pipeline.outline import sentence_ends
from forestry_analysis.pipeline.quantities import rules
from forestry_analysis.pipeline.quantities.numbers import CN_DIGITS, Token, scan
from forestry_analysis.pipeline.quantities.rules import (
    CLAUSE_END, HAN, PHRASE_END, SPACE, Words, lexicon_rules, skip_space, starts, window_start)
from forestry_analysis.pipeline.quantities.units import Unit, match_scale, match_unit, scaled, units

_RATE_CLAUSE_END = CLAUSE_END | frozenset(":、")     # bounds the clause a rate belongs to
_MARKER = re.compile(r"\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]是")
_YEARS = re.compile(r"(?:\d{2,4}|[\dxX*]{4})\s*年度?|\d{1,2}月(?:\d{1,2}日)?(?:底|初|中旬|末)?|[截止至到]+[^,;。]{0,8}?日")
_PHRASES = lexicon.toml("phrases.toml")
_IND = _PHRASES["indicator"]


_FILLER_HEAD = frozenset(_IND["filler_head"])
_VERBS_ONLY = re.compile("^" + lexicon.compiled(_IND["weak_adverbs"]).pattern + "*"
                         + lexicon.compiled(_IND["weak_verbs"]).pattern + "*$")
_LEADING_VERB = lexicon.compiled(_IND["leading_verbs"])
_AFTER_STOP = lexicon.compiled(_IND["after_stops"])
_REFERS_BACK = lexicon.compiled(_IND["refers_back"])
_BREAKDOWN = lexicon.compiled(_PHRASES["kind"]["breakdown"], head=r"\s*")
_BASE = re.compile(r"\(.*\)$")
_PLAN_NOUN_HEAD = re.compile(_IND["plan_head_pattern"])
_PLAN_NOUN_TAIL = re.compile(_IND["plan_tail_pattern"])
_OF_RATE = re.compile(r"的\s*(?:[\d.]+|[xX*?]+)\s*[%‰倍]")
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
    reference: bool = False    # its clause compares it with another quantity (占, 较, 比 …)
    breakdown: bool = False    # a part of the total before it (其中…), sharing its kind
    category_basis: str = ""   # "where:text" of the context that decided the category


@lru_cache(maxsize=1)
def _reference():
    """A clause opening that compares the quantity after it: 占, 较, 比 …, or 为 + a plan noun."""
    kinds = lexicon_rules()[1]
    return re.compile(rf"\s*(?:{kinds['reference'].rx.pattern}|为[^,;。]{{0,4}}?{kinds['plan_nouns'].rx.pattern})")


def _per(text, pos) -> bool:
    """Whether "/" and a unit follow ``pos`` (0.02次/万公顷, 3次/年): a quantity per something."""
    p = skip_space(text, pos)
    if text[p:p + 1] != "/":
        return False
    p = skip_space(text, p + 1)
    sc = match_scale(text, p)
    q = p + len(sc[0]) if sc else p
    return match_unit(text, q) is not None or starts(text, q, lexicon_rules()[1]["per_time"]) is not None


class _Extractor:
    """One pass over the number tokens of a text: each token either becomes a mention or is
    ledgered with the reason it is none (the rules in ``rules.py`` decide)."""

    def __init__(self, text, context):
        self.t = text
        self.ctx = context
        self.rules, self.kinds, _ = lexicon_rules()
        self.approx_prefix = lexicon.compiled(self.rules["approx"]["prefix"], tail="$")
        self.regions = rules.regions(text)
        self.mentions: list[Mention] = []
        self.ledger: list[dict] = []
        self.consumed = 0
        self.odd_decimals: list[tuple[int, int]] = []
        skip = sorted(getattr(context, "skip_spans", ()))   # statistics tables: read by tables.py
        self.skip_starts, self.skip = [a for a, _ in skip], skip

    def skipped(self, pos) -> bool:
        i = bisect_right(self.skip_starts, pos) - 1
        return i >= 0 and pos < self.skip[i][1]

    def run(self):
        tokens = rules.join_full_stop_decimals(self, list(scan(self.t)))
        for i, tok in enumerate(tokens):
            if tok.start < self.consumed or self.skipped(tok.start):
                continue
            self.take(tok, tokens[i + 1] if i + 1 < len(tokens) else None)
        for rule in rules.LOST_NUMBERS:
            rule(self)
        self.mentions.sort(key=lambda m: m.start)
        return self

    def take(self, tok: Token, nxt: Token | None):
        """Decide what ``tok`` is (``nxt``: the token after it, the far end of a range)."""
        if tok.form == "chinese" and tok.value is None:
            if any(c in CN_DIGITS or c == "十" for c in tok.raw):
                self.record(tok, False, "unparsed")   # 十十个: numeral characters, no number
            else:
                rules.scale_alone(self, tok)
            return
        if tok.percent:
            self.add(tok.start, tok.end, tok.value, units()["%"], "%", rules.prefix_approx(self, tok.start), False,
                     tok.start)
            self.record(tok, True, "metric")
            return
        why = rules.not_metric_reason(self, tok)
        if why is None and tok.form != "placeholder" and \
                (nxt is not None and rules.range_pair(self, tok, nxt) or rules.lost_digits(self, tok)):
            return
        q = None
        if why is None:
            q = rules.quantity_after(self, tok.end) or rules.wrapped_quantity(self, tok)
            if q is None:
                why = rules.ratio_cheng(self, tok) or "no_unit"
                if why == "metric":
                    return
            else:
                why = rules.not_a_quantity_reason(self, tok, q)
        if why is not None:
            self.reject(tok, why)
        else:
            self.quantity(tok, q)

    def reject(self, tok: Token, why: str):
        """Ledger ``tok`` as no metric; a lone numeral inside a word (统一, 进一步) is no number at all."""
        if why == "no_unit" and tok.form == "placeholder":
            why = "placeholder"
        if tok.form == "chinese" and len(tok.raw) == 1 and why in ("no_unit", "name"):
            return
        self.record(tok, False, why)

    def quantity(self, tok: Token, q):
        """A mention for ``tok`` and the unit read after it (``q`` from ``rules.quantity_after``)."""
        scale, factor, approx, unit, end = q
        if tok.high is not None:   # 二三十名: both ends, approximate, in one row
            self.add(tok.start, end, scaled(tok.value, factor, unit.to_base), unit, scale + unit.surface, True, False,
                     tok.start, high=scaled(tok.high, factor, unit.to_base))
            self.record(tok, True, "metric")
        else:
            approx = approx or rules.prefix_approx(self, tok.start)
            missing = tok.form == "placeholder"
            value = None if missing else scaled(tok.value, factor, unit.to_base)
            self.add(tok.start, end, value, unit, scale + unit.surface, approx, missing, tok.start)
            self.record(tok, True, "placeholder" if missing else "metric_decimal_full_stop"
                        if (tok.start, tok.end) in self.odd_decimals else "metric")
        self.consumed = end

    def record(self, tok, is_metric, reason, form=None, value=None):
        self.ledger.append(dict(start=tok.start, end=tok.end, raw=tok.raw, form=form or tok.form,
                                value=tok.value if value is None else value, is_metric=is_metric, reason=reason))

    def add(self, start, end, value, unit, written, approx, missing, num_start, high=None):
        """A mention; its start moves back over an approx word before it (约, 近 …)."""
        m = self.approx_prefix.search(self.t, max(0, start - 4), start)
        s = m.start() if m else start
        self.mentions.append(Mention(s, end, value, unit, written, approx, missing, num_start, end, high=high))

    def add_lost(self, s, end, unit, written):
        """A mention whose number was lost (the unit alone is written) and its ledger row."""
        self.mentions.append(Mention(s, end, None, unit, written, False, True, s, end))
        self.ledger.append(dict(start=s, end=end, raw=self.t[s:end], form="unit_only", value=None,
                                is_metric=True, reason="lost_number"))


def extract(text: str, context) -> tuple[list[Mention], list[dict]]:
    """Mentions and ledger rows (normalised offsets) for normalised ``text``."""
    ex = _Extractor(text, context).run()
    ms = ex.mentions
    annotate(text, ms, context)
    return ms, sorted(ex.ledger, key=lambda r: r["start"])


# -- meaning: indicator, kind, category, catalogue id --------------------------------------

def _quoted_before(text, pos, floor, longest=20):
    """The name in quotes written right before ``pos`` (张贴"保护野生动物宣传画"250张), or ""."""
    if text[pos - 1:pos] != '"':
        return ""
    opened = text.rfind('"', max(floor, pos - 1 - longest), pos - 1)
    inner = text[opened + 1:pos - 1] if opened >= 0 else ""
    return "" if any(c in PHRASE_END for c in inner) else _clean(inner)


def _skip_paren_back(text, pos):
    """Skip a parenthetical written right before ``pos``: 枯死松树(含濒死树,下同)15590株."""
    j = pos
    while j > 0 and text[j - 1] in SPACE:
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


_HEAD_RX = re.compile("^" + lexicon.compiled(_IND["filler_head"]).pattern + "+(?=.)")
_TAIL_KEEP = "".join(f"(?!(?<={re.escape(w[:-1])}){re.escape(w[-1])})" for w in _IND["filler_tail_keep"])
_TAIL_RX = re.compile("(?<=.)" + _TAIL_KEEP + lexicon.compiled(_IND["filler_tail"]).pattern + "+$")
_SUBJECT_TIME = re.compile(_IND["subject_time_head_pattern"])
_ORG_SUFFIXES = _IND["org_head_suffixes"]
_ORG_HEAD = re.compile(r"^[\u4e00-\u9fff]{0,8}?" + lexicon.compiled(_ORG_SUFFIXES).pattern
                       + "(?!" + lexicon.compiled(_IND["org_head_not_before"]).pattern + ")(?=..)")
_ORG_LAST = frozenset(w[-1] for w in _ORG_SUFFIXES)
_NOISE_RX = re.compile(r"[\dxX*?%‰.]+|[《》〈〉]")


_HEAD_FIRST = frozenset(w[0] for w in _IND["filler_head"])
_TAIL_LAST = frozenset(w[-1] for w in _IND["filler_tail"])


def _ends_in(s: str, chars: frozenset) -> bool:
    """Whether a pattern ending in ``$`` over words ending in ``chars`` can match ``s``: its
    last character is one of them (or the one before a final newline, where ``$`` matches too)."""
    return s[-1:] in chars or s[-1:] == "\n" and s[-2:-1] in chars


def _clean(phrase: str) -> str:
    """The words of a phrase that name what is measured: dates, digits, fillers and
    connectives at either end removed. Each pattern is tried only when the text holds what
    its matches need (a bracket or 是, a 年, 月 or 日, a filler's first or last character)."""
    s = _MARKER.sub("", phrase) if "(" in phrase or "是" in phrase else phrase
    s = _YEARS.sub("", s) if "年" in s or "月" in s or "日" in s else s
    s = _SUBJECT_TIME.sub("", _NOISE_RX.sub("", s).strip(" \t\"'`"))
    s = _ORG_HEAD.sub("", s) if not _ORG_LAST.isdisjoint(s) else s
    s = _HEAD_RX.sub("", s) if s[:1] in _HEAD_FIRST else s
    s = _TAIL_RX.sub("", s) if _ends_in(s, _TAIL_LAST) else s
    s = _HEAD_RX.sub("", s) if s[:1] in _HEAD_FIRST and _HEAD_RX.match(s) else s
    return s.strip(" \t\"'`")


_GLOSS_AFTER = re.compile(r"\(" + HAN.pattern + r"{1,4}\)")


def _skip_gloss(text, pos):
    """Skip a short gloss of Han characters written right after a unit, the unit's alternative
    or the noun's (10条(段)骨干河道, 7个乡镇(街道)): the noun after it is still what is counted."""
    m = _GLOSS_AFTER.match(text, pos)
    return m.end() if m else pos


_AFTER_STOP_LONGEST = max(map(len, _IND["after_stops"]))


def _after_phrase(text, pos, limit=12):
    """The words after a unit that may name what it counts: up to a mark, a digit or a stop
    word (入驻, 进行 …), at most ``limit`` characters; a stop word that starts within them
    still ends them when it runs past the limit (…宣传磁带到各村进行广播)."""
    end = min(len(text), pos + limit + _AFTER_STOP_LONGEST - 1)
    j = pos
    while j < end and text[j] not in PHRASE_END and not text[j].isdigit():
        j += 1
    s = text[pos:j]
    cap = min(j, pos + limit) - pos
    stripped = s.lstrip("的")   # 18人的专业扑火队: the noun, not the particle
    cap -= len(s) - len(stripped)
    m = _AFTER_STOP.search(stripped)
    cut = m.start() if m and 1 <= m.start() < cap else cap
    return stripped[:cut].strip(" \t")


@lru_cache(maxsize=1)
def catalogue_labels() -> dict[str, str]:
    """Indicator id → Chinese label."""
    return {r["id"]: r["label"] for r in lexicon.table("indicators.csv")}


@lru_cache(maxsize=1)
def _catalogue():
    """(synonym, id, unit family, category, context-scoped), longest synonym first, and the
    trie of the synonyms (``lexicon.trie``) giving the rows of each."""
    rows = []
    for r in lexicon.table("indicators.csv"):
        for syn in r["synonyms"].split("|"):
            rows.append((syn, r["id"], r["family"], r["category"] or None, r.get("scope") == "context"))
    rows.sort(key=lambda x: len(x[0]), reverse=True)
    return rows, lexicon.trie((row[0], i) for i, row in enumerate(rows))


def _synonyms_in(indicator: str, trie: dict) -> list[int]:
    """Rows of every catalogue synonym written inside ``indicator``, longest first."""
    found: list[int] = []
    n = len(indicator)
    for i in range(n):
        node, j = trie.get(indicator[i]), i + 1
        while node is not None:
            found += node.get("", ())
            node, j = (node.get(indicator[j]) if j < n else None), j + 1
    return sorted(set(found)) if found else found


_AVERAGE_HEADS = tuple(_IND["average_heads"])


def catalogue_match(indicator: str, family: str, category: str = "other"):
    """(indicator_id, category) of the longest catalogue synonym inside ``indicator`` whose
    unit family fits and whose category does not contradict the one found in context."""
    if indicator.startswith(_AVERAGE_HEADS):
        return None, None   # 人均植树: an average, no count of the catalogue's indicator
    fam = "percent" if family in ("percent", "ratio") else family
    rows, trie = _catalogue()
    for i in _synonyms_in(indicator, trie):
        syn, iid, f, cat, scoped = rows[i]
        if scoped and (category != cat if cat else category not in categories.MAIN):
            continue   # a generic name (任务, 人员) counts only where the context decided
        if (not f or f == fam) and not (cat in categories.MAIN and category in categories.MAIN and cat != category):
            return iid, None if scoped else cat
    return None, None


@dataclass(slots=True)
class _Place:
    """Where a mention stands: the text, all mentions and its index, its sentence, the
    mentions before it in that sentence, and where its indicator phrase may start."""
    text: str
    ms: list[Mention]
    starts: list[int]
    idx: int
    start: int
    end: int
    earlier: list[Mention]
    floor: int


def annotate(text: str, ms: list[Mention], ctx):
    """Fill indicator, kind, category and indicator_id of each mention, in text order."""
    _, kinds, _ = lexicon_rules()
    prev_in_sentence: dict[int, list[Mention]] = {}
    seen_votes: dict[str, dict] = {}   # sentences and headings recur from mention to mention
    topics: dict[tuple, tuple] = {}   # and so do sets of headings: the topic of each
    mention_starts = [m.start for m in ms]
    full_ends = sentence_ends(text, full=True)
    for idx, m in enumerate(ms):
        sid, s_start, s_end = ctx.sentence(m.start)
        earlier = prev_in_sentence.setdefault(sid, [])
        floor = max([s_start] + [p.unit_end for p in earlier])
        place = _Place(text, ms, mention_starts, idx, s_start, s_end, earlier, floor)
        per = _per(text, m.unit_end)
        m.indicator = _indicator(place, m, per, ctx)
        cs = window_start(text, m.start, CLAUSE_END, s_start)
        m.reference = bool(_reference().match(text, cs, m.start))
        m.kind = _kind_of(place, m, ctx, kinds, cs, per, full_ends)
        _categorise(place, m, ctx, cs, seen_votes, topics)
        earlier.append(m)


def _indicator(place: _Place, m: Mention, per: bool, ctx) -> str:
    """What ``m`` measures: the phrase before the number, else the noun phrase after the unit;
    for a rate, its clause and the quantity it is of; a part word joined to its whole."""
    earlier = place.earlier
    ind = _phrase_indicator(place, m, per)
    if m.unit.family in ("percent", "ratio"):
        ind = _rate_indicator(place, m, ind)
    if not ind and earlier:
        ind = earlier[-1].indicator
    if ind in _PART_WORDS:
        whole = next((p for p in reversed(earlier) if p.indicator.split("·")[-1] not in _PART_WORDS
                      and not p.breakdown and p.unit.family == m.unit.family), None)   # a sibling is no whole
        if whole is not None:
            ind = f"{_BASE.sub('', whole.indicator)}·{ind}"   # 其中新建58亩 → 苗木基地建设·新建
    return _tidy(ind, m, place.text, place.start, earlier, ctx)


def _phrase_indicator(place: _Place, m: Mention, per: bool) -> str:
    """The words around a quantity that name it (before it, or after a count or a weak verb)."""
    text, earlier = place.text, place.earlier
    a = _skip_paren_back(text, m.start)
    before = _clean(text[window_start(text, a, PHRASE_END, place.floor):a]) or _quoted_before(text, a, place.floor)
    after = _after_phrase(text, _skip_gloss(text, m.unit_end)) if m.unit_end < len(text) and not per else ""
    weak = len(before) < 2 or bool(_VERBS_ONLY.match(before))
    after = _LEADING_VERB.sub("", after, count=1) if _LEADING_VERB.match(after) else after
    if after in _FILLER_HEAD or len(after) < (1 if m.unit.family == "count" else 2):
        after = ""   # a count may name a one-character noun after it (8个村)
    opens_fw = after[:1] in _FW_FIRST and _HEAD_FW.match(after)
    after = "" if opens_fw else _strip_function_words(after)   # 40人及…: another item
    if m.unit.family == "count" and after:
        ind = after
    elif (weak or before.endswith("了")) and len(after) >= 2:
        ind = after
    elif weak or before in _IND["generic"]:
        ind = _subject(text, m, place.start, earlier) + ("" if weak else before)
    else:
        ind = before
    if earlier and ind == before and _REFERS_BACK.match(before):
        subject = next((p for p in reversed(earlier) if p.kind == "actual"), earlier[-1])
        ind = f"{_BASE.sub('', subject.indicator)}({before})"
    return ind


def _rate_list_clause(text, earlier, cs, at, floor):
    """(clause start, first rate) of a list of rates "分别占计划任务的153%、101%、103%": a rate
    written right after another and a 、 shares that rate's clause; else (cs, at) unchanged."""
    while cs > floor and text[cs - 1] == "、" and not text[cs:at].strip():
        prev = next((p for p in reversed(earlier) if p.end == cs - 1 and p.unit.family in ("percent", "ratio")), None)
        if prev is None:
            break
        cs, at = window_start(text, prev.start, _RATE_CLAUSE_END, floor), prev.start
    return cs, at


def _rate_indicator(place: _Place, m: Mention, ind: str) -> str:
    """A rate named by its clause, qualifying the quantity it is of: the n-th of n actuals for
    "分别占…的110%和106%", the actual before "占/为/达…", the quantity a 下降/增长 refers back to."""
    text, earlier = place.text, place.earlier
    cs, head = _rate_list_clause(text, earlier, window_start(text, m.start, _RATE_CLAUSE_END, place.start),
                                 m.start, place.start)
    clause = text[cs:head]
    for p in earlier:
        if p.start >= cs:
            clause = clause.replace(text[p.start:p.end], "")
    ind = _clean(clause) or ind
    actuals = [p for p in earlier if p.kind == "actual"]
    if "分别" in text[cs:m.start] and actuals:
        rates_here = [p for p in earlier if p.unit.family in ("percent", "ratio") and p.start >= cs]
        later = place.ms[place.idx + 1:bisect_left(place.starts, place.end)]
        n_rates = 1 + len(rates_here) + sum(1 for q in later if q.unit.family == "percent")
        group = actuals[-n_rates:] if len(actuals) >= n_rates else actuals
        pick = group[min(len(rates_here), len(group) - 1)]
        return f"{_BASE.sub('', pick.indicator)}({_clean(clause.replace('分别', ''))})"
    if _OF_TOTAL.match(text, cs, m.start) and actuals:
        return f"{_BASE.sub('', actuals[-1].indicator)}({ind})"
    if earlier and _REFERS_BACK.match(ind) and earlier[-1].unit.family not in ("percent", "ratio"):
        return f"{_BASE.sub('', earlier[-1].indicator)}({ind})"   # 火灾次数减少9起,下降56.3%
    return ind


def _kind_of(place: _Place, m: Mention, ctx, kinds, cs: int, per: bool, full_ends: list[int]) -> str:
    """rate for a percentage, ratio or per-unit figure; else actual or plan from the cue words
    of its clause and the quantities before it in its full sentence (``full_ends``)."""
    if m.unit.family in ("percent", "ratio") or m.unit.surface in kinds["rate_units"] or per:
        return "rate"
    text = place.text
    k = bisect_right(full_ends, m.start)
    g = full_ends[k - 1] if k else 0     # the full sentence (to 。!? or a line end) of the number
    group = [p for p in place.ms[bisect_left(place.starts, g):place.idx]
             if not p.reference and not closes_before(text, p.end, m.start)]
    lead = text[g:group[0].start if group else m.start]
    if not group and _BREAKDOWN.match(lead):
        # "…任务41.03万亩。其中:人工造林5.77万亩": a sentence opening with 其中 breaks down the
        # total before it, and its first quantity shares that total's kind.
        j = bisect_left(place.starts, g) - 1
        while j >= 0 and place.ms[j].kind == "rate":
            j -= 1
        group = [place.ms[j]] if j >= 0 else []
    return _kind(text, m, ctx, kinds, max(place.floor, cs, g), group,   # the clause, not before g
                 plan_led=bool(kinds["plan_lead"].rx.search(lead)))


def _categorise(place: _Place, m: Mention, ctx, cs: int, seen_votes: dict, topics: dict):
    """Category (innermost context first: indicator, clause, sentence, headings; a passage on
    one topic; a rate's quantity), the basis that decided it, and the catalogue id."""
    text, earlier = place.text, place.earlier
    heads = ctx.headings(m.start)
    local = [(m.indicator, 3), (text[cs:m.unit_end], 2), (text[place.start:place.end], 1.5)]
    m.category, basis = categories.classify_explained(local + heads, votes=seen_votes)
    texts = tuple([h for h, _ in heads])
    where = "indicator" if basis == m.indicator else "heading" if basis in texts else "sentence"
    if (found := topics.get(texts)) is None:
        found = topics[texts] = categories.topic(heads, seen_votes)
    subject, heading = found
    own = categories._leader(categories._cached_votes(m.indicator, seen_votes))
    if subject and m.category != subject and (own not in categories.MAIN or m.unit.family == "count"):
        m.category, basis, where = subject, heading, "topic"   # a passage on one topic
    elif m.category == "other" and earlier and m.unit.family in ("percent", "ratio") and where != "heading":
        m.category, basis, where = earlier[-1].category, earlier[-1].indicator, "rate_of"
    m.category_basis = f"{where}:{basis}" if basis else ""
    iid, cat = catalogue_match(m.indicator, m.unit.family, m.category)
    m.indicator_id = iid
    if m.category == "other" and cat:
        m.category = cat


_NAMES = _PHRASES["names"]
_PART_WORDS = frozenset(_IND["part_words"])
_FUNCTION_WORDS = Words(_NAMES["function_words"])
_HEAD_FW = re.compile("^(?:" + _FUNCTION_WORDS.rx.pattern + ")+")
_TAIL_FW = re.compile("(?:" + _FUNCTION_WORDS.rx.pattern + ")+$")


_FW_FIRST = frozenset(w[0] for w in _FUNCTION_WORDS)
_FW_LAST = frozenset(w[-1] for w in _FUNCTION_WORDS)


def _strip_function_words(name: str) -> str:
    """``name`` without function words or marks at either end (及, 等, 以下, 基中 …)."""
    s = name.strip()
    s = _HEAD_FW.sub("", s) if s[:1] in _FW_FIRST else s
    return (_TAIL_FW.sub("", s) if _ends_in(s, _FW_LAST) else s).strip()


def _han(s: str) -> int:
    return len(HAN.findall(s))


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
        head = text[window_start(text, s_start, CLAUSE_END - {"\n"}, max(0, s_start - 20)):s_start]
        cands = [_clean(head) if head.endswith("\n") and head.strip() else "",
                 _BASE.sub("", earlier[-1].indicator) if earlier else ""]
        cands += [_clean(h) for h, _ in ctx.headings(m.start)]
        base = next((c for c in map(_strip_function_words, cands) if _han(c) >= 2), base)
    return f"{base}({qual})" if paren and _han(qual) >= 1 else base


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


def _last_end(rx: re.Pattern, window: str) -> int:
    """End of the last match of ``rx`` in ``window`` (matches run left to right, so their ends
    only grow), or -1."""
    end = -1
    for mm in rx.finditer(window):
        end = mm.end()
    return end


@lru_cache(maxsize=1)
def _any_cue() -> re.Pattern:
    """Any actual or plan cue word (kinds.toml): whether a window says anything of its kind."""
    kinds = lexicon_rules()[1]
    return lexicon.compiled(kinds["actual"] + kinds["plan_verbs"] + kinds["plan_nouns"] + kinds["strong_actual"])


def _kind(text, m, ctx, kinds, ws, earlier, plan_led=False):
    window = text[ws:m.start]
    cut = max(_last_end(_MARKER, window), 0) if "是" in window or "(" in window else 0
    colon = window.rfind(":")
    head, window = window[:max(cut, colon + 1)], window[max(cut, colon + 1):]
    if colon >= cut and not _any_cue().search(window):
        window = head[cut:] + window
    in_plan = ctx.in_plan(m.start)
    strong, actual = _last_end(kinds["strong_actual"].rx, window), _last_end(kinds["actual"].rx, window)
    verb = _last_end(kinds["plan_verbs"].rx, window)
    not_before = kinds["plan_noun_not_before"].rx
    noun = -1
    for mm in kinds["plan_nouns"].rx.finditer(window):
        if not not_before.match(window, mm.end()):
            noun = mm.end()
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
    in_list = last is not None and last.breakdown and ";" not in text[last.end:m.start]
    if prior and verb < 0 and strong < 0 and (in_list or _BREAKDOWN.match(window)):
        m.breakdown = True
        return prior[-1]   # a breakdown ("其中…任务5万亩, …3万亩") shares the kind of its total
    if noun_last and noun == len(window.rstrip(SPACE)) and \
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
