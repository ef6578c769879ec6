"""The teacher's materials: the guide (teachers/README.md) and the glossary (teachers/glossary.md).

What is checked, and why:

- both files exist and are Unicode NFC (so a Vietnamese term found by Ctrl-F in a seed is found here);
- the guide has one section per lesson 00-07, titled like the lesson notebook's first heading, each
  with its time, objectives (those of the notebook), a minute-by-minute plan that adds up to the
  lesson's time (teaching + exercises, as the notebook states it), three or more discussion
  prompts, common misconceptions and where the answers are (every question id of the solution
  notebook, none that is not there);
- the capstone rubric is a criteria x levels table with the seven criteria and no empty cell;
- the guide explains running the kit locally, on Binder, on a JupyterHub with nbgitpuller, offline,
  accessibly, and how to adapt it to another story;
- every `(table: key)` reference in either file names a row that exists in data/, and the facts
  next to a cited number or a cited day-precise event agree with that row;
- every Vietnamese glossary term occurs in a seed (as printed, or once the words a004 hides behind
  dots are restored with iraqtalks.text.clean.restore_obfuscation), in every article the entry lists and
  in no article's clean text that it leaves out; a term that is a row of framing_terms or
  actor_names cites such a row, and every such row it cites contains the term.

Every checker returns a list of problems; the tests at the end feed each checker broken input to
show that it does fail.

Run: .venv/bin/pytest -p no:cacheprovider tests/test_teacher_materials.py
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from iraqtalks.text.clean import restore_obfuscation

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = ROOT / "seeds"
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
GUIDE = ROOT / "teachers" / "README.md"
GLOSSARY = ROOT / "teachers" / "glossary.md"

LESSONS = {
    "00": "start-here",
    "01": "meet-the-sources",
    "02": "from-article-to-table",
    "03": "the-timeline",
    "04": "whos-who",
    "05": "numbers-in-the-news",
    "06": "comparing-sources",
    "07": "capstone",
    "08": "going-upstream",
}
LESSON_SUBSECTIONS = ("Objectives", "Plan", "Discussion prompts", "Common misconceptions", "Where the answers are")
RUBRIC_CRITERIA = {
    "evidence": "evidence for every claim",
    "date": "dates with their precision",
    "number": "numbers with their qualifiers and what they count",
    "attribution": "attribution named back to the agency",
    "disagreement": "disagreement acknowledged",
    "bilingual": "bilingual quotes",
    "clarity": "clarity",
}
# The glossary's nine themes, in order, and the terms the brief asks for (each must have an entry).
GLOSSARY_THEMES = (
    "The actors and their names",
    "The coalition and foreign forces",
    "Armed groups",
    "The Islamic State (IS)",
    "The talks",
    "The violence",
    "Hedges and number words",
    "Dates and time words",
    "Sourcing, credits and reporting verbs",
)
REQUIRED_TERMS = (
    "liên quân", "liên minh", "liên minh chống IS", "dân quân", "nhóm vũ trang", "thân Iran",
    "được Iran hậu thuẫn", "tay súng", "phe phái cứng rắn", "tự xưng", "khủng bố", "cực đoan",
    "phiến quân", "đàm phán", "đối thoại", "vòng đàm phán", "nối lại", "tạm dừng", "chấm dứt sứ mệnh",
    "rút quân", "hiện diện", "tấn công", "không kích", "tập kích", "trả đũa", "thiệt mạng", "sát hại",
    "tử nạn", "giết chết", "khoảng", "hơn", "ít nhất", "chưa đầy", "gần", "hàng trăm", "hàng chục", "ba",
    "ngày 8.2", "28/1", "cuối tháng 1", "năm ngoái", "ngày hôm sau", "theo", "giấu tên", "phóng viên TTXVN",
    "Ảnh:", "Biếm họa:", "Nguồn:",
)
GLOSSARY_COLUMNS = ("Vietnamese", "Literal", "Usual English", "Connotation and usage", "Articles", "In the data")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


# --------------------------------------------------------------------------------------------
# Reading the files
# --------------------------------------------------------------------------------------------

def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def package() -> dict:
    return json.loads(read(DATA / "datapackage.json"))


@cache
def table_keys(table: str) -> tuple[tuple[str, ...], frozenset]:
    """(primary-key columns, set of key tuples) of one table, read straight from its CSV."""
    res = next(r for r in package()["resources"] if r["name"] == table)
    pk = res["schema"]["primaryKey"]
    cols = (pk,) if isinstance(pk, str) else tuple(pk)
    with open(DATA / res["path"], encoding="utf-8", newline="") as fh:
        keys = frozenset(tuple(row[c] for c in cols) for row in csv.DictReader(fh))
    return cols, keys


@cache
def rows_by_key(table: str) -> dict[tuple[str, ...], dict]:
    res = next(r for r in package()["resources"] if r["name"] == table)
    cols = table_keys(table)[0]
    with open(DATA / res["path"], encoding="utf-8", newline="") as fh:
        return {tuple(row[c] for c in cols): row for row in csv.DictReader(fh)}


def table_names() -> set[str]:
    return {r["name"] for r in package()["resources"]}


@cache
def seed_texts() -> dict[str, tuple[str, str]]:
    """article_id -> (raw seed, raw seed with the dot-hidden words restored)."""
    out = {}
    with open(DATA / "articles.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            raw = read(SEEDS / row["seed_file"])
            out[row["article_id"]] = (raw, restore_obfuscation(raw)[0])
    return out


@cache
def clean_texts() -> dict[str, str]:
    """article_id -> the clean text (data/clean/aNNN.txt: page furniture removed, words restored)."""
    return {aid: read(DATA / "clean" / f"{aid}.txt") for aid in seed_texts()}


def occurs(term: str, text: str) -> bool:
    """`term` occurs in `text` as whole words, ignoring case.

    A capitalised term also counts where a saved page ran it into the word before
    ('Thời sự quốc tếThứ Năm': the section name glued to the date line in a000).
    """
    pattern = r"(?<!\w)" + re.escape(term.casefold()) + r"(?!\w)"
    if re.search(pattern, text.casefold()):
        return True
    if term[:1].isupper():
        return any(text[m.start() - 1].islower() for m in re.finditer(re.escape(term) + r"(?!\w)", text) if m.start())
    return False


def notebook_opening(path: Path) -> str:
    """The markdown cells before the first code cell, nav cells left out (as iraqtalks.authoring.nav reads them)."""
    nb = json.loads(read(path))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            break
        if cell["cell_type"] == "markdown" and "nav" not in cell.get("metadata", {}).get("tags", []):
            src = cell["source"]
            parts.append(src if isinstance(src, str) else "".join(src))
    return "\n\n".join(parts)


def plain(text: str) -> str:
    """Markdown inline text as comparable plain text: links, emphasis and code marks removed, spaces folded."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", text)
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold().rstrip(".")


