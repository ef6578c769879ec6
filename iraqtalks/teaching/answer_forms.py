"""The forms of an answer the exercise checker reads: digests, folding, numbers, and the notes on
a wrong form (moved out of :mod:`iraqtalks.teaching.checker`, which re-exports every name; see its docstring)."""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
import numbers
import re
import unicodedata

from ..text.vietnamese import VI_THOUSANDS  # the one rule: dots group thousands, no leading zero

MAX_TEXT_CHARS = 5000      # longer texts (an answer, an id, a cell) get a note instead of a check
MAX_ITEMS = 10_000         # ids or rows
MAX_ANSWER_CHARS = 100_000  # all the text of a list of ids or a table, at most
DEFAULT_DECIMALS = 6


class AnswerFormError(Exception):
    """The answer has the wrong form; the message says what to do. Does not use up a hint."""


class EmptyAnswer(Exception):
    """The answer is empty or a placeholder."""


# ---------------------------------------------------------------------------------------------
# Digests and normalisation (also used by iraqtalks.authoring.exercise_keys to write the keys)

def salt_for(qid: str) -> str:
    """The fixed, public salt of a question: derived from its id, so generation is reproducible."""
    return hashlib.sha256(f"iraqtalks/exercises/{qid}".encode()).hexdigest()[:16]


def digest(qid: str, canonical: str) -> str:
    """Salted SHA-256 of a canonical (already normalised) answer string."""
    return hashlib.sha256(f"{salt_for(qid)}\x1f{canonical}".encode()).hexdigest()


def fold(text: str) -> str:
    """NFC, case-folded, accents removed (đ → d), spaces collapsed."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d")
    return " ".join(s.split())


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits; punctuation splits words: '28/1' → 28, 1)."""
    return re.findall(r"[^\W_]+", fold(text))


def format_number(x, decimals: int | None = None) -> str:
    """Canonical text of a real number: rounded to `decimals`, no trailing zeros, no '-0'."""
    d = DEFAULT_DECIMALS if decimals is None else int(decimals)
    r = round(float(x), d)
    if r == 0:
        return "0"
    if r == int(r) and abs(r) < 1e15:
        return str(int(r))
    return f"{r:.{d}f}".rstrip("0").rstrip(".")


STANDARD_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
ENGLISH_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
VIETNAMESE_NOTE = ("That text uses dots to separate thousands, the Vietnamese way (the articles write "
                   "thousands like that). Python reads a dot as a decimal point: write the number with "
                   "no separators, as a number rather than text.")


TOO_LONG_TEXT = ("That text is very long: over 5,000 characters, far more than any answer here needs, so I "
                 "did not read it. Keep it to a few sentences, then run the cell again.")


def value_size(v) -> int:
    """How much text `v` would give (its length for text and containers; 0 for a plain scalar)."""
    if isinstance(v, (str, bytes)):
        return len(v)
    if isinstance(v, (list, tuple, set, frozenset, dict)):
        return len(v)
    size = getattr(v, "size", None)  # a NumPy array or pandas object held in a cell
    return int(size) if isinstance(size, int) and not isinstance(v, (int, float)) and size > 1 else 0


def check_sizes(values, what: str) -> None:
    """AnswerFormError if one of `values` (ids, or the cells of a table) or all of them together are far too long."""
    total = 0
    for v in values:
        n = value_size(v)
        if n > MAX_TEXT_CHARS:
            how = "over 5,000 characters long" if isinstance(v, (str, bytes)) else "a collection of over 5,000 values"
            raise AnswerFormError(f"One of {what} is {how}, far more than anything this question asks for, so I did not "
                                  "read the answer. Check that the cell kept only what the question asks for, then run "
                                  "it again.")
        total += n
        if total > MAX_ANSWER_CHARS:
            raise AnswerFormError(f"{what[0].upper()}{what[1:]} hold over 100,000 characters in all, far more than this "
                                  "question needs, so I did not read the answer. Filter or select first, then run "
                                  "the cell again.")


