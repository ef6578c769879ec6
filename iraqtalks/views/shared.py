"""What the kit's views share: the tables they read (given as DataFrames or loaded), checked and prepared with
errors that name file, row and column; the small stylesheet of their HTML panels; quiet updates; display.

Used by the timeline explorer (:mod:`.timeline`), the coverage matrix and heatmap (:mod:`.heatmap`), the
source comparison (:mod:`.compare`) and the TimelineJS export (:mod:`iraqtalks.io.export`), so that all of
them accept the same tables.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.common import as_text
from ..data import paths as _paths
from ..data.descriptor import enum_labels
from ..data.loader import load as _schema_load
from ..data.problems import DataError, Problem

__all__ = ["ALL", "STYLE", "Tables", "ShowsWidget", "muted", "fail", "need_columns", "text_frame",
           "check_report_articles"]

ALL = "__all__"
"""The value of the 'All' choice in every filter dropdown."""

# One small stylesheet, scoped by the kit's class names, shipped with each HTML panel.
STYLE = ("<style>.iraqtalks-table{border-collapse:collapse;margin:0.3em 0 0.6em 0}"
          ".iraqtalks-table th,.iraqtalks-table td{text-align:left;padding:2px 6px;vertical-align:top}"
          ".iraqtalks-table th{border-bottom:1px solid #ccc}"
          ".iraqtalks-table td.iraqtalks-en{color:#333;font-style:italic}</style>")

# --------------------------------------------------------------------------------------------
# Loading and checking the tables
# --------------------------------------------------------------------------------------------


def _load(name: str, data_dir=None) -> pd.DataFrame:
    """One table of the kit, typed, via the kit's loader (iraqtalks.data.loader.load)."""
    return _schema_load(name, data_dir=data_dir)


def _file_label(df: pd.DataFrame, table: str, from_file: bool) -> str:
    if from_file:
        src = Path(str(df.attrs.get("source") or f"{table}.csv"))
        try:
            return src.resolve().relative_to(_paths.ROOT).as_posix()
        except ValueError:
            return str(src)
    return f"the {table} DataFrame (rows counted from 0)"


def fail(df: pd.DataFrame, table: str, from_file: bool, pos: int | None = None, column: str | None = None,
          found=None, expected: str | None = None, message: str = "", value: bool = True) -> DataError:
    """A DataError naming the file (or DataFrame), spreadsheet row (header = row 1), column, found and expected.

    `value=False` says `found` describes what was found rather than quoting a cell.
    """
    row = None if pos is None else (pos + 2 if from_file else pos)
    return DataError([Problem(_file_label(df, table, from_file), row=row, column=column,
                              found=None if found is None else str(found), expected=expected, message=message,
                              found_is_value=value)],
                     heading=f"The {table} table cannot be used here")


