"""The text checker reads meaning, within reason (iraqtalks/teaching/meaning.py, issue 17).

Each behaviour is tested with a right and a wrong answer that the old keyword checker got wrong
(it passed an answer if every key point had one keyword anywhere in it, after stripping accents).
The comment on each case says what the old checker did and why. The cases run against the real
keys in iraqtalks/teaching/answer_keys.json, so they also pin the key points of the solution notebooks.
"""
from __future__ import annotations

import json
import re

import pytest

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.teaching import checker as ex
from iraqtalks.teaching import meaning

KEYS = json.loads(ex.KEYS_PATH.read_text(encoding="utf-8"))["questions"]


@pytest.fixture(autouse=True)
def fresh_ladder():
    ex.reset()
    yield
    ex.reset()


def verdict(qid: str, answer: str) -> bool:
    fb = ex.feedback(qid, answer)
    assert fb.status in ("correct", "not_yet"), fb.message
    return fb.correct


# (question, answer, right?) -- every case here was judged wrongly by the old checker.
NEGATION = [
    # old: passed (both keywords present); the answer denies both points
    ("05-q6", "Not the Iraqi government; no civilians", False),
    # old: passed; the date is named only to be denied
    ("01-q7", "Not 18 February; Reuters is the agency.", False),
    # old: passed; "not set up in 2014" says the opposite of the key
    ("06-q7", "The coalition was not set up in 2014.", False),
    # old: passed; both relations are denied ("did not give", "were not among")
    ("05-q6", "The Iraqi government did not give the figure, and civilians were not among the dead.", False),
    # old: passed; "rather than" puts the Iraqi government aside
    ("05-q6", "The US, rather than the Iraqi government, gives the figure; civilians were among the dead.", False),
    # old: rejected ("isn't" split into "isn t", so "not confirmed" was never seen); n't is read as not
    ("08-q6", "The Pentagon credit isn't confirmed; the figure matches the armed groups' own claim.", True),
    # old: rejected ("can't" → "can t"); "cannot be confirmed" said with an apostrophe
    ("08-q6", "It can't be confirmed: no such figure was found; it matches the militias' own claim.", True),
]

RELATION = [
    # old: passed (two keywords, no sentence); the key needs who *said* it and who *died*
    ("05-q6", "Iraqi government civilians", False),
    # old: passed; a year and a word, but nothing says the coalition was set up then
    ("06-q7", "Iraq 2014 coalition", False),
    # old: rejected (no keyword); the relations are there in other words
    ("05-q6", "According to Iraq's authorities, ordinary people were among the 16 dead.", True),
    # old: rejected ("Baghdad" was a keyword but "ordinary Iraqis" was not); said + died
    ("05-q6", "Baghdad said 16 people died, ordinary Iraqis among them.", True),
]

SYNONYMS = [
    # old: rejected ("Iraq's authorities" and "ordinary people" were not in the key)
    ("05-q6", "Iraq's authorities say 16 people were killed, ordinary people among them.", True),
    # old: rejected ("alliance" was not in the key)
    ("06-q7", "The US-led alliance was formed in 2014, ten years before the talks.", True),
    # old: rejected (no Vietnamese for "not yet confirmed" or "armed groups")
    ("08-q6", "Chưa được xác nhận: con số khớp với tuyên bố của các nhóm vũ trang.", True),
    # old: passed, because "liên quan" (related) folds to "lien quan", the key's form of "liên quân"
    # (coalition forces); with diacritics typed, the diacritics must match
    ("06-q7", "Năm 2014 được thành lập, có liên quan đến Iraq.", False),
    # old: passed ("dem" was the key's folded "đếm", count; "đêm" is night) -- 02-q7's second point
    ("02-q7", "The evidence is copied verbatim; đêm qua.", False),
]