def notebook_lesson(number: str) -> dict | None:
    """Title, objectives and minutes (teaching + exercises) of notebooks/NN-slug.ipynb, or None if absent."""
    path = NOTEBOOKS / f"{number}-{LESSONS[number]}.ipynb"
    if not path.is_file():
        return None
    text = notebook_opening(path)
    title = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    objectives, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*(?:#+\s*|\*\*|__)?\s*(?:learning\s+)?objectives\b", line, re.IGNORECASE):
            for nxt in lines[i + 1:]:
                b = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$", nxt)
                if b:
                    objectives.append(b.group(1))
                elif nxt.strip() and objectives:
                    break
            break
    teaching = re.search(r"teaching:?\s*(\d+)\s*min", text, re.IGNORECASE)
    exercises = re.search(r"exercises:?\s*(\d+)\s*min", text, re.IGNORECASE)
    minutes = None
    if teaching or exercises:
        minutes = (int(teaching.group(1)) if teaching else 0) + (int(exercises.group(1)) if exercises else 0)
    return {"path": path, "title": title.group(1) if title else None, "objectives": objectives, "minutes": minutes}


def solution_qids(number: str) -> list[str] | None:
    """The question ids of exercises/solutions/NN-slug.ipynb (from its check cells), or None if absent."""
    path = SOLUTIONS / f"{number}-{LESSONS[number]}.ipynb"
    if not path.is_file():
        return None
    nb = json.loads(read(path))
    ids = []
    for cell in nb["cells"]:
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code":
            ids += re.findall(r"""\bcheck\(\s*["']([^"']+)["']""", src)
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------------------------
# Markdown structure
# --------------------------------------------------------------------------------------------

def sections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading, body) for every heading of exactly `level` '#'s, the body running to the next such heading or a higher one."""
    marks = "#" * level
    out, current, body = [], None, []
    for line in text.splitlines():
        m = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if m and len(m.group(1)) <= level:
            if current is not None:
                out.append((current, "\n".join(body)))
            current, body = (m.group(2), []) if m.group(1) == marks else (None, [])
            continue
        if current is not None:
            body.append(line)
    if current is not None:
        out.append((current, "\n".join(body)))
    return out


def table_rows(text: str) -> list[list[str]]:
    """The rows of the Markdown tables in `text` (header rows included, separator rows left out), as cells."""
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if not (s.startswith("|") and s.endswith("|")):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", s[1:-1])]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def guide_lessons(text: str) -> dict[str, tuple[str, str]]:
    """Lesson number -> (title, section body) for every '## Lesson NN · Title' section of the guide."""
    out = {}
    for heading, body in sections(text, 2):
        m = re.match(r"^Lesson (\d{2})\s*[·:—–-]\s*(.+)$", heading)
        if m:
            out[m.group(1)] = (m.group(2).strip(), body)
    return out


# --------------------------------------------------------------------------------------------
# Checkers: each returns a list of problems (empty = fine)
# --------------------------------------------------------------------------------------------

def find_citations(text: str) -> list[tuple[int, str, str, str]]:
    """(line number, table, key text, context) for every '(table: key)' reference.

    The key may hold balanced parentheses (a framing term such as '... (IS)'). The context is the
    Markdown table row the reference is in, else its list item, else its paragraph (the run of
    non-blank lines).
    """
    text = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), text)   # code spans are not references
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    out = []
    for m in re.finditer(r"\(([a-z][a-z_]*):\s+", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        key = " ".join((text[m.end():i - 1] if depth == 0 else text[m.end():]).split())
        n = next(k for k in range(len(lines)) if starts[k + 1] > m.start())
        item = re.compile(r"^\s*(?:[-*]|\d+\.)\s")
        if lines[n].lstrip().startswith("|"):
            context = lines[n]
        else:
            a = n
            while a > 0 and lines[a - 1].strip() and not item.match(lines[a]):
                a -= 1
            b = n
            while b + 1 < len(lines) and lines[b + 1].strip() and not item.match(lines[b + 1]):
                b += 1
            context = " ".join(lines[a:b + 1])
        out.append((n + 1, m.group(1), key, context))
    return out


def _formats(value: float) -> set[str]:
    n = int(value) if float(value).is_integer() else value
    return {str(n), f"{n:,}" if isinstance(n, int) else str(n)}


def _day_forms(iso: str) -> set[str]:
    y, mo, d = (int(x) for x in iso.split("-"))
    month = MONTHS[mo - 1]
    return {iso, f"{d} {month}", f"{month} {d}", f"{d}/{mo}", f"{d}.{mo}"}


def check_citations(text: str, label: str) -> list[str]:
    """Every reference names an existing row; a cited number's value, or a cited day-precise event's date, is in its context."""
    problems = []
    names = table_names()
    for line, table, key, context in find_citations(text):
        where = f"{label} line {line}: ({table}: {key})"
        if table not in names:
            problems.append(f"{where}: there is no table {table!r} (expected one of {', '.join(sorted(names))})")
            continue
        cols, keys = table_keys(table)
        parts = tuple(p.strip() for p in key.split(" / ")) if len(cols) > 1 else (key.strip(),)
        if 0 < len(parts) < len(cols):  # a key given in part, from its first column on, must name one row
            whole = [k for k in keys if k[:len(parts)] == parts]
            if len(whole) == 1:
                parts = whole[0]
            else:
                problems.append(f"{where}: the key of {table} has {len(cols)} parts ({' / '.join(cols)}); "
                                f"the {len(parts)} given name {len(whole)} rows, expected exactly one")
                continue
        if len(parts) != len(cols):
            problems.append(f"{where}: the key of {table} has {len(cols)} parts ({' / '.join(cols)}), found {len(parts)}")
            continue
        if parts not in keys:
            problems.append(f"{where}: no such row in data/{table}.csv")
            continue
        row = rows_by_key(table)[parts]
        ctx = context.casefold()
        if table == "numbers":
            wanted = {row["value_as_written"]} | (_formats(float(row["value"])) if row["value"] else set())
            if not any(w.casefold() in ctx for w in wanted):
                problems.append(f"{where}: the text next to it should give the number ({' or '.join(sorted(wanted))})")
        if table == "events" and row["date_precision"] == "day":
            forms = _day_forms(row["date_start"])
            if not any(re.search(r"(?<![\w.])" + re.escape(f.casefold()) + r"(?![\w])", ctx) for f in forms):
                problems.append(f"{where}: the event is dated {row['date_start']} to the day; the text next to "
                                f"it should give that date (e.g. '{sorted(forms)[0]}')")
    return problems


def glossary_entries(text: str) -> list[dict]:
    """Every entry row of the glossary's tables, as a dict by column name, with its theme and line."""
    entries = []
    for theme, body in sections(text, 2):
        theme = re.sub(r"^\d+\.\s*", "", theme)
        rows = table_rows(body)
        if not rows:
            continue
        header = rows[0]
        for cells in rows[1:]:
            entry = dict(zip(header, cells))
            entry["_theme"] = theme
            entry["_cells"] = cells
            entries.append(entry)
    return entries


