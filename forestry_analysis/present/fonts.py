"""Make matplotlib draw Chinese text without tofu boxes.

``use_cjk_font()`` registers one CJK font through matplotlib's public API so that Latin text,
digits and the minus sign keep DejaVu Sans and every CJK glyph falls back to the CJK font.
matplotlib falls back glyph by glyph only across the *families* listed in ``font.family`` (a
generic ``sans-serif`` resolves to one file), so the CJK family is listed there after
``sans-serif`` as well as in ``font.sans-serif``. Charts call it before drawing.
"""
from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

ENV_VAR = "FORESTRY_CJK_FONT"
BASE_FAMILY = "DejaVu Sans"
MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"

# File-name patterns of system CJK sans fonts, best first (simplified Chinese before others).
_SYSTEM_PATTERNS = [
    r"NotoSansCJKsc-Regular\.otf$", r"NotoSansSC-Regular\.(otf|ttf)$", r"NotoSansCJK-Regular\.ttc$",
    r"NotoSansCJK[a-z]*-Regular\.(otf|ttc)$", r"SourceHanSansSC-Regular\.otf$",
    r"SourceHanSans(CN)?-Regular\.(otf|ttc)$", r"SourceHanSans.*Regular\.(otf|ttc)$",
    r"wqy-microhei\.ttc$", r"wqy-zenhei\.ttc$",
]
_PROBE = "中"


def _has_glyphs(path: str, chars: str) -> bool:
    charmap = font_manager.get_font(path).get_charmap()
    return all(ord(c) in charmap for c in chars)


def _system_font() -> str | None:
    try:
        found = font_manager.findSystemFonts()
    except Exception:
        return None
    for pattern in _SYSTEM_PATTERNS:
        rx = re.compile(pattern, re.IGNORECASE)
        for path in sorted(found):
            if rx.search(os.path.basename(path)) and os.path.isfile(path):
                return path
    return None


def _mplfonts_font() -> str | None:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = Path(base) / "fonts" / MPLFONTS_FILE
        if path.is_file():
            return str(path)
    return None


@lru_cache(maxsize=8)
def _register(env_path: str | None) -> tuple[str, str]:
    """Find and register the CJK font once per setting of the environment variable."""
    if env_path:
        if not os.path.isfile(env_path):
            raise RuntimeError(f"{ENV_VAR}={env_path!r} is not a font file.")
        path = env_path
    else:
        path = _system_font() or _mplfonts_font()
        if path is None:
            raise RuntimeError(
                "No CJK font found: install fonts-noto-cjk (Noto Sans CJK), Source Han Sans or "
                f"WenQuanYi, `pip install mplfonts`, or set {ENV_VAR} to a font file.")
    if not _has_glyphs(path, _PROBE):
        raise RuntimeError(f"{path} has no Chinese glyphs; set {ENV_VAR} to a CJK font file.")
    font_manager.fontManager.addfont(path)
    family = font_manager.FontProperties(fname=path).get_name()
    return path, family


def cjk_font_path() -> str:
    """Path of the registered CJK font (registers it first if needed)."""
    use_cjk_font()
    return _register(os.environ.get(ENV_VAR) or None)[0]


def cjk_rc() -> dict:
    """The rcParams that make Chinese text draw (font families with the CJK fallback, and
    ``axes.unicode_minus`` off only when no font has U+2212), for ``matplotlib.rc_context``:
    the package's charts use it so that plotting never changes the user's global settings."""
    path, family = _register(os.environ.get(ENV_VAR) or None)
    rc = {"font.family": ["sans-serif", family], "font.sans-serif": [BASE_FAMILY, family]}
    if not _minus_available(path):
        rc["axes.unicode_minus"] = False
    return rc


def use_cjk_font() -> str:
    """Register a CJK font with matplotlib and make it the glyph fallback after DejaVu Sans,
    globally (for an analyst's own charts; the package's charts use ``cjk_rc`` in a context).

    Order: the file named by ``$FORESTRY_CJK_FONT``; a system Noto Sans CJK / Source Han Sans /
    WenQuanYi font; the Noto Sans CJK SC shipped by the ``mplfonts`` package. Safe to call
    repeatedly: the font is looked up and registered once, the rcParams are re-applied each
    call (cheap, and survives ``rcdefaults``). Returns the CJK family name; raises
    ``RuntimeError`` when no CJK font can be found.
    """
    rc = cjk_rc()
    matplotlib.rcParams.update(rc)
    return rc["font.sans-serif"][1]


@lru_cache(maxsize=8)
def _minus_available(cjk_path: str) -> bool:
    """True when DejaVu Sans or the CJK font can draw U+2212 (the minus sign)."""
    try:
        base = font_manager.findfont(font_manager.FontProperties(family=BASE_FAMILY),
                                     fallback_to_default=False)
        if _has_glyphs(base, "\u2212"):
            return True
    except ValueError:
        pass
    return _has_glyphs(cjk_path, "\u2212")
