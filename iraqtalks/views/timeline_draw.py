"""Drawing the timeline explorer: its marks, axes, legend and layout on one reused matplotlib Figure, the
PNG it shows, and the chart in words (its text alternative).

:class:`TimelineDrawing` is the drawing half of :class:`iraqtalks.views.timeline.TimelineExplorer` (a mixin:
it uses the explorer's tables, lane keys and names); the helpers below it draw without matplotlib's
data-limit bookkeeping, so that a redraw costs little.
"""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import IdentityTransform
from PIL import Image as PILImage

from ..text.labels import UI_WORDS as TEXT
from ..text.labels import day_text as _day
from . import plotting
from .shared import ALL

__all__ = ["ALL", "MODES", "LANES", "TimelineState", "TimelineDrawing", "type_style", "OTHER_COLOUR"]

MODES = ("happened", "reported")
LANES = ("actor", "type")

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class TimelineState:
    """Everything that decides what the timeline shows."""

    date_lo: pd.Timestamp
    date_hi: pd.Timestamp
    actor: str = ALL
    event_type: str = ALL
    article: str = ALL
    mode: str = "happened"
    lanes: str = "actor"
    lang: str = "en"



_FIG_WIDTH = 10.0  # inches
_MIN_SPAN = pd.Timedelta(days=7)


