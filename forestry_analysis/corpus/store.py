"""Entries kept on disk: one cached entry per file, the whole corpus as one pack (one read
instead of one per file), and the Parquet folder that ``out=`` writes and ``read_corpus`` reads.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa

from forestry_analysis.corpus.assemble import Corpus, _Texts
from forestry_analysis.corpus.cache import (Corrupt, cache_version, discard, entry_path, file_key, read_table,
                                            write_table)
from forestry_analysis.corpus.entries import (ALL_TABLES, CATEGORY_COLUMNS, META_COLUMNS, _INFO, _TYPES,
                                              _analyse, _cache_schema, _categorize, _empty_entries,
                                              _sorted_categories, _with_key)
from forestry_analysis.corpus.workers import started as _progress
from forestry_analysis.doc import schema


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
    parts = {**corpus.all_tables(), "duplicates": corpus.duplicates, "errors": corpus.errors, "texts": texts}
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


_PARQUET_PARTS = ALL_TABLES + ("duplicates", "errors")


def write_parquet(corpus: Corpus, out) -> Path:
    """Each table of ``corpus`` as ``out/<table>/part.0.parquet`` (also duplicates and errors),
    readable by ``read_corpus(out)``, ``pandas.read_parquet(out / "metrics")`` and
    ``dask.dataframe.read_parquet(out / "metrics")``."""
    import pyarrow.parquet as pq
    out = Path(out)
    parts = {**corpus.all_tables(), "duplicates": corpus.duplicates, "errors": corpus.errors}
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
