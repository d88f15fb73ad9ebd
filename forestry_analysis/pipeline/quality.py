"""Data-quality findings an analyst can read: lost numbers, placeholders, metadata
conflicts, stated rates that disagree with their numbers, implausible rates."""
from __future__ import annotations

from types import SimpleNamespace

IMPLAUSIBLE_RATE = 3.0   # a completion rate above 300% is worth a second look


def _text(value, default: str) -> str:
    return default if value is None else str(value)


def quality_rows(rid: str, meta: dict, metrics: list[dict], numbers: list[dict],
                 completion: list[dict]) -> list[dict]:
    """Findings (schema 'quality') from one report's meta and the rows of its metrics,
    numbers and completion tables."""
    rows = []

    def add(severity, code, message, start=None, end=None):
        rows.append(dict(report_id=rid, severity=severity, code=code, message=message, start=start, end=end))

    for w in meta.get("warnings") or []:
        add("warning", "meta_conflict", w)
    for r in (SimpleNamespace(**r) for r in metrics if r["missing"]):
        placeholder = any(c in r.raw for c in "xX×*?？")
        add("warning", "placeholder" if placeholder else "lost_number",
            f"{'占位符代替了数字' if placeholder else '数字缺失'}: 「{r.raw}」({_text(r.indicator, '未知指标')}, 单位 {r.unit_written})",
            r.start, r.end)
    for r in (SimpleNamespace(**r) for r in numbers if r["reason"] == "metric_decimal_full_stop"):
        add("warning", "odd_decimal", f"「{r.raw}」: 小数点写成了句号, 按 {r.value:g} 读取, 请核对原文", r.start, r.end)
    for r in (SimpleNamespace(**r) for r in completion):
        label = _text(r.indicator, _text(r.indicator_id, "?"))
        if r.consistent is not None and not r.consistent:
            add("warning", "rate_mismatch",
                f"{label}: 报告完成率 {r.stated_rate:.1%} 与数字计算 {r.rate:.1%} 不符"
                if r.rate is not None and r.stated_rate is not None else f"{label}: {r.note}",
                r.rate_start, r.rate_end)
        if r.actual is None or r.plan is None:
            side = "完成数" if r.actual is None else "计划数"
            add("info", "incomplete_pair", f"{label}: {side}缺失, 无法计算完成率", r.actual_start, r.actual_end)
        if r.rate is not None and r.rate > IMPLAUSIBLE_RATE:
            add("warning", "implausible_rate", f"{label}: 完成率 {r.rate:.0%} 超过 {IMPLAUSIBLE_RATE:.0%}",
                r.actual_start, r.actual_end)
    return rows