def _set_xlim(ax, state: TimelineState, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    """Show lo..hi with a little padding; a window of a few days is widened to a week (so the axis
    reads in days, not hours) and the days actually selected are shaded.

    The arithmetic is on matplotlib's day numbers (floats), not pandas Timedeltas: events may span
    more than the 292 years a Timedelta can hold (the kit accepts dates from 1678 to 2261)."""
    lo_n, hi_n = mdates.date2num(lo), mdates.date2num(hi)
    week = _MIN_SPAN / _DAY
    if hi_n - lo_n < week:
        mid = (lo_n + hi_n) / 2
        lo_n, hi_n = mid - week / 2, mid + week / 2
        ax.axvspan(mdates.date2num(state.date_lo), mdates.date2num(state.date_hi + _DAY), color="#EEEEEE", zorder=0)
    pad = (hi_n - lo_n) * 0.02
    ax.set_xlim(lo_n - pad, hi_n + pad)


def _fit(fig: Figure, ylabels: list[str], legend_rows: int, plot_height: float) -> None:
    """Size the figure and place its one axes by hand (no layout engine: a redraw then draws only once).

    Left margin from the widest lane label as the font renders it; top room for title and subtitle;
    bottom room for the date ticks, the x label and `legend_rows` rows of legend.
    """
    left = plotting.widest(fig, ylabels, mpl.rcParams["ytick.labelsize"]) + 0.55
    top, bottom = 0.72, 0.7 + 0.2 * legend_rows
    height = top + bottom + plot_height
    fig.set_size_inches(_FIG_WIDTH, height, forward=False)
    fig.subplots_adjust(left=left / _FIG_WIDTH, right=1 - 0.3 / _FIG_WIDTH, top=1 - top / height, bottom=bottom / height)


def _set_legend(fig: Figure, entries: list[dict], ncols: int) -> None:
    """The figure legend below the plot: one entry per dict of Line2D properties (with a `label`).

    A legend with the same entries as the one already shown is kept: most updates (a date range,
    an actor) change the marks, not the key to them, and building a legend costs more than the marks.
    """
    key = (tuple(tuple(sorted(e.items())) for e in entries), ncols)
    if fig.legends and getattr(fig, "_iraqtalks_legend", None) == key:
        return
    for old in list(fig.legends):
        old.remove()
    fig._iraqtalks_legend = key
    if entries:
        fig.legend(handles=[Line2D([], [], **e) for e in entries], loc="lower center", bbox_to_anchor=(0.5, 0.0),
                   ncols=ncols, fontsize=9, borderaxespad=0.3)


def _hlines(ax, y, xmin, xmax, *, colors, linewidth, alpha=None, linestyles="solid") -> LineCollection:
    """``ax.hlines`` without its data-limit bookkeeping (each draw sets the limits itself): the same
    LineCollection, made in a third of the time."""
    verts = np.empty((len(y), 2, 2))
    verts[:, 0, 0], verts[:, 0, 1], verts[:, 1, 0], verts[:, 1, 1] = xmin, y, xmax, y
    lines = LineCollection([], colors=colors, linestyles=linestyles, linewidths=linewidth, alpha=alpha)
    if len(verts):
        template = MplPath(verts[0])
        try:  # matplotlib's own shortcut for many paths alike: the same Path objects, made 3x faster
            lines._paths = [MplPath._fast_from_codes_and_verts(v, None, template) for v in verts]
        except AttributeError:  # a matplotlib without the shortcut
            lines.set_segments(verts)
    ax.add_collection(lines, autolim=False)
    return lines


def _points(ax, x, y, *, size, colour, marker, edgecolor, linewidth, zorder) -> PathCollection:
    """``ax.scatter`` for one colour and one filled marker, without its argument parsing and data-limit
    bookkeeping (each draw sets the limits itself): the same PathCollection, made in a third of the time."""
    style = MarkerStyle(marker)
    points = PathCollection((style.get_path().transformed(style.get_transform()),), np.array([size]),
                            facecolors=to_rgba_array(colour), edgecolors=edgecolor, linewidths=linewidth,
                            offsets=np.column_stack([x, y]), offset_transform=ax.transData)
    points.set_transform(IdentityTransform())
    points.set_zorder(zorder)
    ax.add_collection(points, autolim=False)
    return points


def _clear_marks(ax) -> None:
    """Remove everything the last draw put on `ax`, keeping the axes and their tick objects.

    ``ax.clear()`` would also throw the ticks away, and making them again is a third of a redraw.
    Every property a draw sets (labels, limits, ticks, locators, grid) it sets again each time.
    """
    for artist in [*ax.collections, *ax.patches, *ax.lines, *ax.texts, *ax.images]:
        artist.remove()


#: Characters per line of a lane label (longer names wrap onto more lines).
_LABEL_WIDTH = 30

#: The colour of the event type "other": a neutral grey, not one of the palette's colours (which belong to named types).
OTHER_COLOUR = "#7A7A7A"
#: The dash pattern of spans whose colour alone does not tell their type apart (in line widths: dash, gap).
SPAN_DASHES = (0, (1.2, 0.6))


def type_style(event_type: str, keys: list[str]) -> tuple[str, str, tuple | None]:
    """(colour, marker, dash pattern or None) of an event type on the timeline.

    Colours follow the palette in the schema's order of the types present; with more types than colours the
    colours repeat, so those types' spans are dashed (and their markers differ).  "other" is always grey,
    with square markers and dashed spans: never mistaken for a named type, in colour or without it."""
    if event_type == "other":
        return OTHER_COLOUR, "s", SPAN_DASHES
    colour, marker = plotting.colour_for(event_type, keys), plotting.marker_for(event_type, keys)
    repeats = list(dict.fromkeys(keys)).index(event_type) >= len(plotting.PALETTE)
    return colour, marker, SPAN_DASHES if repeats else None


class TimelineDrawing:
    """The drawing half of the timeline explorer (see the module docstring)."""

    def draw(self, fig: Figure, state: TimelineState, selected: pd.DataFrame, pdata: pd.DataFrame,
             lanes: list[str]) -> None:
        """Draw the timeline on `fig`, reusing its axes if it has some."""
        t = TEXT[state.lang]
        with plotting.style():
            ax = fig.axes[0] if fig.axes else fig.add_subplot()
            _clear_marks(ax)
            span = (_day(state.date_lo, state.lang), _day(state.date_hi, state.lang))
            title = t["title_happened"] if state.mode == "happened" else t["title_reported"]
            plotting.set_labels(
                ax, title, t["x_happened"] if state.mode == "happened" else t["x_reported"],
                t["y_actor"] if state.lanes == "actor" else t["y_type"],
                subtitle=t["subtitle"].format(lo=span[0], hi=span[1], n=len(selected), total=len(self.events)),
            )
            if selected.empty or pdata.empty:
                message = t["empty"] if selected.empty else t["no_reports"].format(n=len(selected))
                ax.set_yticks([])
                _set_xlim(ax, state, state.date_lo, state.date_hi + _DAY)
                ax.text(0.5, 0.5, textwrap.fill(message, 60), transform=ax.transAxes, ha="center",
                        va="center", fontsize=12)
                self._date_axis(ax, state.lang)
                _set_legend(fig, [], 1)
                _fit(fig, [], 0, 1.6)
                plotting.literal_text(fig)
                return
            x0 = mdates.date2num(pdata["x0"].to_numpy())
            x1 = mdates.date2num(pdata["x1"].to_numpy())
            anchor = mdates.date2num(pdata["anchor"].to_numpy())
            y = pdata["y"].to_numpy()
            kind = pdata["kind"].to_numpy()
            handles = []
            if state.mode == "happened":
                types = selected.set_index("event_id")["event_type"]
                type_code, present = pd.factorize(types.reindex(pdata["event_id"]).to_numpy())
                is_point, is_range = kind == "point", kind == "range"
                code_of = {k: i for i, k in enumerate(present)}
                for tp in [k for k in self._type_keys if k in code_of]:
                    colour, marker, dashes = type_style(tp, self._type_keys)
                    m = type_code == code_of[tp]
                    pts, rng = m & is_point, m & is_range
                    if rng.any():
                        _hlines(ax, y[rng], x0[rng], x1[rng], colors=colour, linewidth=7, alpha=0.75,
                                linestyles=dashes or "solid")
                    if pts.any():
                        _points(ax, x0[pts], y[pts], size=55, colour=colour, marker=marker, edgecolor="white",
                                linewidth=0.8, zorder=3)
                    # a type drawn with a pattern shows the pattern in the legend too
                    line = dict(linestyle=dashes, linewidth=3.5) if dashes else dict(linestyle="none")
                    handles.append(dict(color=colour, marker=marker, markersize=7, **line,
                                        label=self.type_label(tp, state.lang)))
                handles += [dict(color="#555555", marker="o", linestyle="none", label=t["leg_point"]),
                            dict(color="#555555", linewidth=7, alpha=0.75, label=t["leg_range"])]
                lo, hi = state.date_lo, state.date_hi + _DAY
            else:
                ev = selected.set_index("event_id")
                start = mdates.date2num(ev["date_start"].reindex(pdata["event_id"]).to_numpy())
                end = mdates.date2num((ev["date_end"] + _DAY).reindex(pdata["event_id"]).to_numpy())
                point = (ev["date_precision"].eq("day") & ev["date_start"].eq(ev["date_end"])).reindex(
                    pdata["event_id"]).to_numpy()
                _hlines(ax, y[~point], start[~point], end[~point], colors=plotting.GREY, linewidth=6, alpha=0.8)
                ax.scatter(anchor[point], y[point], s=30, color=plotting.GREY, zorder=3)
                _hlines(ax, y, anchor, x0, colors="#777777", linewidth=1, linestyles=":")
                arts = pdata["article_id"].to_numpy()
                present = set(arts)
                for art in [a for a in self._article_keys if a in present]:
                    colour = plotting.colour_for(art, self._article_keys)
                    m = arts == art
                    _hlines(ax, y[m], x0[m], x1[m], colors=colour, linewidth=5)
                    handles.append(dict(color=colour, linewidth=5,
                                        label=textwrap.shorten(self.article_label(art), 34, placeholder="…")))
                handles += [dict(color=plotting.GREY, linewidth=6, label=t["leg_event"]),
                            dict(color="#777777", linewidth=1, linestyle=":", label=t["leg_lag"])]
                lo = min(state.date_lo, pdata["x0"].min()) if len(pdata) else state.date_lo
                hi = max(state.date_hi + _DAY, pdata["x1"].max()) if len(pdata) else state.date_hi + _DAY
            _set_xlim(ax, state, lo, hi)
            # whole names, wrapped onto lines (never cut off); the lanes grow to hold the most lines
            ylabels = ["\n".join(textwrap.wrap(self._lane_label(k, state.lanes, state.lang), _LABEL_WIDTH)) for k in lanes]
            lines = max(lab.count("\n") + 1 for lab in ylabels)
            ax.set_yticks(range(len(lanes)), ylabels)
            ax.set_ylim(len(lanes) - 0.5, -0.5)
            ax.grid(axis="y", visible=False)
            ncols = min(4 if state.mode == "happened" else 3, len(handles))
            _set_legend(fig, handles, ncols)
            self._date_axis(ax, state.lang)
            _fit(fig, ylabels, -(-len(handles) // ncols),
                 max(1.6, (0.34 if lines == 1 else 0.17 * lines + 0.14) * len(lanes) + 0.2))
            plotting.literal_text(fig)

    @staticmethod
    def _date_axis(ax, lang: str) -> None:
        loc = mdates.AutoDateLocator(minticks=3, maxticks=9)
        ax.xaxis.set_major_locator(loc)
        if lang == "vi":
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
                loc, formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S"],
                zero_formats=["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"],
                offset_formats=["", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]))
        else:
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))

    def _png(self) -> bytes:
        # Draw the canvas once and encode its pixels: about a third faster than savefig, same picture.
        with plotting.style():
            self.figure.canvas.draw()
        rgba = self.figure.canvas.buffer_rgba()
        buf = io.BytesIO()
        PILImage.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).save(
            buf, format="png", compress_level=1)
        return buf.getvalue()


    def describe(self, state: TimelineState, selected: pd.DataFrame, max_lanes: int = 8) -> str:
        """The chart in words (its text alternative for screen readers): title, window, count, and the
        number of events in each lane, largest first (ties by name)."""
        t = TEXT[state.lang]
        title = t["title_happened" if state.mode == "happened" else "title_reported"]
        lanes_word = t["alt_lane_" + state.lanes]
        if selected.empty:
            detail = t["alt_none"]
        else:
            keys = selected["actor1_id" if state.lanes == "actor" else "event_type"].value_counts()
            items = sorted(((self._lane_label(k, state.lanes, state.lang), int(n)) for k, n in keys.items()),
                           key=lambda kv: (-kv[1], kv[0].casefold()))
            shown = [t["alt_lane"].format(name=name, k=k) for name, k in items[:max_lanes]]
            if len(items) > max_lanes:
                shown.append(t["alt_more"].format(k=len(items) - max_lanes))
            detail = t["alt_lanes"].format(items="; ".join(shown))
        return t["alt"].format(title=title, lo=_day(state.date_lo, state.lang), hi=_day(state.date_hi, state.lang),
                               n=len(selected), total=len(self.events), lanes=lanes_word, detail=detail)

