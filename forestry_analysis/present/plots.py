"""Briefing charts drawn from the package's tables (one report or a whole corpus).

Every chart takes schema frames, returns a slide-shaped ``matplotlib.figure.Figure`` (no
pyplot state, rcParams untouched) and has a companion ``*_data`` function returning exactly
the table it draws, with the same arguments. A lost number is a short 数据缺失 label at zero,
never a bar. Titles name what, where and when from ``meta``; a footer names the report files.
What the fire-prevention and pest-control charts count is data: ``lexicon/charts.toml``.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
import functools
import unicodedata
from collections.abc import Mapping
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

MISSING = "数据缺失"
UNNAMED = "未命名指标"   # a figure whose indicator the text does not name
INCONSISTENT = "报告完成率与数字不符"
NO_DATA = "无数据"
DPI = 200

AREA_TO_MU = {s: u.to_mu for s, u in units().items() if u.family == "area"}  # lexicon/units.csv
CATEGORY_COLORS = zh.category_colours("chart")  # lexicon/colours.toml
MISSING_EDGE = "#7f7f7f"
ALERT = "#d62728"

_META_COLS = ["title", "region", "org", "year", "period", "report_kind", "path"]


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


def file_name(m: pd.DataFrame, rid: str) -> str:
    """The report's file name (no folders), else its report_id."""
    path = m.at[rid, "path"] if rid in m.index and "path" in m else None
    return Path(str(path)).name if _known(path) else rid


def _cut(text: str, width: int) -> str:
    return text if _width(text) <= width else _wrap(text, width - 1)[0] + "…"


def report_labels(m: pd.DataFrame, ids) -> dict[str, str]:
    """Short, unique label per report: region (else org, else the title cut to a short
    phrase, else the file name) and period."""
    out = {}
    for rid in ids:
        row = m.loc[rid]
        name = next((str(row[c]) for c in ("region", "org") if _known(row[c])), "") or \
            (_cut(str(row["title"]), 24) if _known(row["title"]) else file_name(m, rid))
        when = period_label(row["year"], row["period"])
        if _known(row["year"]) and f"{int(row['year'])}年" in name:
            when = zh.period(row["period"]) if str(row["period"]) != "annual" else ""
        out[rid] = " ".join(p for p in (name, when) if p)
    seen: dict[str, int] = {}
    for v in out.values():
        seen[v] = seen.get(v, 0) + 1
    return {rid: (f"{v}（{file_name(m, rid)}）" if seen[v] > 1 else v) for rid, v in out.items()}


def scope_label(m: pd.DataFrame, ids) -> str:
    """'重庆市巴南区 2020年上半年', or a summary such as '重庆市巴南区、眉山市等4份报告 2019年至2023年'
    for a corpus (the count is given whenever a report names no region)."""
    if not len(ids):
        return ""
    rows = m.loc[list(ids)]
    regions = list(dict.fromkeys(str(r) for r in rows["region"] if _known(r)))
    unnamed = len(ids) > 1 and (len(regions) > 3 or not rows["region"].map(_known).all())
    region = "、".join(regions[:3]) + ((f"等{len(ids)}份报告" if regions else f"{len(ids)}份报告") if unnamed else "")
    periods = list(dict.fromkeys(period_label(y, p) for y, p in zip(rows["year"], rows["period"])))
    periods = [p for p in periods if p]
    if len(periods) <= 2:
        when = "、".join(periods)
    else:
        years = sorted({int(y) for y in rows["year"] if _known(y)})
        when = (f"{years[0]}年至{years[-1]}年" if len(years) > 1 else f"{years[0]}年" if years else "") \
            + ("" if unnamed else f" ({len(ids)}份报告)")
    return " ".join(p for p in (region, when) if p)


