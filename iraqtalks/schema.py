"""Read, check and load the kit's tables. Everything here is driven by data/datapackage.json.

The column names, types, constraints, keys and evidence rules live only in
data/datapackage.json (a Frictionless Tabular Data Package).  This module reads it and:

* ``load(name)`` returns one table as a typed pandas DataFrame, after checking it;
* ``load_all()`` returns every table;
* ``validate()`` lists every problem in a data folder (``Problem`` objects);
* ``check_data()`` / ``python -m iraqtalks check-data`` print a readable report;
* ``evidence_rows()`` lists every evidence quote, for the build step.

A problem always names the file, the spreadsheet row (the header is row 1), the column,
what was found and what was expected.  Nothing is ever changed or "fixed" silently.
"""
from __future__ import annotations

import codecs
import copy
import csv
import datetime as _dt
import difflib
import hashlib
import io
import json
import os
import re
import time
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np
import pandas as pd

from . import seeds as _seeds
from .paths import ROOT, data_dir as _data_dir, seeds_dir_for

__all__ = [
    "Problem",
    "DataError",
    "UnknownTableError",
    "CheckReport",
    "EvidenceRow",
    "read_package",
    "table_names",
    "validate",
    "load",
    "load_all",
    "check_data",
    "check_data_cli",
    "evidence_rows",
]

SUPPORTED_TYPES = ("string", "integer", "number", "date", "boolean")
SUPPORTED_CONSTRAINTS = ("required", "enum", "pattern", "unique")
ARTICLES = "articles"  # the seed manifest: article_id -> seed_file
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# --------------------------------------------------------------------------- problems


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
    resolved = Path(path).resolve()
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

    def describe(self, with_file: bool = True) -> str:
        where = [self.file] if with_file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        bits = []
        if self.found is not None:
            bits.append("found " + (_show(self.found) if self.found_is_value else self.found))
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


