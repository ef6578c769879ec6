"""Say only what the page shows (issue #10, section 2): accusations, via_outlet_id, date bounds."""
from __future__ import annotations

import csv
import re

from iraqtalks.data.paths import DATA_DIR

ACCUSING = ("cáo buộc", "quy trách nhiệm", "đổ lỗi", "cho rằng do")


def _rows(name, data=DATA_DIR):
    with open(data / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _names_by_actor():
    out: dict[str, set[str]] = {}
    for r in _rows("actor_names"):
        out.setdefault(r["actor_id"], set()).add(r["name_as_written"])
    return out


def test_accuser_is_given_exactly_for_accused_actors():
    for e in _rows("events"):
        if e["actor1_basis"] == "accused":
            assert e["accuser_id"] and e["accuser_id"] != e["actor1_id"], e["event_id"]
        else:
            assert not e["accuser_id"], e["event_id"]


def test_no_event_asserts_a_perpetrator_its_evidence_does_not_state():
    """An attack or strike whose actor1 is coded as stated names actor1 in its own evidence,
    and that evidence does not frame the actor as someone's accusation."""
    names = _names_by_actor()
    bad = []
    for e in _rows("events"):
        if e["event_type"] not in ("attack", "us_strike") or e["actor1_basis"] != "stated":
            continue
        ev = e["evidence"]
        if not e["actor1_id"].startswith("unidentified") and not any(n and n in ev for n in names.get(e["actor1_id"], ())):
            bad.append(f"{e['event_id']}: evidence does not name {e['actor1_id']}")
        if any(w in ev for w in ACCUSING):
            bad.append(f"{e['event_id']}: evidence reports an accusation")
    assert bad == []


def test_an_accusation_in_an_evidence_quote_is_not_coded_as_stated_fact():
    """Any event whose evidence blames actor1 ('quy trách nhiệm cho', 'cáo buộc') is a statement by the
    accuser, or codes actor1 as accused."""
    for e in _rows("events"):
        if any(w in e["evidence"] for w in ACCUSING) and e["event_type"] != "statement":
            assert e["actor1_basis"] == "accused", e["event_id"]


def test_the_jordan_attack_is_an_accusation_by_the_us():
    e = {r["event_id"]: r for r in _rows("events")}["e2024-01-28-jordan-attack"]
    assert (e["actor1_basis"], e["accuser_id"]) == ("accused", "us")


def _evidence_sentences():
    """fact row label -> the text of the sentences its evidence lies in (from sentence_coverage)."""
    text = {s["sentence_id"]: s["text"] for s in _rows("sentences")}
    out: dict[str, str] = {}
    for c in _rows("sentence_coverage"):
        for label in filter(None, c["fact_rows"].split("; ")):
            out[label] = (out.get(label, "") + " " + text[c["sentence_id"]]).strip()
    return out


def test_every_via_outlet_id_is_named_in_the_evidence_sentence():
    outlets = {o["outlet_id"]: {o["name"], o["name_vi"]} for o in _rows("outlets")}
    where = _evidence_sentences()
    bad = []
    for q in _rows("quotes"):
        if not q["via_outlet_id"]:
            continue
        sentence = where.get(f"quotes({q['quote_id']})", "")
        if not any(n and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", sentence) for n in outlets[q["via_outlet_id"]]):
            bad.append(f"{q['quote_id']}: {q['via_outlet_id']} is not named in {sentence[:80]!r}")
    assert bad == []


def _inside_quotation_marks(text: str, start: int) -> bool:
    depth, straight = 0, False
    for ch in text[:start]:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth -= 1
        elif ch == '"':
            straight = not straight
    return depth > 0 or straight


def test_direct_and_indirect_follow_one_rule():
    """direct = quote_vi lies inside quotation marks in its sentence; indirect = it does not."""
    from iraqtalks.text.clean import restore_obfuscation

    where = _evidence_sentences()
    bad = []
    for q in _rows("quotes"):
        sentence = where.get(f"quotes({q['quote_id']})", "")
        words = restore_obfuscation(q["quote_vi"])[0]
        i = sentence.find(words)
        assert i >= 0, f"{q['quote_id']}: quote_vi not in its sentence"
        if _inside_quotation_marks(sentence, i) != (q["mode"] == "direct"):
            bad.append(q["quote_id"])
    assert bad == []


def test_publication_bounds_come_from_the_page_and_estimates_are_labelled():
    for a in _rows("articles"):
        basis, end = a["published_end_basis"], a["published_end"]
        reasoning = a["date_reasoning"]
        assert (basis == "none") == (end == ""), a["article_id"]
        assert "collection's span" not in reasoning and "span of the collection" not in reasoning, a["article_id"]
        if basis == "printed":
            assert a["published_basis"] == "printed" and a["published_start"] == end
        if basis == "page_saved":
            assert "saved" in reasoning, a["article_id"]
        if a["estimate_start"] or a["estimate_end"]:
            assert "Estimate (a judgement, not a bound)" in reasoning, a["article_id"]
            assert a["estimate_start"] >= a["published_start"], a["article_id"]
            assert not end or a["estimate_end"] <= end, a["article_id"]
        if a["published_basis"] == "inferred":
            assert "Lower bound" in reasoning and "Upper bound" in reasoning, a["article_id"]


def events_bounded_by_an_unlabelled_estimate(events: list[dict], articles: list[dict]) -> list[str]:
    """Events bounded by the collection's span, or by an article's estimated end (not a page bound) without saying
    so: an end date equal to an estimate, reasoned from an article's publication, with no 'estimate' in the note
    (an end read from the text itself, such as 'at the end of January', is not one)."""
    estimates = {a["estimate_end"] for a in articles if a["estimate_end"]}
    out = []
    for e in events:
        note = e["date_note"]
        from_publication = "publi" in note or "article" in note
        if ("kit's range" in note or "collection" in note
                or (e["date_end"] in estimates and from_publication and "estimate" not in note)):
            out.append(e["event_id"])
    return out


def test_no_event_is_bounded_by_the_assumed_span_of_the_collection():
    assert events_bounded_by_an_unlabelled_estimate(_rows("events"), _rows("articles")) == []


def test_an_event_ending_on_an_estimate_without_saying_so_is_found():
    articles = _rows("articles")
    a001_estimate = next(a["estimate_end"] for a in articles if a["article_id"] == "a001")
    bad = {"event_id": "e-test", "date_end": a001_estimate, "date_note": "Before a001 was published."}
    assert events_bounded_by_an_unlabelled_estimate([bad], articles) == ["e-test"]


def test_every_actor_has_a_written_name_or_says_why_not():
    named = {r["actor_id"] for r in _rows("actor_names")}
    for a in _rows("actors"):
        if a["actor_id"] not in named:
            assert "no name to record" in a["role_en"], a["actor_id"]
