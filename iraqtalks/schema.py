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
import errno
import hashlib
import io
import json
import os
import re
import shlex
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
from .paths import ROOT, data_dir as _data_dir, passes_a_link, seeds_dir_for

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
    outside = _links_outside(dd, pkg)  # not cached: links can change without datapackage.json changing
    if outside:
        raise DataError(outside, heading=f"The data folder {_folder_display(dd)} cannot be used")
    return pkg


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every link in it followed, is inside `folder` (links followed too)."""
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _links_outside(dd: Path, pkg: dict) -> list[Problem]:
    """A table file that is a link (or inside a linked folder) leading out of the data folder."""
    out = []
    for res in pkg["resources"]:
        path = dd / res["path"]
        if passes_a_link(dd, res["path"]) and not _inside(path, dd):
            out.append(Problem(_display(path), found=f"a link to {os.path.realpath(path)}, outside the data folder",
                               found_is_value=False,
                               expected=f"a file inside the data folder {_folder_display(dd)}",
                               message=("a data folder may name only files inside itself, so that a folder passed "
                                        "from one teacher to another cannot read or overwrite anything else; "
                                        "replace the link with a copy of the file. Nothing was read")))
    return out


def _read_package_file(path: Path) -> tuple[dict | None, list[Problem]]:
    shown = _display(path)
    if not path.parent.is_dir():
        return None, [Problem(shown, found=None, expected=None, message=(
            f"the data folder {_folder_display(path.parent)} does not exist"))]
    if not path.is_file():
        return None, [Problem(shown, message=(
            "datapackage.json is missing: every data folder needs it, because it declares the tables "
            "and their columns (copy it from the kit's data/ folder)"))]
    if not _inside(path, path.parent):
        return None, [Problem(shown, found=f"a link to {os.path.realpath(path)}, outside the data folder",
                              found_is_value=False, expected="a file inside the data folder")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, found=f"a file that cannot be read ({exc.strerror})", found_is_value=False,
                              expected="a readable file", message="check the file's permissions")]
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


def _kind(v) -> str:
    """A JSON value described for a message: the number 5, the text 'yes', a list, an object ..."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"the JSON value {'true' if v else 'false'}"
    if isinstance(v, (int, float)):
        return f"the number {v!r}"
    if isinstance(v, str):
        return f"the text {_show(v, 40)}"
    if isinstance(v, list):
        return f"a list ({len(v)} item{'s' if len(v) != 1 else ''})"
    if isinstance(v, dict):
        return "an object {...}" if v else "an empty object {}"
    return type(v).__name__


def _str_list(v, allow_str: bool = True, allow_empty: bool = False) -> bool:
    """Is v a (non-empty) list of non-empty strings, or (if allowed) one non-empty string?"""
    if isinstance(v, str):
        return allow_str and bool(v)
    return isinstance(v, list) and (allow_empty or bool(v)) and all(isinstance(x, str) and x for x in v)


def _path_problem(p: str) -> str | None:
    """Why a resource path cannot be used (None if it is fine): it must stay inside the data folder."""
    if not p.strip():
        return "it is empty"
    if "\\" in p:
        return "it contains a backslash \\ (write folders with a forward slash /)"
    if p.startswith(("/", "~")) or re.match(r"[A-Za-z]:", p):
        return "it is an absolute path, outside the data folder"
    if "://" in p:
        return "it is a web address; the kit reads only files inside the data folder"
    if ".." in p.split("/"):
        return "it goes up out of the data folder with '..'"
    if p.rstrip("/") in ("", "."):
        return "it names the data folder itself, not a file"
    return None


