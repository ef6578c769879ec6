"""Bring your own events: an ACLED export becomes the kit's tables and drives the timeline explorer.

The ACLED-format file is synthetic, made here (36 events, five actors, four sources, every time
precision, both of ACLED's date spellings); the expected counts are worked out from the rows written,
independently of the adapter.
"""
from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

import iraqtalks.io.acled as acled_module
from iraqtalks.data.descriptor import read_package
from iraqtalks.data.problems import DataError
from iraqtalks.io.acled import REQUIRED, acled_timeline, from_acled
from iraqtalks.io.export import to_timelinejs

COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
           "actor1", "assoc_actor_1", "actor2", "country", "admin1", "location", "latitude", "longitude", "source",
           "source_scale", "notes", "fatalities"]
ACTORS = ["Islamic Resistance in Iraq", "Military Forces of the United States (2021-)", "Government of Iraq (2022-)",
          "Kataib Hezbollah", "Kataib-Hezbollah"]  # the last two give the same id: the second gets '-2'
TYPES = ["Battles", "Explosions/Remote violence", "Strategic developments", "Protests"]
SOURCES = ["Reuters", "AFP; Reuters", "Shafaq News", "Rudaw", "Reuters; Shafaq News; Rudaw"]
PRECISIONS = ["1", "1", "2", "1", "3"]
N = 36
FIRST = dt.date(2024, 1, 2)


def _event(i: int) -> dict:
    day = FIRST + dt.timedelta(days=(i * 7) % 57)
    written = day.isoformat() if i % 2 == 0 else f"{day.day} {day.strftime('%B')} {day.year}"
    return {
        "event_id_cnty": f"IRQ{1000 + i}", "event_date": written, "year": str(day.year),
        "time_precision": PRECISIONS[i % 5], "disorder_type": "Political violence", "event_type": TYPES[i % 4],
        "sub_event_type": "Air/drone strike", "actor1": ACTORS[i % 5], "assoc_actor_1": "",
        "actor2": ACTORS[(i + 1) % 5] if i % 3 == 0 else "", "country": "Iraq", "admin1": "Al Anbar",
        "location": "Al-Asad Airbase", "latitude": "33.8", "longitude": "42.4", "source": SOURCES[i % 5],
        "source_scale": "International", "notes": f"On {written}, event number {i} <b>happened</b>.",
        "fatalities": str(i % 4),
    }


ROWS = [_event(i) for i in range(N)]


def _day(row: dict) -> dt.date:
    return FIRST + dt.timedelta(days=(int(row["event_id_cnty"][3:]) - 1000) * 7 % 57)


def _span(row: dict) -> tuple[dt.date, dt.date]:
    """First and last possible day, worked out from ACLED's rules (not from the adapter)."""
    d = _day(row)
    if row["time_precision"] == "1":
        return d, d
    if row["time_precision"] == "2":
        return d - dt.timedelta(days=3), d + dt.timedelta(days=3)
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return d.replace(day=1), nxt - dt.timedelta(days=1)