def source_line(m: pd.DataFrame, ids, limit: int = 6) -> str:
    """'来源：a01.txt、f07.txt 等N份报告' naming the report files (file names, never paths; the
    title when the file is unknown)."""
    if not len(ids):
        return "来源：无报告"
    names = [file_name(m, r) if _known(m.at[r, "path"]) or not _known(m.at[r, "title"])
             else f"《{m.at[r, 'title']}》" for r in ids]
    text = "、".join(names[:limit])
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
    lines = _wrap(str(text) if _known(text) else UNNAMED, width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    if _known(unit) and str(unit):
        lines[-1] += f" ({unit})"
    return "\n".join(lines)


def fmt_number(v: float, approx: bool = False) -> str:
    """1700 → '1,700', 25736.32 → '25,736', 2046.5 → '2,046.5', 0.3213 → '0.32', 272000 → '27.2万',
    2e8 → '2亿'; '约' for approximate values. Decimals shrink as the number grows, as a briefing
    writes it (no ten thousand to the hundredth), rounded half up."""
    a = abs(v)
    if a >= 1e8:
        s = f"{v / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿"
    elif a >= 1e5:
        s = f"{v / 1e4:,.2f}".rstrip("0").rstrip(".") + "万"
    else:
        digits = 0 if a >= 1e4 else 1 if a >= 100 else 2
        s = f"{Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):,}"
        s = s.rstrip("0").rstrip(".") if digits else s
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


def _figure(width: float, height: float, title: str, source: str, note: str = "", subtitle: str = "") -> Figure:
    """A slide: title (what, where, when), a subtitle under it (unit and period), the chart,
    and a footer naming the reports (and what was left out)."""
    fig = Figure(figsize=(width, height), layout="constrained", dpi=100)
    fig.suptitle(title, fontsize=13)   # placed by the layout, at the top
    top = 0.0
    if subtitle:   # in a band the layout leaves free under the title
        fig.text(0.5, 1 - 24 / 72 / height, subtitle, fontsize=10, color="0.3", ha="center", va="top",
                 gid="subtitle")
        top = 16 / 72 / height
    lines = _wrap(source, int(width * 72 / 4 * 0.92)) + ([note] if note else [])
    fig.text(0.01, 0.008, "\n".join(lines), fontsize=8, color="0.35", ha="left", va="bottom",
             gid="source")
    bottom = (len(lines) * 8 * 1.35 + 8) / 72 / height
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom - top))
    return fig


def _subtitle(unit: str, m: pd.DataFrame, ids) -> str:
    return "    ".join(p for p in (unit, period_line(m, ids)) if p)


def period_line(m: pd.DataFrame, ids, limit: int = 4) -> str:
    """'统计期：2020年上半年、2020年前三季度', every report's period (the title may give only
    the years); '统计期：2019年全年至2023年上半年等6个' beyond ``limit``."""
    rows = m.loc[list(ids)] if len(ids) else m.iloc[:0]
    ranked = sorted(zip(rows["year"], rows["period"]),
                    key=lambda yp: (int(yp[0]) if _known(yp[0]) else 9999, _period_rank(yp[1])))
    periods = [p for p in dict.fromkeys(period_label(y, p) for y, p in ranked) if p]
    if not periods:
        return ""
    if len(periods) <= limit:
        return "统计期：" + "、".join(periods)
    dated = [period_label(y, p) for y, p in ranked if _known(y)] or periods   # ends named by their year
    return f"统计期：{dated[0]}至{dated[-1]}等{len(periods)}个"


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
                          by: str = "report", max_rows: int = 12) -> pd.DataFrame:
    """The table ``completion_rates`` draws, row for row (same arguments).

    One row per (report, indicator). ``by="report"``: grouped by report (in time order) and
    sorted by rate within it, lost rates last. ``by="indicator"``: one indicator's reports
    together (in time order), indicators with the highest rate first; ``group`` is the
    report_id or indicator label a row is grouped under. ``shown`` is the rate drawn: computed
    from actual/plan, else the one the report states (``source`` 报告所述), else NA (``source``
    缺失, drawn as a label at zero). ``status`` is 达到计划 (≥100%), 未达到计划 or 无法判断; ``elapsed`` is the share of
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
    df = df.sort_values(["_rank", "_missing", "_neg"], kind="stable")
    df["label"] = [axis_label(i, u) for i, u in zip(df["indicator"], df["unit"])]
    if by == "indicator":
        best = df.groupby("label")["_neg"].transform("min").fillna(float("inf"))
        df = df.assign(_best=best).sort_values(["_best", "label", "_rank"], kind="stable").drop(columns="_best")
    df = df.drop(columns=["_rank", "_missing", "_neg"])
    df["group"] = df["report_id"] if by == "report" else df["label"]
    dup = df.groupby(["report_id", "label"]).cumcount()
    df["label"] = [lab if n == 0 else f"{lab} 之{n + 1}" for lab, n in zip(df["label"], dup)]
    out = df.head(max_rows).reset_index(drop=True)
    out.attrs["total_rows"] = len(df)
    return out


@_styled
def completion_rates(completion: pd.DataFrame, meta: pd.DataFrame | None = None,
                     by: str = "report", max_rows: int = 12) -> Figure:
    """Completion rate per (report, indicator), the rows of ``completion_rates_data``, grouped
    by report or (``by="indicator"``) by indicator, a thin line between groups.

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
    fig = _figure(*SLIDE, f"{scope_label(m, scope)} 计划完成情况".strip(), source_line(m, scope), note,
                  _subtitle("完成率（%）= 完成数 ÷ 计划数", m, scope))
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
        if multi and prev is not None and prev != row.group:
            ax.axhline(y - 0.5, color="0.75", linewidth=0.8)
        prev = row.group
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
    def tick(r):   # the report first when grouped by report, the indicator first otherwise
        if not multi:
            return r.label
        return f"{r.report}  {r.label}" if by == "report" else f"{r.label}  {r.report}"
    ticks = [tick(r) for r in data.itertuples(index=False)]
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


