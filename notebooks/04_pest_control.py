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
# 松材线虫病等林业有害生物：防治面积与发生面积（防治率），无公害防治率、监测覆盖率、
# 测报准确率、成灾率与目标的比较。
# Pest control across a folder of reports (or one report): treated area against occurring
# area per pest (coverage), and the rates against their targets. Lost numbers are 数据缺失.

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
# ## 覆盖率 · Coverage
# 报告写明的覆盖率（防治率、监测覆盖率 …）及其防治量与发生量。

# %%
# NBVAL_CHECK_OUTPUT
c.coverage[["report_id", "indicator", "treated", "base", "unit", "rate", "stated_rate"]].rename(
    columns=schema.labels("coverage"))

# %% [markdown]
# ## 图中的表 · The table the chart draws
# 防治覆盖：每份报告、每种有害生物、每项防治面积一行，`base` 为同一有害生物的发生面积，
# `rate` = 防治面积 ÷ 发生面积；没有发生面积时写“未给出发生面积”。比率与目标：`value` 为实际，
# `target` 为目标。计划（`kind` 计划）与完成分开画。`pest_control_data` 与图的参数相同。

# %%
# NBVAL_CHECK_OUTPUT
drawn = fa.plots.pest_control_data(c.metrics, c.completion, c.meta)
drawn[["report", "section", "kind", "label", "unit", "value", "base", "rate", "target", "text"]]

# %% [markdown]
# ## 图 · Chart
# 左：防治面积（深色）叠在发生面积（浅色）上；右：各比率，柱 = 实际，黑色竖线 = 目标。

# %%
fig = fa.plots.pest_control(c.metrics, c.completion, c.meta)
display(fig)

# %% [markdown]
# ## 保存 · Save

# %%
# NBVAL_CHECK_OUTPUT
[p.name for p in fa.plots.save(fig, output_dir, "pest_control")]
