"""The one table schema: every built frame has exactly its columns and dtypes, whatever the values."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.doc import schema

SEED = Path(__file__).resolve().parents[1] / "data" / "samples" / "seed_banan_2020h1.txt"
TABLES = ("meta_table", "outline", "sentences", "tasks", "metrics", "numbers", "completion", "quality")


@pytest.fixture(scope="module")
def seed():
    return fa.read_report(SEED)


@pytest.mark.parametrize("name", TABLES)
def test_fast_assembly_equals_the_public_constructor(seed, name):
    other = fa.read_report(text=seed.text, report_id="other")
    getattr(other, name).columns.name = "renamed"          # each frame has its own labels
    assert getattr(seed, name).columns.name is None
    df = getattr(seed, name)
    table = "meta" if name == "meta_table" else name
    arrays = [df[c].array for c in df.columns]
    public = schema._assemble_public(arrays, df.columns, len(df))
    pd.testing.assert_frame_equal(df, public, check_exact=True)
    assert list(df.columns) == schema.columns(table)
    assert df.dtypes.tolist() == [f.dtype for f in schema.TABLES[table]]
    assert df.index.equals(pd.RangeIndex(len(df)))


def test_every_way_of_writing_missing_becomes_na():
    rows = [dict(report_id="r", start=1, end=2, value=None, value_high=np.nan, approx=pd.NA, missing=True,
                 kind=None, category=np.nan, sentence_id=pd.NA),
            dict(report_id=None, start=3, end=None, value=1.5, value_high=2.0, approx=False, missing=None,
                 kind="plan", category="pest_control", sentence_id=7)]
    df = schema.frame("metrics", rows)
    assert df["value"].isna().tolist() == [True, False] and df["value_high"].isna().tolist() == [True, False]
    assert df["approx"].isna().tolist() == [True, False] and df["missing"].isna().tolist() == [False, True]
    assert df["kind"].isna().tolist() == [True, False] and df["category"].tolist()[1] == "pest_control"
    assert df["end"].tolist() == [2, pd.NA] and df["sentence_id"].tolist() == [pd.NA, 7]
    assert df["report_id"].tolist() == ["r", pd.NA]


def test_an_unknown_category_is_an_error_not_a_silent_na():
    with pytest.raises(KeyError):
        schema.frame("metrics", [dict(kind="guess")])


def test_no_rows_give_the_typed_empty_table():
    df = schema.frame("completion")
    assert df.empty and df.dtypes.tolist() == [f.dtype for f in schema.TABLES["completion"]]


@pytest.mark.parametrize("name", TABLES)
def test_report_rows_are_its_tables_as_dicts(seed, name):
    table = "meta" if name == "meta_table" else name
    rows = seed.rows(table)
    assert rows and all(list(r) == schema.columns(table) for r in rows)
    assert schema.records(getattr(seed, name)) == rows


def test_rows_of_an_unknown_table_name_the_known_ones(seed):
    with pytest.raises(KeyError, match="metrics"):
        seed.rows("metric")


@pytest.mark.parametrize("dtype", ["Int64", "Float64", "boolean", schema.STR, schema.TABLES["metrics"][12].dtype])
def test_column_builders_equal_pandas_own_construction(dtype):
    samples = {"Int64": [[3, 7], [None, 5], [None, None], [pd.NA, 2], [np.nan, 4], [2.0, 1], []],
               "Float64": [[1.5, 2.0], [None, 0.25], [None, None], [pd.NA, 1.0], [np.nan, 3], []],
               "boolean": [[True, False], [None, True], [None, None], [pd.NA, False], []],
               "string": [["造林", "防火"], [None, "亩"], [None, None], [pd.NA, "x"], [np.nan, "万亩"], []]}
    cases = samples.get(str(dtype), [["other", "pest_control"], [None, "afforestation"], [None, None], [np.nan, "other"]])
    build = schema._builder(dtype)
    for values in cases:
        got, want = build(list(values)), pd.array(list(values), dtype=dtype)
        assert got.dtype == want.dtype and type(got) is type(want)
        pd.testing.assert_extension_array_equal(got, want)
