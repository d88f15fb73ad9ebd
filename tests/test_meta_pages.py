"""Metadata on the shapes real scraped pages come in (made-up pages in tests/cases/meta.jsonl),
and the per-field accuracy on the hand-made key of the gold texts (tests/gold/meta.jsonl)."""
import json
from pathlib import Path

import pytest

import forestry_analysis as fa

HERE = Path(__file__).parent
CASES = [json.loads(line) for line in (HERE / "cases" / "meta.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]
KEY = [json.loads(line) for line in (HERE / "gold" / "meta.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_page_shape(case):
    meta = fa.read_report(text=case["text"]).meta
    assert {k: meta.get(k) for k in case["want"]} == case["want"]


def _right(meta: dict, field: str, want) -> bool:
    if field == "title_contains":
        return meta.get("title") is not None and want in meta["title"].replace(" ", "")
    got = meta.get(field)
    return got is None if want is None else got == want


def test_gold_meta_key_per_field_accuracy_at_least_0_9():
    tally = {}
    for key in KEY:
        meta = fa.read_report(HERE / "gold" / f"{key['doc']}.txt").meta
        for field, want in key.items():
            if field != "doc":
                ok, n = tally.get(field, (0, 0))
                tally[field] = (ok + _right(meta, field, want), n + 1)
    assert set(tally) == {"title_contains", "year", "period", "report_kind", "region"}
    assert {f: round(ok / n, 3) for f, (ok, n) in tally.items() if ok / n < 0.9} == {}


def test_title_source_and_confidence_say_where_the_title_came_from(tmp_path):
    title_line = fa.read_report(text="某县林业局2021年工作总结\n2021年，全局完成造林5000亩。\n").meta
    headline = fa.read_report(text=CASES[0]["text"]).meta
    path = tmp_path / "某县林业局2022年上半年工作总结.txt"
    path.write_text("上半年，全局完成人工造林3000亩，森林抚育5000亩，各项工作进展顺利。\n", encoding="utf-8")
    from_file = fa.read_report(path).meta
    none = fa.read_report(text="全局完成人工造林3000亩，森林抚育5000亩，各项工作进展顺利。\n").meta
    assert [(m["title_source"], m["title_confidence"]) for m in (title_line, headline, from_file, none)] == \
        [("标题行", 1.0), ("新闻标题或正文首句", 0.7), ("文件名", 0.5), ("无", 0.0)]
    assert from_file["title"] == "某县林业局2022年上半年工作总结" and none["title"] is None
