"""Reading Vietnamese numbers and dates (the point of lesson 02): the right reading beside the naive one.

>>> parse_vn_number("2.500")        # the dot groups thousands
2500.0
>>> float("2.500")                  # what Python (and pandas) make of it
2.5
>>> parse_vn_date("ngày 8.2", year=2024)   # day.month: 8 February
Period('2024-02-08', 'D')
>>> naive_date("ngày 8.2", year=2024)      # pandas' default reads month first: 2 August
Timestamp('2024-08-02 00:00:00')
"""
from __future__ import annotations

import numbers
import re
import warnings

import pandas as pd

from ..data.loader import load
from ..text.vietnamese import parse_vn_number

__all__ = ["parse_vn_date", "naive_date", "number_readings", "date_readings"]


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


def number_readings(*, data_dir=None) -> pd.DataFrame:
    """Every number of the numbers table read three ways: naively, by :func:`parse_vn_number`, and as the table has it.

    Columns: number_id, article_id, value_as_written, naive (``pd.to_numeric``, English conventions:
    2.500 -> 2.5, number words -> NaN), parsed (:func:`parse_vn_number`), value (the table's),
    agrees (parsed equals value, or both are missing), evidence, evidence_en.
    """
    nums = load("numbers", data_dir=data_dir)
    naive = pd.to_numeric(nums["value_as_written"], errors="coerce")
    parsed = nums["value_as_written"].map(parse_vn_number).astype("Float64")
    value = nums["value"].astype("Float64")
    agrees = (parsed == value).fillna(False) | (parsed.isna() & value.isna())
    return pd.DataFrame({"number_id": nums["number_id"], "article_id": nums["article_id"],
                         "value_as_written": nums["value_as_written"], "naive": naive, "parsed": parsed,
                         "value": value, "agrees": agrees.astype(bool), "evidence": nums["evidence"],
                         "evidence_en": nums["evidence_en"]})


def date_readings(year: int = 2024, *, data_dir=None) -> pd.DataFrame:
    """The event reports whose date is written as numbers (8.2, 28/1, 12/1/2021), read two ways.

    Columns: event_id, article_id, date_as_written, naive (:func:`naive_date`), parsed
    (:func:`parse_vn_date` as an ISO day), date_start (the events table), naive_ok and parsed_ok
    (does the reading equal date_start?), evidence, evidence_en.  Day/month dates without a year
    are read in `year` (the articles are from 2024).
    """
    if not isinstance(year, numbers.Integral) or isinstance(year, bool):
        raise ValueError(f"date_readings: year is the year the articles were written in (an int, such as 2024), "
                         f"not {year!r}; a data folder goes in data_dir=...")
    reps = load("event_reports", data_dir=data_dir)
    events = load("events", data_dir=data_dir).set_index("event_id")
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
