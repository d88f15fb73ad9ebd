"""Shared test settings and fixtures.

The corpus cache goes to a temporary folder, never the user's home. Permission tests run
code as an unprivileged user: root reads every file, so as root the code runs in a forked
child that drops to ``nobody``.
"""
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("FORESTRY_CACHE_DIR", tempfile.mkdtemp(prefix="forestry-test-cache-"))

SEED = Path(__file__).resolve().parents[1] / "data" / "samples" / "seed_banan_2020h1.txt"
NOBODY = 65534


def _run_as(uid: int, fn):
    """Run fn() in a forked child with ``uid``; return ("ok", value), ("error", message) or
    ("skip", why). The child needs no file access beyond fn's: modules are already loaded."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(rfd)
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            except OSError as exc:
                payload = ("skip", f"cannot switch to uid {uid}: {exc}")
            else:
                try:
                    payload = ("ok", fn())
                except BaseException as exc:  # noqa: BLE001 - reported to the parent
                    payload = ("error", f"{type(exc).__name__}: {exc}")
            with os.fdopen(wfd, "wb") as f:
                pickle.dump(payload, f)
        finally:
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(data) if data else ("skip", "child process died")


@pytest.fixture
def as_other_user():
    """``run(fn, warm_up=None)``: fn() as an unprivileged user; ("ok", value) or ("error", msg).

    As root, ``warm_up()`` runs first in this process so that the child (which cannot read the
    interpreter's files) finds every module it needs already loaded."""
    def run(fn, warm_up=None):
        if os.geteuid() != 0:
            try:
                return ("ok", fn())
            except Exception as exc:  # noqa: BLE001 - reported to the test
                return ("error", f"{type(exc).__name__}: {exc}")
        if not hasattr(os, "fork"):
            pytest.skip("running as root and cannot fork to drop privileges")
        if warm_up is not None:
            warm_up()
        status, value = _run_as(NOBODY, fn)
        if status == "skip":
            pytest.skip(value)
        return status, value
    return run


@pytest.fixture
def unreadable_report():
    """A report file that exists but cannot be read (in a folder others can enter)."""
    folder = Path(tempfile.mkdtemp(prefix="fa-locked-"))
    folder.chmod(0o755)
    path = folder / "locked.txt"
    path.write_bytes(SEED.read_bytes())
    path.chmod(0)
    yield path
    path.chmod(0o644)
    shutil.rmtree(folder)


SEED_KEY = json.loads((Path(__file__).parent / "cases" / "seed_key.json").read_text(encoding="utf-8"))


def key_mismatches(metrics, text: str) -> list:
    """Where a seed metrics table (a DataFrame, or one read back from an export) departs from
    tests/cases/seed_key.json: a keyed row missing or read otherwise (value, unit, approx, kind,
    the words naming it), a row the key does not list, a lost number not at its place in
    ``text``, or a lost number the key does not list."""
    records = sorted(metrics.to_dict("records"), key=lambda r: int(r["start"]))
    by_raw: dict[str, list] = {}
    for r in records:
        if not bool(r["missing"]):
            by_raw.setdefault(str(r["raw"]), []).append(r)
    bad, taken = [], {}
    for want in SEED_KEY["metrics"]:   # the key is in text order: the n-th 2个 is the n-th row written 2个
        k = taken[want["raw"]] = taken.get(want["raw"], -1) + 1
        written = by_raw.get(want["raw"], [])
        row = written[k] if k < len(written) else None
        got = None if row is None else (float(row["value"]), row["unit"], bool(row["approx"]), row["kind"])
        if got != (float(want["value"]), want["unit"], want.get("approx", False), want.get("kind", "actual")):
            bad.append((want["raw"], got))
        elif want.get("names", "") not in str(row["indicator"]):
            bad.append((want["raw"], row["indicator"]))
    bad += [("metric not in the key", raw, len(rows) - taken.get(raw, -1) - 1)
            for raw, rows in by_raw.items() if len(rows) > taken.get(raw, -1) + 1]
    lost = {(text.index(ctx) + len(ctx) - len(unit), text.index(ctx) + len(ctx)) for ctx, unit in SEED_KEY["lost"]}
    missing = metrics[metrics["missing"].astype(bool)]
    found = {(int(s), int(e)) for s, e in zip(missing["start"], missing["end"])}
    bad += [("lost number not found", text[s - 6:e]) for s, e in sorted(lost - found)]
    bad += [("lost number not in the key", text[s - 6:e]) for s, e in sorted(found - lost)]
    return bad
