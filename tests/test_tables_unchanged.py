"""Every table of every bundled report is exactly what the stored snapshot says.

The snapshot (tests/data/snapshots/, one zstd Parquet file per table, all reports stacked,
plus the statistics tables and the dtypes as JSON) pins the output while the pipeline is
made faster or restructured. After a deliberate change of output, write it again with

    PYTHONPATH=. python tests/test_tables_unchanged.py --update

and review the diff of the regenerated files' summary (``git diff --stat``) with the change.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "data" / "snapshots"
SOURCES = ("data/samples", "tests/gold", "tests/data/followups", "tests/data/formats")
TABLES = ("meta_table", "outline", "sentences", "tasks", "metrics", "numbers", "completion", "quality",
          "coverage", "table_cells")


def report_files() -> list[Path]:
    """The .txt reports bundled with the package and its tests, each distinct text once."""
    seen, out = set(), []
    for folder in SOURCES:
        for p in sorted((ROOT / folder).glob("*.txt")):
            data = p.read_bytes()
            if data not in seen:
                seen.add(data)
                out.append(p)
    return out


def current() -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table of every report (stacked, ``report_id`` = the file's folder/stem), the
    statistics tables as plain JSON, and the dtypes of each table as built per report."""
    import forestry_analysis as fa
    from forestry_analysis.io.reading import read_source

    stacked = {name: [] for name in TABLES}
    stat, dtypes = [], {}
    for p in report_files():
        rid = f"{p.parent.name}/{p.stem}"
        r = fa.read_report(text=read_source(p), path=p.relative_to(ROOT), report_id=rid)
        for name in TABLES:
            df = getattr(r, name)
            dtypes.setdefault(name, {c: str(t) for c, t in df.dtypes.items()})
            assert {c: str(t) for c, t in df.dtypes.items()} == dtypes[name], (rid, name)
            stacked[name].append(df)
        for df in r.tables:
            stat.append(dict(report=rid, attrs=df.attrs, columns=list(df.columns),
                             rows=[[None if pd.isna(v) else v for v in row] for row in df.itertuples(index=False)],
                             dtypes=sorted({str(t) for t in df.dtypes})))
    frames = {name: _roundtrip(pd.concat(dfs, ignore_index=True)) for name, dfs in stacked.items()}
    return frames, dict(dtypes=dtypes, stat_tables=stat)


def _parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, compression="zstd", index=False)
    return buf.getvalue()


def _roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as read back from Parquet, so that stored and fresh tables compare alike."""
    return pd.read_parquet(io.BytesIO(_parquet(df)))


def write_snapshot() -> None:
    frames, extra = current()
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        (SNAPSHOTS / f"{name}.parquet").write_bytes(_parquet(df))
    (SNAPSHOTS / "extra.json").write_text(json.dumps(extra, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def fresh():
    return current()


@pytest.mark.parametrize("name", TABLES)
def test_table_matches_snapshot(fresh, name):
    stored = pd.read_parquet(SNAPSHOTS / f"{name}.parquet")
    pd.testing.assert_frame_equal(fresh[0][name], stored, check_exact=True)


def test_dtypes_and_statistics_tables_match_snapshot(fresh):
    stored = json.loads((SNAPSHOTS / "extra.json").read_text(encoding="utf-8"))
    got = json.loads(json.dumps(fresh[1], ensure_ascii=False))
    assert got["dtypes"] == stored["dtypes"]
    assert len(got["stat_tables"]) == len(stored["stat_tables"])
    for g, s in zip(got["stat_tables"], stored["stat_tables"]):
        assert g == s, (g["report"], g["attrs"].get("table_id"))


def test_snapshot_covers_every_bundled_report():
    stored = pd.read_parquet(SNAPSHOTS / "meta_table.parquet", columns=["report_id"])
    assert list(stored["report_id"]) == [f"{p.parent.name}/{p.stem}" for p in report_files()]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    write_snapshot()
    print(f"snapshot of {len(report_files())} reports written to {SNAPSHOTS.relative_to(ROOT)}")
