"""The exercise sets: every key verified against its solution, the hint ladder, friendly messages
for odd input, no answer in plain text, and the generated files in sync with the solutions."""
from __future__ import annotations

import json
import math
import re
from collections import Counter

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import exercise_keys as exkeys
from iraqtalks.authoring import exercise_notebooks as exnb
from iraqtalks.authoring import exercises_build as build
from iraqtalks.data.paths import EXERCISES_DIR, ROOT
from iraqtalks.teaching import checker as ex

KEYS = json.loads(ex.KEYS_PATH.read_text(encoding="utf-8"))["questions"]
QIDS = sorted(KEYS)
GRADED = [q for q in QIDS if KEYS[q]["kind"] != "reflect"]


@pytest.fixture(scope="module")
def solutions():
    """{qid: (Question, the solution notebook's value of answer_qN)}, by running the solutions."""
    notebooks = {slug: exfmt.read_notebook(exfmt.solution_path(slug)) for slug in exfmt.SETS}
    _, answers = exkeys.build_keys(notebooks)
    return answers


@pytest.fixture(autouse=True)
def fresh_ladder():
    ex.reset()
    yield
    ex.reset()


def forms_of(solutions, qid) -> list[str]:
    q, value = solutions[qid]
    return exkeys.plain_forms(q, value)


def reveals(message: str, forms: list[str]) -> list[str]:
    return [f for f in forms if exkeys.contains_word(message, f)]


# ---------------------------------------------------------------------------------------------
# The question bank

def test_sets_are_big_enough_and_cover_every_kind():
    per_set = Counter(KEYS[q]["lesson"] for q in QIDS)
    assert set(per_set) == set(exfmt.SETS)
    assert all(n >= 5 for n in per_set.values()), per_set
    assert len(QIDS) >= 40
    kinds = Counter(KEYS[q]["kind"] for q in QIDS)
    assert set(kinds) == set(ex.KINDS), kinds


def test_every_graded_question_has_a_ladder_and_a_pointer():
    for qid in QIDS:
        e = KEYS[qid]
        assert e["why"].strip() and e["pointer"].strip()
        assert ex.salt_for(qid) == e["salt"]
        if e["kind"] == "reflect":
            assert e["checklist"] and e["hints"] == []
        else:
            assert 2 <= len(e["hints"]) <= 3, qid


def test_pointers_name_a_section_of_the_lesson():
    """Each pointer quotes a heading of its lesson, so a renamed section shows up here."""
    for qid in QIDS:
        entry = KEYS[qid]
        m = re.search(r"\u201c(.+?)\u201d", entry["pointer"])
        assert m, f"{qid}: the pointer should quote a section heading in \u201c...\u201d"
        lesson = ROOT / "notebooks" / f"{entry['lesson']}.ipynb"
        nb = nbformat.read(str(lesson), as_version=4)
        headings = {re.sub(r"[*`]", "", line.lstrip("#").strip())
                    for c in nb.cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("#")}
        assert m.group(1) in headings, f"{qid}: no section \u201c{m.group(1)}\u201d in {lesson.name}"


# ---------------------------------------------------------------------------------------------
# Every key against its solution

@pytest.mark.parametrize("qid", QIDS)
def test_solution_answer_passes(solutions, qid, capsys):
    q, value = solutions[qid]
    ex.check(qid, value)
    out = capsys.readouterr().out
    if q.kind == "reflect":
        assert out.startswith("Thank you.") and qid in ex.seen_checklists()
        for item in KEYS[qid]["checklist"]:
            assert item in out
    else:
        assert out.startswith("Correct! ")
        assert KEYS[qid]["why"] in out


