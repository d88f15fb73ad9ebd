"""Spreadsheets: every sheet of an .xlsx (openpyxl), .xls (xlrd) or .ods (odfpy) as one table.

Cells are written as shown: a rate formatted as a percentage stays ``90.0%``, a
whole number stored as a float loses its ``.0``, merged cells are repeated.
openpyxl parses through defusedxml when it is installed (it is a dependency).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import TextBudget, check_zip
from forestry_analysis.io.formats.pipes import Table, join_blocks

_DECIMALS = re.compile(r"0\.(0+)%")


def shown(value, number_format: str = "General") -> str:
    """A cell value as a spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            m = _DECIMALS.search(number_format)
            return f"{value * 100:.{len(m.group(1)) if m else 0}f}%"
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 10)).rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return str(value)


def _sheet_blocks(name: str, rows: list[list[str]], budget: TextBudget, many: bool):
    budget.add("".join("".join(r) for r in rows))
    if not any(any(r) for r in rows):
        return []
    return ([name] if many else []) + [Table(rows)]


def read_xlsx(data: bytes, path) -> str:
    import openpyxl

    archive = _zip(data, path, ".xlsx")
    check_zip(archive, path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many types
        raise ReportReadError(path, f"not a valid .xlsx: {type(exc).__name__}: {exc}") from exc
    budget, blocks = TextBudget(path), []
    for sheet in book.worksheets:
        rows = [[shown(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
        for merged in sheet.merged_cells.ranges:
            value = rows[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    rows[r][c] = value
        blocks += _sheet_blocks(sheet.title, rows, budget, len(book.worksheets) > 1)
    return join_blocks(blocks)


def read_xls(data: bytes, path) -> str:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, struct.error, AssertionError …
        raise ReportReadError(path, f"not a valid .xls: {type(exc).__name__}: {exc}") from exc
    budget, blocks = TextBudget(path), []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                row.append(shown(value, fmt.format_str if fmt else "General"))
            rows.append(row)
        for r0, r1, c0, c1 in sheet.merged_cells:
            for r in range(r0, r1):
                for c in range(c0, c1):
                    rows[r][c] = rows[r0][c0]
        blocks += _sheet_blocks(sheet.name, rows, budget, book.nsheets > 1)
    return join_blocks(blocks)


def _zip(data: bytes, path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReportReadError(path, f"not a valid {kind}: not a zip archive") from exc
