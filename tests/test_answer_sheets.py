"""The teacher's answer sheets (`./kit answers DIR`): one page per exercise set, as Markdown and as PDF."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from browserkit import need_chromium

from iraqtalks.authoring import answer_sheets as sheets
from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import exercise_keys as exkeys
from iraqtalks.data.paths import ROOT
from iraqtalks.teaching import checker as ex_checker


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    need_chromium()
    out = tmp_path_factory.mktemp("answers")
    sheets.write_answer_sheets(out)
    return out


@pytest.fixture(scope="module")
def data() -> dict[str, dict]:
    return {slug: sheets.sheet_data(slug) for slug in exfmt.SETS}


def test_every_question_has_its_answer_why_and_pointer(data):
    notebooks = {slug: exfmt.read_notebook(exfmt.solution_path(slug)) for slug in exfmt.SETS}
    _, answers = exkeys.build_keys(notebooks)
    for slug, d in data.items():
        md = sheets.to_markdown(d)
        qids = [q for q in answers if q.startswith(slug[:2] + "-")]
        assert [it["qid"] for it in d["questions"]] == qids
        for it in d["questions"]:
            q, value = answers[it["qid"]]
            assert f"## {it['qid']} · " in md
            assert q.spec["why"] in md and q.spec["pointer"] in md
            if q.kind == "number":
                assert f"**Accepted answer:** {ex_checker.format_number(ex_checker.as_number(value), q.spec.get('decimals'))} " in md
            if q.kind == "choice":
                letter = exkeys.canonical_answer(q, value)
                assert f"**Accepted answer:** {letter}. {q.options[letter]}" in md
            if q.kind == "frame":
                cols, rows = ex_checker.frame_table(value, None, q.spec.get("decimals"))
                for r in rows:
                    assert "| " + " | ".join(r) + " |" in md
            if q.kind == "text":
                for kp in q.spec["keypoints"]:
                    assert kp["label"] in md and all(f'"{a}"' in md for a in kp["any"])
                assert value.strip() in md
            if q.kind == "reflect":
                assert all(c in md for c in q.spec["checklist"])


def test_the_prompt_is_the_question_itself(data):
    d = data["06-comparing-sources"]["questions"][0]
    assert d["prompt"].startswith("Make a table of how many different events each article reports")
    assert d["prompt"].endswith("Answer with a DataFrame.")
    assert "*" not in d["prompt"] and "`" not in d["prompt"]


def test_html_escapes_the_texts():
    d = {"slug": "01-x", "title": "<b>T</b>", "questions": [
        {"qid": "01-q1", "kind": "text", "title": "t", "prompt": "<script>alert(1)</script>", "text": "a & b",
         "why": "<img src=x onerror=alert(1)>", "pointer": "p"}]}
    page = sheets.to_html([d])
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


@pytest.mark.slow
def test_one_page_pdf_per_set_with_the_text_in_its_text_layer(written, data):
    for slug, d in data.items():
        pdf = written / f"answers-{slug}.pdf"
        reader = pypdf.PdfReader(str(pdf))
        assert len(reader.pages) == 1, f"{pdf.name} has {len(reader.pages)} pages"
        assert sheets.pdf_pages(pdf) == 1
        text = " ".join(reader.pages[0].extract_text().split())
        for it in d["questions"]:
            assert it["qid"] in text, (slug, it["qid"])
    # Vietnamese survives into the text layer (04-q1's accepted names include the Prime Minister's title)
    text = pypdf.PdfReader(str(written / "answers-04-whos-who.pdf")).pages[0].extract_text()
    assert "thủ tướng" in text.lower() or "Thủ tướng" in text


@pytest.mark.slow
def test_markdown_and_the_print_page_are_written(written):
    names = sorted(p.name for p in written.iterdir())
    for slug in exfmt.SETS:
        assert f"answers-{slug}.md" in names and f"answers-{slug}.pdf" in names
    assert "answers.html" in names
    page = (written / "answers.html").read_text(encoding="utf-8")
    assert page.count("<article class='sheet'>") == len(exfmt.SETS)
    assert re.search(r"https?://", page) is None  # nothing to fetch when printed


def test_answers_refuse_a_folder_inside_the_kit():
    out = subprocess.run([sys.executable, "-m", "iraqtalks", "answers", str(ROOT / "answer-sheets")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "inside the kit" in out.stderr
    assert not (ROOT / "answer-sheets").exists()


def test_the_student_edition_can_not_make_answer_sheets(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(exfmt, "SOLUTIONS_DIR", tmp_path / "missing")
    assert sheets.main(str(tmp_path / "out")) == 1
    assert "student edition" in capsys.readouterr().err
