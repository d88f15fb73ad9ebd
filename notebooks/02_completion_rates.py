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
# # 02 计划完成情况 · Completion rates
#
# 读取一个文件夹（或一份报告）中的全部报告，比较完成数与计划数。
# Read every report in a folder (or one report), pair actuals with plans and chart the
# completion rates. A lost number is shown as 数据缺失, never as a zero-length bar.
#
# 默认数据：随包附带的样例报告 `data/samples/`。Default input: the bundled sample reports.

# %%
# %matplotlib inline
# %config InlineBackend.figure_format = "png"
from IPython.display import display

import forestry_analysis as fa
from forestry_analysis import config
from forestry_analysis.present import explore
from forestry_analysis.doc import schema

explore.notebook_display()

# %% tags=["parameters"]
# 参数 Parameters (papermill): a report file or a folder of reports, and the output folder
input_path = str(config.SAMPLES_DIR)
output_dir = str(config.OUTPUT_DIR)

# %%
c = fa.read_corpus(input_path, workers=1)
print(f"{len(c)} reports, {len(c.completion)} completion rows, "
      f"{len(c.duplicates)} duplicates, {len(c.errors)} unreadable")

# %% [markdown]
# ## 完成情况表 · Completion table
# `完成率` = 完成数 / 计划数，`报告完成率` 是报告中写明的比例（均为百分数，保留一位小数）。
# `配对依据`：同一句 (same sentence)、报告写明完成率 (rate stated)、计划见报告别处、另一份报告。

# %%
# NBVAL_CHECK_OUTPUT
table = (c.completion[["report_id", "indicator", "actual", "plan", "unit", "rate", "stated_rate",
                       "consistent", "basis"]]
         .assign(rate=lambda d: (d["rate"] * 100).round(1),
                 stated_rate=lambda d: (d["stated_rate"] * 100).round(1)))
table.rename(columns=schema.labels("completion"))

# %% [markdown]
# 每份报告：可核对的指标数、完成率低于 100% 的指标数、报告完成率与数字不符的指标数。
# Per report: indicators with a computable rate, those below plan, and stated rates that
# disagree with the numbers.

# %%
# NBVAL_CHECK_OUTPUT
summary = c.completion.groupby("report_id").agg(
    indicators=("indicator", "size"),
    with_rate=("rate", "count"),
    below_plan=("rate", lambda s: int((s < 1).sum())),
    inconsistent=("consistent", lambda s: int((s == False).sum())),  # noqa: E712
)
summary

# %% [markdown]
# ## 图 · Chart
# 每份报告、每个指标一行，按报告分组、组内按完成率排序；绿色 = 达到计划，橙色 = 未达到；
# 黑线 = 计划 (100%)，红色虚线 = 时间进度（上半年 50%，前三季度 75%）；虚线空心框 = 只有
# 报告所述的完成率；红框 = 报告完成率与数字不符；数据缺失 = 短标签，不画柱。
# `completion_rates_data` 返回图中画出的表（参数相同）。

# %%
# NBVAL_CHECK_OUTPUT
drawn = fa.plots.completion_rates_data(c.completion, c.meta)
drawn[["report", "label", "shown", "source", "status"]].assign(shown=lambda d: (d["shown"] * 100).round(1))

# %%
fig = fa.plots.completion_rates(c.completion, c.meta)
display(fig)

# %% [markdown]
# 按指标分组（同一指标各报告相邻）· Grouped by indicator, each indicator's reports together:

# %%
fig_by_indicator = fa.plots.completion_rates(c.completion, c.meta, by="indicator")
display(fig_by_indicator)

# %% [markdown]
# ## 保存 · Save
# PNG（200 dpi）和 SVG 写入输出文件夹 `output_dir`。

# %%
# NBVAL_CHECK_OUTPUT
saved = fa.plots.save(fig, output_dir, "completion_rates") + \
    fa.plots.save(fig_by_indicator, output_dir, "completion_rates_by_indicator")
[p.name for p in saved]
