"""Iraq–US talks teaching kit helpers: the learner surface.

Lessons and exercises import everything they use from here::

    from iraqtalks import load, cite, check
    events = load("events")          # a typed pandas DataFrame, checked against data/datapackage.json
    check_data()                     # the same report as `python -m iraqtalks check-data`

Names are loaded on first use, so `import iraqtalks` stays light: the widgets (ipywidgets, matplotlib)
are imported only when a lesson asks for one.
"""
from __future__ import annotations

import importlib

# name -> (module, attribute). One place that says where each learner-facing name lives.
_SURFACE: dict[str, tuple[str, str]] = {
    # data
    "load": ("data.loader", "load"),
    "load_all": ("data.loader", "load_all"),
    "DataError": ("data.problems", "DataError"),
    "check_data": ("data.report", "check_data"),
    "DATA_DIR": ("data.paths", "DATA_DIR"),
    "read_raw": ("data.seeds", "read_raw"),
    # evidence
    "cite": ("data.evidence", "cite"),
    "lookup": ("data.evidence", "lookup"),
    "side_by_side": ("data.evidence", "side_by_side"),
    # text
    "clean_article": ("data.cleaning", "clean_article"),
    "restore_obfuscation": ("text.clean", "restore_obfuscation"),
    "OBFUSCATION_EXCEPTIONS": ("text.clean", "OBFUSCATION_EXCEPTIONS"),
    # analysis (lessons 04-08)
    "lateral_search": ("analysis.lateral", "search"),
    "lateral_view": ("analysis.lateral", "view"),
    "actor_roles": ("analysis.actors", "actor_roles"),
    "resolve_names": ("analysis.actors", "resolve_names"),
    "name_variants": ("analysis.actors", "name_variants"),
    "string_vs_entity": ("analysis.actors", "string_vs_entity"),
    "count_mentions": ("analysis.actors", "count_mentions"),
    "anonymous_counts": ("analysis.actors", "anonymous_counts"),
    "hedges": ("analysis.numbers", "hedges"),
    "compare_numbers": ("analysis.numbers", "compare_numbers"),
    "attribution_chains": ("analysis.sources", "attribution_chains"),
    "attribution_matrix": ("analysis.sources", "attribution_matrix"),
    "quotes_table": ("analysis.sources", "quotes_table"),
    "framing_pivot": ("analysis.sources", "framing_pivot"),
    "source_note_sides": ("analysis.sources", "source_note_sides"),
    "Brief": ("analysis.brief", "Brief"),
    "EXPORTS_DIR": ("data.paths", "EXPORTS_DIR"),
    # views
    "timeline_explorer": ("views.timeline", "timeline_explorer"),
    "source_comparison": ("views.compare", "source_comparison"),
    "coverage_matrix": ("views.heatmap", "coverage_matrix"),
    "coverage_heatmap": ("views.heatmap", "coverage_heatmap"),
    "measure_chart": ("views.charts", "measure_chart"),
    # teaching
    "check": ("teaching.checker", "check"),
    "lesson_setup": ("teaching.lessons", "lesson_setup"),
    "kit_files": ("teaching.lessons", "kit_files"),
    "event_table": ("teaching.lessons_tables", "event_table"),
    "show_raw": ("teaching.lessons", "show_raw"),
    "furniture": ("teaching.lessons", "furniture"),
    "find_evidence": ("teaching.lessons_tables", "find_evidence"),
    "sentences_en": ("teaching.lessons_tables", "sentences_en"),
    "data_dictionary": ("teaching.lessons_tables", "data_dictionary"),
    "parse_vn_number": ("text.vietnamese", "parse_vn_number"),
    "parse_vn_date": ("teaching.lessons_readings", "parse_vn_date"),
    "number_readings": ("teaching.lessons_readings", "number_readings"),
    "date_readings": ("teaching.lessons_readings", "date_readings"),
    "report_lags": ("teaching.lessons_lags", "report_lags"),
    "lag_chart": ("teaching.lessons_lags", "lag_chart"),
}

__all__ = sorted(_SURFACE)


def __getattr__(name: str):
    try:
        module, attribute = _SURFACE[name]
    except KeyError:
        raise AttributeError(f"module 'iraqtalks' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SURFACE))
