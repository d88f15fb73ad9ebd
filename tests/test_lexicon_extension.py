"""A category, a unit and a catalogue indicator added as data only (a lexicon folder named by
FORESTRY_LEXICON_DIR) reach the metrics, the tasks, the completion table and its chart, the
category colours and order, highlight() and the briefing."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import forestry_analysis as fa

LEXICON = Path(fa.__file__).parent / "lexicon"
TEXT = "某县林草局2021年工作总结\n一、草原保护\n1、全年草原围栏建设任务4000亩，已完成5000亩，栽植灌木1200丛。\n"
PROBE = r"""
import json, sys
import forestry_analysis as fa
from forestry_analysis.present import brief, highlight, labels, plots
r = fa.read_report(text=sys.argv[1])
m = r.metrics
paths = brief.write_brief(r, sys.argv[2])
chart = plots.completion_rates_data(r.completion, r.meta_table)
fig = plots.completion_rates(r.completion, r.meta_table)
print(json.dumps({"metrics": m[["raw", "unit", "category", "indicator_id"]].astype(object).where(m.notna(), None)
                  .to_dict("records"),
                  "tasks": r.tasks["category"].astype(str).tolist(),
                  "completion": r.completion["category"].astype(str).tolist(),
                  "chart": chart[["category", "label", "shown"]].to_dict("records"),
                  "ticks": [t.get_text() for t in fig.axes[0].get_yticklabels()],
                  "colours": [labels.category_colours("chart")["grassland"], plots.CATEGORY_COLORS["grassland"],
                              highlight.COLOURS["grassland"]],
                  "order": labels.category_order()[-2:],
                  "highlight": str(highlight.highlight(r)),
                  "md": paths["briefing.md"].read_text(encoding="utf-8"),
                  "docx": paths["briefing.docx"].exists()}, ensure_ascii=False))
"""


def _with_row(name: str, row: dict) -> str:
    """The lexicon CSV ``name`` with one more row (columns as the file has them)."""
    text = (LEXICON / name).read_text(encoding="utf-8")
    comments = [ln for ln in text.splitlines() if ln.startswith("#")]
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    fields = next(csv.reader([rows[0]]))
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=fields, lineterminator="\n").writerow({f: row.get(f, "") for f in fields})
    return "\n".join(comments + rows) + "\n" + out.getvalue()


def test_a_category_a_unit_and_an_indicator_added_as_data(tmp_path):
    lex = tmp_path / "lexicon"
    lex.mkdir()
    (lex / "categories.toml").write_text((LEXICON / "categories.toml").read_text(encoding="utf-8") +
                                         '\n[grassland]\nlabel = "草原保护"\nkeywords = ["草原", "草场", "灌木"]\n',
                                         encoding="utf-8")
    (lex / "units.csv").write_text(_with_row("units.csv", {"surface": "丛", "base_unit": "丛", "to_base": "1",
                                                           "family": "count", "to_mu": "", "strong": "0"}),
                                   encoding="utf-8")
    (lex / "indicators.csv").write_text(_with_row("indicators.csv", {
        "id": "grassland_fence", "label": "草原围栏", "category": "grassland", "family": "area",
        "synonyms": "草原围栏", "example": "完成草原围栏建设5000亩"}), encoding="utf-8")
    env = os.environ | {"FORESTRY_LEXICON_DIR": str(lex)}
    proc = subprocess.run([sys.executable, "-c", PROBE, TEXT, str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["metrics"] == [
        {"raw": "4000亩", "unit": "亩", "category": "grassland", "indicator_id": "grassland_fence"},
        {"raw": "5000亩", "unit": "亩", "category": "grassland", "indicator_id": "grassland_fence"},
        {"raw": "1200丛", "unit": "丛", "category": "grassland", "indicator_id": None}]
    assert got["tasks"] == ["grassland"]
    assert got["completion"] == ["grassland"]
    assert got["chart"] == [{"category": "grassland", "label": "草原围栏建设 (亩)", "shown": 1.25}]
    assert got["ticks"] == ["草原围栏建设 (亩)"]
    assert got["colours"] == ["#a0a0a0", "#a0a0a0", "#e9ecef"]     # colours.toml's defaults
    assert got["order"] == ["grassland", "other"]
    assert "草原保护" in got["highlight"]                            # the legend names the new category
    md = got["md"]
    assert "### 草原保护" in md and "| 草原围栏 | 完成 | 亩 | 5,000 |" in md and "| 栽植灌木 | 完成 | 丛 | 1,200 |" in md
    assert "| 草原围栏建设 | 5,000 | 4,000 | 亩 | 125.0% |" in md and got["docx"]


def test_without_the_setting_the_package_lexicon_is_used():
    rows = fa.read_report(text=TEXT).metrics
    assert list(rows["raw"]) == ["4000亩", "5000亩"]          # 丛 is not a unit of the package's lexicon
    assert "grassland" not in rows["category"].cat.categories