def check_glossary_entry(entry: dict) -> list[str]:
    """One entry: all cells filled; the term in the seeds, in each listed article and in no clean text left out; framing/actor rows cited and containing the term."""
    term = entry.get("Vietnamese", "")
    where = f"glossary entry {term!r} ({entry.get('_theme', '?')})"
    problems = []
    if len(entry["_cells"]) != len(GLOSSARY_COLUMNS) or any(not c for c in entry["_cells"][:5]):
        return [f"{where}: expected {len(GLOSSARY_COLUMNS)} cells ({', '.join(GLOSSARY_COLUMNS)}), the first five filled"]
    if unicodedata.normalize("NFC", term) != term:
        problems.append(f"{where}: not NFC")
    seeds = seed_texts()
    if not any(occurs(term, raw) or occurs(term, restored) for raw, restored in seeds.values()):
        problems.append(f"{where}: occurs in no seed (neither as printed nor with dot-hidden words restored)")
    listed_cell = re.sub(r"\([^()]*\)", "", entry["Articles"])
    listed = re.findall(r"\ba\d{3}\b", listed_cell)
    if not listed:
        problems.append(f"{where}: the Articles column lists no article")
    for aid in listed:
        if aid not in seeds:
            problems.append(f"{where}: lists {aid}, which is not an article")
        elif not (occurs(term, seeds[aid][0]) or occurs(term, seeds[aid][1])):
            problems.append(f"{where}: lists {aid}, but the term is not in that seed")
    for aid, clean in clean_texts().items():
        if aid not in listed and occurs(term, clean):
            problems.append(f"{where}: occurs in the clean text of {aid}, which the Articles column leaves out")
    cited = find_citations(entry["In the data"])
    restored_term = restore_obfuscation(term)[0].casefold()
    for table, column in (("framing_terms", "term_vi"), ("actor_names", "name_as_written")):
        rows = rows_by_key(table)
        exact = [k for k, r in rows.items() if restore_obfuscation(r[column])[0].casefold() == restored_term]
        mine = [key for _, t, key, _ in cited if t == table]
        if exact and not mine:
            problems.append(f"{where}: is a row of {table} ({' / '.join(exact[0])}); cite it as ({table}: ...)")
        for key in mine:
            parts = tuple(p.strip() for p in key.split(" / "))
            if parts in rows and restored_term not in restore_obfuscation(rows[parts][column])[0].casefold():
                problems.append(f"{where}: cites ({table}: {key}), whose {column} does not contain the term")
    return problems


