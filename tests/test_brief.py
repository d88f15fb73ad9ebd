"""The briefing pack: workbook layout, Markdown content and chart files."""
from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from forestry_analysis.present import brief
from forestry_analysis.pipeline import categories
from forestry_analysis.doc import schema

SEED = "seed_banan_2020h1"
F07 = "f07"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _metric(rid, raw, value, unit, indicator, category, kind="actual", approx=False, **extra):
    return {"report_id": rid, "raw": raw, "value": value, "unit": unit, "unit_written": unit,
            "area_mu": value if unit == "亩" else None, "approx": approx, "missing": value is None,
            "kind": kind, "category": category, "indicator": indicator, **extra}


def tables(with_f07: bool = True):
    """Rows as the extractor reports them for the Banan H1 report (and Qingliu's plan)."""
    metrics = [
        _metric(SEED, "39次", 39, "次", "防火专项检查", "fire_prevention"),
        _metric(SEED, "1700余处", 1700, "处", "隐患排查", "fire_prevention", approx=True),
        _metric(SEED, "公里", None, "公里", "防火公路", "fire_prevention"),
        _metric(SEED, "88个", 88, "个", "专业除治队伍", "pest_control", indicator_id="pest_teams"),
        _metric(SEED, "万亩", None, "亩", "除治枯病死松树面积", "pest_control"),
        _metric(SEED, "500部", 500, "部", "诱捕器", "pest_control", indicator_id="pest_traps"),
        _metric(SEED, "16驾次", 16, "驾次", "飞机施药防治", "pest_control"),
        _metric(SEED, "3740万元", 37_400_000, "元", "项目建设资金", "afforestation"),
        _metric(SEED, "万亩", None, "亩", "营造林", "afforestation"),
        _metric(SEED, "19万亩", 190_000, "亩", "营造林", "afforestation", kind="plan"),
        _metric(SEED, "70%", 70, "%", "绿色示范村完成率", "afforestation", kind="rate"),
        _metric(SEED, "346件", 346, "件", "行政审批", "forest_resources"),
        _metric(SEED, "100%", 100, "%", "办结率", "forest_resources", kind="rate"),
    ]
    if with_f07:
        metrics += [
            _metric(F07, "48073亩", 48073, "亩", "防治性采伐改造松林", "pest_control"),
            _metric(F07, "2079亩", 2079, "亩", "化学防治", "pest_control"),
            _metric(F07, "3287套", 3287, "套", "诱捕器", "pest_control", indicator_id="pest_traps"),
        ]
    completion = [
        {"report_id": SEED, "indicator": "营造林", "category": "afforestation", "actual": None,
         "plan": 190_000, "unit": "亩", "rate": None, "stated_rate": None, "consistent": None,
         "basis": "same sentence"},
        {"report_id": SEED, "indicator": "绿色示范村", "category": "afforestation", "actual": 7,
         "plan": 10, "unit": "个", "rate": 0.7, "stated_rate": 0.7, "consistent": True,
         "basis": "plan stated elsewhere in the report"},
        {"report_id": SEED, "indicator": "行政审批办结", "category": "forest_resources",
         "actual": 346, "plan": 400, "unit": "件", "rate": 0.865, "stated_rate": 1.0,
         "consistent": False, "basis": "rate stated"},
    ]
    tasks = [
        {"report_id": SEED, "section": "一、上半年工作开展情况", "subsection": "(三)森林资源保护",
         "item": "二是", "text": "切实抓好森林防火工作。", "status": "done",
         "category": "fire_prevention"},
        {"report_id": SEED, "section": "三、下一步工作计划", "subsection": None, "item": "四是",
         "text": "继续抓好森林火灾防控。", "status": "planned", "category": "fire_prevention"},
        {"report_id": SEED, "section": "三、下一步工作计划", "subsection": None, "item": "二是",
         "text": "=深入推进造林绿化工作。", "status": "planned", "category": "afforestation"},
    ]
    quality = [
        {"report_id": SEED, "severity": "warning", "code": "lost_number",
         "message": "数字缺失: 「万亩」(营造林, 单位 万亩)", "start": 976, "end": 978},
        {"report_id": SEED, "severity": "warning", "code": "lost_number",
         "message": "数字缺失: 「公里」(防火公路, 单位 公里)", "start": 1760, "end": 1762},
        {"report_id": SEED, "severity": "error", "code": "rate_mismatch",
         "message": "行政审批办结: 报告完成率100%与346/400=86.5%不符", "start": None, "end": None},
        {"report_id": SEED, "severity": "info", "code": "incomplete_pair",
         "message": "营造林: 完成数缺失, 无法计算完成率", "start": 976, "end": 978},
    ]
    meta = [
        {"report_id": SEED, "path": f"data/samples/{SEED}.txt",
         "title": "重庆市巴南区林业局2020年上半年工作总结及下半年工作计划", "org": "重庆市巴南区林业局",
         "region": "重庆市巴南区", "year": 2020, "period": "H1", "date": "2020-06-30",
         "report_kind": "both", "warnings": "页眉年份2024与标题年份2020不一致"},
    ]
    if with_f07:
        meta.append({"report_id": F07, "title": "清流县2023年度松材线虫病防控实施方案",
                     "org": "清流县人民政府办公室", "region": "福建省清流县", "year": 2023,
                     "period": "annual", "date": "2022-09-19", "report_kind": "plan"})
    return SimpleNamespace(metrics=schema.frame("metrics", metrics),
                           completion=schema.frame("completion", completion),
                           tasks=schema.frame("tasks", tasks), quality=schema.frame("quality", quality),
                           meta=schema.frame("meta", meta))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = brief.write_brief(tables(), out)
    return out, paths


