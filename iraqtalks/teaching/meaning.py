"""Reading a short text answer for its key points: synonyms, dates, negation and relations.

Used by :mod:`iraqtalks.teaching.checker` for ``text`` questions, and by :mod:`iraqtalks.authoring.exercise_keys`
to write their keys. Within reason, it reads what an answer *says*, not which keywords it holds.

A key point (in a solution notebook's ``# ANSWER KEY`` cell) is::

    {"label": "who gives the figure",                  # shown when the point is missing
     "any": ["Iraqi government", "Iraq's authorities", "chính phủ Iraq", ...],   # synonyms
     "near": ["said", "says", "according to", "cho biết", ...],   # optional: a relation
     "polarity": "any"}                                # optional: a "not" before it is fine

- **Synonyms.** Each alternative in ``any`` is a word or short phrase, matched as whole words after
  NFC, case folding and ``n't`` → ``not``. An alternative written *with* Vietnamese diacritics
  must be matched with them when the answer is typed with diacritics (*liên quân*, coalition forces,
  is not *liên quan*, related), and matches without them when the answer has none (``lien quan``).
  Alternatives without diacritics match either way (``lien minh`` = ``liên minh``).
- **Dates.** An alternative written as an ISO date (``2024-01-27``) matches that day written in any
  form the articles or English use: ``27/1``, ``27.1``, ``27/01/2024``, ``27-1-2024``, ``ngày 27
  tháng 1``, ``27 tháng Một``, ``2024-01-27``, ``27 January``, ``27th of Jan``, ``January 27, 2024``,
  ``Jan. 27``, and each end of a range (``27–31 January``). Day first, as in the articles; ``1/27``
  reads as 27 January only because there is no 27th month. A date with another year does not match.
  Other date forms in ``any`` are refused when the keys are built (write the ISO date).
- **Negation.** A match fails when a negation stands before it in the same clause (up to four words
  back: *not, no, never, neither, nor, without, cannot, rather than, instead of, không, chưa,
  chẳng*; a comma, a semicolon, *but*, *and*, *because*, *than*, *before*, *after* ... end the clause).
  "Not the Iraqi government; no civilians" states both points as their negation, so neither counts.
  ``"polarity": "any"`` switches this off for a point that is naturally stated negatively
  ("a001 does not mention the Jordan attack").
- **Relations.** With ``near``, the point counts only when one of those words (not negated) stands in
  the same sentence, at most ``window`` words (default 8) from the match: "Iraqi government
  civilians" names two things but says nothing about them; "the Iraqi government said civilians
  were among the dead" says who said what.

Limits, accepted for formative feedback: word order and grammatical roles are not parsed ("civilians
said the Iraqi government was among the dead" would pass), a negation after the words ("civilians:
no") is only caught through a relation word, and irony is not read at all. The checker is generous
with paraphrase where the key lists it and strict where the key asks for a relation.

The key holds digests only (see :mod:`iraqtalks.teaching.checker`): every alternative as the digest of its
normalised form (``a:``-prefixed for the form with diacritics), every date as ``date:2024-01-27`` and
``date:01-27`` (for an answer that gives no year), every relation word likewise.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WINDOW = 8        # words between a key match and its relation word, at most
NEG_REACH = 4     # words a negation reaches forward within its clause

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
#: Vietnamese month words after "tháng", folded (tháng Giêng = tháng Một = January).
VI_MONTHS = {"gieng": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
             "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12, "chap": 12}

NEGATORS = {"not", "no", "never", "neither", "nor", "none", "nobody", "nothing", "without", "cannot",
            "không", "khong", "chưa", "chua", "chẳng", "chang", "chả"}
NEGATOR_PAIRS = {("rather", "than"), ("instead", "of"), ("other", "than")}
BREAKERS = {"but", "and", "so", "because", "while", "whereas", "although", "though", "however", "yet",
            "than", "before", "after", "until", "since", "nhưng", "nhung", "mà", "và", "va", "vì", "nên",
            "còn", "trước", "sau"}
_ABBREVIATIONS = set(MONTHS) | {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "no", "u", "s", "e", "g", "i"}

_TOKEN = re.compile(r"[^\W_]+")
_NT = re.compile(r"n['’]t\b", re.I)


def fold_word(w: str) -> str:
    """A word without diacritics (đ → d)."""
    s = unicodedata.normalize("NFD", w)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d")


def has_marks(w: str) -> bool:
    return fold_word(w) != w


@dataclass
class Reading:
    """An answer split into words, with clause and sentence numbers and the dates it names."""

    raw: list[str]        # case-folded words, diacritics kept
    folded: list[str]     # the same without diacritics
    clause: list[int]
    sentence: list[int]
    marked: bool          # the answer is typed with diacritics
    dates: list[tuple[int, int, str]]   # (first word, last word, 'date:...' form)


def _gap_kind(gap: str, before: str, after_raw: str) -> int:
    """0: inside a phrase; 1: a clause boundary; 2: a sentence boundary."""
    if "\n" in gap:
        return 2
    core = "".join(ch for ch in gap if not ch.isspace())
    if not core:
        return 0
    if len(gap) == 1 and core in ".,/:'’-–":
        return 0                                   # 27.1, 2,500, 27/1, Iraq's, US-led, 27–31
    if any(ch in ".!?;" for ch in core):
        if core == "." and (before in _ABBREVIATIONS or len(before) == 1 or after_raw[:1].islower()
                            or after_raw[:1].isdigit()):
            return 1
        return 2
    return 1 if any(ch in ",:()[]{}\"“”«»—–-…" for ch in core) else 0


def read(text: str) -> Reading:
    """Split `text` into words and clauses, and find the dates in it."""
    text = re.sub(r"\b(can|won)['’]t\b", lambda m: "cannot" if m[1].lower() == "can" else "will not",
                  unicodedata.normalize("NFC", text), flags=re.I)
    text = _NT.sub(" not", text)
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    raw = [unicodedata.normalize("NFC", text[a:b].casefold()) for a, b in spans]
    folded = [fold_word(w) for w in raw]
    clause, sentence = [], []
    c = s = 0
    stream, starts = [], []
    pos = 0
    for i, (a, b) in enumerate(spans):
        gap = text[spans[i - 1][1]:a] if i else ""
        if i:
            k = _gap_kind(gap, folded[i - 1], text[a:b])
            c += k > 0
            s += k > 1
            g = re.sub(r"\s+", " ", gap).replace("–", "-").replace("—", "-").replace("−", "-")
            stream.append(g)
            pos += len(g)
        clause.append(c)
        sentence.append(s)
        starts.append(pos)
        stream.append(folded[i])
        pos += len(folded[i])
    return Reading(raw, folded, clause, sentence, any(has_marks(w) for w in raw),
                   _find_dates("".join(stream), starts))


# ---------------------------------------------------------------------------------------------
# Dates

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_VI_MONTH_RE = "|".join(sorted(VI_MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?:nam\s+)?(?P<y>\d{4})\b(?![-/.]\d))?"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"),                        # ISO
    re.compile(r"\b(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?\b(?![.,/-]\d)"
               rf"(?!\s*(?:of\s+)?(?:{_MONTH_RE})\b)(?!\s+thang\b)"),                             # 27/1, 27.1.2024
    re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\s*-\s*(?P<d2>\d{{1,2}}){_ORD})?\s+(?:of\s+)?(?P<mn>{_MONTH_RE})\b\.?{_YEAR}"),
    re.compile(rf"\b(?P<mn>{_MONTH_RE})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}\b(?:\s*-\s*(?P<d2>\d{{1,2}}){_ORD}\b)?{_YEAR}"),
    re.compile(rf"\b(?:ngay\s+)?(?P<d>\d{{1,2}})(?:\s*-\s*(?P<d2>\d{{1,2}}))?\s+thang\s+(?:(?P<m>\d{{1,2}})|(?P<vm>{_VI_MONTH_RE}))\b{_YEAR}"),
]


def _valid(y, m, d) -> bool:
    import datetime as dt
    try:
        dt.date(y or 2024, m, d)
        return True
    except ValueError:
        return False


def date_forms(year: int | None, month: int, day: int) -> str:
    return f"date:{year:04d}-{month:02d}-{day:02d}" if year else f"date:{month:02d}-{day:02d}"


def _find_dates(stream: str, starts: list[int]) -> list[tuple[int, int, str]]:
    out, taken = [], []
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(stream):
            a, b = m.span()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            g = m.groupdict()
            y = g.get("y")
            year = int(y) + (2000 if len(y) == 2 else 0) if y else None
            if g.get("mn"):
                month = MONTHS[g["mn"]]
            elif g.get("vm"):
                month = VI_MONTHS[g["vm"]]
            else:
                month = int(g["m"])
            days = [int(g["d"])] + ([int(g["d2"])] if g.get("d2") else [])
            found = []
            for d in days:
                if _valid(year, month, d):
                    found.append((year, month, d))
                elif g.get("m") and not g.get("vm") and _valid(year, d, month) and pat is _DATE_PATTERNS[1]:
                    found.append((year, d, month))        # 1/27: there is no 27th month
            if not found:
                continue
            taken.append((a, b))
            first = max(i for i, p in enumerate(starts) if p <= a)
            last = max(i for i, p in enumerate(starts) if p < b)
            out += [(first, last, date_forms(*f)) for f in found]
    return out


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def key_forms(alternative: str) -> list[str]:
    """The normalised forms of one key alternative whose digests go into the key.

    An ISO date gives its two date forms; a phrase gives its folded words and, if written with
    diacritics, its words with them (``a:``). ValueError for a date written any other way."""
    m = _ISO_DATE.fullmatch(alternative.strip())
    if m:
        y, mo, d = map(int, m.groups())
        if not _valid(y, mo, d):
            raise ValueError(f"{alternative!r} is not a date")
        return [date_forms(y, mo, d), date_forms(None, mo, d)]
    r = read(alternative)
    if r.dates:
        raise ValueError(f"{alternative!r} is a date: write it as an ISO date (YYYY-MM-DD), which matches "
                         "every form of that day")
    if not r.raw:
        return []
    forms = [" ".join(r.folded)]
    if r.marked:
        forms.append("a:" + " ".join(r.raw))
    return forms


# ---------------------------------------------------------------------------------------------
# Matching

def _mentions(r: Reading, max_words: int, digest) -> dict[str, list[tuple[int, int]]]:
    """{digest: [(first word, last word), ...]} of every phrase of up to max_words words, and every date."""
    out: dict[str, list[tuple[int, int]]] = {}
    n = len(r.raw)
    for i in range(n):
        for k in range(1, max_words + 1):
            if i + k > n:
                break
            raw = r.raw[i:i + k]
            if r.marked and any(has_marks(w) for w in raw):
                form = "a:" + " ".join(raw)
            else:
                form = " ".join(r.folded[i:i + k])
            out.setdefault(digest(form), []).append((i, i + k - 1))
    for a, b, form in r.dates:
        out.setdefault(digest(form), []).append((a, b))
    return out


def negated(r: Reading, start: int) -> bool:
    """Whether a negation governs the word at `start` (see the module docstring)."""
    for j in range(start - 1, max(-1, start - 1 - NEG_REACH), -1):
        if r.clause[j] != r.clause[start]:
            return False
        w = r.raw[j]
        if j >= 1 and (r.folded[j - 1], r.folded[j]) in NEGATOR_PAIRS and r.clause[j - 1] == r.clause[j]:
            return True                                    # rather than, instead of, other than
        if w in BREAKERS or r.folded[j] in BREAKERS:
            return False
        if w in NEGATORS:
            return True
    return False


def point_holds(r: Reading, found: dict, point: dict) -> bool:
    """Whether one key point (with digests) is stated by the answer."""
    spans = [s for d in point["any"] for s in found.get(d, [])]
    if point.get("polarity") != "any":
        spans = [s for s in spans if not negated(r, s[0])]
    if not spans or not point.get("near"):
        return bool(spans)
    window = point.get("window", WINDOW)
    cues = [c for d in point["near"] for c in found.get(d, []) if not negated(r, c[0])]
    for a, b in spans:
        for ca, cb in cues:
            if cb < a or ca > b:
                dist = a - cb - 1 if cb < a else ca - b - 1
                if dist <= window and r.sentence[ca] == r.sentence[a]:
                    return True
    return False


def missing_points(text: str, entry: dict, digest) -> list[str]:
    """The labels of the key points `text` does not state; `digest(form)` hashes a form for the question."""
    r = read(text)
    found = _mentions(r, entry["max_words"], digest)
    return [kp["label"] for kp in entry["keypoints"] if not point_holds(r, found, kp)]


def key_points(keypoints: list[dict], digest) -> tuple[list[dict], int]:
    """(the key points as digests, the longest phrase in words) for a text question's key."""
    out, longest = [], 1
    for kp in keypoints:
        entry = {"label": kp["label"]}
        for field in ("any", "near"):
            if field not in kp:
                continue
            forms = sorted({f for a in kp[field] for f in key_forms(a)})
            longest = max([longest] + [len(f.split()) for f in forms if not f.startswith("date:")])
            entry[field] = sorted(digest(f) for f in forms)
        if kp.get("polarity") == "any":
            entry["polarity"] = "any"
        if "window" in kp:
            entry["window"] = int(kp["window"])
        out.append(entry)
    return out, longest