def check_plan(body: str, minutes: int) -> list[str]:
    """The plan table's blocks run from 0 to `minutes` without gaps or overlaps."""
    rows = table_rows(body)
    blocks = []
    for cells in rows:
        m = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", cells[0])
        if m:
            blocks.append((int(m.group(1)), int(m.group(2))))
    if not blocks:
        return ["the plan has no 'start–end' minute blocks"]
    problems = []
    expected = 0
    for start, end in blocks:
        if start != expected:
            problems.append(f"block {start}–{end} starts at minute {start}, expected {expected}")
        if end <= start:
            problems.append(f"block {start}–{end} ends before it starts")
        expected = end
    if expected != minutes:
        problems.append(f"the blocks end at minute {expected}, but the lesson takes {minutes} minutes")
    return problems


def list_items(body: str, numbered: bool) -> list[str]:
    pattern = r"^\d+\.\s+\S" if numbered else r"^[-*]\s+\S"
    return [line for line in body.splitlines() if re.match(pattern, line)]


def check_lesson_section(number: str, title: str, body: str) -> list[str]:
    where = f"guide, lesson {number}"
    problems = []
    subs = {h: b for h, b in sections(body, 3)}
    for name in LESSON_SUBSECTIONS:
        if not any(h.startswith(name) for h in subs):
            problems.append(f"{where}: no '### {name}' subsection")
    time = re.search(r"\*\*Time:\*\*\s*(\d+)\s*min", body)
    if not time:
        return problems + [f"{where}: no '**Time:** NN minutes' line"]
    minutes = int(time.group(1))
    get = lambda name: next((b for h, b in subs.items() if h.startswith(name)), "")  # noqa: E731
    problems += [f"{where}, plan: {p}" for p in check_plan(get("Plan"), minutes)]
    if len(list_items(get("Discussion prompts"), numbered=True)) < 3:
        problems.append(f"{where}: fewer than 3 numbered discussion prompts")
    if len(list_items(get("Common misconceptions"), numbered=False)) < 2:
        problems.append(f"{where}: fewer than 2 misconceptions (bullets)")
    if len(list_items(get("Objectives"), numbered=False)) < 2:
        problems.append(f"{where}: fewer than 2 objectives (bullets)")
    answers = get("Where the answers are")
    if number != "00":
        for path in (f"exercises/{number}-{LESSONS[number]}.ipynb", f"exercises/solutions/{number}-{LESSONS[number]}.ipynb"):
            if path not in answers:
                problems.append(f"{where}: 'Where the answers are' does not name {path}")
        if "./kit exercises" not in answers:
            problems.append(f"{where}: 'Where the answers are' does not say how to regenerate the student version (./kit exercises)")
    nb = notebook_lesson(number)
    if nb is not None:
        if nb["title"] is None:
            problems.append(f"{where}: notebooks/{nb['path'].name} has no '# ' heading to match")
        elif plain(title) != plain(nb["title"]):
            problems.append(f"{where}: title {title!r} differs from the notebook's first heading {nb['title']!r}")
        if nb["minutes"] is not None and nb["minutes"] != minutes:
            problems.append(f"{where}: {minutes} minutes, but the notebook says {nb['minutes']} (teaching + exercises)")
        mine = {plain(re.sub(r"^[-*]\s+", "", o)) for o in list_items(get("Objectives"), numbered=False)}
        for objective in nb["objectives"]:
            if plain(objective) not in mine:
                problems.append(f"{where}: the notebook's objective {objective!r} is not among the guide's objectives")
    qids = solution_qids(number) if number != "00" else None
    if qids is not None:
        named = set(re.findall(rf"\b{number}-q\d+[a-z]?\b", body))
        for q in qids:
            if q not in named:
                problems.append(f"{where}: question {q} of exercises/solutions/{number}-{LESSONS[number]}.ipynb is not in the guide")
        for q in sorted(named - set(qids)):
            problems.append(f"{where}: names question {q}, which exercises/solutions/{number}-{LESSONS[number]}.ipynb does not have")
    return problems


