"""Reading and checking data/datapackage.json, the one declaration of every table, column and rule.
"""
from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

from .caches import _stamp
from .paths import data_dir as _data_dir
from .paths import passes_a_link
from .problems import DataError, Problem, UnknownTableError, _closest, _display, _folder_display, _show

SUPPORTED_TYPES = ("string", "integer", "number", "date", "boolean")


SUPPORTED_CONSTRAINTS = ("required", "enum", "pattern", "unique")

#: What a field's ``x-enum-labels`` may say about each value of its enum: its words in English and Vietnamese,
#: what it means, and (for hedges) the English words that say the same (a list, possibly empty).
LABEL_KEYS = {"en": "text", "vi": "text", "meaning": "text", "words_en": "list"}

#: The kinds of column a declared range (``x-ranges``) may join: the end is never before the start.
RANGE_TYPES = ("date", "integer", "number")


ARTICLES = "articles"  # the seed manifest: article_id -> seed_file


def _as_list(v) -> list:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


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
                    "the kit's checker (iraqtalks/data/) implements only these types")
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
                        "the kit's checker would not enforce it; remove it or implement it in iraqtalks/data/")
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
            enum_ok = "enum" in cons and isinstance(cons["enum"], list) and bool(cons["enum"]) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in cons["enum"])
            if "enum" in cons and not enum_ok:
                bad(fw, f"constraints.enum {_kind(cons['enum'])}" if not isinstance(cons["enum"], list)
                    else "an empty enum, or one holding lists, objects, true/false or null",
                    "a non-empty list of allowed values (texts or numbers)")
            if "x-enum-labels" in f:
                _check_enum_labels(f["x-enum-labels"], cons["enum"] if enum_ok else None, fw, bad)
        if len(set(fnames)) != len(fnames):
            bad(where, "a field name used twice", "unique field names")
        if "x-ranges" in res:
            _check_x_ranges(res["x-ranges"], schema["fields"], where, bad)
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


def _check_enum_labels(labels, enum: list | None, fw: str, bad) -> None:
    """A field's ``x-enum-labels``: an object with one entry per value of its enum, each an object of
    :data:`LABEL_KEYS`, every entry with the same keys (so no value lacks a label the others have)."""
    if enum is None:
        bad(fw, "x-enum-labels on a field without a list of values (constraints.enum)",
            "x-enum-labels only beside a non-empty constraints.enum")
        return
    if not isinstance(labels, dict) or not labels:
        bad(fw, f"x-enum-labels {_kind(labels)}",
            "an object with one entry per enum value, e.g. {\"talks\": {\"en\": \"talks\", \"vi\": \"đàm phán\"}}")
        return
    values = [str(v) for v in enum]
    for value in labels:
        if value not in values:
            hint = _closest(value, values)
            bad(fw, f"x-enum-labels gives a label for {value!r}, which is not one of its values",
                "labels only for the values in constraints.enum: " + ", ".join(values),
                f"did you mean {hint!r}?" if hint else "add the value to the enum or delete its label")
    for value in values:
        if value not in labels:
            bad(fw, f"value {value!r} has no entry in x-enum-labels",
                "an entry for every value of the enum (the views, exports and the data dictionary show it)")
    keysets = {}
    for value, entry in labels.items():
        vw = f"{fw}, x-enum-labels {value!r}"
        if not isinstance(entry, dict) or not entry:
            bad(vw, _kind(entry), "an object such as {\"en\": \"...\", \"vi\": \"...\", \"meaning\": \"...\"}")
            continue
        for key, v in entry.items():
            kind = LABEL_KEYS.get(key)
            if kind is None:
                bad(vw, f"the key {key!r}", "one of " + ", ".join(LABEL_KEYS))
            elif kind == "text" and not (isinstance(v, str) and v.strip()):
                bad(vw, f"{key} {_kind(v)}", "a non-empty text")
            elif kind == "list" and not _str_list(v, allow_str=False, allow_empty=True):
                bad(vw, f"{key} {_kind(v)}", "a list of texts (it may be empty: [])")
        keysets[value] = set(entry)
    every = set().union(*keysets.values()) if keysets else set()
    for value, keys in keysets.items():
        for key in sorted(every - keys):
            bad(f"{fw}, x-enum-labels {value!r}", f"no {key!r}",
                f"the same keys for every value ({', '.join(sorted(every))}): other values have a {key!r}")