def wrong_answers(q, value) -> list:
    """A few answers of the right form that are not the solution."""
    k = q.kind
    if k == "number":
        v = ex.as_number(value)
        return [v + 1, v * 2 + 7, -v - 13, str(v + 2)]
    if k == "choice":
        right = ex.canonical_choice(value, q.options)
        return [letter for letter in q.options if letter != right]
    if k == "ids":
        members = ex.id_members(value)
        out = [members + ["zz-not-an-id"], ["zz-not-an-id"]]
        if len(members) > 1:
            out.append(members[1:])
        return out
    if k == "frame":
        df = value.reset_index(drop=True)
        changed = df.copy()
        col = changed.columns[-1]
        changed[col] = changed[col].astype(object)
        cell = changed.at[0, col]
        changed.at[0, col] = (cell + 1000) if isinstance(cell, (int, float, np.number)) else f"{cell}-changed"
        out = [changed, pd.concat([df, df.iloc[[0]]], ignore_index=True)]
        if len(df) > 1:
            out.append(df.iloc[1:])
        return out
    if k == "text":
        return ["I am not sure yet.", "Something happened at some point, somewhere."]
    return []


@pytest.mark.parametrize("qid", GRADED)
def test_wrong_answers_get_the_next_hint_then_the_lesson(solutions, qid):
    q, value = solutions[qid]
    entry = KEYS[qid]
    hints = entry["hints"]
    forms = forms_of(solutions, qid)
    samples = wrong_answers(q, value)
    assert samples
    messages = []
    for i in range(len(hints) + 2):
        fb = ex.feedback(qid, samples[i % len(samples)])
        assert fb.status == "not_yet", (qid, fb.message)
        assert fb.message.startswith("Not yet. ")
        assert not reveals(fb.message, forms), (qid, fb.message)
        messages.append(fb.message)
    for i, hint in enumerate(hints):
        assert f"Hint {i + 1} of {len(hints)}: {hint}" in messages[i]
    for m in messages[len(hints):]:
        assert entry["pointer"] in m and f"../notebooks/{entry['lesson']}.ipynb" in m
    # the ladder is per question and per session: another question starts at hint 1,
    # reset() starts this one again
    other = next(o for o in GRADED if o != qid)
    oq, ov = solutions[other]
    assert "Hint 1 of" in ex.feedback(other, wrong_answers(oq, ov)[0]).message
    ex.reset(qid)
    assert "Hint 1 of" in ex.feedback(qid, samples[0]).message


@pytest.mark.parametrize("qid", QIDS)
def test_odd_input_gets_a_friendly_message(qid, capsys):
    recursive: list = []
    recursive.append(recursive)
    odd = [None, "", "   ", pd.DataFrame(), pd.Series(dtype=float), [], set(), float("nan"), pd.NA,
           "x" * 1_000_000, [[["a001"]], {"b": [1, {"c": None}]}], {"article_id": ["a000"]},
           object(), recursive, 1 + 2j, np.array([[1, 2], [3, 4]]), b"bytes", (x for x in range(3)),
           float("inf"), 10 ** 400, True, pd.Timestamp("2024-01-27")]
    for answer in [Ellipsis] + odd:
        fb = ex.feedback(qid, answer)
        assert isinstance(fb, ex.Feedback)
        assert fb.status in {"not_answered", "format"}, (qid, type(answer), fb)
        assert fb.message.strip() and "Traceback" not in fb.message
        assert len(fb.message) < 1500
        ex.check(qid, answer)
        assert "Traceback" not in capsys.readouterr().out
    assert ex.feedback(qid, Ellipsis).message == ex.NOT_ANSWERED
    assert ex.feedback(qid, None).status == "format"
    assert ex._wrong.get(qid, 0) == 0   # none of that used up a hint


@pytest.mark.parametrize("qid", GRADED)
def test_form_notes_do_not_use_up_hints(solutions, qid):
    q, value = solutions[qid]
    for answer in [Ellipsis, None, object(), pd.DataFrame()]:
        ex.feedback(qid, answer)
    assert "Hint 1 of" in ex.feedback(qid, wrong_answers(q, value)[0]).message


def test_empty_answers_read_as_not_answered():
    kinds = {KEYS[q]["kind"]: q for q in QIDS}
    assert ex.feedback(kinds["frame"], pd.DataFrame()).status == "not_answered"
    assert ex.feedback(kinds["frame"], pd.DataFrame({"a": []})).status == "not_answered"
    assert ex.feedback(kinds["ids"], []).status == "not_answered"
    assert ex.feedback(kinds["ids"], " , ").status == "not_answered"
    assert ex.feedback(kinds["number"], " ").status == "not_answered"
    assert ex.feedback(kinds["choice"], "").status == "not_answered"
    assert ex.feedback(kinds["text"], "").status == "not_answered"
    assert ex.feedback(kinds["reflect"], "  ").status == "not_answered"


