"""The lessons' own checks: their check cells found in notebooks/, their keys authored in
exercises/solutions/lesson-checks.json and written as salted digests to iraqtalks/teaching/lesson_keys.json."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..data.paths import ROOT
from ..teaching import checker as ex
from .exercise_format import SOLUTIONS_DIR, BuildError, Question, read_notebook, validate_spec
from .exercise_keys import KEYS_PATH, key_entry, leaks, plain_forms

# ---------------------------------------------------------------------------------------------
# The lessons' own checks
#
# A lesson asks a question in a markdown cell, lets the learner answer in a cell ``answer_cN = ...``
# and checks it in the next cell, exactly ``check("LNN-cN", answer_cN)``.  The keys are authored,
# with their answers, in exercises/solutions/lesson-checks.json (teachers' copy only: the student
# edition leaves exercises/solutions/ out), one dict per check in the answer-key format above plus
# ``answer`` (the right answer), ``objectives`` (the lesson objectives it assesses) and, for a
# choice, ``options`` ({"A": text, ...}).  The build writes iraqtalks/teaching/lesson_keys.json: the same
# salted digests as the exercise keys, no answer in plain text.

LESSON_CHECKS_PATH = SOLUTIONS_DIR / "lesson-checks.json"
LESSON_KEYS_PATH = KEYS_PATH.with_name(ex.LESSON_KEYS_NAME)
LESSON_CHECK_RE = re.compile(r'check\("(?P<qid>L(?P<nn>\d\d)-c(?P<n>\d+))", (?P<var>answer_c(?P=n))\)')


def lesson_check_cells(root: Path | None = None) -> dict[str, tuple[str, int, dict]]:
    """{check id: (lesson file name, cell index, cell metadata)} for every check cell in the lessons."""
    folder = Path(root) / "notebooks" if root else ROOT / "notebooks"
    found: dict[str, tuple[str, int, dict]] = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        nb = read_notebook(path)
        for i, c in enumerate(nb.cells):
            if c.cell_type != "code" or not re.search(r'(?<![.\w])check\("L', c.source):
                continue
            m = LESSON_CHECK_RE.fullmatch(c.source.strip())
            where = f"notebooks/{path.name}, cell {i}"
            if not m:
                raise BuildError(f"{where}: a lesson check cell must read exactly check(\"LNN-cN\", answer_cN)")
            if m["nn"] != path.name[:2]:
                raise BuildError(f"{where}: {m['qid']} belongs to another lesson")
            prev = nb.cells[i - 1] if i else None
            if prev is None or prev.cell_type != "code" or not re.search(rf"^{m['var']} = ", prev.source, re.M):
                raise BuildError(f"{where}: the cell before a check must assign {m['var']}")
            if m["qid"] in found:
                raise BuildError(f"{where}: {m['qid']} is checked twice")
            found[m["qid"]] = (path.name, i, dict(c.metadata))
    return found


def lesson_check_specs(root: Path | None = None) -> list[dict]:
    path = Path(root) / "exercises" / "solutions" / LESSON_CHECKS_PATH.name if root else LESSON_CHECKS_PATH
    try:
        specs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"exercises/solutions/{path.name} could not be read: {exc}") from None
    if not isinstance(specs, list):
        raise BuildError(f"exercises/solutions/{path.name}: expected a list of check keys")
    return specs


def build_lesson_keys(root: Path | None = None) -> dict:
    """The keys document for the lessons' own checks (checked like the exercise keys)."""
    cells = lesson_check_cells(root)
    checks: dict[str, dict] = {}
    for n, spec in enumerate(lesson_check_specs(root)):
        where = f"exercises/solutions/{LESSON_CHECKS_PATH.name}, item {n + 1}"
        if not isinstance(spec, dict) or "answer" not in spec or not spec.get("objectives"):
            raise BuildError(f"{where}: each check key needs qid, kind, answer, objectives, why, hints, pointer")
        validate_spec(spec, where)
        qid = spec["qid"]
        if qid not in cells:
            raise BuildError(f"{where}: no lesson has a check cell for {qid}")
        if qid in checks:
            raise BuildError(f"{where}: two keys for {qid}")
        q = Question(qid, "answer_c" + qid.split("-c")[1], spec, "", -1, cells[qid][1],
                     options=dict(spec.get("options", {})))
        if q.kind == "choice" and len(q.options) < 2:
            raise BuildError(f"{where}: a choice check needs options {{'A': ..., 'B': ...}}")
        entry = key_entry(cells[qid][0][:-len(".ipynb")], q, spec["answer"])
        ex.reset(qid)
        fb = ex.feedback(qid, spec["answer"], keys={qid: entry})
        ex.reset(qid)
        if fb.status not in ("correct", "seen"):
            raise BuildError(f"{where}: {qid}'s answer does not pass its own key: {fb.message}")
        if found := leaks(entry, plain_forms(q, spec["answer"])):
            raise BuildError(f"{where}: {qid}'s why, a hint or the pointer gives the answer away "
                             f"({'; '.join(map(repr, found))}); reword them")
        checks[qid] = entry
    if missing := sorted(set(cells) - set(checks)):
        raise BuildError(f"exercises/solutions/{LESSON_CHECKS_PATH.name}: no key for {', '.join(missing)}")
    return {"about": ("Answer keys for the lessons' own checks, generated by `python -m iraqtalks exercises` "
                      "from exercises/solutions/lesson-checks.json; salted digests only. Do not edit by hand."),
            "format": 1, "checks": checks}
