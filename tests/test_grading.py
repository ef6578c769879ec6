"""Grading export (./kit grading nbgrader DIR): the hidden tests mark answers as the kit's checker
compares them, the export never writes into the kit, and a correct and a wrong submission go through
nbgrader's own autograder: the correct one scores full marks, the wrong one less."""
from __future__ import annotations

import re
import sys

import nbformat
import pytest

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import exercise_keys as exkeys
from iraqtalks.authoring import grading
from iraqtalks.data.paths import ROOT
from iraqtalks.teaching import checker as ex

if sys.version_info < (3, 11):  # nbgrader 0.9.6 (in the test extra) needs Python 3.11+
    pytest.skip("nbgrader needs Python 3.11 or newer", allow_module_level=True)
import nbgrader  # noqa: E402,F401  (installed by ./kit setup --test; a missing one is a failure, not a skip)

pytestmark = pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")  # nbgrader internals

KEYS = ex.load_keys()
AUTO = sorted(q for q in KEYS if KEYS[q]["kind"] not in grading.MANUAL_KINDS)
MANUAL = sorted(q for q in KEYS if KEYS[q]["kind"] in grading.MANUAL_KINDS)


def number_entry(qid: str, value) -> dict:
    return {"kind": "number", "digest": ex.digest(qid, ex.format_number(value)), "hints": ["a", "b"],
            "why": "", "pointer": "", "lesson": "05-numbers-in-the-news"}


# ---------------------------------------------------------------------------------------------
# The verdicts: the kit's normalisation, plus the Vietnamese reading of numbers written as text

@pytest.mark.parametrize("text, value", [("2.500", 2500.0), ("1.234.567", 1234567.0), ("1.234,5", 1234.5),
                                         (" -2.500 ", -2500.0), ("2500", None), ("2.5", None), ("2,500", None),
                                         ("12.50", None), ("abc", None)])
def test_vietnamese_numbers_are_read_the_vietnamese_way(text, value):
    assert grading.read_vietnamese_number(text) == value


@pytest.mark.parametrize("answer, ok", [(2500, True), (2500.0, True), ("2500", True), ("2.500", True),
                                        ("2.500,0", True), ("2 500", True), (2.5, False), ("2.5", False),
                                        ("2,500", False), (2501, False), ("2.501", False), (..., False),
                                        (None, False), ([2500], False), ("many", False), (True, False)])
def test_number_verdicts(answer, ok):
    entry = number_entry("99-q1", 2500)
    got, reason = grading.verdict("99-q1", answer, entry)
    assert got is ok, reason
    assert "2500" not in reason and "2.500" not in reason  # never the expected answer


def test_grade_raises_a_short_assertion_and_detects_changed_keys(monkeypatch):
    qid = AUTO[0]
    with pytest.raises(AssertionError) as info:
        grading.grade(qid, ..., key=grading.key_fingerprint(KEYS[qid]))
    assert str(info.value) == f"{qid}: Not answered."
    with pytest.raises(grading.KeyChanged, match="changed after this assignment was exported"):
        grading.grade(qid, ..., key="0" * 16)
    with pytest.raises(grading.KeyChanged, match="no answer key for 99-q9"):
        grading.grade("99-q9", 1)


@pytest.fixture(scope="module")
def solutions():
    notebooks = {slug: exfmt.read_notebook(exfmt.solution_path(slug)) for slug in exfmt.SETS}
    _, answers = exkeys.build_keys(notebooks)
    return answers


def wrong_answer(q, value):
    if q.kind == "number":
        return ex.as_number(value) + 1
    if q.kind == "choice":
        right = ex.canonical_choice(value, q.options)
        return next(letter for letter in q.options if letter != right)
    if q.kind == "ids":
        return ex.id_members(value)[1:] or ["not-an-id"]
    if q.kind == "frame":
        return value.iloc[:-1] if len(value) > 1 else value.iloc[:0]
    raise AssertionError(q.kind)


def test_every_autograded_solution_passes_and_a_wrong_answer_fails(solutions):
    assert len(AUTO) >= 40 and set(MANUAL) == {q for q in KEYS if KEYS[q]["kind"] in ("text", "reflect")}
    for qid in AUTO:
        q, value = solutions[qid]
        grading.grade(qid, value, key=grading.key_fingerprint(KEYS[qid]))
        ok, reason = grading.verdict(qid, wrong_answer(q, value), KEYS[qid])
        assert not ok, (qid, reason)
        leaked = [f for f in exkeys.plain_forms(q, value) if exkeys.contains_word(reason, f)]
        assert not leaked, (qid, reason)


# ---------------------------------------------------------------------------------------------
# Where the export may write