class DataError(Exception):
    """The data (or datapackage.json) has problems; ``.problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem], heading: str | None = None):
        self.problems = list(problems)
        n = len(self.problems)
        heading = heading or f"{n} problem{'s' if n != 1 else ''} in the data"
        lines = [f"{heading}:"] + [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))


class UnknownTableError(LookupError):
    """A table name that datapackage.json does not declare."""


# --------------------------------------------------------------------------- small helpers


_RACY_NS = 3_000_000_000  # a file changed this recently may change again within one clock tick


def _stamp(path: Path):
    """A file's fingerprint for the caches (None if it does not exist).

    Normally the modification time, size and inode. A file modified in the last few seconds could
    be rewritten again within the file system's clock resolution without its time changing, so
    for such a file a hash of its bytes is added (the same idea as git's "racy" index check).
    """
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    if time.time_ns() - st.st_mtime_ns < _RACY_NS:
        try:
            key += (hashlib.blake2b(path.read_bytes(), digest_size=16).digest(),)
        except OSError:
            return None
    return key


def _as_list(v) -> list:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _closest(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    if word.strip().lower() in lowered:
        return lowered[word.strip().lower()]
    hit = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return hit[0] if hit else None


def _folder_display(dd: Path) -> str:
    return _display(dd).rstrip("/") + "/"


# --------------------------------------------------------------------------- datapackage.json

_PKG_CACHE: dict[str, tuple] = {}


def _package(dd: Path) -> dict:
    """The parsed, checked datapackage.json of a data folder (shared; never mutate it)."""
    path = dd / "datapackage.json"
    key = _stamp(path)
    hit = _PKG_CACHE.get(str(path))
    if hit is not None and hit[0] == key and key is not None:
        pkg, problems = hit[1], hit[2]
    else:
        pkg, problems = _read_package_file(path)
        _PKG_CACHE[str(path)] = (key, pkg, problems)
    if problems:
        raise DataError(problems, heading=f"{_display(path)} cannot be used")
    return pkg


def _read_package_file(path: Path) -> tuple[dict | None, list[Problem]]:
    shown = _display(path)
    if not path.parent.is_dir():
        return None, [Problem(shown, found=None, expected=None, message=(
            f"the data folder {_folder_display(path.parent)} does not exist"))]
    if not path.is_file():
        return None, [Problem(shown, message=(
            "datapackage.json is missing: every data folder needs it, because it declares the tables "
            "and their columns (copy it from the kit's data/ folder)"))]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, found=f"bytes that are not UTF-8 at byte {exc.start}",
                              found_is_value=False, expected="UTF-8 text")]
    if text.startswith("\ufeff"):
        return None, [Problem(shown, row=1, found="a byte-order mark (BOM) at the start", found_is_value=False,
                              expected="JSON saved as UTF-8 without a BOM")]
    try:
        pkg = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(shown, found=f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                              found_is_value=False, expected="valid JSON",
                              message="check for a missing comma or quote near that place")]
    return pkg, _check_package(pkg, shown)


def _check_package(pkg, shown: str) -> list[Problem]:
    """Check that datapackage.json says only what this module knows how to check."""
    out: list[Problem] = []

    def bad(where: str, found: str, expected: str, message: str = "") -> None:
        out.append(Problem(shown, column=None, found=f"{where}: {found}", found_is_value=False,
                           expected=expected, message=message))

    if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list) or not pkg["resources"]:
        bad("top level", "no 'resources' list", "a 'resources' list with one entry per table")
        return out
    names: dict[str, dict] = {}
    for i, res in enumerate(pkg["resources"]):
        where = f"resources[{i}]"
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not isinstance(res.get("path"), str):
            bad(where, "no 'name' or 'path'", "every resource to have a name and a path")
            continue
        if res["name"] in names:
            bad(where, f"a second resource named {res['name']!r}", "unique resource names")
        fields = (res.get("schema") or {}).get("fields")
        if not isinstance(fields, list) or not fields:
            bad(f"resource {res['name']!r}", "no schema.fields", "a schema with a list of fields")
            continue
        names[res["name"]] = res
    for name, res in names.items():
        where = f"resource {name!r}"
        schema = res["schema"]
        fnames = []
        for f in schema["fields"]:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                bad(where, "a field without a name", "every field to have a name")
                continue
            fnames.append(f["name"])
            ftype = f.get("type", "string")
            if ftype not in SUPPORTED_TYPES:
                bad(f"{where}, field {f['name']!r}", f"type {ftype!r}", "one of " + ", ".join(SUPPORTED_TYPES),
                    "the kit's checker (iraqtalks/schema.py) implements only these types")
            cons = f.get("constraints") or {}
            for c in cons:
                if c not in SUPPORTED_CONSTRAINTS:
                    bad(f"{where}, field {f['name']!r}", f"constraint {c!r}",
                        "one of " + ", ".join(SUPPORTED_CONSTRAINTS),
                        "the kit's checker would not enforce it; remove it or implement it in iraqtalks/schema.py")
            if "pattern" in cons:
                try:
                    re.compile(cons["pattern"])
                except re.error as exc:
                    bad(f"{where}, field {f['name']!r}", f"pattern {cons['pattern']!r} ({exc})", "a valid regular expression")
            if "enum" in cons and (not isinstance(cons["enum"], list) or not cons["enum"]):
                bad(f"{where}, field {f['name']!r}", "an empty or non-list enum", "a list of allowed values")
        if len(set(fnames)) != len(fnames):
            bad(where, "a field name used twice", "unique field names")
        for k in _as_list(schema.get("primaryKey")):
            if k not in fnames:
                bad(where, f"primaryKey field {k!r}", "a declared field name")
        for fk in schema.get("foreignKeys") or []:
            ref = fk.get("reference") or {}
            target = ref.get("resource") or name
            fields, rfields = _as_list(fk.get("fields")), _as_list(ref.get("fields"))
            for k in fields:
                if k not in fnames:
                    bad(where, f"foreign key field {k!r}", "a declared field name")
            if target not in names:
                bad(where, f"foreign key to unknown resource {target!r}", "a declared resource name")
                continue
            tnames = [f.get("name") for f in names[target]["schema"]["fields"]]
            for k in rfields:
                if k not in tnames:
                    bad(where, f"foreign key to unknown field {target}.{k}", f"a field of {target}")
            if len(fields) != len(rfields):
                bad(where, f"foreign key {fields} -> {rfields}", "the same number of fields on both sides")
        ev = res.get("x-evidence")
        if ev is not None:
            cols = [ev.get("article_field")] + _as_list(ev.get("quote_fields")) + _as_list(ev.get("within_evidence"))
            for k in cols:
                if k not in fnames:
                    bad(f"{where}, x-evidence", f"field {k!r}", "a declared field name")
            if not _as_list(ev.get("quote_fields")):
                bad(f"{where}, x-evidence", "no quote_fields", "at least one quote field")
    if ARTICLES not in names:
        bad("resources", f"no {ARTICLES!r} resource", "the seed manifest articles (article_id, seed_file)")
    else:
        anames = [f.get("name") for f in names[ARTICLES]["schema"]["fields"]]
        for k in ("article_id", "seed_file"):
            if k not in anames:
                bad(f"resource {ARTICLES!r}", f"no field {k!r}", "article_id and seed_file (the seed manifest)")
    return out


def read_package(data_dir: str | Path | None = None) -> dict:
    """datapackage.json of a data folder, as a dict (a fresh copy; cached by path and mtime).

    Raises DataError if the file is missing, is not valid JSON, or declares something the kit's
    checker does not implement (an unknown type or constraint, a key naming an undeclared field).
    """
    return copy.deepcopy(_package(_data_dir(data_dir)))


def table_names(data_dir: str | Path | None = None) -> list[str]:
    """The table names declared in datapackage.json, in its order."""
    return [r["name"] for r in _package(_data_dir(data_dir))["resources"]]


def _resources(pkg: dict) -> dict[str, dict]:
    return {r["name"]: r for r in pkg["resources"]}


def _resource(pkg: dict, name: str) -> dict:
    res = _resources(pkg)
    if not isinstance(name, str) or name not in res:
        hint = _closest(str(name), res)
        raise UnknownTableError(
            f"There is no table called {name!r}."
            + (f" Did you mean {hint!r}?" if hint else "")
            + " The tables are: " + ", ".join(res) + "."
        )
    return res[name]


def _fields(res: dict) -> list[dict]:
    return res["schema"]["fields"]


def _missing_values(res: dict) -> list[str]:
    return list(res["schema"].get("missingValues", [""]))


def _evidence_spec(res: dict) -> dict | None:
    ev = res.get("x-evidence")
    if not ev:
        return None
    return {
        "article_field": ev["article_field"],
        "quote_fields": _as_list(ev.get("quote_fields")),
        "within_evidence": _as_list(ev.get("within_evidence")),
    }


# --------------------------------------------------------------------------- reading a CSV


@dataclass
class _Parsed:
    """A CSV read as text: file-level problems, the header, and every cell as a string.

    ``values`` is a 2-D NumPy array of str (one row per data row, one column per header cell),
    ``rows`` the spreadsheet row number of each (the header is row 1; empty rows are skipped),
    ``col`` maps a column name to its index (the first, if a name is repeated).
    """

    exists: bool
    problems: list[Problem]
    header: list[str] | None = None
    values: np.ndarray | None = None
    rows: np.ndarray | None = None
    col: dict[str, int] | None = None
    text: str = ""
    short: dict[int, int] | None = None  # row -> number of cells actually present, for truncated rows

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.col[name]]

    def has(self, *names: str) -> bool:
        return self.values is not None and all(n in self.col for n in names)


_PARSE_CACHE: dict[str, tuple] = {}


def _parse(path: Path) -> _Parsed:
    key = _stamp(path)
    hit = _PARSE_CACHE.get(str(path))
    if hit is not None and key is not None and hit[0] == key:
        return hit[1]
    parsed = _parse_uncached(path)
    _remember(_PARSE_CACHE, str(path), (key, parsed))
    return parsed


def _quoting_problem(shown: str, row: int, exc: csv.Error) -> Problem:
    msg = str(exc)
    if "unexpected end of data" in msg:
        advice = ("a quoted cell is never closed: a double quote \" opens a cell here and no closing quote "
                  "follows. Inside a quoted cell, write a double quote as \"\"")
    else:
        advice = (f"the CSV reader says: {msg}. A cell that contains a double quote must itself be in "
                  "double quotes, with the inner quote doubled (\"\")")
    return Problem(shown, row=row, found="broken quoting", found_is_value=False,
                   expected="cells quoted the CSV way", message=advice + "; the rest of the file was not read")


def _parse_uncached(path: Path) -> _Parsed:
    shown = _display(path)
    if not path.is_file():
        return _Parsed(exists=False, problems=[])
    raw = path.read_bytes()
    problems: list[Problem] = []
    if not raw:
        return _Parsed(exists=True, problems=[])  # the caller reports the empty file, knowing the columns
    if raw.startswith(codecs.BOM_UTF8):
        problems.append(Problem(
            shown, row=1, found="a byte-order mark (BOM, the bytes EF BB BF) at the start of the file",
            found_is_value=False, expected="UTF-8 without a BOM, like every file in the kit",
            message=("Spreadsheet programs add it when saving as 'CSV UTF-8'. Save again as plain UTF-8 "
                     "(in a text editor: encoding 'UTF-8', not 'UTF-8 with BOM'), or remove it with: "
                     f"python -c \"import pathlib; p = pathlib.Path(r'{path}'); "
                     "p.write_bytes(p.read_bytes()[3:])\"")))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(
            shown, row=None, found=f"bytes that are not UTF-8 on line {line} (byte {exc.start}: "
            f"{raw[exc.start:exc.start + 4]!r})", found_is_value=False, expected="text encoded as UTF-8",
            message=("The file was probably saved in another encoding (e.g. Windows-1252 or UTF-16). "
                     "Open it and save it again as CSV, encoding UTF-8.")))
        return _Parsed(exists=True, problems=problems)

    records: list[list[str]] = []
    line_ends: list[int] = []  # physical line on which each record ends (needed only to place a problem)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))  # the fast path: all in C
        ok = True
    except csv.Error:
        ok = False
    if not ok or "\r" in text:
        records = []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            for rec in reader:
                records.append(rec)
                line_ends.append(reader.line_num)
        except csv.Error as exc:
            problems.append(_quoting_problem(shown, len(records) + 1, exc))

    if "\r" in text:
        first = text.index("\r")
        line = text.count("\n", 0, first) + 1
        row = bisect_left(line_ends, line) + 1 if line_ends else 1
        n = text.count("\r\n")
        kind = (f"Windows line ends (CRLF, \\r\\n) on {n} line{'s' if n != 1 else ''}" if n
                else "a carriage-return character (\\r)")
        problems.append(Problem(
            shown, row=row, found=kind, found_is_value=False,
            expected="Unix line ends (LF, \\n only), like every file in the kit",
            message=("Save the file again with LF line ends (most editors have a 'Line endings: LF / Unix' "
                     "setting), or convert it with: "
                     f"python -c \"import pathlib; p = pathlib.Path(r'{path}'); "
                     "p.write_bytes(p.read_bytes().replace(b'\\r\\n', b'\\n'))\"")))

    if not records:
        return _Parsed(exists=True, problems=problems, header=None, text=text)
    header = records[0]
    width = len(header)
    col: dict[str, int] = {}
    for j, h in enumerate(header):
        col.setdefault(h, j)
    if all(len(rec) == width for rec in records):  # the usual case: a rectangle
        values = np.empty((len(records) - 1, width), dtype=object)
        if len(records) > 1:
            values[:] = records[1:]
        return _Parsed(exists=True, problems=problems, header=header, values=values,
                       rows=np.arange(2, len(records) + 1, dtype=np.int64), col=col, text=text, short={})
    rows: list[int] = []
    body: list[list[str]] = []
    short: dict[int, int] = {}
    for i, rec in enumerate(records[1:], start=2):
        if len(rec) == width:
            rows.append(i)
            body.append(rec)
            continue
        if not rec:
            problems.append(Problem(shown, row=i, found="an empty row", found_is_value=False,
                                    expected=f"a row of {width} cells",
                                    message="delete the empty row (spreadsheet row numbers count it)"))
            continue
        if len(rec) < width:
            problems.append(Problem(
                shown, row=i, column=header[len(rec)], found=f"{len(rec)} cells", found_is_value=False,
                expected=f"{width} cells, one per column of the header",
                message=(f"the row stops before column {header[len(rec)]}: it is truncated, or a cell is missing "
                         "its comma, or a line break splits it (put a cell with a line break in double quotes)")))
            short[i] = len(rec)
            rec = rec + [""] * (width - len(rec))  # padding, so the other cells can still be checked
        else:
            problems.append(Problem(
                shown, row=i, found=f"{len(rec)} cells", found_is_value=False,
                expected=f"{width} cells, one per column of the header",
                message=("a cell probably contains a comma without being in double quotes; "
                         f"the extra cells start with {_show(rec[width])}")))
            rec = rec[:width]
        rows.append(i)
        body.append(rec)
    values = np.empty((len(body), width), dtype=object)
    if body:
        values[:] = body
    return _Parsed(exists=True, problems=problems, header=header, values=values,
                   rows=np.asarray(rows, dtype=np.int64), col=col, text=text, short=short)


# --------------------------------------------------------------------------- checks of one table

_INT_RE = r"[+-]?\d+"
_NUM_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_VI_GROUPED_RE = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?"  # 2.500  1.234,5
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_MARKUP_RE = re.compile(r"<[A-Za-z/!]")
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def _all_match(regex: str, values: np.ndarray) -> bool:
    """Whether every value fully matches one of the kit's own type regexes, in one pass of the regex engine.

    The values are joined with NUL, which none of these regexes can match, so a single full match
    of the joined text means each value matched on its own. (Not used for patterns from
    datapackage.json, which could match a NUL.)
    """
    if len(values) == 0:
        return True
    return re.fullmatch(f"(?:{regex})(?:\x00(?:{regex}))*", "\x00".join(values)) is not None


def _each_match(regex: str, values: np.ndarray) -> np.ndarray:
    """Per value: does it fully match? (Used only to locate the bad cells once _all_match said no.)"""
    cre = re.compile(regex)
    return np.fromiter((cre.fullmatch(v) is not None for v in values), dtype=bool, count=len(values))


_INT64_MAX = int(np.iinfo(np.int64).max)


def _fits(ftype: str, values: np.ndarray) -> np.ndarray:
    """Per value (each already matching the type's regex): can the loader hold it? A whole number
    must fit in 64 bits (else loading fails), a number must stay finite as a float (1e999 would load
    as infinity)."""
    if ftype == "integer":
        return np.fromiter((len(v) < 19 or abs(int(v)) <= _INT64_MAX for v in values), dtype=bool, count=len(values))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.isfinite(values.astype(np.float64)) if len(values) else np.ones(0, dtype=bool)


def _date_advice(value: str) -> tuple[str | None, str]:
    """(suggested ISO date or None, advice) for a value that is not an ISO date."""
    v = value.strip()
    if v != value and re.fullmatch(_DATE_RE, v):
        return v, "remove the spaces around the date"

    def iso(y: int, m: int, d: int) -> str | None:
        try:
            return _dt.date(y, m, d).isoformat()  # zero-padded, any year 1-9999
        except ValueError:
            return None

    first, last = _FIRST_DAY.astype(object).year, _LAST_DAY.astype(object).year
    if re.fullmatch(_DATE_RE, v) and iso(int(v[:4]), int(v[5:7]), int(v[8:])) == v and not first <= int(v[:4]) <= last:
        return None, f"{v} is a real date, but outside the years the kit's tables can hold ({first}-{last}): check the year"

    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", v)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        s = iso(y, mo, d)
        if s:
            return s, (f"Vietnamese writes the day first: {v} is {d} {MONTHS[mo - 1]} {y}, "
                       f"which the kit writes {s} (year-month-day)")
        s = iso(y, d, mo)
        if s:
            return s, f"this looks month-first (US style): {v} is {MONTHS[d - 1]} {mo}, {y}, written {s}"
        return None, f"{v} is not a real calendar date"
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})", v)
    if m:
        d, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and iso(2024, mo, d):
            return f"2024-{mo:02d}-{d:02d}", (
                f"{v} looks like a Vietnamese day.month date ({d} {MONTHS[mo - 1]}) with no year; "
                f"write the year too, e.g. 2024-{mo:02d}-{d:02d} if the year is 2024")
        return None, f"{v} looks like a day/month date but is not a real one"
    m = re.fullmatch(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})", v)
    if m:
        s = iso(int(m[1]), int(m[2]), int(m[3]))
        if s and s != v:
            return s, f"write it with dashes and a two-digit month and day: {s}"
        if not s:
            return None, f"{v} is not a real calendar date (check the month and the day)"
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ].*", v)
    if m:
        return m[1], "write the date only, without a time"
    return None, "write dates as year-month-day with dashes"


def _number_advice(value: str) -> str | None:
    v = value.strip()
    if re.fullmatch(_VI_GROUPED_RE, v):
        plain = v.replace(".", "").replace(",", ".")
        return (f"this looks like Vietnamese number formatting, where '.' groups thousands and ',' is the "
                f"decimal comma ({v} = {plain}): write {plain}. (If you really mean a decimal with three "
                "places, add a trailing zero, e.g. 2.5000, so it cannot be mistaken.)")
    if re.fullmatch(r"[+-]?\d+(?:,\d+)+", v) or re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", v):
        return ("write it without commas: '.' is the decimal point and there are no thousands separators "
                "(Vietnamese 2,5 = 2.5; English 2,500 = 2500)")
    if re.fullmatch(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+", v):
        digits = re.sub(r"[^\d+-]", "", v)  # keep the sign
        return f"remove the spaces: write {digits}"
    if v != value:
        return "remove the spaces around the number"
    return None


def _first_not_nfc(text: str) -> str:
    for i, ch in enumerate(text):
        if unicodedata.combining(ch) or unicodedata.normalize("NFC", ch) != ch:
            name = unicodedata.name(ch, "?")
            before = text[i - 1] if i else ""
            return f"{before!r} + U+{ord(ch):04X} {name} at character {i}"
    return "decomposed characters"


class _TableResult(NamedTuple):
    problems: list[Problem]
    rows: int
    quotes_found: int


def _missing_mask(res: dict, values: np.ndarray) -> np.ndarray:
    mv = _missing_values(res)
    if mv == [""]:
        return values == ""
    return np.isin(values, mv)


def _check_table(dd: Path, pkg: dict, res: dict) -> _TableResult:
    """Every check of one table that needs no other table except the seed manifest (articles)."""
    path = dd / res["path"]
    shown = _display(path)
    parsed = _parse(path)
    fields = _fields(res)
    declared = [f["name"] for f in fields]
    if not parsed.exists:
        if res.get("x-derived"):
            msg = ("this table is derived from the seeds and the curated tables: run `python -m iraqtalks build` "
                   "to create it")
        else:
            msg = (f"this hand-made table ({res.get('title', res['name'])}) is declared in datapackage.json, so "
                   "its file must exist: restore it (e.g. from git) or create it with the declared header")
        return _TableResult([Problem(shown, found="no such file", found_is_value=False,
                                     expected=f"the CSV file of table '{res['name']}'", message=msg)], 0, 0)
    problems = list(parsed.problems)
    if parsed.header is None:
        if not problems:
            problems.append(Problem(
                shown, row=1, found="an empty file", found_is_value=False,
                expected="at least the header row: " + ",".join(declared),
                message="the file has no header and no rows; restore it from git or rebuild it"))
        return _TableResult(problems, 0, 0)
    problems += _check_header(shown, parsed.header, declared)
    values, rows, col = parsed.values, parsed.rows, parsed.col
    if res["name"] == ARTICLES and len(values) == 0 and not parsed.problems:
        problems.append(Problem(shown, row=2, found="no rows after the header", found_is_value=False,
                                expected="one row per seed file in seeds/ (this table is the seed manifest)",
                                message="every evidence quote is checked against the seed its article row names; "
                                        "restore the rows (e.g. from git)"))
    missing = _missing_mask(res, values)  # one vectorised pass over every cell
    present = [f for f in fields if f["name"] in col]

    # required cells (primary-key fields are required by definition)
    pk = _as_list(res["schema"].get("primaryKey"))
    req = [f["name"] for f in present if (f.get("constraints") or {}).get("required") or f["name"] in pk]
    if req:
        sub = missing[:, [col[n] for n in req]]
        if sub.any():
            for r, c in zip(*sub.nonzero()):
                row, name = int(rows[r]), req[c]
                if row in parsed.short and col[name] >= parsed.short[row]:
                    continue  # a cell the truncated row does not have: the truncation is reported
                problems.append(Problem(shown, row=row, column=name, found="", expected=(
                    "a value: this column is required" if _required(res, name)
                    else "a value: this column is part of the primary key"),
                    message="the cell is empty"))

    # integer and number columns: one pass of the regex engine over all of them; cell by cell only if one fails
    numeric_ok = set()
    for ftype, regex in (("integer", _INT_RE), ("number", _NUM_RE)):
        js = [col[f["name"]] for f in present if f.get("type") == ftype]
        if js and _all_match(regex, values[:, js][~missing[:, js]]) and (
                ftype == "integer" or not any(re.fullmatch(_VI_GROUPED_RE, v) for v in values[:, js][~missing[:, js]])) \
                and _fits(ftype, values[:, js][~missing[:, js]]).all():
            numeric_ok.add(ftype)

    for f in present:
        name, ftype = f["name"], f.get("type", "string")
        cons = f.get("constraints") or {}
        j = col[name]
        s = values[:, j]
        have = ~missing[:, j]
        if ftype == "string":
            if "enum" in cons:
                allowed = [str(a) for a in cons["enum"]]
                if not set(s[have]) <= set(allowed):
                    bad = have & ~np.isin(s, allowed)
                    for r in bad.nonzero()[0]:
                        v = s[r]
                        hint = _closest(v, allowed, 0.5)
                        problems.append(Problem(shown, row=int(rows[r]), column=name, found=v,
                                                expected="one of: " + ", ".join(allowed),
                                                message=f"did you mean {hint!r}?" if hint else
                                                "the allowed values are listed in datapackage.json"))
            if "pattern" in cons:
                cre = re.compile(cons["pattern"])
                failing = {v for v in set(s[have]) if cre.fullmatch(v) is None}  # each distinct value once
                if failing:
                    for r in (have & np.isin(s, list(failing))).nonzero()[0]:
                        problems.append(Problem(shown, row=int(rows[r]), column=name, found=s[r],
                                                expected=f"text matching the pattern {cons['pattern']} "
                                                         "(the whole value)"))
        else:
            if ftype not in numeric_ok:
                problems += _check_type(shown, name, ftype, f, s, have, rows)
        if cons.get("unique"):
            vals = s[have]
            if len(set(vals)) != len(vals):
                problems += _duplicate_problems(shown, [(v,) for v in s], have, rows, [name], "unique value")

    # primary key
    if pk and all(k in col for k in pk):
        complete = ~missing[:, [col[k] for k in pk]].any(axis=1)
        keys = list(zip(*(values[:, col[k]] for k in pk)))
        if len(set(k for k, c in zip(keys, complete) if c)) != int(complete.sum()):
            problems += _duplicate_problems(shown, keys, complete, rows, pk, "primary key")

    # text: Unicode NFC and no markup (one test over the whole file, then find the cells)
    text_cols = [f["name"] for f in present if f.get("type", "string") == "string"]
    if not unicodedata.is_normalized("NFC", parsed.text):
        for name in text_cols:
            s = values[:, col[name]]
            for r, v in enumerate(s):
                if not unicodedata.is_normalized("NFC", v):
                    problems.append(Problem(
                        shown, row=int(rows[r]), column=name, found=v,
                        expected="text in Unicode NFC (composed characters, as in the seeds)",
                        message=(f"the text contains decomposed characters ({_first_not_nfc(v)}); it looks the "
                                 "same but does not match the seeds. Fix it with "
                                 "unicodedata.normalize('NFC', text) or type it again")))
    if _MARKUP_RE.search(parsed.text):
        for name in text_cols:
            s = values[:, col[name]]
            for r, v in enumerate(s):
                tag = _MARKUP_RE.search(v)
                if tag is None:
                    continue
                end = v.find(">", tag.start())
                tag_text = v[tag.start(): end + 1] if end >= 0 else v[tag.start(): tag.start() + 12]
                problems.append(Problem(
                    shown, row=int(rows[r]), column=name, found=v,
                    expected="plain text without HTML or script markup",
                    message=(f"it contains the markup {tag_text!r}; the kit shows every cell as plain text, so "
                             "remove the tags and keep only the words")))

    problems += _check_ranges(shown, parsed, missing, present, numeric_ok)
    problems += _check_parsed_from(shown, parsed, missing, present)
    quotes_found = 0
    ev = _evidence_spec(res)
    if ev is not None:
        ev_problems, quotes_found = _check_evidence(dd, pkg, res, shown, parsed, missing, ev)
        problems += ev_problems
    return _TableResult(problems, len(values), quotes_found)


def _required(res: dict, col: str) -> bool:
    for f in _fields(res):
        if f["name"] == col:
            return bool((f.get("constraints") or {}).get("required"))
    return False


def _check_header(shown: str, header: list[str], declared: list[str]) -> list[Problem]:
    out: list[Problem] = []
    if header == declared:
        return out
    seen = set()
    for i, h in enumerate(header):
        if h in seen:
            out.append(Problem(shown, row=1, column=h, found=f"the column name {h!r} a second time (column {i + 1})",
                               found_is_value=False, expected="each column once",
                               message="delete or rename the duplicate column"))
        seen.add(h)
    missing = [d for d in declared if d not in header]
    handled: set[str] = set()
    for i, h in enumerate(header):
        if h in declared or h in handled:
            continue
        if h.strip() in missing:
            guess = h.strip()
        elif len(header) == len(declared) and declared[i] in missing:
            guess = declared[i]
        else:
            guess = _closest(h, missing, 0.5)
        if guess is not None and guess in missing and guess not in handled:
            handled.add(guess)
            why = ("remove the spaces around the name" if h.strip() == guess
                   else f"was it renamed? rename it back to {guess!r}")
            out.append(Problem(shown, row=1, column=h, found=h, expected=f"the declared column name {guess!r}",
                               message=f"datapackage.json has no column {h!r} but declares {guess!r}, "
                                       f"which is missing: {why}"))
            continue
        near = _closest(h, declared, 0.5)
        out.append(Problem(shown, row=1, column=h or f"(column {i + 1})", found=h,
                           expected="only the columns declared in datapackage.json: " + ", ".join(declared),
                           message=(f"did you mean {near!r}? " if near else "")
                           + "delete the column, or declare it in datapackage.json first"))
    for d in missing:
        if d in handled:
            continue
        out.append(Problem(shown, row=1, column=d, found="no such column in the header", found_is_value=False,
                           expected=f"a column named {d!r} (column {declared.index(d) + 1} of {len(declared)} "
                                    "in datapackage.json)",
                           message="add the column back (an empty cell is fine where the column is optional)"))
    if not out and header != declared:
        out.append(Problem(shown, row=1, found="the columns in the order " + ", ".join(header), found_is_value=False,
                           expected="the order declared in datapackage.json: " + ", ".join(declared),
                           message="move the columns back into the declared order"))
    return out


# The dates a pandas datetime64[ns] column can hold (whole years); a date outside would be garbled on loading.
_FIRST_DAY, _LAST_DAY = np.datetime64("1678-01-01"), np.datetime64("2261-12-31")


def _valid_dates(values: np.ndarray) -> bool:
    """Whether every value is an ISO date YYYY-MM-DD that exists (NumPy parses them all in C),
    in the years 1678-2261 that the loader's datetime64[ns] columns can hold."""
    if not _all_match(_DATE_RE, values):
        return False
    try:
        days = values.astype("datetime64[D]")
    except ValueError:
        return False
    return bool(((days >= _FIRST_DAY) & (days <= _LAST_DAY)).all())


def _each_real_date(values: np.ndarray) -> np.ndarray:
    """Per value: is it an ISO date that exists? (one NumPy pass; value by value only if one is not)"""
    try:
        values.astype("datetime64[D]")
        return np.ones(len(values), dtype=bool)
    except ValueError:
        return np.fromiter((_valid_dates(np.array([v], dtype=object)) for v in values), bool, len(values))


def _check_type(shown: str, name: str, ftype: str, f: dict, s: np.ndarray, have: np.ndarray,
                rows: np.ndarray) -> list[Problem]:
    out: list[Problem] = []
    vals = s[have]
    at = rows[have]
    if ftype == "integer":
        if _all_match(_INT_RE, vals) and _fits(ftype, vals).all():
            return out
        ok = _each_match(_INT_RE, vals)
        fits = np.ones(len(vals), dtype=bool)
        fits[ok] = _fits(ftype, vals[ok])
        for r in (~(ok & fits)).nonzero()[0]:
            v = vals[r]
            advice = ("this whole number is too large for the kit's tables (at most 18 digits)" if ok[r]
                      else _number_advice(v) or "use digits only, with no decimal point or separators")
            out.append(Problem(shown, row=int(at[r]), column=name, found=v,
                               expected="a whole number written with digits only (e.g. 2500)", message=advice))
    elif ftype == "number":
        if _all_match(_NUM_RE, vals) and not any(re.fullmatch(_VI_GROUPED_RE, v) for v in vals) \
                and _fits(ftype, vals).all():
            return out
        ok = _each_match(_NUM_RE, vals) & ~_each_match(_VI_GROUPED_RE, vals)
        fits = np.ones(len(vals), dtype=bool)
        fits[ok] = _fits(ftype, vals[ok])
        for r in (~(ok & fits)).nonzero()[0]:
            v = vals[r]
            advice = ("this number is too large to hold: it would be read as infinity" if ok[r]
                      else _number_advice(v) or "write digits with an optional '.' decimal point")
            out.append(Problem(shown, row=int(at[r]), column=name, found=v,
                               expected="a number with '.' as the decimal point and no thousands separators "
                                        "(e.g. 2500 or 2.5)", message=advice))
    elif ftype == "date":
        if _valid_dates(vals):
            return out
        for r, v in enumerate(vals):
            if _valid_dates(np.array([v], dtype=object)):
                continue
            iso, advice = _date_advice(v)
            out.append(Problem(shown, row=int(at[r]), column=name, found=v,
                               expected=f"an ISO date YYYY-MM-DD (e.g. {iso or '2024-01-28'})", message=advice))
    elif ftype == "boolean":
        allowed = [str(x) for x in f.get("trueValues", _TRUE)] + [str(x) for x in f.get("falseValues", _FALSE)]
        if set(vals) <= set(allowed):
            return out
        for r in (~np.isin(vals, allowed)).nonzero()[0]:
            out.append(Problem(shown, row=int(at[r]), column=name, found=vals[r],
                               expected=f"true or false (one of: {', '.join(allowed)})"))
    return out


def _duplicate_problems(shown: str, keys: list[tuple], use: np.ndarray, rows: np.ndarray, cols: list[str],
                        what: str) -> list[Problem]:
    out: list[Problem] = []
    first: dict[tuple, int] = {}
    label = ", ".join(cols)
    for key, u, row in zip(keys, use, rows):
        if not u:
            continue
        if key not in first:
            first[key] = int(row)
            continue
        shown_value = key[0] if len(key) == 1 else " | ".join(key)
        out.append(Problem(shown, row=int(row), column=cols[0] if len(cols) == 1 else label, found=shown_value,
                           expected=f"a {what} ({label}) that no other row has",
                           message=f"rows {first[key]} and {int(row)} have the same {what}; "
                                   "change one, or delete the duplicate row"))
    return out


def _check_parsed_from(shown: str, parsed: _Parsed, missing: np.ndarray, present: list[dict]) -> list[Problem]:
    """A field declared with `x-parsed-from: SOURCE` must hold SOURCE read as a Vietnamese number
    (numbers.value is value_as_written read the Vietnamese way: 2.500 -> 2500, ba -> 3, hàng trăm -> empty)."""
    from .vietnamese import parse_vn_number

    out: list[Problem] = []
    col = parsed.col
    names = {f["name"] for f in present}
    for f in present:
        source = f.get("x-parsed-from")
        if not source or source not in names:
            continue
        target = f["name"]
        vals, srcs = parsed.column(target), parsed.column(source)
        for r in range(len(vals)):
            if missing[r, col[source]]:
                continue
            row = int(parsed.rows[r])
            try:
                want = parse_vn_number(srcs[r])
            except ValueError as exc:
                out.append(Problem(shown, row=row, column=source, found=srcs[r],
                                   expected="a number written the Vietnamese way (2.500, 900, 2,5), a number word (ba) or a vague amount (hàng trăm)",
                                   message=str(exc)))
                continue
            if missing[r, col[target]]:
                if want is not None:
                    out.append(Problem(shown, row=row, column=target, found="an empty cell",
                                       expected=f"{want:g}, the value of {source} {srcs[r]!r}", found_is_value=False,
                                       message=f"{target} is empty but {source} is a number"))
                continue
            if not re.fullmatch(_NUM_RE, vals[r]) or re.fullmatch(_VI_GROUPED_RE, vals[r]):
                continue  # the type check reports malformed numbers
            have = float(vals[r])
            if want is None:
                out.append(Problem(shown, row=row, column=target, found=vals[r],
                                   expected=f"an empty cell: {source} {srcs[r]!r} is a vague amount",
                                   message=f"{target} gives a number for a vague amount"))
            elif have != want:
                out.append(Problem(shown, row=row, column=target, found=vals[r],
                                   expected=f"{want:g}, which is how {source} {srcs[r]!r} reads (a dot groups thousands: 2.500 = 2500)",
                                   message=f"{target} does not match {source}"))
    return out


def _check_ranges(shown: str, parsed: _Parsed, missing: np.ndarray, present: list[dict],
                  known_ok: set[str]) -> list[Problem]:
    """A column named X_end must not be before X_start (date_end >= date_start, published_end >= ...)."""
    out: list[Problem] = []
    types = {f["name"]: f.get("type", "string") for f in present}
    col = parsed.col
    for end, t in types.items():
        if not end.endswith("end") or t not in ("date", "integer", "number"):
            continue
        start = end[: -len("end")] + "start"
        if types.get(start) != t:
            continue
        a, b = parsed.column(start), parsed.column(end)
        regex = {"date": _DATE_RE, "integer": _INT_RE, "number": _NUM_RE}[t]
        both = ~missing[:, col[start]] & ~missing[:, col[end]]
        for x in (a, b):  # malformed values are reported by the type check
            if t not in known_ok and not _all_match(regex, x[both]):
                both &= _each_match(regex, x)
            if t != "date" and t not in known_ok:
                both[both] = _fits(t, x[both])
        if t == "date":
            both &= _each_real_date(a) & _each_real_date(b)
            before = both & (b < a)  # ISO dates compare correctly as text
        else:
            before = both.copy()
            kind = np.int64 if t == "integer" else np.float64
            before[both] = b[both].astype(kind) < a[both].astype(kind)
        for r in before.nonzero()[0]:
            out.append(Problem(shown, row=int(parsed.rows[r]), column=end, found=b[r],
                               expected=f"{end} on or after {start} ({a[r]})",
                               message=f"{end} is before {start}; one of the two is wrong (or they are swapped)"))
    return out


# --------------------------------------------------------------------------- evidence


def _articles_map(dd: Path, pkg: dict) -> dict[str, tuple[str, int]]:
    """article_id -> (seed_file, spreadsheet row in articles.csv), read from the (possibly broken) manifest."""
    parsed = _parse(dd / _resource(pkg, ARTICLES)["path"])
    if not parsed.has("article_id", "seed_file"):
        return {}
    out: dict[str, tuple[str, int]] = {}
    for row, a, sf in zip(parsed.rows, parsed.column("article_id"), parsed.column("seed_file")):
        if a and sf and a not in out:
            out[a] = (sf, int(row))
    return out


def _seed_text(seeds_dir: Path, seed_file: str) -> str | None:
    try:
        return _seeds.read_raw(seed_file, seeds_dir)
    except _seeds.SeedError:
        return None


def _quote_hint(quote: str, seed: str, others: dict[str, str]) -> str:
    """Why a quote is not found verbatim in its seed, as far as can be told."""
    norm = unicodedata.normalize("NFC", quote)
    if norm != quote and norm in seed:
        return "it matches once normalised to NFC (see the NFC problem)"
    if " ".join(quote.split()) in " ".join(seed.split()):
        return "it matches if spaces and line breaks are ignored: copy the spacing exactly as in the seed"
    straight = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "„": '"'})
    if quote.translate(straight) in seed.translate(straight):
        return "it matches if the quotation marks are ignored: copy the seed's own quotation marks"
    if quote.casefold() in seed.casefold():
        return "it matches if upper and lower case are ignored: copy the capitals exactly"
    for aid, text in others.items():
        if quote in text:
            return f"it is in the seed of article {aid}: is article_id wrong?"
    lo, hi = 0, len(quote)
    while lo < hi:  # the longest start of the quote that the seed contains
        mid = (lo + hi + 1) // 2
        if quote[:mid] in seed:
            lo = mid
        else:
            hi = mid - 1
    if lo >= 3:
        return (f"the first {lo} characters match the seed; it differs from there: "
                f"{quote[max(0, lo - 15):lo]!r} is followed in the quote by {quote[lo:lo + 15]!r}")
    return "even its start does not occur in the seed: copy the quote from the seed with copy and paste"


