"""Offline lateral reading: which texts contain a phrase, a name or a number?

    from iraqtalks import lateral_search, lateral_view
    lateral_search("Alaadin")        # a DataFrame: every seed sentence and upstream excerpt that contains it
    lateral_view("2,500")            # the same as an HTML table, matches highlighted (all text escaped)

The texts searched are all in the repository, so this works in a classroom with no internet:

- the five clean seeds, one row per sentence (``sentences.csv``), in Vietnamese, with the kit's English
  where a fact row's evidence lies inside that sentence (``english``);
- the upstream excerpts (``upstream_reports.excerpt`` and ``upstream_links.upstream_excerpt``): OUTSIDE
  evidence, mostly English, each with its report, outlet and the URL of the copy that was read.

Matching ignores case and accents (``dam phan`` finds ``đàm phán``), treats curly and straight quotes
alike, and reads a dot or comma that groups thousands as nothing, so ``2.500``, ``2,500`` and ``2500``
find one another (``8.2``, a date, stays ``8.2``). A number never matches inside a longer number
(``150`` does not find ``2150``). Nothing is fetched: the search reads local files only.
"""
from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..data.descriptor import evidence_spec, read_package
from ..data.loader import load
from ..text.clean import restore_obfuscation

__all__ = ["normalise", "search", "to_html", "view", "COLUMNS"]

#: Columns of the result, in order.
COLUMNS = ["source", "id", "article_id", "outlet", "language", "text", "english", "url"]

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_GROUP_SEP = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")  # 2.500 / 2,500 -> 2500; not 8.2, not 1.5


def _fold_char(ch: str) -> str:
    ch = ch.translate(_QUOTES)
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base.casefold()


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded for matching, and for each folded character the index of the character it came from."""
    text = unicodedata.normalize("NFC", text)
    drop = {m.start() for m in _GROUP_SEP.finditer(text)}
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if i in drop:
            continue
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            out.append(" ")
            where.append(i)
            continue
        for c in _fold_char(ch):
            out.append(c)
            where.append(i)
    return "".join(out), where


def normalise(text: str) -> str:
    """Text folded the way the search compares it: no case, no accents, no thousands separators.

    >>> normalise("Mỹ có 2.500 quân"), normalise("2,500 troops"), normalise("ngày 8.2")
    ('my co 2500 quan', '2500 troops', 'ngay 8.2')
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
    return _normalise_with_map(text)[0].strip()


def _pattern(query: str) -> re.Pattern:
    q = normalise(query)
    if not q:
        raise ValueError("lateral search: type a phrase, a name or a number to look for (the query is empty)")
    left = r"(?<!\d)" if q[0].isdigit() else ""
    right = r"(?!\d)" if q[-1].isdigit() else ""
    return re.compile(left + re.escape(q) + right)


def _english_by_sentence(data_dir, sentences: pd.DataFrame) -> dict[str, str]:
    """sentence_id -> the kit's English of every fact row whose evidence lies inside that sentence."""
    pkg = read_package(data_dir=data_dir)
    out: dict[str, list[str]] = {}
    by_article = {a: list(g.itertuples(index=False)) for a, g in sentences.groupby("article_id", observed=True)}
    for res in pkg["resources"]:
        ev = evidence_spec(res)
        if ev is None or res.get("x-outside"):
            continue
        names = [f["name"] for f in res["schema"]["fields"]]
        if "evidence_en" not in names:
            continue
        table = load(res["name"], data_dir=data_dir)
        for row in table.itertuples(index=False):
            aid = str(getattr(row, ev["article_field"]))
            quote = restore_obfuscation(str(getattr(row, ev["quote_fields"][0])))[0]
            en = row.evidence_en
            if pd.isna(en):
                continue
            for s in by_article.get(aid, []):
                if quote in s.text:
                    bucket = out.setdefault(s.sentence_id, [])
                    if en not in bucket:
                        bucket.append(str(en))
    return {k: " / ".join(v) for k, v in out.items()}


_CORPUS_CACHE: dict[str, pd.DataFrame] = {}


