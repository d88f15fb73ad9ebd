"""One statistics table (title, 单位 line, 序号 column, plan/actual/rate header, a 合计 row)
written in each format by the library that writes it, at test time: every format gives the
same metrics rows and the same completion rows. The committed fixtures (tests/data/formats,
made with LibreOffice) add .doc and .wps."""
from pathlib import Path

import docx
import matplotlib
import openpyxl
import pytest

import forestry_analysis as fa

TITLE = "某县林业局2023年营造林工作总结"
BEFORE = "2023年，全县认真落实营造林计划，完成人工造林4500亩。"
CAPTION = "表1 2023年营造林完成情况"
NOTE = "单位：万亩"
HEADER = ["序号", "项目", "年度计划", "完成", "完成率"]
ROWS = [["1", "人工造林", "0.5", "0.45", "90.0%"],
        ["2", "封山育林", "0.3", "0.35", "116.7%"],
        ["", "合计", "0.8", "0.8", "100.0%"]]
AFTER = "下一步将继续加强森林防火和有害生物防治工作。"

# Typed from the table: (value in base unit, unit, kind, indicator, category)
EXPECTED_CELLS = [
    (5000, "亩", "plan", "人工造林", "afforestation"),
    (4500, "亩", "actual", "人工造林", "afforestation"),
    (90.0, "%", "rate", "人工造林完成率", "afforestation"),
    (3000, "亩", "plan", "封山育林", "afforestation"),
    (3500, "亩", "actual", "封山育林", "afforestation"),
    (116.7, "%", "rate", "封山育林完成率", "afforestation"),
    (8000, "亩", "plan", "营造林合计", "afforestation"),
    (8000, "亩", "actual", "营造林合计", "afforestation"),
    (100.0, "%", "rate", "营造林合计完成率", "afforestation"),
]
# (indicator, plan, actual, stated rate, consistent, basis)
EXPECTED_COMPLETION = [
    ("人工造林", 5000, 4500, 0.9, True, "table row"),
    ("封山育林", 3000, 3500, 1.167, True, "table row"),
    ("营造林合计", 8000, 8000, 1.0, True, "table row"),
]


def write_docx(path):
    d = docx.Document()
    for line in (TITLE, BEFORE, CAPTION, NOTE):
        d.add_paragraph(line)
    rows = [HEADER] + ROWS
    table = d.add_table(rows=len(rows), cols=len(HEADER))
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    d.add_paragraph(AFTER)
    d.save(path)


def write_xlsx(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "营造林"
    for line in (CAPTION, NOTE):
        sheet.append([line])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in ROWS:
        serial, label, plan, done, rate = row
        sheet.append([int(serial) if serial else None, label, float(plan), float(done), float(rate[:-1]) / 100])
        sheet.cell(sheet.max_row, len(HEADER)).number_format = "0.0%"
    book.save(path)


def write_html(path):
    cells = lambda row, tag: "".join(f"<{tag}>{v}</{tag}>" for v in row)
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in ROWS)
    path.write_text(
        f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f"<p>{BEFORE}</p><p>{CAPTION}</p><p>{NOTE}</p><table border='1'><thead><tr>{cells(HEADER, 'th')}</tr>"
        f"</thead><tbody>{body}</tbody></table><p>{AFTER}</p></article></body></html>", encoding="utf-8")


def write_pipe_text(path):
    table = ["| " + " | ".join(row) + " |" for row in [HEADER] + ROWS]
    path.write_text("\n".join([TITLE, BEFORE, CAPTION, NOTE, "", *table, "", AFTER]) + "\n", encoding="utf-8")


def write_aligned_text(path):
    """Columns padded with spaces to a fixed display width (a CJK character is two wide), as a
    PDF's text layer or a typed report gives them; the 合计 row has no 序号."""
    width = lambda s: sum(2 if ord(ch) > 0x2e80 else 1 for ch in s)
    pad = lambda s, w: s + " " * (w - width(s))
    widths = [8, 12, 12, 10, 8]
    table = ["".join(pad(v, w) for v, w in zip(row, widths)).rstrip() for row in [HEADER] + ROWS]
    path.write_text("\n".join([TITLE, BEFORE, CAPTION, NOTE, *table, AFTER]) + "\n", encoding="utf-8")


def write_tab_text(path):
    """Cells separated by one tab each, as copied from a spreadsheet (the 合计 row starts with a tab)."""
    table = ["\t".join(row) for row in [HEADER] + ROWS]
    path.write_text("\n".join([TITLE, BEFORE, CAPTION, NOTE, *table, AFTER]) + "\n", encoding="utf-8")


