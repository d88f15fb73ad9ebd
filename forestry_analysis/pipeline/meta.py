"""Report metadata (title, organisation, year, period, date, kind) and the body's bounds.

Scraped pages wrap the report in a page header, site blurbs and page furniture; the
report's own title line and its signature outrank them, and a disagreement between them
becomes a warning instead of a silent choice. Cue words live in ``lexicon/meta.toml``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePath

from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import Normalized
from forestry_analysis.pipeline.quantities.numbers import chinese_value
from forestry_analysis.pipeline.outline import body_markers, find_markers, sentence_ends

_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = re.compile(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4}|(?:1|2|19|20|201|202)?[xX×*]{1,4})\s*年\s*"
                   + _NUM + r"?\s*[xX×*]*\s*月\s*" + _NUM + r"?\s*[xX×*]*\s*日\s*$"
                   + r"|^\s*(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})\s*$")
_YEAR = re.compile(r"(?=[12])(?<!\d)((?:19|20)\d{2})\s*年")   # the lookahead: tried only at a 1 or 2
_YEAR_END = re.compile(r"[\d〇零一二三四五六七八九十xX*]")   # the last character of a written year
# A year in Chinese numerals (二〇二一年, 二0二一年), read digit by digit.
_CN_YEAR = re.compile(r"(?=[一二])(?<![〇零一二三四五六七八九0])([一二][〇零一二三四五六七八九0]{3})\s*年")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "0": "0"}
_HAN = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _lex():
    d = lexicon.toml("meta.toml")
    alt = lexicon.alternation
    t, o = d["title"], d["org"]
    return dict(
        d=d,
        blurb=lexicon.compiled(d["preamble"]["phrases"], spaced=True),
        header=re.compile("|".join(d["preamble"]["header_lines"])),
        trailer=re.compile("|".join(d["trailer"]["lines"])),
        tail=re.compile(d["trailer"]["inline_tail"]),
        title_word=re.compile(alt(t["summary_words"] + t["plan_words"] + t["other_words"])),
        summary=re.compile(alt(t["summary_words"])),
        plan=re.compile(alt(t["plan_words"])),
        plan_done=re.compile(rf"(?<!{')(?<!'.join(t['done_verb_leads'])})(?:{alt(t['done_verbs'])})"
                             rf"[^,，。;；]*?(?:{alt(t['plan_words'])})"),
        strip_suffix=re.compile(t["strip_suffix"]),
        org_suffix=re.compile(alt(o["suffixes"])),
        org=re.compile(rf"((?:[\u4e00-\u9fffXx×*]{{1,7}}?(?:{alt(o['units'])}))*)"
                       rf"((?:[{''.join(u for u in o['units'] if len(u) == 1)}])?(?:{alt(o['suffixes'])}))"),
        org_lead=re.compile(rf"^(?:{alt(t['org_lead'])})"),
        source=re.compile(rf"(?:{alt(d['org']['source_cues'])})\s*[:：]\s*(\S+)"),
        # A title that opens with a place and then its year: 湘西州2020年度造林…完成情况统计表.
        title_place=re.compile(rf"^((?:[\u4e00-\u9fff]{{1,7}}?(?:{alt(o['units'])}))+)(?=(?:19|20)\d{{2}}\s*年)"),
        placeholder=re.compile(d["year"]["placeholder"]),
        body_year=re.compile(rf"(?=[12])(?<!\d)((?:19|20)\d{{2}})\s*年(?={alt(d['year']['body_cues'])})"),
        period=re.compile(alt([w for w, _ in d["period"]["words"]])),
        # A year and period words before an organisation in a title ("2020年上半年巴南区林业局").
        time_lead=re.compile(rf"^(?:[〇零一二三四五六七八九十两\dxX*]*年|{alt([w for w, _ in d['period']['words']])})+"),
        opening_period=re.compile(rf"(?:^|(?<=[,。;:\s年\dxX*]))(?:{alt([w for w, _ in d['period']['words']])})"),
        month=re.compile(d["period"]["month"]),
        plan_sec=re.compile(alt(d["sections"]["plan"])),
        actual_sec=re.compile(alt(d["sections"]["actual"])),
        problem_sec=re.compile(alt(d["sections"]["problem"])),
        problem_end=re.compile(rf"(?:{alt(d['sections']['problem_end'])})\W*$"),
    )


def _heading_matches(heading, key: str) -> bool:
    lex = _lex()
    h = heading.strip() if isinstance(heading, str) else ""
    return bool(h) and len(h) <= lex["d"]["sections"]["max_heading_len"] and bool(lex[key].search(h))


def is_plan_heading(heading) -> bool:
    """A short heading about the next period (下一步工作计划, 下半年打算), not the one reported."""
    return _heading_matches(heading, "plan_sec") and not _heading_matches(heading, "actual_sec")


def is_problem_heading(heading, level: int = 1) -> bool:
    """A short heading about problems and difficulties (存在的问题和困难; a level-1 …的不足)."""
    return _heading_matches(heading, "problem_sec") or (level == 1 and _heading_matches(heading, "problem_end"))


def _lines(text: str, start: int = 0, end: int | None = None):
    """(start, end) of each line without its newline, between ``start`` and ``end``."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop
        pos = stop + 1


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _is_title(line: str) -> bool:
    lex = _lex()
    return (0 < len(line) <= lex["d"]["title"]["max_len"] and not re.search(r"[。!?;:]$|[。;]", line)
            and bool(lex["title_word"].search(line)) and not lex["header"].search(line)
            and not lex["blurb"].search(line) and not find_markers(line))


