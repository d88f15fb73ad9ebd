"""Rich Text Format, read with striprtf; table rows come out of it as cells ending in ``|``."""

from __future__ import annotations

from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import check_text
from forestry_analysis.io.formats.pipes import Table, join_blocks


def read_rtf(data: bytes, path) -> str:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReportReadError(path, "not a valid .rtf: it does not start with {\\rtf")
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding="gb18030", errors="replace")
    except Exception as exc:  # striprtf raises on malformed control words and code pages
        raise ReportReadError(path, f"not a valid .rtf: {type(exc).__name__}: {exc}") from exc
    check_text(text, path)
    return join_blocks(_blocks(text.split("\n")))


def _blocks(lines):
    """Consecutive lines ending in ``|`` (striprtf's \\cell) are one table."""
    table = Table()
    for line in lines:
        if line.endswith("|"):
            table.append(line.split("|")[:-1])
            continue
        if table:
            yield table
            table = Table()
        yield line.strip()
    if table:
        yield table
