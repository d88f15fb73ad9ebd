"""Print the share of afforestation, fire-prevention and pest-control metric rows that get a
catalogue ``indicator_id`` (lexicon/indicators.csv), per category and overall.

Usage: python scripts/catalogue_coverage.py [REPORT_OR_FOLDER ...]   (default: tests/gold)
``--missing`` lists the rows without an id, to extend the catalogue from.
"""
from __future__ import annotations

import sys
from pathlib import Path

import forestry_analysis as fa

CHART_CATEGORIES = ("afforestation", "fire_prevention", "pest_control")


def coverage(paths) -> tuple[dict[str, tuple[int, int]], list[tuple]]:
    """({category: (rows with an id, rows)}, rows without an id) over the reports in ``paths``."""
    files = [f for p in map(Path, paths) for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])]
    counts = {c: [0, 0] for c in CHART_CATEGORIES}
    lacking = []
    for f in files:
        for r in fa.read_report(f).rows("metrics"):
            if r["category"] in counts:
                counts[r["category"]][1] += 1
                if r["indicator_id"]:
                    counts[r["category"]][0] += 1
                else:
                    lacking.append((f.stem, r["category"], r["unit"], r["indicator"], r["raw"]))
    return {c: tuple(v) for c, v in counts.items()}, lacking


def main(argv):
    show = "--missing" in argv
    paths = [a for a in argv if a != "--missing"] or [str(Path(__file__).resolve().parent.parent / "tests" / "gold")]
    counts, lacking = coverage(paths)
    for cat, (hit, n) in counts.items():
        print(f"{cat:16s} {hit:4d}/{n:<4d} {hit / n if n else 0:.1%}")
    hit, n = sum(h for h, _ in counts.values()), sum(n for _, n in counts.values())
    print(f"{'all three':16s} {hit:4d}/{n:<4d} {hit / n if n else 0:.1%}")
    if show:
        for row in lacking:
            print(*row, sep="\t")


if __name__ == "__main__":
    main(sys.argv[1:])
