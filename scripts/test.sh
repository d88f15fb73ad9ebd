#!/usr/bin/env bash
# Create .venv (if needed), install the package with its dev extra, run the whole suite:
# unit and property tests, the gold-set score, and the notebooks' stored outputs (nbval).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
.venv/bin/python -m pytest -q -p no:cacheprovider \
    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
    tests/ notebooks/ "$@"
