"""The capstone's :class:`Brief` (lesson 07): each sentence of a learner's brief tied to rows of the tables,
checked against a checklist and exported to Markdown with a footnote per claim.
"""
from __future__ import annotations

import difflib
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.descriptor import enum_labels, table_names
from ..data.evidence import cite, primary_key
from ..data.paths import EXPORTS_DIR
from ..text.labels import MONTHS_EN as _MONTHS
from ..text.labels import NUMBER_WORDS_EN as _NUMBER_WORDS
from ..text.labels import date_text
from .common import as_text, get_table

_RANGE_WORDS = ("between", "late", "early", "end of", "start of", "beginning of", "by ", "before", "after",
                "around", "some time", "sometime", "within", "–", " or ", " to ", "until", "mid-")


_ANON_WORDS = ("unnamed", "anonymous", "unidentified", "official", "source", "sources")


_STOP = {"the", "of", "and", "in", "for", "a", "an", "office", "another", "unnamed", "us", "government"}


def _month_names(m: int) -> tuple[str, str]:
    return _MONTHS[m - 1], _MONTHS[m - 1][:3]


def _mentions_day_month(text: str, day: int | None = None, month: int | None = None) -> bool:
    """Does `text` name a day of a month ('27 January', 'Jan 27', '27 Jan')? Optionally a particular one."""
    months = [month] if month else range(1, 13)
    for m in months:
        full, short = _month_names(m)
        d = rf"{day}" if day else r"\d{1,2}"
        if re.search(rf"\b{d}(st|nd|rd|th)?\s+({full}|{short})\b|\b({full}|{short})\.?\s+{d}(st|nd|rd|th)?\b", text):
            return True
    return False


def _date_problem(text: str, ev: pd.Series, data_dir=None) -> str:
    """'' if the claim gives the event's date as precisely as the data knows it (and no more), else what to fix."""
    s, e, p = ev["date_start"], ev["date_end"], str(ev["date_precision"])
    known = f"{date_text(s, e, p)} ({enum_labels('events', 'date_precision', 'en', data_dir=data_dir).get(p, p)})"
    low = text.casefold()
    if p == "day":
        if not _mentions_day_month(text, s.day, s.month):
            return f"give the day: the data knows it exactly, {known}"
        return ""
    if p == "year":
        return "" if str(s.year) in text else f"give the year: {known}"
    months = sorted({p_.month for p_ in pd.period_range(s, e, freq="M")})
    names = [n for m in months for n in _month_names(m)] + [str(y) for y in range(s.year, e.year + 1)]
    if not any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
        return f"say when: the data knows {known}"
    if _mentions_day_month(text) and not any(w in low for w in _RANGE_WORDS):
        return f"too precise: the data knows only {known}"
    return ""


def _number_forms(v: float) -> list[str]:
    if v != int(v):
        return [f"{v:g}"]
    n = int(v)
    forms = [f"{n:,}", str(n)]
    if n < len(_NUMBER_WORDS):
        forms.append(_NUMBER_WORDS[n])
    return forms


def _number_problem(text: str, row: pd.Series, data_dir=None) -> str:
    low = text.casefold()
    q = str(row["qualifier"])
    problems = []
    v = row["value"]
    if not pd.isna(v) and q != "vague":
        if not any(re.search(rf"(?<![\d,.]){re.escape(f)}(?![\d,])", low) for f in _number_forms(float(v))):
            problems.append(f"give the figure ({_number_forms(float(v))[0]})")
    words = enum_labels("numbers", "qualifier", "words_en", data_dir=data_dir).get(q, ())
    if words and not _hedge_kept(low, words, None if pd.isna(v) or q == "vague" else float(v)):
        problems.append(f"keep the hedge '{row['qualifier_as_written'] or q}' (e.g. '{words[0]}')")
    return "; ".join(problems)


_ANY_NUMBER = r"(?:\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")\b"


def _hedge_kept(low: str, words, value: float | None) -> bool:
    """Whether the hedge stands on the figure: right before it, or before a figure it shares
    ('about 2,500 in Iraq and 900 in Syria'). A vague amount only needs its word."""
    if value is None:
        return any(re.search(rf"\b{re.escape(w)}\b", low) for w in words)
    forms = [re.escape(f) for f in _number_forms(value)]
    figure = re.compile(rf"(?<![\d,.])(?:{'|'.join(forms)})(?![\d,])")
    for w in words:
        for m in re.finditer(rf"\b{re.escape(w)}\s+(?={_ANY_NUMBER})", low):
            after = low[m.end():].split()
            if figure.search(" ".join(after[:9])):
                return True
    return False


