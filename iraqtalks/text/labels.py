"""Words the kit shows for its codes, in English and Vietnamese, and dates written as precisely as they are known.

One table of month names (:data:`MONTHS_EN`), :func:`date_text` and :func:`pub_short`; one table of the words
the kit's screens and exports show (:data:`UI_WORDS`, English and Vietnamese), used by the views and by the
TimelineJS export. Used by the data checks' advice, the analyses, the views and the exports.

The words for the values of the data's enums (event types, date precisions, hedges, sentence reasons) are
declared once, in data/datapackage.json (``x-enum-labels``), and read with
:func:`iraqtalks.data.descriptor.enum_labels`.
"""
from __future__ import annotations

import html

LANGS = ("en", "vi")

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

#: English number words, 0 to 20 (index = number).
NUMBER_WORDS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                   "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")

#: The words on the kit's screens (the timeline explorer) and in its exports (TimelineJS), in English and
#: Vietnamese: one table, so that a screen and an export never name the same thing differently.
UI_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Timeline explorer",
        "dates": "Dates",
        "actor": "Actor",
        "type": "Type",
        "article": "Article",
        "all": "All",
        "happened": "As it happened",
        "reported": "As reported",
        "lanes_actor": "Lanes: actor",
        "lanes_type": "Lanes: type",
        "window": "Show",
        "win_start": "Start view",
        "win_talks": "Weeks of the talks",
        "win_month": "One month",
        "win_all": "Everything",
        "count": "{n} of {total} events selected",
        "empty": "No events match these filters — widen the dates or choose 'All'.",
        "no_reports": "None of the {n} events selected is linked to an article, so there is nothing to show as "
                      "reported. Choose 'As it happened' to see them.",
        "more": "The list shows the first {n} of the {total} events selected; narrow the dates or the filters "
                "to list the others.",
        "title_happened": "Events as they happened",
        "title_reported": "Events as reported: from the event to the article",
        "subtitle": "{lo} – {hi} · {n} of {total} events",
        "x_happened": "Date of the event",
        "x_reported": "Date: event (faint), then when the article could have been published (bar)",
        "y_actor": "Main actor",
        "y_type": "Event type",
        "leg_point": "exact day known",
        "leg_range": "known only as a span",
        "leg_event": "the event",
        "leg_lag": "lag to publication",
        "reported_in": "Reported in",
        "date_as_written": "Date as written",
        "vi_quote": "Vietnamese (verbatim)",
        "en_quote": "English translation",
        "attributed_to": "Attributed to",
        "not_stated": "(no date given)",
        "unattributed": "not attributed",
        "actors": "Actors",
        "accused_by": "accused by",
        "place": "Place",
        "date_note": "How the date was worked out",
        "published": "published",
        "alt": "Chart: {title}, {lo} – {hi}: {n} of {total} events, one lane per {lanes}. {detail}",
        "alt_lane": "{name}: {k}",
        "alt_lanes": "Events per lane: {items}.",
        "alt_more": "and {k} more lanes",
        "alt_lane_actor": "main actor",
        "alt_lane_type": "event type",
        "alt_none": "No events are selected, so the chart is empty.",
        "event_evidence": "the event's own evidence",
    },
    "vi": {
        "heading": "Khám phá dòng thời gian",
        "dates": "Ngày",
        "actor": "Chủ thể",
        "type": "Loại",
        "article": "Bài báo",
        "all": "Tất cả",
        "happened": "Theo ngày xảy ra",
        "reported": "Theo ngày đưa tin",
        "lanes_actor": "Làn: chủ thể",
        "lanes_type": "Làn: loại sự kiện",
        "window": "Xem",
        "win_start": "Khung ban đầu",
        "win_talks": "Các tuần đàm phán",
        "win_month": "Một tháng",
        "win_all": "Tất cả",
        "count": "Đã chọn {n} trên {total} sự kiện",
        "empty": "Không có sự kiện nào khớp với các bộ lọc này — hãy nới rộng khoảng ngày hoặc chọn 'Tất cả'.",
        "no_reports": "Không sự kiện nào trong {n} sự kiện đã chọn được gắn với một bài báo, nên không có gì để "
                      "hiện theo ngày đưa tin. Hãy chọn 'Theo ngày xảy ra' để xem chúng.",
        "more": "Danh sách chỉ hiện {n} sự kiện đầu tiên trên {total} sự kiện đã chọn; hãy thu hẹp khoảng ngày "
                "hoặc bộ lọc để xem các sự kiện khác.",
        "title_happened": "Các sự kiện theo ngày xảy ra",
        "title_reported": "Các sự kiện theo ngày đưa tin: từ sự kiện đến bài báo",
        "subtitle": "{lo} – {hi} · {n} trên {total} sự kiện",
        "x_happened": "Ngày xảy ra sự kiện",
        "x_reported": "Ngày: sự kiện (mờ), rồi khoảng ngày bài báo có thể được đăng (thanh)",
        "y_actor": "Chủ thể chính",
        "y_type": "Loại sự kiện",
        "leg_point": "biết chính xác ngày",
        "leg_range": "chỉ biết trong một khoảng",
        "leg_event": "sự kiện",
        "leg_lag": "độ trễ đến khi đăng",
        "reported_in": "Được đưa tin trong",
        "date_as_written": "Ngày như bài viết ghi",
        "vi_quote": "Tiếng Việt (nguyên văn)",
        "en_quote": "Bản dịch tiếng Anh",
        "attributed_to": "Nguồn được dẫn",
        "not_stated": "(không ghi ngày)",
        "unattributed": "không dẫn nguồn",
        "actors": "Chủ thể",
        "accused_by": "bị cáo buộc bởi",
        "place": "Địa điểm",
        "date_note": "Cách xác định ngày",
        "published": "đăng",
        "alt": "Biểu đồ: {title}, {lo} – {hi}: {n} trên {total} sự kiện, mỗi làn một {lanes}. {detail}",
        "alt_lane": "{name}: {k}",
        "alt_lanes": "Số sự kiện mỗi làn: {items}.",
        "alt_more": "và {k} làn khác",
        "alt_lane_actor": "chủ thể chính",
        "alt_lane_type": "loại sự kiện",
        "alt_none": "Không có sự kiện nào được chọn, nên biểu đồ trống.",
        "event_evidence": "trích dẫn của chính sự kiện",
    },
}


def escape_html(value) -> str:
    """Escape anything for HTML (quotes too); None is the empty text."""
    return html.escape("" if value is None else str(value), quote=True)


def check_lang(lang: str) -> str:
    """`lang` if it is one of :data:`LANGS`, else a ValueError that lists them."""
    if lang not in LANGS:
        raise ValueError(f"lang: expected one of {LANGS!r}, found {lang!r}")
    return lang


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


def pub_short(start, end) -> str:
    """'25 Jan' or '27–31 Jan' or '18 Feb–29 Feb': when an article was (or could have been) published."""
    if start == end:
        return f"{start.day} {MONTHS_EN[start.month - 1][:3]}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS_EN[start.month - 1][:3]}"
    return f"{start.day} {MONTHS_EN[start.month - 1][:3]}–{end.day} {MONTHS_EN[end.month - 1][:3]}"
