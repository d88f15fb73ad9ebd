"""Statistics tables in report text (pipe tables, space-aligned columns): cells become metrics
rows and table rows pair plan with actual. Tables are made up but shaped like the 统计表 of
county forestry-bureau reports."""
import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.lexicon import toml
from forestry_analysis.pipeline.completion import basis_label

PIPE = """某县林业局2023年工作总结

一、营造林工作
全年营造林任务全面完成，详见下表。

表1 2023年营造林完成情况
（单位：万亩）

| 序号 | 指标 | 年度计划 | 完成 | 完成率 |
|---|---|---|---|---|
| 1 | 人工造林 | 1.2 | 1.25 | 104.2% |
| 2 | 森林抚育 | 3 | XX | — |
| 3 | 封山育林 | 0.8 |  | — |
| | 合计 | 5 | 1.25 | |

二、下一步打算
继续抓好森林防火工作。
"""

ALIGNED = """二、森林防火
表2 森林防火工作情况
项目        计划(次)    完成(次)    完成率(%)
防火宣传      20          24          120
巡山检查      300         285         95
"""

PESTS = """三、林业有害生物防治
| 病虫害 | 发生面积(亩) | 防治面积(亩) | 防治率 |
| 松材线虫病 | 1,250 | 1,200 | 96% |
| 美国白蛾 | 800 | 800 | 100% |
"""

UNIT_COLUMN = """四、重点工程
| 序号 | 工程名称 | 单位 | 2023年计划 | 2023年完成 |
| 1 | 退化林修复 | 万亩 | 2 | 2.1 |
| 2 | 义务植树 | 万株 | 50 | 52 |
| 3 | 林业投资 | 万元 | 1500 | 1380 |
"""


def _metrics(text):
    return fa.read_report(text=text).metrics


def _cell(df, raw, occurrence=0):
    return df[df.raw == raw].iloc[occurrence]


def test_pipe_table_cells_take_the_unit_note_and_header_kind():
    m = _metrics(PIPE)
    plan = _cell(m, "1.2")
    assert (plan.value, plan.unit, plan.unit_written, plan.kind, plan.indicator) == (12000, "亩", "万亩", "plan", "人工造林")
    done = _cell(m, "1.25")
    assert (done.value, done.kind, done.category) == (12500, "actual", "afforestation")
    rate = _cell(m, "104.2%")
    assert (rate.value, rate.unit, rate.kind) == (104.2, "%", "rate")
    assert "人工造林" in rate.indicator


def test_cell_offsets_point_at_the_cell_in_the_text():
    r = fa.read_report(text=PIPE)
    for row in r.metrics[r.metrics.table_id.notna()].itertuples():
        assert r.text[row.start:row.end] == row.raw


def test_serial_numbers_and_header_words_are_not_metrics():
    r = fa.read_report(text=PIPE)
    table_rows = r.metrics[r.metrics.table_id.notna()]
    assert set(table_rows.raw) == {"1.2", "1.25", "104.2%", "3", "XX", "0.8", "5"}
    serials = r.numbers[r.numbers.reason == "serial"]
    assert list(serials.raw) == ["1", "2", "3"] and not serials.is_metric.any()


def test_placeholder_cell_is_lost_but_empty_cells_and_dashes_are_not():
    r = fa.read_report(text=PIPE)
    missing = r.metrics[r.metrics.missing]
    assert list(missing.raw) == ["XX"]
    assert missing.iloc[0].indicator == "森林抚育" and missing.iloc[0].unit_written == "万亩"
    lost = r.quality[r.quality.code.isin(["lost_number", "placeholder"])]
    assert list(lost.code) == ["placeholder"]   # no lost-number warning on the note's 万亩


def test_table_numbers_are_not_also_read_as_prose():
    r = fa.read_report(text=PIPE)
    assert not r.metrics.duplicated(["start", "end"]).any()
    assert r.metrics.table_id.notna().all()


def test_total_row_is_marked_and_points_from_its_parts():
    r = fa.read_report(text=PIPE)
    m = r.metrics
    total = _cell(m, "5")
    assert total.table_total and total.kind == "plan" and total.value == 50000
    assert "合计" in total.indicator and "营造林" in total.indicator
    parts = m[(m.table_total_row == total.table_row) & (m.table_col == total.table_col)]
    assert sorted(parts.value) == [8000, 12000, 30000]
    assert parts.value.sum() == total.value


