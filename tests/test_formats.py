"""Every supported format read from real fixtures, and hostile files refused by the limits.

tests/data/formats/ holds one small statistics report written once in each format
(make_fixtures.py: python-docx, openpyxl, LibreOffice). The expected text below is
typed from the report, not taken from the readers' output.
"""

import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

import forestry_analysis as fa
from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.reading import read_source

FORMATS = Path(__file__).resolve().parent / "data" / "formats"
PROSE = [
    "某县林业局2023年营造林工作统计报告",
    "2023年，全县认真落实营造林计划，完成营造林8000亩。",
    "全年完成森林抚育1.25万亩，松材线虫病防治面积3200亩。",
    "表1 2023年营造林完成情况统计表",
    "下一步将继续加强森林防火和有害生物防治工作。",
]
PIPE_ROWS = [
    "| 指标 | 计划(亩) | 完成(亩) | 完成率 |",
    "| 人工造林 | 5000 | 4500 | 90.0% |",
    "| 封山育林 | 3000 | 3500 | 116.7% |",
    "| 合计 | 8000 | 8000 | 100.0% |",
]
DOCUMENTS = ["docx", "pdf", "doc", "wps", "html", "odt", "rtf"]
SHEETS = ["xlsx", "xls", "ods"]


@pytest.mark.parametrize("fmt", DOCUMENTS)
def test_document_formats_give_the_same_prose_and_the_same_pipe_table(fmt):
    text = read_source(FORMATS / f"report.{fmt}")
    assert text.split("\n") == PROSE[:4] + [""] + PIPE_ROWS + [""] + PROSE[4:]


@pytest.mark.parametrize("fmt", SHEETS)
def test_spreadsheets_give_the_caption_and_the_same_pipe_table(fmt):
    text = read_source(FORMATS / f"report.{fmt}")
    assert text.split("\n") == [PROSE[3], ""] + PIPE_ROWS


def test_aligned_text_is_read_as_written():
    lines = read_source(FORMATS / "report.txt").split("\n")
    assert [line for line in lines if line in PROSE] == PROSE
    assert lines[4].split() == ["指标", "计划(亩)", "完成(亩)", "完成率"]
    assert lines[7].split() == ["合计", "8000", "8000", "100.0%"]


def test_pdf_paragraph_wrapped_over_lines_comes_out_as_one_line():
    assert read_source(FORMATS / "wrapped.pdf").split("\n") == [
        "一、造林绿化",
        "2023年，全县以国土绿化行动为抓手，统筹推进山水林田湖草沙一体化保护和系统治理，全年完成人工造林"
        "4500亩、封山育林3500亩，完成森林抚育1.25万亩，森林覆盖率达到62.5%，比上年提高0.8个百分点，"
        "生态环境持续改善。",
        "二、森林防火",
    ]


def test_table_numbers_keep_offsets_into_the_report_text():
    report = fa.read_report(FORMATS / "report.pdf")
    start = report.text.index("| 封山育林 |")
    assert report.text[start:].split("\n")[0] == PIPE_ROWS[2]


# --- .docx content python-docx's Paragraph.text does not give ----------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_with(tmp_path, *body_xml):
    document = docx.Document()
    document.add_paragraph("一、主要指标完成情况")
    body = document.element.body
    for xml in body_xml:
        body.insert(len(body) - 1, parse_xml(xml))
    path = tmp_path / "tracked.docx"
    document.save(path)
    return read_source(path).split("\n")


def test_docx_tracked_insertion_is_read_and_deletion_is_not(tmp_path):
    lines = _docx_with(tmp_path, f'<w:p {W}><w:r><w:t>全年</w:t></w:r>'
                       '<w:ins w:id="1" w:author="a"><w:r><w:t>完成森林抚育1.25万亩</w:t></w:r></w:ins>'
                       '<w:del w:id="2" w:author="a"><w:r><w:delText>完成森林抚育1万亩</w:delText></w:r></w:del>'
                       '<w:r><w:t>。</w:t></w:r></w:p>')
    assert lines[1] == "全年完成森林抚育1.25万亩。"


