"""One implementation per idea (issue 13): quote location, Vietnamese thousands, month names, escaping,
the numbers verdict; and `cite` suggests the closest key, column or table when one is mistyped."""
from __future__ import annotations

import pandas as pd
import pytest

from iraqtalks import cite
from iraqtalks.analysis.numbers import number_verdict
from iraqtalks.authoring.grading import read_vietnamese_number
from iraqtalks.data import evidence
from iraqtalks.data.advice import number_advice
from iraqtalks.data.problems import UnknownKeyError, UnknownTableError
from iraqtalks.teaching import checker
from iraqtalks.text.labels import MONTHS_EN, date_text, escape_html
from iraqtalks.text.quotes import locate
from iraqtalks.text.vietnamese import VI_THOUSANDS, parse_vn_number


def test_locate_counts_overlapping_occurrences():
    assert locate("aaaa", "aa") == (1, 0, 2, 3)
    assert locate("x\nabab ab", "ab") == (2, 2, 4, 3)
    assert locate("abc", "zz") is None and locate("abc", "") is None


def test_cite_locates_a_quote_by_the_same_rule_as_the_build(monkeypatch):
    """evidence.locate (cite's line and characters) counts overlaps as evidence_locations.csv does."""
    monkeypatch.setattr(evidence, "lookup", lambda table, key, data_dir=None: {"seed_file": "x.txt"})
    monkeypatch.setattr(evidence, "read_raw", lambda seed_file, seeds_dir=None: "head\naaaa")
    assert evidence.locate("a9", "aa") == (2, 5, 7, 3)
    with pytest.raises(LookupError, match="x.txt: the quote is not in the seed"):
        evidence.locate("a9", "zz")


@pytest.mark.parametrize("text, grouped", [("2.500", True), ("1.234,5", True), ("-2.500", True), ("12.345.678", True),
                                           ("0.500", False), ("2.50", False), ("2500", False), ("8.2", False)])
def test_one_rule_for_vietnamese_thousands(text, grouped):
    assert bool(VI_THOUSANDS.fullmatch(text)) is grouped
    # the grading and the lessons' reader follow the same rule
    assert (read_vietnamese_number(text) is not None) is grouped
    if grouped:
        assert parse_vn_number(text) == read_vietnamese_number(text)
        assert "Vietnamese" in (number_advice(text) or "")
    # and so does the exercise checker: a learner's '0.500' is a decimal, not thousands grouped the Vietnamese way
    try:
        note = checker.evaluate("zz-q1", {"kind": "number", "digest": "not this one"}, text)[1]
    except checker.AnswerFormError as exc:
        note = str(exc)
    assert ("the Vietnamese way" in note) is grouped


def test_month_names_are_one_table():
    assert MONTHS_EN[0] == "January" and MONTHS_EN[11] == "December" and len(MONTHS_EN) == 12
    day = pd.Timestamp("2024-02-08")
    assert date_text(day, day, "day") == "8 Feb 2024"
    assert date_text(pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"), "month") == "February 2024"
    with pytest.raises(ValueError, match=r"8 February"):
        parse_vn_number("8.2")


def test_escape_html_escapes_quotes_and_none():
    assert escape_html('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert escape_html(None) == ""


def _numbers(rows):
    return pd.DataFrame(rows, columns=["article_id", "value", "qualifier", "value_as_written"])


@pytest.mark.parametrize("rows, verdict", [
    ([("a", 2500.0, "about", "2.500"), ("b", 2500.0, "about", "2.500")], "same figure"),
    ([("a", 3.0, "exact", "ba"), ("b", 3.0, "exact", "3")], "same figure"),
    ([("a", 2500.0, "about", "2.500"), ("b", 2500.0, "exact", "2.500")], "same value, different hedges"),
    ([("a", 150.0, "at_least", "150"), ("b", 160.0, "at_least", "160")], "different values"),
    ([("a", None, "vague", "hàng trăm"), ("b", None, "vague", "vài")], "only vague amounts"),
    # case and Unicode form are not a difference (issue 16): 'Hàng trăm' at the start of a sentence, a decomposed 'hàng'
    ([("a", None, "vague", "hàng trăm"), ("b", None, "vague", "Hàng trăm")], "same figure"),
    ([("a", None, "vague", "hàng trăm"), ("b", None, "vague", "ha\u0300ng tra\u0306m")], "same figure"),
    ([("a", 150.0, "more_than", "150"), ("b", None, "vague", "hàng chục")], "figures and vague amounts"),
])
def test_the_one_numbers_verdict(rows, verdict):
    assert number_verdict(_numbers(rows)) == verdict


def test_cite_suggests_the_closest_key():
    with pytest.raises(UnknownKeyError, match=r"no row with event_id = 'e2024-01-27-first-rond'\. "
                                              r"Did you mean 'e2024-01-27-first-round'\?"):
        cite("events", "e2024-01-27-first-rond")
    with pytest.raises(ValueError, match=r"Did you mean \('a004', 'wana', 'photo_credit'\)\?"):
        cite("attributions", ("a004", "wana", "photo_credt"))


def test_cite_suggests_the_closest_column_and_table():
    with pytest.raises(KeyError) as err:
        cite("numbers", "n02", fields=["valu"])
    assert str(err.value).startswith("The table 'numbers' has no column 'valu'. Did you mean 'value'?")
    with pytest.raises(UnknownTableError, match="Did you mean 'events'"):
        cite("evnets", "x")


def test_data_folder_is_a_keyword():
    """`cite("events", key, None, folder)` would silently read a folder as `fields`; now it can only be a keyword."""
    with pytest.raises(TypeError):
        cite("events", "e2024-01-27-first-round", None, "data")
