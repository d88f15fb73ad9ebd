"""OpenDocument text (.odt) and spreadsheets (.ods), read with odfpy.

Paragraphs, headings, lists and sections in order; tables as pipe rows with spanned
cells repeated; tracked deletions (text:tracked-changes) left out. Repeated empty
rows and columns (a sheet padded to a million rows) are not expanded.
"""

from __future__ import annotations

import io

from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import TextBudget, check_zip
from forestry_analysis.io.formats.pipes import Table, join_blocks
from forestry_analysis.io.formats.sheets import _zip

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SKIP = {(_TEXT, "tracked-changes"), (_TEXT, "note"), (_TEXT, "sequence-decls"), (_TABLE, "table-columns"),
         (_TABLE, "table-column"), (_OFFICE, "annotation"), (_TEXT, "soft-page-break")}


def _load(data: bytes, path, kind: str):
    from odf.opendocument import load

    check_zip(_zip(data, path, kind), path)
    try:
        return load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises KeyError, SAX errors, zipfile errors …
        raise ReportReadError(path, f"not a valid {kind}: {type(exc).__name__}: {exc}") from exc


def read_odt(data: bytes, path) -> str:
    document = _load(data, path, ".odt")
    budget = TextBudget(path)
    return join_blocks(budget.add(b) if isinstance(b, str) else b for b in _blocks(document.text))


def read_ods(data: bytes, path) -> str:
    document = _load(data, path, ".ods")
    budget, blocks = TextBudget(path), []
    sheets = [t for t in document.spreadsheet.childNodes if t.qname == (_TABLE, "table")]
    for sheet in sheets:
        rows = _rows(sheet, budget)
        if any(any(r) for r in rows):
            name = sheet.getAttrNS(_TABLE, "name") or ""
            blocks += ([name] if len(sheets) > 1 else []) + [Table(rows)]
    return join_blocks(blocks)


def _blocks(node):
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        if child.qname in ((_TEXT, "p"), (_TEXT, "h")):
            yield _text(child)
        elif child.qname == (_TABLE, "table"):
            yield Table(_rows(child, None))
        else:  # lists, list items, sections, table headers …
            yield from _blocks(child)


def _text(node) -> str:
    """A paragraph's text: spans, links, spaces (text:s), tabs, line breaks; notes left out."""
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != child.ELEMENT_NODE or child.qname in _SKIP:
            continue
        elif child.qname == (_TEXT, "s"):
            parts.append(" " * int(child.getAttrNS(_TEXT, "c") or 1))
        elif child.qname == (_TEXT, "tab"):
            parts.append("\t")
        elif child.qname == (_TEXT, "line-break"):
            parts.append("\n")
        else:
            parts.append(_text(child))
    return "".join(parts)


def _rows(table, budget) -> list[list[str]]:
    rows, above = [], {}
    for row in _descendants(table, (_TABLE, "table-row"), stop=(_TABLE, "table")):
        cells, col = [], 0
        for cell in row.childNodes:
            if cell.qname not in ((_TABLE, "table-cell"), (_TABLE, "covered-table-cell")):
                continue
            text = " ".join(p for p in (_text(p) for p in _descendants(cell, (_TEXT, "p"))) if p.strip())
            repeat = int(cell.getAttrNS(_TABLE, "number-columns-repeated") or 1)
            if cell.qname == (_TABLE, "covered-table-cell"):
                text = cells[-1] if cells and cells[-1] else above.get(col, "")
                span_down = 1
            else:
                span_down = int(cell.getAttrNS(_TABLE, "number-rows-spanned") or 1)
            if not text:
                repeat = min(repeat, 64)
            for _ in range(repeat):
                cells.append(text)
                if cell.qname == (_TABLE, "table-cell") and span_down > 1:
                    above[col] = text
                col += 1
        if budget is not None:
            budget.add("".join(cells))
        repeat = int(row.getAttrNS(_TABLE, "number-rows-repeated") or 1)
        rows.extend([cells] * (min(repeat, 10_000) if any(cells) else 1))
    return rows


def _descendants(node, qname, stop=None):
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == qname:
            yield child
        elif child.qname != stop:
            yield from _descendants(child, qname, stop)
