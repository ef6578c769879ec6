"""Who is who (lesson 04): actors' roles, every spelling of a name, strings versus entities, anonymous sources.

Every function returns a plain pandas DataFrame built from the kit's tables (``data_dir=`` the data folder,
or ``tables={"actors": df, ...}`` for DataFrames of your own).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from .common import as_list, as_text, get_table, known_keys, need_columns


def actor_roles(kinds: str | Iterable[str] | None = None, *, data_dir=None,
                tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The actors with the name of the actor each belongs to (``affiliation``), optionally only some `kinds`.

    Columns: actor_id, name_en, kind, role_en, affiliation_id, affiliation, country, article_id,
    evidence, evidence_en.  `kinds` is one kind or several (person, anonymous_source, government, ...).
    """
    act = get_table("actors", data_dir=data_dir, tables=tables)
    need_columns(act, "actors", ["actor_id", "name_en", "kind", "role_en", "affiliation_id"])
    names = dict(zip(as_text(act["actor_id"]), as_text(act["name_en"])))
    out = act.copy()
    aff = as_text(out["affiliation_id"])
    out.insert(out.columns.get_loc("affiliation_id") + 1, "affiliation",
               [names.get(a, a) if a else "" for a in aff])
    out["affiliation"] = out["affiliation"].replace("", pd.NA)
    wanted = as_list(kinds)
    if wanted:
        allowed = (list(act["kind"].cat.categories) if isinstance(act["kind"].dtype, pd.CategoricalDtype)
                   else list(as_text(act["kind"]).unique()))
        known_keys(wanted, allowed, "actor kind(s)")
        out = out[as_text(out["kind"]).isin(wanted)]
    return out.reset_index(drop=True)


def resolve_names(*, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every name as written (actor_names), joined to the one actor it stands for (actors).

    Columns: article_id, name_as_written, name_type, actor_id, name_en, kind, evidence, evidence_en.
    Raises KeyError naming any actor_id in actor_names that the actors table does not have.
    """
    names = get_table("actor_names", data_dir=data_dir, tables=tables)
    act = get_table("actors", data_dir=data_dir, tables=tables)
    need_columns(names, "actor_names", ["actor_id", "article_id", "name_as_written", "name_type", "evidence", "evidence_en"])
    need_columns(act, "actors", ["actor_id", "name_en", "kind"])
    unknown = sorted(set(as_text(names["actor_id"])) - set(as_text(act["actor_id"])))
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
    res = resolve_names(data_dir=data_dir, tables=tables)
    ids = as_list(actor_ids)
    if ids:
        known_keys(ids, res["actor_id"], "actor_id(s)")
        res = res[res["actor_id"].isin(ids)]
    types = as_list(name_types)
    if types:
        res = res[as_text(res["name_type"]).isin(types)]
    articles = sorted(as_text(get_table("articles", data_dir=data_dir, tables=tables)["article_id"])) if (
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
    res = resolve_names(data_dir=data_dir, tables=tables)
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
    sent = get_table("sentences", data_dir=data_dir, tables=tables)
    need_columns(sent, "sentences", ["article_id", "text"])
    arts = get_table("articles", data_dir=data_dir, tables=tables) if (tables is None or "articles" in tables) else None
    ids = sorted(as_text(arts["article_id"])) if arts is not None else sorted(set(as_text(sent["article_id"])))
    flags = 0 if case else re.IGNORECASE
    rx = re.compile(re.escape(text), flags)
    counts = {a: 0 for a in ids}
    first = {a: "" for a in ids}
    for a, s in zip(as_text(sent["article_id"]), as_text(sent["text"])):
        n = len(rx.findall(s))
        if n:
            counts[a] = counts.get(a, 0) + n
            if not first.get(a):
                first[a] = s
    return pd.DataFrame({"article_id": list(counts), "mentions": list(counts.values()),
                         "first": [first.get(a, "") for a in counts]})


def anonymous_counts(*, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Quotes per article, and how many come from anonymous sources (actors of kind anonymous_source).

    Columns: article_id, quotes, anonymous, named, share_anonymous (0–1, two decimals), sources (the
    anonymous speakers' English names, joined by '; ').  Every article is listed, with 0 if it quotes nobody.
    """
    q = get_table("quotes", data_dir=data_dir, tables=tables)
    act = get_table("actors", data_dir=data_dir, tables=tables)
    need_columns(q, "quotes", ["article_id", "speaker_id"])
    kinds = dict(zip(as_text(act["actor_id"]), as_text(act["kind"])))
    names = dict(zip(as_text(act["actor_id"]), as_text(act["name_en"])))
    arts = get_table("articles", data_dir=data_dir, tables=tables) if (tables is None or "articles" in tables) else None
    ids = sorted(as_text(arts["article_id"])) if arts is not None else sorted(set(as_text(q["article_id"])))
    rows = []
    for a in ids:
        speakers = as_text(q.loc[as_text(q["article_id"]) == a, "speaker_id"])
        anon = [s for s in speakers if kinds.get(s) == "anonymous_source"]
        total = len(speakers)
        rows.append({"article_id": a, "quotes": total, "anonymous": len(anon), "named": total - len(anon),
                     "share_anonymous": round(len(anon) / total, 2) if total else 0.0,
                     "sources": "; ".join(dict.fromkeys(names.get(s, s) for s in anon))})
    return pd.DataFrame(rows, columns=["article_id", "quotes", "anonymous", "named", "share_anonymous", "sources"])
