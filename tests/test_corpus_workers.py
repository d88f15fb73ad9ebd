"""Tests for read_corpus's worker processes: a file over its time budget, or one whose worker
the system kills, costs only that file, which is listed in ``errors``.

The slow and the killing file are made so by a hook on reading (installed before the workers
fork, so they inherit it): the worker really hangs, or really dies of SIGKILL as under the
out-of-memory killer; the rest is the real pipeline.
"""
from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from forestry_analysis.corpus import entries
from forestry_analysis.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
GOOD = ("a01", "a05", "f03", "f05", "seed_banan_2020h1")


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("FORESTRY_CACHE_DIR", str(tmp_path / "default-cache"))


@pytest.fixture
def hostile(monkeypatch):
    """Reading a file named slow*.txt hangs; reading boom*.txt kills the process (SIGKILL)."""
    real = entries.read_report

    def read(path=None, *a, **kw):
        name = Path(path).name if path is not None else ""
        if name.startswith("slow"):
            time.sleep(120)
        if name.startswith("boom"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *a, **kw)
    monkeypatch.setattr(entries, "read_report", read)


def make_folder(folder: Path, bad: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    for name in GOOD:
        shutil.copy(SAMPLES / f"{name}.txt", folder / f"{name}.txt")
    for name in bad:
        shutil.copy(SAMPLES / "a03.txt", folder / name)
    return folder


def good_only(tmp_path) -> object:
    folder = tmp_path / "good"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLES / f"{name}.txt", folder / f"{name}.txt")
    return read_corpus(folder, cache=False, workers=1)


def assert_good_tables(c, expected):
    for name, df in expected.all_tables().items():
        got = c.all_tables()[name].drop(columns=["path"], errors="ignore")
        pd.testing.assert_frame_equal(got, df.drop(columns=["path"], errors="ignore"), obj=name)


def test_a_file_over_its_time_budget_is_listed_and_the_rest_is_read(tmp_path, hostile):
    folder = make_folder(tmp_path / "reports", ("slow_report.txt",))
    expected = good_only(tmp_path)
    t0 = time.monotonic()
    c = read_corpus(folder, cache=False, workers=2, chunksize=2, timeout=1)
    assert time.monotonic() - t0 < 60
    assert c.errors.to_dict("records") == [dict(path=str(folder / "slow_report.txt"),
                                                reason="took longer than 1 s")]
    assert sorted(c.meta["report_id"]) == sorted(GOOD)
    assert_good_tables(c, expected)


def test_a_worker_killed_by_the_system_costs_only_its_file(tmp_path, hostile):
    folder = make_folder(tmp_path / "reports", ("boom_a.txt", "boom_b.txt"))
    expected = good_only(tmp_path)
    c = read_corpus(folder, cache=tmp_path / "cache", workers=2, chunksize=3)
    reasons = dict(zip(c.errors["path"], c.errors["reason"]))
    assert set(reasons) == {str(folder / "boom_a.txt"), str(folder / "boom_b.txt")}
    assert all("killed by the system (SIGKILL)" in r for r in reasons.values())
    assert sorted(c.meta["report_id"]) == sorted(GOOD)
    assert_good_tables(c, expected)


def test_a_budget_given_with_one_worker_is_kept_in_a_worker_process(tmp_path, hostile):
    folder = make_folder(tmp_path / "reports", ("slow.txt", "boom.txt"))
    c = read_corpus(folder, cache=False, workers=1, timeout=1)
    reasons = dict(zip(c.errors["path"], c.errors["reason"]))
    assert reasons[str(folder / "slow.txt")] == "took longer than 1 s"
    assert "killed by the system" in reasons[str(folder / "boom.txt")]
    assert sorted(c.meta["report_id"]) == sorted(GOOD)


def test_the_default_budget_is_settable_by_environment(monkeypatch):
    from forestry_analysis.corpus import workers
    monkeypatch.setenv("FORESTRY_FILE_TIMEOUT", "7.5")
    assert workers.default_budget() == 7.5
    monkeypatch.setenv("FORESTRY_FILE_TIMEOUT", "0")
    assert workers.default_budget() is None
    monkeypatch.delenv("FORESTRY_FILE_TIMEOUT")
    assert workers.default_budget() == 300