def _check_evidence(dd: Path, pkg: dict, res: dict, shown: str, parsed: _Parsed, missing: np.ndarray,
                    ev: dict) -> tuple[list[Problem], int]:
    out: list[Problem] = []
    col, rows = parsed.col, parsed.rows
    afield = ev["article_field"]
    qfields = [q for q in ev["quote_fields"] if q in col]
    if afield not in col or not qfields:
        return out, 0  # the header problem is already reported
    amap = _articles_map(dd, pkg)
    articles_shown = _display(dd / _resource(pkg, ARTICLES)["path"])
    if not amap:
        return [Problem(shown, message=(f"the evidence quotes were not checked, because {articles_shown} (the list "
                                        "of articles and their seed files) cannot be read; see its problems"))], 0
    sdir = seeds_dir_for(dd)
    seeds_shown = _folder_display(sdir)
    texts: dict[str, str | None] = {aid: _seed_text(sdir, sf) for aid, (sf, _) in amap.items()}
    found_count = 0
    articles = parsed.column(afield)

    for q in qfields:
        s = parsed.column(q)
        have = ~missing[:, col[q]]
        multi = have & np.fromiter(("\n" in v or "\r" in v for v in s), dtype=bool, count=len(s))
        for r in multi.nonzero()[0]:
            out.append(Problem(shown, row=int(rows[r]), column=q, found=s[r], expected="a quote on a single line",
                               message=("an evidence quote never spans lines: quote one line of the seed "
                                        "(use two rows if you need two lines)")))
        for r in (have & ~multi).nonzero()[0]:
            aid, v = articles[r], s[r]
            if aid not in amap:
                if aid:
                    near = _closest(aid, amap)
                    out.append(Problem(
                        shown, row=int(rows[r]), column=afield, found=aid,
                        expected=f"an article_id listed in {articles_shown}",
                        message=f"so its {q} cannot be checked against a seed"
                                + (f"; did you mean {near!r}?" if near else "")))
                continue
            seed = texts[aid]
            if seed is None:
                out.append(Problem(
                    shown, row=int(rows[r]), column=q, found=v,
                    expected=f"a quote from {seeds_shown}{amap[aid][0]}",
                    message=f"that seed file cannot be read (see {articles_shown}, row {amap[aid][1]})"))
                continue
            if v in seed:
                found_count += 1
                continue
            others = {a: t for a, t in texts.items() if a != aid and t}
            out.append(Problem(
                shown, row=int(rows[r]), column=q, found=v,
                expected=f"text copied exactly from the seed {seeds_shown}{amap[aid][0]} (article {aid})",
                message="it is not in that seed; " + _quote_hint(v, seed, others)))

    quotes = [parsed.column(q) for q in qfields]
    for w in ev["within_evidence"]:
        if w not in col:
            continue
        s = parsed.column(w)
        for r in (~missing[:, col[w]]).nonzero()[0]:
            if not any(s[r] in qs[r] for qs in quotes):
                out.append(Problem(
                    shown, row=int(rows[r]), column=w, found=s[r],
                    expected=f"text that occurs inside this row's {' / '.join(qfields)}",
                    message=(f"{w} must be copied from the quote ({_show(quotes[0][r], 60)}): "
                             "fix the spelling, or extend the quote so it contains it")))
    return out, found_count


