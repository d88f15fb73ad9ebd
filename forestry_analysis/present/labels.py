"""Chinese display labels of coded values (period, report kind, kind, status, severity,
completion basis, quality code, category), read from ``lexicon/labels.toml`` and
``lexicon/categories.toml``, so every deliverable speaks Chinese and adding a code is a
data change."""
from __future__ import annotations

from functools import lru_cache

from forestry_analysis.pipeline import categories
from forestry_analysis import lexicon


@lru_cache(maxsize=1)
def _groups() -> dict[str, dict]:
    data = {k: dict(v) for k, v in lexicon.toml("labels.toml").items()}
    data["category"] = categories.labels()
    return data


def labels(group: str) -> dict[str, str]:
    """code → Chinese label for ``group`` (period, report_kind, kind, status, severity, basis,
    quality_code, category)."""
    return _groups()[group]


def display(group: str, code) -> str | None:
    """The Chinese label of ``code`` (the code itself when the lexicon has none; None for NA)."""
    if code is None or code != code or str(code) in ("", "<NA>"):
        return None
    return _groups()[group].get(str(code), str(code))


def period(code) -> str:
    """上半年, 第三季度, 全年, 6月 … for a period code ('' when unknown)."""
    if code is None or code != code or str(code) in ("", "<NA>"):
        return ""
    p = str(code)
    if len(p) == 3 and p[0] == "M" and p[1:].isdigit():
        return f"{int(p[1:])}月"
    return display("period", p) or ""


def elapsed(code) -> float | None:
    """Share of the year elapsed at the end of the period (0.5 for H1, 0.75 for Q3, 6/12 for
    M06, from labels.toml ``[period_months]``); None for a whole year or an unknown period."""
    p = lexicon.period(code)
    return p.elapsed if p else None


@lru_cache(maxsize=1)
def _colours() -> dict:
    return lexicon.toml("colours.toml")


def category_order() -> list[str]:
    """Every category of categories.toml in display order (colours.toml ``order``; categories
    it does not list come after the listed ones, ``other`` last)."""
    listed = [c for c in _colours()["order"] if c != "other"]
    known = list(lexicon.toml("categories.toml"))
    return [c for c in listed if c in known] + [c for c in known if c not in listed] + ["other"]


def category_colours(what: str = "chart") -> dict[str, str]:
    """Category → colour, ``what`` = chart (bars) or highlight (text background); a category
    without an entry gets the default."""
    data = _colours()
    return {c: data[what].get(c, data[f"default_{what}"]) for c in category_order()}
