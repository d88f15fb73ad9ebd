"""Units and scale words (万, 亿) from ``lexicon/units.csv`` and ``lexicon/scales.csv``.

``match_unit(text, pos)`` finds the longest unit written at ``pos``; every unit maps to a
base unit and family, and areas to 亩 so that areas written in 公顷 or 平方米 compare.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from forestry_analysis import lexicon


@dataclass(frozen=True, slots=True)
class Unit:
    surface: str
    base_unit: str
    to_base: float
    family: str
    to_mu: float | None
    strong: bool


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    """Surface → Unit."""
    out = {}
    for r in lexicon.table("units.csv"):
        out[r["surface"]] = Unit(r["surface"], r["base_unit"], float(r["to_base"]), r["family"],
                                 float(r["to_mu"]) if r["to_mu"] else None, r["strong"] == "1")
    return out


@lru_cache(maxsize=1)
def scales() -> dict[str, float]:
    """Scale word → factor (万 → 1e4)."""
    return {r["surface"]: float(r["factor"]) for r in lexicon.table("scales.csv")}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """Longest surface first; one ending in an ASCII letter or digit (hm2) must not run on
    into more letters or digits, and a shorter one is tried instead."""
    return lexicon.compiled(units(), bounded=True), lexicon.compiled(scales(), bounded=True)


@lru_cache(maxsize=1)
def _word_starts() -> dict[str, re.Pattern]:
    """Unit surface → the words that, right after it, make it the first character of a word
    (``numbers.toml`` [unit_word]: 方 before 面 is 方面, no 立方米)."""
    return {u: lexicon.compiled(words) for u, words in lexicon.toml("numbers.toml").get("unit_word", {}).items()}


def match_unit(text: str, pos: int) -> Unit | None:
    """The longest unit written at ``text[pos:]``, or None (also when it begins a word there)."""
    m = _patterns()[0].match(text, pos)
    if m is None:
        return None
    word = _word_starts().get(m.group())
    return None if word is not None and word.match(text, m.end()) else units()[m.group()]


def match_scale(text: str, pos: int) -> tuple[str, float] | None:
    """The longest scale word (万, 亿, 千万 …) at ``text[pos:]`` that a unit could follow."""
    m = _patterns()[1].match(text, pos)
    return (m.group(), scales()[m.group()]) if m else None


def scaled(value: float, *factors: float) -> float:
    """``value`` times a scale word and a unit factor, as written: 272.84万 is 2728400, not the
    binary product 2728399.9999999995 (decimal arithmetic on the shortest repr of each)."""
    out = Decimal(repr(float(value)))
    for f in factors:
        if f != 1:
            out *= Decimal(repr(float(f)))
    return float(out)
