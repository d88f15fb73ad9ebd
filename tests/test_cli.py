"""The ``forestry-analysis`` command line, run as the installed console script.

Every bad input exits non-zero with exactly one line on stderr (``--verbose`` adds the
traceback); ``tables`` writes one file per table in csv, parquet, json or one xlsx workbook.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis import cli

from conftest import key_mismatches

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "seed_banan_2020h1.txt"
BAD = Path(__file__).resolve().parent / "data" / "bad"
SCRIPT = Path(sys.executable).parent / "forestry-analysis"
CORPUS_TABLES = ["meta", "metrics", "tasks", "completion", "quality", "table_cells"]


def run(*args, cwd=ROOT, timeout=300):
    """The console script with ``args``: (exit code, stdout, stderr)."""
    proc = subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_error_line(code, stderr, *words):
    assert code != 0
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("forestry-analysis")
    assert "error" in lines[0]
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_console_script_is_installed():
    assert SCRIPT.exists(), f"{SCRIPT} missing: pip install -e . installs the console script"


def test_help_lists_every_subcommand():
    code, out, err = run("--help")
    assert code == 0 and err == ""
    for sub in ("tables", "brief", "metrics"):
        assert sub in out
    assert "--verbose" in out


def test_module_entry_point_works_too():
    proc = subprocess.run([sys.executable, "-m", "forestry_analysis.cli", "tables", "--help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0
    assert "--format" in proc.stdout and "--out" in proc.stdout


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "xlsx"])
def test_tables_writes_every_table(tmp_path, fmt):
    out = tmp_path / "out"
    code, stdout, stderr = run("tables", SEED, "--format", fmt, "--out", out)
    assert code == 0, stderr
    assert stderr == ""
    if fmt == "xlsx":
        written = [out / "tables.xlsx"]
        sheets = pd.read_excel(written[0], sheet_name=None)
        assert list(sheets) == CORPUS_TABLES
        metrics = sheets["metrics"]
    else:
        written = [out / f"{name}.{fmt}" for name in CORPUS_TABLES]
        read = {"csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"), "parquet": pd.read_parquet,
                "json": lambda p: pd.read_json(p, orient="records")}[fmt]
        metrics = read(out / f"metrics.{fmt}")
        for path in written:
            read(path)
    assert stdout.split() == [str(p) for p in written]
    text = Path(SEED).read_text(encoding="utf-8")   # every exported row points at its words
    assert all(text[int(s):int(e)] == str(raw) for s, e, raw in zip(metrics["start"], metrics["end"], metrics["raw"]))
    assert key_mismatches(metrics, text) == []
    assert set(metrics["report_id"]) == {"seed_banan_2020h1"}


def test_tables_into_a_new_nested_folder(tmp_path):
    code, _, stderr = run("tables", SEED, "--out", tmp_path / "a" / "b")
    assert code == 0, stderr
    assert (tmp_path / "a" / "b" / "metrics.csv").exists()


def test_brief_writes_the_word_briefing_charts_workbook_and_markdown(tmp_path):
    code, out, err = run("brief", SEED, "--out", tmp_path / "brief")
    assert code == 0, err
    written = {p.name for p in (tmp_path / "brief").iterdir()}
    assert {"briefing.docx", "briefing.xlsx", "briefing.md", "completion_rates.png", "fire_prevention.svg",
            "pest_control.png"} <= written
    assert "briefing.docx" in out
    from docx import Document
    assert len(Document(tmp_path / "brief" / "briefing.docx").inline_shapes) == 3

def test_metrics_prints_the_reports_metrics():
    code, out, err = run("metrics", SEED)
    assert code == 0 and err == ""
    assert "11640" in out and "raw" in out


def test_xlsx_export_survives_control_characters(tmp_path):
    """Excel cannot store control characters; they become U+FFFD instead of a crash."""
    code, _, stderr = run("tables", BAD / "control_chars.txt", "--format", "xlsx", "--out", tmp_path)
    assert code == 0, stderr
    sheets = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    cells = "".join(str(v) for df in sheets.values() for v in df.to_numpy().ravel())
    assert "\ufffd" in cells
    assert not any(c in cells for c in "\x00\x07\x1b")


def test_folder_with_some_bad_files_writes_the_rest_and_names_each_skipped_file(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    for name in ("random.bin.txt", "empty.txt", "renamed_txt.docx"):
        shutil.copy(BAD / name, folder / name)
    code, _, stderr = run("tables", folder, "--out", tmp_path / "out")
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("forestry-analysis: skipped ") for line in lines)
    for name in ("random.bin.txt", "empty.txt", "renamed_txt.docx"):
        assert sum(name in line for line in lines) == 1
    assert len(pd.read_csv(tmp_path / "out" / "metrics.csv")) > 0


# --- bad input: non-zero exit, exactly one line on stderr -----------------------------------

BAD_FILES = {
    "random.bin.txt": "cannot decode",
    "renamed_txt.docx": "not a valid .docx",
    "empty.txt": "empty file",
    "whitespace_only.txt": "no text",
    "mixed_with_garbage.txt": "cannot decode",
}


@pytest.mark.parametrize("command", ["tables", "metrics"])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_fixture_exits_nonzero_with_one_line(tmp_path, command, name):
    args = [command, BAD / name] + (["--out", tmp_path / "out"] if command == "tables" else [])
    code, _, stderr = run(*args)
    assert code == 2
    assert_one_error_line(code, stderr, name, BAD_FILES[name])
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _generated_cases(tmp: Path) -> dict[str, tuple[list, list[str]]]:
    """Bad inputs made on the spot: name → (arguments, words the error line must hold)."""
    (tmp / "empty_dir").mkdir()
    (tmp / "only_bad").mkdir()
    shutil.copy(BAD / "random.bin.txt", tmp / "only_bad" / "a.txt")
    shutil.copy(BAD / "empty.txt", tmp / "only_bad" / "b.txt")
    (tmp / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp / "slides.ppt").write_bytes(b"\xd0\xcf\x11\xe0")
    os.symlink("loop_b.txt", tmp / "loop_a.txt")
    os.symlink("loop_a.txt", tmp / "loop_b.txt")
    (tmp / "line\nbreak.txt").write_bytes(b"")
    (tmp / "a_file").write_text("x")
    (tmp / "script_only.html").write_bytes(b"<html><script>var a = '5000\xe4\xba\xa9';</script></html>")
    out = tmp / "out"
    return {
        "missing file": (["metrics", tmp / "missing.txt"], ["missing.txt", "file not found"]),
        "missing file (tables)": (["tables", tmp / "missing.txt", "--out", out], ["missing.txt", "file not found"]),
        "empty folder": (["tables", tmp / "empty_dir", "--out", out], ["empty_dir", "no readable report"]),
        "folder of bad files": (["tables", tmp / "only_bad", "--out", out],
                                ["no readable report", "a.txt", "cannot decode", "b.txt", "empty file"]),
        "a folder as metrics input": (["metrics", tmp / "empty_dir"], ["is a directory"]),
        "pdf": (["metrics", tmp / "scan.pdf"], ["scan.pdf", "not a valid PDF"]),
        "unsupported type": (["metrics", tmp / "slides.ppt"], ["slides.ppt", "unsupported file type", ".ppt"]),
        "symlink loop": (["metrics", tmp / "loop_a.txt"], ["loop_a.txt", "symbolic links"]),
        "symlink loop (tables)": (["tables", tmp / "loop_a.txt", "--out", out], ["loop_a.txt", "symbolic links"]),
        "newline in file name": (["metrics", tmp / "line\nbreak.txt"], ["line\\nbreak.txt", "empty file"]),
        "html with only a script": (["metrics", tmp / "script_only.html"], ["no text"]),
        "--out is a file": (["tables", SEED, "--out", tmp / "a_file"], ["a_file", "not a folder"]),
        "no arguments": ([], ["required"]),
        "unknown subcommand": (["bogus"], ["invalid choice", "bogus"]),
        "tables without paths": (["tables", "--out", out], ["required", "paths"]),
        "tables without --out": (["tables", SEED], ["required", "--out"]),
        "unknown format": (["tables", SEED, "--format", "pdf", "--out", out], ["invalid choice", "pdf"]),
        "unknown option": (["metrics", SEED, "--frobnicate"], ["unrecognized arguments", "--frobnicate"]),
        "brief of a bad file": (["brief", BAD / "random.bin.txt", "--out", out], ["cannot decode"]),
    }


def _case_names():
    with tempfile.TemporaryDirectory() as tmp:
        return list(_generated_cases(Path(tmp)))


@pytest.mark.parametrize("case", _case_names())
def test_bad_input_exits_nonzero_with_one_line(tmp_path, case):
    args, words = _generated_cases(tmp_path)[case]
    code, _, stderr = run(*args)
    line = assert_one_error_line(code, stderr, *words)
    assert "Traceback" not in stderr
    if case in ("no arguments", "unknown subcommand", "tables without paths", "tables without --out",
                "unknown format", "unknown option"):
        assert code == 2 and "--help" in line


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_adds_the_traceback(where):
    args = ["metrics", BAD / "random.bin.txt"]
    args = ["--verbose", *args] if where == "before" else [*args, "--verbose"]
    code, _, stderr = run(*args)
    assert code == 2
    assert "Traceback (most recent call last)" in stderr
    assert "ReportReadError" in stderr
    last = stderr.splitlines()[-1]
    assert last.startswith("forestry-analysis: error:") and "cannot decode" in last


def test_an_unexpected_error_is_one_line_pointing_at_verbose(monkeypatch, capsys):
    """A bug (not a bad file) still ends in one line, exit 1, and --verbose shows where."""
    def boom(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")
    monkeypatch.setattr(fa.Report, "metrics", property(boom))
    assert cli.main(["metrics", str(SEED)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["forestry-analysis: error: RuntimeError: boom\\nsecond line "
                                "(run with --verbose for details)"]
    assert cli.main(["metrics", str(SEED), "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "in boom" in err
    assert err.splitlines()[-1] == "forestry-analysis: error: RuntimeError: boom\\nsecond line"


def test_main_returns_the_exit_code(tmp_path, capsys):
    assert cli.main(["--help"]) == 0
    assert cli.main([]) == 2
    assert cli.main(["metrics", str(tmp_path / "missing.txt")]) == 2
    assert cli.main(["tables", str(SEED), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()


# --- unreadable file (root reads everything: checked as another user) -----------------------

def test_unreadable_file_exits_nonzero_with_one_line(unreadable_report, as_other_user):
    def attempt():
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["metrics", str(unreadable_report)])
        return code, err.getvalue()

    def warm_up():
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["metrics", str(SEED)])
    status, value = as_other_user(attempt, warm_up)
    assert status == "ok", value
    code, stderr = value
    assert code == 2
    assert_one_error_line(code, stderr, "locked.txt", "permission denied")
