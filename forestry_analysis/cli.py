"""Command line: ``forestry-analysis tables|brief|metrics|cache``.

Bad input ends with a non-zero exit and one clear line on stderr; ``--verbose`` adds the
traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from forestry_analysis import config
from forestry_analysis.errors import ReportReadError

FORMATS = ("csv", "xlsx", "parquet", "json")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), like every other error."""

    def error(self, message):
        self.exit(2, f"{_one_line(f'{self.prog}: error: {message}')} (see {self.prog} --help)\n")


def _one_line(message: str) -> str:
    """A message on one line: newlines (in a file name or a library's message) escaped."""
    return str(message).replace("\r", "\\r").replace("\n", "\\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="forestry-analysis",
                description="Chinese forestry-bureau work reports → tables and briefing charts.")
    p.add_argument("--verbose", action="store_true", help="show the traceback on errors")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tables", help="write metrics, tasks, completion, quality and meta tables")
    t.add_argument("paths", nargs="+", type=Path, help="report files or folders")
    t.add_argument("--format", choices=FORMATS, default="csv")
    t.add_argument("--out", type=Path, required=True, help="output folder")
    b = sub.add_parser("brief", help="charts (PNG+SVG), Word briefing (简报), Excel workbook and Markdown summary")
    b.add_argument("paths", nargs="*", type=Path, help="report files or folders (default: bundled samples)")
    b.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    m = sub.add_parser("metrics", help="print the metrics of one report")
    m.add_argument("path", type=Path)
    c = sub.add_parser("cache", help="what the corpus cache holds (info), or empty it (clear)")
    c.add_argument("action", choices=("info", "clear"))
    c.add_argument("--dir", type=Path, default=None,
                   help="cache folder (default: $FORESTRY_CACHE_DIR or ~/.cache/forestry-analysis)")
    for sp in (t, b, m, c):
        sp.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback on errors")
    return p


def _corpus(paths):
    import warnings
    from forestry_analysis.corpus.cache import CacheWarning
    from forestry_analysis.corpus import read_corpus
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        corpus = read_corpus(paths, progress=None)
    for w in caught:   # each warning on one line (other warnings as Python shows them)
        if issubclass(w.category, CacheWarning):
            print(_one_line(f"forestry-analysis: warning: {str(w.message).removeprefix('forestry-analysis ')}"),
                  file=sys.stderr)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    errors = list(corpus.errors.itertuples())
    if not len(corpus):
        # One error line, naming the files and why none could be read.
        if len(errors) == 1:
            raise ReportReadError(errors[0].path, errors[0].reason)
        reasons = "; ".join(f"{e.path}: {e.reason}" for e in errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise ReportReadError(", ".join(map(str, paths)),
                              "no readable report" + (f" ({reasons}{more})" if errors else ""))
    for row in errors:
        print(_one_line(f"forestry-analysis: skipped {row.path}: {row.reason}"), file=sys.stderr)
    return corpus


def _excel_safe(df):
    """Control characters that Excel cannot store (kept in reports read as text) → U+FFFD,
    so offsets into the cell text stay valid."""
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):
            df[col] = df[col].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v)
    return df


def write_tables(tables: dict, out: Path, fmt: str) -> list[Path]:
    """Write each table as ``out/NAME.FMT`` (one workbook for xlsx)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "xlsx":
        import pandas as pd
        path = out / "tables.xlsx"
        with pd.ExcelWriter(path) as xl:
            for name, df in tables.items():
                _excel_safe(df).to_excel(xl, sheet_name=name, index=False)
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


def _cache_command(action: str, folder) -> None:
    from forestry_analysis.corpus import cache
    base = cache.base_dir(folder)
    if action == "clear":
        print(f"removed {cache.clear(base) / 2**20:.1f} MB from {base}")
        return
    info = cache.info(base)
    print(f"cache folder: {base} (limit {info['max_bytes'] / 2**20:.0f} MB, ${cache.MAX_ENV})")
    for v in info["versions"]:
        print(f"  {v['version']}{' (current)' if v['current'] else ''}: {v['entries']} reports, "
              f"{v['corpora']} corpus{'es' if v['corpora'] != 1 else ''}, {v['bytes'] / 2**20:.1f} MB")
    if not info["versions"]:
        print(f"  empty (current version {info['current']})")
    print(f"total {info['bytes'] / 2**20:.1f} MB")


def main(argv=None) -> int:
    """Run the command line; return the exit code (0 ok, 1 unexpected error, 2 bad input)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 2
    try:
        for p in getattr(args, "paths", None) or [getattr(args, "path", None)]:
            if p is not None and not os.path.lexists(p):  # a broken or looping link is read (and reported) later
                raise ReportReadError(p, "file not found")
        if args.command == "tables":
            for path in write_tables(_corpus(args.paths).all_tables(), args.out, args.format):
                print(path)
        elif args.command == "brief":
            from forestry_analysis.present.brief import write_brief
            corpus = _corpus(args.paths or [config.SAMPLES_DIR])
            for path in write_brief(corpus, args.out).values():
                print(path)
        elif args.command == "cache":
            _cache_command(args.action, args.dir)
        else:
            from forestry_analysis.doc.report import read_report
            import pandas as pd
            with pd.option_context("display.max_rows", None, "display.width", 200):
                print(read_report(args.path).metrics[["raw", "value", "unit", "kind", "category", "indicator"]])
    except (ReportReadError, OSError) as exc:
        if args.verbose:
            traceback.print_exc()
        print(_one_line(f"forestry-analysis: error: {exc}"), file=sys.stderr)
        return 2
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        print(_one_line(f"forestry-analysis: error: {type(exc).__name__}: {exc}")
              + ("" if args.verbose else " (run with --verbose for details)"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
