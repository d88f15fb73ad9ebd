"""Charts render without font warnings, show lost numbers as 数据缺失 and save PNG + SVG."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from forestry_analysis.present import fonts, plots
from forestry_analysis.doc import schema

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _text(rid: str) -> str:
    path = SAMPLES / f"{rid}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _metric(rid, raw, value, unit, indicator, category, *, kind="actual", approx=False,
            written=None, indicator_id=None, area_mu=None):
    """One metrics row as the extractor reports it; offsets located in the sample text."""
    start = _text(rid).find(raw)
    lost = value is None
    return {
        "report_id": rid, "start": start if start >= 0 else None,
        "end": start + len(raw) if start >= 0 else None, "raw": raw, "value": value,
        "unit": unit, "unit_written": written or unit,
        "area_mu": area_mu if area_mu is not None else (value if unit == "亩" else None),
        "approx": approx, "missing": lost, "kind": kind, "category": category,
        "indicator": indicator, "indicator_id": indicator_id,
    }


SEED, A01, F01, F07 = "seed_banan_2020h1", "a01", "f01", "f07"

META_ROWS = [
    {"report_id": SEED, "path": f"data/samples/{SEED}.txt",
     "title": "重庆市巴南区林业局2020年上半年工作总结及下半年工作计划", "org": "重庆市巴南区林业局",
     "region": "重庆市巴南区", "year": 2020, "period": "H1", "date": "2020-06-30",
     "report_kind": "both", "warnings": "标题年份2024与正文年份2020不一致"},
    {"report_id": A01, "path": "data/samples/a01.txt", "title": None, "org": "铜川市林业局",
     "region": "陕西省铜川市", "year": None, "period": "Q3", "date": None, "report_kind": "summary",
     "warnings": "未找到年份"},
    {"report_id": F01, "path": "data/samples/f01.txt", "title": None, "org": None,
     "region": "陕西省安康市", "year": 2019, "period": "M03", "date": None, "report_kind": "summary",
     "warnings": None},
    {"report_id": F07, "path": "data/samples/f07.txt", "title": "清流县2023年度松材线虫病防控实施方案",
     "org": "清流县人民政府办公室", "region": "福建省清流县", "year": 2023, "period": "annual",
     "date": "2022-09-19", "report_kind": "plan", "warnings": None},
]

METRIC_ROWS = [
    _metric(SEED, "防火专项检查39次", 39, "次", "防火专项检查", "fire_prevention",
            indicator_id="fire_inspections"),
    _metric(SEED, "隐患排查1700余处", 1700, "处", "隐患排查", "fire_prevention", approx=True,
            indicator_id="fire_hazards"),
    _metric(SEED, "集中宣传5次", 5, "次", "集中宣传", "fire_prevention",
            indicator_id="fire_publicity_events"),
    _metric(SEED, "资料10万余份", 100000, "份", "宣传物品和资料", "fire_prevention", approx=True,
            written="万份", indicator_id="fire_publicity_materials"),
    _metric(SEED, "防火卡点232个", 232, "个", "防火卡点", "fire_prevention",
            indicator_id="fire_checkpoints"),
    _metric(SEED, "防火公路公里", None, "公里", "防火公路", "fire_prevention",
            indicator_id="firebreak_length"),
    _metric(SEED, "88个专业除治队伍", 88, "个", "专业除治队伍", "pest_control",
            indicator_id="pest_teams"),
    _metric(SEED, "枯病死松树面积万亩", None, "亩", "除治枯病死松树面积", "pest_control",
            written="万亩", indicator_id="pest_treated_area"),
    _metric(SEED, "死松树万株", None, "株", "除治死松树", "pest_control", written="万株",
            indicator_id="dead_pines_removed"),
    _metric(SEED, "诱捕器500部", 500, "部", "诱捕器", "pest_control", indicator_id="pest_traps"),
    _metric(SEED, "诱捕防治松林面积万亩", None, "亩", "诱捕防治松林面积", "pest_control",
            written="万亩", indicator_id="pest_treated_area"),
    _metric(SEED, "飞机施药防治16驾次", 16, "驾次", "飞机施药防治", "pest_control",
            indicator_id="aerial_sorties"),
    _metric(SEED, "防治面积万亩", None, "亩", "飞机施药防治面积", "pest_control", written="万亩",
            indicator_id="pest_treated_area"),
    _metric(SEED, "落实项目建设资金3740万元", 37_400_000, "元", "项目建设资金", "afforestation",
            written="万元", indicator_id="investment"),
    _metric(SEED, "完成营造林万亩", None, "亩", "营造林", "afforestation", written="万亩",
            indicator_id="afforestation_area"),
    _metric(SEED, "计划任务19万亩", 190_000, "亩", "营造林计划任务", "afforestation", kind="plan",
            written="万亩", indicator_id="afforestation_area"),
    _metric(SEED, "19万亩的%", None, "%", "营造林完成率", "afforestation", kind="rate",
            indicator_id="completion_rate"),
    _metric(SEED, "绿色示范村建设7个", 7, "个", "绿色示范村", "afforestation",
            indicator_id="demonstration_villages"),
    _metric(SEED, "完成义务植树88万余株", 880_000, "株", "义务植树", "afforestation", approx=True,
            written="万株", indicator_id="voluntary_tree_planting"),
    _metric(SEED, "口罩11640个", 11640, "个", "口罩", "epidemic"),
    _metric(SEED, "管护人员288名", 288, "名", "管护人员", "forest_resources",
            indicator_id="ranger_staff"),
    _metric(SEED, "林地征占用71起", 71, "起", "林地征占用", "forest_resources",
            indicator_id="forest_land_use_approvals"),
    _metric(SEED, "生态系统修复整治338亩", 338, "亩", "生态系统修复整治", "ecology",
            indicator_id="ecological_restoration_area"),
    _metric(A01, "完成造林11.4万亩", 114_000, "亩", "造林", "afforestation", written="万亩",
            indicator_id="afforestation_area"),
    _metric(A01, "年计划12万亩", 120_000, "亩", "造林年计划", "afforestation", kind="plan",
            written="万亩", indicator_id="afforestation_area"),
    _metric(A01, "完成育苗1105亩", 1105, "亩", "育苗", "afforestation", indicator_id="seedling_area"),
    _metric(F01, "出动宣传车564车次", 564, "车次", "宣传车", "fire_prevention",
            indicator_id="fire_publicity_events"),
    _metric(F01, "张贴禁火令1.2万余份", 12000, "份", "禁火令", "fire_prevention", approx=True,
            written="万份", indicator_id="fire_publicity_materials"),
    _metric(F01, "宣传资料27.2万份", 272_000, "份", "宣传资料", "fire_prevention", written="万份",
            indicator_id="fire_publicity_materials"),
    _metric(F01, "知识讲座169场次", 169, "场次", "知识讲座", "fire_prevention",
            indicator_id="fire_publicity_events"),
    _metric(F01, "整改隐患点135处", 135, "处", "隐患排查", "fire_prevention",
            indicator_id="fire_hazards"),
    _metric(F01, "清理林下可燃物2046.5吨", 2046.5, "吨", "清理林下可燃物", "fire_prevention",
            indicator_id="fuel_removed"),
    _metric(F01, "开设防火隔离带340.3公里", 340.3, "公里", "防火隔离带", "fire_prevention",
            indicator_id="firebreak_length"),
    _metric(F07, "改造松林48073亩", 48073, "亩", "防治性采伐改造松林", "pest_control",
            indicator_id="pest_treated_area"),
    _metric(F07, "松墨天牛生物防治44738亩", 44738, "亩", "松墨天牛生物防治", "pest_control",
            indicator_id="pest_treated_area"),
    _metric(F07, "化学防治2079亩", 2079, "亩", "化学防治", "pest_control",
            indicator_id="pest_treated_area"),
    _metric(F07, "(含濒死树,下同)15590株", 15590, "株", "清除枯死松树", "pest_control",
            indicator_id="dead_pines_removed"),
    _metric(F07, "诱捕器3287套", 3287, "套", "诱捕器", "pest_control", indicator_id="pest_traps"),
    _metric(F07, "成虫156758只", 156_758, "只", "诱杀松墨天牛成虫", "pest_control",
            indicator_id="pest_insects_trapped"),
]

COMPLETION_ROWS = [
    {"report_id": SEED, "indicator": "营造林", "indicator_id": "afforestation_area",
     "category": "afforestation", "actual": None, "plan": 190_000, "unit": "亩", "rate": None,
     "stated_rate": None, "consistent": None, "basis": "same sentence"},
    {"report_id": SEED, "indicator": "绿色示范村", "indicator_id": "demonstration_villages",
     "category": "afforestation", "actual": 7, "plan": None, "unit": "个", "rate": None,
     "stated_rate": 0.7, "consistent": None, "basis": "rate stated"},
    {"report_id": A01, "indicator": "造林", "indicator_id": "afforestation_area",
     "category": "afforestation", "actual": 114_000, "plan": 120_000, "unit": "亩", "rate": 0.95,
     "stated_rate": 0.95, "consistent": True, "basis": "same sentence"},
    {"report_id": A01, "indicator": "林业固定资产投资", "indicator_id": "investment",
     "category": "other", "actual": 200_000_000, "plan": None, "unit": "元", "rate": None,
     "stated_rate": 1.0, "consistent": None, "basis": "rate stated"},
]


def meta_frame(ids=None):
    rows = [r for r in META_ROWS if ids is None or r["report_id"] in ids]
    return schema.frame("meta", rows)


def metrics_frame(ids=None):
    return schema.frame("metrics", [r for r in METRIC_ROWS if ids is None or r["report_id"] in ids])


def completion_frame(ids=None, mismatch=False):
    rows = [dict(r) for r in COMPLETION_ROWS if ids is None or r["report_id"] in ids]
    if mismatch:
        # A stated rate that disagrees with the numbers: 11.4万 of 12万 is 95%, not 90%.
        rows.append({**COMPLETION_ROWS[2], "report_id": A01, "indicator": "造林(核对)",
                     "stated_rate": 0.90, "consistent": False})
    return schema.frame("completion", rows)


def completion_h1():
    """Half-year completion rows with one computable rate (to show the 时间过半 line)."""
    rows = [dict(r) for r in COMPLETION_ROWS if r["report_id"] == SEED]
    rows.append({**rows[1], "indicator": "绿色示范村(测试)", "plan": 10, "rate": 0.7,
                 "stated_rate": 0.7, "consistent": True, "basis": "plan stated elsewhere in the report"})
    return schema.frame("completion", rows)


# ------------------------------------------------------------------ helpers

def _render(fig: Figure) -> list[warnings.WarningMessage]:
    """Draw to PNG with every warning an error; return what was recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    return list(caught)


