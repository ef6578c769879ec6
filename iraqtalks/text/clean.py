"""Raw seed -> clean text -> sentences: a small, rule-based cleaner whose every change is logged.

The seeds in ``seeds/`` are web pages saved as text. Besides the article they carry page
furniture: player remnants, widgets, repeated captions, sidebars. This module removes that
furniture with *named rules that are data* (``data/cleaning_rules.csv``, declared in datapackage.json, each
rule with a reason in plain words; read with :func:`read_rules` from the path the caller gives, by
:mod:`iraqtalks.data.cleaning`), and writes one ``cleaning_log`` row for every change it makes. Nothing else in the
text changes: typos stay (a000 writes 'chuyể' for 'chuyển'; that is the article's own error).

What the cleaner does, in order, to one raw seed:

1. ``drop_block``  an article rule matches a line: that line and everything after it to the
   end of the page is dropped (a004's poll and its news lists dated September 2024).
2. ``drop_line``   an article rule or a general rule matches a whole line: the line is dropped.
3. ``drop_duplicate``  a line repeats the previous kept line word for word (a caption printed
   twice): the second copy is dropped.
4. ``strip_prefix``  an article rule names text run into the start of a line: it is removed.
5. ``restore_word``  a word hidden behind a dot (``t.hiệt``) gets its dot removed, see
   :func:`restore_obfuscation`.

Layout of the clean text (this is format, not text, and is not logged): one paragraph per
line, one blank line between paragraphs, LF line ends, a final newline. The raw pages have
one, several or no blank lines between paragraphs; those blank lines carry no words.

Every article rule must match at least one line of its seed. A rule that matches nothing
means the seed and the rules have drifted apart, and :class:`CleaningError` stops the build.
The rules file also marks the subheadings of an article (action ``subheading``, see :func:`split_sentences`).
The rules of the Vietnamese text itself, the same for every article (dotted words that are not hidden words,
abbreviations, caption credits), are the constants of this module.

Example:

>>> restore_obfuscation("ba binh sĩ t.hiệt m.ạng, 2.500 quân, vi khuẩn E.coli")
('ba binh sĩ thiệt mạng, 2.500 quân, vi khuẩn E.coli', [('t.hiệt', 'thiệt'), ('m.ạng', 'mạng')])
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CleaningError",
    "Rule",
    "RuleSet",
    "RULE_COLUMNS",
    "read_rules",
    "OBFUSCATION_EXCEPTIONS",
    "CAPTION_RULES",
    "ABBREVIATIONS",
    "clean_article",
    "restore_obfuscation",
    "split_sentences",
]


class CleaningError(ValueError):
    """The cleaning rules and a seed do not fit together (a rule matches nothing, a headline differs...)."""


@dataclass(frozen=True)
class Rule:
    """One cleaning rule.

    name    short id, unique among the rules of its article and the general rules
    action  drop_line | drop_block | strip_prefix, or subheading (the clean line ``pattern`` is a subheading)
    match   how ``pattern`` is compared with one raw line:
            'line'   the whole line equals ``pattern``
            'prefix' the line starts with ``pattern`` (for strip_prefix, ``pattern`` is what is removed)
            'regex'  ``re.search(pattern, line)`` finds something
    pattern the text or regular expression
    reason  why, in plain words; copied into the cleaning log
    """

    name: str
    action: str
    match: str
    pattern: str
    reason: str

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise CleaningError(f"rule {self.name!r}: action {self.action!r} is not {', '.join(ACTIONS[:-1])} "
                                f"or {ACTIONS[-1]}")
        if self.match not in ("line", "prefix", "regex"):
            raise CleaningError(f"rule {self.name!r}: match {self.match!r} is not line, prefix or regex")
        if self.action == "strip_prefix" and self.match != "prefix":
            raise CleaningError(f"rule {self.name!r}: strip_prefix needs match='prefix' (the exact text to remove)")
        if self.action == "subheading" and self.match != "line":
            raise CleaningError(f"rule {self.name!r}: subheading needs match='line' (the whole line of the clean text)")
        if self.match == "regex":
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise CleaningError(f"rule {self.name!r}: pattern {self.pattern!r} is not a valid regular "
                                    f"expression ({exc})") from None
        if not self.pattern:
            raise CleaningError(f"rule {self.name!r}: empty pattern")

    def matches(self, line: str) -> bool:
        if self.match == "line":
            return line == self.pattern
        if self.match == "prefix":
            return line.startswith(self.pattern)
        return re.search(self.pattern, line) is not None


#: What a rule may do (see :class:`Rule`).
ACTIONS = ("drop_line", "drop_block", "strip_prefix", "subheading")

#: Reason logged when a line repeats the previous kept line (general rule ``repeated-line``).
DUPLICATE_REASON = (
    "Printed twice: this line repeats line {kept} word for word (a caption or credit shown "
    "twice by the page). The first copy is kept."
)


# --- The rules file --------------------------------------------------------------------------

#: The columns of the rules file (data/cleaning_rules.csv), in order.
RULE_COLUMNS = ("article_id", "name", "action", "match", "pattern", "reason")


@dataclass(frozen=True)
class RuleSet:
    """The cleaning rules of a data folder: ``(article_id, Rule)`` pairs in file order, an empty article_id
    for a general rule (for every article, which may match nothing). ``source`` names the file in messages and
    ``rows`` gives the spreadsheet row of each rule (the header is row 1)."""

    rules: tuple[tuple[str, Rule], ...]
    source: str = "data/cleaning_rules.csv"
    rows: tuple[int, ...] = ()
    articles: frozenset[str] = field(default=frozenset(), init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "articles", frozenset(a for a, _ in self.rules if a))

    def general(self) -> list[Rule]:
        """The rules for every article (not subheadings)."""
        return [r for a, r in self.rules if not a and r.action != "subheading"]

    def for_article(self, article_id: str) -> list[Rule]:
        """The cleaning rules of one article (not its subheadings); each must match a line of its seed."""
        return [r for a, r in self.rules if a == article_id and r.action != "subheading"]

    def subheadings(self, article_id: str) -> list[Rule]:
        """The subheadings of one article: whole lines of its clean text."""
        return [r for a, r in self.rules if a in (article_id, "") and r.action == "subheading"]


def read_rules(path: str | Path, shown: str | None = None) -> RuleSet:
    """The rules file at `path` (CSV, UTF-8, the columns :data:`RULE_COLUMNS`) as a :class:`RuleSet`.

    `shown` is the file's name in messages (default: the path). Raises :class:`CleaningError` naming the
    file, the row (the header is row 1) and the column when the file is missing, a column is missing or
    extra, a rule is malformed (:class:`Rule`) or a name is used twice for one article.
    """
    shown = shown or str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            body = list(reader)
    except FileNotFoundError:
        raise CleaningError(f"{shown}: no such file; expected the cleaning rules, with the columns "
                            f"{', '.join(RULE_COLUMNS)} (restore it, e.g. from git)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CleaningError(f"{shown}: cannot be read as UTF-8 text ({exc})") from None
    if header is None or tuple(header) != RULE_COLUMNS:
        raise CleaningError(f"{shown}, row 1: found the columns {', '.join(header or []) or '(none)'}; "
                            f"expected {', '.join(RULE_COLUMNS)}")
    rules: list[tuple[str, Rule]] = []
    rows: list[int] = []
    seen: dict[tuple[str, str], int] = {}
    for n, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(RULE_COLUMNS):
            raise CleaningError(f"{shown}, row {n}: found {len(cells)} cells; expected {len(RULE_COLUMNS)} "
                                f"({', '.join(RULE_COLUMNS)})")
        row = dict(zip(RULE_COLUMNS, cells))
        for column in ("name", "action", "match", "pattern", "reason"):
            if not row[column]:
                raise CleaningError(f"{shown}, row {n}, column {column}: the cell is empty; expected a value")
        try:
            rule = Rule(row["name"], row["action"], row["match"], row["pattern"], row["reason"])
        except CleaningError as exc:
            raise CleaningError(f"{shown}, row {n}: {exc}") from None
        scope = row["article_id"]
        clash = next((m for (a, name), m in seen.items()
                      if name == rule.name and (not scope or not a or a == scope)), None)
        if clash:
            raise CleaningError(f"{shown}, row {n}, column name: found {rule.name!r}, the name of the rule in "
                                f"row {clash}; expected a name used once among the rules of an article and the "
                                "general rules")
        seen[(scope, rule.name)] = n
        rules.append((scope, rule))
        rows.append(n)
    return RuleSet(tuple(rules), shown, tuple(rows))


#: Words that look like a dotted (obfuscated) word but are written that way on purpose.
#: Compared case-insensitively. Each with its reason.
OBFUSCATION_EXCEPTIONS: dict[str, str] = {
    "E.coli": "The bacterium Escherichia coli, written E.coli: the dot belongs to the name.",
    "v.v": "Vietnamese abbreviation of 'vân vân' (and so on).",
    "e.g": "English abbreviation 'e.g.' (for example).",
    "i.e": "English abbreviation 'i.e.' (that is).",
}

RESTORE_REASON = (
    "A word hidden behind a dot, as some sites write words about death and violence "
    "('t.hiệt m.ạng' for 'thiệt mạng', killed). Rule: a word made of one letter, a dot, then "
    "lower-case letters, has its dot removed. Numbers (2.500), dates (8.2) and the listed "
    "exceptions (E.coli) are never touched."
)

# One letter at the start of a word, a dot, then letters up to the end of the word; not part
# of a longer dotted chain (a.b.c) and not after another dot.
_DOTTED_WORD = re.compile(r"(?<![\w.])([^\W\d_])\.([^\W\d_]+)(?!\w)(?!\.\w)")
_EXCEPTIONS_FOLDED = {w.casefold() for w in OBFUSCATION_EXCEPTIONS}

#: Paragraphs that are photo or illustration captions, or credit lines: (name, regex, reason).
CAPTION_RULES: list[tuple[str, str, str]] = [
    ("photo-credit", r"\bẢnh:", "Contains a photo credit 'Ảnh: ...' or '(Ảnh: ...)', so it is a photo caption."),
    ("cartoon-credit", r"^Biếm họa:", "A cartoon credit 'Biếm họa: ...' (Cartoon: ...)."),
    ("source-credit", r"\(Nguồn: [^)]*\)$", "A byline with its source credit '(Nguồn: ...)' (Source: ...)."),
    ("bare-credit", r"^(Reuters|AFP|AP|TTXVN)$", "A photo credit standing alone on its line."),
    ("image-label", r" - Hình \d+$", "An image label (headline + picture number)."),
]
#: A paragraph just before a bare credit line is the caption it credits (a002's car-fire photo).
_BARE_CREDIT = re.compile(dict((name, rx) for name, rx, _ in CAPTION_RULES)["bare-credit"])

#: Words ending in a dot that do not end a sentence (besides single capital initials like 'W.').
ABBREVIATIONS = frozenset({"TP", "Tp", "TS", "ThS", "PGS", "GS", "BS", "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr"})

#: One-letter words that end a sentence, never initials: 'Á' (Asia) in 'Tây Nam Á', 'Đông Nam Á', 'châu Á'.
WORDS_NOT_INITIALS = frozenset({"Á"})

_OPEN_QUOTES = "“«"
_CLOSE_QUOTES = "”»"
_TERMINALS = ".!?…"
_TRAILING_CLOSERS = "”»\"’')"


# --- Obfuscated words ------------------------------------------------------------------------

def dotted_words(text: str) -> list[re.Match]:
    """The matches of the dotted-word rule in ``text``, exceptions left out."""
    found = []
    for m in _DOTTED_WORD.finditer(text):
        if not m.group(2).islower():
            continue  # 'U.S', 'A.Smith': abbreviations and initials, not hidden words
        if m.group(0).casefold() in _EXCEPTIONS_FOLDED:
            continue
        found.append(m)
    return found


def restore_obfuscation(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove the dot from words hidden behind one: ``'t.hiệt m.ạng'`` -> ``'thiệt mạng'``.

    The rule: a word that is one letter, a dot, then lower-case letters (``t.hiệt``, ``B.é``,
    ``l.y``) loses its dot. Never touched: numbers and dates (``2.500``, ``8.2``, ``1.8+``),
    abbreviations and initials (``U.S.``, ``TP.HCM``), longer dotted chains (``a.b.c``), and the
    words in :data:`OBFUSCATION_EXCEPTIONS` (``E.coli``). Works on any string and never raises on
    one (a non-string is a TypeError).

    Returns the restored text and the list of ``(raw_word, restored_word)``, left to right.

    >>> restore_obfuscation("s.át h.ại 3 binh sĩ ngày 8.2")
    ('sát hại 3 binh sĩ ngày 8.2', [('s.át', 'sát'), ('h.ại', 'hại')])
    """
    if not isinstance(text, str):
        raise TypeError(f"restore_obfuscation() takes a str, not {type(text).__name__}")
    out, pairs, pos = [], [], 0
    for m in dotted_words(text):
        word = m.group(0)
        restored = m.group(1) + m.group(2)
        out.append(text[pos:m.start()])
        out.append(restored)
        pairs.append((word, restored))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), pairs


