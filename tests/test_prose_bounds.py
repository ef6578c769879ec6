"""The prose says what the rows say about the articles' dates and the coverage (README, lessons).

The page-only date bounds live in data/articles.csv; the README's sources table and the lessons describe them in
words. These tests tie the words to the rows, so an article with no upper bound is never described as having a
range, and the coverage figures in the README are the measured ones.
"""
from __future__ import annotations

import csv
import json
import re

from iraqtalks.data.paths import DATA_DIR, NOTEBOOKS_DIR, ROOT
from iraqtalks.text.labels import NUMBER_WORDS_EN

ARTICLES = list(csv.DictReader(open(DATA_DIR / "articles.csv", encoding="utf-8")))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def sources_table(text: str) -> dict[str, str]:
    """{article_id: 'date the page supports' cell} from the README's sources table."""
    rows = re.findall(r"^\| (a\d{3}) \| [^|]+ \| ([^|]+) \|", text, flags=re.M)
    return {aid: cell.strip() for aid, cell in rows}


def bound_problems(table: dict[str, str], articles: list[dict]) -> list[str]:
    out = []
    for a in articles:
        cell = table.get(a["article_id"])
        if cell is None:
            out.append(f"{a['article_id']}: not in the sources table")
            continue
        no_upper = a["published_end_basis"] == "none"
        if no_upper != ("no upper bound" in cell):
            out.append(f"{a['article_id']}: basis {a['published_end_basis']!r} but the table says {cell!r}")
        if a["published_end_basis"] == "printed" and "printed" not in cell:
            out.append(f"{a['article_id']}: printed date not called printed: {cell!r}")
        if (a["estimate_start"] or a["estimate_end"]) and "estimate" not in cell:
            out.append(f"{a['article_id']}: has an estimate the table does not label: {cell!r}")
    return out


def test_the_readme_sources_table_follows_the_page_only_bounds():
    assert bound_problems(sources_table(README), ARTICLES) == []


def test_a_range_claimed_for_an_article_with_no_upper_bound_is_found():
    table = sources_table(README)
    table["a003"] = "October 2023 to February 2024"
    assert any(p.startswith("a003:") for p in bound_problems(table, ARTICLES))


def _lesson_markdown() -> list[tuple[str, str]]:
    out = []
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        out += [(path.name, "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return out


def test_no_lesson_gives_a_page_only_range_to_an_article_with_no_upper_bound():
    open_ended = [a["article_id"] for a in ARTICLES if a["published_end_basis"] == "none"]
    bad = []
    for name, text in _lesson_markdown():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if "page-only range" in sentence and any(aid in sentence for aid in open_ended):
                bad.append((name, sentence))
    assert bad == []


def test_the_readme_coverage_figures_are_the_measured_ones():
    rows = list(csv.DictReader(open(DATA_DIR / "sentence_coverage.csv", encoding="utf-8")))
    with_facts = sum(1 for r in rows if int(r["facts"] or 0) > 0)
    with_reason = sum(1 for r in rows if int(r["facts"] or 0) == 0 and r["reason"])
    text = " ".join(README.split())
    texts = NUMBER_WORDS_EN[len({r["article_id"] for r in rows})]
    assert f"of the {len(rows)} sentences of the {texts} clean texts, {with_facts} hold the" in text
    assert f"and {with_reason} (" in text
