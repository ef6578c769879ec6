"""The test suite's own set-up: hypothesis replays its examples, the markers are declared and used, and the
default command deselects nothing (CI runs everything).

The markers (pyproject.toml): ``browser`` for tests that drive Chromium, ``slow`` for tests that start
kernels, fresh processes or whole exports. ``pytest -m "not browser and not slow"`` is the quick loop while
working; ``./kit test`` runs all of it.
"""
from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from iraqtalks.data.paths import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

TESTS = Path(__file__).resolve().parent
# Fixtures that start Chromium (tests/test_browser.py, tests/test_site.py, tests/test_hub.py) or run every lesson.
BROWSER_FIXTURES = {"lab_server", "browser_context", "browser", "hub"}
SLOW_FIXTURES = {"lesson_runs"}


def _pytest_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]


def test_hypothesis_is_derandomized_so_a_failure_replays():
    if os.environ.get("HYPOTHESIS_PROFILE", "kit") != "kit":
        pytest.skip("HYPOTHESIS_PROFILE chooses another profile for this run")
    assert settings.get_current_profile_name() == "kit"
    assert settings.default.derandomize is True and settings.default.database is None


def test_the_markers_are_declared_and_the_default_run_deselects_nothing():
    config = _pytest_config()
    declared = {m.split(":", 1)[0] for m in config["markers"]}
    assert {"browser", "slow", "hub"} <= declared
    assert "-m" not in config.get("addopts", "").split(), "the default command must run every test (CI runs all)"


def _marks(decorators: list[ast.expr]) -> set[str]:
    out = set()
    for d in decorators:
        node = d.func if isinstance(d, ast.Call) else d
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "mark":
            out.add(node.attr)
    return out


def _module_marks(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            return _marks(values)
    return set()


def test_tests_that_start_chromium_or_run_every_lesson_carry_their_markers():
    unmarked = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _module_marks(tree)
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            args = {a.arg for a in node.args.args}
            marks = module | _marks(node.decorator_list)
            if args & BROWSER_FIXTURES and not {"browser", "slow"} <= marks:
                unmarked.append(f"{path.name}::{node.name} (browser)")
            if args & SLOW_FIXTURES and "slow" not in marks:
                unmarked.append(f"{path.name}::{node.name} (slow)")
    assert unmarked == [], unmarked


def test_the_marker_check_sees_an_unmarked_browser_test():
    tree = ast.parse("import pytest\n\n@pytest.mark.slow\ndef test_x(page):\n    pass\n")
    node = tree.body[1]
    assert _marks(node.decorator_list) == {"slow"} and _module_marks(tree) == set()
    tree = ast.parse("import pytest\npytestmark = [pytest.mark.browser, pytest.mark.slow]\n")
    assert _module_marks(tree) == {"browser", "slow"}