def test_docx_content_control_hyperlink_and_text_box_are_read(tmp_path):
    lines = _docx_with(
        tmp_path,
        f'<w:sdt {W}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>造林8000亩</w:t></w:r></w:p></w:sdtContent></w:sdt>',
        f'<w:p {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:r><w:t>详见</w:t></w:r><w:hyperlink r:id="rId99"><w:r><w:t>统计公报</w:t></w:r></w:hyperlink></w:p>',
        f'<w:p {W}><w:r><w:t>附注</w:t></w:r><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
        '<v:textbox><w:txbxContent><w:p><w:r><w:t>防治面积3200亩</w:t></w:r></w:p></w:txbxContent>'
        '</v:textbox></v:shape></w:pict></w:r></w:p>',
    )
    assert lines[1:] == ["造林8000亩", "详见统计公报", "附注", "防治面积3200亩"]


def test_docx_vertically_merged_cells_are_repeated(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "类别", "面积(亩)"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "造林"
    table.cell(1, 1).text, table.cell(2, 1).text = "5000", "3000"
    document.save(tmp_path / "merged.docx")
    assert read_source(tmp_path / "merged.docx").split("\n") == [
        "| 类别 | 面积(亩) |", "| 造林 | 5000 |", "| 造林 | 3000 |"]


# --- HTML tables ---------------------------------------------------------------


def test_html_table_spans_are_repeated_and_layout_tables_stay_blocks(tmp_path):
    page = ("<html><body><table><tr><td><p>巴南区林业局</p>"
            "<table><tr><th rowspan=2>指标</th><th colspan=2>面积(亩)</th></tr>"
            "<tr><th>计划</th><th>完成</th></tr><tr><td>造林</td><td>5000</td><td>4500</td></tr></table>"
            "<p>下半年继续推进。</p></td></tr></table></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert read_source(path).split("\n") == [
        "巴南区林业局", "", "| 指标 | 面积(亩) | 面积(亩) |", "| 指标 | 计划 | 完成 |",
        "| 造林 | 5000 | 4500 |", "", "下半年继续推进。"]


# --- hostile files -------------------------------------------------------------


def _zip_bomb(path, member, size_mb):
    """A zip whose ``member`` inflates to ``size_mb`` MB of spaces, written in chunks."""
    chunk = b" " * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as out:
            for _ in range(size_mb):
                out.write(chunk)
    return path


BOMB_MEMBERS = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml",
                "odt": "content.xml", "ods": "content.xml"}


@pytest.mark.parametrize("fmt", sorted(BOMB_MEMBERS))
def test_zip_bomb_is_refused_by_its_compression_ratio_before_parsing(tmp_path, fmt):
    path = _zip_bomb(tmp_path / f"bomb.{fmt}", BOMB_MEMBERS[fmt], 8)
    assert path.stat().st_size < 2**20
    started = time.perf_counter()
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert time.perf_counter() - started < 5
    message = str(info.value)
    assert f"bomb.{fmt}" in message and "compression ratio" in message and "FORESTRY_MAX_ZIP_RATIO" in message


@pytest.mark.parametrize("setting, words", [
    ("FORESTRY_MAX_UNZIPPED_MB", "archive expands to"),
    ("FORESTRY_MAX_MEMBER_MB", "expands to"),
])
def test_zip_size_limits_are_settable(tmp_path, monkeypatch, setting, words):
    path = tmp_path / "report.docx"
    shutil.copy(FORMATS / "report.docx", path)
    monkeypatch.setenv(setting, "0.001")
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert words in str(info.value) and setting in str(info.value) and "report.docx" in str(info.value)
    monkeypatch.delenv(setting)
    assert PIPE_ROWS[0] in read_source(path)


