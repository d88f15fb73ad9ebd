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
# 各报告中的森林防火工作：宣传、检查、隐患排查整改、防火卡点、隔离带、清理可燃物，以及火灾
# 起数、受害面积、受害率（与控制目标比较）。
# Fire prevention in a folder of reports (or one report): the canonical activities of
# `lexicon/charts.toml`, each in its own unit (never added together), and the outcomes apart.
# Lost numbers are drawn as 数据缺失.

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
# ## 图中的表 · The table the chart draws
# 每份报告、每项规范指标一行，`value` 为该指标单位下已知数字之和（重复提及、其中的分项只计
# 一次；比率不相加）；单位不同的提及不画入。`fire_prevention_data` 与图的参数相同。

# %%
# NBVAL_CHECK_OUTPUT
drawn = fa.plots.fire_prevention_data(c.metrics, c.meta)
drawn[["report", "panel", "label", "unit", "value", "target", "missing", "text"]]

# %% [markdown]
# ## 图 · Chart
# 左：工作开展，每栏一项活动、各用自己的单位和刻度；右：火灾情况（黑色竖线 = 控制目标）。
# “—”为报告未提及。

# %%
fig = fa.plots.fire_prevention(c.metrics, c.meta)
display(fig)

# %% [markdown]
# ## 保存 · Save

# %%
# NBVAL_CHECK_OUTPUT
[p.name for p in fa.plots.save(fig, output_dir, "fire_prevention")]