# --- Cleaning --------------------------------------------------------------------------------

def _check_rules(article_id: str, rules: list[Rule]) -> None:
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CleaningError(f"{article_id}: rule names used twice: {', '.join(dupes)}")


def clean_article(article_id: str, raw: str, rules: RuleSet) -> tuple[str, list[dict]]:
    """Clean one raw seed with the rules of a data folder (:func:`read_rules`). Returns ``(clean_text, log_rows)``.

    (``iraqtalks.clean_article(article_id, raw)`` reads the kit's rules itself: :mod:`iraqtalks.data.cleaning`.)

    ``log_rows`` are dicts with the ``cleaning_log`` fields: article_id, step, line, action, raw,
    clean, reason; ``line`` is the 1-based line of the raw seed, ``step`` counts from 1 in raw-line
    order. Raises :class:`CleaningError` naming the article and the rule when an article rule
    matches no line.
    """
    if not isinstance(raw, str):
        raise CleaningError(f"{article_id}: raw text must be a str, got {type(raw).__name__}")
    if "\r" in raw:
        raise CleaningError(f"{article_id}: the raw text has CR line ends; seeds are stored with LF only")
    if not isinstance(rules, RuleSet):
        raise TypeError(f"clean_article: rules must be a RuleSet (read_rules(path)), not {type(rules).__name__}")
    article_rules, general_rules = rules.for_article(article_id), rules.general()
    _check_rules(article_id, article_rules + general_rules)

    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start a new one
    # events[i]: list of (position_in_line, row) for raw line i (0-based)
    events: dict[int, list[tuple[int, dict]]] = {}
    dropped: set[int] = set()
    used: set[str] = set()

    def log(i: int, pos: int, action: str, raw_text: str, clean_text: str, reason: str) -> None:
        events.setdefault(i, []).append(
            (pos, {"article_id": article_id, "line": i + 1, "action": action,
                   "raw": raw_text, "clean": clean_text, "reason": reason})
        )

    # 1. blocks: from the matching line to the end of the page
    for rule in (r for r in article_rules if r.action == "drop_block"):
        for i, line in enumerate(lines):
            if i not in dropped and rule.matches(line):
                block = "\n".join(lines[i:])
                log(i, 0, "drop_block", block, "", rule.reason)
                dropped.update(range(i, len(lines)))
                used.add(rule.name)
                break

    # 2. whole lines
    for i, line in enumerate(lines):
        if i in dropped:
            continue
        for rule in article_rules + general_rules:
            if rule.action == "drop_line" and rule.matches(line):
                log(i, 0, "drop_line", line, "", rule.reason)
                dropped.add(i)
                used.add(rule.name)
                break

    # 3. a line repeating the previous kept line
    prev: int | None = None
    for i, line in enumerate(lines):
        if i in dropped or not line.strip():
            continue
        if prev is not None and line == lines[prev]:
            log(i, 0, "drop_duplicate", line, "", DUPLICATE_REASON.format(kept=prev + 1))
            dropped.add(i)
            continue
        prev = i

    # 4 and 5. prefixes and dotted words on the kept lines
    kept: list[str] = []
    for i, line in enumerate(lines):
        if i in dropped or not line.strip():
            continue
        offset = 0
        for rule in article_rules:
            if rule.action == "strip_prefix" and rule.matches(line):
                log(i, 0, "strip_prefix", rule.pattern, "", rule.reason)
                line = line[len(rule.pattern):]
                offset = len(rule.pattern)
                used.add(rule.name)
                break
        for m in dotted_words(line):
            log(i, offset + m.start(), "restore_word", m.group(0), m.group(1) + m.group(2), RESTORE_REASON)
        line, _ = restore_obfuscation(line)
        if not line.strip():
            raise CleaningError(f"{article_id}: line {i + 1} is empty after cleaning; drop it with a rule instead")
        kept.append(line)

    missing = [r.name for r in article_rules if r.name not in used]
    if missing:
        raise CleaningError(
            f"{article_id}: cleaning rule(s) {', '.join(missing)} matched no line of the seed. "
            f"The seed or the rules in {rules.source} have changed; make them agree."
        )

    rows = []
    for i in sorted(events):
        for _, row in sorted(events[i], key=lambda e: e[0]):
            rows.append(row)
    for step, row in enumerate(rows, start=1):
        row["step"] = step
    ordered = [{k: row[k] for k in ("article_id", "step", "line", "action", "raw", "clean", "reason")} for row in rows]
    return "\n\n".join(kept) + "\n", ordered