def test_unknown_question_and_missing_keys(monkeypatch):
    fb = ex.feedback("99-q1", 1)
    assert fb.status == "unknown" and "check(" in fb.message
    assert ex.feedback(None, 1).status == "unknown"
    assert ex.feedback(["01-q1"], 1).status == "unknown"
    monkeypatch.setattr(ex, "KEYS_PATH", ex.KEYS_PATH.with_name("no-such-file.json"))
    monkeypatch.setattr(ex, "_keys_cache", None)
    fb = ex.feedback("01-q1", 1)
    assert fb.status == "error" and "python -m iraqtalks exercises" in fb.message


# ---------------------------------------------------------------------------------------------
# Normalisation, kind by kind

def _qid(kind: str) -> str:
    return next(q for q in QIDS if KEYS[q]["kind"] == kind)


def test_numbers_accept_numeric_types_and_standard_strings(solutions):
    for qid in (q for q in GRADED if KEYS[q]["kind"] == "number"):
        v = ex.as_number(solutions[qid][1])
        for form in (v, int(v) if v == int(v) else v, np.int64(v) if v == int(v) else np.float64(v),
                     np.float32(v), f"{v}", f" {v:g} ", np.array(v)):
            assert ex.feedback(qid, form).correct, (qid, form)
        assert ex.feedback(qid, pd.Series([v])).status == "format"
        assert ex.feedback(qid, [v]).status == "format"
        assert ex.feedback(qid, pd.Timedelta(days=3)).status == "format"


def test_vietnamese_formatted_numbers_get_a_targeted_note(solutions):
    big = [q for q in GRADED if KEYS[q]["kind"] == "number" and ex.as_number(solutions[q][1]) >= 1000]
    assert big
    for qid in big:
        v = int(ex.as_number(solutions[qid][1]))
        vietnamese = f"{v:,}".replace(",", ".")
        fb = ex.feedback(qid, vietnamese)
        assert fb.status == "format" and "Vietnamese" in fb.message
        fb = ex.feedback(qid, float(vietnamese))           # typed as a Python float: 2.5
        assert fb.status == "format" and "decimal point" in fb.message
        assert ex.feedback(qid, f"{v:,}").status == "format"  # English thousands: 2,500
        assert ex._wrong.get(qid, 0) == 0
    assert ex.as_number("2.5") == 2.5
    assert ex.feedback(big[0], "1.234.567").status == "format"


def test_choices_accept_letter_or_text(solutions):
    for qid in (q for q in GRADED if KEYS[q]["kind"] == "choice"):
        q, value = solutions[qid]
        letter = ex.canonical_choice(value, q.options)
        text = q.options[letter]
        for form in (letter, letter.lower(), f" {letter}. ", f"({letter.lower()})", text, text.upper(),
                     f"  {text}  ", f"{letter}. {text}", f"option {letter}", ex.fold(text)):
            assert ex.feedback(qid, form).correct, (qid, form)
        assert ex.feedback(qid, "none of these").status == "format"
        assert ex.feedback(qid, 3).status == "format"


def test_ids_ignore_order_case_space_and_container(solutions):
    for qid in (q for q in GRADED if KEYS[q]["kind"] == "ids"):
        members = ex.id_members(solutions[qid][1])
        original = list(pd.Series(list(solutions[qid][1])).astype(str).unique())
        for form in (members, list(reversed(original)), set(original), tuple(original), pd.Series(original),
                     pd.Index(original), np.array(original), [f"  {m} " for m in original] + original,
                     ", ".join(original), [m.upper() for m in original]):
            assert ex.feedback(qid, form).correct, (qid, form)


