"""to_timelinejs: the TimelineJS template's columns, one row per event, dates as precise as known, escaped text."""
from __future__ import annotations

import pandas as pd
import pytest

from iraqtalks import load
from iraqtalks.data.problems import DataError
from iraqtalks.io.export import TIMELINEJS_COLUMNS, to_timelinejs
from iraqtalks.views.timeline import timeline_explorer

# Copied from the TimelineJS Google Sheets template (https://timeline.knightlab.com/#make), not from the module.
TEMPLATE = ["Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
            "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
            "Background"]
DATE_COLS = ["Year", "Month", "Day", "End Year", "End Month", "End Day"]

EVENTS = load("events")


@pytest.fixture(scope="module")
def sheet() -> pd.DataFrame:
    return to_timelinejs()


def _row(sheet: pd.DataFrame, event_id: str) -> pd.Series:
    """The sheet row of one event (rows are in date order, like the sorted events)."""
    order = EVENTS.sort_values(["date_start", "date_end", "event_id"], kind="stable")["event_id"].tolist()
    return sheet.iloc[order.index(event_id)]


def _dates(row: pd.Series) -> list[str]:
    return [row[c] for c in DATE_COLS]


def test_columns_are_exactly_the_template(sheet):
    assert list(sheet.columns) == TEMPLATE == TIMELINEJS_COLUMNS


def test_one_row_per_event(sheet):
    assert len(sheet) == len(EVENTS)
    assert sheet["Headline"].tolist() == [
        s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
        for s in EVENTS.sort_values(["date_start", "date_end", "event_id"], kind="stable")["summary_en"]]


def test_a_known_day(sheet):
    row = _row(sheet, "e2024-01-28-jordan-attack")
    assert _dates(row) == ["2024", "1", "28", "", "", ""]
    assert row["Display Date"] == "28 Jan 2024 (exact day)"


@pytest.mark.parametrize("precision", ["day", "month", "year", "range"])
def test_dates_are_as_precise_as_known(sheet, precision):
    chosen = EVENTS[EVENTS["date_precision"] == precision]
    assert len(chosen), f"the kit has no {precision} event any more; pick another example"
    for e in chosen.itertuples():
        s, t = e.date_start, e.date_end
        got = _dates(_row(sheet, e.event_id))
        if precision == "day":
            assert got == [str(s.year), str(s.month), str(s.day), "", "", ""], e.event_id
        elif precision == "month":
            assert got[:3] == [str(s.year), str(s.month), ""], e.event_id  # no day: only the month is known
            assert got[5] == ""
        elif precision == "year":
            assert got[:3] == [str(s.year), "", ""], e.event_id
        else:
            assert got == [str(s.year), str(s.month), str(s.day), str(t.year), str(t.month), str(t.day)], e.event_id


def test_display_date_says_the_precision_in_words(sheet):
    words = {"day": "(exact day)", "month": "(month only)", "year": "(year only)", "range": "(somewhere in this span)"}
    for e in EVENTS.itertuples():
        assert _row(sheet, e.event_id)["Display Date"].endswith(words[e.date_precision]), e.event_id
    month = EVENTS[EVENTS["date_precision"] == "month"].iloc[0]
    assert _row(sheet, month["event_id"])["Display Date"].startswith(
        f"{month['date_start'].strftime('%B')} {month['date_start'].year}")


def test_text_quotes_the_evidence_with_translation_and_attribution(sheet):
    reports = load("event_reports")
    rep = reports[reports["attributed_to"].notna()].iloc[0]
    text = _row(sheet, rep["event_id"])["Text"]
    assert rep["evidence"].replace('"', "&quot;").replace("'", "&#x27;") in text
    assert rep["evidence_en"].replace('"', "&quot;").replace("'", "&#x27;") in text
    assert f"attributed to: {rep['attributed_to']}" in text
    assert 'lang="vi"' in text and 'lang="en"' in text
    own = EVENTS.iloc[0]
    assert own["evidence_en"].replace("'", "&#x27;") in _row(sheet, own["event_id"])["Text"]


def test_round_trip_through_csv_and_pandas(sheet, tmp_path):
    path = tmp_path / "timeline.csv"
    written = to_timelinejs(path=path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert raw.decode("utf-8").splitlines()[0] == ",".join(f'"{c}"' for c in TEMPLATE)  # every field quoted
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, written.astype(str))
    pd.testing.assert_frame_equal(written, sheet)


def test_everything_is_html_escaped():
    ev = EVENTS.head(3).copy()
    ev["summary_en"] = ev["summary_en"].astype(object)
    ev.loc[ev.index[0], "summary_en"] = "<script>alert('x')</script> & \"quotes\""
    ev.loc[ev.index[0], "date_note"] = "<b>bold</b>"
    reports = load("event_reports").astype(object)
    reports.loc[reports["event_id"] == ev.iloc[0]["event_id"], "evidence_en"] = "<img src=x onerror=alert(1)>"
    out = to_timelinejs(ev, reports)
    row = out[out["Headline"].str.contains("alert")].iloc[0]
    assert row["Headline"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;"
    for cell in out.to_numpy().ravel():
        assert "<script" not in cell and "<img" not in cell and "<b>bold" not in cell
    assert "&lt;img src=x onerror=alert(1)&gt;" in row["Text"]


def test_a_filtered_selection_and_an_explorer_export_what_is_selected():
    attacks = EVENTS[EVENTS["event_type"] == "attack"]
    out = to_timelinejs(attacks)
    assert len(out) == len(attacks) and set(out["Group"]) == {"attack"}
    x = timeline_explorer(render=False, dates="all")
    x.set_filters(event_type="attack")
    assert len(x.selected) == len(attacks)
    pd.testing.assert_frame_equal(to_timelinejs(x), out)
    pd.testing.assert_frame_equal(to_timelinejs(x.selected), out)


def test_vietnamese_and_grouping_by_actor():
    vi = to_timelinejs(lang="vi", group="actor")
    month = EVENTS[EVENTS["date_precision"] == "month"].iloc[0]
    row = _row(vi, month["event_id"])
    assert row["Display Date"] == f"tháng {month['date_start'].month}/{month['date_start'].year} (chỉ biết tháng)"
    actors = load("actors").set_index("actor_id")["name_en"]
    assert row["Group"] == actors[month["actor1_id"]].replace("'", "&#x27;")
    assert row["Headline"].startswith(month["summary_vi"][:10])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="lang"):
        to_timelinejs(lang="fr")
    with pytest.raises(ValueError, match="group must be 'type' or 'actor'"):
        to_timelinejs(group="outlet")
    with pytest.raises(DataError, match="date_start"):
        to_timelinejs(EVENTS.drop(columns=["date_start"]))
