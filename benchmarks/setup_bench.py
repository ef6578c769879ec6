"""(e) setup: from a fresh clone with an empty package cache to a JupyterLab that answers on its port.

Measured in one run, each from an empty package cache of its own (downloads included):

* kit      `python kit.py lab --no-browser` in a fresh `git clone` of the kit, until JupyterLab answers
           `GET /api` on its port. uv comes from PATH when it is there (as on this machine); with
           `--setup-no-uv` it is hidden, so the kit installs uv for itself first (a teacher's machine).
* floor    the bare fast installer: `uv venv` + `uv pip install -r requirements.txt` (the same locked set)
           into an empty environment. Target: the kit within 1.5x of it, and under 30 s.
* pip      with `--setup-pip`: `python -m venv` + `pip install --no-cache-dir -r requirements.txt`, for
           comparison only (several minutes).

Nothing is asserted; the figures are printed with the other sections.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clone(dest: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True)
    return dest


def _env(cache: Path, hide_uv: bool) -> dict[str, str]:
    env = dict(os.environ, UV_CACHE_DIR=str(cache), PIP_NO_CACHE_DIR="1")
    env.pop("VIRTUAL_ENV", None)
    if hide_uv:
        uv = shutil.which("uv")
        if uv:
            folder = str(Path(uv).parent)
            env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != folder)
    return env


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def kit_first_run(work: Path, hide_uv: bool, timeout: float = 900) -> float:
    clone = _clone(work / "clone")
    port = _free_port()
    env = _env(work / "cache-kit", hide_uv)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "kit.py", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1"],
        cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        while not _answers(port):
            if proc.poll() is not None:
                raise RuntimeError(f"./kit lab exited with {proc.returncode} before JupyterLab answered")
            if time.perf_counter() - started > timeout:
                raise RuntimeError("JupyterLab did not answer in time")
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def uv_floor(work: Path) -> float:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    clone = _clone(work / "clone-floor")
    env = _env(work / "cache-floor", hide_uv=False)
    started = time.perf_counter()
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(clone / ".venv")], env=env, check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(clone / ".venv" / "bin" / "python"),
                    "-r", "requirements.txt"], cwd=clone, env=env, check=True)
    return time.perf_counter() - started


def pip_reference(work: Path) -> float:
    clone = _clone(work / "clone-pip")
    env = _env(work / "cache-pip", hide_uv=False)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(clone / ".venv")], env=env, check=True)
    subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-cache-dir",
                    "--disable-pip-version-check", "-r", "requirements.txt"], cwd=clone, env=env, check=True)
    return time.perf_counter() - started


def bench_setup(results: list, hide_uv: bool = False, with_pip: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="kit-setup-bench-") as tmp:
        work = Path(tmp)
        floor = uv_floor(work)
        kit = kit_first_run(work, hide_uv)
        how = "uv bootstrapped by the kit" if hide_uv else "uv on PATH"
        results.append(("setup: fresh clone to JupyterLab answering", kit, floor, 1.5,
                        f"{how}; floor = uv venv + uv pip install, empty cache; target also < 30 s "
                        f"({'PASS' if kit < 30 else 'MISS'})"))
        if with_pip:
            pip = pip_reference(work)
            results.append(("setup: pip install (comparison)", pip, floor, float("nan"),
                            "python -m venv + pip install --no-cache-dir -r requirements.txt"))
