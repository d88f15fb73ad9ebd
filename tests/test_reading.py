"""Tests for forestry_analysis.io.reading: encodings, .docx, HTML and every failure path."""

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest

from forestry_analysis.io import reading
from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.reading import SUPPORTED_SUFFIXES, decode_bytes, read_source

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "seed_banan_2020h1.txt"
BAD = Path(__file__).resolve().parent / "data" / "bad"
TEXT = SAMPLE.read_bytes().decode("utf-8")
PARAGRAPHS = [line for line in TEXT.split("\n") if line.strip()]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_read_error(path, *reason_words):
    with pytest.raises(ReportReadError) as info:
        read_source(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert Path(path).name in str(err)
    for word in reason_words:
        assert word in str(err)
    return err


# --- text encodings -------------------------------------------------------


def test_utf8_sample_is_returned_exactly_as_in_the_file():
    assert read_source(SAMPLE) == TEXT
    assert read_source(str(SAMPLE)) == TEXT


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_chinese_legacy_encodings_are_detected_from_the_bytes(tmp_path, encoding):
    path = write(tmp_path, f"report_{encoding}.txt", TEXT.encode(encoding))
    assert read_source(path) == TEXT


def test_utf8_byte_order_mark_is_stripped(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert read_source(path) == TEXT


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark_is_decoded(tmp_path, encoding):
    path = write(tmp_path, "utf16.txt", "\ufeff".encode(encoding) + TEXT.encode(encoding))
    assert read_source(path) == TEXT


def test_newlines_and_spacing_are_not_normalised(tmp_path):
    text = "一、总体情况\r\n\u3000\u3000完成造林 5.2 万亩。\r第二行\n\n"
    path = write(tmp_path, "crlf.md", text.encode("gb18030"))
    assert read_source(path) == text


def test_truncated_utf8_drops_only_the_cut_last_character(tmp_path):
    data = TEXT.encode("utf-8")
    assert TEXT.endswith("日")
    path = write(tmp_path, "cut.txt", data[:-1])
    assert read_source(path) == TEXT[:-1]


def test_truncated_gb18030_fixture_drops_only_the_cut_last_character():
    text = read_source(BAD / "truncated_gb18030.txt")
    assert text.startswith(TEXT.split("\n")[2])
    full = (BAD / "truncated_gb18030.txt").read_bytes()
    assert text.encode("gb18030") == full[:-1]


def test_mixed_utf8_and_gbk_lines_are_decoded_line_by_line():
    assert read_source(BAD / "mixed_encoding.txt").split("\n") == [
        "重庆市巴南区林业局2020年上半年工作总结",
        "一、上半年工作完成情况",
        "完成营造林任务5.2万亩,占年度任务的86.7%。",
        "森林覆盖率达到51.2%。",
        "",
    ]


def test_decode_bytes_without_a_path_names_text_in_the_error():
    assert decode_bytes("林业".encode("gbk")) == "林业"
    with pytest.raises(ReportReadError, match="<text>: cannot decode"):
        decode_bytes(random.Random(1).randbytes(4096))


def test_high_bytes_that_happen_to_be_valid_gb18030_are_rejected():
    noise = bytes(random.Random(7).randrange(0x81, 0xFF) for _ in range(4096))
    noise.decode("gb18030")
    with pytest.raises(ReportReadError, match="cannot decode"):
        decode_bytes(noise, "noise.txt")


def test_suffix_match_is_case_insensitive(tmp_path):
    path = write(tmp_path, "REPORT.TXT", TEXT.encode("utf-8"))
    assert read_source(path) == TEXT


# --- .docx ----------------------------------------------------------------


def make_docx(path):
    document = docx.Document()
    document.add_paragraph("重庆市巴南区林业局2020年上半年工作总结")
    document.add_paragraph("一、主要指标完成情况")
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "主要指标"
    for row, values in enumerate([("指标", "任务", "完成"), ("营造林", "6万亩", "5.2万亩")], start=1):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    table.cell(3, 0).merge(table.cell(3, 1)).text = "合计"
    table.cell(2, 2).merge(table.cell(3, 2))
    document.add_paragraph("二、下半年工作计划")
    document.save(path)
    return path


def test_docx_table_becomes_pipe_rows_between_the_paragraphs_around_it(tmp_path):
    text = read_source(make_docx(tmp_path / "report.docx"))
    assert text.split("\n") == [
        "重庆市巴南区林业局2020年上半年工作总结",
        "一、主要指标完成情况",
        "主要指标",
        "",
        "| 指标 | 任务 | 完成 |",
        "| 营造林 | 6万亩 | 5.2万亩 |",
        "| 合计 | 合计 | 5.2万亩 |",
        "",
        "二、下半年工作计划",
    ]


def test_truncated_docx_is_reported_as_invalid(tmp_path):
    data = make_docx(tmp_path / "full.docx").read_bytes()
    path = write(tmp_path, "truncated.docx", data[: len(data) // 2])
    assert_read_error(path, "not a valid .docx")


def test_zip_without_a_word_document_is_reported_as_invalid(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a word file")
    err = assert_read_error(write(tmp_path, "notes.docx", buffer.getvalue()), "not a valid .docx")
    assert err.__cause__ is not None


def test_docx_without_text_is_reported(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert_read_error(path, "no text")


# --- HTML -----------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>站点标题</title>
<style>.menu {{ color: red }} 样式文字</style>
<script>var banner = "脚本文字";</script></head>
<body>
<nav><a href="/">首页</a> <a href="/news">导航文字</a></nav>
<div class="breadcrumb">当前位置:首页 &gt; 面包屑文字</div>
<div id="content">
<h1>{title}</h1>
<p>{p1}</p>
<p>{p2}<br>{p3}</p>
<!-- 注释文字 -->
</div>
<div class="site-footer">版权所有 页脚文字</div>
<noscript>请启用脚本</noscript>
</body></html>
"""


def render_page(charset="utf-8"):
    return PAGE.format(charset=charset, title=PARAGRAPHS[0], p1=PARAGRAPHS[2], p2=PARAGRAPHS[3], p3=PARAGRAPHS[4])


def test_html_keeps_report_paragraphs_in_order_and_drops_page_chrome(tmp_path):
    text = read_source(write(tmp_path, "page.html", render_page().encode("utf-8")))
    assert text.split("\n") == [PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3], PARAGRAPHS[4]]
    for chrome in ("站点标题", "样式文字", "脚本文字", "导航文字", "面包屑文字", "页脚文字", "请启用脚本", "注释文字"):
        assert chrome not in text


def test_html_saved_as_gbk_is_decoded_by_its_meta_charset(tmp_path):
    path = write(tmp_path, "page.htm", render_page("gbk").encode("gbk"))
    assert read_source(path).split("\n")[:2] == [PARAGRAPHS[0], PARAGRAPHS[2]]


@pytest.mark.parametrize(
    "meta, encoding",
    [
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gbk"),
        ('<meta charset="big5">', "big5"),
    ],
)
def test_html_declared_charset_is_used_for_non_utf8_pages(tmp_path, meta, encoding):
    page = f"<html><head>{meta}</head><body><p>林業站上半年工作總結</p></body></html>"
    assert read_source(write(tmp_path, "page.html", page.encode(encoding))) == "林業站上半年工作總結"


def test_html_declaring_gb2312_but_saved_as_utf8_is_read_as_utf8(tmp_path):
    path = write(tmp_path, "liar.html", render_page("gb2312").encode("utf-8"))
    assert read_source(path).split("\n")[0] == PARAGRAPHS[0]


def test_html_line_breaks_inside_chinese_text_do_not_add_spaces(tmp_path):
    page = "<html><body><article><p>上半年完成\n   造林任务</p><footer>巴南区林业局</footer></article></body></html>"
    assert read_source(write(tmp_path, "wrapped.html", page.encode("utf-8"))) == "上半年完成造林任务\n巴南区林业局"


def test_html_with_only_scripts_has_no_text(tmp_path):
    path = write(tmp_path, "empty.html", b"<html><script>var a = 1;</script></html>")
    assert_read_error(path, "no text")


# --- failures ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("random.bin.txt", "cannot decode"),
        ("renamed_txt.docx", "not a valid .docx"),
        ("empty.txt", "empty file"),
        ("whitespace_only.txt", "no text"),
        ("mixed_with_garbage.txt", "cannot decode"),
    ],
)
def test_committed_bad_fixtures_raise_a_read_error_naming_file_and_reason(name, reason):
    assert_read_error(BAD / name, reason)


def test_missing_file_is_reported(tmp_path):
    assert_read_error(tmp_path / "missing.txt", "file not found")


def test_directory_is_reported(tmp_path):
    folder = tmp_path / "reports.txt"
    folder.mkdir()
    assert_read_error(folder, "is a directory")


def test_unsupported_suffix_lists_the_supported_ones(tmp_path):
    err = assert_read_error(write(tmp_path, "report.ppt", b"\xd0\xcf\x11\xe0"), "unsupported file type", "'.ppt'")
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in str(err)


def test_unreadable_file_is_reported_as_permission_denied(unreadable_report, as_other_user):
    def attempt():
        try:
            read_source(unreadable_report)
        except ReportReadError as exc:
            return str(exc), type(exc.__cause__).__name__
        return None, None
    status, value = as_other_user(attempt, lambda: read_source(SAMPLE))
    assert status == "ok", value
    message, cause = value
    assert "locked.txt" in message and "permission denied" in message
    assert cause == "PermissionError"


def test_file_over_the_size_limit_is_reported_as_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 1024)
    assert_read_error(write(tmp_path, "huge.txt", TEXT.encode("utf-8")), "too large")


def test_binary_files_renamed_to_txt_cannot_be_decoded(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.txt", TEXT)
    assert_read_error(write(tmp_path, "archive.txt", buffer.getvalue()), "cannot decode")
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 64 >>\nstream\n" + random.Random(3).randbytes(512)
    assert_read_error(write(tmp_path, "scan.txt", pdf), "cannot decode")


def test_bom_less_utf16_is_not_mistaken_for_text(tmp_path):
    path = write(tmp_path, "utf16_no_bom.txt", "Forestry report 2020\n".encode("utf-16-le") * 20)
    assert_read_error(path, "cannot decode")