def _texts(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels()]
    return out


def _bars(fig: Figure) -> list[Rectangle]:
    return [p for ax in fig.axes for p in ax.patches
            if isinstance(p, Rectangle) and p.get_gid() in ("value", "plan")]


def _legend_texts(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def _missing_count(fig: Figure) -> int:
    return sum(plots.MISSING in t for t in _texts(fig))


def _charts(metrics, completion, meta):
    return {
        "completion": plots.completion_rates(completion, meta),
        "completion_by_indicator": plots.completion_rates(completion, meta, by="indicator"),
        "fire": plots.fire_prevention(metrics, meta),
        "pest": plots.pest_control(metrics, completion, meta),
    }


CASES = {
    "one_report": lambda: (metrics_frame([SEED]), completion_frame([SEED]), meta_frame([SEED])),
    "corpus": lambda: (metrics_frame(), completion_frame(mismatch=True), meta_frame()),
    "no_meta": lambda: (metrics_frame([F07, F01]), completion_frame([A01]), None),
    "empty": lambda: (schema.frame("metrics"), schema.frame("completion"), schema.frame("meta")),
}


# ------------------------------------------------------------------ tests

def test_use_cjk_font_is_idempotent_and_sets_fallback():
    family = fonts.use_cjk_font()
    assert family and family == fonts.use_cjk_font()
    assert matplotlib.rcParams["font.family"] == ["sans-serif", family]
    assert matplotlib.rcParams["font.sans-serif"] == ["DejaVu Sans", family]
    assert Path(fonts.cjk_font_path()).is_file()
    assert "simhei" not in fonts.cjk_font_path().lower()


def test_env_var_pointing_nowhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "nope.otf"))
    with pytest.raises(RuntimeError, match=fonts.ENV_VAR):
        fonts.use_cjk_font()
    monkeypatch.delenv(fonts.ENV_VAR)
    assert fonts.use_cjk_font()