def _check_x_ranges(ranges, fields: list, where: str, bad) -> None:
    """A resource's ``x-ranges``: a list of {"start": field, "end": field} pairs of the same type (a date,
    integer or number): check-data reports a row whose end is before its start."""
    shape = "a list such as [{\"start\": \"date_start\", \"end\": \"date_end\"}]"
    if not isinstance(ranges, list) or not ranges:
        bad(where, f"x-ranges {_kind(ranges)}", shape)
        return
    types = {f["name"]: f.get("type", "string") for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
    for n, pair in enumerate(ranges):
        rw = f"{where}, x-ranges[{n}]"
        if not isinstance(pair, dict) or set(pair) != {"start", "end"} or not all(
                isinstance(v, str) for v in pair.values()):
            bad(rw, _kind(pair), shape)
            continue
        for side in ("start", "end"):
            if pair[side] not in types:
                bad(rw, f"{side} {pair[side]!r}", "a declared field name")
        a, b = types.get(pair["start"]), types.get(pair["end"])
        if a and b and (a != b or a not in RANGE_TYPES):
            bad(rw, f"{pair['start']} ({a}) and {pair['end']} ({b})",
                "two fields of the same type, one of " + ", ".join(RANGE_TYPES))


def read_package(*, data_dir: str | Path | None = None) -> dict:
    """datapackage.json of a data folder, as a dict (a fresh copy; cached by path and mtime).

    Raises DataError if the file is missing, is not valid JSON, or declares something the kit's
    checker does not implement (an unknown type or constraint, a key naming an undeclared field).
    """
    return copy.deepcopy(_package(_data_dir(data_dir)))


def table_names(*, data_dir: str | Path | None = None) -> list[str]:
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


def enum_labels(table: str, field: str, key: str | None = None, *,
                data_dir: str | Path | None = None) -> dict[str, dict] | dict[str, str | list]:
    """The labels of one field's values, declared in datapackage.json (``x-enum-labels``), in the enum's order:
    ``{value: {"en": ..., "vi": ..., "meaning": ..., "words_en": [...]}}`` (the keys the descriptor gives);
    with `key` ('en', 'vi', 'meaning' or 'words_en'), ``{value: that label}``.

    Raises UnknownTableError for an unknown table and ValueError for a field or key without declared labels.
    """
    res = _resource(_package(_data_dir(data_dir)), table)
    for f in _fields(res):
        if f["name"] == field:
            if "x-enum-labels" not in f:
                raise ValueError(f"{table}.{field} declares no labels (x-enum-labels) in datapackage.json")
            labels = {str(v): copy.deepcopy(f["x-enum-labels"][str(v)]) for v in f["constraints"]["enum"]}
            if key is None:
                return labels
            if any(key not in entry for entry in labels.values()):
                raise ValueError(f"{table}.{field}: x-enum-labels gives no {key!r}; it gives "
                                 + ", ".join(next(iter(labels.values()))))
            return {v: entry[key] for v, entry in labels.items()}
    hint = _closest(field, [f["name"] for f in _fields(res)])
    raise ValueError(f"{table} has no column {field!r}" + (f"; did you mean {hint!r}?" if hint else ""))


def ranges(res: dict) -> list[tuple[str, str]]:
    """The declared (start, end) column pairs of a resource (``x-ranges``): the end is never before the start."""
    return [(p["start"], p["end"]) for p in res.get("x-ranges") or []]


def evidence_spec(res: dict) -> dict | None:
    ev = res.get("x-evidence")
    if not ev:
        return None
    return {
        "article_field": ev["article_field"],
        "quote_fields": _as_list(ev.get("quote_fields")),
        "within_evidence": _as_list(ev.get("within_evidence")),
    }
