"""Printable handouts for a lesson without computers: article cards, worksheets and the answer sheets.

    python -m iraqtalks handouts DIR        # or: ./kit handouts DIR

DIR (new or empty, outside the kit) gets:

* ``cards.pdf``: one card per article (a000-a004): its outlet, its publication date as the data gives it (with
  the basis: printed, or inferred from the page, with any labelled estimate), its headline, and its key sentences,
  each in Vietnamese beside the English translation. The key sentences are the evidence of the article's rows of
  ``event_reports`` (what happened, when), ``quotes`` (who said what) and ``numbers`` (figures and their hedges),
  in the order they appear in the article; a sentence that backs several rows is printed once. Every
  translation comes from the data (``evidence_en``); none is written here. Each sentence carries short labels
  (``E1`` an event, ``Q1`` a quote, ``N1`` a number) that the worksheets refer to.
* ``worksheets.pdf``: four one-page worksheets answerable from the cards alone (reading dates, who said what,
  accusation or fact, counting).
* ``worksheet-answers.pdf``: the teacher's answers to the worksheets, each citing the data row it comes from.
* ``answers/``: the one-page answer sheets of the exercise sets (iraqtalks.authoring.answer_sheets).

The two answer files are written only from the teacher's copy of the kit (the one with ``exercises/solutions/``);
the student edition prints the cards and the worksheets alone.

The PDFs are printed from generated HTML by headless Chromium (Debian's /usr/bin/chromium, through
Playwright), A4, in DejaVu Sans, which has every precomposed Vietnamese letter (ố, ầ, ễ ...). No LaTeX.
The number of pages of each PDF is fixed by its content (see ``plan``): each card is cut into pages of a known
size before printing, and the build stops with an error if Chromium's page count differs.
"""
from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.common import text_rows
from ..data.descriptor import enum_labels
from ..data.loader import load
from ..data.paths import ROOT
from ..data.problems import DataError
from ..text.labels import MONTHS_EN as MONTHS
from .answer_sheets import CHROMIUM, offline_page, pdf_pages

FONT_FAMILY = "DejaVu Sans"
INSTALL_HINT = ("on Debian or Ubuntu: sudo apt-get install chromium fonts-dejavu-core "
                "(the handouts are printed by Chromium, in the DejaVu Sans font)")

# Page budget: an A4 page at 12 mm margins holds about 64 lines of 8.6 pt text (line height 1.28); the card
# header and the table head take their own lines. A sentence row is as tall as its longer column, whose width
# holds about COLUMN_CHARS characters of DejaVu Sans. The budget is kept under the page so that no card spills.
LINES_PER_PAGE = 58
COLUMN_CHARS = 50
HEADER_LINES = 13

CSS = f"""
@page {{ size: A4; margin: 12mm 12mm; }}
body {{ font-family: "{FONT_FAMILY}", sans-serif; font-size: 8.6pt; line-height: 1.28; color: #111; margin: 0; }}
section.page {{ break-after: page; }}
section.page:last-child {{ break-after: auto; }}
h1 {{ font-size: 13pt; margin: 0 0 3pt 0; }}
h2 {{ font-size: 10pt; margin: 6pt 0 2pt 0; }}
p {{ margin: 0 0 3pt 0; }}
.meta {{ border: 0.6pt solid #777; padding: 3pt 5pt; margin: 0 0 4pt 0; }}
.meta p {{ margin: 0 0 1.5pt 0; }}
.muted {{ color: #444; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
th, td {{ border: 0.5pt solid #999; padding: 1.5pt 3pt; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
col.lab {{ width: 11%; }}
col.vi, col.en {{ width: 44.5%; }}
ol.tasks > li {{ margin: 0 0 7pt 0; break-inside: avoid; }}
.line {{ border-bottom: 0.5pt solid #777; height: 12pt; margin: 0 0 2pt 0; }}
.vi {{ font-style: normal; }}
.en {{ color: #222; }}
.cite {{ color: #444; font-size: 7.6pt; }}
.foot {{ color: #444; font-size: 7.4pt; margin-top: 5pt; }}
"""


