"""How long after an event each article reported it: the lags table and its chart (lesson 03).

    from iraqtalks import report_lags, lag_chart
    report_lags()       # one row per (event, article), lag_min and lag_max in days
    lag_chart()         # one lane per article, one mark per event it reports
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.loader import load
from ..views import plotting

__all__ = ["report_lags", "lag_chart"]


def _days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from `earlier` to `later`, counted on day numbers: dates centuries apart (the kit accepts
    1678 to 2261) overflow a pandas Timedelta, which holds about 292 years."""
    a, b = later.to_numpy("datetime64[D]"), earlier.to_numpy("datetime64[D]")
    days = a.astype("int64") - b.astype("int64")
    missing = np.isnat(a) | np.isnat(b)
    if missing.any():  # like .dt.days: a missing date gives a missing number of days
        return pd.Series(np.where(missing, np.nan, days.astype("float64")), index=later.index)
    return pd.Series(days, index=later.index)


def report_lags(*, data_dir=None) -> pd.DataFrame:
    """How long after an event each article reported it: one row per (event, article) in event_reports.

    Columns: event_id, article_id, date_as_written, date_start, date_end (the event), published_start,
    published_end (the article's bounds as the page supports them; published_end is empty where the
    page gives no upper bound), end_used and end_basis (the upper bound lag_max uses: ``page``, or
    ``estimate`` where the page gives none and articles.estimate_end is the kit's labelled judgement),
    lag_min and lag_max in days, evidence, evidence_en.

    ``lag_max`` is the longest the lag can be: the article's latest possible date (``end_used``) minus
    the event's earliest.  ``lag_min`` is the shortest: the article's earliest date minus the event's
    latest, but not below 0, because an article reports what has already happened, unless ``lag_max``
    is 0 or below: then the article may have appeared before the event (it announces something still
    to come, like a002's talks that 'sẽ nối lại', will resume, on 11.2) and lag_min stays negative.
    Where both dates are known to the day, the two lags are equal.

    >>> lags = report_lags().set_index(["event_id", "article_id"])
    >>> lags.loc[("e2024-01-24-letter", "a000"), ["lag_min", "lag_max"]].tolist()
    [1, 1]
    >>> lags.loc[("e2024-02-11-talks-resume", "a002"), ["lag_min", "lag_max"]].tolist()
    [-3, 0]
    """
    reps = load("event_reports", data_dir=data_dir)
    ev = load("events", data_dir=data_dir).set_index("event_id")
    art = load("articles", data_dir=data_dir).set_index("article_id")
    out = pd.DataFrame({
        "event_id": reps["event_id"],
        "article_id": reps["article_id"],
        "date_as_written": reps["date_as_written"],
        "date_start": ev.loc[reps["event_id"], "date_start"].to_numpy(),
        "date_end": ev.loc[reps["event_id"], "date_end"].to_numpy(),
        "published_start": art.loc[reps["article_id"], "published_start"].to_numpy(),
        "published_end": art.loc[reps["article_id"], "published_end"].to_numpy(),
    })
    estimate = (art.loc[reps["article_id"], "estimate_end"].to_numpy() if "estimate_end" in art.columns
                else out["published_end"].to_numpy())
    page = out["published_end"].notna()
    out["end_used"] = out["published_end"].where(page, pd.Series(estimate, index=out.index))
    out["end_basis"] = np.where(page, "page", np.where(out["end_used"].notna(), "estimate", "none"))
    low = _days_between(out["published_start"], out["date_end"])
    out["lag_max"] = _days_between(out["end_used"], out["date_start"])
    out["lag_min"] = low.where(out["lag_max"] <= 0, low.clip(lower=0))
    out = out[[c for c in out.columns if c != "lag_max"] + ["lag_max"]]
    out["evidence"] = reps["evidence"].to_numpy()
    out["evidence_en"] = reps["evidence_en"].to_numpy()
    return out.sort_values(["date_start", "event_id", "article_id"], kind="stable").reset_index(drop=True)


def lag_chart(lags: pd.DataFrame | None = None, since: str = "2024-01-01", *, data_dir=None):
    """A chart of :func:`report_lags`: one lane per article, one mark per event it reports.

    Each lane is labelled with the article's publication window; "(est.)" marks an article whose page
    gives no last day, so its bars end at the kit's labelled estimate (``end_basis`` in report_lags).
    x is the lag in days from the event to the article: a dot where the lag is known to the day,
    a bar from ``lag_min`` to ``lag_max`` where it is not; a dashed line marks 0 (reported the day
    it happened), and marks left of it are reports that came *before* the event.  Only events that
    started on or after `since` are drawn (older background events would squeeze the rest).
    Returns a :class:`iraqtalks.views.plotting.KitFigure`, which shows itself in a notebook.
    """
    from ..text.labels import pub_short as _pub_short

    if lags is not None and not isinstance(lags, pd.DataFrame):
        raise ValueError(f"lag_chart: lags is the table report_lags() returns (a DataFrame), not a "
                         f"{type(lags).__name__}; a data folder goes in data_dir=...")
    lags = report_lags(data_dir=data_dir) if lags is None else lags
    sub = lags[lags["date_start"] >= pd.Timestamp(since)]
    if sub.empty:
        raise ValueError(f"lag_chart: no reports of events on or after {since}")
    art = load("articles", data_dir=data_dir).set_index("article_id")
    keys = sorted(sub["article_id"].unique())
    fig = plotting.new_figure(10, 1.6 + 0.75 * len(keys), layout="constrained")
    ax = fig.add_subplot()
    with plotting.style():
        for i, a in enumerate(keys):
            rows = sub[sub["article_id"] == a].sort_values(["lag_min", "lag_max", "event_id"], kind="stable")
            ys = i + (np.linspace(-0.28, 0.28, len(rows)) if len(rows) > 1 else np.zeros(1))
            colour = plotting.colour_for(a, keys)
            exact = (rows["lag_min"] == rows["lag_max"]).to_numpy()
            lo, hi = rows["lag_min"].to_numpy(), rows["lag_max"].to_numpy()
            ax.hlines(ys[~exact], lo[~exact], hi[~exact], colors=colour, linewidth=3, alpha=0.85)
            ax.scatter(lo[exact], ys[exact], color=colour, s=28, zorder=3, edgecolors="white", linewidths=0.6)
        ax.axvline(0, color="#555555", linewidth=1, linestyle="--")
        labels = []
        for a in keys:
            start = art.at[a, "published_start"]
            basis = sub.loc[sub["article_id"] == a, "end_basis"].iloc[0]
            end = sub.loc[sub["article_id"] == a, "end_used"].iloc[0]
            when = (f"{_pub_short(start, end)} {start.year}" if start.year == end.year else
                    f"{_pub_short(start, start)} {start.year}–{_pub_short(end, end)} {end.year}")
            labels.append(f"{a} · {when}" + (" (est.)" if basis == "estimate" else ""))
        ax.set_yticks(range(len(keys)), labels)
        ax.set_ylim(len(keys) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        plotting.set_labels(ax, "How long after each event did the articles report it?",
                            "Days from the event to the article (dot: known to the day; bar: the possible range)",
                            "Article", subtitle=f"Events from {pd.Timestamp(since):%-d %B %Y} on; one mark per event an article reports",
                            source="Source: the kit's events, event_reports and articles tables")
        plotting.literal_text(fig)
    return fig
