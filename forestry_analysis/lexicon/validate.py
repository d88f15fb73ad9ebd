"""What each lexicon file may hold, declared file by file, and the checks that enforce it.

A check takes a value and returns the problem with it, or None. ``TOML`` pairs dotted paths
(``*`` matches one key) with the checks of the values found there; ``REGEXES`` names the
paths that hold regular expressions. Every list of words in every TOML file must also hold
no empty and no repeated word. ``TABLES`` gives a CSV file's
columns with the check of each and the column whose values are keys (unique). ``LINES``
gives the check of each entry of a one-entry-per-line file and what in it must be unique.
The first problem raises ``LexiconError`` with the file and the line.
"""
from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase

from forestry_analysis import lexicon
from forestry_analysis.errors import LexiconError

# Unit families the pipeline knows how to sum, convert and chart.
FAMILIES = ("area", "money", "length", "volume", "mass", "percent", "ratio", "count", "time")


# -- checks: value → problem or None ---------------------------------------------------------

def word(v):
    if not isinstance(v, str) or v == "":
        return f"empty word {v!r}"
    return None


def number(v):
    try:
        float(v)
    except (TypeError, ValueError):
        return f"{v!r} is not a number"
    return None


def regex(v):
    try:
        re.compile(v)
    except (re.error, TypeError) as e:
        return f"regular expression {v!r} does not compile: {e}"
    return None


def colour(v):
    return None if isinstance(v, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", v) else f"{v!r} is not a colour (#rrggbb)"


def optional(check):
    return lambda v: None if v in ("", None) else check(v)


def one_of(*allowed, what="value"):
    return lambda v: None if v in allowed else f"unknown {what} {v!r} (known: {', '.join(allowed)})"


def each(check):
    """Every item of a list (or of a |-separated cell) passes ``check``, none repeated."""
    def run(v):
        items = v.split("|") if isinstance(v, str) else v
        if not isinstance(items, list):
            return f"{v!r} is not a list"
        for i, item in enumerate(items):
            if problem := check(item):
                return problem
            if item in items[:i]:
                return f"{item!r} is listed twice"
        return None
    return run


def has_keys(*keys):
    return lambda v: next((f"no {k!r}" for k in keys if k not in v), None) if isinstance(v, dict) \
        else f"{v!r} is not a table"


class Key:
    """A check of the key a value is stored under, not of the value."""

    def __init__(self, check):
        self.check = check

    def __call__(self, key):
        return self.check(key)


def unit(v):
    known = {r["surface"] for r in lexicon.table("units.csv")}
    return None if v in known else f"unknown unit {v!r} (not in units.csv)"


def category(v):
    known = list(lexicon.toml("categories.toml")) + ["other"]
    return None if v in known else f"unknown category {v!r} (categories.toml has {', '.join(known)})"


def period_code(v, labels=None):
    known = list((labels or lexicon.toml("labels.toml"))["period"])
    return None if v in known else f"unknown period code {v!r} (labels.toml [period] has {', '.join(known)})"


def months(v):
    ok = isinstance(v, list) and len(v) == 2 and all(isinstance(m, int) for m in v) and 0 <= v[0] < v[1] <= 12
    return None if ok else f"{v!r} is not [first month, last month] within 0…12"


def period_word(v):
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)):
        return f"{v!r} is not [word, period code]"
    return word(v[0]) or period_code(v[1])


def userdict_entry(v):
    parts = v.split()
    if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
        return f"{v!r} is not 'word [frequency [tag]]'"
    return None


def _both(*checks):
    def run(v):
        return next((p for c in checks if (p := c(v))), None)
    return run


# -- what each file holds --------------------------------------------------------------------

FAMILY = one_of(*FAMILIES, what="unit family")

_LABEL_GROUPS = ("period", "report_kind", "kind", "status", "severity", "basis", "quality_code")

# file → [(dotted path pattern, check)]; the pattern "" is the whole file.
TOML = {
    "categories.toml": [("*", has_keys("label", "keywords")), ("*.label", word), ("*.keywords", each(word)),
                        ("*.weight", number)],
    "colours.toml": [("", has_keys("order", "chart", "highlight", "default_chart", "default_highlight")),
                     ("order", each(category)), ("chart.*", colour), ("chart.*", Key(category)),
                     ("highlight.*", colour), ("highlight.*", Key(category)),
                     ("default_chart", colour), ("default_highlight", colour)],
    "labels.toml": [("", has_keys(*_LABEL_GROUPS, "period_months"))]
                   + [(f"{g}.*", word) for g in _LABEL_GROUPS] + [("period_months.*", months)],
    "meta.toml": [("period.words", each(period_word))],
    "numbers.toml": [("unit_word.*", each(word)), ("unit_word.*", Key(unit))],
}

# file → paths holding a regular expression (or a list of them) rather than words.
REGEXES = {
    "meta.toml": ("preamble.header_lines", "trailer.lines", "trailer.inline_tail", "title.strip_suffix",
                  "year.placeholder", "period.month"),
    "phrases.toml": ("*.*_pattern",),
    "tables.toml": ("note.pattern",),
}


def regexes(v):
    return each(regex)(v) if isinstance(v, list) else regex(v)


for name, paths in REGEXES.items():
    TOML.setdefault(name, []).extend((p, regexes) for p in paths)

