"""A briefing pack from the package's tables: charts, an Excel workbook and a Markdown summary.

``write_brief(tables, out_dir)`` takes anything with ``metrics``, ``completion``, ``tasks``,
``quality`` and ``meta`` frames (one report or a corpus) and writes what an analyst hands on:
PNG + SVG charts, ``briefing.xlsx`` (Chinese headers, frozen header row, fitted widths) and
``briefing.md`` (key figures per work category, completion table, data-quality findings).
Every sentence is computed from the tables.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from forestry_analysis.present import labels as zh, plots
from forestry_analysis.present.plots import UNNAMED
from forestry_analysis.doc import schema

TABLES = ["metrics", "completion", "tasks", "quality", "meta"]
SHEETS = {"metrics": "指标", "completion": "完成情况", "tasks": "工作事项", "quality": "数据质量",
          "meta": "报告信息"}
CHART_TITLES = {"completion_rates": "计划完成情况", "fire_prevention": "森林防火",
                "pest_control": "林业有害生物防治"}
SEVERITY_LABELS = zh.labels("severity")
KIND_LABELS = zh.labels("kind")
STATUS_LABELS = zh.labels("status")
PERCENT_COLUMNS = {"completion": {"rate", "stated_rate"}}
MAX_WIDTH = 50
MIN_WIDTH = 6
MAX_FINDINGS = 40


def write_brief(tables, out_dir, title: str | None = None) -> dict[str, Path]:
    """Write charts (PNG ≥200 dpi + SVG), ``briefing.xlsx`` and ``briefing.md`` into ``out_dir``.

    Returns ``{file name: path}`` for every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {name: _table(tables, name) for name in TABLES}
    metrics, completion, meta = frames["metrics"], frames["completion"], frames["meta"]
    figures = {
        "completion_rates": plots.completion_rates(completion, meta),
        "fire_prevention": plots.fire_prevention(metrics, meta),
        "pest_control": plots.pest_control(metrics, completion, meta),
    }
    paths: dict[str, Path] = {}
    for name, fig in figures.items():
        for path in plots.save(fig, out, name):
            paths[path.name] = path
    paths["briefing.xlsx"] = write_workbook(frames, out / "briefing.xlsx")
    charted = [name for name, fig in figures.items() if _has_data(fig)]
    md = out / "briefing.md"
    md.write_text(summary_markdown(frames, title=title, charts=charted), encoding="utf-8")
    paths["briefing.md"] = md
    from forestry_analysis.present.brief_docx import write_docx
    heading, scope_line, sections = docx_content(frames, title)
    paths["briefing.docx"] = write_docx(out / "briefing.docx", heading, scope_line, sections,
                                        {c: out / f"{c}.png" for c in charted})
    return paths


SUBHEADINGS = "一二三四五六七八九十"


def docx_content(frames: dict[str, pd.DataFrame], title: str | None = None):
    """(title, scope line, {section heading: blocks}) of the Word briefing, from the same
    builders as the Markdown one."""
    metrics, completion, tasks, quality, meta = (frames.get(n) if frames.get(n) is not None else schema.frame(n)
                                                 for n in ("metrics", "completion", "tasks", "quality", "meta"))
    m = plots.meta_table(meta, metrics, completion, tasks, quality)
    ids = list(m.index)
    scope = plots.scope_label(m, ids)
    files = "、".join(dict.fromkeys(Path(str(p)).name for p in meta["path"].dropna())) if "path" in meta else ""
    scope_line = f"（共 {len(ids)} 份报告" + (f"；来源文件：{files}" if files else "") + "）"
    figures = key_figures(metrics)
    task_cats = _str_col(tasks, "category").fillna("other") if len(tasks) else pd.Series(dtype=object)
    cat_names = zh.labels("category")
    main: list = [f"提取指标 {len(metrics)} 条（数字缺失 {int(_lost(metrics).sum())} 条），完成情况 {len(completion)} 条，"
                  f"工作事项 {len(tasks)} 条，数据质量问题 {len(quality)} 条。"]
    others = [c for c in schema.CATEGORIES if c not in ("fire_prevention", "pest_control")
              and c in set(figures["category"]) | set(task_cats)]
    for i, cat in enumerate(others):
        main.append(f"（{SUBHEADINGS[i % 10]}）{cat_names.get(cat, cat)}")
        main += category_blocks(figures, tasks, task_cats, cat, m)
    done = completion_blocks(completion, m) if len(completion) else ["报告中未找到完成数与计划数的配对。"]
    findings = [re.sub(r"，位置 \d+–\d+", "", line[2:])
                for line in _quality_lines(quality, metrics, m, meta) if line.startswith("- ")]
    if len(findings) > DOCX_ROWS:
        findings = findings[:DOCX_ROWS] + [f"另有 {len(findings) - DOCX_ROWS} 条，见 briefing.xlsx 的“{SHEETS['quality']}”表。"]
    sections = {"一、主要数据": main, "二、计划完成情况": list(done),
                "三、森林防火": category_blocks(figures, tasks, task_cats, "fire_prevention", m),
                "四、林业有害生物防治": category_blocks(figures, tasks, task_cats, "pest_control", m),
                "五、数据质量": findings or ["未发现数据质量问题。"]}
    sections = {k: [_shorten(b) for b in v] for k, v in sections.items()}
    return title or (scope + " 林业工作简报").strip(), scope_line, sections


