"""The lexicon loads its data files once and refuses a bad entry with the file and the line;
its alternation builder puts the longest word first."""
import importlib.util
import re
from pathlib import Path

import pytest

import forestry_analysis as fa
from forestry_analysis import lexicon
from forestry_analysis.errors import LexiconError

LEXICON = Path(fa.__file__).parent / "lexicon"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lexicon_coverage.py"


def _coverage_script():
    spec = importlib.util.spec_from_file_location("lexicon_coverage", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _clear():
    for f in (lexicon.toml, lexicon.table, lexicon.lines, lexicon.periods):
        f.cache_clear()


@pytest.fixture
def overlay(tmp_path, monkeypatch):
    """Write a changed copy of a package file into a FORESTRY_LEXICON_DIR folder; the caches
    are emptied before and after, so the package's own files are read again afterwards."""
    monkeypatch.setenv(lexicon.ENV_VAR, str(tmp_path))
    _clear()

    def write(name, change):
        text = change((LEXICON / name).read_text(encoding="utf-8"))
        (tmp_path / name).write_text(text, encoding="utf-8")
        return text
    yield write
    _clear()


def _load(name):
    return {"toml": lexicon.toml, "csv": lexicon.table, "txt": lexicon.lines}[name.rsplit(".", 1)[1]](name)


def _line_of(text, needle, nth=1):
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    return hits[nth - 1]


def _replace(old, new):
    def change(text):
        assert old in text
        return text.replace(old, new, 1)
    return change


def _append(extra):
    return lambda text: text.rstrip("\n") + "\n" + extra + "\n"


# (file, change, text on the line the message must name, its occurrence, words of the message)
BAD = {
    "toml syntax": ("categories.toml", _replace('label = "营造林"', 'label = "营造林'), 'label = "营造林', 1,
                    "Illegal character"),
    "toml duplicate key": ("kinds.toml", _append('rate_units = ["%"]'), "rate_units", 2, "overwrite"),
    "csv column count": ("units.csv", _append("丛,丛,1,count"), "丛,丛,1,count", 1, "4 columns"),
    "csv header": ("scales.csv", _replace("surface,factor", "surface,multiplier"), "surface,multiplier", 1,
                   "lacks factor"),
    "unknown unit family": ("units.csv", _append("丛,丛,1,bushes,,0"), "丛,丛,1,bushes", 1, "unknown unit family"),
    "not a number": ("scales.csv", _append("兆,a lot"), "兆,a lot", 1, "not a number"),
    "duplicate csv key": ("units.csv", _append("公顷,公顷,1,area,15,1"), "公顷,公顷,1,area,15,1", 2,
                          "surface '公顷' repeats line"),
    "unknown category (indicators)": ("indicators.csv", _append("grass_fence,草原围栏,grassland,area,草原围栏,,"),
                                      "grass_fence", 1, "unknown category 'grassland'"),
    "empty synonym": ("indicators.csv", _replace("森林抚育|抚育,,", "森林抚育||抚育,,"), "森林抚育||抚育", 1,
                      "empty word"),
    "unknown category (colours)": ("colours.toml", _replace('other = "#a0a0a0"', 'grass = "#00ff00"\nother = "#a0a0a0"'),
                                   'grass = "#00ff00"', 1, "unknown category 'grass'"),
    "bad colour": ("colours.toml", _replace('ecology = "#1b998b"', 'ecology = "teal"'), 'ecology = "teal"', 1,
                   "not a colour"),
    "category without label": ("categories.toml", _append('[grassland]\nkeywords = ["草原"]'), "[grassland]", 1,
                               "no 'label'"),
    "duplicate word": ("categories.toml", _replace('"火案"]', '"火案", "卡点"]'), '"火案", "卡点"]', 1,
                       "'卡点' is listed twice"),
    "empty word": ("kinds.toml", _replace('plan_list_ends = ["完成",', 'plan_list_ends = ["", "完成",'),
                   'plan_list_ends = ["",', 1, "empty word"),
    "regex in a list": ("meta.toml", _replace("'^作者\\s*:',", "'^作者(\\s*:',"), "'^作者(", 1, "does not compile"),
    "regex pattern": ("phrases.toml", _replace('plan_head_pattern = "^', 'plan_head_pattern = "^(?<'),
                      "plan_head_pattern", 1, "does not compile"),
    "unknown period code": ("meta.toml", _replace('["年终", "annual"]', '["年终", "Y"]'), '["年终", "Y"]', 1,
                            "unknown period code 'Y'"),
    "unit word of an unknown unit": ("numbers.toml", _replace('"方" = [', '"坨" = ["面"]\n"方" = ['), '"坨" = ["面"]',
                                     1, "unknown unit '坨'"),
    "period months": ("labels.toml", _replace("Q3 = [6, 9]", "Q3 = [9, 6]"), "Q3 = [9, 6]", 1,
                      "not [first month, last month]"),
    "months of an unknown period": ("labels.toml", _replace("annual = [0, 12]", "annual = [0, 12]\nY = [0, 12]"),
                                    "Y = [0, 12]", 1, "unknown period code 'Y'"),
    "duplicate slogan": ("slogans.txt", _append("四风"), "四风", 2, "'四风' repeats line"),
    "duplicate stopword": ("stopwords.txt", _append("我们  # again"), "我们", 2, "'我们' repeats line"),
    "userdict frequency": ("userdict.txt", _append("草原围栏 many n"), "草原围栏 many", 1, "word [frequency"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_entry_raises_lexicon_error_naming_file_and_line(overlay, case):
    name, change, needle, nth, words = BAD[case]
    text = overlay(name, change)
    with pytest.raises(LexiconError) as err:
        _load(name)
    msg = str(err.value)
    assert name in msg and f"line {_line_of(text, needle, nth)}:" in msg, msg
    assert words in msg, msg
    assert err.value.line == _line_of(text, needle, nth)


def test_lexicon_error_is_a_value_error():
    assert issubclass(LexiconError, ValueError)


def test_every_package_file_loads_clean(monkeypatch):
    monkeypatch.delenv(lexicon.ENV_VAR, raising=False)
    _clear()
    files = lexicon.check_all()
    assert len(files) >= 16 and "units.csv" in files and "meta.toml" in files and "slogans.txt" in files
    for name in files:
        assert _load(name)


def test_check_all_finds_a_bad_overlay_file(overlay):
    overlay("scales.csv", _append("兆,a lot"))
    with pytest.raises(LexiconError, match=r"scales\.csv, line 11: factor: 'a lot' is not a number"):
        lexicon.check_all()


def test_an_unchanged_overlay_file_loads_like_the_package_one(overlay):
    overlay("units.csv", lambda t: t)
    rows = lexicon.table("units.csv")
    assert rows[0] == {"surface": "亩", "base_unit": "亩", "to_base": "1", "family": "area", "to_mu": "1",
                       "strong": "1"}


def test_alternation_puts_longer_words_first_and_keeps_ties_in_order():
    assert lexicon.alternation(["近", "将近", "约", "接近"]) == "将近|接近|近|约"
    assert lexicon.compiled(["亩", "亩次"]).match("亩次").group() == "亩次"


def test_alternation_spaced_allows_whitespace_between_characters():
    rx = lexicon.compiled(["仅供欣赏"], spaced=True)
    assert rx.search("本文仅供欣 赏。").group() == "仅供欣 赏"


def test_alternation_bounded_keeps_an_ascii_word_from_running_on():
    rx = lexicon.compiled(["hm", "hm2"], bounded=True)
    assert rx.match("hm2").group() == "hm2"
    assert rx.match("hm25") is None and rx.match("hm 5").group() == "hm"
    assert re.fullmatch(lexicon.alternation(["a.b"]), "a.b") and not re.fullmatch(lexicon.alternation(["a.b"]), "axb")


def test_periods_come_from_labels_toml():
    h1, q3 = lexicon.period("H1"), lexicon.period("Q3")
    assert (h1.label, h1.start, h1.end, h1.elapsed) == ("上半年", 0, 6, 0.5)
    assert q3.elapsed == 0.75 and lexicon.period("annual").elapsed is None
    assert lexicon.period("M06").elapsed == 0.5 and lexicon.period("M06").label == "6月"
    assert lexicon.period("Y9") is None and lexicon.period(None) is None


def test_every_lexicon_entry_occurs_in_a_test_text(monkeypatch):
    monkeypatch.delenv(lexicon.ENV_VAR, raising=False)
    _clear()
    missing = {name: m for name, (_, m) in _coverage_script().coverage().items() if m}
    assert missing == {}, "add a case (tests/cases/*.jsonl) using: " + repr(missing)


def test_an_entry_added_without_a_case_is_reported_uncovered(overlay):
    slogan, unit = "五个" + "一流", "立方" + "码"        # built here, so that no test text holds them whole
    overlay("slogans.txt", _append(slogan))
    overlay("units.csv", _append(f"{unit},立方米,0.76,volume,,0"))
    got = _coverage_script().coverage()
    assert got["slogans.txt"][1] == [slogan] and got["units.csv"][1] == [unit]
    assert got["units.csv"][0] == len(lexicon.table("units.csv"))
