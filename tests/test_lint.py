"""ruff, with the rules in pyproject.toml ([tool.ruff]), finds nothing in the package, tests, benchmarks and kit.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff() -> str | None:
    here = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
    return str(here) if here.exists() else shutil.which("ruff")


def test_ruff_finds_nothing():
    exe = ruff()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ruff is not installed: it is in the `test` extra (./kit setup --test)")
        pytest.skip("ruff is not installed (./kit setup --test installs it)")
    out = subprocess.run([exe, "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, f"ruff check found problems (fix them, or `ruff check --fix`):\n{out.stdout}{out.stderr}"