class HandoutError(Exception):
    """A problem the teacher can fix (a folder, a missing program); printed as one message, no traceback."""


# --------------------------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------------------------

def read_table(name: str, root: Path | None = None) -> list[dict]:
    """A table of the kit at `root`, loaded (and so checked) by the kit's loader, as rows of plain text."""
    return text_rows(load(name, data_dir=(root or ROOT) / "data"))


def article_ids(root: Path | None = None) -> list[str]:
    """The articles, in the order of data/articles.csv: one card each."""
    return [a["article_id"] for a in read_table("articles", root)]


def _by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows}


@dataclass
class Sentence:
    """One key sentence of a card: the article's words, their English (from the data) and the rows behind it."""
    vi: str
    en: str
    labels: list[str] = field(default_factory=list)   # "E1", "Q3", "N2" ...
    rows: list[tuple[str, str]] = field(default_factory=list)  # (table, key) per label
    position: int = 0

    def lines(self) -> int:
        return max(math.ceil(len(self.vi) / COLUMN_CHARS), math.ceil(len(self.en) / COLUMN_CHARS),
                   math.ceil(len(", ".join(self.labels)) / 9), 1)


@dataclass
class Card:
    article_id: str
    outlet: str
    date: str
    date_basis: str
    headline_vi: str
    headline_en: str
    sentences: list[Sentence]
    labels: dict[tuple[str, str], str]   # (table, key) -> label, e.g. ("quotes", "q04") -> "Q1"


def _date_text(a: dict) -> tuple[str, str]:
    """(the date as the data gives it, its basis) for an articles row."""
    if a["published_basis"] == "printed":
        return (f"{a['published_printed']} (printed on the page)",
                "How the data dates it: " + a["date_reasoning"])
    start, end = a["published_start"], a["published_end"]
    basis_end = {"text": "from the article's own text", "page_saved": "the day the page was saved",
                 "none": "none: the page gives no upper bound", "printed": "printed"}.get(
        a["published_end_basis"], a["published_end_basis"])
    date = f"on or after {start}" + (f", and by {end} ({basis_end})" if end else f"; upper bound: {basis_end}")
    if a["estimate_start"]:
        date += f". Estimate (a judgement, not a bound): {a['estimate_start']} to {a['estimate_end']}"
    if a["published_printed"]:
        date += f". The page keeps only '{a['published_printed']}'"
    return date, "How the data dates it (inferred from the page): " + a["date_reasoning"]


def cards(root: Path | None = None) -> list[Card]:
    """The five article cards, from data/*.csv (rows in the order their evidence appears in the seed)."""
    root = root or ROOT
    articles = _by(read_table("articles", root), "article_id")
    outlets = _by(read_table("outlets", root), "outlet_id")
    seeds = {aid: (root / "seeds" / a["seed_file"]).read_text(encoding="utf-8") for aid, a in articles.items()}
    sources = [
        ("event_reports", "E", lambda r: r["event_id"]),
        ("quotes", "Q", lambda r: r["quote_id"]),
        ("numbers", "N", lambda r: r["number_id"]),
    ]
    out = []
    for aid in article_ids(root):
        a = articles[aid]
        seed = seeds[aid]
        items = []
        for table, _, key in sources:
            for r in read_table(table, root):
                if r["article_id"] != aid:
                    continue
                pos = seed.find(r["evidence"])
                items.append((pos if pos >= 0 else len(seed), table, key(r), r["evidence"], r["evidence_en"]))
        # Stable order: by position in the article, then events before quotes before numbers, then id.
        order = {t: i for i, (t, _, _) in enumerate(sources)}
        items.sort(key=lambda it: (it[0], order[it[1]], it[2]))
        counters = {t: 0 for t, _, _ in sources}
        prefix = {t: p for t, p, _ in sources}
        labels: dict[tuple[str, str], str] = {}
        sentences: list[Sentence] = []
        # A row whose evidence lies inside a longer evidence of the same article is printed as part of it:
        # one sentence, several labels (the longest evidence that holds it, the English of that evidence).
        texts = sorted({it[3] for it in items}, key=len, reverse=True)
        home = {t: next(c for c in texts if t in c) for t in texts}
        by_text: dict[str, Sentence] = {}
        # Labels are numbered in reading order, per kind.
        for _pos, table, key, vi, _en in items:
            counters[table] += 1
            label = f"{prefix[table]}{counters[table]}"
            labels[(table, key)] = label
            container = home[vi]
            s = by_text.get(container)
            if s is None:
                c_en = next(it[4] for it in items if it[3] == container)
                c_pos = next(it[0] for it in items if it[3] == container)
                s = by_text[container] = Sentence(vi=container, en=c_en, position=c_pos)
            s.labels.append(label)
            s.rows.append((table, key))
        sentences = sorted(by_text.values(), key=lambda s: (s.position, s.labels[0]))
        outlet = outlets[a["outlet_id"]]["name"] if a["outlet_id"] else "not printed on the page"
        date, basis = _date_text(a)
        out.append(Card(aid, outlet, date, basis, a["headline"], a["headline_en"], sentences, labels))
    return out


