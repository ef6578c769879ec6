"""The student edition: the kit without its answers, ready to publish for a class.

    python -m iraqtalks release DIR        # or: ./kit release DIR

writes into DIR (new or empty) a complete kit that students can run on its own (`./kit lab`, `./kit test`):

* kept: the lessons, the student exercise notebooks, the data and the seeds, the helper package (with the
  answer keys, which hold salted digests and feedback texts checked to contain no answer), the environment
  files (`pyproject.toml`, `uv.lock`, `requirements*.txt`, `runtime.txt`), `kit`/`kit.py`, the tests a
  student edition can run, CI's script, and the glossary (as `glossary.md`);
* left out: `exercises/solutions/` (worked code and answer keys), `teachers/` (the teacher guide), the tests
  that need the solutions or the teacher guide, the benchmarks, and anything not tracked by the kit's files
  (`.venv/`, exports, caches);
* rewritten: `README.md` without the teachers' sections, with a note that this is the student edition.

Publish DIR as its own git repository (Binder link, nbgitpuller link); keep the full kit for yourself.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from ..data.paths import ROOT

#: Top-level files and folders of the student edition (everything else in the kit is left out).
KEEP = (
    ".ci", ".gitignore", "README.md", "data", "exercises", "iraqtalks", "kit", "kit.py", "notebooks",
    "pyproject.toml", "requirements.txt", "requirements-test.txt", "runtime.txt", "seeds", "tests", "uv.lock",
)
#: Paths (relative to the kit) left out although their folder is kept.
LEAVE_OUT = (
    "exercises/solutions",
    "tests/test_exercises.py",  # builds the keys from the solutions
    "tests/test_teacher_materials.py",  # checks the teacher guide
    "tests/test_release.py",  # builds a student edition from the full kit
    "tests/test_answer_sheets.py",  # builds the teacher's answer sheets from the solutions
    "tests/test_handouts.py",  # prints the teacher's handouts, answers included
    "tests/test_teacher_pages.py",  # checks the teacher pages beside the guide
    "tests/test_grading.py",  # exports the solutions to nbgrader
    "tests/test_hub.py",  # the teacher's side of a JupyterHub class (its students answer correctly)
    "tests/hub",
)
#: Never copied, wherever they are.
IGNORE = ("__pycache__", ".ipynb_checkpoints", "*.pyc", ".pytest_cache", ".hypothesis", "*.egg-info")
#: README sections (level-2 headings) that are for teachers only.
TEACHER_SECTIONS = ("For teachers", "In the classroom", "The lessons as pages")
NOTE = (
    "> **Student edition.** This copy of the kit has the lessons, the exercises with instant feedback, the data "
    "and the articles. The worked solutions and the teacher guide stay with your teacher. The glossary of "
    "Vietnamese terms is in [`glossary.md`](glossary.md).\n"
)


class ReleaseError(Exception):
    """The student edition can not be written where asked; the message says why."""


def _check_destination(dest: Path, root: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise ReleaseError(f"{dest} is a file; give a new or empty folder for the student edition")
    if dest.is_dir() and any(dest.iterdir()):
        raise ReleaseError(f"{dest} is not empty; give a new or empty folder, so that nothing of yours is "
                           "overwritten")
    if dest == root or root in dest.parents:
        raise ReleaseError(f"{dest} is inside the kit's own folder; write the student edition somewhere else "
                           "(for example ../iraqtalks-student)")


def student_readme(text: str) -> str:
    """The kit's README without its teacher sections, with the student-edition note under the title."""
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [p for p in parts if not any(p.startswith(f"## {h}") for h in TEACHER_SECTIONS)]
    out = "".join(kept)
    out = re.sub(r"<!-- teacher-only -->.*?<!-- /teacher-only -->", "", out, flags=re.S)
    out = re.sub(r"<!-- (?!lesson-map)[a-z-]+:(start|end) -->\n?", "", out)  # the lesson map stays for ./kit nav
    title, _, rest = out.partition("\n")
    return f"{title}\n\n{NOTE}{rest}"


def _ignored(rel: str) -> bool:
    return any(rel == p or rel.startswith(p + "/") for p in LEAVE_OUT)


def write_student_edition(dest: str | Path, root: str | Path | None = None) -> Path:
    """Write the student edition of the kit at `root` (default: this kit) into `dest`; returns `dest`."""
    root = Path(root).resolve() if root else ROOT
    dest = Path(dest).expanduser().resolve()
    _check_destination(dest, root)
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(*IGNORE)
    for name in KEEP:
        src = root / name
        if not src.exists():
            continue
        if src.is_dir():
            def skip(folder, names, _src=src):
                rel_folder = Path(folder).relative_to(root).as_posix()
                left = {n for n in names if _ignored(f"{rel_folder}/{n}")}
                return left | set(ignore(folder, names))
            shutil.copytree(src, dest / name, ignore=skip)
        else:
            shutil.copy2(src, dest / name)
    (dest / "README.md").write_text(student_readme((root / "README.md").read_text(encoding="utf-8")),
                                    encoding="utf-8")
    glossary = root / "teachers" / "glossary.md"
    if glossary.is_file():
        shutil.copy2(glossary, dest / "glossary.md")
    return dest


def main(dest: str | None) -> int:
    if not dest:
        print("release: give a folder for the student edition, e.g. ./kit release ../iraqtalks-student",
              file=sys.stderr)
        return 2
    try:
        out = write_student_edition(dest)
    except (ReleaseError, OSError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    n = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"release: wrote the student edition ({n} files) to {out}")
    print("release: publish that folder as its own git repository; exercises/solutions/ and teachers/ are not in it")
    return 0
