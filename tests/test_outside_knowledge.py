"""Every sentence the kit states from outside the five articles (source_notes.outside_knowledge_en) has a source a
reader can open: a row of outside_knowledge_sources naming an upstream report with its URL and verbatim excerpt."""
from __future__ import annotations

import pandas as pd

from iraqtalks import load


def unsourced(notes: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    has_text = notes[notes["outside_knowledge_en"].fillna("").str.strip() != ""]["note_id"]
    return sorted(set(has_text) - set(sources["note_id"]))


def test_every_outside_knowledge_sentence_has_a_source():
    assert unsourced(load("source_notes"), load("outside_knowledge_sources")) == []


def test_a_note_with_new_outside_knowledge_and_no_source_is_found():
    notes = load("source_notes").copy()
    spare = notes[notes["outside_knowledge_en"].fillna("") == ""].index[0]
    notes.loc[spare, "outside_knowledge_en"] = "Outside the five articles: something a reader cannot check."
    assert unsourced(notes, load("outside_knowledge_sources")) == [notes.loc[spare, "note_id"]]


def test_the_sources_are_outside_evidence_with_a_url_and_an_excerpt():
    sources = load("outside_knowledge_sources").merge(load("upstream_reports"), on="report_id", how="left")
    assert sources["url"].str.match(r"https?://\S+$").all()
    assert (sources["excerpt"].str.split().str.len() <= 30).all()
    assert sources["excerpt_verbatim"].astype(str).str.lower().eq("true").all()
