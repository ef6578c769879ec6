"""Reading numbers the way Vietnamese prints them: a dot groups thousands (2.500 = 2500) and a comma is
the decimal mark (2,5 = 2.5); small counts are often words (ba binh sĩ = three soldiers).

Used by the lessons (to show the right and the naive readings) and by the validator (to check that
`numbers.value` is what `numbers.value_as_written` says).
"""
from __future__ import annotations

import re
import unicodedata

from .labels import MONTHS_EN

#: Number words the articles use for small counts ('ba binh sĩ' = three soldiers).
NUMBER_WORDS: dict[str, int] = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
}
#: Words that open a vague amount, which has no value: 'hàng trăm' (hundreds), 'vài tháng' (a few months),
#: 'nhiều tháng' (many months), 'hầu hết' (most), 'một số' (some: checked before 'một', one), 'hàng loạt'.
VAGUE_WORDS = frozenset({"hàng", "vài", "nhiều", "hầu hết", "một số"})
#: Words that mean none at all: 'không có cuộc tấn công nào' (no attack) is zero.
ZERO_WORDS = frozenset({"không"})
#: The one rule for a number grouped the Vietnamese way: dots group thousands in threes, a comma marks decimals
#: (2.500 = 2500, 1.234,5 = 1234.5); the first group has no leading zero. The checks and the grading use it too.
VI_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_PLAIN = re.compile(r"\d+(?:,\d+)?")                      # 900     2,5


def parse_vn_number(text: str) -> float | None:
    """A number as Vietnamese prints it, as a float; None for a vague amount ('hàng trăm', hundreds;
    'vài tháng', a few months; 'một số', some), 0 for none ('không', no).

    A dot groups thousands in threes and a comma is the decimal mark (the reverse of English);
    the small number words (một, hai, ba ... mười) count too.  Raises ValueError, saying why, for
    anything else, such as ``8.2`` (more likely a date: 8 February).

    >>> parse_vn_number("2.500"), parse_vn_number("900"), parse_vn_number("2,5")
    (2500.0, 900.0, 2.5)
    >>> parse_vn_number("hai tuần"), parse_vn_number("hàng trăm") is None
    (2.0, True)
    >>> parse_vn_number("vài tháng") is None, parse_vn_number("một số nhóm") is None, parse_vn_number("không có")
    (True, True, 0.0)
    >>> parse_vn_number("8.2")
    Traceback (most recent call last):
    ...
    ValueError: '8.2' is not a Vietnamese number: a dot groups thousands in threes (2.500 = 2500). '8.2' looks like a day.month date (8 February).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_vn_number() takes the number as written (a str), not {type(text).__name__}")
    t = text.strip()
    if VI_THOUSANDS.fullmatch(t) or _PLAIN.fullmatch(t):
        return float(t.replace(".", "").replace(",", "."))
    words = t.casefold().split()
    if words and (words[0] in VAGUE_WORDS or " ".join(words[:2]) in VAGUE_WORDS):
        return None
    if words and words[0] in ZERO_WORDS:
        return 0.0
    if words and words[0] in NUMBER_WORDS:
        return float(NUMBER_WORDS[words[0]])
    if re.fullmatch(r"\d{1,2}[./]\d{1,2}", t):
        d, m = re.split(r"[./]", t)
        raise ValueError(f"{t!r} is not a Vietnamese number: a dot groups thousands in threes (2.500 = 2500). "
                         f"{t!r} looks like a day.month date ({int(d)} {MONTHS_EN[int(m) - 1] if 1 <= int(m) <= 12 else '?'}).")
    raise ValueError(f"{t!r} is not a number the kit can read: expected digits written the Vietnamese way "
                     f"(2.500, 900, 2,5), a number word ({', '.join(NUMBER_WORDS)}), a vague amount "
                     f"({', '.join(sorted(VAGUE_WORDS))} ...) or 'không' (none)")


def fold_case(text) -> str:
    """`text` for comparing words: NFC and casefolded, so that 'Hàng trăm' and 'hàng trăm' (or a decomposed
    'hàng') are the same words.  Anything not a string is returned unchanged (None, a number)."""
    if not isinstance(text, str):
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