def test_env_var_font_is_used(monkeypatch):
    path = fonts.cjk_font_path()
    monkeypatch.setenv(fonts.ENV_VAR, path)
    assert fonts.use_cjk_font() == matplotlib.font_manager.FontProperties(fname=path).get_name()


@pytest.mark.parametrize("case", list(CASES))
def test_every_chart_renders_without_glyph_warnings(case):
    metrics, completion, meta = CASES[case]()
    for name, fig in _charts(metrics, completion, meta).items():
        assert isinstance(fig, Figure), name
        caught = _render(fig)
        assert not [w for w in caught if "missing from font" in str(w.message)], name
        assert not caught, (name, [str(w.message) for w in caught])


def test_negative_tick_labels_render_with_a_minus_sign():
    fonts.use_cjk_font()
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([-3, -1, 2], [1, 2, 3])
    ax.set_title("负数刻度 −3")
    assert not _render(fig)
    minus = "\u2212" if matplotlib.rcParams["axes.unicode_minus"] else "-"
    assert any(t.get_text().startswith(minus) for t in ax.get_xticklabels())


@pytest.mark.parametrize("case", ["one_report", "corpus", "no_meta"])
def test_lost_values_are_labelled_never_zero_bars(case):
    metrics, completion, meta = CASES[case]()
    charts = _charts(metrics, completion, meta)
    for fig in charts.values():
        assert all(b.get_width() > 0 for b in _bars(fig))
    comp_lost = int((completion["actual"].isna() | completion["plan"].isna()).sum())
    assert _missing_count(charts["completion"]) == comp_lost
    assert _missing_count(charts["completion_by_indicator"]) == comp_lost
    fire = metrics[metrics["category"] == "fire_prevention"]
    assert _missing_count(charts["fire"]) == int(fire["missing"].sum())
    # The pest chart draws areas (treated against occurring), not counts of trees or traps.
    pest = metrics[(metrics["category"] == "pest_control") & (metrics["unit"] == "亩")]
    assert _missing_count(charts["pest"]) == int(pest["missing"].sum())


