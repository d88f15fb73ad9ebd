#!/usr/bin/env bash
# Create .venv (if needed), install the package, and write the briefing for the bundled
# sample reports to out/ (charts, Excel workbook, Markdown summary).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
.venv/bin/forestry-analysis brief --out out "$@"
