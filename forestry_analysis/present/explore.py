"""Ad hoc exploration for notebooks: filter metrics, keywords per section, term frequencies,
and text search with highlighting.

    from forestry_analysis.present import explore
    explore.filter_metrics(r.metrics, keyword="防火", kind="actual")
    explore.section_keywords(r, top=8, method="textrank")
    explore.term_frequency(r, top=30)
    explore.search(r, "松材线虫|松墨天牛")          # .table, and highlighted HTML in Jupyter

Segmentation uses the package's private jieba tokenizer with the forestry user dictionary
(``segment.py``); jieba's global state is never touched.
"""
from __future__ import annotations

import html
import re
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
import pandas as pd

from forestry_analysis.pipeline import segment
from forestry_analysis.pipeline.categories import labels as category_labels
from forestry_analysis.doc.normalize import Normalized

METHODS = ("tfidf", "textrank")
NO_SECTION = "(无章节)"
KIND_ALIASES = {"完成": "actual", "实际": "actual", "计划": "plan", "目标": "plan",
                "比率": "rate", "完成率": "rate", "比例": "rate"}


# ---------------------------------------------------------------- filter metrics

def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _category_keys(values) -> list[str]:
    """Category keys from keys or Chinese labels ("森林防火" → "fire_prevention")."""
    by_label = {v: k for k, v in category_labels().items()}
    out = []
    for v in _as_list(values):
        key = by_label.get(v, v)
        if key not in category_labels():
            raise ValueError(f"unknown category {v!r}; use one of "
                             + ", ".join(f"{k} ({lab})" for k, lab in category_labels().items()))
        out.append(key)
    return out


def filter_metrics(metrics: pd.DataFrame, keyword=None, category=None, region=None,
                   kind=None) -> pd.DataFrame:
    """Rows of a metrics table matching every given condition (the index is kept).

    keyword: text (or list of texts, any of them) found in the indicator, the mention or its
        sentence — plain substring, not a regex.
    category: key (``fire_prevention``) or Chinese label (``森林防火``), or a list of them.
    region: text found in the ``region`` column (corpus metrics carry it), or a list.
    kind: ``actual``/``plan``/``rate`` or 完成/计划/比率, or a list.
    """
    mask = pd.Series(True, index=metrics.index)
    words = _as_list(keyword)
    if words:
        hit = pd.Series(False, index=metrics.index)
        for col in ("indicator", "raw", "sentence"):
            if col in metrics:
                text = metrics[col].astype("string").fillna("")
                for w in words:
                    hit |= text.str.contains(w, regex=False).fillna(False).astype(bool)
        mask &= hit
    cats = _category_keys(category)
    if cats:
        mask &= metrics["category"].astype(object).isin(cats)
    regions = _as_list(region)
    if regions:
        if "region" not in metrics:
            raise ValueError("this metrics table has no 'region' column: use Corpus.metrics, "
                             "or merge the report's meta_table first")
        col = metrics["region"].astype("string").fillna("")
        hit = pd.Series(False, index=metrics.index)
        for r in regions:
            hit |= col.str.contains(r, regex=False).fillna(False).astype(bool)
        mask &= hit
    kinds = [KIND_ALIASES.get(k, k) for k in _as_list(kind)]
    if kinds:
        unknown = set(kinds) - {"actual", "plan", "rate"}
        if unknown:
            raise ValueError(f"unknown kind {sorted(unknown)}; use actual, plan or rate")
        mask &= metrics["kind"].astype(object).isin(kinds)
    return metrics[mask.to_numpy(dtype=bool)]


# ---------------------------------------------------------------- keywords per section

class _NoHMM:
    """Adapter so jieba.analyse segments with a private tokenizer, dictionary only (no HMM).

    ``get`` returns the tokenizer; it is called on first use, so the POS tokenizer (which
    reads jieba's whole dictionary for tags) is only built when a POS filter needs it."""

    def __init__(self, get):
        self._get = get

    def cut(self, sentence, HMM=False):  # noqa: N803 (jieba's keyword)
        return self._get().cut(sentence, HMM=False)