def _is_teaser(text: str, s: int, e: int) -> bool:
    """A scraped teaser: the line, spaces removed, is the start of the text that follows it."""
    if e - s < 20:
        return False   # too short even with its spaces
    line = re.sub(r"\s+", "", text[s:e])
    rest = re.sub(r"\s+", "", text[e:e + 3 * len(line) + 200])
    return len(line) >= 20 and rest.startswith(line)


def _is_headline(text: str, s: int, e: int) -> bool:
    """A news headline as the first line of the body: short, no sentence punctuation, mostly
    Han characters, and more text after it."""
    lo, hi = _lex()["d"]["preamble"]["headline_len"]
    line = text[s:e]
    return (lo <= len(line) <= hi and not re.search(r"[。,;:!?、]", line) and not find_markers(line)
            and len(_HAN.findall(line)) >= 0.7 * len(line) and len(text) - e > 3 * len(line))


def _run_in_title(text: str, s: int, e: int, gap):
    """A title that runs straight into the body on one line ("某县林业局2019年工作要点2019年,全县…",
    "…工作情况的总结 上半年,在县委…"): the end of the longest such title, or None."""
    lex = _lex()
    head = text[s:min(e, s + lex["d"]["title"]["max_len"])]
    stop = re.search(r"[。,;:!?]", head)
    head = head[:stop.start()] if stop else head
    ends = [m.end() for m in lex["title_word"].finditer(head)]
    for end in reversed(ends):
        title = head[:end].strip()
        if end < len(head) and len(title) >= 6 and not _NOT_RUN_IN.search(_YEAR_WORD.sub("", title)) and \
                _is_title(title) and \
                (head[end].isspace() or head[end].isdigit() or gap(s + end)):
            return s + end
    return None


def _head(text: str, gap=lambda i: False):
    """Walk the page head: (body_start, title_span or None, other title-like spans). ``gap(i)``
    says whether the text as read had white space before offset ``i`` (normalising removes
    the spaces between Chinese characters)."""
    lex = _lex()
    titles, chrome, pos = [], [], 0
    for s, e in _lines(text):
        s, e = _strip(text, s, e)
        pos = s
        if s == e:
            continue
        line = text[s:e]
        if (title := _is_title(line)) or lex["header"].search(line) or _is_teaser(text, s, e):
            (titles if title else chrome).append((s, e))
            pos = e
            continue
        if not titles and (cut := _run_in_title(text, s, e, gap)) is not None:
            titles.append(_strip(text, s, cut))
            pos = cut
            break
        if not titles and _is_headline(text, s, e):
            titles.append((s, e))
            pos = e
            continue
        hits = list(lex["blurb"].finditer(text, s, e))
        if not hits:
            break
        ends = sentence_ends(text, full=True, lines=False, pos=hits[-1].end(), endpos=e)
        pos = ends[0] if ends else e
        if pos < e:
            break
    else:
        pos = len(text)
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos, (titles[-1] if titles else None), titles[:-1], chrome


def _tail(text: str, lo: int) -> int:
    """Start of the page furniture after the report (len(text) when none)."""
    lex = _lex()
    cut = len(text)
    for s, e in reversed(list(_lines(text, lo))):
        s2, e2 = _strip(text, s, e)
        if s2 == e2:
            continue
        if lex["trailer"].search(text[s2:e2]):
            cut = s2
            continue
        m = lex["tail"].search(text, s2, e2)
        if m and m.start() > s2:
            cut = m.start()
        break
    return cut


def _cn_int(s: str | None) -> int | None:
    if not s or re.search(r"[xX×*]", s):
        return None
    if s.isdigit():
        return int(s)
    return int(chinese_value(s) or 0) or None


