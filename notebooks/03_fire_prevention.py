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
# # 03 森林防火 · Fire prevention
#
# 各报告中的森林防火工作量：检查、隐患排查、宣传、防火卡点、隔离带……
# Fire-prevention activity reported in a folder of reports (or one report): one bar per
# indicator, one panel per unit, one colour per report. Lost numbers are drawn as 数据缺失.

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
fire = explore.filter_metrics(c.metrics, category="fire_prevention")
print(f"{len(c)} reports;", explore.category_summary(c.metrics, "fire_prevention"))

# %% [markdown]
# ## 指标 · Metrics
# 数值已换算为基本单位（1.2万余份 → 12000 份，`约数` = 余/约/以上…）；`数字缺失` 为 True 的行
# 原文丢失了数字（或是 xxx 占位符）。

# %%
# NBVAL_CHECK_OUTPUT
fire[["report_id", "raw", "value", "unit", "approx", "missing", "kind", "indicator"]].rename(
    columns=schema.labels("metrics"))

# %% [markdown]
# 每份报告按单位汇总（只加总已知数字，缺失另计）· Totals per report and unit:

# %%
# NBVAL_CHECK_OUTPUT
(fire.assign(lost=fire["missing"].astype(bool))
 .groupby(["report_id", "unit"], observed=True)
 .agg(mentions=("raw", "size"), total=("value", "sum"), lost=("lost", "sum")))

# %% [markdown]
# ## 图 · Chart

# %%
fig = fa.plots.fire_prevention(c.metrics, c.meta)
display(fig)

# %% [markdown]
# ## 保存 · Save

# %%
# NBVAL_CHECK_OUTPUT
[p.name for p in fa.plots.save(fig, output_dir, "fire_prevention")]
