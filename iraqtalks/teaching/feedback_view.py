"""How `check()` feedback looks in a notebook: readable at a glance, not by colour alone (issue 16).

Each verdict gets an icon **and** a word on a coloured badge (Okabe–Ito colours, safe for the common
forms of colour blindness; black text on each, contrast at least 4.5:1), then the message itself:

    ✔ Correct            bluish green     the answer matches the key
    ✘ Not yet            vermillion       a wrong answer, with the next hint
    … Not answered yet   grey             the placeholder ``...`` or an empty answer
    ? Not checked yet    orange           the answer's form is wrong (no hint used up)
    ☑ Self-check         sky blue         a reflection: the checklist to compare against
    ? Unknown question   orange           no such question id
    ! Cannot check       vermillion       the answer keys are missing

The lesson a hint points to is a link, ``../notebooks/<lesson>.ipynb#<section>``: the same relative
path works from ``exercises/`` and from ``notebooks/``, and ``#<section>`` is the id JupyterLab gives the
section's heading (its text, spaces made ``-``).  The text form (``text/plain``, what a terminal or nbval
sees) is the message exactly as `check` prints it, which starts with the same word.
"""
from __future__ import annotations

import html
import re

#: status -> (icon, word, badge colour); text on every badge is black
BADGES: dict[str, tuple[str, str, str]] = {
    "correct": ("✔", "Correct", "#009E73"),
    "not_yet": ("✘", "Not yet", "#D55E00"),
    "not_answered": ("…", "Not answered yet", "#BBBBBB"),
    "format": ("?", "Not checked yet", "#E69F00"),
    "seen": ("☑", "Self-check", "#56B4E9"),
    "unknown": ("?", "Unknown question", "#E69F00"),
    "error": ("!", "Cannot check", "#D55E00"),
}
BADGE_TEXT = "#000000"
# the words the message itself starts with, which the badge already says
_LEADS = {"correct": "Correct! ", "not_yet": "Not yet. ", "not_answered": "Not answered yet: ",
          "format": "Not checked yet: "}
# "the section “X” of lesson 03 (../notebooks/03-the-timeline.ipynb)"
_POINTER = re.compile(r"the section “([^”]+)” of lesson (\d\d) \((\.\./notebooks/[\w.-]+\.ipynb)\)")


def section_anchor(heading: str) -> str:
    """The id JupyterLab gives a Markdown heading: its text with each space made ``-``."""
    return heading.replace(" ", "-")


def _link(m: re.Match) -> str:
    section, lesson, path = m.group(1), m.group(2), m.group(3)
    href = f"{path}#{section_anchor(section)}"
    return (f'<a href="{html.escape(href, quote=True)}">the section “{html.escape(section)}” '
            f'of lesson {lesson}</a>')


def feedback_html(status: str, message: str) -> str:
    """The feedback as HTML: badge (icon and word), then the message with lesson pointers as links."""
    icon, word, colour = BADGES.get(status, BADGES["format"])
    lead = _LEADS.get(status)
    body = message[len(lead):] if lead and message.startswith(lead) else message
    parts, last = [], 0
    for m in _POINTER.finditer(body):
        parts += [html.escape(body[last:m.start()]), _link(m)]
        last = m.end()
    parts.append(html.escape(body[last:]))
    return (f'<div class="iraqtalks-feedback iraqtalks-feedback-{html.escape(status)}" '
            f'style="border-left:6px solid {colour};padding:0.3em 0.6em;margin:0.2em 0">'
            f'<strong class="iraqtalks-feedback-badge" style="background:{colour};color:{BADGE_TEXT};'
            f'padding:0.1em 0.5em;border-radius:0.3em;white-space:nowrap">'
            f'<span aria-hidden="true">{icon}</span> {word}</strong> '
            f'<span class="iraqtalks-feedback-text" style="white-space:pre-wrap">{"".join(parts)}</span></div>')


def show(fb) -> None:
    """Show a Feedback: rich (HTML and text) in a Jupyter kernel, its message printed anywhere else."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        display(fb)
    else:
        print(fb.message)


__all__ = ["BADGES", "BADGE_TEXT", "feedback_html", "section_anchor", "show"]
