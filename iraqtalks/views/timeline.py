"""The timeline explorer: the events on a timeline, with date, actor, type and article filters.

A plain ipywidgets control (no ipympl): the timeline is drawn with matplotlib on ONE reused Figure and shown
as a PNG in an ``Image`` widget, so it works in JupyterLab, Notebook 7, VS Code and Voilà alike.  It displays
itself, so a lesson cell is one line::

    from iraqtalks import timeline_explorer
    timeline_explorer()

Every piece of text that reaches HTML is escaped.  Widgets carry CSS classes (``iraqtalks-timeline``,
``iraqtalks-count``, ``iraqtalks-date-slider`` ...) so that browser tests and teachers' own stylesheets have
stable selectors.  For the GitHub/printed copy of a lesson, ``.static()`` returns a matplotlib Figure of the
default view without any widget.  The drawing is in :mod:`.timeline_draw`.
"""
from __future__ import annotations

import datetime as _dt

import ipywidgets as W
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..data.descriptor import enum_labels
from ..text.labels import LANGS, date_text
from ..text.labels import UI_WORDS as TEXT
from ..text.labels import check_lang as _check_lang
from ..text.labels import day_text as _day
from ..text.labels import escape_html as _e
from . import plotting
from .shared import ALL, STYLE, ShowsWidget, Tables, check_report_articles, fail, muted
from .timeline_draw import LANES, MODES, TimelineDrawing, TimelineState

__all__ = ["ALL", "MODES", "LANES", "TimelineState", "TimelineExplorer", "timeline_explorer"]

#: Events listed in the detail panel at most (a teacher's own table may select thousands).
_DETAILS_MAX = 200


