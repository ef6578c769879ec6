"""Navigation cells and the lesson map, generated from the lesson notebooks themselves.

``python -m iraqtalks nav`` (this module's :func:`main`) does three things, and is idempotent:

1. In every lesson ``notebooks/NN-slug.ipynb`` it writes the first and the last cell, a markdown cell
   tagged ``nav``::

       < [Meet the sources](01-meet-the-sources.ipynb) | [Contents](00-start-here.ipynb) | [The timeline](03-the-timeline.ipynb) >

   (inserting them if the notebook has none yet);
2. in ``00-start-here.ipynb`` it rewrites the markdown cell tagged ``lesson-map`` with the lesson map;
3. in the kit's ``README.md`` it rewrites the lesson map between ``<!-- lesson-map:start -->`` and
   ``<!-- lesson-map:end -->`` (adding the markers at the end of the file if they are missing).

Everything is read from the notebooks' opening cell, which follows the kit's Carpentries-style layout::

    # Meet the sources                      <- the title: the first '# ' heading
    **Questions** ...
    **Objectives**                          <- a line naming the objectives, then a bullet list
    - Name the outlet of each article ...
    **Time:** teaching: 20 min · exercises: 15 min
    **Assumes:** ...

Nothing else in a notebook or in README.md is touched, and a file is only written when its
generated parts change.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..data.paths import NOTEBOOKS_DIR, ROOT

__all__ = [
    "Lesson",
    "NavError",
    "NAV_TAG",
    "MAP_TAG",
    "MAP_START",
    "MAP_END",
    "CONTENTS",
    "lesson_files",
    "read_lesson",
    "lessons",
    "nav_markdown",
    "lesson_map_markdown",
    "lesson_map_block",
    "update_notebook",
    "readme_section",
    "update_readme",
    "main",
]

NAV_TAG = "nav"
MAP_TAG = "lesson-map"
MAP_START = "<!-- lesson-map:start -->"
MAP_END = "<!-- lesson-map:end -->"
CONTENTS = "00-start-here.ipynb"
NAV_MARKER = "<!--NAVIGATION-->"
LESSON_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$")

_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_OBJECTIVES = re.compile(r"^\s*(?:#+\s*|\*\*|__)?\s*(?:learning\s+)?objectives\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_TEACHING = re.compile(r"teaching:?\s*(\d+)\s*min", re.IGNORECASE)
_EXERCISES = re.compile(r"exercises:?\s*(\d+)\s*min", re.IGNORECASE)


class NavError(ValueError):
    """A lesson notebook lacks what the navigation and the lesson map are built from."""


@dataclass
class Lesson:
    """What the navigation and the lesson map need to know about one lesson notebook."""

    path: Path
    number: str
    slug: str
    title: str
    objectives: list[str] = field(default_factory=list)
    teaching: int | None = None
    exercises: int | None = None

    @property
    def name(self) -> str:
        """The file name, e.g. ``01-meet-the-sources.ipynb``."""
        return self.path.name

    @property
    def time(self) -> str:
        """'teaching 20 min, exercises 15 min' (the parts the notebook states)."""
        parts = []
        if self.teaching is not None:
            parts.append(f"teaching {self.teaching} min")
        if self.exercises is not None:
            parts.append(f"exercises {self.exercises} min")
        return ", ".join(parts)


def _is_nav(cell) -> bool:
    return NAV_TAG in cell.get("metadata", {}).get("tags", [])


def _strip_inline(text: str) -> str:
    """A markdown title or objective as plain one-line text (links and emphasis kept readable)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def lesson_files(folder: str | Path | None = None) -> list[Path]:
    """The lesson notebooks (``NN-slug.ipynb``) in `folder` (default: the kit's notebooks/), in order."""
    folder = Path(folder) if folder is not None else NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("*.ipynb") if LESSON_NAME.match(p.name))


def read_lesson(path: str | Path, nb=None) -> Lesson:
    """The title, objectives and time estimate of one lesson notebook, from its opening cells.

    The opening is every markdown cell before the first code cell, nav cells left out.  Raises
    NavError naming the file and what is missing when there is no title.
    """
    path = Path(path)
    m = LESSON_NAME.match(path.name)
    if not m:
        raise NavError(f"{path.name}: a lesson notebook is named NN-slug.ipynb (two digits, a dash, "
                       "lower-case words joined by dashes)")
    nb = nb if nb is not None else nbformat.read(path, as_version=4)
    opening = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            break
        if cell.cell_type == "markdown" and not _is_nav(cell):
            opening.append(cell.source)
    text = "\n\n".join(opening)
    title = _TITLE.search(text)
    if not title:
        raise NavError(f"notebooks/{path.name}: no title; the first markdown cell after the nav cell "
                       "should start with a '# Title' heading")
    objectives: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _OBJECTIVES.match(line):
            for nxt in lines[i + 1:]:
                b = _BULLET.match(nxt)
                if b:
                    objectives.append(_strip_inline(b.group(1)))
                elif nxt.strip() and objectives:
                    break
                elif nxt.strip() and not objectives and not nxt.strip().startswith(">"):
                    break
            break
    teaching = _TEACHING.search(text)
    exercises = _EXERCISES.search(text)
    return Lesson(path, m.group(1), m.group(2), _strip_inline(title.group(1)), objectives,
                  int(teaching.group(1)) if teaching else None, int(exercises.group(1)) if exercises else None)


def lessons(folder: str | Path | None = None) -> list[Lesson]:
    """Every lesson notebook in `folder` (default: the kit's notebooks/), read with :func:`read_lesson`."""
    return [read_lesson(p) for p in lesson_files(folder)]


