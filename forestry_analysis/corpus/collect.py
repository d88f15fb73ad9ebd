"""Which files a corpus reads: folders walked recursively (links followed once, so a loop
cannot hang), each real file once, and as errors what cannot be listed or is not a report.
"""
from __future__ import annotations

import os
from pathlib import Path


def _real(path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, RuntimeError, ValueError):
        return str(path)


def _collect(sources) -> tuple[list[Path], list[dict]]:
    """Report files under ``sources`` (sorted, each real file once), and as errors the folders
    that could not be listed and the files of a type that is not read. Linked folders are followed once: a link loop ends, never hangs."""
    from forestry_analysis.io.reading import SIDECAR_SUFFIXES, SUPPORTED_SUFFIXES
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files, errors = [], []
    for src in map(Path, sources):
        if not src.is_dir():
            files.append((src, _real(src)))
            continue
        visited = set()
        def onerror(e):
            errors.append(dict(path=str(e.filename), reason=f"cannot list folder: {e.strerror or e}"))
        for root, dirs, names in os.walk(src, followlinks=True, onerror=onerror):
            try:
                st = os.stat(root)
            except OSError as e:
                errors.append(dict(path=root, reason=f"cannot list folder: {e.strerror or e}"))
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in visited:
                dirs[:] = []  # reached again through a link: already listed
                continue
            visited.add((st.st_dev, st.st_ino))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            real_root = _real(root)
            for name in sorted(names):
                p = Path(root) / name
                if name.startswith((".", "~$")) or p.suffix.lower() in SIDECAR_SUFFIXES:
                    continue  # hidden files, Office lock files, source-address sidecars
                if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                    errors.append(dict(path=str(p), reason=f"unsupported file type "
                                       f"{p.suffix.lower() or '(no suffix)'!r}; supported: {', '.join(SUPPORTED_SUFFIXES)}"))
                    continue
                # the real path: the folder's, resolved once, unless the file is a link
                files.append((p, _real(p) if os.path.islink(p) else os.path.join(real_root, name)))
    out, seen = [], set()
    for f, key in files:   # (path, real path)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out, errors
