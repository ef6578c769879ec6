"""Same inputs, same outputs: the lessons and the build give identical results run after run.

* Every lesson notebook in notebooks/ is executed twice with nbclient (in memory: the committed file
  is never written; the kernel runs in notebooks/ like nbval's), and the two runs must give the same
  outputs, cell by cell: streams, text/plain, text/html, errors, and the PNG bytes of every figure
  (matplotlib's Agg output is deterministic here: the kit embeds no date in its PNGs). The only
  thing masked is the widget model id (a random UUID per run, which is not content). nbval
  compares the committed outputs with one fresh run after sanitizing and without images; this test
  compares two fresh runs exactly, images included. The runs go two at a time per core.
* ``python -m iraqtalks build`` in two fresh processes with different hash seeds writes the same
  bytes. tests/test_build.py checks two builds in one process; set and dict ordering that depends
  on Python's per-process string hashing would only show across processes.
"""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import snapshot
from nbclient import NotebookClient

from iraqtalks.data.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNEL_ENV = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}


def _execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(copy.deepcopy(nb), timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    return client.execute()


def _outputs(nb) -> list[list[dict]]:
    """What each code cell showed, with only the widget model id (random per run) masked."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        shown = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                shown.append({"stream": out["name"], "text": out["text"]})
            elif kind == "error":
                shown.append({"error": out["ename"], "value": out["evalue"]})
            else:
                data = dict(out.get("data", {}))
                if WIDGET_VIEW in data:
                    data[WIDGET_VIEW] = {k: v for k, v in data[WIDGET_VIEW].items() if k != "model_id"}
                shown.append({"output": kind, "data": data})
        cells.append(shown)
    return cells


@pytest.fixture(scope="module")
def two_runs() -> dict[str, tuple]:
    """Each notebook executed twice, several kernels at a time (one per core)."""
    saved = {k: os.environ.get(k) for k in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)  # the kernels inherit it, as under ./kit test
    try:
        jobs = [p for p in NOTEBOOKS for _ in (1, 2)]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            done = list(pool.map(_execute, jobs))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {p.name: (done[2 * i], done[2 * i + 1]) for i, p in enumerate(NOTEBOOKS)}


def test_there_are_lessons_to_run():
    assert len(NOTEBOOKS) >= 5, f"expected the lesson notebooks in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_lesson_gives_identical_outputs_twice(path, two_runs):
    first, second = (_outputs(nb) for nb in two_runs[path.name])
    errors = [o for cell in first for o in cell if "error" in o]
    assert not errors, f"{path.name} raised when run: {errors}"
    assert len(first) == len(second)
    n_png = 0
    for i, (a, b) in enumerate(zip(first, second), start=1):
        for x, y in zip(a, b):
            if "data" in x and "image/png" in x["data"]:
                n_png += 1
                assert x["data"]["image/png"] == y["data"].get("image/png"), (
                    f"{path.name}, code cell {i}: the figure's PNG differs between two runs")
        assert a == b, f"{path.name}, code cell {i}: the outputs differ between two runs"
    committed = nbformat.read(path, as_version=4)
    n_committed = sum("image/png" in o.get("data", {}) for c in committed.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert n_png == n_committed, f"{path.name}: {n_png} figures in a fresh run, {n_committed} committed"


# --------------------------------------------------------------------------- the build command


def _build(data: Path, hash_seed: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "iraqtalks", "build", str(data)], cwd=data.parent, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_the_build_command_writes_the_same_bytes_in_fresh_processes(data_copy):
    first = _build(data_copy, "1")
    assert first.returncode == 0, first.stderr
    after_first = snapshot(data_copy)
    second = _build(data_copy, "4242")
    assert second.returncode == 0, second.stderr
    assert snapshot(data_copy) == after_first, "two builds in fresh processes wrote different bytes"