def paginate(card: Card) -> list[list[Sentence]]:
    """The card's sentences cut into pages: the first page also holds the card's header."""
    pages: list[list[Sentence]] = [[]]
    used = HEADER_LINES + math.ceil(len(card.date_basis) / 120)
    for s in card.sentences:
        n = s.lines() + 0.4  # cell padding and border
        if pages[-1] and used + n > LINES_PER_PAGE:
            pages.append([])
            used = 4   # the continued card's title and table head
        pages[-1].append(s)
        used += n
    return pages


# --------------------------------------------------------------------------------------------------------------
# Worksheets, built from the data: each task names a card and a label; each answer cites its row
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Task:
    prompt: str          # what the learner reads (may hold Vietnamese words from the card)
    answer: str          # for the teacher
    cites: list[str]     # "(table: key)" references of the rows the answer comes from


@dataclass
class Worksheet:
    title: str
    intro: str
    tasks: list[Task]


# Which rows the worksheets use. Chosen for teaching (each shows one reading skill); the answers are the data's.
DATE_ITEMS = (("e2024-01-27-first-round", "a001"), ("e2024-01-28-jordan-attack", "a002"),
              ("e2024-02-08-rasool", "a002"), ("e2024-02-11-talks-resume", "a004"),
              ("e2023-10-gaza-war", "a002"), ("e2024-01-30-kh-pause", "a004"))
QUOTE_ITEMS = ("q04", "q08", "q13", "q21", "q28", "q30")
# (the event report whose sentence the learner reads, its article, the event whose actor1_basis answers the task):
# the accusation about the attack in Jordan is read in a004's sentence about the US's accusation.
BASIS_ITEMS = (("e2024-01-27-first-round", "a001", "e2024-01-27-first-round"),
               ("e2024-01-us-blames-groups", "a004", "e2024-01-28-jordan-attack"),
               ("e2024-01-29-qaani-meeting", "a004", "e2024-01-29-qaani-meeting"),
               ("e2024-01-30-kh-pause", "a004", "e2024-01-30-kh-pause"),
               ("e2024-02-07-kh-commander", "a002", "e2024-02-07-kh-commander"))
BASIS_WORDS = {"stated": "stated as a fact: the article itself says who did it",
               "reported": "reported: the article says who did it, but passes it on from a source",
               "accused": "an accusation: someone blames an actor; the article does not say it as a fact"}