def write_acled(path, rows=ROWS, columns=COLUMNS, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def acled_csv(tmp_path):
    return write_acled(tmp_path / "acled.csv")


@pytest.fixture
def tables(acled_csv):
    return from_acled(acled_csv)


def kit_columns(table: str) -> list[str]:
    res = next(r for r in read_package()["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"]]


# --------------------------------------------------------------------------- the mapping


def test_the_synthetic_file_covers_what_it_should():
    assert len(ROWS) >= 30
    assert {r["time_precision"] for r in ROWS} == {"1", "2", "3"}
    assert len({r["actor1"] for r in ROWS}) == 5 and len({s for r in ROWS for s in r["source"].split("; ")}) == 4
    assert any("-" in r["event_date"] for r in ROWS) and any(" " in r["event_date"] for r in ROWS)


def test_tables_have_the_kits_columns(tables):
    for name in ("events", "event_reports", "articles", "actors", "outlets"):
        assert list(tables[name].columns) == kit_columns(name), name
    assert len(tables["events"]) == N
    assert pd.api.types.is_datetime64_any_dtype(tables["events"]["date_start"])
    assert tables["acled"]["event_id"].tolist() == [r["event_id_cnty"] for r in ROWS]
    assert tables["acled"]["fatalities"].tolist() == [r["fatalities"] for r in ROWS]  # kept as written


def test_time_precision_becomes_first_and_last_possible_dates(tables):
    ev = tables["events"].set_index("event_id")
    words = {"1": "day", "2": "range", "3": "month"}
    for r in ROWS:
        e = ev.loc[r["event_id_cnty"]]
        lo, hi = _span(r)
        assert (e["date_start"].date(), e["date_end"].date()) == (lo, hi), r["event_id_cnty"]
        assert e["date_precision"] == words[r["time_precision"]]
        if r["time_precision"] == "1":
            assert pd.isna(e["date_note"])
        else:
            assert f"time_precision {r['time_precision']}" in e["date_note"] and r["event_date"] in e["date_note"]


def test_sources_become_outlets_articles_and_reports(tables):
    names = sorted({s for r in ROWS for s in r["source"].split("; ")})
    assert sorted(tables["outlets"]["name"]) == names
    assert sorted(tables["articles"]["label_en"]) == names
    assert set(tables["outlets"]["outlet_id"]) == {"reuters", "afp", "shafaq-news", "rudaw"}
    assert len(tables["event_reports"]) == sum(len(r["source"].split("; ")) for r in ROWS)
    rep = tables["event_reports"]
    for r in ROWS:
        mine = rep[rep["event_id"] == r["event_id_cnty"]]
        assert sorted(mine["article_id"]) == sorted(s.lower().replace(" ", "-") for s in r["source"].split("; "))
        assert set(mine["evidence"]) == {r["notes"]} == set(mine["evidence_en"])  # the notes, verbatim
    art = tables["articles"].set_index("article_id")
    shafaq = [_span(r) for r in ROWS if "Shafaq News" in r["source"]]
    assert art.loc["shafaq-news", "published_start"].date() == min(lo for lo, _ in shafaq)
    assert art.loc["shafaq-news", "published_end"].date() == max(hi for _, hi in shafaq)
    assert (art["published_basis"] == "inferred").all()


def test_actors_and_summaries(tables):
    act = tables["actors"].set_index("name_en")["actor_id"]
    assert act["Kataib Hezbollah"] == "kataib-hezbollah" and act["Kataib-Hezbollah"] == "kataib-hezbollah-2"
    assert act["Military Forces of the United States (2021-)"] == "military-forces-of-the-united-states-2021"
    ev = tables["events"].set_index("event_id")
    for r in ROWS:
        e = ev.loc[r["event_id_cnty"]]
        assert e["actor1_id"] == act[r["actor1"]]
        assert (pd.isna(e["actor2_id"]) if not r["actor2"] else e["actor2_id"] == act[r["actor2"]])
        assert e["summary_en"] == r["notes"] == e["summary_vi"]
        assert e["event_type"] == r["event_type"]
        assert e["location"] == "Al-Asad Airbase, Al Anbar" and e["country"] == "Iraq"


def test_a_dataframe_gives_the_same_tables(acled_csv, tables):
    df = pd.read_csv(acled_csv)  # pandas' own types: year and time_precision become integers
    assert df["time_precision"].dtype.kind == "i"
    typed = df.assign(event_date=pd.to_datetime([_day(r) for r in ROWS]))
    for source in (df, typed):
        again = from_acled(source)
        for name in ("events", "event_reports", "articles", "actors", "outlets"):
            # a typed date is quoted as ISO in date_note, where the file's own spelling is quoted otherwise
            drop = ["date_note"] if source is typed and name == "events" else []
            pd.testing.assert_frame_equal(again[name].drop(columns=drop), tables[name].drop(columns=drop),
                                          check_dtype=False)


def test_a_bom_is_accepted(tmp_path, tables):
    path = write_acled(tmp_path / "bom.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(from_acled(path)["events"], tables["events"])


def test_the_docstring_documents_every_column_read():
    doc = acled_module.__doc__
    for c in REQUIRED + acled_module.OPTIONAL:
        assert c in doc, c
    for words in ("time_precision 1", "time_precision 2", "time_precision 3", "event_date - 3 days"):
        assert words in doc


# --------------------------------------------------------------------------- problems


def _problem(err, row, column):
    hits = [p for p in err.value.problems if p.row == row and p.column == column]
    assert hits, f"no problem at row {row}, column {column}:\n{err.value}"
    return hits[0]


def test_a_missing_required_column(tmp_path):
    path = write_acled(tmp_path / "a.csv", columns=[c for c in COLUMNS if c != "notes"])
    with pytest.raises(DataError) as err:
        from_acled(path)
    p = _problem(err, 1, "notes")
    assert p.file == str(path) and "ACLED's column 'notes'" in str(p)


@pytest.mark.parametrize("column, value, expected, advice", [
    ("event_date", "28/01/2024", "(here perhaps 2024-01-28)", "Vietnamese writes the day first"),
    ("event_date", "January 2024", "a date like 2024-01-28 or 28 January 2024", ""),
    ("event_date", "31 February 2024", "a date like 2024-01-28", ""),
    ("time_precision", "4", "1 (day), 2 (week or a few days) or 3 (month)", ""),
    ("year", "2023", "2024, the year of event_date", "ACLED writes the same year in both"),
    ("actor1", "", "a value", "the cell is empty"),
    ("event_id_cnty", "IRQ1000", "an event_id_cnty that no other row has", "rows 2 and 6 have the same id"),
])
def test_a_bad_cell_is_named_by_row_and_column(tmp_path, column, value, expected, advice):
    rows = [dict(r) for r in ROWS]
    rows[4][column] = value  # spreadsheet row 6
    path = write_acled(tmp_path / "a.csv", rows)
    with pytest.raises(DataError) as err:
        from_acled(path)
    p = _problem(err, 6, column)
    assert p.file == str(path)
    assert expected in str(p) and advice.casefold() in str(p).casefold()
    assert f"row 6, column {column}" in str(err.value)


def test_unreadable_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="an empty file"):
        from_acled(empty)
    utf16 = write_acled(tmp_path / "utf16.csv", encoding="utf-16")
    with pytest.raises(DataError, match="not UTF-8 on line 1"):
        from_acled(utf16)
    with pytest.raises(DataError, match="no such file"):
        from_acled(tmp_path / "nowhere.csv")
    header_only = write_acled(tmp_path / "header.csv", rows=[])
    with pytest.raises(DataError, match="no rows"):
        from_acled(header_only)
    with pytest.raises(TypeError, match="a CSV path or a pandas DataFrame"):
        from_acled(42)


def test_a_dataframe_problem_counts_rows_from_0():
    df = pd.DataFrame(ROWS)
    df.loc[3, "time_precision"] = "7"
    with pytest.raises(DataError) as err:
        from_acled(df)
    p = _problem(err, 3, "time_precision")
    assert p.file.startswith("the ACLED DataFrame")


# --------------------------------------------------------------------------- the timeline explorer


def _expected(lo: dt.date, hi: dt.date, actor=None, source=None, event_type=None) -> set[str]:
    out = set()
    for r in ROWS:
        a, b = _span(r)
        if b < lo or a > hi:
            continue
        if actor and actor not in (r["actor1"], r["actor2"]):
            continue
        if source and source not in r["source"].split("; "):
            continue
        if event_type and r["event_type"] != event_type:
            continue
        out.add(r["event_id_cnty"])
    return out


def test_acled_events_drive_the_timeline_explorer(acled_csv, tables):
    x = acled_timeline(acled_csv, render=False, dates="all")
    assert len(x.events) == N
    assert x.count.value == f"{N} of {N} events selected"
    first = min(_span(r)[0] for r in ROWS)
    assert x.date_slider.value[0] == first

    # move the slider itself, as a student would
    lo, hi = dt.date(2024, 1, 20), dt.date(2024, 2, 5)
    x.date_slider.value = (lo, hi)
    want = _expected(lo, hi)
    assert 0 < len(want) < N
    assert set(x.selected["event_id"]) == want
    assert x.count.value == f"{len(want)} of {N} events selected"

    actor_id = tables["actors"].set_index("name_en").loc["Kataib Hezbollah", "actor_id"]
    x.set_filters(actor=actor_id)
    assert set(x.selected["event_id"]) == _expected(lo, hi, actor="Kataib Hezbollah")

    x.set_filters(actor="__all__", article="shafaq-news", event_type="Battles")
    want = _expected(lo, hi, source="Shafaq News", event_type="Battles")
    assert set(x.selected["event_id"]) == want and x.count.value.startswith(f"{len(want)} of ")
    assert "Battles" in [label for label, _ in x.type_filter.options]

    last = max(_span(r)[1] for r in ROWS)
    assert x.date_slider.options[-1][1] == last  # the slider spans the first to the last possible day
    x.set_filters(dates=(first, last), article="__all__", event_type="__all__")
    assert len(x.selected) == N
    details = x.details.value
    assert "&lt;b&gt;happened&lt;/b&gt;" in details and "<b>happened</b>" not in details  # notes are escaped


def test_the_explorer_draws_acled_types_and_month_spans(tables):
    from iraqtalks.views.timeline import timeline_explorer

    x = timeline_explorer(events=tables["events"], reports=tables["event_reports"], articles=tables["articles"],
                          actors=tables["actors"], dates="all")
    assert x.plot.value[:8] == b"\x89PNG\r\n\x1a\n"
    kinds = x.plot_data.set_index("event_id")["kind"]
    for r in ROWS:
        assert kinds[r["event_id_cnty"]] == ("point" if r["time_precision"] == "1" else "range")
    x.set_filters(mode="reported", lanes="type")
    assert set(x.plot_data["article_id"]) == {"reuters", "afp", "shafaq-news", "rudaw"}


def test_an_acled_selection_exports_to_timelinejs(tables):
    x = acled_timeline(pd.DataFrame(ROWS), render=False, dates="all")
    x.set_filters(event_type="Strategic developments")
    out = to_timelinejs(x)
    assert len(out) == len(x.selected) == sum(r["event_type"] == "Strategic developments" for r in ROWS)
    month = next(r for r in ROWS if r["event_type"] == "Strategic developments" and r["time_precision"] == "3")
    row = out[out["Text"].str.contains(f"event number {int(month['event_id_cnty'][3:]) - 1000} ")].iloc[0]
    d = _day(month)
    assert [row["Year"], row["Month"], row["Day"]] == [str(d.year), str(d.month), ""]
    assert row["Display Date"].endswith("(month only)")


def test_a_large_export_lists_at_most_200_events_in_the_details():
    """A teacher's export can select thousands of events: the count is exact, the detail list is capped."""
    rows = [dict(_event(i), event_id_cnty=f"BIG{i}") for i in range(250)]
    x = acled_timeline(pd.DataFrame(rows), render=False, dates="all")
    assert x.count.value == "250 of 250 events selected" and len(x.selected) == 250
    assert x.details.value.count('class="iraqtalks-event"') == 200
    assert "The list shows the first 200 of the 250 events selected" in x.details.value
    x.set_filters(lang="vi")
    assert "Danh sách chỉ hiện 200 sự kiện đầu tiên trên 250 sự kiện đã chọn" in x.details.value
    x.set_filters(event_type="Battles")
    n = sum(r["event_type"] == "Battles" for r in rows)
    assert n < 200 and x.details.value.count('class="iraqtalks-event"') == n and "iraqtalks-more" not in x.details.value
