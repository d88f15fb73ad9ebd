"""Briefing charts drawn from the package's tables (one report or a whole corpus).

Every function takes schema frames, returns a ``matplotlib.figure.Figure`` (no pyplot state)
and never hides a lost number: a mention whose number was lost is drawn as a hatched
placeholder labelled 数据缺失, never as a zero-length bar. Titles name region and period from
``meta``; a footer names the source reports.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter
from matplotlib.transforms import blended_transform_factory

from forestry_analysis import lexicon
from forestry_analysis.pipeline.quantities.units import units
from forestry_analysis.present import fonts
from forestry_analysis.doc import schema
from forestry_analysis.present import labels as zh
from forestry_analysis.pipeline.categories import labels as category_labels

MISSING = "数据缺失"
INCONSISTENT = "报告完成率与数字不符"
NO_DATA = "无数据"
DPI = 200

AREA_TO_MU = {s: u.to_mu for s, u in units().items() if u.family == "area"}  # lexicon/units.csv
# Units that are not counts of things (kept out of the counts panel).
NOT_COUNTS = {"%", "‰", "元", "天", "年", "月", "日", "小时", "公里", "千米", "米", "吨", "公斤", "千克",
              "斤", "立方米"}
PEST_SURVEY = ("踏查", "普查", "调查", "监测")

CATEGORY_COLORS = zh.category_colours("chart")  # lexicon/colours.toml
REPORT_COLORS = ["#2f6fae", "#e8871e", "#4c9a2a", "#b5477a", "#7b5ea7", "#1b998b", "#8a6d3b",
                 "#c0392b", "#5d6d7e", "#d4ac0d"]
MISSING_EDGE = "#7f7f7f"
ALERT = "#d62728"
PLAN_FILL = "#dcdcdc"
SURVEY_HATCH = "...."

_META_COLS = ["title", "region", "org", "year", "period"]


# ---------------------------------------------------------------- labels and meta

def period_label(year, period) -> str:
    """'2020年上半年' from (2020, 'H1'); months 'M06' → '6月'; unknown parts are left out."""
    y = f"{int(year)}年" if _known(year) else ""
    p = "" if not _known(period) else str(period)
    if p == "annual":
        return f"{y[:-1]}年度" if y else "全年"
    return y + zh.period(p)


def _known(v) -> bool:
    return v is not None and not (pd.api.types.is_scalar(v) and pd.isna(v)) and str(v) != ""


def _period_rank(period) -> float:
    """Time order of periods: by the month each ends (a whole year after the others ending in December)."""
    p = lexicon.period(str(period)) if _known(period) else None
    return 13 if p is None else p.end + (0.5 if p.end - p.start == 12 else 0)


def meta_table(meta, *frames) -> pd.DataFrame:
    """Meta indexed by report_id for every report in ``frames``.

    ``meta`` is the meta frame, a single report's meta dict (``Report.meta``), or None, in which
    case corpus tables' own org/region/year/period columns are used.
    """
    ids: list[str] = []
    for df in frames:
        if df is not None and "report_id" in df:
            ids += [str(r) for r in df["report_id"].dropna().unique() if str(r) not in ids]
    if isinstance(meta, Mapping):
        meta = pd.DataFrame([{**meta, "report_id": meta.get("report_id") or (ids[0] if len(ids) == 1
                                                                             else None)}])
    if meta is not None and len(meta) and "report_id" in meta:
        src = meta
    else:
        parts = [df[["report_id"] + [c for c in _META_COLS if c in df]] for df in frames
                 if df is not None and "report_id" in df and any(c in df for c in _META_COLS)]
        src = pd.concat(parts) if parts else pd.DataFrame(columns=["report_id"])
    src = src.dropna(subset=["report_id"]).drop_duplicates("report_id")
    m = src.assign(report_id=src["report_id"].astype(str)).set_index("report_id")
    for c in _META_COLS:
        if c not in m:
            m[c] = pd.NA
    m = m[_META_COLS].reindex(list(dict.fromkeys(list(m.index) + ids)))
    order = sorted(m.index, key=lambda r: (
        int(m.at[r, "year"]) if _known(m.at[r, "year"]) else 9999,
        _period_rank(m.at[r, "period"]), str(m.at[r, "region"]) if _known(m.at[r, "region"]) else "", r))
    return m.loc[order]


def _report_ids(m: pd.DataFrame, *frames) -> list[str]:
    present = set()
    for df in frames:
        if df is not None and "report_id" in df:
            present |= {str(r) for r in df["report_id"].dropna()}
    return [r for r in m.index if r in present]


def report_labels(m: pd.DataFrame, ids) -> dict[str, str]:
    """Short, unique label per report: region (else a short title, else report_id) and period."""
    out = {}
    for rid in ids:
        row = m.loc[rid]
        title = str(row["title"]) if _known(row["title"]) else ""
        name = str(row["region"]) if _known(row["region"]) else \
            title if title and _width(title) <= 24 else rid
        out[rid] = " ".join(p for p in (name, period_label(row["year"], row["period"])) if p)
    seen: dict[str, int] = {}
    for v in out.values():
        seen[v] = seen.get(v, 0) + 1
    return {rid: (f"{v} [{rid}]" if seen[v] > 1 else v) for rid, v in out.items()}


def scope_label(m: pd.DataFrame, ids) -> str:
    """'重庆市巴南区 2020年上半年', or a summary such as '3个地区 2019年至2023年' for a corpus."""
    if not len(ids):
        return ""
    rows = m.loc[list(ids)]
    regions = list(dict.fromkeys(str(r) for r in rows["region"] if _known(r)))
    region = "、".join(regions) if len(regions) <= 3 else f"{len(regions)}个地区"
    periods = list(dict.fromkeys(period_label(y, p) for y, p in zip(rows["year"], rows["period"])))
    periods = [p for p in periods if p]
    if len(periods) <= 2:
        when = "、".join(periods)
    else:
        years = sorted({int(y) for y in rows["year"] if _known(y)})
        when = (f"{years[0]}年至{years[-1]}年" if len(years) > 1 else f"{years[0]}年" if years else "") \
            + f" ({len(ids)}份报告)"
    return " ".join(p for p in (region, when) if p)


def source_line(m: pd.DataFrame, ids, limit: int = 3) -> str:
    """'来源：<title>；<title> 等N份报告' naming the reports (title, else report_id)."""
    if not len(ids):
        return "来源：无报告"
    names = [str(m.at[r, "title"]) if _known(m.at[r, "title"]) else r for r in ids]
    text = "；".join(names[:limit])
    if len(names) > limit:
        text += f" 等{len(names)}份报告"
    return "来源：" + text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if _width(cur + ch) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return lines + [cur] if cur else lines


def axis_label(text, unit=None, width: int = 26, max_lines: int = 2) -> str:
    """A row label that stays narrow: wrapped at ``width`` (CJK counts 2), cut with '…' after
    ``max_lines`` lines, the unit in parentheses kept at the end."""
    lines = _wrap(str(text) if _known(text) else "未命名指标", width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    if _known(unit) and str(unit):
        lines[-1] += f" ({unit})"
    return "\n".join(lines)


def fmt_number(v: float, approx: bool = False) -> str:
    """1700 → '1,700', 2120000 → '212万', 2e8 → '2亿'; '约' for approximate values."""
    a = abs(v)
    if a >= 1e8:
        s = f"{v / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿"
    elif a >= 1e6:
        s = f"{v / 1e4:,.2f}".rstrip("0").rstrip(".") + "万"
    else:
        s = f"{v:,.2f}".rstrip("0").rstrip(".")
    return ("约" if approx else "") + s


def fmt_tick(v: float, _pos=None) -> str:
    """Axis ticks: 50000 → '5万', 1e6 → '100万', 2e8 → '2亿', 1500 → '1,500'."""
    a = abs(v)
    if a >= 1e8:
        return f"{v / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿"
    if a >= 1e4:
        return f"{v / 1e4:,.2f}".rstrip("0").rstrip(".") + "万"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def fmt_rate(v: float) -> str:
    return f"{v * 100:.1f}%"


# ---------------------------------------------------------------- figure scaffolding

def _styled(chart):
    """Draw ``chart`` inside ``rc_context`` with the CJK font settings, and lay out every tick
    there, so the figure shows Chinese wherever it is later drawn while the user's own
    rcParams (and style) are never changed."""
    @functools.wraps(chart)
    def draw(*args, **kwargs):
        with matplotlib.rc_context(fonts.cjk_rc()):
            fig = chart(*args, **kwargs)
            fig.draw_without_rendering()
        return fig
    return draw


def _figure(width: float, height: float, title: str, source: str, note: str = "") -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained", dpi=100)
    fig.suptitle(title, fontsize=13)
    lines = _wrap(source, int(width * 72 / 4 * 0.92)) + ([note] if note else [])
    fig.text(0.01, 0.008, "\n".join(lines), fontsize=8, color="0.35", ha="left", va="bottom",
             gid="source")
    bottom = (len(lines) * 8 * 1.35 + 8) / 72 / height
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return fig


def _empty(fig: Figure) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=18, color="0.4",
            transform=ax.transAxes, gid="no-data")
    return fig


def _missing_band(ax, y: float, height: float, text: str = MISSING):
    """A lost value: a short boxed 数据缺失 label at the start of the axis, with a grey dash where
    the bar would begin. It has no length, so it is never the biggest bar on the chart."""
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    ax.plot([0, 0.012], [y, y], transform=trans, color=MISSING_EDGE, linewidth=2.5, solid_capstyle="butt",
            gid="missing", clip_on=False)
    ax.text(0.018, y, text, transform=trans, ha="left", va="center", fontsize=9, color="0.25",
            gid="missing-label", bbox=dict(boxstyle="square,pad=0.2", facecolor="#f2f2f2", edgecolor=MISSING_EDGE,
                                           linewidth=0.6))


def _missing_handle():
    return Line2D([], [], color=MISSING_EDGE, linewidth=2.5, label=MISSING)


def _value_label(ax, x: float, y: float, text: str, color="0.15", boxed: bool = False):
    box = dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none",
               alpha=0.85) if boxed else None
    ax.annotate(text, xy=(x, y), xytext=(4, 0), textcoords="offset points", ha="left",
                va="center", fontsize=8.5, color=color, annotation_clip=False, bbox=box)


def _number_axis(ax, log: bool):
    if log:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(fmt_tick))
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# ---------------------------------------------------------------- grouped bars

def _indicator_names(df: pd.DataFrame) -> pd.Series:
    """The report's own words for one report; catalogue labels (comparable) across reports."""
    words = df["indicator"]
    if "indicator_label" in df and df["report_id"].nunique() > 1:
        words = df["indicator_label"].fillna(words)
    return words.fillna("未命名指标")