def test_every_file_is_written(written):
    out, paths = written
    for chart in brief.CHART_TITLES:
        assert paths[f"{chart}.png"].stat().st_size > 0
        assert paths[f"{chart}.svg"].read_text(encoding="utf-8").count("<svg") == 1
    assert set(paths) >= {"briefing.xlsx", "briefing.md"}
    assert all(p.parent == out and p.exists() for p in paths.values())


def test_png_at_200_dpi(written):
    from PIL import Image

    _, paths = written
    with Image.open(paths["fire_prevention.png"]) as im:
        assert im.info["dpi"][0] >= 199.5


def test_workbook_sheets_headers_frozen_widths(written):
    _, paths = written
    wb = load_workbook(paths["briefing.xlsx"])
    assert wb.sheetnames == [brief.SHEETS[t] for t in brief.TABLES]
    for name in brief.TABLES:
        ws = wb[brief.SHEETS[name]]
        header = [c.value for c in ws[1]]
        assert header == [schema.labels(name)[c] for c in schema.columns(name) if c not in brief.HIDDEN_COLUMNS]
        assert "指标编号" not in header      # an English catalogue code
        assert ws.freeze_panes == "A2"
        widths = [ws.column_dimensions[get_column_letter(i + 1)].width for i in range(len(header))]
        assert all(brief.MIN_WIDTH <= w <= brief.MAX_WIDTH for w in widths)
        for label, w in zip(header, widths):       # CJK characters count double
            assert w >= min(brief.MAX_WIDTH, 2 * len(label))
    ws = wb[brief.SHEETS["metrics"]]
    assert ws.max_row == len(tables().metrics) + 1
    cols = {c.value: i + 1 for i, c in enumerate(ws[1])}
    lost = [r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["数字缺失"]).value == "是"]
    assert len(lost) == int(tables().metrics["missing"].sum())
    assert all(ws.cell(r, cols["数值"]).value is None for r in lost)
    # the longest Chinese text sets its column's width (2 per character)
    ind_col = get_column_letter(cols["指标"])
    assert ws.column_dimensions[ind_col].width >= 2 * len("防治性采伐改造松林")

    assert ws.cell(2, cols["类别"]).value == "森林防火" and ws.cell(2, cols["类型"]).value == "完成"

    comp = wb[brief.SHEETS["completion"]]
    ccols = {c.value: i + 1 for i, c in enumerate(comp[1])}
    assert comp.cell(3, ccols["完成率"]).number_format == "0.0%"
    assert comp.cell(2, ccols["完成"]).value is None
    tasks = wb[brief.SHEETS["tasks"]]
    texts = [tasks.cell(r, 5).value for r in range(2, tasks.max_row + 1)]
    assert "=深入推进造林绿化工作。" in texts           # stored as text, not as a formula
    assert tasks.cell(4, 5).data_type == "s"


