"""Number-like tokens in normalised text: Arabic, Chinese numerals and placeholders.

Numbers are found by regex on the text itself, never from word segmentation (jieba splits
decimals and thousands separators). ``scan`` yields every token with its value; whether a
token is a metric is decided in ``metrics``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from forestry_analysis import lexicon

CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"
# A placeholder run: digits mixed with template marks (XX0, xx4, 20xx, 201x, **8.4, ???, ××).
# A lone x with no digit beside it (x光) or a × between digits (3×5米) is not one.
_PH = r"[\dxX×*?？]"
_PLACEHOLDER = rf"(?<![A-Za-z\d.])(?={_PH}*?(?:[xX×]{{2}}|\d[xX]|[xX]\d|\*\*|[?？]{{2}})){_PH}++(?:\.\d+)?"
_CN_DIGIT1 = "一二两三四五六七八九"
# 1万2千亩, 3万两千五百株: an Arabic count of 万 followed by 千/百 written in either script.
_MIXED = rf"\d+万(?:[\d{_CN_DIGIT1}]千(?:[\d{_CN_DIGIT1}]百)?|[\d{_CN_DIGIT1}]百)"
# Thousands may be grouped with commas (1,700) or, in typeset text, thin or plain spaces (19 925).
_ARABIC = r"(?<!\d)\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|(?<![\d.])\d{1,3}(?:[ \u2009\u202f]\d{3})+(?:\.\d+)?(?![\d.])|\d+(?:\.\d+)?"
_CHINESE = rf"百分之[{CN_CHARS}点]+|[{CN_CHARS}]+"
# The leading lookahead names every character a token can start with, so the alternatives
# are tried only there (5× faster than trying all four at every position).
TOKEN = re.compile(rf"(?=[\dxX×*?？{CN_CHARS}])"
                   rf"(?:(?P<placeholder>{_PLACEHOLDER})|(?P<mixed>{_MIXED})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE}))")
_GROUPING = re.compile(r"[,\s\u2009\u202f]")
# 二三十, 七八十, 三四百, 五六千: two neighbouring digits before a scale, "twenty or thirty";
# 七八个, 两三人: the same with no scale, "seven or eight".
_APPROX_RANGE = re.compile(rf"([{_CN_DIGIT1}])([{_CN_DIGIT1}])([十百千万]*)")
_TWO_DIGITS = re.compile(rf"[{_CN_DIGIT1}]{{2}}")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    raw: str
    form: str          # arabic, chinese, placeholder
    value: float | None
    percent: bool = False   # 百分之七十
    high: float | None = None  # upper end of an approximate range (二三十 → 20, high 30)


@lru_cache(maxsize=4096)
def chinese_value(s: str) -> float | None:
    """Value of a Chinese numeral (三千七百四十万 → 37400000); None for scale-only words (万, 千万)."""
    if not any(c in CN_DIGITS or c == "十" for c in s):
        return None
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError):
        return None


def _digit(c: str) -> int:
    return int(c) if c.isdigit() else int(chinese_value(c) or 0)


def mixed_value(raw: str) -> float:
    """1万2千 → 12000, 3万两千五百 → 32500."""
    head, rest = raw.split("万")
    value = float(head) * 1e4
    for m in re.finditer(r"(.)([千百])", rest):
        value += _digit(m.group(1)) * (1000 if m.group(2) == "千" else 100)
    return value


@lru_cache(maxsize=1)
def _loose_ranges() -> frozenset[str]:
    return frozenset(lexicon.toml("numbers.toml")["chinese"]["loose_ranges"])


def approx_range(s: str) -> tuple[float, float] | None:
    """二三十 → (20, 30), 七八 → (7, 8); None unless two neighbouring digits (or a pair such as
    三五, numbers.toml) stand alone or before a scale."""
    m = _APPROX_RANGE.fullmatch(s)
    if not m:
        return None
    lo, hi = _digit(m.group(1)), _digit(m.group(2))
    scale = chinese_value("一" + m.group(3)) if m.group(3) else 1
    if not (hi == lo + 1 or m.group(1) + m.group(2) in _loose_ranges()) or not scale:
        return None
    return lo * scale, hi * scale


def scan(text: str):
    """Yield every number-like Token in ``text``."""
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        if kind == "mixed":
            yield Token(m.start(), m.end(), raw, "arabic", mixed_value(raw))
        elif kind == "arabic":
            try:
                value = float(raw)
            except ValueError:   # grouped thousands: 1,700, 19 925
                value = float(_GROUPING.sub("", raw))
            yield Token(m.start(), m.end(), raw, kind, value)
        elif kind == "placeholder":
            if raw.replace(".", "").isdigit():
                continue
            yield Token(m.start(), m.end(), raw, kind, None)
        else:
            end = m.end()
            if raw[-1] in "千百" and len(raw) > 1 and text[end:end + 1] in ("克", "米", "瓦"):
                raw, end = raw[:-1], end - 1    # 三千克 is 3 千克, not 3000
            percent = raw.startswith("百分之")
            value = chinese_value(raw[3:] if percent else raw)
            if percent and value is None:
                continue
            if not percent and _TWO_DIGITS.fullmatch(raw):
                value = None   # 七八 is a range, 五七 (五七片, 八一路) a name: never 78 or 57
            rng = approx_range(raw) if value is None and not percent else None
            if rng:
                yield Token(m.start(), end, raw, kind, rng[0], high=rng[1])
            else:
                yield Token(m.start(), end, raw, kind, value, percent)
