"""The package scored on the hand-made answer keys (copied from the shared gold set).

Thresholds are the issue's: value P/R ≥ 0.97, lost-number recall 1.00 and precision ≥ 0.95,
indicator ≥ 0.95, category ≥ 0.95, kind ≥ 0.95, approx ≥ 0.95.
"""
import importlib.util
import json
import math
from pathlib import Path

import pytest

import forestry_analysis as fa

GOLD = Path(__file__).parent / "gold"
NON_DOC = {"relations", "meta", "tasks"}   # keys of other tables, not metric keys


@pytest.fixture(scope="module")
def summary():
    spec = importlib.util.spec_from_file_location("score", GOLD / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    preds = []
    for f in sorted(GOLD.glob("*.txt")):
        for row in fa.read_report(f).metrics.to_dict("records"):
            preds.append({"doc": f.stem, **{k: (None if v is None or (isinstance(v, float) and math.isnan(v))
                                                or str(v) == "<NA>" else v)
                                            for k, v in row.items() if k in
                                            ("start", "end", "value", "unit", "missing", "approx", "kind",
                                             "category", "indicator")}})
    texts, gold = {}, {}
    for f in sorted(GOLD.glob("*.jsonl")):
        if f.stem in NON_DOC:
            continue
        texts[f.stem] = f.with_suffix(".txt").read_text(encoding="utf-8")
        gold[f.stem] = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    tally, *_ = score.score(preds, gold, texts)
    return score.summary(tally)


def test_gold_values_precision_and_recall(summary):
    assert summary["value"]["precision"] >= 0.97
    assert summary["value"]["recall"] >= 0.97


def test_gold_lost_numbers_all_found(summary):
    assert summary["missing"]["recall"] == 1.0
    assert summary["missing"]["precision"] >= 0.95


@pytest.mark.parametrize("attr,threshold", [("indicator_acc", 0.95), ("category_acc", 0.95),
                                            ("kind_acc", 0.95), ("approx_acc", 0.95)])
def test_gold_attributes(summary, attr, threshold):
    assert summary[attr] >= threshold
