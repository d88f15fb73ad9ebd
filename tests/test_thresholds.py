"""A near miss on each side of every threshold the package applies: a loosened or tightened
check fails here. Expected flags follow from the numbers in each sentence."""
import pandas as pd
import pytest

import forestry_analysis as fa

PAIR = "全县完成人工造林{actual}亩，{verb}年度计划{plan}亩的{rate}。"


def _pair(actual, plan, rate, verb="占"):
    r = fa.read_report(text=PAIR.format(actual=actual, plan=plan, rate=rate, verb=verb))
    rows = r.completion.to_dict("records")
    assert len(rows) == 1, rows
    return rows[0], set(r.quality["code"])


@pytest.mark.parametrize("actual,plan,rate,consistent", [
    (5000, 10000, "54%", False),     # 4 points off: a wrong rate
    (5000, 10000, "51%", False),     # a whole-percent rate is good to half a percent
    (5000, 10000, "50.6%", False),   # past half a percent
    (5000, 10000, "50.4%", True),    # within half a percent
    (5000, 10000, "50%", True),
    (4600, 5000, "九成", True),       # 92% written as 九成: good to the nearest tenth
    (4800, 5000, "九成", False),      # 96% is not 九成
])
def test_stated_rate_is_checked_against_the_numbers(actual, plan, rate, consistent):
    row, codes = _pair(actual, plan, rate, verb="占" if "%" in rate else "为")
    assert row["rate"] == pytest.approx(actual / plan)
    assert bool(row["consistent"]) is consistent
    assert ("rate_mismatch" in codes) is not consistent


@pytest.mark.parametrize("actual,flagged", [(30100, True), (29900, False)])
def test_a_completion_rate_above_300_percent_is_flagged(actual, flagged):
    rate = f"{actual / 100:g}%"
    _, codes = _pair(actual, 10000, rate)
    assert ("implausible_rate" in codes) is flagged


@pytest.mark.parametrize("actual,rate,consistent", [
    (5720, "1.1倍", True),     # 1.144: a rate in tenths of 倍 is good to 0.05
    (5770, "1.1倍", False),    # 1.154
    (4730, "九成", True),      # 94.6%: 九成 is good to half a 成
    (4770, "九成", False),     # 95.4%
])
def test_rate_in_bei_and_cheng_is_checked_to_half_its_last_digit(actual, rate, consistent):
    row, codes = _pair(actual, 5000, rate, verb="为")
    assert bool(row["consistent"]) is consistent
    assert ("rate_mismatch" in codes) is not consistent


@pytest.mark.parametrize("signed,warned", [(2021, False), (2019, False), (2022, True), (2018, True)])
def test_a_signature_a_year_away_from_the_title_is_no_conflict(signed, warned):
    r = fa.read_report(text=f"某县林业局2020年工作总结\n\n今年完成人工造林2000亩。\n\n某县林业局\n{signed}年1月10日\n")
    assert r.meta["year"] == 2020
    assert (f"落款写{signed}年，标题写2020年，按2020年" in r.meta["warnings"]) is warned


@pytest.mark.parametrize("second,is_part", [(4010, True), (4011, False)])
def test_parts_may_exceed_their_total_by_a_thousandth(second, is_part):
    """10000亩 其中 6000亩 and 4010亩: the parts add up to 1.001 times the total, still parts."""
    m = fa.read_report(text=f"完成造林10000亩,其中人工造林6000亩,封山育林{second}亩。").metrics
    parts = dict(zip(m["raw"], m["part_of"]))
    assert parts["6000亩"] == 1
    assert (parts[f"{second}亩"] == 1 if is_part else pd.isna(parts[f"{second}亩"]))


