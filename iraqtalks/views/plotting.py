"""The kit's matplotlib look: fonts with Vietnamese diacritics, readable sizes, a colour-blind-safe palette.

Lessons call :func:`setup` once; the widgets apply the same settings locally (with :func:`style`)
so they look the same whether or not `setup()` was called.

The palette is Okabe & Ito's "colour universal design" set (https://jfly.uni-koeln.de/color/),
distinguishable with the common forms of colour blindness.  Yellow comes late because it is pale
on white, and black last because the kit uses it for text and axes.

Text from data is drawn as text.  Matplotlib reads a string with two ``$`` as math (``US ($1bn/$2bn)``
would lose its dollars and turn italic; ``costs $5 and #2: $6`` would not draw at all), so every
chart of the kit ends with :func:`literal_text`, which tells each of its texts (titles, labels,
tick labels, annotations, legends) to draw exactly the characters it holds.
"""
from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

#: Okabe–Ito colours in the order the kit hands them out.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: English names of the palette colours, same order as :data:`PALETTE` (for alt text and legends).
PALETTE_NAMES: tuple[str, ...] = (
    "blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "yellow", "black",
)

#: A neutral grey for "nothing here" (empty cells, faded context marks).
GREY = "#BBBBBB"

#: Marker shapes used, together with the colour, when there are more keys than colours.
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")

#: Font family with full Vietnamese coverage (ă â đ ê ô ơ ư and the tone marks), shipped with matplotlib.
FONT = "DejaVu Sans"

#: The rcParams that :func:`setup` applies.
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "legend.frameon": False,
    "figure.titlesize": 14,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": None,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "image.cmap": "cividis",
}


def setup() -> dict[str, Any]:
    """Apply the kit's matplotlib style for the rest of the session; returns the settings applied.

    DejaVu Sans (Vietnamese diacritics render correctly), readable font sizes, the Okabe–Ito colour
    cycle, light grid, no top/right spines, left-aligned bold titles.  Safe to call more than once.
    """
    mpl.rcParams.update(RC)
    _show_kit_figures_as_laid_out()
    return dict(RC)


def _show_kit_figures_as_laid_out() -> None:
    """In IPython, show a :class:`KitFigure` through its own ``_repr_png_``.

    The inline backend registers a printer for every matplotlib Figure that trims it to a tight
    bounding box, which draws the figure twice; a figure the kit laid out by hand needs one draw.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(KitFigure, KitFigure._repr_png_)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Use the kit's style inside a `with` block only, leaving the global settings untouched."""
    with mpl.rc_context(RC):
        yield


def _key_index(key: Any, keys: Sequence[Any] | Iterable[Any]) -> int:
    keys = list(dict.fromkeys(keys))  # keep order, drop repeats
    try:
        return keys.index(key)
    except ValueError:
        shown = ", ".join(map(repr, keys[:12])) + (" ..." if len(keys) > 12 else "")
        raise ValueError(f"colour_for: key {key!r} is not among the keys given ({shown})") from None


def colour_for(key: Any, keys: Sequence[Any] | Iterable[Any]) -> str:
    """The palette colour for `key`, given the full ordered list of `keys` it belongs to.

    The same key gets the same colour in every chart that passes the same `keys`.  With more keys
    than colours the colours repeat; pair them with :func:`marker_for` so each key stays distinct.
    Raises ValueError if `key` is not in `keys`.
    """
    return PALETTE[_key_index(key, keys) % len(PALETTE)]