def test_table_row_pairs_plan_actual_and_checks_the_rate():
    c = fa.read_report(text=PIPE).completion
    row = c[c.indicator == "人工造林"].iloc[0]
    assert (row.actual, row.plan, row.basis) == (12500, 12000, "table row")
    assert row.stated_rate == pytest.approx(1.042) and row.consistent
    assert basis_label(row.basis) == "表格同行"


def test_aligned_columns_give_the_same_rows_as_a_pipe_table():
    m = _metrics(ALIGNED)
    assert len(m) == 6
    plan, done, rate = (_cell(m, "20"), _cell(m, "24"), _cell(m, "120"))
    assert (plan.value, plan.unit, plan.kind, plan.indicator) == (20, "次", "plan", "防火宣传")
    assert (done.value, done.kind, done.category) == (24, "actual", "fire_prevention")
    assert (rate.unit, rate.kind) == ("%", "rate")
    c = fa.read_report(text=ALIGNED).completion
    patrol = c[c.indicator == "巡山检查"].iloc[0]
    assert (patrol.actual, patrol.plan, patrol.rate, patrol.consistent) == (285, 300, 0.95, True)


def test_column_subject_joins_the_row_label_when_the_row_alone_is_not_measured():
    m = _metrics(PESTS)
    cured = _cell(m, "1,200")
    assert (cured.value, cured.unit, cured.indicator, cured.category) == (1200, "亩", "松材线虫病防治面积", "pest_control")
    assert _cell(m, "1,250").indicator == "松材线虫病发生面积"
    assert _cell(m, "96%").kind == "rate"


def test_unit_column_and_year_headers():
    r = fa.read_report(text=UNIT_COLUMN)
    m = r.metrics
    assert len(m) == 6 and not (m.raw == "2023").any()
    trees = _cell(m, "52")
    assert (trees.value, trees.unit, trees.unit_written, trees.kind) == (520000, "株", "万株", "actual")
    money = _cell(m, "1500")
    assert (money.value, money.unit, money.kind, money.indicator) == (15_000_000, "元", "plan", "林业投资")
    repair = _cell(m, "2.1")
    assert (repair.value, repair.unit) == (21000, "亩")
    assert set(r.numbers[r.numbers.raw == "2023"].reason) == {"table_header"}
    c = r.completion
    assert sorted(c.indicator) == ["义务植树", "林业投资", "退化林修复"]
    assert c.basis.eq("table row").all()


def test_report_tables_resolve_headers_and_keep_title_and_unit_note():
    r = fa.read_report(text=PIPE)
    (t,) = r.tables
    assert list(t.columns) == ["序号", "指标", "年度计划", "完成", "完成率"]
    assert t.attrs["title"] == "表1 2023年营造林完成情况" and t.attrs["unit_note"] == "（单位：万亩）"
    assert t.loc[1, "完成"] == "XX" and len(t) == 4
    cells = r.table_cells
    one = cells[(cells.row == 2) & (cells.col == 3)].iloc[0]
    assert (one.raw, one.row_label, one.col_label) == ("XX", "森林抚育", "完成")
    assert r.text[one.start:one.end] == "XX"


def test_two_header_rows_with_a_merged_year_cell():
    text = """| 指标 | 2022年 | 2022年 | 2023年 | 2023年 |
| 指标 | 计划(亩) | 完成(亩) | 计划(亩) | 完成(亩) |
| 人工造林 | 5000 | 4800 | 6000 | 6300 |
"""
    r = fa.read_report(text=text)
    m = r.metrics
    assert list(m.kind) == ["plan", "actual", "plan", "actual"]
    assert list(m.value) == [5000, 4800, 6000, 6300]
    assert (m.indicator == "人工造林").all()
    c = r.completion
    assert sorted(zip(c.plan, c.actual)) == [(5000, 4800), (6000, 6300)]


def test_prose_around_a_table_is_still_read():
    text = PIPE.replace("继续抓好森林防火工作。", "计划完成造林1.5万亩。")
    m = _metrics(text)
    prose = m[m.table_id.isna()]
    assert list(prose.raw) == ["1.5万亩"] and prose.iloc[0].kind == "plan"


