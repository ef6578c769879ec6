"""A throw-away JupyterHub handing out the student edition with an nbgitpuller link, for tests/test_hub.py
and `./kit bench --hub`.

* `publish_student_edition(dest)` writes the student edition into `dest` and makes it a git repository
  (branch `main`): the teacher's repository the pull link points at.
* `start_hub(work)` starts JupyterHub (tests/hub/jupyterhub_config.py) on 127.0.0.1 with its proxy, every
  file it writes under `work`; `HubServer.stop()` stops the hub, which stops the student servers and the proxy,
  then ends any process of theirs still there.
* `pull_and_open(page, hub, student, repo)` follows the pull link in the browser like a student: log in, wait
  for the server and the pull, land in JupyterLab on the first lesson. `run_notebook(page, path)` runs every cell
  through JupyterLab (the student's kernel) and saves the notebook.

Nothing here reads outside the repository and the temporary folder, or listens beyond 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from browserkit import ALL_CELLS_DONE_JS, ERRORS_JS, RUN_ALL_JS  # tests/ is on sys.path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = HERE / "jupyterhub_config.py"
# The folder nbgitpuller copies the kit into: the last part of the repository's URL.
FOLDER = "iraqtalks-kit"
FIRST_LESSON = "notebooks/00-start-here.ipynb"
# git without the machine's or the user's own configuration, and with a fixed author for the teacher.
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "Teacher",
           "GIT_AUTHOR_EMAIL": "teacher@localhost", "GIT_COMMITTER_NAME": "Teacher",
           "GIT_COMMITTER_EMAIL": "teacher@localhost"}


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=repo, env=dict(os.environ, **GIT_ENV), check=True,
                         capture_output=True, text=True)
    return out.stdout


# --------------------------------------------------------------------------- the teacher's repository


def write_student_edition(dest: Path) -> Path:
    """The student edition of the kit (`./kit release`), as the teacher publishes it."""
    from iraqtalks.authoring.release import write_student_edition as release

    return release(dest)


def publish_student_edition(parent: Path) -> Path:
    """The student edition as a git repository `parent/FOLDER` on branch `main`, one commit."""
    repo = parent / FOLDER
    repo.mkdir(parents=True)
    write_student_edition(repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Student edition")
    return repo


def pull_link(hub_url: str, repo: Path, branch: str = "main", open_path: str = FIRST_LESSON) -> str:
    """The link a teacher hands out (README, classroom section), for a repository on this machine."""
    query = urllib.parse.urlencode({"repo": repo.as_uri(), "branch": branch,
                                    "urlpath": f"lab/tree/{FOLDER}/{open_path}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


# --------------------------------------------------------------------------- the hub


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class HubServer:
    url: str
    token: str
    process: subprocess.Popen
    work: Path
    log: Path
    homes: Path
    env: dict = field(repr=False, default_factory=dict)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def api(self, path: str, method: str = "GET") -> dict | list | None:
        req = urllib.request.Request(f"{self.url}/hub/api/{path.lstrip('/')}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def server_pids(self) -> dict[str, int]:
        """The process id of each running student server, by student name (from the hub's children)."""
        import psutil

        out = {}
        for child in psutil.Process(self.process.pid).children(recursive=False):
            try:
                env_home = child.environ().get("HOME", "")
            except (psutil.Error, OSError):
                continue
            if env_home.startswith(str(self.homes)):
                out[Path(env_home).name] = child.pid
        return out

    def listening(self) -> set[str]:
        """Every address:port on which the hub, its proxy, the student servers or their kernels listen."""
        import psutil

        out = set()
        root = psutil.Process(self.process.pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                conns = proc.net_connections(kind="inet")
            except psutil.Error:
                continue
            out |= {f"{c.laddr.ip}:{c.laddr.port}" for c in conns if c.status == psutil.CONN_LISTEN}
        return out

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the hub (it stops the student servers and its proxy), then end whatever of theirs is left."""
        try:
            import psutil

            left = psutil.Process(self.process.pid).children(recursive=True)
        except Exception:  # psutil missing or the hub already gone
            left = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # JupyterHub's clean shutdown: servers, then proxy
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for proc in left:  # started by this hub only: their ids were read while it ran
            try:
                proc.kill()
            except Exception:
                pass


def start_hub(work: Path, timeout: float = 120.0, slow_start: dict[str, float] | None = None) -> HubServer:
    """Start JupyterHub with tests/hub/jupyterhub_config.py, all its files under `work`; wait until it answers.

    `slow_start` delays the server of the students named by that many seconds, as on a busy hub."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "homes").mkdir(exist_ok=True)
    port = _free_port()
    token = secrets.token_hex(24)
    env = dict(os.environ)
    for name in [k for k in env if k.startswith(("JUPYTER", "IPYTHON", "MPL"))]:
        env.pop(name)  # nothing of the caller's Jupyter set-up reaches the hub or the students
    env.update({
        "IRAQTALKS_HUB_WORK": str(work), "IRAQTALKS_HUB_PORT": str(port), "IRAQTALKS_HUB_TOKEN": token,
        "IRAQTALKS_HUB_INTERNAL_PORT": str(_free_port()), "IRAQTALKS_HUB_PROXY_API_PORT": str(_free_port()),
        "IRAQTALKS_HUB_PROXY_TOKEN": secrets.token_hex(24), "IRAQTALKS_HUB_FOLDER": FOLDER,
        "IRAQTALKS_HUB_SLOW_START": ",".join(f"{k}:{v}" for k, v in (slow_start or {}).items()),
        "HOME": str(work), "PYTHONUNBUFFERED": "1", "GIT_CONFIG_NOSYSTEM": "1",
        # the student servers find the kit's python and tools first
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    })
    env.pop("IRAQTALKS_DATA", None)
    log = work / "jupyterhub.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=work, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    hub = HubServer(url=f"http://127.0.0.1:{port}", token=token, process=proc, work=work, log=log,
                    homes=work / "homes", env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with status {proc.returncode} before it started:\n{hub.log_tail()}")
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/api", timeout=2) as r:
                if r.status == 200:
                    return hub
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    hub.stop()
    raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s:\n{hub.log_tail()}")


# --------------------------------------------------------------------------- a student in the browser

TIMEOUT_MS = 180_000

PANEL_READY_JS = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
    && panel.context.isReady;
}"""
SET_SOURCE_JS = """([path, start, source]) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  const cell = panel.content.widgets.find(c => c.model.sharedModel.getSource().startsWith(start));
  if (!cell) return false;
  cell.model.sharedModel.setSource(source);
  return true;
}"""
OUTPUT_TEXT_JS = """([path, start]) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  const cell = panel.content.widgets.find(c => c.model.sharedModel.getSource().startsWith(start));
  return cell ? cell.model.outputs.toJSON().map(o => o.text || (o.data && o.data['text/plain']) || '').join('') : null;
}"""
SAVE_JS = """async (path) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  await panel.context.save();
  return !panel.context.model.dirty;
}"""
OPEN_JS = """async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); return true; }"""
SHUTDOWN_KERNELS_JS = """async () => { await window.jupyterapp.serviceManager.sessions.refreshRunning();
  for (const s of Array.from(window.jupyterapp.serviceManager.sessions.running())) {
    await window.jupyterapp.serviceManager.sessions.shutdown(s.id); }
  return true; }"""


def log_in(page, hub: HubServer, student: str, next_url: str) -> None:
    """Open `next_url`; on the hub's login page, log in as `student` (the dummy login takes any password)."""
    page.goto(next_url)
    if "/hub/login" in page.url:
        page.fill("#username_input", student)
        page.fill("#password_input", "any password")
        page.click("#login_submit")


