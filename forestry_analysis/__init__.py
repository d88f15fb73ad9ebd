"""forestry-analysis: Chinese forestry-bureau work reports → pandas tables and briefing charts.

    import forestry_analysis as fa
    r = fa.read_report("data/samples/seed_banan_2020h1.txt")
    r.metrics, r.tasks, r.completion, r.quality, r.highlight()
"""
from __future__ import annotations

from importlib import import_module

from forestry_analysis.errors import ReportReadError
from forestry_analysis.doc.report import Report, read_report

__version__ = "0.1.0"
__all__ = ["Report", "ReportReadError", "read_report", "read_corpus", "Corpus", "plots", "summarize", "rates",
           "__version__"]

_LAZY = {"read_corpus": ("corpus", "read_corpus"), "Corpus": ("corpus", "Corpus"),
         "plots": ("present.plots", None), "explore": ("present.explore", None),
         "summarize": ("pipeline.summary", "summarize"), "rates": ("pipeline.summary", "rates")}


def __getattr__(name):
    """Import heavy parts (corpus, plots) only when first used, to keep start-up fast."""
    if name in _LAZY:
        mod, attr = _LAZY[name]
        m = import_module(f".{mod}", __name__)
        return getattr(m, attr) if attr else m
    raise AttributeError(f"module 'forestry_analysis' has no attribute {name!r}")
