"""``Report``: one work report, read once, with every table built lazily and cached.

Data flows one way: file → ``text`` → normalised copy → meta/outline/sentences → tasks and
metrics → completion and quality. Every offset in every table points into ``Report.text``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from itertools import accumulate
from operator import itemgetter
from pathlib import Path

import pandas as pd

from forestry_analysis.doc import schema
from forestry_analysis.errors import ReportReadError
from forestry_analysis.doc.normalize import Normalized


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Context:
    """What the metric extractor needs to know about where a normalised offset lies."""

    def __init__(self, report: "Report"):
        norm = report.norm
        self.norm = norm
        sents = report._sentence_rows
        self._starts = norm.to_norm_many([r["start"] for r in sents])
        self._ends = norm.to_norm_many([r["end"] for r in sents])
        ol = report._outline_rows
        self.outline = sorted(((s, e, r["level"], r["heading"]) for s, e, r in
                               zip(norm.to_norm_many([r["start"] for r in ol]),
                                   norm.to_norm_many([r["end"] for r in ol]), ol)), key=lambda it: it[0])
        # For each item (by start), the items open at its start: the candidates that can
        # enclose a later position, so ``headings`` is a bisect instead of a scan of the outline.
        self._ol_starts = [it[0] for it in self.outline]
        self._ol_open, open_ = [], []
        for it in self.outline:
            open_ = [o for o in open_ if o[1] > it[0]] + [it]
            self._ol_open.append(open_)
        meta = report.meta
        self.body = (meta.get("body_start", 0), meta.get("body_end", len(norm.text)))
        self.title = meta.get("title") or ""
        planned = [(r["start"], r["end"]) for r in report._task_rows if r["status"] == "planned"]
        self.plan_spans = sorted((norm.to_norm(s), norm.to_norm(e)) for s, e in planned)
        self._plan_starts = [s for s, _ in self.plan_spans]
        self._plan_reach = list(accumulate((e for _, e in self.plan_spans), max))  # max end so far
        self.plan_report = meta.get("report_kind") == "plan"
        self.skip_spans = [(norm.to_norm(a), norm.to_norm(b)) for a, b in report._skip_spans]  # tables.py reads these

    def sentence(self, pos):
        if not self._starts:
            return 0, 0, len(self.norm.text)
        i = max(0, bisect_right(self._starts, pos) - 1)
        return i, self._starts[i], self._ends[i]

    _WEIGHTS = {3: 1.5, 2: 1.0, 1: 0.5}   # an item's heading counts more than its section's

    def headings(self, pos):
        i = bisect_right(self._ol_starts, pos) - 1
        enclosing = self._ol_open[i] if i >= 0 else []
        weights = self._WEIGHTS
        out = [(h, weights.get(lv, 1.0)) for s, e, lv, h in enclosing if s <= pos < e]
        out.sort(key=itemgetter(1), reverse=True)   # stable: equal weights keep their order
        out.append((self.title, 0.5))
        return out

    def in_plan(self, pos):
        if self.plan_report:
            return True
        i = bisect_right(self._plan_starts, pos) - 1
        return i >= 0 and self._plan_reach[i] > pos

    def in_body(self, pos):
        return self.body[0] <= pos < self.body[1]


def _table(name: str, doc: str) -> cached_property:
    """A DataFrame property for table ``name``, built once from ``Report.rows(name)``."""
    def build(self) -> pd.DataFrame:
        return schema.frame(name, self.rows(name))
    build.__doc__ = doc
    return cached_property(build)


class Report:
    """One work report: ``text`` as read, and its tables (meta, outline, sentences, tasks,
    metrics, numbers, completion, quality)."""

    def __init__(self, text: str, path: str | Path | None = None, report_id: str | None = None):
        if not isinstance(text, str):
            raise ReportReadError(path, f"text must be str, not {type(text).__name__}")
        if not text.strip():
            raise ReportReadError(path, "empty report: no text")
        if (bad := _SURROGATE.search(text)) is not None:  # cannot be encoded, converted or exported
            raise ReportReadError(path, f"text is not valid Unicode: lone surrogate "
                                        f"U+{ord(bad.group()):04X} at offset {bad.start()}")
        self.text = text
        self.path = Path(path) if path is not None else None
        self.report_id = report_id or (self.path.stem if self.path else "report")

    def __repr__(self):
        return f"<Report {self.report_id!r}: {len(self.text)} chars>"

    @cached_property
    def norm(self) -> Normalized:
        return Normalized(self.text)

    @cached_property
    def meta(self) -> dict:
        """title, org, region, year, period, date, report_kind, warnings (+ body bounds)."""
        from forestry_analysis.pipeline.meta import extract_meta
        return extract_meta(self.norm, self.path)

    # Stages pass plain row lists to each other; DataFrames are built only when asked for.
    @cached_property
    def _meta_rows(self) -> list[dict]:
        m = self.meta
        row = {k: m.get(k) for k in schema.columns("meta")}
        row.update(report_id=self.report_id, path=str(self.path) if self.path else None,
                   warnings="; ".join(m.get("warnings") or []))
        return [row]

    @cached_property
    def _outline_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.outline import outline_rows
        return outline_rows(self.norm, self.report_id, self.meta["body_start"], self.meta["body_end"])

    @cached_property
    def _sentence_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.outline import sentence_rows
        return sentence_rows(self.norm, self.report_id, self._outline_rows, self.meta)

    @cached_property
    def _task_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.tasks import task_rows
        return task_rows(self.norm, self.report_id, self._outline_rows, self.meta)

    @cached_property
    def _context(self) -> _Context:
        return _Context(self)

    @cached_property
    def _extracted(self):
        from forestry_analysis.pipeline.quantities.metrics import extract
        return extract(self.norm.text, self._context)

    @cached_property
    def _simple(self) -> str:
        """``text`` simplified, offsets kept: what relations and completion read cue words in."""
        from forestry_analysis.doc.normalize import to_simplified
        return self.norm.text if self.norm.aligned else to_simplified(self.text)

    @cached_property
    def _tables(self):
        from forestry_analysis.pipeline.tables import find_tables
        return find_tables(self.text, self.norm.text if self.norm.aligned else None)

    @cached_property
    def _skip_spans(self) -> list[tuple[int, int]]:
        from forestry_analysis.pipeline.tables import skipped_spans
        return skipped_spans(self._tables)

    @cached_property
    def _cell_metrics(self):
        from forestry_analysis.pipeline.tables import cell_metrics
        return [m for t in self._tables for m in cell_metrics(t)]

    @cached_property
    def _metric_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.quantities.metrics import catalogue_labels
        mentions, _ = self._extracted
        norm, sents, labels = self.norm, self._sentence_rows, catalogue_labels()
        starts = [r["start"] for r in sents]
        rows = []
        for m in mentions:
            s, e = norm.span(m.start, m.end)
            sent = sents[max(0, bisect_right(starts, s) - 1)] if sents else None
            area = m.value * m.unit.to_mu if m.value is not None and m.unit.to_mu else None
            rows.append(dict(
                report_id=self.report_id, start=s, end=e, raw=self.text[s:e], value=m.value, value_high=m.high,
                unit=m.unit.base_unit, unit_written=m.unit_written, area_mu=area, approx=m.approx,
                missing=m.missing, kind=m.kind, category=m.category, indicator=m.indicator or None,
                indicator_id=m.indicator_id, indicator_label=labels.get(m.indicator_id, m.indicator or None),
                section=None if sent is None else sent["section"],
                sentence_id=None if sent is None else sent["sentence_id"],
                sentence=None if sent is None else sent["text"].strip(),
                table_id=None, table_row=None, table_col=None, table_total=None, table_total_row=None))
        if self._cell_metrics:
            from forestry_analysis.pipeline.tables_report import cell_metric_rows
            rows = sorted(rows + cell_metric_rows(self, sents, labels), key=lambda r: r["start"])
        from forestry_analysis.pipeline.relations import relate
        return relate(rows, self.text, self._simple)

    @cached_property
    def _joined(self) -> tuple[list[dict], list[dict]]:
        """Task and metric rows with the join columns (task_id; n_metrics, n_missing, headline)."""
        from forestry_analysis.pipeline.join import join
        return join(self.text, self._task_rows, self._metric_rows)

    @cached_property
    def _number_rows(self) -> list[dict]:
        _, ledger = self._extracted
        rows = []
        for r in ledger:
            s, e = self.norm.span(r["start"], r["end"])
            rows.append(dict(report_id=self.report_id, start=s, end=e, raw=self.text[s:e], form=r["form"],
                             value=r["value"], is_metric=r["is_metric"], reason=r["reason"]))
        if self._tables:
            from forestry_analysis.pipeline.tables import ledger
            rows = sorted(rows + [dict(r, report_id=self.report_id) for r in ledger(self._tables, self._cell_metrics)],
                          key=lambda r: r["start"])
        return rows

    @cached_property
    def _completion_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.completion import pair_in_report
        simple = self._simple
        rows = self._metric_rows
        if self._cell_metrics:
            from forestry_analysis.pipeline.completion import pair_table_rows
            prose = [r for r in rows if r.get("table_id") is None]
            return pair_in_report(self.text, prose, self.report_id, simple) + pair_table_rows(rows, self.report_id)
        return pair_in_report(self.text, rows, self.report_id, simple)

    @cached_property
    def _coverage_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.relations import coverage_rows
        return coverage_rows(self._metric_rows)

    @cached_property
    def _quality_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.quality import quality_rows
        return quality_rows(self.report_id, self.meta, self._metric_rows, self._number_rows, self._completion_rows)

    _joined_task_rows = property(lambda self: self._joined[0])
    _joined_metric_rows = property(lambda self: self._joined[1])

    _ROWS = {"meta": "_meta_rows", "outline": "_outline_rows", "sentences": "_sentence_rows",
             "tasks": "_joined_task_rows", "metrics": "_joined_metric_rows", "numbers": "_number_rows",
             "completion": "_completion_rows", "quality": "_quality_rows", "coverage": "_coverage_rows",
             "table_cells": "_table_cell_rows"}

    def rows(self, table: str) -> list[dict]:
        """The rows of ``table`` as dicts (None for missing), in the schema's columns: what the
        DataFrame properties are built from, for bulk export without pandas. Shared: do not
        modify them."""
        if table not in self._ROWS:
            raise KeyError(f"no table {table!r}; one of {', '.join(self._ROWS)}")
        return getattr(self, self._ROWS[table])

    meta_table = _table("meta", "The meta dict as a one-row table.")
    outline = _table("outline", "One row per heading or enumerated item.")
    sentences = _table("sentences", "Sentences tiling the whole text.")
    tasks = _table("tasks", "One row per work item, done or planned.")
    metrics = _table("metrics", "One row per quantity mention (see ``schema.TABLES['metrics']``).")
    numbers = _table("numbers", "Ledger of every number-like token, with is_metric and the reason.")
    completion = _table("completion", "Each actual paired with its plan and rate.")
    quality = _table("quality", "Data-quality findings: lost numbers, placeholders, conflicts, mismatches.")
    coverage = _table("coverage", "Treated or monitored against occurring or total: pest-control coverage.")

    @cached_property
    def _table_cell_rows(self) -> list[dict]:
        from forestry_analysis.pipeline.tables_report import table_cell_rows
        return table_cell_rows(self)

    table_cells = _table("table_cells", "Every cell of every statistics table, with its labels and offsets.")

    @cached_property
    def tables(self) -> list[pd.DataFrame]:
        """The report's statistics tables: one DataFrame each (columns = resolved header labels,
        one row per body row, merged cells filled); ``attrs`` hold table_id, title, unit_note,
        start and end. Cell offsets are in ``table_cells`` (attrs do not survive most pandas
        operations)."""
        from forestry_analysis.pipeline.tables_report import frames
        return frames(self)

    def all_tables(self) -> dict[str, pd.DataFrame]:
        """Every extracted table by name, for export (the statistics tables' cells as ``table_cells``)."""
        return {name: getattr(self, name) for name in
                ("meta_table", "outline", "sentences", "tasks", "metrics", "numbers", "completion", "quality",
                 "table_cells")}

    def explain(self, row) -> dict:
        """Why a metric row got its category: ``row`` is a row of ``metrics`` (or its index).
        ``category_basis`` says which context decided (indicator, sentence, heading, the
        passage topic, or the quantity a rate is of) and its words; ``votes`` the keyword
        votes of that text per category."""
        from forestry_analysis.pipeline.categories import explain_votes
        rows = self._metric_rows
        if isinstance(row, int):
            i = row
        else:
            i = next(k for k, r in enumerate(rows) if r["start"] == row["start"] and r["end"] == row["end"])
        r = rows[i]
        spans = {self.norm.span(x.start, x.end): x for x in self._extracted[0]}
        m = spans.get((r["start"], r["end"]))           # None for a table cell (its basis is its table)
        where, _, text = (m.category_basis if m is not None else "表格:").partition(":")
        return dict(raw=r["raw"], category=r["category"], indicator=r["indicator"], category_basis=where or None,
                    basis_text=text or None, votes=explain_votes(text))

    def highlight(self, **kwargs):
        """The text with each metric marked (renders inline in Jupyter)."""
        from forestry_analysis.present.highlight import highlight
        return highlight(self, **kwargs)


def read_report(path: str | Path | None = None, *, text: str | None = None,
                report_id: str | None = None) -> Report:
    """Read a report from a file (txt in UTF-8/UTF-16/GB18030, .docx, .html) or from ``text``."""
    if text is not None:
        return Report(text, path, report_id)
    if path is None:
        raise ReportReadError(None, "give a path or text=")
    from forestry_analysis.io.reading import read_source
    return Report(read_source(path), path, report_id)
