"""Checking and loading tables: validate(), load(), load_all(), with caches keyed by file stamps.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import seeds as _seeds
from .caches import _remember, _stamp
from .checks import _TRUE, _check_table, _missing_mask, _TableResult
from .csvtext import _parse, _Parsed
from .descriptor import ARTICLES, _as_list, _fields, _missing_values, _package, _resource, evidence_spec, table_names
from .evidence_checks import _articles_map
from .foreign_keys import _check_foreign_keys
from .paths import data_dir as _data_dir
from .paths import seeds_dir_for
from .problems import DataError, Problem, _count, _display, _folder_display

_CHECK_CACHE: dict[tuple, _TableResult] = {}


_LOAD_CACHE: dict[tuple, pd.DataFrame] = {}


def _table_key(dd: Path, pkg: dict, res: dict) -> tuple:
    """Everything a table's own check depends on: its file, datapackage.json, and for evidence the manifest and seeds.

    A derived table depends on every file of the folder (it must match a fresh build of them all)."""
    if res.get("x-derived"):
        return (str(dd), res["name"]) + _folder_key(dd, pkg)
    parts = [str(dd), res["name"], _stamp(dd / "datapackage.json"), _stamp(dd / res["path"])]
    if res.get("x-evidence"):
        apath = dd / _resource(pkg, ARTICLES)["path"]
        parts.append(_stamp(apath))
        sdir = seeds_dir_for(dd)
        parts.extend((sf, _stamp(sdir / sf)) for sf, _ in _articles_map(dd, pkg).values())
    return tuple(parts)


def _folder_key(dd: Path, pkg: dict) -> tuple:
    """The stamps of everything a build reads and writes: datapackage.json, every table, the seeds, the clean texts."""
    parts = [_stamp(dd / "datapackage.json")]
    parts.extend((r["path"], _stamp(dd / r["path"])) for r in pkg["resources"])
    sdir = seeds_dir_for(dd)
    try:
        seeds = sorted(p.name for p in sdir.iterdir())
    except OSError:
        seeds = []
    parts.extend((sf, _stamp(sdir / sf)) for sf in seeds)
    clean = dd / "clean"
    try:
        cleans = sorted(p.name for p in clean.iterdir())
    except OSError:
        cleans = []
    parts.extend((c, _stamp(clean / c)) for c in cleans)
    return tuple(parts)


_DERIVED_CACHE: dict[tuple, list] = {}


def _derived_problems(dd: Path) -> list[Problem]:
    """Derived files that differ from a fresh build of the folder, and sentence coverage problems
    (see :func:`iraqtalks.data.build.stale_problems`). When the build cannot run, one problem says why."""
    from ..text.clean import CleaningError
    from . import build as _build

    pkg = _package(dd)
    key = (str(dd),) + _folder_key(dd, pkg)
    hit = _DERIVED_CACHE.get(key)
    if hit is None:
        try:
            hit = _build.stale_problems(data_dir=dd)
        except (_build.BuildError, CleaningError, DataError, _seeds.SeedError, OSError, KeyError, csv.Error) as exc:
            hit = [Problem(_folder_display(dd), found="a folder the build cannot run on", found_is_value=False,
                           expected="hand-made tables and seeds the build accepts",
                           message=f"the derived tables could not be compared with a fresh build: "
                                   f"{str(exc).splitlines()[0]}")]
        _remember(_DERIVED_CACHE, key, hit)
    return list(hit)


def _checked(dd: Path, pkg: dict, res: dict, key: tuple | None = None) -> _TableResult:
    key = key or _table_key(dd, pkg, res)
    hit = _CHECK_CACHE.get(key)
    if hit is None:
        hit = _check_table(dd, pkg, res)
        _remember(_CHECK_CACHE, key, hit)
    return hit


def _order(pkg: dict, dd: Path):
    files = {_display(dd / r["path"]): (i + 1, [f["name"] for f in _fields(r)]) for i, r in enumerate(pkg["resources"])}

    def key(p: Problem):
        rank, cols = files.get(p.file, (0, []))
        col = cols.index(p.column) if p.column in cols else -1
        return (rank, p.file, p.row or 0, col)
    return key


def _selected(pkg: dict, tables) -> list[dict]:
    if tables is None:
        return list(pkg["resources"])
    return [_resource(pkg, t) for t in _as_list(tables)]


def validate(*, data_dir: str | Path | None = None, tables: str | Iterable[str] | None = None) -> list[Problem]:
    """Every problem in a data folder (or in some of its tables), sorted by file then row.

    Checks, all read from datapackage.json: the file exists (derived tables too) inside the data
    folder, is UTF-8 (a spreadsheet's byte-order mark and CRLF line ends are read as the same data),
    is comma-separated, has exactly the declared columns, every row has one cell per column;
    required cells are filled; types (string, integer, number, ISO date, boolean); enum and pattern
    constraints; primary keys are unique; foreign keys point at existing rows (an empty cell is no
    reference); text is Unicode NFC and has no HTML/script markup; each evidence quote occurs
    verbatim, on one line, in the raw seed of its article, and each `within_evidence` value occurs
    inside the quote; the end of each range declared in `x-ranges` is not before its start; for the outside-evidence tables, word
    limits, seed quotes in the clean text and fact keys (iraqtalks/data/upstream.py). An empty list means the data is valid.
    """
    dd = _data_dir(data_dir)
    try:
        pkg = _package(dd)
    except DataError as exc:
        return exc.problems
    problems: list[Problem] = []
    selected = _selected(pkg, tables)
    for res in selected:
        problems += _checked(dd, pkg, res).problems
    already = {(p.file, p.row, p.column) for p in problems}
    for res in selected:
        problems += _check_foreign_keys(dd, pkg, res, already)
    from .upstream import check as _check_outside  # x-max-words, x-seed-quote, x-fact-ref (outside evidence)
    problems += _check_outside(dd, pkg, selected)
    return sorted(problems, key=_order(pkg, dd))


@lru_cache(maxsize=256)
def _category_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(categories), ordered=False)


def _typed(res: dict, parsed: _Parsed, path: Path) -> pd.DataFrame:
    """The table with the declared types (assumes the table passed its checks)."""
    missing = _missing_mask(res, parsed.values)
    cols: dict[str, object] = {}
    for f in _fields(res):
        name, ftype = f["name"], f.get("type", "string")
        j = parsed.col[name]
        s, miss = parsed.values[:, j], missing[:, j]
        if ftype == "date":
            d = s.copy()
            d[miss] = None
            cols[name] = d.astype("datetime64[D]").astype("datetime64[ns]")
        elif ftype in ("integer", "number"):
            d = s.copy()
            d[miss] = "0"
            if ftype == "integer":
                cols[name] = pd.arrays.IntegerArray(d.astype(np.int64), miss.copy())
            else:
                cols[name] = pd.arrays.FloatingArray(d.astype(np.float64), miss.copy())
        elif ftype == "boolean":
            tv = {str(x) for x in f.get("trueValues", _TRUE)}
            cols[name] = pd.arrays.BooleanArray(np.fromiter((v in tv for v in s), bool, len(s)), miss.copy())
        elif "enum" in (f.get("constraints") or {}):
            dtype = _category_dtype(tuple(str(a) for a in f["constraints"]["enum"]))
            lookup = {c: i for i, c in enumerate(dtype.categories)}
            codes = np.fromiter((lookup.get(v, -1) for v in s), np.int64, len(s))  # -1: missing
            cols[name] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        else:
            d = s.copy()
            d[miss] = pd.NA
            cols[name] = d
    df = pd.DataFrame(cols, copy=False)
    df.attrs["name"] = res["name"]
    df.attrs["title"] = res.get("title", res["name"])
    df.attrs["description"] = res.get("description", "")
    df.attrs["source"] = str(path)
    return df


def load(name: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load one table as a typed DataFrame, after checking it.

    Tables: {tables}

    Types follow datapackage.json: dates become datetime64[ns], integers "Int64", numbers "Float64",
    booleans "boolean", a text column with a fixed list of values a Categorical (categories in the
    declared order), other text stays text with empty cells as <NA>. Text such as "NA" is kept as
    text. ``df.attrs["source"]`` is the CSV file, ``df.attrs["description"]`` says what a row is.

    The table's own columns and its evidence quotes are checked first; if anything is wrong a
    DataError lists every problem (file, row, column, found, expected). Links to other tables are
    checked by ``python -m iraqtalks check-data``. ``data_dir`` picks another data folder (a copy).
    A table whose files have not changed since it was last checked is not checked again.
    """
    dd = _data_dir(data_dir)
    pkg = _package(dd)
    res = _resource(pkg, name)
    key = _table_key(dd, pkg, res)
    df = _LOAD_CACHE.get(key)
    if df is None:
        result = _checked(dd, pkg, res, key)
        if result.problems:
            ps = sorted(result.problems, key=_order(pkg, dd))
            raise DataError(ps, heading=f"Table '{name}' cannot be loaded: {_count(ps)} in "
                                        f"{_display(dd / res['path'])}")
        if res.get("x-derived"):
            stale = [p for p in _derived_problems(dd) if p.file in (_display(dd / res["path"]), _folder_display(dd))]
            if stale:
                raise DataError(stale, heading=f"Table '{name}' cannot be loaded: it does not match a fresh build "
                                               f"of {_folder_display(dd)}")
        df = _typed(res, _parse(dd / res["path"]), dd / res["path"])
        _remember(_LOAD_CACHE, key, df)
    out = df.copy(deep=True)
    out.attrs = dict(df.attrs)
    return out


def load_all(*, data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, by name, in datapackage.json order. Raises one DataError listing the problems of all tables."""
    dd = _data_dir(data_dir)
    pkg = _package(dd)
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for res in pkg["resources"]:
        try:
            out[res["name"]] = load(res["name"], data_dir=dd)
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems, heading=f"{_count(problems)} in {_folder_display(dd)}; no table was returned")
    return out


try:  # list the tables in load()'s docstring, from datapackage.json itself
    load.__doc__ = load.__doc__.replace("{tables}", ", ".join(table_names()))
except Exception:  # noqa: BLE001 - a broken datapackage.json must not break the import; load() reports it
    load.__doc__ = load.__doc__.replace("{tables}", "see data/datapackage.json (it could not be read)")


class EvidenceRow(NamedTuple):
    """One evidence quote: table name, spreadsheet row (header = 1), article id, the quote itself."""

    table: str
    row: int
    article_id: str
    quote: str


def evidence_rows(*, data_dir: str | Path | None = None) -> Iterator[EvidenceRow]:
    """Every non-empty evidence quote in the data folder, table by table (datapackage.json order), row by row.

    Yields EvidenceRow(table, row, article_id, quote) for each table with an ``x-evidence``
    declaration and each of its quote fields. It does not check the quotes (``validate`` does);
    it raises DataError if a table cannot be read whole: missing file, not UTF-8, empty, without
    its article or quote column, or with a problem in the file itself (broken quoting, a row of the
    wrong length, an empty row, old Mac line ends), so that nothing is derived from part of a table.
    """
    dd = _data_dir(data_dir)
    pkg = _package(dd)
    plan = []
    problems: list[Problem] = []
    for res in pkg["resources"]:
        ev = evidence_spec(res)
        if ev is None:
            continue
        path = dd / res["path"]
        parsed = _parse(path)
        if not parsed.has(ev["article_field"], *ev["quote_fields"]):
            problems += _checked(dd, pkg, res).problems or [Problem(_display(path), expected="a readable table")]
            continue
        if parsed.problems:  # read only in part (broken quoting, a row of the wrong length) or not as the kit writes
            problems += parsed.problems
            continue
        plan.append((res, ev, parsed))
    if problems:
        raise DataError(problems, heading="Cannot list the evidence quotes")
    for res, ev, parsed in plan:
        mv = set(_missing_values(res))
        for q in ev["quote_fields"]:
            for row, aid, quote in zip(parsed.rows, parsed.column(ev["article_field"]), parsed.column(q)):
                if quote not in mv:
                    yield EvidenceRow(res["name"], int(row), aid, quote)
