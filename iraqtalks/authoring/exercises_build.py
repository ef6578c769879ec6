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

import ast
import contextlib
import copy
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..data.paths import EXERCISES_DIR, ROOT
from ..teaching import checker as ex
from ..teaching import meaning

SETS = (
    "01-meet-the-sources",
    "02-from-article-to-table",
    "03-the-timeline",
    "04-whos-who",
    "05-numbers-in-the-news",
    "06-comparing-sources",
    "07-capstone",
    "08-going-upstream",
)
SOLUTIONS_DIR = EXERCISES_DIR / "solutions"
KEYS_PATH = ex.KEYS_PATH

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
KEY_MARK = "# ANSWER KEY"
SETUP_MARK = "# Just run this cell; don't change it."
CHECK_RE = re.compile(r'check\("(?P<qid>(?P<set>\d\d)-q(?P<n>\d+))", (?P<var>answer_q(?P=n))\)')
OPTION_RE = re.compile(r"^\s*[-*]\s+\*\*(?P<letter>[A-H])\.\*\*\s+(?P<text>.+?)\s*$", re.M)
MAX_CODE_LINES = 15
MIN_QUESTIONS = 5
KERNEL = "python3"


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


def _validate_spec(spec: dict, where: str) -> None:
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
            _validate_spec(spec, f"{where}, cell {i}")
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


# ---------------------------------------------------------------------------------------------
# Keys

def canonical_answer(q: Question, value) -> str:
    """The canonical text of a solution's answer (what the digest is taken of)."""
    k, s = q.kind, q.spec
    try:
        if k == "number":
            return ex.canonical_number(value, s.get("decimals"))
        if k == "choice":
            return ex.canonical_choice(value, q.options)
        if k == "ids":
            return ex.canonical_ids(value)
        if k == "frame":
            return ex.canonical_frame(value, None, s.get("decimals"))
        if k in ("text", "reflect"):
            if not isinstance(value, str) or not value.strip():
                raise ex._Form("the model answer must be a non-empty string")
            return " ".join(ex.words(value))
    except (ex._Form, ex._Empty) as exc:
        raise BuildError(f"{q.qid}: the solution's {q.var} is not a valid {k} answer: {exc}") from None
    raise BuildError(f"{q.qid}: unknown kind {k}")


def key_entry(slug: str, q: Question, value) -> dict:
    s, qid = q.spec, q.qid
    entry = {"kind": q.kind, "lesson": slug, "salt": ex.salt_for(qid), "why": s["why"],
             "hints": list(s["hints"]), "pointer": s["pointer"]}
    if q.kind == "number":
        entry["digest"] = ex.digest(qid, canonical_answer(q, value))
        if s.get("decimals") is not None:
            entry["decimals"] = int(s["decimals"])
    elif q.kind == "choice":
        entry["options"] = dict(q.options)
        entry["digest"] = ex.digest(qid, canonical_answer(q, value))
    elif q.kind == "ids":
        members = ex.id_members(value)
        entry["digest"] = ex.digest(qid, "\n".join(members))
        entry["members"] = sorted(ex.digest(qid, m) for m in members)
    elif q.kind == "frame":
        cols, rows = ex.frame_table(value, None, s.get("decimals"))
        entry["columns"] = cols
        entry["n_rows"] = len(rows)
        entry["digest"] = ex.digest(qid, ex._csv([cols] + rows))
        entry["rows"] = sorted(ex.digest(qid, "row:" + ex._csv([r])) for r in rows)
        if s.get("decimals") is not None:
            entry["decimals"] = int(s["decimals"])
    elif q.kind == "text":
        try:
            entry["keypoints"], entry["max_words"] = meaning.key_points(s["keypoints"], lambda f: ex.digest(qid, f))
        except ValueError as exc:
            raise BuildError(f"{qid}: a key point's alternative: {exc}") from None
    elif q.kind == "reflect":
        entry["checklist"] = list(s["checklist"])
        entry["min_words"] = int(s.get("min_words", 10))
    return entry


