"""Broken data folders, end to end: the command line, the loader and the build, in one table of cases.

tests/test_validation.py checks each Problem that validate() finds; this suite checks what a teacher
sees. Each case breaks one thing in its own copy of data/ and seeds/, the way it happens in a
classroom (a spreadsheet saving a BOM or CRLF, a day-first date, a pasted row, a 'corrected' seed),
and then:

1. ``python -m iraqtalks check-data DIR`` (run from the copy's folder; a real subprocess for the two
   cases marked ``cli``, the same command in-process for the others, which is much faster) exits 1, its
   report names the file, the spreadsheet row and the column (where they apply) and says what was
   expected, and nothing in its output is a Python traceback;
2. ``load(table)`` raises DataError (never a pandas, csv, json or Unicode error) whose problems name
   the same file, row and column with the same expectation -- except for the cases the loader does
   not check by design (links between tables and seed checksums: ``load`` checks one table), where
   it must return the table with the offending value kept as it is;
3. the CLI and the loader changed no byte of the copy;
4. the build (``iraqtalks.data.build.main``, what ``python -m iraqtalks build`` runs) never raises: where
   it cannot work it stops with a message naming the file and writes nothing; otherwise it
   regenerates only the derived files and leaves every hand-made file and seed as it was.

The two check-data runs in fresh processes are started together (one per core); the cases themselves
are independent copies. The tests after the table of cases cover what is not one
broken folder: a spreadsheet's save read as the same data, repeated problems shown as one, a build
whose last write fails, a reader that closes the pipe early, date objects passed in a DataFrame.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from conftest import get_cell, read_rows, run_cli, snapshot, write_rows

from iraqtalks.data.build import main as build_main
from iraqtalks.data.descriptor import read_package
from iraqtalks.data.loader import load
from iraqtalks.data.paths import DATA_DIR, ROOT, SEEDS_DIR
from iraqtalks.data.problems import DataError
from iraqtalks.data.seeds import manifest

PACKAGE = read_package()
DERIVED = {r["path"] for r in PACKAGE["resources"] if r.get("x-derived")}
SEED_ROWS = manifest()


# --------------------------------------------------------------------------- finding rows in the kit's data


def row_where(table: str, column: str, value: str) -> int:
    """Spreadsheet row (header = 1) of the first row of data/<table>.csv whose `column` equals `value`."""
    rows = read_rows(DATA_DIR / f"{table}.csv")
    j = rows[0].index(column)
    for i, r in enumerate(rows[1:], start=2):
        if r[j] == value:
            return i
    raise AssertionError(f"test setup: no row of data/{table}.csv has {column} = {value!r}")


def first_row_quoting(table: str, article_id: str) -> int:
    return row_where(table, "article_id", article_id)


def n_rows(table: str) -> int:
    return len(read_rows(DATA_DIR / f"{table}.csv"))


def seed_file(article_id: str) -> str:
    return next(r["seed_file"] for r in SEED_ROWS if r["article_id"] == article_id)


def header(table: str) -> list[str]:
    return read_rows(DATA_DIR / f"{table}.csv")[0]


# --------------------------------------------------------------------------- ways to break a copy


def _edit(table: str, row: int, column: str, new: Callable[[str], str]):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        j = rows[0].index(column)
        rows[row - 1][j] = new(rows[row - 1][j])
        write_rows(path, rows)
    return apply


def set_to(table: str, row: int, column: str, value: str):
    return _edit(table, row, column, lambda old: value)


def drop_column(table: str, column: str):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        j = rows[0].index(column)
        write_rows(path, [r[:j] + r[j + 1:] for r in rows])
    return apply


def rename_column(table: str, old: str, new: str):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        rows[0][rows[0].index(old)] = new
        write_rows(path, rows)
    return apply


def add_column(table: str, name: str, value: str):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        write_rows(path, [r + [name if i == 0 else value] for i, r in enumerate(rows)])
    return apply


def paste_row_twice(table: str, row: int):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        write_rows(path, rows + [list(rows[row - 1])])
    return apply


def truncate_last_row(table: str, keep: int):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        rows = read_rows(path)
        rows[-1] = rows[-1][:keep]
        write_rows(path, rows)
    return apply


def only_header(table: str):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        write_rows(path, read_rows(path)[:1])
    return apply


def raw_bytes(table_file: str, change: Callable[[bytes], bytes]):
    def apply(data: Path) -> None:
        path = data / table_file
        path.write_bytes(change(path.read_bytes()))
    return apply


def delete(relative: str):
    def apply(data: Path) -> None:
        (data.parent / relative).unlink()
    return apply


def fix_typo_in_seed(data: Path) -> None:
    """What a well-meaning teacher might do: 'correct' a000's 'chuyể' to 'chuyển' in the seed itself."""
    path = data.parent / "seeds" / seed_file("a000")
    text = path.read_bytes().decode("utf-8")
    assert "được chuyể cho" in text, "test setup: the a000 typo moved"
    path.write_bytes(text.replace("được chuyể cho", "được chuyển cho").encode("utf-8"))


def unclose_a_quote(data: Path) -> None:
    path = data / "outlets.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[2] = lines[2].replace(",", ',"', 1)  # row 3: a quote opens in its second cell and never closes
    path.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------- the cases


