"""Evidence checks: every evidence quote of a hand-made table lies, verbatim, in its article's seed.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from . import seeds as _seeds
from .csvtext import _parse, _Parsed
from .descriptor import ARTICLES, _resource
from .paths import seeds_dir_for
from .problems import Problem, _closest, _display, _folder_display, _show


def _articles_map(dd: Path, pkg: dict) -> dict[str, tuple[str, int]]:
    """article_id -> (seed_file, spreadsheet row in articles.csv), read from the (possibly broken) manifest."""
    parsed = _parse(dd / _resource(pkg, ARTICLES)["path"])
    if not parsed.has("article_id", "seed_file"):
        return {}
    out: dict[str, tuple[str, int]] = {}
    for row, a, sf in zip(parsed.rows, parsed.column("article_id"), parsed.column("seed_file")):
        if a and sf and a not in out:
            out[a] = (sf, int(row))
    return out


def _seed_text(seeds_dir: Path, seed_file: str) -> str | None:
    try:
        return _seeds.read_raw(seed_file, seeds_dir)
    except _seeds.SeedError:
        return None


def _quote_hint(quote: str, seed: str, others: dict[str, str]) -> str:
    """Why a quote is not found verbatim in its seed, as far as can be told."""
    norm = unicodedata.normalize("NFC", quote)
    if norm != quote and norm in seed:
        return "it matches once normalised to NFC (see the NFC problem)"
    if " ".join(quote.split()) in " ".join(seed.split()):
        return "it matches if spaces and line breaks are ignored: copy the spacing exactly as in the seed"
    straight = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "„": '"'})
    if quote.translate(straight) in seed.translate(straight):
        return "it matches if the quotation marks are ignored: copy the seed's own quotation marks"
    if quote.casefold() in seed.casefold():
        return "it matches if upper and lower case are ignored: copy the capitals exactly"
    for aid, text in others.items():
        if quote in text:
            return f"it is in the seed of article {aid}: is article_id wrong?"
    lo, hi = 0, len(quote)
    while lo < hi:  # the longest start of the quote that the seed contains
        mid = (lo + hi + 1) // 2
        if quote[:mid] in seed:
            lo = mid
        else:
            hi = mid - 1
    if lo >= 3:
        return (f"the first {lo} characters match the seed; it differs from there: "
                f"{quote[max(0, lo - 15):lo]!r} is followed in the quote by {quote[lo:lo + 15]!r}")
    return "even its start does not occur in the seed: copy the quote from the seed with copy and paste"


def _check_evidence(dd: Path, pkg: dict, res: dict, shown: str, parsed: _Parsed, missing: np.ndarray,
                    ev: dict) -> tuple[list[Problem], int]:
    out: list[Problem] = []
    col, rows = parsed.col, parsed.rows
    afield = ev["article_field"]
    qfields = [q for q in ev["quote_fields"] if q in col]
    if afield not in col or not qfields:
        return out, 0  # the header problem is already reported
    amap = _articles_map(dd, pkg)
    articles_shown = _display(dd / _resource(pkg, ARTICLES)["path"])
    if not amap:
        return [Problem(shown, message=(f"the evidence quotes were not checked, because {articles_shown} (the list "
                                        "of articles and their seed files) cannot be read; see its problems"))], 0
    sdir = seeds_dir_for(dd)
    seeds_shown = _folder_display(sdir)
    texts: dict[str, str | None] = {aid: _seed_text(sdir, sf) for aid, (sf, _) in amap.items()}
    found_count = 0
    articles = parsed.column(afield)

    for q in qfields:
        s = parsed.column(q)
        have = ~missing[:, col[q]]
        multi = have & np.fromiter(("\n" in v or "\r" in v for v in s), dtype=bool, count=len(s))
        for r in multi.nonzero()[0]:
            out.append(Problem(shown, row=int(rows[r]), column=q, found=s[r], expected="a quote on a single line",
                               message=("an evidence quote never spans lines: quote one line of the seed "
                                        "(use two rows if you need two lines)")))
        for r in (have & ~multi).nonzero()[0]:
            aid, v = articles[r], s[r]
            if aid not in amap:
                if aid:
                    near = _closest(aid, amap)
                    out.append(Problem(
                        shown, row=int(rows[r]), column=afield, found=aid,
                        expected=f"an article_id listed in {articles_shown}",
                        message=f"so its {q} cannot be checked against a seed"
                                + (f"; did you mean {near!r}?" if near else "")))
                continue
            seed = texts[aid]
            if seed is None:
                out.append(Problem(
                    shown, row=int(rows[r]), column=q, found=v,
                    expected=f"a quote from {seeds_shown}{amap[aid][0]}",
                    message=f"that seed file cannot be read (see {articles_shown}, row {amap[aid][1]})",
                    kind=f"seed-unreadable:{aid}"))
                continue
            if v in seed:
                found_count += 1
                continue
            others = {a: t for a, t in texts.items() if a != aid and t}
            out.append(Problem(
                shown, row=int(rows[r]), column=q, found=v,
                expected=f"text copied exactly from the seed {seeds_shown}{amap[aid][0]} (article {aid})",
                message="it is not in that seed; " + _quote_hint(v, seed, others)))

    quotes = [parsed.column(q) for q in qfields]
    for w in ev["within_evidence"]:
        if w not in col:
            continue
        s = parsed.column(w)
        for r in (~missing[:, col[w]]).nonzero()[0]:
            if not any(s[r] in qs[r] for qs in quotes):
                out.append(Problem(
                    shown, row=int(rows[r]), column=w, found=s[r],
                    expected=f"text that occurs inside this row's {' / '.join(qfields)}",
                    message=(f"{w} must be copied from the quote ({_show(quotes[0][r], 60)}): "
                             "fix the spelling, or extend the quote so it contains it")))
    return out, found_count
