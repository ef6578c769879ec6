"""Objectives, the questions and checks that assess them, the lessons' own checks, and the time rule.

* every lesson lists 3-5 objectives with ids LNN-O1, LNN-O2, ... in order;
* every objective is assessed by at least one exercise question or in-lesson check, and every
  question and check names at least one objective of its own lesson (tag in its check cell's metadata);
* every exercise set has a no-code track of at least two questions;
* the lessons' checks have keys (iraqtalks/teaching/lesson_keys.json in sync), hide their answers, and the
  learner's answer cell is left as `answer_cN = ...`;
* the teacher guide's generated section (objective map, no-code track, vocabulary, times) is up to date;
* stated times follow the documented rule of thumb, and a lesson longer than a class period is in parts.
"""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import exercise_keys as exkeys
from iraqtalks.authoring import exercise_notebooks as exnb
from iraqtalks.authoring import lesson_keys as lkeys
from iraqtalks.authoring import objectives, timing
from iraqtalks.authoring.nav import lessons
from iraqtalks.data.paths import ROOT
from iraqtalks.teaching import checker as ex

OBJECTIVES = objectives.objective_map()
ASSESSMENTS = objectives.assessments()
LESSONS = lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_each_lesson_has_three_to_five_numbered_objectives(lesson):
    ids = [objectives.OBJECTIVE_ID.match(o)["id"] for o in lesson.objectives]
    assert 3 <= len(ids) <= 5, f"notebooks/{lesson.name}: {len(ids)} objectives"
    assert ids == [f"L{lesson.number}-O{i}" for i in range(1, len(ids) + 1)], (
        f"notebooks/{lesson.name}: objective ids must run L{lesson.number}-O1, -O2, ... in order; found {ids}")


def test_no_objective_is_unassessed():
    bare = [o.oid for o in OBJECTIVES.values() if not o.assessed_by]
    assert not bare, f"objectives assessed by no question or check: {', '.join(bare)}"


def test_every_question_and_check_assesses_an_objective_of_its_lesson():
    keys = json.loads(ex.KEYS_PATH.read_text(encoding="utf-8"))["questions"]
    tagged = {a.qid for a in ASSESSMENTS}
    assert set(keys) <= tagged, f"questions with no objective tag: {sorted(set(keys) - tagged)}"
    for a in ASSESSMENTS:
        nn = a.qid[1:3] if a.qid.startswith("L") else a.qid[:2]
        assert any(o.startswith(f"L{nn}-") for o in a.objectives), (
            f"{a.where}: {a.qid} names no objective of lesson {nn} ({a.objectives})")
        assert all(o in OBJECTIVES for o in a.objectives), f"{a.where}: {a.qid} names an unknown objective"


def test_every_exercise_set_has_a_no_code_track():
    track = objectives.no_code_track()
    assert set(track) == {f"exercises/{s}.ipynb" for s in exfmt.SETS}
    for where, qids in track.items():
        assert len(qids) >= 2, f"{where}: only {len(qids)} no-code questions ({qids}); give at least 2"


def test_untagged_or_unknown_tags_are_errors():
    with pytest.raises(objectives.ObjectiveError, match="no .* tag"):
        objectives._tag({}, "exercises/solutions/x.ipynb, cell 3")
    with pytest.raises(objectives.ObjectiveError, match="no .* tag"):
        objectives._tag({"iraqtalks": {"objectives": []}}, "x")
    with pytest.raises(objectives.ObjectiveError, match="markers"):
        objectives.updated_guide("a guide without the generated section")


def test_the_guides_generated_section_is_up_to_date():
    text = objectives.GUIDE.read_text(encoding="utf-8")
    assert objectives.updated_guide(text) == text, (
        "teachers/README.md's generated section (objective map, no-code track, vocabulary, times) is out "
        "of date: run python -m iraqtalks exercises")


def test_lesson_keys_are_in_sync_and_hide_their_answers():
    fresh = exkeys.keys_text(lkeys.build_lesson_keys())
    assert fresh == lkeys.LESSON_KEYS_PATH.read_text(encoding="utf-8"), (
        "iraqtalks/teaching/lesson_keys.json is out of date: run python -m iraqtalks exercises")
    specs = {s["qid"]: s for s in lkeys.lesson_check_specs()}
    text = lkeys.LESSON_KEYS_PATH.read_text(encoding="utf-8")
    for qid, spec in specs.items():
        forms = exkeys.plain_forms(exfmt.Question(qid, "", spec, "", -1, -1, dict(spec.get("options", {}))),
                                  spec["answer"])
        doc = json.loads(text)["checks"][qid]
        assert not exkeys.leaks(doc, forms), f"{qid}: its key gives the answer away"


