"""Metric extraction: each number form, each not-a-metric reason, lost numbers, meaning.

The cases live in tests/cases/quantities.jsonl (one JSON line per case: text, expected
rows `res` matched one to one and in order, `allow` the raws of rows that may appear besides
them, and `not` pairs of (raw, reason) for the ledger). Any other row fails the case.
"""
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.doc import schema

from conftest import key_mismatches

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "quantities.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _matches(row, want):
    for key, val in want.items():
        if key == "indicator_has":
            if val not in (row["indicator"] or ""):
                return False
        elif key in ("value", "value_high", "area_mu"):
            if pd.isna(row[key]) or not math.isclose(float(row[key]), val, rel_tol=1e-6):
                return False
        elif row[key] != val:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_quantity_case(case):
    r = fa.read_report(text=case["text"])
    rows = r.metrics.to_dict("records")
    got = [(x["raw"], x["value"], x["unit"], x["kind"], x["missing"]) for x in rows]
    wanted, allowed, extra = list(case["res"]), list(case.get("allow", [])), []
    for row in rows:
        if wanted and _matches(row, wanted[0]):
            wanted.pop(0)
        elif row["raw"] in allowed:
            allowed.remove(row["raw"])
        else:
            extra.append(row["raw"])
    assert not wanted, f"no metric {wanted[0]} in order; got {got}"
    assert not extra, f"rows not in the case: {extra}; got {got}"
    ledger = list(zip(r.numbers["raw"], r.numbers["reason"], r.numbers["is_metric"]))
    for raw, reason in case.get("not", []):
        assert (raw, reason, False) in ledger, f"{raw!r} should be ledgered as {reason}; ledger {ledger}"
        ledger.remove((raw, reason, False))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_metric_points_at_its_raw_text(case):
    r = fa.read_report(text=case["text"])
    for row in r.metrics.itertuples():
        assert r.text[row.start:row.end] == row.raw
        assert row.sentence and row.raw.strip() in r.text[:]


def test_lost_number_is_never_borrowed_from_a_neighbour():
    r = fa.read_report(text="完成营造林万亩,完成育苗500亩,投资20万元。")
    lost = r.metrics[r.metrics["missing"]]
    assert len(lost) == 1 and pd.isna(lost["value"].iloc[0])
    assert lost["raw"].iloc[0] == "万亩"


def test_metrics_table_has_the_schema_dtypes():
    r = fa.read_report("data/samples/seed_banan_2020h1.txt")
    expected = {f.name: str(pd.Series([], dtype=f.dtype).dtype) for f in schema.TABLES["metrics"]}
    assert {c: str(t) for c, t in r.metrics.dtypes.items()} == expected


def test_seed_slogans_dates_and_titles_are_not_metrics():
    r = fa.read_report("data/samples/seed_banan_2020h1.txt")
    raws = set(r.metrics["raw"])
    assert not any(x in raws for x in ("四个", "两个", "2020", "84"))
    reasons = dict(zip(r.numbers["raw"], r.numbers["reason"]))
    assert reasons["84"] == "name" and reasons["75"] == "concentration"
    not_metric = r.numbers[~r.numbers["is_metric"]]
    assert set(not_metric["reason"]) >= {"slogan", "date", "document_title", "ordinal"}


def test_every_digit_run_is_in_the_ledger_with_a_reason():
    r = fa.read_report("data/samples/seed_banan_2020h1.txt")
    import re
    spans = list(zip(r.numbers["start"], r.numbers["end"]))
    for m in re.finditer(r"\d+", r.text):
        assert any(s <= m.start() and m.end() <= e for s, e in spans), m.group()
    assert r.numbers["reason"].notna().all()


def test_traditional_text_gives_the_same_metrics_as_simplified():
    import opencc
    text = Path("data/samples/seed_banan_2020h1.txt").read_text(encoding="utf-8")
    simp = fa.read_report(text=text).metrics
    trad = fa.read_report(text=opencc.OpenCC("s2t").convert(text)).metrics
    cols = ["value", "unit", "missing", "approx", "kind", "category", "indicator_id"]
    pd.testing.assert_frame_equal(simp[cols], trad[cols])


def test_indicator_catalogue_maps_synonyms_to_one_id():
    r = fa.read_report(text="完成营造林1万亩,植树造林2000亩,人工造林300亩。")
    assert set(r.metrics["indicator_id"]) == {"afforestation_area"}