def test_markdown_mentions_categories_completion_and_quality(written):
    _, paths = written
    md = paths["briefing.md"].read_text(encoding="utf-8")
    t = tables()
    names = categories.labels()
    for cat in set(t.metrics["category"].astype(str)) | set(t.tasks["category"].astype(str)):
        assert f"### {names[cat]}" in md
    assert md.startswith("# 重庆市巴南区、福建省清流县")
    assert "| 防火专项检查 | 完成 | 次 | 39 | 1 | 0 |" in md
    assert "| 防火公路 | 完成 | 公里 | 数据缺失 | 1 | 1 |" in md
    assert "约1,700" in md
    assert f"数字缺失 {int(t.metrics['missing'].sum())} 处" in md
    assert "## 计划完成情况" in md and "| 报告 | 指标 | 完成 | 计划 |" in md
    assert "86.5%" in md and "报告完成率与数字不符 1 项" in md
    assert "## 数据质量" in md
    for message in t.quality["message"]:
        assert message in md
    assert "错误 1 条，警告 2 条，提示 1 条" in md
    assert "页眉年份2024与标题年份2020不一致" in md
    assert "工作事项 2 项（已开展 1 项，计划 1 项）" in md
    for chart in brief.CHART_TITLES:
        assert f"]({chart}.png)" in md


def test_nothing_is_hard_coded(tmp_path):
    t = tables(with_f07=False)
    t.meta = t.meta.assign(region="某省某县", title="某县林业局工作总结")
    md = brief.write_brief(t, tmp_path)["briefing.md"].read_text(encoding="utf-8")
    assert "巴南" not in md and "清流" not in md
    assert "某省某县" in md and "某县林业局工作总结" in md


def test_title_argument(tmp_path):
    md = brief.write_brief(tables(), tmp_path, title="林业工作简报(测试)")["briefing.md"]
    assert md.read_text(encoding="utf-8").startswith("# 林业工作简报(测试)\n")


def test_corpus_tables_with_meta_columns(tmp_path):
    t = tables()
    extra = t.meta[["report_id", "org", "region", "year", "period"]]
    t.metrics = t.metrics.merge(extra, on="report_id", how="left")
    paths = brief.write_brief(t, tmp_path)
    ws = load_workbook(paths["briefing.xlsx"])[brief.SHEETS["metrics"]]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["报告", "单位(报告)", "地区", "年度", "期间"]
    assert len(header) == len(set(header))


def test_report_like_object_with_meta_dict(tmp_path):
    t = tables(with_f07=False)
    report = SimpleNamespace(metrics=t.metrics, completion=t.completion, tasks=t.tasks,
                             quality=t.quality, meta={"title": "x"}, meta_table=t.meta)
    md = brief.write_brief(report, tmp_path)["briefing.md"].read_text(encoding="utf-8")
    assert "重庆市巴南区 2020年上半年" in md


def test_empty_tables(tmp_path):
    empty = SimpleNamespace(**{name: schema.frame(name) for name in brief.TABLES})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = brief.write_brief(empty, tmp_path)
    md = paths["briefing.md"].read_text(encoding="utf-8")
    assert "（无数据）" in md and "未发现数据质量问题" in md and "## 图表" not in md
    wb = load_workbook(paths["briefing.xlsx"])
    assert all(wb[s].max_row == 1 and wb[s].freeze_panes == "A2" for s in wb.sheetnames)


def test_real_report_end_to_end(tmp_path):
    import forestry_analysis as fa

    report = fa.read_report(SAMPLES / f"{SEED}.txt")
    paths = brief.write_brief(report, tmp_path)
    md = paths["briefing.md"].read_text(encoding="utf-8")
    assert "森林防火" in md and "数据缺失" in md
    assert load_workbook(paths["briefing.xlsx"]).sheetnames == list(brief.SHEETS.values())


def test_key_figures_never_add_one_indicator_across_reports():
    import forestry_analysis as fa
    texts = {"county_2020": "某县林业局2020年工作总结\n全年完成人工造林5000亩。\n",
             "city_2021": "某市林业局2021年工作总结\n全年完成人工造林8000亩，其中新造3000亩。\n"}
    metrics = pd.concat([fa.read_report(text=t, report_id=rid).metrics for rid, t in texts.items()])
    figures = brief.key_figures(metrics)
    planted = figures[figures["indicator"] == "营造林面积"]   # the catalogue name of 人工造林
    assert sorted(zip(planted["report_id"], planted["total"])) == [("city_2021", 8000.0), ("county_2020", 5000.0)]
