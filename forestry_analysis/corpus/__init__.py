"""A corpus of reports: the same tables concatenated, one row of meta per report.

``read_corpus`` reads a folder (recursively, following folder links once, so a link loop
cannot hang it) or a list of paths, in parallel processes or on a Dask cluster, drops
duplicate reports (the same text in another encoding, format or script), records
unreadable files in ``errors`` instead of stopping, and pairs plans in an earlier report
with actuals in a later report of the same org (basis "another report").

Each file becomes one *entry*: a one-row Arrow table holding the file's tables as
list<struct> columns. Entries are what worker processes send back, what the cache stores
(one Arrow IPC file per report, keyed by the file's bytes, its name, the package version,
the code and the lexicon) and what Dask partitions hold; concatenating entries and
unpacking each table once is what keeps a re-read of a cached corpus cheap.

Modules: ``collect`` (which files), ``entries`` (one Arrow row per file), ``cache`` and
``store`` (entries on disk: per file, whole corpus, Parquet), ``engines`` (processes, Dask,
``read_corpus``), ``assemble`` (``Corpus``), ``pairing`` (plans across reports),
``followups`` (planned items → later reports), ``workers`` (crash-proof worker processes).
"""
from __future__ import annotations

from forestry_analysis.corpus.assemble import Corpus, assemble
from forestry_analysis.corpus.cache import CacheWarning, cache_version
from forestry_analysis.corpus.engines import dask_tables, read_corpus
from forestry_analysis.corpus.entries import CATEGORY_COLUMNS, META_COLUMNS, TABLES, fingerprint, load_one
from forestry_analysis.corpus.pairing import pair_across_reports
from forestry_analysis.corpus.store import write_parquet

__all__ = ["CATEGORY_COLUMNS", "META_COLUMNS", "TABLES", "CacheWarning", "Corpus", "assemble", "cache_version",
           "dask_tables", "fingerprint", "load_one", "pair_across_reports", "read_corpus", "write_parquet"]
