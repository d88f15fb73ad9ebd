"""``Corpus``: entries assembled into concatenated tables, duplicates dropped, ids made unique,
each row carrying the report's org, region, year and period.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from forestry_analysis.corpus.cache import cached_text
from forestry_analysis.corpus.entries import (ALL_TABLES, META_COLUMNS, TABLES, _INFO, _categorize,
                                              _empty_entries, _entry, _strings, _unpack)
from forestry_analysis.corpus.pairing import pair_across_reports
from forestry_analysis.doc import schema
from forestry_analysis.doc.report import read_report


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
    table_cells: pd.DataFrame
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

    def all_tables(self) -> dict[str, pd.DataFrame]:
        """Every corpus table by name, for export."""
        return {"meta": self.meta, "metrics": self.metrics, "tasks": self.tasks,
                "completion": self.completion, "quality": self.quality, "table_cells": self.table_cells}


def _unique_id(rid: str, taken: set) -> str:
    out, n = rid, 2
    while out in taken:
        out, n = f"{rid}_{n}", n + 1
    taken.add(out)
    return out


def _with_meta(df: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    extra = meta[["report_id"] + META_COLUMNS]
    return df.merge(extra, on="report_id", how="left")


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
    out.update({n: frames[n] for n in ("metrics", "tasks", "quality", "table_cells")})
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
