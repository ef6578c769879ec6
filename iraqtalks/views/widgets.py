"""Interactive views for the lessons: a timeline explorer and a side-by-side source comparison.

Both are plain ipywidgets (no ipympl): the timeline is drawn with matplotlib on ONE reused Figure
and shown as a PNG in an ``Image`` widget, so it works in JupyterLab, Notebook 7, VS Code and
Voilà alike.  Every object displays itself, so a lesson cell is one line::

    from iraqtalks import timeline_explorer
    timeline_explorer()

Every piece of text that reaches HTML is escaped with :func:`html.escape`.  Widgets carry CSS
classes (``iraqtalks-timeline``, ``iraqtalks-count``, ``iraqtalks-date-slider`` ...) so that
browser tests and teachers' own stylesheets have stable selectors.

For the GitHub/printed copy of a lesson, ``.static()`` returns a matplotlib Figure of the default
view without any widget.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import io
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as W
import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import ListedColormap, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import IdentityTransform
from PIL import Image as PILImage

from ..data import paths as _paths
from ..data.loader import load as _schema_load
from ..data.problems import DataError, Problem
from ..text.labels import EVENT_TYPES, LANGS, PRECISION, date_text, type_label  # noqa: F401
from ..text.labels import MONTHS_EN as _MONTHS_EN
from ..text.labels import check_lang as _check_lang
from ..text.labels import day_text as _day
from ..text.labels import escape_html as _e
from . import plotting

ALL = "__all__"
"""The value of the 'All' choice in every filter dropdown."""

MODES = ("happened", "reported")
LANES = ("actor", "type")

_DAY = pd.Timedelta(days=1)
_HALF_DAY = pd.Timedelta(hours=12)

# --------------------------------------------------------------------------------------------
# Words on screen, in English and Vietnamese
# --------------------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Timeline explorer",
        "dates": "Dates",
        "actor": "Actor",
        "type": "Type",
        "article": "Article",
        "all": "All",
        "happened": "As it happened",
        "reported": "As reported",
        "lanes_actor": "Lanes: actor",
        "lanes_type": "Lanes: type",
        "window": "Show",
        "win_start": "Start view",
        "win_talks": "Weeks of the talks",
        "win_month": "One month",
        "win_all": "Everything",
        "count": "{n} of {total} events selected",
        "empty": "No events match these filters — widen the dates or choose 'All'.",
        "no_reports": "None of the {n} events selected is linked to an article, so there is nothing to show as "
                      "reported. Choose 'As it happened' to see them.",
        "more": "The list shows the first {n} of the {total} events selected; narrow the dates or the filters "
                "to list the others.",
        "title_happened": "Events as they happened",
        "title_reported": "Events as reported: from the event to the article",
        "subtitle": "{lo} – {hi} · {n} of {total} events",
        "x_happened": "Date of the event",
        "x_reported": "Date: event (faint), then when the article could have been published (bar)",
        "y_actor": "Main actor",
        "y_type": "Event type",
        "leg_point": "exact day known",
        "leg_range": "known only as a span",
        "leg_event": "the event",
        "leg_lag": "lag to publication",
        "reported_in": "Reported in",
        "date_as_written": "Date as written",
        "vi_quote": "Vietnamese (verbatim)",
        "en_quote": "English translation",
        "attributed_to": "Attributed to",
        "not_stated": "(no date given)",
        "unattributed": "(not attributed)",
        "actors": "Actors",
        "accused_by": "accused by",
        "place": "Place",
        "date_note": "How the date was worked out",
        "published": "published",
        "alt": "Chart: {title}, {lo} – {hi}: {n} of {total} events, one lane per {lanes}. {detail}",
        "alt_lane": "{name}: {k}",
        "alt_lanes": "Events per lane: {items}.",
        "alt_more": "and {k} more lanes",
        "alt_lane_actor": "main actor",
        "alt_lane_type": "event type",
        "alt_none": "No events are selected, so the chart is empty.",
        "event_evidence": "(the event's own evidence)",
    },
    "vi": {
        "heading": "Khám phá dòng thời gian",
        "dates": "Ngày",
        "actor": "Chủ thể",
        "type": "Loại",
        "article": "Bài báo",
        "all": "Tất cả",
        "happened": "Theo ngày xảy ra",
        "reported": "Theo ngày đưa tin",
        "lanes_actor": "Làn: chủ thể",
        "lanes_type": "Làn: loại sự kiện",
        "window": "Xem",
        "win_start": "Khung ban đầu",
        "win_talks": "Các tuần đàm phán",
        "win_month": "Một tháng",
        "win_all": "Tất cả",
        "count": "Đã chọn {n} trên {total} sự kiện",
        "empty": "Không có sự kiện nào khớp với các bộ lọc này — hãy nới rộng khoảng ngày hoặc chọn 'Tất cả'.",
        "no_reports": "Không sự kiện nào trong {n} sự kiện đã chọn được gắn với một bài báo, nên không có gì để "
                      "hiện theo ngày đưa tin. Hãy chọn 'Theo ngày xảy ra' để xem chúng.",
        "more": "Danh sách chỉ hiện {n} sự kiện đầu tiên trên {total} sự kiện đã chọn; hãy thu hẹp khoảng ngày "
                "hoặc bộ lọc để xem các sự kiện khác.",
        "title_happened": "Các sự kiện theo ngày xảy ra",
        "title_reported": "Các sự kiện theo ngày đưa tin: từ sự kiện đến bài báo",
        "subtitle": "{lo} – {hi} · {n} trên {total} sự kiện",
        "x_happened": "Ngày xảy ra sự kiện",
        "x_reported": "Ngày: sự kiện (mờ), rồi khoảng ngày bài báo có thể được đăng (thanh)",
        "y_actor": "Chủ thể chính",
        "y_type": "Loại sự kiện",
        "leg_point": "biết chính xác ngày",
        "leg_range": "chỉ biết trong một khoảng",
        "leg_event": "sự kiện",
        "leg_lag": "độ trễ đến khi đăng",
        "reported_in": "Được đưa tin trong",
        "date_as_written": "Ngày như bài viết ghi",
        "vi_quote": "Tiếng Việt (nguyên văn)",
        "en_quote": "Bản dịch tiếng Anh",
        "attributed_to": "Nguồn được dẫn",
        "not_stated": "(không ghi ngày)",
        "unattributed": "(không dẫn nguồn)",
        "actors": "Chủ thể",
        "accused_by": "bị cáo buộc bởi",
        "place": "Địa điểm",
        "date_note": "Cách xác định ngày",
        "published": "đăng",
        "alt": "Biểu đồ: {title}, {lo} – {hi}: {n} trên {total} sự kiện, mỗi làn một {lanes}. {detail}",
        "alt_lane": "{name}: {k}",
        "alt_lanes": "Số sự kiện mỗi làn: {items}.",
        "alt_more": "và {k} làn khác",
        "alt_lane_actor": "chủ thể chính",
        "alt_lane_type": "loại sự kiện",
        "alt_none": "Không có sự kiện nào được chọn, nên biểu đồ trống.",
        "event_evidence": "(trích dẫn của chính sự kiện)",
    },
}

# One small stylesheet, scoped by the kit's class names, shipped with each HTML panel.
_STYLE = ("<style>.iraqtalks-table{border-collapse:collapse;margin:0.3em 0 0.6em 0}"
          ".iraqtalks-table th,.iraqtalks-table td{text-align:left;padding:2px 6px;vertical-align:top}"
          ".iraqtalks-table th{border-bottom:1px solid #ccc}"
          ".iraqtalks-table td.iraqtalks-en{color:#333;font-style:italic}</style>")

# --------------------------------------------------------------------------------------------
# Loading and checking the tables
# --------------------------------------------------------------------------------------------


def _load(name: str, data_dir=None) -> pd.DataFrame:
    """One table of the kit, typed, via the kit's loader (iraqtalks.data.loader.load)."""
    return _schema_load(name, data_dir)


def _file_label(df: pd.DataFrame, table: str, from_file: bool) -> str:
    if from_file:
        src = Path(str(df.attrs.get("source") or f"{table}.csv"))
        try:
            return src.resolve().relative_to(_paths.ROOT).as_posix()
        except ValueError:
            return str(src)
    return f"the {table} DataFrame (rows counted from 0)"


