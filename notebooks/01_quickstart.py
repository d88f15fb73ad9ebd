# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 快速上手 · Quickstart
#
# 读取一份林业局工作总结，查看报告信息、指标表、完成情况和数据质量问题。
# Read one forestry-bureau work report and look at its metadata, tables, highlighted text and
# data-quality findings. Every number in every table points back to its place in the text.
#
# 换一份报告：修改下面 `parameters` 单元格中的 `report_path`，或用 papermill 运行：
# `papermill notebooks/01_quickstart.ipynb out.ipynb -p report_path 报告.txt`

# %%
import pandas as pd

import forestry_analysis as fa
from forestry_analysis import config
from forestry_analysis.present import explore
from forestry_analysis.doc import schema

explore.notebook_display()

# %% tags=["parameters"]
# 参数 Parameters (papermill): the report to read and the output folder
report_path = str(config.SEED_REPORT)
output_dir = str(config.OUTPUT_DIR)

# %%
r = fa.read_report(report_path)
r

# %% [markdown]
# ## 报告信息 · Metadata
# 标题、单位、地区、年度、期间（H1 = 上半年）、落款日期、报告类型；`提示` 列出元数据中的矛盾。

# %%
# NBVAL_CHECK_OUTPUT
r.meta_table.drop(columns=["path"]).rename(columns=schema.labels("meta")).T

# %% [markdown]
# ## 表格 · Tables
# 每张表的行数。`metrics` 每行是一处数量（数值、单位、约数、是否缺失、类型、类别、指标）。

# %%
# NBVAL_CHECK_OUTPUT
pd.Series({name: len(df) for name, df in r.all_tables().items()}, name="rows")

# %%
# NBVAL_CHECK_OUTPUT
cols = ["raw", "value", "unit", "approx", "missing", "kind", "category", "indicator"]
r.metrics[cols].head(12).rename(columns=schema.labels("metrics"))

# %% [markdown]
# 按工作类别和类型（完成 / 计划 / 比率）统计指标数 · Metrics per category and kind:

# %%
# NBVAL_CHECK_OUTPUT
r.metrics.groupby(["category", "kind"], observed=True).size().unstack(fill_value=0)

# %% [markdown]
# ## 工作事项 · Tasks
# 已开展（done）和计划（planned）的工作事项，按类别分类。

# %%
# NBVAL_CHECK_OUTPUT
r.tasks[["section", "item", "status", "category", "text"]].head(10)

# %% [markdown]
# ## 事项与指标 · Tasks joined with metrics
# 每处指标的 `task_id`（条目号）指向包含它的工作事项（事项之外的数字为空）；每个事项有
# `指标数`、`缺失数` 和 `要点`（第一处指标所在分句的原文）。下面：计划事项及其目标，没有任何数字的已完成事项。
# 多份报告时，`fa.read_corpus(...).followups()` 把上一期的计划事项与下一期同一单位的完成事项按用词匹配，
# 没有对应的列为 `not_reported`。

# %%
# NBVAL_CHECK_OUTPUT
planned = r.tasks[r.tasks["status"] == "planned"]
targets = r.metrics[r.metrics["kind"] == "plan"].groupby("task_id")["raw"].agg("、".join)
(planned.assign(targets=planned["task_id"].map(targets))
 [["task_id", "item", "category", "n_metrics", "headline", "targets"]]
 .rename(columns={**schema.labels("tasks"), "targets": "计划目标"}))

# %%
# NBVAL_CHECK_OUTPUT
done = r.tasks[(r.tasks["status"] == "done") & (r.tasks["n_metrics"] == 0)]
done[["task_id", "subsection", "item", "text"]].assign(text=done["text"].str[:40]).rename(columns=schema.labels("tasks"))

# %% [markdown]
# ## 完成情况 · Completion
# 完成数 / 计划数；`报告完成率` 是报告自己写的比例，`一致` 表示两者在四舍五入范围内相符。
# 比率以百分数显示（保留一位小数）。

# %%
# NBVAL_CHECK_OUTPUT
(r.completion[["indicator", "actual", "plan", "unit", "rate", "stated_rate", "consistent", "basis"]]
 .assign(rate=lambda d: (d["rate"] * 100).round(1), stated_rate=lambda d: (d["stated_rate"] * 100).round(1))
 .rename(columns=schema.labels("completion")))

# %% [markdown]
# ## 原文标注 · Highlighted text
# 每处指标按类别着色；鼠标悬停显示数值、单位、指标和类型；红色虚线框表示数字缺失。

# %%
r.highlight()

# %% [markdown]
# ## 数据质量 · Quality findings
# 丢失的数字（"完成营造林万亩"）、占位符（XX）、元数据矛盾、完成率不符等。

# %%
# NBVAL_CHECK_OUTPUT
r.quality["code"].value_counts()

# %%
# NBVAL_CHECK_OUTPUT
r.quality[["severity", "code", "message"]].rename(columns=schema.labels("quality"))