def corpus(*, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every searchable text (seed sentences, then upstream excerpts), with the COLUMNS of a result."""
    key = str(data_dir)
    if key in _CORPUS_CACHE:
        return _CORPUS_CACHE[key].copy()
    sentences = load("sentences", data_dir=data_dir)
    articles = load("articles", data_dir=data_dir)
    outlet_of = {r.article_id: ("" if pd.isna(r.outlet_id) else str(r.outlet_id)) for r in articles.itertuples()}
    english = _english_by_sentence(data_dir, sentences)
    rows = []
    for s in sentences.itertuples(index=False):
        rows.append({"source": "seed", "id": s.sentence_id, "article_id": str(s.article_id),
                     "outlet": outlet_of.get(s.article_id, ""), "language": "vi", "text": s.text,
                     "english": english.get(s.sentence_id, ""), "url": ""})
    reports = load("upstream_reports", data_dir=data_dir)
    links = load("upstream_links", data_dir=data_dir)
    seen = set()
    for r in reports.itertuples(index=False):
        texts = [r.excerpt] + [x for x in links.loc[links.report_id == r.report_id, "upstream_excerpt"]]
        for t in texts:
            if (r.report_id, t) in seen:
                continue
            seen.add((r.report_id, t))
            rows.append({"source": "upstream", "id": r.report_id,
                         "article_id": "" if pd.isna(r.found_for) else str(r.found_for),
                         "outlet": r.outlet, "language": str(r.language), "text": t,
                         "english": t if str(r.language) == "en" else "", "url": r.url})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    _CORPUS_CACHE[key] = frame
    return frame.copy()


def search(query: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every seed sentence and upstream excerpt that contains `query` (case-, accent- and number-form-insensitive).

    Returns a DataFrame with COLUMNS: source ('seed' or 'upstream'), id (sentence_id or report_id),
    article_id (the seed; for upstream rows the seed whose tracing found the report), outlet,
    language, text (as written), english (the kit's English for a seed sentence where a fact row
    gives one; the text itself for an English excerpt) and url (the copy read, upstream rows only).
    """
    if not isinstance(query, str):
        raise TypeError(f"lateral search: the query is a str (a phrase, a name or a number), not {type(query).__name__}")
    pat = _pattern(query)
    frame = corpus(data_dir=data_dir)
    hit = [bool(pat.search(normalise(t))) for t in frame["text"]]
    out = frame[hit].reset_index(drop=True)
    out.attrs["query"] = query
    return out


def _highlight(text: str, pat: re.Pattern) -> str:
    folded, where = _normalise_with_map(text)
    spans = []
    for m in pat.finditer(folded):
        if m.end() > m.start():
            spans.append((where[m.start()], where[m.end() - 1] + 1))
    out, pos = [], 0
    for a, b in spans:
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def to_html(result: pd.DataFrame, query: str | None = None) -> str:
    """An HTML table of a search result: every cell escaped, the matches marked, URLs shown as text."""
    query = query if query is not None else result.attrs.get("query", "")
    pat = _pattern(query) if query and normalise(query) else None
    n_seed = int((result["source"] == "seed").sum())
    n_up = int((result["source"] == "upstream").sum())
    head = (f"<p><b>{html.escape(query)}</b>: {n_seed} seed sentence(s), {n_up} upstream excerpt(s). "
            "Upstream rows are outside evidence, not the pages' own words.</p>")
    if result.empty:
        return head + "<p>No text contains it. Try a shorter phrase, another spelling, or the number alone.</p>"
    cells = ["<table><thead><tr><th>source</th><th>id</th><th>article</th><th>outlet</th><th>text</th>"
             "<th>English</th></tr></thead><tbody>"]
    for r in result.itertuples(index=False):
        text = _highlight(str(r.text), pat) if pat else html.escape(str(r.text))
        english = "" if r.english == r.text else html.escape(str(r.english))
        where = html.escape(str(r.id))
        if r.url:
            where += "<br><small>" + html.escape(str(r.url)) + "</small>"
        cells.append(f"<tr><td>{html.escape(str(r.source))}</td><td>{where}</td><td>{html.escape(str(r.article_id))}"
                      f"</td><td>{html.escape(str(r.outlet))}</td><td lang=\"{html.escape(str(r.language))}\">{text}"
                      f"</td><td>{english}</td></tr>")
    cells.append("</tbody></table>")
    return head + "".join(cells)


class _View:
    """Shows as HTML in a notebook and as plain text elsewhere."""

    def __init__(self, result: pd.DataFrame, query: str):
        self.result, self.query = result, query

    def _repr_html_(self) -> str:
        return to_html(self.result, self.query)

    def __repr__(self) -> str:
        lines = [f"{self.query!r}: {len(self.result)} text(s)"]
        for r in self.result.itertuples(index=False):
            lines.append(f"  {r.source:<8} {r.id:<14} {r.text[:90]}")
        return "\n".join(lines)


def view(query: str, *, data_dir: str | Path | None = None) -> _View:
    """search(query) as an object a notebook shows as an HTML table (escaped, matches marked)."""
    return _View(search(query, data_dir=data_dir), query)