def _check_package(pkg, shown: str) -> list[Problem]:
    """Check datapackage.json's own shape (the Table Schema profile for the keys the kit uses, and the
    kit's custom x- keys), and that it says only what this module knows how to check."""
    out: list[Problem] = []

    def bad(where: str, found: str, expected: str, message: str = "") -> None:
        out.append(Problem(shown, column=None, found=f"{where}: {found}", found_is_value=False,
                           expected=expected, message=message))

    if not isinstance(pkg, dict):
        bad("top level", _kind(pkg), "a JSON object {...} with a 'resources' list")
        return out
    if not isinstance(pkg.get("resources"), list) or not pkg["resources"]:
        found = "no 'resources' list" if "resources" not in pkg else f"'resources' is {_kind(pkg['resources'])}"
        bad("top level", found, "a 'resources' list with one entry per table")
        return out
    names: dict[str, dict] = {}
    declared: set[str] = set()  # every resource name, even of a resource whose schema is reported as broken
    paths: dict[str, str] = {}
    for i, res in enumerate(pkg["resources"]):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            bad(where, _kind(res), "an object {...} with a name, a path and a schema")
            continue
        if not isinstance(res.get("name"), str) or not res["name"]:
            bad(where, "no 'name'" if "name" not in res else f"name {_kind(res['name'])}",
                "every resource to have a name (text)")
            continue
        where = f"resource {res['name']!r}"
        declared.add(res["name"])
        if not isinstance(res.get("path"), str):
            bad(where, "no 'path'" if "path" not in res else f"path {_kind(res['path'])}",
                "a path: the name of its CSV file inside the data folder, as text (e.g. \"events.csv\")")
        else:
            why = _path_problem(res["path"])
            if why:
                bad(where, f"path {res['path']!r}: {why}",
                    "a file name inside the data folder (e.g. \"events.csv\")",
                    "a data folder may name only files inside itself, so that a folder passed from one teacher "
                    "to another cannot read or overwrite anything else; the folder was not used")
            elif res["path"] in paths:
                bad(where, f"path {res['path']!r}, already the path of resource {paths[res['path']]!r}",
                    "one file per resource")
            elif res.get("x-derived") is True and res["path"].lower() in ("datapackage.json", "readme.md"):
                bad(where, f"path {res['path']!r}", "a CSV file name: the build writes derived tables, and this "
                    "file is not a table")
            else:
                paths[res["path"]] = res["name"]
        if res["name"] in names:
            bad(where, "a second resource with this name", "unique resource names")
        for key in ("title", "description"):
            if key in res and not isinstance(res[key], str):
                bad(where, f"{key} {_kind(res[key])}", "text")
        if "x-derived" in res and not isinstance(res["x-derived"], bool):
            bad(where, f"x-derived {_kind(res['x-derived'])}", "true or false (without quotes)")
        schema = res.get("schema")
        if not isinstance(schema, dict):
            bad(where, "no 'schema'" if schema is None else f"schema {_kind(schema)}",
                "a schema object {\"fields\": [...], ...}")
            continue
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            bad(where, "no schema.fields" if fields is None else f"schema.fields {_kind(fields)}",
                "a schema with a list of fields")
            continue
        names[res["name"]] = res
    for name, res in names.items():
        where = f"resource {name!r}"
        schema = res["schema"]
        fnames = []
        for j, f in enumerate(schema["fields"]):
            if not isinstance(f, dict):
                bad(where, f"schema.fields[{j}] is {_kind(f)}",
                    "every field to be an object such as {\"name\": \"event_id\", \"type\": \"string\"}")
                continue
            if not isinstance(f.get("name"), str) or not f["name"]:
                bad(where, f"schema.fields[{j}] without a name", "every field to have a name (text)")
                continue
            fnames.append(f["name"])
            fw = f"{where}, field {f['name']!r}"
            ftype = f.get("type", "string")
            if not isinstance(ftype, str) or ftype not in SUPPORTED_TYPES:
                bad(fw, f"type {ftype!r}" if isinstance(ftype, str) else f"type {_kind(ftype)}",
                    "one of " + ", ".join(SUPPORTED_TYPES),
                    "the kit's checker (iraqtalks/schema.py) implements only these types")
            for key in ("title", "description", "format"):
                if key in f and not isinstance(f[key], str):
                    bad(fw, f"{key} {_kind(f[key])}", "text")
            for key in ("trueValues", "falseValues"):
                if key in f and not _str_list(f[key], allow_str=False):
                    bad(fw, f"{key} {_kind(f[key])}", "a list of texts, e.g. [\"yes\"]")
            if "x-parsed-from" in f and not isinstance(f["x-parsed-from"], str):
                bad(fw, f"x-parsed-from {_kind(f['x-parsed-from'])}", "the name of another field, as text")
            cons = f.get("constraints", {})
            if not isinstance(cons, dict):
                bad(fw, f"constraints {_kind(cons)}", "an object such as {\"required\": true}")
                continue
            for c in cons:
                if c not in SUPPORTED_CONSTRAINTS:
                    bad(fw, f"constraint {c!r}", "one of " + ", ".join(SUPPORTED_CONSTRAINTS),
                        "the kit's checker would not enforce it; remove it or implement it in iraqtalks/schema.py")
            for c in ("required", "unique"):
                if c in cons and not isinstance(cons[c], bool):
                    bad(fw, f"constraints.{c} {_kind(cons[c])}", "true or false, without quotes",
                        f"in JSON, \"{cons[c]}\" in quotes is text, and the kit does not guess what it means"
                        if isinstance(cons[c], str) else "")
            if "pattern" in cons:
                if not isinstance(cons["pattern"], str):
                    bad(fw, f"constraints.pattern {_kind(cons['pattern'])}", "a regular expression, as text")
                else:
                    try:
                        re.compile(cons["pattern"])
                    except re.error as exc:
                        bad(fw, f"pattern {cons['pattern']!r} ({exc})", "a valid regular expression")
            if "enum" in cons and (not isinstance(cons["enum"], list) or not cons["enum"]
                                   or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                              for v in cons["enum"])):
                bad(fw, f"constraints.enum {_kind(cons['enum'])}" if not isinstance(cons["enum"], list)
                    else "an empty enum, or one holding lists, objects, true/false or null",
                    "a non-empty list of allowed values (texts or numbers)")
        if len(set(fnames)) != len(fnames):
            bad(where, "a field name used twice", "unique field names")
        for f in schema["fields"]:
            src = f.get("x-parsed-from") if isinstance(f, dict) and isinstance(f.get("name"), str) else None
            if isinstance(src, str) and src not in fnames:
                bad(f"{where}, field {f['name']!r}", f"x-parsed-from {src!r}", "a declared field name")
        mv = schema.get("missingValues", [""])
        if not (isinstance(mv, list) and all(isinstance(x, str) for x in mv)):
            bad(where, f"schema.missingValues {_kind(mv)}",
                "a list of texts, e.g. [\"\"] or [\"\", \"NA\"]",
                "a single text in place of the list would be read letter by letter" if isinstance(mv, str) else "")
        pk = schema.get("primaryKey")
        if pk is not None:
            if not _str_list(pk):
                bad(where, f"primaryKey {_kind(pk)}", "a field name, or a list of field names")
            else:
                for k in _as_list(pk):
                    if k not in fnames:
                        bad(where, f"primaryKey field {k!r}", "a declared field name")
        fks = schema.get("foreignKeys", [])
        if not isinstance(fks, list):
            bad(where, f"schema.foreignKeys {_kind(fks)}",
                "a list of foreign keys: [{\"fields\": ..., \"reference\": {\"resource\": ..., \"fields\": ...}}]")
            fks = []
        for n, fk in enumerate(fks):
            fkw = f"foreignKeys[{n}]"
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if not isinstance(fk, dict) or not _str_list(fk.get("fields")) or not isinstance(ref, dict) \
                    or not _str_list(ref.get("fields")) or not isinstance(ref.get("resource", ""), str):
                bad(where, f"{fkw} is {_kind(fk)}" if not isinstance(fk, dict) or not fk
                    else f"{fkw} {json.dumps(fk, ensure_ascii=False)[:80]}",
                    "an object {\"fields\": \"col\", \"reference\": {\"resource\": \"table\", \"fields\": \"col\"}} "
                    "(fields: a field name or a list of them; resource \"\" for the same table)")
                continue
            target = ref.get("resource") or name
            fields, rfields = _as_list(fk["fields"]), _as_list(ref["fields"])
            for k in fields:
                if k not in fnames:
                    bad(where, f"foreign key field {k!r}", "a declared field name")
            if target not in names:
                if target not in declared:  # else its broken schema is reported already
                    bad(where, f"foreign key to unknown resource {target!r}", "a declared resource name")
                continue
            tnames = [g.get("name") for g in names[target]["schema"]["fields"] if isinstance(g, dict)]
            for k in rfields:
                if k not in tnames:
                    bad(where, f"foreign key to unknown field {target}.{k}", f"a field of {target}")
            if len(fields) != len(rfields):
                bad(where, f"foreign key {fields} -> {rfields}", "the same number of fields on both sides")
        if "x-evidence" in res:
            ev = res["x-evidence"]
            evw = f"{where}, x-evidence"
            if not isinstance(ev, dict):
                bad(where, f"x-evidence {_kind(ev)}",
                    "an object {\"article_field\": \"article_id\", \"quote_fields\": [\"evidence\"]}")
                continue
            if not isinstance(ev.get("article_field"), str):
                bad(evw, f"article_field {_kind(ev.get('article_field'))}", "a field name, as text")
            elif ev["article_field"] not in fnames:
                bad(evw, f"field {ev['article_field']!r}", "a declared field name")
            for key, need in (("quote_fields", True), ("within_evidence", False)):
                v = ev.get(key, [] if not need else None)
                if not (_str_list(v) or (not need and v == [])):
                    bad(evw, f"{key} {_kind(v)}" if v is not None else f"no {key}",
                        "at least one quote field (a field name or a list of them)" if need
                        else "a field name or a list of field names")
                    continue
                for k in _as_list(v):
                    if k not in fnames:
                        bad(evw, f"field {k!r}", "a declared field name")
    if ARTICLES not in names:
        if ARTICLES not in declared:
            bad("resources", f"no {ARTICLES!r} resource", "the seed manifest articles (article_id, seed_file)")
    else:
        anames = [f.get("name") for f in names[ARTICLES]["schema"]["fields"] if isinstance(f, dict)]
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


