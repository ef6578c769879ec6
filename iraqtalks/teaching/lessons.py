"""Small helpers the lesson notebooks share, so that every lesson cell stays one or two lines.

    from iraqtalks.teaching.lessons import lesson_setup, show_raw, furniture
    lesson_setup()                  # the kit's look for charts and tables (the setup cell calls it)
    show_raw("a001", 1, 8)          # numbered raw lines, with what the cleaning step did to each
    furniture("a001")               # the page furniture the cleaning step removed, and why

Reading Vietnamese numbers and dates (the point of lesson 02):

>>> parse_vn_number("2.500")        # the dot groups thousands
2500.0
>>> float("2.500")                  # what Python (and pandas) make of it
2.5
>>> parse_vn_date("ngày 8.2", year=2024)   # day.month: 8 February
Period('2024-02-08', 'D')
>>> naive_date("ngày 8.2", year=2024)      # pandas' default reads month first: 2 August
Timestamp('2024-08-02 00:00:00')

Everything here reads the kit's tables through :func:`iraqtalks.load`; nothing touches the network.
"""
from __future__ import annotations

import gc
import re
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.descriptor import read_package
from ..data.evidence import lookup
from ..data.evidence import primary_key as _primary_key
from ..data.loader import load
from ..data.paths import ROOT, seeds_dir_for
from ..data.seeds import read_raw
from ..views import plotting

__all__ = [
    "lesson_setup",
    "kit_files",
    "RawExcerpt",
    "show_raw",
    "furniture",
    "find_evidence",
    "sentences_en",
    "data_dictionary",
    "event_table",
    "NUMBER_WORDS",
    "parse_vn_number",
    "parse_vn_date",
    "naive_date",
    "number_readings",
    "date_readings",
    "report_lags",
    "lag_chart",
]


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


