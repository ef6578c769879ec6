"""Grading export: the exercise sets as nbgrader assignments, marked with the kit's own checker.

    ./kit grading nbgrader DIR            # or: python -m iraqtalks grading nbgrader DIR

turns the solution notebooks (exercises/solutions/NN-slug.ipynb) into an nbgrader course folder DIR
(named by the teacher, outside the kit's own files):

* ``DIR/source/NN-slug/NN-slug.ipynb``: the teacher's version. Each answer cell is an nbgrader
  *autograded answer* (its ``# BEGIN SOLUTION`` block is what nbgrader clears) and is followed by a
  locked *autograder test* cell whose hidden test calls :func:`grade`; short-text and reflection
  answers are *manually graded answers* instead (the teacher marks them in the formgrader).
  The formative ``check(...)`` cells are removed unless ``--keep-checks`` is given.
* ``DIR/release/NN-slug/NN-slug.ipynb``: the student version, written by ``nbgrader generate_assignment``
  (which also creates ``DIR/gradebook.db``).
* ``DIR/nbgrader_config.py`` and ``DIR/MARKING.md`` (points per question, which questions need a
  teacher's mark, and for those the key points, the checklist and the model answer).

The hidden tests compare answers exactly as the instant feedback does (the same normalisation and
the same salted keys, ``iraqtalks/teaching/answer_keys.json``), with one difference, because nobody is there
to read a note: a number written as text the Vietnamese way (``"2.500"``, ``"1.234,5"``) is read the
Vietnamese way and counts. Everything runs offline; nbgrader keeps its gradebook in a local file.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from ..data.paths import ROOT
from ..teaching import checker as ex
from ..text.vietnamese import VI_THOUSANDS
from . import exercise_format as exfmt
from . import exercise_notebooks as exnb

MANUAL_KINDS = ("text", "reflect")   # free text: a teacher marks it
POINTS = 1                           # per question; change them in the source notebook if you like
MARKER = "# Written by the Iraq-US talks kit: ./kit grading nbgrader"
TOOLS = ("nbgrader",)


class GradingError(Exception):
    """The export can not be written; the message says why and what to do."""


class KeyChanged(RuntimeError):
    """The kit's answer key for a question differs from the one the assignment was exported with."""


# ---------------------------------------------------------------------------------------------
# The test that runs inside the student's notebook at grading time

def key_fingerprint(entry: dict) -> str:
    """A short digest of one question's key entry (detects keys changed after the export)."""
    text = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_vietnamese_number(text: str) -> float | None:
    """'2.500' → 2500.0, '1.234,5' → 1234.5 (dots separate thousands, a comma marks decimals);
    None for text not written that way."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not VI_THOUSANDS.fullmatch(s):
        return None
    return float(s.replace(".", "").replace(",", "."))


def verdict(qid: str, answer, entry: dict) -> tuple[bool, str]:
    """(correct?, a short reason) for one answer, compared as the kit's checker compares it.

    Never reveals the expected answer; never advances the hint ladder."""
    kind = entry["kind"]
    if kind in MANUAL_KINDS:
        return False, f"{qid} is graded by the teacher, not automatically."
    if kind == "number" and isinstance(answer, str):
        value = read_vietnamese_number(answer)
        if value is not None:
            answer = value
    try:
        status, detail = ex.evaluate(qid, entry, answer)
    except ex.EmptyAnswer:
        return False, "Not answered."
    except ex.AnswerFormError as note:
        return False, f"The answer could not be read as asked: {note}"
    except Exception as exc:  # an odd object must cost the point, not crash the grading
        return False, f"The answer could not be read ({ex.with_article(answer)}; {type(exc).__name__})."
    if status == "correct":
        return True, "Correct."
    return False, f"Not correct. {detail}".strip()


def grade(qid: str, answer, key: str | None = None) -> None:
    """The hidden autograder test: passes (returns None) when `answer` is right, otherwise raises
    AssertionError with a short reason. `key` is the fingerprint recorded at export; if the kit's key
    for `qid` has changed since, raises KeyChanged (re-export the assignment)."""
    __tracebackhide__ = True  # IPython and pytest show the message, not this frame
    keys = ex.load_keys()
    entry = keys.get(qid)
    if entry is None:
        raise KeyChanged(f"The kit has no answer key for {qid}: export the assignment again "
                         "with ./kit grading nbgrader DIR.")
    if key is not None and key_fingerprint(entry) != key:
        raise KeyChanged(f"The kit's answer key for {qid} changed after this assignment was exported: "
                         "export it again with ./kit grading nbgrader DIR, then autograde again.")
    ok, reason = verdict(qid, answer, entry)
    if not ok:
        raise AssertionError(f"{qid}: {reason}")


# ---------------------------------------------------------------------------------------------
# Building the nbgrader source notebooks

def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: int | None = None) -> dict:
    m = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
         "schema_version": 3, "task": False}
    if grade:
        m["points"] = points
    return m


def answer_source(source: str) -> str:
    """The answer cell for nbgrader: each solution block is preceded by its student stub
    (``answer_qN = ...``), so that the released cell reads as in the formative notebooks."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == exfmt.BEGIN:
            j = i
            while j < len(lines) and lines[j].strip() != exfmt.END:
                j += 1
            block = lines[i:j + 1]
            out += exnb.strip_solution_code("\n".join(block)).split("\n")
            out += block
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def test_source(q: exfmt.Question, entry: dict, points: int) -> str:
    n = q.qid.split("-q")[1]
    return (f"# Autograder test for question {n} ({points} point{'s' if points != 1 else ''}). "
            "Nothing to do here: it runs when your work is graded.\n"
            "### BEGIN HIDDEN TESTS\n"
            "from iraqtalks.authoring.grading import grade\n"
            f"grade({q.qid!r}, {q.var}, key={key_fingerprint(entry)!r})\n"
            "### END HIDDEN TESTS")