# --------------------------------------------------------------------------- foreign keys


def _check_foreign_keys(dd: Path, pkg: dict, res: dict, already: set[tuple]) -> list[Problem]:
    out: list[Problem] = []
    parsed = _parse(dd / res["path"])
    if parsed.values is None:
        return out
    shown = _display(dd / res["path"])
    for fk in res["schema"].get("foreignKeys") or []:
        fields = _as_list(fk["fields"])
        ref = fk["reference"]
        target = _resource(pkg, ref.get("resource") or res["name"])
        rfields = _as_list(ref["fields"])
        tparsed = _parse(dd / target["path"])
        if not parsed.has(*fields) or not tparsed.has(*rfields):
            continue  # the missing file or column is reported by its own table's check
        tshown = _display(dd / target["path"])
        child_missing = _missing_mask(res, np.stack([parsed.column(f) for f in fields], axis=1))
        used = ~child_missing.all(axis=1)
        parent_missing = _missing_mask(target, np.stack([tparsed.column(f) for f in rfields], axis=1))
        keys = set(zip(*(tparsed.column(f)[~parent_missing.any(axis=1)] for f in rfields)))
        child = list(zip(*(parsed.column(f) for f in fields)))
        if {c for c, u in zip(child, used) if u} <= keys:
            continue
        col = fields[0] if len(fields) == 1 else ", ".join(fields)
        for key, u, row in zip(child, used, parsed.rows):
            if not u or key in keys or (shown, int(row), col) in already:
                continue
            value = key[0] if len(key) == 1 else " | ".join(key)
            advice = f"{value!r} is not in {tshown} column {', '.join(rfields)} (a dangling reference): "
            flat = [k[0] for k in keys] if len(fields) == 1 else []
            if len(fields) == 1 and value.strip() in flat:
                advice += "remove the spaces around it"
            else:
                near = _closest(value, flat, 0.6) if flat else None
                advice += (f"did you mean {near!r}? " if near else "") + (
                    f"Add the row to table {target['name']}, correct the id"
                    + ("" if any(_required(res, f) for f in fields) else ", or leave the cell empty for no reference"))
            out.append(Problem(shown, row=int(row), column=col, found=value,
                               expected=f"a value of {', '.join(rfields)} that exists in table {target['name']}",
                               message=advice))
    return out


