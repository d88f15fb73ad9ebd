"""One Arrow row per file (an *entry*): a report's tables as list<struct> columns, and back.

Entries are what worker processes send back, what the cache stores and what Dask partitions
hold; concatenating entries and unpacking each table once keeps a re-read of a cached corpus
cheap. Repeated strings of the corpus tables become pandas categories.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from forestry_analysis.doc import schema
from forestry_analysis.doc.report import Report, read_report
from forestry_analysis.errors import ReportReadError


TABLES = ("metrics", "tasks", "completion", "quality", "table_cells")
ALL_TABLES = ("meta",) + TABLES
META_COLUMNS = ["org", "region", "year", "period"]
# Repeated strings of the corpus tables become pandas categories (same columns and names).
CATEGORY_COLUMNS = ("report_id", "org", "region", "period", "unit", "unit_written", "section",
                    "subsection", "indicator", "indicator_id", "basis", "plan_report_id", "code", "item")


def _arrow_type(dtype):
    if dtype == "Int64":
        return pa.int64()
    if dtype == "Float64":
        return pa.float64()
    if dtype == "boolean":
        return pa.bool_()
    return pa.large_string()  # "string" and categories (stored decoded)


@lru_cache(maxsize=None)
def _struct_type(name: str) -> pa.StructType:
    return pa.struct([pa.field(f.name, _arrow_type(f.dtype)) for f in schema.TABLES[name]])


@lru_cache(maxsize=1)
def _entry_schema() -> pa.Schema:
    info = [pa.field("_file", pa.int64()), pa.field("path", pa.large_string()),
            pa.field("report_id", pa.large_string()), pa.field("fingerprint", pa.large_string()),
            pa.field("error", pa.large_string()), pa.field("cached", pa.bool_()),
            pa.field("key", pa.large_string())]
    return pa.schema(info + [pa.field(n, pa.list_(_struct_type(n))) for n in ALL_TABLES])


@lru_cache(maxsize=1)
def _cache_schema() -> pa.Schema:
    return _entry_schema().append(pa.field("text", pa.large_string()))


_INFO = ["_file", "path", "report_id", "fingerprint", "error", "cached", "key"]
_TYPES = {pa.large_string(): schema.STR, pa.string(): schema.STR,
          pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _to_arrow(arr, typ: pa.DataType) -> pa.Array:
    """A pandas extension array as an Arrow array of ``typ`` (zero-copy where possible)."""
    if isinstance(arr, pd.Categorical):
        codes = arr.codes.astype(np.int32)
        return _categories(tuple(arr.categories), typ).take(pa.array(codes, mask=codes < 0))
    if isinstance(arr, pd.arrays.ArrowStringArray):
        out = arr._pa_array
        out = out.chunk(0) if out.num_chunks == 1 else out.combine_chunks()
    elif isinstance(arr, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
        out = pa.array(arr._data, mask=arr._mask)
    else:
        out = pa.array(arr)
        out = out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
    if pa.types.is_dictionary(out.type):
        out = out.dictionary_decode()
    return out if out.type == typ else out.cast(typ)


@lru_cache(maxsize=64)
def _categories(cats: tuple, typ: pa.DataType) -> pa.Array:
    return pa.array(list(cats), type=typ)


def _columns(df: pd.DataFrame):
    it = getattr(df, "_iter_column_arrays", None)  # much faster than df[c] per column
    return list(it()) if it is not None else [df[c].array for c in df.columns]


@lru_cache(maxsize=None)
def _category_values(name: str) -> tuple:
    """(column, allowed values and None) of each categorical column of a table."""
    return tuple((f.name, frozenset(f.dtype.categories) | {None}) for f in schema.TABLES[name]
                 if isinstance(f.dtype, pd.CategoricalDtype))


@lru_cache(maxsize=None)
def _names(name: str) -> list[str]:
    return [f.name for f in schema.TABLES[name]]


def _list_column(table: pd.DataFrame | list[dict], name: str) -> pa.Array:
    """One report's table (a DataFrame, or its rows as dicts) as a one-element list<struct>."""
    typ = _struct_type(name)
    if isinstance(table, pd.DataFrame):
        names = _names(name)
        df = table if table.columns.tolist() == names else table[names]
        children = [_to_arrow(arr, f.type) for arr, f in zip(_columns(df), typ)]
        struct = pa.StructArray.from_arrays(children, fields=list(typ))
    else:   # Arrow converts dict rows in one pass; NaN counts as missing, as in schema.frame
        for col, allowed in _category_values(name):
            if not {r.get(col) for r in table} <= allowed:   # as strict as schema.frame
                bad = sorted(str(v) for v in {r.get(col) for r in table} - allowed)
                raise ValueError(f"{name}.{col}: not a category: {', '.join(bad)}")
        struct = pa.array(table, type=typ, from_pandas=True)
    return pa.ListArray.from_arrays(pa.array([0, len(table)], pa.int32()), struct)


