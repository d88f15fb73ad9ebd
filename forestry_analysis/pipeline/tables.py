"""Statistics tables found in report text, and their cells as metrics.

Readers render every table into ``Report.text`` as a pipe table (``| 指标 | 计划(亩) | 完成(亩) |``);
a PDF text layer or a plain-text report gives columns aligned with two or more spaces (cells
placed under their columns by display width, so an empty cell is a gap) or separated by tabs;
a table flattened to a list has its header one cell per line (序号 / 项目 / 单位 / 计划 / 完成)
or on one line split by single spaces. ``find_tables`` finds these shapes, resolves the header
rows into one label per column (a merged header cell is repeated over the columns it spans),
fills merged row labels, and keeps the offsets of every cell in the text. ``cell_metrics``
turns the value cells into metrics rows: indicator from the row label (plus the column's
subject when the column measures something of the row), unit from the cell, a unit column,
the row label (造林面积(亩)), the header or the table's unit note, kind from the header. Why here and not in the prose extractor: a table's numbers have no unit or
verb beside them; their meaning is in the row and column they stand in.
All word lists are in ``lexicon/tables.toml``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from forestry_analysis.pipeline import categories
from forestry_analysis import lexicon
from forestry_analysis.doc.normalize import half_width, to_simplified
from forestry_analysis.pipeline.quantities.numbers import scan
from forestry_analysis.pipeline.quantities.units import match_scale, match_unit, scaled, units

_ALIGNED_SPLIT = re.compile(r"(?:\t|  )[ \t]*")
_PIPE = re.compile(r"\|")
_RULE = re.compile(r"^[\s|:\-—=+]*$")          # |---|:--:| separator line
_YEAR = re.compile(r"^(?:19|20)\d\d(?:[-—~至到](?:19|20)?\d\d)?\s*年度?(?:\d{1,2}月)?(?:[上下]半年)?$"
                   r"|^(?:19|20)\d\d[-—~至到](?:19|20)?\d\d$"
                   r"|^\d{1,2}月(?:\d{1,2}日)?$|^(?:19|20)\d\d[./-](?:0?[1-9]|1[0-2])(?:[./-]\d{1,2})?$")
_BRACKET = re.compile(r"\(([^()]*)\)|/\s*(\S+)$")
_MAX_CELL = 40          # a longer piece between wide spaces is prose, not a cell


@lru_cache(maxsize=1)
def _lex():
    d = lexicon.toml("tables.toml")
    d["_note"] = re.compile(d["note"]["pattern"])
    return d


def _has(text, words) -> bool:
    return any(w in text for w in words)


@dataclass
class Cell:
    row: int        # line of the table (headers included), 0-based
    col: int
    raw: str        # stripped cell text, as in Report.text
    start: int      # offsets into Report.text
    end: int
    text: str = ""  # simplified, half-width copy of raw


@dataclass
class Table:
    table_id: int
    shape: str                                  # pipe or aligned
    start: int
    end: int
    lines: list[list[Cell]]                     # every row, header rows first, merged cells filled
    n_header: int = 0
    labels: list[str] = field(default_factory=list)   # one per column
    title: str = ""
    title_span: tuple[int, int] | None = None
    unit_note: str = ""
    note_span: tuple[int, int] | None = None

    @property
    def body(self) -> list[list[Cell]]:
        return self.lines[self.n_header:]


# -- cell values -------------------------------------------------------------------------

@dataclass
class Value:
    value: float | None      # as written, no scale applied
    scale: str
    factor: float
    unit: object             # units.Unit or None
    missing: bool
    approx: bool
    num_start: int           # offsets inside the cell text
    num_end: int


def _is_empty(text: str) -> bool:
    t = text.strip()
    return not t or t in _lex()["cells"]["empty"]


def cell_value(text: str) -> Value | None:
    """The quantity a cell holds: a number (with its scale and unit if written), a
    placeholder (missing), or None for an empty cell, a label, a year or a date."""
    t = text.strip()
    if _is_empty(t) or _YEAR.match(t):
        return None
    toks = [k for k in scan(t) if k.form != "chinese" or k.value is not None]
    toks = [k for k in toks if k.form in ("arabic", "placeholder") or k.percent or k.end - k.start == len(t)]
    if not toks:
        if re.fullmatch(r"[xX×*?？]+", t):
            return Value(None, "", 1.0, None, True, False, 0, len(t))
        return None
    k = toks[0]
    if k.value and re.fullmatch(r"(?:19|20)\d\d", k.raw) and t[k.end:k.end + 1] in ("年", "-", "—", "~"):
        return None          # 2023年计划: a year in a header
    rest_before = t[:k.start]
    if re.search(r"[\u4e00-\u9fff]{3,}", rest_before):
        return None          # "一、森林抚育" style label with a number inside
    pos, scale, factor = k.end, "", 1.0
    if k.percent:
        unit = units()["%"]
    else:
        sc = match_scale(t, pos)
        if sc and (match_unit(t, pos + len(sc[0])) or pos + len(sc[0]) == len(t)):
            scale, factor = sc
            pos += len(scale)
        unit = match_unit(t, pos)
        if unit is not None:
            pos += len(unit.surface)
    approx = _has(t[:k.start] + t[pos:], _lex()["cells"]["approx"])
    missing = k.form == "placeholder"
    return Value(None if missing else k.value, scale, factor, unit, missing, approx, k.start, pos)


@lru_cache(maxsize=1)
def _per_unit_words() -> tuple[str, ...]:
    return tuple(_lex()["cells"]["per_unit"])


def _per_unit(text: str) -> bool:
    """Whether a cell opens with a per-unit word (每, 亩均, 人均 …)."""
    return text.strip().startswith(_per_unit_words())


def _numeric(text: str) -> bool:
    """Whether a cell holds a value (a bare year such as 2023 in a header row does not count)."""
    return cell_value(text) is not None and not re.fullmatch(r"\s*(?:19|20)\d\d\s*", text)


def header_unit(label: str):
    """(scale, factor, Unit) a header or a unit note names: 年度计划(亩), 完成(万亩), 面积/公顷."""
    for m in _BRACKET.finditer(label):
        inner = (m.group(1) or m.group(2) or "").strip()
        inner = _lex()["_note"].sub("", inner)
        got = unit_at(inner)
        if got:
            return got
    return None


def unit_at(text: str):
    """(scale, factor, Unit) written at the start of ``text``: 万亩, 亩, 万株, %, 万元."""
    text = text.strip()
    sc = match_scale(text, 0)
    if sc and match_unit(text, len(sc[0])):
        return sc[0], sc[1], match_unit(text, len(sc[0]))
    u = match_unit(text, 0)
    return ("", 1.0, u) if u else None


# -- detection ----------------------------------------------------------------------------

def _lines(text):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _pipe_cells(line, off):
    """Cells of a pipe-table line: (start, end) of each stripped piece between bars."""
    if "|" not in line:
        return None
    bars = [m.start() for m in _PIPE.finditer(line)]
    s = line.lstrip()
    if len(bars) < 2 or not s.startswith("|"):
        return None
    if not line.rstrip().endswith("|"):
        bars.append(len(line))
    out = []
    for a, b in zip(bars, bars[1:]):
        seg = line[a + 1:b]
        lead = len(seg) - len(seg.lstrip()) if seg.strip() else 0
        out.append((off + a + 1 + lead, off + a + 1 + len(seg.rstrip())))
    return out


def _aligned_cells(line, off):
    """Cells of a line whose pieces are separated by two or more spaces or a tab."""
    if "|" in line or "。" in line:
        return None
    stripped = line.strip()
    if not stripped:
        return None
    lead = len(line) - len(line.lstrip())
    if "\t" in stripped and "  " not in stripped:       # tab-separated: an empty cell between two tabs
        out, pos = [], 0
        for piece in line.rstrip(" \r").split("\t"):
            out.append((off + pos, off + pos + len(piece.strip())) if piece.strip() else (off + pos, off + pos))
            pos += len(piece) + 1
        return out if len(out) >= 2 and all(b - a <= _MAX_CELL for a, b in out) else None
    out, pos = [], lead
    for m in _ALIGNED_SPLIT.finditer(line, lead):
        if m.start() >= len(line.rstrip()):
            break
        out.append((off + pos, off + m.start()))
        pos = m.end()
    out.append((off + pos, off + len(line.rstrip())))
    if len(out) < 2 or any(b - a > _MAX_CELL for a, b in out):
        return None
    return out


def _blocks(work, splitter, shape):
    """Runs of consecutive lines that ``splitter`` cuts into cells."""
    run = []
    for off, line in _lines(work):
        cells = splitter(line, off)
        if shape == "pipe" and cells is not None and _RULE.match(line):
            run.append(None)           # header/body separator
            continue
        if cells:
            run.append(cells)
            continue
        if run:
            yield run
        run = []
    if run:
        yield run


def _is_header(cells) -> bool:
    """Whether short texts are a table's header: the first names the rows (序号, 项目, 指标…),
    another a kind of value (计划, 完成, 完成率…), none is a number or a 单位 note."""
    lx = _lex()["header"]
    if len(cells) < 3 or not cells[0].startswith(_row_name_words()):
        return False
    if not any(_has(c, lx["plan"] + lx["actual"] + lx["rate"]) for c in cells[1:]):
        return False
    return all(len(c) <= 12 and not _numeric(c) and not _lex()["_note"].search(c)
               and not re.search(r"[。，；,;]", c) for c in cells)


def _row_fits(header, cells) -> bool:
    """Whether ``cells`` are a body row under ``header``: a value, placeholder or nothing under
    every kind header (at least one value), short labels elsewhere."""
    lx = _lex()["header"]
    kinds = lx["plan"] + lx["actual"] + lx["rate"]
    got = False
    for h, c in zip(header, cells):
        if _has(h, kinds) and not h.startswith(_row_name_words()):
            if cell_value(c) is None and not _is_empty(c):
                return False
            got = got or cell_value(c) is not None
        elif len(c) > _MAX_CELL or "。" in c:
            return False
    return got


@lru_cache(maxsize=1)
def _row_name_words() -> tuple[str, ...]:
    """The words a header's first cell starts with (序号, 项目, 指标 …)."""
    lx = _lex()["header"]
    return tuple(lx["serial"] + lx["label"])