@dataclass
class Case:
    """One broken folder and what every part of the kit must say about it.

    file, row, column, expected: what the check-data report must name (row/column None: not applicable);
    load: the table to load; load_where: (file, row, column, expected) of the DataError, when it differs
    from the report's; load_ok: why load() must succeed instead (it checks one table: not links, not checksums);
    build_stops: text the build's error must contain (it then writes nothing); None: the build completes.
    """

    id: str
    breaks: Callable[[Path], None]
    file: str
    row: int | None
    column: str | None
    expected: str
    load: str
    load_where: tuple | None = None
    load_ok: str | None = None
    kept: tuple | None = None  # (table, row, column, value) the loaded frame must still hold, when load_ok
    build_stops: str | None = None
    also: list[str] = field(default_factory=list)  # more text the report must contain
    absent: list[str] = field(default_factory=list)  # text the report (and the build's message) must not contain
    only_file: bool = False  # the report names no other file (the right row is blamed, not those that refer to it)
    cli: bool = False  # True: check-data in a fresh process (end to end); False: the same command in-process


EV_JORDAN = row_where("events", "event_id", "e2024-01-28-jordan-attack")
EV_RASOOL = row_where("events", "event_id", "e2024-02-08-rasool")
EV_LETTER = row_where("events", "event_id", "e2024-01-24-letter")
NUM_TROOPS = row_where("numbers", "value_as_written", "2.500")
ACT_ARMED = row_where("actors", "kind", "armed_group")
EVENT_US = row_where("events", "actor1_id", "us")
EV_A001 = first_row_quoting("events", "a001")
ARTICLE_ROW_A000 = row_where("articles", "article_id", "a000")
ARTICLE_ROW_A001 = row_where("articles", "article_id", "a001")
REPORTS_LAST = n_rows("event_reports")
EVENTS_LAST = n_rows("events")
ER_HEADER = header("event_reports")
QUOTE_ROW = 2
SEED_A000 = seed_file("a000")
SEED_A001 = seed_file("a001")
SHA_A000 = SEED_ROWS[0]["sha256"]


def _crlf(b: bytes) -> bytes:
    return b.replace(b"\n", b"\r\n")


def _nfd(s: str) -> str:
    out = unicodedata.normalize("NFD", s)
    assert out != s, "test setup: the text has no composed character to decompose"
    return out


