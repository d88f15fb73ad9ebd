"""Word segmentation (private jieba tokenizer, quiet) and the notebook exploration helpers,
on the real seed report."""
from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.present import explore
from forestry_analysis.pipeline import segment

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "seed_banan_2020h1.txt"


@pytest.fixture(scope="module")
def seed():
    return fa.read_report(SEED)


# ---------------------------------------------------------------- segment

def test_every_userdict_word_is_cut_whole():
    words = segment.userdict_words()
    assert len(words) >= 30
    broken = {w: segment.cut(w) for w in words if segment.cut(w) != [w]}
    assert not broken


def test_userdict_words_survive_in_running_text(seed):
    tokens = segment.cut(seed.text)
    words = segment.userdict_words()
    for w in words:
        # occurrences not inside a longer dictionary word (松材线虫 inside 松材线虫病)
        longer = [x for x in words if w in x and x != w]
        expected = len(re.findall(re.escape(w), seed.text)) - sum(seed.text.count(x) for x in longer)
        assert tokens.count(w) == expected, w
    assert tokens.count("林地征占用") == seed.text.count("林地征占用") > 0
    assert "松材线虫病" in segment.cut("高位推动松材线虫病防控")


def test_tokenizer_is_private_and_built_once():
    import jieba
    tok = segment.tokenizer()
    assert tok is segment.tokenizer()
    assert tok is not jieba.dt
    assert isinstance(tok, jieba.Tokenizer)
    # jieba's global tokenizer does not learn our dictionary
    assert jieba.dt.FREQ.get("绿色示范村") is None
    assert segment.pos_tokenizer().tokenizer is tok


def test_cut_is_dictionary_only_and_handles_empty():
    assert segment.cut("") == []
    assert segment.cut(None) == []
    assert segment.cut("完成营造林") == ["完成", "营造林"]
    assert ("松材线虫病", "n") in segment.cut_pos("高位推动松材线虫病防控")


