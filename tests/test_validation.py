"""validate() and check-data: one test per kind of breakage, each on a private copy of the data.

Each test breaks one thing in a copy, and checks that exactly the expected new problem appears
(compared with the copy before breaking it, so the test does not depend on the state of the
kit's own data), that the message names the file, the spreadsheet row, the column and what was
expected, and that validating changed no file.
"""
from __future__ import annotations

import codecs
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import get_cell, read_rows, run_cli, set_cell, snapshot, write_rows

from iraqtalks.data.descriptor import read_package
from iraqtalks.data.loader import validate
from iraqtalks.data.paths import ROOT
from iraqtalks.data.problems import Problem
from iraqtalks.data.report import check_data


def breaks(data: Path, mutate) -> list[Problem]:
    """The problems that `mutate()` adds to the copy; asserts that validate() writes nothing."""
    before = {str(p) for p in validate(data_dir=data)}
    mutate()
    files = snapshot(data)
    after = validate(data_dir=data)
    assert snapshot(data) == files, "validate() changed a file"
    return [p for p in after if str(p) not in before]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "expected exactly one new problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def assert_names(p: Problem, file: str, row: int | None, column: str | None, expected: str) -> None:
    text = str(p)
    assert p.file.endswith(file) and text.startswith(p.file), text
    assert p.row == row, text
    if row is not None:
        assert f"row {row}" in text
    assert p.column == column, text
    if column is not None:
        assert f"column {column}" in text
    assert expected in (p.expected or ""), text
    assert "expected " + expected in text


def last_row(path: Path) -> int:
    return len(read_rows(path))


# --------------------------------------------------------------------------- the baseline


def test_the_full_copy_is_valid(full_copy):
    # Real articles.csv and outlets.csv (and whatever else the kit has), synthetic rows for the rest.
    problems = validate(data_dir=full_copy)
    assert problems == [], "\n".join(map(str, problems))


# --------------------------------------------------------------------------- columns and rows


def test_missing_column(full_copy):
    path = full_copy / "outlets.csv"

    def drop():
        rows = read_rows(path)
        j = rows[0].index("name")
        write_rows(path, [r[:j] + r[j + 1:] for r in rows])

    p = only(breaks(full_copy, drop))
    assert_names(p, "outlets.csv", 1, "name", "a column named 'name'")


def test_renamed_column_suggests_the_declared_name(full_copy):
    path = full_copy / "events.csv"

    def rename():
        rows = read_rows(path)
        rows[0][rows[0].index("date_start")] = "date_begin"
        write_rows(path, rows)

    p = only(breaks(full_copy, rename))
    assert_names(p, "events.csv", 1, "date_begin", "the declared column name 'date_start'")
    assert p.found == "date_begin"
    assert "rename it back to 'date_start'" in str(p)


def test_unknown_extra_column(full_copy):
    path = full_copy / "outlets.csv"

    def add():
        rows = read_rows(path)
        write_rows(path, [r + (["website"] if i == 0 else ["x"]) for i, r in enumerate(rows)])

    p = only(breaks(full_copy, add))
    assert_names(p, "outlets.csv", 1, "website", "only the columns declared in datapackage.json")


def test_columns_out_of_order(full_copy):
    path = full_copy / "outlets.csv"

    def swap():
        rows = read_rows(path)
        write_rows(path, [[r[1], r[0]] + r[2:] for r in rows])

    p = only(breaks(full_copy, swap))
    assert_names(p, "outlets.csv", 1, None, "the order declared in datapackage.json")


def test_truncated_row(full_copy):
    path = full_copy / "outlets.csv"
    n = last_row(path)
    header = read_rows(path)[0]

    def truncate():
        rows = read_rows(path)
        rows[-1] = rows[-1][:-2]
        write_rows(path, rows)

    p = only(breaks(full_copy, truncate))
    width = len(header)
    assert_names(p, "outlets.csv", n, header[width - 2], f"{width} cells, one per column of the header")
    assert p.found == f"{width - 2} cells"


def test_row_with_too_many_cells(full_copy):
    path = full_copy / "outlets.csv"

    def extend():
        rows = read_rows(path)
        rows[1] = rows[1] + ["spill"]
        write_rows(path, rows)

    p = only(breaks(full_copy, extend))
    width = len(read_rows(path)[0])
    assert_names(p, "outlets.csv", 2, None, f"{width} cells")
    assert "'spill'" in str(p)


