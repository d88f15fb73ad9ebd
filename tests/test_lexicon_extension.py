"""A category, a unit and a catalogue indicator added as data only (a lexicon folder named by
FORESTRY_LEXICON_DIR) reach the metrics, the tasks, the charts and the briefing."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import forestry_analysis as fa

LEXICON = Path(fa.__file__).parent / "lexicon"
TEXT = "某县林草局2021年工作总结\n一、草原保护\n1、完成草原围栏建设5000亩，栽植灌木1200丛。\n"
PROBE = r"""
import json, sys
import forestry_analysis as fa
from forestry_analysis.present import brief, plots
r = fa.read_report(text=sys.argv[1])
m = r.metrics
paths = brief.write_brief(r, sys.argv[2])
fig = plots.completion_rates(r.completion, r.meta_table)
print(json.dumps({"metrics": m[["raw", "unit", "category", "indicator_id"]].astype(object).where(m.notna(), None)
                  .to_dict("records"),
                  "tasks": r.tasks["category"].astype(str).tolist(),
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
        {"raw": "5000亩", "unit": "亩", "category": "grassland", "indicator_id": "grassland_fence"},
        {"raw": "1200丛", "unit": "丛", "category": "grassland", "indicator_id": None}]
    assert got["tasks"] == ["grassland"]
    assert "### 草原保护" in got["md"] and got["docx"]


def test_without_the_setting_the_package_lexicon_is_used():
    rows = fa.read_report(text=TEXT).metrics
    assert list(rows["raw"]) == ["5000亩"]          # 丛 is not a unit of the package's lexicon
    assert "grassland" not in rows["category"].cat.categories