def _fail(df: pd.DataFrame, table: str, from_file: bool, pos: int | None = None, column: str | None = None,
          found=None, expected: str | None = None, message: str = "", value: bool = True) -> DataError:
    """A DataError naming the file (or DataFrame), spreadsheet row (header = row 1), column, found and expected.

    `value=False` says `found` describes what was found rather than quoting a cell.
    """
    row = None if pos is None else (pos + 2 if from_file else pos)
    return DataError([Problem(_file_label(df, table, from_file), row=row, column=column,
                              found=None if found is None else str(found), expected=expected, message=message,
                              found_is_value=value)],
                     heading=f"The {table} table cannot be used here")


def _need_columns(df: pd.DataFrame, table: str, columns: Iterable[str], from_file: bool = False) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError([Problem(f"the {table} argument", found=type(df).__name__, found_is_value=False,
                                 expected="a pandas DataFrame")])
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise _fail(df, table, from_file, found=f"no column(s) {', '.join(missing)}", value=False,
                    expected=f"the columns of '{table}' in data/datapackage.json",
                    message=f"found columns: {', '.join(map(str, df.columns))}")


def _as_text(s: pd.Series) -> pd.Series:
    """Any string-like column (object, string, Categorical; NA or '') as plain str with '' for missing."""
    return s.astype("string").fillna("").astype(object)


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def _as_dates(df: pd.DataFrame, table: str, column: str, from_file: bool) -> np.ndarray:
    """A date column (datetime64 from the loader, or ISO text in a plain DataFrame) as day-precision datetime64."""
    s = df[column].reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
    else:
        # ISO text, or date objects (Timestamp, datetime, date) in an object column: both are dates
        vals = s.to_numpy(dtype=object)
        stamps = [pd.Timestamp(v) if isinstance(v, (_dt.date, np.datetime64)) and not pd.isna(v) else None
                  for v in vals]
        text = _as_text(pd.Series([None if t is not None else v for v, t in zip(vals, stamps)], dtype=object))
        parsed = pd.to_datetime(text.where(text != "", None), format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna() & (text != "")
        if bad.any():
            pos = _first(bad)
            raise _fail(df, table, from_file, pos, column, found=text.iloc[pos],
                        expected="an ISO date like 2024-01-27 (or a date object such as a pandas Timestamp)")
        out = pd.to_datetime(pd.Series([t.tz_localize(None) if t is not None and t.tz is not None else
                                        (t if t is not None else p) for t, p in zip(stamps, parsed)], dtype=object))
    if out.isna().any():
        raise _fail(df, table, from_file, _first(out.isna()), column, found="an empty cell", expected="a date", value=False)
    return out.dt.normalize().astype("datetime64[ns]").to_numpy()


def _text_frame(df: pd.DataFrame, table: str, required: Iterable[str], optional: Iterable[str],
                from_file: bool) -> pd.DataFrame:
    """Required and optional text columns as plain str ('' = missing); required ones must be filled."""
    required, optional = list(required), list(optional)
    _need_columns(df, table, required, from_file)
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in required:
        out[col] = _as_text(df[col]).to_numpy()
        empty = out[col] == ""
        if empty.any():
            raise _fail(df, table, from_file, _first(empty), col, found="an empty cell", expected="a value", value=False)
    for col in optional:
        out[col] = _as_text(df[col]).to_numpy() if col in df.columns else ""
    return out


def _unique(src: pd.DataFrame, df: pd.DataFrame, table: str, keys: list[str], from_file: bool) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        pos = _first(dup)
        shown = ", ".join(f"{k}={df[k].iloc[pos]!r}" for k in keys)
        raise _fail(src, table, from_file, pos, keys[0], found=f"a repeated key ({shown})", value=False,
                    expected=f"each {'/'.join(keys)} only once")


def _prep_events(df: pd.DataFrame, from_file: bool) -> pd.DataFrame:
    ev = _text_frame(
        df, "events",
        ["event_id", "date_precision", "event_type", "actor1_id", "summary_en", "summary_vi"],
        ["actor2_id", "location", "country", "date_note", "article_id", "evidence", "evidence_en", "actor1_basis",
         "accuser_id"],
        from_file,
    )
    _need_columns(df, "events", ["date_start", "date_end"], from_file)
    ev["date_start"] = _as_dates(df, "events", "date_start", from_file)
    ev["date_end"] = _as_dates(df, "events", "date_end", from_file)
    bad = ev["date_end"] < ev["date_start"]
    if bad.any():
        pos = _first(bad)
        raise _fail(df, "events", from_file, pos, "date_end", found=str(ev["date_end"].iloc[pos].date()),
                    expected=f"a date on or after date_start ({ev['date_start'].iloc[pos].date()})")
    bad = ~ev["date_precision"].isin(list(PRECISION["en"]))
    if bad.any():
        pos = _first(bad)
        raise _fail(df, "events", from_file, pos, "date_precision", found=ev["date_precision"].iloc[pos],
                    expected="one of day, month, year, range")
    _unique(df, ev, "events", ["event_id"], from_file)
    return ev


def _prep_reports(df: pd.DataFrame, events: pd.DataFrame, from_file: bool) -> pd.DataFrame:
    rep = _text_frame(df, "event_reports", ["event_id", "article_id", "evidence", "evidence_en"],
                      ["date_as_written", "attributed_to"], from_file)
    _unique(df, rep, "event_reports", ["event_id", "article_id"], from_file)
    rep["own"] = False
    # The event's own evidence is a report too, when event_reports does not already hold that article.
    own = events.loc[events["article_id"] != "", ["event_id", "article_id", "evidence", "evidence_en"]].copy()
    # (also when that article has a report row quoting another passage: both quotes are evidence)
    have = set(zip(rep["event_id"], rep["article_id"], rep["evidence"]))
    keep = np.fromiter((k not in have for k in zip(own["event_id"], own["article_id"], own["evidence"])),
                       dtype=bool, count=len(own))
    own = own[keep]
    own["date_as_written"] = ""
    own["attributed_to"] = ""
    own["own"] = True
    rep = pd.concat([rep, own[rep.columns]], ignore_index=True)
    # Only reports of the events at hand matter (a teacher's own events table may be a subset).
    return rep[rep["event_id"].isin(set(events["event_id"]))].reset_index(drop=True)


def _prep_articles(df: pd.DataFrame, from_file: bool) -> pd.DataFrame:
    art = _text_frame(df, "articles", ["article_id", "label_en"], ["outlet_id", "published_precision", "headline"],
                      from_file)
    _need_columns(df, "articles", ["published_start", "published_end"], from_file)
    estimated = np.zeros(len(df), dtype=bool)
    if "estimate_end" in df.columns and df["published_end"].isna().any():
        # The page gives no upper bound: draw to the kit's labelled estimate (articles.estimate_end).
        df = df.copy()
        estimated = (df["published_end"].isna() & df["estimate_end"].notna()).to_numpy()
        df["published_end"] = df["published_end"].where(df["published_end"].notna(), df["estimate_end"])
    art["published_start"] = _as_dates(df, "articles", "published_start", from_file)
    art["published_end"] = _as_dates(df, "articles", "published_end", from_file)
    art["end_estimated"] = estimated  # labels add "est." so that an estimate never reads as a bound
    _unique(df, art, "articles", ["article_id"], from_file)
    return art.sort_values("article_id", kind="stable").reset_index(drop=True)


def _prep_actors(df: pd.DataFrame, from_file: bool) -> dict[str, str]:
    act = _text_frame(df, "actors", ["actor_id", "name_en"], [], from_file)
    _unique(df, act, "actors", ["actor_id"], from_file)
    return dict(zip(act["actor_id"], act["name_en"]))


def _check_report_articles(reports: pd.DataFrame, articles: pd.DataFrame) -> None:
    known = set(articles["article_id"])
    bad = ~reports["article_id"].isin(known)
    if bad.any():
        row = reports[bad].iloc[0]
        table = "events" if row["own"] else "event_reports"
        raise DataError([Problem(table, column="article_id", found=row["article_id"],
                                 expected=f"an article listed in articles ({', '.join(sorted(known))})",
                                 message=f"event {row['event_id']!r} cites an article the articles table does not have")],
                        heading="The tables do not fit together")


class _Tables:
    """The tables a view needs: given as DataFrames, or loaded from `data_dir` when not given."""

    def __init__(self, data_dir=None, given: Mapping[str, pd.DataFrame | None] | None = None):
        self.data_dir = data_dir
        self.given = {k: v for k, v in (given or {}).items() if v is not None}
        self._cache: dict[str, tuple[pd.DataFrame, bool]] = {}

    def raw(self, name: str) -> tuple[pd.DataFrame, bool]:
        """(table, loaded_from_file)."""
        if name not in self._cache:
            if name in self.given:
                self._cache[name] = (self.given[name], False)
            else:
                self._cache[name] = (_load(name, self.data_dir), True)
        return self._cache[name]

    def events(self) -> pd.DataFrame:
        return _prep_events(*self.raw("events"))

    def reports(self, events: pd.DataFrame) -> pd.DataFrame:
        df, f = self.raw("event_reports")
        return _prep_reports(df, events, f)

    def articles(self) -> pd.DataFrame:
        return _prep_articles(*self.raw("articles"))

    def actors(self) -> dict[str, str]:
        return _prep_actors(*self.raw("actors"))


# --------------------------------------------------------------------------------------------
# Timeline explorer
# --------------------------------------------------------------------------------------------


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
    left = _widest(fig, ylabels, mpl.rcParams["ytick.labelsize"]) + 0.55
    top, bottom = 0.72, 0.7 + 0.2 * legend_rows
    height = top + bottom + plot_height
    fig.set_size_inches(_FIG_WIDTH, height, forward=False)
    fig.subplots_adjust(left=left / _FIG_WIDTH, right=1 - 0.3 / _FIG_WIDTH, top=1 - top / height, bottom=bottom / height)


def _widest(fig: Figure, labels: Iterable[str], size: float | str, weight: str = "normal") -> float:
    """Width in inches of the widest of `labels` in the kit's font at `size`, as the figure's renderer
    draws it (0 for no labels).  Each width is measured once per text, size, weight and resolution."""
    prop = FontProperties(family=plotting.FONT, size=size, weight=weight)
    widest = 0.0
    for lab in labels:
        for line in lab.split("\n"):
            key = (line, prop.get_size(), weight, fig.dpi)
            if key not in _TEXT_WIDTHS:
                _TEXT_WIDTHS[key] = fig.canvas.get_renderer().get_text_width_height_descent(line, prop, ismath=False)[0]
            widest = max(widest, _TEXT_WIDTHS[key])
    return widest / fig.dpi


_TEXT_WIDTHS: dict[tuple[str, float, str, float], float] = {}  # text widths in pixels, for _widest


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


#: Events listed in the detail panel at most (a teacher's own table may select thousands).
_DETAILS_MAX = 200


@contextlib.contextmanager
def _muted(obj) -> Iterator[None]:
    old, obj._mute = obj._mute, True
    try:
        yield
    finally:
        obj._mute = old


class _ShowsWidget:
    """Displays `self.widget`, with the object's repr as the plain-text view for viewers without widgets."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # what a viewer without widgets (GitHub, nbviewer) shows
        return bundle


class TimelineExplorer(_ShowsWidget):
    """A timeline of the events with date, actor, type and article filters (see :func:`timeline_explorer`).

    Attributes
    ----------
    widget : ipywidgets.VBox       the whole control (displaying the explorer displays this)
    selected : pandas.DataFrame    the events currently selected, in date order
    plot_data : pandas.DataFrame   what the plot draws: one row per mark (event_id, article_id, lane, y,
                                   kind = point | range | report, x0, x1, anchor)
    figure : matplotlib Figure     the one Figure that every redraw reuses
    render : bool                  set False to skip drawing and PNG rendering (filters, count and
                                   details still update; the picture then lags behind)
    """

    def __init__(self, data_dir=None, events=None, reports=None, articles=None, actors=None, lang="en",
                 *, dates=None, render: bool = True):
        lang = _check_lang(lang)
        tables = _Tables(data_dir, {"events": events, "event_reports": reports, "articles": articles,
                                    "actors": actors})
        self.events = tables.events()
        if self.events.empty:
            raise _fail(tables.raw("events")[0], "events", tables.raw("events")[1], found="no rows", value=False,
                        expected="at least one event")
        self.reports = tables.reports(self.events)
        self.articles = tables.articles()
        _check_report_articles(self.reports, self.articles)
        self.actor_names = tables.actors()
        self.render = render
        self._mute = False
        self._default_lang = lang

        ev = self.events
        self._art = self.articles.set_index("article_id")
        self._published = {a: (s, e) for a, s, e in zip(self.articles["article_id"], self.articles["published_start"],
                                                        self.articles["published_end"])}
        # Reports by event (the event's own evidence first, then by article) and events by article,
        # worked out once so that a redraw only filters.
        ordered = self.reports.sort_values(["own", "article_id"], ascending=[False, True], kind="stable")
        self._reports_by_event: dict[str, list[dict]] = {}
        for rep in ordered.to_dict("records"):
            self._reports_by_event.setdefault(rep["event_id"], []).append(rep)
        self._events_by_article = self.reports.groupby("article_id")["event_id"].agg(frozenset).to_dict()
        self._html_cache: dict[tuple[str, str, str], str] = {}
        self._article_keys = list(self.articles["article_id"])
        self._type_keys = [t for t in EVENT_TYPES["en"] if t in set(ev["event_type"])] + sorted(
            set(ev["event_type"]) - set(EVENT_TYPES["en"]))
        actor_ids = set(ev["actor1_id"]) | (set(ev["actor2_id"]) - {""})
        self._actor_keys = sorted(actor_ids, key=lambda a: (self.actor_name(a).casefold(), a))

        # Events in date order once and for all, with plain arrays for fast filtering.
        self.events = ev = ev.sort_values(["date_start", "date_end", "event_id"], kind="stable").reset_index(drop=True)
        self._records = list(ev.itertuples(index=False, name="Event"))
        self._pos = {e: i for i, e in enumerate(ev["event_id"])}
        self._a_start = ev["date_start"].to_numpy()
        self._a_end = ev["date_end"].to_numpy()
        self._a_actor1 = ev["actor1_id"].to_numpy(dtype=object)
        self._a_actor2 = ev["actor2_id"].to_numpy(dtype=object)
        self._a_type = ev["event_type"].to_numpy(dtype=object)
        self._a_id = ev["event_id"].to_numpy(dtype=object)
        # For layout(): where each event sits, whether it is a known day, and every report in drawing order
        # (by event, then the event's own evidence first, then by article), so that a redraw does no Python
        # loop over the events (a teacher's own table may have 100 000).
        self._id_index = pd.Index(self._a_id)
        self._lane_codes = {}  # lanes -> (integer code of each event's lane, the lane keys by code)
        for lanes_by, keys in (("actor", self._a_actor1), ("type", self._a_type)):
            codes, uniques = pd.factorize(keys)
            self._lane_codes[lanes_by] = (codes, np.asarray(uniques, dtype=object))
        self._a_point = (ev["date_precision"].to_numpy(dtype=object) == "day") & (self._a_start == self._a_end)
        rep_pos = self._id_index.get_indexer(ordered["event_id"])
        order = np.argsort(rep_pos, kind="stable")
        pub = self.articles.set_index("article_id")
        rep_articles = ordered["article_id"].to_numpy(dtype=object)[order]
        self._rep_pos = rep_pos[order]
        self._rep_article = rep_articles
        self._rep_pub_start = pub["published_start"].reindex(rep_articles).to_numpy()
        self._rep_pub_end = pub["published_end"].reindex(rep_articles).to_numpy()
        first, last = ev["date_start"].min(), ev["date_end"].max()
        self._days = [d.date() for d in pd.date_range(first, last, freq="D")]
        self._start = self._initial_window(dates)
        self._windows = self._preset_windows(dates)
        self._dates_given = dates is not None

        self._build_widgets(lang)
        self.figure = Figure(figsize=(10, 4), dpi=90)
        FigureCanvasAgg(self.figure)
        self.selected = ev.iloc[0:0]
        self.plot_data = pd.DataFrame()
        self.update()

    # ---- names --------------------------------------------------------------------------
    def actor_name(self, actor_id: str) -> str:
        """The actor's English name from actors, or the id if the actors table does not list it."""
        return self.actor_names.get(actor_id, actor_id)

    def article_label(self, article_id: str) -> str:
        if article_id in self._art.index:
            return f"{article_id} · {self._art.at[article_id, 'label_en']}"
        return article_id

    # ---- widgets ------------------------------------------------------------------------
    def _build_widgets(self, lang: str) -> None:
        wide = {"description_width": "initial"}
        self.lang_toggle = W.ToggleButtons(options=[("English", "en"), ("Tiếng Việt", "vi")], value=lang,
                                           style={"button_width": "auto"})
        self.mode_toggle = W.ToggleButtons(options=self._mode_options(lang), value="happened",
                                           style={"button_width": "auto"})
        self.lanes_toggle = W.ToggleButtons(options=self._lanes_options(lang), value="actor",
                                            style={"button_width": "auto"})
        # The slider spans the chosen window only, so that one step is one day on a usable scale; the
        # window buttons change the span (the start view, the weeks of the talks, one month, everything).
        first_window = "all" if self._dates_given else "start"
        self.window_toggle = W.ToggleButtons(options=self._window_options(lang), value=first_window,
                                             description=TEXT[lang]["window"], style={"button_width": "auto"})
        span = self._days if first_window == "all" else self._span(*self._windows["start"])
        self.date_slider = W.SelectionRangeSlider(
            options=[(d.isoformat(), d) for d in span],
            index=(span.index(self._start[0]), span.index(self._start[1])),
            description=TEXT[lang]["dates"], continuous_update=False, style=wide, readout=False,
            layout=W.Layout(width="auto", flex="1 1 auto", min_width="16em"),
        )
        # The slider's own readout would join two ISO dates with a hyphen and get cut off: say it in words.
        self.date_label = W.Label(value="", layout=W.Layout(min_width="14em"))
        self.actor_filter = W.Dropdown(options=self._actor_options(lang), value=ALL,
                                       description=TEXT[lang]["actor"], style=wide)
        self.type_filter = W.Dropdown(options=self._type_options(lang), value=ALL,
                                      description=TEXT[lang]["type"], style=wide)
        self.article_filter = W.Dropdown(options=self._article_options(lang), value=ALL,
                                         description=TEXT[lang]["article"], style=wide,
                                         layout=W.Layout(width="auto", max_width="32em"))
        self.count = W.Label(value="")
        self.heading = W.HTML(value="")
        self.plot = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.plot_alt = W.HTML(value="")
        self.details = W.HTML(value="", layout=W.Layout(max_height="32em", overflow="auto"))

        for w, cls in [(self.lang_toggle, "iraqtalks-lang-toggle"), (self.mode_toggle, "iraqtalks-mode-toggle"),
                       (self.lanes_toggle, "iraqtalks-lanes-toggle"), (self.date_slider, "iraqtalks-date-slider"),
                       (self.actor_filter, "iraqtalks-actor-filter"), (self.type_filter, "iraqtalks-type-filter"),
                       (self.article_filter, "iraqtalks-article-filter"), (self.count, "iraqtalks-count"),
                       (self.heading, "iraqtalks-heading"), (self.plot, "iraqtalks-plot"), (self.plot_alt, "iraqtalks-plot-alt"),
                       (self.date_label, "iraqtalks-date-label"), (self.window_toggle, "iraqtalks-window-presets"),
                       (self.details, "iraqtalks-details")]:
            w.add_class(cls)

        for w in (self.mode_toggle, self.lanes_toggle, self.date_slider, self.actor_filter, self.type_filter,
                  self.article_filter):
            w.observe(self._on_change, names="value")
        self.lang_toggle.observe(self._on_lang, names="value")
        self.window_toggle.observe(self._on_window, names="value")

        self.widget = W.VBox([
            self.heading,
            W.HBox([self.lang_toggle, self.mode_toggle, self.lanes_toggle], layout=W.Layout(flex_flow="row wrap")),
            self.window_toggle,
            W.HBox([self.date_slider, self.date_label], layout=W.Layout(width="100%")),
            W.HBox([self.actor_filter, self.type_filter, self.article_filter], layout=W.Layout(flex_flow="row wrap")),
            self.count,
            self.plot,
            self.plot_alt,
            self.details,
        ])
        self.widget.add_class("iraqtalks-timeline")

    def _window_options(self, lang):
        return [(TEXT[lang]["win_" + k], k) for k in ("start", "talks", "month", "all") if k in self._windows]

    def _span(self, lo: _dt.date, hi: _dt.date) -> list[_dt.date]:
        return self._days[self._days.index(lo):self._days.index(hi) + 1]

    def _preset_windows(self, dates) -> dict[str, tuple[_dt.date, _dt.date]]:
        """The windows the buttons offer: the start view; the weeks of the talks (from the Monday two weeks
        before the first talks event known to the day, to the Sunday two weeks after the last; only if the
        data hold such events); one month (31 days from the start of the window in use); everything."""
        first, last = self._days[0], self._days[-1]
        out = {"start": self._start}
        ev = self.events
        talks = ev[(ev["event_type"] == "talks") & (ev["date_precision"] == "day") & (ev["date_start"] == ev["date_end"])]
        if len(talks):
            a, b = talks["date_start"].min().date(), talks["date_end"].max().date()
            lo = a - _dt.timedelta(days=a.weekday() + 14)
            hi = b + _dt.timedelta(days=6 - b.weekday() + 14)
            lo, hi = max(lo, first), min(hi, last)
            if lo <= hi:
                out["talks"] = (lo, hi)
        out["month"] = self._start  # worked out from the window in use when chosen (see _on_window)
        out["all"] = (first, last)
        return out

    def _set_window(self, key: str, lo: _dt.date | None = None, hi: _dt.date | None = None) -> None:
        """Make the slider span window `key` and select (lo, hi) in it (default: the whole window)."""
        if key == "month":
            start = self.date_slider.value[0]
            w_lo, w_hi = start, min(start + _dt.timedelta(days=30), self._days[-1])
        else:
            w_lo, w_hi = self._windows[key]
        span = self._span(w_lo, w_hi)
        lo, hi = lo or span[0], hi or span[-1]
        with _muted(self), self.date_slider.hold_sync():
            self.date_slider.options = [(d.isoformat(), d) for d in span]
            self.date_slider.index = (span.index(lo), span.index(hi))
            if self.window_toggle.value != key:
                self.window_toggle.value = key

    def _on_window(self, change) -> None:
        if not self._mute:
            self._set_window(change["new"])
            self.update()

    def slider_day(self, index: int) -> _dt.date:
        """The day at position `index` of the date slider (what a handle's aria-valuenow counts)."""
        return self.date_slider.options[index][1]

    def _mode_options(self, lang):
        return [(TEXT[lang]["happened"], "happened"), (TEXT[lang]["reported"], "reported")]

    def _lanes_options(self, lang):
        return [(TEXT[lang]["lanes_actor"], "actor"), (TEXT[lang]["lanes_type"], "type")]

    def _actor_options(self, lang):
        return [(TEXT[lang]["all"], ALL)] + [(self.actor_name(a), a) for a in self._actor_keys]

    def _type_options(self, lang):
        return [(TEXT[lang]["all"], ALL)] + [(type_label(t, lang), t) for t in self._type_keys]

    def _article_options(self, lang):
        return [(TEXT[lang]["all"], ALL)] + [(self.article_label(a), a) for a in self._article_keys]

    def _relabel(self, lang: str) -> None:
        """Put the option labels and descriptions in `lang`, keeping every selected value."""
        with _muted(self):
            for w, opts in [(self.mode_toggle, self._mode_options(lang)), (self.lanes_toggle, self._lanes_options(lang)),
                            (self.window_toggle, self._window_options(lang)),
                            (self.actor_filter, self._actor_options(lang)), (self.type_filter, self._type_options(lang)),
                            (self.article_filter, self._article_options(lang))]:
                keep = w.value
                w.options = opts
                w.value = keep
            self.date_slider.description = TEXT[lang]["dates"]
            self.window_toggle.description = TEXT[lang]["window"]
            self.actor_filter.description = TEXT[lang]["actor"]
            self.type_filter.description = TEXT[lang]["type"]
            self.article_filter.description = TEXT[lang]["article"]

    def _on_change(self, change) -> None:
        if not self._mute:
            self.update()

    def _on_lang(self, change) -> None:
        if not self._mute:
            self._relabel(change["new"])
            self.update()

    @property
    def filter_options(self) -> dict[str, list[str]]:
        """The values each control accepts (ALL stands for 'All')."""
        return {
            "actor": [v for _, v in self._actor_options("en")],
            "event_type": [v for _, v in self._type_options("en")],
            "article": [v for _, v in self._article_options("en")],
            "mode": list(MODES),
            "lanes": list(LANES),
            "lang": list(LANGS),
        }

    @property
    def state(self) -> TimelineState:
        lo, hi = self.date_slider.value
        return TimelineState(pd.Timestamp(lo), pd.Timestamp(hi), self.actor_filter.value, self.type_filter.value,
                             self.article_filter.value, self.mode_toggle.value, self.lanes_toggle.value,
                             self.lang_toggle.value)

    def _initial_window(self, dates) -> tuple[_dt.date, _dt.date]:
        first, last = self._days[0], self._days[-1]
        if isinstance(dates, str) and dates == "all":
            return first, last
        if dates is not None:
            try:
                lo, hi = (pd.Timestamp(d).date() for d in dates)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"dates: expected 'all', None or (first, last) dates, found {dates!r} ({exc})") from None
            if not (first <= lo <= hi <= last):
                raise ValueError(f"dates: expected first <= last, both within the events' span {first} – {last}; "
                                 f"found {lo} – {hi}")
            return lo, hi
        # Default: from the start of the month three months before the earliest article to the last event,
        # so the weeks the articles cover are readable; older background events are a slider move away.
        if len(self.articles):
            pub = pd.Timestamp(self.articles["published_start"].min()).date()
            month = pub.year * 12 + pub.month - 1 - 3  # three months earlier (plain dates: no Timestamp bounds)
            lo = _dt.date(month // 12, month % 12 + 1, 1) if month >= 12 else first
            if first < lo <= last and ((self.events["date_end"] >= pd.Timestamp(lo)).sum() > 0):
                return lo, last
        return first, last

    def default_state(self, lang: str | None = None) -> TimelineState:
        """The state the explorer starts in: the initial date window, no filters, 'as it happened', actor lanes."""
        return TimelineState(pd.Timestamp(self._start[0]), pd.Timestamp(self._start[1]),
                             lang=_check_lang(lang or self._default_lang))

    def set_filters(self, *, dates=None, actor=None, event_type=None, article=None, mode=None, lanes=None,
                    lang=None) -> None:
        """Set several controls at once and redraw once.  `dates` is (first, last), ISO strings or dates.

        Raises ValueError naming the control and the accepted values if a value is not among them.
        """
        opts = self.filter_options
        for name, value in [("actor", actor), ("event_type", event_type), ("article", article), ("mode", mode),
                            ("lanes", lanes), ("lang", lang)]:
            if value is not None and value not in opts[name]:
                shown = ", ".join(map(repr, opts[name][:15])) + (" ..." if len(opts[name]) > 15 else "")
                raise ValueError(f"set_filters: {name}={value!r} is not an option; expected one of {shown}")
        if dates is not None:
            try:
                lo, hi = (pd.Timestamp(d).date() for d in dates)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"set_filters: dates must be (first, last) dates, found {dates!r} ({exc})") from None
            for d in (lo, hi):
                if not self._days[0] <= d <= self._days[-1]:
                    raise ValueError(f"set_filters: dates: {d} is outside the events' span "
                                     f"{self._days[0]} – {self._days[-1]}")
            if lo > hi:
                raise ValueError(f"set_filters: dates: first ({lo}) is after last ({hi})")
        with _muted(self):
            if lang is not None and lang != self.lang_toggle.value:
                self.lang_toggle.value = lang
                self._relabel(lang)
            for w, v in [(self.actor_filter, actor), (self.type_filter, event_type), (self.article_filter, article),
                         (self.mode_toggle, mode), (self.lanes_toggle, lanes)]:
                if v is not None:
                    w.value = v
            if dates is not None:
                if lo in self.date_slider._options_values and hi in self.date_slider._options_values:
                    self.date_slider.value = (lo, hi)
                else:  # outside the window on screen: the slider spans everything
                    self._set_window("all", lo, hi)
        self.update()

    # ---- the model: selection, layout, details -------------------------------------------
    def select(self, state: TimelineState) -> pd.DataFrame:
        """The events `state` selects: overlapping the date range and matching every filter, in date order."""
        mask = (self._a_end >= np.datetime64(state.date_lo)) & (self._a_start <= np.datetime64(state.date_hi))
        if state.actor != ALL:
            mask &= (self._a_actor1 == state.actor) | (self._a_actor2 == state.actor)
        if state.event_type != ALL:
            mask &= self._a_type == state.event_type
        if state.article != ALL:
            reported = self._events_by_article.get(state.article, frozenset())
            mask &= np.fromiter((e in reported for e in self._a_id), dtype=bool, count=len(self._a_id))
        return self.events.iloc[np.flatnonzero(mask)].reset_index(drop=True)

    def _lane_label(self, key: str, lanes: str, lang: str) -> str:
        return self.actor_name(key) if lanes == "actor" else type_label(key, lang)

    def _reports_for(self, event_id: str, article: str) -> list[dict]:
        """The reports of one event (as dicts), limited to `article` unless it is ALL."""
        reps = self._reports_by_event.get(event_id, [])
        return reps if article == ALL else [r for r in reps if r["article_id"] == article]

    def layout(self, state: TimelineState, selected: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """Where each mark goes: (plot_data, lane keys top to bottom).  No drawing happens here."""
        cols = ["event_id", "article_id", "lane", "y", "kind", "x0", "x1", "anchor"]
        if selected.empty:
            return pd.DataFrame(columns=cols), []
        pos = self._id_index.get_indexer(selected["event_id"])  # the events in the order given (date order)
        if (pos < 0).any():
            raise KeyError(f"layout: event {selected['event_id'].iloc[int(np.argmax(pos < 0))]!r} is not in this explorer")
        all_codes, keys = self._lane_codes[state.lanes]
        lane_code = all_codes[pos]
        first: dict[str, pd.Timestamp] = {}
        for k, i in zip(*np.unique(lane_code, return_index=True)):  # each lane's earliest event
            first[keys[k]] = self._a_start[pos[i]]
        lanes = sorted(first, key=lambda k: (first[k], self._lane_label(k, state.lanes, state.lang).casefold()))
        lane_y = np.zeros(len(keys), dtype=np.int64)  # lane code -> row on the plot, top to bottom
        lane_y[pd.Index(keys).get_indexer(lanes)] = np.arange(len(lanes))
        lane_of = keys[lane_code]
        point = self._a_point[pos]
        start, end = self._a_start[pos], self._a_end[pos]
        anchor = np.where(point, start + np.timedelta64(12, "h"), end + np.timedelta64(1, "D"))
        if state.mode == "happened":
            rows = {"event_id": self._a_id[pos], "article_id": np.full(len(pos), "", dtype=object), "lane": lane_of,
                    "kind": np.where(point, "point", "range").astype(object), "x0": np.where(point, anchor, start),
                    "x1": np.where(point, anchor, end + np.timedelta64(1, "D")), "anchor": anchor}
            codes = lane_y[lane_code]
        else:  # one mark per report, in the order of the events given, each event's reports in drawing order
            rank = np.full(len(self._a_id), -1, dtype=np.int64)
            rank[pos] = np.arange(len(pos))
            r_rank = rank[self._rep_pos]
            keep = r_rank >= 0
            if state.article != ALL:
                keep &= self._rep_article == state.article
            idx = np.flatnonzero(keep)
            idx = idx[np.argsort(r_rank[idx], kind="stable")]
            at = r_rank[idx]
            rows = {"event_id": self._a_id[pos][at], "article_id": self._rep_article[idx], "lane": lane_of[at],
                    "kind": np.full(len(idx), "report", dtype=object), "x0": self._rep_pub_start[idx],
                    "x1": self._rep_pub_end[idx] + np.timedelta64(1, "D"), "anchor": anchor[at]}
            codes = lane_y[lane_code[at]]
        # Spread the marks of one lane a little up and down so that none hides another.
        size = np.bincount(codes, minlength=len(lanes))[codes]
        nth = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        spread = np.where(size > 1, (nth / np.maximum(size - 1, 1) - 0.5) * np.minimum(0.7, 0.12 * size), 0.0)
        pdata = pd.DataFrame(rows)
        pdata["y"] = codes + spread
        return pdata[cols], lanes

    def details_html(self, state: TimelineState, selected: pd.DataFrame) -> str:
        """The detail list of the selected events (all text escaped)."""
        t = TEXT[state.lang]
        if selected.empty:
            return f'<p class="iraqtalks-empty"><b>{_e(t["empty"])}</b></p>'
        ids = selected["event_id"]
        note = ""
        if state.mode == "reported" and not any(self._reports_for(e, state.article) for e in ids):
            note = f'<p class="iraqtalks-empty iraqtalks-no-reports"><b>{_e(t["no_reports"].format(n=len(ids)))}</b></p>'
        items = [self._event_html(self._records[self._pos[e]], state.lang, state.article) for e in ids[:_DETAILS_MAX]]
        more = "" if len(ids) <= _DETAILS_MAX else (
            f'<p class="iraqtalks-more"><i>{_e(t["more"].format(n=_DETAILS_MAX, total=len(ids)))}</i></p>')
        return (_STYLE + note + '<ol class="iraqtalks-event-list" style="padding-left:1.5em">' + "".join(items)
                + "</ol>" + more)

    def _event_html(self, ev, lang: str, article: str) -> str:
        """One event of the detail list (cached: the tables do not change while the explorer lives)."""
        key = (ev.event_id, lang, article)
        if key in self._html_cache:
            return self._html_cache[key]
        t = TEXT[lang]
        when = date_text(ev.date_start, ev.date_end, ev.date_precision, lang)
        summary = ev.summary_vi if lang == "vi" else ev.summary_en
        actor1 = self.actor_name(ev.actor1_id)
        if getattr(ev, "actor1_basis", "") == "accused" and getattr(ev, "accuser_id", ""):
            actor1 += f" ({t['accused_by']} {self.actor_name(ev.accuser_id)})"  # an accusation, not a fact
        actors = actor1 + (f", {self.actor_name(ev.actor2_id)}" if ev.actor2_id else "")
        out = [f'<li class="iraqtalks-event" data-event-id="{_e(ev.event_id)}" style="margin-bottom:0.8em">',
               f'<div><b>{_e(when)}</b> <i>({_e(PRECISION[lang][ev.date_precision])})</i> · '
               f'{_e(type_label(ev.event_type, lang))} · <span class="iraqtalks-event-id">{_e(ev.event_id)}</span></div>',
               f'<div class="iraqtalks-summary" lang="{lang}">{_e(summary)}</div>']
        extra = [f"{_e(t['actors'])}: {_e(actors)}"]
        if ev.location or ev.country:
            extra.append(f"{_e(t['place'])}: {_e(', '.join(x for x in (ev.location, ev.country) if x))}")
        if ev.date_note:
            extra.append(f"{_e(t['date_note'])}: {_e(ev.date_note)}")
        out.append(f'<div style="font-size:90%; color:#444">{" · ".join(extra)}</div>')
        reps = self._reports_for(ev.event_id, article)
        if reps:
            out.append('<table class="iraqtalks-table iraqtalks-reports">')
            out.append(f"<tr><th>{_e(t['reported_in'])}</th><th>{_e(t['date_as_written'])}</th>"
                       f"<th>{_e(t['vi_quote'])}</th><th>{_e(t['en_quote'])}</th>"
                       f"<th>{_e(t['attributed_to'])}</th></tr>")
            for rep in reps:
                pub_start, pub_end = self._published[rep["article_id"]]
                pub = date_text(pub_start, pub_end, "day" if pub_start == pub_end else "range", lang)
                label = f"{self.article_label(rep['article_id'])} ({t['published']} {pub})"
                if rep["own"]:
                    label += f" {t['event_evidence']}"
                out.append(
                    f'<tr class="iraqtalks-report" data-article-id="{_e(rep["article_id"])}">'
                    f"<td>{_e(label)}</td>"
                    f"<td>{_e(rep['date_as_written'] or t['not_stated'])}</td>"
                    f'<td class="iraqtalks-vi" lang="vi">{_e(rep["evidence"])}</td>'
                    f'<td class="iraqtalks-en" lang="en">{_e(rep["evidence_en"])}</td>'
                    f"<td>{_e(rep['attributed_to'] or t['unattributed'])}</td></tr>"
                )
            out.append("</table>")
        out.append("</li>")
        html_item = "".join(out)
        self._html_cache[key] = html_item
        return html_item

    # ---- drawing --------------------------------------------------------------------------
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
                    colour, marker = plotting.colour_for(tp, self._type_keys), plotting.marker_for(tp, self._type_keys)
                    m = type_code == code_of[tp]
                    pts, rng = m & is_point, m & is_range
                    if rng.any():
                        _hlines(ax, y[rng], x0[rng], x1[rng], colors=colour, linewidth=7, alpha=0.75)
                    if pts.any():
                        _points(ax, x0[pts], y[pts], size=55, colour=colour, marker=marker, edgecolor="white",
                                linewidth=0.8, zorder=3)
                    handles.append(dict(color=colour, marker=marker, linestyle="none", markersize=7,
                                        label=type_label(tp, state.lang)))
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
            ylabels = [textwrap.shorten(self._lane_label(k, state.lanes, state.lang), 30, placeholder="…")
                       for k in lanes]
            ax.set_yticks(range(len(lanes)), ylabels)
            ax.set_ylim(len(lanes) - 0.5, -0.5)
            ax.grid(axis="y", visible=False)
            ncols = min(4 if state.mode == "happened" else 3, len(handles))
            _set_legend(fig, handles, ncols)
            self._date_axis(ax, state.lang)
            _fit(fig, ylabels, -(-len(handles) // ncols), max(1.6, 0.34 * len(lanes) + 0.2))
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

    # ---- public -------------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the selection from the controls and refresh count, plot and details."""
        state = self.state
        sel = self.select(state)
        self.selected = sel
        self.count.value = TEXT[state.lang]["count"].format(n=len(sel), total=len(self.events))
        self.date_label.value = f"{_day(state.date_lo, state.lang)} – {_day(state.date_hi, state.lang)}"
        self.heading.value = f"<h3 style='margin:0.2em 0'>{_e(TEXT[state.lang]['heading'])}</h3>"
        pdata, lanes = self.layout(state, sel)
        self.plot_data = pdata
        if self.render:
            self.draw(self.figure, state, sel, pdata, lanes)
            self.plot.value = self._png()
            # the picture in words, under it (labext/a11y.js also makes it the picture's alt text)
            self.plot_alt.value = (f"<p class='iraqtalks-plot-alt-text' style='font-size:85%;color:#444;margin:0.2em 0'>"
                                   f"{_e(self.describe(state, sel))}</p>")
        self.details.value = self.details_html(state, sel)

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

    def static(self, lang: str | None = None) -> Figure:
        """A new matplotlib Figure of the default view (all dates, no filters, as it happened)."""
        state = self.default_state(lang)
        sel = self.select(state)
        pdata, lanes = self.layout(state, sel)
        fig = plotting.new_figure(10, 4, dpi=100)
        self.draw(fig, state, sel, pdata, lanes)
        fig.laid_out = True  # draw() sized and placed it (see _fit)
        return fig

    def __repr__(self) -> str:
        return f"<TimelineExplorer: {self.count.value} (interactive: run the notebook to use it)>"


def timeline_explorer(data_dir=None, events=None, reports=None, articles=None, actors=None, lang="en",
                      *, dates=None, render: bool = True) -> TimelineExplorer:
    """An interactive timeline of the events (display it as the last line of a cell).

    Tables not given as DataFrames are loaded from `data_dir` (default: the kit's data/).  Any events
    table that follows the kit's schema works; `reports` (event_reports), `articles` and `actors`
    provide the report links, publication dates and names.  `lang` is 'en' or 'vi'.

    The date slider spans every day from the first event to the last.  It starts at `dates`:
    (first, last), or 'all' for the whole span; by default from three months before the earliest
    article to the last event, so the weeks of the talks are readable (the count says how many
    events lie outside).  `render=False` skips drawing (for fast scripted checks).
    """
    return TimelineExplorer(data_dir, events, reports, articles, actors, lang, dates=dates, render=render)


# --------------------------------------------------------------------------------------------
# Coverage: which article reports which event
# --------------------------------------------------------------------------------------------


def _coverage(tables: _Tables) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    events = tables.events()
    reports = tables.reports(events)
    articles = tables.articles()
    _check_report_articles(reports, articles)
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
    return _coverage(_Tables(data_dir, tables))[0]


def _event_label(ev, lang: str = "en", width: int = 46) -> str:
    when = date_text(ev.date_start, ev.date_end, ev.date_precision, lang)
    summary = ev.summary_vi if lang == "vi" else ev.summary_en
    return f"{when} · {textwrap.shorten(summary, width, placeholder='…')}"


def _pub_short(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'25 Jan' or '27–31 Jan' or '18 Feb–29 Feb': when an article was (or could have been) published."""
    if start == end:
        return f"{start.day} {_MONTHS_EN[start.month - 1][:3]}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_MONTHS_EN[start.month - 1][:3]}"
    return f"{start.day} {_MONTHS_EN[start.month - 1][:3]}–{end.day} {_MONTHS_EN[end.month - 1][:3]}"


def _draw_coverage(ax, matrix: pd.DataFrame, events: pd.DataFrame, articles: pd.DataFrame) -> None:
    with plotting.style():
        n, m = matrix.shape
        cmap = ListedColormap(["#F2F2F2", plotting.PALETTE[0]])
        ax.imshow(matrix.to_numpy().astype(int), aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_yticks(range(n), _coverage_ylabels(matrix, events), fontsize=8)
        ax.set_xticks(range(m), _coverage_xlabels(matrix, articles), fontsize=8)
        # Article names on top and at the bottom: a tall table stays readable at both ends.
        ax.tick_params(axis="x", top=True, labeltop=True, bottom=True, labelbottom=True)
        # White lines between the cells: one collection (minor ticks would cost a tick object each).
        grid = np.array([[(-0.5, y), (m - 0.5, y)] for y in np.arange(0.5, n - 1)]
                        + [[(x, -0.5), (x, n - 0.5)] for x in np.arange(0.5, m - 1)]).reshape(-1, 2, 2)
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
    return [f"{a}\n{_pub_short(r.published_start, r.published_end)}" + ("\n(end est.)" if getattr(r, "end_estimated", False) else "")
            for a, r in zip(matrix.columns, art.itertuples())]


def _coverage_figure(matrix: pd.DataFrame, events: pd.DataFrame, articles: pd.DataFrame) -> Figure:
    """The coverage heatmap on a new figure laid out by hand (all sizes in inches).

    Margins come from the labels as the font renders them, so nothing is cut off and no layout
    engine or tight bounding box is needed: showing the figure draws it once.
    """
    n, m = matrix.shape
    fig = plotting.new_figure(8, 8)  # resized below, once the labels are measured
    with plotting.style():
        tick = _widest(fig, _coverage_ylabels(matrix, events), 8)
        legend = _widest(fig, ["not mentioned"], mpl.rcParams["legend.fontsize"])
        xlabel = _widest(fig, ["Article (id and when it was published)"], mpl.rcParams["axes.labelsize"])
        title = _widest(fig, ["Which article reports which event"], mpl.rcParams["axes.titlesize"], "bold")
    plot_w, plot_h = 0.9 * max(m, 1), 0.26 * max(n, 1)
    left = 0.15 + 0.25 + tick + 0.12           # edge, y label, tick labels, tick and pad
    right = max(0.12 + legend + 0.55 + 0.15,   # gap, legend text, its patch and padding
                (xlabel - plot_w) / 2 + 0.15)  # an x label wider than the plot overhangs both sides
    left = max(left, title - plot_w + 0.15)    # the title is right-aligned over the plot
    top, bottom = 0.75, 0.9                    # title and two-line tick labels; tick labels and x label
    width, height = left + plot_w + right, top + plot_h + bottom
    fig.set_size_inches(width, height, forward=False)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)
    fig.laid_out = True
    _draw_coverage(fig.add_subplot(), matrix, events, articles)
    return fig


def coverage_heatmap(data_dir=None, ax=None, *, tables: Mapping[str, pd.DataFrame] | None = None,
                     articles: Iterable[str] | None = None) -> Figure:
    """A heatmap of :func:`coverage_matrix`: events (date + short summary) down, articles across.

    Draws on `ax` if given (and returns its figure), else on a new Figure.  `articles` limits the
    columns to those article ids (and the rows to events at least one of them reports).
    """
    matrix, events, _, arts = _coverage(_Tables(data_dir, tables))
    if articles is not None:
        wanted = list(articles)
        unknown = [a for a in wanted if a not in matrix.columns]
        if unknown:
            raise ValueError(f"coverage_heatmap: unknown article id(s) {unknown}; expected some of "
                             f"{', '.join(matrix.columns)}")
        matrix = matrix[wanted]
        matrix = matrix[matrix.any(axis=1)]
    if ax is None:
        return _coverage_figure(matrix, events, arts)
    _draw_coverage(ax, matrix, events, arts)
    return ax.figure


# --------------------------------------------------------------------------------------------
# Source comparison
# --------------------------------------------------------------------------------------------


def _quote_cells(vi: str, en: str) -> str:
    return (f'<td class="iraqtalks-vi" lang="vi">{_e(vi)}</td>'
            f'<td class="iraqtalks-en" lang="en">{_e(en)}</td>')




class SourceComparison(_ShowsWidget):
    """Two or more articles side by side (see :func:`source_comparison`).

    After each update these DataFrames describe the comparison (the HTML shows the same):
    ``event_coverage`` (event_id, reported_by, status = all | some | one), ``numbers_differ``,
    ``numbers_agree`` (measure ids), ``names_differ``, ``framing`` (with a `same_words` flag).
    """

    def __init__(self, articles: Iterable[str] = ("a001", "a002"), data_dir=None, *,
                 tables: Mapping[str, pd.DataFrame] | None = None):
        t = _Tables(data_dir, tables)
        self.coverage, self.events, self.reports, self.articles = _coverage(t)
        self.actor_names = t.actors()
        self._art = self.articles.set_index("article_id")
        self.numbers = self._prep_numbers(*t.raw("numbers"))
        self.names = _text_frame(t.raw("actor_names")[0], "actor_names",
                                 ["actor_id", "article_id", "name_as_written", "name_type", "evidence", "evidence_en"],
                                 [], t.raw("actor_names")[1])
        self.terms = _text_frame(t.raw("framing_terms")[0], "framing_terms",
                                 ["concept_id", "article_id", "term_vi", "term_en", "connotation_en", "evidence",
                                  "evidence_en"], [], t.raw("framing_terms")[1])
        chosen = list(articles)
        known = list(self.articles["article_id"])
        unknown = [a for a in chosen if a not in known]
        if unknown:
            raise ValueError(f"source_comparison: unknown article id(s) {unknown}; expected some of {', '.join(known)}")
        if len(set(chosen)) < 2:
            raise ValueError(f"source_comparison: choose at least two different articles, found {chosen!r}")

        self.picker = W.SelectMultiple(options=[(f"{a} · {lab}", a) for a, lab in
                                                zip(self.articles["article_id"], self.articles["label_en"])],
                                       value=tuple(dict.fromkeys(chosen)), rows=min(8, len(known)),
                                       description="Articles", layout=W.Layout(width="auto", min_width="40em"))
        self.status = W.Label(value="")
        self.output = W.HTML(value="", layout=W.Layout(max_height="40em", overflow="auto"))
        self.picker.add_class("iraqtalks-article-select")
        self.status.add_class("iraqtalks-compare-status")
        self.output.add_class("iraqtalks-compare")
        self.picker.observe(lambda change: self.update(), names="value")
        self.widget = W.VBox([self.picker, self.status, self.output])
        self.widget.add_class("iraqtalks-source-comparison")
        self.update()

    @staticmethod
    def _prep_numbers(df: pd.DataFrame, from_file: bool) -> pd.DataFrame:
        num = _text_frame(df, "numbers", ["number_id", "article_id", "value_as_written", "qualifier", "measure_id",
                                          "counted_en", "evidence", "evidence_en"],
                          ["qualifier_as_written", "unit", "as_of"], from_file)
        _need_columns(df, "numbers", ["value"], from_file)
        num["value"] = pd.to_numeric(df["value"].reset_index(drop=True).astype("string").replace("", pd.NA),
                                     errors="coerce").astype("Float64").to_numpy()
        return num

    @property
    def chosen(self) -> list[str]:
        return list(self.picker.value)

    def label(self, article_id: str) -> str:
        return f"{article_id} · {self._art.at[article_id, 'label_en']}"

    # ---- the comparisons ------------------------------------------------------------------
    def compare(self, chosen: list[str]) -> dict[str, pd.DataFrame]:
        m = self.coverage[chosen]
        m = m[m.any(axis=1)]
        n = m.sum(axis=1)
        cov = pd.DataFrame({
            "event_id": m.index,
            "reported_by": [tuple(a for a in chosen if m.at[e, a]) for e in m.index],
            "status": np.where(n == len(chosen), "all", np.where(n == 1, "one", "some")),
        })

        num = self.numbers[self.numbers["article_id"].isin(chosen)]
        differ, agree = [], []
        for measure, grp in num.groupby("measure_id", sort=True):
            if grp["article_id"].nunique() < 2:
                continue
            figures = {a: frozenset(zip(g["value"].astype(object).where(g["value"].notna(), None),
                                        g["qualifier"], g["value_as_written"].where(g["value"].isna(), "")))
                       for a, g in grp.groupby("article_id")}
            (differ if len(set(figures.values())) > 1 else agree).append(measure)
        numbers_differ = num[num["measure_id"].isin(differ)].sort_values(["measure_id", "article_id", "number_id"])

        nm = self.names[self.names["article_id"].isin(chosen)]
        names_differ_ids = []
        for actor, grp in nm.groupby("actor_id", sort=True):
            spellings = {a: frozenset(g["name_as_written"]) for a, g in grp.groupby("article_id")}
            if len(spellings) >= 2 and len(set(spellings.values())) > 1:
                names_differ_ids.append(actor)
        names_differ = nm[nm["actor_id"].isin(names_differ_ids)].sort_values(["actor_id", "article_id", "name_as_written"])

        ft = self.terms[self.terms["article_id"].isin(chosen)]
        shared = ft.groupby("concept_id")["article_id"].nunique()
        framing = ft[ft["concept_id"].isin(shared[shared >= 2].index)].copy()
        same = {concept: len({frozenset(g2["term_vi"].str.casefold()) for _, g2 in g.groupby("article_id")}) == 1
                for concept, g in framing.groupby("concept_id")}
        framing["same_words"] = framing["concept_id"].map(same).astype(bool)
        framing = framing.sort_values(["concept_id", "article_id", "term_vi"])
        return {"event_coverage": cov, "numbers_differ": numbers_differ,
                "numbers_agree": pd.DataFrame({"measure_id": agree}), "names_differ": names_differ,
                "framing": framing}

    def _html(self, chosen: list[str], c: dict[str, pd.DataFrame]) -> str:
        ev = self.events.set_index("event_id")
        by_pair: dict[tuple[str, str], list[dict]] = {}
        for x in self.reports.sort_values(["own"], ascending=False, kind="stable").to_dict("records"):
            by_pair.setdefault((x["event_id"], x["article_id"]), []).append(x)
        # a heading of its own, one level under a lesson's sections (##), so that the h4 below follow in order
        out = [_STYLE, '<div class="iraqtalks-compare-body">',
               '<h3 class="iraqtalks-compare-title" style="margin:0.2em 0">Source comparison</h3>',
               "<p>Comparing: " + "; ".join(f"<b>{_e(self.label(a))}</b>" for a in chosen) + "</p>"]

        def events_section(title: str, rows: pd.DataFrame, cls: str) -> None:
            out.append(f'<h4 class="{cls}">{_e(title)} ({len(rows)})</h4>')
            if rows.empty:
                out.append("<p><i>None.</i></p>")
                return
            out.append('<ul class="iraqtalks-compare-events">')
            for r in rows.itertuples(index=False):
                e = ev.loc[r.event_id]
                when = date_text(e["date_start"], e["date_end"], e["date_precision"])
                out.append(f'<li data-event-id="{_e(r.event_id)}"><b>{_e(when)}</b> — {_e(e["summary_en"])}'
                           f'<table class="iraqtalks-table"><tr><th>Article</th>'
                           f"<th>Date as written</th><th>Vietnamese (verbatim)</th>"
                           f"<th>English translation</th><th>Attributed to</th></tr>")
                for a, x in ((art, x) for art in r.reported_by for x in by_pair[(r.event_id, art)]):
                    out.append(f"<tr><td>{_e(self.label(a))}</td><td>{_e(x['date_as_written'] or '—')}</td>"
                               f"{_quote_cells(x['evidence'], x['evidence_en'])}"
                               f"<td>{_e(x['attributed_to'] or '—')}</td></tr>")
                out.append("</table></li>")
            out.append("</ul>")

        cov = c["event_coverage"]
        events_section(f"Events all {len(chosen)} report", cov[cov["status"] == "all"], "iraqtalks-shared")
        if len(chosen) > 2:
            events_section("Events some (but not all) report", cov[cov["status"] == "some"], "iraqtalks-some")
        events_section("Events only one reports", cov[cov["status"] == "one"], "iraqtalks-only-one")

        def td(text) -> str:
            return f"<td>{_e(text)}</td>"

        def grouped(frame: pd.DataFrame, key: str, h4: str, empty: str, headers: list[str], heading, cells) -> None:
            """One section: a heading with the count, then per `key` a caption and a table of its rows,
            each ending with the Vietnamese evidence and its English translation."""
            out.append(f'{h4} ({frame[key].nunique() if key in frame else 0})</h4>')
            if frame.empty:
                out.append(f"<p><i>{_e(empty)}</i></p>")
            head = "".join(f"<th>{h}</th>" for h in ["Article", *headers, "Vietnamese (verbatim)", "English translation"])
            for value, grp in frame.groupby(key, sort=True):
                out.append(f'{heading(value, grp)}<table class="iraqtalks-table"><tr>{head}</tr>')
                for r in grp.itertuples(index=False):
                    out.append(f"<tr>{td(self.label(r.article_id))}{''.join(cells(r))}"
                               f"{_quote_cells(r.evidence, r.evidence_en)}</tr>")
                out.append("</table>")

        grouped(c["numbers_differ"], "measure_id",
                '<h4 class="iraqtalks-numbers">Numbers that differ for the same quantity',
                "None: where these articles count the same thing, they give the same figure.",
                ["Figure as written", "Hedge"],
                lambda m, grp: (f'<p data-measure-id="{_e(m)}"><b>{_e(grp["counted_en"].iloc[0])}</b> '
                                f'<code>{_e(m)}</code></p>'),
                lambda r: [td(r.value_as_written),
                           td(r.qualifier + (f" ({r.qualifier_as_written})" if r.qualifier_as_written else ""))])
        agree = c["numbers_agree"]["measure_id"].tolist()
        if agree:
            out.append(f"<p>Same figure in each article that gives it: {_e(', '.join(agree))}.</p>")
        grouped(c["names_differ"], "actor_id",
                '<h4 class="iraqtalks-names">Names written differently for the same actor', "None.",
                ["Name as written", "Kind of name"],
                lambda a, grp: f'<p data-actor-id="{_e(a)}"><b>{_e(self.actor_names.get(a, a))}</b></p>',
                lambda r: [td(r.name_as_written), td(r.name_type)])
        grouped(c["framing"], "concept_id",
                '<h4 class="iraqtalks-framing">How each frames the same thing',
                "No concept is named by two of these articles.",
                ["Term", "Literally", "What it suggests"],
                lambda k, grp: (f'<p data-concept-id="{_e(k)}"><b>{_e(k.replace("_", " "))}</b> — '
                                f'{"same words" if grp["same_words"].iloc[0] else "different words"}</p>'),
                lambda r: [f"<td lang='vi'>{_e(r.term_vi)}</td>", td(r.term_en), td(r.connotation_en)])
        out.append("</div>")
        return "".join(out)

    def update(self) -> None:
        """Recompute the comparison for the articles chosen in the picker."""
        chosen = self.chosen
        if len(chosen) < 2:
            self.status.value = "Choose two or more articles to compare (hold Ctrl or Shift to pick several)."
            self.output.value = f'<p class="iraqtalks-empty"><b>{_e(self.status.value)}</b></p>'
            for name in ("event_coverage", "numbers_differ", "numbers_agree", "names_differ", "framing"):
                setattr(self, name, pd.DataFrame())
            return
        c = self.compare(chosen)
        for name, df in c.items():
            setattr(self, name, df)
        cov = c["event_coverage"]
        self.status.value = (f"{len(chosen)} articles: {int((cov['status'] == 'all').sum())} events shared by all, "
                             f"{int((cov['status'] == 'one').sum())} reported by only one")
        self.output.value = self._html(chosen, c)

    def static(self) -> Figure:
        """A coverage heatmap (matplotlib Figure) of the chosen articles."""
        chosen = self.chosen if len(self.chosen) >= 1 else list(self.coverage.columns)
        matrix = self.coverage[chosen]
        return _coverage_figure(matrix[matrix.any(axis=1)], self.events, self.articles)

    def __repr__(self) -> str:
        return f"<SourceComparison of {', '.join(self.chosen)} (interactive: run the notebook to use it)>"


def source_comparison(articles: Iterable[str] = ("a001", "a002"), data_dir=None, *,
                      tables: Mapping[str, pd.DataFrame] | None = None) -> SourceComparison:
    """Compare two or more articles: shared and unshared events, differing numbers and names, framing.

    Every item carries the Vietnamese evidence and its English translation.  `tables` may hold
    DataFrames (events, event_reports, articles, actors, actor_names, numbers, framing_terms) that
    replace the files in `data_dir`.
    """
    return SourceComparison(articles, data_dir, tables=tables)


__all__ = [
    "ALL", "TimelineExplorer", "TimelineState", "timeline_explorer", "SourceComparison", "source_comparison",
    "coverage_matrix", "coverage_heatmap", "date_text", "type_label",
]