def _entry(index: int, path, *, report_id=None, fingerprint=None, error=None, tables=None) -> pa.Table:
    """One file as a one-row Arrow table."""
    cols = [pa.array([index], pa.int64()), pa.array([str(path)], pa.large_string()),
            pa.array([report_id], pa.large_string()), pa.array([fingerprint], pa.large_string()),
            pa.array([error], pa.large_string()), pa.array([False]), pa.array([None], pa.large_string())]
    for name in ALL_TABLES:
        cols.append(_list_column(tables[name], name) if tables else _empty_list(name))
    return pa.Table.from_arrays(cols, schema=_entry_schema())


@lru_cache(maxsize=None)
def _empty_list(name: str) -> pa.Array:
    return _list_column(schema.frame(name), name)


def fingerprint(report: Report) -> str:
    """Content hash of the normalised text without whitespace: equal for the same report in
    another encoding, format (.docx/.txt) or script (traditional/simplified)."""
    core = re.sub(r"\s+", "", report.norm.text)
    return hashlib.sha1(core.encode("utf-8")).hexdigest()


def _analyse(index: int, path) -> tuple[pa.Table, str | None]:
    """Read and analyse one file: (entry, text or None); never raises."""
    try:
        r = read_report(path)
        tables = {name: r.rows(name) for name in ALL_TABLES}   # no per-report DataFrames
        return _entry(index, path, report_id=r.report_id, fingerprint=fingerprint(r), tables=tables), r.text
    except ReportReadError as exc:
        return _entry(index, path, error=exc.reason), None
    except Exception as exc:  # a bug on one odd file must not stop a corpus of thousands
        return _entry(index, path, error=f"could not analyse: {type(exc).__name__}: {exc}"), None


def load_one(path) -> dict:
    """Read one file and build its tables; never raises (an ``error`` key instead)."""
    entry, text = _analyse(0, path)
    info = entry.select(["path", "report_id", "fingerprint", "error"]).to_pylist()[0]
    if info["error"] is not None:
        return dict(path=info["path"], error=info["error"])
    out = dict(path=info["path"], report_id=info["report_id"], fingerprint=info["fingerprint"], text=text)
    out.update({name: _unpack(entry, name).drop(columns="_file") for name in ALL_TABLES})
    return out


def _unpack(entries: pa.Table, name: str, categories: bool = False) -> pd.DataFrame:
    """One table of every entry as a DataFrame with schema dtypes plus ``_file``; with
    ``categories``, the ``CATEGORY_COLUMNS`` come as categories (dictionary-encoded by Arrow,
    several times faster than pandas' ``astype("category")`` of the strings)."""
    col = entries.column(name)
    col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    parents = pc.list_parent_indices(col).to_numpy(zero_copy_only=False)
    values = pc.list_flatten(col)
    arrays, names = values.flatten(), [f.name for f in values.type]
    cats = {n for n in names if n in CATEGORY_COLUMNS} if categories else set()
    arrays = [a.dictionary_encode() if n in cats else a for a, n in zip(arrays, names)]
    df = pa.Table.from_arrays(arrays, names=names).to_pandas(types_mapper=_TYPES.get)
    if cats:
        df = df.astype({f.name: f.dtype for f in schema.TABLES[name] if f.name not in cats})
        for n in cats:
            df[n] = _sorted_categories(df[n].array)
    else:
        df = schema.frame(name, df)
    files = entries.column("_file").to_numpy()
    df["_file"] = files[parents] if len(parents) else np.array([], dtype=np.int64)
    return df


def _with_key(entry: pa.Table, key: str) -> pa.Table:
    return entry.set_column(_INFO.index("key"), "key", pa.array([key], pa.large_string()))


def _empty_entries() -> pa.Table:
    return _entry_schema().empty_table()


def _categorize(df: pd.DataFrame) -> pd.DataFrame:
    """Repeated string columns as categories: a corpus of thousands of reports stays small.
    Categories are the values present, sorted, whichever way a column came."""
    conv = {c: "category" for c in CATEGORY_COLUMNS if c in df.columns and df[c].dtype != "category"}
    df = df.astype(conv) if conv else df
    for c in CATEGORY_COLUMNS:
        if c in df.columns and c not in conv:
            df[c] = df[c].cat.remove_unused_categories()
    return df


def _sorted_categories(cat: pd.Categorical) -> pd.Categorical:
    """``cat`` with its categories sorted and of the schema's string dtype, as
    ``astype("category")`` of the strings would make it."""
    names = [str(c) for c in cat.categories]
    order = sorted(range(len(names)), key=names.__getitem__)
    position = np.empty(len(names), dtype=np.int64)
    position[order] = np.arange(len(names))
    codes = cat.codes.astype(np.int64)
    codes = np.where(codes >= 0, position[np.maximum(codes, 0)] if len(names) else -1, -1)
    return pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(pd.Index([names[i] for i in order], dtype=schema.STR)), validate=False)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    """``CATEGORY_COLUMNS`` back to the schema's strings (before joining rows made elsewhere)."""
    conv = {c: schema.STR for c in CATEGORY_COLUMNS if c in df.columns and df[c].dtype == "category"}
    return df.astype(conv) if conv else df