def _quoting_problem(shown: str, row: int, exc: csv.Error, text: str = "", header: list[str] | None = None,
                     done: int = 0) -> Problem:
    msg = str(exc)
    if "field larger than field limit" in msg:
        limit = csv.field_size_limit()
        column, length = _long_cell(text, done, limit, header)
        return Problem(shown, row=row, column=column,
                       found=f"a cell of {length:,} characters" if length else f"a cell of more than {limit:,} characters",
                       found_is_value=False,
                       expected=f"cells of at most {limit:,} characters (the CSV reader's limit)",
                       message=("the cell is too long to read. If it is not meant to be that long, a double quote "
                                "probably opens the cell and never closes, so the rows after it were read into it; "
                                "shorten the cell, or close the quote. The rest of the file was not read"))
    if "unexpected end of data" in msg:
        advice = ("a quoted cell is never closed: a double quote \" opens a cell here and no closing quote "
                  "follows. Inside a quoted cell, write a double quote as \"\"")
    else:
        advice = (f"the CSV reader says: {msg}. A cell that contains a double quote must itself be in "
                  "double quotes, with the inner quote doubled (\"\")")
    return Problem(shown, row=row, found="broken quoting", found_is_value=False,
                   expected="cells quoted the CSV way", message=advice + "; the rest of the file was not read")


