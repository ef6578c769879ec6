"""The shape every lesson notebook must have (issue 3), checked over ALL notebooks in notebooks/.

Contents are checked by nbval (`pytest --nbval`), which re-runs each notebook and compares its
outputs with the committed ones.  This file checks the structure around them:

* an opening with a '# Title', 3-5 objectives, a time estimate (teaching and exercises) and what
  the lesson assumes; an ending with 'Key points' and a link to the lesson's own exercise set;
* navigation cells first and last, exactly as `python -m iraqtalks nav` writes them, and the lesson
  maps in README.md and 00-start-here.ipynb in sync with the notebooks;
* one setup cell ("Just run this cell"), small code cells, no trailing ';';
* committed with fresh outputs: every code cell run once, in order, without errors or warnings,
  and no output that differs from machine to machine (absolute paths, memory addresses);
* widgets tagged nbval-ignore-output and followed by a static view; each figure followed by a
  markdown cell (its text description); at least one 'Try it'.
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import nbformat
import pytest

from iraqtalks.authoring import nav
from iraqtalks.data.paths import EXERCISES_DIR, NOTEBOOKS_DIR, ROOT

NOTEBOOKS = nav.lesson_files()
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IGNORE_TAG = "nbval-ignore-output"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "name": "python3", "language": "python"}
MAX_LINES, MAX_MEDIAN = 15, 3

_IMPORT = re.compile(r"^\s*(?:import\s+\w|from\s+[\w.]+\s+import\s)", re.MULTILINE)
_NONDETERMINISTIC = [
    (re.compile(r"/(?:work|tmp|home|root|Users|private)/[^\s'\"<>]*"), "an absolute path"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "a memory address"),
    (re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d+"), "a timestamp with fractions of a second"),
]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _lines(source: str) -> int:
    return len([line for line in source.strip("\n").splitlines() if line.strip()])


def _texts(output) -> list[str]:
    """The text a reader (and nbval) sees in one output: streams, text/plain, text/html, markdown."""
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    data = output.get("data", {})
    return [data[k] for k in ("text/plain", "text/html", "text/markdown") if k in data]


def _ending(nb) -> str:
    """The markdown after the last code cell (nav cell excluded)."""
    last = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)
    return "\n\n".join(c.source for c in nb.cells[last + 1:] if c.cell_type == "markdown" and "nav" not in _tags(c))


def _where(path: Path, i: int) -> str:
    return f"notebooks/{path.name}, cell {i}"


ids = [p.name for p in NOTEBOOKS]
each = pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)


def test_lessons_exist_and_are_named_nn_slug():
    assert NOTEBOOKS, "notebooks/ holds no lesson notebooks (NN-slug.ipynb)"
    stray = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb") if not nav.LESSON_NAME.match(p.name))
    assert not stray, f"notebooks/ files not named NN-slug.ipynb (two digits, dash, lower-case-words): {stray}"
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), f"two lessons share a number: {numbers}"
    assert NOTEBOOKS[0].name == nav.CONTENTS, f"the first lesson must be {nav.CONTENTS} (the lesson map)"


@each
def test_kernelspec(path):
    assert _read(path).metadata.get("kernelspec") == KERNELSPEC, f"notebooks/{path.name}: kernelspec must be {KERNELSPEC}"


@each
def test_opening_has_title_objectives_time_and_assumptions(path):
    nb = _read(path)
    lesson = nav.read_lesson(path, nb)
    first = next(c for c in nb.cells if "nav" not in _tags(c))
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), \
        f"notebooks/{path.name}: the first cell after the nav cell must start with the '# Title' heading"
    assert 3 <= len(lesson.objectives) <= 5, (
        f"notebooks/{path.name}: the opening lists {len(lesson.objectives)} objectives; expected 3 to 5, "
        "as a bullet list under a line 'Objectives'")
    assert lesson.teaching is not None and lesson.exercises is not None, (
        f"notebooks/{path.name}: the opening needs a time estimate like "
        "'**Time:** teaching: 20 min · exercises: 15 min'")
    assert re.search(r"\*\*(?:Assumes|Prerequisites)\b", first.source), \
        f"notebooks/{path.name}: the opening must say what the lesson assumes ('**Assumes:** ...')"


@each
def test_ending_has_key_points_and_exercise_pointer(path):
    nb = _read(path)
    ending = _ending(nb)
    m = re.search(r"^#+\s*Key points\s*$(.*)", ending, re.MULTILINE | re.DOTALL)
    assert m, f"notebooks/{path.name}: after the last code cell there must be a '## Key points' section"
    bullets = re.findall(r"^\s*[-*]\s+\S", m.group(1), re.MULTILINE)
    assert len(bullets) >= 2, f"notebooks/{path.name}: 'Key points' needs a bullet list (found {len(bullets)} bullets)"
    if path.name != nav.CONTENTS:
        link = f"../exercises/{path.name}"
        assert f"({link})" in ending, f"notebooks/{path.name}: the ending must link to its exercise set ({link})"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != nav.CONTENTS], ids=lambda p: p.name)
def test_exercise_set_exists(path):
    target = EXERCISES_DIR / path.name
    assert target.is_file(), f"notebooks/{path.name} points to exercises/{path.name}, which does not exist"


@each
def test_nav_cells_first_and_last_as_generated(path):
    nb = _read(path)
    lessons = nav.lessons()
    expected = nav.nav_markdown(lessons, [lesson.name for lesson in lessons].index(path.name))
    navs = [i for i, c in enumerate(nb.cells) if "nav" in _tags(c)]
    assert navs == [0, len(nb.cells) - 1], (
        f"notebooks/{path.name}: the nav cells (tagged 'nav') must be the first and the last cell, found at {navs}; "
        "run `python -m iraqtalks nav`")
    for i in navs:
        assert nb.cells[i].cell_type == "markdown", f"{_where(path, i)}: a nav cell must be markdown"
        assert nb.cells[i].source == expected, (
            f"{_where(path, i)}: the nav cell is out of date; run `python -m iraqtalks nav`")


def test_readme_lesson_map_in_sync():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert nav.MAP_START in text and nav.MAP_END in text, \
        f"README.md lacks the lesson-map markers {nav.MAP_START} / {nav.MAP_END}; run `python -m iraqtalks nav`"
    assert nav.readme_section() in text, "README.md's lesson map is out of date; run `python -m iraqtalks nav`"


def test_start_here_lesson_map_in_sync():
    nb = _read(NOTEBOOKS_DIR / nav.CONTENTS)
    maps = [c for c in nb.cells if nav.MAP_TAG in _tags(c)]
    assert len(maps) == 1, f"notebooks/{nav.CONTENTS} needs one markdown cell tagged '{nav.MAP_TAG}'"
    assert maps[0].source == nav.lesson_map_block("", NOTEBOOKS_DIR), \
        f"notebooks/{nav.CONTENTS}: the lesson map is out of date; run `python -m iraqtalks nav`"
    for lesson in nav.lessons():
        assert f"]({lesson.name})" in maps[0].source


def test_nav_is_idempotent(tmp_path):
    """Running nav on an up-to-date copy changes nothing."""
    for p in NOTEBOOKS:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    readme = tmp_path / "README.md"
    readme.write_bytes((ROOT / "README.md").read_bytes())
    lessons = nav.lessons(tmp_path)
    assert not [p.name for p in lessons if nav.update_notebook(p.path, lessons)]
    assert not nav.update_readme(readme, tmp_path)


@each
def test_one_setup_cell_first(path):
    nb = _read(path)
    marks = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "Just run this cell" in c.source]
    assert len(marks) == 1, (f"notebooks/{path.name}: expected one markdown cell saying 'Just run this cell; "
                             f"don't change it.' before the setup cell, found {len(marks)}")
    i = marks[0]
    first_code = next(j for j, c in enumerate(nb.cells) if c.cell_type == "code")
    assert first_code == i + 1, f"{_where(path, i + 1)}: the setup cell must be the first code cell, right after its note"
    later = [j for j, c in enumerate(nb.cells) if c.cell_type == "code" and j > first_code and _IMPORT.search(c.source)]
    assert not later, f"notebooks/{path.name}: imports belong in the setup cell only; found imports in cells {later}"


@each
def test_code_cells_are_small(path):
    nb = _read(path)
    sizes = [(_lines(c.source), i) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert sizes, f"notebooks/{path.name} has no code cells"
    big = [f"cell {i}: {n} lines" for n, i in sizes if n > MAX_LINES]
    assert not big, f"notebooks/{path.name}: code cells over {MAX_LINES} lines: {big}"
    median = statistics.median(n for n, _ in sizes)
    assert median <= MAX_MEDIAN, f"notebooks/{path.name}: median code cell is {median} lines; keep it at most {MAX_MEDIAN}"


@each
def test_no_trailing_semicolons(path):
    nb = _read(path)
    bad = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
           and any(line.split("#")[0].rstrip().endswith(";") for line in c.source.splitlines())]
    assert not bad, (f"notebooks/{path.name}: cells {bad} end a line with ';' (nbval shows the output anyway); "
                     "write `_ = ...` or end a plotting cell with plt.show()")


@each
def test_executed_in_order_with_outputs(path):
    nb = _read(path)
    code = _code(nb)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"notebooks/{path.name}: execution counts are {counts}; run the whole notebook from a fresh kernel "
        "(jupyter nbconvert --to notebook --execute --inplace) before committing")
    assert any(c.outputs for c in code), f"notebooks/{path.name}: committed without outputs"
    for i, c in enumerate(nb.cells):
        for out in c.get("outputs", []):
            assert out.output_type != "error", f"{_where(path, i)}: the committed output is an error ({out.get('ename')})"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"{_where(path, i)}: writes to stderr (a warning?): {out.text[:200]!r}")


@each
def test_outputs_are_deterministic(path):
    nb = _read(path)
    for i, c in enumerate(nb.cells):
        for out in c.get("outputs", []):
            for text in _texts(out):
                text = "".join(text) if isinstance(text, list) else text
                for rx, what in _NONDETERMINISTIC:
                    m = rx.search(text)
                    assert not m, (f"{_where(path, i)}: the output shows {what} ({m.group(0)!r}), which differs from "
                                   "machine to machine; show paths relative to the kit's root")


def _all_notebooks() -> list[Path]:
    return sorted([*NOTEBOOKS_DIR.glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb"),
                   *(ROOT / "exercises" / "solutions").glob("*.ipynb")])


@pytest.mark.parametrize("path", _all_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_run_timestamps_in_cell_metadata(path):
    """Re-executing with nbconvert records when each cell ran (metadata.execution); committed, that changes every
    cell on every run and hides the real changes in review: delete it from each cell before committing."""
    timed = [c.get("id", i) for i, c in enumerate(_read(path).cells) if "execution" in c.get("metadata", {})]
    assert not timed, f"{path.relative_to(ROOT)}: cells {timed[:5]} carry run timestamps (metadata.execution)"


@each
def test_widgets_tagged_and_followed_by_static_view(path):
    nb = _read(path)
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or not any(WIDGET_MIME in o.get("data", {}) for o in c.outputs):
            continue
        assert IGNORE_TAG in _tags(c), f"{_where(path, i)}: a widget cell must be tagged '{IGNORE_TAG}'"
        following = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"), None)
        assert following is not None, f"{_where(path, i)}: the widget needs a static view after it"
        shown = {k for o in nb.cells[following].outputs for k in o.get("data", {})}
        assert shown & {"image/png", "text/html"}, (
            f"{_where(path, following)}: the cell after a widget must show its static view (a figure or a table)")


@each
def test_figures_are_described(path):
    nb = _read(path)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and any("image/png" in o.get("data", {}) for o in c.outputs):
            assert i + 1 < len(nb.cells) and nb.cells[i + 1].cell_type == "markdown", (
                f"{_where(path, i)}: a figure must be followed by a markdown cell that describes it in words")


@each
def test_setup_cell_makes_figures_show_under_any_backend(path):
    """`./kit test` exports MPLBACKEND=Agg; the setup cell must choose the inline backend (lesson_setup() does)
    so that any pyplot figure a learner adds shows up, and it must set the kit's fonts for Vietnamese text."""
    setup = _code(_read(path))[0].source
    assert "lesson_setup()" in setup or "%matplotlib inline" in setup, (
        f"notebooks/{path.name}: call lesson_setup() (or %matplotlib inline) in the setup cell")