# ---------------------------------------------------------------- canonical chart indicators

@functools.lru_cache(maxsize=1)
def _lexicon() -> dict:
    return lexicon.toml("charts.toml")


def _text(v) -> str:
    return str(v) if _known(v) else ""


def _spec_of(specs: list[dict], indicator_id, indicator) -> dict | None:
    """The spec (charts.toml) a metric row belongs to: by indicator_id, else by a keyword in
    its indicator text; None when none matches or an ``exclude`` word is in the text."""
    iid, text = _text(indicator_id), _text(indicator)
    hit = next((s for s in specs if iid and iid in s["ids"]), None) or \
        next((s for s in specs if any(k in text for k in s["keywords"])), None)
    if hit is None or any(w in text for w in hit.get("exclude", [])):
        return None
    return hit


def _is_target(row, report_kind) -> bool:
    """A plan or a stated target (控制在1‰以内, ≥90%); in a plan report every rate, unless
    its sentence says it is already reached (到目前为止, 已)."""
    lex = _lexicon()
    raw, sentence = _text(row.raw), _text(getattr(row, "sentence", None))
    if str(row.kind) == "plan":
        return True
    if _text(report_kind) == "plan" and not any(w in sentence for w in _strong_actual()):
        return True
    at = sentence.find(raw) if raw else -1
    head = (sentence[max(0, at - lex["target_window"]):at] if at >= 0 else "") + raw
    tail = sentence[at + len(raw):at + len(raw) + 4] if at >= 0 else ""
    return any(w in head for w in lex["target_before"]) or any(tail.startswith(w) for w in lex["target_after"])


@functools.lru_cache(maxsize=1)
def _strong_actual() -> tuple[str, ...]:
    return tuple(lexicon.toml("kinds.toml")["strong_actual"])


def _rate_shown(value, unit, shown_unit) -> float | None:
    """A rate written in ``unit`` (% or ‰) expressed in ``shown_unit``."""
    per = {"%": 100.0, "‰": 1000.0}
    if not _known(value) or unit not in per or shown_unit not in per:
        return None
    return float(value) / per[unit] * per[shown_unit]


def _measure(row, spec) -> tuple[bool, float | None]:
    """(row is in the spec's unit, its value in the spec's unit or None when lost); a rate of
    another rate type than charts.toml ``rate_types`` is not in the spec."""
    unit = _text(row.unit)
    if unit not in spec["units"]:
        return False, None
    rate_type = _text(getattr(row, "rate_type", None))
    if spec["unit"] in ("%", "‰") and rate_type and rate_type not in _lexicon()["rate_types"]:
        return False, None
    lost = bool(row.missing) if _known(row.missing) else False
    if spec.get("area"):
        v = row.area_mu if _known(row.area_mu) else None
    elif spec["unit"] in ("%", "‰"):
        v = _rate_shown(row.value, unit, spec["unit"])
    else:
        v = float(row.value) if _known(row.value) else None
    return True, None if lost else v


def _countable(rows: list) -> list:
    """Rows that can be added: restated figures and parts of a total among ``rows`` left out."""
    ids = {r.metric_id for r in rows if _known(getattr(r, "metric_id", None))}
    return [r for r in rows if not _known(getattr(r, "restates", None))
            and not (_known(getattr(r, "part_of", None)) and r.part_of in ids)]


def _cell(rows: list, spec: dict, targets: list) -> dict:
    """One drawn cell: the sum of the known values (one value for a rate, never a sum), the
    lost ones counted, and the first stated target."""
    measured = [(r, v) for r in _countable(rows) for ok, v in [_measure(r, spec)] if ok]
    known = [(r, v) for r, v in measured if v is not None]
    is_rate = spec["unit"] in ("%", "‰")
    value = (known[0][1] if is_rate else sum(v for _, v in known)) if known else None
    target = next((v for r in targets for ok, v in [_measure(r, spec)] if ok and v is not None), None)
    return dict(value=value, target=target, approx=any(bool(r.approx) for r, _ in known if _known(r.approx)),
                n_rows=len(known) if not is_rate else min(len(known), 1),
                n_missing=len(measured) - len(known), missing=bool(measured) and not known)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Nullable dtypes for a chart's companion table."""
    kinds = {"value": "Float64", "target": "Float64", "base": "Float64", "rate": "Float64",
             "stated_rate": "Float64", "n_rows": "Int64", "n_missing": "Int64", "approx": "boolean",
             "missing": "boolean"}
    return df.astype({c: t for c, t in kinds.items() if c in df} |
                     {c: schema.STR for c in df if c not in kinds})


def _value_text(value, unit: str, approx: bool = False) -> str:
    if unit in ("%", "‰"):
        return f"{value:.{3 if value < 1 else 2}f}".rstrip("0").rstrip(".") + unit
    return fmt_number(value, approx) + unit