def test_frames_ignore_order_index_and_dtypes(solutions):
    for qid in (q for q in GRADED if KEYS[q]["kind"] == "frame"):
        df = solutions[qid][1].reset_index(drop=True)
        shuffled = df.sample(frac=1, random_state=1)[list(reversed(df.columns))]
        as_text = df.astype(str).replace({"<NA>": "", "nan": "", "NaT": ""})
        upper = df.rename(columns=str.upper)
        indexed = df.set_index(df.columns[0])
        for form in (df, shuffled, as_text, upper, indexed, df.set_index([df.columns[0]]).reset_index()):
            assert ex.feedback(qid, form).correct, (qid, form.dtypes.to_dict())
        fb = ex.feedback(qid, df.assign(extra=1))
        assert fb.status == "format" and "Not wanted: extra" in fb.message
        fb = ex.feedback(qid, df.drop(columns=df.columns[-1]))
        assert fb.status == "format" and f"Missing: {df.columns[-1].casefold()}" in fb.message
        if len(df) > 1:
            fb = ex.feedback(qid, df.iloc[:-1])
            assert fb.status == "not_yet" and f"the answer has {len(df)}" in fb.message


def test_frames_dtype_insensitive_numbers():
    a = pd.DataFrame({"k": ["x", "y"], "n": pd.array([1, 2], dtype="Int64")})
    b = pd.DataFrame({"n": [2.0, 1.0], "k": ["y", "x"]})
    c = pd.DataFrame({"K": ["x", "y"], "N": ["1", "2"]})
    assert ex.canonical_frame(a) == ex.canonical_frame(b) == ex.canonical_frame(c)
    d = pd.DataFrame({"d": pd.to_datetime(["2024-01-27"]), "n": [pd.NA]})
    assert ex.canonical_frame(d) == "d,n\n2024-01-27,\n"


def test_key_point_text_is_case_and_accent_insensitive():
    qid = "06-q7"
    assert KEYS[qid]["kind"] == "text"
    assert ex.feedback(qid, "LIÊN MINH chống IS được thành lập năm 2014").correct
    assert ex.feedback(qid, "lien minh thanh lap nam 2014").correct
    assert ex.feedback(qid, "The Coalition began in 2014.").correct
    fb = ex.feedback(qid, "The coalition began ten years ago.")
    assert fb.status == "not_yet" and "1 of 2 key points" in fb.message
    assert ex.feedback(qid, "in 20140 the coalitions").status == "not_yet"   # whole words only


def test_reflection_shows_the_checklist_and_records_it():
    qid = _qid("reflect")
    assert ex.feedback(qid, "too short").status == "format"
    assert qid not in ex.seen_checklists()
    fb = ex.feedback(qid, " ".join(["word"] * 30))
    assert fb.status == "seen" and qid in ex.seen_checklists()
    assert all(item in fb.message for item in KEYS[qid]["checklist"])


# ---------------------------------------------------------------------------------------------
# What check() says to odd input, and that it never prints the answer

ANSWERS = st.one_of(
    st.none(), st.just(Ellipsis), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=200), st.lists(st.text(max_size=12), max_size=8), st.lists(st.integers(), max_size=5),
    st.sets(st.sampled_from(["a000", "a001", "a002", "a003", "a004", "reuters", "q01", "n03"])),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=4),
    st.recursive(st.integers() | st.text(max_size=5), lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3), max_leaves=8),
    st.sampled_from(["2.500", "2,500", "1.234.567", "3,5", "B", "c.", "option a", "  ", "NaN", "-0", "1e400"]),
    hpd.data_frames(columns=hpd.columns(["outlet_id", "n_articles"], elements=st.one_of(st.integers(-3, 9), st.text(max_size=4))),
                    index=hpd.range_indexes(max_size=6)),
    hpd.data_frames(columns=hpd.columns(["article_id", "n_events", "x"], dtype=float), index=hpd.range_indexes(max_size=6)),
    hpd.series(elements=st.integers(0, 30), index=hpd.range_indexes(max_size=5)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                      HealthCheck.function_scoped_fixture])