def test_empty_row_in_the_middle(full_copy):
    path = full_copy / "outlets.csv"
    lines = path.read_bytes().split(b"\n")
    p = only(breaks(full_copy, lambda: path.write_bytes(b"\n".join(lines[:2] + [b""] + lines[2:]))))
    assert_names(p, "outlets.csv", 3, None, "a row of")


def test_empty_file(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: path.write_bytes(b"")))
    assert_names(p, "outlets.csv", 1, None, "at least the header row: outlet_id,name,")


def test_missing_hand_made_file(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, path.unlink))
    assert_names(p, "outlets.csv", None, None, "the CSV file of table 'outlets'")


def test_missing_derived_file_is_a_problem_too(full_copy):
    derived = [r for r in read_package(data_dir=full_copy)["resources"] if r.get("x-derived")]
    assert derived, "datapackage.json declares no derived table"
    path = full_copy / derived[0]["path"]
    p = only(breaks(full_copy, path.unlink))
    assert_names(p, derived[0]["path"], None, None, f"the CSV file of table '{derived[0]['name']}'")
    assert "python -m iraqtalks build" in str(p)


# --------------------------------------------------------------------------- encodings and line ends


def test_a_spreadsheets_csv_utf8_save_is_accepted_as_the_same_data(full_copy):
    """Excel's 'CSV UTF-8' adds a byte-order mark and writes CRLF line ends: the normal case, not a problem.
    Reading it gives exactly the typed data of the same file saved with LF and no BOM."""
    from iraqtalks.data.loader import load

    path = full_copy / "outlets.csv"
    before = load("outlets", data_dir=full_copy)
    assert breaks(full_copy, lambda: path.write_bytes(codecs.BOM_UTF8 + path.read_bytes().replace(b"\n", b"\r\n"))) == []
    after = load("outlets", data_dir=full_copy)
    after.attrs, before.attrs = {}, {}
    assert after.equals(before) and list(after.dtypes) == list(before.dtypes)


def test_old_mac_line_ends_get_advice_that_works(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))))
    assert_names(p, "outlets.csv", 1, None, "line ends LF")
    assert "old Mac" in p.found
    command = p.message.split("convert it with: ", 1)[1]
    assert command.startswith("python -c ")
    subprocess.run([sys.executable, "-c", command[len("python -c "):].strip().strip('"')], check=True)  # the advice
    assert validate(data_dir=full_copy) == []


def test_not_utf8(full_copy):
    path = full_copy / "articles.csv"
    raw = path.read_bytes()
    latin1 = raw.decode("utf-8").encode("cp1258", errors="replace")  # Vietnamese Windows code page
    new = breaks(full_copy, lambda: path.write_bytes(latin1))
    p = only([p for p in new if p.file.endswith("articles.csv")])
    assert_names(p, "articles.csv", None, None, "text encoded as UTF-8")
    assert "not UTF-8 on line 2" in p.found
    # The tables that quote the seeds say, once each, that their evidence could not be checked.
    evidence_tables = [r["path"] for r in read_package(data_dir=full_copy)["resources"] if r.get("x-evidence")]
    notes = [q for q in new if q is not p]
    assert sorted(Path(q.file).name for q in notes) == sorted(t for t in evidence_tables if t != "articles.csv")
    assert all("evidence quotes were not checked" in q.message for q in notes)


def test_the_kits_files_are_lf_without_bom():
    for path in sorted((ROOT / "data").glob("*.csv")) + [ROOT / "data" / "datapackage.json"]:
        raw = path.read_bytes()
        assert not raw.startswith(codecs.BOM_UTF8), path
        assert b"\r" not in raw, path


# --------------------------------------------------------------------------- cell values


def test_required_cell_empty(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "name", "")))
    assert_names(p, "outlets.csv", 2, "name", "a value: this column is required")


@pytest.mark.parametrize("value, example, advice", [
    ("28/01/2024", "2024-01-28", "28 January 2024"),
    ("28.1", "2024-01-28", "day.month date (28 January) with no year"),
    ("2024/1/28", "2024-01-28", "2024-01-28"),
    ("2024-02-30", "2024-01-28", "not a real calendar date"),
])
def test_date_not_iso(full_copy, value, example, advice):
    path = full_copy / "events.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "date_start", value)))
    assert_names(p, "events.csv", 2, "date_start", f"an ISO date YYYY-MM-DD (e.g. {example})")
    assert str(p).startswith(f"{p.file}, row 2, column date_start: found {value!r}, "
                             f"expected an ISO date YYYY-MM-DD (e.g. {example})")
    assert advice in p.message


