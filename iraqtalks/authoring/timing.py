"""How long a lesson really takes a novice: a documented rule of thumb, computed from the notebooks.

The rule (minutes, for a class of novices working at the pace of the slower half):

* **reading**: the words of the markdown cells (navigation and the generated lesson map left out) at 120 words a minute,
  a careful reading pace for a text full of names, dates and Vietnamese;
* **running**: 1 minute per code cell (run it, look at what it prints; a check's answer cell is part of the check);
* **long output**: 1 more minute per 40 lines of printed text output (tables printed as text, cards);
* **checks**: 3 minutes per in-lesson check (``check("LNN-cN", ...)``: read, answer, get feedback);
* **exercises**: the words of the student exercise notebook at 120 a minute, plus 3 minutes per
  question, plus 2 more for a question that needs code (not in the no-code track).

Each figure is rounded up to the next 5 minutes. The teacher guide shows the estimate beside the
stated time of every lesson (generated section), and tests/test_objectives.py keeps the stated times
within the rule (see :data:`TOLERANCE`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..data.paths import ROOT

WORDS_PER_MINUTE = 120
PER_CODE_CELL = 1
OUTPUT_LINES_PER_MINUTE = 40
PER_CHECK = 3
PER_QUESTION = 3
PER_CODE_QUESTION = 2
CLASS_PERIOD = 45  # a lesson estimated above this is taught in parts (Part 1 / Part 2 sections)
TOLERANCE = 5      # stated and estimated teaching time may differ by at most this many minutes
_WORD = re.compile(r"\w+")


def _round5(minutes: float) -> int:
    return max(5, int(math.ceil(minutes / 5 - 1e-9)) * 5)


def words(text: str) -> int:
    return len(_WORD.findall(text))


def _output_lines(cell) -> int:
    n = 0
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            n += o.get("text", "").count("\n")
        elif "data" in o and "text/plain" in o["data"] and "text/html" not in o["data"]:
            n += o["data"]["text/plain"].count("\n") + 1
        elif "data" in o and "text/plain" in o["data"] and (
                "image/png" in o["data"] or "iraqtalks-feedback" in o["data"].get("text/html", "")):
            # a chart (its <img> has alt text) or check()'s feedback: counted by their text's lines
            n += o["data"]["text/plain"].count("\n") + 1
        elif "data" in o and "text/html" in o["data"]:
            n += o["data"]["text/html"].count("<tr")
    return n


@dataclass
class Estimate:
    lesson: str           # NN
    words: int
    code_cells: int
    output_lines: int
    checks: int
    questions: int
    code_questions: int
    exercise_words: int

    @property
    def teaching(self) -> int:
        return _round5(self.words / WORDS_PER_MINUTE + self.code_cells * PER_CODE_CELL
                       + self.output_lines / OUTPUT_LINES_PER_MINUTE + self.checks * PER_CHECK)

    @property
    def exercises(self) -> int:
        if not self.questions:
            return 0
        return _round5(self.exercise_words / WORDS_PER_MINUTE + self.questions * PER_QUESTION
                       + self.code_questions * PER_CODE_QUESTION)


def _is_nav(cell) -> bool:
    """Navigation and the generated lesson map: not part of the lesson's reading."""
    return bool({"nav", "lesson-map"} & set(cell.get("metadata", {}).get("tags", [])))


_ANSWER_CELL = re.compile(r"^answer_c\d+ = ", re.M)


def estimate(lesson_path: Path, root: Path | None = None) -> Estimate:
    from .exercise_format import CHECK_RE, exercise_sets, student_path
    from .lesson_keys import LESSON_CHECK_RE
    from .objectives import assessments
    nb = nbformat.read(str(lesson_path), as_version=4)
    nn = lesson_path.name[:2]
    md = [c for c in nb.cells if c.cell_type == "markdown" and not _is_nav(c)]
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if LESSON_CHECK_RE.fullmatch(c.source.strip())]
    answers = [c for c in code if _ANSWER_CELL.match(c.source)]
    ex_words = questions = code_questions = 0
    slug = next((s for s in exercise_sets(root) if s.startswith(nn + "-")), None)
    if slug:
        sn = nbformat.read(str(student_path(slug, root)), as_version=4)
        ex_words = sum(words(c.source) for c in sn.cells if c.cell_type == "markdown")
        tagged = {a.qid: a for a in assessments(root) if a.where == f"exercises/{slug}.ipynb"}
        questions = sum(1 for c in sn.cells if c.cell_type == "code" and CHECK_RE.fullmatch(c.source.strip()))
        code_questions = sum(1 for a in tagged.values() if not a.no_code)
    return Estimate(nn, sum(words(c.source) for c in md), len(code) - len(checks) - len(answers),
                    sum(_output_lines(c) for c in code), len(checks), questions, code_questions, ex_words)