@given(qid=st.one_of(st.sampled_from(QIDS), st.text(max_size=8), st.integers()), answer=ANSWERS)
def test_any_answer_gets_a_real_verdict_and_never_the_answer(solutions, qid, answer):
    """What the checker says to any answer to the kit's questions: an unknown question is named as such; a
    known one gets a verdict from its own reader (never the catch-all "could not read that answer", which
    feedback() falls back on so that no answer shows a traceback), and no verdict but "Correct!" gives the
    answer away."""
    ex.reset()
    fb = ex.feedback(qid, answer)
    if not (isinstance(qid, str) and qid in KEYS):
        assert fb.status == "unknown" and fb.message.startswith("I don't know that question."), fb
        return
    assert fb.status in ("correct", "not_yet", "not_answered", "format", "seen"), fb
    assert "I could not read that answer" not in fb.message, (qid, answer, fb.message)
    assert fb.message.startswith({"correct": "Correct! ", "not_yet": "Not yet. ", "not_answered": "Not answered yet",
                                  "format": "Not checked yet: ", "seen": "Thank you."}[fb.status]), fb
    if fb.status != "correct":
        assert not reveals(fb.message, forms_of(solutions, qid)), (qid, fb.message)


def test_an_answer_no_reader_can_take_gets_a_form_note_not_a_traceback(monkeypatch):
    """feedback()'s catch-all: what it says when a reader fails."""
    def failing(qid, entry, answer):
        raise ValueError("a reader failed")

    monkeypatch.setattr(ex, "evaluate", failing)
    qid = GRADED[0]
    fb = ex.feedback(qid, [1, 2])
    assert fb.status == "format"
    assert fb.message.startswith("Not checked yet: I could not read that answer (a list; ValueError). Try a simpler")
    assert fb.qid == qid and "Traceback" not in fb.message


# ---------------------------------------------------------------------------------------------
# The keys file

