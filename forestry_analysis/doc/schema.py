"""The one place that defines every table's columns, dtypes and Chinese display labels.

Each table is a list of ``Field``; ``frame(table, rows)`` builds a DataFrame with exactly
those columns and nullable dtypes, so every module, notebook and export agrees.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import numpy as np
import pandas as pd

from forestry_analysis.present import labels

KINDS = ["actual", "plan", "rate"]
CATEGORIES = labels.category_order()   # from lexicon/categories.toml and colours.toml
STATUSES = ["done", "planned"]
SEVERITIES = ["info", "warning", "error"]
OUTCOMES = ["reported", "not_reported", "no_later_report"]
RATE_TYPES = ["completion", "share", "coverage", "change", "level"]


@dataclass(frozen=True)
class Field:
    name: str
    dtype: object
    label: str
    description: str = ""


def _cat(values):
    return pd.CategoricalDtype(values)


STR = pd.StringDtype("python")   # cheap to build per report; pd.NA for missing
_ID = Field("report_id", STR, "报告", "Report identifier (file stem or given id).")
_START = Field("start", "Int64", "起", "Start offset into Report.text (inclusive).")
_END = Field("end", "Int64", "止", "End offset into Report.text (exclusive).")

TABLES: dict[str, list[Field]] = {
    "metrics": [
        _ID, _START, _END,
        Field("raw", STR, "原文", "The mention exactly as written: Report.text[start:end]."),
        Field("value", "Float64", "数值", "Value in the base unit (万/亿 applied); NA when the number is lost; "
              "the lower end of a range."),
        Field("value_high", "Float64", "上限", "Upper end of a range (3-5次, 二三十名); NA otherwise."),
        Field("unit", STR, "单位", "Base unit, simplified (亩, 公顷, 元, 株, 个, 次, %, ‰ …)."),
        Field("unit_written", STR, "原单位", "Unit as written, multiplier included (万亩, 亿元)."),
        Field("area_mu", "Float64", "面积(亩)", "Area converted to 亩 whatever unit was written; NA for non-areas."),
        Field("approx", "boolean", "约数", "Qualified by 余/约/近/多/以上/超过/左右/不少于/≥ …"),
        Field("missing", "boolean", "数字缺失", "The unit is there but the number was lost or is a placeholder."),
        Field("kind", _cat(KINDS), "类型", "actual (done), plan (target), rate (percentage or ratio)."),
        Field("category", _cat(CATEGORIES), "类别", "Work area: afforestation, fire_prevention, pest_control, …"),
        Field("indicator", STR, "指标", "What is measured, in the report's words (simplified)."),
        Field("indicator_id", STR, "指标编号", "Canonical id from the indicator catalogue; NA when none."),
        Field("indicator_label", STR, "指标名称", "Catalogue label of indicator_id (comparable across reports), else the indicator."),
        Field("section", STR, "章节", "Heading of the enclosing section."),
        Field("sentence_id", "Int64", "句号", "Row of Report.sentences holding the mention."),
        Field("sentence", STR, "句子", "The sentence holding the mention."),
        Field("table_id", "Int64", "表格", "Report.table_cells table of a table cell; NA for prose."),
        Field("table_row", "Int64", "表格行", "Line of the table holding the cell (header lines counted)."),
        Field("table_col", "Int64", "表格列", "Column of the cell in its table."),
        Field("table_total", "boolean", "合计行", "The cell's row is a 合计/总计/小计 row; NA for prose."),
        Field("table_total_row", "Int64", "所属合计行", "table_row of the total row that sums this cell; NA if none."),
        # How rows relate (relations.py): ids within the report, NA when no relation.
        Field("metric_id", "Int64", "编号", "Unique within the report, in text order (stable)."),
        Field("part_of", "Int64", "所属总数", "metric_id of the total this row is a part of (其中, 包括, 合计)."),
        Field("rate_of", "Int64", "比率对象", "For a rate: metric_id of the quantity it is the rate of."),
        Field("rate_base", "Int64", "比率基数", "For a rate: metric_id of its denominator (plan, 发生面积) when stated."),
        Field("rate_type", _cat(RATE_TYPES), "比率类型", "completion, share, coverage, change or level; NA for non-rates."),
        Field("restates", "Int64", "重复", "metric_id of an earlier row this row repeats (same figure restated)."),
        Field("task_id", "Int64", "条目号", "The work item holding the mention; NA outside every item."),
    ],
    "table_cells": [
        _ID,
        Field("table_id", "Int64", "表格", "Position of the table in the report (0-based)."),
        Field("row", "Int64", "行", "Line of the table, header lines counted (0-based)."),
        Field("col", "Int64", "列", "Column (0-based)."),
        Field("header", "boolean", "表头", "The cell is in a header row."),
        Field("row_label", STR, "行标签", "Label of the cell's row."),
        Field("col_label", STR, "列标签", "Label of the cell's column, header rows joined."),
        Field("raw", STR, "原文", "The cell exactly as written: Report.text[start:end] (merged cells repeat)."),
        _START, _END,
        Field("title", STR, "表题", "The line before the table."),
        Field("unit_note", STR, "单位说明", "The table's unit note (单位：万亩), if any."),
    ],
    "numbers": [
        _ID, _START, _END,
        Field("raw", STR, "原文", "The number-like token as written."),
        Field("form", STR, "形式", "arabic, chinese, mixed, placeholder, unit_only."),
        Field("value", "Float64", "数值", "Parsed value of the token itself (no unit); NA for placeholders."),
        Field("is_metric", "boolean", "是否指标", "True when the token is (part of) a row of Report.metrics."),
        Field("reason", STR, "原因", "Why it is or is not a metric (metric, year, date, ordinal, slogan, …)."),
    ],
    "outline": [
        _ID,
        Field("level", "Int64", "层级", "1 for 一、, 2 for (一), 3 for 一是/1./(1)/①."),
        Field("marker", STR, "标号", "The enumeration marker as written (一、, (二), 三是, 1.)."),
        Field("ordinal", "Int64", "序号", "Position the marker states (三 → 3)."),
        Field("heading", STR, "标题", "Heading text (marker stripped), up to the first sentence end."),
        _START, _END,
    ],
    "sentences": [
        _ID,
        Field("sentence_id", "Int64", "句号", "Position in the report."),
        Field("part", STR, "部分", "preamble, title, body, signature or trailer."),
        Field("section", STR, "章节", "Level-1 heading in force."),
        Field("subsection", STR, "小节", "Level-2 heading in force."),
        Field("path", STR, "大纲路径", "Markers of the enclosing outline items, joined by ' > '."),
        Field("text", STR, "句子", "The sentence text."),
        _START, _END,
    ],
    "tasks": [
        _ID,
        Field("section", STR, "章节", "Level-1 heading."),
        Field("subsection", STR, "小节", "Level-2 heading."),
        Field("item", STR, "条目", "Item marker (一是, 1.) or NA for a whole subsection."),
        Field("text", STR, "内容", "The work item's text."),
        Field("status", _cat(STATUSES), "状态", "done (reported) or planned (下一步, 下半年计划 …)."),
        Field("category", _cat(CATEGORIES), "类别", "Work area from keywords."),
        _START, _END,
        Field("task_id", "Int64", "条目号", "Position of the work item in the report, from 0 (text order)."),
        Field("n_metrics", "Int64", "指标数", "Rows of Report.metrics inside the item."),
        Field("n_missing", "Int64", "缺失数", "Of those, numbers lost or hidden behind a placeholder."),
        Field("headline", STR, "要点", "The item's first metric in its clause, as written; NA without metrics."),
    ],
    "completion": [
        _ID,
        Field("indicator", STR, "指标", "What is measured."),
        Field("indicator_id", STR, "指标编号", "Canonical id; NA when none."),
        Field("category", _cat(CATEGORIES), "类别", ""),
        Field("actual", "Float64", "完成", "Actual value in the base unit; NA when lost."),
        Field("plan", "Float64", "计划", "Plan value in the base unit; NA when lost or unknown."),
        Field("unit", STR, "单位", "Base unit of actual and plan."),
        Field("rate", "Float64", "完成率", "actual / plan as a fraction (0.7 for 70%)."),
        Field("stated_rate", "Float64", "报告完成率", "The fraction the report states; NA if none."),
        Field("consistent", "boolean", "一致", "Stated rate agrees with actual/plan within rounding."),
        Field("basis", STR, "配对依据", "same sentence, rate stated, another report."),
        Field("actual_start", "Int64", "完成起", ""), Field("actual_end", "Int64", "完成止", ""),
        Field("plan_start", "Int64", "计划起", ""), Field("plan_end", "Int64", "计划止", ""),
        Field("rate_start", "Int64", "完成率起", ""), Field("rate_end", "Int64", "完成率止", ""),
        Field("plan_report_id", STR, "计划来源", "Report holding the plan (differs for basis 'another report')."),
        Field("note", STR, "说明", ""),
    ],
    "coverage": [
        _ID,
        Field("indicator", STR, "指标", "What is treated, monitored or surveyed."),
        Field("indicator_id", STR, "指标编号", "Canonical id; NA when none."),
        Field("category", _cat(CATEGORIES), "类别", ""),
        Field("treated", "Float64", "防治(监测)量", "The treated or monitored quantity; NA when lost or not stated."),
        Field("base", "Float64", "发生(总)量", "The occurring or total quantity; NA when not stated."),
        Field("unit", STR, "单位", "Base unit of treated and base."),
        Field("rate", "Float64", "覆盖率", "treated / base as a fraction."),
        Field("stated_rate", "Float64", "报告覆盖率", "The fraction the report states; NA if none."),
        Field("consistent", "boolean", "一致", "Stated rate agrees with treated/base within rounding."),
        Field("treated_start", "Int64", "防治起", ""), Field("treated_end", "Int64", "防治止", ""),
        Field("base_start", "Int64", "基数起", ""), Field("base_end", "Int64", "基数止", ""),
        Field("rate_start", "Int64", "覆盖率起", ""), Field("rate_end", "Int64", "覆盖率止", ""),
    ],
    "quality": [
        _ID,
        Field("severity", _cat(SEVERITIES), "严重程度", ""),
        Field("code", STR, "问题", "lost_number, placeholder, meta_conflict, rate_mismatch, …"),
        Field("message", STR, "说明", "A sentence an analyst can read."),
        _START, _END,
    ],
    "meta": [
        _ID,
        Field("path", STR, "文件", ""),
        Field("title", STR, "标题", ""),
        Field("title_source", STR, "标题来源", "Where the title was found: 标题行, 新闻标题或正文首句, 文件名, 无."),
        Field("title_confidence", "Float64", "标题可信度", "1 for a title line, 0.7 for a headline, 0.5 for a file name, 0 for none."),
        Field("org", STR, "单位", "e.g. 重庆市巴南区林业局"),
        Field("region", STR, "地区", "e.g. 重庆市巴南区"),
        Field("year", "Int64", "年度", ""),
        Field("period", STR, "期间", "H1, H2, Q1–Q4, annual, or a month (M06)."),
        Field("date", STR, "日期", "ISO date of the signature."),
        Field("report_kind", STR, "报告类型", "summary, plan or both."),
        Field("warnings", STR, "提示", "Metadata warnings joined by '; '."),
    ],
    "followups": [   # Corpus.followups: a planned item and the later done item that carries it out
        Field("org", STR, "单位", ""),
        Field("plan_report_id", STR, "计划报告", ""), Field("plan_task_id", "Int64", "计划条目号", ""),
        Field("plan_text", STR, "计划内容", ""), Field("plan_category", _cat(CATEGORIES), "类别", ""),
        Field("plan_metrics", STR, "计划指标", "The planned item's metrics (indicator and number), joined by '；'."),
        Field("done_report_id", STR, "完成报告", "NA when not reported."), Field("done_task_id", "Int64", "完成条目号", ""),
        Field("done_text", STR, "完成内容", ""),
        Field("done_metrics", STR, "完成指标", "The done item's metrics, joined by '；'."),
        Field("similarity", "Float64", "相似度", "Word overlap (idf-weighted cosine of jieba words), 0–1."),
        Field("outcome", _cat(OUTCOMES), "结果", "reported, not_reported, or no_later_report (no later report of the org)."),
    ],
}


def columns(table: str) -> list[str]:
    return [f.name for f in TABLES[table]]


def labels(table: str) -> dict[str, str]:
    """English column name → Chinese display label."""
    return {f.name: f.label for f in TABLES[table]}


def frame(table: str, rows=None) -> pd.DataFrame:
    """Build a DataFrame for ``table`` from dict rows (or a DataFrame), with the schema's dtypes."""
    fields = TABLES[table]
    if isinstance(rows, pd.DataFrame):
        return rows.reindex(columns=[f.name for f in fields]).astype({f.name: f.dtype for f in fields})
    rows = rows or []
    builders = _builders(table)
    arrays = [build(values) for (_, build), values in zip(builders, _columns(rows, table))]
    return _assemble(arrays, _column_index(table).view(), len(rows))   # a frame's own labels


