"""Numbers in the news (lesson 05): the hedges around a figure and the same quantity compared across articles,
with one verdict per quantity.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..data.descriptor import enum_labels
from ..text.vietnamese import fold_case
from .common import as_list, as_text, get_table, known_keys, need_columns


def hedge_words(*, data_dir=None) -> dict[str, list[str]]:
    """The hedges of the numbers table (numbers.qualifier), in the schema's order, with the English words that say
    the same ('about': ['about', 'around', ...]); declared in datapackage.json (``x-enum-labels``)."""
    return enum_labels("numbers", "qualifier", "words_en", data_dir=data_dir)


def hedge_meaning(*, data_dir=None) -> dict[str, str]:
    """What each hedge means, in a few words: 'about: the true figure may be a little higher or lower'
    (its English label and meaning, declared in datapackage.json)."""
    return {q: f"{lab['en']}: {lab['meaning']}" for q, lab in enum_labels("numbers", "qualifier", data_dir=data_dir).items()}


def __getattr__(name: str):
    """HEDGES_EN and HEDGE_MEANING, the kit's hedges (read from the kit's datapackage.json when first used)."""
    if name == "HEDGES_EN":
        return {q: tuple(w) for q, w in hedge_words().items()}
    if name == "HEDGE_MEANING":
        return hedge_meaning()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _figure_text(row) -> str:
    """'khoảng 2.500', 'ít nhất 150', 'hàng trăm', '3': the number with its hedge, as printed."""
    hedge = row["qualifier_as_written"]
    written = row["value_as_written"]
    if not hedge or hedge.casefold() == written.casefold():
        return written
    return f"{hedge} {written}"


def numbers_table(*, data_dir=None, tables=None) -> pd.DataFrame:
    num = get_table("numbers", data_dir=data_dir, tables=tables)
    need_columns(num, "numbers", ["number_id", "article_id", "value_as_written", "value", "qualifier", "measure_id"])
    out = num.copy()
    for c in ("number_id", "article_id", "value_as_written", "qualifier", "measure_id"):
        out[c] = as_text(out[c])
    out["qualifier_as_written"] = as_text(out["qualifier_as_written"]) if "qualifier_as_written" in out else ""
    out["value"] = pd.to_numeric(out["value"].astype("string").replace("", pd.NA), errors="coerce").astype("Float64")
    known = list(hedge_words(data_dir=data_dir))
    bad = ~out["qualifier"].isin(known)
    if bad.any():
        r = out[bad].iloc[0]
        raise ValueError(f"numbers {r['number_id']}: unknown qualifier {r['qualifier']!r}; "
                         f"expected one of {', '.join(known)}")
    out["figure"] = [_figure_text(r) for _, r in out.iterrows()]
    return out


def hedges(*, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The hedges the articles put before numbers: qualifier, as_written (each spelling), meaning, numbers, examples.

    One row per qualifier that occurs, in the schema's order ('exact' first); ``examples`` lists
    number_ids so you can ``cite("numbers", id)`` any of them.
    """
    num = numbers_table(data_dir=data_dir, tables=tables)
    rows = []
    meaning = hedge_meaning(data_dir=data_dir)
    for q in meaning:
        grp = num[num["qualifier"] == q]
        if grp.empty:
            continue
        written = [w for w in dict.fromkeys(grp["qualifier_as_written"]) if w]
        rows.append({"qualifier": q, "as_written": ", ".join(written) or "(none)", "meaning": meaning[q],
                     "numbers": len(grp), "examples": ", ".join(grp["number_id"].head(3))})
    return pd.DataFrame(rows, columns=["qualifier", "as_written", "meaning", "numbers", "examples"])


def number_verdict(grp: pd.DataFrame) -> str:
    """The one verdict on one quantity across articles (see :func:`compare_numbers`).  Vague amounts are
    compared by their words, casefolded and NFC: 'Hàng trăm' and 'hàng trăm' are the same figure."""
    per_article = {a: frozenset(zip(g["value"].astype(object).where(g["value"].notna(), None), g["qualifier"],
                                    g["value_as_written"].where(g["value"].isna(), "").map(fold_case)))
                   for a, g in grp.groupby("article_id")}
    if len(set(per_article.values())) == 1:
        return "same figure"
    values = set(grp["value"].dropna().astype(float))
    vague = grp["value"].isna().any()
    if not values:
        return "only vague amounts"
    if vague:
        return "figures and vague amounts"
    if len(values) == 1:
        return "same value, different hedges"
    return "different values"


def compare_numbers(measure_ids: str | Iterable[str] | None = None, *, min_articles: int = 2, data_dir=None,
                    tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The same quantity (``measure_id``) across articles: one row per measure, one column per article.

    A cell shows the figure as printed with its hedge ('khoảng 2.500'), several joined by ' / '.
    ``unit`` and ``verdict`` follow:

    * same figure — every article gives the same value with the same hedge ('ba' and '3' are the same figure);
    * same value, different hedges — e.g. '2.500' in one article and 'khoảng 2.500' (about 2,500) in another;
    * different values; only vague amounts ('hàng trăm'); figures and vague amounts.

    By default measures given by at least `min_articles` articles; name `measure_ids` to see any.
    A shared measure_id says the kit grouped the figures; check ``counted_en`` and ``as_of`` before
    treating them as the same thing.  ("same figure" is exactly what ``source_comparison`` lists as agreeing.)
    """
    num = numbers_table(data_dir=data_dir, tables=tables)
    ids = as_list(measure_ids)
    if ids:
        known_keys(ids, num["measure_id"], "measure_id(s)")
        num = num[num["measure_id"].isin(ids)]
    articles = sorted(set(num["article_id"]))
    rows = {}
    for measure, grp in num.groupby("measure_id", sort=True):
        if not ids and grp["article_id"].nunique() < min_articles:
            continue
        row = {"unit": as_text(grp["unit"]).iloc[0] if "unit" in grp else "", "articles": grp["article_id"].nunique()}
        for a in articles:
            row[a] = " / ".join(grp.loc[grp["article_id"] == a, "figure"])
        row["verdict"] = number_verdict(grp)
        rows[measure] = row
    cols = ["unit", "articles", *articles, "verdict"]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    if ids:
        out = out.reindex([i for i in ids if i in out.index])
    if out.empty:
        out = pd.DataFrame(columns=cols)
    else:
        out = out.sort_values(["articles"], ascending=False, kind="stable")
    out.index.name = "measure_id"
    return out