@lru_cache(maxsize=2)
def _extractor(method: str):
    """A jieba.analyse TFIDF or TextRank bound to the private tokenizers, with our stop words."""
    tok, pos = _NoHMM(segment.tokenizer), _NoHMM(segment.pos_tokenizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba leaves its idf file open (ResourceWarning)
        import jieba.analyse
        ex = jieba.analyse.TFIDF() if method == "tfidf" else jieba.analyse.TextRank()
    if method == "tfidf":
        ex.tokenizer, ex.postokenizer = tok, pos
    else:
        ex.tokenizer = ex.postokenizer = pos
    ex.stop_words = set(ex.stop_words) | set(segment.stopwords())
    return ex


def _sentences(report_or_sentences) -> pd.DataFrame:
    if isinstance(report_or_sentences, pd.DataFrame):
        return report_or_sentences
    if hasattr(report_or_sentences, "sentences"):
        return report_or_sentences.sentences
    raise TypeError("give a Report or a sentences table (Report.sentences)")


def keywords(text: str, top: int = 8, method: str = "tfidf") -> list[tuple[str, float]]:
    """``[(word, weight), ...]`` for one text, best first."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    ex = _extractor(method)
    ranked = ex.extract_tags(text, topK=None, withWeight=True)
    return [(w, float(s)) for w, s in ranked if segment.is_content_word(w)][:top]


def section_keywords(report_or_sentences, top: int = 8, method: str = "tfidf") -> pd.DataFrame:
    """Keywords of each level-1 section, ``top`` per section, with TF-IDF or TextRank.

    Takes a Report or its ``sentences`` table (several reports' sentences concatenated work
    too). Title, preamble and signature are left out; body text before the first heading is
    grouped as ``(无章节)``. Returns report_id, section, rank, keyword, weight, in text order.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    sents = _sentences(report_or_sentences)
    if "part" in sents:
        sents = sents[sents["part"].astype(object).isin(["body"])]
    sents = sents.assign(section=sents["section"].astype(object).where(sents["section"].notna(),
                                                                        NO_SECTION))
    rows = []
    for (rid, section), g in sents.groupby(["report_id", "section"], sort=False, dropna=False):
        text = Normalized("\n".join(g["text"].astype(str))).text
        for rank, (word, weight) in enumerate(keywords(text, top, method), 1):
            rows.append(dict(report_id=rid, section=section, rank=rank, keyword=word,
                             weight=weight))
    return pd.DataFrame(rows, columns=["report_id", "section", "rank", "keyword", "weight"]).astype(
        {"report_id": "string", "section": "string", "rank": "Int64", "keyword": "string",
         "weight": "Float64"})


# ---------------------------------------------------------------- term frequency

def _texts(texts) -> list[str]:
    """Normalised texts (simplified characters, half-width, pinyin glosses dropped), so that
    萬畝 and 万亩 count as one word and "萬(wàn)" leaves no pinyin fragments."""
    if isinstance(texts, str):
        raw = [texts]
    elif isinstance(getattr(texts, "texts", None), Mapping):          # Corpus
        raw = [texts.texts[k] for k in texts.texts]
    elif isinstance(getattr(texts, "text", None), str):               # Report
        return [texts.norm.text]
    else:
        raw = ["" if t is None or (not isinstance(t, str) and pd.isna(t)) else str(t) for t in texts]
    return [Normalized(t).text if t else "" for t in raw]


def term_frequency(texts, top: int | None = 30) -> pd.DataFrame:
    """Most frequent words in ``texts`` (a str, an iterable of str, a Report or a Corpus),
    without stop words, single characters and numbers. Texts are normalised first (simplified
    characters, half-width, pinyin glosses dropped), as the extractor sees them.

    Returns term, count (occurrences) and docs (how many of the texts use it), most frequent
    first; ties keep first appearance. ``top=None`` returns every word.
    """
    counts: Counter = Counter()
    docs: Counter = Counter()
    for text in _texts(texts):
        words = [w for w in segment.cut(text) if segment.is_content_word(w)]
        counts.update(words)
        docs.update(set(words))
    ranked = counts.most_common(top)
    return pd.DataFrame({"term": pd.array([w for w, _ in ranked], dtype="string"),
                         "count": pd.array([c for _, c in ranked], dtype="Int64"),
                         "docs": pd.array([docs[w] for w, _ in ranked], dtype="Int64")})


# ---------------------------------------------------------------- search

_MARK = "background:#ffe066;padding:0 1px;border-radius:2px"


class Matches:
    """Search result: ``table`` (one row per match) and an HTML view with matches highlighted."""

    def __init__(self, report, pattern: str, table: pd.DataFrame, limit: int = 50):
        self.report = report
        self.pattern = pattern
        self.table = table
        self.limit = limit

    def __len__(self):
        return len(self.table)

    def __repr__(self):
        n_sent = self.table["sentence_id"].nunique()
        return f"<Matches {self.pattern!r} in {self.report.report_id!r}: {len(self)} matches in {n_sent} sentences>"

    def html(self, limit: int | None = None) -> str:
        """HTML: each sentence holding a match, its section, the matches marked (all escaped)."""
        limit = self.limit if limit is None else limit
        text, t = self.report.text, self.table
        sents = self.report.sentences
        bounds = dict(zip(sents["sentence_id"].tolist(),
                          zip(sents["start"].tolist(), sents["end"].tolist())))
        head = (f'<div style="margin-bottom:4px"><b>{len(t)}</b> 处匹配 '
                f'<code>{html.escape(self.pattern)}</code> '
                f'({html.escape(str(self.report.report_id))})</div>')
        blocks = []
        groups = list(t.groupby("sentence_id", sort=False, dropna=False))
        for sid, g in groups[:limit]:
            first = g.iloc[0]
            s0, s1 = (int(x) for x in bounds.get(sid, (g["start"].min(), g["end"].max())))
            out, pos = [], s0
            for a, b in zip(g["start"].astype(int), g["end"].astype(int)):
                a, b = max(a, pos), min(b, s1)
                if b <= a:
                    continue
                out.append(html.escape(text[pos:a]))
                out.append(f'<mark style="{_MARK}">{html.escape(text[a:b])}</mark>')
                pos = b
            out.append(html.escape(text[pos:s1]))
            section = first["section"]
            label = html.escape(str(section)) if isinstance(section, str) else NO_SECTION
            blocks.append(f'<li><span style="color:#777;font-size:0.85em">[{label}]</span> '
                          f'{"".join(out).strip()}</li>')
        more = len(groups) - limit
        tail = f'<div style="color:#777">… 另有 {more} 句未显示</div>' if more > 0 else ""
        return (f'<div class="tex2jax_ignore" style="line-height:1.8">{head}'
                f'<ol style="margin:0;padding-left:1.6em">{"".join(blocks)}</ol>{tail}</div>')

    def _repr_html_(self):
        return self.html()


def search(report, pattern, *, regex: bool = True, normalized: bool = True,
           limit: int = 50) -> Matches:
    """Find ``pattern`` in a report's text.

    pattern: a regular expression (``regex=False`` for a plain string). With ``normalized``
    (default) the search runs on the normalised copy — simplified characters, half-width
    digits and punctuation — so ``森林防火`` also finds 森林防火 written in traditional script;
    offsets always point into ``Report.text``.

    Returns ``Matches``: ``.table`` (start, end, match, sentence_id, section, sentence) and an
    HTML view (the first ``limit`` sentences) shown inline in Jupyter.
    """
    source = pattern.pattern if isinstance(pattern, re.Pattern) else str(pattern)
    if not source:
        raise ValueError("empty search pattern")
    try:
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(
            source if regex else re.escape(source))
    except re.error as exc:
        raise ValueError(f"invalid regular expression {source!r}: {exc}") from None
    text = report.text
    if normalized:
        norm = report.norm
        spans = [norm.span(m.start(), m.end()) for m in rx.finditer(norm.text) if m.end() > m.start()]
    else:
        spans = [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]
    sents = report.sentences
    starts = [int(s) for s in sents["start"]]
    ids, secs = sents["sentence_id"].tolist(), sents["section"].tolist()
    s_text = sents["text"].tolist()
    rows = []
    for a, b in spans:
        i = max(0, bisect_right(starts, a) - 1) if starts else None
        rows.append(dict(
            start=a, end=b, match=text[a:b],
            sentence_id=None if i is None else ids[i],
            section=None if i is None else secs[i],
            sentence=None if i is None else str(s_text[i]).strip()))
    cols = {"start": "Int64", "end": "Int64", "match": "string", "sentence_id": "Int64",
            "section": "string", "sentence": "string"}
    table = pd.DataFrame(rows, columns=list(cols)).astype(cols)
    return Matches(report, source, table, limit=limit)


__all__ = ["filter_metrics", "section_keywords", "keywords", "term_frequency", "search",
           "Matches", "METHODS"]


def notebook_display(max_colwidth: int = 40) -> None:
    """The pandas display options the curated notebooks share (wide tables, Chinese text)."""
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", max_colwidth)
    pd.set_option("display.max_rows", 80)
    pd.set_option("display.width", 120)


def category_summary(metrics: pd.DataFrame, category: str) -> str:
    """One line for a notebook: how many metrics of a category, in how many reports, how many lost."""
    rows = filter_metrics(metrics, category=category)
    return (f"{len(rows)} {category} metrics in {rows['report_id'].nunique()} reports, "
            f"{int(rows['missing'].sum())} with the number lost")