def _readable_strings(node, key=None):
    """Every string in the keys file except digests and salts."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("digest", "salt", "members", "rows", "any"):
                yield from _readable_strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _readable_strings(v, key)
    elif isinstance(node, str):
        yield node


def test_keys_file_holds_no_answer_in_plain_text(solutions):
    text = ex.KEYS_PATH.read_text(encoding="utf-8")
    doc = json.loads(text)
    for qid in QIDS:
        q, value = solutions[qid]
        forms = exkeys.plain_forms(q, value)
        own = list(_readable_strings({k: v for k, v in doc["questions"][qid].items() if k != "options"}))
        assert not [f for f in forms if any(exkeys.contains_word(s, f) for s in own)], qid
        # long forms (tables, id lists, model texts) appear nowhere in the file, not even JSON-escaped
        canonical = exkeys.canonical_answer(q, value)
        for f in {canonical, str(value) if not isinstance(value, (pd.DataFrame, pd.Series)) else canonical}:
            if len(f) >= 12:
                assert f not in text and json.dumps(f, ensure_ascii=False)[1:-1] not in text, qid
        if q.kind == "text":
            assert value not in text
            for kp in q.spec["keypoints"]:
                for alt in kp["any"]:
                    assert not exkeys.contains_word(kp["label"], alt)
        if q.kind in ("number", "choice", "ids", "frame"):
            assert re.fullmatch(r"[0-9a-f]{64}", doc["questions"][qid]["digest"])


def test_keys_digest_the_canonical_answer(solutions):
    for qid in GRADED:
        q, value = solutions[qid]
        if q.kind == "text":
            continue
        assert ex.digest(qid, exkeys.canonical_answer(q, value)) == KEYS[qid]["digest"]


# ---------------------------------------------------------------------------------------------
# Generated files

def test_generated_files_are_in_sync():
    fresh = build.generate(execute_notebooks=False, write=False, log=lambda *a: None)
    assert fresh["iraqtalks/teaching/answer_keys.json"] == ex.KEYS_PATH.read_text(encoding="utf-8"), \
        "answer_keys.json is out of date: run python -m iraqtalks exercises"
    for slug in exfmt.SETS:
        rel = f"exercises/{slug}.ipynb"
        want = nbformat.reads(fresh[rel], as_version=4)
        have = nbformat.read(str(ROOT / rel), as_version=4)
        assert have.metadata.get("kernelspec") == want.metadata.get("kernelspec")
        assert [(c.cell_type, c.id, c.source, c.metadata) for c in have.cells] == \
               [(c.cell_type, c.id, c.source, c.metadata) for c in want.cells], \
            f"{rel} is out of date: run python -m iraqtalks exercises"


@pytest.mark.parametrize("slug", exfmt.SETS)
def test_student_notebook_shape(slug):
    nb = nbformat.read(str(EXERCISES_DIR / f"{slug}.ipynb"), as_version=4)
    sol = nbformat.read(str(exfmt.solution_path(slug)), as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert exfmt.BEGIN not in text and exfmt.END not in text and exfmt.KEY_MARK not in text
    assert exfmt.MD_BEGIN not in text and "Teacher's copy" not in text
    assert f"](../notebooks/{slug}.ipynb)" in text and "../../notebooks" not in text
    assert not any(c.cell_type == "raw" for c in nb.cells)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith(exfmt.SETUP_MARK)
    assert "from iraqtalks import load, cite" in code[0].source
    assert re.search(r"^from iraqtalks import .*\bcheck\b", code[0].source, re.M)   # the learner surface
    assert not any("from iraqtalks." in c.source for c in code)
    assert all(len(c.source.splitlines()) <= exfmt.MAX_CODE_LINES for c in code)
    assert nb.cells[-1].cell_type == "markdown" and nb.cells[-1].source.startswith("## Summary")
    # no solution line survives
    for c in sol.cells:
        if c.cell_type == "code" and exfmt.BEGIN in c.source:
            block = c.source.split(exfmt.BEGIN)[1].split(exfmt.END)[0]
            for line in block.splitlines():
                if len(line.strip()) > 15:
                    assert line.strip() not in text, line
    # each question: prompt, answer_qN = ..., check; the checks ran and printed "Not answered yet"
    checks = [c for c in code if exfmt.CHECK_RE.fullmatch(c.source)]
    assert len(checks) >= 5
    for c in checks:
        m = exfmt.CHECK_RE.fullmatch(c.source)
        prev = code[code.index(c) - 1]
        assert prev.source.splitlines()[-1] == f"{m['var']} = ...", prev.source
        # check() in a notebook: one display with the message as text and a badge (icon and word) as HTML
        assert [o.output_type for o in c.outputs] == ["display_data"]
        assert c.outputs[0].data["text/plain"] == ex.NOT_ANSWERED
        assert '<span aria-hidden="true">…</span> Not answered yet</strong>' in c.outputs[0].data["text/html"]


@pytest.mark.parametrize("slug", exfmt.SETS)
def test_solution_notebooks_ran_correct(slug):
    nb = nbformat.read(str(exfmt.solution_path(slug)), as_version=4)
    assert f"](../../notebooks/{slug}.ipynb)" in nb.cells[0].source
    for c in nb.cells:
        m = exfmt.CHECK_RE.fullmatch(c.source) if c.cell_type == "code" else None
        if m:
            out = "".join(o.get("data", {}).get("text/plain", "") for o in c.outputs)
            assert out.startswith("Correct! ") or (KEYS[m["qid"]]["kind"] == "reflect" and out.startswith("Thank you."))


def test_strip_solution_code():
    src = "x = 1\n# BEGIN SOLUTION\ny = x + 1\nanswer_q3 = y * 2\n# END SOLUTION"
    assert exnb.strip_solution_code(src) == "x = 1\nanswer_q3 = ..."
    src = "for i in range(2):\n    # BEGIN SOLUTION\n    print(i)\n    # END SOLUTION"
    assert exnb.strip_solution_code(src) == "for i in range(2):\n    ..."
    md = "Intro\n\n<!-- BEGIN SOLUTION -->\nteacher\n<!-- END SOLUTION -->\n\n[x](../../notebooks/a.ipynb)"
    assert exnb.strip_solution_markdown(md) == "Intro\n\n[x](../notebooks/a.ipynb)"


def test_build_refuses_a_hint_that_gives_the_answer_away():
    slug = exfmt.SETS[0]
    nb = exfmt.read_notebook(exfmt.solution_path(slug))
    for c in nb.cells:
        if c.cell_type == "raw" and '"qid": "01-q5"' in c.source:
            spec = exfmt.parse_key_cell(c.source, "test")
            value = ex.as_number(exfmt.run_solution_code(slug, nb, exfmt.parse_set(slug, nb))["01-q5"])
            spec["hints"][0] = f"The answer is {ex.format_number(value)}."
            c.source = "# ANSWER KEY\n" + json.dumps(spec)
    with pytest.raises(exfmt.BuildError, match="gives the answer away"):
        exkeys.build_keys({slug: nb})


def test_messages_are_plain_and_deterministic(solutions):
    q, value = solutions[GRADED[0]]
    a = [ex.feedback(GRADED[0], w).message for w in wrong_answers(q, value)]
    ex.reset()
    b = [ex.feedback(GRADED[0], w).message for w in wrong_answers(q, value)]
    assert a == b
    assert not any(re.search(r"0x[0-9a-f]{6,}", m) for m in a)


def test_nan_and_missing_values_are_not_numbers():
    qid = _qid("number")
    for answer in (float("nan"), np.nan, pd.NA, None, math.inf):
        fb = ex.feedback(qid, answer)
        assert fb.status == "format" and "Not checked yet" in fb.message


# ---------------------------------------------------------------------------------------------
# Questions that disagreed with their lesson or with the data (issue 17)

def test_05_q5_uses_the_lessons_hedged_filter():
    """A learner who reuses lesson 05's filter for 'hedged' gets "Correct!" (the question once counted vague too)."""
    lesson = nbformat.read(str(ROOT / "notebooks" / "05-numbers-in-the-news.ipynb"), as_version=4)
    line = next(ln for c in lesson.cells if c.cell_type == "code" for ln in c.source.splitlines()
                if ln.startswith("hedged = "))
    from iraqtalks import load
    ns = {"numbers": load("numbers")}
    exec(line, ns)
    assert ex.feedback("05-q5", len(ns["hedged"])).correct
    with_vague = int((ns["numbers"]["qualifier"] != "exact").sum())
    assert with_vague != len(ns["hedged"]) and not ex.feedback("05-q5", with_vague).correct


