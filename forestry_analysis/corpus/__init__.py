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
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from forestry_analysis.doc import schema
from forestry_analysis.corpus.cache import (CACHE_ENV, CacheWarning, Corrupt, cache_root, cache_version, default_cache_dir, discard,  # noqa: F401
                    entry_path, file_key, read_table, write_table)
from forestry_analysis.corpus import cache as _cache
from forestry_analysis.errors import ReportReadError
from forestry_analysis.doc.report import Report, read_report
from forestry_analysis.corpus.workers import started as _progress  # which file a worker is on: its time budget is watched

TABLES = ("metrics", "tasks", "completion", "quality")
ALL_TABLES = ("meta",) + TABLES
META_COLUMNS = ["org", "region", "year", "period"]
# Repeated strings of the corpus tables become pandas categories (same columns and names).
CATEGORY_COLUMNS = ("report_id", "org", "region", "period", "unit", "unit_written", "section",
                    "subsection", "indicator", "indicator_id", "basis", "plan_report_id", "code", "item")
# Month in which a period ends: a plan pairs with an actual of a later period of the same org.
_PERIOD_END = {"Q1": 3, "H1": 6, "Q2": 6, "Q3": 9, "H2": 12, "Q4": 12, "annual": 12}
_PERIOD_START = {"Q1": 0, "H1": 0, "Q2": 3, "Q3": 6, "H2": 6, "Q4": 9, "annual": 0}
# -- entries: one Arrow row per file ------------------------------------------------------


def _arrow_type(dtype):
    if dtype == "Int64":
        return pa.int64()
    if dtype == "Float64":
        return pa.float64()
    if dtype == "boolean":
        return pa.bool_()
    return pa.large_string()  # "string" and categories (stored decoded)


@lru_cache(maxsize=None)
def _struct_type(name: str) -> pa.StructType:
    return pa.struct([pa.field(f.name, _arrow_type(f.dtype)) for f in schema.TABLES[name]])


@lru_cache(maxsize=1)
def _entry_schema() -> pa.Schema:
    info = [pa.field("_file", pa.int64()), pa.field("path", pa.large_string()),
            pa.field("report_id", pa.large_string()), pa.field("fingerprint", pa.large_string()),
            pa.field("error", pa.large_string()), pa.field("cached", pa.bool_()),
            pa.field("key", pa.large_string())]
    return pa.schema(info + [pa.field(n, pa.list_(_struct_type(n))) for n in ALL_TABLES])


@lru_cache(maxsize=1)
def _cache_schema() -> pa.Schema:
    return _entry_schema().append(pa.field("text", pa.large_string()))


