"""The classroom path, for real: a JupyterHub hands the student edition out with an nbgitpuller link.

A throw-away JupyterHub on 127.0.0.1 (dummy login, every student server a local process with its own home
folder, the Python configurable-http-proxy; see tests/hub/jupyterhub_config.py for why the servers run as the
test's own user) and a teacher's git repository holding the student edition. Two students, each in their own
Chromium context, follow the pull link: log in, their server starts, nbgitpuller copies the kit into their
home folder, JupyterLab opens lesson 00. Each runs lesson 00 and answers question 1 of exercises 01 in the
browser (one rightly, one wrongly) and saves. Then the teacher changes a lesson and commits; the students
click the same link again, and their own answers survive while the teacher's change arrives.

Everything listens on 127.0.0.1 and is stopped by the test; nothing is fetched from the network (the
repository is a folder of this machine). Memory per student server and kernel: `./kit bench --hub`.
Without /usr/bin/chromium the test is skipped, except under CI=true, where that is a failure.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from browserkit import chromium, load_helper, need_chromium

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slow]

EXERCISE = "exercises/01-meet-the-sources.ipynb"
ANSWER_CELL = "answer_q1 = ..."
CHECK_CELL = 'check("01-q1"'
ANSWERS = {  # alice answers rightly, bob wrongly: each gets their own feedback, in their own copy
    "alice": ('answer_q1 = articles.loc[articles["outlet_id"].isna(), "article_id"].tolist()', "Correct!"),
    "bob": ('answer_q1 = ["a001"]  # bob\'s first try', "Not yet."),
}
TEACHER_LESSON = "notebooks/01-meet-the-sources.ipynb"
TEACHER_NOTE = "**Note from your teacher:** read this lesson before the next class."
TEACHER_ANSWER_CELL = "answer_q1 = ...  # a list of article ids"
# bob's server takes 25 s more to start, as on a busy hub: the page that waits for it must not give up (the
# Python configurable-http-proxy ends a proxied request after 20 s unless told otherwise).
SLOW_START = {"bob": 25}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "hub"


hubkit = load_helper("hub/hubkit.py", "iraqtalks_hubkit")


@pytest.fixture
def teacher_repo(tmp_path: Path) -> Path:
    return hubkit.publish_student_edition(tmp_path / "teacher")


@pytest.fixture
def hub(tmp_path: Path):
    need_chromium()
    server = hubkit.start_hub(tmp_path / "hub", slow_start=SLOW_START)
    try:
        yield server
    finally:
        server.stop()
        print(f"hub log: {server.log}")


@pytest.fixture
def browser(hub):
    with chromium() as b:
        yield b


def _cell_sources(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells]


def _teacher_update(repo: Path) -> None:
    """The teacher's update, one commit: a note at the top of lesson 01 (which no student changed) and of the
    exercise notebook (which every student changed further down), and a new text in question 1's answer cell
    (the very line each student changed)."""
    for rel in (TEACHER_LESSON, EXERCISE):
        path = repo / rel
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source = f"{TEACHER_NOTE}\n\n{nb.cells[0].source}"
        if rel == EXERCISE:
            cell = next(c for c in nb.cells if c.source == ANSWER_CELL)
            cell.source = TEACHER_ANSWER_CELL
        nbformat.write(nb, path)
    hubkit.git(repo, "commit", "--quiet", "-am", "Teacher: a note on lesson 01 and exercises 01")


def _report_failure(hub, page, student: str) -> None:
    """Keep a screenshot and the hub's log in test-artifacts/hub/, and say where the student's page stands."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{student}-failure.png"))
        text = page.locator("body").inner_text(timeout=5_000)[:1500]
    except Exception as exc:  # the page itself is broken: say so, and keep the log
        text = f"(page unreadable: {exc})"
    shutil.copy2(hub.log, ARTIFACTS / "jupyterhub.log")
    print(f"{student}'s page: {page.url}\n{text}\nhub log: {ARTIFACTS / 'jupyterhub.log'}")


