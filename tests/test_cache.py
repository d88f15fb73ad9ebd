"""Tests for the corpus cache (forestry_analysis.corpus.cache): a changed byte, a truncated file and
a tampered entry are never served; a read-only cache is still read; pruning, info, clear.

Every file and every cache entry is written under ``tmp_path`` (or a temporary folder that
an unprivileged user can read, for the read-only tests).
"""
from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from forestry_analysis.corpus import cache as cache_mod
from forestry_analysis import cli
from forestry_analysis.corpus.cache import CacheWarning
from forestry_analysis.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
NAMES = ("a01", "f03", "seed_banan_2020h1")


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("FORESTRY_CACHE_DIR", str(tmp_path / "default-cache"))


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        shutil.copy(SAMPLES / f"{name}.txt", folder / f"{name}.txt")
    return folder


def assert_same_tables(a, b):
    for name, df in a.all_tables().items():
        pd.testing.assert_frame_equal(df, b.all_tables()[name], obj=name)
    pd.testing.assert_frame_equal(a.duplicates, b.duplicates)
    pd.testing.assert_frame_equal(a.errors, b.errors)


def entry_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.arrow") if "corpora" not in p.parts)


def pack_files(root: Path) -> list[Path]:
    return sorted(root.rglob("corpora/*/*.arrow"))


def drop_packs(root: Path) -> None:
    """Remove the whole-corpus files: the next read uses each file's entry."""
    shutil.rmtree(root / "corpora", ignore_errors=True)


