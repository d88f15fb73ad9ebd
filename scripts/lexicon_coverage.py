"""Print, per lexicon file, how many of its entries occur in at least one test text.

Usage: python scripts/lexicon_coverage.py [--missing]

Entries are the words the pipeline looks for: units and scale words, indicator synonyms,
category keywords, every word list of the TOML files (a regular expression counts when it
matches), slogans, stop words and user-dictionary words. Display labels and colours are not
looked for in text and are left out. Test texts are the ``text`` of every case in
``tests/cases/*.jsonl``, the gold reports ``tests/gold/*.txt`` and the string literals of
``tests/*.py``, each also in its simplified, half-width form (the form the pipeline reads).
``--missing`` lists the entries no test text holds.
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import half_width, to_simplified
from forestry_analysis.lexicon import validate

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
NOT_LOOKED_FOR = ("labels.toml", "colours.toml")     # display labels and colours


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_texts(tests: Path = TESTS) -> list[str]:
    """Every text a test reads: case texts, gold reports, string literals of the test files."""
    texts = []
    for f in sorted((tests / "cases").glob("*.jsonl")):
        texts += [json.loads(ln)["text"] for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    texts += [f.read_text(encoding="utf-8") for f in sorted((tests / "gold").glob("*.txt"))]
    for f in sorted(tests.glob("*.py")):
        texts += [n.value for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return texts + [to_simplified(half_width(t)) for t in texts if _encodable(t)]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:     # a lone surrogate in a test of broken input
        return False
    return True


def _toml_entries(name: str) -> list[tuple[str, bool]]:
    """(entry, is a regex) for every word-list item and regex of a TOML file."""
    regex_paths = validate.REGEXES.get(name, ())
    out = []
    for path, value in validate._paths(lexicon.toml(name)):
        is_regex = any(validate.matches(path, p) for p in regex_paths)
        if is_regex:
            out += [(v, True) for v in _strings(value)]
        elif path[-1] == "words" and name == "meta.toml":          # [word, period code] pairs
            out += [(w, False) for w, _ in value]
        elif path[0] == "unit_word" and name == "numbers.toml" and len(path) == 2:   # unit + next word
            out += [(path[1] + w, False) for w in value]
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out += [(v, False) for v in value]
    return out


def entries() -> dict[str, list[tuple[str, bool]]]:
    """Lexicon file → its entries, as (text, is a regex), each listed once."""
    out = {}
    for f in sorted(Path(lexicon.__file__).parent.iterdir()):     # read through lexicon: overlays apply
        name = f.name
        if name in NOT_LOOKED_FOR:
            continue
        if name.endswith(".toml"):
            got = _toml_entries(name)
        elif name == "indicators.csv":
            got = [(s, False) for r in lexicon.table(name) for s in r["synonyms"].split("|")]
        elif name.endswith(".csv"):
            got = [(r["surface"], False) for r in lexicon.table(name)]
        elif name.endswith(".txt"):
            got = [(e.split("#", 1)[0].split()[0], False) for e in lexicon.lines(name) if e.split("#", 1)[0].strip()]
        else:
            continue
        out[name] = list(dict.fromkeys(got))
    return out


def coverage(texts=None) -> dict[str, tuple[int, list[str]]]:
    """Lexicon file → (number of entries, the entries no test text holds)."""
    texts = test_texts() if texts is None else texts
    blob = "\n\x00\n".join(texts)
    out = {}
    for name, items in entries().items():
        missing = [e for e, is_regex in items
                   if not (any(re.search(e, t, re.M) for t in texts) if is_regex else e in blob)]
        out[name] = (len(items), missing)
    return out


def main(argv) -> int:
    show_missing = "--missing" in argv
    total = covered = 0
    for name, (n, missing) in coverage().items():
        total, covered = total + n, covered + n - len(missing)
        print(f"{name:16} {n - len(missing):4d} / {n:4d} entries in a test text")
        if show_missing and missing:
            print("    " + " ".join(repr(m) if not m.strip() or " " in m else m for m in missing))
    print(f"{'all':16} {covered:4d} / {total:4d} ({covered / total:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
