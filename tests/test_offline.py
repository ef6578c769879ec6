"""Offline: the kit works with no network at all (a classroom behind a firewall, a laptop on a train).

A guard replaces Python's ways of reaching another machine (``socket.socket.connect``/``connect_ex``/
``sendto``, ``socket.create_connection``, ``socket.getaddrinfo``) with versions that raise
``NetworkBlocked`` for any address that is not loopback (127.0.0.0/8, ::1, localhost) and log the
attempt. Loopback stays open, because a Jupyter kernel talks to its client over 127.0.0.1.

* In this process, with the guard on: the loaders, check-data, citations, the timeline explorer and
  the source comparison (built, then updated from Python as a student's clicks would), the exports,
  the ACLED adapter and the exercise checker all work, and none of them tried to connect anywhere.
* In a notebook kernel (a separate process): the same guard is installed at start-up by a
  ``sitecustomize.py`` on PYTHONPATH, and a lesson notebook (03-the-timeline, else 00-start-here)
  runs to the end without an error; the kernel log shows no connection attempt except the probe.

Each part proves the guard was really on: a deliberate connection to 192.0.2.1 (TEST-NET-1, an
address reserved for documentation that nothing answers) raises the guard's own error, before any
packet is sent, and the socket is left unconnected.
"""
from __future__ import annotations

import io
import json
import os
import socket
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from iraqtalks.data.paths import NOTEBOOKS_DIR

PROBE = ("192.0.2.1", 80)  # TEST-NET-1 (RFC 5737): never routed

# The guard, as source: executed here, and written as sitecustomize.py for the kernel.
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


@pytest.fixture
def guard():
    """The guard installed in this process for one test, then removed."""
    ns: dict = {}
    exec(compile(GUARD, "offline-guard", "exec"), ns)
    ns["install"]()
    try:
        yield ns
    finally:
        ns["uninstall"]()


def assert_probe_blocked(ns) -> None:
    before = len(ns["_ATTEMPTS"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(ns["NetworkBlocked"]):
            sock.connect(PROBE)
        with pytest.raises(OSError):
            sock.getpeername()  # still unconnected: nothing was sent
    finally:
        sock.close()
    with pytest.raises(ns["NetworkBlocked"]):
        socket.create_connection(PROBE, timeout=0.1)
    with pytest.raises(ns["NetworkBlocked"]):
        socket.getaddrinfo("example.org", 443)
    assert ns["_ATTEMPTS"][before:] == ["connect 192.0.2.1", "create_connection 192.0.2.1", "getaddrinfo example.org"]


def test_the_guard_blocks_the_network_and_allows_loopback(guard):
    assert_probe_blocked(guard)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        client = socket.create_connection(server.getsockname(), timeout=5)
        client.close()
    finally:
        server.close()
    assert socket.getaddrinfo("localhost", 80)


def test_the_kit_works_offline(guard, tmp_path):
    from iraqtalks import check_data, cite, load_all, source_comparison, timeline_explorer
    from iraqtalks.io.acled import from_acled
    from iraqtalks.io.export import to_timelinejs
    from iraqtalks.teaching.checker import check

    assert_probe_blocked(guard)
    start = len(guard["_ATTEMPTS"])

    tables = load_all()
    assert len(tables["events"]) > 0
    assert check_data().ok
    assert "27/1" in cite("events", "e2024-01-27-first-round").evidence

    x = timeline_explorer()
    first_count = x.count.value
    png = x.plot.value
    x.set_filters(event_type="attack")
    assert x.count.value != first_count and set(x.selected["event_type"]) == {"attack"}
    x.set_filters(event_type="__all__", mode="reported", lanes="type", lang="vi")
    days = [v for _, v in x.date_slider.options]
    x.date_slider.value = (days[len(days) // 2], days[-1])  # as a student drags the slider
    assert x.plot.value[:4] == b"\x89PNG" and x.plot.value != png
    assert len(x.selected) > 0

    cmp = source_comparison(["a000", "a001"])
    cmp.picker.value = ("a001", "a002", "a004")
    assert cmp.chosen == ["a001", "a002", "a004"] and len(cmp.event_coverage) > 0

    assert len(to_timelinejs(path=tmp_path / "timeline.csv")) == len(tables["events"])
    acled = from_acled(pd.DataFrame([{"event_id_cnty": "IRQ1", "event_date": "28 January 2024", "time_precision": 1,
                                      "event_type": "Battles", "actor1": "A", "notes": "n", "source": "Reuters"}]))
    assert len(acled["events"]) == 1
    buf = io.StringIO()
    with redirect_stdout(buf):
        check("01-q1", ...)
    assert buf.getvalue().strip()

    assert guard["_ATTEMPTS"][start:] == [], "the kit tried to reach the network"


def _lesson() -> Path:
    for name in ("03-the-timeline.ipynb", "00-start-here.ipynb"):
        if (NOTEBOOKS_DIR / name).is_file():
            return NOTEBOOKS_DIR / name
    raise AssertionError(f"no lesson notebook to run in {NOTEBOOKS_DIR}")


def test_a_lesson_runs_in_a_kernel_without_network(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "attempts.log"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("IRAQTALKS_NET_LOG", str(log))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    path = _lesson()
    nb = nbformat.read(path, as_version=4)
    first = nbformat.v4.new_code_cell(
        "import sys, socket\nprint('guard:', socket.create_connection.__module__, 'sitecustomize' in sys.modules)")
    nb.cells.insert(0, first)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{path.name} failed offline: {errors}"
    text = lambda cell: "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")  # noqa: E731
    assert text(nb.cells[0]).strip() == "guard: sitecustomize True", "the guard was not installed in the kernel"
    assert text(nb.cells[-1]).strip() == "probe: NetworkBlocked / not connected"
    attempts = log.read_text(encoding="utf-8").splitlines()
    assert attempts == ["connect 192.0.2.1"], f"the lesson tried to reach the network: {json.dumps(attempts)}"