# --- Sentences -------------------------------------------------------------------------------

def _paragraph_kinds(article_id: str, paragraphs: list[str], headline: str, where: str,
                     subheadings: list[Rule], source: str) -> list[str]:
    kinds = ["body"] * len(paragraphs)
    if headline:
        if not paragraphs or paragraphs[0] != headline:
            found = paragraphs[0] if paragraphs else "(no text)"
            raise CleaningError(
                f"{where}: expected the headline to be the first line of the clean text of {article_id}, "
                f"but the headline is {headline!r} and the first line is {found!r}"
            )
        kinds[0] = "headline"
    for k, p in enumerate(paragraphs):
        if kinds[k] != "body":
            continue
        if any(re.search(rx, p) for _, rx, _ in CAPTION_RULES):
            kinds[k] = "caption"
            if _BARE_CREDIT.search(p) and k > 0 and kinds[k - 1] == "body":
                kinds[k - 1] = "caption"
    for rule in subheadings:
        hits = [k for k, p in enumerate(paragraphs) if p == rule.pattern]
        if len(hits) != 1:
            raise CleaningError(
                f"{article_id}: subheading rule {rule.name!r} ({source}) expects {rule.pattern!r} once "
                f"as a whole line of the clean text, found it {len(hits)} times"
            )
        kinds[hits[0]] = "subheading"
    return kinds


