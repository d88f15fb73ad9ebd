"""The Word 简报 (``briefing.docx``): laid out as a bureau's own briefing, built with python-docx.

Title; a scope line; 一、主要数据; 二、计划完成情况; 三、森林防火; 四、林业有害生物防治; 五、数据质量.
Charts are embedded as pictures, tables are Word tables. Every run names an East Asian font
(黑体 for headings, 仿宋 for the body) as well as a Latin one, so Chinese shows in Word and WPS.
The content is the Markdown briefing's, taken from the same row builders in ``brief``.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BODY_FONT, HEADING_FONT, TITLE_FONT, LATIN_FONT = "仿宋", "黑体", "宋体", "Times New Roman"
SECTIONS = ["一、主要数据", "二、计划完成情况", "三、森林防火", "四、林业有害生物防治", "五、数据质量"]
CHART_OF_SECTION = {"二、计划完成情况": "completion_rates", "三、森林防火": "fire_prevention",
                    "四、林业有害生物防治": "pest_control"}
CHART_WIDTH = Cm(16)


def _font(run, east_asian: str, size: float, bold: bool = False):
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), east_asian if attr == "w:eastAsia" else LATIN_FONT)


def _paragraph(doc, text: str, font: str = BODY_FONT, size: float = 14, bold: bool = False,
               align=None, indent: bool = False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(4)
    _font(p.add_run(text), font, size, bold)
    return p


def _table(doc, header: list[str], rows: list[list]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        if len(row) > 1 and all(v is None for v in row[1:]):   # a note row ("另有 N 项…") spans the table
            merged = cells[0].merge(cells[-1])
            merged.text = ""
            _font(merged.paragraphs[0].add_run(str(row[0])), BODY_FONT, 10.5)
            continue
        for cell, value in zip(cells, row):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("—" if value is None else str(value)), BODY_FONT, 10.5)
    doc.add_paragraph()
    return table


def write_docx(path, title: str, scope_line: str, sections: dict[str, list], charts: dict[str, Path]) -> Path:
    """Write the Word briefing to ``path``.

    ``sections`` maps each heading of ``SECTIONS`` to a list of blocks: a ``str`` is a body
    paragraph, a ``(header, rows)`` pair is a table. ``charts`` maps a chart name to its PNG.
    """
    doc = Document()
    for s in doc.sections:
        s.left_margin = s.right_margin = Cm(2.6)
        s.top_margin, s.bottom_margin = Cm(3.0), Cm(2.5)
    _paragraph(doc, title, TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, scope_line, BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
    for heading in SECTIONS:
        _paragraph(doc, heading, HEADING_FONT, 16)
        chart = charts.get(CHART_OF_SECTION.get(heading, ""))
        if chart is not None:
            doc.add_picture(str(chart), width=CHART_WIDTH)
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for block in sections.get(heading) or ["（无数据）"]:
            if isinstance(block, str):
                _paragraph(doc, block, indent=True)
            else:
                _table(doc, *block)
    out = Path(path)
    doc.save(out)
    return out