def _target_text(target, unit: str, lower_is_better: bool, value=None) -> str:
    """'目标≤1‰', and '（未达目标）' when ``value`` misses it."""
    missed = value is not None and (value > target if lower_is_better else value < target)
    return ("目标≤" if lower_is_better else "目标≥") + _value_text(target, unit) + ("（未达目标）" if missed else "")


# ---------------------------------------------------------------- fire prevention

FIRE_ACTIVITY, FIRE_OUTCOME = "工作开展", "火灾情况"
FIRE_COLUMNS = ["report_id", "report", "panel", "indicator", "label", "group", "unit", "value", "target",
                "approx", "n_rows", "n_missing", "missing", "text"]


def fire_prevention_data(metrics: pd.DataFrame, meta: pd.DataFrame | None = None,
                         max_reports: int = 8) -> pd.DataFrame:
    """The table ``fire_prevention`` draws, cell for cell (same arguments).

    One row per (report, canonical indicator) of ``lexicon/charts.toml``: the activities
    (panel 工作开展: 宣传资料发放, 防火检查, 隐患排查整改, 防火卡点, 防火隔离带, 清理可燃物) and the
    outcomes (panel 火灾情况: 火灾起数, 受害面积, 受害率 against its control target). ``value`` is
    in ``unit``, the sum of the report's known mentions in that unit (restated figures and
    parts of a total counted once; a rate is never summed); NA with ``missing`` when every
    mention was lost. Mentions in another unit, and plans of activities, are not drawn.
    ``text`` is the label written by the bar. The latest ``max_reports`` reports are kept.
    """
    mt = metrics if metrics is not None else schema.frame("metrics")
    m = meta_table(meta, mt)
    lex = _lexicon()["fire"]
    panels = ((FIRE_ACTIVITY, lex["activity"]), (FIRE_OUTCOME, lex["outcome"]))
    all_ids = {i for _, specs in panels for s in specs for i in s["ids"]}
    df = mt[(mt["category"].astype(object) == "fire_prevention") | mt["indicator_id"].isin(list(all_ids))]
    cells: dict = {}
    last_rate: dict = {}
    for row in df.itertuples(index=False):
        rid = str(row.report_id)
        kind = m.at[rid, "report_kind"] if rid in m.index else None
        for panel, specs in panels:
            spec = _spec_of(specs, row.indicator_id, row.indicator)
            target = _is_target(row, kind)
            place = (rid, getattr(row, "sentence_id", None))
            if spec is None and target and str(row.kind) == "rate" and _known(place[1]):
                # 受害率0.087‰，控制在1‰以内: the target of the rate before it
                spec = next((s for s in specs if s is last_rate.get(place)), None)
            if spec is None:
                continue
            if str(row.kind) == "rate" and _known(place[1]):
                last_rate[place] = spec
            if target and panel == FIRE_ACTIVITY:
                break
            cell = cells.setdefault((rid, panel, spec["key"]), (spec, [], []))
            cell[2 if target else 1].append(row)
            break
    ids = [r for r in m.index if any(k[0] == r for k in cells)][-max_reports:]
    total = len({k[0] for k in cells})
    names = report_labels(m, ids)
    out = []
    for panel, specs in panels:
        for spec in specs:
            for rid in ids:
                hit = cells.get((rid, panel, spec["key"]))
                if hit is None:
                    continue
                c = _cell(hit[1], spec, hit[2])
                if c["value"] is None and not c["missing"] and c["target"] is None:
                    continue
                text = MISSING if c["missing"] else "" if c["value"] is None else \
                    _value_text(c["value"], spec["unit"], c["approx"])
                if c["n_missing"] and not c["missing"]:
                    text += f"（另{c['n_missing']}项{MISSING}）"
                if c["target"] is not None:
                    text = "，".join(t for t in (text, _target_text(c["target"], spec["unit"],
                                                                   spec.get("lower_is_better", False), c["value"])) if t)
                out.append(dict(report_id=rid, report=names[rid], panel=panel, indicator=spec["key"],
                                label=spec["label"], group=spec.get("group", spec["label"]), unit=spec["unit"],
                                text=text, **c))
    data = _typed(pd.DataFrame(out, columns=FIRE_COLUMNS))
    data.attrs["total_reports"] = total
    return data


def _panel_axes(sub, n: int):
    axes = sub.subplots(1, n, sharey=True, squeeze=False)[0]
    for ax in axes:
        ax.set_xticks([])
        ax.tick_params(axis="y", length=0, labelsize=10)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color("0.6")
    return axes