def marker_for(key: Any, keys: Sequence[Any] | Iterable[Any]) -> str:
    """A marker shape that, together with :func:`colour_for`, tells up to 64 keys apart."""
    return MARKERS[(_key_index(key, keys) // len(PALETTE)) % len(MARKERS)]


def set_labels(
    ax,
    title: str,
    xlabel: str | None = None,
    ylabel: str | None = None,
    *,
    subtitle: str | None = None,
    source: str | None = None,
    loc: str = "left",
) -> None:
    """Title and axis labels in the kit's style.

    `subtitle` goes under the title in a smaller, regular weight; `source` is a small note at the
    bottom-left of the figure (e.g. "Source: five Vietnamese articles, Jan–Feb 2024").  `loc` aligns the
    title with the left (default) or right edge of the axes ("right" suits charts with long y labels).  Every chart
    in the kit has a title and labelled axes: pass "" explicitly to leave an axis unlabelled on purpose.
    """
    if not title:
        raise ValueError("set_labels: every chart in the kit needs a title")
    if loc not in ("left", "right", "center"):
        raise ValueError(f"set_labels: loc must be 'left', 'center' or 'right', found {loc!r}")
    if subtitle:
        ax.set_title(f"{title}\n", loc=loc, fontweight="bold")
        x = {"left": 0.0, "center": 0.5, "right": 1.0}[loc]
        ax.text(x, 1.01, subtitle, transform=ax.transAxes, ha=loc, va="bottom",
                fontsize=mpl.rcParams["font.size"] - 1, color="#444444")
    else:
        ax.set_title(title, loc=loc, fontweight="bold")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if source:
        fig = ax.figure
        fig.text(0.01, 0.005, source, ha="left", va="bottom", fontsize=8, color="#555555")
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):  # keep the layout clear of the note's line
            room = 0.22 / fig.get_size_inches()[1]
            engine.set(rect=(0, room, 1, 1 - room))


def literal_text(artist):
    """Draw every text of `artist` literally, with no mathtext: a whole Figure, or one Axes (when the
    kit draws on an Axes you gave it, your other axes keep their own settings).

    Titles, axis labels, tick labels, annotations, legend entries and legend titles all draw the
    characters they hold, so ``$`` in data stays a dollar sign.  Call it once a chart is built (the
    kit's charts and widgets all do; call it again after adding text).  Returns `artist`.
    """
    for text in artist.findobj(Text):
        text.set_parse_math(False)
    return artist


class KitFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG in any notebook.

    It is not registered with pyplot (so nothing accumulates and nothing is shown twice) and needs
    no particular backend: Jupyter calls ``_repr_png_`` when the figure is the last value of a cell.
    """

    #: True for a figure whose margins were set from its measured labels (the kit's heatmap and timeline).
    #: Such a figure, and one with constrained layout, is shown as it is: drawn once.  Any other figure
    #: is trimmed to a tight bounding box first, which draws it twice.
    laid_out: bool = False

    #: A text alternative written by the function that drew the chart; None: :func:`describe` writes one.
    alt: str | None = None

    def describe(self) -> str:
        """The chart in words (its ``alt`` text): :attr:`alt` if set, else :func:`describe`."""
        return self.alt or describe(self)

    def _repr_html_(self) -> str:
        """The PNG as an ``<img>`` with :meth:`describe` as its alt text (JupyterLab shows this one).

        The PNG is kept for the ``image/png`` that IPython asks for next (exports, nbval), so the
        figure is drawn once for both."""
        from .accessible import figure_html

        png = self._draw_png()
        self._png_for_next = png
        return figure_html(self, png, self.describe())

    def _repr_png_(self) -> bytes:
        png = self.__dict__.pop("_png_for_next", None)
        return png if png is not None else self._draw_png()

    def _draw_png(self) -> bytes:
        fits = self.laid_out or isinstance(self.get_layout_engine(), ConstrainedLayoutEngine)
        buf = io.BytesIO()
        with style():
            # zlib level 3: smaller than the default 6 for these flat-colour charts, and faster
            self.savefig(buf, format="png", dpi="figure", bbox_inches=None if fits else "tight",
                         facecolor="white", pil_kwargs={"compress_level": 3})
        return buf.getvalue()


def new_figure(width: float = 10, height: float = 5, dpi: int = 100, **kwargs) -> KitFigure:
    """A new :class:`KitFigure` (Agg canvas attached), e.g. ``fig = new_figure(8, 4); ax = fig.add_subplot()``."""
    fig = KitFigure(figsize=(width, height), dpi=dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def _axis_words(ax, which: str, max_items: int = 6) -> str | None:
    """What runs along one axis: its label, then its category labels (the first few) or its range."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedFormatter, FixedLocator

    axis = ax.xaxis if which == "x" else ax.yaxis
    label = " ".join(axis.get_label().get_text().split())
    lo, hi = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    fmt = axis.get_major_formatter()
    ticks = [(loc, " ".join(t.get_text().split())) for loc, t in zip(axis.get_majorticklocs(), axis.get_ticklabels())
             if lo <= loc <= hi and t.get_visible()]
    ticks = [(loc, t) for loc, t in ticks if t]
    if isinstance(fmt, FixedFormatter) or isinstance(axis.get_major_locator(), FixedLocator):
        names = [t for _, t in sorted(ticks, key=lambda lt: lt[0], reverse=(which == "y" and not axis.get_inverted()))]
        if not names:
            return label or None
        shown = "; ".join(names[:max_items]) + (f"; and {len(names) - max_items} more" if len(names) > max_items else "")
        return f"{label + ', ' if label else ''}{len(names)} {'row' if which == 'y' else 'column'}{'s' if len(names) != 1 else ''}: {shown}"
    if type(fmt).__module__ == "matplotlib.dates":
        span = f"{mdates.num2date(lo):%-d %b %Y} to {mdates.num2date(hi):%-d %b %Y}"
    elif ticks:
        span = f"{ticks[0][1]} to {ticks[-1][1]}"
    else:
        span = ""
    if label and span:
        return f"{label} ({span})"
    return label or span or None


def describe(fig: Figure, max_items: int = 6) -> str:
    """A text alternative for a chart, read from the figure itself: its title, what runs across
    and down (the labels of a few rows or columns, or the range of values), the key and the
    figure's notes (e.g. its source line).  It says what the chart shows, not what it means: the
    lessons describe that in words beside each chart."""
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(" ".join(suptitle.get_text().split()))
    keys: list[str] = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        title = " ".join(" ".join(ax.get_title(loc).split()) for loc in ("left", "center", "right")).strip()
        if title:
            parts.append(title)
        across, down = _axis_words(ax, "x", max_items), _axis_words(ax, "y", max_items)
        if across:
            parts.append(f"Across: {across}")
        if down:
            parts.append(f"Down: {down}")
        if ax.get_legend() is not None:
            keys += [t.get_text() for t in ax.get_legend().get_texts()]
    for legend in fig.legends:
        keys += [t.get_text() for t in legend.get_texts()]
    if keys:
        parts.append("Key: " + ", ".join(" ".join(k.split()) for k in keys if k.strip()))
    parts += [" ".join(t.get_text().split()) for t in fig.texts if t.get_visible() and t.get_text().strip()]
    body = " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts if p)
    return f"Chart: {body}" if body else "Chart."


__all__ = ["KitFigure", "describe", "new_figure", "PALETTE", "PALETTE_NAMES", "GREY", "MARKERS", "FONT", "RC", "setup",
           "style", "colour_for", "marker_for", "set_labels", "literal_text", "widest"]


def widest(fig: Figure, labels: Iterable[str], size: float | str, weight: str = "normal") -> float:
    """Width in inches of the widest of `labels` in the kit's font at `size`, as the figure's renderer
    draws it (0 for no labels).  Each width is measured once per text, size, weight and resolution."""
    prop = FontProperties(family=FONT, size=size, weight=weight)
    most = 0.0
    for lab in labels:
        for line in lab.split("\n"):
            key = (line, prop.get_size(), weight, fig.dpi)
            if key not in _TEXT_WIDTHS:
                _TEXT_WIDTHS[key] = fig.canvas.get_renderer().get_text_width_height_descent(line, prop, ismath=False)[0]
            most = max(most, _TEXT_WIDTHS[key])
    return most / fig.dpi


_TEXT_WIDTHS: dict[tuple[str, float, str, float], float] = {}  # text widths in pixels, for widest
