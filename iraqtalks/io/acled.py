"""Bring your own events: read an ACLED export into the kit's tables, for the timeline explorer.

ACLED (the Armed Conflict Location & Event Data project, https://acleddata.com) publishes events as
CSV, one row per event. A teacher can download the events of a country and a period (an ACLED
account is needed; the kit never connects to ACLED) and explore them with the kit's timeline::

    from iraqtalks.io.acled import from_acled, acled_timeline
    tables = from_acled("my_acled_export.csv")     # dict of DataFrames in the kit's schema
    acled_timeline("my_acled_export.csv")          # the timeline explorer on those events

Columns read (names as ACLED writes them; any others are kept in ``tables["acled"]`` and ignored):

==================  =========  ===================================================================
ACLED column        needed?    becomes
==================  =========  ===================================================================
event_id_cnty       required   events.event_id (must be unique)
event_date          required   events.date_start / date_end, with time_precision (see below);
                               written ``2024-01-28`` or ``28 January 2024`` (also ``28 Jan 2024``)
time_precision      required   events.date_precision: 1 -> day, 2 -> range, 3 -> month
event_type          required   events.event_type, ACLED's own words ("Battles", "Explosions/Remote
                               violence" ...): not the kit's list of types
actor1              required   events.actor1_id and a row of actors (name_en = the name as written)
notes               required   events.summary_en and summary_vi (ACLED writes English only), and the
                               evidence of every report (there is no seed to quote: the notes are
                               the only text ACLED gives)
source              optional   one outlet, and one "article", per source name (ACLED separates
                               several sources with ';'); one event_reports row per event and source
actor2              optional   events.actor2_id and a row of actors
year                optional   checked against event_date (a mismatch is reported)
location, admin1,   optional   events.location ("Al-Asad Airbase, Al Anbar") and events.country
country
sub_event_type,     optional   kept in ``tables["acled"]`` (with event_id) but not used by the
assoc_actor_1,                 timeline
disorder_type,
latitude, longitude,
fatalities,
source_scale                   source_scale also goes into the outlets' note
==================  =========  ===================================================================

Dates. ACLED codes one date per event and says how precise it is. The adapter turns that into the
kit's first and last possible dates (the explorer draws a point for a known day and a bar for a span):

* time_precision 1 (the source gives the day): date_start = date_end = event_date, precision ``day``;
* time_precision 2 (the source gives only a week, a weekend or a few days; ACLED codes a day in
  the middle of that period): date_start = event_date - 3 days, date_end = event_date + 3 days,
  precision ``range``, and date_note says so;
* time_precision 3 (the source gives only the month; ACLED codes a day in that month):
  date_start = the 1st, date_end = the last day of event_date's month, precision ``month``.

Sources are not articles. ACLED names the outlets it coded each event from, but not the article nor
when it was published. So each source name becomes one outlet (kind ``news_site``: ACLED does not
say which are wire agencies) and one entry of the explorer's *article* list, whose publication
window spans the first to the last event that source reports (``published_basis`` = inferred; the
reasoning says so). The explorer's "as reported" view then shows that span, not a publication date.
Ids are made from the names: ``Reuters`` -> ``reuters``, ``Shafaq News`` -> ``shafaq-news``
(``-2``, ``-3`` ... when two names give the same id; ``actor-1``/``source-1`` ... for a name with no
Latin letter or digit).

Text is kept as ACLED wrote it (notes, actor and source names are free text, and may even start with
``=``). Whatever reaches a spreadsheet goes through the kit's exports, which neutralise formulas:
:func:`iraqtalks.io.export.to_timelinejs` for the timeline, and :func:`iraqtalks.io.export.write_safe_csv` to
save any of these tables as CSV for a spreadsheet.

Problems. Nothing is guessed or fixed silently: a missing required column, an empty required cell, a
date that cannot be read (with the kit's date advice: ``28/01/2024`` is day-first), a time_precision
other than 1, 2 or 3, a year that disagrees with the date, or an event_id_cnty used twice raise one
:class:`~iraqtalks.data.problems.DataError` listing every problem with the file, the spreadsheet row
(header = row 1; for a DataFrame, the position counted from 0) and the column.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.advice import date_advice
from ..data.descriptor import read_package
from ..data.problems import DataError, Problem
from ..text.labels import MONTHS_EN

__all__ = ["REQUIRED", "OPTIONAL", "PRECISION", "from_acled", "acled_timeline"]

#: Columns an ACLED file must have.
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "notes")
#: Columns the adapter uses when present.
OPTIONAL = ("source", "actor2", "year", "location", "admin1", "country", "source_scale")
#: ACLED time_precision -> the kit's date_precision.
PRECISION = {"1": "day", "2": "range", "3": "month"}
#: Days either side of event_date for time_precision 2 (ACLED codes the middle of the week).
WEEK_HALF = 3

_MONTHS = {m.lower(): i for i, m in enumerate(MONTHS_EN, start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_NAMED_DATE = re.compile(r"(\d{1,2})[ \-]([A-Za-z]+)\.?[ \-,]+(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_WEEK_NOTE = ("ACLED time_precision 2: the source gives only a week or a few days, and ACLED codes a day "
              "in the middle ({written}); the span is that day ± {half} days.")
_MONTH_NOTE = ("ACLED time_precision 3: the source gives only the month; ACLED coded the day {written}, "
               "so the span is the whole month.")
_SPAN_REASONING = ("ACLED does not record which article of this source it used, nor when it was published: "
                   "this span runs from the first to the last event the source reports in the file.")


# --------------------------------------------------------------------------- reading the input


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], list[Problem], list[int]]:
    shown = str(path)
    if not path.is_file():
        raise DataError([Problem(shown, found="no such file", found_is_value=False,
                                 expected="an ACLED export saved as CSV")], heading="Cannot read the ACLED file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Excel's 'CSV UTF-8') is not data
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError([Problem(shown, found=f"bytes that are not UTF-8 on line {line}", found_is_value=False,
                                 expected="text encoded as UTF-8",
                                 message="ACLED exports are UTF-8; save the file again as CSV UTF-8")],
                        heading="Cannot read the ACLED file") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        for rec in reader:
            records.append(rec)
    except csv.Error as exc:
        raise DataError([Problem(shown, row=len(records) + 1, found="broken quoting", found_is_value=False,
                                 expected="cells quoted the CSV way", message=f"the CSV reader says: {exc}")],
                        heading="Cannot read the ACLED file") from None
    if not records:
        raise DataError([Problem(shown, row=1, found="an empty file", found_is_value=False,
                                 expected="a header row with " + ", ".join(REQUIRED))],
                        heading="Cannot read the ACLED file")
    header = [h.strip() for h in records[0]]
    problems, body = [], []
    for i, rec in enumerate(records[1:], start=2):
        if not rec or rec == [""]:
            continue  # a blank line carries nothing
        if len(rec) != len(header):
            problems.append(Problem(shown, row=i, found=f"{len(rec)} cells", found_is_value=False,
                                    expected=f"{len(header)} cells, one per column of the header"))
            continue
        body.append((i, rec))
    rows = [r for r, _ in body]
    return header, [rec for _, rec in body], problems, rows


def _cell_text(v) -> str:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _from_frame(df: pd.DataFrame):
    header = [str(c).strip() for c in df.columns]
    records = [[_cell_text(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return header, records, [], list(range(len(records)))


# --------------------------------------------------------------------------- small helpers


def _parse_date(text: str) -> dt.date | None:
    v = text.strip()
    if _ISO_DATE.fullmatch(v):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return None
    m = _NAMED_DATE.fullmatch(v)
    if m and m[2].lower() in _MONTHS:
        try:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        except ValueError:
            return None
    return None


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _ids(names: list[str], fallback: str) -> dict[str, str]:
    """A stable id for each distinct name (in first-seen order)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for n, name in enumerate(names, start=1):
        if name in out:
            continue
        base = _slug(name) or f"{fallback}-{n}"
        cand, k = base, 2
        while cand in used:
            cand, k = f"{base}-{k}", k + 1
        used.add(cand)
        out[name] = cand
    return out


