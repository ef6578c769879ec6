"""Where a quote lies in a text: the one rule the build (evidence_locations.csv) and `cite` share."""
from __future__ import annotations


def locate(raw: str, quote: str) -> tuple[int, int, int, int] | None:
    """Where ``quote`` first occurs in ``raw``: (line, char_start, char_end, occurrences).

    ``line`` is 1-based, offsets are 0-based characters, ``occurrences`` counts every start
    position, overlapping ones included ('aa' occurs 3 times in 'aaaa'). None when the quote does not occur.

    >>> locate("ab\\ncd cd", "cd")
    (2, 3, 5, 2)
    >>> locate("aaaa", "aa")
    (1, 0, 2, 3)
    """
    if not quote:
        return None
    start = raw.find(quote)
    if start < 0:
        return None
    count, pos = 0, start
    while pos >= 0:
        count += 1
        pos = raw.find(quote, pos + 1)
    return raw.count("\n", 0, start) + 1, start, start + len(quote), count
