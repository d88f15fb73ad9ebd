"""Tests for forestry_analysis.corpus: duplicates, unreadable files, link loops, plans paired
across reports, the cache, worker processes, the Dask engine and the progress bar.

Every file and every cache entry is written under ``tmp_path``.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import docx
import opencc
import pandas as pd
import pytest

import forestry_analysis
from forestry_analysis import corpus as corpus_mod
from forestry_analysis.doc import schema
from forestry_analysis.corpus import CATEGORY_COLUMNS, META_COLUMNS, read_corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SEED = (SAMPLES / "seed_banan_2020h1.txt").read_text(encoding="utf-8")
A01 = (SAMPLES / "a01.txt").read_text(encoding="utf-8")
F03 = (SAMPLES / "f03.txt").read_text(encoding="utf-8")

H1_2021 = """某某县林业局2021年上半年工作总结

一、上半年工作完成情况
今年以来，我局认真落实县委县政府决策部署，扎实推进各项林业工作。上半年完成营造林1.2万亩。
二、下半年工作计划
下半年完成营造林2万亩，继续抓好森林防火工作。

某某县林业局
2021年7月5日
"""
ANNUAL_2021 = """某某县林业局2021年工作总结

一、主要工作完成情况
2021年，我局全面完成各项目标任务。全年完成营造林2.5万亩，森林覆盖率达到55%。
二、2022年工作打算
继续推进国土绿化。

