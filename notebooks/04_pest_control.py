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
# # 04 林业有害生物防治 · Pest control
#
# 松材线虫病等林业有害生物的防治面积（亩）与计划或调查面积的比较，以及诱捕器、飞机施药、
# 除治队伍等数量。
# Pest control across a folder of reports (or one report): treated area in 亩 against plan or
# surveyed area, and counts (traps, aerial sorties, teams, trees). Lost numbers are 数据缺失.

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
pest = explore.filter_metrics(c.metrics, category="pest_control")
print(f"{len(c)} reports;", explore.category_summary(c.metrics, "pest_control"))

# %% [markdown]
# ## 面积 · Areas
# `面积(亩)` 把公顷、万亩等统一换算成亩。Areas converted to 亩 whatever unit was written.

# %%
# NBVAL_CHECK_OUTPUT
area = pest[pest["unit"].isin(["亩", "公顷"]) | pest["area_mu"].notna()]
area[["report_id", "raw", "area_mu", "approx", "missing", "kind", "indicator"]].rename(
    columns=schema.labels("metrics"))

# %% [markdown]
# ## 数量与比率 · Counts and rates

# %%
# NBVAL_CHECK_OUTPUT
other = pest.drop(index=area.index)
other[["report_id", "raw", "value", "unit", "approx", "missing", "kind", "indicator"]].rename(
    columns=schema.labels("metrics"))

# %% [markdown]
# ## 图 · Chart
# 上：面积（灰色 = 计划面积，浅蓝 = 调查/监测面积）；下：数量（数量级相差大时用对数刻度）。

# %%
fig = fa.plots.pest_control(c.metrics, c.completion, c.meta)
display(fig)

# %% [markdown]
# ## 保存 · Save

# %%
# NBVAL_CHECK_OUTPUT
[p.name for p in fa.plots.save(fig, output_dir, "pest_control")]
