"""Coverage: which article reports which event, as a matrix (events × articles) and as a heatmap.

:func:`coverage_tables` prepares the tables once for the matrix, the heatmap and the source comparison
(:mod:`.compare`, whose ``.static()`` is this heatmap).
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..text.labels import date_text, pub_short
from . import plotting
from .shared import Tables, check_report_articles

__all__ = ["coverage_matrix", "coverage_heatmap", "coverage_tables", "coverage_figure", "LABEL_SIZE", "SHOWN_WIDTH_PX"]


def coverage_tables(tables: Tables) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    events = tables.events()
    reports = tables.reports(events)
    articles = tables.articles()
    check_report_articles(reports, articles)
    events = events.sort_values(["date_start", "date_end", "event_id"], kind="stable").reset_index(drop=True)
    pairs = set(zip(reports["event_id"], reports["article_id"]))
    matrix = pd.DataFrame(
        [[(e, a) in pairs for a in articles["article_id"]] for e in events["event_id"]],
        index=pd.Index(events["event_id"], name="event_id"),
        columns=pd.Index(articles["article_id"], name="article_id"),
        dtype=bool,
    )
    return matrix, events, reports, articles


def coverage_matrix(data_dir=None, *, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Events × articles, True where the article reports the event (event_reports, plus each event's own evidence).

    Rows are events in date order (index `event_id`), columns every article (`article_id`).
    `tables` may hold DataFrames for events, event_reports and articles instead of loading them.
    """
    return coverage_tables(Tables(data_dir, tables))[0]


#: The size of the heatmap's row and column labels, in points: 10 pt is 14 px at the kit's 100 dpi, and still
#: at least 10 px when a notebook shrinks the picture to :data:`SHOWN_WIDTH_PX`.
LABEL_SIZE = 10
#: The narrowest a notebook commonly shows a picture (GitHub, nbviewer, a JupyterLab half screen), in pixels.
SHOWN_WIDTH_PX = 800
#: Characters per line of a row label (the event's date and whole summary, wrapped; never cut short).
LABEL_WIDTH = 40
_LINE = 0.17  # inches per line of a label at LABEL_SIZE
_ROW_PAD = 0.1  # inches above and below a row's label


def _event_label(ev, lang: str = "en", width: int = LABEL_WIDTH) -> str:
    when = date_text(ev.date_start, ev.date_end, ev.date_precision, lang)
    summary = ev.summary_vi if lang == "vi" else ev.summary_en
    return "\n".join(textwrap.wrap(f"{when} · {summary}", width))


def _row_edges(ylabels: list[str]) -> np.ndarray:
    """The rows' edges, top down, in inches: each row as tall as its label's lines."""
    heights = [_ROW_PAD + _LINE * (lab.count("\n") + 1) for lab in ylabels]
    return np.concatenate([[0.0], np.cumsum(heights)])


