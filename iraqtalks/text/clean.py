"""Raw seed -> clean text -> sentences: a small, rule-based cleaner whose every change is logged.

The seeds in ``seeds/`` are web pages saved as text. Besides the article they carry page
furniture: player remnants, widgets, repeated captions, sidebars. This module removes that
furniture with *named rules that are data* (the lists below, each with a reason in plain
words), and writes one ``cleaning_log`` row for every change it makes. Nothing else in the
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

Example:

>>> restore_obfuscation("ba binh sĩ t.hiệt m.ạng, 2.500 quân, vi khuẩn E.coli")
('ba binh sĩ thiệt mạng, 2.500 quân, vi khuẩn E.coli', [('t.hiệt', 'thiệt'), ('m.ạng', 'mạng')])
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CleaningError",
    "Rule",
    "ARTICLE_RULES",
    "GENERAL_RULES",
    "OBFUSCATION_EXCEPTIONS",
    "SUBHEADINGS",
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

    name    short id, unique within its list
    action  drop_line | drop_block | strip_prefix
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
        if self.action not in ("drop_line", "drop_block", "strip_prefix"):
            raise CleaningError(f"rule {self.name!r}: action {self.action!r} is not drop_line, drop_block or strip_prefix")
        if self.match not in ("line", "prefix", "regex"):
            raise CleaningError(f"rule {self.name!r}: match {self.match!r} is not line, prefix or regex")
        if self.action == "strip_prefix" and self.match != "prefix":
            raise CleaningError(f"rule {self.name!r}: strip_prefix needs match='prefix' (the exact text to remove)")
        if not self.pattern:
            raise CleaningError(f"rule {self.name!r}: empty pattern")

    def matches(self, line: str) -> bool:
        if self.match == "line":
            return line == self.pattern
        if self.match == "prefix":
            return line.startswith(self.pattern)
        return re.search(self.pattern, line) is not None


# --- The rules (data) ------------------------------------------------------------------------

#: Rules for every article. These may match nothing in a given seed.
GENERAL_RULES: list[Rule] = [
    Rule(
        "image-label", "drop_line", "regex", r" - Hình \d+$",
        "Image label: the page repeats the headline with a picture number ('... - Hình 1') above "
        "each photo. It is page furniture; the caption on the next line is kept.",
    ),
]

#: Reason logged when a line repeats the previous kept line (general rule ``repeated-line``).
DUPLICATE_REASON = (
    "Printed twice: this line repeats line {kept} word for word (a caption or credit shown "
    "twice by the page). The first copy is kept."
)

#: Rules for one article each. Every one of these must match at least one line of its seed.
ARTICLE_RULES: dict[str, list[Rule]] = {
    "a000": [
        Rule(
            "section-and-date-line", "drop_line", "line",
            "Thời sự quốc tếThứ Năm, 25/01/2024 09:18:15 +07:00",
            "The section name 'Thời sự quốc tế' (International news) run into the publication "
            "date line: page furniture, not the story. The date is kept as printed in "
            "articles.csv, column published_printed.",
        ),
        Rule(
            "dateline", "drop_line", "line", "(VTC News) -",
            "The outlet's dateline '(VTC News) -' on a line of its own before the first "
            "paragraph. The outlet is recorded in articles.csv, column outlet_id.",
        ),
        Rule(
            "comments-widget", "drop_line", "line", "Bình luận",
            "'Bình luận' (Comments): the label of the page's comment box, not the story.",
        ),
        Rule(
            "site-footer", "drop_line", "line", "vtcnews.vn",
            "The site's address at the foot of the page, not the story.",
        ),
    ],
    "a001": [
        Rule(
            "video-player-time", "drop_line", "line", "0:00 / 0:00",
            "Remnant of a video player (elapsed / total time), not the story.",
        ),
        Rule(
            "video-player-clock", "drop_line", "line", "0:00",
            "Remnant of a video player (its clock), not the story.",
        ),
    ],
    "a002": [
        Rule(
            "metadata-remnant", "strip_prefix", "prefix", " date 2024-02 ",
            "A metadata remnant of the saved page ('date 2024-02') run into the first sentence. "
            "It is recorded in articles.csv, column published_printed; the sentence is kept.",
        ),
    ],
    "a004": [
        Rule(
            "follow-widget", "drop_line", "line", "Theo dõi VGT trên",
            "'Theo dõi VGT trên' (Follow VGT on): a social-media widget of the site, not the story.",
        ),
        Rule(
            "video-widget", "drop_line", "line", "Video đang HOT",
            "'Video đang HOT' (Hot video): a video widget of the site, not the story.",
        ),
        Rule(
            "related-headlines", "drop_line", "prefix",
            "Phát hiện tên lửa có thể mang đầu đạn hạt nhân trong gara nhà dân ở Mỹ",
            "Three related headlines run together on one line ('Phát hiện tên lửa ...', "
            "'Một ngày sau khi tấn công ...', 'Cận cảnh hiện trường ...'): links to other stories, "
            "not part of this one.",
        ),
        Rule(
            "poll-and-news-lists", "drop_block", "line", "Bạn thấy bài viết này có hữu ích không?",
            "From the poll 'Bạn thấy bài viết này có hữu ích không?' (Was this article useful?) to "
            "the end of the page: the poll and the lists 'Tin liên quan', 'Tiêu điểm', 'Tin đang "
            "nóng', 'Tin mới nhất' and 'Có thể bạn quan tâm', dated 23-24/09/2024 and unrelated to "
            "the story. Dropped as one block.",
        ),
    ],
}

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

#: Paragraphs of the clean text that are subheadings, per article (matched as whole lines).
SUBHEADINGS: dict[str, list[tuple[str, str]]] = {
    "a004": [
        ("Ảnh hưởng của Iran", "Subheading of the main story (Iran's influence)."),
        ("Đàm phán chấm dứt hiện diện của Mỹ ở Iraq", "Subheading of the main story (talks on ending the US presence)."),
        (
            "Lý do Mỹ chờ gần một tuần mới trả đũa vụ 3 lính thiệt mạng ở Jordan",
            "Title of a second, related story that the page appends to the main one. Kept: it is "
            "on topic (the US strikes after the attack in Jordan). Marked so readers can tell the "
            "two stories apart.",
        ),
    ],
}

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

def _dotted_words(text: str) -> list[re.Match]:
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
    for m in _dotted_words(text):
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


def clean_article(article_id: str, raw: str) -> tuple[str, list[dict]]:
    """Clean one raw seed. Returns ``(clean_text, log_rows)``.

    ``log_rows`` are dicts with the ``cleaning_log`` fields: article_id, step, line, action, raw,
    clean, reason; ``line`` is the 1-based line of the raw seed, ``step`` counts from 1 in raw-line
    order. Raises :class:`CleaningError` naming the article and the rule when an article rule
    matches no line.
    """
    if not isinstance(raw, str):
        raise CleaningError(f"{article_id}: raw text must be a str, got {type(raw).__name__}")
    if "\r" in raw:
        raise CleaningError(f"{article_id}: the raw text has CR line ends; seeds are stored with LF only")
    article_rules = ARTICLE_RULES.get(article_id, [])
    _check_rules(article_id, article_rules + GENERAL_RULES)

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
        for rule in article_rules + GENERAL_RULES:
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
        for m in _dotted_words(line):
            log(i, offset + m.start(), "restore_word", m.group(0), m.group(1) + m.group(2), RESTORE_REASON)
        line, _ = restore_obfuscation(line)
        if not line.strip():
            raise CleaningError(f"{article_id}: line {i + 1} is empty after cleaning; drop it with a rule instead")
        kept.append(line)

    missing = [r.name for r in article_rules if r.name not in used]
    if missing:
        raise CleaningError(
            f"{article_id}: cleaning rule(s) {', '.join(missing)} matched no line of the seed. "
            "The seed or the rules in iraqtalks/text/clean.py (ARTICLE_RULES) have changed; make them agree."
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

def _headline_of(article_id: str, data) -> tuple[str, str]:
    """The headline in articles.csv and where it is (for messages)."""
    from ..data.paths import data_dir
    from ..data.seeds import manifest

    path = data_dir(data) / "articles.csv"
    for n, row in enumerate(manifest(data), start=2):
        if row.get("article_id") == article_id:
            return row.get("headline", ""), f"{path} row {n}, column headline"
    raise CleaningError(f"{path}: no row with article_id {article_id!r}")


def _paragraph_kinds(article_id: str, paragraphs: list[str], headline: str, where: str) -> list[str]:
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
    for text, _ in SUBHEADINGS.get(article_id, []):
        hits = [k for k, p in enumerate(paragraphs) if p == text]
        if len(hits) != 1:
            raise CleaningError(
                f"{article_id}: subheading {text!r} (SUBHEADINGS in iraqtalks/text/clean.py) is expected once "
                f"as a whole line of the clean text, found {len(hits)} times"
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


def split_sentences(clean_text: str, article_id: str, data=None) -> list[dict]:
    """The ``sentences`` rows of one clean text.

    Paragraphs are the non-empty lines. Each paragraph gets a kind:

    - ``headline``: the first line, when data/articles.csv gives the article a headline (it must
      be that line, word for word);
    - ``subheading``: the lines listed in :data:`SUBHEADINGS`;
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
    headline, where = _headline_of(article_id, data)
    paragraphs = [line for line in clean_text.split("\n") if line.strip()]
    kinds = _paragraph_kinds(article_id, paragraphs, headline, where)
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
