"""Instant, offline feedback for the exercise notebooks in exercises/.

    from iraqtalks.teaching.checker import check
    check("01-q1", answer_q1)

`check` shows one short, friendly message and returns nothing (printed; in a notebook, a badge with
an icon and a word before it, and lesson pointers as links: see :mod:`.feedback_view`):

- **Correct** plus a brief "why" when the answer matches the key;
- **Not yet** plus the *next* hint of the question's ladder (two or three hints), and after the
  last hint a pointer to the part of the lesson that explains it. The ladder advances once per
  wrong answer, per question, for as long as the kernel runs (`reset()` starts it again);
- **Not answered yet** for the placeholder `...` and for empty answers (an empty string, list
  or DataFrame); `None` gets a note asking whether the result was assigned;
- a targeted note (which does not use up a hint) when the answer has the wrong *form*: a list
  where one number is wanted, a Vietnamese-formatted number such as ``'2.500'``, a DataFrame
  with the wrong columns, and so on.

Answers far larger than any real one are not read: a text, an id or a table cell longer than
5,000 characters (``MAX_TEXT_CHARS``), more than 10,000 ids or rows (``MAX_ITEMS``), or ids or a
table holding more than 100,000 characters in all (``MAX_ANSWER_CHARS``) get a kind note saying so
(it does not use up a hint), at once, instead of keeping the kernel busy for half a minute.

It never raises, never shows a traceback, never echoes what the student typed and never prints
the expected answer. `feedback(qid, answer)` does the same work and returns a `Feedback`
instead of printing it (the tests use it).

How answers are compared (normalisation, per kind of question)
--------------------------------------------------------------
number
    Any real number (int, float, NumPy or pandas scalar, Decimal) or a string in standard
    notation (``'2500'``, ``'2500.0'``, ``'-3.5'``). Values are rounded to the question's
    ``decimals`` (default 6) before comparing. ``True``/``False``, NaN and infinities are refused
    with a note. A string such as ``'2.500'`` or ``'1.234.567'`` (dots as thousands separators,
    the Vietnamese convention) gets a targeted note, and so does ``'2,500'``; so does a number that
    would be right times a thousand (``2.5`` for an answer of 2500: a dot read as a decimal point).
    None of these notes use up a hint. A one-value Series, DataFrame, list or array gets a note
    on taking the value out (``.item()``, ``.iloc[0, 0]``, ``[0]``); a Timedelta gets a note
    suggesting ``.days``.
choice
    The option's letter or its text, compared word by word after folding case and accents, so
    spacing and punctuation do not matter (``'b'``, ``' B. '``, ``'(b)'``, ``'option b'``);
    ``'b. some text'`` also works when the text matches option B.
ids
    Any iterable of strings (list, set, tuple, Series, Index, array) or one string of
    comma-separated ids. Order and duplicates are ignored, whitespace is trimmed and case is
    folded. Feedback says how many of the given ids are in the answer.
frame
    A pandas DataFrame (a Series is accepted when ``.reset_index()`` would give the right
    columns; named index levels are turned back into columns). Column order, row order, the index
    and dtypes are ignored: every cell is turned into canonical text (numbers as numbers, so 3,
    3.0 and '3' agree; dates as ISO dates; missing values as empty) and the rows are sorted.
    Column names are compared case-insensitively. Feedback says which columns are missing or
    extra, whether the row count is right, and how many rows match.
text
    A short text checked for key points by :mod:`iraqtalks.teaching.meaning`: synonyms (with or without
    Vietnamese diacritics), dates in every form the articles and English use, a point stated as its
    negation does not count, and a point may need a relation word near it. Feedback names the
    missing key points by a description, never by the keyword.
reflect
    Open reflection: not graded. Any text of at least ``min_words`` words makes `check` print
    the question's self-check list and record that it was seen (`seen_checklists()`).

How the keys are protected
--------------------------
``answer_keys.json`` (written by ``python -m iraqtalks exercises`` from the solution notebooks)
holds no answer in plain text: only salted SHA-256 digests of the canonical normalised answer
(``sha256(salt + "\\x1f" + canonical)``), with a fixed salt derived from the question id so
that the file is reproducible and equal answers to different questions do not share a digest.
A DataFrame answer is digested as canonical CSV (and row by row, to count matching rows); an id
set as a whole and member by member; a key-point text as one digest per normalised alternative.

Limitation, accepted for formative feedback: the salts are public, so a determined student can
brute-force short answers (a small number, one of four letters, an id from a known table, a short
keyword) by hashing guesses. The keys keep answers from being *read*; they do not make them
impossible to *find*. Summative assessment needs a different tool.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .answer_forms import (  # noqa: F401 - re-exported: exercises_build and the tests use them
    DECIMAL_COMMA,
    DEFAULT_DECIMALS,
    ENGLISH_THOUSANDS,
    MAX_ANSWER_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    STANDARD_NUMBER,
    TOO_LONG_TEXT,
    VI_THOUSANDS,
    VIETNAMESE_NOTE,
    AnswerFormError,
    EmptyAnswer,
    as_number,
    canonical_number,
    check_sizes,
    digest,
    fold,
    format_number,
    is_missing,
    real_number,
    salt_for,
    type_name,
    value_size,
    with_article,
    words,
)
from .meaning import missing_points

KEYS_PATH = Path(__file__).with_name("answer_keys.json")
LESSON_KEYS_NAME = "lesson_keys.json"
KINDS = ("number", "choice", "ids", "frame", "text", "reflect")


NOT_ANSWERED = ("Not answered yet: replace ... with your answer in the cell above, run that cell, "
                "then run this one again.")


@dataclass(frozen=True)
class Feedback:
    """What `check` would print. status is one of: correct, not_yet, not_answered, format,
    seen (a reflection's checklist), unknown (no such question), error (no keys)."""

    qid: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return self.message

    def _repr_pretty_(self, p, cycle) -> None:  # text/plain: the message, as check() prints it
        p.text(self.message)

    def _repr_html_(self) -> str:  # a badge with icon and word, lesson pointers as links
        from .feedback_view import feedback_html

        return feedback_html(self.status, self.message)


def canonical_choice(x, options: dict[str, str]) -> str:
    """The option letter chosen by x (a letter or an option's text)."""
    if isinstance(x, (list, tuple, set)) and len(x) == 1:
        raise AnswerFormError("Give one option as text in quotes, not a list.")
    if not isinstance(x, str):
        raise AnswerFormError(f"I expected the letter or the text of one option, in quotes; got {with_article(x)}.")
    w = words(x)
    if not w:
        raise EmptyAnswer()
    if w[0] == "option" and len(w) > 1:
        w = w[1:]
    letters = {k.casefold(): k for k in options}
    texts = {" ".join(words(v)): k for k, v in options.items()}
    s = " ".join(w)
    if s in letters:
        return letters[s]
    if s in texts:
        return texts[s]
    if w[0] in letters and texts.get(" ".join(w[1:])) == letters[w[0]]:
        return letters[w[0]]
    raise AnswerFormError("That is not one of the listed options. Give an option's letter, or copy its text.")


def id_members(x) -> list[str]:
    """The distinct, trimmed, case-folded ids in x, sorted."""
    import numpy as np
    import pandas as pd
    if isinstance(x, str):
        if len(x) > MAX_TEXT_CHARS:
            raise AnswerFormError(TOO_LONG_TEXT)
        items = [p for p in re.split(r"[,;\n]", x)]
    elif isinstance(x, bytes):
        raise AnswerFormError("That is bytes; give the ids as text.")
    elif isinstance(x, pd.DataFrame):
        raise AnswerFormError("That is a whole DataFrame; the question wants the ids themselves. "
                              "Pick the id column, e.g. df[\"article_id\"].")
    elif isinstance(x, dict):
        raise AnswerFormError("That is a dict; give the ids as a list or a set.")
    elif isinstance(x, np.ndarray) and x.ndim != 1:
        raise AnswerFormError("That array is not one-dimensional; give a flat list of ids.")
    elif isinstance(x, (list, tuple, set, frozenset, pd.Series, pd.Index, np.ndarray)) or (
            hasattr(x, "__iter__") and hasattr(x, "__len__")):
        if len(x) > MAX_ITEMS:
            raise AnswerFormError("That is far too many ids for this question. Filter first.")
        items = list(x)
    else:
        raise AnswerFormError(f"I expected a list or set of ids (text), but got {with_article(x)}.")
    check_sizes(items, "those ids")
    out = set()
    for item in items:
        if item is Ellipsis:
            raise EmptyAnswer()
        if is_missing(item):
            raise AnswerFormError("Your ids include a missing value (NaN or None). Drop it, e.g. with .dropna().")
        if not isinstance(item, str):
            raise AnswerFormError(f"Every id should be text, like the values of an _id column; one is {with_article(item)}.")
        s = unicodedata.normalize("NFC", item).strip().casefold()
        if s:
            out.add(s)
    if not out:
        raise EmptyAnswer()
    return sorted(out)


def canonical_ids(x) -> str:
    return "\n".join(id_members(x))


def _cell_text(v, decimals: int | None = None) -> str:
    import numpy as np
    import pandas as pd
    if isinstance(v, np.generic):
        v = v.item()
    if is_missing(v):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (pd.Timedelta, _dt.timedelta)):
        return format_number(pd.Timedelta(v).total_seconds() / 86400, decimals)
    if isinstance(v, numbers.Real):
        f = float(v)
        if math.isnan(f):
            return ""
        return format_number(f, decimals) if math.isfinite(f) else str(f)
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        ts = pd.Timestamp(v)
        if ts.tzinfo is None and ts == ts.normalize():
            return ts.date().isoformat()
        return ts.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    s = unicodedata.normalize("NFC", str(v)).strip()
    if STANDARD_NUMBER.fullmatch(s):
        try:
            f = float(s)
            if math.isfinite(f):
                return format_number(f, decimals)
        except (ValueError, OverflowError):
            pass
    return s


