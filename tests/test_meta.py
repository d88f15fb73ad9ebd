"""Report metadata and body bounds on real scraped reports."""
from pathlib import Path

import pytest
import forestry_analysis as fa

from forestry_analysis.pipeline.meta import extract_meta, is_plan_heading, is_problem_heading
from forestry_analysis.doc.normalize import Normalized

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def load(name: str) -> tuple[Normalized, dict]:
    norm = Normalized((SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    return norm, extract_meta(norm)


def test_seed_title_and_signature_outrank_the_scraped_page_header():
    _, meta = load("seed_banan_2020h1")
    assert meta["title"] == "重庆市巴南区林业局2020年上半年工作总结及下半年工作计划"
    assert meta["org"] == "重庆市巴南区林业局"
    assert meta["region"] == "重庆市巴南区"
    assert meta["year"] == 2020
    assert meta["period"] == "H1"
    assert meta["date"] == "2020-06-30"
    assert meta["report_kind"] == "both"


def test_seed_year_conflict_gives_exactly_one_warning_naming_both_years():
    _, meta = load("seed_banan_2020h1")
    assert len(meta["warnings"]) == 1
    assert "2024" in meta["warnings"][0] and "2020" in meta["warnings"][0]


def test_seed_page_header_and_site_blurb_are_before_the_body():
    norm, meta = load("seed_banan_2020h1")
    head = norm.text[:meta["body_start"]]
    assert head.startswith("重庆市巴南区林业局2024年上半年工作总结及下半年工作计划")
    assert "以下是网友为您整理分享的" in head and head.rstrip().endswith("工作计划")
    assert norm.text[meta["body_start"]:].startswith("上半年,全区林业工作")
    s, e = meta["title_span"]
    assert norm.text[s:e] == meta["title"] and s > 0


def test_seed_signature_is_after_the_body():
    norm, meta = load("seed_banan_2020h1")
    s, e = meta["signature_span"]
    assert norm.text[s:e] == "重庆市巴南区林业局\n2020年6月30日"
    assert meta["body_end"] == s
    assert norm.text[:meta["body_end"]].rstrip().endswith("作风上过硬。")


@pytest.mark.parametrize("name, token", [("a03", "201x年"), ("a05", "20xx年"), ("a07", "20**年"), ("a09", "20xx年")])
def test_placeholder_year_leaves_year_unknown_with_a_warning(name, token):
    _, meta = load(name)
    assert meta["year"] is None
    assert any(token in w for w in meta["warnings"])


def test_traditional_report_is_read_through_the_simplified_copy():
    _, meta = load("a09")
    assert meta["title"] == "镇林业站上年工作总结及下年工作计划"
    assert meta["report_kind"] == "both"
    assert meta["period"] == "H1"


@pytest.mark.parametrize("name, period", [("a01", "Q3"), ("a03", "H1"), ("a05", "annual"), ("a11", "H1"),
                                          ("f07", "annual"), ("f11", "annual"), ("f01", None)])
def test_period_comes_from_the_title_or_the_opening(name, period):
    assert load(name)[1]["period"] == period


def test_opening_year_is_used_when_the_title_has_none():
    _, meta = load("a11")
    assert meta["year"] == 2020 and meta["report_kind"] == "both"
    assert meta["title"] == "林业站上半年工作总结及下半年计划"


def test_plan_titles_make_plan_reports():
    _, f11 = load("f11")
    assert (f11["title"], f11["year"], f11["report_kind"]) == ("2026年森林病虫害防治员年度工作计划", 2026, "plan")
    _, f07 = load("f07")
    assert f07["report_kind"] == "plan" and f07["year"] == 2023


def test_plan_dated_the_year_before_is_no_conflict():
    _, meta = load("f07")
    assert meta["date"] == "2022-09-19" and meta["warnings"] == []
    assert (meta["org"], meta["region"]) == ("清流县人民政府办公室", "清流县")


def test_file_name_header_lines_are_preamble_and_page_furniture_is_trailer():
    norm, meta = load("f11")
    assert ".docx" in norm.text[:meta["body_start"]]
    assert norm.text[meta["body_end"]:].lstrip().startswith("文档评论")


def test_inline_page_number_and_site_name_are_trailer():
    norm, meta = load("a07")
    assert norm.text[:meta["body_end"]].endswith("44.65%。")
    assert "腾讯文库" in norm.text[meta["body_end"]:]


def test_scraped_teaser_and_blurb_are_preamble():
    norm, meta = load("f05")
    assert norm.text[meta["body_start"]:].startswith("森林防火开展工作简报1")
    assert "仅供欣" in norm.text[:meta["body_start"]]


@pytest.mark.parametrize("name, word", [("a03", "下载更新"), ("f03", "分享到")])
def test_site_links_after_the_report_are_trailer(name, word):
    norm, meta = load(name)
    assert norm.text[meta["body_end"]:].strip() == word


def test_page_header_lines_are_preamble_and_untitled_reports_have_no_title():
    norm, meta = load("f03")
    assert "责任编辑" in norm.text[:meta["body_start"]]
    assert meta["title"] is None and meta["title_span"] is None
    assert meta["year"] == 2020


def test_report_without_year_says_so():
    _, meta = load("a01")
    assert meta["year"] is None and meta["warnings"]
    assert meta["org"] == "市林业局" and meta["region"] is None


def test_full_width_digits_and_dates_are_read():
    text = "某某县林业局２０２１年第一季度工作总结\n一、工作开展情况\n完成造林１．５万亩。\n某某县林业局\n２０２１年３月３１日\n"
    meta = extract_meta(Normalized(text))
    assert (meta["year"], meta["period"], meta["date"]) == (2021, "Q1", "2021-03-31")
    assert meta["org"] == "某某县林业局" and meta["report_kind"] == "summary"


def test_chinese_numeral_signature_date_and_month_period():
    text = "某县林业局6月份工作总结\n本月完成造林100亩。\n某县林业局\n二〇二〇年六月三十日"
    meta = extract_meta(Normalized(text))
    assert (meta["date"], meta["period"], meta["year"]) == ("2020-06-30", "M06", 2020)


def test_title_from_file_name_when_text_has_none():
    meta = extract_meta(Normalized("本年完成造林100亩。"), path="/x/某县林业局2019年工作总结.txt")
    assert meta["title"] == "某县林业局2019年工作总结" and meta["year"] == 2019 and meta["title_span"] is None


def test_plan_and_problem_headings():
    assert is_plan_heading("下一步工作计划") and is_plan_heading("下半年打算")
    assert not is_plan_heading("上半年工作开展情况")
    assert not is_plan_heading("截止10月28日,完成造林11.4万亩,占年计划12万亩的95%")
    assert is_problem_heading("存在的问题和困难") and is_problem_heading("工作中的不足", 1)
    assert not is_problem_heading("克服困难,抓好造林", 2)


@pytest.mark.parametrize("title, period", [
    ("某县林业局2020年工作总结", "annual"), ("某县林业局2022年工作要点", "annual"),
    ("某县林业局半年工作总结", "H1"), ("某县林业局2021年上半年工作总结", "H1"),
    ("某县林业局2021年下半年工作计划", "H2"), ("某县林业局2021年第一季度工作总结", "Q1"),
])
def test_period_from_the_title(title, period):
    assert extract_meta(Normalized(f"{title}\n一、工作情况\n完成造林100亩。\n"))["period"] == period


@pytest.mark.parametrize("title, org, year", [
    ("2020年上半年巴南区林业局工作总结", "巴南区林业局", 2020),
    ("2021年第一季度某某县林业局工作总结", "某某县林业局", 2021),
    ("二〇二一年某某县林业局工作总结", "某某县林业局", 2021),
    ("某某县林业局二0〇七年工作总结", "某某县林业局", 2007),
])
def test_a_date_before_the_organisation_is_not_part_of_it(title, org, year):
    meta = extract_meta(Normalized(f"{title}\n一、工作情况\n完成造林100亩。\n"))
    assert (meta["org"], meta["year"]) == (org, year)


def test_a_template_site_blurb_is_not_the_title_or_the_organisation():
    text = "本站小编为你精心准备了城镇林业局工作总结参考范文,希望对你有所帮助。\n城镇林业局2021年工作总结\n一、工作情况\n完成造林100亩。\n"
    meta = extract_meta(Normalized(text))
    assert (meta["title"], meta["org"]) == ("城镇林业局2021年工作总结", "城镇林业局")


@pytest.mark.parametrize("title", ["某县林业局2022年工作目标任务", "某县林业局2022年有害生物防治目标", "某县林业局2022年工作安排"])
def test_less_common_plan_titles_make_a_plan_report(title):
    meta = extract_meta(Normalized(f"{title}\n一、造林目标\n完成植树造林0.7万亩。\n"))
    assert (meta["title"], meta["report_kind"], meta["year"]) == (title, "plan", 2022)


def test_a_title_opening_with_a_place_and_its_year_gives_the_region():
    m = fa.read_report(text="湘西州2020年度林业工作总结\n\n全州完成人工造林7123公顷。\n").meta
    assert m["region"] == "湘西州" and m["org"] is None and m["year"] == 2020


def test_a_scraped_pages_source_line_names_the_bureau_when_the_title_does_not():
    text = ("2021年林业局部门整体支出绩效自评表\n2022-04-07 15:25 来源: 零陵区林业局 发布机构: 零陵区林业局\n\n"
            "全年完成造林1.2万亩。\n")
    m = fa.read_report(text=text).meta
    assert (m["org"], m["region"]) == ("零陵区林业局", "零陵区")
    other = fa.read_report(text=text.replace("来源: 零陵区林业局 发布机构: 零陵区林业局", "")).meta
    assert other["region"] is None


@pytest.mark.parametrize("cue", ["来源", "发布机构", "发布单位", "信息来源"])
def test_each_source_cue_names_the_publishing_bureau(cue):
    text = f"2021年林业局工作总结\n2022-01-07 {cue}：零陵区林业局\n\n全年完成造林1.2万亩。\n"
    assert fa.read_report(text=text).meta["region"] == "零陵区"


@pytest.mark.parametrize("lead", fa.lexicon.toml("meta.toml")["title"]["done_verb_leads"])
def test_a_purpose_before_the_done_verb_keeps_a_title_a_plan(lead):
    """完成…目标任务 reports a target done, but 为完成/确保完成/力争完成… still plans it."""
    body = "\n一、完成人工造林2万亩。\n"
    assert fa.read_report(text="某县完成2022年造林目标任务" + body).meta["report_kind"] == "summary"
    assert fa.read_report(text=f"某县{lead}完成2022年造林目标任务" + body).meta["report_kind"] == "plan"