def _bar_cell(ax, y: float, value, text: str, color: str, missing: bool, target=None, height: float = 0.6):
    """One bar of a table-like panel: length ``value``; a lost value is a 数据缺失 label."""
    if missing:
        _missing_band(ax, y, height, text)
        return
    if value is not None:
        ax.barh(y, value, height=height, color=color, gid="value")
    if target is not None:
        ax.plot([target] * 2, [y - height * 0.8, y + height * 0.8], color="0.1", linewidth=2.2, gid="target",
                solid_capstyle="butt", zorder=4)
    right = max(v for v in (value, target, 0.0) if v is not None)
    ax.annotate(text, xy=(right, y), xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                fontsize=10, color="0.15", annotation_clip=False)


@_styled
def fire_prevention(metrics: pd.DataFrame, meta: pd.DataFrame | None = None,
                    max_reports: int = 8) -> Figure:
    """Fire prevention as a table of small bars, the rows of ``fire_prevention_data``.

    Left (工作开展): one column per canonical activity, each with its own unit and scale, one
    row per report, so no two activities are ever added or compared on one axis. Right
    (火灾情况): fires (起), damaged area (亩) and the damage rate (‰) with its control target
    as a black tick. A lost number is a 数据缺失 label at zero; — marks an activity the report
    does not mention.
    """
    data = fire_prevention_data(metrics, meta, max_reports)
    mt = metrics if metrics is not None else schema.frame("metrics")
    m = meta_table(meta, mt)
    ids = list(dict.fromkeys(data["report_id"]))
    total = data.attrs.get("total_reports", len(ids))
    note = f"图中显示最近{len(ids)}份报告，共{total}份" if total > len(ids) else ""
    scope = ids or _report_ids(m, mt) or list(m.index)
    fig = _figure(*SLIDE, f"{scope_label(m, scope)} 森林防火工作".strip(), source_line(m, scope),
                  "；".join(p for p in (note, "各栏单位不同，分栏绘制，不相加；“—”为报告未提及") if p),
                  _subtitle("单位：各栏标注（次、处、个、公里等）", m, scope))
    if data.empty:
        return _empty(fig)
    names = dict(zip(data["report_id"], data["report"]))
    parts = [(p, data[data["panel"] == p]) for p in (FIRE_ACTIVITY, FIRE_OUTCOME) if (data["panel"] == p).any()]
    widths = [part["indicator"].nunique() for _, part in parts]
    subs = fig.subfigures(1, len(parts), width_ratios=widths, wspace=0.04) if len(parts) > 1 else [fig]
    colors = {FIRE_ACTIVITY: zh.category_colours()["fire_prevention"], FIRE_OUTCOME: "#b03a2e"}
    height = 0.38 if len(ids) <= 3 else 0.55
    at = {rid: i for i, rid in enumerate(ids)}
    for n, (sub, (panel, part)) in enumerate(zip(subs, parts)):
        if len(parts) > 1:
            sub.suptitle(panel, fontsize=12, color=colors[panel])
        columns = list(dict.fromkeys(part["indicator"]))
        axes = _panel_axes(sub, len(columns))
        for ax, key in zip(axes, columns):
            col = part[part["indicator"] == key]
            first = col.iloc[0]
            ax.set_title(f"{first['label']}\n({first['unit']})", fontsize=10.5)
            for row in col.itertuples(index=False):
                _bar_cell(ax, at[row.report_id], row.value if _known(row.value) else None, row.text,
                          colors[panel], bool(row.missing), row.target if _known(row.target) else None,
                          height=height)
            for rid in ids:
                if rid not in set(col["report_id"]):
                    ax.text(0.04, at[rid], "—", transform=blended_transform_factory(ax.transAxes, ax.transData),
                            ha="left", va="center", color="0.6", fontsize=10, gid="absent")
            hi = max([v for v in list(col["value"]) + list(col["target"]) if _known(v)], default=1.0)
            ax.set_xlim(0, hi * 2.2 if hi > 0 else 1.0)
        # report names once, at the left; the rows of every panel line up with them
        axes[0].set_yticks(range(len(ids)), [names[r] for r in ids] if n == 0 else [""] * len(ids))
        axes[0].set_ylim(len(ids) - 0.5, -0.5)
    return fig


# ---------------------------------------------------------------- pest control

COVERAGE, RATES = "防治覆盖", "比率与目标"
DONE, PLANNED = "完成", "计划"
NO_BASE = "未给出发生面积"
PEST_COLUMNS = ["report_id", "report", "section", "kind", "pest", "indicator", "label", "unit", "value", "base",
                "rate", "stated_rate", "target", "approx", "n_missing", "missing", "text"]


def _clause_before(row) -> str:
    """The words of the row's clause up to its number."""
    raw, sentence = _text(row.raw), _text(getattr(row, "sentence", None))
    at = sentence.find(raw) if raw else -1
    head = sentence[:at] if at >= 0 else ""
    cut = max(head.rfind(c) for c in "，,；;。：:（(")
    return head[cut + 1:]