def plain_forms(q: Question, value) -> list[str]:
    """Plain-text forms of a solution answer that must not appear in its key entry."""
    if q.kind == "reflect":
        return []
    forms = {canonical_answer(q, value)}
    if q.kind == "number":
        v = ex.as_number(value)
        forms |= {repr(value) if not isinstance(value, str) else value, str(v)}
        if v == int(v):
            forms |= {f"{int(v):,}", f"{int(v):,}".replace(",", ".")}
    elif q.kind == "choice":
        forms = {q.options[canonical_answer(q, value)]}
    elif q.kind == "ids":
        forms |= set(ex.id_members(value))
    elif q.kind == "text":
        forms = {value.strip()}
    return sorted(f for f in forms if f)


def _entry_texts(entry: dict) -> list[str]:
    out = [entry["why"], entry["pointer"], *entry["hints"]]
    out += [kp["label"] for kp in entry.get("keypoints", [])]
    return out


def contains_word(text: str, form: str) -> bool:
    """Whether `form` occurs in `text` as whole words (case- and accent-insensitive)."""
    pattern = re.compile(r"(?<![\w.,])" + re.escape(ex.fold(form)) + r"(?![\w]|[.,]\d)")
    return bool(pattern.search(ex.fold(text)))


def leaks(entry: dict, forms: list[str]) -> list[str]:
    """The plain answer forms that occur, as whole words, in the entry's readable texts."""
    found = [f for f in forms if any(contains_word(t, f) for t in _entry_texts(entry))]
    return found


def build_keys(notebooks: dict[str, object], cwd: Path | None = None) -> tuple[dict, dict]:
    """(the keys document, {qid: (Question, solution value)}) from the solution notebooks."""
    questions: dict[str, dict] = {}
    answers: dict = {}
    for slug, nb in notebooks.items():
        qs = parse_set(slug, nb)
        values = run_solution_code(slug, nb, qs, cwd)
        for q in qs:
            entry = key_entry(slug, q, values[q.qid])
            ex.reset(q.qid)
            fb = ex.feedback(q.qid, values[q.qid], keys={q.qid: entry})
            ex.reset(q.qid)
            if fb.status not in ("correct", "seen"):
                raise BuildError(f"{q.qid}: the solution does not pass its own key: {fb.message}")
            found = leaks(entry, plain_forms(q, values[q.qid]))
            for kp in q.spec.get("keypoints", []) if q.kind == "text" else []:
                found += [a for a in kp["any"] if contains_word(kp["label"], a)]
            if found:
                raise BuildError(f"{q.qid}: the why, a hint, the pointer or a key-point label gives the "
                                 f"answer away ({'; '.join(map(repr, found))}); reword them")
            questions[q.qid] = entry
            answers[q.qid] = (q, values[q.qid])
    doc = {
        "about": ("Answer keys for the exercise notebooks, generated by `python -m iraqtalks exercises` "
                  "from exercises/solutions/. Answers are stored only as salted SHA-256 digests of their "
                  "canonical form (see iraqtalks/teaching/checker.py). Do not edit by hand."),
        "format": 2,
        "questions": questions,
    }
    return doc, answers