def frame_table(x, columns: list[str] | None = None, decimals: int | None = None) -> tuple[list[str], list[list[str]]]:
    """(sorted column names, sorted rows of canonical cell text) of a DataFrame answer.

    With `columns` (the expected names), a Series or named index levels are turned into columns
    when that supplies missing ones, and a wrong set of columns raises AnswerFormError."""
    import pandas as pd
    if isinstance(x, dict):
        raise AnswerFormError("That is a dict, not a DataFrame. Build one with pd.DataFrame(...) or use pandas directly.")
    was_series = isinstance(x, pd.Series)
    if was_series:
        if x.empty:
            raise EmptyAnswer()
        x = x.to_frame(name=x.name if x.name is not None else "value")
        x = x.reset_index() if any(n is not None for n in x.index.names) else x
    if not isinstance(x, pd.DataFrame):
        raise AnswerFormError(f"I expected a DataFrame (a table) but got {with_article(x)}.")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise EmptyAnswer()
    if len(x) > MAX_ITEMS:
        raise AnswerFormError("That table is far too long for this question. Filter or group first.")
    if isinstance(x.columns, pd.MultiIndex):
        raise AnswerFormError("That table has two levels of column names. Flatten them (for example with "
                              "named aggregation: .agg(n=(\"col\", \"count\"))) so each column has one name.")

    def names(df):
        return [str(c).strip().casefold() for c in df.columns]

    want = [c.casefold() for c in columns] if columns is not None else None
    if want is not None and any(n is not None for n in x.index.names):
        missing = set(want) - set(names(x))
        index_names = {str(n).strip().casefold() for n in x.index.names if n is not None}
        if missing & index_names:
            x = x.reset_index()
    cols = names(x)
    if len(set(cols)) != len(cols):
        raise AnswerFormError("Two columns of that table have the same name. Rename or drop one.")
    if want is not None and set(cols) != set(want):
        missing = sorted(set(want) - set(cols))
        extra = sorted(set(cols) - set(want))
        parts = ["The table should have exactly these columns: " + ", ".join(sorted(columns)) + "."]
        if missing:
            parts.append("Missing: " + ", ".join(missing) + ".")
        if extra:
            parts.append("Not wanted: " + ", ".join(extra) + " (drop them, or select the columns you need).")
        if was_series:
            parts.append("Your answer is a Series; .reset_index(name=...) turns it into a table and "
                         "names the column of values.")
        raise AnswerFormError(" ".join(parts))
    check_sizes((v for j in range(x.shape[1]) if not _is_numeric_column(x.iloc[:, j])
                  for v in x.iloc[:, j].to_numpy(dtype=object)), "the cells of that table")
    order = sorted(range(len(cols)), key=lambda j: cols[j])
    rows = []
    for rec in x.itertuples(index=False, name=None):
        rows.append([_cell_text(rec[j], decimals) for j in order])
    rows.sort()
    return [cols[j] for j in order], rows