# --------------------------------------------------------------------------- caches and public API

_CHECK_CACHE: dict[tuple, _TableResult] = {}
_LOAD_CACHE: dict[tuple, pd.DataFrame] = {}


def _table_key(dd: Path, pkg: dict, res: dict) -> tuple:
    """Everything a table's own check depends on: its file, datapackage.json, and for evidence the manifest and seeds."""
    parts = [str(dd), res["name"], _stamp(dd / "datapackage.json"), _stamp(dd / res["path"])]
    if res.get("x-evidence"):
        apath = dd / _resource(pkg, ARTICLES)["path"]
        parts.append(_stamp(apath))
        sdir = seeds_dir_for(dd)
        parts.extend((sf, _stamp(sdir / sf)) for sf, _ in _articles_map(dd, pkg).values())
    return tuple(parts)


_CACHE_SIZE = 512  # entries per cache: every table of many data folders


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))  # forget the oldest entry
    cache[key] = value


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


def validate(data_dir: str | Path | None = None, tables: str | Iterable[str] | None = None) -> list[Problem]:
    """Every problem in a data folder (or in some of its tables), sorted by file then row.

    Checks, all read from datapackage.json: the file exists (derived tables too), is UTF-8 without
    a BOM, has LF line ends, has exactly the declared columns, every row has one cell per column;
    required cells are filled; types (string, integer, number, ISO date, boolean); enum and pattern
    constraints; primary keys are unique; foreign keys point at existing rows (an empty cell is no
    reference); text is Unicode NFC and has no HTML/script markup; each evidence quote occurs
    verbatim, on one line, in the raw seed of its article, and each `within_evidence` value occurs
    inside the quote; a column X_end is not before X_start; for the outside-evidence tables, word
    limits, seed quotes in the clean text and fact keys (iraqtalks/upstream.py). An empty list means the data is valid.
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


def load(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
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
            n = len(ps)
            raise DataError(ps, heading=f"Table '{name}' cannot be loaded: {n} problem{'s' if n != 1 else ''} in "
                                        f"{_display(dd / res['path'])}")
        df = _typed(res, _parse(dd / res["path"]), dd / res["path"])
        _remember(_LOAD_CACHE, key, df)
    out = df.copy(deep=True)
    out.attrs = dict(df.attrs)
    return out


def load_all(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, by name, in datapackage.json order. Raises one DataError listing the problems of all tables."""
    dd = _data_dir(data_dir)
    pkg = _package(dd)
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for res in pkg["resources"]:
        try:
            out[res["name"]] = load(res["name"], dd)
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems, heading=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                                          f"in {_folder_display(dd)}; no table was returned")
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