def _quotes_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and text.count('"') % 2 == 0


def _split_paragraph(p: str) -> list[str]:
    """Split one body paragraph into sentences (see :func:`split_sentences`)."""
    track_quotes = _quotes_balanced(p)
    out, start, curly, straight = [], 0, 0, False
    n = len(p)
    for i, ch in enumerate(p):
        if track_quotes:
            if ch in _OPEN_QUOTES:
                curly += 1
            elif ch in _CLOSE_QUOTES:
                curly -= 1
            elif ch == '"':
                straight = not straight
        if not ch.isspace() or i == 0 or p[i - 1].isspace():
            continue
        # i is the first whitespace after a non-space character
        if curly or straight:
            continue
        before = p[start:i].rstrip(_TRAILING_CLOSERS)
        if not before or before[-1] not in _TERMINALS:
            continue
        j = i
        while j < n and p[j].isspace():
            j += 1
        if j >= n or not (p[j].isupper() or p[j] in _OPEN_QUOTES or p[j] == '"'):
            continue
        if before[-1] == ".":
            word = before[:-1].split()[-1].lstrip("(“«\"'") if before[:-1].split() else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isupper() and word not in WORDS_NOT_INITIALS):
                continue
        out.append(p[start:i].strip())
        start = j
    out.append(p[start:].strip())
    return [s for s in out if s]


