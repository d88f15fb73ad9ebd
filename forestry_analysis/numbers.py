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

CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"
_PLACEHOLDER = r"(?<![A-Za-z])(?:\d*[xX×]+[\dxX×]*|\d*\*{2,}[\d*]*|\d*[?？]{2,}[\d?？]*)(?:\.\d+)?(?![A-Za-z])"
# Thousands may be grouped with commas (1,700) or, in typeset text, thin or plain spaces (19 925).
_ARABIC = r"(?<!\d)\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|(?<![\d.])\d{1,3}(?:[ \u2009\u202f]\d{3})+(?:\.\d+)?(?![\d.])|\d+(?:\.\d+)?"
_CHINESE = rf"百分之[{CN_CHARS}点]+|[{CN_CHARS}]+"
TOKEN = re.compile(rf"(?P<placeholder>{_PLACEHOLDER})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE})")


@dataclass
class Token:
    start: int
    end: int
    raw: str
    form: str          # arabic, chinese, placeholder
    value: float | None
    percent: bool = False   # 百分之七十


@lru_cache(maxsize=4096)
def chinese_value(s: str) -> float | None:
    """Value of a Chinese numeral (三千七百四十万 → 37400000); None for scale-only words (万, 千万)."""
    if not any(c in CN_DIGITS or c == "十" for c in s):
        return None
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError):
        return None


def scan(text: str):
    """Yield every number-like Token in ``text``."""
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        if kind == "arabic":
            yield Token(m.start(), m.end(), raw, kind, float(re.sub(r"[,\s\u2009\u202f]", "", raw)))
        elif kind == "placeholder":
            if raw.replace(".", "").isdigit():
                continue
            yield Token(m.start(), m.end(), raw, kind, None)
        else:
            percent = raw.startswith("百分之")
            value = chinese_value(raw[3:] if percent else raw)
            if percent and value is None:
                continue
            yield Token(m.start(), m.end(), raw, kind, value, percent)