@pytest.mark.parametrize("between,completion", [("所定全县人工造林面积总数目", True), ("所定全县的人工造林面积总数目", False)])
def test_completion_cue_counts_up_to_16_characters_before_the_rate(between, completion):
    """计划 then 14 characters then the rate: still a completion rate; one character more: a level."""
    r = fa.read_report(text=f"完成造林5000亩,为年度计划{between}的90%。")
    rate = r.metrics[r.metrics["unit"] == "%"].iloc[0]
    assert (rate["rate_type"] == "completion") is completion
    assert len(r.completion) == (1 if completion else 0)


@pytest.mark.parametrize("name,strength", [("阿维吡虫啉噻虫嗪", True), ("阿维菌吡虫啉噻虫嗪", False)])
def test_a_formulation_up_to_eight_characters_after_a_percentage_makes_it_a_strength(name, strength):
    r = fa.read_report(text=f"使用20%{name}可湿性粉剂防治。")
    assert (dict(zip(r.numbers["raw"], r.numbers["reason"]))["20"] == "concentration") is strength
    assert r.metrics["raw"].tolist() == ([] if strength else ["20%"])


@pytest.mark.parametrize("quoted,slogan", [("面清理10处隐患工作", True), ("全面清理10处隐患工作", False)])
def test_a_quoted_phrase_of_up_to_ten_characters_is_a_slogan(quoted, slogan):
    r = fa.read_report(text=f'开展"{quoted}"活动。')
    assert (dict(zip(r.numbers["raw"], r.numbers["reason"]))["10"] == "slogan") is slogan
    assert r.metrics["raw"].tolist() == ([] if slogan else ["10处"])


@pytest.mark.parametrize("course,lost", [("林业系统基层乡镇护林员骨干队伍学习班", True),
                                         ("市林业系统基层乡镇护林员骨干队伍学习班", False)])
def test_a_counting_verb_up_to_20_characters_back_makes_a_classifier_a_lost_number(course, lost):
    """举办…期: with the verb 20 characters before 期 the number is lost; 21 is too far to tell."""
    m = fa.read_report(text=f"今年举办{course}期。").metrics
    assert m[["raw", "missing"]].values.tolist() == ([["期", True]] if lost else [])


TITLE_60 = "某县林业局关于全面推进林长制改革加强全县森林防火和林业有害生物防控以及国土绿化与森林资源保护管理工作的2020年工作总结"


@pytest.mark.parametrize("title,is_title", [(TITLE_60, True), (TITLE_60.replace("全县", "全县的"), False)])
def test_a_title_line_is_at_most_60_characters(title, is_title):
    assert len(TITLE_60) == 60
    r = fa.read_report(text=title + "\n\n今年以来,我局完成人工造林2000亩。\n")
    assert (r.meta["title"] == title) is is_title


def _followup(done_text):
    from forestry_analysis.corpus import followups
    from forestry_analysis.doc import schema
    meta = schema.frame("meta", [
        dict(report_id="plan", org="某县林业局", region="某县", year=2021, period="annual", report_kind="plan"),
        dict(report_id="done", org="某县林业局", region="某县", year=2021, period="annual", report_kind="summary")])
    tasks = schema.frame("tasks", [
        dict(report_id="plan", task_id=0, text="加强森林防火宣传", status="planned", category="fire_prevention"),
        dict(report_id="done", task_id=0, text=done_text, status="done", category="fire_prevention"),
        dict(report_id="done", task_id=1, text="完成人工造林任务", status="done", category="afforestation")])
    return followups.followups(meta, tasks, schema.frame("metrics")).iloc[0]


@pytest.mark.parametrize("done_text,similarity,outcome", [
    ("开展宣传巡查检查", 0.233, "reported"),          # shares 宣传 with three words: just above 0.2
    ("开展宣传巡查检查督导", 0.197, "not_reported"),  # one word more dilutes it below
])
def test_a_planned_item_is_followed_up_from_a_similarity_of_0_2(done_text, similarity, outcome):
    row = _followup(done_text)
    assert row["similarity"] == pytest.approx(similarity, abs=1e-3)
    assert row["outcome"] == outcome