#: Source-note kinds that record a real difference about a fact (not a spelling or a typo).
_DIFFERENCE_KINDS = {"disagreement", "error", "self_contradiction", "ambiguity"}
_DIFFERENCE_WORDS = ("disagree", "differ", "different", "contradict", "conflict", "inconsistent", "unclear",
                     "not clear", "ambiguous", "error", "mistake", "wrong", "does not fit", "doesn't fit", "whereas",
                     "while", "but", "however", "either", "unverified", "not confirmed", "vary", "varies")
_TOPIC_STOP = {"the", "and", "what", "how", "many", "much", "did", "does", "do", "who", "why", "when", "with",
               "for", "from", "that", "this", "not", "or", "its", "their", "article", "articles", "source", "sources",
               "say", "says", "said", "one", "two", "all", "at", "in", "on", "of", "to", "a", "an", "is", "are"}


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) >= 3 and w not in _TOPIC_STOP}


def _disagreement_problem(text: str, note: pd.Series, cited_sides: set[str], all_sides: set[str]) -> str:
    """'' if the claim acknowledges the note's difference: a note of a difference kind, every side cited,
    and a claim that says there is a difference about the note's fact; else what to fix."""
    nid, kind = str(note["note_id"]), str(note["kind"])
    if kind not in _DIFFERENCE_KINDS:
        return f"{nid} is a {kind.replace('_', ' ')} note, not a disagreement, error or ambiguity about a fact"
    problems = []
    if cited_sides != all_sides:
        problems.append(f"cite every side of {nid} (source_notes=\"{nid}\")")
    low = text.casefold()
    if not any(re.search(rf"\b{re.escape(w)}", low) for w in _DIFFERENCE_WORDS):
        problems.append("say that the sources differ (or what is wrong or unclear), not only what one says")
    if not _stems(text) & _stems(str(note["title_en"])):
        problems.append(f"say what the difference is about ({note['title_en']})")
    return "; ".join(problems)


def _name_words(name: str) -> list[str]:
    base = re.sub(r"\s*\(.*?\)", "", name)
    inside = re.findall(r"\((.*?)\)", name)
    words = [w.strip(",.'") for w in base.split()]
    out = [base] + inside + [w for w in words if len(w) >= 3 and w.casefold() not in _STOP]
    return [w for w in dict.fromkeys(out) if w]


def _attribution_problem(text: str, q: pd.Series, actors: pd.DataFrame, outlets: pd.DataFrame) -> str:
    low = text.casefold()
    sp = actors.loc[as_text(actors["actor_id"]) == str(q["speaker_id"])]
    problems = []
    if not sp.empty:
        name, kind = str(sp["name_en"].iloc[0]), str(sp["kind"].iloc[0])
        words = _name_words(name) + (list(_ANON_WORDS) if kind == "anonymous_source" else [])
        if not any(re.search(rf"\b{re.escape(w.casefold())}", low) for w in words):
            problems.append(f"say who said it ({name})")
    via = "" if pd.isna(q["via_outlet_id"]) else str(q["via_outlet_id"])
    if via:
        o = outlets.loc[as_text(outlets["outlet_id"]) == via]
        oname = str(o["name"].iloc[0]) if not o.empty else via
        if not any(re.search(rf"\b{re.escape(w.casefold())}\b", low) for w in _name_words(oname)):
            problems.append(f"name the agency it came through ({oname})")
    return "; ".join(problems)