def check_rubric(text: str) -> list[str]:
    body = next((b for h, b in sections(text, 2) if h.lower().startswith("capstone rubric")), None)
    if body is None:
        return ["guide: no '## Capstone rubric' section"]
    rows = table_rows(body)
    if len(rows) < 2:
        return ["guide: the capstone rubric has no table"]
    header, criteria = rows[0], rows[1:]
    problems = []
    if len(header) < 4:
        problems.append(f"rubric: expected a criterion column and at least 3 level columns, found {len(header)} columns")
    for cells in criteria:
        if len(cells) != len(header) or any(not c for c in cells):
            problems.append(f"rubric: row {cells[0]!r} has empty or missing cells")
    firsts = " ".join(c[0].casefold() for c in criteria)
    for word, what in RUBRIC_CRITERIA.items():
        if word not in firsts:
            problems.append(f"rubric: no criterion about {what}")
    return problems


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------

def test_both_files_exist():
    assert GUIDE.is_file(), "teachers/README.md (the teacher guide) is missing"
    assert GLOSSARY.is_file(), "teachers/glossary.md is missing"


@pytest.mark.parametrize("path", [GUIDE, GLOSSARY], ids=["guide", "glossary"])
def test_files_are_nfc_utf8_without_placeholders(path):
    text = read(path)
    assert is_nfc(text), f"{path.name} is not Unicode NFC"
    assert "\ufeff" not in text, f"{path.name} has a byte-order mark"
    assert not re.search(r"\b(TODO|TBD|FIXME|XXX)\b|lorem ipsum", text, re.IGNORECASE), f"{path.name} has a placeholder"


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_guide_has_a_complete_section_per_lesson(number):
    found = guide_lessons(read(GUIDE))
    assert number in found, f"the guide has no '## Lesson {number} · Title' section"
    title, body = found[number]
    assert check_lesson_section(number, title, body) == []


