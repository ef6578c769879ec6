"""The build: the committed derived files are exactly what a fresh build writes."""
from __future__ import annotations

import csv
import json
import shutil
import unicodedata

import pytest
from conftest import read_rows, set_cell

from iraqtalks.data.build import CLEAN_DIR, BuildError, build, locate, main
from iraqtalks.data.paths import DATA_DIR
from iraqtalks.data.seeds import manifest, read_raw

PACKAGE = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
DERIVED = [r for r in PACKAGE["resources"] if r.get("x-derived")]
HAND_MADE = [r for r in PACKAGE["resources"] if not r.get("x-derived")]
ARTICLE_IDS = [row["article_id"] for row in manifest()]
REBUILD = "run `python -m iraqtalks build` and commit the result"


def only_inputs(data):
    """Remove the derived files from a copy of data/ (the conftest fixture data_copy), so that
    whatever the build does not write is missing rather than left over."""
    for res in DERIVED:
        (data / res["path"]).unlink(missing_ok=True)
    shutil.rmtree(data / CLEAN_DIR, ignore_errors=True)
    return data, data.parent / "seeds"


def derived_files(data):
    files = {f"{CLEAN_DIR}/{aid}.txt": data / CLEAN_DIR / f"{aid}.txt" for aid in ARTICLE_IDS}
    files.update({res["path"]: data / res["path"] for res in DERIVED})
    return files


@pytest.fixture
def fresh(data_copy):
    data, seeds = only_inputs(data_copy)
    result = build(data_dir=data, seeds_dir=seeds)
    return data, result


def test_committed_derived_files_equal_a_fresh_build(fresh):
    data, _ = fresh
    for name, path in derived_files(data).items():
        committed = DATA_DIR / name
        assert committed.is_file(), f"data/{name} is missing: {REBUILD}"
        assert committed.read_bytes() == path.read_bytes(), f"data/{name} differs from a fresh build: {REBUILD}"
    assert sorted(p.name for p in (DATA_DIR / CLEAN_DIR).iterdir()) == sorted(f"{a}.txt" for a in ARTICLE_IDS)


def test_build_is_deterministic(fresh):
    data, _ = fresh
    first = {name: path.read_bytes() for name, path in derived_files(data).items()}
    build(data_dir=data, seeds_dir=data.parent / "seeds")
    assert {name: path.read_bytes() for name, path in derived_files(data).items()} == first


def test_derived_files_are_utf8_nfc_lf(fresh):
    data, _ = fresh
    for name, path in derived_files(data).items():
        text = path.read_bytes().decode("utf-8")
        assert "\r" not in text, name
        assert text.endswith("\n"), name
        assert unicodedata.is_normalized("NFC", text), name


def test_derived_csv_columns_come_from_the_datapackage(fresh):
    data, result = fresh
    for res in DERIVED:
        with open(data / res["path"], encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == [f["name"] for f in res["schema"]["fields"]], res["name"]
        assert len(rows) - 1 == result[res["name"]] > 0, res["name"]


def test_clean_files_match_the_cleaner(fresh):
    from iraqtalks.data.cleaning import clean_article

    data, _ = fresh
    for row in manifest():
        clean, _ = clean_article(row["article_id"], read_raw(row["seed_file"]))
        assert (data / CLEAN_DIR / f"{row['article_id']}.txt").read_text(encoding="utf-8") == clean


def _evidence(data):
    """(table, row) -> (article_id, quote) for every hand-made table with evidence."""
    out = {}
    for res in HAND_MADE:
        spec = res.get("x-evidence")
        if not spec or not (data / res["path"]).is_file():
            continue
        with open(data / res["path"], encoding="utf-8", newline="") as fh:
            for n, rec in enumerate(csv.DictReader(fh), start=2):
                out[(res["name"], n)] = (rec[spec["article_field"]], rec[spec["quote_fields"][0]])
    return out


def test_evidence_locations_point_at_the_quotes(fresh):
    data, _ = fresh
    raws = {row["article_id"]: read_raw(row["seed_file"]) for row in manifest()}
    evidence = _evidence(data)
    with open(data / "evidence_locations.csv", encoding="utf-8", newline="") as fh:
        located = list(csv.DictReader(fh))
    assert {(r["table"], int(r["row"])) for r in located} == set(evidence)
    for r in located:
        aid, quote = evidence[(r["table"], int(r["row"]))]
        raw = raws[r["article_id"]]
        start, end = int(r["char_start"]), int(r["char_end"])
        assert r["article_id"] == aid
        assert raw[start:end] == quote
        assert raw.find(quote) == start
        assert raw[:start].count("\n") + 1 == int(r["line"])
        assert int(r["occurrences"]) == sum(raw.startswith(quote, i) for i in range(len(raw)))


def test_locate():
    assert locate("ab\ncd cd", "cd") == (2, 3, 5, 2)
    assert locate("aaa", "aa") == (1, 0, 2, 2)
    assert locate("abc", "x") is None
    assert locate("abc", "") is None


def _set_evidence(data, table, article_id, new_quote):
    """Replace the evidence of the first row of `table` quoting `article_id`; returns its spreadsheet row."""
    path = data / f"{table}.csv"
    rows = read_rows(path)
    aid = rows[0].index("article_id")
    n = next(i for i, r in enumerate(rows) if i and r[aid] == article_id) + 1
    set_cell(path, n, "evidence", new_quote)
    return n


def test_a_quote_not_in_its_seed_names_file_row_and_column(data_copy):
    data, seeds = only_inputs(data_copy)
    row = _set_evidence(data, "outlets", "a000", "(VTC News) —")  # an em dash the page does not have
    with pytest.raises(BuildError) as err:
        build(data_dir=data, seeds_dir=seeds)
    message = str(err.value)
    assert f"outlets.csv row {row}, column evidence" in message
    assert "000_f2631e62f339de9d.txt" in message and "(VTC News) —" in message
    assert not (data / "cleaning_log.csv").exists()
    assert not (data / CLEAN_DIR).exists()


def test_a_quote_from_the_clean_text_gets_a_hint(data_copy):
    data, seeds = only_inputs(data_copy)
    # a004's seed writes 't.hiệt m.ạng'; the restored words exist only in the clean text
    _set_evidence(data, "articles", "a004", "vụ 3 lính Mỹ thiệt mạng ở Jordan")
    with pytest.raises(BuildError, match="in the clean text"):
        build(data_dir=data, seeds_dir=seeds)


def test_main_prints_a_summary(data_copy, capsys):
    data, seeds = only_inputs(data_copy)
    assert main(data_dir=data, seeds_dir=seeds) == 0
    out = capsys.readouterr().out
    for name in ("cleaning_log.csv", "sentences.csv", "evidence_locations.csv"):
        assert name in out
