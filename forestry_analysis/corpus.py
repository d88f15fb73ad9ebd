"""A corpus of reports: the same tables concatenated, one row of meta per report.

``read_corpus`` reads a folder (recursively) or a list of paths, in parallel processes,
drops duplicate reports (the same text in another encoding, format or script), records
unreadable files in ``errors`` instead of stopping, and pairs plans in an earlier report
with actuals in a later report of the same org (basis "another report").
"""
from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import schema
from .errors import ReportReadError
from .report import Report, read_report

TABLES = ("metrics", "tasks", "completion", "quality")
META_COLUMNS = ["org", "region", "year", "period"]
_PERIOD_ORDER = {"Q1": 1, "H1": 2, "Q2": 2, "Q3": 3, "H2": 4, "Q4": 4, "annual": 5}


def fingerprint(report: Report) -> str:
    """Content hash of the normalised text without whitespace: equal for the same report in
    another encoding, format (.docx/.txt) or script (traditional/simplified)."""
    core = re.sub(r"\s+", "", report.norm.text)
    return hashlib.sha1(core.encode("utf-8")).hexdigest()


def _collect(sources) -> tuple[list[Path], list[dict]]:
    from .reading import SUPPORTED_SUFFIXES
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files, errors, seen = [], [], set()
    for src in map(Path, sources):
        if src.is_dir():
            for root, dirs, names in os.walk(src, followlinks=False, onerror=lambda e: errors.append(
                    dict(path=str(e.filename), reason=str(e.strerror or e)))):
                dirs.sort()
                for name in sorted(names):
                    p = Path(root) / name
                    if p.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith("."):
                        files.append(p)
        else:
            files.append(src)
    out = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out, errors


def load_one(path: Path) -> dict:
    """Read one file and build its tables; never raises (errors are returned)."""
    try:
        r = read_report(path)
        tables = {name: getattr(r, name) for name in TABLES}
        return dict(path=str(path), report_id=r.report_id, fingerprint=fingerprint(r),
                    meta=r.meta_table, text=r.text, **tables)
    except ReportReadError as exc:
        return dict(path=str(path), error=exc.reason)
    except Exception as exc:  # a bug on one odd file must not stop a corpus of thousands
        return dict(path=str(path), error=f"could not analyse: {type(exc).__name__}: {exc}")


@dataclass
class Corpus:
    """Concatenated tables of many reports, each row carrying report_id, org, region, year, period."""
    meta: pd.DataFrame
    metrics: pd.DataFrame
    tasks: pd.DataFrame
    completion: pd.DataFrame
    quality: pd.DataFrame
    duplicates: pd.DataFrame
    errors: pd.DataFrame
    texts: dict = field(default_factory=dict, repr=False)

    def __len__(self):
        return len(self.meta)

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


def _period_key(row) -> tuple:
    year = row["year"] if pd.notna(row["year"]) else 0
    period = row["period"] if isinstance(row["period"], str) else ""
    month = int(period[1:]) / 2.4 if period.startswith("M") and period[1:].isdigit() else None
    return int(year), month if month is not None else _PERIOD_ORDER.get(period, 0)


def pair_across_reports(meta: pd.DataFrame, metrics: pd.DataFrame) -> list[dict]:
    """Plans in an earlier report (下半年 targets in H1) paired with actuals in a later one."""
    from .completion import _row
    rows = []
    if metrics.empty:
        return rows
    keyed = metrics[metrics["indicator_id"].notna() & metrics["value"].notna() & ~metrics["missing"]]
    for org, group in meta[meta["org"].notna()].groupby("org"):
        ordered = sorted(group.to_dict("records"), key=_period_key)
        for i, earlier in enumerate(ordered):
            plans = keyed[(keyed["report_id"] == earlier["report_id"]) & (keyed["kind"] == "plan")]
            for later in ordered[i + 1:]:
                if _period_key(later) <= _period_key(earlier):
                    continue
                acts = keyed[(keyed["report_id"] == later["report_id"]) & (keyed["kind"] == "actual")]
                for p in plans.to_dict("records"):
                    a = acts[(acts["indicator_id"] == p["indicator_id"]) & (acts["unit"] == p["unit"])]
                    if a.empty:
                        continue
                    row = _row(later["report_id"], a.iloc[0].to_dict(), p, None, "another report",
                               f"plan from {earlier['report_id']}")
                    row.pop("_derived", None)
                    row["plan_report_id"] = earlier["report_id"]
                    rows.append(row)
    return rows


def read_corpus(sources, *, workers: int | None = None, progress: bool | None = None) -> Corpus:
    """Read every report in a folder or list of paths into one ``Corpus``.

    workers: processes to use (default: all cores; 1 reads in this process).
    progress: show a tqdm bar (default: only on an interactive terminal or notebook).
    """
    from tqdm.auto import tqdm
    files, errors = _collect(sources)
    workers = workers or os.cpu_count() or 1
    if progress is None:
        progress = len(files) > 20 and not os.environ.get("PYTEST_CURRENT_TEST") and \
            (hasattr(__import__("sys").stderr, "isatty") and __import__("sys").stderr.isatty())
    bar = tqdm(total=len(files), desc="reports", unit="file", disable=not progress)
    results = []
    if workers > 1 and len(files) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for res in pool.map(load_one, files, chunksize=max(1, len(files) // (workers * 8))):
                results.append(res)
                bar.update()
    else:
        for f in files:
            results.append(load_one(f))
            bar.update()
    bar.close()
    return assemble(results, errors)


def assemble(results: list[dict], errors: list[dict] | None = None) -> Corpus:
    """Build a Corpus from ``load_one`` results (in file order)."""
    errors = list(errors or [])
    kept, dups, seen, ids = [], [], {}, set()
    for res in results:
        if "error" in res:
            errors.append(dict(path=res["path"], reason=res["error"]))
            continue
        fp = res["fingerprint"]
        if fp in seen:
            dups.append(dict(path=res["path"], duplicate_of=seen[fp]))
            continue
        seen[fp] = res["path"]
        rid = _unique_id(res["report_id"], ids)
        if rid != res["report_id"]:
            for name in TABLES + ("meta",):
                res[name] = res[name].assign(report_id=rid)
        res["report_id"] = rid
        kept.append(res)

    def cat(name):
        frames = [r[name] for r in kept if len(r[name])]
        return pd.concat(frames, ignore_index=True) if frames else schema.frame(name if name != "meta" else "meta")

    meta = cat("meta") if kept else schema.frame("meta")
    metrics = cat("metrics")
    completion = cat("completion")
    cross = pair_across_reports(meta, metrics)
    if cross:
        completion = pd.concat([completion, schema.frame("completion", cross)], ignore_index=True)
    return Corpus(
        meta=meta,
        metrics=_with_meta(metrics, meta), tasks=_with_meta(cat("tasks"), meta),
        completion=_with_meta(completion, meta), quality=_with_meta(cat("quality"), meta),
        duplicates=pd.DataFrame(dups, columns=["path", "duplicate_of"]),
        errors=pd.DataFrame(errors, columns=["path", "reason"]),
        texts={r["report_id"]: r["text"] for r in kept})
