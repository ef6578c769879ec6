"""The exercise answer keys: each solution answer in its canonical form, as salted digests, checked against
its own key and for hints, pointers or "why" texts that give it away. Written to iraqtalks/teaching/answer_keys.json."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..teaching import checker as ex
from ..teaching import meaning
from .exercise_format import BuildError, Question, parse_set, run_solution_code

KEYS_PATH = ex.KEYS_PATH

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
                raise ex.AnswerFormError("the model answer must be a non-empty string")
            return " ".join(ex.words(value))
    except (ex.AnswerFormError, ex.EmptyAnswer) as exc:
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
        entry["digest"] = ex.digest(qid, ex.csv_text([cols] + rows))
        entry["rows"] = sorted(ex.digest(qid, "row:" + ex.csv_text([r])) for r in rows)
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
