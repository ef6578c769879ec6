"""Small analyses for lessons 04–07: who is who, numbers, sources and framing, and the capstone brief.

Every function returns a plain pandas DataFrame (or a matplotlib Figure) built from the kit's tables,
so a lesson cell stays one line and the learner can keep working with pandas::

    from iraqtalks import analysis
    analysis.name_variants(["sudani"])          # every spelling of one actor, article by article
    analysis.compare_numbers()                  # the same quantity across articles, with a verdict
    analysis.source_note_sides("sn02-attack-count")   # both sides of a disagreement, with evidence

Tables are loaded from ``data_dir`` (default: the kit's data/).  Each function also takes
``tables={"numbers": df, ...}`` to use DataFrames of your own instead (a teacher's edited copy, or a
small made-up table to try an idea on).  The event coverage and the article-by-article comparison
live in :mod:`iraqtalks.widgets` (``coverage_matrix``, ``coverage_heatmap``, ``source_comparison``);
this module does not repeat them.

The capstone's :class:`Brief` ties each sentence of a learner's brief to rows of the tables,
checks it against a checklist and exports it to Markdown with a footnote per claim.
"""
from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import plotting
from .evidence import _primary_key, cite
from .paths import EXPORTS_DIR
from .schema import load as _load, table_names
from .widgets import PRECISION, _MONTHS_EN as _MONTHS, date_text

#: The hedges of the numbers table, in the schema's order, with the English words that say the same.
HEDGES_EN: dict[str, tuple[str, ...]] = {
    "exact": (),
    "about": ("about", "around", "roughly", "approximately", "some", "an estimated"),
    "more_than": ("more than", "over"),
    "at_least": ("at least",),
    "less_than": ("less than", "fewer than", "under", "within"),
    "nearly": ("nearly", "almost"),
    "vague": ("hundreds", "dozens", "several", "many", "scores"),
}

#: What each hedge means, in a few words.
HEDGE_MEANING: dict[str, str] = {
    "exact": "no hedge: printed as an exact figure",
    "about": "about: the true figure may be a little higher or lower",
    "more_than": "more than: a floor, the figure is above it",
    "at_least": "at least: a floor, the figure may equal it",
    "less_than": "less than: a ceiling, the figure is below it",
    "nearly": "nearly: just under the figure",
    "vague": "a vague amount: no figure at all",
}

#: Colour for each hedge in :func:`measure_chart` (Okabe–Ito; black for vague amounts, which are text).
HEDGE_COLOURS: dict[str, str] = dict(zip(HEDGES_EN, plotting.PALETTE[:6] + (plotting.PALETTE[7],)))