def source_notebook(slug: str, nb, keys: dict, keep_checks: bool = False) -> tuple[nbformat.NotebookNode, list[dict]]:
    """(the nbgrader source notebook, one row per question for MARKING.md) from a solution notebook."""
    questions = exfmt.parse_set(slug, nb)
    by_answer = {q.answer_cell: q for q in questions}
    by_check = {q.check_cell: q for q in questions}
    setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    new = nbformat.v4.new_notebook()
    new.metadata = {"kernelspec": copy.deepcopy(nb.metadata.get("kernelspec", {})),
                    "language_info": {"name": "python"}}
    rows = []
    for i, c in enumerate(nb.cells):
        if c.cell_type == "raw" and c.source.lstrip().startswith(exfmt.KEY_MARK):
            continue
        if c.cell_type == "markdown":
            text = exnb.strip_solution_markdown(c.source)
            if "BEGIN SOLUTION" in text or "BEGIN HIDDEN TESTS" in text:
                raise GradingError(f"exercises/solutions/{slug}.ipynb, cell {i}: a student-visible markdown "
                                   "cell mentions a solution marker; nbgrader would take it for a solution")
            cell = nbformat.v4.new_markdown_cell(text)
        elif c.cell_type == "code" and i in by_check:
            q = by_check[i]
            if not keep_checks:
                continue
            cell = nbformat.v4.new_code_cell(c.source)
        elif c.cell_type == "code" and i in by_answer:
            q = by_answer[i]
            manual = q.kind in MANUAL_KINDS
            cell = nbformat.v4.new_code_cell(answer_source(c.source))
            cell.metadata["nbgrader"] = _meta(f"{q.qid}-answer", grade=manual, solution=True, locked=False,
                                              points=POINTS if manual else None)
            cell.id = c.id
            new.cells.append(cell)
            entry = keys[q.qid]
            if manual:
                rows.append({"qid": q.qid, "kind": q.kind, "points": POINTS, "how": "teacher",
                             "spec": q.spec, "model": c.source})
            else:
                test = nbformat.v4.new_code_cell(test_source(q, entry, POINTS))
                test.metadata["nbgrader"] = _meta(f"{q.qid}-test", grade=True, solution=False, locked=True,
                                                  points=POINTS)
                test.id = f"{c.id}-test"
                new.cells.append(test)
                rows.append({"qid": q.qid, "kind": q.kind, "points": POINTS, "how": "autograded",
                             "spec": q.spec, "model": c.source})
            continue
        elif c.cell_type == "code":
            cell = nbformat.v4.new_code_cell(c.source)
            if i == setup:
                cell.metadata["nbgrader"] = _meta("setup", grade=False, solution=False, locked=True)
        else:
            cell = nbformat.v4.new_raw_cell(c.source)
        cell.id = c.id
        new.cells.append(cell)
    nbformat.validate(new)
    return new, rows


# ---------------------------------------------------------------------------------------------
# The course folder

