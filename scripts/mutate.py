"""A mutation run: small deliberate bugs, one at a time, each checked against the test suite.

    .venv/bin/python scripts/mutate.py            # every mutation (a few minutes each when one survives)
    .venv/bin/python scripts/mutate.py --list     # their names
    .venv/bin/python scripts/mutate.py NAME ...   # only these

Each mutation replaces one exact piece of source (or lexicon) text in a scratch copy of the
checkout (the working tree is never touched), runs ``pytest -x`` on the test files in TESTS
there and restores the file. A mutation the suite does not catch ("survived") is a hole in the tests. Exit status 1
when any survived.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "forestry_analysis"

# name, file, the exact text, what it becomes
MUTATIONS = [
    ("bars_twice_as_long", f"{PKG}/present/plots.py",
     'ax.barh(y, value, height=height, color=color, gid="value")',
     'ax.barh(y, 2 * value, height=height, color=color, gid="value")'),
    ("pest_bars_twice_as_long", f"{PKG}/present/plots.py",
     'ax.barh(y, row.value, height=0.42, color=color, gid="value")',
     'ax.barh(y, 2 * row.value, height=0.42, color=color, gid="value")'),
    ("completion_bars_half_as_long", f"{PKG}/present/plots.py",
     "width = min(row.shown, RATE_CAP)\n", "width = min(row.shown, RATE_CAP) / 2\n"),
    ("group_max_instead_of_sum", f"{PKG}/present/plots.py",
     "sum(v for _, v in known)) if known else None", "max(v for _, v in known)) if known else None"),
    ("rate_tolerance_five_points", f"{PKG}/pipeline/completion.py",
     '_RATE_PER.get(rate["unit"], 100), 0.005)', '_RATE_PER.get(rate["unit"], 100), 0.05)'),
    ("implausible_rate_threshold_raised", f"{PKG}/pipeline/quality.py",
     "IMPLAUSIBLE_RATE = 3.0", "IMPLAUSIBLE_RATE = 3.5"),
    ("approx_never_set", f"{PKG}/pipeline/quantities/rules.py",
     "def prefix_approx(ex, start):\n", "def prefix_approx(ex, start):\n    return False\n"),
    ("lost_numbers_disabled", f"{PKG}/pipeline/quantities/rules.py",
     "LOST_NUMBERS = (blanks, lost_units, lost_counts)\n", "LOST_NUMBERS = (blanks, lost_counts)\n"),
    ("unit_zong_removed", f"{PKG}/lexicon/units.csv", "\n宗,", "\n#宗,"),
    ("unit_kuai_removed", f"{PKG}/lexicon/units.csv", "\n块,", "\n#块,"),
    ("unit_pici_removed", f"{PKG}/lexicon/units.csv", "\n批次,", "\n#批次,"),
    ("unit_yanmi_removed", f"{PKG}/lexicon/units.csv", "\n延米,", "\n#延米,"),
    ("unit_muci_removed", f"{PKG}/lexicon/units.csv", "\n亩次,", "\n#亩次,"),
    ("unit_checi_removed", f"{PKG}/lexicon/units.csv", "\n车次,", "\n#车次,"),
    ("unit_pian_removed", f"{PKG}/lexicon/units.csv", "\n篇,", "\n#篇,"),
    ("parts_added_to_their_total", f"{PKG}/pipeline/summary.py",
     'top = (m["part_of"].isna() & m["restates"].isna()', 'top = (m["restates"].isna()'),
    ("lost_number_drawn_as_zero", f"{PKG}/present/plots.py",
     "sum(v for _, v in known)) if known else None", "sum(v for _, v in known)) if known else 0.0"),
    ("lost_rate_drawn_as_zero", f"{PKG}/present/plots.py",
     "shown = rate if rate is not None else stated\n",
     "shown = rate if rate is not None else stated if stated is not None else 0.0\n"),
    ("rate_cap_raised", f"{PKG}/present/plots.py", "RATE_CAP = 2.0 ", "RATE_CAP = 2.5 "),
    ("met_below_100_percent", f"{PKG}/present/plots.py", "shown >= 1 - 1e-9", "shown >= 0.99"),
    ("rate_tolerance_whole_last_digit", f"{PKG}/pipeline/completion.py",
     "max(0.5 * 10 ** -decimals", "max(1.0 * 10 ** -decimals"),
    ("signature_year_tolerance_two", f"{PKG}/lexicon/meta.toml", "date_tolerance = 1\n", "date_tolerance = 2\n"),
    ("parts_may_exceed_total_by_one_percent", f"{PKG}/pipeline/relations.py",
     "sum(vals) <= t * 1.001 + 1e-9", "sum(vals) <= t * 1.01 + 1e-9"),
    ("completion_cue_window_widened", f"{PKG}/lexicon/relations.toml", "window = 16\n", "window = 20\n"),
    ("formulation_window_widened", f"{PKG}/lexicon/numbers.toml", "formulation_window = 8\n",
     "formulation_window = 10\n"),
    ("quoted_slogan_longer", f"{PKG}/lexicon/numbers.toml", "quoted_slogan_max = 10\n", "quoted_slogan_max = 12\n"),
    ("lost_count_window_widened", f"{PKG}/pipeline/quantities/rules.py", "PHRASE_END, max(0, s - 20))", "PHRASE_END, max(0, s - 24))"),
    ("title_may_be_longer", f"{PKG}/lexicon/meta.toml", "max_len = 60\n", "max_len = 70\n"),
    ("lost_count_after_a_counted_number", f"{PKG}/pipeline/quantities/rules.py",
     "        if i < len(taken_starts) and taken_starts[i] < s:\n",
     "        if False:\n"),
    ("followup_similarity_lowered", f"{PKG}/corpus/followups.py", "MIN_SIMILARITY = 0.2\n", "MIN_SIMILARITY = 0.19\n"),
    ("aligned_cell_may_be_longer", f"{PKG}/pipeline/tables.py", "_MAX_CELL = 40 ", "_MAX_CELL = 45 "),
    ("plan_heading_may_be_longer", f"{PKG}/lexicon/meta.toml", "max_heading_len = 20\n", "max_heading_len = 24\n"),
    ("run_in_heading_may_be_longer", f"{PKG}/pipeline/outline.py", "_HEAD_MAX = 16 ", "_HEAD_MAX = 17 "),
    ("section_name_longer", f"{PKG}/lexicon/outline.toml", "section_name_len = 10\n", "section_name_len = 11\n"),
    ("category_margin_lowered", f"{PKG}/pipeline/categories.py", "best >= 2 * weight", "best >= 1 * weight"),
    ("category_margin_raised", f"{PKG}/pipeline/categories.py", "best >= 2 * weight", "best >= 3 * weight"),
    ("headline_han_share_lowered", f"{PKG}/pipeline/meta.py", ">= 0.7 * len(line)", ">= 0.68 * len(line)"),
    ("body_place_window_widened", f"{PKG}/lexicon/meta.toml", "body_chars = 400\n", "body_chars = 401\n"),
    ("opening_window_widened", f"{PKG}/lexicon/meta.toml", "opening_chars = 300\n", "opening_chars = 301\n"),
    ("rate_list_gap_widened", f"{PKG}/pipeline/relations.py", "len(gap) <= 2 and set(gap)", "len(gap) <= 3 and set(gap)"),
    ("cache_pruned_less", f"{PKG}/corpus/cache.py", "total <= 0.9 * limit", "total <= 0.91 * limit"),
    ("title_label_may_be_longer", f"{PKG}/present/plots.py", '_cut(str(row["title"]), 24)', '_cut(str(row["title"]), 26)'),
    ("scope_names_four_regions", f"{PKG}/present/plots.py", "len(regions) > 3 or", "len(regions) > 4 or"),
    ("markdown_lists_more_findings", f"{PKG}/present/brief.py", "MAX_FINDINGS = 40\n", "MAX_FINDINGS = 41\n"),
    ("word_table_keeps_more_rows", f"{PKG}/present/brief.py", "DOCX_ROWS = 12 ", "DOCX_ROWS = 13 "),
    ("per_unit_cell_taken", f"{PKG}/pipeline/tables.py",
     "if v is None or (v.unit is None and _per_unit(c.text)):", "if v is None:"),
    ("target_window_widened", f"{PKG}/lexicon/charts.toml", "target_window = 8\n", "target_window = 9\n"),
    ("two_chinese_digits_read_as_one_number", f"{PKG}/pipeline/quantities/numbers.py",
     "if not percent and _TWO_DIGITS.fullmatch(raw):", "if False:"),
    ("date_column_read_as_label", f"{PKG}/pipeline/tables.py",
     'elif h and _has(h, lx["date"]) and not header_unit(h):', "elif False:"),
    ("unit_per_occasion_removed", f"{PKG}/lexicon/units.csv", "\n公顷/次,", "\n#公顷/次,"),
    ("cli_exits_zero_on_error", f"{PKG}/cli.py", "        return 1\n", "        return 0\n"),
    ("unlike_count_units_made_parts", f"{PKG}/pipeline/relations.py",
     ' and (fa_ == "area" or a.get("unit") == b.get("unit"))', ""),
    ("unit_beginning_a_word_still_a_unit", f"{PKG}/pipeline/quantities/units.py",
     "return None if word is not None and word.match(text, m.end()) else units()[m.group()]",
     "return units()[m.group()]"),
    ("outline_count_read_as_work", f"{PKG}/pipeline/quantities/rules.py",
     '"outline_nouns"]):\n        return "outline"', '"outline_nouns"]):\n        return None'),
    ("unit_face_removed", f"{PKG}/lexicon/units.csv", "\n面,面,1,count,,0", ""),
    ("rate_type_read_across_a_semicolon", f"{PKG}/pipeline/relations.py",
     'last["end"] if last else floor)', 'last["end"] if last else 0)'),
    ("done_target_title_read_as_plan", f"{PKG}/pipeline/meta.py",
     ' and not lex["plan_done"].search(title)', ""),
    ("dotted_date_counted", f"{PKG}/pipeline/quantities/rules.py",
     'return "date" if any(m.start() <= tok.start', 'return None if any(m.start() <= tok.start'),
    ("coverage_base_only_occurring", f"{PKG}/lexicon/relations.toml",
     'coverage_base = ["发生", "应施", "应检"]', 'coverage_base = ["发生"]'),
    ("forecast_paired_as_target", f"{PKG}/pipeline/completion.py",
     'not any(w in (r["indicator"] or "") for w in _forecast_words())', "True"),
    ("plan_parts_read_against_the_whole", f"{PKG}/pipeline/completion.py",
     "rows, paired = _pair_part_plans(members, report_id, used), {}", "rows, paired = [], {}"),
    ("scaled_value_binary_product", f"{PKG}/pipeline/quantities/units.py",
     "            out *= Decimal(repr(float(f)))", "            out = Decimal(float(out) * f)"),
    ("average_joins_the_catalogue", f"{PKG}/pipeline/quantities/metrics.py",
     "    if indicator.startswith(_AVERAGE_HEADS):\n        return None, None", "    if False:\n        return None, None"),
    ("coverage_base_completed_as_a_plan", f"{PKG}/pipeline/completion.py",
     'r["kind"] == "plan" and not r.get("_coverage_base") and', 'r["kind"] == "plan" and'),
    ("breakdown_sentence_forgets_its_total", f"{PKG}/pipeline/quantities/metrics.py",
     "    if not group and _BREAKDOWN.match(lead):", "    if False:"),
    ("bracketed_rate_given_to_the_total", f"{PKG}/pipeline/relations.py",
     "actual = _bracketed(simple, actuals, r) or (tops or actuals or [None])[-1]", "actual = (tops or actuals or [None])[-1]"),
    ("sibling_part_taken_as_whole", f"{PKG}/pipeline/quantities/metrics.py",
     "and not p.breakdown and p.unit.family == m.unit.family), None)", "and p.unit.family == m.unit.family), None)"),
    ("organisation_kept_in_the_indicator", f"{PKG}/pipeline/quantities/metrics.py",
     '    s = _ORG_HEAD.sub("", s) if not _ORG_LAST.isdisjoint(s) else s\n', ""),
    ("unit_gloss_counted_twice", f"{PKG}/pipeline/relations.py",
     '            b["restates"] = a["metric_id"]', "            pass"),
    ("share_of_a_total_not_a_part", f"{PKG}/pipeline/relations.py",
     '                q["part_of"] = t["metric_id"]\n', ""),
    ("kept_tail_words_stripped", f"{PKG}/pipeline/quantities/metrics.py",
     '_TAIL_RX = re.compile("(?<=.)" + _TAIL_KEEP + ', '_TAIL_RX = re.compile("(?<=.)" + '),
    ("numbered_formula_counted", f"{PKG}/pipeline/quantities/rules.py", "if len(chain) >= least:", "if False:"),
    ("rate_list_reads_only_its_own_clause", f"{PKG}/pipeline/quantities/metrics.py",
     'while cs > floor and text[cs - 1] == "、"', "while False"),
]
# The tests each mutation is checked against: the files that tie behaviour to the text (fast
# ones first, so a caught mutation stops early with -x). Override with --tests.
TESTS = ["tests/test_thresholds.py", "tests/test_chart_geometry.py", "tests/test_units_lexicon.py",
         "tests/test_metrics.py", "tests/test_tables.py", "tests/test_relations.py", "tests/test_completion.py",
         "tests/test_meta.py", "tests/test_plots.py", "tests/test_report.py", "tests/test_cli.py"]


def run(copy: Path, path: str, old: str, new: str, timeout: int, tests: list[str]) -> tuple[str, float]:
    file = copy / path
    original = file.read_text(encoding="utf-8")
    if original.count(old) != 1:
        return "stale (text not found once)", 0.0
    t0 = time.perf_counter()
    try:
        file.write_text(original.replace(old, new), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                              cwd=copy, capture_output=True, text=True, timeout=timeout,
                              env=os.environ | {"PYTHONPATH": str(copy)})
        verdict = "caught" if proc.returncode != 0 else "SURVIVED"
    except subprocess.TimeoutExpired:
        verdict = "caught (timeout)"
    finally:
        file.write_text(original, encoding="utf-8")
    return verdict, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--tests", nargs="+", default=TESTS, help="test files to run (default: TESTS)")
    args = ap.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m[0] in args.names]
    if args.list:
        print("\n".join(m[0] for m in chosen))
        return 0
    survived = stale = 0
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        copy = Path(tmp) / "checkout"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
            ".git", ".venv", "out", "__pycache__", ".hypothesis", "*.egg-info"))
        for name, path, old, new in chosen:
            verdict, secs = run(copy, path, old, new, args.timeout, args.tests)
            survived += verdict == "SURVIVED"
            stale += verdict.startswith("stale")
            print(f"{name:36s} {verdict:12s} {secs:6.0f} s", flush=True)
    print(f"{len(chosen) - survived - stale} of {len(chosen)} mutations caught"
          + (f"; {stale} stale (their text is no longer in the file: update them)" if stale else ""))
    return 1 if survived or stale else 0


if __name__ == "__main__":
    sys.exit(main())