def test_date_end_before_date_start(full_copy):
    path = full_copy / "events.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "date_end", "2000-01-01")))
    start = get_cell(path, 2, "date_start")
    assert_names(p, "events.csv", 2, "date_end", f"date_end on or after date_start ({start})")


@pytest.mark.parametrize("value, plain", [("2.500", "2500"), ("1.234,5", "1234.5")])
def test_vietnamese_number_in_a_number_field(full_copy, value, plain):
    number_fields = [(r, f["name"]) for r in read_package(data_dir=full_copy)["resources"]
                     for f in r["schema"]["fields"] if f.get("type") == "number"]
    res, col = number_fields[0]
    path = full_copy / res["path"]
    p = only(breaks(full_copy, lambda: set_cell(path, 2, col, value)))
    assert_names(p, res["path"], 2, col, "a number with '.' as the decimal point and no thousands separators")
    assert f"({value} = {plain}): write {plain}" in p.message


def test_integer_field_rejects_text(full_copy):
    int_fields = [(r, f["name"]) for r in read_package(data_dir=full_copy)["resources"]
                  for f in r["schema"]["fields"] if f.get("type") == "integer"]
    res, col = int_fields[0]
    path = full_copy / res["path"]
    p = only(breaks(full_copy, lambda: set_cell(path, 2, col, "3.000")))
    assert_names(p, res["path"], 2, col, "a whole number")
    assert "3.000 = 3000" in p.message


def test_unknown_enum_value(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "kind", "News_Site")))
    allowed = next(f for f in read_package(data_dir=full_copy)["resources"][0]["schema"]["fields"]
                   if f["name"] == "kind")["constraints"]["enum"]
    assert_names(p, "outlets.csv", 2, "kind", "one of: " + ", ".join(allowed))
    assert "did you mean 'news_site'?" in str(p).lower()


def test_pattern_constraint(full_copy):
    path = full_copy / "articles.csv"
    sha = get_cell(path, 2, "sha256")
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "sha256", sha.upper())))
    assert_names(p, "articles.csv", 2, "sha256", "text matching the pattern [0-9a-f]{64}")


def test_duplicate_primary_key_names_both_rows(full_copy):
    path = full_copy / "outlets.csv"
    n = last_row(path)

    def duplicate():
        rows = read_rows(path)
        write_rows(path, rows + [rows[1]])

    p = only(breaks(full_copy, duplicate))
    first = get_cell(path, 2, "outlet_id")
    assert_names(p, "outlets.csv", n + 1, "outlet_id", "a primary key (outlet_id) that no other row has")
    assert p.found == first
    assert f"rows 2 and {n + 1}" in p.message


def test_dangling_foreign_key(full_copy):
    path = full_copy / "articles.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "outlet_id", "vtc-newz")))
    assert_names(p, "articles.csv", 2, "outlet_id", "a value of outlet_id that exists in table outlets")
    assert "'vtc-newz'" in str(p) and "did you mean 'vtc-news'?" in p.message


def test_empty_foreign_key_is_no_reference(full_copy):
    path = full_copy / "articles.csv"
    assert breaks(full_copy, lambda: set_cell(path, 2, "outlet_id", "")) == []


# --------------------------------------------------------------------------- text


def test_text_not_nfc(full_copy):
    path = full_copy / "articles.csv"
    headline = get_cell(path, 2, "headline")
    nfd = unicodedata.normalize("NFD", headline)
    assert nfd != headline
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "headline", nfd)))
    assert_names(p, "articles.csv", 2, "headline", "text in Unicode NFC")
    assert "unicodedata.normalize('NFC', text)" in p.message


@pytest.mark.parametrize("markup", ["<b>VTC</b> News", "VTC News<script>alert(1)</script>"])
def test_html_or_script_in_text(full_copy, markup):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "note", markup)))
    assert_names(p, "outlets.csv", 2, "note", "plain text without HTML or script markup")
    assert ("<b>" if "<b>" in markup else "<script>") in p.message


def test_less_than_sign_alone_is_fine(full_copy):
    path = full_copy / "outlets.csv"
    assert breaks(full_copy, lambda: set_cell(path, 2, "note", "fewer than 3 < 5 sources")) == []


# --------------------------------------------------------------------------- evidence


