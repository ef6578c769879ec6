"""The teacher pages beside the guide: troubleshooting, model answers to the discussion prompts, 45-minute plans,
and the before/after task.

Checked: each page is NFC with no placeholder; every `./kit X` (or `py kit.py X`) named on any teacher page is a
real command of kit.py; every `(table: key)` reference names a row that exists and agrees with it (the guide's
checker, tests/test_teacher_materials.py); every numbered discussion prompt of the guide has a model answer that
quotes it word for word and cites at least one row, and no answer is left for a prompt the guide no longer has;
every 45-minute plan adds up to 45 minutes and names only sections and questions the lessons have; the before/after
excerpts are the data's own Vietnamese and English. The checkers are fed broken input at the end.
"""
from __future__ import annotations

import csv
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from test_teacher_materials import (
    check_citations,
    check_plan,
    find_citations,
    guide_lessons,
    list_items,
    sections,
    solution_qids,
    table_rows,
)

ROOT = Path(__file__).resolve().parents[1]
TEACHERS = ROOT / "teachers"
GUIDE = TEACHERS / "README.md"
ANSWERS = TEACHERS / "discussion-answers.md"
TROUBLE = TEACHERS / "troubleshooting.md"
PLANS = TEACHERS / "45-minute-plans.md"
BEFORE_AFTER = TEACHERS / "before-after.md"
PAGES = (TROUBLE, ANSWERS, PLANS, BEFORE_AFTER)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def kit_commands() -> tuple[str, ...]:
    sys.path.insert(0, str(ROOT))
    try:
        import kit
    finally:
        sys.path.pop(0)
    return kit.COMMANDS


# ------------------------------------------------------------------------------------------------------------
# Checkers (each returns a list of problems)
# ------------------------------------------------------------------------------------------------------------

def check_commands(text: str, label: str, commands: tuple[str, ...]) -> list[str]:
    """Every `./kit X` or `py kit.py X` / `python kit.py X` names a command kit.py knows."""
    problems = []
    for m in re.finditer(r"(?:\./kit|\bkit\.py)\s+([a-z][a-z-]*)", text):
        if m.group(1) not in commands:
            problems.append(f"{label}: `{m.group(0)}` is not a kit command (kit.py has {', '.join(commands)})")
    return problems


def guide_prompts(guide: str) -> dict[str, str]:
    """'NN.k' -> the text of the k-th numbered discussion prompt of lesson NN in the guide."""
    out = {}
    for number, (_, body) in guide_lessons(guide).items():
        sub = next((b for h, b in sections(body, 3) if h.startswith("Discussion prompts")), "")
        for line in list_items(sub, numbered=True):
            k, text = re.match(r"^(\d+)\.\s+(.*)$", line).groups()
            out[f"{number}.{k}"] = text.strip()
    return out


def model_answers(text: str) -> dict[str, tuple[str, str]]:
    """'NN.k' -> (the quoted prompt, the answer) for every '### Prompt NN.k' section."""
    out = {}
    for heading, body in sections(text, 3):
        m = re.fullmatch(r"Prompt (\d{2}\.\d+)", heading)
        if not m:
            continue
        quoted = " ".join(line[1:].strip() for line in body.splitlines() if line.startswith(">"))
        answer = "\n".join(line for line in body.splitlines() if not line.startswith(">")).strip()
        out[m.group(1)] = (quoted, answer)
    return out


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def check_answers(guide: str, answers: str) -> list[str]:
    prompts, given = guide_prompts(guide), model_answers(answers)
    problems = []
    for key, prompt in prompts.items():
        if key not in given:
            problems.append(f"discussion prompt {key} has no model answer ('### Prompt {key}')")
            continue
        quoted, answer = given[key]
        if norm(quoted) != norm(prompt):
            problems.append(f"answer {key} quotes {quoted[:60]!r}..., but the guide's prompt {key} is "
                            f"{prompt[:60]!r}...")
        if not find_citations(answer):
            problems.append(f"answer {key} cites no data row")
        if len(answer.split()) < 25:
            problems.append(f"answer {key} is too short to be a model answer ({len(answer.split())} words)")
    for key in sorted(set(given) - set(prompts)):
        problems.append(f"answer {key} answers a prompt the guide does not have")
    return problems