_INFO = ["_file", "path", "report_id", "fingerprint", "error", "cached", "key"]
_TYPES = {pa.large_string(): schema.STR, pa.string(): schema.STR,
          pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _to_arrow(arr, typ: pa.DataType) -> pa.Array:
    """A pandas extension array as an Arrow array of ``typ`` (zero-copy where possible)."""
    if isinstance(arr, pd.Categorical):
        codes = arr.codes.astype(np.int32)
        return _categories(tuple(arr.categories), typ).take(pa.array(codes, mask=codes < 0))
    if isinstance(arr, pd.arrays.ArrowStringArray):
        out = arr._pa_array
        out = out.chunk(0) if out.num_chunks == 1 else out.combine_chunks()
    elif isinstance(arr, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
        out = pa.array(arr._data, mask=arr._mask)
    else:
        out = pa.array(arr)
        out = out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
    if pa.types.is_dictionary(out.type):
        out = out.dictionary_decode()
    return out if out.type == typ else out.cast(typ)


@lru_cache(maxsize=64)
def _categories(cats: tuple, typ: pa.DataType) -> pa.Array:
    return pa.array(list(cats), type=typ)


def _columns(df: pd.DataFrame):
    it = getattr(df, "_iter_column_arrays", None)  # much faster than df[c] per column
    return list(it()) if it is not None else [df[c].array for c in df.columns]


@lru_cache(maxsize=None)
def _category_values(name: str) -> tuple:
    """(column, allowed values and None) of each categorical column of a table."""
    return tuple((f.name, frozenset(f.dtype.categories) | {None}) for f in schema.TABLES[name]
                 if isinstance(f.dtype, pd.CategoricalDtype))


@lru_cache(maxsize=None)
def _names(name: str) -> list[str]:
    return [f.name for f in schema.TABLES[name]]


def _list_column(table: pd.DataFrame | list[dict], name: str) -> pa.Array:
    """One report's table (a DataFrame, or its rows as dicts) as a one-element list<struct>."""
    typ = _struct_type(name)
    if isinstance(table, pd.DataFrame):
        names = _names(name)
        df = table if table.columns.tolist() == names else table[names]
        children = [_to_arrow(arr, f.type) for arr, f in zip(_columns(df), typ)]
        struct = pa.StructArray.from_arrays(children, fields=list(typ))
    else:   # Arrow converts dict rows in one pass; NaN counts as missing, as in schema.frame
        for col, allowed in _category_values(name):
            if not {r.get(col) for r in table} <= allowed:   # as strict as schema.frame
                bad = sorted(str(v) for v in {r.get(col) for r in table} - allowed)
                raise ValueError(f"{name}.{col}: not a category: {', '.join(bad)}")
        struct = pa.array(table, type=typ, from_pandas=True)
    return pa.ListArray.from_arrays(pa.array([0, len(table)], pa.int32()), struct)


def _entry(index: int, path, *, report_id=None, fingerprint=None, error=None, tables=None) -> pa.Table:
    """One file as a one-row Arrow table."""
    cols = [pa.array([index], pa.int64()), pa.array([str(path)], pa.large_string()),
            pa.array([report_id], pa.large_string()), pa.array([fingerprint], pa.large_string()),
            pa.array([error], pa.large_string()), pa.array([False]), pa.array([None], pa.large_string())]
    for name in ALL_TABLES:
        cols.append(_list_column(tables[name], name) if tables else _empty_list(name))
    return pa.Table.from_arrays(cols, schema=_entry_schema())


@lru_cache(maxsize=None)
def _empty_list(name: str) -> pa.Array:
    return _list_column(schema.frame(name), name)


def fingerprint(report: Report) -> str:
    """Content hash of the normalised text without whitespace: equal for the same report in
    another encoding, format (.docx/.txt) or script (traditional/simplified)."""
    core = re.sub(r"\s+", "", report.norm.text)
    return hashlib.sha1(core.encode("utf-8")).hexdigest()


def _analyse(index: int, path) -> tuple[pa.Table, str | None]:
    """Read and analyse one file: (entry, text or None); never raises."""
    try:
        r = read_report(path)
        tables = {name: r.rows(name) for name in ALL_TABLES}   # no per-report DataFrames
        return _entry(index, path, report_id=r.report_id, fingerprint=fingerprint(r), tables=tables), r.text
    except ReportReadError as exc:
        return _entry(index, path, error=exc.reason), None
    except Exception as exc:  # a bug on one odd file must not stop a corpus of thousands
        return _entry(index, path, error=f"could not analyse: {type(exc).__name__}: {exc}"), None


def load_one(path) -> dict:
    """Read one file and build its tables; never raises (an ``error`` key instead)."""
    entry, text = _analyse(0, path)
    info = entry.select(["path", "report_id", "fingerprint", "error"]).to_pylist()[0]
    if info["error"] is not None:
        return dict(path=info["path"], error=info["error"])
    out = dict(path=info["path"], report_id=info["report_id"], fingerprint=info["fingerprint"], text=text)
    out.update({name: _unpack(entry, name).drop(columns="_file") for name in ALL_TABLES})
    return out


def _unpack(entries: pa.Table, name: str, categories: bool = False) -> pd.DataFrame:
    """One table of every entry as a DataFrame with schema dtypes plus ``_file``; with
    ``categories``, the ``CATEGORY_COLUMNS`` come as categories (dictionary-encoded by Arrow,
    several times faster than pandas' ``astype("category")`` of the strings)."""
    col = entries.column(name)
    col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    parents = pc.list_parent_indices(col).to_numpy(zero_copy_only=False)
    values = pc.list_flatten(col)
    arrays, names = values.flatten(), [f.name for f in values.type]
    cats = {n for n in names if n in CATEGORY_COLUMNS} if categories else set()
    arrays = [a.dictionary_encode() if n in cats else a for a, n in zip(arrays, names)]
    df = pa.Table.from_arrays(arrays, names=names).to_pandas(types_mapper=_TYPES.get)
    if cats:
        df = df.astype({f.name: f.dtype for f in schema.TABLES[name] if f.name not in cats})
        for n in cats:
            df[n] = _sorted_categories(df[n].array)
    else:
        df = schema.frame(name, df)
    files = entries.column("_file").to_numpy()
    df["_file"] = files[parents] if len(parents) else np.array([], dtype=np.int64)
    return df


# -- cache (files and keys: forestry_analysis.corpus.cache) -----------------------------------


def _read_cached(root: Path, key: str, index: int) -> pa.Table | None:
    """A cached entry renumbered as file ``index`` (no text), or None if absent; a corrupt
    entry raises ``Corrupt`` and is removed (never served)."""
    p = entry_path(root, key)
    try:
        t = read_table(p)
        if t is not None and not t.schema.equals(_cache_schema()):
            raise Corrupt(f"{p}: not an entry of this version")
    except Corrupt:
        discard(p)
        raise
    if t is None:
        return None
    t = t.drop_columns(["text"])
    t = t.set_column(0, "_file", pa.array([index], pa.int64()))
    return t.set_column(_INFO.index("cached"), "cached", pa.array([True]))


def _write_cached(root: Path, key: str, entry: pa.Table, text: str) -> None:
    try:
        write_table(entry_path(root, key), entry.append_column("text", pa.array([text], pa.large_string())))
    except OSError:
        pass  # a full cache disk slows the next run down; it must not fail this one


def cached_text(cache_dir, key: str) -> str | None:
    """The text stored with a cache entry (``Corpus.texts`` reads it on demand)."""
    try:
        t = read_table(entry_path(Path(cache_dir), key))
        return None if t is None else t.column("text")[0].as_py()
    except (Corrupt, KeyError):
        return None


def _load_items(items, root: str | None, write: bool = True, look: bool = True) -> tuple[pa.Table, int]:
    """Entries of ``[(index, path, key or None), ...]``: from the cache when there (unless
    ``look`` is false: the caller has looked), else read (and cached when ``write``), and the
    number of corrupt entries met. Runs in a worker process or a Dask task."""
    root_p = Path(root) if root else None
    out, corrupt = [], 0
    for index, path, key in items:
        _progress(index)
        if root_p is not None and key is None:
            key = file_key(path)
        entry = None
        if root_p is not None and key and look:
            try:
                entry = _read_cached(root_p, key, index)
            except Corrupt:
                corrupt += 1
        if entry is None:
            entry, text = _analyse(index, path)
            if root_p is not None and key and text is not None:
                entry = _with_key(entry, key)
                if write:
                    _write_cached(root_p, key, entry, text)
        out.append(entry)
    _progress(-1)
    return (pa.concat_tables(out).combine_chunks() if out else _empty_entries()), corrupt


def _load_entries(items, root: str | None) -> pa.Table:
    return _load_items(items, root)[0]




def _with_key(entry: pa.Table, key: str) -> pa.Table:
    return entry.set_column(_INFO.index("key"), "key", pa.array([key], pa.large_string()))


def _empty_entries() -> pa.Table:
    return _entry_schema().empty_table()


# -- the whole corpus, cached: one read instead of one per file ----------------------------

_PACKS_KEPT = 8
_PACK_PARTS = ALL_TABLES + ("duplicates", "errors", "texts")


def _corpus_key(files: list[Path], keys: list[str | None], errors: list[dict]) -> str | None:
    """Key of a whole corpus: every file's path and cache key, in order (None when some file
    cannot be read: its error is looked at afresh each time)."""
    if not files or any(k is None for k in keys):
        return None
    h = hashlib.sha1(cache_version().encode())
    for f, k in zip(files, keys):
        h.update(f"{f}\0{k}\n".encode("utf-8", "surrogateescape"))
    for e in errors:
        h.update(f"{e['path']}\0{e['reason']}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _pack_dir(root: Path, ckey: str) -> Path:
    return root / "corpora" / ckey


def _write_pack(root: Path, ckey: str, corpus: Corpus) -> None:
    """The corpus tables, duplicates, errors and text sources, one sealed Arrow file each; the
    ``_PACKS_KEPT`` most recently used corpora are kept."""
    final = _pack_dir(root, ckey)
    tmp = final.with_name(f"{ckey}.{os.getpid()}.{threading.get_ident()}.tmp")
    src = corpus.texts._sources if isinstance(corpus.texts, _Texts) else {}
    texts = pd.DataFrame([(rid, p, k) for rid, (p, _, k) in src.items()], columns=["report_id", "path", "key"])
    parts = {**corpus.tables(), "duplicates": corpus.duplicates, "errors": corpus.errors, "texts": texts}
    try:
        tmp.mkdir(parents=True)
        for name, df in parts.items():
            write_table(tmp / f"{name}.arrow", pa.Table.from_pandas(df, preserve_index=False))
        if final.exists():  # a corrupt pack, discarded by the reader; or written meanwhile
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.replace(tmp, final)
        except OSError:  # written meanwhile by another run
            shutil.rmtree(tmp, ignore_errors=True)
        packs = sorted((d for d in (root / "corpora").iterdir() if not d.name.endswith(".tmp")),
                       key=lambda d: d.stat().st_mtime, reverse=True)
        for old in packs[_PACKS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _restore(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Dtypes of a corpus table read back from Arrow: the schema's, with categories for
    ``CATEGORY_COLUMNS`` whose categories have the schema's dtype (as ``_categorize`` makes them)."""
    fields = list(schema.TABLES[name])
    if name != "meta":
        fields = fields + [f for f in schema.TABLES["meta"] if f.name in META_COLUMNS]
    conv = {}
    for f in fields:
        if f.name not in df.columns:
            continue
        col = df[f.name]
        if f.name in CATEGORY_COLUMNS and col.dtype == "category":
            cats = col.cat.categories
            if cats.dtype != f.dtype:
                df[f.name] = pd.Categorical.from_codes(
                    col.cat.codes.to_numpy(), dtype=pd.CategoricalDtype(pd.Index(cats, dtype=f.dtype)))
        elif f.name in CATEGORY_COLUMNS:
            df[f.name] = df[f.name].astype(f.dtype).astype("category")
            df[f.name] = _sorted_categories(df[f.name].array)
        elif col.dtype != f.dtype:
            conv[f.name] = f.dtype
    return df.astype(conv) if conv else df


def _read_pack(root: Path, ckey: str, n_files: int) -> Corpus | None:
    """The cached corpus; None when there is none; ``Corrupt`` (the pack removed) when a part
    is missing or its digest is wrong."""
    d = _pack_dir(root, ckey)
    if not d.is_dir():
        return None
    try:
        frames = {}
        for name in _PACK_PARTS:
            t = read_table(d / f"{name}.arrow")
            if t is None:
                raise Corrupt(f"{d}: {name} missing")
            frames[name] = t.to_pandas(types_mapper=_TYPES.get)
        tables = {n: _restore(n, frames[n]) for n in ALL_TABLES}
        if any(list(tables[n].columns) != list(_expected_columns(n)) for n in ALL_TABLES):
            raise Corrupt(f"{d}: columns of another version")
    except (Corrupt, KeyError, ValueError, TypeError) as exc:
        discard(d)
        raise Corrupt(str(exc)) from exc
    try:
        os.utime(d)  # most recently used
    except OSError:
        pass
    texts = frames["texts"]
    dups = frames["duplicates"].astype(object).reindex(columns=["path", "duplicate_of"])
    errs = frames["errors"].astype(object).reindex(columns=["path", "reason"])
    return Corpus(duplicates=dups, errors=errs,
                  texts=_Texts({r: (p, str(root), k) for r, p, k in
                                zip(texts["report_id"], texts["path"], texts["key"])}),
                  cache_info=dict(dir=str(root), hits=n_files, misses=0, corpus=True), **tables)


def _expected_columns(name: str) -> list[str]:
    return schema.columns(name) + ([] if name == "meta" else META_COLUMNS)


# -- collecting files -----------------------------------------------------------------


def _real(path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, RuntimeError, ValueError):
        return str(path)


def _collect(sources) -> tuple[list[Path], list[dict]]:
    """Report files under ``sources`` (sorted, each real file once), and as errors the folders
    that could not be listed and the files of a type that is not read. Linked folders are followed once: a link loop ends, never hangs."""
    from forestry_analysis.io.reading import SIDECAR_SUFFIXES, SUPPORTED_SUFFIXES
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files, errors = [], []
    for src in map(Path, sources):
        if not src.is_dir():
            files.append((src, _real(src)))
            continue
        visited = set()
        def onerror(e):
            errors.append(dict(path=str(e.filename), reason=f"cannot list folder: {e.strerror or e}"))
        for root, dirs, names in os.walk(src, followlinks=True, onerror=onerror):
            try:
                st = os.stat(root)
            except OSError as e:
                errors.append(dict(path=root, reason=f"cannot list folder: {e.strerror or e}"))
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in visited:
                dirs[:] = []  # reached again through a link: already listed
                continue
            visited.add((st.st_dev, st.st_ino))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            real_root = _real(root)
            for name in sorted(names):
                p = Path(root) / name
                if name.startswith((".", "~$")) or p.suffix.lower() in SIDECAR_SUFFIXES:
                    continue  # hidden files, Office lock files, source-address sidecars
                if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                    errors.append(dict(path=str(p), reason=f"unsupported file type "
                                       f"{p.suffix.lower() or '(no suffix)'!r}; supported: {', '.join(SUPPORTED_SUFFIXES)}"))
                    continue
                # the real path: the folder's, resolved once, unless the file is a link
                files.append((p, _real(p) if os.path.islink(p) else os.path.join(real_root, name)))
    out, seen = [], set()
    for f, key in files:   # (path, real path)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out, errors


# -- the corpus -------------------------------------------------------------------------


class _Texts(Mapping):
    """report_id → text, read on demand (from the cache entry, else the file): a corpus of
    thousands of reports does not keep every text in memory."""

    def __init__(self, sources: dict[str, tuple[str, str | None, str | None]]):
        self._sources = sources  # report_id → (path, cache dir, key)

    def __getitem__(self, rid):
        path, root, key = self._sources[rid]
        text = cached_text(root, key) if root and key else None
        return text if text is not None else read_report(path).text

    def __iter__(self):
        return iter(self._sources)

    def __len__(self):
        return len(self._sources)

    def __repr__(self):
        return f"<texts of {len(self)} reports, read on demand>"


@dataclass
class Corpus:
    """Concatenated tables of many reports, each row carrying report_id, org, region, year, period.

    ``duplicates`` lists dropped copies (path, duplicate_of), ``errors`` unreadable files
    (path, reason); ``texts`` maps report_id to its text (read on demand); ``cache_info`` says
    how many reports came from the cache (``hits``) and how many were read (``misses``).
    """
    meta: pd.DataFrame
    metrics: pd.DataFrame
    tasks: pd.DataFrame
    completion: pd.DataFrame
    quality: pd.DataFrame
    duplicates: pd.DataFrame
    errors: pd.DataFrame
    texts: Mapping = field(default_factory=dict, repr=False)
    cache_info: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.meta)

    def followups(self, min_similarity: float | None = None) -> pd.DataFrame:
        """Each planned item matched with the done item of a later report of the same org that
        carries it out, or listed as not reported (see ``forestry_analysis.corpus.followups``)."""
        from forestry_analysis.corpus.followups import MIN_SIMILARITY, followups
        return followups(self.meta, self.tasks, self.metrics,
                         MIN_SIMILARITY if min_similarity is None else min_similarity)

    @property
    def coverage(self) -> pd.DataFrame:
        """Coverage rates of every report (treated against occurring), from the metrics' relations."""
        from forestry_analysis.pipeline.relations import coverage_rows
        return schema.frame("coverage", coverage_rows(schema.records(self.metrics)))

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"meta": self.meta, "metrics": self.metrics, "tasks": self.tasks,
                "completion": self.completion, "quality": self.quality}


def _unique_id(rid: str, taken: set) -> str:
    out, n = rid, 2
    while out in taken:
        out, n = f"{rid}_{n}", n + 1
    taken.add(out)
    return out


def _with_meta(df: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    extra = meta[["report_id"] + META_COLUMNS]
    return df.merge(extra, on="report_id", how="left")


def _categorize(df: pd.DataFrame) -> pd.DataFrame:
    """Repeated string columns as categories: a corpus of thousands of reports stays small.
    Categories are the values present, sorted, whichever way a column came."""
    conv = {c: "category" for c in CATEGORY_COLUMNS if c in df.columns and df[c].dtype != "category"}
    df = df.astype(conv) if conv else df
    for c in CATEGORY_COLUMNS:
        if c in df.columns and c not in conv:
            df[c] = df[c].cat.remove_unused_categories()
    return df


def _sorted_categories(cat: pd.Categorical) -> pd.Categorical:
    """``cat`` with its categories sorted and of the schema's string dtype, as
    ``astype("category")`` of the strings would make it."""
    names = [str(c) for c in cat.categories]
    order = sorted(range(len(names)), key=names.__getitem__)
    position = np.empty(len(names), dtype=np.int64)
    position[order] = np.arange(len(names))
    codes = cat.codes.astype(np.int64)
    codes = np.where(codes >= 0, position[np.maximum(codes, 0)] if len(names) else -1, -1)
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(pd.Index([names[i] for i in order], dtype=schema.STR)), validate=False)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    """``CATEGORY_COLUMNS`` back to the schema's strings (before joining rows made elsewhere)."""
    conv = {c: schema.STR for c in CATEGORY_COLUMNS if c in df.columns and df[c].dtype == "category"}
    return df.astype(conv) if conv else df


def _period_end(year, period, kind=None) -> int | None:
    """When a report was written, in months since year 0: the end of its period, or for a
    plan report (2022年工作要点) the start of the period it plans; None when unknown."""
    if year is None or year is pd.NA:
        return None
    plan = kind == "plan"
    if not isinstance(period, str):
        return int(year) * 12 if plan else None
    if period.startswith("M") and period[1:].isdigit():
        month = int(period[1:])
        month = month - 1 if plan else month
    else:
        month = (_PERIOD_START if plan else _PERIOD_END).get(period)
    return None if month is None else int(year) * 12 + month


_PAIR_COLUMNS = ["report_id", "start", "end", "raw", "value", "unit", "kind", "category", "indicator",
                 "indicator_id", "missing"]


def _pairable(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics rows that can pair across reports: plans and actuals with an indicator_id
    and a number."""
    keep = (metrics["indicator_id"].notna() & metrics["value"].notna()
            & ~metrics["missing"].fillna(False).astype(bool) & metrics["kind"].isin(["plan", "actual"]))
    return metrics.loc[keep, _PAIR_COLUMNS]


def pair_across_reports(meta: pd.DataFrame, metrics: pd.DataFrame) -> list[dict]:
    """Plans in an earlier report (下半年 targets in H1) paired with actuals in a later one.

    Each plan of a report (indicator_id and unit known, number not lost) pairs with the
    actual of the same indicator and unit in the nearest later report of the same org that
    covers the year the plan is for: the report's own year (下半年 plans in an H1 report, a
    plan report), the next year after a year-end summary (明年工作打算). Reports of the same
    period never pair, nor do reports whose year or period is unknown (except a plan report:
    see ``_period_end``).
    """
    from forestry_analysis.pipeline.completion import completion_row
    if metrics.empty or meta.empty:
        return []
    cols = _PAIR_COLUMNS[:-1]
    m = _pairable(metrics)
    if m.empty:
        return []
    recs = [dict(zip(cols, vals)) for vals in zip(*(m[c].astype(object).tolist() for c in cols))]
    plans: dict[str, list[dict]] = {}
    actuals: dict[str, dict] = {}
    for r in recs:
        r["kind"], r["category"] = str(r["kind"]), None if r["category"] is pd.NA else r["category"]
        if r["kind"] == "plan":
            plans.setdefault(r["report_id"], []).append(r)
        else:
            actuals.setdefault(r["report_id"], {}).setdefault((r["indicator_id"], r["unit"]), r)
    reports = {}
    for rid, org, year, period, kind in zip(*(meta[c].astype(object).tolist() for c in
                                              ("report_id", "org", "year", "period", "report_kind"))):
        end = _period_end(year, period, kind)
        if isinstance(org, str) and end is not None:
            # the year its plans are for: its own, or the next one after a year-end summary
            year_end = kind != "plan" and end - int(year) * 12 == 12
            target = int(year) + 1 if year_end else int(year)
            reports.setdefault(org, []).append((end, int(year), rid, target))
    rows = []
    for org in sorted(reports):
        ordered = sorted(reports[org], key=lambda x: x[0])  # stable: file order within a period
        for i, (end, year, rid, target) in enumerate(ordered):
            for p in plans.get(rid, []):
                for later_end, later_year, later, _ in ordered[i + 1:]:
                    if later_year > target:
                        break
                    if later_end <= end or later_year < target:
                        continue
                    a = actuals.get(later, {}).get((p["indicator_id"], p["unit"]))
                    if a is None:
                        continue
                    row = completion_row(later, a, p, None, "another report", f"plan from {rid}")
                    row.pop("_derived", None)
                    row["plan_report_id"] = rid
                    rows.append(row)
                    break
    return rows


def _decide(infos: list[dict], errors: list[dict]):
    """Which files are kept (file → report_id), the duplicates dropped and the errors."""
    errors = list(errors)
    kept: dict[int, str] = {}
    dups, seen, ids = [], {}, set()
    for info in sorted(infos, key=lambda d: d["_file"]):
        if info["error"] is not None:
            errors.append(dict(path=info["path"], reason=info["error"]))
            continue
        fp = info["fingerprint"]
        if fp in seen:
            dups.append(dict(path=info["path"], duplicate_of=seen[fp]))
            continue
        seen[fp] = info["path"]
        kept[info["_file"]] = _unique_id(info["report_id"], ids)
    return kept, pd.DataFrame(dups, columns=["path", "duplicate_of"]), \
        pd.DataFrame(errors, columns=["path", "reason"])


def _select(df: pd.DataFrame, name: str, kept: dict[int, str], paths: dict[int, str]) -> pd.DataFrame:
    """Rows of kept files, in file order, with their final report_id (and meta path)."""
    files = df["_file"].to_numpy()
    mask = np.isin(files, np.fromiter(kept, dtype=np.int64, count=len(kept)))
    df = df[mask]
    order = np.argsort(df["_file"].to_numpy(), kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    fi = df["_file"]
    rid = pd.Series(fi.map(kept).tolist(), index=df.index, dtype=schema.STR)
    df["report_id"] = rid
    if name == "completion":  # in-report pairs: the plan is in the report itself
        df["plan_report_id"] = rid.where(df["plan_report_id"].notna())
    if name == "meta":
        df["path"] = pd.array(fi.map(paths).tolist(), dtype=schema.STR)
    return df.drop(columns="_file")


def _finish(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Cross-report pairs, meta columns on every table, categories: the corpus tables."""
    meta, metrics = frames["meta"], frames["metrics"]
    completion = frames["completion"]
    cross = pair_across_reports(meta, metrics)
    if cross:
        completion = pd.concat([_strings(completion), schema.frame("completion", cross)], ignore_index=True)
    out = {"meta": meta, "completion": completion}
    out.update({n: frames[n] for n in ("metrics", "tasks", "quality")})
    for n in TABLES:
        out[n] = _with_meta(out[n], meta)
    return {n: _categorize(df) for n, df in out.items()}


def _corpus(entries: pa.Table, files: list[Path], errors: list[dict], root: Path | None) -> Corpus:
    infos = entries.select(_INFO).to_pylist()
    kept, dups, errs = _decide(infos, errors)
    paths = {i: str(f) for i, f in enumerate(files)}
    frames = {n: _select(_unpack(entries, n, categories=True), n, kept, paths) for n in ALL_TABLES}
    keys = {d["_file"]: d["key"] for d in infos}
    texts = _Texts({rid: (paths[i], str(root) if root is not None and keys.get(i) else None, keys.get(i))
                    for i, rid in kept.items()})
    hits = sum(1 for d in infos if d["cached"])
    return Corpus(duplicates=dups, errors=errs, texts=texts,
                  cache_info=dict(dir=str(root) if root is not None else None, hits=hits,
                                  misses=len(infos) - hits),
                  **_finish(frames))


def _chunks(items: list, workers: int, chunksize: int | None) -> list[list]:
    """Files per task: several per task (a task per file costs a round trip each), at most 64,
    and about 16 tasks per worker so that no worker idles long at the end of the run."""
    if not items:
        return []
    size = chunksize or max(1, min(64, -(-len(items) // (workers * 16))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _warm() -> None:
    """Load the lexicons and compile the patterns once, before worker processes fork."""
    r = read_report(text="某某县林业局2021年上半年工作总结\n一、工作情况\n完成营造林1万亩,占计划的50%。\n")
    for name in ("meta_table",) + TABLES:
        getattr(r, name)


def _mp_context():
    """How worker processes start: ``fork`` on Linux (the workers inherit the imported package
    and its loaded lexicon, so they start in milliseconds), elsewhere ``forkserver`` with the
    package preloaded, else the platform default. ``$FORESTRY_MP_START`` overrides."""
    methods = multiprocessing.get_all_start_methods()
    wanted = os.environ.get("FORESTRY_MP_START")
    if wanted in methods:
        return multiprocessing.get_context(wanted)
    if "fork" in methods and sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["forestry_analysis.doc.report", "forestry_analysis.pipeline.quantities.metrics",
                                    "forestry_analysis.corpus"])
        return ctx
    return multiprocessing.get_context()


def _show_progress(progress, n: int) -> bool:
    if progress is not None:
        return bool(progress)
    if os.environ.get("PYTEST_CURRENT_TEST") or n <= 20:
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def read_corpus(sources, *, workers: int | None = None, progress: bool | None = None, cache=None,
                engine: str = "processes", client=None, out=None, chunksize: int | None = None,
                timeout: float | None = None) -> Corpus:
    """Read every report in a folder or list of paths into one ``Corpus``.

    workers: processes to use (default: all cores; 1 reads in this process).
    progress: show a tqdm bar (default: only for long runs on an interactive terminal).
    cache: folder of the cache (default ``$FORESTRY_CACHE_DIR`` or ``~/.cache/forestry-analysis``);
        ``False`` reads everything afresh and stores nothing. A file whose bytes, name, the
        package version, code and lexicon are unchanged loads from the cache. Every cache
        file is checked against its digest: a corrupt one is read again and rewritten (one
        ``CacheWarning``); a read-only cache is read, with one warning that nothing is written.
    engine: ``"processes"`` (this machine) or ``"dask"``: the same tables built on a Dask cluster
        (``client``, else the current distributed client, else Dask's default scheduler),
        with the same caches.
    out: a folder: the tables are also written there as Parquet, one folder per table
        (``read_corpus(out)`` and ``dask.dataframe.read_parquet(out / "metrics")`` read them).
    chunksize: files per task (default: about 16 tasks per worker, at most 64 files each).
    timeout: seconds one file may take in a worker process (default ``$FORESTRY_FILE_TIMEOUT``
        or 300; 0 for no limit); a file over it, or whose worker the system kills (out of
        memory), is listed in ``errors`` and the rest goes on. Given with ``workers=1``, the
        file is read in one worker process so that the limit holds.

    A folder written by ``out=`` is read back as it was. Worker processes start by ``fork``
    on Linux; elsewhere (or with ``FORESTRY_MP_START=spawn|forkserver``) call it under
    ``if __name__ == "__main__":`` in a script. ``Corpus.cache_info`` counts the reports
    loaded from the cache (``hits``).
    """
    if engine not in ("processes", "dask"):
        raise ValueError(f"engine must be 'processes' or 'dask', not {engine!r}")
    if (stored := _parquet_corpus(sources)) is not None:
        return stored
    files, errors = _collect(sources)
    root = _cache_root(cache)
    writable = root is not None and _cache.writable(root)
    if root is not None and not writable:
        _cache.warn(f"{root.parent} is read-only: entries are read from it, nothing new is written")
    keys = [file_key(f) for f in files] if root is not None else [None] * len(files)
    ckey = _corpus_key(files, keys, errors) if root is not None else None
    corrupt = 0
    packed = None
    if ckey is not None:
        try:
            packed = _read_pack(root, ckey, len(files))
        except Corrupt:
            corrupt += 1
    if packed is None:
        if engine == "dask":
            entries, bad = _read_dask_entries(files, keys, root, writable, client, chunksize)
        else:
            entries, bad = _read_entries(files, keys, root, writable, workers, progress, chunksize, timeout)
        corrupt += bad
        table = pa.concat_tables(entries) if entries else _empty_entries()
        packed = _corpus(table, files, errors, root)
        if ckey is not None and writable:
            _write_pack(root, ckey, packed)
        if writable and packed.cache_info["misses"]:
            _cache.prune(root.parent)
    if corrupt:
        _cache.warn(f"{corrupt} corrupt or truncated entr{'y' if corrupt == 1 else 'ies'} in {root} "
                    f"{'discarded and rewritten' if writable else 'discarded (read-only: not rewritten)'}")
    if out is not None:
        write_parquet(packed, out)
    return packed


def _cache_root(cache) -> Path | None:
    return cache_root(cache)


def _read_entries(files, keys, root, writable, workers, progress, chunksize, timeout) -> tuple[list, int]:
    """Each file's entry, from its cache entry or read in worker processes; and the number of
    corrupt entries met. A file that times out or kills its worker becomes an error entry."""
    from tqdm.auto import tqdm
    from forestry_analysis.corpus import workers as _workers
    explicit = timeout is not None
    budget = (timeout if timeout > 0 else None) if explicit else _workers.default_budget()
    workers = workers or _cpu_count()
    entries, todo, corrupt = [], [], 0
    for i, (f, key) in enumerate(zip(files, keys)):
        hit = None
        if key is not None:
            try:
                hit = _read_cached(root, key, i)
            except Corrupt:
                corrupt += 1
        if hit is not None:
            entries.append(hit)
        else:
            todo.append((i, str(f), key))
    chunks = _chunks(todo, workers, chunksize)
    root_s = str(root) if root is not None else None
    pooled = bool(chunks) and ((workers > 1 and len(chunks) > 1) or (explicit and budget is not None))
    started = []
    if pooled:
        ctx = _mp_context()
        if ctx.get_start_method() == "fork":
            _warm()
        n = min(workers, len(chunks))
        args = (_load_items, (root_s, writable, False), (root_s, writable, True))
        started = _workers.start(ctx, n, *args)   # before the progress bar's thread
    bar = None
    try:
        bar = tqdm(total=len(files), desc="reports", unit="file", disable=not _show_progress(progress, len(files)))
        bar.update(len(files) - len(todo))
        if pooled:
            paths = {i: p for i, p, _ in todo}
            for kind, a, b in _workers.run(chunks, *args, workers=n, budget=budget, ctx=ctx, started=started):
                if kind == "done":
                    entries.append(b[0])
                    corrupt += b[1]
                    bar.update(len(a))
                else:
                    entries.append(_entry(a, paths[a], error=b))
                    bar.update(1)
        else:
            for chunk in chunks:
                table, bad = _load_items(chunk, root_s, writable, False)
                entries.append(table)
                corrupt += bad
                bar.update(len(chunk))
    finally:
        _workers.stop(started)
        if bar is not None:
            bar.close()
    return entries, corrupt


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def assemble(results: list[dict], errors: list[dict] | None = None) -> Corpus:
    """Build a Corpus from ``load_one`` results (in file order)."""
    entries = []
    for i, res in enumerate(results):
        if "error" in res:
            entries.append(_entry(i, res["path"], error=res["error"]))
        else:
            tables = {n: res[n] for n in ALL_TABLES}
            entries.append(_entry(i, res["path"], report_id=res["report_id"],
                                  fingerprint=res["fingerprint"], tables=tables))
    table = pa.concat_tables(entries) if entries else _empty_entries()
    return _corpus(table, [Path(r["path"]) for r in results], list(errors or []), None)


# -- Dask ------------------------------------------------------------------------------


def _dask_compute_kwargs(client, pool=None) -> dict:
    """Where Dask runs: ``client``, else the current distributed client, else the configured
    scheduler; with none configured, local processes (in ``pool`` when given, so that one
    set of workers serves every step instead of one set started per step)."""
    import dask
    if client is None:
        try:
            from distributed import default_client
            client = default_client()
        except (ImportError, ValueError):
            client = None
    if client is not None:
        return {"scheduler": client}
    if dask.config.get("scheduler", None) in (None, "processes", "multiprocessing"):
        return {"scheduler": "processes", **({"pool": pool} if pool is not None else {})}
    return {}


def _part_frame(part, name: str, kept: dict[int, str], paths: dict[int, str]) -> pd.DataFrame:
    """One table of one Dask partition (a list holding one entries table)."""
    entries = pa.concat_tables(list(part)) if len(part) else _empty_entries()
    return _select(_unpack(entries, name), name, kept, paths)


def _part_info(part) -> list[dict]:
    return [d for t in part for d in t.select(_INFO).to_pylist()]


def _dask_frames(files: list[Path], errors: list[dict], root: Path | None, kw: dict,
                 chunksize: int | None):
    import dask
    import dask.bag as db
    import dask.dataframe as dd

    sched = kw.get("scheduler")
    nworkers = len(sched.scheduler_info().get("workers", {})) if hasattr(sched, "scheduler_info") else _cpu_count()
    items = [(i, str(f), None) for i, f in enumerate(files)]
    chunks = _chunks(items, max(1, nworkers), chunksize) or [[]]
    bag = db.from_sequence(chunks, npartitions=len(chunks)).map(
        _load_entries, str(root) if root is not None else None)
    (bag,) = sched.persist([bag]) if hasattr(sched, "persist") else dask.persist(bag, **kw)
    (infos,) = dask.compute(bag.map_partitions(_part_info), **kw)
    infos = list(infos)
    kept, dups, errs = _decide(infos, errors)
    paths = {i: str(f) for i, f in enumerate(files)}
    frames = {}
    for name in ALL_TABLES:
        dparts = []
        for chunk, part in zip(chunks, bag.to_delayed()):
            ids = {i for i, _, _ in chunk}
            dparts.append(dask.delayed(_part_frame)(part, name, {i: r for i, r in kept.items() if i in ids},
                                                    {i: paths[i] for i in ids}))
        frames[name] = dd.from_delayed(dparts, meta=schema.frame(name), verify_meta=False)
    pairable = frames["metrics"].map_partitions(_pairable, meta=_pairable(schema.frame("metrics")))
    meta, pairable = dask.compute(frames["meta"], pairable, **kw)
    meta = _schema_dtypes("meta", meta.reset_index(drop=True))
    cross = pair_across_reports(meta, pairable)
    if cross:
        frames["completion"] = dd.concat([frames["completion"], dd.from_pandas(
            schema.frame("completion", cross), npartitions=1)])
    small = meta[["report_id"] + META_COLUMNS]
    for n in TABLES:
        frames[n] = frames[n].map_partitions(_with_meta, small, meta=_with_meta(schema.frame(n), small.iloc[:0]))
    keys = {d["_file"]: d["key"] for d in infos}
    hits = sum(1 for d in infos if d["cached"])
    extra = dict(duplicates=dups, errors=errs, meta=meta, entries=bag,
                 cache_info=dict(dir=str(root) if root is not None else None, hits=hits,
                                 misses=len(infos) - hits),
                 texts=_Texts({rid: (paths[i], str(root) if root is not None and keys.get(i) else None,
                                     keys.get(i)) for i, rid in kept.items()}))
    return frames, extra


def dask_tables(sources, *, cache=None, client=None, chunksize: int | None = None):
    """The corpus tables as lazy Dask DataFrames (schema dtypes plus org, region, year, period;
    strings not made categories), and a dict of the small parts: ``meta`` (pandas),
    ``duplicates``, ``errors``, ``cache_info``, ``texts``, and ``entries``: the persisted
    dask.bag the frames are built from (keep the dict while you compute the frames: on a
    distributed cluster the entries are released when it goes).

    Files are read by the cluster's workers (``client``, else the current distributed client)
    in tasks of ``chunksize`` files: a dask.bag of entries, persisted on the cluster. Only
    per-file facts (fingerprint, report_id), meta and the plan and actual rows that can pair
    across reports come back to this process.
    """
    files, errors = _collect(sources)
    return _dask_frames(files, errors, _cache_root(cache), _dask_compute_kwargs(client), chunksize)


def _schema_dtypes(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The schema's dtypes again (Dask may have turned strings into its own string type)."""
    fields = schema.TABLES[name] + [f for f in schema.TABLES["meta"] if f.name in META_COLUMNS]
    return df.astype({f.name: f.dtype for f in fields if f.name in df.columns})


def _warm_worker() -> None:
    """On a Dask worker: the lexicons loaded and patterns compiled once, then kept out of the
    garbage collector's way (as forked workers inherit them frozen)."""
    import gc
    _warm()
    gc.freeze()


def _read_dask_entries(files, keys, root, writable, client, chunksize) -> tuple[list, int]:
    """Each file's entry, read by Dask tasks (from the cache when there, as the processes
    engine does); the entries come back here and make the same Corpus as the processes engine.
    A task that fails (its worker died) makes its files error entries."""
    import dask
    kw = _dask_compute_kwargs(client)
    sched = kw.get("scheduler")
    distributed = hasattr(sched, "scheduler_info")
    nworkers = len(sched.scheduler_info().get("workers", {})) if distributed else _cpu_count()
    items = [(i, str(f), k) for i, (f, k) in enumerate(zip(files, keys))]
    chunks = _chunks(items, max(1, nworkers), chunksize)
    root_s = str(root) if root is not None else None
    results = []
    if distributed:
        sched.run(_warm_worker)
        futures = sched.map(_load_items, chunks, root=root_s, write=writable, look=True, pure=False)
        for chunk, fut in zip(chunks, futures):
            try:
                results.append(fut.result())
            except Exception as exc:  # a worker lost on this task (out of memory, killed)
                results.append((pa.concat_tables([_entry(i, p, error=f"the Dask task reading it failed: "
                                                  f"{type(exc).__name__}: {exc}") for i, p, _ in chunk]), 0))
        del futures
    else:
        pool = None
        if sched == "processes":  # one pool of forked workers for every task
            ctx = _mp_context()
            if ctx.get_start_method() == "fork":
                _warm()
            pool = ProcessPoolExecutor(max_workers=_cpu_count(), mp_context=ctx)
            kw = {**kw, "pool": pool}
        try:
            tasks = [dask.delayed(_load_items, pure=False)(c, root_s, writable, True) for c in chunks]
            results = list(dask.compute(*tasks, **kw))
        finally:
            if pool is not None:
                pool.shutdown()
    return [t for t, _ in results], sum(bad for _, bad in results)


# -- Parquet: the corpus written by out= and read back ------------------------------------

_PARQUET_PARTS = ALL_TABLES + ("duplicates", "errors")


def write_parquet(corpus: Corpus, out) -> Path:
    """Each table of ``corpus`` as ``out/<table>/part.0.parquet`` (also duplicates and errors),
    readable by ``read_corpus(out)``, ``pandas.read_parquet(out / "metrics")`` and
    ``dask.dataframe.read_parquet(out / "metrics")``."""
    import pyarrow.parquet as pq
    out = Path(out)
    parts = {**corpus.tables(), "duplicates": corpus.duplicates, "errors": corpus.errors}
    for name, df in parts.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
        df = df.astype(str) if name in ("duplicates", "errors") else df
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / "part.0.parquet")
    return out


def _parquet_corpus(sources) -> Corpus | None:
    """The corpus stored in a folder written by ``out=`` (None if ``sources`` is not one)."""
    if not isinstance(sources, (str, os.PathLike)):
        return None
    folder = Path(sources)
    if not all((folder / n).is_dir() and any((folder / n).glob("*.parquet")) for n in ("meta", "metrics")):
        return None
    frames = {}
    for name in _PARQUET_PARTS:
        d = folder / name
        parts = sorted(d.glob("*.parquet")) if d.is_dir() else []
        if not parts:
            frames[name] = None
            continue
        t = pa.concat_tables([_read_parquet_file(p) for p in parts])
        frames[name] = t.to_pandas(types_mapper=_TYPES.get)
    tables = {}
    for n in ALL_TABLES:
        df = frames[n] if frames[n] is not None else schema.frame(n)
        tables[n] = _categorize(_restore(n, df.reindex(columns=_expected_columns(n))))
    dups = (frames["duplicates"] if frames["duplicates"] is not None else pd.DataFrame())
    errs = (frames["errors"] if frames["errors"] is not None else pd.DataFrame())
    return Corpus(duplicates=dups.astype(object).reindex(columns=["path", "duplicate_of"]),
                  errors=errs.astype(object).reindex(columns=["path", "reason"]),
                  texts=_Texts({}),
                  cache_info=dict(dir=None, hits=0, misses=0, parquet=str(folder)), **tables)


def _read_parquet_file(path: Path) -> pa.Table:
    import pyarrow.parquet as pq
    return pq.read_table(path)