def test_areas_in_hectares_and_square_metres_are_converted_to_mu():
    """1 公顷 = 15 亩, 1 平方米 = 0.0015 亩; a length has no area."""
    r = fa.read_report(text="完成森林抚育450公顷,改造低效林3.2万亩,建设苗圃12000平方米,新建防火道路2.5公里。")
    got = [(raw, None if pd.isna(mu) else float(mu)) for raw, mu in zip(r.metrics["raw"], r.metrics["area_mu"])]
    assert got == [("450公顷", 6750.0), ("3.2万亩", 32000.0), ("12000平方米", 18.0), ("2.5公里", None)]


def test_lexicons_are_well_formed():
    from forestry_analysis import lexicon
    ids = [r["id"] for r in lexicon.table("indicators.csv")]
    assert len(ids) == len(set(ids))
    cats = set(lexicon.toml("categories.toml"))
    assert {"afforestation", "fire_prevention", "pest_control"} <= cats
    for r in lexicon.table("indicators.csv"):
        assert not r["category"] or r["category"] in cats
        assert r["family"] in ("", "area", "money", "count", "percent", "length", "volume", "mass")


def test_seed_metrics_and_lost_numbers_match_the_hand_made_key():
    r = fa.read_report("data/samples/seed_banan_2020h1.txt")
    assert key_mismatches(r.metrics, r.text) == []


def test_classifier_inside_a_word_or_a_list_is_no_lost_number():
    text = "进入防火期,开展检查多次,召开会议若干次,抽查各省份,印制发放宣传册、明白卡,出动督导组、检查组20余批次。"
    m = fa.read_report(text=text).metrics
    assert not m["missing"].any(), m[["raw", "missing"]]
    assert m["raw"].tolist() == ["20余批次"]


def test_explain_names_what_decided_the_category():
    text = "林业有害生物越冬代调查工作总结\n\n一、越冬代虫情调查开展情况\n调查工作共涉及全县20个乡镇,5个苗木繁育基地。"
    r = fa.read_report(text=text)
    row = r.metrics.iloc[1]
    why = r.explain(row)
    assert why["category"] == "pest_control" and why["category_basis"] == "topic"
    assert "虫情" in why["basis_text"] and why["votes"]["pest_control"] > 0
    plain = fa.read_report(text="今年完成人工造林2000亩。")
    assert plain.explain(0)["category_basis"] == "indicator" and "人工造林" in plain.explain(0)["basis_text"]


_ROOT = Path(__file__).resolve().parent.parent
_TEXTS = sorted((_ROOT / "tests" / "gold").glob("*.txt")) + sorted((_ROOT / "data" / "samples").glob("*.txt"))


@pytest.mark.parametrize("path", _TEXTS, ids=[f"{p.parent.name}/{p.stem}" for p in _TEXTS])
def test_indicator_names_are_clean_noun_phrases(path):
    """Every name has two Han characters or more and neither starts nor ends with a function word."""
    import re
    from forestry_analysis import lexicon
    words = tuple(lexicon.toml("phrases.toml")["names"]["function_words"])
    bad = []
    for row in fa.read_report(path).metrics.itertuples():
        name = row.indicator if isinstance(row.indicator, str) else ""
        if len(re.findall(r"[\u4e00-\u9fff]", name)) < 2 or name.startswith(words) or name.endswith(words):
            bad.append((row.raw, name))
    assert not bad, bad


_CATALOGUE = [r for r in __import__("forestry_analysis.lexicon", fromlist=["table"]).table("indicators.csv")]


@pytest.mark.parametrize("entry", _CATALOGUE, ids=[r["id"] for r in _CATALOGUE])
def test_catalogue_entry_catches_its_example_sentence(entry):
    assert entry["example"], f"{entry['id']} has no example sentence"
    ids = fa.read_report(text=entry["example"]).metrics["indicator_id"].tolist()
    assert entry["id"] in ids, (entry["example"], ids)


def test_catalogue_covers_nine_tenths_of_the_chart_categories_in_the_gold_texts():
    import importlib.util
    spec = importlib.util.spec_from_file_location("coverage", _ROOT / "scripts" / "catalogue_coverage.py")
    cov = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cov)
    counts, _ = cov.coverage([_ROOT / "tests" / "gold"])
    hit, n = sum(h for h, _ in counts.values()), sum(n for _, n in counts.values())
    assert n > 100 and hit / n >= 0.90, counts


