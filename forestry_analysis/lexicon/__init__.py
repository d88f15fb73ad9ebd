"""The lexicon: the linguistic data files in ``forestry_analysis/lexicon/``, each read and
validated once, and the one builder of longest-first alternations over their words.

``FORESTRY_LEXICON_DIR`` names a folder whose files replace the package's files of the same
name (set it before the package is imported): a bureau's own categories, units or catalogue
without editing the package. A bad entry in any file raises ``LexiconError`` naming the file
and the line; what each file may hold is declared, file by file, in ``lexicon/validate.py``.
"""
from __future__ import annotations

import csv
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from forestry_analysis.errors import LexiconError

ENV_VAR = "FORESTRY_LEXICON_DIR"


def _open(name: str):
    own = os.environ.get(ENV_VAR)
    if own and (Path(own) / name).is_file():
        return Path(own) / name
    return resources.files("forestry_analysis").joinpath("lexicon").joinpath(name)


def _source(name: str) -> str:
    return _open(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def toml(name: str) -> dict:
    """A TOML lexicon file as a dict, validated."""
    from forestry_analysis.lexicon import validate
    src = _source(name)
    try:
        data = tomllib.loads(src)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        problem = re.sub(r"\s*\(at line.*\)$", "", str(e))
        raise LexiconError(_open(name), int(m.group(1)) if m else None, problem) from None
    validate.check_toml(name, src, data)
    return data


def _csv_rows(name: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row that is not blank or a # comment."""
    return [(no, next(csv.reader([ln])))
            for no, ln in enumerate(_source(name).splitlines(), 1) if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict, ...]:
    """A CSV lexicon file as a tuple of row dicts (lines starting with # are comments), validated."""
    from forestry_analysis.lexicon import validate
    rows = _csv_rows(name)
    if not rows:
        return ()
    header = rows[0][1]
    for no, cells in rows[1:]:
        if len(cells) != len(header):
            raise LexiconError(_open(name), no, f"{len(cells)} columns where the header has {len(header)}")
    out = tuple(dict(zip(header, cells)) for _, cells in rows[1:])
    validate.check_table(name, rows[0][0], header, [no for no, _ in rows[1:]], out)
    return out


def _entries(name: str) -> list[tuple[int, str]]:
    """(line number, entry) of a one-entry-per-line file: blank lines and # comments left out."""
    return [(no, ln.strip()) for no, ln in enumerate(_source(name).splitlines(), 1)
            if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    """A one-entry-per-line lexicon file, without blank lines and # comments, validated."""
    from forestry_analysis.lexicon import validate
    entries = _entries(name)
    validate.check_lines(name, entries)
    return tuple(e for _, e in entries)


def path(name: str) -> str:
    """Filesystem path of a lexicon file (for libraries that want a path, like jieba),
    validated first when the file is a word list."""
    if name.endswith(".txt"):
        lines(name)
    return str(_open(name))


def check_all() -> list[str]:
    """Read and validate every lexicon file now (overlays included); the names read. Raises
    ``LexiconError`` at the first bad entry: a bureau's folder can be checked before use."""
    names = sorted(p.name for p in Path(__file__).parent.iterdir() if p.suffix in (".toml", ".csv", ".txt"))
    for name in names:
        {".toml": toml, ".csv": table, ".txt": lines}[Path(name).suffix](name)
    return names


def longest_first(words) -> list[str]:
    """``words`` longest first; words of equal length keep their order (a stable sort)."""
    return sorted(words, key=len, reverse=True)


def _escaped(word: str, spaced: bool, bounded: bool) -> str:
    rx = r"\s*".join(map(re.escape, word)) if spaced else re.escape(word)
    if bounded and word[-1:].isascii() and word[-1:].isalnum():
        rx += "(?![A-Za-z0-9])"
    return rx


def alternation(words, *, spaced: bool = False, bounded: bool = False) -> str:
    """A regex matching any of ``words``, the longest first so the longest written wins.

    ``spaced``: any whitespace may sit between the characters ("仅供欣 赏"). ``bounded``: a
    word ending in an ASCII letter or digit (hm2) must not run on into more letters or
    digits, so a shorter word is tried instead. Not grouped: wrap it to embed it."""
    return "|".join(_escaped(w, spaced, bounded) for w in longest_first(words))


@lru_cache(maxsize=None)
def _compiled(words: tuple, head: str, tail: str, spaced: bool, bounded: bool) -> re.Pattern:
    return re.compile(head + "(?:" + alternation(words, spaced=spaced, bounded=bounded) + ")" + tail)


def compiled(words, *, head: str = "", tail: str = "", spaced: bool = False, bounded: bool = False) -> re.Pattern:
    """``head(?:alternation)tail`` compiled once per word list (see ``alternation``)."""
    return _compiled(tuple(words), head, tail, spaced, bounded)


def trie(entries) -> dict:
    """A character trie of ``(word, value)`` entries: nested dicts keyed by character; the
    values of the words that end at a node are listed under its key ``""``."""
    root: dict = {}
    for word, value in entries:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node.setdefault("", []).append(value)
    return root


@dataclass(frozen=True)
class Period:
    """A report period (labels.toml ``[period]`` and ``[period_months]``): months since the
    start of the year at which it starts and ends."""
    code: str
    label: str
    start: int
    end: int

    @property
    def elapsed(self) -> float | None:
        """Share of the year elapsed at its end (0.5 for H1); None when it ends with the year."""
        return self.end / 12 if self.end < 12 else None


@lru_cache(maxsize=1)
def periods() -> dict[str, Period]:
    """Period code → Period, in file order (months M01…M12 are not listed: see ``period``)."""
    d = toml("labels.toml")
    return {code: Period(code, d["period"][code], *months) for code, months in d["period_months"].items()}


def period(code) -> Period | None:
    """The Period of a code: H1, Q3, annual … or a month M01…M12; None when unknown."""
    p = str(code) if isinstance(code, str) else ""
    if len(p) == 3 and p[0] == "M" and p[1:].isdigit() and 1 <= int(p[1:]) <= 12:
        return Period(p, f"{int(p[1:])}月", int(p[1:]) - 1, int(p[1:]))
    return periods().get(p)


__all__ = ["ENV_VAR", "LexiconError", "toml", "table", "lines", "path", "check_all", "longest_first",
           "alternation", "compiled", "Period", "periods", "period"]