def _pest_of(row, pests: list[str], default: str, title: str = "") -> str:
    """The pest a row is about: named in its indicator, else in its clause, else in the report
    title, else in its sentence (the first of ``pests`` that occurs); ``default`` when none."""
    for text in (_text(row.indicator), _clause_before(row), title, _text(getattr(row, "sentence", None))):
        hit = next((p for p in pests if p in text), None)
        if hit:
            return hit
    return default


def _is_base(row, words: list[str]) -> bool:
    raw, sentence = _text(row.raw), _text(getattr(row, "sentence", None))
    at = sentence.find(raw) if raw else -1
    before = sentence[max(0, at - 10):at] if at >= 0 else ""
    return any(w in _text(row.indicator) for w in words) or any(w in before for w in words)


def pest_control_data(metrics: pd.DataFrame, completion: pd.DataFrame | None = None,
                      meta: pd.DataFrame | None = None, max_reports: int = 8,
                      max_rows: int = 10) -> pd.DataFrame:
    """The table ``pest_control`` draws, row for row (same arguments).

    Section 防治覆盖: one row per (report, pest, treated indicator), ``value`` the treated area
    in 亩 (restatements and parts of a total counted once), ``base`` the occurring area
    (发生面积) of the same pest in the report, ``rate`` = value / base; ``text`` says
    未给出发生面积 when the report gives no base. ``kind`` 计划 for plan mentions, drawn
    apart from 完成. At most ``max_rows`` coverage rows (``attrs['total_rows']``).
    Section 比率与目标: 无公害防治率, 监测覆盖率, 测报准确率, 成灾率 (charts.toml) per report, the
    achieved ``value`` and the ``target`` (a plan, or a rate stated as a target), in ``unit``.
    ``completion`` is accepted for the signature ``pest_control`` shares; its rows are not used.
    """
    mt = metrics if metrics is not None else schema.frame("metrics")
    m = meta_table(meta, mt)
    lex = _lexicon()["pest"]
    rate_ids = {i for s in lex["rate"] for i in s["ids"]}
    df = mt[(mt["category"].astype(object) == "pest_control") | mt["indicator_id"].isin(list(rate_ids))]
    coverage, rates = {}, {}
    bases: dict = {}
    last_rate: dict = {}
    for row in df.itertuples(index=False):
        rid = str(row.report_id)
        rkind = m.at[rid, "report_kind"] if rid in m.index else None
        is_rate = str(row.kind) == "rate" or _text(row.unit) in ("%", "‰")
        spec = _spec_of(lex["rate"], row.indicator_id, row.indicator) if is_rate else None
        place = (rid, getattr(row, "sentence_id", None))
        target = is_rate and _is_target(row, rkind)
        if spec is None and target and _known(place[1]):
            spec = last_rate.get(place)          # 成灾率0.5‰，控制在3‰以内
        if spec is not None:
            if _known(place[1]):
                last_rate[place] = spec
            cell = rates.setdefault((rid, spec["key"]), (spec, [], []))
            cell[2 if target else 1].append(row)
            continue
        area = _known(row.area_mu) or (_text(row.unit) in AREA_TO_MU)
        if not area or str(row.kind) == "rate":
            continue
        pest = _pest_of(row, lex["pests"], lex["all_pests"], _text(m.at[rid, "title"]) if rid in m.index else "")
        kind = PLANNED if str(row.kind) == "plan" else DONE
        if _is_base(row, lex["base_keywords"]):
            bases.setdefault((rid, kind, pest), []).append(row)
            continue
        text = _text(row.indicator)
        treated = (_text(row.indicator_id) in lex["treated_ids"] or any(k in text for k in lex["treated_keywords"])) \
            and not any(w in text for w in lex["treated_exclude"])
        if treated:
            coverage.setdefault((rid, kind, pest, text or "防治面积"), []).append(row)
    reports = {k[0] for k in coverage} | {k[0] for k in rates}
    ids = [r for r in m.index if r in reports][-max_reports:]
    names = report_labels(m, ids)
    stated = _stated_coverage(mt)
    area_spec = dict(unit="亩", units=list(AREA_TO_MU), area=True)
    out = []
    for (rid, kind, pest, indicator), rows in coverage.items():
        if rid not in ids:
            continue
        ids_here = {r.metric_id for rs in coverage.values() for r in rs if str(r.report_id) == rid}
        rows = [r for r in rows if not (_known(getattr(r, "part_of", None)) and r.part_of in ids_here)]
        if not rows:
            continue
        c = _cell(rows, area_spec, [])
        base_rows = bases.get((rid, kind, pest)) or bases.get((rid, kind, lex["all_pests"])) or []
        b = _cell(base_rows, area_spec, []) if base_rows else None
        base = b["value"] if b else None
        rate = c["value"] / base if c["value"] is not None and base else None
        srate = next((stated[(rid, r.metric_id)] for r in rows if (rid, r.metric_id) in stated), None)
        if c["missing"]:
            text = MISSING
        else:
            text = _value_text(c["value"], "亩", c["approx"])
            if c["n_missing"]:
                text += f"（另{c['n_missing']}项{MISSING}）"
            text += f" / 发生{_value_text(base, '亩')}，{'防治率' if kind == DONE else '计划覆盖'}{fmt_rate(rate)}" \
                if rate is not None else f"（{NO_BASE}）"
        if srate is not None and (rate is None or abs(srate - rate) > 0.005):
            text += f"（报告称{fmt_rate(srate)}）"
        out.append(dict(report_id=rid, report=names[rid], section=COVERAGE, kind=kind, pest=pest,
                        indicator=indicator, label=indicator if pest == lex["all_pests"] or pest in indicator else f"{pest} · {indicator}", unit="亩", value=c["value"], base=base,
                        rate=rate, stated_rate=srate, target=None, approx=c["approx"], n_missing=c["n_missing"],
                        missing=c["missing"], text=text))
    out.sort(key=lambda r: (r["kind"] == PLANNED, ids.index(r["report_id"]), r["missing"],
                            -(r["value"] or 0)))
    total_rows = len(out)
    kept = out[:max_rows]
    for spec in lex["rate"]:
        for rid in ids:
            hit = rates.get((rid, spec["key"]))
            if hit is None:
                continue
            c = _cell(hit[1], spec, hit[2])
            if c["value"] is None and not c["missing"] and c["target"] is None:
                continue
            low = spec.get("lower_is_better", False)
            text = MISSING if c["missing"] else "" if c["value"] is None else _value_text(c["value"], spec["unit"])
            if c["target"] is not None:
                text = "，".join(t for t in (text, _target_text(c["target"], spec["unit"], low, c["value"])) if t)
            kept.append(dict(report_id=rid, report=names[rid], section=RATES,
                             kind=DONE if c["value"] is not None or c["missing"] else PLANNED,
                             pest=lex["all_pests"], indicator=spec["key"], label=spec["label"], unit=spec["unit"],
                             value=c["value"], base=None, rate=None, stated_rate=None, target=c["target"],
                             approx=False, n_missing=c["n_missing"], missing=c["missing"], text=text))
    data = _typed(pd.DataFrame(kept, columns=PEST_COLUMNS))
    data.attrs["total_rows"] = total_rows
    data.attrs["total_reports"] = len(reports)
    return data


