"""Teach before you ask: every pandas method or accessor an exercise solution uses is shown, working on
the kit's tables, in that set's lesson or an earlier one (iraqtalks/authoring/vocabulary.py)."""
from __future__ import annotations

import pytest

from iraqtalks.authoring import exercise_format as exfmt
from iraqtalks.authoring import vocabulary as voc


def test_every_pandas_name_a_solution_uses_is_taught_at_or_before_its_lesson():
    missing = voc.untaught()
    assert not missing, "solutions use pandas no lesson up to theirs shows: " + "; ".join(
        f"exercises/solutions/{slug}.ipynb: {', '.join(names)}" for slug, names in missing.items())


def test_names_are_read_from_the_code_and_only_pandas_counts():
    code = ('credits = attributions.merge(outlets, on="outlet_id")\n'
            'n = credits.groupby("outlet_id")["article_id"].nunique().reset_index(name="n")\n'
            'd = (a["end"] - a["start"]).dt.days.max()\n'
            'hit = s.str.contains("x", regex=False)\n'
            'v = frame.set_index("id").loc["a001", "x"]\n'
            'text.my_own_helper()\n')
    found = voc.used_names(code)
    assert {"merge", "groupby", "nunique", "reset_index", "dt", "days", "max", "str", "contains",
            "set_index", "loc"} <= found
    assert "my_own_helper" not in found
    assert voc.used_names("this is not python (") == set()


def test_only_what_a_learner_writes_is_checked():
    cell = 'outlets = load("outlets").merge(x)\n# BEGIN SOLUTION\nanswer_q4 = t.nunique()\n# END SOLUTION'
    assert voc.used_names(voc._solution_blocks(cell)) == {"nunique"}


def test_a_name_no_lesson_shows_is_reported(monkeypatch):
    lessons = voc.lesson_vocabulary()
    stripped = {nn: names - {"merge"} for nn, names in lessons.items()}
    monkeypatch.setattr(voc, "lesson_vocabulary", lambda root=None: stripped)
    missing = voc.untaught()
    assert "merge" in missing.get("01-meet-the-sources", []), missing


def test_a_name_taught_only_later_does_not_count(monkeypatch):
    lessons = voc.lesson_vocabulary()
    moved = {nn: (names - {"nunique"}) | ({"nunique"} if nn == "08" else set()) for nn, names in lessons.items()}
    monkeypatch.setattr(voc, "lesson_vocabulary", lambda root=None: moved)
    assert "nunique" in voc.untaught().get("01-meet-the-sources", [])


@pytest.mark.parametrize("slug", exfmt.SETS)
def test_each_set_has_a_vocabulary_line_in_the_guide(slug):
    text = voc.guide_markdown()
    assert f"| {slug[:2]} |" in text
