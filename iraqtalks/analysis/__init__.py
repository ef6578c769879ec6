"""Small analyses for lessons 04–07: who is who, numbers, sources and framing, and the capstone brief.

Every function returns a plain pandas DataFrame built from the kit's tables, so a lesson cell stays one
line and the learner can keep working with pandas::

    from iraqtalks import name_variants, compare_numbers, source_note_sides
    name_variants(["sudani"])                     # every spelling of one actor, article by article
    compare_numbers()                             # the same quantity across articles, with a verdict
    source_note_sides("sn02-attack-count")        # both sides of a disagreement, with evidence

Tables are loaded from ``data_dir=`` (default: the kit's data/). Each function also takes
``tables={"numbers": df, ...}`` to use DataFrames of your own instead. Modules: actors, numbers, sources,
brief (the capstone's :class:`Brief`), lateral (seed sentences beside upstream excerpts). Charts of these
analyses (``measure_chart``) are views: :mod:`iraqtalks.views.charts`.
"""
from __future__ import annotations

from .actors import actor_roles, anonymous_counts, count_mentions, name_variants, resolve_names, string_vs_entity
from .brief import EXPORTS_DIR, Brief, BriefCheck, Claim, md_code, md_text
from .numbers import compare_numbers, hedge_meaning, hedge_words, hedges
from .sources import attribution_chains, attribution_matrix, framing_pivot, quotes_table, source_note_sides

__all__ = [
    "EXPORTS_DIR", "HEDGES_EN", "HEDGE_MEANING", "hedge_words", "hedge_meaning",
    "actor_roles", "resolve_names", "name_variants", "string_vs_entity", "count_mentions", "anonymous_counts",
    "hedges", "compare_numbers",
    "attribution_chains", "attribution_matrix", "quotes_table", "framing_pivot", "source_note_sides",
    "Claim", "BriefCheck", "Brief", "md_text", "md_code",
]


def __getattr__(name: str):
    """HEDGES_EN and HEDGE_MEANING, read from the kit's datapackage.json when first used (see :mod:`.numbers`)."""
    if name in ("HEDGES_EN", "HEDGE_MEANING"):
        from . import numbers
        return getattr(numbers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
