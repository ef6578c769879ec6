"""Checks for the outside-evidence tables (upstream_reports, upstream_links, upstream_searches).

datapackage.json declares three extensions, which `validate()` (and so `check-data`) enforces here:

- a field's ``x-max-words: N``: the cell has at most N words (an excerpt quoted for criticism);
- a resource's ``x-seed-quote: {"article_field": ..., "quote_fields": [...]}``: each quote occurs
  exactly, on one line, in the CLEAN text of its article (``data/clean/<article_id>.txt``);
- a resource's ``x-fact-ref: {"table_field": ..., "key_field": ...}``: the key names a row of the
  table named in the same row (a link Frictionless cannot declare).

URL form is an ordinary ``pattern`` constraint. Every problem names the file, the row and the column.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from .checks import _missing_mask
from .csvtext import _parse
from .descriptor import _as_list, _resource, _resources
from .evidence_checks import _quote_hint
from .problems import Problem, _display

__all__ = ["check", "CLEAN_DIR"]

#: Folder (inside the data folder) holding the clean texts the seed quotes are checked against.
CLEAN_DIR = "clean"


def _word_count(text: str) -> int:
    return len(text.split())


def _clean_texts(dd: Path, articles: set[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for aid in sorted(articles):
        path = dd / CLEAN_DIR / f"{aid}.txt"
        try:
            out[aid] = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            out[aid] = None
    return out


def _table_keys(dd: Path, pkg: dict, name: str) -> set[str] | None:
    try:
        res = _resource(pkg, name)
    except Exception:  # an unknown table: reported as an enum problem of the table field
        return None
    pk = _as_list(res["schema"].get("primaryKey"))
    parsed = _parse(dd / res["path"])
    if len(pk) != 1 or not parsed.exists or parsed.header is None or pk[0] not in parsed.col:
        return None
    return set(parsed.column(pk[0]))


def check(dd: Path, pkg: dict, resources: list[dict]) -> list[Problem]:
    """Problems with the x-max-words, x-seed-quote and x-fact-ref declarations of `resources`."""
    out: list[Problem] = []
    for res in resources:
        fields = res["schema"]["fields"]
        limited = [(f["name"], int(f["x-max-words"])) for f in fields if f.get("x-max-words")]
        seedq = res.get("x-seed-quote")
        fact = res.get("x-fact-ref")
        if not (limited or seedq or fact):
            continue
        path = dd / res["path"]
        parsed = _parse(path)
        if not parsed.exists or parsed.header is None:
            continue  # reported by the table's own check
        shown = _display(path)
        missing = _missing_mask(res, parsed.values)
        rows, col = parsed.rows, parsed.col
        for name, limit in limited:
            if name not in col:
                continue
            for r, v in enumerate(parsed.column(name)):
                n = _word_count(v)
                if n > limit:
                    out.append(Problem(shown, row=int(rows[r]), column=name, found=v,
                                       expected=f"at most {limit} words (this one has {n})",
                                       message="an upstream excerpt is a short quotation for criticism, never a "
                                               "whole passage: keep only the words the comparison needs"))
        if seedq and seedq.get("article_field") in col:
            aids = parsed.column(seedq["article_field"])
            texts = _clean_texts(dd, set(aids) - {""})
            for q in _as_list(seedq.get("quote_fields")):
                if q not in col:
                    continue
                for r in (~missing[:, col[q]]).nonzero()[0]:
                    aid, v = aids[r], parsed.column(q)[r]
                    where = f"data/{CLEAN_DIR}/{aid}.txt"
                    text = texts.get(aid)
                    if text is None:
                        out.append(Problem(shown, row=int(rows[r]), column=q, found=v,
                                           expected=f"a quote from the clean text {where}",
                                           message=("that clean text cannot be read: run `python -m iraqtalks build`"
                                                    if aid else "the row has no article_id")))
                        continue
                    if "\n" in v or "\r" in v:
                        out.append(Problem(shown, row=int(rows[r]), column=q, found=v,
                                           expected="a quote on a single line",
                                           message="a seed quote never spans lines: use two rows"))
                        continue
                    if v in text:
                        continue
                    others = {a: t for a, t in texts.items() if a != aid and t}
                    nfc = unicodedata.normalize("NFC", v)
                    hint = _quote_hint(v, text, others) if nfc == v or nfc not in text else \
                        "it matches once normalised to NFC"
                    out.append(Problem(shown, row=int(rows[r]), column=q, found=v,
                                       expected=f"text copied exactly from the clean text {where} (article {aid})",
                                       message="the seed side of a link must be the page's own words; " + hint))
        if fact and fact.get("table_field") in col and fact.get("key_field") in col:
            tf, kf = fact["table_field"], fact["key_field"]
            tables, keys = parsed.column(tf), parsed.column(kf)
            tmiss, kmiss = missing[:, col[tf]], missing[:, col[kf]]
            known: dict[str, set[str] | None] = {}
            for r in range(len(tables)):
                t, k = tables[r], keys[r]
                if tmiss[r] and kmiss[r]:
                    continue
                if tmiss[r] != kmiss[r]:
                    empty, other = (tf, kf) if tmiss[r] else (kf, tf)
                    out.append(Problem(shown, row=int(rows[r]), column=empty, found="",
                                       expected=f"a value, because {other} is filled",
                                       message=f"{tf} and {kf} are filled together or left empty together"))
                    continue
                if t not in known:
                    known[t] = _table_keys(dd, pkg, t) if t in _resources(pkg) else None
                ks = known[t]
                if ks is not None and k not in ks:
                    out.append(Problem(shown, row=int(rows[r]), column=kf, found=k,
                                       expected=f"the key of a row of {t}",
                                       message=f"no row of {t} has this key"))
    return out

