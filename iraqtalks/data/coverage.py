"""Sentence coverage: which fact rows each sentence of the clean text backs, or why it backs none.

The build (:mod:`iraqtalks.data.build`) writes ``sentence_coverage.csv``, one row per sentence of
``sentences.csv``. A sentence is *covered by facts* when the evidence quote of at least one row of
a hand-made table (every resource with ``x-evidence`` in datapackage.json) lies in it; it is
*covered by a reason* when the hand-made table ``sentence_reasons.csv`` says why it backs no fact.

Where an evidence quote lies: the occurrence that is a whole line the cleaner kept (a credit standing
alone, 'Reuters'), else its first occurrence in the raw seed on a line the cleaner kept (a quote whose
only occurrences are in dropped page furniture lies in no sentence). The
offsets are carried from the raw line to the clean paragraph through the cleaning steps (a stripped
prefix, the dots removed from hidden words), and the quote lies in every sentence it overlaps.

The rules ``check-data`` applies (:func:`problems`):

- every sentence has fact rows or a reason;
- a sentence with fact rows has no reason row (the row is out of date: delete it);
- ``restated`` and ``caption_repeated`` name, in their note, the sentence of the same article
  whose fact rows say the same thing, and that sentence has fact rows;
- ``signpost`` and ``commentary`` can not be given to a sentence that contains a digit (a date
  or a number), a name the article's ``actor_names`` rows record, or an outlet's name (a credit):
  such a sentence states a fact, so record the fact.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..text.clean import dotted_words

__all__ = ["reason_meanings", "FACT_FREE_REASONS", "POINTING_REASONS", "SentenceSpan", "sentence_spans", "coverage_rows",
           "problems"]


def reason_meanings(*, data_dir: str | Path | None = None) -> dict[str, str]:
    """The reasons a sentence may back no fact (the enum of sentence_reasons.reason) with what each means,
    declared in datapackage.json (``x-enum-labels``)."""
    from .descriptor import enum_labels

    return enum_labels("sentence_reasons", "reason", "meaning", data_dir=data_dir)


def __getattr__(name: str):
    """REASONS: the kit's reasons and their meanings (read from the kit's datapackage.json when first used)."""
    if name == "REASONS":
        return reason_meanings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Reasons that point at another sentence of the same article (its id is in the note).
POINTING_REASONS = ("restated", "caption_repeated")
#: Reasons that a sentence containing a date, number, name or credit can not have.
FACT_FREE_REASONS = ("signpost", "commentary")

_SENTENCE_ID = re.compile(r"\b(a\d{3}-p\d{2}-s\d{2})\b")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence and where it lies: raw line (1-based) and character offsets in the clean paragraph."""

    sentence_id: str
    article_id: str
    paragraph: int
    start: int
    end: int


def _kept_lines(raw: str, log_rows: list[dict]) -> list[int]:
    """0-based raw line numbers the cleaner kept, in order (one per clean paragraph)."""
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    dropped: set[int] = set()
    for row in log_rows:
        i = int(row["line"]) - 1
        if row["action"] == "drop_block":
            dropped.update(range(i, len(lines)))
        elif row["action"] in ("drop_line", "drop_duplicate"):
            dropped.add(i)
    return [i for i, line in enumerate(lines) if i not in dropped and line.strip()]


def _line_map(raw_line: str, prefix: str) -> list[int]:
    """For each character offset of the raw line (and one past the end), its offset in the clean paragraph."""
    body = raw_line[len(prefix):]
    removed = sorted(m.start() + 1 for m in dotted_words(body))  # the dot of each hidden word
    out, shift, k = [], 0, 0
    for r in range(len(raw_line) + 1):
        b = r - len(prefix)
        if b < 0:
            out.append(0)
            continue
        while k < len(removed) and removed[k] < b:
            shift += 1
            k += 1
        out.append(b - shift)
    return out


def sentence_spans(sentence_rows: list[dict], paragraphs: list[str]) -> dict[int, list[SentenceSpan]]:
    """The sentences of one article by paragraph number (1-based), with their offsets in the paragraph."""
    spans: dict[int, list[SentenceSpan]] = {}
    pos: dict[int, int] = {}
    for s in sentence_rows:
        pn = int(s["paragraph"])
        text = paragraphs[pn - 1]
        start = text.find(s["text"], pos.get(pn, 0))
        if start < 0:
            raise ValueError(f"internal: sentence {s['sentence_id']} is not in paragraph {pn} of the clean text")
        end = start + len(s["text"])
        pos[pn] = end
        spans.setdefault(pn, []).append(SentenceSpan(s["sentence_id"], s["article_id"], pn, start, end))
    return spans