def _columns(rows: list[dict], table: str) -> list[list]:
    """The rows' values column by column (None where a row lacks a column): one C-level
    transpose when every row has every column, as the pipeline's rows do."""
    names = columns(table)
    if not rows:
        return [[] for _ in names]
    try:
        return [list(col) for col in zip(*map(_getter(table), rows))]
    except KeyError:
        return [[r.get(name) for r in rows] for name in names]


@lru_cache(maxsize=None)
def _getter(table: str):
    names = columns(table)
    return itemgetter(*names) if len(names) > 1 else (lambda r: (r[names[0]],))


@lru_cache(maxsize=None)
def _builders(table: str) -> tuple:
    """(column name, function from Python values to its typed array) for each field."""
    return tuple((f.name, _builder(f.dtype)) for f in TABLES[table])


@lru_cache(maxsize=None)
def _column_index(table: str) -> pd.Index:
    return pd.Index(columns(table))


def _assemble(arrays: list, columns: pd.Index, n: int) -> pd.DataFrame:
    """A DataFrame from ready-typed column arrays.

    Every report builds several small tables, and the public constructor spends most of its
    time re-inferring column labels and re-checking arrays that are already typed. Every
    schema column is an extension array, which pandas keeps in a block of its own: the
    frame is made from those blocks directly (10× faster), else through pandas' own
    ``DataFrame._from_arrays`` (3× faster). Both are private, so any change to them falls
    back to the public constructor, and a test checks that all give the same frame.
    """
    try:
        return _assemble_blocks(arrays, columns, n)
    except (AttributeError, TypeError, ImportError):
        pass
    try:
        return pd.DataFrame._from_arrays(arrays, columns=columns, index=pd.RangeIndex(n), verify_integrity=False)
    except (AttributeError, TypeError):
        return _assemble_public(arrays, columns, n)