def _is_numeric_column(s) -> bool:
    """A column of numbers, booleans or dates: its cells are small, whatever they hold."""
    import pandas as pd
    return (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
            or pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype))


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def canonical_frame(x, columns: list[str] | None = None, decimals: int | None = None) -> str:
    cols, rows = frame_table(x, columns, decimals)
    return csv_text([cols] + rows)


# ---------------------------------------------------------------------------------------------
# Keys and the hint ladder

_keys_cache: dict | None = None
_wrong: dict[str, int] = {}
_seen: set[str] = set()


def load_keys(path: Path | None = None) -> dict:
    """The answer keys (digests, hints, pointers) by question id."""
    global _keys_cache
    if path is None and _keys_cache is not None:
        return _keys_cache
    data = json.loads(Path(path or KEYS_PATH).read_text(encoding="utf-8"))
    keys = data["questions"]
    if path is None:
        _keys_cache = keys
    return keys


_lesson_keys_cache: dict | None = None


def load_lesson_keys() -> dict:
    """The keys of the lessons' own checks (L03-c1 ...), built by iraqtalks.authoring.lesson_keys; {} if there are none."""
    global _lesson_keys_cache
    if _lesson_keys_cache is None:
        path = KEYS_PATH.with_name(LESSON_KEYS_NAME)
        _lesson_keys_cache = (json.loads(path.read_text(encoding="utf-8"))["checks"]
                              if path.is_file() else {})
    return _lesson_keys_cache


