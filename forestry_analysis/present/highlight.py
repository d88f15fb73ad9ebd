"""HTML view of a report with every metric marked, coloured by category, for Jupyter.

Modelled on spaCy's displacy "ent" view, without the dependency and with no network:
every fragment is escaped; each mark has a tooltip with value, unit, indicator and kind;
lost numbers are marked with a dashed red border.
"""
from __future__ import annotations

import html

import pandas as pd

from forestry_analysis.present import labels
from forestry_analysis.pipeline.categories import labels as category_labels

COLOURS = labels.category_colours("highlight")
KIND_LABELS = labels.labels("kind")


class Highlight:
    """Rendered HTML; shows itself in Jupyter and converts to str."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self):
        return self.markup

    def __str__(self):
        return self.markup


def _tooltip(r) -> str:
    value = "数字缺失" if r.missing else f"{r.value:g} {r.unit}" + (" (约)" if r.approx else "")
    indicator = r.indicator if isinstance(r.indicator, str) else "—"
    return f"{value} | 指标: {indicator} | {KIND_LABELS.get(r.kind, r.kind)} | " \
           f"{category_labels().get(r.category, r.category)}"


def highlight(report, metrics: pd.DataFrame | None = None, start: int = 0, end: int | None = None) -> Highlight:
    """HTML of ``report.text[start:end]`` with the metrics marked."""
    text = report.text
    end = len(text) if end is None else end
    ms = report.metrics if metrics is None else metrics
    ms = ms[(ms["start"] >= start) & (ms["end"] <= end)].sort_values("start")
    out, pos = [], start
    for r in ms.itertuples():
        if r.start < pos:
            continue
        out.append(html.escape(text[pos:r.start]))
        style = f"background:{COLOURS.get(r.category, COLOURS['other'])};padding:0 2px;border-radius:3px;"
        if r.missing:
            style += "border:2px dashed #d00000;"
        label = "缺失" if r.missing else KIND_LABELS.get(r.kind, "")
        out.append(f'<mark class="fa-metric" style="{style}" title="{html.escape(_tooltip(r))}">'
                   f'{html.escape(text[r.start:r.end])}<sub style="font-size:0.6em;color:#555">{label}</sub></mark>')
        pos = r.end
    out.append(html.escape(text[pos:end]))
    legend = " ".join(f'<span style="background:{c};padding:0 4px">{category_labels().get(k, k)}</span>'
                      for k, c in COLOURS.items() if k in set(ms["category"].astype(str)))
    body = "".join(out).replace("\n", "<br>")
    return Highlight(f'<div class="tex2jax_ignore" style="line-height:1.9;font-size:14px">'
                     f'<div style="margin-bottom:6px">{legend}</div>{body}</div>')
