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
    "load": ("schema", "load"),
    "load_all": ("schema", "load_all"),
    "DataError": ("schema", "DataError"),
    "check_data": ("schema", "check_data"),
    "DATA_DIR": ("paths", "DATA_DIR"),
    "read_raw": ("seeds", "read_raw"),
    # evidence
    "cite": ("evidence", "cite"),
    "lookup": ("evidence", "lookup"),
    "side_by_side": ("evidence", "side_by_side"),
    # text
    "clean_article": ("clean", "clean_article"),
    "restore_obfuscation": ("clean", "restore_obfuscation"),
    "OBFUSCATION_EXCEPTIONS": ("clean", "OBFUSCATION_EXCEPTIONS"),
    # upstream
    "lateral_search": ("lateral", "search"),
    "lateral_view": ("lateral", "view"),
    # views
    "timeline_explorer": ("widgets", "timeline_explorer"),
    "source_comparison": ("widgets", "source_comparison"),
    "coverage_matrix": ("widgets", "coverage_matrix"),
    "coverage_heatmap": ("widgets", "coverage_heatmap"),
    # teaching
    "check": ("exercises", "check"),
    "lesson_setup": ("lessons", "lesson_setup"),
    "kit_files": ("lessons", "kit_files"),
    "event_table": ("lessons", "event_table"),
    "show_raw": ("lessons", "show_raw"),
    "furniture": ("lessons", "furniture"),
    "find_evidence": ("lessons", "find_evidence"),
    "sentences_en": ("lessons", "sentences_en"),
    "data_dictionary": ("lessons", "data_dictionary"),
    "parse_vn_number": ("lessons", "parse_vn_number"),
    "parse_vn_date": ("lessons", "parse_vn_date"),
    "number_readings": ("lessons", "number_readings"),
    "date_readings": ("lessons", "date_readings"),
    "report_lags": ("lessons", "report_lags"),
    "lag_chart": ("lessons", "lag_chart"),
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
