"""The on-disk cache of ``read_corpus``: where it lives, what keys it, sealed files, pruning.

Layout: ``<cache dir>/<version>/<k[:2]>/<key>.arrow`` (one report) and
``<cache dir>/<version>/corpora/<corpus key>/`` (a whole corpus), where ``<version>`` is
``cache_version()``. Every file is *sealed*: an 8-byte magic, the BLAKE2b-256 digest of the
rest, the size of the Arrow IPC file, then that file compressed with zstd in one piece
(about a fifth of its size, and faster to read than Arrow's per-buffer compression). A
file whose digest does not match (a changed byte, a truncated write) is never served: it
is removed, read again and rewritten.

Size: entries of other versions are removed, and the cache is kept under
``$FORESTRY_CACHE_MAX_MB`` (default ``DEFAULT_MAX_MB``) by removing the least recently
written entries first.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

CACHE_ENV = "FORESTRY_CACHE_DIR"
MAX_ENV = "FORESTRY_CACHE_MAX_MB"
DEFAULT_MAX_MB = 2048
MAGIC = b"FACACHE2"
HEADER = len(MAGIC) + 32 + 8
# Modules that only present tables: a change to them leaves every cached table right.
_VERSION_DIR = re.compile(r"^\d[\w.+-]*-[0-9a-f]{16}$")
_CODEC = pa.Codec("zstd", compression_level=3)


class CacheWarning(UserWarning):
    """Something is wrong with the cache (a corrupt entry, a read-only folder); the run goes on."""


class Corrupt(Exception):
    """A cache file whose digest does not match its content."""


@lru_cache(maxsize=1)
def cache_version() -> str:
    """Hash of what decides a file's tables besides its bytes: the package version, every module
    outside ``present/`` and the CLI, and the lexicon files (found by walking the package, no
    hand-kept list to forget a new module in). Cache entries of another version are never read."""
    from forestry_analysis import __version__
    from forestry_analysis.config import PACKAGE_DIR as pkg
    h = hashlib.sha1(__version__.encode())
    code = [p for p in sorted(pkg.rglob("*.py"))
            if p.relative_to(pkg).parts[0] not in ("present", "cli.py")]
    own = os.environ.get("FORESTRY_LEXICON_DIR")   # a bureau's own lexicon files
    overlay = sorted(Path(own).glob("*")) if own and Path(own).is_dir() else []
    for p in code + sorted((pkg / "lexicon").glob("*")) + overlay:
        try:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        except OSError:  # not installed with the package: the version alone decides
            pass
    return f"{__version__}-{h.hexdigest()[:16]}"


def default_cache_dir() -> Path:
    """``$FORESTRY_CACHE_DIR``, else ``~/.cache/forestry-analysis``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "forestry-analysis"


def base_dir(cache) -> Path | None:
    """The cache folder for ``read_corpus(cache=...)`` (None for ``cache=False``)."""
    if cache is False:
        return None
    return default_cache_dir() if cache is None or cache is True else Path(cache).expanduser()


def cache_root(cache) -> Path | None:
    base = base_dir(cache)
    return None if base is None else base / cache_version()


