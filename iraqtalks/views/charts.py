"""Charts of the analyses: :func:`measure_chart`, the same quantity article by article, one marker per hedge.
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.common import as_list, as_text, known_keys
from ..analysis.numbers import numbers_table
from ..data.descriptor import enum_labels
from . import plotting


def hedge_colours(*, data_dir=None) -> dict[str, str]:
    """Colour for each hedge of numbers.qualifier in :func:`measure_chart`, in the schema's order (Okabe–Ito;
    black, the palette's eighth colour, for the last, vague amounts, which are text)."""
    hedges = list(enum_labels("numbers", "qualifier", data_dir=data_dir))
    colours = list(plotting.PALETTE[:len(hedges) - 1]) + [plotting.PALETTE[7]]
    return dict(zip(hedges, colours))



#: Marker shape for each hedge in :func:`measure_chart` (a triangle points the way the hedge leans; a hedge
#: not listed here is drawn as a circle)
HEDGE_MARKERS: dict[str, str] = {
    "exact": "o", "about": "D", "more_than": ">", "at_least": ">", "less_than": "<", "nearly": "<", "vague": "s",
}


def measure_chart(measure_ids: str | Iterable[str], *, title: str | None = None, xlabel: str | None = None,
                  labels: Mapping[str, str] | None = None, ax=None, data_dir=None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> Figure:
    """A dot chart of every figure given for one or more measures: one row per number, grouped by measure.

    The dot sits at the value; its shape and colour show the hedge, and a short arrow shows which
    way a hedge leans (more than / at least →, less than / nearly ←).  Vague amounts have no value:
    they are written at the left edge.  Each row is labelled with the article and the figure as
    printed.  `labels` maps measure_id to a short English label for the group headings
    (default: the measure's ``counted_en``); the x axis is labelled with the first measure's unit unless
    `xlabel` is given.  Returns the Figure (drawn on `ax` if given).
    """
    ids = as_list(measure_ids)
    if not ids:
        raise ValueError("measure_chart: name at least one measure_id")
    num = numbers_table(data_dir=data_dir, tables=tables)
    known_keys(ids, num["measure_id"], "measure_id(s)")
    labels = dict(labels or {})
    rows = []  # (label, value, qualifier, figure) ; headings have value None and qualifier ''
    for m in ids:
        grp = num[num["measure_id"] == m].sort_values(["article_id", "number_id"], kind="stable")
        head = labels.get(m) or (as_text(grp["counted_en"]).iloc[0] if "counted_en" in grp else m)
        rows.append((textwrap.fill(head, 34), None, "", ""))
        for _, r in grp.iterrows():
            rows.append((f"{r['article_id']} · {r['figure']}", None if pd.isna(r["value"]) else float(r["value"]),
                         r["qualifier"], r["figure"]))
    values = [v for _, v, _, _ in rows if v is not None]
    hi = max(values) if values else 1.0
    if ax is None:
        fig = plotting.new_figure(8.5, 1.0 + 0.4 * len(rows), layout="constrained")
        ax = fig.add_subplot()
    words = enum_labels("numbers", "qualifier", "en", data_dir=data_dir)
    colours = hedge_colours(data_dir=data_dir)
    qual_keys = list(words)
    arrow = hi * 0.12
    with plotting.style():
        used = []
        for y, (_label, v, q, fig_text) in enumerate(rows):
            if not q:
                continue
            colour = colours[q]
            if v is None:
                ax.text(0, y, f"  {fig_text} (vague: no figure)", va="center", ha="left", fontsize=9,
                        color=colour, style="italic")
            else:
                lean = {"more_than": 1, "at_least": 1, "less_than": -1, "nearly": -1}.get(q, 0)
                if lean:
                    ax.annotate("", xy=(v + lean * arrow, y), xytext=(v + lean * arrow * 0.25, y),
                                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2, "shrinkA": 0, "shrinkB": 0})
                ax.scatter([v], [y], s=70, marker=HEDGE_MARKERS.get(q, "o"), color=colour, edgecolors="black",
                           linewidths=0.6, zorder=3)
            if q not in used:
                used.append(q)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        for tick, r in zip(ax.get_yticklabels(), rows):
            if not r[2]:
                tick.set_fontweight("bold")
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, hi * 1.2)
        ax.grid(axis="y", visible=False)
        unit = as_text(num.loc[num["measure_id"] == ids[0], "unit"]).iloc[0] if "unit" in num else ""
        plotting.set_labels(ax, title or "The same quantity, article by article",
                            xlabel if xlabel is not None else f"Value ({unit})" if unit else "Value",
                            "Article · figure as printed", loc="right")
        handles = [Line2D([], [], marker=HEDGE_MARKERS.get(q, "o"), color=colours[q],
                          markeredgecolor="black", linestyle="none", markersize=8,
                          label=words[q]) for q in qual_keys if q in used]
        ax.legend(handles=handles, title="Hedge", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        plotting.literal_text(ax)
    return ax.figure