某某县林业局
2021年12月28日
"""


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    """The default cache (cache=None) goes under tmp_path too."""
    monkeypatch.setenv("FORESTRY_CACHE_DIR", str(tmp_path / "default-cache"))


def write(folder: Path, name: str, text: str, encoding="utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def write_docx(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    path = folder / name
    d.save(path)
    return path


def sorted_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype({c: "string" for c in df.columns if df[c].dtype == "category"
                    and c in CATEGORY_COLUMNS})
    keys = [c for c in ("report_id", "start", "end", "actual_start", "plan_start", "code", "message")
            if c in df.columns]
    return df.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def assert_same_corpus(a, b):
    for name, df in a.all_tables().items():
        pd.testing.assert_frame_equal(sorted_frame(df), sorted_frame(b.all_tables()[name]), obj=name)
    pd.testing.assert_frame_equal(a.duplicates.sort_values("path").reset_index(drop=True),
                                  b.duplicates.sort_values("path").reset_index(drop=True))
    assert sorted(a.errors["path"]) == sorted(b.errors["path"])


# --- duplicates, errors, folders -------------------------------------------------------


def test_the_same_report_in_another_script_encoding_or_format_is_kept_once(tmp_path):
    folder = tmp_path / "reports"
    original = write(folder, "a_seed.txt", SEED)
    trad = write(folder, "b_seed_traditional.txt", opencc.OpenCC("s2t").convert(SEED))
    gb = write(folder, "c_seed_gb18030.txt", SEED, encoding="gb18030")
    as_docx = write_docx(folder, "d_a01.docx", A01)
    as_txt = write(folder, "e_a01.txt", A01)
    c = read_corpus(folder, cache=False, workers=1)
    assert list(c.meta["report_id"]) == ["a_seed", "d_a01"]
    dups = dict(zip(c.duplicates["path"], c.duplicates["duplicate_of"]))
    assert dups == {str(trad): str(original), str(gb): str(original), str(as_txt): str(as_docx)}
    assert c.errors.empty
    assert set(c.metrics["report_id"].astype(str)) == {"a_seed", "d_a01"}


def test_an_unreadable_file_is_an_error_row_and_the_rest_load(tmp_path):
    folder = tmp_path / "reports"
    good = write(folder, "good.txt", A01)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.docx").write_bytes(A01.encode("utf-8"))
    missing = tmp_path / "nowhere.txt"
    c = read_corpus([folder, missing], cache=False, workers=1)
    assert list(c.meta["path"]) == [str(good)]
    reasons = dict(zip(c.errors["path"], c.errors["reason"]))
    assert set(reasons) == {str(folder / "binary.txt"), str(folder / "empty.txt"),
                            str(folder / "fake.docx"), str(missing)}
    assert "cannot decode" in reasons[str(folder / "binary.txt")]
    assert "empty file" in reasons[str(folder / "empty.txt")]
    assert "not a valid .docx" in reasons[str(folder / "fake.docx")]
    assert "not found" in reasons[str(missing)]
    assert len(c.metrics) and (c.metrics["report_id"] == "good").all()


def test_a_folder_with_a_link_loop_does_not_hang(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    write(folder / "sub", "f03.txt", F03)
    os.symlink(folder, folder / "sub" / "loop")           # sub/loop → reports → sub → …
    os.symlink(folder / "sub", folder / "also_sub")       # a second way into sub
    os.symlink(folder / "self.txt", folder / "self.txt")  # a link to itself
    result = {}
    t = threading.Thread(target=lambda: result.update(c=read_corpus(folder, cache=False, workers=1)),
                         daemon=True)
    t.start()
    t.join(timeout=30)
    assert not t.is_alive(), "read_corpus hung on a link loop"
    c = result["c"]
    assert sorted(c.meta["report_id"]) == ["a01", "f03"]
    assert list(c.errors["path"]) == [str(folder / "self.txt")]


def test_links_to_a_file_read_it_once_and_a_hard_link_is_a_listed_duplicate(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    os.symlink(folder / "a01.txt", folder / "soft.txt")   # the same file: read once, not listed
    os.link(folder / "a01.txt", folder / "hard.txt")      # another name: a duplicate, listed
    c = read_corpus(folder, cache=False, workers=1)
    assert list(c.meta["report_id"]) == ["a01"]
    assert c.duplicates.to_dict("records") == [dict(path=str(folder / "hard.txt"), duplicate_of=str(folder / "a01.txt"))]
    assert c.errors.empty


def test_empty_folder_gives_empty_tables_with_the_schema(tmp_path):
    (tmp_path / "none").mkdir()
    c = read_corpus(tmp_path / "none", cache=False)
    assert len(c) == 0
    assert list(c.metrics.columns) == schema.columns("metrics") + META_COLUMNS
    assert c.duplicates.empty and c.errors.empty


def test_same_file_name_in_two_folders_gets_distinct_report_ids(tmp_path):
    write(tmp_path / "x", "report.txt", A01)
    write(tmp_path / "y", "report.txt", F03)
    c = read_corpus(tmp_path, cache=False, workers=1)
    assert list(c.meta["report_id"]) == ["report", "report_2"]
    assert set(c.metrics["report_id"].astype(str)) == {"report", "report_2"}
    own = c.completion[c.completion["basis"] != "another report"]
    assert (own["plan_report_id"].isna() | (own["plan_report_id"] == own["report_id"])).all()


# --- plans paired across reports -------------------------------------------------------


def test_a_plan_in_an_h1_report_pairs_with_the_actual_in_the_annual_report(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "annual_2021.txt", ANNUAL_2021)   # file order is not period order
    write(folder, "h1_2021.txt", H1_2021)
    c = read_corpus(folder, cache=False, workers=1)
    meta = c.meta.set_index("report_id")
    assert meta.loc["h1_2021", "period"] == "H1" and meta.loc["annual_2021", "period"] == "annual"
    cross = c.completion[c.completion["basis"] == "another report"]
    assert len(cross) == 1
    row = cross.iloc[0]
    assert row["report_id"] == "annual_2021" and row["plan_report_id"] == "h1_2021"
    assert row["note"] == "计划数取自报告「h1_2021」"
    assert row["indicator_id"] == "afforestation_area"
    assert row["actual"] == 25000 and row["plan"] == 20000 and row["rate"] == pytest.approx(1.25)
    assert row["org"] == "某某县林业局" and row["year"] == 2021 and row["period"] == "annual"
    # the offsets point into each report's own text
    assert ANNUAL_2021[row["actual_start"]:row["actual_end"]] == "2.5万亩"
    assert H1_2021[row["plan_start"]:row["plan_end"]] == "2万亩"


def test_a_plan_report_pairs_with_the_summary_of_the_year_it_plans(tmp_path):
    folder = tmp_path / "reports"
    plan = ("某某县林业局2022年工作要点\n\n一、主要目标\n全年计划完成营造林3万亩。\n二、工作措施\n"
            "加强森林防火。\n\n某某县林业局\n2022年1月10日\n")
    write(folder, "plan_2022.txt", plan)
    write(folder, "annual_2022.txt", ANNUAL_2021.replace("2022", "2023").replace("2021", "2022"))
    write(folder, "h1_2021.txt", H1_2021)  # a year before: its plan pairs with nothing here
    c = read_corpus(folder, cache=False, workers=1)
    assert c.meta.set_index("report_id").loc["plan_2022", "report_kind"] == "plan"
    cross = c.completion[c.completion["basis"] == "another report"]
    assert list(zip(cross["plan_report_id"], cross["report_id"], cross["plan"], cross["actual"])) == \
        [("plan_2022", "annual_2022", 30000, 25000)]


def test_plans_never_pair_backwards_or_within_one_period(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "h1_2021.txt", H1_2021)
    write(folder, "h1_2021_copy.txt", H1_2021.replace("1.2万亩", "1.3万亩"))  # another report, same period
    c = read_corpus(folder, cache=False, workers=1)
    assert (c.completion["basis"] != "another report").all()
    annual_2019 = ANNUAL_2021.replace("2021", "2019")
    write(folder, "annual_2019.txt", annual_2019)  # earlier than the plan: no pair
    c = read_corpus(folder, cache=False, workers=1)
    assert (c.completion["basis"] != "another report").all()


# --- the cache -------------------------------------------------------------------------


def test_second_read_loads_from_the_cache_and_a_changed_file_is_read_again(tmp_path):
    folder = tmp_path / "reports"
    for name in ("a01", "f03", "seed_banan_2020h1"):
        write(folder, f"{name}.txt", (SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    cache = tmp_path / "cache"
    first = read_corpus(folder, cache=cache, workers=1)
    assert first.cache_info["hits"] == 0 and first.cache_info["misses"] == 3
    assert Path(first.cache_info["dir"]).is_relative_to(cache)
    second = read_corpus(folder, cache=cache, workers=1)  # the whole corpus in one piece
    assert second.cache_info["hits"] == 3 and second.cache_info["misses"] == 0
    assert second.cache_info["corpus"]
    for name, df in second.all_tables().items():
        pd.testing.assert_frame_equal(df, first.all_tables()[name], obj=name)
    pd.testing.assert_frame_equal(second.duplicates, first.duplicates)
    assert second.texts["a01"] == A01  # texts come from the cache entry
    for pack in (cache / first.cache_info["dir"]).rglob("corpora/*"):
        shutil.rmtree(pack)
    per_file = read_corpus(folder, cache=cache, workers=1)  # each file from its own entry
    assert per_file.cache_info["hits"] == 3 and not per_file.cache_info.get("corpus")
    for name, df in per_file.all_tables().items():
        pd.testing.assert_frame_equal(df, first.all_tables()[name], obj=name)

    write(folder, "a01.txt", A01 + "\n全年完成营造林7万亩。\n")
    third = read_corpus(folder, cache=cache, workers=1)
    assert third.cache_info["hits"] == 2 and third.cache_info["misses"] == 1
    fresh = read_corpus(folder, cache=False, workers=1)
    assert_same_corpus(third, fresh)
    assert not third.metrics[third.metrics["report_id"] == "a01"].equals(
        first.metrics[first.metrics["report_id"] == "a01"])


def test_the_cache_is_keyed_by_version_and_skips_a_corrupt_entry(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    cache = tmp_path / "cache"
    read_corpus(folder, cache=cache, workers=1)
    assert read_corpus(folder, cache=cache, workers=1).cache_info["hits"] == 1
    for entry in cache.rglob("*.arrow"):
        entry.write_bytes(b"not arrow")
    with pytest.warns(corpus_mod.CacheWarning, match="corrupt or truncated"):
        again = read_corpus(folder, cache=cache, workers=1)
    assert again.cache_info["misses"] == 1 and len(again) == 1
    monkeypatch.setattr(forestry_analysis, "__version__", "99.0")
    corpus_mod.cache_version.cache_clear()
    try:
        bumped = read_corpus(folder, cache=cache, workers=1)
        assert bumped.cache_info["misses"] == 1
        assert "99.0" in bumped.cache_info["dir"]
    finally:
        monkeypatch.undo()
        corpus_mod.cache_version.cache_clear()


def test_cache_false_writes_nothing_and_the_default_cache_honours_the_env(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    c = read_corpus(folder, cache=False, workers=1)
    assert c.cache_info["dir"] is None and not (tmp_path / "default-cache").exists()
    c = read_corpus(folder, workers=1)  # default: $FORESTRY_CACHE_DIR
    assert Path(c.cache_info["dir"]).is_relative_to(tmp_path / "default-cache")
    assert list((tmp_path / "default-cache").rglob("*.arrow"))


# --- tables, processes, Dask, progress ------------------------------------------------


def test_corpus_tables_keep_the_schema_columns_with_categories_for_repeated_strings(tmp_path):
    c = read_corpus(SAMPLES, cache=tmp_path / "cache", workers=1)
    assert list(c.meta.columns) == schema.columns("meta")
    for name in ("metrics", "tasks", "completion", "quality"):
        df = getattr(c, name)
        assert list(df.columns) == schema.columns(name) + META_COLUMNS, name
        for f in schema.TABLES[name]:
            want = "category" if f.name in CATEGORY_COLUMNS else f.dtype
            assert df[f.name].dtype == want, (name, f.name, df[f.name].dtype)
    assert c.metrics["org"].dtype == "category" and c.metrics["year"].dtype == "Int64"
    # one report's rows are the rows of read_report, with its meta
    r = forestry_analysis.read_report(SAMPLES / "a01.txt")
    rows = c.metrics[c.metrics["report_id"] == "a01"].drop(columns=META_COLUMNS).reset_index(drop=True)
    pd.testing.assert_frame_equal(rows.astype(r.metrics.dtypes.to_dict()), r.metrics)


def test_worker_processes_give_the_same_corpus_as_one_process(tmp_path):
    folder = tmp_path / "reports"
    for p in sorted(SAMPLES.glob("*.txt"))[:8]:
        write(folder, p.name, p.read_text(encoding="utf-8"))
    write(folder, "h1_2021.txt", H1_2021)
    write(folder, "annual_2021.txt", ANNUAL_2021)
    write(folder, "a01_copy.txt", A01)
    (folder / "broken.txt").write_bytes(b"")
    one = read_corpus(folder, cache=False, workers=1)
    two = read_corpus(folder, cache=tmp_path / "cache", workers=2, chunksize=2)
    assert_same_corpus(one, two)
    for name, df in one.all_tables().items():  # same order too: file order
        pd.testing.assert_frame_equal(df, two.all_tables()[name], obj=name)


def test_dask_on_a_local_cluster_gives_the_same_tables_and_parquet_that_reads_back(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask
    import dask.dataframe as dd
    folder = tmp_path / "reports"
    for name in ("a01", "a05", "f03"):
        write(folder, f"{name}.txt", (SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    write(folder, "h1_2021.txt", H1_2021)
    write(folder, "annual_2021.txt", ANNUAL_2021)
    write(folder, "z_copy_gb.txt", A01, encoding="gb18030")
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 4)
    local = read_corpus(folder, cache=False, workers=2, chunksize=2)
    with dask.config.set({"temporary-directory": str(tmp_path / "dask")}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None, local_directory=str(tmp_path / "dask")) as cluster, \
            distributed.Client(cluster) as client:
        remote = read_corpus(folder, engine="dask", client=client, cache=tmp_path / "cache",
                             out=tmp_path / "out", chunksize=2)
        warm = read_corpus(folder, engine="dask", client=client, cache=tmp_path / "cache")
        assert remote.cache_info["misses"] == 7 and warm.cache_info.get("corpus")  # the same caches
        metrics_dd = dd.read_parquet(str(tmp_path / "out" / "metrics")).compute()
    for name, df in local.all_tables().items():   # identical, row for row, in file order
        pd.testing.assert_frame_equal(remote.all_tables()[name], df, obj=name)
        pd.testing.assert_frame_equal(warm.all_tables()[name], df, obj=name)
    pd.testing.assert_frame_equal(remote.duplicates, local.duplicates)
    pd.testing.assert_frame_equal(remote.errors, local.errors)
    assert (remote.completion["basis"] == "another report").sum() == 1
    assert list(remote.duplicates["path"]) == [str(folder / "z_copy_gb.txt")]
    back = read_corpus(tmp_path / "out")
    for name, df in local.all_tables().items():
        pd.testing.assert_frame_equal(back.all_tables()[name], df, obj=name)
    assert back.errors.to_dict("records") == local.errors.to_dict("records")
    assert len(metrics_dd) == len(local.metrics)
    assert metrics_dd["value"].sum() == local.metrics["value"].sum()
    assert sorted(metrics_dd["report_id"].astype(str).unique()) == sorted(local.meta["report_id"])


def test_dask_tables_stay_lazy_and_match_the_corpus(tmp_path):
    pytest.importorskip("distributed")
    folder = tmp_path / "reports"
    for name in ("a01", "f03"):
        write(folder, f"{name}.txt", (SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    frames, extra = corpus_mod.dask_tables(folder, cache=tmp_path / "cache", chunksize=1)
    local = read_corpus(folder, cache=False, workers=1)
    metrics = frames["metrics"].compute()
    assert len(metrics) == len(local.metrics)
    assert metrics["value"].sum() == local.metrics["value"].sum()


def test_progress_bar_is_silent_in_tests_and_shown_on_request(tmp_path, capsys):
    folder = tmp_path / "reports"
    for i in range(25):
        write(folder, f"r{i:02d}.txt", A01 + f"\n附件{i}\n")
    read_corpus(folder, cache=False, workers=1)
    assert capsys.readouterr().err == ""
    read_corpus(folder, cache=False, workers=1, progress=True)
    assert "reports" in capsys.readouterr().err


def test_texts_are_read_on_demand(tmp_path):
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    c = read_corpus(folder, cache=False, workers=1)
    assert list(c.texts) == ["a01"] and c.texts["a01"] == A01


def test_load_one_and_assemble_still_work(tmp_path):
    folder = tmp_path / "reports"
    paths = [write(folder, "h1_2021.txt", H1_2021), write(folder, "annual_2021.txt", ANNUAL_2021),
             write(folder, "dup.txt", H1_2021), folder / "missing.txt"]
    results = [corpus_mod.load_one(p) for p in paths]
    assert "error" in results[-1] and results[0]["text"] == H1_2021
    c = corpus_mod.assemble(results)
    assert len(c) == 2 and len(c.duplicates) == 1 and len(c.errors) == 1
    assert (c.completion["basis"] == "another report").sum() == 1


def test_a_row_outside_the_schema_makes_its_file_an_error_not_a_silent_na(tmp_path, monkeypatch):
    import forestry_analysis.pipeline.quality as quality
    folder = tmp_path / "reports"
    write(folder, "a01.txt", A01)
    real = quality.quality_rows
    monkeypatch.setattr(quality, "quality_rows",
                        lambda *a: [dict(r, severity="fatal") for r in real(*a)] or [dict(severity="fatal")])
    c = read_corpus(folder, cache=False, workers=1)
    assert len(c) == 0 and "quality.severity: not a category: fatal" in c.errors["reason"].item()


def test_the_corpus_keeps_every_table_cell_pointing_at_its_text(tmp_path):
    """Statistics-table cells are a corpus table too (exported by ``tables``), each with
    offsets into its own report's text and that report's org and period."""
    c = read_corpus(Path(__file__).parent / "data" / "formats", progress=False, cache=tmp_path / "cache")
    cells = c.table_cells
    assert len(cells) > 0 and cells["report_id"].nunique() >= 2
    assert "table_cells" in c.all_tables()
    for rid, start, end, raw in zip(cells["report_id"], cells["start"], cells["end"], cells["raw"]):
        if pd.notna(start):
            assert c.texts[rid][int(start):int(end)] == raw
    again = read_corpus(Path(__file__).parent / "data" / "formats", progress=False, cache=tmp_path / "cache")
    assert again.cache_info["hits"] > 0
    pd.testing.assert_frame_equal(again.table_cells, cells)
