"""How entries are made: worker processes (one bad file cannot take the run down) or a Dask
cluster, both through the same caches; ``read_corpus`` decides what to read and from where.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa

from forestry_analysis.corpus import cache as _cache
from forestry_analysis.corpus.assemble import Corpus, _Texts, _corpus, _decide, _select, _with_meta
from forestry_analysis.corpus.cache import Corrupt, cache_root, file_key
from forestry_analysis.corpus.collect import _collect
from forestry_analysis.corpus.entries import (ALL_TABLES, META_COLUMNS, TABLES, _INFO, _empty_entries, _entry,
                                              _unpack)
from forestry_analysis.corpus.pairing import _pairable, pair_across_reports
from forestry_analysis.corpus.store import (_corpus_key, _load_entries, _load_items, _parquet_corpus,
                                            _read_cached, _read_pack, _write_pack, write_parquet)
from forestry_analysis.doc import schema
from forestry_analysis.doc.report import read_report


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