def test_01_q2_why_reads_no_wire_dependence_into_a_photo_credit():
    """01-q3 teaches that a photo credit is no evidence that an agency supplied the words; 01-q2's why agrees,
    and its count of articles crediting Reuters for their text matches the attributions table."""
    from iraqtalks import load
    att = load("attributions")
    reuters = att[att["outlet_id"] == "reuters"]
    words = set(reuters.loc[reuters["form"] != "photo_credit", "article_id"])
    photo_only = set(reuters["article_id"]) - words
    assert len(words) == 3 and len(photo_only) == 1
    why = KEYS["01-q2"]["why"]
    assert "The three that credit Reuters for their text" in why and "photo credit" in why
    assert "When most of the articles lean on one wire agency" not in why


# ---------------------------------------------------------------------------------------------
# The sets are found from the files (issue 13): a new set needs no edit of a Python list

def test_the_sets_are_the_solution_notebooks_sorted():
    assert exfmt.SETS == tuple(sorted(p.stem for p in (EXERCISES_DIR / "solutions").glob("[0-9][0-9]-*.ipynb")))
    assert exfmt.SETS[0].startswith("01-") and len(exfmt.SETS) >= 8


def test_a_new_set_file_is_picked_up(tmp_path):
    import shutil

    from iraqtalks.authoring.vocabulary import solution_vocabulary

    shutil.copytree(EXERCISES_DIR, tmp_path / "exercises")
    last = exfmt.SETS[-1]
    new = f"{int(last[:2]) + 1:02d}-a-new-set"
    shutil.copy(tmp_path / "exercises" / "solutions" / f"{last}.ipynb",
                tmp_path / "exercises" / "solutions" / f"{new}.ipynb")
    assert exfmt.exercise_sets(tmp_path) == (*exfmt.SETS, new)
    assert new in solution_vocabulary(tmp_path)  # and the tools that walk the sets see it
    # the student edition has no solutions folder: its sets are its student notebooks
    shutil.rmtree(tmp_path / "exercises" / "solutions")
    assert exfmt.exercise_sets(tmp_path) == exfmt.SETS