def _link(lesson: Lesson) -> str:
    return f"[{lesson.title}]({lesson.name})"


def nav_markdown(all_lessons: list[Lesson], index: int) -> str:
    """The nav cell of lesson number `index` in `all_lessons`: ``< previous | contents | next >``.

    The first lesson has no '< previous', the last no 'next >'.  'Contents' is 00-start-here.ipynb.
    """
    parts = []
    if index > 0:
        parts.append("< " + _link(all_lessons[index - 1]))
    parts.append(f"[Contents]({CONTENTS})")
    if index < len(all_lessons) - 1:
        parts.append(_link(all_lessons[index + 1]) + " >")
    lesson = all_lessons[index]
    where = ("contents and lesson map" if lesson.name == CONTENTS
             else f"lesson {lesson.number} of {all_lessons[-1].number}")
    return (f"{NAV_MARKER}\n*The 2024 Iraq–US talks: a news- and data-literacy kit* · {where}\n\n"
            + " | ".join(parts))


def _cell_text(text: str) -> str:
    return " ".join(str(text).replace("|", "\\|").split())


def lesson_map_markdown(link_base: str = "notebooks/", folder: str | Path | None = None) -> str:
    """The lesson map as a markdown table: notebook, title, objectives (one line), time.

    `link_base` is put before each notebook's file name in its link: ``notebooks/`` from the kit's
    README.md, ``""`` from inside notebooks/.
    """
    rows = ["| notebook | title | objectives | time |", "| --- | --- | --- | --- |"]
    for lesson in lessons(folder):
        objectives = "; ".join(o.rstrip(".") for o in lesson.objectives)
        rows.append(f"| [{lesson.path.stem}]({link_base}{lesson.name}) | {_cell_text(lesson.title)} | "
                    f"{_cell_text(objectives)} | {lesson.time} |")
    return "\n".join(rows)


def lesson_map_block(link_base: str = "", folder: str | Path | None = None) -> str:
    """The generated lesson-map block: a one-line notice and the table (for 00-start-here and README.md)."""
    return ("_Generated from the notebooks by `python -m iraqtalks nav`; edit the notebooks, not this table._\n\n"
            + lesson_map_markdown(link_base, folder))


def _new_markdown(source: str, tag: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["tags"] = [tag]
    cell["id"] = cell_id
    return cell


def update_notebook(path: str | Path, all_lessons: list[Lesson] | None = None,
                    folder: str | Path | None = None) -> bool:
    """Rewrite (or insert) the nav cells of one lesson, and its lesson-map cell if it has one.

    Returns True if the file changed.  Outputs, metadata and all other cells stay as they are.
    """
    path = Path(path)
    all_lessons = all_lessons if all_lessons is not None else lessons(folder if folder is not None else path.parent)
    names = [lesson.name for lesson in all_lessons]
    if path.name not in names:
        raise NavError(f"{path.name}: not among the lesson notebooks ({', '.join(names)})")
    nb = nbformat.read(path, as_version=4)
    text = nav_markdown(all_lessons, names.index(path.name))
    changed = False
    cells = nb.cells
    if cells and _is_nav(cells[0]):
        if cells[0].source != text:
            cells[0].source, changed = text, True
    else:
        cells.insert(0, _new_markdown(text, NAV_TAG, "nav-top"))
        changed = True
    if len(cells) > 1 and _is_nav(cells[-1]):
        if cells[-1].source != text:
            cells[-1].source, changed = text, True
    else:
        cells.append(_new_markdown(text, NAV_TAG, "nav-bottom"))
        changed = True
    for cell in cells:
        if cell.cell_type == "markdown" and MAP_TAG in cell.get("metadata", {}).get("tags", []):
            block = lesson_map_block("", path.parent)
            if cell.source != block:
                cell.source, changed = block, True
    if changed:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return changed


def readme_section(folder: str | Path | None = None) -> str:
    """The README's lesson-map section, markers included."""
    return f"{MAP_START}\n{lesson_map_block('notebooks/', folder)}\n{MAP_END}"


def update_readme(readme: str | Path | None = None, folder: str | Path | None = None) -> bool:
    """Rewrite the lesson map between the markers in README.md; add the markers at the end if missing.

    Returns True if the file changed.  Nothing outside the markers is touched.
    """
    readme = Path(readme) if readme is not None else ROOT / "README.md"
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    section = readme_section(folder)
    start, end = old.find(MAP_START), old.find(MAP_END)
    if (start < 0) != (end < 0) or (start >= 0 and end < start):
        raise NavError(f"{readme.name}: the lesson-map markers must come as a pair, '{MAP_START}' before "
                       f"'{MAP_END}'; fix or remove them and run `python -m iraqtalks nav` again")
    if start >= 0:
        new = old[:start] + section + old[end + len(MAP_END):]
    else:
        sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
        new = f"{old}{sep}## Lessons\n\n{section}\n"
    if new != old:
        readme.write_text(new, encoding="utf-8", newline="\n")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """``python -m iraqtalks nav``: rewrite every lesson's nav cells, 00's lesson map and README's."""
    try:
        all_lessons = lessons()
        if not all_lessons:
            print(f"nav: no lesson notebooks (NN-slug.ipynb) in {NOTEBOOKS_DIR.relative_to(ROOT)}/", file=sys.stderr)
            return 1
        changed = [lesson.name for lesson in all_lessons if update_notebook(lesson.path, all_lessons)]
        if update_readme():
            changed.append("README.md")
    except NavError as exc:
        print(f"nav: {exc}", file=sys.stderr)
        return 1
    print(f"nav: {len(all_lessons)} lessons; " + (f"updated {', '.join(changed)}" if changed else "nothing to change"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
