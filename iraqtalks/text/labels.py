"""Words the kit shows for its codes, in English and Vietnamese, and dates written as precisely as they are known.

One table of month names (:data:`MONTHS_EN`) and :func:`date_text`. Used by the data checks' advice, the
analyses, the views and the exports.

The words for the values of the data's enums (event types, date precisions, hedges, sentence reasons) are
declared once, in data/datapackage.json (``x-enum-labels``), and read with
:func:`iraqtalks.data.descriptor.enum_labels`. :data:`EVENT_TYPES`, :data:`PRECISION` and :func:`type_label`
below are a transitional copy kept only because iraqtalks/views/widgets.py still imports them from here
(this layer can not read the descriptor); tests/test_datapackage.py checks the copy equals the descriptor,
and it goes when widgets.py reads ``enum_labels``.
"""
from __future__ import annotations

import html

LANGS = ("en", "vi")

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

#: English number words, 0 to 20 (index = number).
NUMBER_WORDS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                   "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")

EVENT_TYPES: dict[str, dict[str, str]] = {
    "en": {
        "talks": "talks", "diplomacy": "diplomacy", "statement": "statement", "attack": "attack",
        "us_strike": "US strike", "lull": "lull", "media_report": "media report", "founding": "founding",
        "deployment": "deployment", "photo": "photo", "other": "other",
    },
    "vi": {
        "talks": "đàm phán", "diplomacy": "ngoại giao", "statement": "tuyên bố", "attack": "tấn công",
        "us_strike": "Mỹ không kích", "lull": "tạm lắng", "media_report": "đưa tin", "founding": "thành lập",
        "deployment": "triển khai", "photo": "ảnh", "other": "khác",
    },
}

PRECISION: dict[str, dict[str, str]] = {
    "en": {"day": "exact day", "month": "month only", "year": "year only", "range": "somewhere in this span"},
    "vi": {"day": "chính xác đến ngày", "month": "chỉ biết tháng", "year": "chỉ biết năm", "range": "trong khoảng này"},
}


def escape_html(value) -> str:
    """Escape anything for HTML (quotes too); None is the empty text."""
    return html.escape("" if value is None else str(value), quote=True)


def check_lang(lang: str) -> str:
    """`lang` if it is one of :data:`LANGS`, else a ValueError that lists them."""
    if lang not in LANGS:
        raise ValueError(f"lang: expected one of {LANGS!r}, found {lang!r}")
    return lang


def type_label(event_type: str, lang: str = "en") -> str:
    """An event type in words (English or Vietnamese); unknown types are shown as they are."""
    return EVENT_TYPES[lang].get(event_type, event_type.replace("_", " "))


def day_text(ts, lang: str) -> str:
    """One day: '27 Jan 2024' (English) or '27/1/2024' (Vietnamese)."""
    if lang == "vi":
        return f"{ts.day}/{ts.month}/{ts.year}"
    return f"{ts.day} {MONTHS_EN[ts.month - 1][:3]} {ts.year}"


def date_text(start, end, precision: str, lang: str = "en") -> str:
    """A date as precise as it is known, never more: '27 Jan 2024', 'January 2024', '2014', '1 Jan 2024 – 29 Feb 2024'.

    `start` and `end` are dates (pandas Timestamps or datetime.date). Vietnamese follows day/month/year:
    '27/1/2024', 'tháng 1/2024', 'năm 2014'.
    """
    if precision == "day" and start == end:
        return day_text(start, lang)
    if precision == "month" and (start.year, start.month) == (end.year, end.month):
        return f"tháng {start.month}/{start.year}" if lang == "vi" else f"{MONTHS_EN[start.month - 1]} {start.year}"
    if precision == "year" and start.year == end.year:
        return f"năm {start.year}" if lang == "vi" else str(start.year)
    return f"{day_text(start, lang)} – {day_text(end, lang)}"
