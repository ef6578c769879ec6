"""Each lesson notebook, executed once per test session and shared by the tests that need a fresh run.

The run is the one a learner's kernel makes (nbclient, working folder notebooks/, MPLBACKEND=Agg,
PYTHONHASHSEED=0, like nbval under ./kit test), with one addition: the kernel starts with the offline
guard below installed by a ``sitecustomize.py`` on its PYTHONPATH, and logs every attempt to reach
another machine. So one run per lesson answers three questions:

* tests/test_reproducible.py: does a fresh run give exactly the committed outputs, figures included?
* tests/test_offline.py: did the lesson run to the end without the network (the guard on, the probe
  refused, no other attempt logged)?
* any test that needs what a lesson shows: the executed notebook, without re-running it.

nbval (``--nbval``) still runs every lesson once more on its own, as the strict, sanitized check of the
committed text outputs; this run adds the figures, the network and anything else a test wants to read.

The fixture is ``lesson_runs`` in tests/conftest.py; the kernels run two at a time (one per core).
"""
from __future__ import annotations

import base64
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from iraqtalks.data.paths import NOTEBOOKS_DIR

LESSONS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
KERNEL_ENV = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# The guard, as source: executed in the test process by tests/test_offline.py, and written as
# sitecustomize.py for the lesson kernels.
GUARD = r'''
import ipaddress as _ipaddress
import os as _os
import socket as _socket


class NetworkBlocked(ConnectionRefusedError):
    """Raised instead of reaching another machine (the kit's offline test)."""


_ATTEMPTS = []
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_WILDCARD = {None, "", "0.0.0.0", "::", b"", b"0.0.0.0", b"::"}  # binding on this machine, not a destination
_ORIGINAL = {}


def _is_local(host):
    if host in _WILDCARD:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return _ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(what, host):
    _ATTEMPTS.append(f"{what} {host}")
    log = _os.environ.get("IRAQTALKS_NET_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{what} {host}\n")
    raise NetworkBlocked(f"network access is blocked by the offline test: {what} {host!r}")


def _host_of(address):
    return address[0] if isinstance(address, tuple) and address else None  # AF_UNIX paths are local


def _connect(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(_host_of(address)):
        _refuse("connect", _host_of(address))
    return _ORIGINAL["connect"](self, address)


def _connect_ex(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(_host_of(address)):
        _refuse("connect_ex", _host_of(address))
    return _ORIGINAL["connect_ex"](self, address)


def _sendto(self, data, *args):
    address = args[-1]
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(_host_of(address)):
        _refuse("sendto", _host_of(address))
    return _ORIGINAL["sendto"](self, data, *args)


def _create_connection(address, *args, **kwargs):
    if not _is_local(_host_of(address)):
        _refuse("create_connection", _host_of(address))
    return _ORIGINAL["create_connection"](address, *args, **kwargs)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse("getaddrinfo", host)
    return _ORIGINAL["getaddrinfo"](host, *args, **kwargs)


def install():
    if _ORIGINAL:
        return
    _ORIGINAL.update(connect=_socket.socket.connect, connect_ex=_socket.socket.connect_ex,
                     sendto=_socket.socket.sendto, create_connection=_socket.create_connection,
                     getaddrinfo=_socket.getaddrinfo)
    _socket.socket.connect = _connect
    _socket.socket.connect_ex = _connect_ex
    _socket.socket.sendto = _sendto
    _socket.create_connection = _create_connection
    _socket.getaddrinfo = _getaddrinfo


def uninstall():
    if not _ORIGINAL:
        return
    _socket.socket.connect = _ORIGINAL["connect"]
    _socket.socket.connect_ex = _ORIGINAL["connect_ex"]
    _socket.socket.sendto = _ORIGINAL["sendto"]
    _socket.create_connection = _ORIGINAL["create_connection"]
    _socket.getaddrinfo = _ORIGINAL["getaddrinfo"]
    _ORIGINAL.clear()
'''