def _list_at(work, lines, i):
    """A table flattened to a list at line ``i``: the header one cell per line (序号 / 项目 / 单位 /
    计划 / 完成, then each row as many lines) or on one line split by single spaces (then
    each row a line). (rows of cell spans, next line index) or None."""
    off, line = lines[i]
    if not line.lstrip().startswith(_row_name_words()):
        return None   # either header's first cell starts the line and names the rows (_is_header)
    tokens = [(off + m.start(), off + m.end()) for m in re.finditer(r"\S+", line)]
    text = lambda sp: work[sp[0]:sp[1]]
    if len(tokens) >= 3 and _is_header([text(t) for t in tokens]):
        header, rows, j = [text(t) for t in tokens], [tokens], i + 1
        while j < len(lines):
            o, ln = lines[j]
            cells = [(o + m.start(), o + m.end()) for m in re.finditer(r"\S+", ln)]
            if len(cells) != len(header) or not _row_fits(header, [text(c) for c in cells]):
                break
            rows.append(cells)
            j += 1
        return (rows, j) if len(rows) > 1 else None
    single = []
    for o, ln in lines[i:i + 13]:
        stripped = ln.strip()
        if not stripped or " " in stripped or len(stripped) > 12 or _numeric(stripped):
            break
        lead = len(ln) - len(ln.lstrip())
        single.append((o + lead, o + lead + len(stripped)))
    for k in range(len(single), 2, -1):
        header = [text(sp) for sp in single[:k]]
        if not _is_header(header):
            continue
        rows, j = [single[:k]], i + k
        while j + k <= len(lines):
            cells = []
            for o, ln in lines[j:j + k]:
                lead = len(ln) - len(ln.lstrip())
                cells.append((o + lead, o + len(ln.rstrip())))
            if any(a >= b for a, b in cells) or not _row_fits(header, [text(c) for c in cells]):
                break
            rows.append(cells)
            j += k
        if len(rows) > 1:
            return rows, j
    return None


