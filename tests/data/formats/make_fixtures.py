"""Write the same small statistics report in every supported format (run once; outputs committed).

python-docx, openpyxl and hand-written HTML/text make the sources; LibreOffice
(``soffice --headless``, with a CJK font such as fonts-wqy-microhei installed)
converts them to .pdf, .doc, .odt, .rtf, .xls and .ods. Kingsoft WPS Office
saves .wps in the Word 97 binary format, so report.wps is the .doc under that name.

    python tests/data/formats/make_fixtures.py
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import openpyxl

HERE = Path(__file__).resolve().parent
TITLE = "某县林业局2023年营造林工作统计报告"
BEFORE = [
    "2023年，全县认真落实营造林计划，完成营造林8000亩。",
    "全年完成森林抚育1.25万亩，松材线虫病防治面积3200亩。",
]
CAPTION = "表1 2023年营造林完成情况统计表"
HEADER = ["指标", "计划(亩)", "完成(亩)", "完成率"]
ROWS = [["人工造林", 5000, 4500, 0.9], ["封山育林", 3000, 3500, 1.1667], ["合计", 8000, 8000, 1.0]]
AFTER = ["下一步将继续加强森林防火和有害生物防治工作。"]
# wrapped.pdf: a paragraph long enough to wrap over three lines of a page
WRAPPED = ["一、造林绿化",
           "2023年，全县以国土绿化行动为抓手，统筹推进山水林田湖草沙一体化保护和系统治理，全年完成人工造林"
           "4500亩、封山育林3500亩，完成森林抚育1.25万亩，森林覆盖率达到62.5%，比上年提高0.8个百分点，"
           "生态环境持续改善。",
           "二、森林防火"]


def shown(value):
    """A cell as printed: rates as percentages with one decimal."""
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def table_rows():
    return [HEADER] + [[shown(v) for v in row] for row in ROWS]


def write_docx(path):
    document = docx.Document()
    for line in [TITLE, *BEFORE, CAPTION]:
        document.add_paragraph(line)
    rows = table_rows()
    table = document.add_table(rows=len(rows), cols=len(HEADER))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in AFTER:
        document.add_paragraph(line)
    document.save(path)


def write_wrapped_docx(path):
    document = docx.Document()
    for line in WRAPPED:
        document.add_paragraph(line)
    document.save(path)


def write_html(path):
    cells = lambda row, tag: "".join(f"<{tag}>{v}</{tag}>" for v in row)
    rows = table_rows()
    body = "".join(f"<p>{line}</p>" for line in BEFORE)
    table = (f"<table border='1'><caption>{CAPTION}</caption><tr>{cells(rows[0], 'th')}</tr>"
             + "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows[1:]) + "</table>")
    after = "".join(f"<p>{line}</p>" for line in AFTER)
    path.write_text(f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body><article>"
                    f"<h1>{TITLE}</h1>{body}{table}{after}</article></body></html>", encoding="utf-8")


def write_text(path):
    widths = [10, 10, 10, 8]
    pad = lambda s, w: s + " " * max(1, w - sum(2 if ord(ch) > 0x2e80 else 1 for ch in s))
    table = ["".join(pad(v, w) for v, w in zip(row, widths)).rstrip() for row in table_rows()]
    path.write_text("\n".join([TITLE, *BEFORE, CAPTION, *table, *AFTER]) + "\n", encoding="utf-8")


def write_xlsx(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "营造林"
    sheet.append([CAPTION])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
        sheet.cell(sheet.max_row, len(HEADER)).number_format = "0.0%"
    book.save(path)


def convert(source, fmt, out_dir):
    subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(out_dir), str(source)],
                   check=True, capture_output=True, timeout=180)


def main():
    write_docx(HERE / "report.docx")
    write_html(HERE / "report.html")
    write_text(HERE / "report.txt")
    write_xlsx(HERE / "report.xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        write_wrapped_docx(Path(tmp) / "wrapped.docx")
        convert(Path(tmp) / "wrapped.docx", "pdf", tmp)
        (Path(tmp) / "wrapped.docx").unlink()
        for fmt in ("pdf", "doc", "odt", "rtf"):
            convert(HERE / "report.docx", fmt, tmp)
        for fmt in ("xls", "ods"):
            convert(HERE / "report.xlsx", fmt, tmp)
        for made in Path(tmp).iterdir():
            shutil.copyfile(made, HERE / made.name)
    shutil.copyfile(HERE / "report.doc", HERE / "report.wps")


if __name__ == "__main__":
    main()