SITECUSTOMIZE = GUARD + "\n\ninstall()\n"

PROBE_CELL = '''\
import socket as _s
_sock = _s.socket(_s.AF_INET, _s.SOCK_STREAM)
try:
    _sock.connect(("192.0.2.1", 80))
    _outcome = "connected?!"
except Exception as _exc:
    _outcome = type(_exc).__name__
try:
    _sock.getpeername()
    _peer = "has a peer"
except OSError:
    _peer = "not connected"
_sock.close()
print("probe:", _outcome, "/", _peer)
'''

# The first cell added to each lesson: proves the guard was installed in the kernel before the lesson ran.
GUARD_CELL = "import sys, socket\nprint('guard:', socket.create_connection.__module__, 'sitecustomize' in sys.modules)"


@dataclass
class LessonRun:
    """One lesson, executed once: the notebook as run (without the two added cells), what the guard cell and
    the probe cell printed, and every network attempt the kernel logged."""

    path: Path
    notebook: nbformat.NotebookNode
    guard: str
    probe: str
    attempts: list[str]

    @property
    def errors(self) -> list[str]:
        return [f"{o['ename']}: {o['evalue']}" for c in self.notebook.cells if c.cell_type == "code"
                for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def run_lesson(path: Path, workdir: Path) -> LessonRun:
    """Execute one lesson in a fresh kernel with the offline guard; never writes the committed file."""
    site = workdir / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = workdir / f"{path.stem}.network.log"
    log.write_text("", encoding="utf-8")
    env = dict(os.environ, **KERNEL_ENV, IRAQTALKS_NET_LOG=str(log),
               PYTHONPATH=os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD_CELL))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL))
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute(env=env)
    guard, probe = _printed(nb.cells[0]), _printed(nb.cells[-1])
    nb.cells = nb.cells[1:-1]
    return LessonRun(path, nb, guard, probe, log.read_text(encoding="utf-8").splitlines())


def run_lessons(workdir: Path, paths: list[Path] = LESSONS) -> dict[str, LessonRun]:
    """Every lesson executed once, two kernels at a time (one per core); keyed by file name."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        runs = list(pool.map(lambda p: run_lesson(p, workdir), paths))
    return {run.path.name: run for run in runs}


def png_picture(b64: str) -> bytes:
    """A PNG's bytes without its tEXt "Software" chunk: matplotlib writes its own version there
    ("Matplotlib version3.10.9, ..."), which says which release drew the picture, not what it shows.
    Every other chunk (size, colours, the pixels) stays, byte for byte."""
    png = base64.b64decode(b64)
    out, i = [png[:8]], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i:i + 4])
        chunk = png[i:i + 12 + n]
        if not (chunk[4:8] == b"tEXt" and chunk[8:8 + n].startswith(b"Software\0")):
            out.append(chunk)
        i += 12 + n
    return b"".join(out)


def shown(nb) -> list[list[dict]]:
    """What each code cell showed (streams, with consecutive chunks of one stream joined, errors, every mime type, the PNG bytes of figures), with only
    the widget model id masked (a random UUID per run, not content) and the matplotlib version left out
    of each PNG (see png_picture)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        out = []
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "stream":
                # Consecutive chunks of one stream are one text on screen (Jupyter joins them; how a kernel
                # happens to flush them into chunks is not content).
                if out and out[-1].get("stream") == o["name"]:
                    out[-1] = {"stream": o["name"], "text": out[-1]["text"] + o["text"]}
                else:
                    out.append({"stream": o["name"], "text": o["text"]})
            elif kind == "error":
                out.append({"error": o["ename"], "value": o["evalue"]})
            else:
                data = dict(o.get("data", {}))
                if WIDGET_VIEW in data:
                    data[WIDGET_VIEW] = {k: v for k, v in data[WIDGET_VIEW].items() if k != "model_id"}
                if "image/png" in data:
                    data["image/png"] = png_picture(data["image/png"])
                out.append({"output": kind, "data": data})
        cells.append(out)
    return cells