def write_pdf(path):
    """A ruled table drawn with matplotlib's PDF backend, the CJK font embedded as TrueType."""
    matplotlib.use("pdf", force=False)
    import matplotlib.pyplot as plt
    from forestry_analysis.present.fonts import cjk_rc

    with matplotlib.rc_context({**cjk_rc(), "pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        y = 0.95
        for line in (TITLE, BEFORE, CAPTION, NOTE):
            fig.text(0.1, y, line, fontsize=12)
            y -= 0.03
        xs, h, rows = [0.1, 0.2, 0.4, 0.55, 0.7, 0.85], 0.03, [HEADER] + ROWS
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                fig.text(xs[j] + 0.01, y - (i + 1) * h + 0.008, value, fontsize=11)
        for i in range(len(rows) + 1):
            fig.add_artist(plt.Line2D([xs[0], xs[-1]], [y - i * h] * 2, color="k", lw=0.8))
        for x in xs:
            fig.add_artist(plt.Line2D([x, x], [y, y - len(rows) * h], color="k", lw=0.8))
        fig.text(0.1, y - len(rows) * h - 0.04, AFTER, fontsize=12)
        fig.savefig(path)
        plt.close(fig)


WRITERS = {"docx": ("report.docx", write_docx), "pdf": ("report.pdf", write_pdf),
           "xlsx": ("report.xlsx", write_xlsx), "html": ("report.html", write_html),
           "pipe": ("pipe.txt", write_pipe_text), "aligned": ("aligned.txt", write_aligned_text),
           "tabs": ("tabs.txt", write_tab_text)}


def _cell_rows(report):
    m = report.metrics
    m = m[m.table_id.notna()]
    return [(round(r.value, 1), r.unit, r.kind, r.indicator, r.category) for r in m.itertuples()]


def _completion_rows(report):
    return [(r.indicator, r.plan, r.actual, round(r.stated_rate, 3), bool(r.consistent), r.basis)
            for r in report.completion.itertuples()]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table_formats")
    out = {}
    for fmt, (name, write) in WRITERS.items():
        write(folder / name)
        out[fmt] = fa.read_report(folder / name)
    return out


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_one_table_in_every_format_gives_the_same_cell_metrics(reports, fmt):
    assert _cell_rows(reports[fmt]) == EXPECTED_CELLS


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_one_table_in_every_format_gives_the_same_completion_rows(reports, fmt):
    assert _completion_rows(reports[fmt]) == EXPECTED_COMPLETION


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_title_and_unit_note_are_found_in_every_format(reports, fmt):
    (table,) = reports[fmt].tables
    assert table.attrs["title"] == CAPTION and table.attrs["unit_note"] == NOTE
    assert list(table.columns) == HEADER and list(table["项目"]) == [row[1] for row in ROWS]


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "pipe", "aligned", "tabs"])
def test_prose_beside_the_table_is_read_alike_in_every_document_format(reports, fmt):
    m = reports[fmt].metrics
    prose = m[m.table_id.isna()]
    assert list(zip(prose.raw, prose.value, prose.kind)) == [("4500亩", 4500, "actual")]


def test_serial_cells_are_no_metrics_in_any_format(reports):
    for fmt, report in reports.items():
        serials = report.numbers[report.numbers.reason == "serial"]
        assert list(serials.raw) == ["1", "2"], fmt


FIXTURES = Path(__file__).resolve().parent / "data" / "formats"
FIXTURE_CELLS = [
    (5000, "亩", "plan", "人工造林"), (4500, "亩", "actual", "人工造林"), (90.0, "%", "rate", "人工造林完成率"),
    (3000, "亩", "plan", "封山育林"), (3500, "亩", "actual", "封山育林"), (116.7, "%", "rate", "封山育林完成率"),
    (8000, "亩", "plan", "营造林合计"), (8000, "亩", "actual", "营造林合计"), (100.0, "%", "rate", "营造林合计完成率"),
]


@pytest.mark.parametrize("fmt", ["doc", "wps", "docx", "pdf", "html", "xlsx", "xls", "ods", "odt", "rtf", "txt"])
def test_committed_fixtures_in_every_format_give_the_same_table_rows(fmt):
    r = fa.read_report(FIXTURES / f"report.{fmt}")
    assert _cell_rows(r) == [(*cell, "afforestation") for cell in FIXTURE_CELLS]
    assert _completion_rows(r) == [
        ("人工造林", 5000, 4500, 0.9, True, "table row"), ("封山育林", 3000, 3500, 1.167, True, "table row"),
        ("营造林合计", 8000, 8000, 1.0, True, "table row")]
