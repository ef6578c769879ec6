"""load(), load_all() and evidence_rows(): typed frames, copies, clear errors."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import get_cell, read_rows, set_cell, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iraqtalks
from iraqtalks.data.descriptor import read_package, table_names
from iraqtalks.data.loader import EvidenceRow, evidence_rows, load, load_all
from iraqtalks.data.problems import DataError, UnknownTableError


def fields_of(pkg: dict, table: str) -> list[dict]:
    return next(r for r in pkg["resources"] if r["name"] == table)["schema"]["fields"]


EXPECTED_DTYPE = {"date": "datetime64[ns]", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def test_the_package_exports():
    for name in ("load", "load_all", "DataError", "check_data"):
        assert name in iraqtalks.__all__ and hasattr(iraqtalks, name)
    assert iraqtalks.load is load


def test_every_table_is_typed_by_the_schema(full_copy):
    pkg = read_package(data_dir=full_copy)
    tables = load_all(data_dir=full_copy)
    assert list(tables) == table_names(data_dir=full_copy)
    for res in pkg["resources"]:
        df = tables[res["name"]]
        assert list(df.columns) == [f["name"] for f in res["schema"]["fields"]]
        for f in res["schema"]["fields"]:
            dtype = df[f["name"]].dtype
            enum = (f.get("constraints") or {}).get("enum")
            if f.get("type", "string") in EXPECTED_DTYPE:
                assert str(dtype) == EXPECTED_DTYPE[f["type"]], (res["name"], f["name"], dtype)
            elif enum:
                assert isinstance(dtype, pd.CategoricalDtype), (res["name"], f["name"])
                assert list(dtype.categories) == enum
            else:
                assert dtype == pd.api.types.pandas_dtype(object), (res["name"], f["name"], dtype)
        assert df.attrs["source"] == str(full_copy / res["path"])
        assert df.attrs["description"] == res.get("description", "")
        assert len(df) == len(read_rows(full_copy / res["path"])) - 1


def test_events_dates_and_categories():
    events = load("events")
    assert str(events["date_start"].dtype) == "datetime64[ns]"
    assert isinstance(events["date_precision"].dtype, pd.CategoricalDtype)
    assert (events["date_end"] >= events["date_start"]).all()
    assert events["date_start"].notna().all()


def test_values_come_through_unchanged(full_copy):
    path = full_copy / "outlets.csv"
    set_cell(path, 2, "note", "NA")
    set_cell(path, 3, "note", "")
    set_cell(path, 4, "note", "null")
    df = load("outlets", data_dir=full_copy)
    assert df.loc[0, "note"] == "NA" and df.loc[2, "note"] == "null"
    assert df.loc[1, "note"] is pd.NA
    rows = read_rows(path)
    assert df["outlet_id"].tolist() == [r[0] for r in rows[1:]]


def test_empty_cells_are_missing_values(full_copy):
    pkg = read_package(data_dir=full_copy)
    optional_int = [(r["name"], f["name"]) for r in pkg["resources"] for f in r["schema"]["fields"]
                    if f.get("type") in ("number", "date") and not (f.get("constraints") or {}).get("required")
                    and f["name"] not in _pk(r)]
    if not optional_int:
        pytest.skip("no optional number or date column in datapackage.json")
    table, col = optional_int[0]
    res = next(r for r in pkg["resources"] if r["name"] == table)
    field = next(f for f in res["schema"]["fields"] if f["name"] == col)
    if field.get("x-parsed-from"):
        # the cell must agree with its source column, so use a row the data already leaves empty
        rows = read_rows(full_copy / res["path"])
        at = next(i for i, row in enumerate(rows[1:]) if row[rows[0].index(col)] == "")
    else:
        set_cell(full_copy / res["path"], 2, col, "")
        at = 0
    assert pd.isna(load(table, data_dir=full_copy).loc[at, col])


def _pk(res):
    pk = res["schema"].get("primaryKey") or []
    return [pk] if isinstance(pk, str) else pk


def test_data_dir_reads_the_copy_not_the_kit(full_copy):
    original = load("outlets").loc[0, "name"]
    set_cell(full_copy / "outlets.csv", 2, "name", "Renamed in the copy")
    assert load("outlets", data_dir=full_copy).loc[0, "name"] == "Renamed in the copy"
    assert load("outlets", data_dir=str(full_copy)).loc[0, "name"] == "Renamed in the copy"
    assert load("outlets").loc[0, "name"] == original


def test_a_changed_file_is_read_again(full_copy):
    path = full_copy / "outlets.csv"
    first = load("outlets", data_dir=full_copy)
    set_cell(path, 2, "name", first.loc[0, "name"][::-1])  # same size, new content
    assert load("outlets", data_dir=full_copy).loc[0, "name"] == first.loc[0, "name"][::-1]


def test_changing_a_loaded_frame_does_not_change_the_next_load(full_copy):
    df = load("outlets", data_dir=full_copy)
    df.loc[0, "name"] = "scribbled"
    df.attrs["source"] = "elsewhere"
    again = load("outlets", data_dir=full_copy)
    assert again.loc[0, "name"] != "scribbled"
    assert again.attrs["source"] == str(full_copy / "outlets.csv")


def test_a_broken_table_raises_data_error_not_a_pandas_error(full_copy):
    set_cell(full_copy / "events.csv", 2, "date_start", "28/01/2024")
    set_cell(full_copy / "events.csv", 3, "date_precision", "week")
    files = snapshot(full_copy)
    with pytest.raises(DataError) as info:
        load("events", data_dir=full_copy)
    assert snapshot(full_copy) == files
    err = info.value
    assert [(p.row, p.column) for p in err.problems] == [(2, "date_start"), (3, "date_precision")]
    text = str(err)
    assert text.startswith("Table 'events' cannot be loaded: 2 problems in ")
    assert "\n  1. " in text and "row 2, column date_start: found '28/01/2024'" in text
    # the other tables still load
    assert len(load("outlets", data_dir=full_copy)) > 0


def test_load_reports_structural_problems(full_copy):
    path = full_copy / "outlets.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))  # old Mac line ends
    with pytest.raises(DataError, match="old Mac line ends"):
        load("outlets", data_dir=full_copy)
    path.unlink()
    with pytest.raises(DataError, match="no such file"):
        load("outlets", data_dir=full_copy)


def test_load_checks_evidence(full_copy):
    path = full_copy / "outlets.csv"
    set_cell(path, 2, "evidence", "words that are in no seed at all")
    with pytest.raises(DataError) as info:
        load("outlets", data_dir=full_copy)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "name_vi"), (2, "evidence")]  # column order


def test_load_all_lists_the_problems_of_every_table(full_copy):
    set_cell(full_copy / "events.csv", 2, "date_start", "28/01/2024")
    set_cell(full_copy / "outlets.csv", 2, "kind", "blog")
    with pytest.raises(DataError) as info:
        load_all(data_dir=full_copy)
    assert sorted((p.file.rsplit("/", 1)[-1], p.column) for p in info.value.problems) == [
        ("events.csv", "date_start"), ("outlets.csv", "kind")]


def test_unknown_table_lists_the_tables():
    with pytest.raises(UnknownTableError) as info:
        load("event")
    text = str(info.value)
    assert "There is no table called 'event'. Did you mean 'events'?" in text
    for name in table_names():
        assert name in text


def test_load_docstring_lists_the_tables():
    for name in table_names():
        assert name in load.__doc__


def test_evidence_rows_point_at_the_quotes(full_copy):
    pkg = read_package(data_dir=full_copy)
    rows = list(evidence_rows(data_dir=full_copy))
    assert rows and all(isinstance(r, EvidenceRow) for r in rows)
    expected = 0
    for res in pkg["resources"]:
        ev = res.get("x-evidence")
        if not ev:
            continue
        table = read_rows(full_copy / res["path"])
        expected += sum(1 for r in table[1:] for q in ev["quote_fields"] if r[table[0].index(q)] != "")
    assert len(rows) == expected
    for table, row, article_id, quote in rows[:: max(1, len(rows) // 40)]:
        res = next(r for r in pkg["resources"] if r["name"] == table)
        assert get_cell(full_copy / res["path"], row, res["x-evidence"]["article_field"]) == article_id
        assert quote in [get_cell(full_copy / res["path"], row, q) for q in res["x-evidence"]["quote_fields"]]


def test_evidence_rows_refuses_an_unreadable_table(full_copy):
    (full_copy / "outlets.csv").write_bytes(b"")
    with pytest.raises(DataError, match="outlets.csv"):
        list(evidence_rows(data_dir=full_copy))


# Any one-line text without markup survives the trip through a CSV cell unchanged.
cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<"), max_size=40,
).map(lambda s: __import__("unicodedata").normalize("NFC", s)).filter(lambda s: s.strip() == s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=cell_text)
def test_any_text_round_trips(full_copy, text):
    path = full_copy / "outlets.csv"
    set_cell(path, 2, "note", text)
    df = load("outlets", data_dir=full_copy)
    if text == "":
        assert df.loc[0, "note"] is pd.NA
    else:
        assert df.loc[0, "note"] == text


def test_an_unchanged_table_is_not_checked_again(full_copy, monkeypatch):
    import os
    import time

    from iraqtalks.data import loader as schema_loader

    old = time.time_ns() - 3600 * 10**9  # an hour ago: no "racy" hashing, the file's stat is trusted
    for folder in (full_copy, full_copy.parent / "seeds"):
        for p in folder.iterdir():
            if p.is_file():
                os.utime(p, ns=(old, old))
    first = load("events", data_dir=full_copy)

    def must_not_run(*args, **kwargs):
        raise RuntimeError("checked again")

    monkeypatch.setattr(schema_loader, "_check_table", must_not_run)
    schema_loader._LOAD_CACHE.clear()  # forget the frame, keep the record of the successful check
    pd.testing.assert_frame_equal(load("events", data_dir=full_copy), first)
    assert schema_loader.validate(data_dir=full_copy, tables="events") == []

    path = full_copy / "events.csv"
    set_cell(path, 2, "summary_en", "Changed.")
    os.utime(path, ns=(old + 10**9, old + 10**9))
    with pytest.raises(RuntimeError, match="checked again"):
        load("events", data_dir=full_copy)
