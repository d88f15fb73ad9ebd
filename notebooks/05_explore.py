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
# # 05 自由探索 · Explore
#
# 按关键词、类别、地区筛选指标；用 TF-IDF 或 TextRank 提取各章节关键词；统计词频；
# 在原文中检索并高亮。
# Ad hoc exploration: filter metrics by keyword, category and region; keywords per section
# (TF-IDF or TextRank); term frequencies; search the text with the matches highlighted.
# Word segmentation uses jieba with the package's forestry dictionary (松材线虫病, 林长制, …).

# %%
from pathlib import Path


import forestry_analysis as fa
from forestry_analysis import config
from forestry_analysis.present import explore
from forestry_analysis.doc import schema

explore.notebook_display()

# %% tags=["parameters"]
# 参数 Parameters (papermill): one report, a folder of reports, the output folder, and the
# questions to ask (keyword, category, region, keyword method, search pattern)
report_path = str(config.SEED_REPORT)
corpus_path = str(config.SAMPLES_DIR)
output_dir = str(config.OUTPUT_DIR)
keyword = "防火"
category = "森林防火"
region = "巴南"
keyword_method = "tfidf"  # or "textrank"
search_pattern = "松材线虫病?|松墨天牛|诱捕器|飞机施药"

# %%
r = fa.read_report(report_path)
c = fa.read_corpus(corpus_path, workers=1)
print(f"report {r.report_id}: {len(r.metrics)} metrics; corpus: {len(c)} reports, {len(c.metrics)} metrics")

# %% [markdown]
# ## 筛选指标 · Filter metrics
# 关键词在指标名、原文或句子中出现即可（普通子串，不是正则）。

# %%
# NBVAL_CHECK_OUTPUT
cols = ["report_id", "raw", "value", "unit", "kind", "category", "indicator"]
explore.filter_metrics(r.metrics, keyword=keyword)[cols].rename(columns=schema.labels("metrics"))

# %% [markdown]
# 类别可以写英文键或中文名（`fire_prevention` 或 `森林防火`），地区按 `region` 列中的子串筛选；
# 类型：完成 / 计划 / 比率。Category by key or Chinese label; region by substring; kind.

# %%
# NBVAL_CHECK_OUTPUT
hits = explore.filter_metrics(c.metrics, category=category, region=region)
hits[["region"] + cols].rename(columns=schema.labels("metrics"))

# %% [markdown]
# 条件可以组合：所有报告中关于造林的计划数 · Conditions combine: planned afforestation targets.

# %%
# NBVAL_CHECK_OUTPUT
explore.filter_metrics(c.metrics, keyword="造林", kind="计划")[cols].rename(columns=schema.labels("metrics"))

# %% [markdown]
# ## 各章节关键词 · Keywords per section
# 每个一级标题（一、二、三、…）下的文字作为一篇，TF-IDF 用 jieba 自带的 IDF 表，
# TextRank 只看名词和动词。已去掉停用词（工作、开展、加强、推进……）和单字。

# %%
# NBVAL_CHECK_OUTPUT
kw = explore.section_keywords(r, top=8, method=keyword_method)
kw.groupby("section", sort=False)["keyword"].agg("、".join).to_frame(f"keywords ({keyword_method})")

# %%
# NBVAL_CHECK_OUTPUT
kw_tr = explore.section_keywords(r, top=8, method="textrank")
kw_tr.groupby("section", sort=False)["keyword"].agg("、".join).to_frame("keywords (textrank)")

# %% [markdown]
# ## 词频 · Term frequency
# `count` 出现次数，`docs` 出现在几份报告中；文本先规范化（繁体转简体），"萬畝" 与 "万亩" 算同一个词。
# Counts over the normalised text (traditional → simplified); `docs` = reports using the term.

# %%
# NBVAL_CHECK_OUTPUT
explore.term_frequency(r, top=15)

# %%
# NBVAL_CHECK_OUTPUT
tf = explore.term_frequency(c, top=30)
tf.head(20)

# %% [markdown]
# ## 检索原文 · Search the text
# 正则表达式，在规范化文本（简体、半角）中检索，繁体原文也能找到；结果表中的起止位置指向原文。

# %%
# NBVAL_CHECK_OUTPUT
m = explore.search(r, search_pattern)
m.table[["start", "end", "match", "section", "sentence"]]

# %%
# NBVAL_CHECK_OUTPUT
m

# %% [markdown]
# ## 保存 · Save
# 关键词和词频写成 CSV（UTF-8 带 BOM，Excel 可直接打开）。

# %%
# NBVAL_CHECK_OUTPUT
out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
kw.to_csv(out / "section_keywords.csv", index=False, encoding="utf-8-sig")
tf.to_csv(out / "term_frequency.csv", index=False, encoding="utf-8-sig")
sorted(p.name for p in out.glob("*.csv") if p.stem in {"section_keywords", "term_frequency"})