@each
def test_has_try_it(path):
    nb = _read(path)
    assert any(c.cell_type == "markdown" and c.source.lstrip().startswith("> **Try it**") for c in nb.cells), \
        f"notebooks/{path.name}: add at least one '> **Try it** ...' cell that invites a change and says what to expect"


# --- the nav script and the lesson helpers themselves ------------------------------------------------


def _mini_lesson(folder: Path, name: str, title: str, with_nav: bool = False) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n**Objectives**\n\n- First aim.\n- Second aim.\n- Third aim.\n\n"
        "**Time:** teaching: 5 min · exercises: 10 min\n\n**Assumes:** nothing."),
        nbformat.v4.new_code_cell("1 + 1")]
    if with_nav:
        for at in (0, len(nb.cells) + 1):
            cell = nbformat.v4.new_markdown_cell("old nav")
            cell.metadata["tags"] = ["nav"]
            nb.cells.insert(at, cell)
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_nav_inserts_rewrites_and_is_idempotent(tmp_path):
    a = _mini_lesson(tmp_path, "00-start-here.ipynb", "Start here")
    b = _mini_lesson(tmp_path, "01-second.ipynb", "Second lesson", with_nav=True)
    c = _mini_lesson(tmp_path, "02-third.ipynb", "Third lesson")
    lessons = nav.lessons(tmp_path)
    assert [lesson.title for lesson in lessons] == ["Start here", "Second lesson", "Third lesson"]
    assert lessons[1].objectives == ["First aim.", "Second aim.", "Third aim."]
    assert (lessons[1].teaching, lessons[1].exercises) == (5, 10)
    assert all(nav.update_notebook(p, lessons) for p in (a, b, c))
    assert not any(nav.update_notebook(p, lessons) for p in (a, b, c))
    nb = _read(b)
    assert len(nb.cells) == 4 and nb.cells[0].source == nb.cells[-1].source
    assert nb.cells[0].source.endswith(
        "< [Start here](00-start-here.ipynb) | [Contents](00-start-here.ipynb) | [Third lesson](02-third.ipynb) >")
    assert "< [" not in _read(a).cells[0].source and " >" not in _read(c).cells[0].source


