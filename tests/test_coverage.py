"""Sentence coverage and stale derived tables (issue #10, sections 1 and 3).

Every sentence of every clean seed backs at least one fact row or has a declared reason; check-data
reports a sentence with neither, and any derived table that no longer matches a fresh build of the
folder it checks; load() never returns such a table.
"""
from __future__ import annotations

import csv

import pytest
from conftest import read_rows, run_cli, set_cell, write_rows

from iraqtalks.data import build as build_mod
from iraqtalks.data.coverage import REASONS, fact_signs
from iraqtalks.data.loader import load
from iraqtalks.data.paths import DATA_DIR, ROOT
from iraqtalks.data.problems import DataError
from iraqtalks.data.report import check_data
from iraqtalks.text.labels import NUMBER_WORDS_EN


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_sentence_of_the_kit_backs_a_fact_or_has_a_reason():
    cov = _rows(DATA_DIR / "sentence_coverage.csv")
    sentences = _rows(DATA_DIR / "sentences.csv")
    assert [c["sentence_id"] for c in cov] == [s["sentence_id"] for s in sentences]
    bare = [c["sentence_id"] for c in cov if c["facts"] == "0" and not c["reason"]]
    assert bare == []
    both = [c["sentence_id"] for c in cov if c["facts"] != "0" and c["reason"]]
    assert both == []
    assert {c["reason"] for c in cov} <= set(REASONS) | {""}


def test_the_kits_data_passes_check_data_including_coverage_and_freshness():
    report = check_data()
    assert report.ok, str(report)


def test_a_sentence_with_neither_facts_nor_a_reason_is_reported(data_copy):
    reasons = read_rows(data_copy / "sentence_reasons.csv")
    assert len(reasons) > 1, "the kit records reasons for some sentences"
    dropped = reasons.pop(1)
    write_rows(data_copy / "sentence_reasons.csv", reasons)
    build_mod.build(data_dir=data_copy)  # fresh derived tables: only the coverage problem is left
    report = check_data(data_dir=data_copy)
    assert not report.ok
    hits = [p for p in report.problems if dropped[0] in str(p)]
    assert len(hits) == 1 and hits[0].file.endswith("sentence_reasons.csv"), str(report)
    assert "reason" in str(hits[0])
    assert len(report.problems) == 1, str(report)


def test_a_reason_for_a_sentence_that_backs_facts_is_refused(data_copy):
    sentences = _rows(data_copy / "sentences.csv")
    cov = {c["sentence_id"]: c for c in _rows(data_copy / "sentence_coverage.csv")}
    target = next(s for s in sentences if any(ch.isdigit() for ch in s["text"]) and cov[s["sentence_id"]]["facts"] != "0")
    # a sentence that backs facts needs no reason: a reason row for it is refused
    rows = read_rows(data_copy / "sentence_reasons.csv")
    rows.append([target["sentence_id"], "commentary", "test"])
    write_rows(data_copy / "sentence_reasons.csv", rows)
    build_mod.build(data_dir=data_copy)
    report = check_data(data_dir=data_copy)
    hits = [p for p in report.problems if p.row == len(rows)]
    assert hits and "delete this reason row" in str(hits[0]), str(report)


def test_fact_signs_name_digits_reporting_words_credits_and_unrecorded_names():
    assert fact_signs("Ảnh hưởng của Iran", {"Iran"}, {"Reuters"}) == []
    signs = fact_signs("Ông Qaani nói 3 lần, theo Reuters", {"Iran"}, {"Reuters"})
    assert "a digit" in signs
    assert "the credit 'Reuters'" in signs
    assert "the unrecorded name 'Qaani'" in signs
    assert any("nói" in s for s in signs)


def test_a_restated_reason_must_point_at_a_sentence_with_facts(data_copy):
    rows = read_rows(data_copy / "sentence_reasons.csv")
    assert len(rows) > 1
    set_cell(data_copy / "sentence_reasons.csv", 2, "reason", "restated")
    set_cell(data_copy / "sentence_reasons.csv", 2, "note", "repeats what the article says above")
    k = 1
    build_mod.build(data_dir=data_copy)
    report = check_data(data_dir=data_copy)
    hits = [p for p in report.problems if p.row == k + 1 and p.column == "note"]
    assert hits, str(report)


# --- stale derived tables --------------------------------------------------------------------------