_ALIGNED = ("二、森林防火\n表2 森林防火工作情况\n项目        计划(次)    完成(次)    完成率(%)\n"
            "{label}      20          24          120\n巡山检查      300         285         95\n")
_LABEL = "在全县各乡镇林区主要路口村组和重点林区开展森林防火宣传进村入户活动及集中宣传活动"


@pytest.mark.parametrize("label,table", [(_LABEL, True), (_LABEL.replace("宣传活动", "宣传月活动"), False)])
def test_an_aligned_cell_of_up_to_40_characters_keeps_the_table(label, table):
    """A piece longer than 40 characters between wide spaces is prose: the block is no table."""
    assert len(_LABEL) == 40
    r = fa.read_report(text=_ALIGNED.format(label=label))
    assert len(r.tables) == (1 if table else 0)
    kinds = dict(zip(r.metrics["raw"], r.metrics["kind"]))
    assert (kinds.get("20"), kinds.get("24"), kinds.get("300")) == (("plan", "actual", "plan") if table else (None,) * 3)


_PLAN_SECTION = ("某县林业局2021年上半年工作总结\n一、上半年工作情况\n(一)造林绿化\n完成造林1.2万亩。\n"
                 "二、{heading}\n(一)抓好秋冬季造林。\n(二)加强森林防火。\n")


@pytest.mark.parametrize("heading,planned", [("下半年全县森林防火和国土绿化重点工作计划", True),
                                             ("下半年全县森林防火和国土绿化等重点工作计划", False)])
def test_a_plan_heading_is_at_most_20_characters(heading, planned):
    """A longer heading reads as a sentence and no longer makes its items planned."""
    tasks = fa.read_report(text=_PLAN_SECTION.format(heading=heading)).tasks
    want = "planned" if planned else "done"
    assert tasks["status"].tolist() == ["done", want, want]


_RUN_IN = ("某县林业局2021年上半年工作总结\n一、上半年工作情况\n完成造林1.2万亩。\n"
           "二、{heading}一是抓好秋冬季造林。二是加强森林防火。\n")


@pytest.mark.parametrize("heading,items", [("下半年森林防火和国土绿化工作计划", True),
                                           ("下半年森林防火和国土绿化等工作计划", False)])
def test_a_heading_of_up_to_16_characters_may_run_into_its_first_item(heading, items):
    """二、…工作计划一是…: with 16 characters before 一是 it opens an item; 17 reads as prose."""
    tasks = fa.read_report(text=_RUN_IN.format(heading=heading)).tasks
    assert tasks["text"].tolist()[1:] == (["抓好秋冬季造林。", "加强森林防火。"] if items else ["加强森林防火。"])
    assert tasks["status"].tolist()[1:] == (["planned", "planned"] if items else ["done"])


_RUN_ON = ("某县林业局2021年上半年工作总结\n一、上半年工作情况\n(一)造林绿化\n完成造林1.2万亩。\n"
           "二、{name}我局将继续巩固提升森林防火和造林绿化成效\n(一)抓好秋冬季造林。\n(二)加强森林防火。\n")


@pytest.mark.parametrize("name,planned", [("全县林业系统工作打算", True), ("全县林业系统的工作打算", False)])
def test_a_run_on_heading_is_named_by_its_first_10_characters(name, planned):
    """A heading run into its body is judged by its first ten characters: 打算 ending at the
    tenth makes the items planned, at the eleventh it is cut off."""
    tasks = fa.read_report(text=_RUN_ON.format(name=name)).tasks
    want = "planned" if planned else "done"
    assert tasks["status"].tolist() == ["done", want, want]


@pytest.mark.parametrize("tree,category", [("油茶", "afforestation"), ("桉树", "fire_prevention")])
def test_an_item_decides_its_category_alone_from_two_characters_of_keywords(tree, category):
    """油茶 (two characters of votes) decides alone against a heading with more fire votes;
    桉 (one) leaves the heading to decide."""
    text = f"某县林业局2020年工作总结\n一、森林防火和火灾火情处置\n1.完成{tree}纯林改造200亩。\n2.开展巡山护林。\n"
    tasks = fa.read_report(text=text).tasks
    assert tasks["category"].tolist() == [category, "fire_prevention"]