def _signature(text: str, lo: int, hi: int):
    """(span, year or placeholder, ISO date or None) of the last date-only line in [lo, hi)."""
    lines = [_strip(text, s, e) for s, e in _lines(text, lo, hi)]
    lines = [(s, e) for s, e in lines if s < e]
    for i in range(len(lines) - 1, -1, -1):
        s, e = lines[i]
        m = _DATE.match(text[s:e])
        if not m:
            continue
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        start = s
        if i > 0:
            ps, pe = lines[i - 1]
            prev = text[ps:pe]
            if len(prev) <= 30 and not re.search(r"[。,;:!?]", prev) and not find_markers(prev) and (
                    _lex()["org"].search(prev) or re.search(r"[局站室会府部心场处所队]$", prev)):
                start = ps
        yi, mi, di = _cn_int(y), _cn_int(mo), _cn_int(d)
        iso = f"{yi:04d}-{mi:02d}-{di:02d}" if yi and mi and di and mi <= 12 and di <= 31 else None
        return (start, e), (yi or f"{y}年"), iso
    return None


def _year_token(text: str, s: int = 0, e: int | None = None, body: bool = False):
    """First year in text[s:e] as int, or the placeholder string, or None."""
    lex = _lex()
    e = len(text) if e is None else e
    real = (lex["body_year"] if body else _YEAR).search(text, s, e)
    ph = lex["placeholder"].search(text, s, e)
    if ph and (not real or ph.start() < real.start()):
        return ph.group() + "年"
    if real is None and not body and (cn := _CN_YEAR.search(text, s, e)):
        year = int("".join(_CN_DIGIT[c] for c in cn.group(1)))
        return year if 1900 <= year <= 2099 else None
    return int(real.group(1)) if real else None


def _org(text: str):
    """(org, region) from the first organisation name in ``text``."""
    lex = _lex()
    if not text or not lex["org_suffix"].search(text):
        return None, None   # every organisation name ends in one of the suffixes
    for m in lex["org"].finditer(text):
        region = lex["time_lead"].sub("", lex["org_lead"].sub("", m.group(1)))
        org = region + m.group(2)
        return org, (region if len(region) >= 2 else None)
    return None, None


_PLACEHOLDER_NAME = re.compile(r"[Xx×*]")
_YEAR_WORD = re.compile(r"(?:19|20)\d{2}\s*年")
_NOT_RUN_IN = re.compile(r"[\d()、%]")   # a quantity or an aside: body text, not a title


def _body_place(text: str) -> str | None:
    """The first administrative place name of the body ("确保眉山市生态安全" → 眉山市), as jieba
    tags place names (ns); generic and relative names (各乡镇, 全市, 我州) are not regions."""
    from forestry_analysis.pipeline.segment import tagged
    lex = _lex()
    units = tuple(lex["d"]["org"]["units"])
    generic = tuple(lex["d"]["region"]["generic_lead"])
    terrain = tuple(lex["d"]["region"]["body_not_units"])
    for word in tagged(text, "ns", endings=units, min_len=3):
        if not word.endswith(terrain) and not word.startswith(generic) and not _PLACEHOLDER_NAME.search(word):
            return word
    return None


def _period(title: str, opening: str):
    lex = _lex()
    words = dict(lex["d"]["period"]["words"])
    for m in lex["period"].finditer(title or ""):
        if m.group() in lex["d"]["period"]["after_a_year"] and not (m.start() and _YEAR_END.match(title, m.start() - 1)):
            continue   # "上年工作总结" (a garbled 上半年?) says nothing
        return words[m.group()]
    mm = lex["month"].search(title or "")
    if mm:
        n = _cn_int(mm.group(1))
        if n and 1 <= n <= 12:
            return f"M{n:02d}"
    m = lex["opening_period"].search(opening or "")
    return words[m.group()] if m else None


def _kind(title: str, norm, lo: int, hi: int) -> str:
    lex = _lex()
    title = title or ""
    plan_title = bool(lex["plan"].search(title)) and not lex["plan_done"].search(title)
    if plan_title and not lex["summary"].search(title):
        return "plan"
    if plan_title or any(it.level < 3 and is_plan_heading(it.heading) for it in body_markers(norm, lo, hi)):
        return "both"
    return "summary"


# How far a chart may trust the title as the report's name (else it shows the file name).
TITLE_CONFIDENCE = {"标题行": 1.0, "新闻标题或正文首句": 0.7, "文件名": 0.5, "无": 0.0}
SOURCE_NAMES = {"title": "标题", "signature": "落款", "opening": "开头", "page header": "页眉",
                "page chrome": "网页发布日期"}
_PAGE_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