def split_sentences(clean_text: str, article_id: str, *, headline: str = "", where: str = "articles.csv",
                    rules: RuleSet | None = None) -> list[dict]:
    """The ``sentences`` rows of one clean text.

    Paragraphs are the non-empty lines. Each paragraph gets a kind:

    - ``headline``: the first line, when `headline` is given (data/articles.csv's headline; it must
      be that line, word for word; `where` names that cell in the message if it is not);
    - ``subheading``: the lines the ``subheading`` rules of `rules` name for this article;
    - ``caption``: photo and illustration captions and credit lines (:data:`CAPTION_RULES`), and
      the line just before a credit standing alone ('Reuters');
    - ``body``: everything else.

    Headlines, subheadings and captions are one row each (a caption keeps its credit). Body
    paragraphs are split after ``.``, ``!``, ``?`` or ``…`` (and any closing quote) followed by
    a space and an upper-case letter or an opening quote, but not inside quoted speech, not after
    the abbreviations in :data:`ABBREVIATIONS` or a single capital initial. Numbers and dates
    (``2.500``, ``8.2``, ``25/1``) have no space after their dot, so they are never split.

    Rows: sentence_id (``a000-p03-s02``), article_id, paragraph, sentence, kind, text.
    """
    paragraphs = [line for line in clean_text.split("\n") if line.strip()]
    subheadings = rules.subheadings(article_id) if rules is not None else []
    kinds = _paragraph_kinds(article_id, paragraphs, headline, where, subheadings,
                             rules.source if rules is not None else "")
    rows = []
    for pn, (p, kind) in enumerate(zip(paragraphs, kinds), start=1):
        sentences = _split_paragraph(p) if kind == "body" else [p.strip()]
        for sn, s in enumerate(sentences, start=1):
            rows.append({
                "sentence_id": f"{article_id}-p{pn:02d}-s{sn:02d}",
                "article_id": article_id,
                "paragraph": pn,
                "sentence": sn,
                "kind": kind,
                "text": s,
            })
    return rows