def _list_blocks(work):
    """Runs of a table flattened to a list (see ``_list_at``), each as rows of cell spans."""
    lines, i = list(_lines(work)), 0
    while i < len(lines):
        got = _list_at(work, lines, i)
        if got:
            yield got[0]
            i = got[1]
        else:
            i += 1


def _spread(cells, n):
    """A header row with fewer cells than the table: each merged cell repeated over the
    columns it spans (k cells over n columns: the first stays, the rest share n-1 evenly)."""
    k = len(cells)
    if k == n:
        return cells
    if k > 1 and (n - 1) % (k - 1) == 0:
        rep = (n - 1) // (k - 1)
        return [cells[0]] + [c for c in cells[1:] for _ in range(rep)]
    return cells + [None] * (n - k)


def _width(s: str) -> int:
    """Display width of ``s``: a CJK character is two columns, a tab runs to the next multiple of 8."""
    w = 0
    for ch in s:
        w = (w // 8 + 1) * 8 if ch == "\t" else w + (2 if unicodedata.east_asian_width(ch) in "WF" else 1)
    return w


def _columns_at(work, spans):
    """(first, last) display column of each cell of one line."""
    line_start = work.rfind("\n", 0, spans[0][0]) + 1
    return [(_width(work[line_start:a]), _width(work[line_start:b])) for a, b in spans]


def _grid(work, rows, n):
    """Where each column starts on screen, from the first line that has every column."""
    full = next(r for r in rows if len(r) == n)
    return [a for a, _ in _columns_at(work, full)]


def _place(work, spans, grid):
    """A line with fewer cells than the table: each cell under the column it overlaps most
    (an empty cell leaves a gap, not a shift); None where nothing stands."""
    bounds = list(zip(grid, grid[1:] + [10 ** 6]))
    out = [None] * len(grid)
    for sp, (a, b) in zip(spans, _columns_at(work, spans)):
        overlap = [min(b, hi) - max(a, lo) for lo, hi in bounds]
        j = max(range(len(grid)), key=lambda k: (overlap[k], -abs(grid[k] - a)))
        if out[j] is not None:
            return spans + [None] * (len(grid) - len(spans))
        out[j] = sp
    return out


def _fill_merged_labels(body):
    """A row label merged down over several rows (written once, in the first): the rows below
    with nothing in the first column take it, unless it is a serial number or a total."""
    above = None
    for row in body:
        first = row[0]
        if first.start is None and above is not None and any(c.start is not None for c in row[1:]):
            row[0] = Cell(first.row, 0, above.raw, above.start, above.end, above.text)
        elif first.start is not None:
            label = first.text.strip()
            above = None if _numeric(label) or is_total(label) else first


def _make(work, text, run, shape, tid):
    rows = [r for r in run if r is not None]
    if len(rows) < 2:
        return None
    n = max(len(r) for r in rows)
    if shape == "aligned":
        counts = [len(r) for r in rows]
        if counts.count(n) < 2 and not (len(rows) == 2 and counts[0] == counts[1]):
            return None
    lines = []
    sep = next((i for i, r in enumerate(run) if r is None), None)
    grid = _grid(work, rows, n) if shape == "aligned" else None
    for i, spans in enumerate(rows):
        is_value_row = any(_numeric(work[a:b]) for a, b in spans[1:])
        if len(spans) < n and is_value_row and grid is not None:
            spans = _place(work, spans, grid)
        elif len(spans) < n:
            spans = _spread(spans, n) if not is_value_row else spans + [None] * (n - len(spans))
        row = []
        for j, sp in enumerate(spans):
            a, b = sp if sp is not None else (None, None)
            row.append(Cell(i, j, "" if a is None else text[a:b], a, b, "" if a is None else work[a:b]))
        lines.append(row)
    # Header rows: from the top, rows with no value cell past the first column (a pipe
    # table's separator line says where they end).
    if sep is not None and 0 < sep <= 3:
        n_header = sep
    else:
        n_header = 0
        while n_header < min(3, len(lines) - 1) and (not any(_numeric(c.text) for c in lines[n_header][1:])
                                                     or _column_numbers(lines[n_header])):
            n_header += 1
    body = lines[n_header:]
    if not any(_numeric(c.text) for r in body for c in r[1:]):
        return None
    if shape == "aligned":
        _fill_merged_labels(body)
    starts = [c.start for r in lines for c in r if c.start is not None]
    ends = [c.end for r in lines for c in r if c.end is not None]
    first, last = min(starts), max(ends)
    line_end = work.find("\n", last)
    t = Table(tid, shape, work.rfind("\n", 0, first) + 1, len(work) if line_end < 0 else line_end, lines, n_header)
    t.labels = _labels(lines[:n_header], n)
    return t


def _column_numbers(row) -> bool:
    """The row numbering the columns under the header (甲 | 乙 | 丙 | 1 | 2 | 3)."""
    return bool(row) and row[0].text.strip() in _lex()["rows"]["column_numbers"]


def _labels(headers, n):
    """One label per column: the distinct header texts of the column, top to bottom."""
    headers = [r for r in headers if not _column_numbers(r)]
    out = []
    for j in range(n):
        parts = []
        for r in headers:
            c = r[j] if j < len(r) else None
            txt = c.text.strip() if c is not None else ""
            if txt and txt not in parts:
                parts.append(txt)
        out.append("".join(parts) if parts else f"列{j + 1}")
    return out


def _context(work, text, t: Table):
    """The title (the line before the table) and the unit note (单位：万亩) above or in it."""
    before = work[:t.start].rstrip("\n \t").split("\n")
    pos = len(work[:t.start].rstrip("\n \t"))
    cand = []
    for line in reversed(before[-3:]):
        s = pos - len(line)
        cand.append((s, line))
        pos = s - 1
        if line.strip() and not _lex()["_note"].search(line):
            break
    rx = _lex()["_note"]
    for s, line in cand:
        m = rx.search(line)
        if m and not t.unit_note:
            got = unit_at(line[m.end():])
            if got:
                a = s + m.start()
                close = line.find(")", m.end())
                b = s + (close + 1 if close >= 0 else m.end() + len(got[0]) + len(got[2].surface))
                t.unit_note, t.note_span = text[a:b].strip(), (a, b)
    for s, line in cand:
        stripped = line.strip()
        if stripped and (t.note_span is None or not (t.note_span[0] <= s and s + len(line) <= t.note_span[1] + 1)):
            if len(stripped) <= 60 and not stripped.endswith(("。", ":", "：")) or "表" in stripped[:40]:
                lead = len(line) - len(line.lstrip())
                a, b = s + lead, s + lead + len(stripped)
                if t.note_span and t.note_span[0] >= a and t.note_span[1] <= b:
                    b = t.note_span[0]
                t.title = text[a:b].strip()
                t.title_span = (a, a + len(t.title))
            break


def find_tables(text: str, work: str | None = None) -> list[Table]:
    """Every statistics table in ``text`` (Report.text): pipe tables, then aligned columns
    outside them; offsets into ``text``. ``work``: ``text`` half-width and simplified when
    the caller has it (``Normalized.text`` of a text nothing was cut from)."""
    work = to_simplified(half_width(text)) if work is None else work
    if len(work) != len(text):
        work = half_width(text)
    found = []
    for run in _blocks(work, _pipe_cells, "pipe"):
        t = _make(work, text, run, "pipe", len(found))
        if t:
            found.append(t)
    taken = [(t.start, t.end) for t in found]
    for run in _blocks(work, _aligned_cells, "aligned"):
        first = next(c for c in run if c)
        if any(a <= first[0][0] < b for a, b in taken):
            continue
        t = _make(work, text, run, "aligned", len(found))
        if t:
            found.append(t)
    taken = [(t.start, t.end) for t in found]
    for run in _list_blocks(work):
        if any(a <= run[0][0][0] < b for a, b in taken):
            continue
        t = _make(work, text, run, "list", len(found))
        if t:
            found.append(t)
    found.sort(key=lambda t: t.start)
    for i, t in enumerate(found):
        t.table_id = i
        _context(work, text, t)
    return found


# -- columns and rows -----------------------------------------------------------------------

@dataclass
class Columns:
    serial: set
    unit: int | None
    labels: list[int]
    values: list[int]
    dates: set = field(default_factory=set)   # 完成日期, 时间: never metrics, never the row label


def columns(t: Table) -> Columns:
    """Which columns are serial numbers, the unit column, label columns and value columns."""
    lx = _lex()["header"]
    n = len(t.labels)
    serial, labels, values, unit, dates = set(), [], [], None, set()
    kind_words = lx["plan"] + lx["actual"] + lx["rate"]
    for j in range(n):
        h = t.labels[j] if t.n_header else ""
        cells = [r[j].text.strip() for r in t.body if j < len(r) and r[j].start is not None]
        cells = [c for c in cells if not _is_empty(c)]
        if h and any(h.startswith(w) for w in lx["serial"] + lx["score"]):
            serial.add(j)
        elif h and _has(h, lx["date"]) and not header_unit(h):
            dates.add(j)
        elif h and h.strip() in lx["unit_column"] and sum(unit_at(c) is not None for c in cells) * 2 > len(cells):
            unit = j
        elif not t.n_header and j == 0 and cells and all(re.fullmatch(r"\d{1,3}[.、]?", c) for c in cells):
            serial.add(j)
        elif j == 0 or (h and _has(h, lx["label"]) and not header_unit(h) and not _has(h, kind_words)) or \
                sum(_numeric(c) for c in cells) * 2 < len(cells):
            labels.append(j)
        else:
            values.append(j)
    if not labels and values and values[0] == 0:
        values.pop(0)
        labels.append(0)
    return Columns(serial, unit, labels, values, dates)


def is_total(label: str) -> bool:
    return _has(label.replace(" ", ""), _lex()["rows"]["total"])


def totals(t: Table, cols: Columns) -> dict[int, int]:
    """Body row → the body row of the 合计/小计 row that sums it. A total below its rows sums
    the rows since the previous total; a total in the first body row sums all rows after it
    (up to the next total of the same word)."""
    labels = [_row_label(r, cols) for r in t.body]
    tot = [i for i, lab in enumerate(labels) if is_total(lab)]
    out = {}
    for k, i in enumerate(tot):
        if i == 0 or (k == 0 and i == min(tot) and all(j > i for j in tot[1:]) and i < 2):
            nxt = tot[k + 1] if k + 1 < len(tot) else len(labels)
            parts = range(i + 1, len(labels)) if "小计" not in labels[i] and all(
                "小计" in labels[j] for j in tot[k + 1:]) and tot[k + 1:] else range(i + 1, nxt)
        else:
            prev = tot[k - 1] if k else -1
            parts = range(prev + 1, i)
        for j in parts:
            if j not in tot:
                out.setdefault(j, i)
    return out


def _row_label(row, cols: Columns) -> str:
    for j in reversed(cols.labels):
        if j < len(row) and row[j].text.strip() and not _is_empty(row[j].text):
            return row[j].text.strip()
    return ""


def _label_unit(label: str):
    """A row label without the unit it names, and that unit: 造林面积(亩) → 造林面积, (', 1.0, 亩)."""
    for m in _BRACKET.finditer(label):
        got = header_unit(m.group(0))
        if got:
            return (label[:m.start()] + label[m.end():]).strip(), got
    return label, None


def _clean_label(text: str) -> str:
    t = re.sub(r"^\s*(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十\d]+\)|\d+[.、])\s*", "", text)
    return re.sub(r"\s+", "", t)


def _title_subject(title: str) -> str:
    """What a table's title says the table counts: 表1 2023年营造林完成情况 → 营造林."""
    lx = _lex()["header"]
    s = re.sub(r"^\s*(?:附)?表\s*[\d一二三四五六七八九十]+[.:：、]?\s*", "", title or "")
    s = re.sub(r"\(.*?\)|(?:19|20)\d\d\s*年?度?", "", s)
    for w in lexicon.longest_first(lx["title_filler"] + lx["period"]):
        s = s.replace(w, "")
    return re.sub(r"[\s的:：]+", "", s)


def column_kind(label: str, unit) -> str:
    lx = _lex()["header"]
    if (unit is not None and unit.family in ("percent", "ratio")) or _has(label, lx["rate"]):
        return "rate"
    best, where = "actual", -1
    for kind in ("plan", "actual"):
        for w in lx[kind]:
            i = label.rfind(w)
            if i > where:
                best, where = kind, i
    return best


def column_subject(label: str, kind: str) -> str:
    """What a column measures beyond its kind word: 防治面积(亩) → 防治面积; 年度计划(亩) → ''."""
    lx = _lex()["header"]
    s = _BRACKET.sub("", label)
    s = re.sub(r"(?:19|20)\d\d\s*年?度?", "", s)
    for w in lexicon.longest_first(lx["period"]):
        s = s.replace(w, "")
    if kind != "rate":
        for w in lexicon.longest_first(lx["plan"] + lx["actual"]):
            s = s.replace(w, "")
    s = re.sub(r"^[的\s]+|[\s:：]+$", "", s)
    return s if len(s) >= 2 and not re.fullmatch(r"列\d+", s) else ""


# -- metrics ----------------------------------------------------------------------------

@dataclass
class CellMetric:
    """A table cell that is a metric, offsets into Report.text."""
    table: Table
    cell: Cell
    row: int                 # body row
    value: float | None      # in base unit
    unit: object
    unit_written: str
    approx: bool
    missing: bool
    kind: str
    indicator: str
    row_label: str
    col_label: str
    group: str               # outer row labels (造林 over 人工造林)
    total: bool
    total_row: int | None    # body row of the total that sums this one


def cell_metrics(t: Table) -> list[CellMetric]:
    """The value cells of a table as metrics (placeholders missing; empty cells skipped)."""
    cols = columns(t)
    note_unit = unit_at(_lex()["_note"].sub("", half_width(t.unit_note))) if t.unit_note else None
    tot_of = totals(t, cols)
    lx = _lex()["header"]
    out = []
    for i, row in enumerate(t.body):
        label, row_unit = _label_unit(_row_label(row, cols))
        label = _clean_label(label)
        group = "".join(_clean_label(row[j].text) for j in cols.labels[:-1] if j < len(row))
        if cols.unit is not None and cols.unit < len(row):
            row_unit = unit_at(row[cols.unit].text) or row_unit
        for j in cols.values:
            if j >= len(row) or row[j].start is None:
                continue
            c = row[j]
            v = cell_value(c.text)
            if v is None or (v.unit is None and _per_unit(c.text)):
                continue     # 每亩300: an amount per 亩 whose own unit is not written
            col_label = t.labels[j]
            h_unit = header_unit(col_label)
            if v.unit is not None:
                scale, factor, unit = v.scale, v.factor, v.unit
            else:
                rate_column = column_kind(col_label, h_unit[2] if h_unit else None) == "rate"
                got = h_unit if rate_column else row_unit or h_unit or note_unit
                if got and v.scale:
                    got = (v.scale + got[0], v.factor * got[1], got[2])
                scale, factor, unit = got if got else (v.scale, v.factor, None)
            kind = column_kind(col_label, unit)
            if kind == "actual" and not _has(col_label, lx["actual"]) and _has(t.title, lx["plan"]):
                kind = column_kind(t.title, unit)       # 防治任务表: a column with no kind word
            if unit is None and kind == "rate":
                scale, factor, unit = "", 1.0, units()["%"]
            subject = column_subject(col_label, kind) if t.n_header else ""
            name = _title_subject(t.title) + label if is_total(label) else label
            ind = name + subject if subject and subject not in name else (name or subject or col_label)
            value = None if v.value is None else scaled(v.value, factor, unit.to_base if unit else 1.0)
            written = scale + unit.surface if unit else scale
            out.append(CellMetric(t, c, i, value, unit, written, v.approx, v.missing, kind, ind,
                                  label, col_label, group, is_total(label), tot_of.get(i)))
    return out


def category(m: CellMetric, headings=(), votes=None) -> str:
    """Work category from the indicator, the row group, the column, the title, then the sections."""
    ctx = [(m.indicator, 3), (m.group, 2), (m.col_label, 1.5), (m.table.title, 1.5)] + list(headings)
    return categories.classify(ctx, votes=votes)


def skipped_spans(tables: list[Table]) -> list[tuple[int, int]]:
    """Spans of Report.text the prose extractor leaves to this module: every table line and
    the unit note (whose 「万亩」 is no lost number)."""
    spans = []
    for t in tables:
        spans.append((t.start, t.end))
        if t.note_span:
            spans.append(t.note_span)
    return sorted(spans)


def ledger(tables: list[Table], metrics: list[CellMetric]) -> list[dict]:
    """Numbers-ledger rows (offsets into Report.text) for every number-like token in the
    tables, since the prose extractor skips them: value cells are metrics ("table_cell"),
    the rest (headers, serial numbers, codes, labels) are not, each with its reason."""
    metric_cells = {(m.table.table_id, m.cell.row, m.cell.col) for m in metrics}
    out = []
    for t in tables:
        cols = columns(t)
        for r in t.lines:
            for c in r:
                if c.start is None:
                    continue
                if c.row < t.n_header:
                    reason = "table_header"
                elif c.col in cols.serial:
                    reason = "serial"
                elif c.col in cols.dates:
                    reason = "date"
                elif _per_unit(c.text):
                    reason = "no_unit"       # 每亩300: see cell_metrics
                else:
                    reason = None
                metric = (t.table_id, c.row, c.col) in metric_cells
                for k in scan(c.text):
                    if k.form == "chinese" and k.value is None:
                        continue
                    why = "table_cell" if metric else reason or ("year" if _YEAR.match(c.text.strip()) else "table_label")
                    out.append(dict(start=c.start + k.start, end=c.start + k.end, raw=c.raw[k.start:k.end],
                                    form=k.form, value=k.value, is_metric=metric, reason=why))
                if metric and not list(scan(c.text)):
                    out.append(dict(start=c.start, end=c.end, raw=c.raw, form="placeholder", value=None,
                                    is_metric=True, reason="table_cell"))
    return out