DOCX_ROWS = 12   # rows of a Word table or findings listed; the rest are in briefing.xlsx


def _shorten(block):
    """A Word table cut to ``DOCX_ROWS`` rows, with a last row saying how many are in the workbook."""
    if isinstance(block, str) or len(block[1]) <= DOCX_ROWS:
        return block
    header, rows = block
    more = [f"另有 {len(rows) - DOCX_ROWS} 项，见 briefing.xlsx"] + [None] * (len(header) - 1)
    return header, rows[:DOCX_ROWS] + [more]


def _table(tables, name: str) -> pd.DataFrame:
    """A table by name from an object (Report, Corpus, namespace) or a mapping.

    ``Report.meta`` is a dict, its frame is ``meta_table``; both spellings are accepted.
    """
    get = tables.get if isinstance(tables, Mapping) else (lambda k: getattr(tables, k, None))
    df = get(name)
    if name == "meta" and not isinstance(df, pd.DataFrame):
        df = get("meta_table")
    return df if isinstance(df, pd.DataFrame) else schema.frame(name)


def _has_data(fig) -> bool:
    return not any(t.get_gid() == "no-data" for ax in fig.axes for t in ax.texts)


# ---------------------------------------------------------------- Excel

def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# English catalogue codes, left out of the workbook: the 指标名称 column says the same in Chinese.
HIDDEN_COLUMNS = {"indicator_id"}


