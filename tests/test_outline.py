"""Outline markers and the lossless sentence table."""
from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pytest

from forestry_analysis.pipeline.meta import extract_meta
from forestry_analysis.doc.normalize import Normalized
from forestry_analysis.doc import schema
from forestry_analysis.pipeline.outline import find_markers, locate, outline_rows, sentence_ends, sentence_rows

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted((ROOT / "data" / "samples").glob("*.txt")) + sorted((ROOT / "tests" / "gold").glob("*.txt"))
FULL_WIDTH = ("某某县林业局２０２１年第一季度工作总结\n一、工作开展情况\n（一）造林绿化\n"
              "１．完成造林１．５万亩。２．完成义务植树２０万株。\n（二）森林防火\n"
              "一是开展巡查３０次。二是设置卡点１２个。\n二、下一步工作打算\n１、加强防火宣传。２、抓好春季造林。\n"
              "某某县林业局\n２０２１年３月３１日\n")


def tables(text: str):
    norm = Normalized(text)
    meta = extract_meta(norm)
    outline = outline_rows(norm, "r", meta["body_start"], meta["body_end"])
    return norm, meta, schema.frame("outline", outline), schema.frame("sentences", sentence_rows(norm, "r", outline, meta))


def seed_text() -> str:
    return (ROOT / "data" / "samples" / "seed_banan_2020h1.txt").read_text(encoding="utf-8")


def assert_lossless(text: str, sentences):
    starts, ends = sentences["start"].to_numpy(int), sentences["end"].to_numpy(int)
    assert starts[0] == 0 and ends[-1] == len(text)
    assert (starts[1:] == ends[:-1]).all() and (ends > starts).all()
    assert "".join(sentences["text"]) == text


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sentences_tile_the_whole_original_text(path):
    text = path.read_text(encoding="utf-8")
    assert_lossless(text, tables(text)[3])


@pytest.mark.parametrize("text", [FULL_WIDTH, opencc.OpenCC("s2t").convert(seed_text()), "  \n", "一句话",
                                  "萬(wàn)畝林地。\n完成(wán)了(le)", "\n\n一、标题\n\n"])
def test_sentences_are_lossless_on_odd_text(text):
    assert_lossless(text, tables(text)[3])


def test_empty_text_has_no_sentences():
    assert tables("")[3].empty


def test_seed_outline_has_three_sections_and_six_subsections():
    _, _, outline, _ = tables(seed_text())
    assert (outline["level"] == 1).sum() == 3 and (outline["level"] == 2).sum() == 6
    assert outline.loc[outline["level"] == 1, "heading"].tolist() == ["上半年工作开展情况", "存在的问题和困难",
                                                                      "下一步工作计划"]
    assert outline.loc[outline["level"] == 2, "marker"].tolist() == [f"({c})" for c in "一二三四五六"]


def test_outline_offsets_are_original_and_items_nest():
    text = seed_text()
    _, meta, outline, _ = tables(text)
    first = outline.iloc[0]
    assert text[first["start"]:].startswith("一、上半年工作开展情况")
    sub = outline[outline["marker"] == "(六)"].iloc[0]
    assert sub["end"] == outline[outline["marker"] == "二、"].iloc[0]["start"]
    last = outline.iloc[-1]
    assert (last["marker"], last["ordinal"]) == ("九是", 9) and last["end"] == meta["signature_span"][0]


def test_yi_shi_after_a_comma_is_an_item():
    _, _, outline, _ = tables(seed_text())
    row = outline[outline["heading"] == "抓任务分解"]
    assert row["marker"].tolist() == ["一是"]


def test_numbers_years_decimals_and_ordinals_are_not_markers():
    text = "一、总体情况\n2020年完成造林1.5万亩。\n11.4万亩林地已管护。\n第一责任人落实到位。一、二级公路两侧绿化。\n"
    assert [m.marker for m in find_markers(text)] == ["一、"]


def test_enumerations_of_every_style_are_level_three():
    text = "一、工作\n(一)造林\n1.整地。2、栽植。(1)浇水。(2)施肥。\n①巡查。②检查。\n"
    markers = find_markers(text)
    assert [(m.marker, m.level, m.ordinal) for m in markers] == [
        ("一、", 1, 1), ("(一)", 2, 1), ("1.", 3, 1), ("2、", 3, 2), ("(1)", 3, 1), ("(2)", 3, 2),
        ("①", 3, 1), ("②", 3, 2)]


def test_full_width_markers_are_found_and_decimals_are_not():
    _, _, outline, _ = tables(FULL_WIDTH)
    assert outline["marker"].tolist() == ["一、", "(一)", "1.", "2.", "(二)", "一是", "二是", "二、", "1、", "2、"]
    assert outline.loc[outline["marker"] == "1.", "heading"].item() == "完成造林1.5万亩"


def test_nested_enumerations_in_traditional_text():
    norm = Normalized((ROOT / "data" / "samples" / "a09.txt").read_text(encoding="utf-8"))
    meta = extract_meta(norm)
    outline = schema.frame("outline", outline_rows(norm, "a09", meta["body_start"], meta["body_end"]))
    assert outline["level"].tolist() == [1, 3, 3, 3, 3, 3, 1, 1, 1, 1, 3]
    two = outline[outline["marker"] == "2、"].iloc[0]
    assert two["end"] == outline[outline["marker"] == "二、"].iloc[0]["start"]


