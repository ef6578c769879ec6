"""The raw seeds: read them exactly as stored, and verify them against the manifest checksums."""
from __future__ import annotations

import csv
import hashlib
import os
import unicodedata
from functools import lru_cache
from pathlib import Path

from .paths import data_dir as _data_dir
from .paths import passes_a_link, seeds_dir_for


class SeedError(Exception):
    """A seed file is missing, altered, or not UTF-8 NFC."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> str:
    return Path(path).read_bytes().decode("utf-8")


def outside_reason(seed_file: str, folder: str | Path) -> str | None:
    """Why `seed_file` does not name a file inside the seeds `folder` (None if it does).

    Checked before any seed is read: an absolute path, a path going up with '..', or a link leading
    out of the folder is refused, so that a data folder cannot make the kit read other files.
    """
    if not seed_file:
        return None  # an empty cell is reported as missing
    if "\\" in seed_file:
        return f"{seed_file!r} contains a backslash \\ (write folders with a forward slash /)"
    if seed_file.startswith(("/", "~")) or (len(seed_file) > 1 and seed_file[1] == ":"):
        return f"{seed_file!r} is an absolute path, outside the seeds folder"
    if ".." in seed_file.split("/"):
        return f"{seed_file!r} goes up out of the seeds folder with '..'"
    if passes_a_link(folder, seed_file):
        real, base = os.path.realpath(Path(folder) / seed_file), os.path.realpath(folder)
        if not real.startswith(base.rstrip(os.sep) + os.sep):
            return f"{seed_file!r} is a link to {real}, outside the seeds folder"
    return None




def read_raw(seed_file: str, seeds_dir: str | Path | None = None) -> str:
    """The raw text of one seed, decoded from UTF-8 and otherwise untouched (no newline translation)."""
    folder = Path(seeds_dir) if seeds_dir is not None else seeds_dir_for(None)
    why = outside_reason(seed_file, folder)
    if why:
        raise SeedError(f"{folder}: {why}; expected the name of a file inside the seeds folder")
    path = folder / seed_file
    if not path.is_file():
        raise SeedError(f"{path}: seed file not found (expected one of the files listed in data/articles.csv, column seed_file)")
    try:
        return _read(str(path), path.stat().st_mtime_ns)
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: not valid UTF-8 at byte {exc.start}") from None


def manifest(data: str | Path | None = None) -> list[dict]:
    """Rows of articles.csv as plain dicts (article_id, seed_file, sha256, ...), read without pandas."""
    path = _data_dir(data) / "articles.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:  # a byte-order mark (a spreadsheet's save) is not data
        return list(csv.DictReader(fh))


def verify_seeds(data: str | Path | None = None, seeds_dir: str | Path | None = None) -> list[str]:
    """Check every seed against the SHA-256 in articles.csv. Returns the list of seed files checked.

    Raises SeedError naming the file, the expected and the found checksum if any seed was changed.
    """
    folder = Path(seeds_dir) if seeds_dir is not None else seeds_dir_for(data)
    problems, checked = [], []
    for i, row in enumerate(manifest(data), start=2):
        why = outside_reason(row["seed_file"] or "", folder)
        if why:
            problems.append(f"{_data_dir(data) / 'articles.csv'}: row {i}, column seed_file: {why}; the file was "
                            "not read")
            continue
        path = folder / row["seed_file"]
        if not path.is_file():
            problems.append(f"{path}: missing (articles.csv row {i} lists it)")
            continue
        found = sha256_of(path)
        if found != row["sha256"]:
            problems.append(
                f"{path}: SHA-256 is {found}, but articles.csv row {i}, column sha256 expects {row['sha256']}. "
                "The seeds are primary sources and must stay byte for byte as published; restore the original file."
            )
            continue
        text = path.read_bytes().decode("utf-8")
        if unicodedata.normalize("NFC", text) != text:
            problems.append(f"{path}: not Unicode NFC")
            continue
        checked.append(row["seed_file"])
    if problems:
        raise SeedError("Seed check failed:\n  " + "\n  ".join(problems))
    return checked
