"""Every function and method in forestry_analysis/pipeline/ fits on a screen (at most 60 lines),
so each rule can be read, and changed, on its own."""
import ast
from pathlib import Path

import forestry_analysis

PIPELINE = Path(forestry_analysis.__file__).parent / "pipeline"
MAX_LINES = 60


def _functions(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def test_no_function_in_the_pipeline_is_longer_than_60_lines():
    long = [f"{p.relative_to(PIPELINE)}:{line} {name} ({n} lines)"
            for p in sorted(PIPELINE.rglob("*.py")) for name, line, n in _functions(p) if n > MAX_LINES]
    assert not long, long


def test_the_size_check_sees_every_pipeline_module():
    names = {p.name for p in PIPELINE.rglob("*.py")}
    assert {"metrics.py", "rules.py", "completion.py", "relations.py", "outline.py"} <= names
    assert sum(1 for p in PIPELINE.rglob("*.py") for _ in _functions(p)) > 200