def test_two_students_pull_the_kit_through_jupyterhub(hub, teacher_repo: Path, browser):
    started = time.monotonic()
    pages = {}
    for student in ANSWERS:
        ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
        ctx.set_default_timeout(hubkit.TIMEOUT_MS)
        pages[student] = ctx.new_page()

    # --- the class clicks the pull link; each student runs lesson 00 and answers one question ----------
    for student, page in pages.items():  # both at once: the two servers start side by side
        hubkit.click_link(page, hub, student, teacher_repo)
    for student, (answer, feedback) in ANSWERS.items():
        page = pages[student]
        try:
            lesson = hubkit.wait_for_lesson(page, student)
            assert f"/user/{student}/lab/tree/{hubkit.FOLDER}/" in page.url
            errors = hubkit.run_notebook(page, lesson)
            assert errors == [], f"{student}: lesson 00 raised {errors}"
            exercise = f"{hubkit.FOLDER}/{EXERCISE}"
            hubkit.open_notebook(page, exercise)
            out = hubkit.answer_and_check(page, exercise, ANSWER_CELL, answer, CHECK_CELL)
            assert out is not None and out.startswith(feedback), f"{student}: the check said {out!r}"
        except Exception:
            _report_failure(hub, page, student)
            raise

    # --- nothing listens beyond 127.0.0.1: hub, proxy, both servers and their kernels ------------------
    assert set(hub.server_pids()) == set(ANSWERS)
    listening = hub.listening()
    assert listening and all(a.startswith("127.0.0.1:") for a in listening), sorted(listening)

    # --- each got their own copy, in their own home folder, without the teacher's materials ----------
    copies = {student: hub.homes / student / hubkit.FOLDER for student in ANSWERS}
    for student, copy in copies.items():
        assert (copy / ".git").is_dir(), f"{student} has no clone of the teacher's repository"
        assert hubkit.git(copy, "remote", "get-url", "origin").strip() == teacher_repo.as_uri()
        assert (copy / hubkit.FIRST_LESSON).is_file()
        assert not (copy / "exercises" / "solutions").exists() and not (copy / "teachers").exists()
        lesson00 = nbformat.read(copy / hubkit.FIRST_LESSON, as_version=4)
        assert all(c.execution_count for c in lesson00.cells if c.cell_type == "code"), \
            f"{student}'s lesson 00 was not saved after running"
        sources = _cell_sources(copy / EXERCISE)
        assert ANSWERS[student][0] in sources, f"{student}'s answer is not in {student}'s copy"
        for other, (answer, _) in ANSWERS.items():
            if other != student:
                assert answer not in sources, f"{other}'s answer is in {student}'s copy"
    assert ANSWER_CELL in _cell_sources(teacher_repo / EXERCISE)  # the teacher's repository is untouched
    assert copies["alice"].resolve() != copies["bob"].resolve()

    # --- the teacher updates a lesson; the same link again brings it, and keeps the students' work -----
    _teacher_update(teacher_repo)
    for student, page in pages.items():
        hubkit.click_link(page, hub, student, teacher_repo)
    for student, page in pages.items():
        try:
            hubkit.wait_for_lesson(page, student, kernel=False)  # nbgitpuller sends the student on once it has pulled
        except Exception:
            _report_failure(hub, page, student)
            raise
        copy = copies[student]
        assert "Teacher: a note on lesson 01" in hubkit.git(copy, "log", "--format=%s")
        assert _cell_sources(copy / TEACHER_LESSON)[0].startswith(TEACHER_NOTE), f"{student} did not get the update"
        exercise = nbformat.read(copy / EXERCISE, as_version=4)  # still a valid notebook after the merge
        sources = [c.source for c in exercise.cells]
        assert sources[0].startswith(TEACHER_NOTE), f"{student} did not get the update of the exercise notebook"
        # the line both changed: the student's answer wins, and the run outputs the student saved stay
        assert ANSWERS[student][0] in sources and TEACHER_ANSWER_CELL not in sources, \
            f"{student}'s answer was lost by the pull"
        check_cell = next(c for c in exercise.cells if c.source.startswith(CHECK_CELL))
        shown = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in check_cell.outputs)
        assert shown.startswith(ANSWERS[student][1])  # check() displays its message as text/plain
    for page in pages.values():
        page.context.close()
    # Not a timing assertion, just a note in the test log for whoever watches the suite's speed.
    print(f"hub test body (two students, pull, lesson 00, one check, re-pull) took {time.monotonic() - started:.1f} s")