def evidence_rows(data_dir: str | Path | None = None) -> Iterator[EvidenceRow]:
    """Every non-empty evidence quote in the data folder, table by table (datapackage.json order), row by row.

    Yields EvidenceRow(table, row, article_id, quote) for each table with an ``x-evidence``
    declaration and each of its quote fields. It does not check the quotes (``validate`` does);
    it raises DataError if a table cannot be read whole: missing file, not UTF-8, empty, without
    its article or quote column, or with a problem in the file itself (broken quoting, a row of the
    wrong length, an empty row, a BOM, CRLF line ends), so that nothing is derived from part of a table.
    """
    dd = _data_dir(data_dir)
    pkg = _package(dd)
    plan = []
    problems: list[Problem] = []
    for res in pkg["resources"]:
        ev = _evidence_spec(res)
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


# --------------------------------------------------------------------------- the check-data report


@dataclass
class CheckReport:
    """The result of check_data(): problems (empty when valid) and what was checked."""

    folder: str
    problems: list[Problem]
    tables: int = 0
    rows: int = 0
    quotes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return (f"{self.folder} is valid: {self.tables} tables, {self.rows} rows, "
                    f"{self.quotes} evidence quotes found in the seeds")
        n = len(self.problems)
        lines = [f"{self.folder} has {n} problem{'s' if n != 1 else ''}:"]
        current = None
        for i, p in enumerate(self.problems, 1):
            if p.file != current:
                current = p.file
                lines += ["", current]
            lines.append(f"  {i}. {p.describe(with_file=False)}")
        lines += ["", "Row numbers are spreadsheet rows (the header is row 1). Fix the problems, then run "
                      "`python -m iraqtalks check-data` again."]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def check_data(data_dir: str | Path | None = None) -> CheckReport:
    """Check a whole data folder: the seeds' checksums and every table (see ``validate``).

    Returns a CheckReport; print it (or just show it in a notebook) for the readable report.
    """
    dd = _data_dir(data_dir)
    folder = _folder_display(dd)
    if not dd.is_dir():
        return CheckReport(folder, [Problem(folder, found="no such folder", found_is_value=False,
                                            expected="a data folder containing datapackage.json and the CSV files")])
    try:
        pkg = _package(dd)
    except DataError as exc:
        return CheckReport(folder, exc.problems)
    problems: list[Problem] = []
    sdir = seeds_dir_for(dd)
    try:
        _seeds.verify_seeds(dd, sdir)
    except _seeds.SeedError as exc:
        for line in str(exc).splitlines()[1:]:
            line = line.strip()
            file, _, rest = line.partition(": ")
            problems.append(Problem(_display(Path(file)) if file else _folder_display(sdir), message=rest or line))
    except (OSError, KeyError, TypeError, UnicodeDecodeError, csv.Error):
        problems.append(Problem(_folder_display(sdir), message=(
            f"the seed checksums were not checked, because {_display(dd / _resource(pkg, ARTICLES)['path'])} "
            "cannot be read properly (see its problems)")))
    problems += validate(dd)
    rows = quotes = 0
    for res in pkg["resources"]:
        r = _checked(dd, pkg, res)
        rows += r.rows
        quotes += r.quotes_found
    return CheckReport(folder, problems, tables=len(pkg["resources"]), rows=rows, quotes=quotes)


def check_data_cli(data_dir: str | Path | None = None) -> int:
    """`python -m iraqtalks check-data [DIR]`: print the report; exit status 0 if valid, else 1."""
    report = check_data(data_dir)
    print(report)
    return 0 if report.ok else 1
