"""Tasks and metrics joined (task_id, n_metrics, n_missing, headline) and the follow-up of a
report's plans in a later report of the same organisation."""
from pathlib import Path

import pandas as pd
import pytest

import forestry_analysis as fa
from forestry_analysis.doc import schema

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold"
PAIR = HERE / "data" / "followups"


@pytest.fixture(scope="module")
def seed():
    return fa.read_report(GOLD / "seed_banan_2020h1.txt")


def _item(report, section_start: str, item: str):
    t = report.tasks
    return t[t["section"].str.startswith(section_start) & (t["item"] == item)]


def test_seed_tasks_numbered_in_text_order(seed):
    t = seed.tasks
    assert t["status"].value_counts().to_dict() == {"done": 17, "planned": 9}
    assert t["task_id"].tolist() == list(range(26))
    assert t["start"].is_monotonic_increasing
    again = fa.read_report(GOLD / "seed_banan_2020h1.txt")
    pd.testing.assert_frame_equal(again.tasks, t)


@pytest.mark.parametrize("path", sorted(GOLD.glob("*.txt")), ids=lambda p: p.stem)
def test_every_metric_inside_a_work_item_has_its_task_id(path):
    report = fa.read_report(path)
    t, m = report.tasks, report.metrics
    for row in m.itertuples():
        holder = t[(t["start"] <= row.start) & (row.end <= t["end"])]
        expected = holder["task_id"].item() if len(holder) else None
        assert (pd.isna(row.task_id) and expected is None) or row.task_id == expected, row.raw
    assert t["n_metrics"].sum() == m["task_id"].notna().sum()
    assert t["n_missing"].sum() == m.loc[m["task_id"].notna(), "missing"].sum()


def test_seed_numbers_outside_items_have_no_task(seed):
    m = seed.metrics
    # the lead paragraph of (二), before its 一是, and of (五), before its 一是
    outside = {seed.text.index("3740万元"), seed.text.index("7个,占计划"), seed.text.index("3名工作人员")}
    assert m[m["start"].isin(outside)]["task_id"].isna().all()
    assert len(m[m["start"].isin(outside)]) == 3


def test_seed_counts_and_headlines_of_items(seed):
    fire = seed.tasks[seed.tasks["text"].str.startswith("切实抓好森林防火工作")].iloc[0]
    # 39次, 1700余处, 5次, 10万余份, 232个 and the lost 审批防火公路公里
    assert (fire["n_metrics"], fire["n_missing"]) == (6, 1)
    assert fire["headline"] == "共开展防火专项检查39次"
    supplies = _item(seed, "上半年", "二是").iloc[0]
    assert supplies["headline"] == "全局系统共发放口罩11640个"
    assert supplies["n_metrics"] == 5 and supplies["n_missing"] == 0


def test_seed_planned_items_with_their_targets(seed):
    t = seed.tasks
    planned = t[t["status"] == "planned"]
    assert planned["item"].tolist() == [f"{c}是" for c in "一二三四五六七八九"]
    with_target = planned[planned["n_metrics"] > 0]
    assert with_target["item"].tolist() == ["二是"]
    afforest = with_target.iloc[0]
    assert afforest["headline"] == "确保19万亩年度任务完成"
    targets = seed.metrics[seed.metrics["task_id"] == afforest["task_id"]]
    assert targets["raw"].tolist() == ["19万亩", "10个"] and (targets["kind"] == "plan").all()


def test_seed_done_items_with_no_number(seed):
    t = seed.tasks
    bare = t[(t["status"] == "done") & (t["n_metrics"] == 0)]
    assert [s[:6] for s in bare["text"]] == ["高度重视,强", "抓任务分解。", "抓项目打捆。"]
    assert bare["headline"].isna().all()


def test_corpus_tables_carry_task_ids():
    c = fa.read_corpus([GOLD / "seed_banan_2020h1.txt"], cache=False, workers=1)
    r = fa.read_report(GOLD / "seed_banan_2020h1.txt")
    assert c.tasks["task_id"].tolist() == r.tasks["task_id"].tolist()
    assert c.metrics["task_id"].astype("Int64").equals(r.metrics["task_id"])
    assert c.tasks["n_metrics"].sum() == c.metrics["task_id"].notna().sum()


@pytest.fixture(scope="module")
def pair():
    return fa.read_corpus(PAIR, cache=False, workers=1)


def test_pair_reports_are_h1_and_annual_of_one_org(pair):
    meta = pair.meta.set_index("report_id")
    assert meta.loc["qingshan_2023h1", "period"] == "H1" and meta.loc["qingshan_2023", "period"] == "annual"
    assert meta["org"].nunique() == 1


def test_h1_plans_matched_with_the_annual_items_that_carry_them_out(pair):
    f = pair.followups()
    h1 = f[f["plan_report_id"] == "qingshan_2023h1"]
    assert len(h1) == 6   # the six 下半年工作计划 items
    done = h1[h1["outcome"] == "reported"]
    heads = [t.split("\n")[0] for t in done["done_text"]]
    assert [p.split("。")[0] for p in done["plan_text"]] == ["全力完成造林绿化任务", "抓好森林防火工作",
                                                             "加强松材线虫病防控", "深化林长制改革"]
    assert heads == ["造林绿化任务全面完成", "森林防火工作扎实有效", "松材线虫病防控成效明显", "林长制改革持续深化"]
    assert (done["done_report_id"] == "qingshan_2023").all()
    assert (done["similarity"] >= 0.2).all()
    afforest = done.iloc[0]
    assert afforest["plan_metrics"].split("；")[0] == "完成人工造林1.2万亩"
    assert "完成营造林3.1万亩" in afforest["done_metrics"].split("；")   # 全年 is a time word, not the name


def test_plans_never_carried_out_are_listed_as_not_reported(pair):
    f = pair.followups()
    missed = f[f["outcome"] == "not_reported"]
    assert [p[:6] for p in missed["plan_text"]] == ["推进古树名木", "加快森林康养"]
    assert missed["done_task_id"].isna().all() and (missed["similarity"] < 0.2).all()


def test_plans_of_the_latest_report_have_no_later_report(pair):
    f = pair.followups()
    latest = f[f["plan_report_id"] == "qingshan_2023"]
    assert len(latest) == 3 and (latest["outcome"] == "no_later_report").all()
    assert list(f.columns) == schema.columns("followups")
    assert f.dtypes.tolist() == [fd.dtype for fd in schema.TABLES["followups"]]


def test_a_report_of_another_org_does_not_follow_up(tmp_path):
    for p in PAIR.glob("*.txt"):
        text = p.read_text(encoding="utf-8")
        if p.stem == "qingshan_2023":
            text = text.replace("青山县", "绿水县")
        (tmp_path / p.name).write_text(text, encoding="utf-8")
    f = fa.read_corpus(tmp_path, cache=False, workers=1).followups()
    assert (f["outcome"] == "no_later_report").all() and len(f) == 9
