"""The student notebooks: a solution notebook with its keys, teacher notes and solution code taken out;
and running notebooks, checking that every check printed what it should."""
from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat

from .exercise_format import BEGIN, CHECK_RE, END, KERNEL, KEY_MARK, MD_BEGIN, MD_END, BuildError, Question

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
    """Every check said what it should: 'Correct!' (solutions) or 'Not answered yet' (students)."""
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"):
                raise BuildError(f"{where}, cell {i}: the cell printed an error or a warning")
    by_qid = {q.qid: q for q in questions}
    for c in nb.cells:
        m = CHECK_RE.fullmatch(c.source.strip()) if c.cell_type == "code" else None
        if not m:
            continue
        # check() prints outside a notebook and displays (text/plain: the same words) in one
        text = "".join(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
                       for o in c.outputs)
        q = by_qid[m["qid"]]
        want = "Not answered yet" if student else ("Thank you." if q.kind == "reflect" else "Correct!")
        if not text.startswith(want):
            raise BuildError(f"{where}: check {q.qid} printed {text[:60]!r}, expected {want!r}...")