def _draw_coverage(ax, matrix: pd.DataFrame, events: pd.DataFrame, articles: pd.DataFrame) -> None:
    with plotting.style():
        n, m = matrix.shape
        ylabels = _coverage_ylabels(matrix, events)
        edges = _row_edges(ylabels)
        cmap = ListedColormap(["#F2F2F2", plotting.PALETTE[0]])
        ax.pcolormesh(np.arange(m + 1) - 0.5, edges, matrix.to_numpy().astype(int).reshape(n, m), cmap=cmap,
                      vmin=0, vmax=1, shading="flat")
        ax.set_xlim(-0.5, m - 0.5)
        ax.set_ylim(edges[-1], 0)
        ax.set_yticks((edges[:-1] + edges[1:]) / 2, ylabels, fontsize=LABEL_SIZE)
        ax.set_xticks(range(m), _coverage_xlabels(matrix, articles), fontsize=LABEL_SIZE)
        # Article names on top and at the bottom: a tall table stays readable at both ends.
        ax.tick_params(axis="x", top=True, labeltop=True, bottom=True, labelbottom=True)
        # White lines between the cells: one collection (minor ticks would cost a tick object each).
        grid = np.array([[(-0.5, y), (m - 0.5, y)] for y in edges[1:-1]]
                        + [[(x, 0.0), (x, edges[-1])] for x in np.arange(0.5, m - 1)]).reshape(-1, 2, 2)
        ax.add_collection(LineCollection(grid, colors="white", linewidths=1.5), autolim=False)
        ax.grid(False)
        for s in ax.spines.values():
            s.set_visible(False)
        plotting.set_labels(ax, "Which article reports which event", "Article (id and when it was published)",
                            "Event (date as known · summary)", loc="right")
        ax.legend(handles=[Patch(color=plotting.PALETTE[0], label="reported"),
                           Patch(facecolor="#F2F2F2", edgecolor="#999999", label="not mentioned")],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        plotting.literal_text(ax)


def _coverage_ylabels(matrix: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    ev = events.set_index("event_id").loc[matrix.index].reset_index()
    return [_event_label(r) for r in ev.itertuples(index=False)]


def _coverage_xlabels(matrix: pd.DataFrame, articles: pd.DataFrame) -> list[str]:
    art = articles.set_index("article_id").loc[matrix.columns]
    return [f"{a}\n{pub_short(r.published_start, r.published_end)}" + ("\n(end est.)" if getattr(r, "end_estimated", False) else "")
            for a, r in zip(matrix.columns, art.itertuples())]


def coverage_figure(matrix: pd.DataFrame, events: pd.DataFrame, articles: pd.DataFrame) -> Figure:
    """The coverage heatmap on a new figure laid out by hand (all sizes in inches).

    Margins come from the labels as the font renders them, so nothing is cut off and no layout
    engine or tight bounding box is needed: showing the figure draws it once.
    """
    n, m = matrix.shape
    fig = plotting.new_figure(8, 8)  # resized below, once the labels are measured
    ylabels, xlabels = _coverage_ylabels(matrix, events), _coverage_xlabels(matrix, articles)
    with plotting.style():
        tick = plotting.widest(fig, ylabels, LABEL_SIZE)
        column = max(0.75, plotting.widest(fig, xlabels, LABEL_SIZE) + 0.1)
        legend = plotting.widest(fig, ["not mentioned"], mpl.rcParams["legend.fontsize"])
        xlabel = plotting.widest(fig, ["Article (id and when it was published)"], mpl.rcParams["axes.labelsize"])
        title = plotting.widest(fig, ["Which article reports which event"], mpl.rcParams["axes.titlesize"], "bold")
    xlines = max((lab.count("\n") + 1 for lab in xlabels), default=1)
    plot_w, plot_h = column * max(m, 1), max(_row_edges(ylabels)[-1], 0.27)
    left = 0.15 + 0.25 + tick + 0.12           # edge, y label, tick labels, tick and pad
    right = max(0.12 + legend + 0.55 + 0.15,   # gap, legend text, its patch and padding
                (xlabel - plot_w) / 2 + 0.15)  # an x label wider than the plot overhangs both sides
    left = max(left, title - plot_w + 0.15)    # the title is right-aligned over the plot
    top = 0.45 + _LINE * xlines + 0.1          # title, then the tick labels on top
    bottom = 0.1 + _LINE * xlines + 0.4        # tick labels at the bottom, then the x label
    width, height = left + plot_w + right, top + plot_h + bottom
    fig.set_size_inches(width, height, forward=False)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)
    fig.laid_out = True
    _draw_coverage(fig.add_subplot(), matrix, events, articles)
    return fig


def coverage_heatmap(data_dir=None, ax=None, *, tables: Mapping[str, pd.DataFrame] | None = None,
                     articles: Iterable[str] | None = None) -> Figure:
    """A heatmap of :func:`coverage_matrix`: events (date and summary, wrapped) down, articles across.

    Draws on `ax` if given (and returns its figure), else on a new Figure.  `articles` limits the
    columns to those article ids (and the rows to events at least one of them reports).
    """
    matrix, events, _, arts = coverage_tables(Tables(data_dir, tables))
    if articles is not None:
        wanted = list(articles)
        unknown = [a for a in wanted if a not in matrix.columns]
        if unknown:
            raise ValueError(f"coverage_heatmap: unknown article id(s) {unknown}; expected some of "
                             f"{', '.join(matrix.columns)}")
        matrix = matrix[wanted]
        matrix = matrix[matrix.any(axis=1)]
    if ax is None:
        return coverage_figure(matrix, events, arts)
    _draw_coverage(ax, matrix, events, arts)
    return ax.figure
