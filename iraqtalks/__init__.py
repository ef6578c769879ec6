"""Iraq–US talks teaching kit helpers.

    from iraqtalks import load
    events = load("events")          # a typed pandas DataFrame, checked against data/datapackage.json
    check_data()                     # the same report as `python -m iraqtalks check-data`
"""
from .schema import DataError, check_data, load, load_all
from .evidence import cite, lookup, side_by_side
from .widgets import coverage_heatmap, coverage_matrix, source_comparison, timeline_explorer
from .lateral import search as lateral_search, view as lateral_view

# One name per line, so each helper module can add its own.
__all__ = [
    "load",
    "load_all",
    "DataError",
    "check_data",
    "cite",
    "lookup",
    "side_by_side",
    "timeline_explorer",
    "source_comparison",
    "coverage_matrix",
    "coverage_heatmap",
    "lateral_search",
    "lateral_view",
]
