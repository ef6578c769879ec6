"""Shared fixtures: a private copy of data/ and seeds/ to break, and a helper to complete it; each lesson
executed once per session (``lesson_runs``); the hypothesis profile.

Hypothesis runs derandomized (profile "kit"): the examples are chosen from each test's own name, so
every run, here or in CI, tries the same ones and a failure shows again on the next run. The failing
example is printed with the failure (and a ``@reproduce_failure`` line where hypothesis can give one).
To explore new examples instead, run with ``HYPOTHESIS_PROFILE=explore``.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest
from hypothesis import settings

from iraqtalks.data.paths import DATA_DIR, SEEDS_DIR

settings.register_profile("kit", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", derandomize=False, print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kit"))


def pytest_report_header(config) -> str:
    if settings.get_current_profile_name() == "kit":
        return ("hypothesis: profile 'kit', derandomized: every run tries the same examples, so a failure replays "
                "with the same command (HYPOTHESIS_PROFILE=explore tries new ones)")
    return f"hypothesis: profile {settings.get_current_profile_name()!r}"


@pytest.fixture(scope="session")
def lesson_runs(tmp_path_factory) -> dict:
    """Every lesson in notebooks/ executed once for the whole session (see tests/lessonrun.py): {file name: LessonRun}."""
    from lessonrun import run_lessons

    return run_lessons(tmp_path_factory.mktemp("lesson-runs"))


def run_cli(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`python -m iraqtalks ARGV` run in this process from `cwd` (no interpreter to start): the exit status,
    stdout and stderr a fresh process would give. An exception escaping the command is written to stderr
    as the traceback a teacher would see, with status 1, so "no Traceback" checks mean the same here.
    A few tests still start a real process (marked slow), end to end."""
    from iraqtalks.__main__ import run

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = run(argv)
            except Exception:  # noqa: BLE001 - shown as the traceback a fresh process would print
                traceback.print_exc()
                status = 1
            if isinstance(status, str):  # sys.exit("message"): the message on stderr, status 1
                print(status, file=err)
                status = 1
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(["python", "-m", "iraqtalks", *argv], status or 0, out.getvalue(),
                                       err.getvalue())


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the kit's data/ (as tmp/data) with seeds/ beside it; returns the copy's data folder."""
    shutil.copytree(DATA_DIR, tmp_path / "data")
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    return tmp_path / "data"


@pytest.fixture
def full_copy(data_copy: Path) -> Path:
    """data_copy, plus a one-row synthetic table for every CSV the kit does not have (yet)."""
    complete_with_synthetic_tables(data_copy)
    return data_copy


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (and the seeds beside it) by relative path, as bytes."""
    out = {}
    for base in (folder, folder.parent / "seeds"):
        for p in sorted(base.rglob("*")):
            if p.is_file():
                out[str(p.relative_to(folder.parent))] = p.read_bytes()
    return out


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> str:
    """Set one cell (spreadsheet row, header = 1); returns the old value."""
    rows = read_rows(path)
    j = rows[0].index(column)
    old = rows[row - 1][j]
    rows[row - 1][j] = value
    write_rows(path, rows)
    return old


def get_cell(path: Path, row: int, column: str) -> str:
    rows = read_rows(path)
    return rows[row - 1][rows[0].index(column)]


_PATTERN_SAMPLES = ["a", "a000", "x", "0" * 64, "1", "A"]


def _value_for(field: dict, res: dict, first_rows: dict[str, dict], article: dict, quote: str) -> str:
    name = field["name"]
    cons = field.get("constraints") or {}
    ev = res.get("x-evidence") or {}
    if name == ev.get("article_field"):
        return article["article_id"]
    if name in (ev.get("quote_fields") or []):
        return quote
    if name in (ev.get("within_evidence") or []):
        return quote.split()[0]
    for fk in res["schema"].get("foreignKeys") or []:
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        if name in fields:
            target = fk["reference"].get("resource") or res["name"]
            rfield = fk["reference"]["fields"]
            rfield = rfield if isinstance(rfield, str) else rfield[fields.index(name)]
            if target == res["name"] and not cons.get("required"):
                return ""
            return first_rows[target][rfield]
    if "enum" in cons:
        return str(cons["enum"][0])
    if "pattern" in cons:
        for sample in _PATTERN_SAMPLES:
            if re.fullmatch(cons["pattern"], sample):
                return sample
        raise AssertionError(f"conftest: no sample value matches pattern {cons['pattern']!r}; add one")
    ftype = field.get("type", "string")
    if ftype == "date":
        return "2024-01-27"
    if ftype == "integer":
        return "1"
    if ftype == "number":
        return "1.5"
    if ftype == "boolean":
        return "true"
    return f"{name} (synthetic)" if cons.get("required") or name in _pk(res) else ""


def _pk(res: dict) -> list[str]:
    pk = res["schema"].get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def complete_with_synthetic_tables(data: Path) -> list[str]:
    """Write a valid one-row CSV for each declared table whose file is missing. Returns their names.

    Rows are built from datapackage.json alone: evidence is the first line of the first article's
    seed, foreign keys point at the first row of the referenced table.
    """
    pkg = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in pkg["resources"]}
    articles = read_rows(data / resources["articles"]["path"])
    article = dict(zip(articles[0], articles[1]))
    seed = (data.parent / "seeds" / article["seed_file"]).read_text(encoding="utf-8")
    quote = next(line for line in seed.split("\n") if len(line.strip()) > 10).strip()
    first_rows: dict[str, dict] = {}
    for name, res in resources.items():
        path = data / res["path"]
        if path.is_file():
            rows = read_rows(path)
            if len(rows) > 1:
                first_rows[name] = dict(zip(rows[0], rows[1]))
    made = []
    pending = [n for n, r in resources.items() if not (data / r["path"]).is_file()]
    while pending:
        progressed = False
        for name in list(pending):
            res = resources[name]
            targets = {fk["reference"].get("resource") or name for fk in res["schema"].get("foreignKeys") or []}
            if any(t != name and t not in first_rows for t in targets):
                continue
            row = {f["name"]: _value_for(f, res, first_rows, article, quote) for f in res["schema"]["fields"]}
            write_rows(data / res["path"], [list(row), list(row.values())])
            first_rows[name] = row
            pending.remove(name)
            made.append(name)
            progressed = True
        if not progressed:
            raise AssertionError(f"conftest: cannot order the synthetic tables {pending} by their foreign keys")
    return made
