"""Work categories (afforestation, fire prevention, pest control, …) from keyword votes.

Keywords live in ``lexicon/categories.toml``. ``classify`` weighs several pieces of
context (the indicator, the clause, the outline item, the headings) and returns the
category with most weight, or ``other`` when nothing votes.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon_data


@lru_cache(maxsize=1)
def _lexicon():
    data = lexicon_data.toml("categories.toml")
    order = list(data)
    kw = {}
    for cat in order:
        for word in data[cat]["keywords"]:
            kw.setdefault(word, cat)
    words = sorted(kw, key=len, reverse=True)
    return order, kw, re.compile("|".join(map(re.escape, words)))


def labels() -> dict[str, str]:
    """Category key → Chinese label."""
    data = lexicon_data.toml("categories.toml")
    return {k: v["label"] for k, v in data.items()} | {"other": "其他"}


def _votes(text: str) -> dict[str, float]:
    """Keyword votes per category in ``text`` (a longer keyword counts more)."""
    _, kw, rx = _lexicon()
    out: dict[str, float] = {}
    for m in rx.finditer(text or ""):
        cat = kw[m.group()]
        out[cat] = out.get(cat, 0.0) + len(m.group())
    return out


def classify(contexts, default: str = "other", votes: dict | None = None) -> str:
    """Category from ``[(text, weight), ...]``, innermost context first.

    The first context that has any keyword decides, with later contexts only breaking ties,
    so a clause about 防火 under a heading about 造林 is fire prevention. ``votes``, when
    given, memoises the votes of each text across calls (one report's headings recur).
    """
    order, _, _ = _lexicon()
    total: dict[str, float] = {}
    for text, weight in contexts:
        if votes is None:
            v = _votes(text)
        elif (v := votes.get(text)) is None:
            v = votes[text] = _votes(text)
        if not v:
            continue
        for cat, s in v.items():
            total[cat] = total.get(cat, 0.0) + s * weight
        best = max(total.values())
        leaders = [c for c in order if total.get(c) == best]
        if len(leaders) == 1 and best >= 2 * weight:
            return leaders[0]
    if not total:
        return default
    best = max(total.values())
    return next(c for c in order if total.get(c) == best)