def forget_keys() -> None:
    """Read the answer keys and the lesson keys from their files again on next use (after the build rewrote them)."""
    global _keys_cache, _lesson_keys_cache
    _keys_cache = None
    _lesson_keys_cache = None


def reset(qid: str | None = None) -> None:
    """Start the hint ladder again (for one question, or all) and forget the checklists seen."""
    if qid is None:
        _wrong.clear()
        _seen.clear()
    else:
        _wrong.pop(qid, None)
        _seen.discard(qid)


def seen_checklists() -> list[str]:
    """The reflection questions whose self-check list has been shown in this session."""
    return sorted(_seen)


def _lesson_link(entry: dict) -> str:
    return f"../notebooks/{entry['lesson']}.ipynb"


def _next_hint(qid: str, entry: dict) -> str:
    i = _wrong.get(qid, 0)
    _wrong[qid] = i + 1
    hints = entry.get("hints") or []
    if i < len(hints):
        return f"Hint {i + 1} of {len(hints)}: {hints[i]}"
    return (f"You have seen all the hints. The lesson explains this in {entry['pointer']} "
            f"({_lesson_link(entry)}).")


def _text_answer(answer, what: str) -> str:
    """A text or reflection answer: a non-empty str, or the note that says what to write."""
    if not isinstance(answer, str):
        raise AnswerFormError(f"Write your {what} as text in quotes; got {with_article(answer)}.")
    if not answer.strip():
        raise EmptyAnswer()
    return answer


def evaluate(qid: str, entry: dict, answer) -> tuple[str, str]:
    """(status, detail) for one answer against one key entry. No ladder, no printing."""
    kind = entry["kind"]
    if answer is Ellipsis:
        raise EmptyAnswer()
    if answer is None:
        raise AnswerFormError("Your answer is None, so nothing was stored. Check the cell above: did it "
                              "assign the result (answer_... = ...)? Methods called with inplace=True return None.")
    if isinstance(answer, str) and len(answer) > MAX_TEXT_CHARS:
        raise AnswerFormError(TOO_LONG_TEXT)
    if kind == "number":
        value = as_number(answer)
        if digest(qid, format_number(value, entry.get("decimals"))) == entry["digest"]:
            return "correct", ""
        if isinstance(answer, str) and VI_THOUSANDS.fullmatch(answer.strip()):
            raise AnswerFormError(VIETNAMESE_NOTE)
        if abs(value) >= 1 and any(digest(qid, format_number(value * f, entry.get("decimals"))) == entry["digest"]
                                   for f in (1_000, 1_000_000)):
            raise AnswerFormError("Almost: the digits look right, but a dot seems to have been read as a decimal "
                                  "point. In the articles a dot separates thousands; in Python, write the number "
                                  "with no separator.")
        return "not_yet", "That is not the number the question asks for."
    if kind == "choice":
        ok = digest(qid, canonical_choice(answer, entry["options"])) == entry["digest"]
        return ("correct", "") if ok else ("not_yet", "That option is not the best answer.")
    if kind == "ids":
        got = id_members(answer)
        if digest(qid, "\n".join(got)) == entry["digest"]:
            return "correct", ""
        members = set(entry["members"])
        right = sum(digest(qid, m) in members for m in got)
        n, m = len(got), len(members)
        if right == n:
            detail = ("Everything you listed is in the answer, but something is missing." if n < m
                      else "Everything you listed is in the answer.")
        elif right == m:
            extra = n - right
            detail = (f"Your ids include every one in the answer, plus {extra} that "
                      f"{'does' if extra == 1 else 'do'} not belong.")
        else:
            detail = (f"{right} of your {n} ids {'is' if right == 1 else 'are'} in the answer; "
                      f"the answer has {m}.")
        return "not_yet", detail
    if kind == "frame":
        cols, rows = frame_table(answer, entry["columns"], entry.get("decimals"))
        if digest(qid, csv_text([cols] + rows)) == entry["digest"]:
            return "correct", ""
        if len(rows) != entry["n_rows"]:
            return "not_yet", f"Your table has {len(rows)} rows; the answer has {entry['n_rows']}."
        want = list(entry["rows"])
        right = 0
        for r in rows:
            d = digest(qid, "row:" + csv_text([r]))
            if d in want:
                want.remove(d)
                right += 1
        return "not_yet", (f"The columns and the number of rows are right, but only {right} of the "
                           f"{entry['n_rows']} rows match the answer.")
    if kind == "text":
        _text_answer(answer, "answer")
        missing = missing_points(answer, entry, lambda form: digest(qid, form))
        if not missing:
            return "correct", ""
        k = len(entry["keypoints"])
        return "not_yet", (f"Your answer covers {k - len(missing)} of {k} key points. "
                           f"Still missing: {'; '.join(missing)}.")
    if kind == "reflect":
        _text_answer(answer, "reflection")
        n = len(words(answer))
        if n < entry["min_words"]:
            raise AnswerFormError(f"Write a little more (at least {entry['min_words']} words) so the checklist "
                                  "has something to check.")
        return "seen", ""
    raise AnswerFormError("This question's key is damaged; tell your teacher.")