CONFIG = f'''{MARKER}
# nbgrader's settings for this course folder. Run nbgrader from this folder with the kit's Python:
#     cd THIS_FOLDER && KIT/.venv/bin/python -m nbgrader autograde 01-meet-the-sources
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "iraqtalks"
# The kit's answer cells already say what to write (answer_qN = ...), so the cleared solution
# leaves nothing else behind.
c.ClearSolutions.code_stub = {{"python": ""}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 300
'''


def _tracked_top_level() -> set[str]:
    """Top-level names of the kit's own files (git when available, else the kit's known folders)."""
    names = {"benchmarks", "data", "exercises", "iraqtalks", "notebooks", "seeds", "teachers", "tests",
             ".ci", ".git", ".venv", ".kit-tools"}
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=30)
        if out.returncode == 0:
            names |= {line.split("/")[0] for line in out.stdout.splitlines() if line}
    except (OSError, subprocess.SubprocessError):
        pass
    return names


def check_destination(dest: Path) -> Path:
    """The resolved course folder, or GradingError when it would write into the kit's own files or
    over a folder that is not an earlier export."""
    dest = Path(dest).expanduser().resolve()
    root = ROOT.resolve()
    if dest == root or dest in root.parents:
        raise GradingError(f"{dest} is the kit's own folder (or holds it); name a new folder for the "
                           "course, e.g. ~/marking/iraqtalks")
    if root in dest.parents:
        first = dest.relative_to(root).parts[0]
        if first in _tracked_top_level():
            raise GradingError(f"{dest} is inside the kit's own files ({first}/); name a folder outside "
                               "the kit, or a new folder at its top level")
    if dest.exists() and not dest.is_dir():
        raise GradingError(f"{dest} is a file; name a folder")
    if dest.is_dir() and any(dest.iterdir()):
        config = dest / "nbgrader_config.py"
        if not (config.is_file() and config.read_text(encoding="utf-8").startswith(MARKER)):
            raise GradingError(f"{dest} is not empty and is not a course folder written by the kit; "
                               "name an empty or a new folder")
    return dest


def marking_text(rows_by_set: dict[str, list[dict]], keep_checks: bool) -> str:
    auto = sum(r["points"] for rows in rows_by_set.values() for r in rows if r["how"] == "autograded")
    manual = sum(r["points"] for rows in rows_by_set.values() for r in rows if r["how"] == "teacher")
    out = [
        "# Marking guide (teacher only)",
        "",
        "Written by `./kit grading nbgrader`: do not hand this file to students. Autograded questions are",
        "marked by the kit's own checker (the same comparison as the instant feedback; a number written",
        "as text the Vietnamese way, `\"2.500\"`, counts as 2500). Short-text and reflection answers are",
        "marked by you in nbgrader's formgrader; their key points and model answers are below.",
        "",
        f"Points: {auto} autograded and {manual} marked by the teacher, over {len(rows_by_set)} assignments.",
        "The instant-feedback `check(...)` cells are " + ("kept." if keep_checks else "removed from the graded notebooks."),
        "",
    ]
    for slug, rows in rows_by_set.items():
        out += [f"## {slug}", "", "| question | kind | points | marked by |", "|---|---|---|---|"]
        out += [f"| {r['qid']} | {r['kind']} | {r['points']} | "
                f"{'the kit (autograded)' if r['how'] == 'autograded' else 'the teacher'} |" for r in rows]
        out.append("")
        for r in rows:
            if r["how"] != "teacher":
                continue
            out += [f"### {r['qid']} ({r['kind']})", ""]
            for kp in r["spec"].get("keypoints", []):
                out.append(f"- key point: {kp['label']} (any of: {', '.join(kp['any'])})")
            for item in r["spec"].get("checklist", []):
                out.append(f"- checklist: {item}")
            model = "\n".join(line for line in r["model"].split("\n")
                              if line.strip() not in (exfmt.BEGIN, exfmt.END))
            out += ["", "Model answer:", "", "```python", model, "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


@contextlib.contextmanager
def nbgrader_api(course: Path):
    """nbgrader's Python API for the course folder, with its nbgrader_config.py, in this process."""
    # nbgrader runs `alembic` (to create the gradebook) from PATH: put the kit's environment first.
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), old_path])
    try:
        from nbgrader.apps import NbGraderAPI
        from traitlets.config.loader import PyFileConfigLoader
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        cfg.CourseDirectory.root = str(course)
        cfg.NbGraderAPI.log_level = "WARN"
        # The API looks for a shared exchange folder (/usr/local/share/nbgrader/exchange, for JupyterHub
        # courses) and logs a CRITICAL line when there is none; the kit's workflow does not use one.
        logging.disable(logging.CRITICAL)
        try:
            api = NbGraderAPI(config=cfg)
        finally:
            logging.disable(logging.NOTSET)
        yield api
    finally:
        os.environ["PATH"] = old_path


