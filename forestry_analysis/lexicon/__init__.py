"""Load the linguistic data files in ``forestry_analysis/lexicon/`` (cached, read once).

``FORESTRY_LEXICON_DIR`` names a folder whose files replace the package's files of the same
name (set it before the package is imported): a bureau's own categories, units or catalogue
without editing the package.
"""
from __future__ import annotations

import csv
import os
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

ENV_VAR = "FORESTRY_LEXICON_DIR"


def _open(name: str):
    own = os.environ.get(ENV_VAR)
    if own and (Path(own) / name).is_file():
        return Path(own) / name
    return resources.files("forestry_analysis").joinpath("lexicon").joinpath(name)


@lru_cache(maxsize=None)
def toml(name: str) -> dict:
    """A TOML lexicon file as a dict."""
    return tomllib.loads(_open(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict, ...]:
    """A CSV lexicon file as a tuple of row dicts (lines starting with # are comments)."""
    lines = [ln for ln in _open(name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(lines))


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    """A one-entry-per-line lexicon file, without blank lines and # comments."""
    return tuple(ln.strip() for ln in _open(name).read_text(encoding="utf-8").splitlines()
                 if ln.strip() and not ln.startswith("#"))


def path(name: str) -> str:
    """Filesystem path of a lexicon file (for libraries that want a path, like jieba)."""
    return str(_open(name))