def test_a_large_photo_in_a_docx_is_not_held_to_the_xml_member_limit(tmp_path):
    path = tmp_path / "photo.docx"
    shutil.copy(FORMATS / "report.docx", path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/media/photo.jpeg", os.urandom(12 * 2**20))
    assert PIPE_ROWS[0] in read_source(path)


def test_a_member_expanding_past_the_member_limit_is_refused(tmp_path):
    path = _zip_bomb(tmp_path / "large.docx", "word/document.xml", 12)
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert "large.docx" in str(info.value) and "FORESTRY_MAX_MEMBER_MB" in str(info.value)


@pytest.mark.parametrize("fmt, member", [("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml"),
                                         ("odt", "content.xml")])
def test_xml_declaring_entities_is_refused(tmp_path, fmt, member):
    source = FORMATS / f"report.{fmt}"
    path = tmp_path / f"entity.{fmt}"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == member:
                head, _, rest = data.partition(b"?>")
                data = (head + b'?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">'
                        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + rest)
            new.writestr(info, data)
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert f"entity.{fmt}" in str(info.value) and "entities" in str(info.value)


def _blank_pdf(path, pages):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_pdf_with_too_many_pages_is_refused_by_its_page_count(tmp_path):
    path = _blank_pdf(tmp_path / "pages.pdf", 1001)
    started = time.perf_counter()
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert time.perf_counter() - started < 5
    assert "pages.pdf" in str(info.value) and "1001 pages" in str(info.value)
    assert "FORESTRY_MAX_PDF_PAGES" in str(info.value)


def test_pdf_without_a_text_layer_needs_ocr(tmp_path):
    with pytest.raises(ReportReadError) as info:
        read_source(_blank_pdf(tmp_path / "scan.pdf", 3))
    assert "scan.pdf" in str(info.value) and "OCR" in str(info.value)


@pytest.mark.parametrize("fmt", ["txt", "pdf", "docx", "xlsx", "doc", "odt", "rtf", "html"])
def test_text_over_the_text_limit_is_refused_in_every_format(monkeypatch, fmt):
    monkeypatch.setenv("FORESTRY_MAX_TEXT_CHARS", "50")
    with pytest.raises(ReportReadError) as info:
        read_source(FORMATS / f"report.{fmt}")
    assert "FORESTRY_MAX_TEXT_CHARS" in str(info.value)


@pytest.mark.parametrize("fmt, data, reason", [
    ("doc", "这不是Word文件".encode(), "not a Word 97"),
    ("wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not a valid .wps"),
    ("pdf", b"%PDF-1.4\n", "not a valid PDF"),
    ("xlsx", b"PK\x03\x04broken", "not a valid .xlsx"),
    ("xls", b"\x00" * 600, "not a valid .xls"),
    ("rtf", b"plain text", "not a valid .rtf"),
])
def test_broken_files_of_each_format_name_the_file_and_the_reason(tmp_path, fmt, data, reason):
    path = tmp_path / f"broken.{fmt}"
    path.write_bytes(data)
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    assert "broken." + fmt in str(info.value) and reason in str(info.value)


# --- corpus ----------------------------------------------------------------------


def test_corpus_lists_unsupported_files_and_a_bomb_with_their_reasons_and_reads_the_rest(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for fmt in ("docx", "pdf", "xlsx"):
        shutil.copy(FORMATS / f"report.{fmt}", folder / f"report.{fmt}")
    (folder / "report.url").write_text("https://example.org/report\n")
    (folder / "slides.ppt").write_bytes(b"\xd0\xcf\x11\xe0")
    _zip_bomb(folder / "bomb.docx", "word/document.xml", 8)
    corpus = fa.read_corpus(folder, workers=1, cache=False)
    reasons = {Path(p).name: r for p, r in zip(corpus.errors["path"], corpus.errors["reason"])}
    assert set(reasons) == {"slides.ppt", "bomb.docx"}
    assert "unsupported file type '.ppt'" in reasons["slides.ppt"]
    assert "FORESTRY_MAX_ZIP_RATIO" in reasons["bomb.docx"]
    assert len(corpus.meta) + len(corpus.duplicates) == 3


def test_every_sheet_of_a_workbook_is_a_table_titled_by_its_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "造林"
    for row in (["指标", "计划(亩)", "完成(亩)"], ["人工造林", 8000, 6500], ["森林抚育", 3000, 3300]):
        first.append(row)
    second = book.create_sheet("防火")
    for row in (["指标", "计划(次)", "完成(次)"], ["防火宣传", 20, 24]):
        second.append(row)
    book.save(tmp_path / "two.xlsx")
    r = fa.read_report(tmp_path / "two.xlsx")
    assert [t.attrs["title"] for t in r.tables] == ["造林", "防火"]
    rows = r.metrics[["raw", "unit", "kind", "category", "table_id"]].values.tolist()
    assert rows == [["8000", "亩", "plan", "afforestation", 0], ["6500", "亩", "actual", "afforestation", 0],
                    ["3000", "亩", "plan", "afforestation", 0], ["3300", "亩", "actual", "afforestation", 0],
                    ["20", "次", "plan", "fire_prevention", 1], ["24", "次", "actual", "fire_prevention", 1]]
    assert list(r.completion.rate) == [pytest.approx(0.8125), pytest.approx(1.1), pytest.approx(1.2)]
