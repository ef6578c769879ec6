"""Exports: the kit's events as a TimelineJS spreadsheet.

`TimelineJS <https://timeline.knightlab.com/>`_ builds an interactive web timeline from a Google
Sheet made from its template. :func:`to_timelinejs` writes the rows of that template, one per event,
as CSV: open the template (File > Make a copy), then File > Import > Upload the CSV and choose
"Replace current sheet", and publish the sheet as TimelineJS explains. The kit itself never goes
online.

    from iraqtalks.io.export import to_timelinejs
    to_timelinejs(path="timeline.csv")                    # every event
    to_timelinejs(explorer, path="selection.csv")          # what a timeline explorer has selected
    to_timelinejs(explorer.selected, path="sel.csv")       # the same, from the selected DataFrame

How the kit's dates become TimelineJS dates (each row also says it in words in "Display Date"):

* a known day (``day``): Year, Month, Day; no end;
* a month (``month``): Year and Month, Day left empty (TimelineJS then shows the month);
* a year (``year``): Year only;
* a span (``range``, or a month or year precision whose end is in another month or year): the start
  in Year/Month/Day and the end in End Year/End Month/End Day, each as precise as it is known.

"Text" holds the event's summary, how its date was worked out, and every report of it: the article,
the Vietnamese evidence (verbatim), the English translation and whom the article credits. "Group" is
the event type (``group="type"``, the default) or the main actor (``group="actor"``). Every piece of
text is HTML-escaped, because TimelineJS shows Headline and Text as HTML.

No cell can become a live formula. A spreadsheet (Google Sheets, Excel, LibreOffice) reads a cell
that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and one that starts with a tab, a carriage
return or a NUL may be read the same way once the spreadsheet trims it; ``=IMPORTXML(...)`` or
``=HYPERLINK(...)`` in a summary would then fetch a web address or plant a link. Following OWASP's
advice on CSV injection (the "CSV Injection" page of the OWASP community wiki, and ASVS requirement
1.2.10), every cell of every CSV the kit writes goes through :func:`spreadsheet_safe`:

* a cell whose first character, or first character after leading whitespace, is one of
  ``= + - @`` (or their full-width forms ``＝ ＋ － ＠``), or that starts with a tab, a carriage
  return or a NUL, gets a single quote in front: ``=1+1`` becomes ``'=1+1``, which a spreadsheet
  keeps as text and never computes (the quote is the spreadsheets' own mark for "this is text";
  depending on the program it is hidden or shown in the cell);
* except a plain number (``-3``, ``+2.5``, ``-1e3``), which a spreadsheet reads as a value, not a
  formula: it stays exactly as it is, and so does everything else (ISO dates like ``2024-01-28``,
  ordinary text);
* every field is wrapped in double quotes and embedded double quotes are doubled (RFC 4180), so a
  comma, a semicolon, a tab or a line break inside a cell stays inside that cell and cannot start a
  new cell of its own.

The returned DataFrame holds the same, neutralised cells as the file.

The capstone brief has its own Markdown export: :meth:`iraqtalks.analysis.brief.Brief.to_markdown`.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..text.labels import escape_html as _e

__all__ = ["TIMELINEJS_COLUMNS", "FORMULA_STARTS", "spreadsheet_safe", "write_safe_csv", "to_timelinejs"]

#: The columns of the TimelineJS Google Sheets template, in its order.
TIMELINEJS_COLUMNS = [
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
    "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group", "Background",
]

def _words(lang: str) -> dict[str, str]:
    """The export's words, from the kit's one table of UI words (the timeline explorer shows the same)."""
    from ..text.labels import UI_WORDS

    w = UI_WORDS[lang]

    def lower(text: str) -> str:  # 'Attributed to' -> 'attributed to' (mid-sentence in the credit line)
        return text[:1].lower() + text[1:]

    return {"reported_in": w["reported_in"], "attributed": lower(w["attributed_to"]), "unattributed": w["unattributed"],
            "own": w["event_evidence"], "date_note": w["date_note"], "published": w["published"],
            "as_written": lower(w["date_as_written"])}


#: First characters that make a spreadsheet read a cell as a formula (OWASP's list, and full-width forms).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value) -> str:
    """`value` as text that no spreadsheet will run as a formula (see the module docstring).

    ``'=1+1'`` -> ``"'=1+1"``; ``'  @SUM(1+1)'`` -> ``"'  @SUM(1+1)"``; ``'-3'``, ``'2024-01-28'`` and ordinary
    text are returned unchanged.  None becomes ''.
    """
    text = "" if value is None else str(value)
    if not text:
        return text
    first = text.lstrip()[:1]  # '  =1+1': some spreadsheets trim the spaces first
    risky = text[0] in ("\t", "\r", "\x00") or (first != "" and first in FORMULA_STARTS)
    if not risky or _PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` as CSV for a spreadsheet: UTF-8, LF line ends, every cell through
    :func:`spreadsheet_safe` and every field in double quotes; dates as ISO dates (``2024-01-28``, with
    the time only where a column has one).  The index is not written.  Returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.copy()
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            days = s.dropna()
            fmt = "%Y-%m-%d" if (days == days.dt.normalize()).all() else "%Y-%m-%dT%H:%M:%S"
            frame[col] = s.dt.strftime(fmt).astype(object).where(s.notna(), "")
    safe = frame.astype(object).where(frame.notna(), "").map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(c) for c in frame.columns]
    safe.to_csv(target, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_ALL)
    return target


def _dates(start: pd.Timestamp, end: pd.Timestamp, precision: str) -> dict[str, str]:
    """TimelineJS Year/Month/Day and End Year/End Month/End Day for one event, as precise as it is known."""
    out = {k: "" for k in ("Year", "Month", "Day", "End Year", "End Month", "End Day")}
    if precision == "day" and start == end:
        out.update(Year=str(start.year), Month=str(start.month), Day=str(start.day))
    elif precision == "month":
        out.update(Year=str(start.year), Month=str(start.month))
        if (end.year, end.month) != (start.year, start.month):
            out.update({"End Year": str(end.year), "End Month": str(end.month)})
    elif precision == "year":
        out.update(Year=str(start.year))
        if end.year != start.year:
            out["End Year"] = str(end.year)
    else:  # a span: somewhere between start and end
        out.update({"Year": str(start.year), "Month": str(start.month), "Day": str(start.day),
                    "End Year": str(end.year), "End Month": str(end.month), "End Day": str(end.day)})
    return out


def _tables(events, reports, articles, actors, data_dir):
    """Prepared events, reports (with each event's own evidence), article labels and actor names,
    through the timeline explorer's own readers (so both accept the same tables)."""
    from ..views.shared import Tables

    if hasattr(events, "selected") and hasattr(events, "reports"):  # a TimelineExplorer
        explorer = events
        events = explorer.selected
        reports = explorer.reports if reports is None else reports
        articles = explorer.articles if articles is None else articles
        if actors is None:
            actors = pd.DataFrame({"actor_id": list(explorer.actor_names), "name_en": list(explorer.actor_names.values())})
    if isinstance(reports, pd.DataFrame) and "own" in reports.columns:  # an explorer's reports: drop the rows
        reports = reports[~reports["own"].astype(bool)]                  # it added from the events' own evidence
    t = Tables(data_dir, {"events": events, "event_reports": reports, "articles": articles, "actors": actors})
    ev = t.events()
    rep = t.reports(ev)
    art = t.articles()
    labels = dict(zip(art["article_id"], art["label_en"]))
    published = {a: (s, e) for a, s, e in zip(art["article_id"], art["published_start"], art["published_end"])}
    return ev, rep, labels, published, t.actors()


def to_timelinejs(events=None, reports=None, path: str | Path | None = None, lang: str = "en", *,
                  articles=None, actors=None, group: str = "type", data_dir=None) -> pd.DataFrame:
    """The events as rows of the TimelineJS template (a DataFrame of text with exactly :data:`TIMELINEJS_COLUMNS`).

    events   the events to export: None (every event of `data_dir`), an events DataFrame in the kit's
             schema (``load("events")``, a filtered part of it, a timeline explorer's ``.selected``,
             ``from_acled(...)["events"]``), or a TimelineExplorer (its current selection).
    reports  the event_reports table to quote (default: the explorer's, else ``load("event_reports")``);
             each event's own evidence is quoted too.
    articles, actors  for article labels and actor names (default: loaded from `data_dir`).
    path     if given, the CSV is also written there (UTF-8, LF line ends, every field quoted), ready
             to import; no cell can start a formula (see :func:`spreadsheet_safe`).
    lang     'en' or 'vi': the headline (summary), the date in words and the labels.
    group    'type' (event type) or 'actor' (main actor): what TimelineJS groups the rows by.

    One row per event, in date order. Raises ValueError for an unknown `lang` or `group`, and
    DataError (file, row, column) if a table lacks a column or has a date that cannot be read.
    """
    from ..data.descriptor import enum_labels
    from ..text.labels import check_lang as _check_lang
    from ..text.labels import date_text

    lang = _check_lang(lang)
    if group not in ("type", "actor"):
        raise ValueError(f"to_timelinejs: group must be 'type' or 'actor', found {group!r}")
    ev, rep, labels, published, actor_names = _tables(events, reports, articles, actors, data_dir)
    ev = ev.sort_values(["date_start", "date_end", "event_id"], kind="stable")
    words = _words(lang)
    precision = enum_labels("events", "date_precision", lang, data_dir=data_dir)
    types = enum_labels("events", "event_type", lang, data_dir=data_dir)
    by_event: dict[str, list[dict]] = {}
    for r in rep.sort_values(["own", "article_id"], ascending=[False, True], kind="stable").to_dict("records"):
        by_event.setdefault(r["event_id"], []).append(r)

    rows = []
    for e in ev.itertuples(index=False):
        start, end = pd.Timestamp(e.date_start), pd.Timestamp(e.date_end)
        when = date_text(start, end, e.date_precision, lang)
        summary = e.summary_vi if lang == "vi" else e.summary_en
        parts = [f"<p>{_e(summary)}</p>"]
        if e.date_note:
            parts.append(f"<p><i>{_e(words['date_note'])}:</i> {_e(e.date_note)}</p>")
        for r in by_event.get(e.event_id, []):
            aid = r["article_id"]
            label = labels.get(aid, aid)
            if aid in published:
                s, t = published[aid]
                label += f" ({words['published']} {date_text(s, t, 'day' if s == t else 'range', lang)})"
            credit = (f"{words['attributed']}: {r['attributed_to']}" if r["attributed_to"] else words["unattributed"])
            if r["own"]:
                credit += f"; {words['own']}"
            if r["date_as_written"]:
                credit += f"; {words['as_written']}: {r['date_as_written']}"
            parts.append(f"<p><b>{_e(words['reported_in'])} {_e(label)}</b><br>"
                         f"<span lang=\"vi\">“{_e(r['evidence'])}”</span><br>"
                         f"<span lang=\"en\"><i>{_e(r['evidence_en'])}</i></span><br>"
                         f"<small>{_e(credit)}</small></p>")
        row = {c: "" for c in TIMELINEJS_COLUMNS}
        row.update(_dates(start, end, e.date_precision))
        row["Display Date"] = _e(f"{when} ({precision.get(e.date_precision, e.date_precision)})")
        row["Headline"] = _e(summary)
        row["Text"] = "".join(parts)
        row["Group"] = _e(types.get(e.event_type, e.event_type.replace("_", " ")) if group == "type" else actor_names.get(e.actor1_id, e.actor1_id))
        rows.append(row)
    out = pd.DataFrame(rows, columns=TIMELINEJS_COLUMNS, dtype=object).map(spreadsheet_safe)
    if path is not None:
        write_safe_csv(out, path)
    return out
