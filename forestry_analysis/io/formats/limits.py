"""Limits on what an untrusted file expands to, checked before it is parsed.

The settings and their defaults live in ``config.READ_LIMITS``; each message
names the file, the limit and the environment variable that changes it.
"""

from __future__ import annotations

import re
import zipfile

from forestry_analysis.config import read_limit
from forestry_analysis.errors import ReportReadError

_MB = 2**20
_PARSED = (".xml", ".rels")  # members a reader parses (images and fonts are never parsed)
_RATIO_FLOOR = _MB  # members smaller than this may compress as well as they like
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_ROOT = re.compile(rb"<[A-Za-z_]")


def _mb(size: int) -> str:
    return f"{size / _MB:,.0f} MB" if size >= 10 * _MB else f"{size / _MB:.3g} MB"


def over(path, what: str, amount: str, setting: str, limit) -> ReportReadError:
    return ReportReadError(path, f"{what} {amount}, over the limit of {limit} (setting {setting})")


def check_zip(archive: zipfile.ZipFile, path) -> None:
    """Refuse a zip container whose members expand past the size or ratio limits (the
    per-member size limit applies to the XML that is parsed: DOM parsers need several
    times its size in memory), or
    whose XML declares a DTD (OOXML and OpenDocument never do; entities are refused)."""
    total_mb = read_limit("FORESTRY_MAX_UNZIPPED_MB")
    member_mb = read_limit("FORESTRY_MAX_MEMBER_MB")
    ratio = read_limit("FORESTRY_MAX_ZIP_RATIO")
    total = 0
    for info in archive.infolist():
        size = info.file_size
        total += size
        if size > member_mb * _MB and info.filename.lower().endswith(_PARSED):
            raise over(path, f"member {info.filename} expands to", _mb(size),
                       "FORESTRY_MAX_MEMBER_MB", f"{member_mb} MB")
        if size > _RATIO_FLOOR and size > ratio * max(info.compress_size, 1):
            raise over(path, f"member {info.filename} has compression ratio",
                       f"{size / max(info.compress_size, 1):.0f}:1", "FORESTRY_MAX_ZIP_RATIO", f"{ratio}:1")
    if total > total_mb * _MB:
        raise over(path, "archive expands to", _mb(total), "FORESTRY_MAX_UNZIPPED_MB",
                   f"{total_mb} MB")
    for info in archive.infolist():
        if info.filename.lower().endswith(_PARSED):
            with archive.open(info) as member:
                head = member.read(65536)
            root = _ROOT.search(head)
            prolog = head[: root.start()] if root else head
            if _DOCTYPE.search(prolog):
                raise ReportReadError(path, f"member {info.filename} declares a DTD or entities; "
                                            "refused (XML entities are never expanded)")


def check_text(text: str, path) -> str:
    """Refuse text longer than FORESTRY_MAX_TEXT_CHARS; return it otherwise."""
    limit = read_limit("FORESTRY_MAX_TEXT_CHARS")
    if len(text) > limit:
        raise over(path, "text is", f"{len(text):,} characters", "FORESTRY_MAX_TEXT_CHARS", f"{limit:,} characters")
    return text


class TextBudget:
    """Counts characters as a reader produces them, refusing once past the text limit."""

    def __init__(self, path):
        self.path = path
        self.limit = read_limit("FORESTRY_MAX_TEXT_CHARS")
        self.used = 0

    def add(self, text: str) -> str:
        self.used += len(text)
        if self.used > self.limit:
            raise over(self.path, "text is over", f"{self.used:,} characters", "FORESTRY_MAX_TEXT_CHARS",
                       f"{self.limit:,} characters")
        return text