def estimates(root: Path | None = None) -> list[Estimate]:
    folder = (Path(root) if root else ROOT) / "notebooks"
    return [estimate(p, root) for p in sorted(folder.glob("[0-9][0-9]-*.ipynb"))]


def guide_markdown(root: Path | None = None) -> str:
    from .nav import lessons
    stated = {lesson.number: lesson for lesson in lessons((Path(root) if root else ROOT) / "notebooks")}
    lines = ["### Estimated times", "",
             f"Estimated with the kit's rule of thumb (`iraqtalks/authoring/timing.py`): prose at {WORDS_PER_MINUTE} words "
             f"a minute, {PER_CODE_CELL} minute per code cell, 1 more per {OUTPUT_LINES_PER_MINUTE} lines of "
             f"printed output, {PER_CHECK} per in-lesson check; exercises: their prose, {PER_QUESTION} minutes "
             f"per question and {PER_CODE_QUESTION} more per question that needs code; each figure rounded up "
             "to 5 minutes. These are times for novices; a class that codes already goes faster.", "",
             "| lesson | words | code cells | output lines | checks | teaching: stated / estimated "
             "| questions (code) | exercises: stated / estimated |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    total_t = total_e = 0
    for e in estimates(root):
        s = stated.get(e.lesson)
        st, se = (s.teaching, s.exercises) if s else (None, None)
        total_t += e.teaching
        total_e += e.exercises
        lines.append(f"| {e.lesson} | {e.words} | {e.code_cells} | {e.output_lines} | {e.checks} | {st} / {e.teaching} "
                     f"| {e.questions} ({e.code_questions}) | {se} / {e.exercises or '—'} |")
    lines += ["", f"In all: {total_t} minutes of teaching and {total_e} of exercises by the rule, "
                  f"{total_t + total_e} minutes, about {round((total_t + total_e) / 60)} class hours of 60 minutes."]
    return "\n".join(lines)


CHECK_EVERY = 15  # minutes: the longest stretch of a lesson, by the rule, without an in-lesson check


def cell_minutes(cell) -> float:
    """A cell's share of the teaching estimate (unrounded)."""
    if cell.cell_type == "markdown":
        return 0.0 if _is_nav(cell) else words(cell.source) / WORDS_PER_MINUTE
    if cell.cell_type != "code":
        return 0.0
    from .lesson_keys import LESSON_CHECK_RE
    if LESSON_CHECK_RE.fullmatch(cell.source.strip()):
        return PER_CHECK
    if _ANSWER_CELL.match(cell.source):
        return 0.0
    return PER_CODE_CELL + _output_lines(cell) / OUTPUT_LINES_PER_MINUTE


def stretches(lesson_path: Path) -> list[tuple[str, float]]:
    """The lesson cut at its checks: (id of the cell that ends the stretch, minutes since the last check).

    The last stretch ends at the key points (the closing summary is not teaching new material) and is
    labelled 'end'."""
    from .lesson_keys import LESSON_CHECK_RE
    nb = nbformat.read(str(lesson_path), as_version=4)
    out, run = [], 0.0
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.lstrip().startswith("## Key points"):
            break
        if c.cell_type == "code" and LESSON_CHECK_RE.fullmatch(c.source.strip()):
            out.append((c.id, run))
            run = 0.0
            continue
        run += cell_minutes(c)
    out.append(("end", run))
    return out


PART_MARK = re.compile(r"^>\s*\*\*Part (\d+) of (\d+)\*\*")


def parts(lesson_path: Path) -> list[float]:
    """Minutes (by the rule, unrounded) of each part of a lesson, split at its '> **Part N of M**' cells.

    A lesson estimated above :data:`CLASS_PERIOD` minutes of teaching is marked in parts, each short
    enough for one class period, instead of being split into two notebooks (which would renumber
    every lesson, exercise and check id)."""
    nb = nbformat.read(str(lesson_path), as_version=4)
    out = [0.0]
    for c in nb.cells:
        if c.cell_type == "markdown" and PART_MARK.match(c.source.lstrip()) and int(PART_MARK.match(c.source.lstrip())[1]) > 1:
            out.append(0.0)
        out[-1] += cell_minutes(c)
    return out
