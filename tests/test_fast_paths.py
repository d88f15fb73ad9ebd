"""Shortcuts taken for speed give exactly the answers of the plain definitions they stand for.

Each shortcut skips work that cannot change the answer (a rule whose trigger character is
absent, a synonym not in the trie); these tests compare both on every bundled report, so a
shortcut that skipped too much fails here and not only in the snapshot of the sample tables.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import forestry_analysis as fa
from forestry_analysis.pipeline.quantities import metrics, rules
from forestry_analysis.pipeline.quantities.numbers import scan

ROOT = Path(__file__).resolve().parents[1]
REPORTS = sorted((ROOT / "data" / "samples").glob("*.txt")) + sorted((ROOT / "tests" / "gold").glob("*.txt"))


@pytest.fixture(scope="module")
def reports():
    return [fa.read_report(p) for p in REPORTS]


def _every_rule_asked(ex, tok):
    """``not_metric_reason`` without triggers: every rule of NOT_METRIC, in order."""
    for rule in rules.NOT_METRIC:
        if why := rule(ex, tok):
            return why
    return None


def test_not_metric_triggers_never_skip_a_rule_that_would_decide(reports):
    asked = 0
    for r in reports:
        ex = metrics._Extractor(r.norm.text, r._context)
        for tok in scan(r.norm.text):
            assert rules.not_metric_reason(ex, tok) == _every_rule_asked(ex, tok), (r.report_id, tok)
            asked += 1
    assert asked > 1000


def test_not_metric_triggers_name_only_rules_that_are_listed():
    assert set(rules._looks_at()) <= set(rules.NOT_METRIC)
    assert rules.in_region not in rules._looks_at()   # a region can hold the token anywhere


def test_catalogue_trie_finds_every_synonym_written_inside_an_indicator(reports):
    rows, trie = metrics._catalogue()
    indicators = {m.indicator for r in reports for m in r._extracted[0] if m.indicator}
    indicators |= {row[0] for row in rows} | {"森林覆盖率达到", "完成人工造林面积"}
    for ind in indicators:
        assert metrics._synonyms_in(ind, trie) == [i for i, row in enumerate(rows) if row[0] in ind], ind
    assert len(indicators) > 100


def _plain_clean(phrase: str) -> str:
    """``metrics._clean`` as the plain chain of substitutions, every pattern always tried."""
    s = metrics._NOISE_RX.sub("", metrics._YEARS.sub("", metrics._MARKER.sub("", phrase))).strip(" \t\"'`")
    s = metrics._TAIL_RX.sub("", metrics._HEAD_RX.sub("", metrics._ORG_HEAD.sub("", metrics._SUBJECT_TIME.sub("", s))))
    s = metrics._HEAD_RX.sub("", s) if metrics._HEAD_RX.match(s) else s
    return s.strip(" \t\"'`")


def _plain_strip(name: str) -> str:
    return metrics._TAIL_FW.sub("", metrics._HEAD_FW.sub("", name.strip())).strip()


def test_phrase_cleaning_shortcuts_give_the_plain_substitutions(reports):
    import re
    pieces = {"其中\n", "目前达到\n", "的", "(一)2020年完成造林", "截至6月底共计", "今年上半年完成造林的",
              "及造林等", "造林以上\n", "等", "", "吉安县林业局完成人工造林", "县林业站等局属单位"}
    for r in reports:
        for piece in re.split(r"(?<=[,;。!:、()\n])", r.norm.text):
            pieces.update({piece, piece.rstrip("\n"), piece[:12], piece[-12:]})
    for p in pieces:
        assert metrics._clean(p) == _plain_clean(p), p
        assert metrics._strip_function_words(p) == _plain_strip(p), p
    assert len(pieces) > 2000