def notebook_headings(number: str) -> set[str]:
    import json
    path = next((ROOT / "notebooks").glob(f"{number}-*.ipynb"))
    cells = json.loads(read(path))["cells"]
    heads = set()
    for c in cells:
        if c["cell_type"] == "markdown":
            src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            heads |= {norm(m) for m in re.findall(r"^##\s+(.+?)\s*$", src, flags=re.M)}
    return heads


def check_plans(text: str, lessons: list[str]) -> list[str]:
    problems = []
    found = {}
    for heading, body in sections(text, 2):
        m = re.match(r"^Lesson (\d{2})\s*·", heading)
        if m:
            found[m.group(1)] = body
    for number in lessons:
        if number not in found:
            problems.append(f"45-minute plans: no '## Lesson {number} · ...' section")
    for number, body in found.items():
        if number not in lessons:
            problems.append(f"45-minute plans: lesson {number} is not a lesson of the guide")
            continue
        problems += [f"45-minute plan {number}: {p}" for p in check_plan(body, 45)]
        heads = notebook_headings(number)
        for name in re.findall(r"«([^»]+)»", body):
            if norm(name) not in heads:
                problems.append(f"45-minute plan {number}: «{name}» is not a section of lesson {number}")
        qids = solution_qids(number) or []
        for q in re.findall(r"\b(\d{2}-q\d+[a-z]?)\b", body):
            if q not in qids:
                problems.append(f"45-minute plan {number}: names question {q}, which the solutions do not have")
        if "**Extension tasks:**" not in body or len(re.findall(r"^- ", body.split("**Extension tasks:**")[-1],
                                                               flags=re.M)) < 2:
            problems.append(f"45-minute plan {number}: fewer than two extension tasks")
        if "**Cut" not in body:
            problems.append(f"45-minute plan {number}: does not say what to cut")
    return problems


def data_rows(table: str) -> list[dict]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


KEYS = {"numbers": ("number_id",), "quotes": ("quote_id",), "event_reports": ("event_id", "article_id")}


def check_excerpts(text: str) -> list[str]:
    """Each blockquote paragraph '*Vietnamese* — English (table: key)' is that row's evidence and evidence_en."""
    problems = []
    paras, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith(">") and line[1:].strip():
            current.append(line[1:].strip())
        elif current:
            paras.append(" ".join(current))
            current = []
    found = 0
    for flat in paras:
        m = re.fullmatch(r"\*(.+)\*\s+—\s+(.+?)\s+\(([a-z_]+):\s+([^()]+)\)", flat)
        if not m:
            problems.append(f"excerpt {flat[:50]!r}: expected '*Vietnamese* — English (table: key)'")
            continue
        vi, en, table, key = m.groups()
        cols = KEYS.get(table)
        parts = tuple(p.strip() for p in key.split(" / "))
        row = next((r for r in data_rows(table) if cols and tuple(r[c] for c in cols) == parts), None)
        if row is None:
            problems.append(f"excerpt cites ({table}: {key}), which is not a row of {table}")
            continue
        found += 1
        if norm(vi) != norm(row["evidence"]):
            problems.append(f"excerpt ({table}: {key}): the Vietnamese is not the row's evidence {row['evidence']!r}")
        if norm(en) != norm(row["evidence_en"]):
            problems.append(f"excerpt ({table}: {key}): the English is not the row's evidence_en "
                            f"{row['evidence_en']!r}")
    if not found:
        problems.append("no excerpts found")
    return problems


# ------------------------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_page_is_nfc_without_placeholders(path):
    text = read(path)
    assert unicodedata.is_normalized("NFC", text), f"{path.name} is not NFC"
    assert not re.search(r"\b(TODO|TBD|FIXME|XXX)\b|lorem ipsum", text, re.IGNORECASE)


def test_every_kit_command_named_on_a_teacher_page_exists():
    commands = kit_commands()
    problems = [p for path in sorted(TEACHERS.glob("*.md")) for p in check_commands(read(path), path.name, commands)]
    assert problems == []
    named = {m for path in PAGES for m in re.findall(r"\./kit ([a-z][a-z-]*)", read(path))}
    assert {"lab", "setup", "check-data", "build", "handouts", "site"} <= named


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_cited_row_exists_and_agrees(path):
    text = read(path)
    assert check_citations(text, path.name) == []