DATES = [
    # old: rejected ("ngày 27 tháng 1" and "11/02/2024" matched none of the listed forms)
    ("07-q6", "Talks on the coalition's mission began on ngày 27 tháng 1, paused after the Jordan attack "
              "and resumed on 11/02/2024.", True),
    # old: rejected ("18/02/2024" gives the words 18 02 2024, and the key listed 18 2)
    ("01-q7", "Sớm nhất là 18/02/2024, theo hãng tin Reuters.", True),
    # old: rejected ("27th Jan" and "Feb 11th" were not listed)
    ("07-q6", "Talks on the coalition's mission began on 27th Jan, stopped after the Jordan attack, "
              "resumed Feb 11th.", True),
    # old: rejected ("27/01/2024"; and no "first round")
    ("03-q7", "a001's latest event is the talks of 27/01/2024; it never mentions Jordan.", True),
    # old: rejected (the Vietnamese month word, tháng Hai = February)
    ("01-q7", "Reuters, ngày 18 tháng Hai năm 2024.", True),
    # old: passed (the key listed "ngay 18", so any 18th did); 18 March is the wrong day
    ("01-q7", "It appeared on ngày 18 tháng 3, after a Reuters report.", False),
    # old: passed ("27/1/2023" contains the words 27 1); the year is wrong
    ("07-q6", "Talks on the coalition began 27/1/2023, paused after the Jordan attack and resumed 11 February.", False),
    # old: passed ("18/2" inside "18/2/2023"); the year is wrong
    ("01-q7", "It cites a Reuters report of 18/2/2023.", False),
]


@pytest.mark.parametrize("qid, answer, right", NEGATION + RELATION + SYNONYMS + DATES)
def test_old_keyword_mistakes_are_now_right(qid, answer, right):
    assert KEYS[qid]["kind"] == "text"
    assert verdict(qid, answer) is right


@pytest.mark.parametrize("qid, answer", [
    # a negation that does not govern the point, or a point that is naturally negative
    ("05-q6", "The Iraqi government, not the US, gives the figure; civilians were among the dead."),
    ("05-q6", "It was not the US but the Iraqi government that gave the figure, and civilians died."),
    ("01-q7", "It cannot be older than 18 February, the date of the Reuters report it cites."),
    ("01-q7", "Not before 18/2: it cites Reuters of that day."),
    ("03-q7", "The first round on 27 January; a001 does not mention the attack in Jordan on 28 January."),
    ("06-q7", "Liên quân chống IS được thành lập năm 2014."),
    ("06-q7", "lien quan chong IS duoc thanh lap nam 2014"),      # typed without diacritics: read loosely
])
def test_negation_and_diacritics_do_not_overreach(qid, answer):
    assert verdict(qid, answer)


@pytest.mark.parametrize("text, form", [
    ("27/1", "date:01-27"), ("27.1", "date:01-27"), ("ngày 27 tháng 1", "date:01-27"),
    ("27/01/2024", "date:2024-01-27"), ("18/02/2024", "date:2024-02-18"), ("27-1-2024", "date:2024-01-27"),
    ("27.1.24", "date:2024-01-27"), ("2024-01-27", "date:2024-01-27"), ("27 January", "date:01-27"),
    ("January 27", "date:01-27"), ("Jan 27", "date:01-27"), ("Jan. 27th", "date:01-27"),
    ("the 27th of January", "date:01-27"), ("January 27, 2024", "date:2024-01-27"),
    ("27 tháng Giêng năm 2024", "date:2024-01-27"), ("ngay 27 thang 1", "date:01-27"),
    ("1/27", "date:01-27"), ("27–31 January", "date:01-31"),
])
def test_dates_in_every_form(text, form):
    assert form in [f for _, _, f in meaning.read(text).dates]


@pytest.mark.parametrize("text", ["2.500 troops", "2,500 troops", "more than 150 attacks", "16 dead", "in 2014",
                                  "1.234.567"])
def test_numbers_are_not_dates(text):
    assert meaning.read(text).dates == []


def test_day_first_as_in_the_articles():
    assert [f for *_, f in meaning.read("11.2").dates] == ["date:02-11"]     # 11 February, never 2 November


def test_build_refuses_a_date_that_is_not_iso():
    with pytest.raises(ValueError, match="ISO"):
        meaning.key_forms("27 january")
    assert meaning.key_forms("2024-01-27") == ["date:2024-01-27", "date:01-27"]
    assert meaning.key_forms("liên quân") == ["lien quan", "a:liên quân"]


def test_text_keys_hold_digests_only():
    """Synonyms, relation words and dates are stored as salted digests, like every other answer."""
    notebooks = {slug: exfmt.read_notebook(exfmt.solution_path(slug)) for slug in exfmt.SETS}
    for slug, nb in notebooks.items():
        for q in exfmt.parse_set(slug, nb):
            if q.kind != "text":
                continue
            entry = KEYS[q.qid]
            raw = json.dumps(entry, ensure_ascii=False)
            for kp in entry["keypoints"]:
                for field in ("any", "near"):
                    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for d in kp.get(field, [])), q.qid
            for kp in q.spec["keypoints"]:
                for alt in kp["any"] + kp.get("near", []):
                    assert json.dumps(alt, ensure_ascii=False) not in raw, (q.qid, alt)
