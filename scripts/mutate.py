"""A mutation run: small deliberate bugs, one at a time, each checked against the test suite.

    .venv/bin/python scripts/mutate.py            # every mutation (a few minutes each when one survives)
    .venv/bin/python scripts/mutate.py --list     # their names
    .venv/bin/python scripts/mutate.py NAME ...   # only these

Each mutation replaces one exact piece of source (or lexicon) text in a scratch copy of the
checkout (the working tree is never touched), runs ``pytest -x tests/`` there and restores the
file. A mutation the suite does not catch ("survived") is a hole in the tests. Exit status 1
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
     'ax.barh(y, b.value - lo, left=lo, height=height, color=colors[rid], gid="value")',
     'ax.barh(y, 2 * b.value - lo, left=lo, height=height, color=colors[rid], gid="value")'),
    ("completion_bars_half_as_long", f"{PKG}/present/plots.py",
     "ax.barh(y, rate, height=0.62", "ax.barh(y, rate / 2, height=0.62"),
    ("group_max_instead_of_sum", f"{PKG}/present/plots.py",
     "value=float(known.sum()) if len(known)", "value=float(known.max()) if len(known)"),
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
    ("cli_exits_zero_on_error", f"{PKG}/cli.py", "        return 1\n", "        return 0\n"),
]


def run(copy: Path, path: str, old: str, new: str, timeout: int) -> tuple[str, float]:
    file = copy / path
    original = file.read_text(encoding="utf-8")
    if original.count(old) != 1:
        return "stale (text not found once)", 0.0
    t0 = time.perf_counter()
    try:
        file.write_text(original.replace(old, new), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "tests/"],
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
    args = ap.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m[0] in args.names]
    if args.list:
        print("\n".join(m[0] for m in chosen))
        return 0
    survived = 0
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        copy = Path(tmp) / "checkout"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
            ".git", ".venv", "out", "__pycache__", ".hypothesis", "*.egg-info"))
        for name, path, old, new in chosen:
            verdict, secs = run(copy, path, old, new, args.timeout)
            survived += verdict == "SURVIVED"
            print(f"{name:36s} {verdict:12s} {secs:6.0f} s", flush=True)
    print(f"{len(chosen) - survived} of {len(chosen)} mutations caught")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
