"""A normalised copy of the report text that parsing works on, with offsets that map back.

Parsing sees simplified characters, half-width digits and punctuation, straight quotes, and
no inline pinyin glosses ("萬(wàn)畝" → "万亩"). ``Report.text`` is never changed: every
span found in ``Normalized.text`` is mapped back with ``Normalized.span``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xFE6A: ord("%"), 0x201C: ord('"'), 0x201D: ord('"'),
                   0x300C: ord('"'), 0x300D: ord('"'), 0x300E: ord('"'), 0x300F: ord('"'),
                   0x301D: ord('"'), 0x301E: ord('"'), 0x301F: ord('"'),
                   0x2018: ord("'"), 0x2019: ord("'"), 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20})
_HALF = {chr(k): chr(v) for k, v in _FULLWIDTH.items()}
# A regex over the few characters that change is ~20× faster than ``str.translate`` on CJK text.
_WIDE = re.compile("[" + re.escape("".join(_HALF)) + "]")


def half_width(text: str) -> str:
    """Full-width ASCII, ideographic space and curly quotes → their plain ASCII forms."""
    return _WIDE.sub(lambda m: _HALF[m.group()], text)


# Marks that end a clause, as the normalised text writes them (full-width , ; ! are half-width there).
CLAUSE_MARKS = ",;。!\n"


_FULL_FORM = {half: wide for wide, half in _HALF.items() if ord(wide) >= 0xFF01}   # , → ，


def both_widths(marks: str) -> frozenset[str]:
    """``marks`` and their full-width forms, for text that was not normalised (，；：？！)."""
    return frozenset(marks) | {_FULL_FORM[c] for c in marks if c in _FULL_FORM}


_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Dropped from the parsing copy: a pinyin gloss right after a Han character ("萬(wàn)"),
# and spaces between two Han characters (line-wrapped PDF text: "森林抚  育面积").
# The leading lookahead lets the engine skip to the only characters a match can start with.
_PINYIN = re.compile(rf"(?=[( \t\u3000\xa0])(?:(?<=[\u4e00-\u9fff])\((?=[a-z{_TONE}ü]*[{_TONE}])[a-z{_TONE}ü]{{1,7}}\)"
                     r"|(?<=[\u4e00-\u9fff])[ \t\u3000\xa0]+(?=[\u4e00-\u9fff]))")


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s").convert


def to_simplified(text: str) -> str:
    """Traditional → simplified, guaranteed to keep the length (falls back to char by char)."""
    if text.isascii():
        return text
    conv = _t2s()
    out = conv(text)
    if len(out) == len(text):
        return out
    lines = []
    for line in text.splitlines(keepends=True):
        c = conv(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := conv(ch)) == 1 else ch for ch in line)
        lines.append(c)
    return "".join(lines)


_CLOSE = re.compile("[)）]")


def closes_before(text: str, end: int, start: int) -> bool:
    """Whether a bracket open at ``end`` closes before ``start``: what ends at ``end`` is an
    aside ("完成1.5万亩(计划1.2万亩),其中…", "完成178亩(其中新建58亩,续建120亩),占…")."""
    if _CLOSE.search(text, end, start) is None:
        return False
    depth = 0
    for ch in text[end:start]:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            if depth == 0:
                return True
            depth -= 1
    return False


class Normalized:
    """Normalised text plus the map from its offsets to offsets in the original text."""

    __slots__ = ("text", "original", "memo", "_cuts", "_shift", "_ends")

    def __init__(self, original: str):
        self.original = original
        self.memo: dict = {}   # results derived from the text that several stages read
        # Deletions (pinyin glosses) are the only length change; record them as cut points.
        cuts, shift, pieces, last, removed, ends = [], [], [], 0, 0, []
        for m in _PINYIN.finditer(original):
            ends.append(m.end())
            pieces.append(original[last:m.start()])
            removed += m.end() - m.start()
            cuts.append(m.start() - (removed - (m.end() - m.start())))
            shift.append(removed)
            last = m.end()
        pieces.append(original[last:])
        stripped = "".join(pieces)
        self._cuts, self._shift, self._ends = cuts, shift, ends
        self.text = to_simplified(half_width(stripped))

    @property
    def aligned(self) -> bool:
        """Whether ``text`` and ``original`` share offsets (nothing was cut)."""
        return not self._cuts

    def orig(self, i: int) -> int:
        """Original offset of normalised offset ``i`` (for a start, or an end via ``span``)."""
        if not self._cuts:
            return i
        k = bisect_right(self._cuts, i)
        return i + (self._shift[k - 1] if k else 0)

    def to_norm(self, o: int) -> int:
        """Normalised offset of original offset ``o`` (inverse of ``orig`` outside deleted glosses)."""
        if not self._cuts:
            return o
        k = bisect_right(self._ends, o)
        n = o - (self._shift[k - 1] if k else 0)
        return min(n, self._cuts[k]) if k < len(self._cuts) else n

    def to_norm_many(self, offsets) -> list[int]:
        """``to_norm`` of each original offset (a list of ints; fast when nothing was cut)."""
        offsets = [int(o) for o in offsets]
        if not self._cuts:
            return offsets
        return [self.to_norm(o) for o in offsets]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original [start, end)."""
        if not self._cuts:
            return (start, start) if end <= start else (start, end)
        if end <= start:
            s = self.orig(start)
            return s, s
        return self.orig(start), self.orig(end - 1) + 1
