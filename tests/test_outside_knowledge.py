"""Every sentence the kit states from outside the five articles (source_notes.outside_knowledge_en) has a source a
reader can open.

* Background knowledge ("Outside the five articles: ...") has rows in outside_knowledge_sources naming upstream
  reports (URL and verbatim excerpt).
* Upstream findings ("Outside evidence (upstream_links: L13, ...)") cite rows of upstream_links / upstream_reports
  that exist.
"""
from __future__ import annotations

import re

import pandas as pd

from iraqtalks import load

IDS = re.compile(r"\b(L\d\d|U\d[a-z]|X\d\d)\b")


def unsourced(notes: pd.DataFrame, sources: pd.DataFrame, known_ids: set[str]) -> list[str]:
    """The note ids whose outside knowledge has no source a reader can open."""
    bad = []
    for note_id, text in zip(notes["note_id"], notes["outside_knowledge_en"].fillna("")):
        if not text.strip():
            continue
        background = "Outside the five articles:" in text
        upstream = "Outside evidence" in text
        cited = set(IDS.findall(text))
        ok = background or upstream
        if background and note_id not in set(sources["note_id"]):
            ok = False
        if upstream and (not cited or not cited <= known_ids):
            ok = False
        if not ok:
            bad.append(note_id)
    return sorted(bad)


def _known() -> set[str]:
    return set(load("upstream_links")["link_id"]) | set(load("upstream_reports")["report_id"])


def test_every_outside_knowledge_sentence_has_a_source():
    assert unsourced(load("source_notes"), load("outside_knowledge_sources"), _known()) == []


def test_unsourced_outside_knowledge_is_found():
    notes = load("source_notes").copy()
    spare = notes[notes["outside_knowledge_en"].fillna("") == ""].index[:3]
    notes.loc[spare[0], "outside_knowledge_en"] = "Outside the five articles: something a reader cannot check."
    notes.loc[spare[1], "outside_knowledge_en"] = "Outside evidence (upstream_links: L99): a link that does not exist."
    notes.loc[spare[2], "outside_knowledge_en"] = "Everyone knows this."
    assert unsourced(notes, load("outside_knowledge_sources"), _known()) == sorted(notes.loc[spare, "note_id"])


def test_the_sources_are_outside_evidence_with_a_url_and_an_excerpt():
    sources = load("outside_knowledge_sources").merge(load("upstream_reports"), on="report_id", how="left")
    assert sources["url"].notna().all(), "a source names a report that is not in upstream_reports"
    assert sources["url"].str.match(r"https?://\S+$").all()
    assert (sources["excerpt"].str.split().str.len() <= 30).all()
    assert sources["excerpt_verbatim"].astype(str).str.lower().eq("true").all()
