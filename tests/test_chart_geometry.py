"""What the charts draw, read back from the matplotlib artists: each bar is as long as the
value of its row in the chart's companion table (``*_data``), and those values are what the
text states (a part never added to its total, unlike units never summed, coverage = treated
÷ occurring); a lost number is a label and never a bar. Rows are written by hand from
sentences, or read from a report text, so the expected lengths come from the text."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.present import plots
from forestry_analysis.doc import schema

RID = "county_2021"
META = schema.frame("meta", [{"report_id": RID, "title": "某县林业局2021年工作总结", "org": "某县林业局",
                              "region": "某省某县", "year": 2021, "period": "annual",
                              "report_kind": "summary"}])


def _metric(raw, value, unit, indicator, category, kind="actual", area_mu=None, missing=False):
    return dict(report_id=RID, start=0, end=len(raw), raw=raw, value=value, unit=unit, unit_written=unit,
                area_mu=area_mu, approx=False, missing=missing, kind=kind, category=category,
                indicator=indicator)


def _value_bars(fig) -> dict[str, float]:
    """y tick label (the indicator as drawn) → right end of its value bar."""
    out = {}
    for ax in fig.axes:
        names = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
        for p in ax.patches:
            if p.get_gid() == "value":
                y = round(p.get_y() + p.get_height() / 2)
                out[names[y]] = p.get_x() + p.get_width()
    return out


def _missing_labels(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "missing-label"]


def test_completion_bars_are_as_long_as_actual_over_plan():
    rows = [dict(report_id=RID, indicator="人工造林", category="afforestation", actual=5000.0, plan=10000.0,
                 unit="亩", rate=0.5, basis="same sentence"),
            dict(report_id=RID, indicator="森林抚育", category="afforestation", actual=3000.0, plan=2000.0,
                 unit="亩", rate=1.5, basis="same sentence")]
    bars = _value_bars(plots.completion_rates(schema.frame("completion", rows), META))
    assert {k.split(" (")[0]: v for k, v in bars.items()} == {"人工造林": pytest.approx(0.5),
                                                              "森林抚育": pytest.approx(1.5)}


def test_completion_lost_actual_is_a_label_not_a_bar():
    rows = [dict(report_id=RID, indicator="人工造林", category="afforestation", actual=None, plan=10000.0,
                 unit="亩", basis="same sentence"),
            dict(report_id=RID, indicator="森林抚育", category="afforestation", actual=3000.0, plan=2000.0,
                 unit="亩", rate=1.5, basis="same sentence")]
    fig = plots.completion_rates(schema.frame("completion", rows), META)
    assert list(_value_bars(fig)) == ["森林抚育 (亩)"]
    assert _missing_labels(fig) == [f"{plots.MISSING}：完成数"]


def _two_reports():
    meta = schema.frame("meta", [
        {"report_id": "a_2020", "title": "某县林业局2020年工作总结", "org": "某县林业局", "region": "某省某县",
         "year": 2020, "period": "annual", "report_kind": "summary"},
        {"report_id": "b_2021", "title": "某县林业局2021年工作总结", "org": "某县林业局", "region": "某省某县",
         "year": 2021, "period": "annual", "report_kind": "summary"}])
    rows = [dict(report_id=rid, indicator=ind, category="afforestation", actual=a, plan=p, unit="亩",
                 rate=a / p, basis="same sentence")
            for rid, ind, a, p in (("b_2021", "人工造林", 900.0, 1000.0), ("b_2021", "森林抚育", 1200.0, 1000.0),
                                   ("a_2020", "人工造林", 500.0, 1000.0), ("a_2020", "森林抚育", 800.0, 1000.0))]
    return schema.frame("completion", rows), meta


def test_completion_rows_are_grouped_by_report_in_time_order_and_sorted_by_rate():
    comp, meta = _two_reports()
    data = plots.completion_rates_data(comp, meta)
    assert list(zip(data["report_id"], data["indicator"])) == [
        ("a_2020", "森林抚育"), ("a_2020", "人工造林"), ("b_2021", "森林抚育"), ("b_2021", "人工造林")]
    ticks = [t.get_text() for t in plots.completion_rates(comp, meta).axes[0].get_yticklabels()]
    assert [t.split("  ")[1] for t in ticks] == ["森林抚育 (亩)", "人工造林 (亩)"] * 2


def test_completion_by_indicator_puts_one_indicators_reports_together():
    comp, meta = _two_reports()
    data = plots.completion_rates_data(comp, meta, by="indicator")
    assert list(zip(data["indicator"], data["report_id"])) == [
        ("森林抚育", "a_2020"), ("森林抚育", "b_2021"), ("人工造林", "a_2020"), ("人工造林", "b_2021")]
    fig = plots.completion_rates(comp, meta, by="indicator")
    bars = [p.get_width() for p in fig.axes[0].patches if p.get_gid() == "value"]
    assert bars == pytest.approx([0.8, 1.2, 0.5, 0.9])
    separators = [line for line in fig.axes[0].lines if line.get_ydata()[0] == line.get_ydata()[-1]
                  and line.get_color() == "0.75"]
    assert [line.get_ydata()[0] for line in separators] == [1.5]


# ------------------------------------------------------------------ fire prevention

FIRE_TEXT = ("某县林业局2021年工作总结\n一、森林防火\n全年开展森林防火专项检查36次，排查火灾隐患200处，其中整改隐患150处。"
             "出动宣传车120台次，举办知识讲座15场次，发放宣传资料3.5万份。设置防火卡点46个，新建防火隔离带25公里，"
             "清理林下可燃物300吨。全年发生森林火灾3起，其中较大火灾1起，受害森林面积12公顷，"
             "森林火灾受害率0.087‰，控制在1‰以内。")


def _fire_report():
    return fa.read_report(text=FIRE_TEXT, report_id=RID)


def _drawn(fig, gid="value") -> dict[tuple[str, int], float]:
    """(panel title, row) → right end of each bar with ``gid``."""
    out = {}
    for ax in fig.axes:
        for p in ax.patches:
            if p.get_gid() == gid:
                out[(ax.get_title() or ax.get_title(loc="left"), round(p.get_y() + p.get_height() / 2))] = \
                    p.get_x() + p.get_width()
    return out


def test_fire_table_counts_a_part_once_and_keeps_unlike_units_apart():
    r = _fire_report()
    data = plots.fire_prevention_data(r.metrics, r.meta).set_index("indicator")
    assert data.loc["hazard", "value"] == 200          # 整改隐患150处 is a part of the 200, not added
    assert data.loc["incidents", "value"] == 3         # 其中较大火灾1起 is a part of the 3
    assert data.loc["publicity", "value"] == 35000     # 份 only: 120台次 and 15场次 are other things
    assert data.loc["publicity", "unit"] == "份"
    assert data.loc["damage_area", "value"] == 180     # 12公顷 in 亩
    assert (data.loc["damage_rate", "value"], data.loc["damage_rate", "target"]) == (0.087, 1.0)
    assert data.loc["damage_rate", "text"] == "0.087‰，目标≤1‰"


def test_fire_bars_are_as_long_as_the_companion_values():
    r = _fire_report()
    data = plots.fire_prevention_data(r.metrics, r.meta)
    fig = plots.fire_prevention(r.metrics, r.meta)
    drawn = _drawn(fig)
    expected = {(f"{x.label}\n({x.unit})", 0): pytest.approx(x.value) for x in data.itertuples()}
    assert drawn == expected
    ticks = [ln.get_xdata()[0] for ax in fig.axes for ln in ax.lines if ln.get_gid() == "target"]
    assert ticks == [1.0]
    labels = {ax.get_title(): [t.get_text() for t in ax.texts] for ax in fig.axes}
    assert labels == {f"{x.label}\n({x.unit})": [x.text] for x in data.itertuples()}
    assert labels["隐患排查整改\n(处)"] == ["200处"] and labels["宣传资料发放\n(份)"] == ["35,000份"]


def test_fire_bars_sum_mentions_of_one_activity_in_one_unit():
    rows = [_metric("防火专项检查39次", 39, "次", "防火专项检查", "fire_prevention"),
            _metric("防火专项检查11次", 11, "次", "防火专项检查", "fire_prevention"),
            _metric("排查火灾隐患120处", 120, "处", "排查火灾隐患", "fire_prevention"),
            _metric("设立防火卡点232个", 232, "个", "设立防火卡点", "fire_prevention")]
    fig = plots.fire_prevention(schema.frame("metrics", rows), META)
    assert _drawn(fig) == {("防火检查\n(次)", 0): pytest.approx(50), ("隐患排查整改\n(处)", 0): pytest.approx(120),
                           ("防火卡点\n(个)", 0): pytest.approx(232)}


def test_fire_lost_number_is_a_label_not_a_bar():
    rows = [_metric("防火专项检查39次", 39, "次", "防火专项检查", "fire_prevention"),
            _metric("防火公路公里", None, "公里", "防火公路", "fire_prevention", missing=True)]
    metrics = schema.frame("metrics", rows)
    data = plots.fire_prevention_data(metrics, META)
    assert list(data["missing"]) == [False, True] and data["value"].isna().tolist() == [False, True]
    fig = plots.fire_prevention(metrics, META)
    assert _drawn(fig) == {("防火检查\n(次)", 0): pytest.approx(39)}
    assert _missing_labels(fig) == [plots.MISSING]


def test_fire_chart_is_a_chinese_slide_with_what_where_when_and_sources():
    r = _fire_report()
    meta = schema.frame("meta", [{**r.meta, "report_id": RID, "path": "/home/某人/报告/某县2021.txt",
                                  "warnings": None}])
    fig = plots.fire_prevention(r.metrics, meta)
    w, h = fig.get_size_inches()
    assert 1.6 <= w / h <= 1.9 and len(fig.axes) <= 12
    assert fig._suptitle.get_text() == "某县 2021年度 森林防火工作"
    source = next(t.get_text() for t in fig.texts if t.get_gid() == "source")
    assert source.startswith("来源：某县2021.txt") and "/" not in source
    texts = [t.get_text() for t in fig.texts] + [ax.get_title() for ax in fig.axes] + \
        [t.get_text() for ax in fig.axes for t in ax.texts + ax.get_yticklabels()]
    assert not [t for t in texts if re.search(r"[A-Za-z]{2,}", re.sub(r"[\w.]+\.txt", "", t))]



def _subtitle(fig) -> str:
    return next(t.get_text() for t in fig.texts if t.get_gid() == "subtitle")


def test_every_chart_has_a_subtitle_with_its_unit_and_each_reports_period():
    comp, meta = _two_reports()
    meta = pd.concat([meta, schema.frame("meta", [{"report_id": "c_2021", "title": "某县林业局2021年上半年工作总结",
                                                   "region": "某省某县", "year": 2021, "period": "H1"}])])
    comp = pd.concat([comp, schema.frame("completion", [dict(report_id="c_2021", indicator="人工造林", actual=1.0,
                                                             plan=2.0, unit="亩", basis="same sentence")])])
    sub = _subtitle(plots.completion_rates(comp, meta))
    assert sub.startswith("完成率（%）") and sub.endswith("统计期：2020年度、2021年上半年、2021年度")
    r = _fire_report()
    assert "单位" in _subtitle(plots.fire_prevention(r.metrics, r.meta_table)) and \
        _subtitle(plots.fire_prevention(r.metrics, r.meta_table)).endswith("统计期：2021年度")
    assert _subtitle(plots.pest_control(r.metrics, None, r.meta_table)).startswith("面积单位：亩")


def test_periods_beyond_four_are_summed_up_from_first_to_last():
    rows = [{"report_id": f"r{y}", "year": y, "period": "annual"} for y in range(2016, 2021)]
    meta = schema.frame("meta", rows + [{"report_id": "undated", "period": "H1"}])
    assert plots.period_line(plots.meta_table(meta, None), list(meta["report_id"])) == "统计期：2016年度至2020年度等6个"


# ------------------------------------------------------------------ pest control

PEST_TEXT = ("某县林业局2021年工作总结\n二、林业有害生物防治\n全年松材线虫病发生面积2.5万亩，完成防治面积2.4万亩，防治率96%。"
             "美国白蛾发生面积3000亩，防治2800亩。完成松毛虫防治1500亩。无公害防治率达92%，监测覆盖率100%，"
             "测报准确率90%，成灾率0.5‰，控制在3‰以内。")


def _pest_report():
    return fa.read_report(text=PEST_TEXT, report_id=RID)


def test_pest_coverage_is_treated_over_occurring_per_pest():
    r = _pest_report()
    data = plots.pest_control_data(r.metrics, r.completion, r.meta)
    cov = data[data["section"] == "防治覆盖"].set_index("pest")
    assert cov.loc["松材线虫病", ["value", "base"]].tolist() == [24000, 25000]
    assert cov.loc["松材线虫病", "rate"] == pytest.approx(0.96)
    assert cov.loc["美国白蛾", "rate"] == pytest.approx(2800 / 3000)
    assert pd.isna(cov.loc["松毛虫", "base"]) and "未给出发生面积" in cov.loc["松毛虫", "text"]
    rates = data[data["section"] == "比率与目标"].set_index("indicator")
    assert rates.loc["harmless", "value"] == 92 and rates.loc["monitoring", "value"] == 100
    assert rates.loc["forecast", "value"] == 90
    assert (rates.loc["disaster", "value"], rates.loc["disaster", "target"], rates.loc["disaster", "unit"]) == \
        (0.5, 3.0, "‰")


def test_pest_bars_are_as_long_as_the_companion_values():
    r = _pest_report()
    data = plots.pest_control_data(r.metrics, r.completion, r.meta)
    fig = plots.pest_control(r.metrics, r.completion, r.meta)
    cov = data[data["section"] == "防治覆盖"].reset_index(drop=True)
    assert _drawn(fig) == {**{("完成情况", i): pytest.approx(v) for i, v in enumerate(cov["value"])},
                           **{(f"{x.label} ({x.unit})", 0): pytest.approx(x.value)
                              for x in data[data["section"] == "比率与目标"].itertuples()}}
    bases = {k: v for k, v in _drawn(fig, "base").items()}
    assert bases == {("完成情况", i): pytest.approx(v) for i, v in enumerate(cov["base"]) if not pd.isna(v)}
    ticks = [ln.get_xdata()[0] for ax in fig.axes for ln in ax.lines if ln.get_gid() == "target"]
    assert ticks == [3.0]


def test_pest_counts_and_unlike_units_are_not_drawn():
    rows = [_metric("除治枯死松树1200株", 1200, "株", "除治枯死松树", "pest_control"),
            _metric("悬挂诱捕器500部", 500, "部", "悬挂诱捕器", "pest_control"),
            _metric("防治面积1.5万亩", 15000, "亩", "防治面积", "pest_control", area_mu=15000),
            _metric("防治面积300亩", 300, "亩", "防治面积", "pest_control", area_mu=300)]
    metrics = schema.frame("metrics", rows)
    data = plots.pest_control_data(metrics, None, META)
    assert data[["indicator", "value", "unit"]].values.tolist() == [["防治面积", 15300, "亩"]]
    assert _drawn(plots.pest_control(metrics, None, META)) == {("完成情况", 0): pytest.approx(15300)}


def test_pest_lost_area_is_a_label_not_a_bar():
    rows = [_metric("防治面积1.5万亩", 15000, "亩", "防治面积", "pest_control", area_mu=15000),
            _metric("飞防面积万亩", None, "亩", "飞机施药防治面积", "pest_control", missing=True)]
    metrics = schema.frame("metrics", rows)
    fig = plots.pest_control(metrics, None, META)
    assert list(_drawn(fig).values()) == [pytest.approx(15000)]
    assert _missing_labels(fig) == [plots.MISSING]


def test_fire_rate_against_its_control_target_is_not_the_rate():
    text = ("某县林业局2021年工作总结\n全县发生森林火灾19起，受害森林面积为123.42公顷，占省下达控制指标的13.1%；"
            "森林受害率为0.087‰，占省下达控制指标的13.1%。")
    r = fa.read_report(text=text, report_id=RID)
    data = plots.fire_prevention_data(r.metrics, r.meta).set_index("indicator")
    assert data.loc["damage_rate", "value"] == pytest.approx(0.087)     # not 13.1% = 131‰
    assert pd.isna(data.loc["damage_rate", "target"])                  # 13.1% of the target is no target
    assert data.loc["damage_area", "value"] == pytest.approx(123.42 * 15)
    assert data.loc["incidents", "text"] == "19起"


def _completion(rate_by_indicator):
    rows = [dict(report_id=RID, indicator=name, category="afforestation", actual=rate * 1000, plan=1000.0,
                 unit="亩", rate=rate, basis="same sentence") for name, rate in rate_by_indicator.items()]
    return plots.completion_rates(schema.frame("completion", rows), META)


def _value_patches(fig):
    return {t.get_text().split(" (")[0]: p for ax in fig.axes
            for t in ax.get_yticklabels() for p in ax.patches
            if p.get_gid() == "value" and round(p.get_y() + p.get_height() / 2) == round(t.get_position()[1])}


def test_completion_bar_is_cut_at_200_percent_and_says_so():
    fig = _completion({"人工造林": 2.5, "森林抚育": 1.99})
    bars = {k.split(" (")[0]: v for k, v in _value_bars(fig).items()}
    assert bars == {"人工造林": pytest.approx(2.0), "森林抚育": pytest.approx(1.99)}
    labels = sorted(t.get_text() for ax in fig.axes for t in ax.texts if "%" in t.get_text())
    assert labels == ["199.0%", "▶ 实际250.0%"]


def test_completion_of_100_percent_is_met_and_just_below_is_behind():
    from matplotlib.colors import to_hex
    patches = _value_patches(_completion({"人工造林": 1.0, "森林抚育": 0.995}))
    assert to_hex(patches["人工造林"].get_facecolor()) == plots.STATUS_COLORS[plots.STATUS_MET]
    assert to_hex(patches["森林抚育"].get_facecolor()) == plots.STATUS_COLORS[plots.STATUS_BEHIND]


def test_completion_bars_are_the_companion_tables_rates_and_a_stated_rate_is_a_dashed_outline():
    comp, meta = _two_reports()
    stated = schema.frame("completion", [dict(report_id="b_2021", indicator="义务植树", actual=None, plan=None,
                                              stated_rate=0.95, unit="株", basis="rate stated")])
    comp = pd.concat([comp, stated], ignore_index=True)
    data = plots.completion_rates_data(comp, meta)
    ax = plots.completion_rates(comp, meta).axes[0]
    drawn = {round(p.get_y() + p.get_height() / 2): (p.get_gid(), p.get_width()) for p in ax.patches
             if p.get_gid() in ("value", "stated")}
    expected = {y: ("stated" if row.source == "报告所述" else "value", row.shown)
                for y, row in enumerate(data.itertuples()) if row.shown == row.shown}
    assert drawn.keys() == expected.keys() and len(drawn) == 5
    for y, (gid, width) in drawn.items():
        assert gid == expected[y][0] and width == pytest.approx(expected[y][1])
    dashed = [p for p in ax.patches if p.get_gid() == "stated"]
    assert len(dashed) == 1 and dashed[0].get_linestyle() == "--" and dashed[0].get_facecolor()[:3] == (1, 1, 1)
