"""Work categories (afforestation, fire prevention, pest control, …) from keyword votes.

Keywords live in ``lexicon/categories.toml``. ``classify`` weighs several pieces of
context (the indicator, the clause, the outline item, the headings) and returns the
category with most weight, or ``other`` when nothing votes.
"""
from __future__ import annotations

from functools import lru_cache

from forestry_analysis import lexicon


@lru_cache(maxsize=1)
def _lexicon():
    data = lexicon.toml("categories.toml")
    order = list(data)
    kw = {}
    for cat in order:
        for word in data[cat]["keywords"]:
            kw.setdefault(word, cat)
    return order, kw, lexicon.compiled(kw)


def labels() -> dict[str, str]:
    """Category key → Chinese label."""
    data = lexicon.toml("categories.toml")
    return {k: v["label"] for k, v in data.items()} | {"other": "其他"}


def _votes(text: str) -> dict[str, float]:
    """Keyword votes per category in ``text`` (a longer keyword counts more)."""
    _, kw, rx = _lexicon()
    out: dict[str, float] = {}
    for word in rx.findall(text or ""):   # the pattern has no groups: whole matches
        cat = kw[word]
        out[cat] = out.get(cat, 0.0) + len(word)
    return out


MAIN = ("afforestation", "fire_prevention", "pest_control")


def _cached_votes(text, votes):
    if votes is None:
        return _votes(text)
    if (v := votes.get(text)) is None:
        v = votes[text] = _votes(text)
    return v


def _leader(v: dict) -> str | None:
    """The single category with most votes in ``v``, or None on a tie or no vote."""
    if not v:
        return None
    best = max(v.values())
    leaders = [c for c, s in v.items() if s == best]
    return leaders[0] if len(leaders) == 1 else None


def topic(headings, votes: dict | None = None) -> tuple[str | None, str]:
    """(category, heading) of a passage on one topic: the nearest heading that votes at all and
    every other voting heading (the report title included) lead the same main category
    ("林业有害生物越冬代调查工作开展情况" in "林业有害生物越冬工作总结"). None otherwise."""
    found = [(t, _leader(v)) for t, _ in headings if t and (v := _cached_votes(t, votes))]
    if len(found) < 2 or any(c != found[0][1] for _, c in found) or found[0][1] not in MAIN:
        return None, ""
    return found[0][1], found[0][0]


def classify(contexts, default: str = "other", votes: dict | None = None) -> str:
    """Category from ``[(text, weight), ...]``, innermost context first (see ``explain``)."""
    return classify_explained(contexts, default, votes)[0]


def classify_explained(contexts, default: str = "other", votes: dict | None = None) -> tuple[str, str]:
    """(category, the context text that decided it) from ``[(text, weight), ...]``.

    The first context that has any keyword decides, with later contexts only breaking ties,
    so a clause about 防火 under a heading about 造林 is fire prevention. ``votes``, when
    given, memoises the votes of each text across calls (one report's headings recur).
    """
    order, _, _ = _lexicon()
    total: dict[str, float] = {}
    basis = ""
    for text, weight in contexts:
        v = _cached_votes(text, votes)
        if not v:
            continue
        basis = basis or text
        for cat, s in v.items():
            total[cat] = total.get(cat, 0.0) + s * weight
        best = max(total.values())
        if best >= 2 * weight and list(total.values()).count(best) == 1:
            return next(c for c, s in total.items() if s == best), text
    if not total:
        return default, ""
    best = max(total.values())
    return next(c for c in order if total.get(c) == best), basis


def explain_votes(text: str) -> dict[str, float]:
    """The keyword votes of ``text`` per category, for an analyst checking a category."""
    return _votes(text)
