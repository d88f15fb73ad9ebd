"""Work items from the outline: done vs planned, categories, and what is not a task."""
from pathlib import Path

import opencc
import pytest

from forestry_analysis.pipeline.meta import extract_meta
from forestry_analysis.doc.normalize import Normalized
from forestry_analysis.doc import schema
from forestry_analysis.pipeline.outline import outline_rows
from forestry_analysis.pipeline.tasks import task_rows

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def tasks_of(text: str):
    norm = Normalized(text)
    meta = extract_meta(norm)
    outline = outline_rows(norm, "r", meta["body_start"], meta["body_end"])
    return schema.frame("tasks", task_rows(norm, "r", outline, meta))


def sample(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed():
    return tasks_of(sample("seed_banan_2020h1"))


def test_seed_has_17_done_and_9_planned_tasks(seed):
    assert seed["status"].value_counts().to_dict() == {"done": 17, "planned": 9}


def test_subsection_with_items_counts_only_its_items(seed):
    done = seed[seed["status"] == "done"]
    assert done.groupby("subsection", sort=False).size().tolist() == [3, 4, 3, 4, 2, 1]
    whole = done[done["item"].isna()].iloc[0]
    assert whole["subsection"].startswith('"实"字把关') and whole["text"].startswith('"实"字把关,从严从实抓好党风廉政建设\n坚持常抓不懈')


def test_problem_section_holds_no_tasks(seed):
    assert not seed["text"].str.contains("城镇化建设推进迅猛").any()
    assert "存在的问题和困难" not in set(seed["section"].dropna())


def test_plan_section_items_are_planned(seed):
    planned = seed[seed["status"] == "planned"]
    assert set(planned["section"]) == {"下一步工作计划"}
    assert planned["item"].tolist() == [f"{c}是" for c in "一二三四五六七八九"]


def test_seed_categories_follow_item_text(seed):
    protect = seed[seed["subsection"].str.startswith('"防"字', na=False)].set_index("item")
    fire, pest = protect.loc[["二是"]], protect.loc[["三是"]]
    assert fire["category"].item() == "fire_prevention"
    assert pest["category"].item() == "pest_control"
    planned = seed[seed["status"] == "planned"].set_index("item")["category"]
    assert planned["二是"] == "afforestation" and planned["四是"] == "fire_prevention"
    assert planned["五是"] == "pest_control" and planned["九是"] == "party_building"
    assert seed.loc[seed["subsection"].str.startswith('"严"字', na=False), "category"].iloc[0] == "epidemic"


def test_task_text_is_the_original_span_without_marker(seed):
    text = sample("seed_banan_2020h1")
    for row in seed.itertuples():
        assert text[row.start:row.end] == row.text
    first = seed.iloc[0]
    assert first["text"].startswith("高度重视,强化领导。") and text[first["start"] - 2:first["start"]] == "一是"


def test_traditional_copy_gives_the_same_tasks(seed):
    trad = tasks_of(opencc.OpenCC("s2t").convert(sample("seed_banan_2020h1")))
    assert trad["status"].value_counts().to_dict() == {"done": 17, "planned": 9}
    assert trad["category"].tolist() == seed["category"].tolist()
    assert trad["section"].tolist() == seed["section"].tolist()


def test_traditional_report_with_nested_items_and_plan_section():
    t = tasks_of(sample("a09"))
    assert t["item"].fillna("-").tolist() == ["1、", "(1)", "(2)", "(3)", "-", "-", "-", "1、"]
    assert t["status"].tolist() == ["done"] * 7 + ["planned"]
    assert t.loc[t["section"] == "森林防火情况", "category"].item() == "fire_prevention"


def test_subsections_without_sections_are_tasks():
    t = tasks_of(sample("a01"))
    assert len(t) == 5 and set(t["status"]) == {"done"} and t["item"].isna().all()
    assert t["subsection"].iloc[1].startswith("截止10月28日")


def test_plan_report_tasks_are_planned():
    t = tasks_of(sample("f11"))
    assert t["status"].tolist() == ["planned"] and t["section"].tolist() == ["总体目标"]


def test_enumerated_items_without_headings_are_tasks():
    t = tasks_of(sample("f01"))
    assert t["item"].tolist() == ["一是", "二是", "三是", "四是"]
    assert set(t["category"]) == {"fire_prevention"}


def test_report_without_outline_has_no_tasks():
    assert tasks_of(sample("f03")).empty


def test_full_width_report_tasks():
    text = ("某某县林业局２０２１年第一季度工作总结\n一、工作开展情况\n（一）造林绿化\n"
            "１．完成造林１．５万亩。２．完成义务植树２０万株。\n（二）森林防火\n"
            "一是开展巡查３０次。二是设置卡点１２个。\n二、下一步工作打算\n１、加强防火宣传。２、抓好春季造林。\n"
            "某某县林业局\n２０２１年３月３１日\n")
    t = tasks_of(text)
    assert t["status"].tolist() == ["done"] * 4 + ["planned"] * 2
    assert t["category"].tolist() == ["afforestation", "afforestation", "fire_prevention", "fire_prevention",
                                      "fire_prevention", "afforestation"]
    assert t["text"].iloc[0] == "完成造林１．５万亩。"


def test_level_one_problem_heading_ending_in_difficulty_is_skipped_but_work_is_kept():
    text = "一、克服困难抓造林\n完成造林100亩。\n二、工作中的困难\n资金不足。\n"
    t = tasks_of(text)
    assert t["section"].tolist() == ["克服困难抓造林"]


ENCLOSED = ("某县林业局2021年工作总结\n一、工作开展情况\n㈠造林绿化\n⒈完成造林3000亩。\n⒉完成义务植树20万株。\n"
            "㈡森林防火\n⑴开展巡山500人次。\n二、存在问题及下一步打算\n一是加强防火宣传。二是抓好冬季造林。\n"
            "三、下半年重点工作\n1.完成抚育2000亩。\n某县林业局\n2021年12月20日\n")


def test_one_character_markers_are_outline_items():
    t = tasks_of(ENCLOSED)
    assert t["item"].tolist()[:3] == ["⒈", "⒉", "⑴"]
    assert t["subsection"].tolist()[:3] == ["造林绿化", "造林绿化", "森林防火"]


def test_a_heading_of_problems_and_next_steps_holds_planned_tasks():
    t = tasks_of(ENCLOSED)
    assert t["status"].tolist() == ["done"] * 3 + ["planned"] * 3
    assert t["text"].tolist()[3:5] == ["加强防火宣传。", "抓好冬季造林。"]


def test_numbered_top_level_sections_decide_status_and_problems():
    t = tasks_of("某县林业局2021年工作总结\n1、工作情况\n(1)完成造林3000亩。\n(2)开展巡山500人次。\n"
                 "2、存在问题\n(1)资金不足。\n3、下步打算\n(1)加强防火宣传。\n(2)抓好冬季造林。\n")
    assert list(zip(t["text"], t["status"])) == [("完成造林3000亩。", "done"), ("开展巡山500人次。", "done"),
                                                  ("加强防火宣传。", "planned"), ("抓好冬季造林。", "planned")]


def test_a_task_without_keywords_takes_the_category_of_the_report_title():
    t = tasks_of("某县林业局2021年松材线虫病防治工作总结\n一、工作情况\n一是加强组织领导,成立工作专班。二是落实资金300万元。\n")
    assert t["category"].tolist() == ["pest_control", "pest_control"]
