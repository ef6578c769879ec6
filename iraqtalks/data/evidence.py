"""Show where a fact comes from: the row, its verbatim Vietnamese evidence, the English translation,
and the line of the raw seed it was copied from.

    >>> from iraqtalks import cite
    >>> c = cite("events", "e2024-01-27-first-round")
    >>> c.line
    3
    >>> print(c.evidence_en)
    On 27/1, Iraq and the US held the first round of talks
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from ..text.quotes import locate as locate_in
from .descriptor import read_package
from .loader import load
from .paths import seeds_dir_for
from .problems import UnknownKeyError, _closest, did_you_mean
from .seeds import read_raw


def primary_key(table: str, *, data_dir=None) -> list[str]:
    res = next(r for r in read_package(data_dir=data_dir)["resources"] if r["name"] == table)
    pk = res["schema"].get("primaryKey", [])
    return [pk] if isinstance(pk, str) else list(pk)


def lookup(table: str, key, *, data_dir=None) -> pd.Series:
    """The row of `table` whose primary key is `key` (a value, or a tuple for a compound key).

    A compound key may be given in part, from its first column on, when that part names one row only
    (``("a004", "wana", "photo_credit")`` for an attributions row whose key also has credit_as_written).
    """
    df = load(table, data_dir=data_dir)
    cols = primary_key(table, data_dir=data_dir)
    values = key if isinstance(key, (tuple, list)) else (key,)
    if not values or len(values) > len(cols):
        raise KeyError(f"{table}: the key has {len(cols)} part(s) ({', '.join(cols)}), but {len(values)} were given: {key!r}")
    if len(values) < len(cols):
        cols = cols[:len(values)]
        mask = pd.Series(True, index=df.index)
        for c, v in zip(cols, values):
            mask &= df[c].astype("string") == str(v)
        if int(mask.sum()) > 1:
            full = primary_key(table, data_dir=data_dir)
            options = "; ".join(repr(tuple(r)) for r in df.loc[mask, full].astype(str).itertuples(index=False))
            raise KeyError(f"{table}: {key!r} names {int(mask.sum())} rows; give the whole key "
                           f"({', '.join(full)}): {options}")
    mask = pd.Series(True, index=df.index)
    for c, v in zip(cols, values):
        mask &= df[c].astype("string") == str(v)
    hits = df[mask]
    if hits.empty:
        raise UnknownKeyError(f"The table {table!r} has no row with {', '.join(cols)} = {key!r}."
                              + _suggest(df, cols, values))
    return hits.iloc[0]


def _suggest(df: pd.DataFrame, cols: list[str], values) -> str:
    """' Did you mean ...?' for a mistyped key: the closest existing key, part by part."""
    if len(cols) == 1:
        return did_you_mean(values[0], df[cols[0]].astype(str).unique())
    keys = {" / ".join(k): k for k in df[cols].astype(str).itertuples(index=False, name=None)}
    hint = _closest(" / ".join(map(str, values)), keys)
    return f" Did you mean {keys[hint]!r}?" if hint else ""


def locate(article_id: str, quote: str, *, data_dir=None) -> tuple[int, int, int, int]:
    """Where `quote` sits in the raw seed of `article_id`: (line, char_start, char_end, occurrences),
    by the same rule as evidence_locations.csv (:func:`iraqtalks.text.quotes.locate`: overlapping occurrences count)."""
    art = lookup("articles", article_id, data_dir=data_dir)
    raw = read_raw(art["seed_file"], seeds_dir_for(data_dir))
    where = locate_in(raw, quote)
    if where is None:
        raise LookupError(f"{art['seed_file']}: the quote is not in the seed: {quote[:60]!r}")
    return where


@dataclass
class Citation:
    """One fact with its evidence. Displays as a card in Jupyter and as plain text elsewhere."""

    table: str
    key: str
    facts: dict = field(default_factory=dict)
    evidence: str = ""
    evidence_en: str = ""
    article_id: str = ""
    seed_file: str = ""
    line: int = 0
    char_start: int = 0
    char_end: int = 0

    def __repr__(self) -> str:
        lines = [f"{self.table} [{self.key}]"]
        lines += [f"  {k}: {v}" for k, v in self.facts.items()]
        lines += [f"  Vietnamese (verbatim): {self.evidence}",
                  f"  English: {self.evidence_en}",
                  f"  Source: seeds/{self.seed_file}, line {self.line}, characters {self.char_start}–{self.char_end}"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{e(str(k))}</th><td style='text-align:left'>{e(str(v))}</td></tr>"
                       for k, v in self.facts.items())
        return (
            "<div class='iraqtalks-citation' style='border-left:4px solid #0072B2;padding:0.4em 0.8em;margin:0.4em 0'>"
            f"<div style='font-weight:bold'>{e(self.table)} · {e(self.key)}</div>"
            f"<table style='margin:0.3em 0'>{rows}</table>"
            "<table style='width:100%;table-layout:fixed'><tr>"
            f"<td style='vertical-align:top;text-align:left' lang='vi'><b>Vietnamese (verbatim)</b><br>{e(self.evidence)}</td>"
            f"<td style='vertical-align:top;text-align:left' lang='en'><b>English</b><br>{e(self.evidence_en)}</td>"
            "</tr></table>"
            f"<div style='font-size:85%;color:#555'>Source: seeds/{e(self.seed_file)}, line {self.line}, "
            f"characters {self.char_start}–{self.char_end}</div></div>"
        )


def cite(table: str, key, fields: list[str] | None = None, *, data_dir=None) -> Citation:
    """A `Citation` for one row: the fields you name (default: every non-evidence field), its evidence and its place in the seed."""
    row = lookup(table, key, data_dir=data_dir)
    if "evidence" not in row.index:
        raise UnknownKeyError(f"The table {table!r} has no evidence column: cite a table whose rows carry evidence "
                              f"(events, numbers, quotes, ...).")
    skip = {"evidence", "evidence_en"}
    names = fields if fields is not None else [c for c in row.index if c not in skip]
    for c in names:
        if c not in row.index:
            raise UnknownKeyError(f"The table {table!r} has no column {c!r}." + did_you_mean(c, row.index)
                                  + f" Its columns are: {', '.join(row.index)}.")
    facts = {}
    for c in names:
        v = row[c]
        if pd.isna(v):
            continue
        facts[c] = v.date().isoformat() if isinstance(v, pd.Timestamp) else v
    line, start, end, _ = locate(row["article_id"], row["evidence"], data_dir=data_dir)
    seed_file = lookup("articles", row["article_id"], data_dir=data_dir)["seed_file"]
    key_text = " / ".join(str(k) for k in key) if isinstance(key, (tuple, list)) else str(key)
    return Citation(table, key_text, facts, row["evidence"], row["evidence_en"], row["article_id"], seed_file, line, start, end)


def side_by_side(df: pd.DataFrame, vi: str = "evidence", en: str = "evidence_en", keep: list[str] | None = None) -> pd.DataFrame:
    """The Vietnamese text and its English translation as two columns, with any columns in `keep` in front."""
    keep = list(keep or [])
    out = df[keep + [vi, en]].rename(columns={vi: "Vietnamese", en: "English"})
    return out.reset_index(drop=True)
