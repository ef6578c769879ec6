"""What the analyses share: a table from the kit's data or from the learner's own DataFrames, and clear errors for missing columns or unknown keys.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

import pandas as pd

from ..data.loader import load as _load


def get_table(name: str, *, data_dir=None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One table: from `tables` if given there, else loaded (typed and checked) from `data_dir`."""
    if tables is not None and name in tables and tables[name] is not None:
        df = tables[name]
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"tables[{name!r}]: expected a pandas DataFrame, found {type(df).__name__}")
        return df.copy()
    return _load(name, data_dir=data_dir)


def need_columns(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"the {table} table has no column(s) {', '.join(missing)}; "
                       f"found: {', '.join(map(str, df.columns))}")


def as_text(s: pd.Series) -> pd.Series:
    """A text column as plain str, '' for missing (works for object, string and Categorical columns)."""
    return s.astype("string").fillna("").astype(object)


def text_rows(df: pd.DataFrame) -> list[dict[str, str]]:
    """A loaded table's rows as plain text, as the CSV writes them: dates as YYYY-MM-DD, whole numbers
    without '.0', '' for missing.  For code that prints rows (the handouts) rather than computes with them."""
    cols = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            cols[c] = s.dt.strftime("%Y-%m-%d").fillna("").astype(object)
        elif pd.api.types.is_float_dtype(s):
            cols[c] = s.map(lambda v: "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v))
        else:
            cols[c] = as_text(s)
    return pd.DataFrame(cols, index=df.index).to_dict("records")


def known_keys(values: Iterable[str], known: Iterable[str], what: str) -> list[str]:
    values, known = list(values), list(dict.fromkeys(known))
    unknown = [v for v in values if v not in known]
    if unknown:
        hints = []
        for v in unknown:
            close = difflib.get_close_matches(str(v), [str(k) for k in known], n=1)
            hints.append(f"{v!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise KeyError(f"unknown {what}: {', '.join(hints)}")
    return values


def as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)