def test_every_discussion_prompt_has_a_model_answer():
    prompts = guide_prompts(read(GUIDE))
    assert len(prompts) >= 27, f"only {len(prompts)} prompts found in the guide"
    assert check_answers(read(GUIDE), read(ANSWERS)) == []


def test_every_lesson_has_a_45_minute_plan():
    lessons = sorted(guide_lessons(read(GUIDE)))
    assert check_plans(read(PLANS), lessons) == []


def test_before_after_excerpts_are_the_datas_words_and_both_forms_match():
    text = read(BEFORE_AFTER)
    assert check_excerpts(text) == []
    forms = {h: b for h, b in sections(text, 2) if h.startswith("Form ")}
    assert sorted(forms) == ["Form A", "Form B"]
    counts = [len(list_items(b, numbered=True)) for b in forms.values()]
    assert counts == [4, 4]
    guide = next(b for h, b in sections(text, 2) if h == "Scoring guide")
    rows = table_rows(guide)
    assert rows[0] == ["Question", "2 points", "1 point", "0 points"]
    assert [r[0].split(" · ")[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert all(len(r) == 4 and all(r) for r in rows)


def test_the_guide_links_the_new_pages():
    guide = read(GUIDE)
    for path in PAGES:
        assert f"({path.name})" in guide, f"the teacher guide does not link {path.name}"


# ------------------------------------------------------------------------------------------------------------
# The checkers can fail
# ------------------------------------------------------------------------------------------------------------

def test_checkers_catch_broken_pages():
    commands = kit_commands()
    assert check_commands("run `./kit lab` then `py kit.py test`", "t", commands) == []
    assert check_commands("run `./kit start`", "t", commands)
    assert check_commands("py kit.py labs", "t", commands)

    guide = ("## Lesson 00 · T\n\n### Discussion prompts\n\n1. Why keep the typo (source_notes: sn09-chuye-typo)?\n"
             "2. Second prompt?\n\n### Common misconceptions\n")
    answer = ("The kit keeps the seed byte for byte so that every quote is found with Ctrl-F, and records the typo "
              "beside it in a note instead of correcting the source (source_notes: sn09-chuye-typo).")
    good = (f"### Prompt 00.1\n\n> Why keep the typo (source_notes: sn09-chuye-typo)?\n\n{answer}\n\n"
            f"### Prompt 00.2\n\n> Second prompt?\n\n{answer}\n")
    assert check_answers(guide, good) == []
    assert check_answers(guide, good.replace("### Prompt 00.2", "### Prompt 00.3"))       # missing and extra
    assert check_answers(guide, good.replace("> Second prompt?", "> Another prompt?"))    # stale quote
    assert check_answers(guide, good.replace(answer + "\n", "Because.\n", 1))            # short, no citation

    plan = ("## Lesson 03 · The timeline\n\n| Minutes | Activity |\n|---|---|\n| 0–20 | «The timeline draws single "
            "days as points and ranges as bars». |\n| 20–45 | Exercises 03-q1. |\n\n**Cut:** nothing.\n\n"
            "**Extension tasks:**\n- one\n- two\n")
    assert check_plans(plan, ["03"]) == []
    assert check_plans(plan.replace("20–45", "20–40"), ["03"])                  # 40 minutes, not 45
    assert check_plans(plan.replace("single days", "single dates"), ["03"])      # not a section of the lesson
    assert check_plans(plan.replace("03-q1", "03-q99"), ["03"])                 # no such question
    assert check_plans(plan, ["03", "04"])                                       # a lesson without a plan

    good_excerpt = ("> *Mỹ hiện có 2.500 quân ở Iraq* — The US currently has 2,500 troops in Iraq "
                    "(numbers: n02)\n")
    assert check_excerpts(good_excerpt) == []
    assert check_excerpts(good_excerpt.replace("2,500 troops", "2.5 thousand troops"))   # not the data's English
    assert check_excerpts(good_excerpt.replace("hiện có", "có"))                         # not the seed's words
    assert check_excerpts(good_excerpt.replace("n02", "n99"))