def test_evidence_not_in_the_seed(full_copy):
    path = full_copy / "outlets.csv"
    quote = get_cell(path, 2, "evidence")
    article = get_cell(path, 2, "article_id")
    changed = quote[:-1] + ("x" if quote[-1] != "x" else "y")
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "evidence", changed)))
    assert_names(p, "outlets.csv", 2, "evidence", "text copied exactly from the seed")
    assert f"(article {article})" in p.expected
    assert f"the first {len(quote) - 1} characters match" in p.message


def test_evidence_from_another_article(full_copy):
    path = full_copy / "outlets.csv"
    article = get_cell(path, 2, "article_id")
    other = next(r for r in read_rows(full_copy / "articles.csv")[1:] if r[0] != article)[0]
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "article_id", other)))
    assert_names(p, "outlets.csv", 2, "evidence", "text copied exactly from the seed")
    assert f"it is in the seed of article {article}" in p.message


def test_evidence_must_be_one_line(full_copy):
    path = full_copy / "outlets.csv"
    quote = get_cell(path, 2, "evidence")
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "evidence", quote + "\n" + quote)))
    assert_names(p, "outlets.csv", 2, "evidence", "a quote on a single line")


def test_within_evidence_must_occur_in_the_quote(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "name_vi", "Đài VTC")))
    assert_names(p, "outlets.csv", 2, "name_vi", "text that occurs inside this row's evidence")


def test_unknown_article_is_reported_once(full_copy):
    path = full_copy / "outlets.csv"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, "article_id", "a999")))
    assert_names(p, "outlets.csv", 2, "article_id", "an article_id listed in")


# --------------------------------------------------------------------------- all problems, in order


def test_all_problems_are_collected_and_sorted(full_copy):
    out = full_copy / "outlets.csv"
    art = full_copy / "articles.csv"

    def several():
        set_cell(out, 3, "kind", "blog")
        set_cell(out, 2, "name", "")
        set_cell(art, 2, "published_start", "25/01/2024")

    new = breaks(full_copy, several)
    assert [(Path(p.file).name, p.row, p.column) for p in new] == [
        ("outlets.csv", 2, "name"), ("outlets.csv", 3, "kind"), ("articles.csv", 2, "published_start")]


def test_tables_argument_limits_the_check(full_copy):
    set_cell(full_copy / "outlets.csv", 2, "kind", "blog")
    assert validate(data_dir=full_copy, tables=["articles"]) == []
    assert [p.column for p in validate(data_dir=full_copy, tables="outlets")] == ["kind"]


# --------------------------------------------------------------------------- check-data


def run_check_data(*args: str) -> subprocess.CompletedProcess:
    """`python -m iraqtalks check-data ARGS` from the kit's folder, in this process (conftest.run_cli)."""
    return run_cli(["check-data", *args], ROOT)


