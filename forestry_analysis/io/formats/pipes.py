"""Tables rendered into report text as pipe rows, the form the table parser reads.

A table becomes one line per row, ``| 指标 | 计划(亩) | 完成(亩) | 完成率 |``, with
merged cells repeated, a blank line before and after. Leading rows that hold a
single value (a caption or 单位 note merged across the table) become plain lines.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


class Table(list):
    """Rows of cell strings, as read from a file (merged cells already repeated)."""


def clean_cell(value) -> str:
    """One line per cell: inner whitespace collapsed, a literal pipe made full-width."""
    return _SPACE.sub(" ", "" if value is None else str(value)).strip().replace("|", "｜")


def table_lines(rows) -> list[str]:
    """Caption lines, then the pipe rows; empty rows and empty trailing columns dropped."""
    rows = [[clean_cell(c) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    width = max((max((i + 1 for i, c in enumerate(row) if c), default=0) for row in rows), default=0)
    rows = [(row + [""] * width)[:width] for row in rows]
    lines = []
    while rows and len({c for c in rows[0] if c}) <= 1 and width > 1:
        lines.append(next(c for c in rows.pop(0) if c))
    if rows and width == 1:
        return lines + [row[0] for row in rows]
    if rows:
        lines.append("")
        lines.extend("| " + " | ".join(row) + " |" for row in rows)
        lines.append("")
    return lines


def join_blocks(blocks) -> str:
    """Lines and Tables in order → text: one line each, tables set off by blank lines."""
    out: list[str] = []
    for block in blocks:
        lines = table_lines(block) if isinstance(block, Table) else [block]
        for line in lines:
            if line == "" and out and out[-1] == "":
                continue
            out.append(line)
    while out and out[0] == "":
        out.pop(0)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)