#: Marker shape for each hedge in :func:`measure_chart` (a triangle points the way the hedge leans).
HEDGE_MARKERS: dict[str, str] = {
    "exact": "o", "about": "D", "more_than": ">", "at_least": ">", "less_than": "<", "nearly": "<", "vague": "s",
}

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _table(name: str, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One table: from `tables` if given there, else loaded (typed and checked) from `data_dir`."""
    if tables is not None and name in tables and tables[name] is not None:
        df = tables[name]
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"tables[{name!r}]: expected a pandas DataFrame, found {type(df).__name__}")
        return df.copy()
    return _load(name, data_dir)


def _need(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"the {table} table has no column(s) {', '.join(missing)}; "
                       f"found: {', '.join(map(str, df.columns))}")


def _text(s: pd.Series) -> pd.Series:
    """A text column as plain str, '' for missing (works for object, string and Categorical columns)."""
    return s.astype("string").fillna("").astype(object)


def _known(values: Iterable[str], known: Iterable[str], what: str) -> list[str]:
    values, known = list(values), list(dict.fromkeys(known))
    unknown = [v for v in values if v not in known]
    if unknown:
        hints = []
        for v in unknown:
            close = difflib.get_close_matches(str(v), [str(k) for k in known], n=1)
            hints.append(f"{v!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise KeyError(f"unknown {what}: {', '.join(hints)}")
    return values


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


# --------------------------------------------------------------------------------------------
# Lesson 04: who is who
# --------------------------------------------------------------------------------------------


def actor_roles(kinds: str | Iterable[str] | None = None, data_dir=None, *,
                tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The actors with the name of the actor each belongs to (``affiliation``), optionally only some `kinds`.

    Columns: actor_id, name_en, kind, role_en, affiliation_id, affiliation, country, article_id,
    evidence, evidence_en.  `kinds` is one kind or several (person, anonymous_source, government, ...).
    """
    act = _table("actors", data_dir, tables)
    _need(act, "actors", ["actor_id", "name_en", "kind", "role_en", "affiliation_id"])
    names = dict(zip(_text(act["actor_id"]), _text(act["name_en"])))
    out = act.copy()
    aff = _text(out["affiliation_id"])
    out.insert(out.columns.get_loc("affiliation_id") + 1, "affiliation",
               [names.get(a, a) if a else "" for a in aff])
    out["affiliation"] = out["affiliation"].replace("", pd.NA)
    wanted = _as_list(kinds)
    if wanted:
        allowed = (list(act["kind"].cat.categories) if isinstance(act["kind"].dtype, pd.CategoricalDtype)
                   else list(_text(act["kind"]).unique()))
        _known(wanted, allowed, "actor kind(s)")
        out = out[_text(out["kind"]).isin(wanted)]
    return out.reset_index(drop=True)


def resolve_names(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every name as written (actor_names), joined to the one actor it stands for (actors).

    Columns: article_id, name_as_written, name_type, actor_id, name_en, kind, evidence, evidence_en.
    Raises KeyError naming any actor_id in actor_names that the actors table does not have.
    """
    names = _table("actor_names", data_dir, tables)
    act = _table("actors", data_dir, tables)
    _need(names, "actor_names", ["actor_id", "article_id", "name_as_written", "name_type", "evidence", "evidence_en"])
    _need(act, "actors", ["actor_id", "name_en", "kind"])
    unknown = sorted(set(_text(names["actor_id"])) - set(_text(act["actor_id"])))
    if unknown:
        raise KeyError(f"actor_names uses actor_id(s) the actors table does not have: {', '.join(unknown)}")
    merged = names.merge(act[["actor_id", "name_en", "kind"]], on="actor_id", how="left", validate="many_to_one")
    cols = ["article_id", "name_as_written", "name_type", "actor_id", "name_en", "kind", "evidence", "evidence_en"]
    return merged[cols].sort_values(["actor_id", "article_id"], kind="stable").reset_index(drop=True)


def name_variants(actor_ids: str | Iterable[str] | None = None, *, min_spellings: int = 2,
                  name_types: str | Iterable[str] | None = None, sep: str = " / ", data_dir=None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Each actor's spellings, pivoted by article: one row per actor, one column per article.

    A cell lists the distinct ways that article writes the actor (joined by `sep`); empty where the
    article does not name it.  `spellings` counts distinct spellings over all the articles shown.
    By default only actors written in at least `min_spellings` ways are listed; name them in
    `actor_ids` to see any actor.  `name_types` keeps only some kinds of name (full, short, title,
    metonym, abbreviation).  The index is the actor's canonical English name (``name_en``).
    """
    res = resolve_names(data_dir, tables=tables)
    ids = _as_list(actor_ids)
    if ids:
        _known(ids, res["actor_id"], "actor_id(s)")
        res = res[res["actor_id"].isin(ids)]
    types = _as_list(name_types)
    if types:
        res = res[_text(res["name_type"]).isin(types)]
    articles = sorted(_text(_table("articles", data_dir, tables)["article_id"])) if (
        tables is None or "articles" in tables) else sorted(set(res["article_id"]))
    rows = {}
    for actor, grp in res.groupby("actor_id", sort=False):
        spellings = list(dict.fromkeys(grp["name_as_written"]))
        if not ids and len(spellings) < min_spellings:
            continue
        row = {"name_en": grp["name_en"].iloc[0], "spellings": len(spellings)}
        for a in articles:
            row[a] = sep.join(dict.fromkeys(grp.loc[grp["article_id"] == a, "name_as_written"]))
        rows[actor] = row
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["name_en", "spellings", *articles])
    if ids:
        out = out.reindex([i for i in ids if i in out.index])
    else:
        out = out.sort_values(["spellings", "name_en"], ascending=[False, True], kind="stable")
    out = out.set_index("name_en")
    out.index.name = "actor"
    out.columns.name = "article_id"
    return out


def string_vs_entity(*, casefold: bool = False, min_articles: int = 2, data_dir=None,
                     tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """What goes wrong if you count articles by name string instead of by actor.

    One row per actor named in at least `min_articles` articles: ``articles`` (how many articles
    name the actor in any form), ``spellings`` (distinct strings), ``best_string`` (the string that
    reaches most articles), ``best_string_articles`` (how many it reaches) and ``missed`` (articles a
    search for that one string would miss).  ``casefold=True`` treats 'Lầu năm góc' and
    'Lầu Năm Góc' as one string, as a case-insensitive search would.  Sorted by ``missed``.
    """
    res = resolve_names(data_dir, tables=tables)
    res["string"] = res["name_as_written"].str.casefold() if casefold else res["name_as_written"]
    rows = []
    for actor, grp in res.groupby("actor_id", sort=True):
        n_articles = grp["article_id"].nunique()
        if n_articles < min_articles:
            continue
        reach = grp.groupby("string", sort=True)["article_id"].nunique()
        best = reach.sort_values(ascending=False, kind="stable").index[0]
        rows.append({"actor_id": actor, "name_en": grp["name_en"].iloc[0], "articles": n_articles,
                     "spellings": grp["string"].nunique(), "best_string": best,
                     "best_string_articles": int(reach[best]), "missed": n_articles - int(reach[best])})
    cols = ["actor_id", "name_en", "articles", "spellings", "best_string", "best_string_articles", "missed"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["missed", "articles", "actor_id"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def count_mentions(text: str, *, case: bool = True, data_dir=None,
                   tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """How often `text` occurs in each article's clean text (the sentences table): a Ctrl-F over the kit.

    One row per article (zero where it never occurs): article_id, mentions, first (the first
    sentence it occurs in, or empty).  ``case=False`` ignores upper/lower case.  Words the seeds hide
    behind dots (a004) are restored in the clean text, so search for the plain word.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"count_mentions: give a non-empty piece of text to search for, found {text!r}")
    sent = _table("sentences", data_dir, tables)
    _need(sent, "sentences", ["article_id", "text"])
    arts = _table("articles", data_dir, tables) if (tables is None or "articles" in tables) else None
    ids = sorted(_text(arts["article_id"])) if arts is not None else sorted(set(_text(sent["article_id"])))
    flags = 0 if case else re.IGNORECASE
    rx = re.compile(re.escape(text), flags)
    counts = {a: 0 for a in ids}
    first = {a: "" for a in ids}
    for a, s in zip(_text(sent["article_id"]), _text(sent["text"])):
        n = len(rx.findall(s))
        if n:
            counts[a] = counts.get(a, 0) + n
            if not first.get(a):
                first[a] = s
    return pd.DataFrame({"article_id": list(counts), "mentions": list(counts.values()),
                         "first": [first.get(a, "") for a in counts]})


def anonymous_counts(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Quotes per article, and how many come from anonymous sources (actors of kind anonymous_source).

    Columns: article_id, quotes, anonymous, named, share_anonymous (0–1, two decimals), sources (the
    anonymous speakers' English names, joined by '; ').  Every article is listed, with 0 if it quotes nobody.
    """
    q = _table("quotes", data_dir, tables)
    act = _table("actors", data_dir, tables)
    _need(q, "quotes", ["article_id", "speaker_id"])
    kinds = dict(zip(_text(act["actor_id"]), _text(act["kind"])))
    names = dict(zip(_text(act["actor_id"]), _text(act["name_en"])))
    arts = _table("articles", data_dir, tables) if (tables is None or "articles" in tables) else None
    ids = sorted(_text(arts["article_id"])) if arts is not None else sorted(set(_text(q["article_id"])))
    rows = []
    for a in ids:
        speakers = _text(q.loc[_text(q["article_id"]) == a, "speaker_id"])
        anon = [s for s in speakers if kinds.get(s) == "anonymous_source"]
        total = len(speakers)
        rows.append({"article_id": a, "quotes": total, "anonymous": len(anon), "named": total - len(anon),
                     "share_anonymous": round(len(anon) / total, 2) if total else 0.0,
                     "sources": "; ".join(dict.fromkeys(names.get(s, s) for s in anon))})
    return pd.DataFrame(rows, columns=["article_id", "quotes", "anonymous", "named", "share_anonymous", "sources"])


# --------------------------------------------------------------------------------------------
# Lesson 05: numbers
# --------------------------------------------------------------------------------------------


def _figure_text(row) -> str:
    """'khoảng 2.500', 'ít nhất 150', 'hàng trăm', '3': the number with its hedge, as printed."""
    hedge = row["qualifier_as_written"]
    written = row["value_as_written"]
    if not hedge or hedge.casefold() == written.casefold():
        return written
    return f"{hedge} {written}"


def _numbers(data_dir, tables) -> pd.DataFrame:
    num = _table("numbers", data_dir, tables)
    _need(num, "numbers", ["number_id", "article_id", "value_as_written", "value", "qualifier", "measure_id"])
    out = num.copy()
    for c in ("number_id", "article_id", "value_as_written", "qualifier", "measure_id"):
        out[c] = _text(out[c])
    out["qualifier_as_written"] = _text(out["qualifier_as_written"]) if "qualifier_as_written" in out else ""
    out["value"] = pd.to_numeric(out["value"].astype("string").replace("", pd.NA), errors="coerce").astype("Float64")
    bad = ~out["qualifier"].isin(list(HEDGES_EN))
    if bad.any():
        r = out[bad].iloc[0]
        raise ValueError(f"numbers {r['number_id']}: unknown qualifier {r['qualifier']!r}; "
                         f"expected one of {', '.join(HEDGES_EN)}")
    out["figure"] = [_figure_text(r) for _, r in out.iterrows()]
    return out


def hedges(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The hedges the articles put before numbers: qualifier, as_written (each spelling), meaning, numbers, examples.

    One row per qualifier that occurs, in the schema's order ('exact' first); ``examples`` lists
    number_ids so you can ``cite("numbers", id)`` any of them.
    """
    num = _numbers(data_dir, tables)
    rows = []
    for q in HEDGES_EN:
        grp = num[num["qualifier"] == q]
        if grp.empty:
            continue
        written = [w for w in dict.fromkeys(grp["qualifier_as_written"]) if w]
        rows.append({"qualifier": q, "as_written": ", ".join(written) or "(none)", "meaning": HEDGE_MEANING[q],
                     "numbers": len(grp), "examples": ", ".join(grp["number_id"].head(3))})
    return pd.DataFrame(rows, columns=["qualifier", "as_written", "meaning", "numbers", "examples"])


def _verdict(grp: pd.DataFrame) -> str:
    per_article = {a: frozenset(zip(g["value"].astype(object).where(g["value"].notna(), None), g["qualifier"],
                                    g["value_as_written"].where(g["value"].isna(), "")))
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
    num = _numbers(data_dir, tables)
    ids = _as_list(measure_ids)
    if ids:
        _known(ids, num["measure_id"], "measure_id(s)")
        num = num[num["measure_id"].isin(ids)]
    articles = sorted(set(num["article_id"]))
    rows = {}
    for measure, grp in num.groupby("measure_id", sort=True):
        if not ids and grp["article_id"].nunique() < min_articles:
            continue
        row = {"unit": _text(grp["unit"]).iloc[0] if "unit" in grp else "", "articles": grp["article_id"].nunique()}
        for a in articles:
            row[a] = " / ".join(grp.loc[grp["article_id"] == a, "figure"])
        row["verdict"] = _verdict(grp)
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


def measure_chart(measure_ids: str | Iterable[str], *, title: str | None = None, xlabel: str | None = None,
                  labels: Mapping[str, str] | None = None, ax=None, data_dir=None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> Figure:
    """A dot chart of every figure given for one or more measures: one row per number, grouped by measure.

    The dot sits at the value; its shape and colour show the hedge, and a short arrow shows which
    way a hedge leans (more than / at least →, less than / nearly ←).  Vague amounts have no value:
    they are written at the left edge.  Each row is labelled with the article and the figure as
    printed.  `labels` maps measure_id to a short English label for the group headings
    (default: the measure's ``counted_en``); the x axis is labelled with the first measure's unit unless
    `xlabel` is given.  Returns the Figure (drawn on `ax` if given).
    """
    ids = _as_list(measure_ids)
    if not ids:
        raise ValueError("measure_chart: name at least one measure_id")
    num = _numbers(data_dir, tables)
    _known(ids, num["measure_id"], "measure_id(s)")
    labels = dict(labels or {})
    rows = []  # (label, value, qualifier, figure) ; headings have value None and qualifier ''
    for m in ids:
        grp = num[num["measure_id"] == m].sort_values(["article_id", "number_id"], kind="stable")
        head = labels.get(m) or (_text(grp["counted_en"]).iloc[0] if "counted_en" in grp else m)
        rows.append((textwrap.fill(head, 34), None, "", ""))
        for _, r in grp.iterrows():
            rows.append((f"{r['article_id']} · {r['figure']}", None if pd.isna(r["value"]) else float(r["value"]),
                         r["qualifier"], r["figure"]))
    values = [v for _, v, _, _ in rows if v is not None]
    hi = max(values) if values else 1.0
    if ax is None:
        fig = plotting.new_figure(8.5, 1.0 + 0.4 * len(rows), layout="constrained")
        ax = fig.add_subplot()
    qual_keys = list(HEDGES_EN)
    arrow = hi * 0.12
    with plotting.style():
        used = []
        for y, (label, v, q, fig_text) in enumerate(rows):
            if not q:
                continue
            colour = HEDGE_COLOURS[q]
            if v is None:
                ax.text(0, y, f"  {fig_text} (vague: no figure)", va="center", ha="left", fontsize=9,
                        color=colour, style="italic")
            else:
                lean = {"more_than": 1, "at_least": 1, "less_than": -1, "nearly": -1}.get(q, 0)
                if lean:
                    ax.annotate("", xy=(v + lean * arrow, y), xytext=(v + lean * arrow * 0.25, y),
                                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2, "shrinkA": 0, "shrinkB": 0})
                ax.scatter([v], [y], s=70, marker=HEDGE_MARKERS[q], color=colour, edgecolors="black",
                           linewidths=0.6, zorder=3)
            if q not in used:
                used.append(q)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        for tick, r in zip(ax.get_yticklabels(), rows):
            if not r[2]:
                tick.set_fontweight("bold")
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, hi * 1.2)
        ax.grid(axis="y", visible=False)
        unit = _text(num.loc[num["measure_id"] == ids[0], "unit"]).iloc[0] if "unit" in num else ""
        plotting.set_labels(ax, title or "The same quantity, article by article",
                            xlabel if xlabel is not None else f"Value ({unit})" if unit else "Value",
                            "Article · figure as printed", loc="right")
        handles = [Line2D([], [], marker=HEDGE_MARKERS[q], color=HEDGE_COLOURS[q],
                          markeredgecolor="black", linestyle="none", markersize=8,
                          label=HEDGE_MEANING[q].split(":")[0]) for q in qual_keys if q in used]
        ax.legend(handles=handles, title="Hedge", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        plotting.literal_text(ax)
    return ax.figure


# --------------------------------------------------------------------------------------------
# Lesson 06: sources, quotes, framing, source notes
# --------------------------------------------------------------------------------------------


def attribution_chains(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Article → publisher → credited agency → form of credit, one row per credit (attributions).

    Columns: article_id, publisher (the outlet the page names, or '(not named on the page)'),
    agency (its English name), agency_kind, form, credit_as_written, evidence, evidence_en.
    """
    att = _table("attributions", data_dir, tables)
    out_ = _table("outlets", data_dir, tables)
    arts = _table("articles", data_dir, tables)
    _need(att, "attributions", ["article_id", "outlet_id", "form", "credit_as_written", "evidence", "evidence_en"])
    names = dict(zip(_text(out_["outlet_id"]), _text(out_["name"])))
    kinds = dict(zip(_text(out_["outlet_id"]), _text(out_["kind"])))
    publisher = {a: (names.get(o, o) if o else "(not named on the page)")
                 for a, o in zip(_text(arts["article_id"]), _text(arts["outlet_id"]))}
    df = att.copy()
    df["publisher"] = [publisher.get(a, "(not in articles)") for a in _text(df["article_id"])]
    df["agency"] = [names.get(o, o) for o in _text(df["outlet_id"])]
    df["agency_kind"] = [kinds.get(o, "") for o in _text(df["outlet_id"])]
    cols = ["article_id", "publisher", "agency", "agency_kind", "form", "credit_as_written", "evidence", "evidence_en"]
    return df[cols].sort_values(["article_id"], kind="stable").reset_index(drop=True)


def attribution_matrix(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Article × agency: the forms of credit each article gives each agency (e.g. 'text_credit, photo_credit').

    Index article_id, one column per agency (English name), '' where the article does not credit it.
    """
    ch = attribution_chains(data_dir, tables=tables)
    agencies = list(dict.fromkeys(ch["agency"]))
    m = (ch.assign(form=_text(ch["form"])).groupby(["article_id", "agency"], sort=False)["form"]
         .agg(lambda s: ", ".join(dict.fromkeys(s))).unstack(fill_value=""))
    m = m.reindex(columns=agencies, fill_value="").sort_index()
    m.columns.name = "agency"
    return m


def quotes_table(articles: str | Iterable[str] | None = None, *, mode: str | None = None, data_dir=None,
                 tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Quotes with the speaker's English name and kind and the agency they came through.

    Columns: quote_id, article_id, speaker, speaker_kind, mode, via (agency name, '' if none),
    quote_vi, quote_en.  `articles` and `mode` ('direct' or 'indirect') narrow the list.
    """
    q = _table("quotes", data_dir, tables)
    act = _table("actors", data_dir, tables)
    out_ = _table("outlets", data_dir, tables)
    _need(q, "quotes", ["quote_id", "article_id", "speaker_id", "mode", "via_outlet_id", "quote_vi", "quote_en"])
    names = dict(zip(_text(act["actor_id"]), _text(act["name_en"])))
    kinds = dict(zip(_text(act["actor_id"]), _text(act["kind"])))
    agencies = dict(zip(_text(out_["outlet_id"]), _text(out_["name"])))
    df = q.copy()
    df["speaker"] = [names.get(s, s) for s in _text(df["speaker_id"])]
    df["speaker_kind"] = [kinds.get(s, "") for s in _text(df["speaker_id"])]
    df["via"] = [agencies.get(v, v) for v in _text(df["via_outlet_id"])]
    arts = _as_list(articles)
    if arts:
        _known(arts, _text(q["article_id"]), "article_id(s) with quotes")
        df = df[_text(df["article_id"]).isin(arts)]
    if mode is not None:
        if mode not in ("direct", "indirect"):
            raise ValueError(f"quotes_table: mode must be 'direct' or 'indirect', found {mode!r}")
        df = df[_text(df["mode"]) == mode]
    cols = ["quote_id", "article_id", "speaker", "speaker_kind", "mode", "via", "quote_vi", "quote_en"]
    return df[cols].reset_index(drop=True)


def framing_pivot(concepts: str | Iterable[str] | None = None, *, lang: str = "vi", sep: str = " / ", data_dir=None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Concept × article: the words each article uses for the same thing (framing_terms).

    ``lang='vi'`` shows the terms as written, ``'en'`` their literal English translations.
    Index concept_id (in the schema's order), one column per article, '' where the article does not name it.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"framing_pivot: lang must be 'vi' or 'en', found {lang!r}")
    ft = _table("framing_terms", data_dir, tables)
    _need(ft, "framing_terms", ["concept_id", "article_id", "term_vi", "term_en"])
    col = "term_vi" if lang == "vi" else "term_en"
    order = (list(ft["concept_id"].cat.categories) if isinstance(ft["concept_id"].dtype, pd.CategoricalDtype)
             else list(dict.fromkeys(_text(ft["concept_id"]))))
    wanted = _as_list(concepts)
    if wanted:
        _known(wanted, _text(ft["concept_id"]), "concept_id(s)")
        order = [c for c in wanted]
    df = ft.assign(concept_id=_text(ft["concept_id"]), article_id=_text(ft["article_id"]), term=_text(ft[col]))
    piv = (df.groupby(["concept_id", "article_id"], sort=False)["term"].agg(lambda s: sep.join(dict.fromkeys(s)))
           .unstack(fill_value=""))
    piv = piv.reindex(index=[c for c in order if c in piv.index], columns=sorted(piv.columns), fill_value="")
    piv.columns.name = "article_id"
    return piv


def source_note_sides(note_ids: str | Iterable[str] | None = None, *, kinds: str | Iterable[str] | None = None,
                      data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Source notes with the evidence for each side: one row per (note, side).

    Columns: note_id, kind, title_en, side, article_id, evidence, evidence_en.  Read the note's
    ``explanation_en`` (and ``outside_knowledge_en``, marked as coming from outside the articles)
    with ``lookup("source_notes", note_id)``.  `note_ids` and `kinds` narrow the list.
    """
    notes = _table("source_notes", data_dir, tables)
    ev = _table("source_note_evidence", data_dir, tables)
    _need(notes, "source_notes", ["note_id", "kind", "title_en"])
    _need(ev, "source_note_evidence", ["note_id", "side", "article_id", "evidence", "evidence_en"])
    ids = _as_list(note_ids)
    if ids:
        _known(ids, _text(notes["note_id"]), "note_id(s)")
    ks = _as_list(kinds)
    merged = ev.merge(notes[["note_id", "kind", "title_en"]], on="note_id", how="left")
    merged["note_id"] = _text(merged["note_id"])
    if ids:
        merged = merged[merged["note_id"].isin(ids)]
        merged["_order"] = merged["note_id"].map({n: i for i, n in enumerate(ids)})
    else:
        merged["_order"] = 0
    if ks:
        merged = merged[_text(merged["kind"]).isin(ks)]
    cols = ["note_id", "kind", "title_en", "side", "article_id", "evidence", "evidence_en"]
    merged = merged.sort_values(["_order", "note_id", "side"], kind="stable")
    return merged[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Lesson 07: the source-checked brief
# --------------------------------------------------------------------------------------------

_RANGE_WORDS = ("between", "late", "early", "end of", "start of", "beginning of", "by ", "before", "after",
                "around", "some time", "sometime", "within", "–", " or ", " to ", "until", "mid-")
_ANON_WORDS = ("unnamed", "anonymous", "unidentified", "official", "source", "sources")
_STOP = {"the", "of", "and", "in", "for", "a", "an", "office", "another", "unnamed", "us", "government"}


def _month_names(m: int) -> tuple[str, str]:
    return _MONTHS[m - 1], _MONTHS[m - 1][:3]


def _mentions_day_month(text: str, day: int | None = None, month: int | None = None) -> bool:
    """Does `text` name a day of a month ('27 January', 'Jan 27', '27 Jan')? Optionally a particular one."""
    months = [month] if month else range(1, 13)
    for m in months:
        full, short = _month_names(m)
        d = rf"{day}" if day else r"\d{1,2}"
        if re.search(rf"\b{d}(st|nd|rd|th)?\s+({full}|{short})\b|\b({full}|{short})\.?\s+{d}(st|nd|rd|th)?\b", text):
            return True
    return False


def _date_problem(text: str, ev: pd.Series) -> str:
    """'' if the claim gives the event's date as precisely as the data knows it (and no more), else what to fix."""
    s, e, p = ev["date_start"], ev["date_end"], str(ev["date_precision"])
    known = f"{date_text(s, e, p)} ({PRECISION['en'].get(p, p)})"
    low = text.casefold()
    if p == "day":
        if not _mentions_day_month(text, s.day, s.month):
            return f"give the day: the data knows it exactly, {known}"
        return ""
    if p == "year":
        return "" if str(s.year) in text else f"give the year: {known}"
    months = sorted({p_.month for p_ in pd.period_range(s, e, freq="M")})
    names = [n for m in months for n in _month_names(m)] + [str(y) for y in range(s.year, e.year + 1)]
    if not any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
        return f"say when: the data knows {known}"
    if _mentions_day_month(text) and not any(w in low for w in _RANGE_WORDS):
        return f"too precise: the data knows only {known}"
    return ""


def _number_forms(v: float) -> list[str]:
    if v != int(v):
        return [f"{v:g}"]
    n = int(v)
    forms = [f"{n:,}", str(n)]
    if n < len(_NUMBER_WORDS):
        forms.append(_NUMBER_WORDS[n])
    return forms


def _number_problem(text: str, row: pd.Series) -> str:
    low = text.casefold()
    q = str(row["qualifier"])
    problems = []
    v = row["value"]
    if not pd.isna(v) and q != "vague":
        if not any(re.search(rf"(?<![\d,.]){re.escape(f)}(?![\d,])", low) for f in _number_forms(float(v))):
            problems.append(f"give the figure ({_number_forms(float(v))[0]})")
    words = HEDGES_EN.get(q, ())
    if words and not _hedge_kept(low, words, None if pd.isna(v) or q == "vague" else float(v)):
        problems.append(f"keep the hedge '{row['qualifier_as_written'] or q}' (e.g. '{words[0]}')")
    return "; ".join(problems)


_ANY_NUMBER = r"(?:\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")\b"


def _hedge_kept(low: str, words, value: float | None) -> bool:
    """Whether the hedge stands on the figure: right before it, or before a figure it shares
    ('about 2,500 in Iraq and 900 in Syria'). A vague amount only needs its word."""
    if value is None:
        return any(re.search(rf"\b{re.escape(w)}\b", low) for w in words)
    forms = [re.escape(f) for f in _number_forms(value)]
    figure = re.compile(rf"(?<![\d,.])(?:{'|'.join(forms)})(?![\d,])")
    for w in words:
        for m in re.finditer(rf"\b{re.escape(w)}\s+(?={_ANY_NUMBER})", low):
            after = low[m.end():].split()
            if figure.search(" ".join(after[:9])):
                return True
    return False


#: Source-note kinds that record a real difference about a fact (not a spelling or a typo).
_DIFFERENCE_KINDS = {"disagreement", "error", "self_contradiction", "ambiguity"}
_DIFFERENCE_WORDS = ("disagree", "differ", "different", "contradict", "conflict", "inconsistent", "unclear",
                     "not clear", "ambiguous", "error", "mistake", "wrong", "does not fit", "doesn't fit", "whereas",
                     "while", "but", "however", "either", "unverified", "not confirmed", "vary", "varies")
_TOPIC_STOP = {"the", "and", "what", "how", "many", "much", "did", "does", "do", "who", "why", "when", "with",
               "for", "from", "that", "this", "not", "or", "its", "their", "article", "articles", "source", "sources",
               "say", "says", "said", "one", "two", "all", "at", "in", "on", "of", "to", "a", "an", "is", "are"}


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) >= 3 and w not in _TOPIC_STOP}


def _disagreement_problem(text: str, note: pd.Series, cited_sides: set[str], all_sides: set[str]) -> str:
    """'' if the claim acknowledges the note's difference: a note of a difference kind, every side cited,
    and a claim that says there is a difference about the note's fact; else what to fix."""
    nid, kind = str(note["note_id"]), str(note["kind"])
    if kind not in _DIFFERENCE_KINDS:
        return f"{nid} is a {kind.replace('_', ' ')} note, not a disagreement, error or ambiguity about a fact"
    problems = []
    if cited_sides != all_sides:
        problems.append(f"cite every side of {nid} (source_notes=\"{nid}\")")
    low = text.casefold()
    if not any(re.search(rf"\b{re.escape(w)}", low) for w in _DIFFERENCE_WORDS):
        problems.append("say that the sources differ (or what is wrong or unclear), not only what one says")
    if not _stems(text) & _stems(str(note["title_en"])):
        problems.append(f"say what the difference is about ({note['title_en']})")
    return "; ".join(problems)


def _name_words(name: str) -> list[str]:
    base = re.sub(r"\s*\(.*?\)", "", name)
    inside = re.findall(r"\((.*?)\)", name)
    words = [w.strip(",.'") for w in base.split()]
    out = [base] + inside + [w for w in words if len(w) >= 3 and w.casefold() not in _STOP]
    return [w for w in dict.fromkeys(out) if w]


def _attribution_problem(text: str, q: pd.Series, actors: pd.DataFrame, outlets: pd.DataFrame) -> str:
    low = text.casefold()
    sp = actors.loc[_text(actors["actor_id"]) == str(q["speaker_id"])]
    problems = []
    if not sp.empty:
        name, kind = str(sp["name_en"].iloc[0]), str(sp["kind"].iloc[0])
        words = _name_words(name) + (list(_ANON_WORDS) if kind == "anonymous_source" else [])
        if not any(re.search(rf"\b{re.escape(w.casefold())}", low) for w in words):
            problems.append(f"say who said it ({name})")
    via = "" if pd.isna(q["via_outlet_id"]) else str(q["via_outlet_id"])
    if via:
        o = outlets.loc[_text(outlets["outlet_id"]) == via]
        oname = str(o["name"].iloc[0]) if not o.empty else via
        if not any(re.search(rf"\b{re.escape(w.casefold())}\b", low) for w in _name_words(oname)):
            problems.append(f"name the agency it came through ({oname})")
    return "; ".join(problems)


def _claims_need(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"claim {numbers[0]} needs evidence"
    return f"claims {', '.join(map(str, numbers[:-1]))} and {numbers[-1]} need evidence"


@dataclass
class Claim:
    """One sentence of a brief and the rows that back it: a list of (table, key)."""

    text: str
    sources: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class BriefCheck:
    """The result of :meth:`Brief.check`: ``ok`` and a DataFrame of ``problems`` (claim, text, problem)."""

    total: int
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"All {self.total} claims are tied to evidence rows."
        n = self.problems["claim"].nunique()
        lines = [f"{n} of {self.total} claims {'needs' if n == 1 else 'need'} evidence:"]
        lines += [f"  claim {r.claim}: {textwrap.shorten(r.text, 70, placeholder='…')} — {r.problem}"
                  for r in self.problems.itertuples(index=False)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html
        if self.ok:
            return f"<p><b>✓ All {self.total} claims are tied to evidence rows.</b></p>"
        rows = "".join(f"<tr><td>{r.claim}</td><td>{html.escape(r.text)}</td><td>{html.escape(r.problem)}</td></tr>"
                       for r in self.problems.itertuples(index=False))
        n = self.problems["claim"].nunique()
        return (f"<p><b>✗ {n} of {self.total} claims {'needs' if n == 1 else 'need'} evidence:</b></p>"
                f"<table><tr><th>claim</th><th>text</th><th>problem</th></tr>{rows}</table>")


# --------------------------------------------------------------------------------------------
# Markdown that shows text as text
# --------------------------------------------------------------------------------------------

_MD_ALWAYS = set("\\`*[]<|~$")          # inline syntax: emphasis, code, links/images/footnotes, HTML, tables, math
_MD_LINE_START = re.compile(r"(#|>|=|[+\-*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$)))")
_MD_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_MD_NEWLINE = re.compile(r"\r\n|\r|\n")


def _md_line(line: str, also: str = "") -> str:
    out = []
    for i, ch in enumerate(line):
        if ch in _MD_ALWAYS or ch in also:
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()):
            out.append("\\_")  # an underscore inside a word (seed_file, 001_e19...) is never emphasis
        else:
            out.append(ch)
    text = _MD_ENTITY.sub("\\\\&", "".join(out))
    m = _MD_LINE_START.match(text)
    if m and not text.startswith("\\"):  # a heading, quote, list item or underline if it began a line
        end = m.end()
        text = (text[:end] + "\\" + text[end:]) if m.group(0)[0].isdigit() else "\\" + text
    return text


def md_text(text, indent: str = "", heading: bool = False) -> str:
    """`text` (a learner's sentence, a quote from the data) as Markdown that previews as exactly that text.

    Every character Markdown would read as syntax is backslash-escaped (CommonMark: any ASCII
    punctuation may be): emphasis ``* _ ~``, code `````, links, images and footnotes ``[ ]``, raw
    HTML ``<``, entities ``&name;``, tables ``|``, math ``$`` (JupyterLab and GitHub render ``$...$``),
    and at the start of a line ``# > = + - *`` and ``1.``.  So ``![x](http://host/)`` is not an image,
    ``[a](javascript:...)`` not a link, ``<img onerror=...>`` and ``<script>`` not HTML, ``[^1]:`` not a
    footnote.  Line breaks become Markdown line breaks (the next line indented by `indent`, to stay in
    its list item or footnote); blank lines and the spaces at the start and end of each line are dropped.
    `heading=True` is for the text of a heading, which has one line: the lines are joined by spaces and
    every ``#`` is escaped (a heading's trailing ``#`` would be dropped).
    """
    lines = [ln.strip() for ln in _MD_NEWLINE.split("" if text is None else str(text))]
    if heading:
        return _md_line(" ".join(ln for ln in lines if ln), also="#")
    return ("\\\n" + indent).join(_md_line(ln) for ln in lines if ln)


def md_code(text) -> str:
    """`text` as a Markdown code span, whatever backticks it holds."""
    text = "" if text is None else str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


class Brief:
    """A short brief in which every claim is tied to rows of the kit's tables.

    >>> b = Brief("The talks in one paragraph")
    >>> b.claim("Iraq and the US held a first round of talks on 27 January 2024.", events="e2024-01-27-first-round")
    >>> b.claim("A sentence with no evidence yet.")
    >>> b.check().ok
    False

    Sources are given as keyword arguments named after a table: ``events="e2024-01-27-first-round"``,
    ``numbers=["n06", "n22"]`` (a list for several rows), ``source_note_evidence=("sn02-attack-count", "a")``
    (a tuple is one compound key).  ``source_notes="sn02-attack-count"`` cites every side of a
    source note.  :meth:`check` lists claims without evidence, :meth:`checklist` runs the checklist,
    :meth:`markdown` / :meth:`to_markdown` export it with a footnote per claim quoting the
    Vietnamese evidence and its English translation.
    """

    CHECKLIST = (
        ("evidence", "Every claim is tied to an evidence row"),
        ("dates", "Dates are as precise as the data knows them, and no more"),
        ("numbers", "Numbers keep their hedges (about, more than, at least ...)"),
        ("attribution", "Attribution is named: who said it, and through which agency"),
        ("disagreement", "At least one disagreement, error or ambiguity is acknowledged"),
    )

    def __init__(self, title: str, intro: str = "", data_dir=None):
        if not isinstance(title, str) or not title.strip():
            raise ValueError("Brief: give the brief a title")
        self.title = title.strip()
        self.intro = intro.strip()
        self.data_dir = data_dir
        self.claims: list[Claim] = []
        self._tables = [t for t in table_names(data_dir)]

    # ---- building ---------------------------------------------------------------------------
    def claim(self, text: str, **sources) -> None:
        """Add one claim (a sentence in English) and the rows that back it, as table=key keyword arguments."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("claim: write the claim as a non-empty sentence")
        pairs: list[tuple[str, object]] = []
        for table, keys in sources.items():
            if table not in self._tables:
                close = difflib.get_close_matches(table, self._tables, n=1)
                hint = f" Did you mean {close[0]}=...?" if close else ""
                raise ValueError(f"claim: {table!r} is not a table of the kit.{hint} "
                                 f"Tables: {', '.join(self._tables)}")
            for k in (keys if isinstance(keys, list) else [keys]):
                pairs.append((table, tuple(k) if isinstance(k, (tuple, list)) else k))
        self.claims.append(Claim(text.strip(), pairs))

    def _number(self, number: int) -> int:
        if not isinstance(number, int) or not 1 <= number <= len(self.claims):
            raise IndexError(f"claims are numbered 1 to {len(self.claims)}; found {number!r}")
        return number - 1

    def revise(self, number: int, text: str, **sources) -> None:
        """Rewrite claim `number` (1 = the first).  Without new sources it keeps the ones it had."""
        i = self._number(number)
        self.claim(text, **sources)  # checks the text and the sources, then appends
        new = self.claims.pop()
        if not sources:
            new.sources = list(self.claims[i].sources)
        self.claims[i] = new

    def drop(self, number: int) -> None:
        """Remove claim `number` (1 = the first); the claims after it move up."""
        self.claims.pop(self._number(number))

    # ---- checking ---------------------------------------------------------------------------
    def _rows(self, table: str, key) -> list[tuple[str, object, pd.Series]]:
        """The evidence rows behind one source: [(table, key, row)]; source_notes expand to their sides."""
        from .evidence import lookup
        if table == "source_notes":
            lookup("source_notes", key, self.data_dir)
            ev = _table("source_note_evidence", self.data_dir)
            sides = ev[_text(ev["note_id"]) == str(key)]
            return [("source_note_evidence", (str(key), str(r["side"])), r) for _, r in sides.iterrows()]
        row = lookup(table, key, self.data_dir)
        if "evidence" not in row.index:
            raise LookupError(f"{table} rows carry no evidence quote; cite a table that has an evidence column")
        return [(table, key, row)]

    def _note_fixes(self, c: Claim) -> dict[str, str]:
        """{note id: what to fix ('' when the claim acknowledges it)} for the source notes claim `c` cites."""
        from .evidence import lookup
        cited: dict[str, set[str]] = {}
        for table, key in c.sources:
            if table in ("source_notes", "source_note_evidence"):
                for _t, _k, row in self._rows(table, key):
                    cited.setdefault(str(row["note_id"]), set()).add(str(row["side"]))
        if not cited:
            return {}
        ev = _table("source_note_evidence", self.data_dir)
        out = {}
        for nid, sides in cited.items():
            note = lookup("source_notes", nid, self.data_dir).copy()
            note["note_id"] = nid
            every = set(_text(ev.loc[_text(ev["note_id"]) == nid, "side"]))
            out[nid] = _disagreement_problem(c.text, note, sides, every)
        return out

    def _key_hint(self, table: str, key) -> str:
        pk = _primary_key(table, self.data_dir)
        df = _table(table, self.data_dir)
        keys = [" / ".join(map(str, k)) if len(pk) > 1 else str(k[0])
                for k in zip(*(_text(df[c]) for c in pk))]
        shown = " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        close = difflib.get_close_matches(shown, keys, n=1, cutoff=0.5)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def check(self) -> BriefCheck:
        """Claims without evidence: no source given, or a key that is not in its table."""
        problems = []
        for i, c in enumerate(self.claims, 1):
            if not c.sources:
                problems.append((i, c.text, "no source row given"))
            for table, key in c.sources:
                try:
                    self._rows(table, key)
                except (KeyError, LookupError) as exc:
                    msg = str(exc.args[0]) if exc.args else str(exc)
                    hint = self._key_hint(table, key) if isinstance(exc, KeyError) else ""
                    problems.append((i, c.text, f"{msg}{hint}"))
        return BriefCheck(len(self.claims), pd.DataFrame(problems, columns=["claim", "text", "problem"]))

    def checklist(self) -> pd.DataFrame:
        """The checklist, item by item: item, done (True/False) and what to fix (``detail``)."""
        check = self.check()
        bad_claims = set(check.problems["claim"])
        results = {"evidence": (check.ok and bool(self.claims),
                                "no claims yet" if not self.claims else
                                "" if check.ok else _claims_need(sorted(bad_claims)))}
        dated = numbered = hedged = quoted = noted = 0
        date_fix, num_fix, att_fix, note_fix = [], [], [], []
        actors = outlets = None
        for i, c in enumerate(self.claims, 1):
            if i in bad_claims:
                continue
            fix = self._note_fixes(c)
            ok_note = any(p == "" for p in fix.values())
            noted += ok_note
            note_fix += [] if ok_note else [f"claim {i}: {p}" for p in fix.values()]
            for table, key in c.sources:
                if table in ("source_notes", "source_note_evidence"):
                    continue
                row = self._rows(table, key)[0][2]
                if table == "events":
                    dated += 1
                    p = _date_problem(c.text, row)
                    if p:
                        date_fix.append(f"claim {i}: {p}")
                elif table == "numbers":
                    numbered += 1
                    hedged += str(row["qualifier"]) != "exact"
                    p = _number_problem(c.text, row)
                    if p:
                        num_fix.append(f"claim {i}: {p}")
                elif table == "quotes":
                    quoted += 1
                    if actors is None:
                        actors, outlets = _table("actors", self.data_dir), _table("outlets", self.data_dir)
                    p = _attribution_problem(c.text, row, actors, outlets)
                    if p:
                        att_fix.append(f"claim {i}: {p}")
        results["dates"] = (dated > 0 and not date_fix,
                            "no claim cites an events row" if not dated else "; ".join(date_fix))
        if numbered and not hedged and not num_fix:
            num_fix = ["every figure cited is exact: cite a hedged figure (a numbers row whose qualifier is not "
                       "exact) and keep its hedge in the claim"]
        results["numbers"] = (numbered > 0 and hedged > 0 and not num_fix,
                              "no claim cites a numbers row" if not numbered else "; ".join(num_fix))
        results["attribution"] = (quoted > 0 and not att_fix,
                                  "no claim cites a quotes row" if not quoted else "; ".join(att_fix))
        results["disagreement"] = (noted > 0, "" if noted else "; ".join(note_fix) if note_fix else
                                   "no claim cites source_notes or source_note_evidence")
        return pd.DataFrame([{"item": text, "done": bool(results[k][0]), "detail": results[k][1]}
                             for k, text in self.CHECKLIST])

    # ---- export -----------------------------------------------------------------------------
    def _footnote(self, i: int, c: Claim) -> str:
        """The footnote of claim `i`: every row's key, article, seed line and quotes, escaped (see :func:`md_text`)."""
        lines = []
        seen_notes = set()
        ind = "    "
        for table, key in c.sources:
            if table == "source_notes" and key not in seen_notes:
                from .evidence import lookup
                note = lookup("source_notes", key, self.data_dir)
                seen_notes.add(key)
                lines.append(f"Source note {md_code(key)} ({md_text(note['kind'], ind)}): "
                             f"{md_text(note['title_en'], ind)}. {md_text(note['explanation_en'], ind)}")
            for t, k, row in self._rows(table, key):
                ci = cite(t, k, [], self.data_dir)
                key_text = " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
                extra = ""
                if t == "events":
                    p = str(row["date_precision"])
                    extra = f" Date as known: {date_text(row['date_start'], row['date_end'], p)} ({PRECISION['en'][p]})."
                elif t == "numbers":
                    extra = f" Figure: {row['value_as_written']} ({row['qualifier']}), counts: {row['counted_en']}."
                elif t == "quotes":
                    extra = f" Speaker: {md_code(row['speaker_id'])}, {md_text(row['mode'])} quote" + (
                        f", via {md_code(row['via_outlet_id'])}." if not pd.isna(row["via_outlet_id"]) else ".")
                if t != "quotes":
                    extra = md_text(extra, ind)
                lines.append(f"{md_code(t)} · {md_code(key_text)} — "
                             f"{md_text(f'{ci.article_id}, seeds/{ci.seed_file}, line {ci.line}.', ind)}"
                             f"{' ' if extra and not extra.startswith(' ') else ''}{extra}")
                lines.append(f"Vietnamese: “{md_text(ci.evidence, ind)}”")
                lines.append(f"English: “{md_text(ci.evidence_en, ind)}”")
        if not lines:
            lines = ["**No evidence given for this claim.**"]
        # One paragraph per line; later paragraphs of a footnote are indented by four spaces.
        return f"[^{i}]: {lines[0]}" + "".join(f"\n\n{ind}{ln}" for ln in lines[1:])

    def markdown(self) -> str:
        """The brief as Markdown: title, intro, numbered claims with footnotes, the checklist, the sources.

        Every text from the learner or the data is escaped with :func:`md_text`, so a preview shows it
        exactly as written: no image, link, footnote, HTML or math can come from a claim or a quote.
        """
        out = [f"# {md_text(self.title, heading=True)}", ""]
        if self.intro:
            out += [md_text(self.intro), ""]
        for i, c in enumerate(self.claims, 1):
            prefix = f"{i}. "
            out.append(f"{prefix}{md_text(c.text, ' ' * len(prefix))}[^{i}]")
        out += ["", "## Checklist", ""]
        for r in self.checklist().itertuples(index=False):
            out.append(f"- [{'x' if r.done else ' '}] {md_text(r.item, '  ')}"
                       + (f" — {md_text(r.detail, '  ')}" if r.detail else ""))
        out += ["", "## Sources", "",
                "Each footnote quotes the evidence verbatim from the Vietnamese article, with the kit's English translation.",
                ""]
        problems = self.check().problems
        for i, c in enumerate(self.claims, 1):
            if i in set(problems["claim"]):
                out.append(f"[^{i}]: **No evidence: "
                           + "; ".join(md_text(x, "    ") for x in problems.loc[problems["claim"] == i, "problem"]) + "**")
            else:
                out.append(self._footnote(i, c))
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def to_markdown(self, path: str | Path | None = None) -> Path:
        """Write :meth:`markdown` to `path` (default: the kit's exports/brief.md) and return the path.

        The same brief always gives the same bytes (UTF-8, LF line ends, no date stamp).  The kit's
        exports/ folder gets a .gitignore of its own, so exports never show up as changes in git.
        """
        target = Path(path) if path is not None else EXPORTS_DIR / "brief.md"
        if target.suffix.lower() not in (".md", ".markdown"):
            raise ValueError(f"to_markdown: give a Markdown file name ending in .md, found {str(target)!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.resolve() == EXPORTS_DIR.resolve():
            ignore = EXPORTS_DIR / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Made by iraqtalks.analysis: exports are outputs, not part of the kit.\n*\n",
                                  encoding="utf-8", newline="\n")
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(self.markdown())
        return target

    # ---- display ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [self.title, ""] + ([self.intro, ""] if self.intro else [])
        for i, c in enumerate(self.claims, 1):
            src = ", ".join(f"{t}:{' / '.join(map(str, k)) if isinstance(k, tuple) else k}" for t, k in c.sources)
            lines.append(f"{i}. {c.text}  [{src or 'no source'}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html
        e = html.escape
        items = []
        for c in self.claims:
            src = ", ".join(f"<code>{e(t)}:{e(' / '.join(map(str, k)) if isinstance(k, tuple) else str(k))}</code>"
                            for t, k in c.sources) or "<b>no source</b>"
            items.append(f"<li>{e(c.text)} <span style='font-size:85%;color:#555'>[{src}]</span></li>")
        intro = f"<p>{e(self.intro)}</p>" if self.intro else ""
        return f"<div class='iraqtalks-brief'><h4>{e(self.title)}</h4>{intro}<ol>{''.join(items)}</ol></div>"


__all__ = [
    "EXPORTS_DIR", "HEDGES_EN", "HEDGE_MEANING", "HEDGE_COLOURS", "HEDGE_MARKERS",
    "actor_roles", "resolve_names", "name_variants", "string_vs_entity", "count_mentions", "anonymous_counts",
    "hedges", "compare_numbers", "measure_chart",
    "attribution_chains", "attribution_matrix", "quotes_table", "framing_pivot", "source_note_sides",
    "Claim", "BriefCheck", "Brief",
]
