"""The curated notebooks: stored in good shape, runnable by papermill with other inputs, and
served by JupyterLab.

Their stored outputs are checked separately by nbval:
    pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ["01_quickstart", "02_completion_rates", "03_fire_prevention", "04_pest_control",
             "05_explore"]
MAX_BYTES = 1_500_000


def _load(name: str) -> dict:
    return json.loads((NB_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


# ---------------------------------------------------------------- stored notebooks

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_notebook_is_clean(name):
    path = NB_DIR / f"{name}.ipynb"
    assert path.stat().st_size < MAX_BYTES
    assert (NB_DIR / f"{name}.py").is_file(), "paired py:percent file missing (jupytext --sync)"
    nb = _load(name)
    assert nb["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert "injected-parameters" not in json.dumps([c.get("metadata") for c in code])
    p = _source(params[0])
    assert "config." in p and "output_dir = str(config.OUTPUT_DIR)" in p
    checked = 0
    for cell in code:
        src = _source(cell)
        assert cell.get("execution_count") is not None, f"not executed: {src[:60]!r}"
        assert not re.search(r"['\"](/|[A-Za-z]:\\)|data/samples", src), f"literal path in {src[:60]!r}"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", src[:60]
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), \
                f"stderr output in {src[:60]!r}: {out['text'][:200]!r}"
        checked += "NBVAL_CHECK_OUTPUT" in src
    assert checked >= 2, "mark the cells whose output nbval must compare"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "run top to bottom in one kernel"


def test_jupytext_config():
    text = (ROOT / "jupytext.toml").read_text(encoding="utf-8")
    assert re.search(r'^formats\s*=\s*"ipynb,py:percent"', text, re.M)


# ---------------------------------------------------------------- papermill

def test_papermill_injects_parameters(tmp_path):
    pytest.importorskip("papermill")
    out_nb = tmp_path / "quickstart_a01.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(NB_DIR / "01_quickstart.ipynb"), str(out_nb),
           "-p", "report_path", "data/samples/a01.txt", "-p", "output_dir", str(tmp_path / "out"),
           "-k", "python3", "--no-progress-bar", "--execution-timeout", "120"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-3000:]
    nb = json.loads(out_nb.read_text(encoding="utf-8"))
    cells = nb["cells"]
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    i = next(i for i, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[i + 1]
    assert 'report_path = "data/samples/a01.txt"' in _source(cells[i + 1])
    shown = json.dumps([o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])],
                       ensure_ascii=False)
    assert "<Report 'a01'" in shown
    assert "seed_banan_2020h1" not in shown


# ---------------------------------------------------------------- JupyterLab server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read().decode("utf-8"))


@pytest.fixture
def lab_server(tmp_path):
    """A JupyterLab server on 127.0.0.1 with a random port and token; always stopped."""
    pytest.importorskip("jupyterlab")
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_PLATFORM_DIRS="1")
    log = (tmp_path / "server.log").open("wb")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--IdentityProvider.token={token}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=", "--ServerApp.terminals_enabled=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            if proc.poll() is not None:
                log.flush()
                pytest.fail(f"jupyterlab exited with {proc.returncode}:\n"
                            + (tmp_path / "server.log").read_text(errors="replace")[-3000:])
            try:
                status, _ = _get(f"{base}/api/status?token={token}", timeout=2)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                log.flush()
                pytest.fail("jupyterlab did not answer within 40 s:\n"
                            + (tmp_path / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_jupyterlab_serves_the_notebooks(lab_server):
    base, token = lab_server
    status, listing = _get(f"{base}/api/contents/notebooks?token={token}")
    assert status == 200
    assert listing["type"] == "directory"
    names = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    assert {f"{n}.ipynb" for n in NOTEBOOKS} <= names
    # without the token the API refuses
    with pytest.raises(urllib.error.HTTPError) as exc:
        _get(f"{base}/api/contents/notebooks")
    assert exc.value.code in (401, 403)
