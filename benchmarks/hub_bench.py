"""(f) hub: what a class costs on a JupyterHub, with the same throw-away hub as tests/test_hub.py.

JupyterHub on 127.0.0.1 (dummy login, a local process per student, the Python configurable-http-proxy) and
a teacher's git repository holding the student edition; two students, one after the other, follow the
nbgitpuller pull link in Chromium (log in, server start, copy, JupyterLab on lesson 00) and run lesson 00.

Printed: the time from the click to lesson 00 open and run, per student and for both; and the memory
(resident set size, psutil) of each student's server (jupyterhub-singleuser with JupyterLab and nbgitpuller)
and of each kernel once lesson 00 has run, with the hub and its proxy for reference. Nothing is asserted.
"""
from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
STUDENTS = ("alice", "bob")


def _hubkit():
    spec = importlib.util.spec_from_file_location("iraqtalks_hubkit", ROOT / "tests" / "hub" / "hubkit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def bench_hub(results: list) -> list[str]:
    """Append the timing rows to `results`; return the memory table's lines (printed after the table)."""
    if not CHROMIUM.is_file():
        return [f"(f) hub: skipped, {CHROMIUM} is missing (apt-get install chromium)"]
    import psutil
    from playwright.sync_api import sync_playwright

    hubkit = _hubkit()
    lines = []
    with tempfile.TemporaryDirectory(prefix="kit-hub-bench-") as tmp:
        work = Path(tmp)
        repo = hubkit.publish_student_edition(work / "teacher")
        t0 = time.perf_counter()
        hub = hubkit.start_hub(work / "hub")
        hub_start = time.perf_counter() - t0
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                   "--no-first-run", "--disable-background-networking"])
                opened, ran = {}, {}
                t_all = time.perf_counter()
                for student in STUDENTS:
                    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
                    page.set_default_timeout(hubkit.TIMEOUT_MS)
                    t = time.perf_counter()
                    lesson = hubkit.pull_and_open(page, hub, student, repo)
                    opened[student] = time.perf_counter() - t
                    errors = hubkit.run_notebook(page, lesson)
                    ran[student] = time.perf_counter() - t
                    if errors:
                        lines.append(f"  {student}: lesson 00 raised {errors}")
                both = time.perf_counter() - t_all
                time.sleep(2)  # let the servers settle after the save
                servers = hub.server_pids()
                mem_server = {s: hubkit.rss_mib(pid) for s, pid in servers.items()}
                mem_kernel = {s: [hubkit.rss_mib(k) for k in hubkit.kernel_pids(pid)] for s, pid in servers.items()}
                hub_rss = hubkit.rss_mib(hub.process.pid)
                proxy_rss = sum(p.memory_info().rss for p in psutil.Process(hub.process.pid).children()
                                if "configurable-http-proxy" in " ".join(p.cmdline())) / 2**20
                browser.close()
        finally:
            hub.stop()

    nan = float("nan")
    results.append(("(f) hub: start (hub + proxy answer)", hub_start, nan, nan, "dummy login, local processes"))
    for student in STUDENTS:
        results.append((f"(f) hub: {student}, click to lesson 00 open", opened[student], nan, nan,
                        "log in, server start, nbgitpuller copy, JupyterLab"))
        results.append((f"(f) hub: {student}, click to lesson 00 run", ran[student], nan, nan, "and saved"))
    results.append(("(f) hub: two students end to end", both, nan, nan, "one after the other"))

    lines.append("Memory on the hub (resident set size, MiB), after lesson 00 ran:")
    for student in STUDENTS:
        kernels = ", ".join(f"{k:.0f}" for k in mem_kernel.get(student, [])) or "none found"
        lines.append(f"  {student}: server {mem_server.get(student, nan):6.0f}   kernel {kernels}")
    all_kernels = [k for ks in mem_kernel.values() for k in ks]
    if mem_server and all_kernels:
        per_server, per_kernel = statistics.mean(mem_server.values()), statistics.mean(all_kernels)
        lines.append(f"  per student: server {per_server:.0f} + kernel {per_kernel:.0f} = {per_server + per_kernel:.0f} MiB "
                     f"(each further open notebook adds a kernel)")
    lines.append(f"  hub {hub_rss:.0f} MiB, proxy {proxy_rss:.0f} MiB (once per hub)")
    return lines
