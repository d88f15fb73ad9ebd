"""A near miss on each side of every threshold the package applies: a loosened or tightened
check fails here. Expected flags follow from the numbers in each sentence."""
import pytest

import forestry_analysis as fa

PAIR = "全县完成人工造林{actual}亩，{verb}年度计划{plan}亩的{rate}。"


def _pair(actual, plan, rate, verb="占"):
    r = fa.read_report(text=PAIR.format(actual=actual, plan=plan, rate=rate, verb=verb))
    rows = r.completion.to_dict("records")
    assert len(rows) == 1, rows
    return rows[0], set(r.quality["code"])


@pytest.mark.parametrize("actual,plan,rate,consistent", [
    (5000, 10000, "54%", False),     # 4 points off: a wrong rate
    (5000, 10000, "51%", False),     # a whole-percent rate is good to half a percent
    (5000, 10000, "50.6%", False),   # past half a percent
    (5000, 10000, "50.4%", True),    # within half a percent
    (5000, 10000, "50%", True),
    (4600, 5000, "九成", True),       # 92% written as 九成: good to the nearest tenth
    (4800, 5000, "九成", False),      # 96% is not 九成
])
def test_stated_rate_is_checked_against_the_numbers(actual, plan, rate, consistent):
    row, codes = _pair(actual, plan, rate, verb="占" if "%" in rate else "为")
    assert row["rate"] == pytest.approx(actual / plan)
    assert bool(row["consistent"]) is consistent
    assert ("rate_mismatch" in codes) is not consistent


@pytest.mark.parametrize("actual,flagged", [(30100, True), (29900, False)])
def test_a_completion_rate_above_300_percent_is_flagged(actual, flagged):
    rate = f"{actual / 100:g}%"
    _, codes = _pair(actual, 10000, rate)
    assert ("implausible_rate" in codes) is flagged
