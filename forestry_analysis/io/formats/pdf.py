"""PDF: the text layer in reading order (pypdfium2) with ruled tables as pipe rows (pdfplumber).

pdfplumber (pdfminer) is slow, so it runs only on pages that draw lines or boxes;
the text outside each table comes from PDFium, band by band from top to bottom, and a
paragraph wrapped over several lines comes out as one line, like the other formats.
A PDF with no text layer at all (a scan) is refused: it needs OCR first.
"""

from __future__ import annotations

import io
import re

from forestry_analysis.config import read_limit
from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import TextBudget, over
from forestry_analysis.io.formats.pipes import Table, join_blocks

_ENDS = tuple("。！？；：!?;:")
_MIN_PATHS = 4
# PDF writers place CJK and Latin runs apart; the text layer then has a space between them
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=\S)|(?<=\S) (?=[\u3000-\u9fff\uff00-\uffef])")  # a ruled table draws at least this many lines or boxes


def read_pdf(data: bytes, path) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = "encrypted (password needed)" if "password" in str(exc).lower() else f"not a valid PDF: {exc}"
        raise ReportReadError(path, reason) from exc
    try:
        pages = len(document)
        limit = read_limit("FORESTRY_MAX_PDF_PAGES")
        if pages > limit:
            raise over(path, "PDF has", f"{pages} pages", "FORESTRY_MAX_PDF_PAGES", f"{limit} pages")
        budget, blocks, plumber = TextBudget(path), [], None
        for index in range(pages):
            page = document[index]
            textpage = page.get_textpage()
            paths = sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))
            tables = []
            if paths >= _MIN_PATHS:
                if plumber is None:
                    import pdfplumber
                    plumber = pdfplumber.open(io.BytesIO(data))
                tables = sorted(plumber.pages[index].find_tables(), key=lambda t: t.bbox[1])
            width, height = page.get_size()
            segments = _segments(textpage)
            top = 0.0
            for table in tables:
                x0, t_top, x1, t_bottom = table.bbox
                blocks.extend(_band(segments, height, top, t_top, budget))
                rows = _filled(table.extract())
                budget.add("".join("".join(r) for r in rows))
                blocks.append(Table(rows))
                top = t_bottom
            blocks.extend(_band(segments, height, top, height, budget))
            textpage.close()
            page.close()
        if plumber is not None:
            plumber.close()
    finally:
        document.close()
    if budget.used == 0 or not any(b.strip() for b in blocks if isinstance(b, str)) and not any(
            isinstance(b, Table) for b in blocks):
        raise ReportReadError(path, f"no text layer in {pages} page(s): a scanned PDF needs OCR first")
    return join_blocks(blocks)


def _segments(textpage) -> list[tuple]:
    """PDFium's text segments of a page: (left, bottom, right, top, text), in stream order."""
    out = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        out.append((left, bottom, right, top, textpage.get_text_bounded(left, bottom, right, top)))
    return out


def _band(segments, height, top, bottom, budget) -> list[str]:
    """Lines of text between ``top`` and ``bottom`` (measured from the page top), a paragraph
    wrapped over several lines joined into one: a line that reaches the right edge of the
    page's text and ends in no sentence mark goes on in the next line."""
    lines = []  # [text, right, top, bottom]
    for left, low, right, high, text in segments:
        middle = height - (low + high) / 2
        if not top <= middle <= bottom:
            continue
        budget.add(text)
        text = text.replace("\r", "").replace("\n", " ")
        if lines and low < lines[-1][2] and high > lines[-1][3] and right > lines[-1][1] - 1:
            lines[-1][0] += text
            lines[-1][1] = max(lines[-1][1], right)
        else:
            lines.append([text, right, high, low])
    if not lines:
        return []
    edge = max(s[2] for s in segments)
    out, joining = [], False
    for text, right, high, low in lines:
        text = _CJK_GAP.sub("", text.strip())
        if not text:
            continue
        if joining and out:
            out[-1] += text if (out[-1][-1:] > "\u2e80" or text[:1] > "\u2e80") else " " + text
        else:
            out.append(text)
        joining = right >= edge - 1.5 * (high - low) and not text.endswith(_ENDS)
    return out


def _filled(rows) -> list[list[str]]:
    """pdfplumber marks a cell covered by a merge as None: repeat the cell it belongs to."""
    out = []
    for r, row in enumerate(rows):
        filled = []
        for c, cell in enumerate(row):
            if cell is None:
                cell = filled[c - 1] if c and filled[c - 1] else (out[r - 1][c] if r and c < len(out[r - 1]) else "")
            filled.append(_CJK_GAP.sub("", cell))
        out.append(filled)
    return out
