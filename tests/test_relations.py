"""Relations between metric rows (parts, rates, restatements) and the sums built on them:
each pattern of tests/cases/relations.jsonl, a property test of summarize, and coverage."""
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import forestry_analysis as fa
from forestry_analysis.pipeline import summary

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "relations.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _report(text):
    return fa.read_report(text="某县林业局2021年工作总结\n" + text)


def _row(metrics, raw, occurrence=0):
    rows = metrics[metrics["raw"] == raw]
    if rows.empty:
        rows = metrics[metrics["raw"].str.endswith(raw)]
    assert len(rows) > occurrence, f"no row {raw!r} (occurrence {occurrence}) in {list(metrics['raw'])}"
    return rows.iloc[occurrence]


def _na(v):
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


@pytest.mark.parametrize("case", CASES, ids=[c["pattern"] for c in CASES])
def test_relation_pattern_is_read(case):
    m = _report(case["text"]).metrics
    for e in case["expect"]:
        row = _row(m, e["row"], e.get("occurrence", 0))
        for field in ("part_of", "rate_of", "rate_base", "restates"):
            if field not in e:
                continue
            got = row[field]
            if e[field] is None:
                assert _na(got), (field, e, got)
            else:
                assert not _na(got), (field, e)
                assert _row(m, e[field])["metric_id"] == got, (field, e)
        if "rate_type" in e:
            assert row["rate_type"] == e["rate_type"], (e, row["rate_type"])
    listed = {_row(m, e["row"], e.get("occurrence", 0))["metric_id"] for e in case["expect"]}
    unlisted = m[~m["metric_id"].isin(listed)]
    related = [(row["raw"], f) for _, row in unlisted.iterrows()
               for f in ("part_of", "rate_of", "restates") if not _na(row[f])]
    assert not related, f"relations the case does not list: {related}"


@pytest.mark.parametrize("case", [c for c in CASES if "sums" in c], ids=lambda c: c["pattern"])
def test_summarize_counts_neither_parts_nor_restatements(case):
    s = fa.summarize(_report(case["text"]).metrics, by=())
    for family, total in case["sums"].items():
        done = s[(s["family"] == family) & (s["kind"] == "actual")]
        assert done["value"].sum() == pytest.approx(total), s


def test_metric_id_is_unique_and_stable():
    text = (Path(__file__).parent / "gold" / "f07.txt").read_text(encoding="utf-8")
    a, b = fa.read_report(text=text).metrics, fa.read_report(text=text).metrics
    assert a["metric_id"].is_unique and a["metric_id"].notna().all()
    assert a["metric_id"].tolist() == b["metric_id"].tolist()
    assert a["start"].is_monotonic_increasing


def test_coverage_table_pairs_treated_with_occurring():
    case = next(c for c in CASES if "coverage" in c)
    cov = _report(case["text"]).coverage
    assert len(cov) == 1
    row = cov.iloc[0]
    assert row["treated"] == case["coverage"]["treated"] and row["base"] == case["coverage"]["base"]
    assert row["rate"] == pytest.approx(case["coverage"]["treated"] / case["coverage"]["base"])
    assert row["stated_rate"] == pytest.approx(0.958) and bool(row["consistent"])


def test_rates_lists_numerator_and_denominator_and_is_never_summed():
    m = _report("完成造林5000亩，占年度计划8000亩的62.5%。实现林业总产值50亿元，同比增长12%。").metrics
    r = fa.rates(m)
    done = r[r["rate_type"] == "completion"].iloc[0]
    assert (done["of_value"], done["base_value"]) == (5000, 8000)
    change = r[r["rate_type"] == "change"].iloc[0]
    assert change["of_value"] == 5e9
    assert not fa.summarize(m)["unit"].isin(["%"]).any()


def test_summarize_keeps_lost_numbers_as_na_not_zero():
    s = fa.summarize(_report("完成营造林万亩，森林抚育万亩。").metrics, by=())
    assert len(s) >= 1 and s["value"].isna().all() and (s["missing"] >= 1).all()


def test_summarize_converts_to_the_family_base_unit():
    s = fa.summarize(_report("甲县完成造林1万亩。乙县完成造林100公顷。").metrics, by=())
    area = s[s["family"] == "area"]
    assert area["value"].sum() == pytest.approx(10000 + 1500) and set(area["unit"]) == {"亩"}


