"""A problem found in the data and how problems are grouped and shown.

Every check of the data layer returns :class:`Problem` objects; :class:`DataError` carries them to the learner.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .paths import ROOT


def _show(value: object, limit: int = 70) -> str:
    """A value as it appears in a message: quoted, control characters visible, long text shortened."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 10] + "…"
    return repr(text)


def _display(path: Path) -> str:
    """How a path is named in messages: relative to the kit (data/events.csv), else to the cwd, else absolute."""
    return _display_from(str(path), os.getcwd())


@lru_cache(maxsize=1024)
def _display_from(path: str, cwd: str) -> str:
    p = Path(cwd) / path
    resolved = p.parent.resolve() / p.name  # a file that is a link is named as itself, not as its target
    for base in (ROOT, Path(cwd)):
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data.

    file: the file as shown to people (``data/events.csv``); row: spreadsheet row, header = 1
    (None for the whole file); column: column name or None; found: the offending value, or a
    description of what was found; expected: what should be there; message: advice on the fix.
    ``found_is_value`` says whether ``found`` is a cell value (shown in quotes) or a description.
    """

    file: str
    row: int | None = None
    column: str | None = None
    found: str | None = None
    expected: str | None = None
    message: str = ""
    found_is_value: bool = True
    kind: str | None = None  # problems of one kind in one file and column are shown as one, with their rows

    def describe(self, with_file: bool = True, rows: list[int] | None = None) -> str:
        where = [self.file] if with_file else []
        if rows:
            where.append(f"rows {_row_ranges(rows)} ({len(rows)} rows)")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        bits = []
        if self.found is not None:
            found = "found " + (_show(self.found) if self.found_is_value else self.found)
            if rows:
                found += f" in row {self.row} (and {len(rows) - 1} more like it)"
            bits.append(found)
        if self.expected:
            bits.append("expected " + self.expected)
        text = ", ".join(bits)
        if self.message:
            msg = self.message
            if msg.split(" ", 1)[0].isalpha():  # a sentence, not a file name or a quoted value
                msg = msg[0].upper() + msg[1:]
            text = f"{text}. {msg}" if text else msg
        head = ", ".join(where)
        return f"{head}: {text}" if head else text

    def __str__(self) -> str:
        return self.describe()


_GROUP_MIN = 3  # this many problems of one kind in one file and column are shown as one


def _row_ranges(rows: list[int], limit: int = 12) -> str:
    """2, 3, 4, 7 -> '2-4, 7' (at most `limit` ranges, then '...')."""
    ranges: list[list[int]] = []
    for r in sorted(set(rows)):
        if ranges and r == ranges[-1][1] + 1:
            ranges[-1][1] = r
        else:
            ranges.append([r, r])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges]
    return ", ".join(parts[:limit]) + (", …" if len(parts) > limit else "")


def _grouped(problems: list[Problem]) -> list[list[Problem]]:
    """The problems in order, except that those of one kind in one file and column (3 or more, each with a
    row) become one entry at the place of the first."""
    def key(p: Problem):
        return (p.file, p.column, p.kind) if p.kind and p.row is not None else None

    counts: dict[tuple, int] = {}
    for p in problems:
        k = key(p)
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    out: list[list[Problem]] = []
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        k = key(p)
        if k is None or counts[k] < _GROUP_MIN:
            out.append([p])
        elif k in groups:
            groups[k].append(p)
        else:
            groups[k] = [p]
            out.append(groups[k])
    return out


def _describe_group(group: list[Problem], with_file: bool = True) -> str:
    if len(group) == 1:
        return group[0].describe(with_file)
    return group[0].describe(with_file, rows=[p.row for p in group])


def _count(problems: list[Problem]) -> str:
    """'1 problem', '3 problems', '2 problems (in 70 rows)'."""
    n, k = len(problems), len(_grouped(problems))
    return f"{k} problem{'s' if k != 1 else ''}" + (f" (in {n} places)" if n != k else "")


class DataError(Exception):
    """The data (or datapackage.json) has problems; ``.problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem], heading: str | None = None):
        self.problems = list(problems)
        heading = heading or f"{_count(self.problems)} in the data"
        lines = [f"{heading}:"] + [f"  {i}. {_describe_group(g)}" for i, g in enumerate(_grouped(self.problems), 1)]
        super().__init__("\n".join(lines))


class UnknownTableError(LookupError):
    """A table name that datapackage.json does not declare."""


class UnknownKeyError(KeyError, ValueError):
    """A key or a column that a table does not have; the message says so in a sentence and suggests the closest.

    A KeyError (what a lookup raises) and a ValueError (a wrong argument), shown without KeyError's quotes.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def did_you_mean(word: object, options: Iterable[object]) -> str:
    """' Did you mean 'x'?' for the option closest to `word`, or '' when none is close."""
    hint = _closest(str(word), [str(o) for o in options])
    return f" Did you mean {hint!r}?" if hint else ""


def _closest(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    if word.strip().lower() in lowered:
        return lowered[word.strip().lower()]
    hit = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return hit[0] if hit else None


def _folder_display(dd: Path) -> str:
    return _display(dd).rstrip("/") + "/"