def keys_text(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


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
        _validate_spec(spec, where)
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


# ---------------------------------------------------------------------------------------------
# Student notebooks

def strip_solution_code(source: str) -> str:
    """Replace each # BEGIN SOLUTION ... # END SOLUTION block by `answer_qN = ...`."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            j = i + 1
            while j < len(lines) and lines[j].strip() != END:
                j += 1
            block = "\n".join(ln[len(indent):] if ln.startswith(indent) else ln for ln in lines[i + 1:j])
            names = []
            for node in ast.walk(ast.parse(block)):
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
                for t in targets:
                    if isinstance(t, ast.Name) and re.fullmatch(r"answer_q\d+", t.id) and t.id not in names:
                        names.append(t.id)
            out += [f"{indent}{n} = ..." for n in names] or [f"{indent}..."]
            i = j + 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def strip_solution_markdown(source: str) -> str:
    out, skipping = [], False
    for line in source.split("\n"):
        if line.strip() == MD_BEGIN:
            skipping = True
            continue
        if line.strip() == MD_END:
            skipping = False
            continue
        if not skipping:
            out.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
    return text.replace("../../notebooks/", "../notebooks/")


NO_CODE_NOTE = "*No-code track: you can answer this one by reading the lesson's tables or evidence cards.*"


def _no_code_prompts(nb) -> set[int]:
    """Indices of the prompt cells of questions whose check cell is tagged no_code."""
    out, cells = set(), nb.cells
    for i, c in enumerate(cells):
        if c.cell_type == "code" and CHECK_RE.fullmatch(c.source.strip()) and \
                c.metadata.get("iraqtalks", {}).get("no_code"):
            answer = max(j for j in range(i) if cells[j].cell_type == "code")
            out.add(max(j for j in range(answer) if cells[j].cell_type == "markdown"))
    return out


def student_notebook(nb) -> nbformat.NotebookNode:
    """The student version of a solution notebook, without outputs."""
    new = nbformat.v4.new_notebook()
    new.metadata = {"kernelspec": copy.deepcopy(nb.metadata.get("kernelspec", {})),
                    "language_info": {"name": "python"}}
    no_code = _no_code_prompts(nb)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "raw" and c.source.lstrip().startswith(KEY_MARK):
            continue
        if c.cell_type == "markdown":
            cell = nbformat.v4.new_markdown_cell(strip_solution_markdown(c.source)
                                                 + (f"\n\n{NO_CODE_NOTE}" if i in no_code else ""))
        elif c.cell_type == "code":
            cell = nbformat.v4.new_code_cell(strip_solution_code(c.source))
        else:
            cell = nbformat.v4.new_raw_cell(c.source)
        cell.id = c.id
        cell.metadata = copy.deepcopy(c.metadata)
        new.cells.append(cell)
    return new


def clear_outputs(nb) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
    return nb


def notebook_text(nb) -> str:
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def execute(nb, cwd: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel (cwd = its folder); outputs without timings."""
    from nbclient import NotebookClient
    nb = clear_outputs(nb)
    NotebookClient(nb, timeout=600, kernel_name=KERNEL, record_timing=False, store_widget_state=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def verify_outputs(nb, questions: list[Question], student: bool, where: str) -> None:
    """Every check printed what it should: 'Correct!' (solutions) or 'Not answered yet' (students)."""
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"):
                raise BuildError(f"{where}, cell {i}: the cell printed an error or a warning")
    by_qid = {q.qid: q for q in questions}
    for c in nb.cells:
        m = CHECK_RE.fullmatch(c.source.strip()) if c.cell_type == "code" else None
        if not m:
            continue
        text = "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
        q = by_qid[m["qid"]]
        want = "Not answered yet" if student else ("Thank you." if q.kind == "reflect" else "Correct!")
        if not text.startswith(want):
            raise BuildError(f"{where}: check {q.qid} printed {text[:60]!r}, expected {want!r}...")


# ---------------------------------------------------------------------------------------------

def generate(execute_notebooks: bool = True, write: bool = True, root: Path | None = None,
             log=print) -> dict[str, str]:
    """Build everything; returns {path relative to the kit: text}. With write=False nothing is
    written and nothing is executed (the sync test compares the result with the committed files)."""
    root = Path(root) if root else ROOT
    solutions = {slug: read_notebook(solution_path(slug, root)) for slug in SETS}
    doc, answers = build_keys(solutions, solution_path(SETS[0], root).parent)
    lesson_doc = build_lesson_keys(root)
    out = {"iraqtalks/teaching/answer_keys.json": keys_text(doc), f"iraqtalks/teaching/{ex.LESSON_KEYS_NAME}": keys_text(lesson_doc)}
    if write:
        KEYS_PATH.write_text(out["iraqtalks/teaching/answer_keys.json"], encoding="utf-8")
        LESSON_KEYS_PATH.write_text(out[f"iraqtalks/teaching/{ex.LESSON_KEYS_NAME}"], encoding="utf-8")
        ex._keys_cache = None
        ex._lesson_keys_cache = None
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
