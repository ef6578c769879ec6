"""Start a throw-away JupyterLab server for the browser test, and stop it again.

Everything the server writes (config, data, runtime files, settings, workspaces) goes to a temporary
folder, so the test neither reads nor changes the user's own Jupyter set-up.  The ipywidgets
labextension is still found, because it lives in the virtualenv (sys.prefix/share/jupyter), which
these variables do not hide.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Settings that stop JupyterLab from phoning home (news, update checks) and from autosaving the
# notebook under test.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


@dataclass
class LabServer:
    """A running JupyterLab: its base URL, token, process and the folder it serves."""

    url: str
    token: str
    process: subprocess.Popen
    root: Path
    log: Path
    env: dict = field(repr=False, default_factory=dict)

    def lab_url(self, notebook: str) -> str:
        return f"{self.url.rstrip('/')}/lab/tree/{notebook}?token={self.token}"

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to shut down (it stops its kernels), then end its process group."""
        if self.process.poll() is None:
            try:
                req = urllib.request.Request(f"{self.url.rstrip('/')}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(req, timeout=5).read()
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # the server was started in its own session: pgid == pid
            except (ProcessLookupError, PermissionError):
                break
            try:
                self.process.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue


def write_settings(settings_dir: Path) -> None:
    for rel, value in LAB_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


def start_lab(root: Path, work: Path, timeout: float = 60.0) -> LabServer:
    """Start `jupyter lab` serving `root`, with every Jupyter folder under `work`; wait until it runs."""
    dirs = {name: work / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    write_settings(dirs["settings"])
    token = secrets.token_hex(24)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a real session: the kernel picks its own (inline) backend
    env.update({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
           f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--ServerApp.terminals_enabled=False", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = work / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(url="", token=token, process=proc, root=root, log=log, env=env)
    info = dirs["runtime"] / f"jpserver-{proc.pid}.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {proc.returncode} before it started:\n"
                               f"{server.log_tail()}")
        if info.is_file():
            try:
                data = json.loads(info.read_text(encoding="utf-8"))
            except json.JSONDecodeError:  # being written
                data = None
            if data and data.get("port"):
                server.url = data["url"]
                if _responds(server):
                    return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"JupyterLab did not start within {timeout:.0f} s (no {info.name} in the runtime folder):\n"
                       f"{server.log_tail()}")


def _responds(server: LabServer) -> bool:
    try:
        req = urllib.request.Request(f"{server.url.rstrip('/')}/api/status",
                                     headers={"Authorization": f"token {server.token}"})
        return urllib.request.urlopen(req, timeout=2).status == 200
    except (urllib.error.URLError, OSError):
        return False


def generated_notebook(path: Path, comparison: bool = True) -> Path:
    """The small stand-in for the timeline lesson: import, then one line per widget."""
    cells = [nbformat.v4.new_code_cell("from iraqtalks import source_comparison, timeline_explorer"),
             nbformat.v4.new_code_cell("timeline_explorer()")]
    if comparison:
        cells.append(nbformat.v4.new_code_cell('source_comparison(("a001", "a002"))'))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
