"""The Report object: reading from a path or a string, offsets into Report.text, the
highlight view and quality findings."""
from pathlib import Path

import pytest

import forestry_analysis as fa

from conftest import SEED_KEY, key_mismatches

SEED = Path("data/samples/seed_banan_2020h1.txt")


@pytest.fixture(scope="module")
def seed():
    return fa.read_report(SEED)


def test_read_report_from_path_and_from_text_agree(seed):
    text = SEED.read_text(encoding="utf-8")
    other = fa.read_report(text=text, report_id="seed")
    assert seed.text == other.text == text
    for r in (seed, other):   # both give the hand-made key, pointing at the seed's own words
        assert key_mismatches(r.metrics, text) == []
        assert all(text[s:e] == raw for s, e, raw in zip(r.metrics["start"], r.metrics["end"], r.metrics["raw"]))
    assert seed.report_id == "seed_banan_2020h1" and other.report_id == "seed"


def test_empty_text_raises_report_read_error():
    with pytest.raises(fa.ReportReadError, match="empty"):
        fa.read_report(text="  \n\t ")


def test_offsets_point_into_text_as_read_for_traditional_full_width_and_gb18030(tmp_path):
    import opencc
    text = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    text = text.replace("11640", "１１６４０").replace("88", "８８")
    f = tmp_path / "trad.txt"
    f.write_bytes(text.encode("gb18030"))
    r = fa.read_report(f)
    assert r.text == text
    for row in r.metrics.itertuples():
        assert r.text[row.start:row.end] == row.raw
    assert 11640 in set(r.metrics["value"].dropna())


def test_pinyin_glosses_are_ignored_but_offsets_still_exact():
    text = "桂陽縣現有林地面積280余萬(wàn)畝,清理枯死松木17.18萬(wàn)株。"
    r = fa.read_report(text=text)
    got = r.metrics[["raw", "value", "unit"]].values.tolist()
    assert got == [["280余萬(wàn)畝", 2800000.0, "亩"], ["17.18萬(wàn)株", 171800.0, "株"]]


def test_seed_meta_title_year_and_warning(seed):
    m = seed.meta
    assert (m["org"], m["region"], m["year"], m["period"], m["date"]) == \
        ("重庆市巴南区林业局", "重庆市巴南区", 2020, "H1", "2020-06-30")
    assert len(m["warnings"]) == 1 and "2024" in m["warnings"][0]
    assert seed.meta_table.loc[0, "year"] == 2020


def test_seed_tasks_done_and_planned(seed):
    assert seed.tasks["status"].value_counts().to_dict() == {"done": 17, "planned": 9}


def test_quality_lists_every_lost_number_with_its_place(seed):
    q = seed.quality
    lost = q[q["code"] == "lost_number"]
    places = []
    for ctx, unit in SEED_KEY["lost"]:   # the unit left without its number, found in the text
        end = seed.text.index(ctx) + len(ctx)
        places.append((end - len(unit), end))
    assert list(zip(lost["start"], lost["end"])) == places
    for row, (_, unit) in zip(lost.itertuples(), SEED_KEY["lost"]):
        assert f"「{unit}」" in row.message
    assert "meta_conflict" in set(q["code"])


def test_highlight_marks_every_metric_and_escapes_text():
    r = fa.read_report(text="完成造林500亩,<script>x</script>占计划的%。")
    html = r.highlight()._repr_html_()
    assert html.count('class="fa-metric"') == len(r.metrics) == 2
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "dashed" in html          # the lost % is visibly marked
    assert "500 亩" in html          # tooltip with value and unit