def _assemble_blocks(arrays: list, columns: pd.Index, n: int) -> pd.DataFrame:
    from pandas._libs.internals import BlockPlacement
    from pandas.core.internals.blocks import ExtensionBlock
    from pandas.core.internals.managers import BlockManager

    extension = pd.api.extensions.ExtensionArray
    blocks = []
    for i, a in enumerate(arrays):
        if not isinstance(a, extension) or len(a) != n:
            raise TypeError("not extension arrays of the frame's length")
        blocks.append(ExtensionBlock(a, BlockPlacement(slice(i, i + 1)), 2))
    blocks = tuple(blocks)
    mgr = BlockManager(blocks, [columns, pd.RangeIndex(n)], verify_integrity=False)
    return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)


def _assemble_public(arrays: list, columns: pd.Index, n: int) -> pd.DataFrame:
    return pd.DataFrame(dict(zip(columns, arrays)), index=pd.RangeIndex(n), copy=False)


def _isna(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _builder(dtype):
    """A function from Python values to a typed array, built through the extension-array
    interface rather than the generic inference of ``pd.array`` (tables are built once per
    report, thousands of times). The fast paths let numpy convert a whole list at once;
    ``pd.NA`` in a list takes the element-wise path."""
    if isinstance(dtype, pd.CategoricalDtype):
        index = {c: i for i, c in enumerate(dtype.categories)}
        make = getattr(pd.Categorical, "_simple_new", None)   # codes built here are valid
        if make is None:
            def make(codes, dtype):
                return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)

        def categorical(values):
            try:
                codes = np.array([-1 if v is None else index[v] for v in values], dtype=np.int16)
            except (KeyError, TypeError):
                codes = np.array([-1 if _isna(v) else index[v] for v in values], dtype=np.int16)
            return make(codes, dtype=dtype)
        return categorical
    if isinstance(dtype, str) and dtype in _NULLABLE:
        np_type, cls = _NULLABLE[dtype]
        make = getattr(cls, "_simple_new", cls)   # (data, mask) as built here need no validation

        def nullable(values):
            n_missing = values.count(None)
            if n_missing == len(values):   # a column no row fills (table_id of prose)
                data, mask = np.empty(len(values), dtype=np_type), np.empty(len(values), dtype=bool)
                data.fill(_ALL_MISSING[np_type])
                mask.fill(True)
                return make(data, mask)
            if np_type is np.int64 and not n_missing:
                try:
                    return make(np.array(values, dtype=np.int64), np.zeros(len(values), dtype=bool))
                except (TypeError, ValueError):
                    pass   # pd.NA or NaN: element-wise below
            try:
                as_float = np.array(values, dtype=np.float64)
            except (TypeError, ValueError):
                mask = np.array([_isna(v) for v in values], dtype=bool)
                return make(np.array([0 if m else v for v, m in zip(values, mask)], dtype=np_type), mask)
            mask = np.isnan(as_float)
            if np_type is np.float64:
                return make(as_float, mask)
            if np_type is np.bool_:
                return make(as_float != 0, mask)
            return make(np.where(mask, 0.0, as_float).astype(np.int64), mask)   # offsets and ids: exact below 2**53
        return nullable
    if dtype == STR and (strings := _string_builder()) is not None:
        return strings
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        array_type = dtype.construct_array_type()
        return lambda values: array_type._from_sequence(values, dtype=dtype)
    return lambda values: pd.array(values, dtype=dtype)


def _string_builder():
    """What ``StringArray._from_sequence`` does for ``STR`` (every value a str, or missing
    made pd.NA), without its per-call dtype checks (2.5× faster); None when pandas changed."""
    try:
        from pandas._libs import lib
        from pandas._libs.arrays import NDArrayBacked
        from pandas.arrays import StringArray
        ensure, init, na = lib.ensure_string_array, NDArrayBacked.__init__, STR.na_value
    except (ImportError, AttributeError):
        return None

    def strings(values):
        array = StringArray.__new__(StringArray)
        init(array, ensure(values, na_value=na, copy=False), STR)
        return array
    return strings


_ALL_MISSING = {np.int64: 0, np.float64: np.nan, np.bool_: True}   # what the general path stores under the mask
_NULLABLE = {"Int64": (np.int64, pd.arrays.IntegerArray), "Float64": (np.float64, pd.arrays.FloatingArray),
             "boolean": (np.bool_, pd.arrays.BooleanArray)}


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (much faster than ``to_dict``/``itertuples``)."""
    columns = {c: [None if _isna(v) else v for v in df[c].tolist()] for c in df.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]
