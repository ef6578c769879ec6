"""The seeds are primary sources: byte for byte as published, checked before every build."""
from __future__ import annotations

import unicodedata

import pytest
from conftest import snapshot

from iraqtalks.data.build import build, main
from iraqtalks.data.paths import SEEDS_DIR
from iraqtalks.data.seeds import SeedError, manifest, sha256_of, verify_seeds

ROWS = manifest()


def test_manifest_lists_exactly_the_seed_files():
    listed = sorted(row["seed_file"] for row in ROWS)
    on_disk = sorted(p.name for p in SEEDS_DIR.iterdir() if p.is_file())
    assert listed == on_disk
    assert listed and len(set(listed)) == len(listed)  # one row per seed; the count is the folder's


@pytest.mark.parametrize("row", ROWS, ids=[r["article_id"] for r in ROWS])
def test_seed_sha256_matches_articles_csv(row):
    assert sha256_of(SEEDS_DIR / row["seed_file"]) == row["sha256"]


def test_verify_seeds_accepts_the_kit():
    assert verify_seeds() == [row["seed_file"] for row in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=[r["article_id"] for r in ROWS])
def test_seed_is_utf8_nfc_with_lf_line_ends(row):
    text = (SEEDS_DIR / row["seed_file"]).read_bytes().decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text


def _fix_the_typo(seeds):
    """What a well-meaning teacher might do: 'correct' a000's 'chuyể' to 'chuyển'."""
    row = ROWS[0]
    path = seeds / row["seed_file"]
    text = path.read_bytes().decode("utf-8")
    assert "được chuyể cho" in text
    path.write_bytes(text.replace("được chuyể cho", "được chuyển cho").encode("utf-8"))
    return row, sha256_of(path)


def test_modified_seed_stops_the_build_and_writes_nothing(data_copy):
    data, seeds = data_copy, data_copy.parent / "seeds"
    row, found = _fix_the_typo(seeds)
    before = snapshot(data)
    with pytest.raises(SeedError) as err:
        build(data_dir=data, seeds_dir=seeds)
    message = str(err.value)
    assert row["seed_file"] in message
    assert row["sha256"] in message  # expected
    assert found in message  # found
    assert found != row["sha256"]
    assert snapshot(data) == before


def test_main_reports_a_modified_seed(data_copy, capsys):
    data, seeds = data_copy, data_copy.parent / "seeds"
    row, found = _fix_the_typo(seeds)
    before = snapshot(data)
    assert main(data_dir=data, seeds_dir=seeds) == 1
    err = capsys.readouterr().err
    assert row["seed_file"] in err and row["sha256"] in err and found in err
    assert snapshot(data) == before
