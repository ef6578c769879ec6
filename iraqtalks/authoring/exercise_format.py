"""The format of an exercise set: where the solution notebooks are, and their questions read and checked.

The format itself (prompt, answer cell, check cell, answer-key raw cell) is described in
:mod:`iraqtalks.authoring.exercises_build`. The sets are found from the files: every
exercises/solutions/NN-slug.ipynb (or, in the student edition, exercises/NN-slug.ipynb), sorted.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..data.paths import EXERCISES_DIR
from ..teaching import checker as ex

SOLUTIONS_DIR = EXERCISES_DIR / "solutions"
SET_GLOB = "[0-9][0-9]-*.ipynb"

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
KEY_MARK = "# ANSWER KEY"
SETUP_MARK = "# Just run this cell; don't change it."
CHECK_RE = re.compile(r'check\("(?P<qid>(?P<set>\d\d)-q(?P<n>\d+))", (?P<var>answer_q(?P=n))\)')
OPTION_RE = re.compile(r"^\s*[-*]\s+\*\*(?P<letter>[A-H])\.\*\*\s+(?P<text>.+?)\s*$", re.M)
MAX_CODE_LINES = 15
MIN_QUESTIONS = 5
KERNEL = "python3"


def exercise_sets(root: Path | None = None) -> tuple[str, ...]:
    """The slugs of the exercise sets (``01-meet-the-sources``, ...), sorted: one per solution notebook
    exercises/solutions/NN-slug.ipynb, or, where there is no solutions folder (the student edition),
    one per student notebook exercises/NN-slug.ipynb."""
    folder = Path(root) / "exercises" if root else EXERCISES_DIR
    solutions = folder / "solutions"
    found = solutions.glob(SET_GLOB) if solutions.is_dir() else folder.glob(SET_GLOB)
    return tuple(sorted(p.stem for p in found))


#: The kit's own exercise sets, found from its files when the module is imported.
SETS = exercise_sets()


class BuildError(Exception):
    """A solution notebook breaks a rule of the format; the message says which and where."""


@dataclass
class Question:
    qid: str
    var: str
    spec: dict
    prompt: str
    answer_cell: int
    check_cell: int
    options: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.spec["kind"]


# ---------------------------------------------------------------------------------------------
# Reading the solutions

def solution_path(slug: str, root: Path | None = None) -> Path:
    return (Path(root) / "exercises" / "solutions" if root else SOLUTIONS_DIR) / f"{slug}.ipynb"


def student_path(slug: str, root: Path | None = None) -> Path:
    return (Path(root) / "exercises" if root else EXERCISES_DIR) / f"{slug}.ipynb"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def parse_key_cell(source: str, where: str) -> dict:
    body = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    try:
        spec = ast.literal_eval(body)
    except (ValueError, SyntaxError) as exc:
        raise BuildError(f"{where}: the answer key is not a Python dict literal ({exc})") from None
    if not isinstance(spec, dict):
        raise BuildError(f"{where}: the answer key must be a dict")
    return spec


def validate_spec(spec: dict, where: str) -> None:
    need = {"qid", "kind", "why", "hints", "pointer"}
    if missing := need - set(spec):
        raise BuildError(f"{where}: the answer key lacks {', '.join(sorted(missing))}")
    if spec["kind"] not in ex.KINDS:
        raise BuildError(f"{where}: kind must be one of {', '.join(ex.KINDS)}")
    if spec["kind"] == "reflect":
        if spec["hints"]:
            raise BuildError(f"{where}: a reflect question is not graded, so it has no hints (hints: [])")
    elif not (2 <= len(spec["hints"]) <= 3) or not all(isinstance(h, str) and h.strip() for h in spec["hints"]):
        raise BuildError(f"{where}: give two or three hints")
    if spec["kind"] == "text":
        kps = spec.get("keypoints")
        if not kps or not all(isinstance(k, dict) and k.get("label") and k.get("any") for k in kps):
            raise BuildError(f"{where}: a text question needs keypoints: [{{'label': ..., 'any': [...]}}, ...]")
        for k in kps:
            if extra := set(k) - {"label", "any", "near", "polarity", "window"}:
                raise BuildError(f"{where}: unknown key-point fields {', '.join(sorted(extra))} (see iraqtalks/teaching/meaning.py)")
            if k.get("polarity", "strict") not in ("strict", "any") or ("near" in k and not k["near"]):
                raise BuildError(f"{where}: polarity is 'strict' or 'any', and near is a non-empty list")
    if spec["kind"] == "reflect" and not spec.get("checklist"):
        raise BuildError(f"{where}: a reflect question needs a checklist")


def parse_set(slug: str, nb) -> list[Question]:
    """The questions of one solution notebook, checked against the format rules."""
    nn = slug[:2]
    cells = nb.cells
    where = f"exercises/solutions/{slug}.ipynb"
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    if not code or SETUP_MARK not in cells[code[0]].source:
        raise BuildError(f"{where}: the first code cell must be the setup cell ('{SETUP_MARK}')")
    if f"../../notebooks/{slug}.ipynb" not in "".join(c.source for c in cells if c.cell_type == "markdown"):
        raise BuildError(f"{where}: link back to the lesson (../../notebooks/{slug}.ipynb)")
    keys = {}
    for i, c in enumerate(cells):
        if c.cell_type == "raw" and c.source.lstrip().startswith(KEY_MARK):
            spec = parse_key_cell(c.source, f"{where}, cell {i}")
            validate_spec(spec, f"{where}, cell {i}")
            if spec["qid"] in keys:
                raise BuildError(f"{where}: two answer keys for {spec['qid']}")
            keys[spec["qid"]] = spec
    questions: list[Question] = []
    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        lines = c.source.splitlines()
        if len(lines) > MAX_CODE_LINES:
            raise BuildError(f"{where}, cell {i}: code cells have at most {MAX_CODE_LINES} lines")
        m = CHECK_RE.fullmatch(c.source.strip())
        if "check(" in c.source and not m and i != code[0]:
            raise BuildError(f"{where}, cell {i}: a check cell must read exactly check(\"{nn}-qN\", answer_qN)")
        if not m:
            continue
        qid, var = m["qid"], m["var"]
        if m["set"] != nn:
            raise BuildError(f"{where}, cell {i}: {qid} belongs to another set")
        if qid not in keys:
            raise BuildError(f"{where}: no answer key (raw cell '{KEY_MARK}') for {qid}")
        prev = [j for j in code if j < i]
        if not prev or BEGIN not in cells[prev[-1]].source or var not in cells[prev[-1]].source:
            raise BuildError(f"{where}, cell {i}: the cell before a check must be the answer cell, "
                             f"with a {BEGIN} block that assigns {var}")
        md = [j for j in range(prev[-1]) if cells[j].cell_type == "markdown"]
        prompt = cells[md[-1]].source if md else ""
        q = Question(qid, var, keys[qid], prompt, prev[-1], i)
        if q.kind == "choice":
            q.options = {o["letter"]: re.sub(r"[*_`]", "", o["text"]).strip() for o in OPTION_RE.finditer(prompt)}
            letters = "".join(q.options)
            if len(q.options) < 2 or letters != "ABCDEFGH"[:len(letters)]:
                raise BuildError(f"{where}: {qid} is a choice question; list its options as '- **A.** text' lines")
        questions.append(q)
    numbers_ = [int(q.qid.split("-q")[1]) for q in questions]
    if numbers_ != list(range(1, len(questions) + 1)):
        raise BuildError(f"{where}: questions must be numbered {nn}-q1, {nn}-q2, ... in order")
    if len(questions) < MIN_QUESTIONS:
        raise BuildError(f"{where}: at least {MIN_QUESTIONS} questions per set")
    if extra := set(keys) - {q.qid for q in questions}:
        raise BuildError(f"{where}: answer keys without a check cell: {', '.join(sorted(extra))}")
    for i, c in enumerate(cells):
        if c.cell_type == "code" and c.source.count(BEGIN) != c.source.count(END):
            raise BuildError(f"{where}, cell {i}: unbalanced {BEGIN} / {END}")
        if c.cell_type == "code" and BEGIN in c.source and i not in {q.answer_cell for q in questions}:
            raise BuildError(f"{where}, cell {i}: a solution block outside an answer cell")
    return questions


def run_solution_code(slug: str, nb, questions: list[Question], cwd: Path | None = None) -> dict:
    """Run the notebook's code cells (not the checks) in a fresh namespace; the answer values."""
    namespace: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    checks = {q.check_cell for q in questions}
    here = os.getcwd()
    os.chdir(cwd or SOLUTIONS_DIR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for i, c in enumerate(nb.cells):
                if c.cell_type == "code" and i not in checks:
                    try:
                        exec(compile(c.source, f"{slug}.ipynb, cell {i}", "exec"), namespace)
                    except Exception as exc:
                        raise BuildError(f"exercises/solutions/{slug}.ipynb, cell {i} fails: "
                                         f"{type(exc).__name__}: {exc}") from exc
    finally:
        os.chdir(here)
    missing = [q.var for q in questions if q.var not in namespace]
    if missing:
        raise BuildError(f"exercises/solutions/{slug}.ipynb never assigns {', '.join(missing)}")
    return {q.qid: namespace[q.var] for q in questions}