def max_bytes() -> int:
    """The size bound: ``$FORESTRY_CACHE_MAX_MB`` megabytes, default ``DEFAULT_MAX_MB``."""
    try:
        mb = float(os.environ.get(MAX_ENV, DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 2**20)


def file_key(path) -> str | None:
    """Cache key of a file: sha1 of its bytes and its name (the name gives report_id, and the
    title when the text has none). None when the file cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    h = hashlib.sha1(data)
    h.update(b"\0" + Path(path).name.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / f"{key}.arrow"


def _digest(data) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def write_table(path: Path, table: pa.Table) -> None:
    """``table`` sealed into ``path``, atomically (write then rename): a concurrent reader
    never sees half a file. Raises OSError."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    raw = sink.getvalue()
    buf = _CODEC.compress(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC + _digest(buf) + raw.size.to_bytes(8, "little"))
            f.write(buf)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_table(path: Path) -> pa.Table | None:
    """The table sealed in ``path``; None if there is no such file; ``Corrupt`` if its
    digest, magic or Arrow content is wrong."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Corrupt(f"{path}: {exc}") from exc
    m = len(MAGIC)
    if len(data) < HEADER or data[:m] != MAGIC or _digest(memoryview(data)[HEADER:]) != data[m:m + 32]:
        raise Corrupt(f"{path}: digest does not match")
    try:
        raw = _CODEC.decompress(pa.py_buffer(data).slice(HEADER),
                                decompressed_size=int.from_bytes(data[m + 32:HEADER], "little"))
        return pa.ipc.open_file(raw).read_all()
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        raise Corrupt(f"{path}: {exc}") from exc


def cached_text(cache_dir, key: str) -> str | None:
    """The text stored with a cache entry (``Corpus.texts`` reads it on demand)."""
    try:
        t = read_table(entry_path(Path(cache_dir), key))
        return None if t is None else t.column("text")[0].as_py()
    except (Corrupt, KeyError):
        return None


def discard(path: Path) -> None:
    """Remove a corrupt file or folder (ignored on a read-only cache)."""
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        pass


def writable(root: Path) -> bool:
    """Whether new entries can be written under ``root`` (created if missing)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".probe.{os.getpid()}.{threading.get_ident()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def warn(message: str, stacklevel: int = 3) -> None:
    warnings.warn(f"forestry-analysis cache: {message}", CacheWarning, stacklevel=stacklevel)


# -- pruning, info, clear -----------------------------------------------------------------


def _files(folder: Path):
    """(path, size, mtime) of every file under ``folder``."""
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(dirpath, n)
            try:
                st = os.stat(p)
            except OSError:
                continue
            yield p, st.st_size, st.st_mtime


def _versions(base: Path) -> list[Path]:
    try:
        return sorted(d for d in base.iterdir() if d.is_dir() and _VERSION_DIR.match(d.name))
    except OSError:
        return []


def prune(base: Path, limit: int | None = None) -> dict:
    """Remove the versions other than this one, then the oldest entries (a whole corpus as
    one) until the cache holds at most 90% of ``limit`` bytes (default ``max_bytes()``)
    once it is over it."""
    limit = max_bytes() if limit is None else limit
    current = cache_version()
    removed_versions = 0
    for d in _versions(base):
        if d.name != current:
            shutil.rmtree(d, ignore_errors=True)
            removed_versions += 1
    root = base / current
    units = []   # (mtime, bytes, path): one per entry file, one per whole-corpus folder
    if root.is_dir():
        corpora = root / "corpora"
        inside = str(corpora) + os.sep
        for p, size, mtime in _files(root):
            if not p.startswith(inside):
                units.append((mtime, size, Path(p)))
        for d in corpora.iterdir() if corpora.is_dir() else []:
            files = list(_files(d))
            try:
                units.append((d.stat().st_mtime, sum(s for _, s, _ in files), d))
            except OSError:
                pass
    total = sum(u[1] for u in units)
    removed = 0
    if total > limit:
        for _, size, p in sorted(units, key=lambda u: u[0]):
            if total <= 0.9 * limit:
                break
            discard(p)
            total -= size
            removed += 1
    return dict(removed_versions=removed_versions, removed_files=removed, bytes=total)


def info(base: Path) -> dict:
    """What the cache folder holds: per version, entries, corpora and bytes."""
    out = dict(dir=str(base), current=cache_version(), max_bytes=max_bytes(), versions=[])
    for d in _versions(base):
        files = list(_files(d))
        corpora = d / "corpora"
        out["versions"].append(dict(
            version=d.name, current=d.name == out["current"],
            entries=sum(1 for p, _, _ in files if p.endswith(".arrow") and os.sep + "corpora" + os.sep not in p),
            corpora=sum(1 for c in corpora.iterdir() if c.is_dir()) if corpora.is_dir() else 0,
            bytes=sum(s for _, s, _ in files)))
    out["bytes"] = sum(v["bytes"] for v in out["versions"])
    return out


def clear(base: Path) -> int:
    """Remove every version folder of the cache; the number of bytes freed."""
    freed = 0
    for d in _versions(base):
        freed += sum(s for _, s, _ in _files(d))
        shutil.rmtree(d, ignore_errors=True)
    return freed
