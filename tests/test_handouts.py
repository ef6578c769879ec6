"""The classroom handouts (`./kit handouts DIR`): article cards, worksheets, their answers, the answer sheets.

Built once into a temporary folder with Debian's Chromium (required under CI=true, never skipped there). Checked:
the page count of every PDF is the one its content was laid out for; the cards' Vietnamese (every key
sentence, NFC) and English are in the PDFs' text layer, in DejaVu Sans; every card row comes from the data
(every event report, quote and number of its article, with the data's own English); every worksheet answer cites
rows that exist; bad folders and a missing Chromium give one clear message and no traceback.
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdf
import pytest
from browserkit import need_chromium
from test_teacher_materials import check_citations

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import handouts as h
from iraqtalks.data.paths import ROOT

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}


def squash(text: str) -> str:
    """NFC, with every space and line break taken out (the PDF breaks lines where the page does), and the
    Latin ligatures Chromium sets in English words (conﬂict) spelled out; nothing else is folded."""
    for lig, letters in LIGATURES.items():
        text = text.replace(lig, letters)
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def rows(table: str) -> list[dict]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[Path, int]]:
    need_chromium()
    out = tmp_path_factory.mktemp("handouts") / "out"
    return out, h.write_handouts(out)


@pytest.fixture(scope="module")
def texts(built) -> dict[str, list[str]]:
    out, _ = built
    return {name: [p.extract_text() for p in pypdf.PdfReader(str(out / name)).pages]
            for name in ("cards.pdf", "worksheets.pdf", "worksheet-answers.pdf")}


def test_every_pdf_has_the_pages_its_content_implies(built):
    out, written = built
    the_cards = h.cards()
    sheets = h.worksheets()
    expected = {"cards.pdf": sum(len(h.paginate(c)) for c in the_cards),
                "worksheets.pdf": len(sheets), "worksheet-answers.pdf": len(sheets)}
    assert len(sheets) == 4
    assert expected["cards.pdf"] >= len(h.article_ids())
    for name, n in expected.items():
        assert len(pypdf.PdfReader(str(out / name)).pages) == n, name
        assert written[out / name] == n
    if exfmt.SOLUTIONS_DIR.is_dir():
        for slug in exfmt.SETS:
            pdf = out / "answers" / f"answers-{slug}.pdf"
            assert len(pypdf.PdfReader(str(pdf)).pages) == 1, pdf.name


def test_each_card_starts_on_its_own_page_with_its_header(texts):
    pages = texts["cards.pdf"]
    firsts = [i for i, t in enumerate(pages) if re.search(r"Article card a\d{3}\s*\n\s*Outlet:", t)]
    assert [re.search(r"Article card (a\d{3})", pages[i]).group(1) for i in firsts] == list(h.article_ids())
    counts = [len(h.paginate(c)) for c in h.cards()]
    assert firsts == [sum(counts[:k]) for k in range(len(counts))]


def test_vietnamese_is_in_the_text_layer_nfc(texts):
    cards_text = squash("".join(texts["cards.pdf"]))
    # A verbatim quote with ố and ầ (and the other marks), from the data.
    quote = next(r["quote_vi"] for r in rows("quotes") if "ố" in r["quote_vi"] and "ầ" in r["quote_vi"])
    assert squash(quote) in cards_text
    for c in h.cards():
        if c.headline_vi:
            assert squash(c.headline_vi) in cards_text
        for s in c.sentences:
            assert squash(s.vi) in cards_text, s.vi
            assert squash(s.en) in cards_text, s.en
    sheets = squash("".join(texts["worksheets.pdf"]))
    assert squash("«ngày 8.2»") in sheets and squash("«Ngày hôm sau»") in sheets


def test_the_pdfs_use_dejavu_sans_only(built):
    out, _ = built
    for name in ("cards.pdf", "worksheets.pdf", "worksheet-answers.pdf"):
        fonts = set()
        for page in pypdf.PdfReader(str(out / name)).pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        assert fonts and all(f.startswith("DejaVuSans") for f in fonts), (name, fonts)


def test_cards_hold_every_row_of_their_article_with_the_datas_english():
    keys = {"event_reports": "event_id", "quotes": "quote_id", "numbers": "number_id"}
    for c in h.cards():
        english = {}
        for table, key in keys.items():
            for r in rows(table):
                if r["article_id"] == c.article_id:
                    assert (table, r[key]) in c.labels, (c.article_id, table, r[key])
                    english.setdefault(r["evidence"], set()).add(r["evidence_en"])
        labelled = [lab for s in c.sentences for lab in s.labels]
        assert sorted(labelled) == sorted(c.labels.values()) and len(set(labelled)) == len(labelled)
        for s in c.sentences:
            assert s.en in english[s.vi], f"{c.article_id}: {s.en!r} is not the data's English for this sentence"
            for table, key in s.rows:   # a row shown inside a longer sentence really is part of it
                ev = next(r["evidence"] for r in rows(table)
                          if r[keys[table]] == key and r["article_id"] == c.article_id)
                assert ev in s.vi


def test_card_dates_come_with_their_basis():
    articles = {r["article_id"]: r for r in rows("articles")}
    for c in h.cards():
        a = articles[c.article_id]
        assert a["date_reasoning"] in c.date_basis
        if a["published_basis"] == "printed":
            assert a["published_printed"] in c.date and "printed" in c.date
        else:
            assert a["published_start"] in c.date and "inferred from the page" in c.date_basis
            if a["estimate_start"]:
                assert f"Estimate (a judgement, not a bound): {a['estimate_start']} to {a['estimate_end']}" in c.date


def test_every_worksheet_answer_cites_rows_that_exist():
    for w in h.worksheets():
        for t in w.tasks:
            assert t.cites, t.prompt
            # The answer is the context: a cited number or day-precise event must be given in it.
            assert check_citations(t.answer + " " + " ".join(t.cites), w.title) == []
            for label in re.findall(r"sentence ([EQN]\d+)", t.prompt):
                card = re.search(r"Card (a\d{3})", t.prompt).group(1)
                assert label in next(c for c in h.cards() if c.article_id == card).labels.values()


def test_worksheet_answers_agree_with_the_data():
    sheets = {w.title.split(" · ")[1]: w for w in h.worksheets()}
    dates = sheets["Reading dates"].tasks
    assert any(t.answer.startswith("8 February 2024.") and "«ngày 8.2»" in t.prompt for t in dates)
    assert dates[0].answer == "Printed: 25 January 2024."
    counting = sheets["Counting"].tasks
    jordan = sorted({r["article_id"] for r in rows("event_reports") if r["event_id"] == "e2024-01-28-jordan-attack"})
    assert counting[0].answer == f"{len(jordan)}: {', '.join(jordan)}."
    basis = {r["event_id"]: r["actor1_basis"] for r in rows("events")}
    assert basis["e2024-01-28-jordan-attack"] == "accused"
    assert any("accusation" in t.answer and "(events: e2024-01-28-jordan-attack)" in t.cites
               for t in sheets["Accusation or fact?"].tasks)
    # Each sentence a worksheet points to shows what the task asks about: the agency a quote came through, and
    # the accusation (the US "cáo buộc", accused) for the attack in Jordan.
    cards = {c.article_id: c for c in h.cards()}
    outlets = {r["outlet_id"]: r["name_vi"] for r in rows("outlets")}
    quotes = {r["quote_id"]: r for r in rows("quotes")}
    for qid in h.QUOTE_ITEMS:
        q = quotes[qid]
        card = cards[q["article_id"]]
        shown = next(s for s in card.sentences if card.labels[("quotes", qid)] in s.labels)
        if q["via_outlet_id"]:
            assert outlets[q["via_outlet_id"]] in shown.vi, qid
    read_id, aid, _ = next(item for item in h.BASIS_ITEMS if item[2] == "e2024-01-28-jordan-attack")
    shown = next(s for s in cards[aid].sentences if cards[aid].labels[("event_reports", read_id)] in s.labels)
    assert "cáo buộc" in shown.vi


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "iraqtalks", "handouts", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_bad_folders_get_one_clear_message(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    res = run_cli(str(full))
    assert res.returncode == 1 and "is not empty" in res.stderr and "Traceback" not in res.stderr
    assert (full / "keep.txt").read_text() == "mine" and len(list(full.iterdir())) == 1
    a_file = tmp_path / "file.pdf"
    a_file.write_text("x")
    res = run_cli(str(a_file))
    assert res.returncode == 1 and "is not a folder" in res.stderr and "Traceback" not in res.stderr
    res = run_cli(str(ROOT / "handouts-here"))
    assert res.returncode == 1 and "inside the kit" in res.stderr and not (ROOT / "handouts-here").exists()
    res = run_cli()
    assert res.returncode == 2 and "give a new or empty folder" in res.stderr


def test_unwritable_folder_and_missing_chromium_are_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(h.os, "access", lambda path, mode: False)
    with pytest.raises(h.HandoutError, match="no permission to write"):
        h.check_target(tmp_path / "new")
    monkeypatch.undo()
    monkeypatch.setattr(h, "CHROMIUM", tmp_path / "no-chromium")
    assert h.main(str(tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert "is missing" in err and "apt-get install chromium fonts-dejavu-core" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_an_overflowing_page_stops_the_build(tmp_path, monkeypatch):
    need_chromium()
    monkeypatch.setattr(h, "LINES_PER_PAGE", 400)   # cards laid out for pages far taller than A4
    with pytest.raises(h.HandoutError, match="printed on .* pages, but its content was laid out for"):
        h.write_handouts(tmp_path / "out")
    assert not (tmp_path / "out").exists(), "a failed build must leave no half-built handouts"
    (tmp_path / "empty").mkdir()
    with pytest.raises(h.HandoutError):
        h.write_handouts(tmp_path / "empty")
    assert (tmp_path / "empty").is_dir() and not any((tmp_path / "empty").iterdir())


def test_a_chromium_that_will_not_start_is_named(tmp_path, monkeypatch, capsys):
    need_chromium()
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(h, "CHROMIUM", fake)
    assert h.main(str(tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert "could not be started" in err and "apt-get install chromium" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_kit_knows_the_command():
    sys.path.insert(0, str(ROOT))
    try:
        import kit
    finally:
        sys.path.pop(0)
    assert "handouts" in kit.COMMANDS and "handouts DIR" in kit.usage()
    assert os.path.isfile(ROOT / "iraqtalks" / "authoring" / "handouts.py")


def test_the_student_edition_prints_no_answers(tmp_path, monkeypatch):
    need_chromium()
    monkeypatch.setattr(exfmt, "SOLUTIONS_DIR", tmp_path / "no-solutions")
    written = h.write_handouts(tmp_path / "out")
    assert sorted(p.name for p in written) == ["cards.pdf", "worksheets.pdf"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cards.html", "cards.pdf", "worksheets.html",
                                                                     "worksheets.pdf"]


def test_the_student_edition_leaves_out_the_teachers_handout_tests():
    from iraqtalks.authoring import release
    assert "tests/test_handouts.py" in release.LEAVE_OUT and "tests/test_teacher_pages.py" in release.LEAVE_OUT
