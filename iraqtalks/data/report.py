"""The check-data report (``python -m iraqtalks check-data``).
"""
from __future__ import annotations

import csv
import shlex
from dataclasses import dataclass
from pathlib import Path

from . import seeds as _seeds
from .descriptor import ARTICLES, _package, _resource
from .loader import _checked, _derived_problems, validate
from .paths import data_dir as _data_dir
from .paths import seeds_dir_for
from .problems import DataError, Problem, _count, _describe_group, _display, _folder_display, _grouped


@dataclass
class CheckReport:
    """The result of check_data(): problems (empty when valid) and what was checked."""

    folder: str
    problems: list[Problem]
    tables: int = 0
    rows: int = 0
    quotes: int = 0
    command: str = "python -m iraqtalks check-data"  # how to run the check again, with the folder as given

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return (f"{self.folder} is valid: {self.tables} tables, {self.rows} rows, "
                    f"{self.quotes} evidence quotes found in the seeds")
        lines = [f"{self.folder} has {_count(self.problems)}:"]
        current = None
        for i, g in enumerate(_grouped(self.problems), 1):
            if g[0].file != current:
                current = g[0].file
                lines += ["", current]
            lines.append(f"  {i}. {_describe_group(g, with_file=False)}")
        lines += ["", "Row numbers are spreadsheet rows (the header is row 1). Fix the problems, then run "
                      f"`{self.command}` again."]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def check_data(*, data_dir: str | Path | None = None) -> CheckReport:
    """Check a whole data folder: the seeds' checksums and every table (see ``validate``).

    Returns a CheckReport; print it (or just show it in a notebook) for the readable report.
    """
    dd = _data_dir(data_dir)
    folder = _folder_display(dd)
    command = "python -m iraqtalks check-data" + ("" if data_dir is None else " " + shlex.quote(str(data_dir)))
    if not dd.is_dir():
        return CheckReport(folder, [Problem(folder, found="no such folder", found_is_value=False,
                                            expected="a data folder containing datapackage.json and the CSV files")],
                           command=command)
    try:
        pkg = _package(dd)
    except DataError as exc:
        return CheckReport(folder, exc.problems, command=command)
    problems: list[Problem] = []
    sdir = seeds_dir_for(dd)
    try:
        _seeds.verify_seeds(dd, sdir)
    except _seeds.SeedError as exc:
        manifest_file = str(dd / _resource(pkg, ARTICLES)["path"])
        for line in str(exc).splitlines()[1:]:
            line = line.strip()
            file, _, rest = line.partition(": ")
            if file == manifest_file and "column seed_file" in rest:
                continue  # a seed outside the seeds folder: the articles table's own check reports it
            problems.append(Problem(_display(Path(file)) if file else _folder_display(sdir), message=rest or line))
    except (OSError, KeyError, TypeError, UnicodeDecodeError, csv.Error):
        problems.append(Problem(_folder_display(sdir), message=(
            f"the seed checksums were not checked, because {_display(dd / _resource(pkg, ARTICLES)['path'])} "
            "cannot be read properly (see its problems)")))
    problems += validate(data_dir=dd)
    if not problems:  # the derived tables can be compared with a fresh build only when the build can run
        problems += _derived_problems(dd)
    rows = quotes = 0
    for res in pkg["resources"]:
        r = _checked(dd, pkg, res)
        rows += r.rows
        quotes += r.quotes_found
    return CheckReport(folder, problems, tables=len(pkg["resources"]), rows=rows, quotes=quotes, command=command)


def check_data_cli(*, data_dir: str | Path | None = None) -> int:
    """`python -m iraqtalks check-data [DIR]`: print the report; exit status 0 if valid, else 1."""
    report = check_data(data_dir=data_dir)
    print(report)
    return 0 if report.ok else 1
