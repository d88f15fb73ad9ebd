"""Chinese word segmentation with jieba, using the package's forestry user dictionary.

The tokenizer is private (not jieba's global ``jieba.dt``), so loading our dictionary never
changes how the caller's own jieba code segments, and it is built lazily, on first use, and
once. jieba's "Building prefix dict …" chatter is silenced: nothing is written to stderr.

Numbers are never taken from segmentation (see ``numbers.py``); this is for keywords, term
frequencies and other exploration.
"""
from __future__ import annotations

import logging
import re
import threading
import warnings
from functools import lru_cache

from forestry_analysis import lexicon

USERDICT = "userdict.txt"
STOPWORDS = "stopwords.txt"

_lock = threading.Lock()
_state: dict = {}


def _jieba():
    """Import jieba quietly (its pkg_resources import may warn on new setuptools) and lower
    its logger to WARNING so initialisation prints nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    if jieba.default_logger.getEffectiveLevel() < logging.WARNING:
        jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenizer():
    """The package's private ``jieba.Tokenizer`` with ``lexicon/userdict.txt`` loaded."""
    tok = _state.get("tok")
    if tok is None:
        with _lock:
            tok = _state.get("tok")
            if tok is None:
                jieba = _jieba()
                tok = jieba.Tokenizer()
                tok.load_userdict(lexicon.path(USERDICT))  # initialises the prefix dict
                _state["tok"] = tok
    return tok


def pos_tokenizer():
    """A ``jieba.posseg.POSTokenizer`` over the private tokenizer (for TextRank / POS filters)."""
    pos = _state.get("pos")
    if pos is None:
        tok = tokenizer()
        with _lock:
            pos = _state.get("pos")
            if pos is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    import jieba.posseg
                pos = jieba.posseg.POSTokenizer(tok)
                _state["pos"] = pos
    return pos


def cut(text: str) -> list[str]:
    """Words of ``text`` (dictionary only, no HMM guessing of unknown words)."""
    return tokenizer().lcut(text or "", HMM=False)


def cut_pos(text: str) -> list[tuple[str, str]]:
    """``(word, part-of-speech flag)`` pairs, segmented like ``cut``."""
    return [(p.word, p.flag) for p in pos_tokenizer().lcut(text or "", HMM=False)]


def tagged(text: str, flag: str, endings: tuple[str, ...], min_len: int = 1):
    """The words of ``text`` tagged ``flag`` that end with one of ``endings`` and have at
    least ``min_len`` characters, in order and lazily, exactly as ``cut_pos`` tags them.

    jieba segments each run of Chinese text (its ``re_han_internal``) on its own, tags
    everything else ``x``, ``m`` or ``eng`` and takes every tag from its dictionary, so only
    the runs holding a dictionary word of that kind are segmented (a place name ending in
    市 lies in a run holding that name).
    """
    pos = pos_tokenizer()
    from jieba.posseg import re_han_internal
    last, suffixes = _last_chars(endings), _suffix_trie(flag, endings, min_len)
    for run in re_han_internal.findall(text or ""):
        if not any(_word_ends_at(run, m.end(), suffixes) for m in last.finditer(run, min_len - 1)):
            continue
        for p in pos.cut(run, HMM=False):
            if p.flag == flag and len(p.word) >= min_len and p.word.endswith(endings):
                yield p.word


@lru_cache(maxsize=8)
def _dictionary_words(flag: str, endings: tuple[str, ...], min_len: int) -> frozenset:
    """The dictionary words tagged ``flag``, ending so and ``min_len`` or more characters long."""
    pos = pos_tokenizer()
    pos.makesure_userdict_loaded()
    return frozenset(w for w, f in pos.word_tag_tab.items()
                     if f == flag and len(w) >= min_len and w.endswith(endings))


@lru_cache(maxsize=8)
def _suffix_trie(flag: str, endings: tuple[str, ...], min_len: int) -> dict:
    """The words of ``_dictionary_words`` spelled backwards, as a ``lexicon.trie``."""
    return lexicon.trie((word[::-1], word) for word in _dictionary_words(flag, endings, min_len))


def _word_ends_at(run: str, end: int, suffixes: dict) -> bool:
    """Whether a word of the trie ``suffixes`` ends at ``run[end]``, read backwards from there."""
    node, i = suffixes, end - 1
    while i >= 0 and (node := node.get(run[i])) is not None:
        if "" in node:
            return True
        i -= 1
    return False


@lru_cache(maxsize=8)
def _last_chars(endings: tuple[str, ...]) -> re.Pattern:
    """A character that ends one of ``endings``: where a word ending so can end."""
    return re.compile("[" + re.escape("".join(sorted({e[-1] for e in endings}))) + "]")


@lru_cache(maxsize=1)
def userdict_words() -> tuple[str, ...]:
    """Words of the user dictionary, in file order."""
    with open(lexicon.path(USERDICT), encoding="utf-8") as f:
        return tuple(line.split()[0] for line in f if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Function words and report boilerplate (``lexicon/stopwords.txt``) to leave out of counts."""
    with open(lexicon.path(STOPWORDS), encoding="utf-8") as f:
        return frozenset(w for line in f
                         if (w := line.split("#", 1)[0].strip()))


def is_content_word(word: str) -> bool:
    """True for a word worth counting: two or more characters, not punctuation, digits only
    or a stop word."""
    w = word.strip()
    return len(w) >= 2 and w not in stopwords() and any(c.isalpha() for c in w)


__all__ = ["tokenizer", "pos_tokenizer", "cut", "cut_pos", "tagged", "stopwords", "userdict_words",
           "is_content_word"]
