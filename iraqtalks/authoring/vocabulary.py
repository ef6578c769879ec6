"""Teach before you ask: the pandas each lesson shows, and the pandas each exercise solution needs.

The *vocabulary* of a lesson is the set of pandas methods, attributes and accessors (``.merge``,
``.groupby``, ``.nunique``, ``.loc``, ``.str.contains``, ``.dt.days``, ``pd.Timestamp`` ...) that
its code cells use: the learner has seen each of them work on the kit's tables. A solution of exercise
set NN may use only the vocabulary of lessons 00 to NN, so that no question asks for pandas the
lessons never showed. Names are found with :mod:`ast` (every ``x.name`` in the code); a name counts
as pandas when pandas' DataFrame, Series, their ``.str`` and ``.dt`` accessors, Timestamp or the
``pd`` module itself defines it. Only the code a learner must write (the ``# BEGIN SOLUTION`` blocks)
is checked; cells the exercise gives ready-made are not.
"""
from __future__ import annotations

import ast
import textwrap
from functools import lru_cache
from pathlib import Path

import nbformat

from ..data.paths import ROOT


@lru_cache(maxsize=1)
def pandas_names() -> frozenset[str]:
    """Public names defined by pandas' DataFrame, Series, .str, .dt, Timestamp, Timedelta and the pd module."""
    import pandas as pd
    from pandas.core.indexes.accessors import DatetimeProperties, TimedeltaProperties
    from pandas.core.strings.accessor import StringMethods
    names: set[str] = set()
    for obj in (pd, pd.DataFrame, pd.Series, StringMethods, DatetimeProperties, TimedeltaProperties,
                pd.Timestamp, pd.Timedelta, pd.core.groupby.DataFrameGroupBy, pd.core.groupby.SeriesGroupBy):
        names |= {n for n in dir(obj) if not n.startswith("_")}
    return frozenset(names)


def used_names(source: str) -> set[str]:
    """The pandas names used as attributes (``x.name``) in a piece of Python code."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return found & pandas_names()


def _code_cells(path: Path):
    nb = nbformat.read(str(path), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def lesson_vocabulary(root: Path | None = None) -> dict[str, set[str]]:
    """{lesson number 'NN': the pandas names its code cells use}."""
    folder = (Path(root) if root else ROOT) / "notebooks"
    out: dict[str, set[str]] = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        out[path.name[:2]] = set().union(*map(used_names, _code_cells(path)))
    return out


def _solution_blocks(source: str) -> str:
    from .exercise_format import BEGIN, END
    lines, keep, out = source.split("\n"), False, []
    for line in lines:
        if line.strip() == BEGIN:
            keep = True
        elif line.strip() == END:
            keep = False
        elif keep:
            out.append(line)
    return textwrap.dedent("\n".join(out))


def solution_vocabulary(root: Path | None = None) -> dict[str, set[str]]:
    """{exercise set slug: the pandas names its solution blocks use}."""
    from . import exercise_format as exfmt
    out: dict[str, set[str]] = {}
    for slug in exfmt.exercise_sets(root):
        cells = _code_cells(exfmt.solution_path(slug, root))
        out[slug] = set().union(*(used_names(_solution_blocks(s)) for s in cells if exfmt.BEGIN in s))
    return out


def taught_by(nn: str, lessons: dict[str, set[str]]) -> set[str]:
    """Everything lessons 00 to NN show."""
    return set().union(*(names for k, names in lessons.items() if k <= nn))


def untaught(root: Path | None = None) -> dict[str, list[str]]:
    """{exercise set slug: pandas names its solutions need that no lesson up to it shows}; empty when all is taught."""
    lessons = lesson_vocabulary(root)
    out = {}
    for slug, names in solution_vocabulary(root).items():
        missing = sorted(names - taught_by(slug[:2], lessons))
        if missing:
            out[slug] = missing
    return out


def guide_markdown(root: Path | None = None) -> str:
    lessons = lesson_vocabulary(root)
    sols = solution_vocabulary(root)
    lines = ["### Pandas vocabulary, lesson by lesson", "",
             "The pandas each lesson's code shows for the first time (its *new* vocabulary), and what each "
             "exercise set's solutions use. A test checks that every name a solution uses is shown in its "
             "lesson or an earlier one; questions in the no-code track need none of it.", "",
             "| lesson | new pandas in the lesson | the exercise set's solutions use |", "| --- | --- | --- |"]
    seen: set[str] = set()
    by_nn = {slug[:2]: slug for slug in sols}
    for nn, names in lessons.items():
        new = sorted(names - seen)
        seen |= names
        used = sorted(sols.get(by_nn.get(nn, ""), set()))
        fmt = lambda xs: ", ".join(f"`{x}`" for x in xs) or "—"  # noqa: E731
        lines.append(f"| {nn} | {fmt(new)} | {fmt(used) if nn in by_nn else 'no exercise set'} |")
    return "\n".join(lines)