def _stated_coverage(mt: pd.DataFrame) -> dict:
    """(report_id, metric_id of the treated quantity) → the coverage rate the report states."""
    out = {}
    if "rate_type" not in mt or "rate_of" not in mt:
        return out
    rows = mt[(mt["rate_type"].astype(object) == "coverage") & mt["rate_of"].notna()]
    for r in rows.itertuples(index=False):
        v = _rate_shown(r.value, _text(r.unit), "%")
        if v is not None:
            out[(str(r.report_id), r.rate_of)] = v / 100
    return out


@_styled
def pest_control(metrics: pd.DataFrame, completion: pd.DataFrame | None = None,
                 meta: pd.DataFrame | None = None, max_reports: int = 8, max_rows: int = 10) -> Figure:
    """Pest-control coverage and rates, the rows of ``pest_control_data``.

    Left (防治覆盖, 亩): per report and pest, the occurring area (发生面积) as a wide pale bar and
    the treated area as a narrow bar on it, labelled with the rate; 未给出发生面积 where the
    report gives no base. Plans (计划) are a separate panel of hollow bars. Right (比率与目标):
    one panel per rate (无公害防治率, 监测覆盖率, 测报准确率, 成灾率), the achieved rate as a bar
    and its target as a black tick. A lost number is a 数据缺失 label at zero.
    """
    data = pest_control_data(metrics, completion, meta, max_reports, max_rows)
    mt = metrics if metrics is not None else schema.frame("metrics")
    m = meta_table(meta, mt)
    ids = list(dict.fromkeys(data["report_id"]))
    notes = []
    if data.attrs.get("total_reports", 0) > len(ids):
        notes.append(f"图中显示最近{len(ids)}份报告，共{data.attrs['total_reports']}份")
    cov = data[data["section"] == COVERAGE]
    if data.attrs.get("total_rows", 0) > len(cov):
        notes.append(f"防治面积显示前{len(cov)}项，共{data.attrs['total_rows']}项")
    scope = ids or _report_ids(m, mt) or list(m.index)
    fig = _figure(*SLIDE, f"{scope_label(m, scope)} 林业有害生物防治".strip(), source_line(m, scope),
                  "；".join(notes), _subtitle("面积单位：亩；比率：% 或 ‰", m, scope))
    if data.empty:
        return _empty(fig)
    rates = data[data["section"] == RATES]
    blocks = [(k, cov[cov["kind"] == k]) for k in (DONE, PLANNED) if (cov["kind"] == k).any()]
    rate_keys = list(dict.fromkeys(rates["indicator"]))
    parts = [p for p, ok in (("cov", blocks), ("rate", rate_keys)) if ok]
    subs = fig.subfigures(1, len(parts), width_ratios=[1.5 if p == "cov" else 1 for p in parts],
                          wspace=0.04) if len(parts) > 1 else [fig]
    color = zh.category_colours()["pest_control"]
    handles = []
    for sub, part in zip(subs, parts):
        if part == "cov":
            sub.suptitle("防治面积与发生面积 (亩)", fontsize=12, color=color)
            axes = sub.subplots(len(blocks), 1, squeeze=False, height_ratios=[len(b) + 0.8 for _, b in blocks])[:, 0]
            for ax, (kind, block) in zip(axes, blocks):
                _coverage_panel(ax, kind, block, color, multi=len(ids) > 1)
            if (cov["base"].notna()).any():
                handles.append(Patch(facecolor=BASE_FILL, edgecolor="0.6", label="发生面积"))
            handles.append(Patch(facecolor=color, label="防治面积"))
            if (cov["kind"] == PLANNED).any():
                handles.append(Patch(facecolor="white", edgecolor=color, hatch="///", label="计划防治面积"))
            if cov["missing"].any():
                handles.append(_missing_handle())
            _legend(axes[0], handles, fontsize=9.5)
        else:
            sub.suptitle("主要比率与目标", fontsize=12, color=color)
            axes = sub.subplots(len(rate_keys), 1, squeeze=False,
                                height_ratios=[rates["indicator"].eq(k).sum() + 0.9 for k in rate_keys])[:, 0]
            for ax, key in zip(axes, rate_keys):
                _rate_panel(ax, rates[rates["indicator"] == key], color)
            marks = [Patch(facecolor=color, label="实际")] if rates["value"].notna().any() else []
            marks += [Line2D([], [], color="0.1", linewidth=2.2, label="目标")] if rates["target"].notna().any() else []
            _legend(axes[0], marks + ([_missing_handle()] if rates["missing"].any() else []), fontsize=9.5)
    return fig


