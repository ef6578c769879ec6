"""The upstream layer (outside evidence) and the offline lateral-reading search."""
from __future__ import annotations

import socket

import pandas as pd
import pytest
from conftest import read_rows, set_cell

from iraqtalks import lateral_search, lateral_view, load
from iraqtalks.analysis import lateral
from iraqtalks.data.descriptor import read_package
from iraqtalks.data.loader import validate
from iraqtalks.data.paths import DATA_DIR
from iraqtalks.data.seeds import manifest

ARTICLES = [row["article_id"] for row in manifest()]  # every article of the manifest, however many


def _row_of(path, column, value) -> int:
    rows = read_rows(path)
    j = rows[0].index(column)
    return next(i + 1 for i, r in enumerate(rows) if i and r[j] == value)


def _only(problems, column):
    hits = [p for p in problems if p.column == column]
    assert hits, [str(p) for p in problems]
    return hits


# ------------------------------------------------------------------ the tables


def test_the_upstream_tables_are_declared_as_outside_evidence():
    pkg = read_package()
    res = {r["name"]: r for r in pkg["resources"]}
    for name in ("upstream_reports", "upstream_links", "upstream_searches"):
        assert res[name].get("x-outside") is True
        assert "outside evidence" in res[name]["title"].lower()
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "## Outside evidence: the upstream tables" in readme and "## Translation provenance" in readme
    assert "back-translation" in readme


def test_every_article_has_upstream_rows_or_recorded_searches():
    reports, links, searches = load("upstream_reports"), load("upstream_links"), load("upstream_searches")
    for aid in ARTICLES:
        assert (links.article_id == aid).sum() > 0, aid
        assert (reports.found_for == aid).sum() > 0, aid
        assert (searches.article_id == aid).sum() > 0, f"{aid}: no 'searched, not found' rows"


def test_no_upstream_excerpt_is_longer_than_30_words():
    for table, col in (("upstream_reports", "excerpt"), ("upstream_links", "upstream_excerpt")):
        words = load(table)[col].map(lambda t: len(t.split()))
        assert words.max() <= 30, table


def test_the_fingerprints_are_in_the_rows():
    links = load("upstream_links")
    alaadin = links[links.seed_quote.str.contains("Alaadin") & (links.report_id == "U4c")]
    assert len(alaadin) == 1 and "Reuters" in alaadin.explanation_en.iloc[0]
    boiler = links[links.relation == "repeats_boilerplate"]
    assert {"a000", "a001", "a002", "a003", "a004"} <= set(boiler.article_id.astype(str))


# ------------------------------------------------------------------ check-data on broken copies


def test_a_bad_url_is_a_problem_naming_file_row_and_column(data_copy):
    path = data_copy / "upstream_reports.csv"
    row = _row_of(path, "report_id", "U0a")
    set_cell(path, row, "url", "www.nasdaq.com/articles/with space")
    (p,) = _only(validate(data_dir=data_copy), "url")
    assert p.file.endswith("upstream_reports.csv") and p.row == row
    assert "https?://" in str(p)


def test_an_over_long_excerpt_is_a_problem(data_copy):
    path = data_copy / "upstream_reports.csv"
    row = _row_of(path, "report_id", "U1a")
    set_cell(path, row, "excerpt", " ".join(["word"] * 31))
    (p,) = _only(validate(data_dir=data_copy), "excerpt")
    assert p.row == row and "at most 30 words (this one has 31)" in str(p)
    assert p.file.endswith("upstream_reports.csv")


def test_a_seed_quote_not_in_the_seed_is_a_problem(data_copy):
    path = data_copy / "upstream_links.csv"
    set_cell(path, 2, "seed_quote", "Ngày 26/1, Reuters dẫn các nguồn tin riêng")
    (p,) = _only(validate(data_dir=data_copy), "seed_quote")
    assert p.file.endswith("upstream_links.csv") and p.row == 2
    assert "data/clean/a000.txt" in str(p) and "the first" in str(p)


def test_a_seed_quote_from_another_article_is_named(data_copy):
    path = data_copy / "upstream_links.csv"
    set_cell(path, 2, "article_id", "a001")
    (p,) = _only(validate(data_dir=data_copy), "seed_quote")
    assert "article a000" in str(p)


def test_a_fact_key_must_name_a_row(data_copy):
    path = data_copy / "upstream_links.csv"
    row = _row_of(path, "fact_key", "q08")
    set_cell(path, row, "fact_key", "q99")
    (p,) = _only(validate(data_dir=data_copy), "fact_key")
    assert p.row == row and "no row of quotes" in str(p).lower()
    set_cell(path, row, "fact_key", "")
    (p,) = _only(validate(data_dir=data_copy), "fact_key")
    assert "filled together" in str(p)


def test_a_link_to_an_unknown_report_is_a_foreign_key_problem(data_copy):
    path = data_copy / "upstream_links.csv"
    set_cell(path, 2, "report_id", "U9z")
    assert _only(validate(data_dir=data_copy), "report_id")


def test_the_kits_upstream_tables_are_valid():
    assert validate(tables=["upstream_reports", "upstream_links", "upstream_searches"]) == []


# ------------------------------------------------------------------ lateral search


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    lateral._CORPUS_CACHE.clear()
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80))
    yield


def test_lateral_search_works_offline(no_network):
    r = lateral_search("Alaadin")
    assert list(r.columns) == lateral.COLUMNS
    assert set(r.source) == {"seed", "upstream"}
    assert set(r[r.source == "seed"].article_id) == {"a004"}          # not a001's 'Alaaldin'
    assert {"U4c", "U4g"} <= set(r[r.source == "upstream"].id)
    assert all(r[r.source == "upstream"].url.str.startswith("http"))


def test_number_forms_find_one_another(no_network):
    a, b, c = (lateral_search(q) for q in ("2.500", "2,500", "2500"))
    assert a.equals(b) and b.equals(c)
    assert set(a[a.source == "seed"].article_id) == set(ARTICLES)
    assert "U0a" in set(a.id) and "U1a" in set(a.id)
    assert lateral_search("150").text.str.contains("2150").sum() == 0
    assert lateral.normalise("ngày 8.2") == "ngay 8.2"


def test_accents_and_case_do_not_matter(no_network):
    assert lateral_search("DAM PHAN").equals(lateral_search("đàm phán"))
    hits = lateral_search("khang chien hoi giao")
    assert (hits.source == "seed").all() and len(hits) >= 1


def test_seed_sentences_carry_the_kits_english_where_a_fact_row_gives_one(no_network):
    r = lateral_search("Farhad Alaaldin")
    seed = r[r.source == "seed"].iloc[0]
    assert seed.article_id == "a001" and seed.english


def test_the_html_view_escapes_and_marks(no_network):
    html = lateral_view("Alaadin")._repr_html_()
    assert "<mark>Alaadin</mark>" in html and "outside evidence" in html
    frame = pd.DataFrame([{"source": "upstream", "id": "X", "article_id": "", "outlet": "<b>o</b>",
                           "language": "en", "text": "a <script>alert(1)</script> b", "english": "", "url": ""}],
                         columns=lateral.COLUMNS)
    out = lateral.to_html(frame, "<script>")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&lt;b&gt;o&lt;/b&gt;" in out


def test_an_empty_query_is_a_clear_error():
    with pytest.raises(ValueError, match="query is empty"):
        lateral_search("  ")
    with pytest.raises(TypeError, match="a str"):
        lateral_search(2500)
