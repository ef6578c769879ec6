"""Small helpers the lesson notebooks share, so that every lesson cell stays one or two lines: setup and raw text.

    from iraqtalks import lesson_setup, show_raw, furniture
    lesson_setup()                  # the kit's look for charts and tables (the setup cell calls it)
    show_raw("a001", 1, 8)          # numbered raw lines, with what the cleaning step did to each
    furniture("a001")               # the page furniture the cleaning step removed, and why

The other lesson helpers: tables across the kit (:mod:`.lessons_tables`), Vietnamese numbers and dates
read two ways (:mod:`.lessons_readings`), how long after an event the articles reported it (:mod:`.lessons_lags`).
Everything here reads the kit's tables through :func:`iraqtalks.load`; nothing touches the network.
"""
from __future__ import annotations

import gc
import re
import textwrap
from dataclasses import dataclass, field

import pandas as pd

from ..data.evidence import lookup
from ..data.loader import load
from ..data.paths import ROOT, seeds_dir_for
from ..data.seeds import read_raw
from ..views import accessible, plotting

__all__ = ["lesson_setup", "kit_files", "RawExcerpt", "show_raw", "furniture"]


# --------------------------------------------------------------------------------------------
# Setup
# --------------------------------------------------------------------------------------------

def lesson_setup() -> None:
    """What every lesson's setup cell needs: charts drawn inline, the kit's chart style, full table text.

    * In a Jupyter kernel, selects matplotlib's inline backend (as ``%matplotlib inline`` does), so
      figures appear even when the environment asks for another backend (``./kit test`` exports
      ``MPLBACKEND=Agg``).  Outside Jupyter nothing changes.
    * Applies :func:`iraqtalks.views.plotting.setup` (DejaVu Sans for Vietnamese diacritics, Okabe–Ito colours).
    * Lets pandas show whole cells, so a Vietnamese quote and its translation are never cut off.
    * In IPython, shows pandas tables without empty header cells and every chart as an image with a
      text alternative (:func:`iraqtalks.views.accessible.register`); the text form is unchanged.
    * In a kernel, moves the objects the imports created out of reach of the garbage collector
      (:func:`gc.freeze`), so later collections are quick.

    Returns None, so the setup cell shows no output.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    in_kernel = shell is not None and getattr(shell, "kernel", None) is not None
    if in_kernel:
        shell.run_line_magic("matplotlib", "inline")
    plotting.setup()
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 80)
    accessible.register(shell)
    if in_kernel:
        # The libraries just imported are some hundred thousand objects that live as long as the
        # kernel.  Freezing them takes them out of every later garbage collection, so a full collection
        # (triggered while a chart or widget is built) scans only what the lesson creates: charts are
        # drawn up to twice as fast.
        gc.freeze()
    return None


_FOLDERS = (
    ("seeds/", "*.txt", "the five articles exactly as they were saved from the web (never edited)"),
    ("data/", "*.csv", "the tidy tables; every fact row carries its evidence quote"),
    ("data/", "README.md", "the data dictionary: every table and column explained"),
    ("data/", "datapackage.json", "the same dictionary in a machine-readable standard (Frictionless)"),
    ("data/clean/", "*.txt", "the articles after cleaning, one paragraph per line"),
    ("notebooks/", "*.ipynb", "the lessons (this notebook is one of them)"),
    ("exercises/", "*.ipynb", "one exercise set per lesson, with feedback"),
    ("iraqtalks/", "*.py", "the kit's helper code that the notebooks import"),
)


def kit_files() -> pd.DataFrame:
    """Where things are in the kit: folder, an example file in it (path from the kit's root), what it holds.

    Folders that hold no matching file yet are left out.
    """
    rows = []
    for folder, pattern, what in _FOLDERS:
        found = sorted((ROOT / folder).glob(pattern))
        if found:
            rows.append({"folder": folder, "example": found[0].relative_to(ROOT).as_posix(), "holds": what})
    return pd.DataFrame(rows, columns=["folder", "example", "holds"])


# --------------------------------------------------------------------------------------------
# Reading a raw seed
# --------------------------------------------------------------------------------------------

_MARKS = {"drop_line": "−", "drop_block": "−", "drop_duplicate": "−", "strip_prefix": "~", "restore_word": "~"}
_WIDTH = 100


def _first_sentence(text: str) -> str:
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z'(‘“])", text)
    return text[: m.start()] if m else text


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent),
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


@dataclass
class RawExcerpt:
    """Numbered lines of one raw seed, with what the cleaning step did to each and an English gloss.

    Displays as plain text.  ``lines`` holds (line number, mark, raw text, notes) for each line shown.
    """

    article_id: str
    seed_file: str
    start: int
    end: int
    total: int
    lines: list[tuple[int, str, str, list[str]]] = field(default_factory=list)

    def __repr__(self) -> str:
        out = [f"seeds/{self.seed_file} · {self.article_id} · lines {self.start}–{self.end} of {self.total}",
               "marks: − dropped by the cleaning step · ~ changed by it · no mark: kept as it is", ""]
        for n, mark, text, notes in self.lines:
            head = f"{n:>4} {mark or ' '}  "
            if not text.strip():
                out.append(f"{n:>4}    (blank line)")
                continue
            body = text if len(text) <= 2000 else text[:2000] + " …"
            for k, part in enumerate(body.split("\n")):
                out += _wrap(part, head if k == 0 else " " * len(head))
            for note in notes:
                out += _wrap(note, " " * len(head) + "↳ ")
        return "\n".join(out)


def _glosses(article_id: str, *, data_dir=None) -> dict[int, tuple[int, str, str]]:
    """For each raw line: (quote length, table, English) of the longest evidence quote located on it."""
    locs = load("evidence_locations", data_dir=data_dir)
    locs = locs[locs["article_id"] == article_id]
    best: dict[int, tuple[int, str, str]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for loc in locs.itertuples(index=False):
        if loc.table not in tables:
            tables[loc.table] = load(loc.table, data_dir=data_dir)
        row = tables[loc.table].iloc[int(loc.row) - 2]
        size = int(loc.char_end) - int(loc.char_start)
        if size > best.get(int(loc.line), (0, "", ""))[0]:
            best[int(loc.line)] = (size, loc.table, str(row["evidence_en"]))
    return best


def show_raw(article_id: str, start: int = 1, end: int | None = None, english: bool = True,
             *, data_dir=None) -> RawExcerpt:
    """Lines `start` to `end` (1-based, inclusive) of an article's raw seed, numbered as in the file.

    Each line is marked with what the cleaning step did to it (from the cleaning_log table):
    ``−`` dropped (page furniture), ``~`` changed (a prefix removed, a dotted word restored), no mark:
    kept as it is.  With ``english=True`` a note under each line gives, for a dropped line, the
    cleaning log's reason, and otherwise the English translation of the longest evidence quote
    on that line (``≈`` when the quote is only part of the line).

    >>> ex = show_raw("a001", 4, 5)
    >>> [(n, mark, text) for n, mark, text, _ in ex.lines]
    [(4, '−', '0:00 / 0:00'), (5, '−', '0:00')]
    """
    art = lookup("articles", article_id, data_dir=data_dir)
    raw = read_raw(art["seed_file"], seeds_dir_for(data_dir))
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    total = len(lines)
    end = total if end is None else end
    if not (isinstance(start, int) and isinstance(end, int) and 1 <= start <= end <= total):
        raise ValueError(f"show_raw({article_id!r}): lines must satisfy 1 <= start <= end <= {total} "
                         f"(seeds/{art['seed_file']} has {total} lines); found start={start!r}, end={end!r}")
    log = load("cleaning_log", data_dir=data_dir)
    log = log[log["article_id"] == article_id]
    marks: dict[int, str] = {}
    notes: dict[int, list[str]] = {}
    changes: dict[int, list[str]] = {}
    for row in log.itertuples(index=False):
        line, action = int(row.line), str(row.action)
        covered = range(line, total + 1) if action == "drop_block" else [line]
        for n in covered:
            if marks.get(n) != "−":
                marks[n] = _MARKS[action]
        if action == "restore_word":
            changes.setdefault(line, []).append(f"{row.raw} → {row.clean}")
        elif action == "strip_prefix":
            notes.setdefault(line, []).append(f"removed at the start: {row.raw.strip()!r} — {_first_sentence(row.reason)}")
        elif action == "drop_block":
            notes.setdefault(line, []).append(f"dropped from here to the end of the page: {_first_sentence(row.reason)}")
        else:
            notes.setdefault(line, []).append(f"dropped: {_first_sentence(row.reason)}")
    glosses = _glosses(article_id, data_dir=data_dir) if english else {}
    shown = []
    for n in range(start, end + 1):
        text = lines[n - 1]
        extra = list(notes.get(n, [])) if english else []
        if english and n in changes:
            extra.append("dotted words restored: " + ", ".join(changes[n]))
        if english and n in glosses and marks.get(n) != "−":
            size, table, en = glosses[n]
            whole = size >= len(text.strip())
            extra.append(f"{'EN' if whole else 'EN ≈ part of the line'}: {en}  [{table}]")
        shown.append((n, marks.get(n, ""), text, extra))
    return RawExcerpt(article_id, art["seed_file"], start, end, total, shown)


def furniture(article_id: str | None = None, include_restored: bool = False, *, data_dir=None) -> pd.DataFrame:
    """The page furniture the cleaning step removed (cleaning_log), for one article or all of them.

    Columns: article_id, line (in the raw seed), action, raw (a dropped block shows its first line and
    how many more follow), reason.  ``include_restored=True`` adds the dotted words that were
    restored (action ``restore_word``), with their ``clean`` form.

    >>> furniture("a001")[["line", "action", "raw"]].values.tolist()
    [[4, 'drop_line', '0:00 / 0:00'], [5, 'drop_line', '0:00'], [7, 'drop_duplicate', 'Biếm họa: DAVE GRANLUND']]
    """
    log = load("cleaning_log", data_dir=data_dir)
    if article_id is not None:
        known = sorted(load("articles", data_dir=data_dir)["article_id"])
        if article_id not in known:
            raise KeyError(f"furniture: no article {article_id!r}; expected one of {', '.join(known)}")
        log = log[log["article_id"] == article_id]
    if not include_restored:
        log = log[log["action"] != "restore_word"]

    def short(raw: str) -> str:
        parts = raw.split("\n")
        return parts[0] if len(parts) == 1 else f"{parts[0]} […and {len(parts) - 1} more lines]"

    out = log.assign(raw=log["raw"].map(short), action=log["action"].astype(str))
    cols = ["article_id", "line", "action", "raw"] + (["clean"] if include_restored else []) + ["reason"]
    return out[cols].reset_index(drop=True)
