"""Relations (part_of, rate_of, rate_base, restates, rate_type) scored on the hand-made
relations key of the gold texts (tests/gold/relations.jsonl), with the copied scorer.

Thresholds are the scores reached when the key was written (all pairs P 0.99, R 0.77;
rate_type 0.98), a little below them so that a real regression fails.
"""
import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

import forestry_analysis as fa

GOLD = Path(__file__).parent / "gold"
COLS = ("start", "end", "value", "unit", "missing", "approx", "kind", "category", "indicator",
        "metric_id", "part_of", "rate_of", "rate_base", "rate_type", "restates")


def _plain(v):
    if v is None or v is getattr(__import__("pandas"), "NA") or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


@pytest.fixture(scope="module")
def scores():
    sys.path.insert(0, str(GOLD))
    try:
        spec = importlib.util.spec_from_file_location("score_relations", GOLD / "score_relations.py")
        sr = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sr)
    finally:
        sys.path.remove(str(GOLD))
    texts, gold, rels = sr.load_gold([GOLD])
    preds = []
    for doc in texts:
        for row in fa.read_report(GOLD / f"{doc}.txt").metrics.to_dict("records"):
            preds.append({"doc": doc, **{c: _plain(row[c]) for c in COLS}})
    return sr.score_relations(preds, gold, texts, rels)[0]


def test_relations_key_covers_all_gold_texts():
    docs = {json.loads(x)["doc"] for x in (GOLD / "relations.jsonl").read_text(encoding="utf-8").splitlines() if x}
    texts = {f.stem for f in GOLD.glob("*.txt")}
    assert len(texts) == 28 and docs <= texts and len(docs) >= 18   # texts without relations have none


def test_relation_pairs_precision_and_recall(scores):
    assert scores["matching_agrees_with_score_py"]
    assert scores["all"]["precision"] >= 0.95 and scores["all"]["recall"] >= 0.75, scores["all"]


@pytest.mark.parametrize("kind,p,r", [("part_of", 0.95, 0.60), ("rate_of", 0.95, 0.90),
                                      ("rate_base", 0.90, 0.90), ("restates", 0.75, 0.50)])
def test_each_relation_kind(scores, kind, p, r):
    assert scores[kind]["precision"] >= p and scores[kind]["recall"] >= r, scores[kind]


def test_rate_type_accuracy(scores):
    assert scores["rate_type_acc"] >= 0.95 and scores["rate_type_on_nonrate"] == 0, scores