def _planned(indicator: str, kind) -> str:
    """Indicator label, marked 计划 for plan mentions unless it already says so."""
    return f"{indicator} 计划" if kind == "plan" and "计划" not in str(indicator) else str(indicator)


@dataclass
class _Bar:
    value: float | None
    approx: bool = False
    n_missing: int = 0
    plan: float | None = None
    note: str = ""
    style: str = "value"          # value, plan (a plan with no actual) or survey


@dataclass
class _Group:
    label: str
    bars: dict = field(default_factory=dict)


def _collect(df: pd.DataFrame, value_col: str, key_cols: list[str]) -> dict:
    """Sum known values per key and report; count the lost ones (missing or NA)."""
    out: dict = {}
    for key, g in df.groupby(key_cols + ["report_id"], sort=False, dropna=False, observed=True):
        vals = g[value_col]
        lost = vals.isna() | g["missing"].fillna(False).astype(bool)
        known = vals[~lost]
        out[key] = _Bar(value=float(known.sum()) if len(known) else None,
                        approx=bool(g.loc[~lost, "approx"].fillna(False).any()),
                        n_missing=int(lost.sum()) if len(known) else 0)
    return out


def _draw_groups(ax, groups: list[_Group], ids: list[str], labels: dict, color: str,
                 unit: str = "", log: bool = False):
    """Horizontal bars, one group per indicator, one bar per report; lost values as bands."""
    multi = len(ids) > 1
    colors = {rid: (REPORT_COLORS[i % len(REPORT_COLORS)] if multi else color)
              for i, rid in enumerate(ids)}
    known = [v for g in groups for b in g.bars.values() for v in (b.value, b.plan) if v is not None]
    positive = [v for v in known if v > 0]
    log = log and len(positive) > 1 and max(positive) / min(positive) > 100
    lo = min(1.0, min(positive) / 2) if log else 0.0
    for i, g in enumerate(groups):
        present = [rid for rid in ids if rid in g.bars]
        h = 0.8 / len(present) if len(present) > 1 else 0.6
        for j, rid in enumerate(present):
            b = g.bars[rid]
            y = i + (j - (len(present) - 1) / 2) * h
            if b.value is None:
                text = f"{MISSING} ({labels[rid]})" if multi else MISSING
                _missing_band(ax, y, h * 0.92, text)
                continue
            if b.plan is not None:
                ax.barh(y, b.plan - lo, left=lo, height=h * 0.92, color=PLAN_FILL, edgecolor="0.6",
                        linewidth=0.6, gid="plan")
            height = h * (0.55 if b.plan is not None else 0.92)
            if b.style == "plan":
                ax.barh(y, b.value - lo, left=lo, height=height, color=PLAN_FILL,
                        edgecolor=colors[rid] if multi else "0.6", linewidth=1.0, gid="value")
            elif b.style == "survey":
                ax.barh(y, b.value - lo, left=lo, height=height, facecolor="white",
                        edgecolor=colors[rid], hatch=SURVEY_HATCH, linewidth=1.0, gid="value")
            else:
                ax.barh(y, b.value - lo, left=lo, height=height, color=colors[rid], gid="value")
            text = fmt_number(b.value, b.approx) + unit + b.note
            if b.n_missing:
                text += f" (另{b.n_missing}项{MISSING})"
            _value_label(ax, max(b.value, b.plan or 0, 0), y, text)
    ax.set_yticks(range(len(groups)), [g.label for g in groups])
    ax.set_ylim(max(len(groups), 1) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    _number_axis(ax, log)
    hi = max(known) if known else 1.0
    if not known:
        ax.set_xticks([])
    if log:
        ax.set_xlim(lo, hi * 30)
    else:
        ax.set_xlim(min([0.0] + known) * 1.2, hi * 1.45 if hi > 0 else 1.0)
    return colors


def _latest(df: pd.DataFrame, ids: list[str], max_reports: int):
    """Keep the latest ``max_reports`` reports (``ids`` is in time order) and say so."""
    if len(ids) <= max_reports:
        return df, ids, ""
    keep = ids[-max_reports:]
    note = f"图中显示最近{max_reports}份报告，共{len(ids)}份"
    return df[df["report_id"].astype(str).isin(keep)], keep, note


def _report_handles(colors: dict, labels: dict):
    return [Patch(facecolor=c, label=labels[r]) for r, c in colors.items()]


def _legend(ax, handles, fontsize: float = 8.5):
    """Legend in a band above ``ax`` (under the title), as many columns as fit the width."""
    if not handles:
        return
    widest = max(_width(h.get_label()) for h in handles) * fontsize / 2 + 3.2 * fontsize
    room = ax.get_figure(root=True).get_figwidth() * 72 * 0.8
    ncols = max(1, min(len(handles), int(room // widest)))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=ncols,
              fontsize=fontsize, frameon=False, borderaxespad=0.3)


# ---------------------------------------------------------------- completion rates

STATUS_MET, STATUS_BEHIND, STATUS_UNKNOWN = "达到计划", "未达到计划", "无法判断"
STATUS_COLORS = {STATUS_MET: "#3a8a3a", STATUS_BEHIND: "#e07b18", STATUS_UNKNOWN: "#9a9a9a"}
RATE_CAP = 2.0           # the completion axis ends at 200%; a longer bar is cut there and labelled
SLIDE = (13.33, 7.5)     # inches: a 16:9 slide


def completion_rates_data(completion: pd.DataFrame, meta: pd.DataFrame | None = None,
                          by: str = "indicator", max_rows: int = 12) -> pd.DataFrame:
    """The table ``completion_rates`` draws, row for row (same arguments).

    One row per (report, indicator), grouped by report (in time order) and sorted by rate
    within it, lost rates last. ``shown`` is the rate drawn: computed from actual/plan, else
    the one the report states (``source`` 报告所述), else NA (``source`` 缺失, drawn as a label
    at zero). ``status`` is 达到计划 (≥100%), 未达到计划 or 无法判断; ``elapsed`` is the share of
    the year the report's period covers (时间进度), NA for a whole year.
    """
    if by not in ("indicator", "report"):
        raise ValueError("by must be 'indicator' or 'report'")
    comp = completion if completion is not None else schema.frame("completion")
    m = meta_table(meta, comp)
    ids = _report_ids(m, comp)
    names = report_labels(m, ids)
    rank = {r: i for i, r in enumerate(ids)}
    rows = []
    for r in comp.itertuples(index=False):
        rid = str(r.report_id)
        lost = [w for w, v in (("完成数", r.actual), ("计划数", r.plan)) if not _known(v)]
        rate = float(r.rate) if not lost and _known(r.rate) else \
            (float(r.actual) / float(r.plan) if not lost and r.plan else None)
        stated = float(r.stated_rate) if _known(r.stated_rate) else None
        shown = rate if rate is not None else stated
        source = "计算" if rate is not None else "报告所述" if stated is not None else "缺失"
        mismatch = _known(r.consistent) and not bool(r.consistent)
        status = STATUS_UNKNOWN if shown is None or mismatch else STATUS_MET if shown >= 1 - 1e-9 else STATUS_BEHIND
        period = m.at[rid, "period"] if rid in m.index else None
        rows.append(dict(report_id=rid, report=names.get(rid, rid), indicator=r.indicator, unit=r.unit,
                         category=r.category if _known(r.category) else "other",
                         actual=r.actual if _known(r.actual) else None, plan=r.plan if _known(r.plan) else None,
                         rate=rate, stated_rate=stated, shown=shown, source=source, status=status,
                         consistent=None if not _known(r.consistent) else bool(r.consistent),
                         lost="、".join(lost) if lost else ("计划为0" if rate is None and stated is None else ""),
                         elapsed=zh.elapsed(period), _rank=rank.get(rid, len(rank))))
    df = pd.DataFrame(rows, columns=["report_id", "report", "indicator", "unit", "category", "actual", "plan", "rate",
                                     "stated_rate", "shown", "source", "status", "consistent", "lost", "elapsed",
                                     "_rank"])
    df = df.assign(_missing=df["shown"].isna(), _neg=-df["shown"].astype(float))
    df = df.sort_values(["_rank", "_missing", "_neg"], kind="stable").drop(columns=["_rank", "_missing", "_neg"])
    df["label"] = [axis_label(i, u) for i, u in zip(df["indicator"], df["unit"])]
    dup = df.groupby(["report_id", "label"]).cumcount()
    df["label"] = [lab if n == 0 else f"{lab} 之{n + 1}" for lab, n in zip(df["label"], dup)]
    out = df.head(max_rows).reset_index(drop=True)
    out.attrs["total_rows"] = len(df)
    return out


@_styled
def completion_rates(completion: pd.DataFrame, meta: pd.DataFrame | None = None,
                     by: str = "indicator", max_rows: int = 12) -> Figure:
    """Completion rate per (report, indicator), the rows of ``completion_rates_data``.

    Bars are coloured by status (达到计划 / 未达到计划 / 无法判断); a rate the report only states
    is a hollow dashed bar everywhere; a rate whose stated value disagrees with the numbers has
    a red outline; a lost rate is a short 数据缺失 label at zero, never a bar. A solid line marks
    the plan (100%), a dashed one the time elapsed in each report's period (上半年 50%,
    第三季度 75%, months). The axis stops at 200%; a longer bar is cut there with its true value
    written beyond. At most ``max_rows`` rows (the footer says how many there are).
    """
    data = completion_rates_data(completion, meta, by=by, max_rows=max_rows)
    comp = completion if completion is not None else schema.frame("completion")
    m = meta_table(meta, comp)
    ids = _report_ids(m, comp)
    scope = ids or list(m.index)
    total = data.attrs.get("total_rows", len(data))
    note = f"图中显示前{len(data)}项，共{total}项，其余见表格" if total > len(data) else ""
    fig = _figure(*SLIDE, f"{scope_label(m, scope)} 计划完成情况".strip(), source_line(m, scope), note)
    if data.empty:
        return _empty(fig)
    ax = fig.add_subplot()
    multi = data["report_id"].nunique() > 1
    n = len(data)
    shown = [v for v in data["shown"] if v is not None and v == v]
    xmax = max(1.1, min(max(shown, default=1.0), RATE_CAP)) * 1.18
    any_missing = any_bad = any_stated = False
    elapsed_labels = {}
    prev = None
    for y, row in enumerate(data.itertuples(index=False)):
        if multi and prev is not None and prev != row.report_id:
            ax.axhline(y - 0.5, color="0.75", linewidth=0.8)
        prev = row.report_id
        if row.elapsed is not None and row.elapsed == row.elapsed:
            ax.plot([row.elapsed] * 2, [y - 0.42, y + 0.42], color="#c0392b", linestyle="--", linewidth=1.1,
                    zorder=3, gid="elapsed")
            elapsed_labels[row.elapsed] = None
        if row.shown is None or row.shown != row.shown:
            any_missing = True
            _missing_band(ax, y, 0.6, f"{MISSING}：{row.lost}" if row.lost else MISSING)
            continue
        width = min(row.shown, RATE_CAP)
        bad = row.consistent is False
        any_bad |= bad
        color = STATUS_COLORS[row.status if not bad else STATUS_UNKNOWN]
        if row.source == "报告所述":
            any_stated = True
            ax.barh(y, width, height=0.6, facecolor="white", edgecolor="0.35", linestyle="--", linewidth=1.2,
                    gid="stated")
        else:
            ax.barh(y, width, height=0.6, color=color, edgecolor=ALERT if bad else "none",
                    linewidth=2.2 if bad else 0, gid="value")
        text = fmt_rate(row.shown) + (f" 报告所述（{MISSING}，无法核对）" if row.source == "报告所述" and row.lost
                                      else " 报告所述（无法核对）" if row.source == "报告所述" else "")
        if bad and row.stated_rate is not None:
            text += f" (报告称{fmt_rate(row.stated_rate)})"
        if row.shown > RATE_CAP:
            text = "▶ 实际" + text
        _value_label(ax, width, y, text, color=ALERT if bad else "0.15", boxed=True)
    ticks = [f"{r.report}  {r.label}" if multi else r.label for r in data.itertuples(index=False)]
    ax.set_yticks(range(n), ticks, fontsize=10)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.axvline(1.0, color="0.15", linewidth=1.2, zorder=3)
    _number_axis(ax, False)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlim(0, xmax)
    ax.set_xlabel("完成率 (完成数 ÷ 计划数, %)；颜色表示是否达到计划")
    handles = [Patch(facecolor=STATUS_COLORS[s], label=s) for s in (STATUS_MET, STATUS_BEHIND)
               if (data["status"] == s).any()]
    handles.append(Line2D([], [], color="0.15", linewidth=1.2, label="计划 (100%)"))
    for x in sorted(elapsed_labels):
        handles.append(Line2D([], [], color="#c0392b", linestyle="--",
                              label=f"时间过半 ({x:.0%})" if abs(x - 0.5) < 1e-9 else f"时间进度 ({x:.0%})"))
    if any_stated:
        handles.append(Patch(facecolor="white", edgecolor="0.35", linestyle="--", label="报告所述完成率 (无法核对)"))
    if any_missing:
        handles.append(_missing_handle())
    if any_bad:
        handles.append(Patch(facecolor="white", edgecolor=ALERT, linewidth=2.2, label=INCONSISTENT))
    _legend(ax, handles)
    return fig


# ---------------------------------------------------------------- fire prevention

@_styled
def fire_prevention(metrics: pd.DataFrame, meta: pd.DataFrame | None = None,
                    max_reports: int = 8) -> Figure:
    """Fire-prevention activity: one bar per indicator, one panel per unit.

    Several reports become grouped bars (one colour per report; the latest ``max_reports``
    are drawn, the footer says so). Values are summed per indicator, unit, kind and report;
    lost numbers are hatched 数据缺失 bands.
    """
    mt = metrics if metrics is not None else schema.frame("metrics")
    df = mt[mt["category"].astype(object) == "fire_prevention"]
    m = meta_table(meta, mt)
    ids = _report_ids(m, df)
    df, ids, note = _latest(df, ids, max_reports)
    labels = report_labels(m, ids)
    df = df.assign(report_id=df["report_id"].astype(str),
                   unit=df["unit"].fillna("未注明单位"),
                   indicator=_indicator_names(df),
                   kind=df["kind"].astype(object).fillna("actual"))
    units = list(df["unit"].astype(object).value_counts(sort=True).index) if len(df) else []
    panels = []
    for unit in units:
        part = df[df["unit"] == unit]
        bars = _collect(part, "value", ["indicator", "kind"])
        groups: dict = {}
        for (ind, kind, rid), b in bars.items():
            groups.setdefault((ind, kind), _Group(axis_label(_planned(ind, kind), unit))).bars[rid] = b
        panels.append((unit, list(groups.values())))
    rows = [sum(0.3 + 0.22 * len(g.bars) for g in gs) for _, gs in panels]
    height = sum(r + 0.75 for r in rows) + 1.6
    scope = ids or list(m.index)
    fig = _figure(9.5, max(3.2, height), f"{scope_label(m, scope)} 森林防火工作".strip(),
                  source_line(m, scope), note)
    if not panels:
        return _empty(fig)
    axes = fig.subplots(len(panels), 1, squeeze=False,
                        height_ratios=[r + 0.35 for r in rows])[:, 0]
    colors = {}
    for ax, (unit, groups) in zip(axes, panels):
        colors = _draw_groups(ax, groups, ids, labels, CATEGORY_COLORS["fire_prevention"],
                              unit=unit if unit != "未注明单位" else "")
        ax.set_xlabel(f"数量 ({unit})", fontsize=9)
    handles = _report_handles(colors, labels) if len(ids) > 1 else []
    if any(b.value is None for _, gs in panels for g in gs for b in g.bars.values()):
        handles.append(_missing_handle())
    _legend(axes[0], handles)
    return fig


# ---------------------------------------------------------------- pest control

@_styled
def pest_control(metrics: pd.DataFrame, completion: pd.DataFrame | None = None,
                 meta: pd.DataFrame | None = None, max_reports: int = 8) -> Figure:
    """Pest control: treated area in 亩 against plan or surveyed area, and counts.

    Top panel: areas (``area_mu``) per indicator; a grey bar behind shows the plan (from plan
    mentions or the completion table) and the label gives the coverage rate; survey/monitoring
    areas are dotted outlines, and treated bars also state their share of the surveyed area.
    Bottom panel: counts (traps, aerial sorties, teams, trees, insects), log scale when their
    magnitudes differ a lot. Lost values are hatched 数据缺失 bands. Several reports become
    grouped bars (the latest ``max_reports``).
    """
    mt = metrics if metrics is not None else schema.frame("metrics")
    comp = completion if completion is not None else schema.frame("completion")
    df = mt[(mt["category"].astype(object) == "pest_control")
            & (mt["kind"].astype(object) != "rate")]
    comp = comp[(comp["category"].astype(object) == "pest_control") & comp["unit"].isin(list(AREA_TO_MU))]
    m = meta_table(meta, mt, comp)
    ids = _report_ids(m, df, comp)
    df, ids, note = _latest(df, ids, max_reports)
    comp = comp[comp["report_id"].astype(str).isin(ids)]
    labels = report_labels(m, ids)
    df = df.assign(report_id=df["report_id"].astype(str),
                   indicator=_indicator_names(df),
                   kind=df["kind"].astype(object).fillna("actual"))
    is_area = df["area_mu"].notna() | df["unit"].isin(list(AREA_TO_MU))
    area, counts = df[is_area], df[~is_area & ~df["unit"].isin(NOT_COUNTS) & df["unit"].notna()]

    survey_mask = area["indicator_id"].astype(object).eq("pest_survey_area") | \
        area["indicator"].str.contains("|".join(PEST_SURVEY), regex=True)
    surveyed = {rid: float(g["area_mu"].sum()) for rid, g in area[survey_mask].groupby("report_id")
                if g["area_mu"].notna().any()}
    actual = area[(area["kind"] != "plan") & ~survey_mask]
    plan_for, used = _plan_lookup(area[area["kind"] == "plan"], comp, actual)
    area_groups: dict = {}
    for is_survey, part in ((False, actual), (True, area[(area["kind"] != "plan") & survey_mask])):
        for (ind, rid), b in _collect(part, "area_mu", ["indicator"]).items():
            notes = []
            plan = None if is_survey else plan_for(rid, ind)
            if plan:
                b.plan = plan
                notes.append(f" / 计划{fmt_number(plan)}亩" + (f" ({fmt_rate(b.value / plan)})"
                                                                if b.value is not None else ""))
            if is_survey:
                b.style = "survey"
            elif b.value is not None and surveyed.get(rid):
                notes.append(f"，占调查面积{fmt_rate(b.value / surveyed[rid])}")
            b.note = "".join(notes)
            area_groups.setdefault((ind, is_survey), _Group(axis_label(ind, "亩"))).bars[rid] = b
    for row in area[area["kind"] == "plan"].itertuples():
        if row.Index not in used:
            b = _Bar(value=float(row.area_mu) if _known(row.area_mu) else None, style="plan")
            label = _planned(row.indicator, "plan")
            area_groups.setdefault((label, False), _Group(axis_label(label, "亩"))).bars[row.report_id] = b
    count_bars = _collect(counts, "value", ["indicator", "unit", "kind"])
    count_groups: dict = {}
    for (ind, unit, kind, rid), b in count_bars.items():
        label = axis_label(_planned(ind, kind), unit)
        count_groups.setdefault(label, _Group(label)).bars[rid] = b
        b.note = unit
    panels = [(p, list(g.values())) for p, g in (("area", area_groups), ("count", count_groups)) if g]
    rows = [sum(0.3 + 0.22 * len(g.bars) for g in gs) for _, gs in panels]
    height = sum(r + 0.9 for r in rows) + 1.6
    scope = ids or list(m.index)
    fig = _figure(9.5, max(3.2, height), f"{scope_label(m, scope)} 林业有害生物防治".strip(),
                  source_line(m, scope), note)
    if not panels:
        return _empty(fig)
    axes = fig.subplots(len(panels), 1, squeeze=False,
                        height_ratios=[r + 0.5 for r in rows])[:, 0]
    colors = {}
    for ax, (kind, groups) in zip(axes, panels):
        if kind == "area":
            colors = _draw_groups(ax, groups, ids, labels, CATEGORY_COLORS["pest_control"], unit="亩")
            ax.set_xlabel("面积 (亩)", fontsize=9)
        else:
            colors = _draw_groups(ax, groups, ids, labels, CATEGORY_COLORS["pest_control"], log=True)
            log = ax.get_xscale() == "log"
            ax.set_xlabel("数量 (单位见各行标签" + ("，对数刻度)" if log else ")"), fontsize=9)
    handles = _report_handles(colors, labels) if len(ids) > 1 else []
    bars = [b for _, gs in panels for g in gs for b in g.bars.values()]
    if any(b.plan is not None or b.style == "plan" for b in bars):
        handles.append(Patch(facecolor=PLAN_FILL, edgecolor="0.6", label="计划面积"))
    if any(b.style == "survey" for b in bars):
        handles.append(Patch(facecolor="white", edgecolor="0.3", hatch=SURVEY_HATCH,
                             label="调查/监测面积"))
    if any(b.value is None for b in bars):
        handles.append(_missing_handle())
    _legend(axes[0], handles)
    return fig


def _plan_lookup(plan_rows: pd.DataFrame, comp: pd.DataFrame, actual: pd.DataFrame):
    """``plan_for(report_id, indicator)`` in 亩, and the plan-mention rows it used.

    A plan matches an actual row with the same indicator text; failing that, one with the same
    indicator_id, but only when that id names a single treated indicator in the report (several
    treated areas sharing ``pest_treated_area`` must not all borrow one plan).
    """
    by_text: dict = {}
    by_id: dict = {}
    for row in plan_rows.itertuples():
        if _known(row.area_mu):
            by_text.setdefault((row.report_id, str(row.indicator)), (float(row.area_mu), row.Index))
            if _known(row.indicator_id):
                by_id.setdefault((row.report_id, str(row.indicator_id)), []).append(
                    (float(row.area_mu), row.Index))
    for row in comp.itertuples():
        if _known(row.plan):
            mu = float(row.plan) * AREA_TO_MU[str(row.unit)]
            by_text.setdefault((str(row.report_id), str(row.indicator)), (mu, None))
            if _known(row.indicator_id):
                by_id.setdefault((str(row.report_id), str(row.indicator_id)), []).append((mu, None))
    ids_of = actual.groupby(["report_id", "indicator"], sort=False)["indicator_id"].first()
    n_ids = actual.drop_duplicates(["report_id", "indicator"]).groupby(
        ["report_id", "indicator_id"]).size()
    used: set = set()

    def plan_for(rid, indicator):
        hit = by_text.get((rid, indicator))
        iid = ids_of.get((rid, indicator))
        if hit is None and _known(iid) and n_ids.get((rid, iid), 0) == 1 \
                and len(by_id.get((rid, str(iid)), [])) == 1:
            hit = by_id[(rid, str(iid))][0]
        if hit is None:
            return None
        used.add(hit[1])
        return hit[0]

    return plan_for, used


# ---------------------------------------------------------------- output

def save(fig: Figure, out_dir, name: str) -> tuple[Path, Path]:
    """Write ``<name>.png`` (200 dpi) and ``<name>.svg`` into ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png, svg = out / f"{name}.png", out / f"{name}.svg"
    with matplotlib.rc_context(fonts.cjk_rc()):
        fig.savefig(png, dpi=DPI, facecolor="white")
        fig.savefig(svg, facecolor="white")
    return png, svg


__all__ = ["completion_rates", "fire_prevention", "pest_control", "save", "period_label",
           "scope_label", "source_line", "report_labels", "axis_label", "fmt_number", "fmt_tick", "fmt_rate",
           "MISSING", "INCONSISTENT", "NO_DATA", "DPI"]

