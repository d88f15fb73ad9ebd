"""Command line: ``forestry-analysis tables|brief|metrics``.

Bad input ends with a non-zero exit and one clear line on stderr; ``--verbose`` adds the
traceback.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import config
from .errors import ReportReadError

FORMATS = ("csv", "xlsx", "parquet", "json")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="forestry-analysis",
                                description="Chinese forestry-bureau work reports → tables and briefing charts.")
    p.add_argument("--verbose", action="store_true", help="show the traceback on errors")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tables", help="write metrics, tasks, completion, quality and meta tables")
    t.add_argument("paths", nargs="+", type=Path, help="report files or folders")
    t.add_argument("--format", choices=FORMATS, default="csv")
    t.add_argument("--out", type=Path, required=True, help="output folder")
    b = sub.add_parser("brief", help="charts (PNG+SVG), Excel workbook and Markdown summary")
    b.add_argument("paths", nargs="*", type=Path, help="report files or folders (default: bundled samples)")
    b.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    m = sub.add_parser("metrics", help="print the metrics of one report")
    m.add_argument("path", type=Path)
    for sp in (t, b, m):
        sp.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback on errors")
    return p


def _corpus(paths):
    from .corpus import read_corpus
    corpus = read_corpus(paths, progress=None)
    for row in corpus.errors.itertuples():
        print(f"forestry-analysis: skipped {row.path}: {row.reason}", file=sys.stderr)
    if not len(corpus):
        raise ReportReadError(", ".join(map(str, paths)), "no readable report")
    return corpus


def write_tables(tables: dict, out: Path, fmt: str) -> list[Path]:
    """Write each table as ``out/NAME.FMT`` (one workbook for xlsx)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "xlsx":
        import pandas as pd
        path = out / "tables.xlsx"
        with pd.ExcelWriter(path) as xl:
            for name, df in tables.items():
                df.to_excel(xl, sheet_name=name, index=False)
        return [path]
    for name, df in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False, encoding="utf-8-sig")
        elif fmt == "parquet":
            df.to_parquet(path, index=False)
        else:
            df.to_json(path, orient="records", force_ascii=False, indent=1)
        written.append(path)
    return written


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        for p in getattr(args, "paths", None) or []:
            if not p.exists():
                raise ReportReadError(p, "file not found")
        if args.command == "tables":
            for path in write_tables(_corpus(args.paths).tables(), args.out, args.format):
                print(path)
        elif args.command == "brief":
            from .brief import write_brief
            corpus = _corpus(args.paths or [config.SAMPLES_DIR])
            for path in write_brief(corpus, args.out).values():
                print(path)
        else:
            from .report import read_report
            import pandas as pd
            with pd.option_context("display.max_rows", None, "display.width", 200):
                print(read_report(args.path).metrics[["raw", "value", "unit", "kind", "category", "indicator"]])
    except (ReportReadError, OSError) as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"forestry-analysis: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"forestry-analysis: error: {type(exc).__name__}: {exc} (run with --verbose for details)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