class TimelineExplorer(TimelineDrawing, ShowsWidget):
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
        tables = Tables(data_dir, {"events": events, "event_reports": reports, "articles": articles,
                                    "actors": actors})
        self.events = tables.events()
        if self.events.empty:
            raise fail(tables.raw("events")[0], "events", tables.raw("events")[1], found="no rows", value=False,
                        expected="at least one event")
        self.reports = tables.reports(self.events)
        self.articles = tables.articles()
        check_report_articles(self.reports, self.articles)
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
        # The words for event types and date precisions, as the kit's schema declares them (datapackage.json).
        self._type_words = {g: enum_labels("events", "event_type", g) for g in LANGS}
        self._precision_words = {g: enum_labels("events", "date_precision", g) for g in LANGS}
        self._type_keys = [t for t in self._type_words["en"] if t in set(ev["event_type"])] + sorted(
            set(ev["event_type"]) - set(self._type_words["en"]))
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
    def type_label(self, event_type: str, lang: str = "en") -> str:
        """An event type in words (English or Vietnamese); types the schema does not list are shown as they are."""
        return self._type_words[lang].get(event_type, event_type.replace("_", " "))

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
        # window buttons change the span (the weeks of the talks, one month, everything; the start view
        # when the explorer starts elsewhere).  By default it starts on the weeks of the talks.
        first_window = "all" if self._dates_given else ("start" if "start" in self._windows else "talks")
        self.window_toggle = W.ToggleButtons(options=self._window_options(lang), value=first_window,
                                             description=TEXT[lang]["window"], style={"button_width": "auto"})
        span = self._days if first_window == "all" else self._span(*self._windows[first_window])
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

    def _talks_window(self) -> tuple[_dt.date, _dt.date] | None:
        """The weeks of the talks: from the Monday two weeks before the first talks event known to the day, to
        the Sunday two weeks after the last (cut to the events' span); None if the data hold no such event."""
        first, last = self._days[0], self._days[-1]
        ev = self.events
        talks = ev[(ev["event_type"] == "talks") & (ev["date_precision"] == "day") & (ev["date_start"] == ev["date_end"])]
        if len(talks):
            a, b = talks["date_start"].min().date(), talks["date_end"].max().date()
            lo = a - _dt.timedelta(days=a.weekday() + 14)
            hi = b + _dt.timedelta(days=6 - b.weekday() + 14)
            lo, hi = max(lo, first), min(hi, last)
            if lo <= hi:
                return lo, hi
        return None

    def _preset_windows(self, dates) -> dict[str, tuple[_dt.date, _dt.date]]:
        """The windows the buttons offer: the start view (only when it is not the weeks of the talks); the weeks
        of the talks (see :meth:`_talks_window`; only if the data hold talks known to the day); one month
        (31 days from the start of the window in use); everything."""
        first, last = self._days[0], self._days[-1]
        talks = self._talks_window()
        out = {}
        if talks != self._start:
            out["start"] = self._start
        if talks is not None:
            out["talks"] = talks
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
        with muted(self), self.date_slider.hold_sync():
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
        return [(TEXT[lang]["all"], ALL)] + [(self.type_label(t, lang), t) for t in self._type_keys]

    def _article_options(self, lang):
        return [(TEXT[lang]["all"], ALL)] + [(self.article_label(a), a) for a in self._article_keys]

    def _relabel(self, lang: str) -> None:
        """Put the option labels and descriptions in `lang`, keeping every selected value."""
        with muted(self):
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
        # Default: the weeks of the talks; older background events are a button away ('everything').
        talks = self._talks_window()
        if talks is not None:
            return talks
        # Data without talks known to the day: from the start of the month three months before the earliest
        # article to the last event, so the weeks the articles cover are readable.
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
        with muted(self):
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
        return self.actor_name(key) if lanes == "actor" else self.type_label(key, lang)

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
        return (STYLE + note + '<ol class="iraqtalks-event-list" style="padding-left:1.5em">' + "".join(items)
                + "</ol>" + more)

    def _event_html(self, ev, lang: str, article: str) -> str:
        """One event of the detail list (cached: the tables do not change while the explorer lives)."""
        key = (ev.event_id, lang, article)
        if key in self._html_cache:
            return self._html_cache[key]
        t = TEXT[lang]
        unattributed = f"({t['unattributed']})"
        when = date_text(ev.date_start, ev.date_end, ev.date_precision, lang)
        summary = ev.summary_vi if lang == "vi" else ev.summary_en
        actor1 = self.actor_name(ev.actor1_id)
        if getattr(ev, "actor1_basis", "") == "accused" and getattr(ev, "accuser_id", ""):
            actor1 += f" ({t['accused_by']} {self.actor_name(ev.accuser_id)})"  # an accusation, not a fact
        actors = actor1 + (f", {self.actor_name(ev.actor2_id)}" if ev.actor2_id else "")
        out = [f'<li class="iraqtalks-event" data-event-id="{_e(ev.event_id)}" style="margin-bottom:0.8em">',
               f'<div><b>{_e(when)}</b> <i>({_e(self._precision_words[lang][ev.date_precision])})</i> · '
               f'{_e(self.type_label(ev.event_type, lang))} · <span class="iraqtalks-event-id">{_e(ev.event_id)}</span></div>',
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
                    label += f" ({t['event_evidence']})"
                out.append(
                    f'<tr class="iraqtalks-report" data-article-id="{_e(rep["article_id"])}">'
                    f"<td>{_e(label)}</td>"
                    f"<td>{_e(rep['date_as_written'] or t['not_stated'])}</td>"
                    f'<td class="iraqtalks-vi" lang="vi">{_e(rep["evidence"])}</td>'
                    f'<td class="iraqtalks-en" lang="en">{_e(rep["evidence_en"])}</td>'
                    f"<td>{_e(rep['attributed_to'] or unattributed)}</td></tr>"
                )
            out.append("</table>")
        out.append("</li>")
        html_item = "".join(out)
        self._html_cache[key] = html_item
        return html_item

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

    The date slider spans the window on screen; buttons choose the window (the weeks of the talks, one
    month, everything).  It starts at `dates`: (first, last), or 'all' for the whole span; by default on
    the weeks of the talks (from the Monday two weeks before the first talks event known to the day to
    the Sunday two weeks after the last; without such events, from three months before the earliest
    article to the last event).  The count says how many events lie outside.  `render=False` skips
    drawing (for fast scripted checks).
    """
    return TimelineExplorer(data_dir, events, reports, articles, actors, lang, dates=dates, render=render)
