"""Work items on the page shapes of real reports (made-up pages, tests/cases/tasks.jsonl),
and the task key of the gold texts (tests/gold/tasks.jsonl) scored by tests/gold/score_tasks.py."""
import importlib.util
import json
from pathlib import Path

import pytest

import forestry_analysis as fa

HERE = Path(__file__).parent
CASES = [json.loads(ln) for ln in (HERE / "cases" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
         if ln.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["shape"] for c in CASES])
def test_page_shape_gives_exactly_its_work_items_with_status(case):
    tasks = fa.read_report(text=case["text"]).tasks
    got = [(t, s) for t, s in zip(tasks["text"], tasks["status"])]
    assert len(got) == len(case["items"]), got
    for (text, status), (evidence, want) in zip(got, case["items"]):
        assert text.startswith(evidence), (text, evidence)
        assert status == want, (text, status, want)


def _scorer():
    spec = importlib.util.spec_from_file_location("score_tasks", HERE / "gold" / "score_tasks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_task_key_of_the_gold_texts_is_met():
    summary, details = _scorer().score(HERE / "gold", fa.read_report)
    assert summary["docs"] == 28 and summary["unlocated"] == 0 and not summary["errors"]
    assert summary["recall"] >= 0.9, details
    assert summary["precision"] >= 0.9, details
    assert summary["status_acc"] >= 0.95, details


def test_task_scorer_penalises_merged_flipped_and_spurious_tasks():
    assert _scorer().self_test(HERE / "gold")