def _iso_words(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {MONTHS[m - 1]} {y}"


def _event_date_words(e: dict) -> str:
    if e["date_precision"] == "day":
        return _iso_words(e["date_start"])
    if e["date_precision"] == "month":
        y, m, _ = e["date_start"].split("-")
        return f"{MONTHS[int(m) - 1]} {y} (the month only)"
    if e["date_precision"] == "year":
        return f"{e['date_start'][:4]} (the year only)"
    return f"between {_iso_words(e['date_start'])} and {_iso_words(e['date_end'])}"


def _date_answer(e: dict, written: str) -> str:
    """The teacher's answer for an event date written `written` in an article."""
    out = f"{_event_date_words(e)}. Written «{written}»"
    if not re.search(r"\d", written):
        out += ": no figure, the date is worked out from the text"
        return out + (f" (the data's note: {e['date_note']})" if e["date_note"] else "") + "."
    if e["date_precision"] == "day":
        out += "; Vietnamese writes the day before the month"
    if not re.search(r"20\d\d", written):
        out += "; the page prints no year here: the year comes from the story's other dated events"
    return out + "."


def worksheets(root: Path | None = None, the_cards: list[Card] | None = None) -> list[Worksheet]:
    root = root or ROOT
    cs = {c.article_id: c for c in (the_cards or cards(root))}
    articles = _by(read_table("articles", root), "article_id")
    events = _by(read_table("events", root), "event_id")
    reports = {(r["event_id"], r["article_id"]): r for r in read_table("event_reports", root)}
    quotes = _by(read_table("quotes", root), "quote_id")
    actors = _by(read_table("actors", root), "actor_id")
    outlets = _by(read_table("outlets", root), "outlet_id")
    numbers = read_table("numbers", root)
    hedge = enum_labels("numbers", "qualifier", "en", data_dir=root / "data")

    # 1. Reading dates
    t1 = []
    for aid in articles:
        a = articles[aid]
        printed = a["published_basis"] == "printed"
        t1.append(Task(
            f"Card {aid}: is the publication date printed on the page, or worked out from the text? "
            "Write the earliest day the article can have appeared.",
            (f"Printed: {_iso_words(a['published_start'])}" if printed else
             f"Worked out (inferred): earliest {_iso_words(a['published_start'])}")
            + ("" if printed else (f", latest {_iso_words(a['published_end'])}" if a["published_end"]
                                   else ", no latest day on the page")) + ".",
            [f"(articles: {aid})"]))
    for event_id, aid in DATE_ITEMS:
        r, e = reports[(event_id, aid)], events[event_id]
        label = cs[aid].labels[("event_reports", event_id)]
        t1.append(Task(
            f"Card {aid}, sentence {label}: the article writes «{r['date_as_written']}». Which date is that? "
            "Write the day (if there is one), the month in words, and the year.",
            _date_answer(e, r["date_as_written"]),
            [f"(event_reports: {event_id} / {aid})", f"(events: {event_id})"]))

    # 2. Who said what
    t2 = []
    for qid in QUOTE_ITEMS:
        q = quotes[qid]
        sp = actors[q["speaker_id"]]
        label = cs[q["article_id"]].labels[("quotes", qid)]
        via = (f"the article credits {outlets[q['via_outlet_id']]['name']}" if q["via_outlet_id"]
               else "the article names no agency for these words")
        named = "unnamed (anonymous) source" if sp["kind"] == "anonymous_source" else "named"
        t2.append(Task(
            f"Card {q['article_id']}, sentence {label}. Who is speaking? Is the speaker named or unnamed? "
            "Are these the speaker's own words in quotation marks (direct) or retold (indirect)? "
            "Through which news agency does the article say it got them?",
            f"{sp['name_en']} ({named}); {q['mode']}; {via}. Said: \"{q['quote_en']}\"",
            [f"(quotes: {qid})", f"(actors: {q['speaker_id']})"]))

    # 3. Accusation or fact
    t3 = []
    for read_id, aid, event_id in BASIS_ITEMS:
        e = events[event_id]
        label = cs[aid].labels[("event_reports", read_id)]
        who = actors[e["actor1_id"]]["name_en"]
        extra = f" The accuser: {actors[e['accuser_id']]['name_en']}." if e["accuser_id"] else ""
        t3.append(Task(
            f"Card {aid}, sentence {label}. What happened, and who does the sentence say did it? Does the article "
            "state who did it as a fact, pass it on from a source, or report it as an accusation?",
            f"{BASIS_WORDS[e['actor1_basis']].capitalize()}. Who: {who}.{extra} The event "
            f"({_event_date_words(e)}): {e['summary_en']} The sentence: \"{reports[(read_id, aid)]['evidence_en']}\"",
            list(dict.fromkeys([f"(event_reports: {read_id} / {aid})", f"(events: {event_id})"]))))

    # 4. Counting
    t4 = []
    reporting = sorted(aid for (ev, aid) in reports if ev == "e2024-01-28-jordan-attack")
    t4.append(Task(
        "Look at the five cards. How many of them report the attack in Jordan on 28 January? Which ones?",
        f"{len(reporting)}: {', '.join(reporting)}.",
        [f"(event_reports: e2024-01-28-jordan-attack / {a})" for a in reporting]))
    troops = [n for n in numbers if n["measure_id"] == "us-troops-iraq"]
    per_article: dict[str, list[dict]] = {}
    for n in troops:
        per_article.setdefault(n["article_id"], []).append(n)
    parts = []
    for aid in sorted(per_article):
        hedges = sorted({hedge[n["qualifier"]] + (f" («{n['qualifier_as_written']}»)"
                                                              if n["qualifier_as_written"] else "")
                         for n in per_article[aid]})
        parts.append(f"{aid}: {per_article[aid][0]['value_as_written']} ({' / '.join(hedges)})")
    t4.append(Task(
        "US troops in Iraq: find the figure on each card (the N sentences). Which figure does each card give, and "
        "with which hedge word, if any? Do the cards agree?",
        "; ".join(parts) + ". Every card gives 2.500, that is 2,500 (a dot groups thousands in Vietnamese); "
        "some say «khoảng» (about), some print it bare.",
        [f"(numbers: {n['number_id']})" for n in troops]))
    attacks = [n for n in numbers if n["measure_id"] == "attacks-on-us-forces"]
    t4.append(Task(
        "Attacks on US forces: card a000 and card a001 each give a number of attacks. Write each figure with its "
        "hedge word. Are the two figures the same claim?",
        "; ".join(f"{n['article_id']}: {hedge[n['qualifier']]} {n['value_as_written']} "
                  f"(«{n['qualifier_as_written']}»)" for n in attacks)
        + ". Not the same claim: 'at least' and 'more than' are different hedges, and the cards count different "
          "things (see the sentences).",
        [f"(numbers: {n['number_id']})" for n in attacks] + ["(source_notes: sn02-attack-count)"]))
    anon = sorted((qid for qid, q in quotes.items() if q["article_id"] == "a004"
                   and actors[q["speaker_id"]]["kind"] == "anonymous_source"),
                  key=lambda qid: int(cs["a004"].labels[("quotes", qid)][1:]))
    total = sum(1 for q in quotes.values() if q["article_id"] == "a004")
    t4.append(Task(
        "Card a004: how many of its Q sentences come from speakers the article does not name "
        "(\"sources\", \"officials\", \"experts\" without a name)?",
        f"{len(anon)} of its {total} quotes ({', '.join(cs['a004'].labels[('quotes', q)] for q in anon)}).",
        [f"(quotes: {q})" for q in anon]))
    return [
        Worksheet("Worksheet 1 · Reading dates",
                  "Use the cards. Vietnamese writes the day before the month (28/1 is 28 January; 8.2 is "
                  "8 February). Write dates in words.", t1),
        Worksheet("Worksheet 2 · Who said what",
                  "Use the cards. For each sentence, find who is speaking and how the article passes on the words.",
                  t2),
        Worksheet("Worksheet 3 · Accusation or fact?",
                  "An article can say who did something as a fact, pass it on from a source, or report that "
                  "someone blames someone. Read the Vietnamese and the English.", t3),
        Worksheet("Worksheet 4 · Counting",
                  "Use the cards. Count carefully, and keep the hedge words (khoảng = about, hơn = more than, "
                  "ít nhất = at least).", t4),
    ]


# --------------------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------------------

def _doc(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def cards_html(the_cards: list[Card]) -> tuple[str, int]:
    """(the HTML of all cards, the number of pages it must print on)."""
    e = html.escape
    parts, pages = [], 0
    for c in the_cards:
        cut = paginate(c)
        for i, chunk in enumerate(cut, 1):
            pages += 1
            parts.append("<section class='page'>")
            if i == 1:
                head_vi = e(c.headline_vi) if c.headline_vi else "<i>no headline on the saved page</i>"
                head_en = e(c.headline_en) if c.headline_en else ""
                parts.append(
                    f"<h1>Article card {e(c.article_id)}</h1><div class='meta'>"
                    f"<p><b>Outlet:</b> {e(c.outlet)}</p>"
                    f"<p><b>Published:</b> {e(c.date)}</p>"
                    f"<p class='muted'>{e(c.date_basis)}</p>"
                    f"<p><b>Headline:</b> <span class='vi' lang='vi'>{head_vi}</span>"
                    + (f" <span class='en'>({head_en})</span>" if head_en else "") + "</p></div>"
                    "<p class='muted'>Key sentences, in the order they appear in the article. Labels: E = an event "
                    "and its date, Q = who said what, N = a number. The English is the kit's translation "
                    "(data/*.csv, column evidence_en).</p>")
            else:
                parts.append(f"<h1>Article card {e(c.article_id)} (continued, page {i} of {len(cut)})</h1>")
            parts.append("<table><colgroup><col class='lab'><col class='vi'><col class='en'></colgroup><thead><tr>"
                         "<th scope='col'>Label</th><th scope='col'>Vietnamese (the article's words)</th>"
                         "<th scope='col'>English</th></tr></thead><tbody>")
            for s in chunk:
                parts.append(f"<tr><td>{e(', '.join(s.labels))}</td><td class='vi' lang='vi'>{e(s.vi)}</td>"
                             f"<td class='en'>{e(s.en)}</td></tr>")
            parts.append("</tbody></table></section>")
    return _doc("Article cards", "".join(parts)), pages


def worksheets_html(sheets: list[Worksheet], answers: bool) -> tuple[str, int]:
    e = html.escape
    parts = []
    for w in sheets:
        title = w.title + (" · answers (for the teacher)" if answers else "")
        parts.append(f"<section class='page'><h1>{e(title)}</h1>")
        if not answers:
            parts.append("<p>Name: ______________________ &nbsp; Date: ____________</p>")
        parts.append(f"<p>{e(w.intro)}</p><ol class='tasks'>")
        for t in w.tasks:
            prompt = e(t.prompt).replace("«", "«<span lang='vi'>").replace("»", "</span>»")
            parts.append(f"<li><p>{prompt}</p>")
            if answers:
                parts.append(f"<p><b>Answer:</b> {e(t.answer)}</p><p class='cite'>Data: {e(' '.join(t.cites))}</p>")
            else:
                parts.append("<div class='line'></div><div class='line'></div>")
            parts.append("</li>")
        parts.append("</ol><p class='foot'>Iraq–US talks teaching kit · every answer comes from a row of data/*.csv"
                     "</p></section>")
    return _doc("Worksheets" + (" · answers" if answers else ""), "".join(parts)), len(sheets)


def plan(root: Path | None = None, answers: bool = True) -> dict[str, tuple[str, int]]:
    """file name -> (HTML, the number of pages its content implies); the worksheet answers only if `answers`."""
    the_cards = cards(root)
    sheets = worksheets(root, the_cards)
    out = {"cards.pdf": cards_html(the_cards), "worksheets.pdf": worksheets_html(sheets, answers=False)}
    if answers:
        out["worksheet-answers.pdf"] = worksheets_html(sheets, answers=True)
    return out


# --------------------------------------------------------------------------------------------------------------
# Printing and the command
# --------------------------------------------------------------------------------------------------------------

def font_installed(family: str = FONT_FAMILY) -> bool | None:
    """Whether fontconfig knows the font (None if fc-list is not there to ask)."""
    fc = shutil.which("fc-list")
    if not fc:
        return None
    out = subprocess.run([fc, ":", "family"], capture_output=True, text=True).stdout
    return any(family in line.split(",") for line in out.splitlines())


def print_pdfs(pages: dict[Path, tuple[str, int]]) -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise HandoutError("Playwright is not installed in this Python; run `./kit handouts DIR` (it installs the "
                           "kit's test tools, Playwright among them) or `pip install playwright`") from None

    def not_started(exc: Exception) -> HandoutError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return HandoutError(f"{CHROMIUM} could not be started ({first}); {INSTALL_HINT}")

    with offline_page(on_launch_error=not_started, executable=CHROMIUM) as page:
        for path, (text, expected) in pages.items():
            page.set_content(text, wait_until="load")
            page.pdf(path=str(path), format="A4", print_background=True, prefer_css_page_size=True)
            got = pdf_pages(path)
            if got != expected:
                raise HandoutError(f"{path.name} printed on {got} pages, but its content was laid out for "
                                   f"{expected}: a page overflowed (lower LINES_PER_PAGE in "
                                   "iraqtalks/authoring/handouts.py)")


def check_target(dest: str | Path) -> Path:
    """The output folder, checked: outside the kit, new or empty, writable. Raises HandoutError."""
    target = Path(dest).expanduser().resolve()
    if target == ROOT or ROOT in target.parents:
        raise HandoutError(f"{target} is inside the kit; write the handouts outside it (they hold the answers, "
                           "which must never be published with the kit)")
    if target.exists():
        if not target.is_dir():
            raise HandoutError(f"{target} exists and is not a folder; give a new or empty folder")
        if any(target.iterdir()):
            raise HandoutError(f"{target} is not empty; give a new or empty folder (nothing was changed in it)")
    parent = target if target.exists() else next(p for p in target.parents if p.exists())
    if not os.access(parent, os.W_OK | os.X_OK):
        raise HandoutError(f"cannot write in {parent}: you have no permission to write there; give another folder")
    return target


def write_handouts(dest: str | Path, root: Path | None = None) -> dict[Path, int]:
    """Write every handout into `dest` (checked by check_target); returns {pdf path: pages}."""
    target = check_target(dest)
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        raise HandoutError(f"{CHROMIUM} is missing, and the handouts are printed with it; {INSTALL_HINT}")
    from . import exercise_format as exfmt
    teacher = exfmt.SOLUTIONS_DIR.is_dir()   # the student edition has no solutions: no answers either
    planned = plan(root, answers=teacher)
    existed = target.exists()
    target.mkdir(parents=True, exist_ok=True)
    try:
        jobs = {target / name: v for name, v in planned.items()}
        for path, (text, _) in jobs.items():
            path.with_suffix(".html").write_text(text, encoding="utf-8")
        print_pdfs(jobs)
        result = {path: expected for path, (_, expected) in jobs.items()}
        if teacher:
            from .answer_sheets import write_answer_sheets
            for p in write_answer_sheets(target / "answers", root):
                if p.suffix == ".pdf":
                    result[p] = pdf_pages(p)
    except BaseException:
        # The folder was new or empty: everything in it is this build's. Leave no half-built handouts behind.
        if existed:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return result


def main(dest: str | None) -> int:
    if not dest:
        print("handouts: give a new or empty folder for the handouts, e.g. ./kit handouts ../handouts",
              file=sys.stderr)
        return 2
    try:
        written = write_handouts(dest)
    except (HandoutError, DataError) as exc:
        print(f"handouts: {exc}", file=sys.stderr)
        return 1
    if font_installed() is False:
        print(f"handouts: warning: the font {FONT_FAMILY} is not installed, so Chromium used another font; check "
              f"the Vietnamese letters print ({INSTALL_HINT})", file=sys.stderr)
    target = Path(dest).expanduser().resolve()
    for path, n in written.items():
        print(f"handouts: {path.relative_to(target)}: {n} page{'s' if n != 1 else ''}")
    if not any(p.parent.name == "answers" for p in written):
        print("handouts: this copy of the kit has no exercises/solutions/ (the student edition): no answers "
              "were written (neither the worksheets' nor the exercises')")
    print(f"handouts: wrote {len(written)} PDFs to {target}")
    return 0
