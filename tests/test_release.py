"""The student edition (`./kit release DIR`): a complete kit with no answers in it.

"No answers" is checked against the solutions themselves: for every question of every set, the solution code,
the answer-key cells, the teachers' notes, the model answers of text questions and the accepted words of their
key points, and the plain forms of each answer in the keys' readable texts.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import exercise_keys as exkeys
from iraqtalks.authoring.release import ReleaseError, student_readme, write_student_edition
from iraqtalks.data.paths import ROOT

TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".json", ".csv", ".txt", ".toml", ".lock", ".cfg", ""}


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return write_student_edition(tmp_path_factory.mktemp("student") / "iraqtalks-student")


@pytest.fixture(scope="module")
def solved() -> dict:
    """{qid: (Question, solution value)} and the solution notebooks, from the full kit."""
    notebooks = {slug: exfmt.read_notebook(exfmt.solution_path(slug)) for slug in exfmt.SETS}
    _, answers = exkeys.build_keys(notebooks)
    return {"answers": answers, "notebooks": notebooks}


def _texts(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in TEXT_SUFFIXES:
            try:
                out[p.relative_to(root).as_posix()] = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return out


def test_what_is_in_and_what_is_out(edition):
    assert not (edition / "exercises" / "solutions").exists()
    assert not (edition / "teachers").exists()
    for name in ("kit", "kit.py", "pyproject.toml", "uv.lock", "requirements.txt", "runtime.txt", "glossary.md",
                 "data/datapackage.json", "iraqtalks/teaching/answer_keys.json", "notebooks/00-start-here.ipynb"):
        assert (edition / name).is_file(), name
    assert sorted(p.name for p in (edition / "seeds").iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert sorted(p.name for p in (edition / "exercises").glob("*.ipynb")) == [f"{s}.ipynb" for s in exfmt.SETS]
    assert not list(edition.rglob("__pycache__"))
    assert not (edition / ".venv").exists()
    assert os.access(edition / "kit", os.X_OK)


def test_the_readme_is_for_students(edition):
    text = (edition / "README.md").read_text(encoding="utf-8")
    assert "Student edition" in text
    assert "## For teachers" not in text and "## In the classroom" not in text
    assert "teachers/" not in text and "teacher-only" not in text
    assert "solutions" not in text.replace("The worked solutions and the teacher guide stay with your teacher", "")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (edition / target).exists(), f"README.md links to {target}, which is not in the student edition"


def test_student_readme_drops_only_the_teacher_sections():
    text = ("# Title\n\nIntro.\n\n## Two commands\n\nA <!-- teacher-only -->secret <!-- /teacher-only -->a\n\n"
            "## For teachers\n\nB\n\n## The data\n\nC\n")
    out = student_readme(text)
    assert "A a" in out and "secret" not in out
    assert "## Two commands" in out and "## The data" in out and "## For teachers" not in out and "\nB\n" not in out


def _solution_blocks(nb) -> list[str]:
    """Every non-trivial line of solution code and of the teachers' notes (key points: see the next tests)."""
    lines = []
    for c in nb.cells:
        src = c.source
        if c.cell_type == "code" and exfmt.BEGIN in src:
            for block in re.findall(re.escape(exfmt.BEGIN) + r"(.*?)" + re.escape(exfmt.END), src, flags=re.S):
                lines += [ln.strip() for ln in block.splitlines() if len(ln.strip()) > 12]
        if c.cell_type == "markdown" and exfmt.MD_BEGIN in src:
            for block in re.findall(re.escape(exfmt.MD_BEGIN) + r"(.*?)" + re.escape(exfmt.MD_END), src, flags=re.S):
                lines += [ln.strip() for ln in block.splitlines() if len(ln.strip()) > 12]
    return lines


def test_no_solution_code_or_teacher_note_anywhere(edition, solved):
    texts = _texts(edition)
    everything = "\n".join(texts.values())
    checked = 0
    for slug, nb in solved["notebooks"].items():
        for line in _solution_blocks(nb):
            # json.dumps: the same line as it would appear inside a notebook's JSON
            assert line not in everything and json.dumps(line)[1:-1] not in everything, (slug, line)
            checked += 1
    assert checked > 50  # the search really looked at the solutions


