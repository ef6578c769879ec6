"""What each lesson sets out to teach, where it is assessed, and what the teacher guide says about it.

Every lesson lists 3-5 skill objectives, each with an id (``- **L03-O2** Explain why ...``). Every
exercise question and every in-lesson check says which objectives it assesses, in the metadata of
its check cell::

    {"iraqtalks": {"objectives": ["L03-O2"], "no_code": true}}

``no_code`` marks a question that can be answered by reading a table, a widget or an evidence card
in the lesson, without writing code (the no-code track). From these tags this module generates
the teacher guide's section between ``<!-- objective-map:start -->`` and ``<!-- objective-map:end -->``:
the objective map (objective -> questions and checks), the no-code track of each set, the pandas
vocabulary each lesson teaches (see :mod:`iraqtalks.authoring.vocabulary`) and the estimated times (see
:mod:`iraqtalks.authoring.timing`). ``python -m iraqtalks exercises`` rewrites it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..data.paths import ROOT

OBJECTIVE_ID = re.compile(r"^(?P<id>L(?P<nn>\d\d)-O\d+)\s+(?P<text>\S.*)$")
MAP_START = "<!-- objective-map:start -->"
MAP_END = "<!-- objective-map:end -->"
GUIDE = ROOT / "teachers" / "README.md"


class ObjectiveError(ValueError):
    """An objective or a tag is malformed; the message names the file and what was expected."""


@dataclass
class Objective:
    oid: str
    lesson: str  # the lesson's file name without .ipynb
    text: str
    assessed_by: list[str] = field(default_factory=list)


def objectives(root: Path | None = None) -> dict[str, Objective]:
    """{objective id: Objective} read from every lesson's opening, in lesson order."""
    from .nav import lessons
    root = Path(root) if root else ROOT
    found: dict[str, Objective] = {}
    for lesson in lessons(root / "notebooks"):
        for text in lesson.objectives:
            m = OBJECTIVE_ID.match(text)
            if not m or m["nn"] != lesson.number:
                raise ObjectiveError(f"notebooks/{lesson.name}: objective {text!r} does not start with an id "
                                     f"like **L{lesson.number}-O1**")
            if m["id"] in found:
                raise ObjectiveError(f"notebooks/{lesson.name}: objective id {m['id']} is used twice")
            found[m["id"]] = Objective(m["id"], lesson.name[:-len(".ipynb")], m["text"])
    return found


def _tag(metadata: dict, where: str) -> dict:
    tag = metadata.get("iraqtalks")
    if not isinstance(tag, dict) or not isinstance(tag.get("objectives"), list) or not tag["objectives"]:
        raise ObjectiveError(f"{where}: the check cell's metadata has no "
                             '{"iraqtalks": {"objectives": ["LNN-On", ...]}} tag')
    return tag


@dataclass
class Assessment:
    qid: str          # 03-q4 (exercise question) or L03-c1 (lesson check)
    where: str        # the notebook it is in, from the kit's root
    objectives: list[str]
    no_code: bool


def assessments(root: Path | None = None) -> list[Assessment]:
    """Every exercise question and lesson check with its tags, in order (sets, then lessons)."""
    from . import exercise_format as exfmt
    from . import lesson_keys as lkeys
    root = Path(root) if root else ROOT
    out: list[Assessment] = []
    for slug in exfmt.exercise_sets(root):
        path = exfmt.solution_path(slug, root)
        nb = exfmt.read_notebook(path)
        for i, c in enumerate(nb.cells):
            m = exfmt.CHECK_RE.fullmatch(c.source.strip()) if c.cell_type == "code" else None
            if m:
                tag = _tag(c.metadata, f"exercises/solutions/{slug}.ipynb, cell {i} ({m['qid']})")
                out.append(Assessment(m["qid"], f"exercises/{slug}.ipynb", list(tag["objectives"]),
                                      bool(tag.get("no_code"))))
    for qid, (name, i, meta) in lkeys.lesson_check_cells(root).items():
        tag = _tag(meta, f"notebooks/{name}, cell {i} ({qid})")
        out.append(Assessment(qid, f"notebooks/{name}", list(tag["objectives"]), bool(tag.get("no_code", True))))
    return out


def objective_map(root: Path | None = None) -> dict[str, Objective]:
    """objectives() with ``assessed_by`` filled in; raises on a tag naming an unknown objective."""
    objs = objectives(root)
    for a in assessments(root):
        for oid in a.objectives:
            if oid not in objs:
                raise ObjectiveError(f"{a.where}: {a.qid} is tagged with {oid}, which no lesson lists")
            objs[oid].assessed_by.append(a.qid)
    return objs


def no_code_track(root: Path | None = None) -> dict[str, list[str]]:
    """{exercise notebook: [question ids marked no_code]}."""
    out: dict[str, list[str]] = {}
    for a in assessments(root):
        if a.where.startswith("exercises/"):
            out.setdefault(a.where, [])
            if a.no_code:
                out[a.where].append(a.qid)
    return out


def map_markdown(root: Path | None = None) -> str:
    objs = objective_map(root)
    lines = ["### Objective map", "",
             "Every objective of every lesson, and the exercise questions (`NN-qN`) and in-lesson checks "
             "(`LNN-cN`) that assess it. The tags live in the metadata of each check cell.", "",
             "| objective | lesson | what the learner can do | assessed by |", "| --- | --- | --- | --- |"]
    for o in objs.values():
        lines.append(f"| {o.oid} | {o.lesson[:2]} | {o.text.replace('|', '/')} | {', '.join(o.assessed_by) or '—'} |")
    lines += ["", "### The no-code track", "",
              "These questions can be answered by reading the lesson's tables, widgets or evidence cards, "
              "without writing code: the learner only types the answer (a letter, a number, ids or a "
              "sentence) in place of `...`, or writes it on the printed answer sheet. Assign them alone to a "
              "class that does not code: tell learners to skip the other questions (their checks just say "
              "*Not answered yet*). Every lesson check (`LNN-cN`) is no-code as well.", "",
              "| exercise set | no-code questions |", "| --- | --- |"]
    for where, qids in no_code_track(root).items():
        lines.append(f"| `{where}` | {', '.join(qids)} |")
    return "\n".join(lines)


def guide_block(root: Path | None = None) -> str:
    """The generated part of the teacher guide, markers included."""
    parts = ["_Generated by `python -m iraqtalks exercises` from the lessons and the exercise solutions; "
             "edit those, not this section._", "", map_markdown(root)]
    from . import timing, vocabulary
    parts += ["", vocabulary.guide_markdown(root), "", timing.guide_markdown(root)]
    return f"{MAP_START}\n" + "\n".join(parts) + f"\n{MAP_END}"


def updated_guide(text: str, root: Path | None = None) -> str:
    """The guide's text with its generated section replaced (the markers must be there)."""
    if MAP_START not in text or MAP_END not in text:
        raise ObjectiveError(f"teachers/README.md: the markers {MAP_START} and {MAP_END} are missing")
    head, rest = text.split(MAP_START, 1)
    _, tail = rest.split(MAP_END, 1)
    return head + guide_block(root) + tail


def update_guide(root: Path | None = None) -> bool:
    """Rewrite the generated section of teachers/README.md; True if it changed."""
    guide = (Path(root) if root else ROOT) / "teachers" / "README.md"
    old = guide.read_text(encoding="utf-8")
    new = updated_guide(old, root)
    if new != old:
        guide.write_text(new, encoding="utf-8")
    return new != old
