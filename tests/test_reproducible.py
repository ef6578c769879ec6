"""Same inputs, same outputs: the lessons and the build give identical results run after run.

* Every lesson notebook in notebooks/ is executed once per test session (tests/lessonrun.py, the
  ``lesson_runs`` fixture: nbclient, in memory, the kernel in notebooks/ like nbval's), and that fresh
  run must show exactly what the committed notebook shows, cell by cell: streams, text/plain,
  text/html, errors, and the PNG bytes of every figure (matplotlib's Agg output is deterministic here:
  the kit embeds no date in its PNGs). The only thing masked is the widget model id (a random UUID
  per run, which is not content). The committed outputs are themselves a fresh run (the house rule:
  re-execute before committing), so this compares two runs made at different times, images
  included; nbval compares the text outputs again after sanitizing, but never the images.
* ``python -m iraqtalks build`` in two fresh processes with different hash seeds writes the same
  bytes. tests/test_build.py checks two builds in one process; set and dict ordering that depends
  on Python's per-process string hashing would only show across processes.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import snapshot
from lessonrun import LESSONS, shown

from iraqtalks.data.paths import NOTEBOOKS_DIR

NOTEBOOKS = LESSONS


def test_there_are_lessons_to_run():
    assert len(NOTEBOOKS) >= 5, f"expected the lesson notebooks in {NOTEBOOKS_DIR}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_fresh_run_shows_exactly_the_committed_outputs(path, lesson_runs):
    run = lesson_runs[path.name]
    assert not run.errors, f"{path.name} raised when run: {run.errors}"
    fresh, committed = shown(run.notebook), shown(nbformat.read(path, as_version=4))
    assert len(fresh) == len(committed)
    for i, (a, b) in enumerate(zip(fresh, committed), start=1):
        assert len(a) == len(b), f"{path.name}, code cell {i}: {len(a)} outputs in a fresh run, {len(b)} committed"
        for x, y in zip(a, b):
            if "data" in x and "image/png" in x["data"]:
                assert x["data"]["image/png"] == y["data"].get("image/png"), (
                    f"{path.name}, code cell {i}: the figure's PNG differs from the committed one; re-execute "
                    "the notebook (see README) and check that two runs agree")
        assert a == b, f"{path.name}, code cell {i}: a fresh run shows something else than the committed notebook"


# --------------------------------------------------------------------------- the build command


def _build(data: Path, hash_seed: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "iraqtalks", "build", str(data)], cwd=data.parent, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.mark.slow
def test_the_build_command_writes_the_same_bytes_in_fresh_processes(data_copy):
    first = _build(data_copy, "1")
    assert first.returncode == 0, first.stderr
    after_first = snapshot(data_copy)
    second = _build(data_copy, "4242")
    assert second.returncode == 0, second.stderr
    assert snapshot(data_copy) == after_first, "two builds in fresh processes wrote different bytes"


def test_stream_chunks_are_compared_as_the_text_they_show():
    """A kernel may flush one printed text in one chunk or two; the comparison joins them, but still sees text."""
    one = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="Not yet.\n")])])
    two = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="Not yet."),
        nbformat.v4.new_output("stream", name="stdout", text="\n")])])
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="Correct.\n")])])
    assert shown(one) == shown(two)
    assert shown(one) != shown(other)