def feedback(qid, answer, keys: dict | None = None) -> Feedback:
    """Check `answer` for question `qid` and return the Feedback (advancing the hint ladder)."""
    label = qid if isinstance(qid, str) and re.fullmatch(r"[\w-]{1,40}", qid) else "?"
    try:
        if keys is None:
            try:
                keys = load_keys()
            except Exception:
                return Feedback(label, "error", "The answer keys are missing or damaged, so I can't "
                                "check answers. Ask your teacher, or run: python -m iraqtalks exercises")
        entry = keys.get(qid) if isinstance(qid, str) else None
        if entry is None and isinstance(qid, str) and qid.startswith("L"):
            try:
                entry = load_lesson_keys().get(qid)
            except Exception:
                entry = None
        if entry is None:
            return Feedback(label, "unknown", "I don't know that question. The first argument of check "
                            "should be the question's id, exactly as given, like check(\"01-q1\", answer_q1).")
        try:
            status, detail = evaluate(qid, entry, answer)
        except EmptyAnswer:
            return Feedback(qid, "not_answered", NOT_ANSWERED)
        except AnswerFormError as note:
            return Feedback(qid, "format", f"Not checked yet: {note} (This does not use up a hint.)")
        if status == "correct":
            return Feedback(qid, "correct", f"Correct! {entry['why']}")
        if status == "seen":
            _seen.add(qid)
            items = "\n".join(f"  [ ] {c}" for c in entry["checklist"])
            return Feedback(qid, "seen", "Thank you. This question has no single right answer, so it is "
                            f"not graded. Check your answer against this list:\n{items}\n"
                            f"(Noted: you have seen the self-check list for {qid}.)")
        return Feedback(qid, "not_yet", f"Not yet. {detail}\n{_next_hint(qid, entry)}")
    except Exception as exc:  # never let a strange answer show a traceback
        return Feedback(label, "format", f"Not checked yet: I could not read that answer ({with_article(answer)}; "
                        f"{type(exc).__name__}). Try a simpler form: a number, text in quotes, a list "
                        "of ids or a DataFrame, as the question asks.")


def check(qid, answer) -> None:
    """Show instant feedback on `answer` for question `qid` (see the module docstring): printed, or in a
    notebook a badge with icon and word, lesson pointers as links (:mod:`.feedback_view`)."""
    from .feedback_view import show

    try:
        fb = feedback(qid, answer)
    except BaseException as exc:  # pragma: no cover - feedback already catches everything
        if isinstance(exc, KeyboardInterrupt):
            raise
        fb = Feedback("?", "format", "Not checked yet: something went wrong while checking. Run the cell again.")
    show(fb)


# An exercise notebook imports check and nothing else of the kit's setup: in a kernel, its pandas tables
# and charts are shown the accessible way from here on (text forms unchanged).
from ..views.accessible import register as _register_display  # noqa: E402

_register_display()