def _failed(result: dict) -> str:
    text = (result.get("error") or result.get("log") or "").strip()
    return "\n".join(text.splitlines()[-8:])


def export_nbgrader(dest: Path, sets: list[str] | None = None, keep_checks: bool = False,
                    release: bool = True, log=print) -> Path:
    """Write the nbgrader course folder `dest` (see the module docstring); returns its path."""
    dest = check_destination(dest)
    known = exfmt.exercise_sets()
    sets = list(sets or known)
    unknown = [s for s in sets if s not in known]
    if unknown:
        raise GradingError(f"unknown exercise set(s): {', '.join(unknown)}; the sets are {', '.join(known)}")
    missing = [exfmt.solution_path(slug) for slug in sets if not exfmt.solution_path(slug).is_file()]
    if missing:
        raise GradingError(f"{missing[0]} is missing: the grading export is made from the solution notebooks "
                           "(exercises/solutions/), which are in the teacher's copy of the kit, not in the "
                           "student edition")
    try:
        keys = ex.load_keys()
    except (OSError, ValueError, KeyError) as exc:
        raise GradingError(f"{ex.KEYS_PATH} could not be read ({type(exc).__name__}); run ./kit exercises") from None
    notebooks, rows_by_set = {}, {}
    for slug in sets:
        try:
            nb = exfmt.read_notebook(exfmt.solution_path(slug))
            notebooks[slug], rows_by_set[slug] = source_notebook(slug, nb, keys, keep_checks)
        except exfmt.BuildError as exc:
            raise GradingError(str(exc)) from None
        except KeyError as exc:
            raise GradingError(f"iraqtalks/teaching/answer_keys.json has no key for {exc}; run ./kit exercises") from None
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    for slug, nb in notebooks.items():
        path = dest / "source" / slug / f"{slug}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        log(f"wrote {path}")
    (dest / "MARKING.md").write_text(marking_text(rows_by_set, keep_checks), encoding="utf-8")
    log(f"wrote {dest / 'MARKING.md'} (teacher only)")
    if release:
        with nbgrader_api(dest) as api:
            for slug in sets:
                result = api.generate_assignment(slug, force=True, create=True)
                if not result["success"]:
                    raise GradingError(f"nbgrader generate_assignment {slug} failed in {dest}:\n{_failed(result)}")
                log(f"wrote {dest / 'release' / slug / (slug + '.ipynb')} (give this to the students)")
    return dest


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="./kit grading",
                                description="Export the exercise sets to a grading tool's format.")
    p.add_argument("tool", choices=TOOLS, help="the grading tool (nbgrader)")
    p.add_argument("dir", help="the course folder to write, outside the kit (created if missing)")
    p.add_argument("--sets", default="", help="comma-separated set numbers or names (default: all), e.g. 01,03")
    p.add_argument("--keep-checks", action="store_true",
                   help="keep the instant-feedback check(...) cells in the graded notebooks")
    args = p.parse_args(argv)
    sets = None
    if args.sets.strip():
        sets = []
        for s in (x.strip() for x in args.sets.split(",") if x.strip()):
            match = [slug for slug in exfmt.exercise_sets() if slug == s or slug[:2] == s.zfill(2)]
            sets.append(match[0] if match else s)
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        print("grading: nbgrader is not installed in this Python environment. ./kit grading installs it "
              "with the test tools (./kit setup --test); it needs Python 3.11 or newer, so on an older Python "
              "run the kit with a newer one (python3.11 kit.py grading nbgrader DIR).", file=sys.stderr)
        return 1
    try:
        dest = export_nbgrader(Path(args.dir), sets, args.keep_checks)
    except GradingError as exc:
        print(f"grading: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"grading: could not write the course folder {args.dir}: {exc.strerror or exc} "
              f"({exc.filename or args.dir})", file=sys.stderr)
        return 1
    print(f"grading: course folder ready in {dest}; next steps are in teachers/README.md "
          "(section \"Grading with nbgrader\") and the marking guide in MARKING.md")
    return 0
