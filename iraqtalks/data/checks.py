"""The checks of one table against its resource in datapackage.json: header, types, constraints, ranges.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import seeds as _seeds
from .advice import _DATE_RE, _FIRST_DAY, _LAST_DAY, _VI_GROUPED_RE, date_advice, number_advice
from .csvtext import _parse, _Parsed
from .descriptor import ARTICLES, _as_list, _fields, _missing_values, evidence_spec
from .descriptor import ranges as _declared_ranges
from .evidence_checks import _check_evidence
from .paths import seeds_dir_for
from .problems import Problem, _closest, _display, _folder_display, _show

_INT_RE = r"[+-]?\d+"


_NUM_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


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

    problems += _check_ranges(shown, parsed, missing, present, numeric_ok, _declared_ranges(res))
    problems += _check_parsed_from(shown, parsed, missing, present)
    quotes_found = 0
    ev = evidence_spec(res)
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


def _check_seed_files(dd: Path, shown: str, parsed: _Parsed, col: dict[str, int]) -> list[Problem]:
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
                      else number_advice(v) or "use digits only, with no decimal point or separators")
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
                      else number_advice(v) or "write digits with an optional '.' decimal point")
            out.append(Problem(shown, row=int(at[r]), column=name, found=v,
                               expected="a number with '.' as the decimal point and no thousands separators "
                                        "(e.g. 2500 or 2.5)", message=advice, kind="number"))
    elif ftype == "date":
        if _valid_dates(vals):
            return out
        for r, v in enumerate(vals):
            if _valid_dates(np.array([v], dtype=object)):
                continue
            iso, advice = date_advice(v)
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
    from ..text.vietnamese import parse_vn_number

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
                  known_ok: set[str], pairs: list[tuple[str, str]]) -> list[Problem]:
    """The end of a declared range (the resource's ``x-ranges`` in datapackage.json) must not be before its
    start (date_end >= date_start, published_end >= published_start, ...)."""
    out: list[Problem] = []
    types = {f["name"]: f.get("type", "string") for f in present}
    col = parsed.col
    for start, end in pairs:
        t = types.get(end)
        if t is None or types.get(start) != t:
            continue  # a missing column is reported by the header check
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