def test_guide_lessons_are_in_order_and_their_minutes_add_up():
    text = read(GUIDE)
    found = guide_lessons(text)
    assert list(found) == sorted(LESSONS)
    minutes = {n: int(re.search(r"\*\*Time:\*\*\s*(\d+)", body).group(1)) for n, (_, body) in found.items()}
    total = sum(minutes.values())
    # Each lesson's stated time is held to the rule of thumb in iraqtalks/authoring/timing.py by
    # tests/test_objectives.py; here the guide's total must be their sum, and the class periods it names must fit it.
    assert 240 <= total <= 900, f"the lessons take {total} minutes in all; expected 4 to 15 hours"
    periods = re.search(r"about (\d+) class periods of (\d+) minutes", text)
    assert periods and abs(int(periods.group(1)) * int(periods.group(2)) - total) <= int(periods.group(2)), (
        f"the guide should say how many class periods {total} minutes make")
    stated = re.search(r"(\d+) minutes in all", text)
    assert stated and int(stated.group(1)) == total, f"the guide should say the lessons take {total} minutes in all"
    glance = next((b for h, b in sections(text, 2) if h == "The kit at a glance"), "")
    rows = {cells[0]: cells for cells in table_rows(glance) if re.fullmatch(r"\d{2}", cells[0])}
    assert sorted(rows) == sorted(LESSONS), "the table in 'The kit at a glance' needs one row per lesson"
    for n, cells in rows.items():
        assert plain(cells[1]) == plain(found[n][0]), f"lesson {n}: the overview table's title differs from the section's"
        assert re.match(rf"{minutes[n]}\b", cells[2]), f"lesson {n}: the overview table says {cells[2]!r}, the section {minutes[n]} minutes"


def test_guide_names_the_misconceptions_the_kit_warns_about():
    text = read(GUIDE)
    for needle in ("2.500", "8.2", "al-Sudani", "theo Reuters", "prior notice", "informed", "undated"):
        assert needle in text, f"the guide does not discuss the misconception about {needle!r}"


def test_capstone_rubric_is_a_complete_criteria_by_levels_table():
    assert check_rubric(read(GUIDE)) == []


def test_guide_explains_running_and_adapting_the_kit():
    text = read(GUIDE)
    for needle in (
        "./kit lab", "./kit test", "./kit exercises", "./kit check-data",
        "requirements.txt", "repo2docker",
        "https://mybinder.org/v2/gh/OWNER/REPO/HEAD?labpath=notebooks%2F00-start-here.ipynb",
        "https://HUB/hub/user-redirect/git-pull?repo=",
        "urlpath=lab/tree/REPO/notebooks/00-start-here.ipynb", "branch=main", "nbgitpuller",
        "Offline", "Accessibility", "colour-blind", "Adapting the kit to another story",
    ):
        assert needle.casefold() in text.casefold(), f"the guide does not mention {needle!r}"
    assert (ROOT / "requirements.txt").is_file(), "Binder (repo2docker) needs requirements.txt at the root"
    assert (ROOT / "notebooks" / "00-start-here.ipynb").is_file() or not NOTEBOOKS.is_dir() or not any(NOTEBOOKS.glob("*.ipynb")), \
        "the launch links open notebooks/00-start-here.ipynb, which is missing"


@pytest.mark.parametrize("path", [GUIDE, GLOSSARY], ids=["guide", "glossary"])
def test_every_cited_row_exists_and_agrees(path):
    text = read(path)
    cites = find_citations(text)
    assert len(cites) >= 30, f"{path.name} cites only {len(cites)} rows; every fact about the story needs its row"
    assert check_citations(text, path.name) == []