def _date_year(text: str, s: int, e: int):
    """The year of a publication date on a page-chrome line (发布时间:2018-11-20, 2022-02-09 11:28)."""
    m = _PAGE_DATE.search(text, s, e)
    return int(m.group(1)) if m else None


def _choose_year(sources: list[tuple[str, object]], warnings: list[str], tolerance: int):
    """Year from the first source that states one; warn (in Chinese, for the briefing) on
    placeholders and conflicts."""
    stated = [(name, y) for name, y in sources if y is not None]
    if not stated:
        warnings.append("标题、落款和开头均未写明年份")
        return None
    name, y = stated[0]
    if isinstance(y, str):
        warnings.append(f"{SOURCE_NAMES[name]}中的年份是占位符「{y}」，年份不明")
        return None
    trusted = [(n, v) for n, v in stated if n in ("title", "signature") and isinstance(v, int)]
    for n, v in trusted:
        if n != name and abs(v - y) > tolerance:
            warnings.append(f"{SOURCE_NAMES[n]}写{v}年，{SOURCE_NAMES[name]}写{y}年，按{y}年")
    header = next((v for n, v in stated if n == "page header" and isinstance(v, int) and v != y), None)
    if header is not None:
        agree = [n for n, v in trusted if v == y] or [name]
        warnings.append(f"页眉写{header}年，报告{'和'.join(SOURCE_NAMES[n] for n in agree)}写{y}年，按{y}年")
    return y


def _title_from_path(path) -> str | None:
    """A file name that reads like a report title (重庆市…2020年上半年工作总结.txt)."""
    if path is None:
        return None
    stem = Normalized(PurePath(str(path)).stem).text.strip()
    return stem if _is_title(stem) else None


def extract_meta(norm, path=None) -> dict:
    """Metadata and body bounds (normalised offsets) of one report.

    Keys: title, org, region, year, period, date, report_kind, warnings, body_start,
    body_end, title_span, signature_span. When the text has no title line, a file name
    (``path``) that reads like a title stands in for it.
    """
    lex = _lex()
    text = norm.text
    body_start, title_span, headers, chrome = _head(text, lambda i: 0 < i < len(text) and norm.orig(i) - norm.orig(i - 1) > 1)
    tail = max(_tail(text, body_start), body_start)
    sig = _signature(text, body_start, tail)
    body_end = tail
    if sig and not text[sig[0][1]:tail].strip():
        body_end = sig[0][0]
    warnings: list[str] = []
    title = None
    title_source = "标题行" if title_span else "无"
    if title_span:
        title = lex["strip_suffix"].sub("", text[title_span[0]:title_span[1]]) or None
        if not _is_title(text[title_span[0]:title_span[1]]):
            title_source = "新闻标题或正文首句"   # a headline, or a title run into the body
    elif (title := _title_from_path(path)) is not None:
        title_source = "文件名"
        warnings.append("正文中没有标题行，标题取自文件名")
    opening = text[body_start:body_start + lex["d"]["year"]["opening_chars"]]
    sources = [("title", _year_token(title or "")),
               ("signature", sig[1] if sig else None),
               ("opening", _year_token(opening, body=True)),
               ("page header", next((y for s, e in headers if (y := _year_token(text, s, e)) is not None), None)),
               ("page chrome", next((y for s, e in chrome if isinstance(y := _date_year(text, s, e), int)), None))]
    year = _choose_year(sources, warnings, lex["d"]["year"]["date_tolerance"])
    if sig and sig[2] is None:
        warnings.append(f"落款日期「{text[sig[0][0]:sig[0][1]].split()[-1]}」不完整")
    org, region = _org(title)
    if org is None and sig:
        org, region = _org(text[sig[0][0]:sig[0][1]])
    if org is None:
        org, region = _org(opening)
    if region is None and title and (m := lex["title_place"].match(title)):
        region = m.group(1)
    if region is None:                     # a scraped page's 来源/发布机构 line names the bureau
        cue = lex["source"].search(text, 0, body_start + lex["d"]["year"]["opening_chars"])
        named = _org(cue.group(1)) if cue else (None, None)
        if named[1] is not None and (org is None or named[0].endswith(org)):
            org, region = named
    if region is not None and _PLACEHOLDER_NAME.search(region):
        region = None                      # XX县: a template's blank, not a place
    if region is None:
        region = _body_place(text[body_start:body_start + lex["d"]["region"]["body_chars"]])
    return dict(title=title, org=org, region=region, year=year, period=_period(title, opening),
                date=sig[2] if sig else None, report_kind=_kind(title, norm, body_start, body_end),
                warnings=warnings, body_start=body_start, body_end=body_end,
                title_span=title_span, signature_span=sig[0] if sig else None,
                title_source=title_source, title_confidence=TITLE_CONFIDENCE[title_source])