def test_completion_marks_mismatch_and_half_year():
    fig = plots.completion_rates(completion_frame(mismatch=True), meta_frame())
    _render(fig)
    legend = _legend_texts(fig)
    assert plots.INCONSISTENT in legend
    red = [b for b in _bars(fig) if b.get_linewidth() > 0]
    assert len(red) == 1
    assert "95.0%" in _texts(fig)

    h1 = plots.completion_rates(completion_h1(), meta_frame([SEED]))
    _render(h1)
    legend = _legend_texts(h1)
    assert any("时间过半" in t for t in legend)
    assert any(abs(line.get_xdata()[0] - 0.5) < 1e-9 for line in h1.axes[0].lines)
    assert "70.0%" in _texts(h1)


def test_titles_and_source_name_region_period_and_report_files():
    fig = plots.fire_prevention(metrics_frame([SEED]), meta_frame([SEED]))
    assert fig._suptitle.get_text() == "重庆市巴南区 2020年上半年 森林防火工作"
    source = " ".join(t.get_text() for t in fig.texts)
    assert "来源：seed_banan_2020h1.txt" in source and "data/" not in source
    titles = [ax.get_title() for ax in fig.axes]
    assert "防火检查\n(次)" in titles and "防火卡点\n(个)" in titles


def test_corpus_tables_carry_meta_columns_without_meta_frame():
    meta = meta_frame()
    metrics = metrics_frame().merge(meta[["report_id", "org", "region", "year", "period"]],
                                    on="report_id")
    fig = plots.fire_prevention(metrics)
    _render(fig)
    title = fig._suptitle.get_text()
    assert "重庆市巴南区" in title and "陕西省安康市" in title
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows == ["陕西省安康市 2019年3月", "重庆市巴南区 2020年上半年"]