CASES = [
    Case("missing-column", drop_column("outlets", "name"),
         "data/outlets.csv", 1, "name", "a column named 'name'", load="outlets"),
    Case("renamed-column", rename_column("events", "date_start", "date_begin"),
         "data/events.csv", 1, "date_begin", "the declared column name 'date_start'", load="events"),
    Case("extra-column", add_column("framing_terms", "source_url", "https://example.org"),
         "data/framing_terms.csv", 1, "source_url", "only the columns declared in datapackage.json",
         load="framing_terms"),
    Case("text-in-integer", set_to("evidence_locations", 2, "line", "line 12"),
         "data/evidence_locations.csv", 2, "line", "a whole number written with digits only",
         load="evidence_locations"),
    Case("text-in-number", set_to("numbers", NUM_TROOPS, "value", "2500 quân"),
         "data/numbers.csv", NUM_TROOPS, "value", "a number with '.' as the decimal point", load="numbers"),
    Case("vietnamese-thousands", set_to("numbers", NUM_TROOPS, "value", "2.500"),
         "data/numbers.csv", NUM_TROOPS, "value", "no thousands separators", load="numbers",
         also=["(2.500 = 2500)"]),
    Case("day-first-date", set_to("events", EV_JORDAN, "date_start", "28/01/2024"),
         "data/events.csv", EV_JORDAN, "date_start", "an ISO date YYYY-MM-DD (e.g. 2024-01-28)", load="events",
         also=["Vietnamese writes the day first"]),
    Case("day-dot-month-date", set_to("events", EV_RASOOL, "date_end", "8.2"),
         "data/events.csv", EV_RASOOL, "date_end", "an ISO date YYYY-MM-DD (e.g. 2024-02-08)", load="events",
         also=["8 February"]),
    Case("year-out-of-range", set_to("events", EV_JORDAN, "date_start", "0224-01-28"),
         "data/events.csv", EV_JORDAN, "date_start", "an ISO date YYYY-MM-DD", load="events",
         also=["outside the years the kit's tables can hold"]),
    Case("number-too-large", set_to("numbers", NUM_TROOPS, "value", "25e999"),
         "data/numbers.csv", NUM_TROOPS, "value", "a number with '.' as the decimal point", load="numbers",
         also=["it would be read as infinity"]),
    Case("integer-too-large", set_to("evidence_locations", 2, "char_end", "9" * 20),
         "data/evidence_locations.csv", 2, "char_end", "a whole number written with digits only",
         load="evidence_locations", also=["too large"]),
    Case("end-before-start", set_to("events", EV_RASOOL, "date_end", "2024-02-07"),
         "data/events.csv", EV_RASOOL, "date_end", "date_end on or after date_start (2024-02-08)", load="events"),
    Case("duplicate-primary-key", paste_row_twice("events", 2),
         "data/events.csv", EVENTS_LAST + 1, "event_id", "a primary key (event_id) that no other row has",
         load="events", also=[f"Rows 2 and {EVENTS_LAST + 1} have the same primary key"]),
    Case("dangling-foreign-key", set_to("events", EVENT_US, "actor1_id", "usa"),
         "data/events.csv", EVENT_US, "actor1_id", "a value of actor_id that exists in table actors",
         load="events", load_ok="load() checks one table; links between tables are check-data's job",
         kept=("events", EVENT_US, "actor1_id", "usa")),
    Case("evidence-not-in-seed", _edit("quotes", QUOTE_ROW, "evidence", lambda q: q.replace(" ", "  ", 1)),
         "data/quotes.csv", QUOTE_ROW, "evidence", "text copied exactly from the seed", load="quotes",
         also=["it matches if spaces and line breaks are ignored"], build_stops="quotes.csv row 2, column evidence"),
    Case("empty-file", raw_bytes("outlets.csv", lambda b: b""),
         "data/outlets.csv", 1, None, "at least the header row: outlet_id,name", load="outlets",
         build_stops="outlets.csv"),
    Case("header-only-file", only_header("events"),
         "data/event_reports.csv", 2, "event_id", "a value of event_id that exists in table events", load="events",
         load_ok="an events table with no rows is well formed; the reports that point at it are what is wrong",
         build_stops=None),
    Case("header-only-manifest", only_header("articles"),
         "data/articles.csv", 2, None, "one row per seed file", load="articles",
         build_stops="is not an article_id in articles.csv"),
    Case("not-nfc", _edit("events", 2, "summary_vi", _nfd),
         "data/events.csv", 2, "summary_vi", "text in Unicode NFC", load="events"),
    Case("html-in-text", _edit("outlets", 2, "note", lambda s: f"<b>{s}</b>"),
         "data/outlets.csv", 2, "note", "plain text without HTML or script markup", load="outlets"),
    Case("script-in-text", _edit("events", 2, "summary_en", lambda s: s + "<script>alert('hi')</script>"),
         "data/events.csv", 2, "summary_en", "plain text without HTML or script markup", load="events",
         also=["<script>"]),
    Case("unknown-enum-value", set_to("actors", ACT_ARMED, "kind", "militia"),
         "data/actors.csv", ACT_ARMED, "kind", "one of: person, anonymous_source", load="actors"),
    Case("truncated-row", truncate_last_row("event_reports", 5),
         "data/event_reports.csv", REPORTS_LAST, ER_HEADER[5], f"{len(ER_HEADER)} cells, one per column",
         load="event_reports", build_stops=f"event_reports.csv, row {REPORTS_LAST}"),
    Case("unclosed-quote", unclose_a_quote,
         "data/outlets.csv", 3, None, "cells quoted the CSV way", load="outlets",
         build_stops="outlets.csv, row 3"),
    Case("blank-required-cell", set_to("actors", 3, "name_en", ""),
         "data/actors.csv", 3, "name_en", "a value: this column is required", load="actors"),
    Case("wrong-pattern-sha256", _edit("articles", ARTICLE_ROW_A000, "sha256", str.upper),
         "data/articles.csv", ARTICLE_ROW_A000, "sha256", "text matching the pattern [0-9a-f]{64}", load="articles",
         also=[f"articles.csv row {ARTICLE_ROW_A000}, column sha256 expects {SHA_A000.upper()}"],
         build_stops=f"column sha256 expects {SHA_A000.upper()}"),
    Case("modified-seed", fix_typo_in_seed,
         f"seeds/{SEED_A000}", None, None, f"articles.csv row {ARTICLE_ROW_A000}, column sha256 expects {SHA_A000}",
         load="events",
         load_where=("data/events.csv", EV_LETTER, "evidence", "text copied exactly from the seed"),
         build_stops=f"column sha256 expects {SHA_A000}"),
    Case("deleted-seed", delete(f"seeds/{SEED_A001}"),
         f"seeds/{SEED_A001}", None, None, f"missing (articles.csv row {ARTICLE_ROW_A001} lists it)", load="events",
         load_where=("data/events.csv", EV_A001, "evidence", f"seeds/{SEED_A001}. That seed file cannot be read"),
         build_stops=f"{SEED_A001}: missing"),
    Case("deleted-csv", delete("data/numbers.csv"),
         "data/numbers.csv", None, None, "the CSV file of table 'numbers'", load="numbers", build_stops="numbers.csv"),
    Case("not-utf8", raw_bytes("outlets.csv", lambda b: b.decode("utf-8").encode("utf-16")),
         "data/outlets.csv", None, None, "text encoded as UTF-8", load="outlets", build_stops="outlets.csv",
         also=["bytes that are not UTF-8 on line 1"], cli=True),
    Case("datapackage-not-json", raw_bytes("datapackage.json", lambda b: b[: len(b) // 2]),
         "data/datapackage.json", None, None, "valid JSON", load="events", build_stops="datapackage.json",
         also=["invalid JSON at line"], cli=True),
]



# --------------------------------------------------------------------------- issue 15: hardening the data layer


def edit_package(change: Callable[[dict], None]):
    """Edit datapackage.json by hand (as JSON), the way a teacher might."""
    def apply(data: Path) -> None:
        path = data / "datapackage.json"
        pkg = json.loads(path.read_text(encoding="utf-8"))
        change(pkg)
        path.write_text(json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return apply


def res_of(pkg: dict, name: str) -> dict:
    return next(r for r in pkg["resources"] if r["name"] == name)


def field_of(pkg: dict, table: str, name: str) -> dict:
    return next(f for f in res_of(pkg, table)["schema"]["fields"] if f["name"] == name)


def _set(obj: dict, key: str, value):
    obj[key] = value


def path_up_out_of_the_folder(data: Path) -> None:
    """A derived table's path climbing out of the data folder onto a teacher's own file."""
    (data.parent / "home").mkdir()
    (data.parent / "home" / "lesson-plan.md").write_text("# My lesson plan\n", encoding="utf-8")
    edit_package(lambda p: _set(res_of(p, "evidence_locations"), "path", "../home/lesson-plan.md"))(data)


def absolute_path(data: Path) -> None:
    secret = data.parent / "secret.csv"
    secret.write_text("SECRET-FIRST-LINE,x\n", encoding="utf-8")
    edit_package(lambda p: _set(res_of(p, "outlets"), "path", str(secret)))(data)


def seed_outside_the_seeds_folder(data: Path) -> None:
    (data.parent / "secret.txt").write_text("SECRET-SEED-LINE\n", encoding="utf-8")
    set_to("articles", ARTICLE_ROW_A000, "seed_file", "../secret.txt")(data)


def seed_linked_outside(data: Path) -> None:
    """A seed replaced by a link to a copy outside the seeds folder (same bytes: the checksum alone would pass)."""
    seed = data.parent / "seeds" / SEED_A000
    outside = data.parent / "elsewhere" / SEED_A000
    outside.parent.mkdir()
    shutil.copy(seed, outside)
    seed.unlink()
    seed.symlink_to(outside)


def link(table_file: str, target: str | Callable[[Path], str]):
    def apply(data: Path) -> None:
        path = data / table_file
        path.unlink()
        path.symlink_to(target(data) if callable(target) else target)
    return apply


def link_outside(data: Path) -> None:
    (data.parent / "elsewhere").mkdir()
    shutil.copy(data / "events.csv", data.parent / "elsewhere" / "events.csv")
    link("events.csv", lambda d: str(d.parent / "elsewhere" / "events.csv"))(data)


def separated_by(table_file: str, delimiter: str):
    def apply(data: Path) -> None:
        path = data / table_file
        rows = read_rows(path)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return apply


def rows_of_commas(table: str, n: int):
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        width = len(read_rows(path)[0])
        path.write_bytes(path.read_bytes() + ("," * (width - 1) + "\n").encode() * n)
    return apply


ACT_US = row_where("actors", "actor_id", "us")
OUTLET_VTC = row_where("outlets", "outlet_id", "vtc-news")
LONG = 140_000  # over the CSV reader's limit of 131,072 characters in one cell

HARDENING = [
    # A data folder must not reach outside itself.
    Case("path-up-out-of-the-folder", path_up_out_of_the_folder,
         "data/datapackage.json", None, None, "a file name inside the data folder", load="events",
         also=["'../home/lesson-plan.md': it goes up out of the data folder with '..'"],
         build_stops="goes up out of the data folder"),
    Case("path-absolute", absolute_path,
         "data/datapackage.json", None, None, "a file name inside the data folder", load="outlets",
         also=["is an absolute path, outside the data folder"], absent=["SECRET-FIRST-LINE"],
         build_stops="is an absolute path"),
    Case("seed-outside-the-seeds-folder", seed_outside_the_seeds_folder,
         "data/articles.csv", ARTICLE_ROW_A000, "seed_file", "the name of a file inside the seeds folder",
         load="articles", also=["'../secret.txt' goes up out of the seeds folder"], absent=["SECRET-SEED-LINE"],
         build_stops="'../secret.txt' goes up out of the seeds folder"),
    Case("seed-linked-outside-the-seeds-folder", seed_linked_outside,
         "data/articles.csv", ARTICLE_ROW_A000, "seed_file", "the name of a file inside the seeds folder",
         load="articles", also=["outside the seeds folder"], build_stops="outside the seeds folder"),
    Case("link-loop", link("outlets.csv", "outlets.csv"),
         "data/outlets.csv", None, None, "a CSV file, or a link to one inside the data folder", load="outlets",
         also=["a symbolic link that leads back to itself (a loop)"], build_stops="outlets.csv"),
    Case("link-dangling", link("actors.csv", "actors-old.csv"),
         "data/actors.csv", None, None, "a CSV file, or a link to one inside the data folder", load="actors",
         also=["a symbolic link to actors-old.csv, which does not exist (a dangling link)"],
         build_stops="actors.csv"),
    Case("link-out-of-the-folder", link_outside,
         "data/events.csv", None, None, "a file inside the data folder data/", load="events",
         load_where=("data/events.csv", None, None, "outside the data folder"),
         also=["outside the data folder"], build_stops="events.csv"),
    # datapackage.json edited by hand: the wrong JSON type
    Case("descriptor-constraints-a-number", edit_package(lambda p: _set(field_of(p, "events", "date_start"), "constraints", 5)),
         "data/datapackage.json", None, None, 'an object such as {"required": true}', load="events",
         also=["resource 'events', field 'date_start': constraints the number 5"], build_stops="datapackage.json"),
    Case("descriptor-primary-key-a-number", edit_package(lambda p: _set(res_of(p, "events")["schema"], "primaryKey", 5)),
         "data/datapackage.json", None, None, "a field name, or a list of field names", load="events",
         also=["resource 'events': primaryKey the number 5"], build_stops="datapackage.json"),
    Case("descriptor-schema-a-list", edit_package(lambda p: _set(res_of(p, "outlets"), "schema", [])),
         "data/datapackage.json", None, None, "a schema object", load="outlets",
         also=["resource 'outlets': schema a list (0 items)"], build_stops="datapackage.json"),
    Case("descriptor-field-a-string",
         edit_package(lambda p: res_of(p, "events")["schema"]["fields"].__setitem__(1, "date_start")),
         "data/datapackage.json", None, None, "every field to be an object", load="events",
         also=["schema.fields[1] is the text 'date_start'"], build_stops="datapackage.json"),
    Case("descriptor-foreign-keys-an-object",
         edit_package(lambda p: _set(res_of(p, "events")["schema"], "foreignKeys",
                                     res_of(p, "events")["schema"]["foreignKeys"][0])),
         "data/datapackage.json", None, None, "a list of foreign keys", load="events",
         also=["schema.foreignKeys an object"], build_stops="datapackage.json"),
    Case("descriptor-x-evidence-yes", edit_package(lambda p: _set(res_of(p, "quotes"), "x-evidence", "yes")),
         "data/datapackage.json", None, None, 'an object {"article_field"', load="quotes",
         also=["resource 'quotes': x-evidence the text 'yes'"], build_stops="datapackage.json"),
    Case("descriptor-empty-foreign-key",
         edit_package(lambda p: res_of(p, "events")["schema"]["foreignKeys"].append({})),
         "data/datapackage.json", None, None, 'an object {"fields": "col", "reference"', load="events",
         also=["is an empty object {}"], build_stops="datapackage.json"),
    Case("descriptor-missing-values-a-text",
         edit_package(lambda p: _set(res_of(p, "events")["schema"], "missingValues", "NA")),
         "data/datapackage.json", None, None, "a list of texts", load="events",
         also=["schema.missingValues the text 'NA'", "read letter by letter"], build_stops="datapackage.json"),
    Case("descriptor-required-a-text",
         edit_package(lambda p: _set(field_of(p, "actors", "name_en"), "constraints", {"required": "false"})),
         "data/datapackage.json", None, None, "true or false, without quotes", load="actors",
         also=["constraints.required the text 'false'"], build_stops="datapackage.json"),
    # labels of enum values (x-enum-labels): every value has one, none names a value outside the enum
    Case("descriptor-label-for-an-unknown-value",
         edit_package(lambda p: field_of(p, "events", "event_type")["x-enum-labels"].__setitem__(
             "talk", {"en": "talk", "vi": "đàm phán"})),
         "data/datapackage.json", None, None, "labels only for the values in constraints.enum", load="events",
         also=["resource 'events', field 'event_type': x-enum-labels gives a label for 'talk', which is not one of "
               "its values", "Did you mean 'talks'?"], build_stops="datapackage.json", cli=True),
    Case("descriptor-enum-value-without-a-label",
         edit_package(lambda p: field_of(p, "numbers", "qualifier")["constraints"]["enum"].append("roughly")),
         "data/datapackage.json", None, None, "an entry for every value of the enum", load="numbers",
         also=["resource 'numbers', field 'qualifier': value 'roughly' has no entry in x-enum-labels"],
         build_stops="datapackage.json"),
    Case("descriptor-label-missing-a-language",
         edit_package(lambda p: field_of(p, "events", "date_precision")["x-enum-labels"]["month"].pop("vi")),
         "data/datapackage.json", None, None, "the same keys for every value (en, vi)", load="events",
         also=["resource 'events', field 'date_precision', x-enum-labels 'month': no 'vi'"],
         build_stops="datapackage.json"),
    Case("descriptor-range-of-an-unknown-column",
         edit_package(lambda p: _set(res_of(p, "events"), "x-ranges", [{"start": "date_start", "end": "date_stop"}])),
         "data/datapackage.json", None, None, "a declared field name", load="events",
         also=["resource 'events', x-ranges[0]: end 'date_stop'"], build_stops="datapackage.json"),
    # Spreadsheet saves
    Case("semicolon-separated", separated_by("outlets.csv", ";"),
         "data/outlets.csv", 1, None, "cells separated by commas", load="outlets",
         also=["a semicolon-separated file", "CSV UTF-8 (Comma delimited)"], only_file=True,
         build_stops="outlets.csv"),
    Case("tab-separated", separated_by("framing_terms.csv", "\t"),
         "data/framing_terms.csv", 1, None, "cells separated by commas", load="framing_terms",
         also=["a tab-separated file"], only_file=True, build_stops="framing_terms.csv"),
    Case("rows-of-commas", rows_of_commas("events", 1),
         "data/events.csv", EVENTS_LAST + 1, None, f"a row of {len(header('events'))} cells", load="events",
         also=["an empty row (only commas)"], only_file=True, build_stops=f"events.csv, row {EVENTS_LAST + 1}"),
    Case("key-with-a-trailing-space", set_to("actors", ACT_US, "actor_id", "us "),
         "data/actors.csv", ACT_US, "actor_id", "an id with no space or line break at either end", load="actors",
         only_file=True, absent=["data/events.csv", "did you mean 'us '"]),
    Case("key-with-a-line-break", set_to("outlets", OUTLET_VTC, "outlet_id", "vtc-news\n"),
         "data/outlets.csv", OUTLET_VTC, "outlet_id", "an id with no space or line break at either end",
         load="outlets", only_file=True, absent=["data/articles.csv"]),
    Case("cell-too-long", set_to("outlets", 2, "note", "x" * LONG),
         "data/outlets.csv", 2, "note", "cells of at most 131,072 characters", load="outlets",
         also=[f"a cell of {LONG:,} characters"], absent=["broken quoting"], build_stops="outlets.csv, row 2"),
    Case("old-mac-line-ends", raw_bytes("actor_names.csv", lambda b: b.replace(b"\n", b"\r")),
         "data/actor_names.csv", 1, None, "line ends LF (\\n) or CRLF", load="actor_names",
         also=["old Mac line ends", "replace(b'\\r', b'\\n')"], build_stops="actor_names.csv, row 1"),
    # Build: a missing manifest (it used to be a FileNotFoundError traceback)
    Case("deleted-manifest", delete("data/articles.csv"),
         "data/articles.csv", None, None, "the CSV file of table 'articles'", load="articles",
         build_stops="articles.csv"),
]
CASES += HARDENING

IDS = [c.id for c in CASES]
assert len(set(IDS)) == len(IDS) >= 20


# --------------------------------------------------------------------------- running check-data on every case


@dataclass
class Prepared:
    data: Path
    before: dict[str, bytes]
    returncode: int
    stdout: str
    stderr: str


def _check_data(folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "iraqtalks", "check-data", "data"], cwd=folder, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def _check_data_in_process(folder: Path) -> subprocess.CompletedProcess:
    """The same command as _check_data, run in this process (conftest.run_cli: no interpreter to start)."""
    return run_cli(["check-data", "data"], folder)


def everything(data: Path) -> dict[str, bytes]:
    """Every file of a case's folder: data/, seeds/ and anything beside them (files a broken folder points at)."""
    root = data.parent
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict[str, Prepared]:
    """Every case broken in its own copy (like conftest's data_copy), and check-data run on each."""
    folders = {}
    for case in CASES:
        root = tmp_path_factory.mktemp(case.id)
        shutil.copytree(DATA_DIR, root / "data")
        shutil.copytree(SEEDS_DIR, root / "seeds")
        case.breaks(root / "data")
        folders[case.id] = (root, everything(root / "data"))
    cli = [cid for cid, case in zip(IDS, CASES) if case.cli]
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        runs = dict(zip(cli, pool.map(_check_data, [folders[cid][0] for cid in cli])))
    for cid in folders:
        if cid not in runs:
            runs[cid] = _check_data_in_process(folders[cid][0])
    return {cid: Prepared(root / "data", before, runs[cid].returncode, runs[cid].stdout, runs[cid].stderr)
            for cid, (root, before) in folders.items()}


def report_sections(text: str) -> dict[str, list[str]]:
    """The check-data report as {file heading: [its numbered problem lines]}."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and not line.endswith("problems:") and not line.endswith("problem:") \
                and not line.startswith("Row numbers are spreadsheet rows"):
            current = line
            sections.setdefault(current, [])
        elif current is not None and re.match(r"  \d+\. ", line):
            sections[current].append(line)
    return sections


def names_it(line: str, row: int | None, column: str | None, expected: str) -> bool:
    body = re.sub(r"^\s*\d+\.\s*", "", line)
    where = body.split(": ", 1)[0] if (row is not None or column is not None) else ""
    if row is not None and f"row {row}" not in where.split(", "):
        return False
    if column is not None and f"column {column}" not in where:
        return False
    return expected.casefold() in body.casefold()


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_data_names_the_problem(case: Case, prepared):
    run = prepared[case.id]
    out = run.stdout + run.stderr
    assert run.returncode == 1, f"check-data exited {run.returncode}, expected 1:\n{out}"
    assert "Traceback" not in out, out
    assert run.stderr == "", f"check-data wrote to stderr:\n{run.stderr}"
    sections = report_sections(run.stdout)
    assert case.file in sections, f"the report has no section for {case.file}:\n{run.stdout}"
    hits = [line for line in sections[case.file] if names_it(line, case.row, case.column, case.expected)]
    assert hits, (f"no problem under {case.file} names row {case.row}, column {case.column} and "
                  f"'{case.expected}':\n{run.stdout}")
    if case.row is not None or case.column is not None:
        assert any("expected " in h or case.file.startswith("seeds/") for h in hits), hits
    for text in case.also:
        assert text in run.stdout, f"the report does not say {text!r}:\n{run.stdout}"
    for text in case.absent:
        assert text not in run.stdout, f"the report says {text!r}:\n{run.stdout}"
    if case.only_file:
        assert list(sections) == [case.file], f"the report blames other files too:\n{run.stdout}"
        assert len(sections[case.file]) == 1, f"one problem, reported once, expected:\n{run.stdout}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_load_raises_data_error_naming_the_problem(case: Case, prepared):
    run = prepared[case.id]
    if case.load_ok:
        df = load(case.load, data_dir=run.data)  # must not raise: see case.load_ok
        if case.kept:
            table, row, column, value = case.kept
            assert df[column].iloc[row - 2] == value, f"load() changed {column} of row {row}"
            assert get_cell(run.data / f"{table}.csv", row, column) == value
        else:
            assert len(df) == 0
    else:
        with pytest.raises(DataError) as err:
            load(case.load, data_dir=run.data)
        file, row, column, expected = case.load_where or (case.file, case.row, case.column, case.expected)
        problems = err.value.problems
        assert any(p.file.endswith(file) and p.row == row and p.column == column
                   and expected in str(p) for p in problems), (
            f"load({case.load!r}) raised DataError, but no problem names {file}, row {row}, column {column}, "
            f"'{expected}':\n{err.value}")
        text = str(err.value)
        assert file.split("/")[-1] in text
        if row is not None:
            assert f"row {row}" in text
        if column is not None:
            assert f"column {column}" in text
    assert everything(run.data) == run.before, "check-data or load() changed a file"


def _hand_made(snap: dict[str, bytes]) -> dict[str, bytes]:
    """The files the build must never touch: seeds, datapackage.json and the hand-made tables."""
    derived = {f"data/{p}" for p in DERIVED} | {"data/README.md"}
    return {k: v for k, v in snap.items() if k not in derived and not k.startswith("data/clean/")}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_build_stops_or_leaves_hand_made_files_alone(case: Case, prepared, capsys):
    run = prepared[case.id]
    data = run.data
    before = everything(data)
    status = build_main(data_dir=data, seeds_dir=data.parent / "seeds")  # must not raise, whatever the folder holds
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    for text in case.absent:
        assert text not in out + err, f"the build says {text!r}:\n{out}{err}"
    if case.build_stops:
        assert status == 1, f"the build went ahead on a broken folder:\n{out}"
        assert case.build_stops in err, f"the build's message does not name {case.build_stops!r}:\n{err}"
        assert "Nothing was written." in err
        assert everything(data) == before, "a stopped build wrote files"
    else:
        assert status == 0, f"the build stopped:\n{err}"
        assert _hand_made(snapshot(data)) == _hand_made(before), "the build changed a hand-made file or a seed"


@pytest.mark.slow
def test_the_build_command_refuses_a_modified_seed(prepared):
    """`python -m iraqtalks build DIR` itself (a fresh process): checksum message, exit 1, nothing written."""
    run = prepared["modified-seed"]
    before = snapshot(run.data)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "iraqtalks", "build", "data"], cwd=run.data.parent, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"column sha256 expects {SHA_A000}" in done.stderr and SEED_A000 in done.stderr
    assert "Nothing was written." in done.stderr and "Traceback" not in done.stderr
    assert snapshot(run.data) == before


def test_every_case_breaks_something_the_kit_has():
    """The cases hit real columns of the kit's schema (so a renamed column cannot make one vacuous)."""
    declared = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in PACKAGE["resources"]}
    for case in CASES:
        name = case.file.split("/", 1)[1]
        if case.file.startswith("data/") and name.endswith(".csv"):
            assert name in declared, case.id
            if case.column and case.row != 1:
                assert case.column in declared[name], case.id


# --------------------------------------------------------------------------- issue 15: beyond one broken folder


def _copy(tmp_path: Path, name: str = "data") -> Path:
    shutil.copytree(DATA_DIR, tmp_path / name)
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    return tmp_path / name


def _cli(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """`python -m iraqtalks ARGV` run in-process from `cwd`: (exit status, stdout, stderr)."""
    done = run_cli(argv, cwd)
    return done.returncode, done.stdout, done.stderr


def _typed_equal(a, b) -> bool:
    a, b = a.copy(), b.copy()
    a.attrs, b.attrs = {}, {}
    return a.equals(b) and list(a.dtypes) == list(b.dtypes)


def test_a_spreadsheet_save_is_read_as_the_same_data(tmp_path):
    """Excel's 'CSV UTF-8' (a byte-order mark, CRLF line ends) is the normal case: check-data accepts it, load()
    gives the same typed data, and the build works (the manifest too) and leaves the teacher's files as saved."""
    data = _copy(tmp_path)
    saved = ["articles.csv", "actors.csv", "events.csv", "actor_names.csv"]
    for name in saved:
        path = data / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, out, err = _cli(["check-data", "data"], tmp_path)
    assert (code, err) == (0, ""), out + err
    assert out.startswith("data/ is valid:"), out
    for name in saved:
        table = name[:-4]
        assert _typed_equal(load(table, data_dir=data), load(table)), f"{name} read differently once saved by a spreadsheet"
    before = everything(data)
    assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 0
    after = everything(data)
    for name in saved:
        assert after[f"data/{name}"] == before[f"data/{name}"], f"the build changed {name}"
    for name in sorted(DERIVED) + ["README.md"]:
        assert after[f"data/{name}"] == (DATA_DIR / name).read_bytes(), f"the build wrote a different {name}"


def test_repeated_problems_are_one_problem_with_their_rows(tmp_path):
    """Day-first dates in every row are one problem listing the rows, and the report's last line re-runs the
    check on the folder exactly as the teacher typed it."""
    data = _copy(tmp_path, "my data")
    rows = read_rows(data / "events.csv")
    j = rows[0].index("date_start")
    for r in rows[1:]:
        y, m, d = r[j].split("-")
        r[j] = f"{d}/{m}/{y}"
    write_rows(data / "events.csv", rows)
    n = len(rows) - 1
    code, out, err = _cli(["check-data", "my data"], tmp_path)
    assert code == 1 and err == "", out + err
    lines = [line for line in out.splitlines() if "column date_start" in line]
    assert len(lines) == 1, out
    assert f"rows 2-{n + 1} ({n} rows), column date_start: found {rows[1][j]!r} in row 2 (and {n - 1} more like it)" \
        in lines[0], lines[0]
    assert "Vietnamese writes the day first" in lines[0]
    assert out.splitlines()[0] == f"my data/ has 1 problem (in {n} places):", out.splitlines()[0]
    assert out.rstrip().endswith("then run `python -m iraqtalks check-data 'my data'` again."), out
    with pytest.raises(DataError) as err_info:
        load("events", data_dir=data)
    assert len(err_info.value.problems) == n  # every row is still a Problem for code that reads them
    assert f"cannot be loaded: 1 problem (in {n} places)" in str(err_info.value)


def _stale_derived(data: Path) -> None:
    """Derived files that differ from a fresh build: one clean text missing, one extra, a short cleaning log."""
    (data / "clean" / "a000.txt").unlink()
    (data / "clean" / "zz-old.txt").write_text("an article no longer listed\n", encoding="utf-8")
    log = data / "cleaning_log.csv"
    log.write_bytes(log.read_bytes().split(b"\n", 1)[0] + b"\n")


def test_build_is_all_or_nothing_when_the_last_write_fails(tmp_path, monkeypatch, capsys):
    """The last file to be swapped in cannot be written: every file already swapped is put back."""
    import iraqtalks.data.build as build_module

    data = _copy(tmp_path)
    _stale_derived(data)
    before = everything(data)
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(dst).name == "README.md" and Path(src).name.startswith("new-"):  # the last file the build swaps in
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(build_module.os, "replace", failing_replace)
    assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and out == ""
    assert "README.md failed (No space left on device)" in err and "put back as it was" in err, err
    assert "Nothing was written." in err
    assert everything(data) == before, "a failed build left some files new and some old"
    assert not list(data.glob(".build-*")), "the temporary folder was left behind"
    monkeypatch.setattr(build_module.os, "replace", real_replace)
    assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 0  # and the same folder builds once the disk has room
    assert (data / "clean" / "a000.txt").read_bytes() == (DATA_DIR / "clean" / "a000.txt").read_bytes()
    assert not (data / "clean" / "zz-old.txt").exists()


def test_build_stops_when_clean_is_a_file(tmp_path, capsys):
    data = _copy(tmp_path)
    shutil.rmtree(data / "clean")
    (data / "clean").write_text("notes\n", encoding="utf-8")
    _stale_derived_tables = data / "sentences.csv"
    _stale_derived_tables.write_bytes(_stale_derived_tables.read_bytes()[:200])
    before = everything(data)
    assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "clean is a file, but the build writes" in err and "must be a folder" in err, err
    assert "Nothing was written." in err
    assert everything(data) == before


def test_build_stops_when_the_folder_cannot_be_written(tmp_path, monkeypatch, capsys):
    """A read-only data folder (simulated: tests may run as root, who can write anywhere)."""
    import iraqtalks.data.build as build_module

    data = _copy(tmp_path)
    _stale_derived(data)
    before = everything(data)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(build_module.tempfile, "mkdtemp", read_only)
    assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "cannot write in" in err and "(Permission denied)" in err, err
    assert "Make the folder writable" in err and "Nothing was written." in err
    assert everything(data) == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_build_stops_on_a_read_only_folder(tmp_path, capsys):
    """A folder the build may not write in. Root can write through chmod, so as root the folder is made
    immutable instead (chattr +i, which stops root too)."""
    data = _copy(tmp_path)
    _stale_derived(data)
    before = everything(data)
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(data)], check=True)
    else:
        os.chmod(data, 0o555)
    try:
        assert build_main(data_dir=data, seeds_dir=data.parent / "seeds") == 1
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(data)], check=True)
        else:
            os.chmod(data, 0o755)
    out, err = capsys.readouterr()
    assert "cannot write in" in err and "Traceback" not in err, err
    assert everything(data) == before


