"""What the kit shows in a notebook reads without sight and without colour (issue 16), checked in Python:

* pandas tables: no empty header cell in their HTML (axe-core's ``empty-table-header``), text form unchanged;
* charts: a KitFigure (and any matplotlib Figure, once lesson_setup ran) is an ``<img>`` with alt text that
  says what the chart shows, and still offers image/png, drawn once;
* check() feedback: an icon and a word on an Okabe–Ito badge with contrast >= 4.5:1, lesson pointers as links
  whose relative path works from exercises/ and notebooks/ and whose #anchor is a heading of that lesson.

The browser side (axe-core in JupyterLab on lessons 00, 03, 06 and an exercise set) is tests/test_a11y.py.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from iraqtalks.data.paths import ROOT
from iraqtalks.teaching import checker
from iraqtalks.teaching.feedback_view import BADGE_TEXT, BADGES, feedback_html, section_anchor
from iraqtalks.views import accessible, plotting

EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(\s|&nbsp;)*</th>")


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    assert accessible.register(sh)
    yield sh


def _fmt(shell, obj):
    data, _ = shell.display_formatter.format(obj)
    return data


TABLES = {
    "plain frame": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    "crosstab (named index and columns)": lambda: pd.crosstab(pd.Series(list("aab"), name="article_id"),
                                                              pd.Series(list("cdc"), name="kind")),
    "multi-index": lambda: pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])),
    "Styler": lambda: pd.DataFrame({"a": [1]}).style,
}


@pytest.mark.parametrize("name", TABLES)
def test_tables_have_no_empty_header_cell_and_the_same_text(shell, name):
    obj = TABLES[name]()
    raw = obj._repr_html_()
    assert EMPTY_TH.search(raw), "pandas itself writes an empty header cell here (else this test proves nothing)"
    data = _fmt(shell, obj)
    assert not EMPTY_TH.search(data["text/html"]), data["text/html"]
    # the same table: the same cells, the corner is an ordinary cell now
    assert re.sub(r"<t[hd]\b", "<t?", data["text/html"]).replace("</th>", "</td>") == \
        re.sub(r"<t[hd]\b", "<t?", raw).replace("</th>", "</td>").replace("&nbsp;", "")
    if not name.startswith("Styler"):
        assert data["text/plain"] == repr(obj)


def _chart():
    fig = plotting.new_figure(6, 3, layout="constrained")
    ax = fig.add_subplot()
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], labels=["a001 · 27–31 Jan", "a002 · 8–11 Feb"])
    plotting.set_labels(ax, "Reports per article", "Events reported", "Article", source="Source: test rows")
    return fig


def test_a_kit_figure_is_an_image_with_a_description(shell):
    fig = _chart()
    calls = []
    original = fig._draw_png
    fig._draw_png = lambda: calls.append(1) or original()
    data = _fmt(shell, fig)
    assert len(calls) == 1, "the <img> and the image/png come from one drawing"
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    img = data["text/html"]
    assert img.startswith('<img src="data:image/png;base64,')
    alt = re.search(r'alt="([^"]*)"', img).group(1)
    assert alt == ("Chart: Reports per article. Across: Events reported (0 to 5). Down: Article, 2 rows: "
                   "a002 · 8–11 Feb; a001 · 27–31 Jan. Source: test rows.")
    fig.alt = 'Written by hand: "quoted"'
    assert 'alt="Written by hand: &quot;quoted&quot;"' in fig._repr_html_()


def test_a_pyplot_figure_gets_a_description_too(shell):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([2024, 2025], [1, 3])
    ax.set_title("Counts")
    try:
        html = _fmt(shell, fig)["text/html"]
    finally:
        plt.close(fig)
    assert 'alt="Chart: Counts. Across: ' in html


def _contrast(a: str, b: str) -> float:
    def lum(hex_colour):
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_feedback_badges_say_it_in_words_icons_and_safe_colours():
    okabe_ito = set(plotting.PALETTE) | {"#BBBBBB"}
    words = [w for _, w, _ in BADGES.values()]
    icons = {s: i for s, (i, _, _) in BADGES.items()}
    assert len(set(words)) == len(words), "every verdict has its own word"
    assert len({icons["correct"], icons["not_yet"], icons["not_answered"]}) == 3
    for status, (_, _word, colour) in BADGES.items():
        assert colour in okabe_ito, status
        assert _contrast(colour, BADGE_TEXT) >= 4.5, (status, colour)
    assert BADGES["correct"][2] != BADGES["not_yet"][2]


@pytest.mark.parametrize("answer, status, word", [(..., "not_answered", "Not answered yet"),
                                                   ("nonsense that is wrong", "not_yet", "Not yet")])
def test_check_shows_the_badge_and_keeps_the_text(answer, status, word):
    keys = checker.load_keys()
    qid = next(q for q, e in keys.items() if e["kind"] == "text")
    checker.reset(qid)
    fb = checker.feedback(qid, answer)
    assert fb.status == status
    html = fb._repr_html_()
    icon = BADGES[status][0]
    assert f'<span aria-hidden="true">{icon}</span> {word}</strong>' in html
    # the text form is what check() prints, starting with the same word
    assert fb.message.startswith(word)
    printed = []
    fb._repr_pretty_(type("P", (), {"text": lambda self, t: printed.append(t)})(), False)
    assert printed == [fb.message]


def test_check_prints_outside_a_notebook(capsys):
    checker.check("03-q1", ...)
    assert capsys.readouterr().out.startswith("Not answered yet: ")


def test_lesson_pointers_are_links_to_the_section():
    keys = checker.load_keys()
    for qid, entry in keys.items():
        if "pointer" not in entry:
            continue
        checker.reset(qid)
        for _ in range(len(entry.get("hints") or []) + 1):
            fb = checker.feedback(qid, object())  # an unreadable answer does not use a hint
            fb = checker.feedback(qid, "x" if entry["kind"] != "number" else 10 ** 9)
        if fb.status != "not_yet" or "You have seen all the hints" not in fb.message:
            continue
        html = fb._repr_html_()
        hrefs = re.findall(r'<a href="([^"]+)">', html)
        assert len(hrefs) == 1, (qid, html)
        path, anchor = hrefs[0].split("#")
        for folder in ("exercises", "notebooks"):
            assert (ROOT / folder / path).resolve().is_file(), (qid, folder, path)
        nb = json.loads((ROOT / "notebooks" / path.split("/")[-1]).read_text(encoding="utf-8"))
        headings = [line.lstrip("#").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                    for line in "".join(c["source"]).splitlines() if line.startswith("#")]
        assert anchor in {section_anchor(h) for h in headings}, (qid, anchor)
        return
    pytest.fail("no question reached its lesson pointer")


def test_feedback_html_escapes_the_message():
    html = feedback_html("format", "Not checked yet: <b>&</b>")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "Not checked yet: " not in html


COMMITTED = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_committed_outputs_have_no_empty_header_and_every_chart_has_alt_text(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    for o in outputs:
        data = o.get("data", {})
        html = data.get("text/html", "")
        assert not EMPTY_TH.search(html), f"{path.name}: an empty header cell in {html[:200]!r}"
        if "image/png" in data:
            alt = re.search(r'<img src="data:image/png;base64,([^"]+)"[^>]* alt="(Chart: [^"]+)"', html)
            assert alt, f"{path.name}: a chart without an <img> with alt text"
            assert alt.group(1).strip() == data["image/png"].strip(), f"{path.name}: the <img> is not the PNG"