def test_generic_catalogue_name_needs_the_context_to_decide():
    r = fa.read_report(text="全年营造林年度任务7500亩。召开会议,参会人员120名。")
    ids = dict(zip(r.metrics["raw"], r.metrics["indicator_id"]))
    assert ids["7500亩"] == "afforestation_task_area"
    assert pd.isna(ids["120名"])


# ------------------------------------------------------------------ one case file per rule set
# tests/cases/rules.jsonl: the cases of each named rule of pipeline/quantities/rules.py (field
# "rule"), in the format above. Each case holds with the rule and fails without it.

RULE_CASES = [json.loads(line) for line in
              (Path(__file__).parent / "cases" / "rules.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _case_holds(case) -> bool:
    """Every row the case lists, in order, and no other row; every number it says is no metric."""
    r = fa.read_report(text=case["text"])
    rows = r.metrics.to_dict("records")
    wanted = case.get("res", [])
    if len(rows) != len(wanted) or not all(_matches(row, want) for row, want in zip(rows, wanted)):
        return False
    ledger = list(zip(r.numbers["raw"], r.numbers["reason"], r.numbers["is_metric"]))
    for raw, reason in case.get("not", []):
        if (raw, reason, False) not in ledger:
            return False
        ledger.remove((raw, reason, False))
    return True


def _without(monkeypatch, name):
    """Switch off the rule ``name``: out of its table, or made a no-op."""
    from forestry_analysis.pipeline.quantities import rules
    for table in ("NOT_METRIC", "NOT_A_QUANTITY", "LOST_NUMBERS"):
        listed = getattr(rules, table)
        if any(f.__name__ == name for f in listed):
            monkeypatch.setattr(rules, table, tuple(f for f in listed if f.__name__ != name))
            return
    noop = (lambda ex, tokens: tokens) if name == "join_full_stop_decimals" else (lambda *args: None)
    monkeypatch.setattr(rules, name, noop)


@pytest.mark.parametrize("case", RULE_CASES, ids=[f"{c['rule']}-{i}" for i, c in enumerate(RULE_CASES)])
def test_rule_case_holds_with_its_rule_and_fails_without_it(case, monkeypatch):
    assert _case_holds(case), case
    _without(monkeypatch, case["rule"])
    assert not _case_holds(case), f"{case['rule']} does not decide {case['text']!r}"


def test_every_named_rule_has_a_case():
    from forestry_analysis.pipeline.quantities import rules
    named = {f.__name__ for f in rules.NOT_METRIC + rules.NOT_A_QUANTITY + rules.READINGS + rules.QUALIFIERS
             + rules.LOST_NUMBERS}
    assert named == {c["rule"] for c in RULE_CASES}


@pytest.mark.parametrize("text,value", [("完成造林整地272.84万亩。", 2728400.0), ("完成人工造林2.5736萬畝。", 25736.0),
                                        ("投入资金1.1亿元。", 110000000.0), ("完成封山育林0.3万亩。", 3000.0)])
def test_a_scaled_value_is_the_number_as_written(text, value):
    """272.84万 is 2728400 exactly, not 2728399.9999999995: sums and exports show what was written."""
    assert fa.read_report(text=text).metrics["value"].tolist() == [value]


KEPT_TAILS = {"下达": "比省林业厅下达的", "到达": "扑火队员到达的", "传达": "会议精神传达的",
              "送达": "防火物资送达的", "抵达": "增援队伍抵达的"}


def test_every_kept_tail_word_has_a_case():
    assert sorted(KEPT_TAILS) == sorted(fa.lexicon.toml("phrases.toml")["indicator"]["filler_tail_keep"])


@pytest.mark.parametrize("word", list(KEPT_TAILS))
def test_a_word_ending_in_a_filler_keeps_its_last_character(word):
    """比省林业厅下达的90%: 达 ends 下达 here, it is no filler (the 的 after it is)."""
    from forestry_analysis.pipeline.quantities.metrics import _clean
    phrase = KEPT_TAILS[word]
    assert _clean(phrase) == phrase[:-1] and _clean(phrase).endswith(word)
