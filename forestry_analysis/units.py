"""Units and scale words (万, 亿) from ``lexicon/units.csv`` and ``lexicon/scales.csv``.

``match_unit(text, pos)`` finds the longest unit written at ``pos``; every unit maps to a
base unit and family, and areas to 亩 so that areas written in 公顷 or 平方米 compare.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import lexicon_data


@dataclass(frozen=True)
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
    for r in lexicon_data.table("units.csv"):
        out[r["surface"]] = Unit(r["surface"], r["base_unit"], float(r["to_base"]), r["family"],
                                 float(r["to_mu"]) if r["to_mu"] else None, r["strong"] == "1")
    return out


@lru_cache(maxsize=1)
def scales() -> dict[str, float]:
    """Scale word → factor (万 → 1e4)."""
    return {r["surface"]: float(r["factor"]) for r in lexicon_data.table("scales.csv")}


@lru_cache(maxsize=1)
def _lengths():
    return (sorted({len(s) for s in units()}, reverse=True),
            sorted({len(s) for s in scales()}, reverse=True))


def _longest(text: str, pos: int, table: dict, lengths) -> str | None:
    for n in lengths:
        s = text[pos:pos + n]
        nxt = text[pos + n:pos + n + 1]
        if len(s) == n and s in table and not (s[-1].isalnum() and s[-1].isascii() and nxt.isascii() and nxt.isalnum()):
            return s   # an ASCII unit (hm2, m²) must not run on into more letters or digits
    return None


def match_unit(text: str, pos: int) -> Unit | None:
    """The longest unit written at ``text[pos:]``, or None."""
    s = _longest(text, pos, units(), _lengths()[0])
    return units()[s] if s else None


def match_scale(text: str, pos: int) -> tuple[str, float] | None:
    """The longest scale word (万, 亿, 千万 …) at ``text[pos:]`` that a unit could follow."""
    s = _longest(text, pos, scales(), _lengths()[1])
    return (s, scales()[s]) if s else None
