"""Every unit and scale word in the lexicon has a sentence that uses it (tests/cases/units.jsonl),
so deleting or breaking any entry of units.csv or scales.csv fails a test."""
import csv
import json
from pathlib import Path

import pytest

import forestry_analysis as fa

LEXICON = Path(fa.__file__).parent / "lexicon"
CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "units.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
UNIT_CASES = [c for c in CASES if "surface" in c]
SCALE_CASES = [c for c in CASES if "scale" in c]
WORD_CASES = [c for c in CASES if "unit_word" in c]


def _entries(name: str, column: str) -> list[str]:
    lines = [line for line in (LEXICON / name).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return [row[column] for row in csv.DictReader(lines)]


def test_every_unit_in_the_lexicon_has_a_case():
    assert sorted(set(_entries("units.csv", "surface")) - {c["surface"] for c in UNIT_CASES}) == []


def test_every_unit_word_in_the_lexicon_has_a_case():
    words = fa.lexicon.toml("numbers.toml")["unit_word"]
    assert sorted({u + w for u, ws in words.items() for w in ws} - {c["unit_word"] for c in WORD_CASES}) == []


def test_every_scale_in_the_lexicon_has_a_case():
    assert sorted(set(_entries("scales.csv", "surface")) - {c["scale"] for c in SCALE_CASES}) == []


def _only_metric(case):
    rows = fa.read_report(text=case["text"]).metrics
    assert len(rows) == 1, rows[["raw", "value", "unit"]].to_dict("records")
    return rows.iloc[0]


@pytest.mark.parametrize("case", UNIT_CASES, ids=[c["surface"] for c in UNIT_CASES])
def test_unit_is_read_with_its_number(case):
    row = _only_metric(case)
    assert row["raw"] == case["raw"]
    assert row["unit_written"] == case["surface"]
    assert row["unit"] == case["unit"]
    assert row["value"] == pytest.approx(case["value"])
    assert not row["missing"]


@pytest.mark.parametrize("case", SCALE_CASES, ids=[c["scale"] for c in SCALE_CASES])
def test_scale_word_multiplies_the_number(case):
    row = _only_metric(case)
    assert row["raw"] == case["raw"]
    assert row["unit"] == case["unit"]
    assert row["value"] == pytest.approx(case["value"])


@pytest.mark.parametrize("case", WORD_CASES, ids=[c["unit_word"] for c in WORD_CASES])
def test_unit_that_begins_a_word_is_no_unit(case, monkeypatch):
    """三方面 holds no 3 立方米: with the [unit_word] entry only the case's own metric is read,
    without it the 方 of 方面 is read as a unit."""
    assert _only_metric(case)["raw"] == case["raw"]
    from forestry_analysis.pipeline.quantities import units
    monkeypatch.setattr(units, "_word_starts", lambda: {})
    rows = fa.read_report(text=case["text"]).metrics
    assert case["unit_word"][0] in set(rows["unit_written"].dropna())