def test_a_line_of_prose_with_wide_spaces_is_no_table():
    text = "一、森林防火\n全年开展巡护3000人次，  扑救火灾2起。\n二、造林  完成造林500亩。\n"
    r = fa.read_report(text=text)
    assert r.tables == [] and set(r.metrics.raw) == {"3000人次", "2起", "500亩"}



ONE_CELL_PER_LINE = """三、营造林
表3 营造林任务完成情况
序号
项目
单位
计划
完成
1
造林
亩
8000
6500
2
森林抚育
万亩
1.5
1.6
下一步继续推进森林抚育。
"""


def test_a_table_flattened_to_one_cell_per_line_gives_metrics_with_the_unit_column():
    r = fa.read_report(text=ONE_CELL_PER_LINE)
    m = r.metrics
    assert list(zip(m.raw, m.value, m.unit_written, m.kind, m.indicator)) == [
        ("8000", 8000, "亩", "plan", "造林"), ("6500", 6500, "亩", "actual", "造林"),
        ("1.5", 15000, "万亩", "plan", "森林抚育"), ("1.6", 16000, "万亩", "actual", "森林抚育")]
    assert set(r.numbers[r.numbers.reason == "serial"].raw) == {"1", "2"}
    c = r.completion
    assert list(zip(c.indicator, c.plan, c.actual, c.basis)) == [
        ("造林", 8000, 6500, "table row"), ("森林抚育", 15000, 16000, "table row")]
    (t,) = r.tables
    assert t.attrs["title"] == "表3 营造林任务完成情况" and list(t.columns) == ["序号", "项目", "单位", "计划", "完成"]


def test_a_numbered_list_under_a_one_line_header_gives_one_row_per_line():
    text = ("四、森林防火\n序号 项目 单位 计划 完成 完成率\n1 防火宣传 次 20 24 120%\n"
            "2 巡山检查 人次 300 285 95%\n森林防火形势总体平稳。\n")
    r = fa.read_report(text=text)
    m = r.metrics
    assert list(zip(m.raw, m.unit, m.kind, m.indicator)) == [
        ("20", "次", "plan", "防火宣传"), ("24", "次", "actual", "防火宣传"), ("120%", "%", "rate", "防火宣传完成率"),
        ("300", "人次", "plan", "巡山检查"), ("285", "人次", "actual", "巡山检查"), ("95%", "%", "rate", "巡山检查完成率")]
    assert (m.category == "fire_prevention").all()


def test_a_unit_in_the_row_label_is_the_unit_of_that_rows_cells_but_not_of_its_rate():
    text = ("表1 营造林完成情况\n（单位：万亩）\n| 指标 | 计划 | 完成 | 完成率 |\n"
            "| 造林面积(亩) | 500 | 450 | 90 |\n| 义务植树（万株） | 50 | 52 | 104 |\n| 森林抚育 | 1.5 | 1.2 | 80 |\n")
    m = _metrics(text)
    assert list(zip(m.value, m.unit_written, m.indicator)) == [
        (500, "亩", "造林面积"), (450, "亩", "造林面积"), (90, "%", "造林面积完成率"),
        (500000, "万株", "义务植树"), (520000, "万株", "义务植树"), (104, "%", "义务植树完成率"),
        (15000, "万亩", "森林抚育"), (12000, "万亩", "森林抚育"), (80, "%", "森林抚育完成率")]


def test_aligned_rows_place_cells_under_their_columns_and_repeat_a_merged_label():
    text = """表4 造林分类完成情况
类别      项目          计划(亩)    完成(亩)    完成率
造林      人工造林      5000        4500        90%
          封山育林      3000                    —
          合计          8000        4500
"""
    r = fa.read_report(text=text)
    (t,) = r.tables
    assert list(t["类别"]) == ["造林", "造林", "造林"]
    assert list(t["完成(亩)"].fillna("")) == ["4500", "", "4500"] and list(t["完成率"].fillna("")) == ["90%", "—", ""]
    m = r.metrics
    assert list(zip(m.raw, m.kind, m.indicator)) == [
        ("5000", "plan", "人工造林"), ("4500", "actual", "人工造林"), ("90%", "rate", "人工造林完成率"),
        ("3000", "plan", "封山育林"), ("8000", "plan", "造林分类合计"), ("4500", "actual", "造林分类合计")]