_UNITS = ["亩", "万亩", "公顷", "元", "万元", "株", "起", "%"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 999), st.sampled_from(_UNITS), st.booleans()), min_size=1, max_size=6))
def test_summarize_never_mixes_families_nor_exceeds_the_top_level_sum(items):
    """Random sentences of totals with 其中 parts: each summarize row holds one unit family, and
    no group sums to more than its rows that are neither parts, restatements nor rates."""
    clauses = []
    for value, unit, with_part in items:
        clauses.append(f"完成造林{value}{unit}" + (f"，其中人工造林{max(1, value // 2)}{unit}" if with_part else ""))
    m = _report("。".join(clauses) + "。").metrics
    s = fa.summarize(m, by=())
    fam = m["unit"].astype(object).map(lambda u: summary._family(u))
    for _, row in s.iterrows():
        units = set(m.loc[(fam == row["family"]), "unit"])
        assert len({summary._family(u) for u in units}) == 1
        top = m[(fam == row["family"]) & m["part_of"].isna() & m["restates"].isna() & m["rate_type"].isna()]
        base = top["area_mu"] if row["family"] == "area" else top["value"]
        assert row["value"] <= base.sum() + 1e-6
    assert not s["family"].isin(["percent"]).any()


def test_completion_never_pairs_a_part_with_its_totals_plan():
    r = _report("全年完成人工造林1.2万亩，其中油茶0.3万亩，省下达任务1万亩。")
    c = r.completion
    assert len(c) == 1
    row = c.iloc[0]
    assert r.text[row["actual_start"]:row["actual_end"]] == "1.2万亩"
    assert row["plan"] == 10000


def test_a_rate_that_is_not_a_completion_makes_no_completion_row():
    text = "全年松材线虫病防治面积100万亩，为发生面积的100%。全县森林覆盖率63.5%。实现林业总产值50亿元，同比增长12%。"
    r = _report(text)
    assert r.completion.empty or r.completion["rate_start"].isna().all()
    assert len(r.coverage) == 1 and r.coverage.iloc[0]["treated"] == 1_000_000


def test_readme_summarize_example_gives_the_texts_total():
    """README: 清流县's pest treatment is 48,073 (its two parts not added again) + 44,738 + 2,079 亩."""
    r = fa.read_report(Path(__file__).parent.parent / "data" / "samples" / "f07.txt")
    s = fa.summarize(r.metrics)
    row = s[(s["indicator"] == "pest_treated_area") & (s["kind"] == "actual")]
    assert row["value"].tolist() == [48073 + 44738 + 2079] and row["unit"].tolist() == ["亩"]
    assert r.metrics.loc[r.metrics["indicator_id"] == "pest_treated_area", "value"].sum() == 142513


def test_summarize_never_adds_two_classifiers_or_two_lengths():
    """车次 and 场次 are both counts, 公里 and 米 both lengths: neither pair is one unit."""
    m = _report("一、防火宣传\n开展防火宣传564车次。\n二、防火演练\n开展防火宣传169场次。\n"
                "三、道路\n新修防火道路5公里。\n四、其他\n新修防火道路300米。").metrics
    assert m["indicator"].nunique() == 2           # the same two things measured, in two units each
    s = fa.summarize(m, by=())
    got = {(u, v) for u, v in zip(s["unit"], s["value"])}
    assert {("车次", 564), ("场次", 169), ("公里", 5), ("米", 300)} <= got
    assert len(s) == 4


def test_site_preparation_and_afforestation_are_summed_apart():
    """造林整地 prepares the land that 造林 then plants: two indicators, never one sum."""
    s = fa.summarize(_report("全省已完成造林整地面积272.84万亩,已完成造林面积216.38万亩。").metrics, by=())
    got = dict(zip(s["indicator"], s["value"]))
    assert got == {"site_preparation_area": 2728400, "afforestation_area": 2163800}


def test_an_average_is_never_summed_with_its_total():
    """人均植树15株 is an average of 全民义务植树1023万株 (tests/gold/a08.txt): its own row, not 15 more trees."""
    s = fa.summarize(_report("全民义务植树1023万株,人均植树15株,尽责率达95%。").metrics, by=())
    assert dict(zip(s["indicator"], s["value"])) == {"voluntary_tree_planting": 10230000, "人均植树": 15}


AVERAGES = {"人均": "全民义务植树1023万株,人均植树15株。", "户均": "发放苗木12万株,户均发放苗木40株。",
            "亩均": "完成森林抚育2万亩,投入资金600万元,亩均投入资金300元。",
            "年均": "五年来累计完成造林15万亩,年均完成造林3万亩。",
            "日均": "防火期累计出动巡护人员9000人次,日均出动巡护人员100人次。",
            "平均": "完成人工造林8000亩,平均造林成活率92%,平均每户造林20亩。"}


def test_every_average_head_has_a_case():
    assert sorted(AVERAGES) == sorted(fa.lexicon.toml("phrases.toml")["indicator"]["average_heads"])


@pytest.mark.parametrize("head", list(AVERAGES))
def test_an_average_joins_no_catalogue_indicator(head):
    m = _report(AVERAGES[head]).metrics
    average = m[m["indicator"].astype(str).str.startswith(head)]
    assert len(average) >= 1 and average["indicator_id"].isna().all(), m[["raw", "indicator", "indicator_id"]]
