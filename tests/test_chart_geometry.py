"""What the charts draw, read back from the matplotlib artists: each bar's length is the
value the rows state (summed per indicator and report), a lost number is a label and never
a bar. Rows are written by hand from sentences, so the expected lengths come from the text."""
from __future__ import annotations

import pytest

from forestry_analysis import plots, schema

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


def test_fire_bars_are_as_long_as_their_summed_values():
    rows = [_metric("防火专项检查39次", 39, "次", "防火专项检查", "fire_prevention"),
            _metric("防火专项检查11次", 11, "次", "防火专项检查", "fire_prevention"),
            _metric("排查火灾隐患120处", 120, "处", "排查火灾隐患", "fire_prevention"),
            _metric("设立防火卡点232个", 232, "个", "设立防火卡点", "fire_prevention")]
    bars = _value_bars(plots.fire_prevention(schema.frame("metrics", rows), META))
    assert {k.split(" (")[0]: v for k, v in bars.items()} == \
        {"防火专项检查": pytest.approx(50), "排查火灾隐患": pytest.approx(120), "设立防火卡点": pytest.approx(232)}


def test_fire_lost_number_is_a_label_not_a_bar():
    rows = [_metric("防火专项检查39次", 39, "次", "防火专项检查", "fire_prevention"),
            _metric("防火公路公里", None, "公里", "防火公路", "fire_prevention", missing=True)]
    fig = plots.fire_prevention(schema.frame("metrics", rows), META)
    bars = _value_bars(fig)
    assert list(bars) == ["防火专项检查 (次)"] and bars["防火专项检查 (次)"] == pytest.approx(39)
    assert _missing_labels(fig) == [plots.MISSING]


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


def test_pest_bars_are_as_long_as_their_summed_values():
    rows = [_metric("除治枯死松树1200株", 1200, "株", "除治枯死松树", "pest_control"),
            _metric("除治枯死松树300株", 300, "株", "除治枯死松树", "pest_control"),
            _metric("悬挂诱捕器500部", 500, "部", "悬挂诱捕器", "pest_control"),
            _metric("防治面积1.5万亩", 15000, "亩", "防治面积", "pest_control", area_mu=15000)]
    bars = _value_bars(plots.pest_control(schema.frame("metrics", rows), None, META))
    assert {k.split(" (")[0]: v for k, v in bars.items()} == \
        {"除治枯死松树": pytest.approx(1500), "悬挂诱捕器": pytest.approx(500), "防治面积": pytest.approx(15000)}


def test_pest_lost_area_is_a_label_not_a_bar():
    rows = [_metric("悬挂诱捕器500部", 500, "部", "悬挂诱捕器", "pest_control"),
            _metric("防治面积万亩", None, "亩", "防治面积", "pest_control", missing=True)]
    fig = plots.pest_control(schema.frame("metrics", rows), None, META)
    assert {k.split(" (")[0] for k in _value_bars(fig)} == {"悬挂诱捕器"}
    assert _missing_labels(fig) == [plots.MISSING]


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