def _columns(table: str) -> list[str]:
    res = next(r for r in read_package()["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"]]


def _frame(table: str, rows: list[dict], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows as a DataFrame with the kit's columns for `table`: dates as datetime64, empty text as <NA>."""
    cols = _columns(table)
    df = pd.DataFrame(rows, columns=cols)
    for c in cols:
        if c in dates:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
        else:
            df[c] = df[c].astype(object).where(df[c].astype(str) != "", pd.NA)
    df.attrs["name"] = table
    return df


# --------------------------------------------------------------------------- the adapter


def from_acled(path_or_df, *, source_name: str | None = None) -> dict[str, pd.DataFrame]:
    """ACLED events as the kit's tables: ``events``, ``event_reports``, ``articles``, ``actors``, ``outlets``,
    plus ``acled`` (the input rows as text, with the kit's ``event_id``).

    `path_or_df` is a CSV file (str or Path) or a pandas DataFrame with ACLED's column names. The
    mapping is described in the module docstring (``help(iraqtalks.io.acled)``). Raises DataError
    listing every problem (file, row, column, found, expected) if the input cannot be used.
    ``source_name`` names a DataFrame in messages (default: "the ACLED DataFrame").
    """
    if isinstance(path_or_df, pd.DataFrame):
        shown = source_name or "the ACLED DataFrame (rows counted from 0)"
        header, records, problems, rownums = _from_frame(path_or_df)
        header_row = None
    elif isinstance(path_or_df, (str, Path)):
        path = Path(path_or_df).expanduser()
        shown = source_name or str(path)
        header, records, problems, rownums = _read_csv(path)
        header_row = 1
    else:
        raise TypeError(f"from_acled: expected a CSV path or a pandas DataFrame, found {type(path_or_df).__name__}")
    problems = [Problem(shown, p.row, p.column, p.found, p.expected, p.message, p.found_is_value) for p in problems]

    col = {}
    for j, h in enumerate(header):
        col.setdefault(h, j)
    missing = [c for c in REQUIRED if c not in col]
    for c in missing:
        problems.append(Problem(shown, row=header_row, column=c, found="no such column", found_is_value=False,
                                expected=f"ACLED's column {c!r}",
                                message="the columns needed are " + ", ".join(REQUIRED)
                                        + "; check that the file is an ACLED export with its header row"))
    if missing:
        raise DataError(problems, heading=f"{shown} cannot be used as ACLED events")

    def get(rec, name):
        return rec[col[name]].strip() if name in col else ""

    events, seen, parsed = [], {}, []
    for rec, row in zip(records, rownums):
        bad = False
        for c in REQUIRED:
            if not get(rec, c):
                problems.append(Problem(shown, row=row, column=c, found="", expected="a value: ACLED always fills it",
                                        message="the cell is empty"))
                bad = True
        eid, written, prec = get(rec, "event_id_cnty"), get(rec, "event_date"), get(rec, "time_precision")
        day = _parse_date(written) if written else None
        if written and day is None:
            iso, advice = date_advice(written)
            problems.append(Problem(shown, row=row, column="event_date", found=written,
                                    expected="a date like 2024-01-28 or 28 January 2024"
                                             + (f" (here perhaps {iso})" if iso else ""), message=advice))
            bad = True
        if prec and prec not in PRECISION:
            problems.append(Problem(shown, row=row, column="time_precision", found=prec,
                                    expected="1 (day), 2 (week or a few days) or 3 (month)"))
            bad = True
        year = get(rec, "year")
        if day is not None and year and year != str(day.year):
            problems.append(Problem(shown, row=row, column="year", found=year,
                                    expected=f"{day.year}, the year of event_date {written!r}",
                                    message="the date or the year is wrong; ACLED writes the same year in both"))
            bad = True
        if eid:
            if eid in seen:
                problems.append(Problem(shown, row=row, column="event_id_cnty", found=eid,
                                        expected="an event_id_cnty that no other row has",
                                        message=f"rows {seen[eid]} and {row} have the same id; "
                                                "delete the duplicate row"))
                bad = True
            else:
                seen[eid] = row
        if not bad:
            parsed.append((rec, day, prec))
    if problems:
        raise DataError(problems, heading=f"{shown} cannot be used as ACLED events")
    if not parsed:
        raise DataError([Problem(shown, row=None if header_row is None else 2, found="no rows", found_is_value=False,
                                 expected="at least one event")],
                        heading=f"{shown} cannot be used as ACLED events")

    sources_of = [[s.strip() for s in get(rec, "source").split(";") if s.strip()] for rec, _, _ in parsed]
    actor_names = [n for rec, _, _ in parsed for n in (get(rec, "actor1"), get(rec, "actor2")) if n]
    actor_id = _ids(actor_names, "actor")
    source_id = _ids([s for ss in sources_of for s in ss], "source")

    report_rows, spans, scales = [], {}, {}
    for (rec, day, prec), sources in zip(parsed, sources_of):
        ts = pd.Timestamp(day)
        if prec == "1":
            start = end = ts
            note = ""
        elif prec == "2":
            start, end = ts - pd.Timedelta(days=WEEK_HALF), ts + pd.Timedelta(days=WEEK_HALF)
            note = _WEEK_NOTE.format(written=get(rec, "event_date"), half=WEEK_HALF)
        else:
            start, end = ts.replace(day=1), ts + pd.offsets.MonthEnd(0)
            note = _MONTH_NOTE.format(written=get(rec, "event_date"))
        notes = get(rec, "notes")
        place = ", ".join(x for x in dict.fromkeys((get(rec, "location"), get(rec, "admin1"))) if x)
        eid = get(rec, "event_id_cnty")
        first_source = source_id[sources[0]] if sources else ""
        events.append({
            "event_id": eid, "date_start": start, "date_end": end, "date_precision": PRECISION[prec],
            "date_note": note, "event_type": get(rec, "event_type"), "actor1_id": actor_id[get(rec, "actor1")],
            "actor2_id": actor_id.get(get(rec, "actor2"), ""), "location": place, "country": get(rec, "country"),
            "summary_en": notes, "summary_vi": notes, "article_id": first_source, "evidence": notes if sources else "",
            "evidence_en": notes if sources else "",
        })
        for s in dict.fromkeys(sources):
            sid = source_id[s]
            report_rows.append({"event_id": eid, "article_id": sid, "date_as_written": "", "attributed_to": "",
                                "attributed_outlet_id": "", "attributed_actor_id": "", "evidence": notes,
                                "evidence_en": notes})
            lo, hi = spans.get(sid, (start, end))
            spans[sid] = (min(lo, start), max(hi, end))
            if get(rec, "source_scale"):
                scales.setdefault(sid, {})[get(rec, "source_scale")] = None

    outlets, articles = [], []
    for name, sid in source_id.items():
        scale = ", ".join(scales.get(sid, {}))
        outlets.append({"outlet_id": sid, "name": name, "name_vi": "", "kind": "news_site", "country": "",
                        "article_id": "", "evidence": "", "evidence_en": "",
                        "note": "A source named by ACLED" + (f" (source_scale: {scale})" if scale else "") + "."})
        lo, hi = spans[sid]
        articles.append({"article_id": sid, "seed_file": "", "sha256": "", "outlet_id": sid, "label_en": name,
                         "headline": "", "headline_en": "", "byline": "", "published_printed": "",
                         "published_start": lo, "published_end": hi, "published_precision": "range",
                         "published_basis": "inferred", "date_reasoning": _SPAN_REASONING, "page_furniture": "",
                         "evidence": "", "evidence_en": ""})
    actors = [{"actor_id": aid, "name_en": name, "kind": "", "role_en": "", "affiliation_id": "", "country": "",
               "article_id": "", "evidence": "", "evidence_en": ""} for name, aid in actor_id.items()]

    raw = pd.DataFrame([rec for rec, _, _ in parsed], columns=header, dtype=object)
    raw.insert(0, "event_id", [e["event_id"] for e in events])
    raw.attrs["name"] = "acled"
    raw.attrs["source"] = shown
    return {
        "events": _frame("events", events, ("date_start", "date_end")),
        "event_reports": _frame("event_reports", report_rows),
        "articles": _frame("articles", articles, ("published_start", "published_end")),
        "actors": _frame("actors", actors),
        "outlets": _frame("outlets", outlets),
        "acled": raw,
    }


def acled_timeline(path_or_df, lang: str = "en", **kwargs):
    """The kit's timeline explorer on ACLED events: ``timeline_explorer`` with the tables of :func:`from_acled`.

    Keyword arguments (``dates``, ``render``) go to :func:`iraqtalks.views.timeline.timeline_explorer`.
    """
    from ..views.timeline import timeline_explorer

    t = from_acled(path_or_df)
    return timeline_explorer(events=t["events"], reports=t["event_reports"], articles=t["articles"],
                             actors=t["actors"], lang=lang, **kwargs)