def _sentences_of_quote(raw: str, quote: str, kept: list[int], prefixes: dict[int, str],
                        spans: dict[int, list[SentenceSpan]], line_starts: list[int]) -> list[str]:
    """Ids of the sentences the quote lies in, or [] if none: the occurrence that is a whole kept line
    (a credit standing alone, 'Reuters'), else the first occurrence on a kept line."""
    para_of = {line: k + 1 for k, line in enumerate(kept)}
    lines = raw.split("\n")
    whole = [i for i in kept if lines[i] == quote]
    start = line_starts[whole[0]] if whole else raw.find(quote)
    while start >= 0:
        line = raw.count("\n", 0, start)
        if line in para_of:
            col = start - line_starts[line]
            raw_line = lines[line]
            prefix = prefixes.get(line, "")
            if col >= len(prefix):
                cmap = _line_map(raw_line, prefix)
                a, b = cmap[col], cmap[min(col + len(quote), len(raw_line))]
                hit = [s.sentence_id for s in spans.get(para_of[line], []) if s.start < b and a < s.end]
                if hit:
                    return hit
        start = raw.find(quote, start + 1)
    return []


def coverage_rows(article_ids: list[str], raws: dict[str, str], logs: dict[str, list[dict]],
                  cleans: dict[str, str], sentence_rows: list[dict], evidence: list[dict],
                  reasons: dict[str, dict]) -> list[dict]:
    """The sentence_coverage rows.

    ``evidence``: dicts with table, key (a display string of the row's primary key), article_id,
    quote. ``reasons``: sentence_reasons rows by sentence_id.
    """
    facts: dict[str, list[str]] = {}
    by_article: dict[str, list[dict]] = {}
    for s in sentence_rows:
        by_article.setdefault(s["article_id"], []).append(s)
    geometry = {}
    for aid in article_ids:
        raw = raws[aid]
        kept = _kept_lines(raw, logs[aid])
        prefixes = {int(r["line"]) - 1: r["raw"] for r in logs[aid] if r["action"] == "strip_prefix"}
        paragraphs = [line for line in cleans[aid].split("\n") if line.strip()]
        if len(paragraphs) != len(kept):
            raise ValueError(f"internal: {aid} has {len(paragraphs)} clean paragraphs but {len(kept)} kept lines")
        spans = sentence_spans(by_article.get(aid, []), paragraphs)
        line_starts = [0]
        for line in raw.split("\n")[:-1]:
            line_starts.append(line_starts[-1] + len(line) + 1)
        geometry[aid] = (raw, kept, prefixes, spans, line_starts)
    for ev in evidence:
        if ev["article_id"] not in geometry:
            continue
        raw, kept, prefixes, spans, line_starts = geometry[ev["article_id"]]
        for sid in _sentences_of_quote(raw, ev["quote"], kept, prefixes, spans, line_starts):
            label = f"{ev['table']}({ev['key']})"
            if label not in facts.setdefault(sid, []):
                facts[sid].append(label)
    out = []
    for s in sentence_rows:
        sid = s["sentence_id"]
        rows = facts.get(sid, [])
        reason = reasons.get(sid, {})
        out.append({"sentence_id": sid, "article_id": s["article_id"], "kind": s["kind"],
                    "facts": len(rows), "fact_rows": "; ".join(rows),
                    "reason": reason.get("reason", ""), "note": reason.get("note", "")})
    return out


