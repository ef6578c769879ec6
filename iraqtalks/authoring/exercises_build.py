"""Build the exercise notebooks and their answer keys from the solution notebooks.

    python -m iraqtalks exercises        # or: ./kit exercises

The solution notebooks, exercises/solutions/NN-slug.ipynb, are the source. Each question is

1. a markdown prompt (for a choice question, the options as lines ``- **A.** text``);
2. optionally, code cells to look at the data (kept as they are);
3. an answer cell whose solution code sits between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
   and assigns ``answer_qN``;
4. a check cell, exactly ``check("NN-qN", answer_qN)``;
5. a raw cell starting with ``# ANSWER KEY``: a Python dict literal with ``qid``, ``kind`` (number,
   choice, ids, frame, text, reflect), ``why`` (shown when correct), ``hints`` (two or three, in
   order; none for a reflection), ``pointer`` (where the lesson explains it) and, by kind, ``decimals`` (number),
   ``keypoints`` (text: a list of ``{"label": ..., "any": [alternatives]}``, optionally with ``near``,
   ``polarity`` and ``window``; dates as ISO dates: see iraqtalks/teaching/meaning.py), ``checklist`` and
   ``min_words`` (reflect).

Markdown between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` is for teachers only.
Links are written for the solutions folder (``../../notebooks/...``).

The command

1. runs every solution notebook's code (not its checks) and reads the ``answer_*`` variables;
2. writes iraqtalks/teaching/answer_keys.json: per question, salted digests of the canonical answer, the
   hints, the pointer and the "why" (no answer in plain text), after checking that each solution
   answer passes its own key and that no hint, pointer or "why" gives the answer away;
3. executes the solution notebooks and stores their outputs (every check must print "Correct!");
4. writes the student notebooks exercises/NN-slug.ipynb: the key cells and teacher notes removed,
   each solution block replaced by ``answer_qN = ...``, links rewritten for the exercises folder;
   then executes them and stores those outputs too (every check must print "Not answered yet"),
   so that nbval can run them strictly.

Everything is deterministic: fixed salts, sorted JSON, fixed cell ids, no timings. Never edit
the student notebooks or the keys by hand: edit a solution notebook and run the command again.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..data.paths import ROOT
from ..teaching import checker as ex
from .exercise_format import SOLUTIONS_DIR, BuildError, exercise_sets, read_notebook, solution_path, student_path
from .exercise_keys import KEYS_PATH, build_keys, keys_text
from .exercise_notebooks import execute, notebook_text, student_notebook, verify_outputs
from .lesson_keys import LESSON_KEYS_PATH, build_lesson_keys

# ---------------------------------------------------------------------------------------------

def generate(execute_notebooks: bool = True, write: bool = True, root: Path | None = None,
             log=print) -> dict[str, str]:
    """Build everything; returns {path relative to the kit: text}. With write=False nothing is
    written and nothing is executed (the sync test compares the result with the committed files)."""
    root = Path(root) if root else ROOT
    slugs = exercise_sets(root)
    if not slugs:
        raise BuildError(f"no exercise sets: {root / 'exercises' / 'solutions'} holds no NN-slug.ipynb")
    solutions = {slug: read_notebook(solution_path(slug, root)) for slug in slugs}
    doc, answers = build_keys(solutions, solution_path(slugs[0], root).parent)
    lesson_doc = build_lesson_keys(root)
    out = {"iraqtalks/teaching/answer_keys.json": keys_text(doc), f"iraqtalks/teaching/{ex.LESSON_KEYS_NAME}": keys_text(lesson_doc)}
    if write:
        KEYS_PATH.write_text(out["iraqtalks/teaching/answer_keys.json"], encoding="utf-8")
        LESSON_KEYS_PATH.write_text(out[f"iraqtalks/teaching/{ex.LESSON_KEYS_NAME}"], encoding="utf-8")
        ex.forget_keys()
        log(f"wrote iraqtalks/teaching/answer_keys.json ({len(doc['questions'])} questions) and "
            f"iraqtalks/teaching/{ex.LESSON_KEYS_NAME} ({len(lesson_doc['checks'])} lesson checks)")
    for slug, sol in solutions.items():
        qs = [a[0] for qid, a in answers.items() if a[0].qid.startswith(slug[:2] + "-")]
        student = student_notebook(sol)
        if write and execute_notebooks:
            ran = execute(sol, solution_path(slug, root).parent)
            verify_outputs(ran, qs, False, f"exercises/solutions/{slug}.ipynb")
            text = notebook_text(ran)
            solution_path(slug, root).write_text(text, encoding="utf-8")
            log(f"ran   exercises/solutions/{slug}.ipynb ({len(qs)} questions, all correct)")
            student = execute(student, student_path(slug, root).parent)
            verify_outputs(student, qs, True, f"exercises/{slug}.ipynb")
        rel = f"exercises/{slug}.ipynb"
        out[rel] = notebook_text(student)
        if write:
            student_path(slug, root).write_text(out[rel], encoding="utf-8")
            log(f"wrote {rel}")
    # Last, as the estimated times read the student notebooks just written.
    from .objectives import updated_guide
    guide = root / "teachers" / "README.md"
    if guide.is_file():
        out["teachers/README.md"] = updated_guide(guide.read_text(encoding="utf-8"), root)
        if write and out["teachers/README.md"] != guide.read_text(encoding="utf-8"):
            guide.write_text(out["teachers/README.md"], encoding="utf-8")
            log("wrote the generated section of teachers/README.md")
    return out


def main() -> int:
    if not SOLUTIONS_DIR.is_dir():
        print("exercises: this copy of the kit has no exercises/solutions/ (it is the student edition), so the "
              "exercise notebooks can not be regenerated here; they are ready to use as they are", file=sys.stderr)
        return 1
    try:
        generate()
    except BuildError as exc:
        print(f"exercises: {exc}", file=sys.stderr)
        return 1
    return 0
