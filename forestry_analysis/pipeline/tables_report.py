"""Rows of one report's statistics tables for ``Report``: cell metrics in the metrics schema,
the ``table_cells`` long table and one DataFrame per table (``Report.tables``)."""
from __future__ import annotations

from bisect import bisect_right

import pandas as pd

from forestry_analysis.pipeline.quantities.metrics import catalogue_match
from forestry_analysis.pipeline.tables import category, columns


def cell_metric_rows(report, sents, labels) -> list[dict]:
    """Metrics rows (schema 'metrics') for the table cells of ``report``."""
    norm, ctx, votes = report.norm, report._context, {}
    starts = [r["start"] for r in sents]
    rows = []
    for m in report._cell_metrics:
        c, t = m.cell, m.table
        pos = norm.to_norm(c.start)
        cat = category(m, ctx.headings(pos), votes)
        family = m.unit.family if m.unit is not None else ""
        iid, icat = catalogue_match(m.indicator, family, cat)
        if cat == "other" and icat:
            cat = icat
        sent = sents[max(0, bisect_right(starts, c.start) - 1)] if sents else None
        area = m.value * m.unit.to_mu if m.value is not None and m.unit is not None and m.unit.to_mu else None
        rows.append(dict(
            report_id=report.report_id, start=c.start, end=c.end, raw=report.text[c.start:c.end], value=m.value,
            value_high=None, unit=None if m.unit is None else m.unit.base_unit, unit_written=m.unit_written or None,
            area_mu=area, approx=m.approx, missing=m.missing, kind=m.kind, category=cat, indicator=m.indicator or None,
            indicator_id=iid, indicator_label=labels.get(iid, m.indicator or None),
            section=None if sent is None else sent["section"],
            sentence_id=None if sent is None else sent["sentence_id"],
            sentence=report.text[t.body[m.row][0].start or c.start:c.end].strip() if t.body[m.row][0].start is not None
            else None,
            table_id=t.table_id, table_row=c.row, table_col=c.col, table_total=m.total,
            table_total_row=None if m.total_row is None else m.total_row + t.n_header))
    return rows


def table_cell_rows(report) -> list[dict]:
    """One row per cell (schema 'table_cells'); a merged cell repeats its text and offsets."""
    rows = []
    for t in report._tables:
        cols = columns(t)
        for r in t.lines:
            label = next((r[j].raw.strip() for j in reversed(cols.labels) if j < len(r) and r[j].raw.strip()), "")
            for c in r:
                rows.append(dict(report_id=report.report_id, table_id=t.table_id, row=c.row, col=c.col,
                                 header=c.row < t.n_header, row_label=label or None,
                                 col_label=t.labels[c.col] if c.col < len(t.labels) else None,
                                 raw=c.raw if c.start is not None else None, start=c.start, end=c.end,
                                 title=t.title or None, unit_note=t.unit_note or None))
    return rows


def frames(report) -> list[pd.DataFrame]:
    """One DataFrame per table: resolved column labels, one row per body row (cell text)."""
    out = []
    for t in report._tables:
        labels = _unique(t.labels)
        data = [[c.raw if c.start is not None else None for c in r] + [None] * (len(labels) - len(r))
                for r in t.body]
        df = pd.DataFrame(data, columns=labels, dtype=pd.StringDtype("python"))
        df.attrs.update(table_id=t.table_id, title=t.title, unit_note=t.unit_note, start=t.start, end=t.end)
        out.append(df)
    return out


def _unique(labels):
    seen, out = {}, []
    for lab in labels:
        k = seen.get(lab, 0)
        seen[lab] = k + 1
        out.append(lab if not k else f"{lab}.{k}")
    return out