def test_traditional_copy_has_the_same_outline():
    a, b = tables(seed_text())[2], tables(opencc.OpenCC("s2t").convert(seed_text()))[2]
    assert a[["level", "marker", "start", "end"]].equals(b[["level", "marker", "start", "end"]])


def test_sentence_parts_follow_the_metadata():
    text = seed_text()
    _, _, _, sents = tables(text)
    parts = sents["part"].tolist()
    assert parts[:4] == ["preamble", "preamble", "preamble", "title"]
    assert sents.iloc[0]["text"].startswith("重庆市巴南区林业局2024年")
    assert sents.loc[sents["text"].str.contains("以下是网友"), "part"].tolist() == ["preamble"]
    assert parts[-2:] == ["signature", "signature"] and set(parts[4:-2]) == {"body"}


def test_sentences_split_at_terminators_newlines_and_markers():
    _, _, _, sents = tables(seed_text())
    assert "工作中," in sents["text"].tolist()
    assert "一是抓任务分解。" in sents["text"].tolist()
    assert sents["text"].str.rstrip().str[-1].isin(list("。!?;\"”")).sum() > 0.8 * len(sents)


def test_sentences_carry_section_subsection_and_path():
    _, _, _, sents = tables(seed_text())
    row = sents[sents["text"] == "二是切实抓好森林防火工作。"].iloc[0]
    assert row["section"] == "上半年工作开展情况"
    assert row["subsection"] == '"防"字保障,再接再厉抓好森林资源保护'
    assert row["path"] == "一、 > (三) > 二是"
    plan = sents[sents["text"].str.startswith("九是")].iloc[0]
    assert (plan["section"], plan["path"]) == ("下一步工作计划", "三、 > 九是")
    assert pd.isna(plan["subsection"])


def test_placeholder_question_marks_do_not_end_sentences():
    text = (ROOT / "data" / "samples" / "a03.txt").read_text(encoding="utf-8")
    _, _, _, sents = tables(text)
    assert not sents["text"].str.endswith("?").any()
    assert sents["text"].str.contains(r"整地\?\?\?万亩").sum() == 1


def test_locate_finds_the_sentence_holding_an_offset():
    text = seed_text()
    _, _, _, sents = tables(text)
    i = text.index("11640个")
    row = locate(sents, i)
    assert sents.iloc[row]["start"] <= i < sents.iloc[row]["end"]
    offsets = np.arange(len(text))
    rows = locate(sents, offsets)
    assert (sents["start"].to_numpy(int)[rows] <= offsets).all()
    assert (offsets < sents["end"].to_numpy(int)[rows]).all()


def test_text_flattened_onto_one_line_keeps_its_outline():
    text = ("某县林业局2021年工作总结 现将工作总结如下: 一、工作开展情况 (一)造林绿化。完成造林3000亩。 "
            "(二)森林防火。开展巡山500人次。 二、下一步打算 (一)加强防火宣传。\n")
    _, _, outline, _ = tables(text)
    assert outline["marker"].tolist() == ["一、", "(一)", "(二)", "二、", "(一)"]
    assert outline["heading"].tolist() == ["工作开展情况", "造林绿化", "森林防火", "下一步打算", "加强防火宣传"]


@pytest.mark.parametrize("text, markers", [
    ("一、造林情况\n1、\n完成造林2万亩。\n", ["一、"]),                          # a page number alone on its line
    ("一、森林抚育 | 亩 | 02 | 3000\n二、人工造林\t亩\t03\t2000\n", []),         # rows of a statistics table
    ("填报说明:1.本表由县林业局填报。2.面积单位为亩。\n", []),                   # a table's footnotes
    ("1、宝剑锋从磨砺出,梅花香自苦寒来。\n2、加强森林防火。\n", ["2、"]),        # a proverb of a template site
    ("〔一〕加强领导。\n〔二〕落实责任。\n", ["〔一〕", "〔二〕"]),               # brackets of official documents
    ("一、上半年工作情况。完成造林3万亩。二、下一步打算。", ["一、", "二、"]),    # flattened: the sequence goes on
    ("一、情况。完成造林。三、其他。", ["一、"]),                                # a 三、 after a sentence breaks it
    ("二、下半年工作计划一是加强防火。二是抓好造林。", ["二、", "一是", "二是"]),  # 一是 run into its heading
])
def test_outline_markers_are_told_apart_from_page_numbers_table_rows_and_blurbs(text, markers):
    assert [m.marker for m in find_markers(Normalized(text).text)] == markers


def test_sentence_ends_skip_placeholder_question_marks_and_full_sentences_run_past_semicolons():
    text = "造林???万亩;完成500亩。\"好\"!\n问题？其中1亩；2亩。"

    def pieces(ends):
        return [text[a:b] for a, b in zip([0] + ends, ends)]
    assert pieces(sentence_ends(text)) == ["造林???万亩;", "完成500亩。\"", "好\"!", "\n", "问题？", "其中1亩；", "2亩。"]
    assert pieces(sentence_ends(text, full=True)) == ["造林???万亩;完成500亩。\"", "好\"!", "\n", "问题？", "其中1亩；2亩。"]
    assert sentence_ends(text, full=True, lines=False, pos=3, endpos=17) == [text.index("。") + 2]


def test_clause_marks_in_both_widths_come_from_one_definition():
    from forestry_analysis.doc.normalize import CLAUSE_MARKS, both_widths
    assert both_widths(CLAUSE_MARKS) == frozenset(",，;；。!！\n")
    assert both_widths("?:、") == frozenset("?？:：、")