@pytest.mark.parametrize("qid", sorted(lkeys.lesson_check_cells()))
def test_lesson_checks_work_and_leave_the_answer_to_the_learner(qid):
    name, i, _ = lkeys.lesson_check_cells()[qid]
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    n = qid.split("-c")[1]
    assert nb.cells[i - 1].source.startswith(f"answer_c{n} = ...  #"), (
        f"notebooks/{name}: {qid}'s answer cell must be left as answer_c{n} = ... for the learner")
    # check() in a notebook shows its message as text/plain (and a badge as HTML)
    out = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in nb.cells[i].outputs)
    assert out.startswith("Not answered yet"), f"notebooks/{name}: {qid} printed {out[:60]!r}"
    spec = next(s for s in lkeys.lesson_check_specs() if s["qid"] == qid)
    ex.reset(qid)
    assert ex.feedback(qid, spec["answer"]).status == "correct"
    wrong = {"number": -1, "choice": next((k for k in spec.get("options", {}) if k != spec["answer"]), "Z")}
    if spec["kind"] in wrong:
        assert ex.feedback(qid, wrong[spec["kind"]]).status == "not_yet"
    ex.reset(qid)


def test_try_it_boxes_do_not_state_their_own_result():
    for lesson in LESSONS:
        nb = nbformat.read(lesson.path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "markdown" and re.search(r"\*\*(Try it|Predict, then run)\*\*", c.source):
                assert not re.search(r"\b(Expect|You should see)\b", c.source), (
                    f"notebooks/{lesson.name}: a Try it box states its own result: {c.source[:120]!r}")


def test_time_rule_counts_what_it_says():
    e = timing.Estimate("99", words=1200, code_cells=10, output_lines=80, checks=2, questions=5,
                        code_questions=2, exercise_words=240)
    assert e.teaching == 30  # 10 + 10 + 2 + 6 = 28, rounded up to 30
    assert e.exercises == 25  # 2 + 15 + 4 = 21, rounded up to 25
    assert timing.words("Ngày 27/1, Iraq và Mỹ") == 6  # 27/1 reads as two words


ESTIMATES = {e.lesson: e for e in timing.estimates()}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_stated_times_follow_the_rule(lesson):
    e = ESTIMATES[lesson.number]
    assert abs(lesson.teaching - e.teaching) <= timing.TOLERANCE, (
        f"notebooks/{lesson.name}: states {lesson.teaching} min of teaching; the rule estimates {e.teaching} "
        "(words, code cells, output, checks: see iraqtalks/authoring/timing.py)")
    if e.exercises:
        assert abs(lesson.exercises - e.exercises) <= timing.TOLERANCE, (
            f"notebooks/{lesson.name}: states {lesson.exercises} min of exercises; the rule estimates {e.exercises}")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_a_check_every_fifteen_minutes(lesson):
    for ends_at, minutes in timing.stretches(lesson.path):
        assert minutes <= timing.CHECK_EVERY, (
            f"notebooks/{lesson.name}: {minutes:.0f} minutes without an in-lesson check before {ends_at}")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_a_lesson_longer_than_a_class_period_is_in_parts(lesson):
    sizes = timing.parts(lesson.path)
    if ESTIMATES[lesson.number].teaching > timing.CLASS_PERIOD:
        assert len(sizes) >= 2, f"notebooks/{lesson.name}: longer than {timing.CLASS_PERIOD} min, but not in parts"
    assert all(s <= timing.CLASS_PERIOD for s in sizes), f"notebooks/{lesson.name}: a part runs over a class period: {sizes}"


def test_the_cadence_and_parts_checks_can_fail(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("word " * 2400)]  # 20 minutes of reading, no check
    path = tmp_path / "99-long.ipynb"
    nbformat.write(nb, path)
    assert timing.stretches(path) == [("end", 20.0)]
    nb.cells.append(nbformat.v4.new_markdown_cell("> **Part 2 of 2** after the break"))
    nb.cells.append(nbformat.v4.new_markdown_cell("word " * 120))
    nbformat.write(nb, path)
    assert [round(p) for p in timing.parts(path)] == [20, 1]


@pytest.mark.parametrize("slug", exfmt.SETS)
def test_student_notebooks_mark_the_no_code_track(slug):
    nb = nbformat.read(exfmt.student_path(slug), as_version=4)
    marked = sum(c.source.count(exnb.NO_CODE_NOTE) for c in nb.cells if c.cell_type == "markdown")
    assert marked == len(objectives.no_code_track()[f"exercises/{slug}.ipynb"]), (
        f"exercises/{slug}.ipynb: the no-code notes do not match the tagged questions; run python -m iraqtalks exercises")