BASE_FILL = "#e6e0ef"


def _coverage_panel(ax, kind: str, block: pd.DataFrame, color: str, multi: bool):
    n = len(block)
    for y, row in enumerate(block.itertuples(index=False)):
        if row.missing:
            _missing_band(ax, y, 0.6, row.text)
            continue
        if _known(row.base):
            ax.barh(y, row.base, height=0.75, color=BASE_FILL, edgecolor="0.6", linewidth=0.6, gid="base")
        if kind == PLANNED:
            ax.barh(y, row.value, height=0.42, facecolor="white", edgecolor=color, hatch="///", linewidth=1.0,
                    gid="value")
        else:
            ax.barh(y, row.value, height=0.42, color=color, gid="value")
        right = max(v for v in (row.value, row.base if _known(row.base) else 0.0) if v is not None)
        ax.annotate(row.text, xy=(right, y), xytext=(4, 0), textcoords="offset points", ha="left",
                    va="center", fontsize=10, color="0.15", annotation_clip=False)
    labels = [axis_label(f"{r.report} {r.label}" if multi else r.label, width=30)
              for r in block.itertuples(index=False)]
    ax.set_yticks(range(n), labels, fontsize=10)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    _number_axis(ax, False)
    known = [v for v in list(block["value"]) + list(block["base"]) if _known(v)]
    hi = max(known, default=0.0)
    ax.set_xlim(0, hi * 1.9 if hi > 0 else 1.0)
    if not known:
        ax.set_xticks([])
    ax.set_title("计划任务" if kind == PLANNED else "完成情况", fontsize=10.5, loc="left")


def _rate_panel(ax, rows: pd.DataFrame, color: str):
    first = rows.iloc[0]
    n = len(rows)
    for y, row in enumerate(rows.itertuples(index=False)):
        _bar_cell(ax, y, row.value if _known(row.value) else None, row.text, color, bool(row.missing),
                  row.target if _known(row.target) else None, height=0.55)
    ax.set_yticks(range(n), list(rows["report"]), fontsize=9.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    hi = max([v for v in list(rows["value"]) + list(rows["target"]) if _known(v)], default=1.0)
    if first["unit"] == "%":
        ax.set_xlim(0, max(hi, 100.0) * 1.45)
        ax.set_xticks([0, 25, 50, 75, 100])
    else:
        ax.set_xlim(0, hi * 1.6 if hi > 0 else 1.0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p, u=first["unit"]: f"{v:g}{u}"))
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title(f"{first['label']} ({first['unit']})", fontsize=10.5, loc="left")


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


__all__ = ["completion_rates", "completion_rates_data", "fire_prevention", "fire_prevention_data", "pest_control",
           "pest_control_data", "save", "file_name", "period_label",
           "scope_label", "source_line", "report_labels", "axis_label", "fmt_number", "fmt_tick", "fmt_rate",
           "MISSING", "INCONSISTENT", "NO_DATA", "DPI"]