def read_quietly(folder, cache, **kw):
    """read_corpus and the CacheWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = read_corpus(folder, cache=cache, workers=1, **kw)
    return c, [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]


def flip_byte(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


# --- integrity ---------------------------------------------------------------------------


def test_an_entry_with_one_changed_byte_is_read_again_rewritten_and_warned_once(tmp_path):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    fresh = read_corpus(folder, cache=False, workers=1)
    first, warned = read_quietly(folder, cache)
    assert warned == []
    root = Path(first.cache_info["dir"])
    drop_packs(root)                 # the per-file entries only, this time
    victim = entry_files(root)[0]
    flip_byte(victim)
    again, warned = read_quietly(folder, cache)
    assert len(warned) == 1 and "1 corrupt or truncated entry" in warned[0] and "rewritten" in warned[0]
    assert again.cache_info["hits"] == 2 and again.cache_info["misses"] == 1
    assert_same_tables(again, fresh)
    assert cache_mod.read_table(victim) is not None      # rewritten, and whole again
    drop_packs(root)
    third, warned = read_quietly(folder, cache)
    assert warned == [] and third.cache_info["hits"] == 3
    assert_same_tables(third, fresh)


def test_a_tampered_value_under_the_old_digest_is_never_served(tmp_path):
    """A valid Arrow entry whose value was changed (the Arrow file itself reads fine): only
    the digest tells, and the true value comes back."""
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    first = read_corpus(folder, cache=cache, workers=1)
    truth = first.metrics["value"].sum()
    root = Path(first.cache_info["dir"])
    drop_packs(root)
    victim = max(entry_files(root), key=lambda p: len(cache_mod.read_table(p).column("metrics")[0]))
    table = cache_mod.read_table(victim)
    metrics = table.column("metrics").combine_chunks()
    values = pc.list_flatten(metrics)
    value = values.field("value")
    bumped = pc.add(value, pa.scalar(1e9))
    struct = pa.StructArray.from_arrays([bumped if f.name == "value" else values.field(f.name)
                                         for f in values.type], fields=list(values.type))
    tampered = table.set_column(table.schema.get_field_index("metrics"), "metrics",
                                pa.ListArray.from_arrays(metrics.offsets, struct))
    old_header = victim.read_bytes()[:cache_mod.HEADER]
    cache_mod.write_table(victim, tampered)
    body = victim.read_bytes()[cache_mod.HEADER:]
    victim.write_bytes(old_header + body)     # the new content under the old digest
    with pytest.raises(cache_mod.Corrupt):
        cache_mod.read_table(victim)
    again, warned = read_quietly(folder, cache)
    assert len(warned) == 1
    assert again.metrics["value"].sum() == truth


def test_a_truncated_whole_corpus_file_is_rebuilt(tmp_path):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    first = read_corpus(folder, cache=cache, workers=1)
    root = Path(first.cache_info["dir"])
    metrics_pack = [p for p in pack_files(root) if p.name == "metrics.arrow"][0]
    data = metrics_pack.read_bytes()
    metrics_pack.write_bytes(data[:len(data) // 2])
    again, warned = read_quietly(folder, cache)
    assert len(warned) == 1 and "truncated" in warned[0]
    assert not again.cache_info.get("corpus") and again.cache_info["hits"] == 3   # from the entries
    assert_same_tables(again, first)
    third, warned = read_quietly(folder, cache)
    assert warned == [] and third.cache_info.get("corpus")                        # rebuilt
    assert_same_tables(third, first)


def test_a_truncated_entry_and_a_changed_byte_in_the_corpus_file_together(tmp_path):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    first = read_corpus(folder, cache=cache, workers=1)
    root = Path(first.cache_info["dir"])
    flip_byte([p for p in pack_files(root) if p.name == "meta.arrow"][0], at=0.9)
    entry = entry_files(root)[-1]
    entry.write_bytes(entry.read_bytes()[:100])
    again, warned = read_quietly(folder, cache)
    assert len(warned) == 1 and "2 corrupt or truncated entries" in warned[0]
    assert again.cache_info["misses"] == 1
    assert_same_tables(again, first)
    assert read_quietly(folder, cache)[0].cache_info.get("corpus")


def test_texts_from_a_corrupt_entry_come_from_the_file(tmp_path):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    c = read_corpus(folder, cache=cache, workers=1)
    for p in entry_files(Path(c.cache_info["dir"])):
        flip_byte(p, at=0.99)
    assert c.texts["a01"] == (SAMPLES / "a01.txt").read_text(encoding="utf-8")


# --- read-only cache ---------------------------------------------------------------------


def _readable_tmp() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fa-ro-cache-"))
    folder.chmod(0o755)
    return folder


def _read_as_reader(folder, cache):
    def attempt():
        c, warned = read_quietly(folder, cache)
        return dict(c.cache_info), warned, {n: df for n, df in c.all_tables().items()}
    return attempt


def test_a_read_only_cache_is_read_with_one_warning(as_other_user):
    base = _readable_tmp()
    try:
        folder = make_corpus(base / "reports")
        cache = base / "cache"
        first = read_corpus(folder, cache=cache, workers=1)
        status, value = as_other_user(_read_as_reader(folder, cache), lambda: read_quietly(folder, cache))
        assert status == "ok", value
        info, warned, tables = value
        assert info.get("corpus") and info["hits"] == 3     # the whole-corpus file is used
        assert len(warned) == 1 and "read-only" in warned[0] and "nothing new is written" in warned[0]
        for name, df in first.all_tables().items():
            pd.testing.assert_frame_equal(tables[name], df, obj=name)
        drop_packs(Path(first.cache_info["dir"]))
        status, value = as_other_user(_read_as_reader(folder, cache))
        info, warned, tables = value
        assert info["hits"] == 3 and info["misses"] == 0 and len(warned) == 1   # each file's entry
        assert not pack_files(Path(first.cache_info["dir"]))                    # nothing written
    finally:
        shutil.rmtree(base)


def test_an_empty_read_only_cache_says_so_instead_of_silently_reading_everything(as_other_user):
    base = _readable_tmp()
    try:
        folder = make_corpus(base / "reports")
        cache = base / "empty-cache"
        cache.mkdir()
        cache.chmod(0o555)
        status, value = as_other_user(_read_as_reader(folder, cache), lambda: read_quietly(folder, False))
        assert status == "ok", value
        info, warned, tables = value
        assert info["misses"] == 3 and len(tables["meta"]) == 3
        assert len(warned) == 1 and "read-only" in warned[0]
        assert list(cache.iterdir()) == []
    finally:
        shutil.rmtree(base)


# --- pruning, info, clear ----------------------------------------------------------------


def test_entries_of_other_versions_are_removed_and_the_size_is_bounded(tmp_path, monkeypatch):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    old = cache / "0.0.9-0123456789abcdef"
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "abcd.arrow").write_bytes(b"x" * 1000)
    unrelated = cache / "notes"
    unrelated.mkdir()
    c = read_corpus(folder, cache=cache, workers=1)
    assert not old.exists() and unrelated.exists()
    root = Path(c.cache_info["dir"])
    sizes = sorted(p.stat().st_size for p in root.rglob("*") if p.is_file())
    total = sum(sizes)
    # a bound that the corpus exceeds: the oldest entries go until 90% of it is left
    monkeypatch.setenv(cache_mod.MAX_ENV, str(total / 2 / 2**20))
    (folder / "a01.txt").write_text((SAMPLES / "a01.txt").read_text(encoding="utf-8") + "\n附件\n",
                                    encoding="utf-8")
    read_corpus(folder, cache=cache, workers=1)
    after = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert after <= 0.9 * total / 2
    again, warned = read_quietly(folder, cache)   # a whole corpus goes as one: nothing half-removed
    assert warned == [] and len(again) == 3
    assert cache_mod.max_bytes() == int(total / 2)
    monkeypatch.delenv(cache_mod.MAX_ENV)
    assert cache_mod.max_bytes() == cache_mod.DEFAULT_MAX_MB * 2**20


def test_cache_info_and_clear_on_the_command_line(tmp_path, capsys):
    folder = make_corpus(tmp_path / "reports")
    cache = tmp_path / "cache"
    read_corpus(folder, cache=cache, workers=1)
    assert cli.main(["cache", "info", "--dir", str(cache)]) == 0
    out = capsys.readouterr().out
    assert str(cache) in out and cache_mod.cache_version() in out
    assert "3 reports" in out and "1 corpus" in out
    assert cli.main(["cache", "clear", "--dir", str(cache)]) == 0
    assert "removed" in capsys.readouterr().out
    assert not list(cache.rglob("*.arrow"))
    assert read_corpus(folder, cache=cache, workers=1).cache_info["misses"] == 3


def test_the_command_line_prints_a_cache_warning_on_one_line(tmp_path, capsys, monkeypatch):
    folder = make_corpus(tmp_path / "reports")
    monkeypatch.setenv("FORESTRY_CACHE_DIR", str(tmp_path / "cache"))
    c = read_corpus(folder, workers=1)
    flip_byte(pack_files(Path(c.cache_info["dir"]))[0])
    assert cli.main(["tables", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"forestry-analysis: warning: cache: 1 corrupt or truncated entry in {c.cache_info['dir']} "
                   "discarded and rewritten"]