@pytest.mark.slow
def test_check_data_on_the_kits_data_exits_0():
    """End to end: a fresh `python -m iraqtalks check-data` process (the others run the command in-process)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "iraqtalks", "check-data"], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("data/ is valid: ")
    assert " evidence quotes found in the seeds" in r.stdout


def test_check_data_on_a_valid_copy_exits_0(full_copy):
    r = run_check_data(str(full_copy))
    assert r.returncode == 0, r.stdout + r.stderr
    n = len(read_package(data_dir=full_copy)["resources"])
    assert f"is valid: {n} tables, " in r.stdout


def test_check_data_on_a_broken_copy_exits_1_with_a_readable_list(full_copy):
    set_cell(full_copy / "events.csv", 2, "date_start", "28/01/2024")
    set_cell(full_copy / "outlets.csv", 2, "kind", "blog")
    r = run_check_data(str(full_copy))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    out = r.stdout
    assert "has 2 problems:" in out
    assert "outlets.csv\n  1. row 2, column kind: found 'blog', expected one of: " in out
    assert "events.csv\n  2. row 2, column date_start: found '28/01/2024', expected an ISO date" in out


def test_check_data_reports_a_changed_seed(full_copy):
    seed = sorted((full_copy.parent / "seeds").glob("*.txt"))[0]
    seed.write_bytes(seed.read_bytes() + b" ")
    report = check_data(data_dir=full_copy)
    assert not report.ok
    assert any(p.file.endswith(seed.name) and "SHA-256" in p.message for p in report.problems)
    r = run_check_data(str(full_copy))
    assert r.returncode == 1 and seed.name in r.stdout and "Traceback" not in r.stderr


def test_check_data_on_a_missing_folder(tmp_path):
    r = run_check_data(str(tmp_path / "nowhere"))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "nowhere/" in r.stdout and "no such folder" in r.stdout


def test_check_data_on_a_folder_without_datapackage(tmp_path):
    (tmp_path / "data").mkdir()
    r = run_check_data(str(tmp_path / "data"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "datapackage.json is missing" in r.stdout


def test_check_data_on_broken_json(full_copy):
    path = full_copy / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"resources": [', '"resources" [', 1), encoding="utf-8")
    r = run_check_data(str(full_copy))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "datapackage.json" in r.stdout and "invalid JSON at line" in r.stdout


# --------------------------------------------------------------------------- more kinds of breakage


def test_duplicate_column_name(full_copy):
    path = full_copy / "outlets.csv"

    def duplicate():
        rows = read_rows(path)
        rows[0][rows[0].index("country")] = "name"
        write_rows(path, rows)

    new = breaks(full_copy, duplicate)
    assert sorted((p.row, p.column) for p in new) == [(1, "country"), (1, "name")]
    dup = next(p for p in new if p.column == "name")
    assert_names(dup, "outlets.csv", 1, "name", "each column once")


def test_an_end_before_its_start_in_an_integer_pair(full_copy):
    pairs = [(r, f["name"]) for r in read_package(data_dir=full_copy)["resources"] for f in r["schema"]["fields"]
             if f.get("type") == "integer" and f["name"].endswith("end")
             and any(g["name"] == f["name"][:-3] + "start" for g in r["schema"]["fields"])]
    if not pairs:
        pytest.skip("datapackage.json has no integer X_start/X_end pair")
    res, end = pairs[0]
    path = full_copy / res["path"]
    start = end[:-3] + "start"
    p = only(breaks(full_copy, lambda: set_cell(path, 2, end, str(int(get_cell(path, 2, start)) - 1))))
    assert_names(p, res["path"], 2, end, f"{end} on or after {start}")


def test_unclosed_quote(full_copy):
    path = full_copy / "outlets.csv"
    n = last_row(path)
    p = only(breaks(full_copy, lambda: path.write_bytes(path.read_bytes() + b'x,"unclosed,news_site\n')))
    assert_names(p, "outlets.csv", n + 1, None, "cells quoted the CSV way")
    assert "never closed" in p.message


def test_check_data_api_returns_a_report(full_copy):
    report = check_data(data_dir=full_copy)
    assert report.ok and bool(report) and report.problems == []
    assert report.tables == len(read_package(data_dir=full_copy)["resources"])
    assert report.rows > 0 and report.quotes > 0
    assert repr(report) == str(report) and str(report).endswith("evidence quotes found in the seeds")
    set_cell(full_copy / "outlets.csv", 2, "kind", "blog")
    broken = check_data(data_dir=full_copy)
    assert not broken and [p.column for p in broken.problems] == ["kind"]
    assert "has 1 problem:" in str(broken)


def test_check_data_with_an_unreadable_manifest_says_the_seeds_were_not_checked(full_copy):
    path = full_copy / "articles.csv"
    rows = read_rows(path)
    j = rows[0].index("sha256")
    write_rows(path, [r[:j] + r[j + 1:] for r in rows])
    report = check_data(data_dir=full_copy)
    assert any("seed checksums were not checked" in p.message for p in report.problems)
    assert any(p.file.endswith("articles.csv") and p.column == "sha256" and p.row == 1 for p in report.problems)
    r = run_check_data(str(full_copy))
    assert r.returncode == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("written, value, expected", [
    ("2.500", "2.5", "2500, which is how value_as_written '2.500' reads"),
    ("ba", "2", "3, which is how value_as_written 'ba' reads"),
    ("hàng trăm", "100", "an empty cell: value_as_written 'hàng trăm' is a vague amount"),
])
def test_value_must_match_value_as_written(full_copy, written, value, expected):
    path = full_copy / "numbers.csv"

    def edit():
        set_cell(path, 2, "value_as_written", written)
        set_cell(path, 2, "value", value)

    problems = breaks(full_copy, edit)
    p = next(p for p in problems if p.column == "value")
    assert_names(p, "numbers.csv", 2, "value", expected)


def test_value_as_written_that_is_not_a_number(full_copy):
    path = full_copy / "numbers.csv"
    problems = breaks(full_copy, lambda: set_cell(path, 2, "value_as_written", "8.2"))
    p = next(p for p in problems if p.column == "value_as_written")
    assert_names(p, "numbers.csv", 2, "value_as_written", "a number written the Vietnamese way")
    assert "8 February" in p.message
