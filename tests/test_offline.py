"""Offline: the kit works with no network at all (a classroom behind a firewall, a laptop on a train).

A guard replaces Python's ways of reaching another machine (``socket.socket.connect``/``connect_ex``/
``sendto``, ``socket.create_connection``, ``socket.getaddrinfo``) with versions that raise
``NetworkBlocked`` for any address that is not loopback (127.0.0.0/8, ::1, localhost) and log the
attempt. Loopback stays open, because a Jupyter kernel talks to its client over 127.0.0.1.

* In this process, with the guard on: the loaders, check-data, citations, the timeline explorer and
  the source comparison (built, then updated from Python as a student's clicks would), the exports,
  the ACLED adapter and the exercise checker all work, and none of them tried to connect anywhere.
* In a notebook kernel (a separate process): the same guard is installed at start-up by a
  ``sitecustomize.py`` on PYTHONPATH, and every lesson notebook runs to the end without an error; the
  kernel log shows no connection attempt except the probe. These are the session's one run of each
  lesson (tests/lessonrun.py, fixture ``lesson_runs``), which test_reproducible.py also reads.

Each part proves the guard was really on: a deliberate connection to 192.0.2.1 (TEST-NET-1, an
address reserved for documentation that nothing answers) raises the guard's own error, before any
packet is sent, and the socket is left unconnected.
"""
from __future__ import annotations

import io
import json
import socket
from contextlib import redirect_stdout

import pandas as pd
import pytest
from lessonrun import GUARD, LESSONS

PROBE = ("192.0.2.1", 80)  # TEST-NET-1 (RFC 5737): never routed, the address the kernels' probe cell tries too


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


def test_every_lesson_is_run_offline():
    assert len(LESSONS) >= 5 and {p.name for p in LESSONS} >= {"00-start-here.ipynb", "03-the-timeline.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_lesson_runs_in_a_kernel_without_network(path, lesson_runs):
    run = lesson_runs[path.name]
    assert not run.errors, f"{path.name} failed offline: {run.errors}"
    assert run.guard.strip() == "guard: sitecustomize True", "the guard was not installed in the kernel"
    assert run.probe.strip() == "probe: NetworkBlocked / not connected"
    assert run.attempts == ["connect 192.0.2.1"], f"the lesson tried to reach the network: {json.dumps(run.attempts)}"