def _glosses(article_id: str, data_dir=None) -> dict[int, tuple[int, str, str]]:
    """For each raw line: (quote length, table, English) of the longest evidence quote located on it."""
    locs = load("evidence_locations", data_dir)
    locs = locs[locs["article_id"] == article_id]
    best: dict[int, tuple[int, str, str]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for loc in locs.itertuples(index=False):
        if loc.table not in tables:
            tables[loc.table] = load(loc.table, data_dir)
        row = tables[loc.table].iloc[int(loc.row) - 2]
        size = int(loc.char_end) - int(loc.char_start)
        if size > best.get(int(loc.line), (0, "", ""))[0]:
            best[int(loc.line)] = (size, loc.table, str(row["evidence_en"]))
    return best


def show_raw(article_id: str, start: int = 1, end: int | None = None, english: bool = True,
             data_dir=None) -> RawExcerpt:
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
    art = lookup("articles", article_id, data_dir)
    raw = read_raw(art["seed_file"], seeds_dir_for(data_dir))
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    total = len(lines)
    end = total if end is None else end
    if not (isinstance(start, int) and isinstance(end, int) and 1 <= start <= end <= total):
        raise ValueError(f"show_raw({article_id!r}): lines must satisfy 1 <= start <= end <= {total} "
                         f"(seeds/{art['seed_file']} has {total} lines); found start={start!r}, end={end!r}")
    log = load("cleaning_log", data_dir)
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
    glosses = _glosses(article_id, data_dir) if english else {}
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


def furniture(article_id: str | None = None, include_restored: bool = False, data_dir=None) -> pd.DataFrame:
    """The page furniture the cleaning step removed (cleaning_log), for one article or all of them.

    Columns: article_id, line (in the raw seed), action, raw (a dropped block shows its first line and
    how many more follow), reason.  ``include_restored=True`` adds the dotted words that were
    restored (action ``restore_word``), with their ``clean`` form.

    >>> furniture("a001")[["line", "action", "raw"]].values.tolist()
    [[4, 'drop_line', '0:00 / 0:00'], [5, 'drop_line', '0:00'], [7, 'drop_duplicate', 'Biếm họa: DAVE GRANLUND']]
    """
    log = load("cleaning_log", data_dir)
    if article_id is not None:
        known = sorted(load("articles", data_dir)["article_id"])
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


# --------------------------------------------------------------------------------------------
# Evidence across tables
# --------------------------------------------------------------------------------------------

def _evidence_tables(data_dir=None) -> list[str]:
    return [r["name"] for r in read_package(data_dir)["resources"] if r.get("x-evidence")]


def find_evidence(text: str, regex: bool = False, tables: list[str] | None = None, data_dir=None) -> pd.DataFrame:
    """Every evidence quote, in any table, that contains `text` (or matches the regular expression).

    Columns: table, key (the row's primary key, parts joined by ' / '), article_id, evidence,
    evidence_en.  Use it to find every row that quotes a sentence, a name or a word.

    >>> find_evidence("t.hiệt m.ạng")[["table", "key"]].values.tolist()[:2]
    [['events', 'e2024-02-iraq-casualty-claim'], ['events', 'e2024-01-lawmakers-urge-response']]
    """
    if not isinstance(text, str) or not text:
        raise ValueError("find_evidence: give the text (a non-empty string) to look for")
    names = tables if tables is not None else _evidence_tables(data_dir)
    frames = []
    for name in names:
        df = load(name, data_dir)
        if "evidence" not in df.columns:
            raise KeyError(f"find_evidence: the {name} table has no evidence column")
        hit = df["evidence"].astype(str).str.contains(text, regex=regex)
        if hit.any():
            pk = _primary_key(name, data_dir)
            sub = df[hit]
            key = sub[pk].astype(str).agg(" / ".join, axis=1)
            frames.append(pd.DataFrame({"table": name, "key": key, "article_id": sub["article_id"],
                                        "evidence": sub["evidence"], "evidence_en": sub["evidence_en"]}))
    cols = ["table", "key", "article_id", "evidence", "evidence_en"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def sentences_en(article_id: str, data_dir=None) -> pd.DataFrame:
    """The sentences of one article (the sentences table), each with an English translation where the kit has one.

    The sentences table holds the clean Vietnamese text only.  For each sentence this finds the
    longest evidence quote (from any table, dotted words restored as in the clean text) that lies
    inside it, and gives that quote's ``evidence_en``.  Columns: sentence_id, kind, text,
    English, covers (``whole`` if the quote is the whole sentence, ``part`` if only part of it,
    empty where no row quotes the sentence).

    >>> sentences_en("a002").loc[0, ["sentence_id", "covers"]].tolist()
    ['a002-p01-s01', 'whole']
    """
    from ..text.clean import restore_obfuscation

    sents = load("sentences", data_dir)
    known = sorted(set(sents["article_id"]))
    if article_id not in known:
        raise KeyError(f"sentences_en: no article {article_id!r}; expected one of {', '.join(known)}")
    sents = sents[sents["article_id"] == article_id]
    quotes = []
    for name in _evidence_tables(data_dir):
        df = load(name, data_dir)
        df = df[df["article_id"] == article_id]
        quotes += [(restore_obfuscation(str(q))[0].strip(), str(en)) for q, en in zip(df["evidence"], df["evidence_en"])]
    quotes.sort(key=lambda qe: -len(qe[0]))
    english, covers = [], []
    for text in sents["text"]:
        hit = next(((q, en) for q, en in quotes if q and q in text), None)
        if hit is None:
            english.append(pd.NA)
            covers.append("")
        else:
            english.append(hit[1])
            covers.append("whole" if hit[0].strip(" .") == text.strip(" .") else "part")
    return pd.DataFrame({"sentence_id": sents["sentence_id"].to_numpy(), "kind": sents["kind"].astype(str).to_numpy(),
                         "text": sents["text"].to_numpy(), "English": english, "covers": covers})


def data_dictionary(table: str, data_dir=None) -> pd.DataFrame:
    """One table's entry in the data dictionary (data/datapackage.json): variable, type, description.

    The same text as the table's section of data/README.md, as a DataFrame.

    >>> data_dictionary("numbers").loc[2, "variable"]
    'value_as_written'
    """
    from ..data.datadict import type_label

    resources = {r["name"]: r for r in read_package(data_dir)["resources"]}
    if table not in resources:
        raise KeyError(f"data_dictionary: no table {table!r}; expected one of {', '.join(resources)}")
    fields = resources[table]["schema"]["fields"]
    return pd.DataFrame({"variable": [f["name"] for f in fields],
                         "type": [type_label(f).replace("**", "").replace("`", "") for f in fields],
                         "description": [f.get("description", "") for f in fields]})


def event_table(event_ids: list[str], data_dir=None) -> pd.DataFrame:
    """Chosen events in date order: when (as precise as known), what happened, and the evidence.

    Columns: event_id, when, what (summary_en), article_id, Vietnamese (evidence), English (evidence_en).
    """
    from ..text.labels import date_text

    events = load("events", data_dir)
    unknown = [e for e in event_ids if e not in set(events["event_id"])]
    if unknown:
        raise KeyError(f"event_table: no event(s) {', '.join(unknown)} in the events table")
    ev = events[events["event_id"].isin(event_ids)].sort_values(["date_start", "date_end", "event_id"])
    when = [date_text(s, e, p) for s, e, p in zip(ev["date_start"], ev["date_end"], ev["date_precision"])]
    return pd.DataFrame({"event_id": ev["event_id"], "when": when, "what": ev["summary_en"],
                         "article_id": ev["article_id"], "Vietnamese": ev["evidence"],
                         "English": ev["evidence_en"]}).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Vietnamese numbers and dates
# --------------------------------------------------------------------------------------------

from ..text.vietnamese import NUMBER_WORDS, parse_vn_number  # noqa: E402  (re-exported for the lessons)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_D_M_Y = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")
_MONTH_Y = re.compile(r"tháng\s+(\d{1,2})[./](\d{4})(?!\d)", re.IGNORECASE)
_D_M = re.compile(r"(?<![\d./])(\d{1,2})[./](\d{1,2})(?![\d]|[./]\d)")
_MONTH = re.compile(r"tháng\s+(\d{1,2})(?![\d./])", re.IGNORECASE)
_YEAR = re.compile(r"năm\s+(\d{4})(?!\d)", re.IGNORECASE)


def _period(text: str, value: str, freq: str) -> pd.Period:
    try:
        return pd.Period(value, freq=freq)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r}: {value} is not a real calendar date") from None


def parse_vn_date(text: str, year: int | None = None) -> pd.Period:
    """The date in a Vietnamese phrase, read day first, as a pandas Period that keeps its precision.

    ``28/1`` and ``8.2`` are day/month (28 January, 8 February); ``12/1/2021`` is 12 January 2021;
    ``tháng 10/2023`` is the month October 2023; ``năm 2014`` the year 2014.  A day or month
    without a year needs `year`.  Raises ValueError for a phrase with no calendar date in it
    ('Ngày hôm sau', the next day): such dates need their context (events.date_note).

    >>> parse_vn_date("ngày 28/1", year=2024), parse_vn_date("ngày 12/1/2021")
    (Period('2024-01-28', 'D'), Period('2021-01-12', 'D'))
    >>> parse_vn_date("tháng 10.2023"), parse_vn_date("năm 2014")
    (Period('2023-10', 'M'), Period('2014', 'Y-DEC'))
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_vn_date() takes the date as written (a str), not {type(text).__name__}")
    if m := _D_M_Y.search(text):
        return _period(text, f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}", "D")
    if m := _MONTH_Y.search(text):
        return _period(text, f"{m[2]}-{int(m[1]):02d}", "M")
    if m := _D_M.search(text):
        if year is None:
            raise ValueError(f"{text!r} gives a day and month but no year: pass year=...")
        return _period(text, f"{year}-{int(m[2]):02d}-{int(m[1]):02d}", "D")
    if m := _MONTH.search(text):
        if year is None:
            raise ValueError(f"{text!r} gives a month but no year: pass year=...")
        return _period(text, f"{year}-{int(m[1]):02d}", "M")
    if m := _YEAR.search(text):
        return _period(text, m[1], "Y")
    raise ValueError(f"{text!r} has no calendar date in it (a relative date like 'hôm sau' needs its "
                     "context: see the date_note column of events)")


def naive_date(text: str, year: int | None = None) -> pd.Timestamp:
    """What pandas makes of the day/month in `text` with its default settings (month first).

    The date's numbers are handed to ``pd.to_datetime`` as ``day.month.year`` (`year` added when the
    text has none), the way a spreadsheet or script that assumes English conventions would read
    them.  Returns NaT where pandas gives up; warnings are silenced, as they often are in practice.
    This is the *wrong* reading, kept to show the mistake.

    >>> naive_date("ngày 12/1/2021"), naive_date("ngày 28/1", year=2024)
    (Timestamp('2021-12-01 00:00:00'), Timestamp('2024-01-28 00:00:00'))
    """
    if m := _D_M_Y.search(text):
        d, mo, y = m[1], m[2], m[3]
        sep = text[m.start(2) - 1]
    elif m := _D_M.search(text):
        if year is None:
            raise ValueError(f"{text!r} gives a day and month but no year: pass year=...")
        d, mo, y = m[1], m[2], str(year)
        sep = text[m.start(2) - 1]
    else:
        raise ValueError(f"{text!r}: no day/month date (like 8.2 or 28/1) in it")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(f"{d}{sep}{mo}{sep}{y}", errors="coerce")


def number_readings(data_dir=None) -> pd.DataFrame:
    """Every number of the numbers table read three ways: naively, by :func:`parse_vn_number`, and as the table has it.

    Columns: number_id, article_id, value_as_written, naive (``pd.to_numeric``, English conventions:
    2.500 -> 2.5, number words -> NaN), parsed (:func:`parse_vn_number`), value (the table's),
    agrees (parsed equals value, or both are missing), evidence, evidence_en.
    """
    nums = load("numbers", data_dir)
    naive = pd.to_numeric(nums["value_as_written"], errors="coerce")
    parsed = nums["value_as_written"].map(parse_vn_number).astype("Float64")
    value = nums["value"].astype("Float64")
    agrees = (parsed == value).fillna(False) | (parsed.isna() & value.isna())
    return pd.DataFrame({"number_id": nums["number_id"], "article_id": nums["article_id"],
                         "value_as_written": nums["value_as_written"], "naive": naive, "parsed": parsed,
                         "value": value, "agrees": agrees.astype(bool), "evidence": nums["evidence"],
                         "evidence_en": nums["evidence_en"]})


def date_readings(year: int = 2024, data_dir=None) -> pd.DataFrame:
    """The event reports whose date is written as numbers (8.2, 28/1, 12/1/2021), read two ways.

    Columns: event_id, article_id, date_as_written, naive (:func:`naive_date`), parsed
    (:func:`parse_vn_date` as an ISO day), date_start (the events table), naive_ok and parsed_ok
    (does the reading equal date_start?), evidence, evidence_en.  Day/month dates without a year
    are read in `year` (the articles are from 2024).
    """
    reps = load("event_reports", data_dir)
    events = load("events", data_dir).set_index("event_id")
    written = reps["date_as_written"].astype("string").fillna("")
    numeric = [bool(_D_M_Y.search(t) or _D_M.search(t)) for t in written]
    reps = reps[numeric].copy()
    parsed = [parse_vn_date(t, year) for t in reps["date_as_written"]]
    naive = [naive_date(t, year) for t in reps["date_as_written"]]
    start = events.loc[reps["event_id"], "date_start"].to_numpy()
    out = pd.DataFrame({
        "event_id": reps["event_id"].to_numpy(),
        "article_id": reps["article_id"].to_numpy(),
        "date_as_written": reps["date_as_written"].to_numpy(),
        "naive": pd.to_datetime(pd.Series(naive)).dt.date.to_numpy(),
        "parsed": [p.start_time.date() if p.freqstr == "D" else str(p) for p in parsed],
        "date_start": pd.to_datetime(pd.Series(start)).dt.date.to_numpy(),
    })
    out["naive_ok"] = out["naive"] == out["date_start"]
    out["parsed_ok"] = out["parsed"] == out["date_start"]
    out["evidence"] = reps["evidence"].to_numpy()
    out["evidence_en"] = reps["evidence_en"].to_numpy()
    return out.reset_index(drop=True)


def _days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from `earlier` to `later`, counted on day numbers: dates centuries apart (the kit accepts
    1678 to 2261) overflow a pandas Timedelta, which holds about 292 years."""
    a, b = later.to_numpy("datetime64[D]"), earlier.to_numpy("datetime64[D]")
    days = a.astype("int64") - b.astype("int64")
    missing = np.isnat(a) | np.isnat(b)
    if missing.any():  # like .dt.days: a missing date gives a missing number of days
        return pd.Series(np.where(missing, np.nan, days.astype("float64")), index=later.index)
    return pd.Series(days, index=later.index)


def report_lags(data_dir=None) -> pd.DataFrame:
    """How long after an event each article reported it: one row per (event, article) in event_reports.

    Columns: event_id, article_id, date_as_written, date_start, date_end (the event), published_start,
    published_end (the article's bounds as the page supports them; published_end is empty where the
    page gives no upper bound), end_used and end_basis (the upper bound lag_max uses: ``page``, or
    ``estimate`` where the page gives none and articles.estimate_end is the kit's labelled judgement),
    lag_min and lag_max in days, evidence, evidence_en.

    ``lag_max`` is the longest the lag can be: the article's latest possible date (``end_used``) minus
    the event's earliest.  ``lag_min`` is the shortest: the article's earliest date minus the event's
    latest, but not below 0, because an article reports what has already happened, unless ``lag_max``
    is 0 or below: then the article may have appeared before the event (it announces something still
    to come, like a002's talks that 'sẽ nối lại', will resume, on 11.2) and lag_min stays negative.
    Where both dates are known to the day, the two lags are equal.

    >>> lags = report_lags().set_index(["event_id", "article_id"])
    >>> lags.loc[("e2024-01-24-letter", "a000"), ["lag_min", "lag_max"]].tolist()
    [1, 1]
    >>> lags.loc[("e2024-02-11-talks-resume", "a002"), ["lag_min", "lag_max"]].tolist()
    [-3, 0]
    """
    reps = load("event_reports", data_dir)
    ev = load("events", data_dir).set_index("event_id")
    art = load("articles", data_dir).set_index("article_id")
    out = pd.DataFrame({
        "event_id": reps["event_id"],
        "article_id": reps["article_id"],
        "date_as_written": reps["date_as_written"],
        "date_start": ev.loc[reps["event_id"], "date_start"].to_numpy(),
        "date_end": ev.loc[reps["event_id"], "date_end"].to_numpy(),
        "published_start": art.loc[reps["article_id"], "published_start"].to_numpy(),
        "published_end": art.loc[reps["article_id"], "published_end"].to_numpy(),
    })
    estimate = (art.loc[reps["article_id"], "estimate_end"].to_numpy() if "estimate_end" in art.columns
                else out["published_end"].to_numpy())
    page = out["published_end"].notna()
    out["end_used"] = out["published_end"].where(page, pd.Series(estimate, index=out.index))
    out["end_basis"] = np.where(page, "page", np.where(out["end_used"].notna(), "estimate", "none"))
    low = _days_between(out["published_start"], out["date_end"])
    out["lag_max"] = _days_between(out["end_used"], out["date_start"])
    out["lag_min"] = low.where(out["lag_max"] <= 0, low.clip(lower=0))
    out = out[[c for c in out.columns if c != "lag_max"] + ["lag_max"]]
    out["evidence"] = reps["evidence"].to_numpy()
    out["evidence_en"] = reps["evidence_en"].to_numpy()
    return out.sort_values(["date_start", "event_id", "article_id"], kind="stable").reset_index(drop=True)


def lag_chart(lags: pd.DataFrame | None = None, since: str = "2024-01-01", data_dir=None):
    """A chart of :func:`report_lags`: one lane per article, one mark per event it reports.

    Each lane is labelled with the article's publication window; "(est.)" marks an article whose page
    gives no last day, so its bars end at the kit's labelled estimate (``end_basis`` in report_lags).
    x is the lag in days from the event to the article: a dot where the lag is known to the day,
    a bar from ``lag_min`` to ``lag_max`` where it is not; a dashed line marks 0 (reported the day
    it happened), and marks left of it are reports that came *before* the event.  Only events that
    started on or after `since` are drawn (older background events would squeeze the rest).
    Returns a :class:`iraqtalks.views.plotting.KitFigure`, which shows itself in a notebook.
    """
    import numpy as np

    from ..views.widgets import _pub_short

    lags = report_lags(data_dir) if lags is None else lags
    sub = lags[lags["date_start"] >= pd.Timestamp(since)]
    if sub.empty:
        raise ValueError(f"lag_chart: no reports of events on or after {since}")
    art = load("articles", data_dir).set_index("article_id")
    keys = sorted(sub["article_id"].unique())
    fig = plotting.new_figure(10, 1.6 + 0.75 * len(keys), layout="constrained")
    ax = fig.add_subplot()
    with plotting.style():
        for i, a in enumerate(keys):
            rows = sub[sub["article_id"] == a].sort_values(["lag_min", "lag_max", "event_id"], kind="stable")
            ys = i + (np.linspace(-0.28, 0.28, len(rows)) if len(rows) > 1 else np.zeros(1))
            colour = plotting.colour_for(a, keys)
            exact = (rows["lag_min"] == rows["lag_max"]).to_numpy()
            lo, hi = rows["lag_min"].to_numpy(), rows["lag_max"].to_numpy()
            ax.hlines(ys[~exact], lo[~exact], hi[~exact], colors=colour, linewidth=3, alpha=0.85)
            ax.scatter(lo[exact], ys[exact], color=colour, s=28, zorder=3, edgecolors="white", linewidths=0.6)
        ax.axvline(0, color="#555555", linewidth=1, linestyle="--")
        labels = []
        for a in keys:
            start = art.at[a, "published_start"]
            basis = sub.loc[sub["article_id"] == a, "end_basis"].iloc[0]
            end = sub.loc[sub["article_id"] == a, "end_used"].iloc[0]
            when = (f"{_pub_short(start, end)} {start.year}" if start.year == end.year else
                    f"{_pub_short(start, start)} {start.year}–{_pub_short(end, end)} {end.year}")
            labels.append(f"{a} · {when}" + (" (est.)" if basis == "estimate" else ""))
        ax.set_yticks(range(len(keys)), labels)
        ax.set_ylim(len(keys) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        plotting.set_labels(ax, "How long after each event did the articles report it?",
                            "Days from the event to the article (dot: known to the day; bar: the possible range)",
                            "Article", subtitle=f"Events from {pd.Timestamp(since):%-d %B %Y} on; one mark per event an article reports",
                            source="Source: the kit's events, event_reports and articles tables")
        plotting.literal_text(fig)
    return fig
