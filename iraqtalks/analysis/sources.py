"""Comparing sources (lesson 06): attribution chains, quotes, framing and the two sides of each source note.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .common import as_list, as_text, get_table, known_keys, need_columns


def attribution_chains(*, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Article → publisher → credited agency → form of credit, one row per credit (attributions).

    Columns: article_id, publisher (the outlet the page names, or '(not named on the page)'),
    agency (its English name), agency_kind, form, credit_as_written, evidence, evidence_en.
    """
    att = get_table("attributions", data_dir=data_dir, tables=tables)
    out_ = get_table("outlets", data_dir=data_dir, tables=tables)
    arts = get_table("articles", data_dir=data_dir, tables=tables)
    need_columns(att, "attributions", ["article_id", "outlet_id", "form", "credit_as_written", "evidence", "evidence_en"])
    names = dict(zip(as_text(out_["outlet_id"]), as_text(out_["name"])))
    kinds = dict(zip(as_text(out_["outlet_id"]), as_text(out_["kind"])))
    publisher = {a: (names.get(o, o) if o else "(not named on the page)")
                 for a, o in zip(as_text(arts["article_id"]), as_text(arts["outlet_id"]))}
    df = att.copy()
    df["publisher"] = [publisher.get(a, "(not in articles)") for a in as_text(df["article_id"])]
    df["agency"] = [names.get(o, o) for o in as_text(df["outlet_id"])]
    df["agency_kind"] = [kinds.get(o, "") for o in as_text(df["outlet_id"])]
    cols = ["article_id", "publisher", "agency", "agency_kind", "form", "credit_as_written", "evidence", "evidence_en"]
    return df[cols].sort_values(["article_id"], kind="stable").reset_index(drop=True)


def attribution_matrix(*, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Article × agency: the forms of credit each article gives each agency (e.g. 'text_credit, photo_credit').

    Index article_id, one column per agency (English name), '' where the article does not credit it.
    """
    ch = attribution_chains(data_dir=data_dir, tables=tables)
    agencies = list(dict.fromkeys(ch["agency"]))
    m = (ch.assign(form=as_text(ch["form"])).groupby(["article_id", "agency"], sort=False)["form"]
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
    q = get_table("quotes", data_dir=data_dir, tables=tables)
    act = get_table("actors", data_dir=data_dir, tables=tables)
    out_ = get_table("outlets", data_dir=data_dir, tables=tables)
    need_columns(q, "quotes", ["quote_id", "article_id", "speaker_id", "mode", "via_outlet_id", "quote_vi", "quote_en"])
    names = dict(zip(as_text(act["actor_id"]), as_text(act["name_en"])))
    kinds = dict(zip(as_text(act["actor_id"]), as_text(act["kind"])))
    agencies = dict(zip(as_text(out_["outlet_id"]), as_text(out_["name"])))
    df = q.copy()
    df["speaker"] = [names.get(s, s) for s in as_text(df["speaker_id"])]
    df["speaker_kind"] = [kinds.get(s, "") for s in as_text(df["speaker_id"])]
    df["via"] = [agencies.get(v, v) for v in as_text(df["via_outlet_id"])]
    arts = as_list(articles)
    if arts:
        known_keys(arts, as_text(q["article_id"]), "article_id(s) with quotes")
        df = df[as_text(df["article_id"]).isin(arts)]
    if mode is not None:
        if mode not in ("direct", "indirect"):
            raise ValueError(f"quotes_table: mode must be 'direct' or 'indirect', found {mode!r}")
        df = df[as_text(df["mode"]) == mode]
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
    ft = get_table("framing_terms", data_dir=data_dir, tables=tables)
    need_columns(ft, "framing_terms", ["concept_id", "article_id", "term_vi", "term_en"])
    col = "term_vi" if lang == "vi" else "term_en"
    order = (list(ft["concept_id"].cat.categories) if isinstance(ft["concept_id"].dtype, pd.CategoricalDtype)
             else list(dict.fromkeys(as_text(ft["concept_id"]))))
    wanted = as_list(concepts)
    if wanted:
        known_keys(wanted, as_text(ft["concept_id"]), "concept_id(s)")
        order = [c for c in wanted]
    df = ft.assign(concept_id=as_text(ft["concept_id"]), article_id=as_text(ft["article_id"]), term=as_text(ft[col]))
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
    notes = get_table("source_notes", data_dir=data_dir, tables=tables)
    ev = get_table("source_note_evidence", data_dir=data_dir, tables=tables)
    need_columns(notes, "source_notes", ["note_id", "kind", "title_en"])
    need_columns(ev, "source_note_evidence", ["note_id", "side", "article_id", "evidence", "evidence_en"])
    ids = as_list(note_ids)
    if ids:
        known_keys(ids, as_text(notes["note_id"]), "note_id(s)")
    ks = as_list(kinds)
    merged = ev.merge(notes[["note_id", "kind", "title_en"]], on="note_id", how="left")
    merged["note_id"] = as_text(merged["note_id"])
    if ids:
        merged = merged[merged["note_id"].isin(ids)]
        merged["_order"] = merged["note_id"].map({n: i for i, n in enumerate(ids)})
    else:
        merged["_order"] = 0
    if ks:
        merged = merged[as_text(merged["kind"]).isin(ks)]
    cols = ["note_id", "kind", "title_en", "side", "article_id", "evidence", "evidence_en"]
    merged = merged.sort_values(["_order", "note_id", "side"], kind="stable")
    return merged[cols].reset_index(drop=True)
