"""Report.completion: each actual paired with its plan, in simplified and traditional text.

Each pattern is a short report (title, 上半年 section, the sentence, maybe a 下半年 plan) read
in both scripts; every row's offsets must point at the mentions in ``Report.text``.
"""
import re
from pathlib import Path

import opencc
import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.doc import schema
from forestry_analysis.pipeline.completion import pair_in_report

SEED = Path("data/samples/seed_banan_2020h1.txt")
S2T = opencc.OpenCC("s2t").convert
SCRIPTS = pytest.mark.parametrize("script", ["simplified", "traditional"])
TITLE = "某某县林业局2021年上半年工作总结"


def read(body, plan=None, script="simplified", title=TITLE):
    text = f"{title}\n一、上半年工作开展情况\n{body}\n"
    if plan:
        text += f"二、下半年工作计划\n{plan}\n"
    return fa.read_report(text=S2T(text) if script == "traditional" else text, report_id="test")


def only_row(report):
    assert len(report.completion) == 1, report.completion
    return report.completion.iloc[0]


def digits(report, row, side):
    """The number written in a row's mention for one side (None when the side has no mention)."""
    start, end = row[f"{side}_start"], row[f"{side}_end"]
    if pd.isna(start):
        return None
    return re.sub(r"[^\d.]", "", report.text[int(start):int(end)])


def assert_offsets(report):
    """Every side with an offset is a metrics mention; a side with a value shows its digits."""
    raw = dict(zip(report.metrics["start"].tolist(), report.metrics["raw"].tolist()))
    for _, row in report.completion.iterrows():
        for side, value in (("actual", row["actual"]), ("plan", row["plan"]), ("rate", row["stated_rate"])):
            if pd.isna(row[f"{side}_start"]):
                continue
            mention = report.text[int(row[f"{side}_start"]):int(row[f"{side}_end"])]
            assert mention == raw[int(row[f"{side}_start"])]
            if pd.notna(value) and not (side == "plan" and "推算" in str(row["note"]) and
                                         pd.isna(row["plan_start"])):
                assert re.search(r"\d", mention), (side, mention)


# ------------------------------------------------------------------ same sentence

