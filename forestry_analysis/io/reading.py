"""Read a report file into one string: text, Word, PDF, spreadsheets, OpenDocument, RTF, HTML.

Forestry-bureau reports arrive as UTF-8 or GB18030/GBK text, Word files (.docx,
.doc, Kingsoft .wps), PDFs, spreadsheets and scraped HTML; the binary formats
have one reader each in ``formats/``. Tables in any format come out as pipe rows
(``| 指标 | 计划(亩) |``) between blank lines (see ``formats.pipes``). Everything downstream works on character offsets into the text
returned here, so text files are returned exactly as decoded (only a leading
byte-order mark is removed: no newline or Unicode normalisation). Every failure
becomes a ``ReportReadError`` naming the file and the reason, so a batch run can
report bad files instead of dying on a library traceback.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path

from forestry_analysis.config import read_limit
from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import check_text
from forestry_analysis.io.formats.pipes import Table, table_lines

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm")
DOCX_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
WORD97_SUFFIXES = (".doc", ".wps")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ODT_SUFFIXES = (".odt",)
RTF_SUFFIXES = (".rtf",)
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES + DOCX_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + WORD97_SUFFIXES
                      + SHEET_SUFFIXES + ODT_SUFFIXES + RTF_SUFFIXES)
# files kept beside a report that are not reports: a corpus passes over them without an error
SIDECAR_SUFFIXES = (".url",)
MAX_BYTES = None  # None: the FORESTRY_MAX_FILE_MB setting; a number of bytes overrides it

_UNDECODABLE = "cannot decode: not UTF-8, UTF-16 (with BOM) or GB18030 text"
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")
_WHITESPACE = re.compile(r"[\s\x1a]+")
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def read_source(path: str | os.PathLike) -> str:
    """Return the text of the report at ``path``; raise ReportReadError on any failure."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ReportReadError(path, "file not found") from exc
    except PermissionError as exc:
        raise ReportReadError(path, "permission denied") from exc
    except OSError as exc:
        raise ReportReadError(path, f"cannot read: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise ReportReadError(path, "is a directory, not a report file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReportReadError(
            path,
            f"unsupported file type {suffix or '(no suffix)'!r}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    max_bytes = MAX_BYTES if MAX_BYTES is not None else read_limit("FORESTRY_MAX_FILE_MB") * 2**20
    if size > max_bytes:
        raise ReportReadError(
            path, f"file too large: {size / 2**20:.1f} MB exceeds the {max_bytes / 2**20:g} MB limit "
                  "(setting FORESTRY_MAX_FILE_MB)"
        )
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise ReportReadError(path, "permission denied") from exc
    except OSError as exc:
        raise ReportReadError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not data:
        raise ReportReadError(path, "empty file (0 bytes)")

    text = check_text(_read_format(suffix, data, path), path)
    if not text.strip():
        raise ReportReadError(path, "no text: the file contains only whitespace")
    return text


def _read_format(suffix: str, data: bytes, path: Path) -> str:
    """The text of ``data`` by the reader for its suffix."""
    from forestry_analysis.io.formats import docx, odf, pdf, rtf, sheets, word97

    if suffix in DOCX_SUFFIXES:
        return docx.read_docx(data, path)
    if suffix in HTML_SUFFIXES:
        return _html_text(data, path)
    if suffix in PDF_SUFFIXES:
        return pdf.read_pdf(data, path)
    if suffix in WORD97_SUFFIXES:
        return word97.read_word97(data, path, suffix)
    if suffix in (".xlsx", ".xlsm"):
        return sheets.read_xlsx(data, path)
    if suffix == ".xls":
        return sheets.read_xls(data, path)
    if suffix == ".ods":
        return odf.read_ods(data, path)
    if suffix in ODT_SUFFIXES:
        return odf.read_odt(data, path)
    if suffix in RTF_SUFFIXES:
        return rtf.read_rtf(data, path)
    return check_text(decode_bytes(data, path), path)


def decode_bytes(data: bytes, path=None) -> str:
    """Decode report bytes: UTF-8 (BOM optional), UTF-16 with BOM, else GB18030.

    A multi-byte character cut off at the very end (a truncated download) is
    dropped instead of failing. A file mixing UTF-8 and GB18030 lines is decoded
    line by line. Bytes that are none of these raise ReportReadError.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    else:
        for bom, encoding in _UTF16_BOMS:
            if data.startswith(bom):
                text = _decode(data[len(bom):], encoding)
                if text is None or not _looks_like_text(text):
                    raise ReportReadError(path, f"cannot decode: invalid {encoding} after byte-order mark")
                return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode(data, "utf-8")
    if text is not None and "\x00" not in text:
        return text
    text = _decode_by_line(data)
    if text is None or not _looks_like_text(text, chinese=True):
        raise ReportReadError(path, _UNDECODABLE)
    return text


def _decode(data: bytes, encoding: str) -> str | None:
    """Strictly decode, dropping an incomplete character at the end; None if invalid."""
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _decode_by_line(data: bytes) -> str | None:
    """Decode each line as UTF-8 or GB18030; None if some line is neither.

    A line is taken as UTF-8 when that reading is ASCII or contains a CJK
    ideograph; otherwise GB18030 is preferred, because short GBK lines can
    happen to be valid (nonsense) UTF-8.
    """
    parts = []
    for line in data.splitlines(keepends=True):
        utf8 = _decode(line, "utf-8")
        if utf8 is not None and (utf8.isascii() or _CJK.search(utf8)):
            parts.append(utf8)
            continue
        gb = _decode(line, "gb18030")
        if gb is None and utf8 is None:
            return None
        parts.append(gb if gb is not None else utf8)
    return "".join(parts)


def _looks_like_text(text: str, chinese: bool = False) -> bool:
    """Whether a decoding is plausible text rather than binary that happened to decode.

    Rejects text with more than ~1% control, private-use, unassigned or
    surrogate characters. With ``chinese`` (GB18030 was involved), at least half
    of the non-ASCII characters must also be in GB2312, the common-character
    set: random high bytes decode as GB18030 but mostly to rare characters.
    """
    if not _WHITESPACE.sub("", text).isprintable():
        bad = sum(
            1
            for ch in text
            if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
        )
        if bad > 1 + len(text) // 100:
            return False
    if chinese:
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        uncommon = text.encode("gb2312", "replace").count(b"?") - text.count("?")
        return uncommon * 2 <= non_ascii
    return True


_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "gb18030"}
_DROP_TAGS = [
    "head", "script", "style", "noscript", "nav", "header", "footer", "aside",
    "form", "iframe", "template",
]
_CHROME = re.compile(r"(?<![a-z])(nav|menu|breadcrumb|footer|sidebar)", re.I)
_KEEP_TAGS = {"html", "body", "main", "article"}
_BLOCK_TAGS = [
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "section", "article", "main", "table", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "address", "figure", "figcaption", "caption", "hr",
]
_COLLAPSE = re.compile(r"[ \t\r\n\f]+")
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\f]*[\r\n][ \t\r\n\f]*(?=[\u3000-\u9fff\uff00-\uffef])")


def _html_charset_decode(data: bytes, path: Path) -> str:
    """Decode a web page: BOM or valid UTF-8 first, then its <meta charset>, else decode_bytes.

    Valid UTF-8 wins over the declared charset because scraped pages often
    keep a stale ``charset=gb2312`` after being re-saved as UTF-8.
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, path)
    text = _decode(data, "utf-8")
    if text is not None and "\x00" not in text:
        return text
    match = _META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii").lower() if match else ""
    if declared and not declared.startswith(("utf-16", "utf-32", "utf16", "utf32")):
        try:
            text = _decode(data, "gb18030" if declared in _GB_ALIASES else declared)
        except (LookupError, TypeError):
            text = None
        if isinstance(text, str):
            return text
    return decode_bytes(data, path)


def _html_text(data: bytes, path: Path) -> str:
    """Visible text of a web page, one block per line.

    Page chrome is dropped: scripts, styles, forms, nav/aside, header/footer
    outside an <article>/<main>, and elements whose class or id starts a word
    with nav, menu, breadcrumb, footer or sidebar, unless they hold at least
    half of the page's text (a mislabelled wrapper).
    """
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import CData

    soup = BeautifulSoup(_html_charset_decode(data, path), "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        in_article = tag.name in ("header", "footer") and tag.find_parent(["article", "main"])
        if not tag.decomposed and not in_article:
            tag.decompose()
    page_chars = len(soup.get_text())
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in _KEEP_TAGS:
            continue
        labels = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if _CHROME.search(labels) and len(tag.get_text()) * 2 < page_chars:
            tag.decompose()
    for string in list(soup.find_all(string=True)):
        if type(string) not in (NavigableString, CData):
            string.extract()
        elif string.find_parent("pre") is None:
            string.replace_with(_COLLAPSE.sub(" ", _CJK_BREAK.sub("", str(string))))
    for table in soup.find_all("table"):
        if not table.decomposed and table.find("table") is None:
            table.replace_with(NavigableString(_html_table(table)))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines, out = (line.strip() for line in soup.get_text().split("\n")), []
    for line in lines:
        if line == _BREAK:
            if out and out[-1] != "":
                out.append("")
        elif line:
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


_BREAK = "\ue000"  # marks the blank line around a table until empty lines are dropped
_MAX_SPAN = 100


def _html_table(table) -> str:
    """A data table (one holding no table) as its caption and pipe rows, spans repeated."""
    grid: dict[tuple[int, int], str] = {}
    caption = table.find("caption")
    title = caption.get_text(" ").strip() if caption else ""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            text = _COLLAPSE.sub(" ", cell.get_text(" ")).strip()
            span = lambda name: min(max(int(re.sub(r"\D", "", str(cell.get(name) or "1")) or 1), 1), _MAX_SPAN)
            for dr in range(span("rowspan")):
                for dc in range(span("colspan")):
                    grid.setdefault((r + dr, c + dc), text)
            c += span("colspan")
    height = max((r for r, _ in grid), default=-1) + 1
    width = max((c for _, c in grid), default=-1) + 1
    lines = table_lines(Table([[grid.get((r, c), "") for c in range(width)] for r in range(height)]))
    lines = ([title] if title else []) + lines
    return "\n" + "\n".join(_BREAK if line == "" else line for line in lines) + "\n"