def test_nav_readme_markers_added_once_and_only_the_section_changes(tmp_path):
    _mini_lesson(tmp_path, "00-start-here.ipynb", "Start here")
    readme = tmp_path / "README.md"
    readme.write_text("# Kit\n\nIntro.\n", encoding="utf-8")
    assert nav.update_readme(readme, tmp_path)
    first = readme.read_text(encoding="utf-8")
    assert first.startswith("# Kit\n\nIntro.\n") and first.count(nav.MAP_START) == 1
    assert "| [00-start-here](notebooks/00-start-here.ipynb) | Start here | First aim; Second aim; Third aim |" in first
    assert not nav.update_readme(readme, tmp_path)
    readme.write_text(first.replace(nav.MAP_END, "stale\n" + nav.MAP_END) + "\nTail.\n", encoding="utf-8")
    assert nav.update_readme(readme, tmp_path)
    assert readme.read_text(encoding="utf-8") == first + "\nTail.\n"


def test_nav_errors_are_clear(tmp_path):
    bad = tmp_path / "00-start-here.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("No title here")]
    nbformat.write(nb, bad)
    with pytest.raises(nav.NavError, match="no title"):
        nav.read_lesson(bad)
    readme = tmp_path / "README.md"
    readme.write_text(f"{nav.MAP_END}\n{nav.MAP_START}\n", encoding="utf-8")
    _mini_lesson(tmp_path, "00-start-here.ipynb", "Start here")
    with pytest.raises(nav.NavError, match="markers"):
        nav.update_readme(readme, tmp_path)


def test_lesson_helper_docstring_examples():
    import doctest

    from iraqtalks.authoring import nav as nav_module
    from iraqtalks.teaching import lessons, lessons_lags, lessons_readings, lessons_tables

    for module in (lessons, lessons_tables, lessons_readings, lessons_lags, nav_module):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, f"{module.__name__}: {result.failed} docstring example(s) failed"