def test_pest_control_plans_are_drawn_apart_from_actuals():
    extra = [
        _metric(F07, "普查面积60000亩", 60000, "亩", "松材线虫病普查面积", "pest_control",
                indicator_id="pest_survey_area"),
        _metric(F07, "计划防治50000亩", 50000, "亩", "防治性采伐改造松林", "pest_control",
                kind="plan", indicator_id="pest_treated_area"),
    ]
    metrics = schema.frame("metrics", [r for r in METRIC_ROWS if r["report_id"] == F07] + extra)
    data = plots.pest_control_data(metrics, meta=meta_frame([F07]))
    cov = data[data["section"] == "防治覆盖"]
    assert sorted(cov["value"]) == [2079, 44738, 48073, 50000]        # the survey area is no treatment
    assert list(cov.loc[cov["kind"] == "计划", "value"]) == [50000]
    fig = plots.pest_control(metrics, meta=meta_frame([F07]))
    _render(fig)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["完成情况", "计划任务"]
    planned = [p.get_width() for p in fig.axes[1].patches if p.get_gid() == "value"]
    assert planned == [50000]


def test_empty_inputs_say_no_data():
    for fig in _charts(*CASES["empty"]()).values():
        assert plots.NO_DATA in _texts(fig)
    fig = plots.fire_prevention(metrics_frame([F07]), meta_frame([F07]))
    assert plots.NO_DATA in _texts(fig)


def test_bad_by_argument():
    with pytest.raises(ValueError):
        plots.completion_rates(completion_frame(), by="region")


def test_save_writes_png_at_200_dpi_and_svg(tmp_path):
    from PIL import Image

    fig = plots.fire_prevention(metrics_frame([SEED]), meta_frame([SEED]))
    png, svg = plots.save(fig, tmp_path / "out", "fire")
    assert png.suffix == ".png" and svg.suffix == ".svg"
    with Image.open(png) as im:
        assert im.info["dpi"][0] >= 199.5
        assert im.size[0] >= fig.get_figwidth() * 199
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_large_inputs_are_capped_and_say_so():
    rows = [{**COMPLETION_ROWS[2], "report_id": f"r{i:02d}", "indicator": f"造林{i}"}
            for i in range(50)]
    fig = plots.completion_rates(schema.frame("completion", rows), max_rows=40)
    assert len(fig.axes[0].get_yticklabels()) == 40
    assert any("共50项" in t.get_text() for t in fig.texts)
    metrics = schema.frame("metrics", [
        {**METRIC_ROWS[0], "report_id": f"r{i:02d}", "value": 30 + i} for i in range(12)])
    meta = schema.frame("meta", [{"report_id": f"r{i:02d}", "region": "某县", "year": 2010 + i,
                                  "period": "annual"} for i in range(12)])
    fig = plots.fire_prevention(metrics, meta, max_reports=8)
    assert len(_bars(fig)) == 8
    assert any("共12份" in t.get_text() for t in fig.texts)
    rows = " ".join(t.get_text() for t in fig.axes[0].get_yticklabels())
    assert "2021年度" in rows and "2013年度" not in rows
    assert not _render(fig)


def test_charts_leave_the_users_rcparams_untouched(tmp_path):
    metrics, completion, meta = CASES["corpus"]()
    with matplotlib.rc_context({"font.family": ["serif"], "axes.unicode_minus": True}):
        before = dict(matplotlib.rcParams)
        charts = _charts(metrics, completion, meta)
        plots.save(charts["fire"], tmp_path, "fire")
        after = dict(matplotlib.rcParams)
    assert [k for k in before if before[k] != after[k]] == []


