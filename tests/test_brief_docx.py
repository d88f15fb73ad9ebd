"""The Word briefing (briefing.docx) read back with python-docx: the five sections of a 简报 in
order, charts embedded, tables as Word tables, Chinese fonts named, and no English codes or
absolute paths anywhere in what a reader sees."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

import forestry_analysis as fa
from forestry_analysis.present import brief

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
CODES = re.compile(r"\b(?:H1|H2|Q[1-4]|annual|summary|plan|both|actual|rate stated|same sentence|another report|"
                   r"lost_number|placeholder|meta_conflict|rate_mismatch|incomplete_pair|implausible_rate|"
                   r"afforestation|fire_prevention|pest_control|other)\b")


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    reports = fa.read_corpus([SAMPLES / "seed_banan_2020h1.txt", SAMPLES / "f03.txt", SAMPLES / "a01.txt"])
    return brief.write_brief(reports, out)["briefing.docx"]


def _paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def _cells(doc) -> list[str]:
    return [c.text for t in doc.tables for row in t.rows for c in row.cells]


def test_sections_come_in_the_order_of_a_briefing(docx_path):
    text = _paragraphs(Document(docx_path))
    positions = [text.index(h) for h in ("一、主要数据", "二、计划完成情况", "三、森林防火", "四、林业有害生物防治",
                                         "五、数据质量")]
    assert positions == sorted(positions) and positions[0] > 0   # the title comes first
    assert text[0].endswith("林业工作简报")


def test_charts_are_embedded_and_tables_are_word_tables(docx_path):
    doc = Document(docx_path)
    assert len(doc.inline_shapes) == 3
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["报告", "指标", "完成", "计划", "单位", "完成率", "报告完成率", "一致", "配对依据"] in headers
    assert all(len(t.rows) <= brief.DOCX_ROWS + 2 for t in doc.tables)


def test_every_run_names_an_east_asian_font(docx_path):
    doc = Document(docx_path)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
             if r.text.strip()]
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs}
    assert fonts <= {"宋体", "黑体", "仿宋"} and "仿宋" in fonts and "黑体" in fonts


def test_no_english_codes_or_absolute_paths(docx_path):
    doc = Document(docx_path)
    seen = _paragraphs(doc) + _cells(doc)
    assert not [t for t in seen if CODES.search(t)]
    assert not [t for t in seen if "/" in t and ".txt" in t]
    assert any("seed_banan_2020h1.txt" in t for t in seen)   # files named by their names


def test_a_lost_number_with_no_indicator_is_listed_as_unnamed_never_nan(tmp_path):
    # A folder's non-report (the gold set's README, English prose) gives lost numbers whose
    # indicator no Chinese phrase names.
    notes = fa.read_corpus([Path(__file__).parent / "gold" / "README.md"])
    assert notes.metrics["indicator"].isna().any()
    figures = brief.key_figures(notes.metrics)
    assert (figures["indicator"] == brief.UNNAMED).any()
    assert figures["indicator"].map(lambda v: isinstance(v, str) and v != "nan").all()
    cells = _cells(Document(brief.write_brief(notes, tmp_path)["briefing.docx"]))
    assert brief.UNNAMED in cells and "nan" not in cells