def test_every_answer_cell_is_blank(edition, solved):
    for slug in exfmt.SETS:
        nb = exfmt.read_notebook(edition / "exercises" / f"{slug}.ipynb")
        qids = [q for q in solved["answers"] if q.startswith(slug[:2] + "-")]
        for qid in qids:
            n = qid.split("-q")[1]
            cells = [c.source for c in nb.cells if c.cell_type == "code" and f"answer_q{n} =" in c.source]
            assert cells, (slug, qid)
            for src in cells:
                assert re.search(rf"^answer_q{n} = \.\.\.$", src, flags=re.M), (slug, qid, src)


def test_no_accepted_answer_in_plain_text(edition, solved):
    keys = json.loads((edition / "iraqtalks" / "teaching" / "answer_keys.json").read_text(encoding="utf-8"))["questions"]
    everything = "\n".join(_texts(edition).values())
    for qid, (q, value) in solved["answers"].items():
        entry = keys[qid]
        readable = [entry["why"], entry["pointer"], *entry["hints"]]
        readable += [kp["label"] for kp in entry.get("keypoints", [])]
        for form in exkeys.plain_forms(q, value):
            for text in readable:
                assert not exkeys.contains_word(text, form), (qid, form, text)
        if q.kind in ("number", "ids", "frame"):
            canonical = exkeys.canonical_answer(q, value)
            plain = {k: v for k, v in entry.items() if k not in ("digest", "members", "rows", "salt")}
            assert not exkeys.contains_word(json.dumps(plain, ensure_ascii=False), canonical), (qid, canonical)
        if q.kind in ("text", "reflect"):
            model = value.strip()
            assert model not in everything and json.dumps(model)[1:-1] not in everything, qid
        if q.kind == "text":
            for kp in q.spec["keypoints"]:
                stored = json.dumps(entry["keypoints"], ensure_ascii=False)
                for alternative in kp["any"]:
                    assert f'"{alternative}"' not in stored, (qid, alternative)


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine.txt").write_text("a lesson plan")
    with pytest.raises(ReleaseError, match="not empty"):
        write_student_edition(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "a lesson plan"


def test_refuses_a_folder_inside_the_kit():
    with pytest.raises(ReleaseError, match="inside the kit"):
        write_student_edition(ROOT / "student-edition")
    assert not (ROOT / "student-edition").exists()


def _run(edition: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """A command in the student edition, with the edition's own helper package first on the path."""
    env = dict(os.environ, PYTHONPATH=str(edition), MPLBACKEND="Agg", PYTHONHASHSEED="0")
    env.pop("IRAQTALKS_DATA", None)
    return subprocess.run([sys.executable, *args], cwd=edition, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
def test_the_edition_uses_its_own_files(edition):
    out = _run(edition, "-c", "import iraqtalks, iraqtalks.data.paths as p; print(iraqtalks.__file__); print(p.ROOT)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [str(edition / "iraqtalks" / "__init__.py"), str(edition)]


@pytest.mark.slow
def test_the_editions_own_tests_and_notebooks_pass(edition):
    """A sample of the edition's suite, run inside it: data, seeds, a lesson and an exercise set (strict nbval)."""
    out = _run(edition, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", "--nbval",
               "--nbval-sanitize-with", "tests/sanitize.cfg",
               "tests/test_seeds.py", "tests/test_datapackage.py",
               "notebooks/00-start-here.ipynb", "exercises/01-meet-the-sources.ipynb")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "skipped" not in out.stdout


@pytest.mark.slow
def test_the_editions_commands_explain_what_is_missing(edition):
    out = _run(edition, "-m", "iraqtalks", "exercises")
    assert out.returncode == 1 and "student edition" in out.stderr and "Traceback" not in out.stderr
    out = _run(edition, "kit.py", "help")
    assert out.returncode == 0 and "kit.py lab" in out.stdout
