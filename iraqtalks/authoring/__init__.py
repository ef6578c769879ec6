"""Authoring tools (python -m iraqtalks ...): nav, exercise generation, release, answer sheets, grading, the site.

Never imported by the learner layers (data, text, analysis, views, teaching).
"""