TABLES = {
    "units.csv": ("surface", {"surface": word, "base_unit": word, "to_base": number, "family": FAMILY,
                              "to_mu": optional(number), "strong": one_of("0", "1", what="strong flag")}),
    "scales.csv": ("surface", {"surface": word, "factor": number}),
    "indicators.csv": ("id", {"id": word, "label": word, "category": optional(category), "family": optional(FAMILY),
                              "synonyms": each(word), "scope": optional(one_of("context", what="scope")),
                              "example": lambda v: None}),
}

# file → (check of an entry, the part of an entry that must be unique)
LINES = {
    "slogans.txt": (word, str),
    "stopwords.txt": (word, str),
    "userdict.txt": (userdict_entry, lambda v: v.split()[0]),
}


# -- running the checks ----------------------------------------------------------------------

def _fail(name: str, line: int | None, problem: str):
    raise LexiconError(lexicon._open(name), line, problem)


def _paths(data: dict, prefix=()):
    for k, v in data.items():
        yield prefix + (k,), v
        if isinstance(v, dict):
            yield from _paths(v, prefix + (k,))


def matches(path: tuple, pattern: str) -> bool:
    """Whether ``path`` fits ``pattern``, component by component (``*`` is one key)."""
    parts = pattern.split(".") if pattern else []
    return len(parts) == len(path) and all(fnmatchcase(k, p) for k, p in zip(path, parts))


def _cross_checks(name: str, data: dict) -> list:
    """Checks that read the file being loaded itself (it is not cached yet)."""
    if name == "labels.toml":
        return [("period_months.*", Key(lambda v: period_code(v, data)))]
    return []


def check_toml(name: str, src: str, data: dict) -> None:
    rules = TOML.get(name, []) + _cross_checks(name, data)
    for path, value in [((), data), *_paths(data)]:
        dotted = ".".join(path)
        if isinstance(value, list) and all(isinstance(w, str) for w in value):
            if problem := each(word)(value):
                _fail(name, _toml_line(src, path, _item(problem, value)), f"{dotted}: {problem}")
        for pattern, check in rules:
            if not matches(path, pattern):
                continue
            problem = check(path[-1]) if isinstance(check, Key) else check(value)
            if problem:
                _fail(name, _toml_line(src, path, _item(problem, value)), f"{dotted or name}: {problem}")


def _item(problem: str, value):
    """The list item a problem is about (the repeated one counts its second occurrence)."""
    if not isinstance(value, list):
        return None
    for v in value:
        text = v[1] if isinstance(v, list) and len(v) == 2 else v
        if repr(text) in problem or repr(v) in problem:
            return (text, 2 if "listed twice" in problem else 1)
    return None


_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")


def _toml_line(src: str, path: tuple, item=None) -> int | None:
    """The line of ``path`` in TOML source ``src`` (and of ``item``, (text, nth), in its value)."""
    lines = src.splitlines()
    section, start = (), 0
    for i, ln in enumerate(lines):
        m = _HEADER.match(ln)
        if m:
            name = tuple(p.strip().strip('"') for p in m.group(1).split("."))
            if tuple(path[:len(name)]) == name and len(name) > len(section):
                section, start = name, i + 1
    rest = path[len(section):]
    if not rest:
        return start or None
    key_rx = re.compile(r'^\s*"?' + re.escape(rest[0]) + r'"?\s*=')
    at = next((i for i in range(start, len(lines)) if key_rx.match(lines[i]) or _HEADER.match(lines[i])), None)
    if at is None or _HEADER.match(lines[at]):
        return start or None
    if item is None:
        return at + 1
    text, nth = item
    needles = (json.dumps(text, ensure_ascii=False), f"'{text}'")
    seen = 0
    for i in range(at, len(lines)):
        if i > at and (_HEADER.match(lines[i]) or re.match(r"^\s*[\w\"]+\s*=", lines[i])):
            break
        for needle in needles:
            seen += lines[i].count(needle)
        if seen >= nth:
            return i + 1
    return at + 1


def check_table(name: str, header_line: int, header: list, line_numbers: list, rows: tuple) -> None:
    if name not in TABLES:
        return
    key_col, columns = TABLES[name]
    if set(header) != set(columns):
        missing, unknown = set(columns) - set(header), set(header) - set(columns)
        _fail(name, header_line, "header " + "; ".join(
            p for p in (f"lacks {', '.join(sorted(missing))}" if missing else "",
                        f"has unknown {', '.join(sorted(unknown))}" if unknown else "") if p))
    seen = {}
    for no, row in zip(line_numbers, rows):
        for col, check in columns.items():
            if problem := check(row[col]):
                _fail(name, no, f"{col}: {problem}")
        k = row[key_col]
        if k in seen:
            _fail(name, no, f"{key_col} {k!r} repeats line {seen[k]}")
        seen[k] = no


def check_lines(name: str, entries: list) -> None:
    check, unique = LINES.get(name, (word, str))
    seen = {}
    for no, entry in entries:
        text = entry.split("#", 1)[0].strip() if name == "stopwords.txt" else entry
        if not text:
            continue
        if problem := check(text):
            _fail(name, no, problem)
        k = unique(text)
        if k in seen:
            _fail(name, no, f"{k!r} repeats line {seen[k]}")
        seen[k] = no
