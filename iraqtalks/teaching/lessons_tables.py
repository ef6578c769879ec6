"""Lesson helpers that gather rows across the kit's tables: evidence quotes, English for sentences,
the data dictionary, chosen events.

    from iraqtalks import find_evidence, sentences_en, data_dictionary, event_table
    find_evidence("t.hiệt m.ạng")       # every row, in any table, that quotes these words
"""
from __future__ import annotations

import pandas as pd

from ..data.descriptor import read_package
from ..data.evidence import primary_key
from ..data.loader import load

__all__ = ["find_evidence", "sentences_en", "data_dictionary", "event_table"]


# --------------------------------------------------------------------------------------------
# Evidence across tables
# --------------------------------------------------------------------------------------------

def _evidence_tables(*, data_dir=None) -> list[str]:
    return [r["name"] for r in read_package(data_dir=data_dir)["resources"] if r.get("x-evidence")]


def find_evidence(text: str, regex: bool = False, tables: list[str] | None = None, *, data_dir=None) -> pd.DataFrame:
    """Every evidence quote, in any table, that contains `text` (or matches the regular expression).

    Columns: table, key (the row's primary key, parts joined by ' / '), article_id, evidence,
    evidence_en.  Use it to find every row that quotes a sentence, a name or a word.

    >>> find_evidence("t.hiệt m.ạng")[["table", "key"]].values.tolist()[:2]
    [['events', 'e2024-02-iraq-casualty-claim'], ['events', 'e2024-01-lawmakers-urge-response']]
    """
    if not isinstance(text, str) or not text:
        raise ValueError("find_evidence: give the text (a non-empty string) to look for")
    names = tables if tables is not None else _evidence_tables(data_dir=data_dir)
    frames = []
    for name in names:
        df = load(name, data_dir=data_dir)
        if "evidence" not in df.columns:
            raise KeyError(f"find_evidence: the {name} table has no evidence column")
        hit = df["evidence"].astype(str).str.contains(text, regex=regex)
        if hit.any():
            pk = primary_key(name, data_dir=data_dir)
            sub = df[hit]
            key = sub[pk].astype(str).agg(" / ".join, axis=1)
            frames.append(pd.DataFrame({"table": name, "key": key, "article_id": sub["article_id"],
                                        "evidence": sub["evidence"], "evidence_en": sub["evidence_en"]}))
    cols = ["table", "key", "article_id", "evidence", "evidence_en"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def sentences_en(article_id: str, *, data_dir=None) -> pd.DataFrame:
    """The sentences of one article (the sentences table), each with an English translation where the kit has one.

    The sentences table holds the clean Vietnamese text only.  For each sentence this finds the
    longest evidence quote (from any table, dotted words restored as in the clean text) that lies
    inside it, and gives that quote's ``evidence_en``.  Columns: sentence_id, kind, text,
    English, covers (``whole`` if the quote is the whole sentence, ``part`` if only part of it,
    empty where no row quotes the sentence).

    >>> sentences_en("a002").loc[0, ["sentence_id", "covers"]].tolist()
    ['a002-p01-s01', 'whole']
    """
    from ..text.clean import restore_obfuscation

    sents = load("sentences", data_dir=data_dir)
    known = sorted(set(sents["article_id"]))
    if article_id not in known:
        raise KeyError(f"sentences_en: no article {article_id!r}; expected one of {', '.join(known)}")
    sents = sents[sents["article_id"] == article_id]
    quotes = []
    for name in _evidence_tables(data_dir=data_dir):
        df = load(name, data_dir=data_dir)
        df = df[df["article_id"] == article_id]
        quotes += [(restore_obfuscation(str(q))[0].strip(), str(en)) for q, en in zip(df["evidence"], df["evidence_en"])]
    quotes.sort(key=lambda qe: -len(qe[0]))
    english, covers = [], []
    for text in sents["text"]:
        hit = next(((q, en) for q, en in quotes if q and q in text), None)
        if hit is None:
            english.append(pd.NA)
            covers.append("")
        else:
            english.append(hit[1])
            covers.append("whole" if hit[0].strip(" .") == text.strip(" .") else "part")
    return pd.DataFrame({"sentence_id": sents["sentence_id"].to_numpy(), "kind": sents["kind"].astype(str).to_numpy(),
                         "text": sents["text"].to_numpy(), "English": english, "covers": covers})


def data_dictionary(table: str, *, data_dir=None) -> pd.DataFrame:
    """One table's entry in the data dictionary (data/datapackage.json): variable, type, description.

    The same text as the table's section of data/README.md, as a DataFrame.

    >>> data_dictionary("numbers").loc[2, "variable"]
    'value_as_written'
    """
    from ..data.datadict import type_label

    if not isinstance(table, str):
        raise ValueError(f"data_dictionary: give one table's name (a str, such as 'numbers'), not a {type(table).__name__}")
    resources = {r["name"]: r for r in read_package(data_dir=data_dir)["resources"]}
    if table not in resources:
        raise KeyError(f"data_dictionary: no table {table!r}; expected one of {', '.join(resources)}")
    fields = resources[table]["schema"]["fields"]
    return pd.DataFrame({"variable": [f["name"] for f in fields],
                         "type": [type_label(f).replace("**", "").replace("`", "") for f in fields],
                         "description": [f.get("description", "") for f in fields]})


def event_table(event_ids: list[str], *, data_dir=None) -> pd.DataFrame:
    """Chosen events in date order: when (as precise as known), what happened, and the evidence.

    Columns: event_id, when, what (summary_en), article_id, Vietnamese (evidence), English (evidence_en).
    """
    from ..text.labels import date_text

    if isinstance(event_ids, str) or not all(isinstance(e, str) for e in event_ids):
        raise ValueError("event_table: give a list of event ids, such as ['e2024-01-24-letter'], "
                         f"not {event_ids!r}")
    events = load("events", data_dir=data_dir)
    unknown = [e for e in event_ids if e not in set(events["event_id"])]
    if unknown:
        raise KeyError(f"event_table: no event(s) {', '.join(unknown)} in the events table")
    ev = events[events["event_id"].isin(event_ids)].sort_values(["date_start", "date_end", "event_id"])
    when = [date_text(s, e, p) for s, e, p in zip(ev["date_start"], ev["date_end"], ev["date_precision"])]
    return pd.DataFrame({"event_id": ev["event_id"], "when": when, "what": ev["summary_en"],
                         "article_id": ev["article_id"], "Vietnamese": ev["evidence"],
                         "English": ev["evidence_en"]}).reset_index(drop=True)