def is_missing(x) -> bool:
    if x is None:
        return True
    try:
        import pandas as pd
        if x is pd.NA or x is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency of the kit
        pass
    return isinstance(x, float) and math.isnan(x)


def type_name(x) -> str:
    t = type(x)
    mod = t.__module__.split(".")[0]
    return f"{mod}.{t.__name__}" if mod in ("pandas", "numpy") else t.__name__


def with_article(x) -> str:
    """'a list', 'an int', 'a pandas.Series': the type of x with its article."""
    name = type_name(x)
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def real_number(x) -> float:
    """x as a finite float, or AnswerFormError with a note."""
    import numpy as np
    if isinstance(x, (bool, np.bool_)):
        raise AnswerFormError("True and False are not numbers here: give the number itself.")
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        raise AnswerFormError("That is a complex number: give a real number (an int or a float).")
    try:
        v = float(x)
    except (OverflowError, ValueError, TypeError):
        raise AnswerFormError("That number is too large or not readable as a number.") from None
    if math.isnan(v):
        raise AnswerFormError("That is NaN, pandas' mark for a missing value, not a number. "
                              "Did a filter leave nothing to add up or count?")
    if math.isinf(v):
        raise AnswerFormError("That is infinity, not a number you can check. Did something divide by zero?")
    return v


def as_number(x) -> float:
    """Read a student's number (see the module docstring for what is accepted)."""
    import numpy as np
    import pandas as pd
    if isinstance(x, str):
        s = x.strip().replace("\u00a0", "").replace(" ", "")
        if not s:
            raise EmptyAnswer()
        if STANDARD_NUMBER.fullmatch(s):
            return real_number(float(s))
        if VI_THOUSANDS.fullmatch(s):
            raise AnswerFormError(VIETNAMESE_NOTE)
        if ENGLISH_THOUSANDS.fullmatch(s) or DECIMAL_COMMA.fullmatch(s):
            raise AnswerFormError("That text contains a comma. Write the number with no thousands separator "
                                  "and with a dot for decimals, as a number rather than text.")
        raise AnswerFormError("That text is not a number. Give the number itself, without words or units.")
    if isinstance(x, (pd.Timedelta, _dt.timedelta, np.timedelta64)):
        raise AnswerFormError("That is a length of time (a Timedelta), not a number. "
                              "Take the number of days out of it with .days.")
    if isinstance(x, (pd.Timestamp, _dt.date, np.datetime64)):
        raise AnswerFormError("That is a date, not a number. The question wants a number.")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return as_number(x.item())
    if isinstance(x, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple, set, frozenset, dict)):
        n = x.size if hasattr(x, "size") and not isinstance(x, (list, tuple, set, frozenset, dict)) else len(x)
        if n == 0:
            raise AnswerFormError(f"That is an empty {type_name(x)}: the question wants one number. "
                                  "Did a filter keep no rows?")
        if n == 1 and not isinstance(x, dict):
            how = (".iloc[0, 0]" if isinstance(x, pd.DataFrame) else "[0]" if isinstance(x, (list, tuple))
                   else "next(iter(...))" if isinstance(x, (set, frozenset)) else ".item()")
            raise AnswerFormError(f"That is {with_article(x)} holding one value; the question wants the value "
                                  f"itself. Take it out with {how}.")
        raise AnswerFormError(f"That is {with_article(x)} with several values; the question wants one number. "
                              "Count, add up or pick the value you need.")
    if is_missing(x):
        raise AnswerFormError("That is a missing value, not a number. Did a filter leave nothing?")
    if isinstance(x, (numbers.Number, np.generic)):
        return real_number(x)
    raise AnswerFormError(f"I expected a number but got {with_article(x)}.")


def canonical_number(x, decimals: int | None = None) -> str:
    return format_number(as_number(x), decimals)