def test_glossary_has_the_nine_themes_in_order():
    themes = [re.sub(r"^\d+\.\s*", "", h) for h, _ in sections(read(GLOSSARY), 2)]
    assert [t for t in themes if t in GLOSSARY_THEMES] == list(GLOSSARY_THEMES)
    for theme in GLOSSARY_THEMES:
        n = sum(1 for e in glossary_entries(read(GLOSSARY)) if e["_theme"] == theme)
        assert n >= 5, f"glossary theme {theme!r} has only {n} entries"


def test_glossary_tables_have_the_six_columns():
    for theme, body in sections(read(GLOSSARY), 2):
        rows = table_rows(body)
        if rows:
            assert tuple(rows[0]) == GLOSSARY_COLUMNS, f"glossary theme {theme!r}: header {rows[0]}"


def test_glossary_has_every_term_the_brief_asks_for():
    terms = {unicodedata.normalize("NFC", e["Vietnamese"]).casefold() for e in glossary_entries(read(GLOSSARY))}
    missing = [t for t in REQUIRED_TERMS if t.casefold() not in terms]
    assert missing == [], f"glossary entries missing: {missing}"


def test_glossary_terms_are_unique():
    seen: dict[str, str] = {}
    for e in glossary_entries(read(GLOSSARY)):
        key = e["Vietnamese"].casefold()
        assert key not in seen, f"{e['Vietnamese']!r} is listed twice ({seen[key]} and {e['_theme']})"
        seen[key] = e["_theme"]


def test_every_glossary_term_occurs_in_the_seeds_where_it_says():
    entries = glossary_entries(read(GLOSSARY))
    assert len(entries) >= 80
    problems = [p for e in entries for p in check_glossary_entry(e)]
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------------------------
# The checkers can fail: each is fed broken input
# --------------------------------------------------------------------------------------------

def test_citation_checker_catches_missing_rows_unknown_tables_and_wrong_facts():
    good = "Iraq and the US held the first round of talks on 27 January (events: e2024-01-27-first-round)."
    assert check_citations(good, "t") == []
    assert check_citations("On 27 January (events: e2024-01-27-first-roundx).", "t")
    assert check_citations("On 27 January (event: e2024-01-27-first-round).", "t")
    assert check_citations("The first round was held on 28 January (events: e2024-01-27-first-round).", "t")
    assert check_citations("There are 2.5 thousand troops (numbers: n02).", "t")
    assert check_citations("Two thousand five hundred troops, 2,500 (numbers: n02).", "t") == []
    assert check_citations("(framing_terms: coalition / a001)", "t")
    assert check_citations("(framing_terms: islamic_state / a001 / tổ chức tự xưng Nhà nước Hồi giáo (IS))", "t") == []


def test_glossary_checker_catches_absent_terms_wrong_articles_and_missing_rows():
    def entry(term, articles, data=""):
        cells = [term, "lit", "usual", "note", articles, data]
        return dict(zip(GLOSSARY_COLUMNS, cells), _cells=cells, _theme="test")

    assert check_glossary_entry(entry("xe tăng", "a000"))                    # tank: in no article
    assert check_glossary_entry(entry("tử nạn", "a000"))                     # in a004, not a000
    assert check_glossary_entry(entry("tập kích", "a003"))                   # in framing_terms, row not cited
    assert check_glossary_entry(entry("tập kích", "a003", "(framing_terms: us_strikes / a003 / tập kích)")) == []
    assert check_glossary_entry(entry("đổ máu", "a004 (printed *đổ m.áu*)")) == []   # only dot-hidden in the seed
    assert check_glossary_entry(entry("đổ m.áu", "a004")) == []                      # as printed
    assert check_glossary_entry(entry("phiến quân", "a000", "(framing_terms: us_strikes / a003 / tập kích)"))
    assert check_glossary_entry(entry("khoảng", "a001"))                      # also in a004's clean text


def test_plan_rubric_and_nfc_checkers_can_fail():
    assert check_plan("| 0–5 | a |\n| 5–15 | b |", 15) == []
    assert check_plan("| 0–5 | a |\n| 6–15 | b |", 15)
    assert check_plan("| 0–5 | a |\n| 5–10 | b |", 15)
    assert check_rubric("## Capstone rubric\n\n| Criterion | 1 | 2 | 3 |\n|---|---|---|---|\n| Evidence | a | b | |\n")
    assert not is_nfc(unicodedata.normalize("NFD", "thiệt mạng"))
    assert check_lesson_section("03", "The timeline", "### Objectives\n- a\n- b\n")
