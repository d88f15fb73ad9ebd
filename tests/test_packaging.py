"""The set-up a new user meets: pyproject, environment.yml, README commands, CI script, data."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _names(specs):
    return {re.split(r"[<>=!\[ ;]", s.strip(), maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _names(project["dependencies"])
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = _names(m.group(1) for m in re.finditer(r"^\s*-\s+([A-Za-z][\w.\-]*(?:\[[^\]]*\])?[^\n#]*)$", env, re.M))
    assert wanted <= listed, f"missing from environment.yml: {wanted - listed}"
    assert re.search(r"python>=3\.1[1-9]", env)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme and "bash scripts/test.sh" in ci
    assert "bash scripts/brief.sh" in readme


def test_console_script_and_package_data_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["forestry-analysis"] == "forestry_analysis.cli:main"
    assert "lexicon/*" in project["tool"]["setuptools"]["package-data"]["forestry_analysis"]
    assert "dev" in project["project"]["optional-dependencies"]


def test_every_bundled_sample_has_its_source_beside_it():
    samples = sorted((ROOT / "data" / "samples").glob("*.txt"))
    assert len(samples) >= 13
    for txt in samples:
        url = txt.with_suffix(".url")
        assert url.exists() and url.read_text(encoding="utf-8").strip(), txt.name


def test_seed_report_is_in_the_project():
    seeds = list((ROOT / "seeds").glob("*.txt"))
    assert seeds and seeds[0].read_bytes() == (ROOT / "data" / "samples" / "seed_banan_2020h1.txt").read_bytes()