_BODY = "今年以来,我县坚持生态优先、绿色发展,全面推进国土绿化,完成人工造林2000亩,森林抚育5000亩。\n全县未发生重大森林火灾。\n"


@pytest.mark.parametrize("line,headline", [("G210国道和S2省道沿线绿化工程启动会", True),
                                           ("G210国道和S2省道沿线绿化工程启动", False)])
def test_a_headline_is_at_least_70_percent_han_characters(line, headline):
    """14 Han characters of 20 make a headline the title; 13 of 19 do not."""
    r = fa.read_report(text=line + "\n" + _BODY)
    assert r.meta["title"] == (line if headline else None)


_FILL = "全县上下坚持生态优先、绿色发展,扎实推进国土绿化和森林资源保护管理各项工作。" * 12


@pytest.mark.parametrize("before,found", [(397, True), (398, False)])
def test_a_region_is_looked_for_in_the_first_400_characters_of_the_body(before, found):
    """眉山市 ending at the 400th character of the body is the region; one character later it is cut."""
    r = fa.read_report(text="林业工作总结\n\n" + _FILL[:before] + "眉山市林区防火形势总体平稳。\n")
    assert r.meta["body_start"] == 8
    assert r.meta["region"] == ("眉山市" if found else None)


@pytest.mark.parametrize("before,found", [(293, True), (294, False)])
def test_a_year_is_looked_for_in_the_first_300_characters_of_the_body(before, found):
    """2020年以来 ending at the 300th character of the body gives the year; one later it is cut."""
    r = fa.read_report(text="某县林业局工作总结\n\n" + _FILL[:before] + "2020年以来全县未发生重大森林火灾。\n")
    assert r.meta["year"] == (2020 if found else None)


@pytest.mark.parametrize("gap,follows", [(",和", True), (",，和", False)])
def test_a_rate_listed_after_a_rate_by_up_to_two_characters_shares_its_type(gap, follows):
    """110%,和106%: the second rate is a completion rate too; a doubled comma (three characters)
    breaks the list and leaves 106% a level."""
    m = fa.read_report(text=f"全年完成育苗1105亩,义务植树212万株,分别占年计划的110%{gap}106%。").metrics
    rates = m[m["unit"] == "%"]
    assert dict(zip(rates["raw"], rates["rate_type"]))["106%"] == ("completion" if follows else "level")


@pytest.mark.parametrize("limit,kept", [(1000, 9), (999, 8)])
def test_an_overfull_cache_is_pruned_to_90_percent_of_its_limit(tmp_path, limit, kept):
    """Eleven entries of 100 bytes: pruned oldest first to 900 bytes under a limit of 1000, one
    more under 999."""
    import os

    from forestry_analysis.corpus import cache
    root = tmp_path / cache.cache_version()
    root.mkdir()
    for i in range(11):
        entry = root / f"entry{i:02d}.arrow"
        entry.write_bytes(b"x" * 100)
        os.utime(entry, (1_000_000 + i, 1_000_000 + i))
    result = cache.prune(tmp_path, limit=limit)
    assert result["removed_files"] == 11 - kept
    assert sorted(p.name for p in root.iterdir()) == [f"entry{i:02d}.arrow" for i in range(11 - kept, 11)]


def _meta(rows):
    from forestry_analysis.doc import schema
    return schema.frame("meta", rows).set_index("report_id", drop=False)


def test_a_scope_of_reports_naming_no_region_counts_them_without_a_dangling_deng():
    """No region known: "3份报告 全年", not "等3份报告 全年"."""
    from forestry_analysis.present import plots
    m = _meta([dict(report_id=f"r{i}", period="annual") for i in range(3)])
    assert plots.scope_label(m, list(m.index)) == "3份报告 全年"


