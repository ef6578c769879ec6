"""Say only what the page shows (issue #10, section 2): accusations, via_outlet_id, date bounds."""
from __future__ import annotations

import csv
import re

import pytest

from iraqtalks.paths import DATA_DIR

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