def _claims_need(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"claim {numbers[0]} needs evidence"
    return f"claims {', '.join(map(str, numbers[:-1]))} and {numbers[-1]} need evidence"


@dataclass
class Claim:
    """One sentence of a brief and the rows that back it: a list of (table, key)."""

    text: str
    sources: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class BriefCheck:
    """The result of :meth:`Brief.check`: ``ok`` and a DataFrame of ``problems`` (claim, text, problem)."""

    total: int
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.problems.empty

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"All {self.total} claims are tied to evidence rows."
        n = self.problems["claim"].nunique()
        lines = [f"{n} of {self.total} claims {'needs' if n == 1 else 'need'} evidence:"]
        lines += [f"  claim {r.claim}: {textwrap.shorten(r.text, 70, placeholder='…')} — {r.problem}"
                  for r in self.problems.itertuples(index=False)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html
        if self.ok:
            return f"<p><b>✓ All {self.total} claims are tied to evidence rows.</b></p>"
        rows = "".join(f"<tr><td>{r.claim}</td><td>{html.escape(r.text)}</td><td>{html.escape(r.problem)}</td></tr>"
                       for r in self.problems.itertuples(index=False))
        n = self.problems["claim"].nunique()
        return (f"<p><b>✗ {n} of {self.total} claims {'needs' if n == 1 else 'need'} evidence:</b></p>"
                f"<table><tr><th>claim</th><th>text</th><th>problem</th></tr>{rows}</table>")


_MD_ALWAYS = set("\\`*[]<|~$")          # inline syntax: emphasis, code, links/images/footnotes, HTML, tables, math


_MD_LINE_START = re.compile(r"(#|>|=|[+\-*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$)))")


_MD_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


_MD_NEWLINE = re.compile(r"\r\n|\r|\n")


def _md_line(line: str, also: str = "") -> str:
    out = []
    for i, ch in enumerate(line):
        if ch in _MD_ALWAYS or ch in also:
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()):
            out.append("\\_")  # an underscore inside a word (seed_file, 001_e19...) is never emphasis
        else:
            out.append(ch)
    text = _MD_ENTITY.sub("\\\\&", "".join(out))
    m = _MD_LINE_START.match(text)
    if m and not text.startswith("\\"):  # a heading, quote, list item or underline if it began a line
        end = m.end()
        text = (text[:end] + "\\" + text[end:]) if m.group(0)[0].isdigit() else "\\" + text
    return text


def md_text(text, indent: str = "", heading: bool = False) -> str:
    """`text` (a learner's sentence, a quote from the data) as Markdown that previews as exactly that text.

    Every character Markdown would read as syntax is backslash-escaped (CommonMark: any ASCII
    punctuation may be): emphasis ``* _ ~``, code `````, links, images and footnotes ``[ ]``, raw
    HTML ``<``, entities ``&name;``, tables ``|``, math ``$`` (JupyterLab and GitHub render ``$...$``),
    and at the start of a line ``# > = + - *`` and ``1.``.  So ``![x](http://host/)`` is not an image,
    ``[a](javascript:...)`` not a link, ``<img onerror=...>`` and ``<script>`` not HTML, ``[^1]:`` not a
    footnote.  Line breaks become Markdown line breaks (the next line indented by `indent`, to stay in
    its list item or footnote); blank lines and the spaces at the start and end of each line are dropped.
    `heading=True` is for the text of a heading, which has one line: the lines are joined by spaces and
    every ``#`` is escaped (a heading's trailing ``#`` would be dropped).
    """
    lines = [ln.strip() for ln in _MD_NEWLINE.split("" if text is None else str(text))]
    if heading:
        return _md_line(" ".join(ln for ln in lines if ln), also="#")
    return ("\\\n" + indent).join(_md_line(ln) for ln in lines if ln)


def md_code(text) -> str:
    """`text` as a Markdown code span, whatever backticks it holds."""
    text = "" if text is None else str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


class Brief:
    """A short brief in which every claim is tied to rows of the kit's tables.

    >>> b = Brief("The talks in one paragraph")
    >>> b.claim("Iraq and the US held a first round of talks on 27 January 2024.", events="e2024-01-27-first-round")
    >>> b.claim("A sentence with no evidence yet.")
    >>> b.check().ok
    False

    Sources are given as keyword arguments named after a table: ``events="e2024-01-27-first-round"``,
    ``numbers=["n06", "n22"]`` (a list for several rows), ``source_note_evidence=("sn02-attack-count", "a")``
    (a tuple is one compound key).  ``source_notes="sn02-attack-count"`` cites every side of a
    source note.  :meth:`check` lists claims without evidence, :meth:`checklist` runs the checklist,
    :meth:`markdown` / :meth:`to_markdown` export it with a footnote per claim quoting the
    Vietnamese evidence and its English translation.
    """

    CHECKLIST = (
        ("evidence", "Every claim is tied to an evidence row"),
        ("dates", "Dates are as precise as the data knows them, and no more"),
        ("numbers", "Numbers keep their hedges (about, more than, at least ...)"),
        ("attribution", "Attribution is named: who said it, and through which agency"),
        ("disagreement", "At least one disagreement, error or ambiguity is acknowledged"),
    )

    def __init__(self, title: str, intro: str = "", data_dir=None):
        if not isinstance(title, str) or not title.strip():
            raise ValueError("Brief: give the brief a title")
        self.title = title.strip()
        self.intro = intro.strip()
        self.data_dir = data_dir
        self.claims: list[Claim] = []
        self._tables = [t for t in table_names(data_dir=data_dir)]

    # ---- building ---------------------------------------------------------------------------
    def claim(self, text: str, **sources) -> None:
        """Add one claim (a sentence in English) and the rows that back it, as table=key keyword arguments."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("claim: write the claim as a non-empty sentence")
        pairs: list[tuple[str, object]] = []
        for table, keys in sources.items():
            if table not in self._tables:
                close = difflib.get_close_matches(table, self._tables, n=1)
                hint = f" Did you mean {close[0]}=...?" if close else ""
                raise ValueError(f"claim: {table!r} is not a table of the kit.{hint} "
                                 f"Tables: {', '.join(self._tables)}")
            for k in (keys if isinstance(keys, list) else [keys]):
                pairs.append((table, tuple(k) if isinstance(k, (tuple, list)) else k))
        self.claims.append(Claim(text.strip(), pairs))

    def _number(self, number: int) -> int:
        if not isinstance(number, int) or not 1 <= number <= len(self.claims):
            raise IndexError(f"claims are numbered 1 to {len(self.claims)}; found {number!r}")
        return number - 1

    def revise(self, number: int, text: str, **sources) -> None:
        """Rewrite claim `number` (1 = the first).  Without new sources it keeps the ones it had."""
        i = self._number(number)
        self.claim(text, **sources)  # checks the text and the sources, then appends
        new = self.claims.pop()
        if not sources:
            new.sources = list(self.claims[i].sources)
        self.claims[i] = new

    def drop(self, number: int) -> None:
        """Remove claim `number` (1 = the first); the claims after it move up."""
        self.claims.pop(self._number(number))

    # ---- checking ---------------------------------------------------------------------------
    def _rows(self, table: str, key) -> list[tuple[str, object, pd.Series]]:
        """The evidence rows behind one source: [(table, key, row)]; source_notes expand to their sides."""
        from ..data.evidence import lookup
        if table == "source_notes":
            lookup("source_notes", key, data_dir=self.data_dir)
            ev = get_table("source_note_evidence", data_dir=self.data_dir)
            sides = ev[as_text(ev["note_id"]) == str(key)]
            return [("source_note_evidence", (str(key), str(r["side"])), r) for _, r in sides.iterrows()]
        row = lookup(table, key, data_dir=self.data_dir)
        if "evidence" not in row.index:
            raise LookupError(f"{table} rows carry no evidence quote; cite a table that has an evidence column")
        return [(table, key, row)]

    def _note_fixes(self, c: Claim) -> dict[str, str]:
        """{note id: what to fix ('' when the claim acknowledges it)} for the source notes claim `c` cites."""
        from ..data.evidence import lookup
        cited: dict[str, set[str]] = {}
        for table, key in c.sources:
            if table in ("source_notes", "source_note_evidence"):
                for _t, _k, row in self._rows(table, key):
                    cited.setdefault(str(row["note_id"]), set()).add(str(row["side"]))
        if not cited:
            return {}
        ev = get_table("source_note_evidence", data_dir=self.data_dir)
        out = {}
        for nid, sides in cited.items():
            note = lookup("source_notes", nid, data_dir=self.data_dir).copy()
            note["note_id"] = nid
            every = set(as_text(ev.loc[as_text(ev["note_id"]) == nid, "side"]))
            out[nid] = _disagreement_problem(c.text, note, sides, every)
        return out

    def _key_hint(self, table: str, key) -> str:
        pk = primary_key(table, data_dir=self.data_dir)
        df = get_table(table, data_dir=self.data_dir)
        keys = [" / ".join(map(str, k)) if len(pk) > 1 else str(k[0])
                for k in zip(*(as_text(df[c]) for c in pk))]
        shown = " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        close = difflib.get_close_matches(shown, keys, n=1, cutoff=0.5)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def check(self) -> BriefCheck:
        """Claims without evidence: no source given, or a key that is not in its table."""
        problems = []
        for i, c in enumerate(self.claims, 1):
            if not c.sources:
                problems.append((i, c.text, "no source row given"))
            for table, key in c.sources:
                try:
                    self._rows(table, key)
                except (KeyError, LookupError) as exc:
                    msg = str(exc.args[0]) if exc.args else str(exc)
                    hint = self._key_hint(table, key) if isinstance(exc, KeyError) else ""
                    problems.append((i, c.text, f"{msg}{hint}"))
        return BriefCheck(len(self.claims), pd.DataFrame(problems, columns=["claim", "text", "problem"]))

    def checklist(self) -> pd.DataFrame:
        """The checklist, item by item: item, done (True/False) and what to fix (``detail``)."""
        check = self.check()
        bad_claims = set(check.problems["claim"])
        results = {"evidence": (check.ok and bool(self.claims),
                                "no claims yet" if not self.claims else
                                "" if check.ok else _claims_need(sorted(bad_claims)))}
        dated = numbered = hedged = quoted = noted = 0
        date_fix, num_fix, att_fix, note_fix = [], [], [], []
        actors = outlets = None
        for i, c in enumerate(self.claims, 1):
            if i in bad_claims:
                continue
            fix = self._note_fixes(c)
            ok_note = any(p == "" for p in fix.values())
            noted += ok_note
            note_fix += [] if ok_note else [f"claim {i}: {p}" for p in fix.values()]
            for table, key in c.sources:
                if table in ("source_notes", "source_note_evidence"):
                    continue
                row = self._rows(table, key)[0][2]
                if table == "events":
                    dated += 1
                    p = _date_problem(c.text, row, self.data_dir)
                    if p:
                        date_fix.append(f"claim {i}: {p}")
                elif table == "numbers":
                    numbered += 1
                    hedged += str(row["qualifier"]) != "exact"
                    p = _number_problem(c.text, row, self.data_dir)
                    if p:
                        num_fix.append(f"claim {i}: {p}")
                elif table == "quotes":
                    quoted += 1
                    if actors is None:
                        actors, outlets = get_table("actors", data_dir=self.data_dir), get_table("outlets", data_dir=self.data_dir)
                    p = _attribution_problem(c.text, row, actors, outlets)
                    if p:
                        att_fix.append(f"claim {i}: {p}")
        results["dates"] = (dated > 0 and not date_fix,
                            "no claim cites an events row" if not dated else "; ".join(date_fix))
        if numbered and not hedged and not num_fix:
            num_fix = ["every figure cited is exact: cite a hedged figure (a numbers row whose qualifier is not "
                       "exact) and keep its hedge in the claim"]
        results["numbers"] = (numbered > 0 and hedged > 0 and not num_fix,
                              "no claim cites a numbers row" if not numbered else "; ".join(num_fix))
        results["attribution"] = (quoted > 0 and not att_fix,
                                  "no claim cites a quotes row" if not quoted else "; ".join(att_fix))
        results["disagreement"] = (noted > 0, "" if noted else "; ".join(note_fix) if note_fix else
                                   "no claim cites source_notes or source_note_evidence")
        return pd.DataFrame([{"item": text, "done": bool(results[k][0]), "detail": results[k][1]}
                             for k, text in self.CHECKLIST])

    # ---- export -----------------------------------------------------------------------------
    def _footnote(self, i: int, c: Claim) -> str:
        """The footnote of claim `i`: every row's key, article, seed line and quotes, escaped (see :func:`md_text`)."""
        lines = []
        seen_notes = set()
        ind = "    "
        for table, key in c.sources:
            if table == "source_notes" and key not in seen_notes:
                from ..data.evidence import lookup
                note = lookup("source_notes", key, data_dir=self.data_dir)
                seen_notes.add(key)
                lines.append(f"Source note {md_code(key)} ({md_text(note['kind'], ind)}): "
                             f"{md_text(note['title_en'], ind)}. {md_text(note['explanation_en'], ind)}")
            for t, k, row in self._rows(table, key):
                ci = cite(t, k, [], data_dir=self.data_dir)
                key_text = " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
                extra = ""
                if t == "events":
                    p = str(row["date_precision"])
                    extra = f" Date as known: {date_text(row['date_start'], row['date_end'], p)} ({enum_labels('events', 'date_precision', 'en', data_dir=self.data_dir)[p]})."
                elif t == "numbers":
                    extra = f" Figure: {row['value_as_written']} ({row['qualifier']}), counts: {row['counted_en']}."
                elif t == "quotes":
                    extra = f" Speaker: {md_code(row['speaker_id'])}, {md_text(row['mode'])} quote" + (
                        f", via {md_code(row['via_outlet_id'])}." if not pd.isna(row["via_outlet_id"]) else ".")
                if t != "quotes":
                    extra = md_text(extra, ind)
                lines.append(f"{md_code(t)} · {md_code(key_text)} — "
                             f"{md_text(f'{ci.article_id}, seeds/{ci.seed_file}, line {ci.line}.', ind)}"
                             f"{' ' if extra and not extra.startswith(' ') else ''}{extra}")
                lines.append(f"Vietnamese: “{md_text(ci.evidence, ind)}”")
                lines.append(f"English: “{md_text(ci.evidence_en, ind)}”")
        if not lines:
            lines = ["**No evidence given for this claim.**"]
        # One paragraph per line; later paragraphs of a footnote are indented by four spaces.
        return f"[^{i}]: {lines[0]}" + "".join(f"\n\n{ind}{ln}" for ln in lines[1:])

    def markdown(self) -> str:
        """The brief as Markdown: title, intro, numbered claims with footnotes, the checklist, the sources.

        Every text from the learner or the data is escaped with :func:`md_text`, so a preview shows it
        exactly as written: no image, link, footnote, HTML or math can come from a claim or a quote.
        """
        out = [f"# {md_text(self.title, heading=True)}", ""]
        if self.intro:
            out += [md_text(self.intro), ""]
        for i, c in enumerate(self.claims, 1):
            prefix = f"{i}. "
            out.append(f"{prefix}{md_text(c.text, ' ' * len(prefix))}[^{i}]")
        out += ["", "## Checklist", ""]
        for r in self.checklist().itertuples(index=False):
            out.append(f"- [{'x' if r.done else ' '}] {md_text(r.item, '  ')}"
                       + (f" — {md_text(r.detail, '  ')}" if r.detail else ""))
        out += ["", "## Sources", "",
                "Each footnote quotes the evidence verbatim from the Vietnamese article, with the kit's English translation.",
                ""]
        problems = self.check().problems
        for i, c in enumerate(self.claims, 1):
            if i in set(problems["claim"]):
                out.append(f"[^{i}]: **No evidence: "
                           + "; ".join(md_text(x, "    ") for x in problems.loc[problems["claim"] == i, "problem"]) + "**")
            else:
                out.append(self._footnote(i, c))
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def to_markdown(self, path: str | Path | None = None) -> Path:
        """Write :meth:`markdown` to `path` (default: the kit's exports/brief.md) and return the path.

        The same brief always gives the same bytes (UTF-8, LF line ends, no date stamp).  The kit's
        exports/ folder gets a .gitignore of its own, so exports never show up as changes in git.
        """
        target = Path(path) if path is not None else EXPORTS_DIR / "brief.md"
        if target.suffix.lower() not in (".md", ".markdown"):
            raise ValueError(f"to_markdown: give a Markdown file name ending in .md, found {str(target)!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.resolve() == EXPORTS_DIR.resolve():
            ignore = EXPORTS_DIR / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Made by iraqtalks.analysis: exports are outputs, not part of the kit.\n*\n",
                                  encoding="utf-8", newline="\n")
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(self.markdown())
        return target

    # ---- display ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [self.title, ""] + ([self.intro, ""] if self.intro else [])
        for i, c in enumerate(self.claims, 1):
            src = ", ".join(f"{t}:{' / '.join(map(str, k)) if isinstance(k, tuple) else k}" for t, k in c.sources)
            lines.append(f"{i}. {c.text}  [{src or 'no source'}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html
        e = html.escape
        items = []
        for c in self.claims:
            src = ", ".join(f"<code>{e(t)}:{e(' / '.join(map(str, k)) if isinstance(k, tuple) else str(k))}</code>"
                            for t, k in c.sources) or "<b>no source</b>"
            items.append(f"<li>{e(c.text)} <span style='font-size:85%;color:#555'>[{src}]</span></li>")
        intro = f"<p>{e(self.intro)}</p>" if self.intro else ""
        return f"<div class='iraqtalks-brief'><h4>{e(self.title)}</h4>{intro}<ol>{''.join(items)}</ol></div>"