def test_a_total_row_with_no_serial_number_keeps_its_serial_cell_empty():
    text = "表2 防火设施\n序号    项目      计划(处)    完成(处)\n1       瞭望台    4           4\n2       检查站    6           5\n        合计      10          9\n"
    (t,) = fa.read_report(text=text).tables
    assert list(t["序号"].fillna("")) == ["1", "2", ""] and list(t["项目"]) == ["瞭望台", "检查站", "合计"]


def test_briefing_markdown_and_word_name_the_table_row_basis_in_chinese():
    from forestry_analysis.present import brief
    r = fa.read_report(text=PIPE)
    frames = {"metrics": r.metrics, "completion": r.completion, "tasks": r.tasks, "quality": r.quality,
              "meta": r.meta_table}
    md = brief.summary_markdown(frames)
    assert "| 配对依据 |" in md and "表格同行" in md and "table row" not in md
    _, _, sections = brief.docx_content(frames)
    header, rows = next(b for b in sections["二、计划完成情况"] if isinstance(b, tuple))
    assert header[-1] == "配对依据" and {row[-1] for row in rows} == {"表格同行"}


def test_all_tables_exports_the_table_cells():
    r = fa.read_report(text=PIPE)
    cells = r.all_tables()["table_cells"]
    assert len(cells) == sum((len(t) + 1) * t.shape[1] for t in r.tables)    # the header row too
    assert (cells.start <= cells.end).all()
    assert set(cells[cells.header].raw) == {"序号", "指标", "年度计划", "完成", "完成率"}


def test_tab_separated_rows_keep_an_empty_cell_in_its_column():
    text = "表5 森林防火\n序号\t项目\t计划(次)\t完成(次)\t完成率\n1\t防火宣传\t20\t24\t120%\n2\t巡山检查\t300\t\t—\n\t合计\t320\t24\t\n"
    r = fa.read_report(text=text)
    m = r.metrics
    assert list(zip(m.raw, m.kind, m.indicator)) == [
        ("20", "plan", "防火宣传"), ("24", "actual", "防火宣传"), ("120%", "rate", "防火宣传完成率"),
        ("300", "plan", "巡山检查"), ("320", "plan", "森林防火合计"), ("24", "actual", "森林防火合计")]
    assert set(r.numbers[r.numbers.reason == "serial"].raw) == {"1", "2"}


def test_weight_and_score_columns_are_not_metrics():
    """A 绩效自评表's 权重 and 分数 columns grade the work; they do not measure it."""
    text = ("绩效自评表\n\n| 指标 | 权重 | 计划(亩) | 完成(亩) | 分数 |\n| 造林 | 20 | 1000 | 900 | 18 |\n"
            "| 森林抚育 | 10 | 500 | 500 | 10 |\n")
    m = fa.read_report(text=text).metrics
    assert sorted(m["value"].astype(float)) == [500.0, 500.0, 900.0, 1000.0]


PER_UNIT = """五、补助资金
| 项目 | 补助标准 | 完成(万亩) |
| 造林补助 | 每亩300 | 1.2 |
| 抚育补助 | 亩均100元 | 0.5 |
| 管护补助 | 人均2000 | 0.3 |
| 护林补助 | 户均500 | 0.2 |
"""


def test_an_amount_per_unit_with_no_unit_of_its_own_is_no_metric():
    r = fa.read_report(text=PER_UNIT)
    cells = r.metrics[r.metrics.table_id.notna()]
    assert set(cells.raw) == {"1.2", "亩均100元", "0.5", "0.3", "0.2"}   # names its unit
    per = r.numbers[r.numbers.raw.isin(["300", "2000", "500"])]
    assert list(per.reason) == ["no_unit"] * 3 and not per.is_metric.any()


INVESTMENT = ("某县林业局2021年工作总结\n表2 林业投资完成情况表\n（单位：亿元）\n"
              "| 序号 | 项目 | 下达任务 | 实际完成 | 占比 |\n| --- | --- | --- | --- | --- |\n"
              "| 1 | 中央林业投资 | 1.5 | 1.2 | 90% |\n| 2 | 地方林业投资 | ** | 0.6 | — |\n"
              "|  | 总计 | 2.5 | 1.8 | 72% |\n")