def _reverse_rows(path):
    rows = read_rows(path)
    write_rows(path, [rows[0]] + rows[1:][::-1])


def test_reordered_rows_make_the_derived_tables_stale_and_check_data_says_build(data_copy):
    _reverse_rows(data_copy / "quotes.csv")
    report = check_data(data_dir=data_copy)
    assert not report.ok
    stale = {p.file for p in report.problems}
    assert any(f.endswith("evidence_locations.csv") for f in stale), str(report)
    text = str(report)
    assert "./kit build" in text and "out of date" in text
    build_mod.build(data_dir=data_copy)
    assert check_data(data_dir=data_copy).ok


def test_load_never_returns_a_stale_evidence_location(data_copy):
    assert len(load("evidence_locations", data_dir=data_copy)) > 0
    _reverse_rows(data_copy / "numbers.csv")
    with pytest.raises(DataError) as exc:
        load("evidence_locations", data_dir=data_copy)
    assert "evidence_locations.csv" in str(exc.value) and "./kit build" in str(exc.value)
    build_mod.build(data_dir=data_copy)
    locs = load("evidence_locations", data_dir=data_copy)
    numbers = _rows(data_copy / "numbers.csv")
    raw_of = {}
    for art in _rows(data_copy / "articles.csv"):
        raw_of[art["article_id"]] = (data_copy.parent / "seeds" / art["seed_file"]).read_text(encoding="utf-8")
    for _, loc in locs[locs["table"] == "numbers"].iterrows():
        row = numbers[int(loc["row"]) - 2]
        assert raw_of[loc["article_id"]][int(loc["char_start"]):int(loc["char_end"])] == row["evidence"]


def test_an_edited_derived_table_is_stale(data_copy):
    set_cell(data_copy / "sentence_coverage.csv", 2, "facts", "99")
    report = check_data(data_dir=data_copy)
    assert report.problems and all(p.file.endswith("sentence_coverage.csv") for p in report.problems), str(report)
    with pytest.raises(DataError):
        load("sentence_coverage", data_dir=data_copy)


def test_check_data_cli_names_the_stale_table_and_the_build_command(data_copy):
    _reverse_rows(data_copy / "events.csv")
    r = run_cli(["check-data", str(data_copy)], ROOT)
    assert r.returncode == 1
    assert "evidence_locations.csv" in r.stdout and "./kit build" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_a_fact_free_reason_on_a_sentence_with_a_date_or_name_is_refused(data_copy):
    """Take every fact row away from a sentence with a date, give it 'commentary': check-data refuses."""
    cov = {c["sentence_id"]: c for c in _rows(data_copy / "sentence_coverage.csv")}
    sid = "a004-p40-s02"  # 'Ngày 2/2 được đánh giá có điều kiện tốt nhất để tiến hành tấn công.'
    assert cov[sid]["facts"] != "0"
    for label in cov[sid]["fact_rows"].split("; "):
        table, key = label[:-1].split("(", 1)
        rows = read_rows(data_copy / f"{table}.csv")
        keep = [rows[0]] + [r for r in rows[1:] if key not in (r[0], ", ".join(r[:len(key.split(", "))]))]
        write_rows(data_copy / f"{table}.csv", keep)
    rows = read_rows(data_copy / "sentence_reasons.csv")
    rows.append([sid, "commentary", "test"])
    write_rows(data_copy / "sentence_reasons.csv", rows)
    derived = build_mod.derive(data_dir=data_copy)
    hits = [p for p in derived["coverage_problems"] if p.row == len(rows) and p.column == "reason"]
    assert hits and "a digit" in str(hits[0]), [str(p) for p in derived["coverage_problems"]]


def test_the_readme_states_the_measured_coverage():
    cov = _rows(DATA_DIR / "sentence_coverage.csv")
    total = len(cov)
    facts = sum(1 for c in cov if c["facts"] != "0")
    reasons = sum(1 for c in cov if c["facts"] == "0" and c["reason"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    texts = NUMBER_WORDS_EN[len({c["article_id"] for c in cov})]
    assert f"of the {total} sentences of the {texts} clean texts, {facts} hold the" in readme
    assert f"and {reasons} (" in readme
    assert "complete, not a sample" not in readme
    dictionary = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"| all | {total} | {facts} | {reasons} | 0 |" in dictionary