def problems(coverage: list[dict], sentence_rows: list[dict], reasons: dict[str, dict], reasons_file: str,
             names: dict[str, set[str]], credits: set[str], reason_names: list[str] | None = None):
    """The coverage problems, as :class:`iraqtalks.data.problems.Problem` (see the module docstring).

    ``reasons``: sentence_reasons rows by sentence_id, each with its spreadsheet ``_row``;
    ``names``: the names_as_written of actor_names by article; ``credits``: outlet names;
    ``reason_names``: the enum of sentence_reasons.reason (default: the kit's, from its datapackage.json).
    """
    from .problems import Problem, _show

    if reason_names is None:
        reason_names = list(reason_meanings())
    text = {s["sentence_id"]: s["text"] for s in sentence_rows}
    facts = {c["sentence_id"]: c for c in coverage}
    out = []
    for c in coverage:
        if c["facts"] == 0 and c["sentence_id"] not in reasons:
            out.append(Problem(reasons_file, column="sentence_id", found=f"no row for {c['sentence_id']} "
                               f"({_show(text[c['sentence_id']], 90)})", found_is_value=False,
                               expected="a reason row, since no fact row has its evidence in this sentence",
                               message="record the sentence's facts, or give a reason "
                                       f"({', '.join(reason_names)})"))
    for sid, r in reasons.items():
        row = r.get("_row")
        if sid not in facts:
            continue  # an unknown sentence_id is a foreign-key problem, reported by validate()
        c = facts[sid]
        if c["facts"]:
            out.append(Problem(reasons_file, row=row, column="sentence_id", found=sid,
                               expected="only sentences that back no fact",
                               message=f"this sentence backs {c['facts']} fact row(s) ({_show(c['fact_rows'], 120)}); "
                                       "delete this reason row"))
            continue
        reason, note = r.get("reason", ""), r.get("note", "")
        if reason in POINTING_REASONS:
            ids = _SENTENCE_ID.findall(note)
            good = [i for i in ids if i in facts and i.split("-")[0] == sid.split("-")[0] and facts[i]["facts"]]
            if not good:
                out.append(Problem(reasons_file, row=row, column="note", found=note,
                                   expected=f"the id of the sentence of the same article whose fact rows say the "
                                            f"same thing (e.g. {sid.split('-')[0]}-p03-s01)",
                                   message=f"a {reason!r} reason points at the sentence where the facts are recorded, "
                                           "and that sentence must back at least one fact row"))
        if reason in FACT_FREE_REASONS:
            found = fact_signs(text[sid], names.get(sid.split("-")[0], set()), credits)
            if found:
                out.append(Problem(reasons_file, row=row, column="reason", found=reason,
                                   expected="a sentence without a date, number, name, attributed statement or credit",
                                   message=f"the sentence contains {', '.join(found[:4])}: it states a fact, so "
                                           "record that fact (or, if the same article records it from another "
                                           "sentence, use 'restated' and name that sentence)"))
    return out


#: Words that report what someone said or thinks: a sentence with one reports an attributed statement.
REPORTING_WORDS = ("cho biết", "cho rằng", "khẳng định", "nói", "tuyên bố", "nhận định", "theo nguồn", "dẫn", "lo ngại",
                   "cáo buộc", "quy trách nhiệm", "kêu gọi", "yêu cầu", "thông báo", "xác nhận", "nhấn mạnh")


def fact_signs(sentence: str, names: set[str], credits: set[str]) -> list[str]:
    """What in a sentence shows it states a fact: a digit, a reporting word ('cho biết' ...), a credit
    (an outlet's name), or a capitalised word (other than the first) that is no part of a name the
    article's actor_names rows record."""
    found = []
    if re.search(r"\d", sentence):
        found.append("a digit")
    found += [f"the reporting word {w!r}" for w in REPORTING_WORDS if _contains_word(sentence.lower(), w)]
    found += [f"the credit {c!r}" for c in sorted(credits) if _contains_word(sentence, c)]
    covered = [False] * len(sentence)
    for n in set(names) | set(credits):
        for m in re.finditer(r"(?<!\w)" + re.escape(n) + r"(?!\w)", sentence) if n else []:
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    for m in re.finditer(r"\w+", sentence):
        if m.start() > 0 and m.group(0)[0].isupper() and not covered[m.start()]:
            found.append(f"the unrecorded name {m.group(0)!r}")
    return found


def _contains_word(text: str, name: str) -> bool:
    if not name:
        return False
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


def read_reasons(path: Path) -> dict[str, dict]:
    """sentence_reasons.csv as {sentence_id: row} with the spreadsheet row in ``_row`` ({} if the file is missing)."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["sentence_id"]: {**r, "_row": n} for n, r in enumerate(rows, start=2) if r.get("sentence_id")}