def test_charts_show_chinese_when_drawn_under_the_users_own_style():
    import matplotlib.pyplot as plt

    metrics, completion, meta = CASES["corpus"]()
    charts = _charts(metrics, completion, meta)
    with plt.style.context("ggplot"), matplotlib.rc_context({"font.family": ["serif"]}):
        for name, fig in charts.items():
            assert not [str(w.message) for w in _render(fig) if "missing from font" in str(w.message)], name


@pytest.mark.parametrize("case", ["one_report", "corpus"])
def test_every_chart_is_slide_shaped_with_few_panels_and_file_names_as_source(case):
    metrics, completion, meta = CASES[case]()
    for name, fig in _charts(metrics, completion, meta).items():
        w, h = fig.get_size_inches()
        assert 1.6 <= w / h <= 1.9, name
        assert len(fig.axes) <= 12, name
        source = next(t.get_text() for t in fig.texts if t.get_gid() == "source")
        assert source.startswith("来源：") and "/" not in source, name
        assert f"{SEED}.txt" in source, name


def test_companion_tables_are_the_rows_drawn():
    metrics, completion, meta = CASES["corpus"]()
    fire = plots.fire_prevention_data(metrics, meta)
    assert len(_bars(plots.fire_prevention(metrics, meta))) == int(fire["value"].notna().sum())
    pest = plots.pest_control_data(metrics, completion, meta)
    drawn = [p for ax in plots.pest_control(metrics, completion, meta).axes for p in ax.patches
             if p.get_gid() == "value"]
    assert len(drawn) == int(pest["value"].notna().sum())


import forestry_analysis as fa  # noqa: E402
import pandas as pd  # noqa: E402

_PESTS = ["松材线虫病", "松墨天牛", "松褐天牛", "美国白蛾", "云南松毛虫", "松毛虫", "杨树食叶害虫", "杨小舟蛾",
          "红脂大小蠹", "华山松大小蠹", "光肩星天牛", "薇甘菊", "油茶炭疽病", "竹蝗", "林业鼠(兔)害", "鼠害", "兔害"]


@pytest.mark.parametrize("pest", _PESTS)
def test_every_named_pest_gets_its_own_coverage_row(pest):
    """Each pest of charts.toml: its treated area over its occurring area, under its own name."""
    assert set(_PESTS) == set(fa.lexicon.toml("charts.toml")["pest"]["pests"])   # one case per entry
    r = fa.read_report(text=f"某县林业局2023年工作总结\n一、林业有害生物防治\n全年完成{pest}防治面积1200亩，"
                            f"{pest}发生面积1500亩。\n")
    d = fa.plots.pest_control_data(r.metrics, meta=r.meta_table)
    row = d[d["section"] == "防治覆盖"].iloc[0]
    assert (row["pest"], row["value"], row["base"], row["rate"]) == (pest, 1200, 1500, 0.8)


@pytest.mark.parametrize("word", ["疫情面积", "成灾面积"])
def test_an_infested_or_disaster_area_is_the_base_of_a_coverage(word):
    r = fa.read_report(text=f"某县林业局2023年工作总结\n一、林业有害生物防治\n全年完成松毛虫防治面积900亩，"
                            f"松毛虫{word}1000亩。\n")
    d = fa.plots.pest_control_data(r.metrics, meta=r.meta_table)
    row = d[d["section"] == "防治覆盖"].iloc[0]
    assert (row["value"], row["base"]) == (900, 1000)


@pytest.mark.parametrize("sentence", ["成灾率<=3‰。", "成灾率不高于3‰。", "成灾率不大于3‰。", "实现成灾率3‰的指标。"])
def test_target_words_make_a_rate_a_target(sentence):
    r = fa.read_report(text=f"某县林业局2023年工作总结\n一、林业有害生物防治\n全年完成防治面积900亩，{sentence}\n")
    d = fa.plots.pest_control_data(r.metrics, meta=r.meta_table)
    row = d[d["label"] == "成灾率"].iloc[0]
    assert row["target"] == 3 and pd.isna(row["value"])
