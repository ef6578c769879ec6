"""Reading a CSV file as text: quoting, encoding, links and over-long cells become problems, not tracebacks.
"""
from __future__ import annotations

import codecs
import csv
import errno
import io
import os
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .caches import _remember, _stamp
from .problems import Problem, _display, _show

#: The longest cell the kit reads (Python's csv default). Set for each read, so another library that
#: raises the process-wide limit (frictionless does) does not change what the kit accepts.
MAX_CELL_CHARS = 131_072


class _CellLimit:
    """``with _CellLimit():`` reads with the kit's own cell limit and puts the process-wide one back after."""

    def __enter__(self):
        self.old = csv.field_size_limit(MAX_CELL_CHARS)
        return self

    def __exit__(self, *exc):
        csv.field_size_limit(self.old)
        return False


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
        limit = MAX_CELL_CHARS
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
    with _CellLimit():
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