def click_link(page, hub: HubServer, student: str, repo: Path) -> None:
    """Follow the pull link as `student` (logging in when asked), without waiting for the server or the pull."""
    log_in(page, hub, student, pull_link(hub.url, repo))


def wait_for_lesson(page, student: str, kernel: bool = True) -> str:
    """Wait until nbgitpuller has pulled and sent `student` to lesson 00 in JupyterLab (and, with `kernel`, until
    the lesson is open with its kernel idle); return the lesson's path in JupyterLab."""
    path = f"{FOLDER}/{FIRST_LESSON}"
    page.wait_for_url(f"**/user/{student}/lab/tree/{path}*", timeout=TIMEOUT_MS)
    if kernel:
        page.wait_for_function(PANEL_READY_JS, arg=path, timeout=TIMEOUT_MS)
    return path


def pull_and_open(page, hub: HubServer, student: str, repo: Path) -> str:
    """Follow the pull link as `student`; return the lesson's path in JupyterLab once it is open and its kernel idle."""
    click_link(page, hub, student, repo)
    return wait_for_lesson(page, student)


def open_notebook(page, path: str) -> None:
    page.evaluate(OPEN_JS, path)
    page.wait_for_function(PANEL_READY_JS, arg=path, timeout=TIMEOUT_MS)


def run_notebook(page, path: str) -> list[str]:
    """Run every cell of the open notebook `path` in the student's kernel, save it; return the errors."""
    page.evaluate(RUN_ALL_JS, path)
    page.wait_for_function(ALL_CELLS_DONE_JS, arg=path, timeout=TIMEOUT_MS, polling=250)
    errors = page.evaluate(ERRORS_JS, path)
    assert page.evaluate(SAVE_JS, path), f"{path} was not saved"
    return errors


def answer_and_check(page, path: str, answer_cell: str, answer: str, check_cell: str) -> str:
    """Type `answer` into the cell that starts with `answer_cell`, run the notebook, save it; return the
    output of the check cell (the one that starts with `check_cell`)."""
    assert page.evaluate(SET_SOURCE_JS, [path, answer_cell, answer]), f"no cell starting {answer_cell!r} in {path}"
    run_notebook(page, path)
    return page.evaluate(OUTPUT_TEXT_JS, [path, check_cell])


def kernel_pids(server_pid: int) -> list[int]:
    """The kernels a student server started (its child processes running ipykernel)."""
    import psutil

    out = []
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                out.append(child.pid)
        except psutil.Error:
            continue
    return out


def rss_mib(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20
