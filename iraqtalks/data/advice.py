"""Advice on a mistyped date or number: what the value probably meant and how to write it.
"""
from __future__ import annotations

import datetime as _dt
import re

import numpy as np

from ..text.labels import MONTHS_EN
from ..text.vietnamese import VI_THOUSANDS

_VI_GROUPED_RE = VI_THOUSANDS.pattern  # 2.500  1.234,5


_DATE_RE = r"\d{4}-\d{2}-\d{2}"


def date_advice(value: str) -> tuple[str | None, str]:
    """(suggested ISO date or None, advice) for a value that is not an ISO date."""
    v = value.strip()
    if v != value and re.fullmatch(_DATE_RE, v):
        return v, "remove the spaces around the date"

    def iso(y: int, m: int, d: int) -> str | None:
        try:
            return _dt.date(y, m, d).isoformat()  # zero-padded, any year 1-9999
        except ValueError:
            return None

    first, last = _FIRST_DAY.astype(object).year, _LAST_DAY.astype(object).year
    if re.fullmatch(_DATE_RE, v) and iso(int(v[:4]), int(v[5:7]), int(v[8:])) == v and not first <= int(v[:4]) <= last:
        return None, f"{v} is a real date, but outside the years the kit's tables can hold ({first}-{last}): check the year"

    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", v)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        s = iso(y, mo, d)
        if s:
            return s, (f"Vietnamese writes the day first: {v} is {d} {MONTHS_EN[mo - 1]} {y}, "
                       f"which the kit writes {s} (year-month-day)")
        s = iso(y, d, mo)
        if s:
            return s, f"this looks month-first (US style): {v} is {MONTHS_EN[d - 1]} {mo}, {y}, written {s}"
        return None, f"{v} is not a real calendar date"
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})", v)
    if m:
        d, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and iso(2024, mo, d):
            return f"2024-{mo:02d}-{d:02d}", (
                f"{v} looks like a Vietnamese day.month date ({d} {MONTHS_EN[mo - 1]}) with no year; "
                f"write the year too, e.g. 2024-{mo:02d}-{d:02d} if the year is 2024")
        return None, f"{v} looks like a day/month date but is not a real one"
    m = re.fullmatch(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})", v)
    if m:
        s = iso(int(m[1]), int(m[2]), int(m[3]))
        if s and s != v:
            return s, f"write it with dashes and a two-digit month and day: {s}"
        if not s:
            return None, f"{v} is not a real calendar date (check the month and the day)"
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ].*", v)
    if m:
        return m[1], "write the date only, without a time"
    return None, "write dates as year-month-day with dashes"


def number_advice(value: str) -> str | None:
    v = value.strip()
    if re.fullmatch(_VI_GROUPED_RE, v):
        plain = v.replace(".", "").replace(",", ".")
        return (f"this looks like Vietnamese number formatting, where '.' groups thousands and ',' is the "
                f"decimal comma ({v} = {plain}): write {plain}. (If you really mean a decimal with three "
                "places, add a trailing zero, e.g. 2.5000, so it cannot be mistaken.)")
    if re.fullmatch(r"[+-]?\d+(?:,\d+)+", v) or re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", v):
        return ("write it without commas: '.' is the decimal point and there are no thousands separators "
                "(Vietnamese 2,5 = 2.5; English 2,500 = 2500)")
    if re.fullmatch(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+", v):
        digits = re.sub(r"[^\d+-]", "", v)  # keep the sign
        return f"remove the spaces: write {digits}"
    if v != value:
        return "remove the spaces around the number"
    return None


# The dates a pandas datetime64[ns] column can hold (whole years); a date outside would be garbled on loading.
_FIRST_DAY, _LAST_DAY = np.datetime64("1678-01-01"), np.datetime64("2261-12-31")