def _headers(name: str, df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Columns in sheet order (schema first, extra corpus columns after report_id) and labels;
    ``HIDDEN_COLUMNS`` left out."""
    own = {c: v for c, v in schema.labels(name).items() if c not in HIDDEN_COLUMNS}
    extra_labels = schema.labels("meta")
    cols = [c for c in own if c in df]
    extras = [c for c in df if c not in own and c not in HIDDEN_COLUMNS]
    if extras and cols and cols[0] == "report_id":
        cols = cols[:1] + extras + cols[1:]
    else:
        cols += extras
    used = set(own.values())
    labels = []
    for c in cols:
        label = own.get(c) or extra_labels.get(c) or str(c)
        if c not in own and label in used:
            label = f"{label}(报告)"
        labels.append(label)
    return cols, labels


def _cell_value(v):
    if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, (int, float)):
        return v
    return ILLEGAL_CHARACTERS_RE.sub("", str(v))


def _shown(v, percent: bool) -> str:
    if v is None:
        return ""
    if percent and isinstance(v, (int, float)):
        return f"{v * 100:.1f}%"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _value_labels() -> dict[str, dict[str, str]]:
    """Coded columns shown in Chinese in the workbook: category, kind, status, severity,
    completion basis, quality code, period, report kind and rate type."""
    return {"category": zh.labels("category"), "kind": KIND_LABELS, "status": STATUS_LABELS,
            "severity": SEVERITY_LABELS, "basis": zh.labels("basis"), "code": zh.labels("quality_code"),
            "report_kind": zh.labels("report_kind"), "rate_type": zh.labels("rate_type")}


def write_workbook(frames: dict[str, pd.DataFrame], path) -> Path:
    """One sheet per table with Chinese headers, a frozen header row, filters and fitted widths.

    Coded values (category, kind, status, severity) are written as their Chinese labels.
    """
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    for name in TABLES:
        df = frames.get(name)
        if df is None:
            df = schema.frame(name)
        ws = wb.create_sheet(SHEETS[name])
        cols, labels = _headers(name, df)
        percent = PERCENT_COLUMNS.get(name, set())
        codes = _value_labels()
        widths = [_display_width(label) for label in labels]
        ws.append(labels)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center")
        for r, row in enumerate(df[cols].itertuples(index=False, name=None), start=2):
            for c, raw in enumerate(row, start=1):
                value = _cell_value(raw)
                if cols[c - 1] in codes and isinstance(value, str):
                    value = codes[cols[c - 1]].get(value, value)
                elif cols[c - 1] == "period" and isinstance(value, str):
                    value = zh.period(value)
                elif cols[c - 1] == "path" and isinstance(value, str):
                    value = Path(value).name   # a file name, never an absolute path
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
                if cols[c - 1] in percent and value is not None:
                    cell.number_format = "0.0%"
                if r <= 2001:
                    widths[c - 1] = max(widths[c - 1],
                                        _display_width(_shown(value, cols[c - 1] in percent)))
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, max(MIN_WIDTH, w + 2))
        ws.freeze_panes = "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(df) + 1)}"
    out = Path(path)
    wb.save(out)
    return out


# ---------------------------------------------------------------- Markdown

def _md(v) -> str:
    if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
        return "—"
    return str(v).replace("|", "\\|").replace("\n", " ").strip() or "—"


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _known(v) -> bool:
    return v is not None and not (pd.api.types.is_scalar(v) and pd.isna(v))


def _str_col(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].astype(object).where(df[col].notna(), None) if col in df else \
        pd.Series([None] * len(df), index=df.index, dtype=object)


def key_figures(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per report, category, indicator, kind and unit: the sum an analyst can quote
    (``fa.summarize``: parts, restatements and rates left out, units converted within their
    family), with mentions and lost numbers; rates listed, never added. Never summed across
    reports (other places or periods)."""
    from forestry_analysis.pipeline.quantities.metrics import catalogue_labels
    from forestry_analysis.pipeline.summary import summarize
    cols = ["report_id", "category", "indicator", "kind", "unit", "total", "mentions", "lost", "approx", "values"]
    if metrics is None or metrics.empty:
        return pd.DataFrame(columns=cols)
    names = catalogue_labels()
    m = metrics.assign(category=metrics["category"].astype(object).fillna("other"),
                       report_id=metrics["report_id"].astype(object).fillna(""))
    key = m["indicator_id"].astype(object).where(m["indicator_id"].notna(), m["indicator"].astype(object))
    known_approx = m["approx"].fillna(False).astype(bool) & m["value"].notna() & m["part_of"].isna() & \
        m["restates"].isna()
    approx = set(zip(m["report_id"][known_approx], m["category"][known_approx], key[known_approx],
                     m["kind"].astype(object)[known_approx]))
    rows = []
    for r in summarize(m, by=("report_id", "category")).itertuples(index=False):
        total = None if pd.isna(r.value) else float(r.value)
        indicator = names.get(r.indicator, r.indicator) if _known(r.indicator) else UNNAMED
        rows.append({"report_id": r.report_id, "category": r.category, "indicator": indicator,
                     "kind": r.kind, "unit": r.unit if _known(r.unit) else "", "total": total,
                     "mentions": int(r.mentions), "lost": int(r.missing),
                     "approx": (r.report_id, r.category, r.indicator, r.kind) in approx, "values": []})
    rates = m[m["kind"].astype(object) == "rate"]
    for (rid, cat, ind, unit), g in rates.groupby(["report_id", "category", rates["indicator"].astype(object)
                                                   .fillna(UNNAMED), rates["unit"].astype(object).fillna("")],
                                                  sort=False):
        lost = g["missing"].fillna(False).astype(bool) | g["value"].isna()
        known = [float(v) for v in g.loc[~lost, "value"]]
        rows.append({"report_id": rid, "category": cat, "indicator": ind, "kind": "rate", "unit": unit,
                     "total": known[0] if known else None, "mentions": len(g), "lost": int(lost.sum()),
                     "approx": False, "values": known})
    return pd.DataFrame(rows, columns=cols)


def _figure_text(row) -> str:
    if row["total"] is None or (isinstance(row["total"], float) and pd.isna(row["total"])):
        return plots.MISSING
    if row["kind"] == "rate":
        return "、".join(plots.fmt_number(v) + row["unit"] for v in row["values"][:4]) + \
            (" 等" if len(row["values"]) > 4 else "")
    return plots.fmt_number(row["total"], row["approx"])


def _fmt_amount(v) -> str:
    return plots.fmt_number(float(v)) if _known(v) else plots.MISSING


def summary_markdown(frames: dict[str, pd.DataFrame], title: str | None = None,
                     charts=()) -> str:
    """The Markdown briefing: reports, key figures per category, completion, data quality."""
    metrics = frames.get("metrics")
    completion = frames.get("completion")
    tasks = frames.get("tasks")
    quality = frames.get("quality")
    meta = frames.get("meta")
    metrics = schema.frame("metrics") if metrics is None else metrics
    completion = schema.frame("completion") if completion is None else completion
    tasks = schema.frame("tasks") if tasks is None else tasks
    quality = schema.frame("quality") if quality is None else quality
    m = plots.meta_table(meta, metrics, completion, tasks, quality)
    ids = list(m.index)
    scope = plots.scope_label(m, ids)
    cat_names = zh.labels("category")
    lines = [f"# {title or (scope + ' 林业工作简报').strip()}", ""]
    lines += [f"范围：{scope or '未注明'}；共 {len(ids)} 份报告，提取指标 {len(metrics)} 条"
              f"（数字缺失 {int(_lost(metrics).sum())} 条），完成情况 {len(completion)} 条，"
              f"工作事项 {len(tasks)} 条，数据质量问题 {len(quality)} 条。", ""]

    dates = {} if meta is None or "date" not in meta else \
        dict(zip(meta["report_id"].astype(str), meta["date"]))
    lines += ["## 报告", ""]
    lines += _md_table(["文件", "标题", "地区", "年度与期间", "日期"], [
        [plots.file_name(m, rid), m.at[rid, "title"], m.at[rid, "region"],
         plots.period_label(m.at[rid, "year"], m.at[rid, "period"]) or None, dates.get(rid)]
        for rid in ids]) if ids else ["（无报告）", ""]

    lines += ["## 关键数字（按工作类别）", ""]
    figures = key_figures(metrics)
    task_cats = _str_col(tasks, "category").fillna("other") if len(tasks) else pd.Series(dtype=object)
    comp_cats = _str_col(completion, "category").fillna("other") if len(completion) else \
        pd.Series(dtype=object)
    present = [c for c in schema.CATEGORIES
               if c in set(figures["category"]) | set(task_cats) | set(comp_cats)]
    if not present:
        lines += ["（无数据）", ""]
    for cat in present:
        lines += [f"### {cat_names.get(cat, cat)}", ""]
        for block in category_blocks(figures, tasks, task_cats, cat, m):
            lines += _md_table(*block) if isinstance(block, tuple) else [block, ""]

    lines += ["## 计划完成情况", ""]
    if len(completion):
        lines += _completion_lines(completion, m)
    else:
        lines += ["（报告中未找到完成数与计划数的配对）", ""]

    lines += ["## 数据质量", ""]
    lines += _quality_lines(quality, metrics, m, meta)

    if charts:
        lines += ["## 图表", ""]
        lines += [f"![{CHART_TITLES.get(c, c)}]({c}.png)" for c in charts] + [""]
    return "\n".join(lines).rstrip() + "\n"


def key_table(part: pd.DataFrame, m: pd.DataFrame) -> tuple[list[str], list[list]]:
    """The key-figures rows of one category: one row per report and indicator (a 报告 column
    when there are several reports); a rate lists its values, it is never added up."""
    names = plots.report_labels(m, list(m.index))
    multi = part["report_id"].nunique() > 1
    header = (["报告"] if multi else []) + ["指标", "类型", "单位", "数值", "提及", "数字缺失"]
    rows = [([names.get(r["report_id"], r["report_id"])] if multi else []) +
            [r["indicator"], KIND_LABELS.get(r["kind"], r["kind"]), r["unit"] or None,
             _figure_text(r), r["mentions"], r["lost"]] for _, r in part.iterrows()]
    return header, rows


def category_blocks(figures: pd.DataFrame, tasks: pd.DataFrame, task_cats: pd.Series, cat: str,
                    m: pd.DataFrame) -> list:
    """What the briefing says of one work category: a sentence, the key-figures table and the
    count of work items (``str`` paragraphs and ``(header, rows)`` tables)."""
    blocks: list = []
    part = figures[figures["category"] == cat]
    if len(part):
        lost = int(part["lost"].sum())
        blocks.append(f"指标 {len(part)} 项、提及 {int(part['mentions'].sum())} 处，其中数字缺失 {lost} 处。")
        blocks.append(key_table(part, m))
    if len(tasks):
        t = tasks[task_cats == cat]
        if len(t):
            status = _str_col(t, "status").fillna("")
            counts = "，".join(f"{STATUS_LABELS.get(s, s or '未注明')} {n} 项"
                              for s, n in status.value_counts().items())
            blocks.append(f"工作事项 {len(t)} 项（{counts}）。")
    return blocks


def _lost(metrics: pd.DataFrame) -> pd.Series:
    if metrics is None or metrics.empty:
        return pd.Series(dtype=bool)
    return metrics["missing"].fillna(False).astype(bool) | metrics["value"].isna()


def _completion_lines(completion: pd.DataFrame, m: pd.DataFrame) -> list[str]:
    head, table = completion_blocks(completion, m)
    return [head, ""] + _md_table(*table)


def completion_blocks(completion: pd.DataFrame, m: pd.DataFrame):
    """A sentence counting the pairs, and the completion table (header, rows)."""
    names = plots.report_labels(m, list(m.index))
    rows, lost, bad = [], 0, 0
    for r in completion.itertuples(index=False):
        rid = str(r.report_id)
        missing = not _known(r.actual) or not _known(r.plan)
        lost += missing
        rate = plots.MISSING if missing else (
            plots.fmt_rate(float(r.rate)) if _known(r.rate) else
            plots.fmt_rate(r.actual / r.plan) if r.plan else "—")
        consistent = "—" if not _known(r.consistent) else ("是" if r.consistent else "否")
        bad += consistent == "否"
        rows.append([names.get(rid, rid), r.indicator, _fmt_amount(r.actual), _fmt_amount(r.plan),
                     r.unit,
                     rate, plots.fmt_rate(float(r.stated_rate)) if _known(r.stated_rate) else None,
                     consistent, zh.display("basis", getattr(r, "basis", None))])
    head = f"共 {len(completion)} 项；完成数或计划数缺失 {lost} 项；报告完成率与数字不符 {bad} 项。"
    return head, (["报告", "指标", "完成", "计划", "单位", "完成率", "报告完成率", "一致", "配对依据"], rows)


def _quality_lines(quality: pd.DataFrame, metrics: pd.DataFrame, m: pd.DataFrame, meta) -> list[str]:
    names = plots.report_labels(m, list(m.index))
    lines = []
    lost = _lost(metrics)
    if len(lost):
        lines += [f"- 指标中数字缺失 {int(lost.sum())} 处（共 {len(lost)} 处提及），"
                  "图表中以“数据缺失”标出，未按零计。"]
    if len(quality):
        sev = _str_col(quality, "severity").fillna("info")
        counts = "，".join(f"{SEVERITY_LABELS.get(s, s)} {int((sev == s).sum())} 条"
                          for s in ["error", "warning", "info"] if (sev == s).any())
        lines += [f"- 质量检查发现 {len(quality)} 条问题：{counts}。"]
    if meta is not None and "warnings" in meta:
        reported = " ".join(str(x) for x in quality["message"].dropna()) if len(quality) else ""
        for rid, w in zip(meta["report_id"], meta["warnings"]):
            parts = [p.strip() for p in str(w).split(";") if p.strip() and p.strip() not in reported] \
                if _known(w) else []
            if parts:
                lines += [f"- 报告 {names.get(str(rid), rid)} 元数据提示：{_md('；'.join(parts))}"]
    if not lines:
        return ["未发现数据质量问题。", ""]
    lines.append("")
    if len(quality):
        code = _str_col(quality, "code").fillna("")
        sev = _str_col(quality, "severity").fillna("info")
        summary = pd.DataFrame({"severity": sev, "code": code}).value_counts(sort=False)
        order = {s: i for i, s in enumerate(["error", "warning", "info"])}
        items = sorted(summary.items(), key=lambda kv: (order.get(kv[0][0], 9), -kv[1]))
        lines += _md_table(["严重程度", "问题", "条数"],
                           [[SEVERITY_LABELS.get(s, s), zh.display("quality_code", c), n]
                            for (s, c), n in items])
        lines += ["### 问题明细", ""]
        ranked = quality.assign(_order=sev.map(lambda s: order.get(s, 9))).sort_values(
            "_order", kind="stable")
        for r in ranked.head(MAX_FINDINGS).itertuples(index=False):
            where = f"，位置 {r.start}–{r.end}" if _known(r.start) and _known(r.end) else ""
            s = str(r.severity) if _known(r.severity) else "info"
            lines.append(f"- 【{SEVERITY_LABELS.get(s, s)}】{_md(r.message)}"
                         f"（{_md(zh.display('quality_code', r.code))}；报告 {_md(names.get(str(r.report_id), r.report_id))}{where}）")
        if len(quality) > MAX_FINDINGS:
            lines.append(f"- 另有 {len(quality) - MAX_FINDINGS} 条，见 briefing.xlsx 的“{SHEETS['quality']}”表。")
        lines.append("")
    return lines