def test_yi_note_下达_实际_占比_headers_总计_row_and_a_starred_cell():
    r = fa.read_report(text=INVESTMENT)
    m = r.metrics
    plan, done, share = _cell(m, "1.5"), _cell(m, "1.2"), _cell(m, "90%")
    assert (plan.value, plan.unit, plan.unit_written, plan.kind) == (150_000_000, "元", "亿元", "plan")
    assert (done.value, done.kind, share.kind, share.unit) == (120_000_000, "actual", "rate", "%")
    starred = _cell(m, "**")
    assert starred.missing and pd.isna(starred.value) and starred.indicator == "地方林业投资"
    assert "—" not in set(m.raw)
    total_plan, total_done = _cell(m, "2.5"), _cell(m, "1.8")
    assert total_plan.table_total and total_done.table_total
    ids = dict(zip(m.raw, m.metric_id))
    assert list(m.set_index("raw").loc[["1.5", "**"], "part_of"]) == [ids["2.5"]] * 2
    assert list(m.set_index("raw").loc[["1.2", "0.6"], "part_of"]) == [ids["1.8"]] * 2


def test_a_table_rate_that_disagrees_with_its_row_is_flagged():
    r = fa.read_report(text=INVESTMENT)
    central = r.completion[r.completion.indicator == "中央林业投资"].iloc[0]
    assert (central.rate, central.stated_rate, central.consistent) == (pytest.approx(0.8), pytest.approx(0.9), False)
    total = r.completion[r.completion.indicator.str.contains("总计")].iloc[0]
    assert total.consistent and total.rate == pytest.approx(0.72)
    assert (r.quality.code == "rate_mismatch").sum() == 1


def _header_kind(header: str, cell: str = "800") -> str:
    text = (f"某县林业局2021年工作总结\n| 项目 | {header} |\n| --- | --- |\n| 人工造林 | {cell} |\n"
            f"| 封山育林 | 600 |\n")
    m = fa.read_report(text=text).metrics
    return _cell(m, cell).kind


@pytest.mark.parametrize("word", toml("tables.toml")["header"]["plan"])
def test_every_plan_word_in_a_header_makes_its_column_plan(word):
    assert _header_kind(f"{word}(亩)") == "plan"


@pytest.mark.parametrize("word", toml("tables.toml")["header"]["rate"])
def test_every_rate_word_in_a_header_makes_its_column_a_rate_without_a_percent_sign(word):
    assert _header_kind(f"{word}(%)" if word == "率" else word, "95") == "rate"


@pytest.mark.parametrize("word", toml("tables.toml")["header"]["actual"])
def test_an_actual_word_written_after_a_plan_word_makes_the_column_actual(word):
    assert _header_kind(f"年度计划{word}(亩)") == "actual"


def _projects(date_header: str) -> str:
    return ("某县林业局2021年工作总结\n表1 重点工程完成情况\n"
            f"| 项目编号 | 工程名称 | {date_header} | 计划(亩) | 完成(亩) |\n| --- | --- | --- | --- | --- |\n"
            "| 2021003 | 人工造林工程 | 2021.10.15 | 5000 | 4800 |\n| 2021007 | 封山育林工程 | 2021-11-20 | 3000 | 3100 |\n")


@pytest.mark.parametrize("header", ["完成日期", "完成时间", "完成时限", "完成期限", "竣工年月"])
def test_a_date_column_is_no_metric_and_never_the_row_label(header):
    r = fa.read_report(text=_projects(header))
    assert list(zip(r.metrics.raw, r.metrics.indicator)) == [
        ("5000", "人工造林工程"), ("4800", "人工造林工程"), ("3000", "封山育林工程"), ("3100", "封山育林工程")]
    dated = r.numbers[r.numbers.raw.isin(["2021.10", "15", "11", "20"])]
    assert len(dated) == 4 and not dated.is_metric.any() and set(dated.reason) == {"date"}
    assert list(zip(r.completion.indicator, r.completion.plan, r.completion.actual)) == [
        ("人工造林工程", 5000, 4800), ("封山育林工程", 3000, 3100)]
