"""Word .docx: paragraphs, tables, tracked insertions, content controls, hyperlinks and
text boxes in document order; deleted text (w:del, w:moveFrom) and field codes left out.

python-docx opens the package (its lxml parser resolves no entities and reaches no
network); the body is walked here because python-docx's ``Paragraph.text`` skips
runs inside w:ins, w:sdt and text boxes.
"""

from __future__ import annotations

import io
import zipfile

from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import check_zip
from forestry_analysis.io.formats.pipes import Table, join_blocks

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP = {_W + t for t in ("del", "moveFrom", "delText", "instrText", "rPr", "pPr", "sectPr", "tblPr",
                          "tblGrid", "trPr", "tcPr", "commentReference", "footnoteReference")} | {_MC_FALLBACK}
_CHARS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def read_docx(data: bytes, path) -> str:
    import docx

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReportReadError(path, "not a valid .docx: not a zip archive") from exc
    check_zip(archive, path)
    try:
        document = docx.Document(io.BytesIO(data))
        return join_blocks(_blocks(document.element.body))
    except ReportReadError:
        raise
    except Exception as exc:  # python-docx, zipfile and lxml raise many unrelated types
        raise ReportReadError(path, f"not a valid .docx: {type(exc).__name__}: {exc}") from exc


def _blocks(container):
    """Lines and Tables of a body, cell, text box or content control, in order."""
    for child in container:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == _W + "p":
            parts, boxes = [], []
            _runs(child, parts, boxes)
            yield "".join(parts)
            for box in boxes:
                yield from _blocks(box)
        elif tag == _W + "tbl":
            yield _table(child)
        else:  # w:sdt, w:sdtContent, w:ins, w:moveTo, w:customXml, w:smartTag …
            yield from _blocks(child)


def _runs(element, parts: list, boxes: list) -> None:
    """Text of a paragraph's runs into ``parts``; its text boxes into ``boxes``."""
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == _W + "t":
            parts.append(child.text or "")
        elif tag in _CHARS:
            parts.append(_CHARS[tag])
        elif tag == _W + "txbxContent":
            boxes.append(child)
        else:
            _runs(child, parts, boxes)


def _cell_text(tc) -> str:
    lines = []
    for block in _blocks(tc):
        lines.extend(" ".join(" ".join(r) for r in block) if isinstance(block, Table) else [block])
    return " ".join(line for line in lines if line.strip())


def _table(tbl) -> Table:
    """Rows of a w:tbl with horizontally (gridSpan) and vertically (vMerge) merged cells repeated."""
    rows, above = Table(), {}
    for tr in tbl.iter(_W + "tr"):
        if next(tr.iterancestors(_W + "tbl")) is not tbl:
            continue
        row, col = [], 0
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        if before is not None:
            n = int(before.get(_W + "val", "0") or 0)
            row.extend([""] * n)
            col += n
        for tc in tr.iter(_W + "tc"):
            if next(tc.iterancestors(_W + "tr")) is not tr:
                continue
            span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
            span = int(span_el.get(_W + "val", "1") or 1) if span_el is not None else 1
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val", "continue") != "restart":
                text = above.get(col, "")
            else:
                text = _cell_text(tc)
            for _ in range(span):
                above[col] = text
                row.append(text)
                col += 1
        rows.append(row)
    return rows