def need_columns(df: pd.DataFrame, table: str, columns: Iterable[str], from_file: bool = False) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError([Problem(f"the {table} argument", found=type(df).__name__, found_is_value=False,
                                 expected="a pandas DataFrame")])
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise fail(df, table, from_file, found=f"no column(s) {', '.join(missing)}", value=False,
                    expected=f"the columns of '{table}' in data/datapackage.json",
                    message=f"found columns: {', '.join(map(str, df.columns))}")




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
        text = as_text(pd.Series([None if t is not None else v for v, t in zip(vals, stamps)], dtype=object))
        parsed = pd.to_datetime(text.where(text != "", None), format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna() & (text != "")
        if bad.any():
            pos = _first(bad)
            raise fail(df, table, from_file, pos, column, found=text.iloc[pos],
                        expected="an ISO date like 2024-01-27 (or a date object such as a pandas Timestamp)")
        out = pd.to_datetime(pd.Series([t.tz_localize(None) if t is not None and t.tz is not None else
                                        (t if t is not None else p) for t, p in zip(stamps, parsed)], dtype=object))
    if out.isna().any():
        raise fail(df, table, from_file, _first(out.isna()), column, found="an empty cell", expected="a date", value=False)
    return out.dt.normalize().astype("datetime64[ns]").to_numpy()


def text_frame(df: pd.DataFrame, table: str, required: Iterable[str], optional: Iterable[str],
                from_file: bool) -> pd.DataFrame:
    """Required and optional text columns as plain str ('' = missing); required ones must be filled."""
    required, optional = list(required), list(optional)
    need_columns(df, table, required, from_file)
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in required:
        out[col] = as_text(df[col]).to_numpy()
        empty = out[col] == ""
        if empty.any():
            raise fail(df, table, from_file, _first(empty), col, found="an empty cell", expected="a value", value=False)
    for col in optional:
        out[col] = as_text(df[col]).to_numpy() if col in df.columns else ""
    return out


def _unique(src: pd.DataFrame, df: pd.DataFrame, table: str, keys: list[str], from_file: bool) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        pos = _first(dup)
        shown = ", ".join(f"{k}={df[k].iloc[pos]!r}" for k in keys)
        raise fail(src, table, from_file, pos, keys[0], found=f"a repeated key ({shown})", value=False,
                    expected=f"each {'/'.join(keys)} only once")


def _prep_events(df: pd.DataFrame, from_file: bool) -> pd.DataFrame:
    ev = text_frame(
        df, "events",
        ["event_id", "date_precision", "event_type", "actor1_id", "summary_en", "summary_vi"],
        ["actor2_id", "location", "country", "date_note", "article_id", "evidence", "evidence_en", "actor1_basis",
         "accuser_id"],
        from_file,
    )
    need_columns(df, "events", ["date_start", "date_end"], from_file)
    ev["date_start"] = _as_dates(df, "events", "date_start", from_file)
    ev["date_end"] = _as_dates(df, "events", "date_end", from_file)
    bad = ev["date_end"] < ev["date_start"]
    if bad.any():
        pos = _first(bad)
        raise fail(df, "events", from_file, pos, "date_end", found=str(ev["date_end"].iloc[pos].date()),
                    expected=f"a date on or after date_start ({ev['date_start'].iloc[pos].date()})")
    precisions = list(enum_labels("events", "date_precision"))  # the kit's schema (data/datapackage.json)
    bad = ~ev["date_precision"].isin(precisions)
    if bad.any():
        pos = _first(bad)
        raise fail(df, "events", from_file, pos, "date_precision", found=ev["date_precision"].iloc[pos],
                    expected=f"one of {', '.join(precisions)}")
    _unique(df, ev, "events", ["event_id"], from_file)
    return ev


def _prep_reports(df: pd.DataFrame, events: pd.DataFrame, from_file: bool) -> pd.DataFrame:
    rep = text_frame(df, "event_reports", ["event_id", "article_id", "evidence", "evidence_en"],
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
    art = text_frame(df, "articles", ["article_id", "label_en"], ["outlet_id", "published_precision", "headline"],
                      from_file)
    need_columns(df, "articles", ["published_start", "published_end"], from_file)
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
    act = text_frame(df, "actors", ["actor_id", "name_en"], [], from_file)
    _unique(df, act, "actors", ["actor_id"], from_file)
    return dict(zip(act["actor_id"], act["name_en"]))


def check_report_articles(reports: pd.DataFrame, articles: pd.DataFrame) -> None:
    known = set(articles["article_id"])
    bad = ~reports["article_id"].isin(known)
    if bad.any():
        row = reports[bad].iloc[0]
        table = "events" if row["own"] else "event_reports"
        raise DataError([Problem(table, column="article_id", found=row["article_id"],
                                 expected=f"an article listed in articles ({', '.join(sorted(known))})",
                                 message=f"event {row['event_id']!r} cites an article the articles table does not have")],
                        heading="The tables do not fit together")


class Tables:
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



@contextlib.contextmanager
def muted(obj) -> Iterator[None]:
    old, obj._mute = obj._mute, True
    try:
        yield
    finally:
        obj._mute = old


class ShowsWidget:
    """Displays `self.widget`, with the object's repr as the plain-text view for viewers without widgets."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # what a viewer without widgets (GitHub, nbviewer) shows
        return bundle