def _long_cell(text: str, done: int, limit: int, header: list[str] | None) -> tuple[str | None, int]:
    """(column, length) of the first cell over the CSV reader's limit in record number `done` (0 = header)."""
    old = csv.field_size_limit()
    try:
        csv.field_size_limit(max(old, len(text) + 1))
        for i, rec in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if i == done:
                for j, cell in enumerate(rec):
                    if len(cell) > limit:
                        name = header[j] if header and j < len(header) else f"(column {j + 1})"
                        return name, len(cell)
                break
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(old)
    return None, 0


def _link_problem(path: Path, shown: str) -> Problem | None:
    """A table file that is a link which leads nowhere (dangling) or back to itself (a loop), or is not a file."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(shown, found="a symbolic link that leads back to itself (a loop)", found_is_value=False,
                           expected="a CSV file, or a link to one inside the data folder",
                           message="replace the link with the table's CSV file")
        if path.is_symlink():
            return Problem(shown, found=f"a symbolic link to {os.readlink(path)}, which does not exist (a dangling "
                           "link)", found_is_value=False, expected="a CSV file, or a link to one inside the data folder",
                           message="replace the link with the table's CSV file, or restore the file it points to")
        return None
    if path.is_dir():
        return Problem(shown, found="a folder", found_is_value=False, expected="a CSV file",
                       message="the path of this table in datapackage.json names a folder; put the table's CSV "
                               "file there instead")
    if not path.is_file():
        return Problem(shown, found="something that is not a regular file", found_is_value=False,
                       expected="a CSV file")
    return None


def _parse_uncached(path: Path) -> _Parsed:
    shown = _display(path)
    if not path.is_file():
        link = _link_problem(path, shown)
        return _Parsed(exists=link is not None, problems=[link] if link else [])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _Parsed(exists=True, problems=[Problem(shown, found=f"a file that cannot be read ({exc.strerror})",
                                                      found_is_value=False, expected="a readable CSV file",
                                                      message="check the file's permissions")])
    problems: list[Problem] = []
    if not raw:
        return _Parsed(exists=True, problems=[])  # the caller reports the empty file, knowing the columns
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]  # a spreadsheet's 'CSV UTF-8' save: the byte-order mark is not data
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
    if "\r\n" in text:
        # Windows line ends (a spreadsheet's 'CSV UTF-8' save): read exactly as the same file with LF line ends
        text = text.replace("\r\n", "\n")

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
            problems.append(_quoting_problem(shown, len(records) + 1, exc, text, records[0] if records else None,
                                             len(records)))

    if "\r" in text:
        if "\n" not in text:
            problems.append(Problem(
                shown, row=1, found="old Mac line ends (a carriage return \\r alone ends every line)",
                found_is_value=False, expected="line ends LF (\\n) or CRLF (\\r\\n)",
                message=("Save the file again as 'CSV UTF-8' from a current spreadsheet program, or convert it "
                         f"with: python -c \"import pathlib; p = pathlib.Path(r'{path}'); "
                         "p.write_bytes(p.read_bytes().replace(b'\\r', b'\\n'))\"")))
        else:
            first = text.index("\r")
            line = text.count("\n", 0, first) + 1
            row = bisect_left(line_ends, line) + 1 if line_ends else 1
            problems.append(Problem(
                shown, row=row, found="a carriage-return character (\\r) on its own", found_is_value=False,
                expected="line ends LF (\\n) or CRLF (\\r\\n), and no \\r anywhere else",
                message=("a stray \\r (often pasted from an old Mac file) ends a row in the middle; delete it in "
                         "a text editor that shows control characters")))

    if not records:
        return _Parsed(exists=True, problems=problems, header=None, text=text)
    header = records[0]
    width = len(header)
    col: dict[str, int] = {}
    for j, h in enumerate(header):
        col.setdefault(h, j)
    if all(len(rec) == width for rec in records) and all(any(rec) for rec in records[1:]):  # the usual case
        values = np.empty((len(records) - 1, width), dtype=object)
        if len(records) > 1:
            values[:] = records[1:]
        return _Parsed(exists=True, problems=problems, header=header, values=values,
                       rows=np.arange(2, len(records) + 1, dtype=np.int64), col=col, text=text, short={})
    rows: list[int] = []
    body: list[list[str]] = []
    short: dict[int, int] = {}
    for i, rec in enumerate(records[1:], start=2):
        if len(rec) == width and any(rec):
            rows.append(i)
            body.append(rec)
            continue
        if not any(rec):
            problems.append(Problem(shown, row=i, found="an empty row" + (" (only commas)" if len(rec) > 1 else ""),
                                    found_is_value=False, expected=f"a row of {width} cells",
                                    message="delete the empty row (spreadsheet row numbers count it)",
                                    kind="empty-row"))
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
    sep = _other_separator(parsed.header, declared)
    if sep:
        return _TableResult([Problem(
            shown, row=1, found=f"a {sep}-separated file (the header is one cell: {_show(parsed.header[0], 60)})",
            found_is_value=False, expected="cells separated by commas, like every CSV file in the kit",
            message=("spreadsheet programs save CSV with " + ("semicolons" if sep == "semicolon" else "tabs")
                     + " in some languages or as 'Text (tab-delimited)'. Save it again as 'CSV UTF-8 (Comma "
                     "delimited)' (Excel), or with field delimiter ',' (LibreOffice); the rest of the file "
                     "was not checked"))], 0, 0)
    problems += _check_header(shown, parsed.header, declared)
    values, rows, col = parsed.values, parsed.rows, parsed.col
    if res["name"] == ARTICLES and "seed_file" in col:
        problems += _check_seed_files(dd, shown, parsed, col)
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
                    message="the cell is empty", kind="required"))

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
                                                "the allowed values are listed in datapackage.json",
                                                kind=f"enum:{v}"))
            if "pattern" in cons:
                cre = re.compile(cons["pattern"])
                failing = {v for v in set(s[have]) if cre.fullmatch(v) is None}  # each distinct value once
                if failing:
                    for r in (have & np.isin(s, list(failing))).nonzero()[0]:
                        problems.append(Problem(shown, row=int(rows[r]), column=name, found=s[r],
                                                expected=f"text matching the pattern {cons['pattern']} "
                                                         "(the whole value)", kind="pattern"))
        else:
            if ftype not in numeric_ok:
                problems += _check_type(shown, name, ftype, f, s, have, rows)
        if cons.get("unique"):
            vals = s[have]
            if len(set(vals)) != len(vals):
                problems += _duplicate_problems(shown, [(v,) for v in s], have, rows, [name], "unique value")

    # keys: a space or line break at either end of an id is invisible in a spreadsheet, and breaks every link to it
    for name in [k for k in _key_fields(pkg, res) if k in col]:
        s = values[:, col[name]]
        padded = ~missing[:, col[name]] & np.fromiter((v != v.strip() for v in s), dtype=bool, count=len(s))
        for r in padded.nonzero()[0]:
            problems.append(Problem(
                shown, row=int(rows[r]), column=name, found=s[r],
                expected="an id with no space or line break at either end",
                message=(f"rows that refer to it write {s[r].strip()!r}, which does not match; remove the spaces "
                         "and line breaks around the id in this cell (a spreadsheet does not show them)"),
                kind="key-spaces"))

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


def _other_separator(header: list[str], declared: list[str]) -> str | None:
    """'semicolon' or 'tab' when the header is one cell holding the declared names split by that character."""
    if len(header) != 1 or len(declared) < 2:
        return None
    for char, name in ((";", "semicolon"), ("\t", "tab")):
        cells = [h.strip().strip('"') for h in header[0].split(char)]
        if len(cells) > 1 and len(set(cells) & set(declared)) * 2 >= min(len(cells), len(declared)):
            return name
    return None


def _check_seed_files(dd: Path, shown: str, parsed: "_Parsed", col: dict[str, int]) -> list[Problem]:
    """Every seed_file of the manifest must name a file inside the seeds folder."""
    out = []
    sdir = seeds_dir_for(dd)
    for row, sf in zip(parsed.rows, parsed.column("seed_file")):
        why = _seeds.outside_reason(sf, sdir) if sf else None
        if why:
            out.append(Problem(shown, row=int(row), column="seed_file", found=sf,
                               expected=f"the name of a file inside the seeds folder {_folder_display(sdir)}",
                               message=(f"{why}. A data folder may name only seeds inside its seeds folder, so that a "
                                        "folder passed from one teacher to another cannot read anything else; the "
                                        "file was not read")))
    return out


def _key_fields(pkg: dict, res: dict) -> list[str]:
    """The fields of a table that identify its rows: its primary key, unique fields, and the fields that
    foreign keys (of any table) point at."""
    out = list(_as_list(res["schema"].get("primaryKey")))
    out += [f["name"] for f in _fields(res) if (f.get("constraints") or {}).get("unique")]
    for other in pkg["resources"]:
        for fk in other["schema"].get("foreignKeys") or []:
            if (fk["reference"].get("resource") or other["name"]) == res["name"]:
                out += _as_list(fk["reference"]["fields"])
    return list(dict.fromkeys(out))


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
                               expected="a whole number written with digits only (e.g. 2500)", message=advice,
                               kind="integer"))
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
                                        "(e.g. 2500 or 2.5)", message=advice, kind="number"))
    elif ftype == "date":
        if _valid_dates(vals):
            return out
        for r, v in enumerate(vals):
            if _valid_dates(np.array([v], dtype=object)):
                continue
            iso, advice = _date_advice(v)
            out.append(Problem(shown, row=int(at[r]), column=name, found=v,
                               expected=f"an ISO date YYYY-MM-DD (e.g. {iso or '2024-01-28'})", message=advice,
                               kind="date:" + advice.split(":")[0].replace(v.strip(), "")))
    elif ftype == "boolean":
        allowed = [str(x) for x in f.get("trueValues", _TRUE)] + [str(x) for x in f.get("falseValues", _FALSE)]
        if set(vals) <= set(allowed):
            return out
        for r in (~np.isin(vals, allowed)).nonzero()[0]:
            out.append(Problem(shown, row=int(at[r]), column=name, found=vals[r],
                               expected=f"true or false (one of: {', '.join(allowed)})", kind="boolean"))
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
                    message=f"that seed file cannot be read (see {articles_shown}, row {amap[aid][1]})",
                    kind=f"seed-unreadable:{aid}"))
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
        # a key written with spaces around it in the referenced table is reported there, in its own row
        padded = {tuple(v.strip() for v in k) for k in keys if any(v != v.strip() for v in k)}
        col = fields[0] if len(fields) == 1 else ", ".join(fields)
        for key, u, row in zip(child, used, parsed.rows):
            if not u or key in keys or (shown, int(row), col) in already or key in padded:
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
    (see :func:`iraqtalks.build.stale_problems`). When the build cannot run, one problem says why."""
    from . import build as _build
    from .clean import CleaningError

    pkg = _package(dd)
    key = (str(dd),) + _folder_key(dd, pkg)
    hit = _DERIVED_CACHE.get(key)
    if hit is None:
        try:
            hit = _build.stale_problems(dd)
        except (_build.BuildError, CleaningError, DataError, _seeds.SeedError, OSError, KeyError, csv.Error) as exc:
            hit = [Problem(_folder_display(dd), found="a folder the build cannot run on", found_is_value=False,
                           expected="hand-made tables and seeds the build accepts",
                           message=f"the derived tables could not be compared with a fresh build: "
                                   f"{str(exc).splitlines()[0]}")]
        _remember(_DERIVED_CACHE, key, hit)
    return list(hit)


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

    Checks, all read from datapackage.json: the file exists (derived tables too) inside the data
    folder, is UTF-8 (a spreadsheet's byte-order mark and CRLF line ends are read as the same data),
    is comma-separated, has exactly the declared columns, every row has one cell per column;
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


def evidence_rows(data_dir: str | Path | None = None) -> Iterator[EvidenceRow]:
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


def check_data(data_dir: str | Path | None = None) -> CheckReport:
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
    problems += validate(dd)
    if not problems:  # the derived tables can be compared with a fresh build only when the build can run
        problems += _derived_problems(dd)
    rows = quotes = 0
    for res in pkg["resources"]:
        r = _checked(dd, pkg, res)
        rows += r.rows
        quotes += r.quotes_found
    return CheckReport(folder, problems, tables=len(pkg["resources"]), rows=rows, quotes=quotes, command=command)


def check_data_cli(data_dir: str | Path | None = None) -> int:
    """`python -m iraqtalks check-data [DIR]`: print the report; exit status 0 if valid, else 1."""
    report = check_data(data_dir)
    print(report)
    return 0 if report.ok else 1