def test_tagged_gives_the_place_names_cut_pos_tags_in_every_sample():
    units = ("自治区", "自治州", "地区", "省", "市", "州", "县", "区", "镇", "乡")
    found = 0
    for path in sorted((ROOT / "data" / "samples").glob("*.txt")) + sorted((ROOT / "tests" / "gold").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        want = [w for w, f in segment.cut_pos(text) if f == "ns" and len(w) >= 3 and w.endswith(units)]
        assert list(segment.tagged(text, "ns", units, min_len=3)) == want, path.name
        found += len(want)
    assert found > 50
    assert list(segment.tagged("确保眉山市生态安全,全市各乡镇", "ns", units, min_len=3)) == ["眉山市", "各乡镇"]


def test_stopwords_file():
    sw = segment.stopwords()
    for w in ("工作", "开展", "进一步", "加强", "推进", "全面", "积极"):
        assert w in sw
    assert not any(w.startswith("#") or not w.strip() for w in sw)
    assert not segment.is_content_word("工作")
    assert not segment.is_content_word("林")
    assert not segment.is_content_word("2020")
    assert segment.is_content_word("林长制")


def test_building_the_tokenizer_prints_nothing(capfd, monkeypatch):
    import jieba
    jieba.setLogLevel(logging.DEBUG)  # as in a fresh interpreter
    monkeypatch.setattr(segment, "_state", {})
    explore._extractor.cache_clear()
    try:
        segment.cut("松材线虫病除治")
        segment.cut_pos("林长制")
        explore.keywords("森林防火工作扎实推进，设置防火卡点232个。", method="tfidf")
        explore.keywords("森林防火工作扎实推进，设置防火卡点232个。", method="textrank")
    finally:
        explore._extractor.cache_clear()
    out, err = capfd.readouterr()
    assert err == ""
    assert out == ""
    assert "Building prefix dict" not in err


def test_fresh_interpreter_prints_nothing_to_stderr():
    code = ("import forestry_analysis as fa\n"
            "from forestry_analysis.present import explore\n"
            "from forestry_analysis.pipeline import segment\n"
            f"r = fa.read_report({str(SEED)!r})\n"
            "segment.cut(r.text)\n"
            "explore.section_keywords(r, method='tfidf')\n"
            "explore.section_keywords(r, method='textrank')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout == ""


# ---------------------------------------------------------------- filter_metrics

def test_filter_by_keyword(seed):
    m = seed.metrics
    hit = explore.filter_metrics(m, keyword="防火")
    assert len(hit) >= 3
    assert set(hit.index) <= set(m.index)
    for row in hit.itertuples():
        assert any("防火" in str(v) for v in (row.indicator, row.raw, row.sentence))
    both = explore.filter_metrics(m, keyword=["防火", "诱捕器"])
    assert len(both) > len(hit)
    assert explore.filter_metrics(m).equals(m)
    assert explore.filter_metrics(m, keyword="没有这个词").empty


def test_filter_by_category_and_kind(seed):
    m = seed.metrics
    by_key = explore.filter_metrics(m, category="fire_prevention")
    by_label = explore.filter_metrics(m, category="森林防火")
    assert len(by_key) > 0 and by_key.index.equals(by_label.index)
    assert set(by_key["category"].astype(str)) == {"fire_prevention"}
    plans = explore.filter_metrics(m, kind="计划")
    assert plans.index.equals(explore.filter_metrics(m, kind="plan").index)
    assert set(plans["kind"].astype(str)) == {"plan"}
    two = explore.filter_metrics(m, category=["fire_prevention", "pest_control"], kind="actual")
    assert set(two["category"].astype(str)) == {"fire_prevention", "pest_control"}
    with pytest.raises(ValueError, match="unknown category"):
        explore.filter_metrics(m, category="forestry")
    with pytest.raises(ValueError, match="unknown kind"):
        explore.filter_metrics(m, kind="done")


def test_filter_by_region(seed):
    m = seed.metrics.merge(seed.meta_table[["report_id", "region"]], on="report_id")
    assert len(explore.filter_metrics(m, region="巴南")) == len(m)
    assert explore.filter_metrics(m, region="铜川").empty
    fire = explore.filter_metrics(m, region="巴南", category="森林防火", keyword="卡点")
    assert list(fire["raw"]) == ["232个"]
    with pytest.raises(ValueError, match="region"):
        explore.filter_metrics(seed.metrics, region="巴南")


# ---------------------------------------------------------------- keywords

@pytest.mark.parametrize("method", ["tfidf", "textrank"])
def test_section_keywords(seed, method):
    kw = explore.section_keywords(seed, top=8, method=method)
    assert list(kw.columns) == ["report_id", "section", "rank", "keyword", "weight"]
    level1 = seed.outline.loc[seed.outline["level"] == 1, "heading"].tolist()
    sections = list(dict.fromkeys(kw["section"]))
    assert [s for s in sections if s != explore.NO_SECTION] == level1
    per = kw.groupby("section", sort=False).size()
    assert (per <= 8).all() and (per >= 3).all()
    sw = segment.stopwords()
    for w in kw["keyword"]:
        assert len(w) >= 2 and w not in sw and not w.isdigit(), w
    for _, g in kw.groupby("section", sort=False):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert g["weight"].is_monotonic_decreasing
    # the forestry dictionary shows through: whole terms, not fragments
    assert set(kw["keyword"]) & set(segment.userdict_words())
    # deterministic
    assert kw.equals(explore.section_keywords(seed.sentences, top=8, method=method))


def test_section_keywords_bad_method(seed):
    with pytest.raises(ValueError, match="method"):
        explore.section_keywords(seed, method="lda")


def test_keyword_extractors_use_the_private_tokenizer():
    import jieba.analyse
    for method in explore.METHODS:
        ex = explore._extractor(method)
        assert ex is not jieba.analyse.default_tfidf and ex is not jieba.analyse.default_textrank
        assert isinstance(ex.tokenizer, explore._NoHMM) and isinstance(ex.postokenizer, explore._NoHMM)
        assert "工作" in ex.stop_words
    assert jieba.analyse.default_tfidf.tokenizer is jieba.dt


# ---------------------------------------------------------------- term frequency

def test_term_frequency(seed):
    tf = explore.term_frequency(seed, top=30)
    assert list(tf.columns) == ["term", "count", "docs"]
    assert len(tf) == 30
    assert tf["count"].is_monotonic_decreasing
    sw = segment.stopwords()
    assert not any(len(t) < 2 or t in sw or t.isdigit() for t in tf["term"])
    assert (tf["docs"] == 1).all()
    counts = dict(zip(tf["term"], tf["count"]))
    assert counts["国土绿化"] == seed.text.count("国土绿化")
    assert tf.equals(explore.term_frequency(seed.text, top=30))


def test_term_frequency_over_several_texts():
    tf = explore.term_frequency(["松材线虫病防治，松材线虫病除治", "松材线虫病监测", "森林防火"], top=None)
    row = tf.set_index("term").loc["松材线虫病"]
    assert (row["count"], row["docs"]) == (3, 2)
    assert explore.term_frequency([], top=5).empty
    # normalised first: traditional and simplified spellings are one term, no pinyin fragments
    norm = explore.term_frequency(["森林撫育", "森林抚育", "投入資金2927萬(wàn)元"], top=None)
    assert norm.set_index("term").loc["森林抚育", "count"] == 2
    assert not any(t.isascii() for t in norm["term"])
    assert explore.term_frequency([None, ""], top=5).empty


def test_term_frequency_of_a_corpus():
    c = fa.read_corpus([SEED, ROOT / "data" / "samples" / "f07.txt"], workers=1, cache=False)
    tf = explore.term_frequency(c, top=None)
    assert tf["docs"].max() == 2
    assert "松材线虫病" in set(tf["term"])


# ---------------------------------------------------------------- search

def test_search_table_points_into_text(seed):
    m = explore.search(seed, "松材线虫病?|松墨天牛|诱捕器")
    t = m.table
    assert list(t.columns) == ["start", "end", "match", "sentence_id", "section", "sentence"]
    assert len(m) == len(t) == 3
    for row in t.itertuples():
        assert seed.text[row.start:row.end] == row.match
        assert row.match in row.sentence
    assert set(t["match"]) >= {"松材线虫病", "松墨天牛", "诱捕器"}
    assert "3 matches in 2 sentences" in repr(m)


def test_search_html_marks_and_escapes():
    r = fa.read_report(text="一、森林防火\n设置<script>防火卡点</script>232个，森林防火形势平稳。\n",
                       report_id="x")
    m = explore.search(r, "防火")
    page = m._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<mark") == len(m) == 3
    assert re.search(r"<mark[^>]*>防火</mark>卡点", page)
    lit = explore.search(r, "<script>", regex=False)
    assert len(lit) == 1
    assert "<mark" in lit.html() and "&lt;script&gt;</mark>" in lit.html()


def test_search_normalised_text_and_errors():
    r = fa.read_report(text="全縣完成森林撫育1.2萬畝。", report_id="t")
    m = explore.search(r, "万亩")
    assert len(m) == 1
    row = m.table.iloc[0]
    assert r.text[row["start"]:row["end"]] == "萬畝" == row["match"]
    assert len(explore.search(r, "万亩", normalized=False)) == 0
    assert len(explore.search(r, "1.2", regex=False)) == 1
    with pytest.raises(ValueError, match="empty"):
        explore.search(r, "")
    with pytest.raises(ValueError, match="regular expression"):
        explore.search(r, "(")
    none = explore.search(r, "松材线虫")
    assert len(none) == 0 and isinstance(none.table, pd.DataFrame)
    assert "0</b> 处匹配" in none.html()


def test_lazy_attribute():
    assert fa.explore is explore