@pytest.mark.parametrize("title,label", [("林业有害生物防治工作总结", "林业有害生物防治工作总结"),
                                         ("林业有害生物防治工作的总结", "林业有害生物防治工作的…")])
def test_a_report_named_by_its_title_is_labelled_with_at_most_12_han_characters(title, label):
    """A chart label from a title keeps 12 Han characters (24 columns); a 13th is cut to an ellipsis."""
    from forestry_analysis.present import plots
    assert plots.report_labels(_meta([dict(report_id="r1", title=title, path="a.docx")]), ["r1"]) == {"r1": label}


@pytest.mark.parametrize("n,scope", [(3, "眉山市、重庆市巴南区、零陵区 2020年度"),
                                     (4, "眉山市、重庆市巴南区、零陵区等4份报告 2020年度")])
def test_a_scope_names_up_to_three_regions_then_counts_the_reports(n, scope):
    from forestry_analysis.present import plots
    regions = ["眉山市", "重庆市巴南区", "零陵区", "岳池县"]
    m = _meta([dict(report_id=f"r{i}", region=regions[i], year=2020, period="annual") for i in range(n)])
    assert plots.scope_label(m, list(m.index)) == scope


@pytest.mark.parametrize("n,listed,more", [(40, 40, []), (41, 40, ["- 另有 1 条，见 briefing.xlsx 的“数据质量”表。"])])
def test_the_markdown_briefing_lists_at_most_40_findings(n, listed, more):
    from forestry_analysis.doc import schema
    from forestry_analysis.present import brief
    quality = schema.frame("quality", [
        dict(report_id="r1", code="rate_mismatch", severity="warning", message=f"第{i + 1}处完成率与完成数、计划数不符",
             start=10 * i, end=10 * i + 4) for i in range(n)])
    m = _meta([dict(report_id="r1", region="眉山市", year=2020, period="annual")])
    lines = brief._quality_lines(quality, schema.frame("metrics"), m, None)
    assert sum(line.startswith("- 【") for line in lines) == listed
    assert [line for line in lines if "另有" in line] == more


@pytest.mark.parametrize("n,last", [(12, ["第12项", "11亩"]), (13, ["另有 1 项，见 briefing.xlsx", None])])
def test_a_word_table_keeps_up_to_12_rows(n, last):
    from forestry_analysis.present import brief
    header, rows = brief._shorten((["指标", "数值"], [[f"第{i + 1}项", f"{i}亩"] for i in range(n)]))
    assert (len(rows), rows[-1]) == (min(n, 13), last)


@pytest.mark.parametrize("sentence,target", [("要求全县成灾率为3‰。", True), ("要求全县的成灾率为3‰。", False)])
def test_a_target_word_within_8_characters_before_a_rate_makes_it_a_target(sentence, target):
    """要求 ends 6 characters before the rate: a target to draw against; 7: an achieved rate."""
    r = fa.read_report(text=f"某县林业局2023年工作总结\n一、林业有害生物防治\n全年完成防治面积900亩，{sentence}\n")
    row = fa.plots.pest_control_data(r.metrics, meta=r.meta_table).set_index("label").loc["成灾率"]
    drawn_as = "target" if target else "value"
    assert row[drawn_as] == 3.0
    assert pd.isna(row["value" if target else "target"])


@pytest.mark.parametrize("value,text", [(1700, "1,700"), (25736.32, "25,736"), (2046.5, "2,046.5"), (320.94, "320.9"),
                                        (0.3213, "0.32"), (12345.5, "12,346"), (272000, "27.2万"), (2e8, "2亿")])
def test_a_briefing_number_has_fewer_decimals_the_larger_it_is(value, text):
    """A sum of 25736 and 0.3213 is 25,736 in a briefing, not 25,736.32; halves round up."""
    import numpy as np
    from forestry_analysis.present import plots
    assert plots.fmt_number(value) == text
    assert plots.fmt_number(np.float64(value)) == text   # as a table cell hands it over