@SCRIPTS
def test_actual_plan_and_rate_in_one_sentence(script):
    r = read("今年以来,我县完成营造林11.4万亩,占计划任务12万亩的95%。", script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"], row["unit"]) == (114000, 120000, "亩")
    assert row["rate"] == pytest.approx(0.95) and row["stated_rate"] == pytest.approx(0.95)
    assert row["consistent"] and row["basis"] == "same sentence"
    assert row["indicator_id"] == "afforestation_area"
    assert [digits(r, row, s) for s in ("actual", "plan", "rate")] == ["11.4", "12", "95"]
    assert_offsets(r)


@SCRIPTS
def test_plan_in_parentheses(script):
    r = read("今年以来,全县完成植树造林11050亩,占全年造林任务(2万亩)的55%。", script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (11050, 20000)
    assert row["rate"] == pytest.approx(0.5525) and row["stated_rate"] == pytest.approx(0.55)
    assert row["consistent"] and row["basis"] == "same sentence"
    assert [digits(r, row, s) for s in ("actual", "plan", "rate")] == ["11050", "2", "55"]
    assert_offsets(r)


@SCRIPTS
def test_plan_before_actual(script):
    r = read("上级下达我旗林业生态建设任务16.4万亩,截止6月初,已完成林业生态建设任务9万亩。",
             script=script, title="某某旗林业局2021年上半年工作总结")
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (90000, 164000)
    assert row["rate"] == pytest.approx(9 / 16.4)
    assert pd.isna(row["stated_rate"]) and pd.isna(row["consistent"]) and row["basis"] == "same sentence"
    assert [digits(r, row, s) for s in ("actual", "plan", "rate")] == ["9", "16.4", None]
    assert_offsets(r)


@SCRIPTS
def test_parts_of_a_plan_are_each_completed_against_their_own_plan(script):
    """A plan total with its parts, then the actuals of the parts and a rate of the whole: each
    part against its own plan (never a part's actual against the whole plan: 1.6万 of 7.8万),
    the stated rate against the whole plan."""
    r = read("2021年上级下达涿鹿县造林绿化任务7.8万亩(其中张承地区植树造林项目3.8万亩、封山育林1万亩、营林抚育3万亩),"
             "截至目前,完成张承地区造林项目1.6万亩、封山育林1万亩、营林抚育1.35万亩,完成全年任务的50.6%。", script=script)
    got = [(row["actual"], row["plan"]) for _, row in r.completion.iterrows()]
    assert got[:3] == [(16000, 38000), (10000, 10000), (13500, 30000)]
    whole = r.completion.iloc[3]
    assert pd.isna(whole["actual"]) and whole["plan"] == 78000 and whole["stated_rate"] == pytest.approx(0.506)
    assert len(got) == 4
    assert_offsets(r)


@SCRIPTS
def test_the_base_of_a_coverage_rate_is_no_plan_to_complete(script):
    """应施检疫 is what the 检疫率 is measured against: a coverage (its own table), no completion pair."""
    r = read("应施产地检疫种苗1300万株,实施产地检疫种苗1250万株,种苗产地检疫率96.2%。", script=script)
    assert r.completion.empty
    row = r.coverage.iloc[0]
    assert (row["treated"], row["base"]) == (12500000, 13000000) and row["rate"] == pytest.approx(1250 / 1300)


@SCRIPTS
def test_a_threshold_that_a_list_follows_is_no_completion_rate(script):
    """造林完成率达到80%以上的有抚州…: the cities above a threshold, no one's completion rate."""
    r = read("在各设区市中,造林完成率达到80%以上的有抚州、萍乡、九江和鹰潭市;造林完成率在50%以下的有赣州、南昌及景德镇市。",
             script=script)
    assert r.metrics["raw"].tolist() == ["80%", "50%"] and r.completion.empty


@SCRIPTS
def test_a_forecast_is_no_target_to_complete(script):
    """预测发生面积 is a forecast, and 实际发生面积 what occurred: no completion pair (the ratio of
    the two is the forecast's accuracy, reported as 测报准确率). A planned area still pairs."""
    r = read("预测发生林业有害生物面积为61.15万亩,有害生物实际发生面积为59.11万亩,测报准确率为96.7%。",
             script=script)
    assert r.metrics["kind"].tolist() == ["plan", "actual", "rate"] and r.completion.empty
    r = read("计划防治林业有害生物面积为61.15万亩,实际防治面积为59.11万亩。", script=script)
    assert (only_row(r)["actual"], only_row(r)["plan"]) == (591100, 611500)


@SCRIPTS
def test_plan_before_actual_with_stated_rate(script):
    r = read("省级森林抚育任务共37.5724万亩,目前已完成森林抚育面积16.9615万亩,任务完成率为45.14%。",
             script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (169615, 375724)
    assert row["stated_rate"] == pytest.approx(0.4514) and row["consistent"]
    assert row["basis"] == "same sentence"
    assert_offsets(r)


@SCRIPTS
def test_breakdown_in_parentheses_is_not_the_actual(script):
    r = read("我镇计划任务数为280亩,上半年已经完成178亩(其中新建58亩,续建120亩),占任务数的64%。",
             script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (178, 280)
    assert row["stated_rate"] == pytest.approx(0.64) and row["consistent"]
    assert_offsets(r)


# ------------------------------------------------------------------ rate stated, plan derived

@SCRIPTS
def test_respectively_gives_each_actual_its_own_rate(script):
    r = read("春季以来,完成育苗1105亩,义务植树212万株,分别占年计划的110%和106%。", script=script)
    c = r.completion.set_index("indicator_id")
    assert list(c.index) == ["seedling_area", "voluntary_tree_planting"]
    assert c.loc["seedling_area", "actual"] == 1105 and c.loc["seedling_area", "unit"] == "亩"
    assert c.loc["seedling_area", "rate"] == pytest.approx(1.1)
    assert c.loc["seedling_area", "plan"] == pytest.approx(1105 / 1.1)
    assert c.loc["voluntary_tree_planting", "actual"] == 2120000
    assert c.loc["voluntary_tree_planting", "rate"] == pytest.approx(1.06)
    assert c.loc["voluntary_tree_planting", "plan"] == pytest.approx(2120000 / 1.06)
    assert (c["basis"] == "rate stated").all() and c["note"].str.contains("计划数由完成数和报告完成率推算").all()
    rows = r.completion.to_dict("records")
    assert [(digits(r, x, "actual"), digits(r, x, "rate")) for x in rows] == [("1105", "110"), ("212", "106")]
    assert_offsets(r)


@SCRIPTS
def test_one_actual_against_two_plans_in_one_sentence(script):
    r = read("全县完成植树造林12000亩,为年度任务8000亩的1.5倍,占三年总任务20000亩的60%。", script=script)
    rows = r.completion.to_dict("records")
    assert [(x["actual"], x["plan"]) for x in rows] == [(12000, 8000), (12000, 20000)]
    assert [x["rate"] for x in rows] == [pytest.approx(1.5), pytest.approx(0.6)]
    assert all(x["consistent"] for x in rows) and {x["basis"] for x in rows} == {"same sentence"}
    assert [[digits(r, x, s) for s in ("actual", "plan", "rate")] for x in rows] == [
        ["12000", "8000", "1.5"], ["12000", "20000", "60"]]
    assert_offsets(r)


@SCRIPTS
def test_a_second_rate_with_no_plan_of_its_own_does_not_reuse_the_actual(script):
    r = read("完成造林1000亩,占年度计划2000亩的50%,完成率50%。", script=script)
    rows = r.completion.to_dict("records")
    assert (rows[0]["actual"], rows[0]["plan"]) == (1000, 2000)
    assert len(rows) == 2 and pd.isna(rows[1]["actual"]) and pd.isna(rows[1]["plan"])


@SCRIPTS
@pytest.mark.parametrize("sentence, actual, plan, stated", [
    ("项目总投资1500万元,今年计划投资800万元,已完成投资640万元。", 6400000, 8000000, None),
    ("全县已完成14.8万亩,占应完成任务16.9万亩的87.6%。", 148000, 169000, 0.876),
    ("完成造林5000亩,其中人工造林3000亩,封山育林2000亩,占年度任务的125%。", 5000, 4000, 1.25),
])
def test_the_right_actual_of_a_sentence(script, sentence, actual, plan, stated):
    row = only_row(read(sentence, script=script))
    assert (row["actual"], row["plan"]) == (actual, pytest.approx(plan))
    assert (pd.isna(row["stated_rate"]) if stated is None else row["stated_rate"] == pytest.approx(stated))


@SCRIPTS
def test_rate_of_annual_plan_after_an_actual(script):
    r = read("截至6月底,全县完成造林2.5万亩,完成年度计划的50.3%。", script=script)
    row = only_row(r)
    assert row["actual"] == 25000 and row["plan"] == pytest.approx(25000 / 0.503)
    assert row["rate"] == pytest.approx(0.503) and row["stated_rate"] == pytest.approx(0.503)
    assert row["basis"] == "rate stated" and pd.isna(row["plan_start"])
    assert [digits(r, row, s) for s in ("actual", "plan", "rate")] == ["2.5", None, "50.3"]
    assert_offsets(r)


@SCRIPTS
def test_rate_alone(script):
    r = read("截至6月底,全县造林工作进展顺利,完成年度计划的50.3%。", script=script)
    row = only_row(r)
    assert pd.isna(row["actual"]) and pd.isna(row["plan"]) and pd.isna(row["rate"])
    assert row["stated_rate"] == pytest.approx(0.503) and digits(r, row, "rate") == "50.3"
    assert pd.isna(row["actual_start"]) and pd.isna(row["plan_start"])
    assert "incomplete_pair" in set(r.quality["code"])
    assert_offsets(r)


@pytest.mark.parametrize("sentence, stated", [
    ("完成造林5000亩,完成计划的九成。", 0.9),
    ("完成造林5000亩,占年度任务的百分之九十五。", 0.95),
    ("完成造林5000亩,完成年度任务的950‰。", 0.95),
    ("完成造林5000亩,为年度任务的1.1倍。", 1.1),
])
def test_rates_are_fractions_whatever_the_unit(sentence, stated):
    for script in ("simplified", "traditional"):
        row = only_row(read("今年以来,全县" + sentence, script=script))
        assert row["stated_rate"] == pytest.approx(stated) and row["rate"] == pytest.approx(stated)
        assert row["plan"] == pytest.approx(5000 / stated)


# ------------------------------------------------------------------ plan stated elsewhere

@pytest.fixture(scope="module", params=["simplified", "traditional"])
def seed(request):
    text = SEED.read_text(encoding="utf-8")
    return fa.read_report(text=S2T(text) if request.param == "traditional" else text, report_id="seed")


def test_seed_villages_derived_plan_checked_against_next_steps(seed):
    row = seed.completion.set_index("indicator_id").loc["demonstration_villages"]
    assert (row["actual"], row["plan"], row["unit"]) == (7, 10, "个")
    assert row["rate"] == pytest.approx(0.7) and row["stated_rate"] == pytest.approx(0.7)
    assert row["consistent"] and row["basis"] == "rate stated"
    assert row["note"].startswith("推算计划数10与报告另处载明计划数10（第") and row["note"].endswith("一致")
    # the plan is the 10个 of the 下一步 section, not a number next to the actual
    assert row["plan_start"] > seed.text.index("下一步工作")
    assert seed.text[row["plan_start"]:row["plan_end"]] in ("10个", "10個")
    assert digits(seed, row, "actual") == "7" and digits(seed, row, "rate") == "70"
    assert_offsets(seed)


@SCRIPTS
def test_a_plan_elsewhere_that_disagrees_is_named_not_used(script):
    # 下半年 targets are not the annual plan the 70% was stated against
    r = read("上半年完成绿色示范村建设7个,占年度计划任务的70%。", "下半年计划完成绿色示范村建设2个。", script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (7, 10) and row["rate"] == pytest.approx(0.7)
    assert pd.isna(row["consistent"]) and pd.isna(row["plan_start"])
    assert "推算计划数10与报告另处载明计划数2（第" in row["note"] and "不一致，请核对各自所属期间" in row["note"]
    assert_offsets(r)


@SCRIPTS
def test_a_lost_rate_stays_lost_whatever_plan_is_stated_elsewhere(script):
    r = read("截至目前,全县完成营造林5万亩,占计划任务的%。", "确保全年完成营造林任务10万亩。", script=script)
    row = only_row(r)
    assert row["actual"] == 50000 and pd.isna(row["plan"]) and pd.isna(row["rate"])
    assert pd.isna(row["stated_rate"]) and row["basis"] == "rate stated"
    assert row["note"].startswith("完成率缺失；报告另处载明计划数100,000（第") and "未采用" in row["note"]
    assert_offsets(r)


@SCRIPTS
def test_a_sub_project_plan_never_completes_a_hidden_rate(script):
    r = read("全县完成造林4000亩,占年度任务的XX%。\n二、重点工程\n1.退耕还林工程。计划造林1000亩。", script=script)
    row = r.completion.iloc[0]
    assert row["actual"] == 4000 and pd.isna(row["plan"]) and pd.isna(row["rate"]) and pd.isna(row["stated_rate"])


# ------------------------------------------------------------------ lost sides, mismatches

def test_seed_afforestation_lost_actual_is_never_borrowed(seed):
    rows = seed.completion[seed.completion["indicator_id"] == "afforestation_area"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["plan"] == 190000 and digits(seed, row, "plan") == "19"
    # 16万亩, 34万余亩 … are nearby, but the actual (and the stated %) were lost: no rate.
    assert pd.isna(row["actual"]) and pd.isna(row["rate"]) and pd.isna(row["stated_rate"])
    assert seed.text[row["actual_start"]:row["actual_end"]] in ("万亩", "萬畝")
    findings = seed.quality[seed.quality["start"] == row["actual_start"]]
    assert {"incomplete_pair", "lost_number"} & set(findings["code"])
    assert set(seed.completion.dropna(subset=["rate"])["indicator_id"]) == {"demonstration_villages"}


@SCRIPTS
def test_stated_rate_disagreeing_with_its_numbers(script):
    r = read("今年以来,全县完成造林6000亩,占全年任务1万亩的80%。", script=script)
    row = only_row(r)
    assert (row["actual"], row["plan"]) == (6000, 10000) and row["rate"] == pytest.approx(0.6)
    assert row["stated_rate"] == pytest.approx(0.8) and row["consistent"] == False  # noqa: E712
    assert_offsets(r)


@SCRIPTS
def test_stated_rate_disagreeing_is_a_quality_finding(script):
    r = read("今年以来,全县完成造林6000亩,占全年任务1万亩的80%。", script=script)
    row = only_row(r)
    finding = r.quality[r.quality["code"] == "rate_mismatch"]
    assert len(finding) == 1 and finding.iloc[0]["start"] == row["rate_start"]


# ------------------------------------------------------------------ robustness

def test_report_without_metrics_has_an_empty_completion_table():
    r = read("认真开展各项工作,切实加强森林资源保护。")
    assert r.metrics.empty
    assert r.completion.empty and list(r.completion.columns) == schema.columns("completion")
    assert pair_in_report("无", schema.frame("metrics"), "x") == []
    assert pair_in_report("无", [], "x") == pair_in_report("无", None, "x") == []


@pytest.mark.parametrize("sentence", ["完成防治面积3.2万亩,防治率达92%,超过下达目标任务85%的要求。",
                                      "成灾率控制在省下达目标任务4‰以内。"])
def test_a_target_rate_is_not_a_completion_rate(sentence):
    assert read(sentence).completion.empty


def test_unrelated_rates_make_no_rows():
    r = read("办理行政审批346件,办结率100%。林业系统覆盖率达到100%。")
    assert r.completion.empty


def test_completion_columns_and_dtypes_follow_the_schema(seed):
    assert seed.completion.dtypes.equals(schema.frame("completion").dtypes)
    rates = pd.concat([seed.completion["rate"], seed.completion["stated_rate"]]).dropna()
    assert ((rates > 0) & (rates < 3)).all()    # fractions, not percentages


def test_full_width_comma_ends_the_clause_when_a_pinyin_gloss_unaligns_the_text():
    """A gloss "(jú)" in the title makes the parsing copy shorter, so pairing reads the text
    with its full-width "，": the rate's clause still starts after it, and 超过 before the
    comma does not make 120% a target."""
    r = fa.read_report(text="某某县林业局(jú)2021年上半年工作总结\n一、上半年工作开展情况\n"
                            "全县补植超过12亩，占计划任务的120%。\n", report_id="test")
    assert not r.norm.aligned
    row = only_row(r)
    assert (row["actual"], row["stated_rate"]) == (12, pytest.approx(1.2))
    assert r.text[int(row["actual_start"]):int(row["actual_end"])] == "超过12亩"


def test_plan_and_actual_pair_across_a_semicolon_in_one_full_sentence():
    """Pairs are read per full sentence (to 。!? or a line end), not per row of Report.sentences,
    which also ends at ；."""
    r = read("省下达我县造林任务5万亩;截至6月底,已完成4.2万亩,完成率84%。")
    row = only_row(r)
    assert row["basis"] == "same sentence"
    assert (digits(r, row, "plan"), digits(r, row, "actual")) == ("5", "4.2")
    assert r.metrics.set_index("raw").loc[["5万亩", "4.2万亩"], "sentence_id"].nunique() == 2


def test_each_rate_of_a_respectively_list_pairs_with_the_actual_relations_names():
    r = read("完成育苗1105亩,义务植树212万株,分别占年计划的110%和106%。")
    m = r.metrics.set_index("raw")
    assert m.loc["110%", "rate_of"] == m.loc["1105亩", "metric_id"]
    assert m.loc["106%", "rate_of"] == m.loc["212万株", "metric_id"]
    pairs = {(digits(r, row, "actual"), digits(r, row, "rate")) for _, row in r.completion.iterrows()}
    assert pairs == {("1105", "110"), ("212", "106")}