@pytest.mark.parametrize("where", [".", "exercises/marking", "teachers", "data/out", ".."])
def test_refuses_to_write_into_the_kit(where, capsys):
    existed = (ROOT / where).exists()
    assert grading.main(["nbgrader", str(ROOT / where), "--sets", "01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grading: ") and "Traceback" not in err
    assert "kit's own" in err, err
    assert (ROOT / where).exists() == existed
    assert not (ROOT / where / "nbgrader_config.py").exists() and not (ROOT / where / "source").exists()


def test_refuses_a_folder_that_is_not_an_earlier_export(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert grading.main(["nbgrader", str(tmp_path), "--sets", "01"]) == 1
    assert "is not empty and is not a course folder written by the kit" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_needs_the_solution_notebooks(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(exfmt, "SOLUTIONS_DIR", tmp_path / "no-solutions")  # as in the student edition
    assert grading.main(["nbgrader", str(tmp_path / "c"), "--sets", "01"]) == 1
    err = capsys.readouterr().err
    assert "01-meet-the-sources.ipynb is missing" in err and "student edition" in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_unwritable_folder_is_reported(tmp_path, capsys):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert grading.main(["nbgrader", str(tmp_path / "file" / "course"), "--sets", "01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grading: could not write the course folder") and "Traceback" not in err


def test_unknown_set_is_named(tmp_path, capsys):
    assert grading.main(["nbgrader", str(tmp_path / "c"), "--sets", "09"]) == 1
    assert "unknown exercise set(s): 09" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# End to end through nbgrader: export, submit, autograde, read the gradebook

SETS = ["05-numbers-in-the-news", "07-capstone"]


def solution_code(source: str) -> str:
    """An answer cell of the nbgrader source as a student who got it right would write it: the
    released cell (its own lines and the ``answer_qN = ...`` stub) with the stub replaced by the solution."""
    return "\n".join(line for line in source.split("\n")
                     if line.strip() not in (exfmt.BEGIN, exfmt.END)
                     and not re.fullmatch(r"answer_q\d+ = \.\.\.", line.strip()))


def submission(course, slug, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with the answer cells replaced ({grade_id: code}; others left as given)."""
    nb = nbformat.read(course / "release" / slug / f"{slug}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    dest = tmp_path_factory.mktemp("grading") / "course"
    log = []
    grading.export_nbgrader(dest, SETS, log=log.append)
    assert len(log) == 2 * len(SETS) + 1
    source = {}
    for slug in SETS:
        nb = nbformat.read(dest / "source" / slug / f"{slug}.ipynb", as_version=4)
        source[slug] = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                        if c.metadata.get("nbgrader", {}).get("solution")}
    right = {slug: {gid: solution_code(src) for gid, src in source[slug].items()} for slug in SETS}
    right["05-numbers-in-the-news"]["05-q1-answer"] = 'answer_q1 = "2.500"  # as the article writes it'
    wrong = dict(right["05-numbers-in-the-news"])
    wrong.update({
        "05-q1-answer": "answer_q1 = 2.5  # the dot read as a decimal point",
        "05-q2-answer": "answer_q2 = ['not-an-id']",
        "05-q4-answer": "answer_q4 = ...",
    })
    runs = [("right", slug, right[slug]) for slug in SETS] + [("wrong", SETS[0], wrong)]
    for student, slug, answers in runs:
        path = dest / "submitted" / student / slug / f"{slug}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(submission(dest, slug, answers), str(path))
    with grading.nbgrader_api(dest) as api:
        for student, slug, _ in runs:
            result = api.autograde(slug, student, force=True, create=True)
            assert result["success"], grading._failed(result)
    return dest


def gradebook(course):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


@pytest.mark.slow
def test_release_holds_no_solution_and_no_test(course):
    for slug in SETS:
        release = (course / "release" / slug / f"{slug}.ipynb").read_text(encoding="utf-8")
        source = (course / "source" / slug / f"{slug}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" in source and "BEGIN HIDDEN TESTS" in source
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "grade(", "check(", "ANSWER KEY"):
            assert marker not in release, (slug, marker)
        nb = nbformat.reads(release, as_version=4)
        stubs = [c.source.strip() for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert stubs and all(re.fullmatch(r"answer_q\d+ = \.\.\.", s.splitlines()[-1]) for s in stubs), stubs
    assert "model answer" in (course / "MARKING.md").read_text(encoding="utf-8").lower()


@pytest.mark.slow
def test_correct_submission_scores_full_and_wrong_scores_less(course):
    with gradebook(course) as gb:
        for slug in SETS:
            right = gb.find_submission(slug, "right")
            grades = right.notebooks[0].grades
            manual = [g for g in grades if g.needs_manual_grade]
            want = sorted(f"{q}-answer" for q in MANUAL if KEYS[q]["lesson"] == slug)
            assert sorted(g.cell.name for g in manual) == want, slug   # free text: left to the teacher
            auto_max = sum(g.max_score for g in grades if not g.needs_manual_grade)
            assert auto_max == sum(1 for q in AUTO if KEYS[q]["lesson"] == slug)
            assert right.score == auto_max, slug                      # every autograded point, "2.500" too
            for g in manual:                                          # the teacher gives the free text full marks
                g.manual_score = g.max_score
            gb.db.commit()
            assert right.score == right.max_score == auto_max + len(want)
        wrong = gb.find_submission(SETS[0], "wrong")
        lost = sorted(g.cell.name for g in wrong.notebooks[0].grades
                      if not g.needs_manual_grade and g.score < g.max_score)
        assert lost == ["05-q1-test", "05-q2-test", "05-q4-test"]
        auto_05 = sum(1 for q in AUTO if KEYS[q]["lesson"] == SETS[0])
        assert wrong.score == auto_05 - 3 < wrong.max_score


@pytest.mark.slow
def test_reexport_keeps_the_gradebook(course):
    grading.export_nbgrader(course, SETS[:1], log=lambda _: None)
    with gradebook(course) as gb:
        assert gb.find_submission(SETS[0], "right").score > 0
    assert (course / "nbgrader_config.py").read_text(encoding="utf-8").startswith(grading.MARKER)


def test_teacher_guide_names_the_manually_graded_questions_and_the_command():
    guide = (ROOT / "teachers" / "README.md").read_text(encoding="utf-8")
    section = guide[guide.index("### Grading with nbgrader"):]
    section = section[:section.index("\n## ")]
    named = sorted(set(re.findall(r"\b\d\d-q\d+\b", section)))
    assert named == MANUAL
    assert "./kit grading nbgrader" in section and "\"2.500\"" in section
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./kit grading nbgrader DIR" in readme and "teachers/README.md#grading-with-nbgrader" in readme