def test_the_build_command_names_a_mistyped_folder(tmp_path):
    """`python -m iraqtalks build datta` (in-process; the build command runs in a fresh process in
    test_the_build_command_refuses_a_modified_seed): one clear message, exit 1."""
    _copy(tmp_path)
    done = run_cli(["build", "datta"], tmp_path)
    assert done.returncode == 1 and done.stdout == "", done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "datta/: no such folder; expected a data folder containing datapackage.json" in done.stderr, done.stderr
    assert "Nothing was written." in done.stderr
    assert not (tmp_path / "datta").exists()


def _every_quote_wrong(data: Path) -> None:
    """Every evidence quote of every table changed: a report of several hundred lines."""
    for res in PACKAGE["resources"]:
        if not res.get("x-evidence"):
            continue
        rows = read_rows(data / res["path"])
        j = rows[0].index("evidence")
        for r in rows[1:]:
            r[j] = "not in any seed " + r[j][::-1]
        write_rows(data / res["path"], rows)


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["check-data", "data"], ["build", "data"]], ids=["check-data", "build"])
def test_a_reader_that_stops_early_is_no_error(tmp_path, argv):
    """`python -m iraqtalks check-data DIR | head -1`: no BrokenPipeError traceback, whatever the command."""
    data = _copy(tmp_path)
    if argv[0] == "check-data":
        _every_quote_wrong(data)  # a report longer than a pipe holds, so the command is still writing at the close
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "iraqtalks", *argv], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline() if argv[0] == "check-data" else b""
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=300)
    if argv[0] == "check-data":
        assert first.startswith(b"data/ has ")
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_date_objects_in_a_dataframe_are_dates(tmp_path):
    """A DataFrame whose date column holds Timestamps (or dates) as objects is read as those dates, not
    reported as text that is not an ISO date."""
    from iraqtalks.views import heatmap

    tables = {t: load(t) for t in ("events", "event_reports", "articles", "actors")}
    expected = heatmap.coverage_matrix(tables=tables)
    events = tables["events"].copy()
    events["date_start"] = events["date_start"].astype(object)  # Timestamps as objects
    events["date_end"] = pd.Series([t.date() for t in events["date_end"]], dtype=object)  # datetime.date objects
    assert heatmap.coverage_matrix(tables={**tables, "events": events}).equals(expected)
    events["date_start"] = events["date_start"].astype(str)  # '2014-01-01 00:00:00': text, not an ISO date
    with pytest.raises(DataError) as err:
        heatmap.coverage_matrix(tables={**tables, "events": events})
    assert "found '2014-01-01 00:00:00', expected an ISO date like 2024-01-27" in str(err.value)


def test_a_too_long_cell_is_refused_whatever_limit_another_library_set(tmp_path):
    """frictionless raises Python's process-wide csv cell limit when it is imported; the kit reads with its own."""
    import csv

    from iraqtalks.data import csvtext

    path = tmp_path / "outlets.csv"
    path.write_text("outlet_id,note\nvtc," + "x" * (csvtext.MAX_CELL_CHARS + 5) + "\n", encoding="utf-8")
    old = csv.field_size_limit(10**9)
    try:
        parsed = csvtext._parse_uncached(path)
        assert csv.field_size_limit() == 10**9, "the reader must put the process-wide limit back"
    finally:
        csv.field_size_limit(old)
    shown = [str(p) for p in parsed.problems]
    assert any("cells of at most 131,072 characters" in s and "note" in s for s in shown), shown
