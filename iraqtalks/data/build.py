"""``python -m iraqtalks build``: verify the seeds, then regenerate every derived file.

The steps, in order (nothing is written unless every step succeeds):

1. Check every seed against the SHA-256 in data/articles.csv (:func:`iraqtalks.data.seeds.verify_seeds`).
   A changed seed stops the build with a message naming the file and both checksums.
2. Clean each seed (:func:`iraqtalks.text.clean.clean_article`, with the rules of ``cleaning_rules.csv``) and
   split the clean text into sentences (:func:`iraqtalks.text.clean.split_sentences`).
3. Find every evidence quote of every hand-made table (resources with ``x-evidence`` in
   data/datapackage.json) in its raw seed: line, character offsets, number of occurrences.
4. Map every evidence quote to the sentences it lies in, and join the hand-made reasons of
   ``sentence_reasons.csv`` (:mod:`iraqtalks.data.coverage`): one ``sentence_coverage`` row per sentence.
5. Write ``data/clean/<article_id>.txt``, ``cleaning_log.csv``, ``sentences.csv``,
   ``evidence_locations.csv``, ``sentence_coverage.csv`` (UTF-8, NFC, LF line ends; the same bytes on
   every run) and data/README.md (:func:`iraqtalks.data.datadict.render`, when that module exists): all of
   them to a temporary folder inside the data folder first, then swapped in. If a write or a swap fails,
   the files already swapped are put back, so the data folder is left exactly as it was.

:func:`derive` computes the same files in memory; :func:`stale_problems` compares them with the
files on disk (``check-data`` and ``load()`` use it, so a derived table that no longer matches
its hand-made tables is never shown as valid).

The column order of every derived CSV comes from its resource in data/datapackage.json.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path

from ..text.clean import CleaningError, clean_article, restore_obfuscation, split_sentences
from ..text.quotes import locate
from . import cleaning as _cleaning
from . import csvtext as _csvtext
from . import descriptor as _descriptor
from . import loader as _loader
from . import problems as _problems
from .paths import data_dir as _data_dir
from .paths import seeds_dir_for
from .seeds import SeedError, manifest, read_raw, verify_seeds

__all__ = ["BuildError", "CLEAN_DIR", "build", "derive", "locate", "main", "stale_problems"]

#: Folder (inside the data folder) for the clean texts.
CLEAN_DIR = "clean"
#: Derived resources this module writes, by name in data/datapackage.json.
DERIVED = ("cleaning_log", "sentences", "evidence_locations", "sentence_coverage")
#: The hand-made table of reasons why a sentence backs no fact (read by the build for sentence_coverage).
REASONS = "sentence_reasons"


class BuildError(ValueError):
    """The hand-made tables do not fit the seeds (a quote not found, an unknown article...), or the
    derived files cannot be written.

    ``written`` is True only when a build that stopped while swapping its files in could not put
    every file back (a build that stops otherwise leaves the data folder exactly as it was).
    """

    def __init__(self, message: str, written: bool = False):
        super().__init__(message)
        self.written = written


# --- Reading -------------------------------------------------------------------------------------

def _resource(package: dict, name: str) -> dict:
    for res in package.get("resources", []):
        if res.get("name") == name:
            return res
    raise BuildError(f"datapackage.json: no resource named {name!r} (the build writes it)")


def _field_names(package: dict, name: str) -> list[str]:
    return [f["name"] for f in _resource(package, name)["schema"]["fields"]]


def _evidence_rows(data: Path, package: dict) -> list[dict]:
    """Every evidence quote of the hand-made tables (via :func:`iraqtalks.data.loader.evidence_rows`),
    with the file and the column names that messages need."""
    specs = {}
    for res in package["resources"]:
        spec = res.get("x-evidence")
        if not spec:
            continue
        quote_fields = _descriptor._as_list(spec["quote_fields"])
        if res.get("x-derived") or len(quote_fields) != 1:
            raise BuildError(
                f"datapackage.json, resource {res['name']}: x-evidence is for hand-made tables with exactly one "
                f"quote field (evidence_locations has one row per table row); found x-derived "
                f"{res.get('x-derived')!r} and quote_fields {quote_fields}"
            )
        specs[res["name"]] = (data / res["path"], spec["article_field"], quote_fields[0])
    rows = []
    for ev in _loader.evidence_rows(data_dir=data):
        path, article_field, quote_field = specs[ev.table]
        rows.append({"table": ev.table, "row": ev.row, "path": path, "article_field": article_field,
                     "quote_field": quote_field, "article_id": ev.article_id, "quote": ev.quote})
    return rows


# --- Evidence ------------------------------------------------------------------------------------

def _evidence_locations(evidence: list[dict], raws: dict[str, str], cleans: dict[str, str],
                        seed_files: dict[str, str]) -> list[dict]:
    out, problems = [], []
    for ev in evidence:
        where = f"{ev['path']} row {ev['row']}"
        aid, quote = ev["article_id"], ev["quote"]
        if aid not in raws:
            problems.append(f"{where}, column {ev['article_field']}: {aid!r} is not an article_id in articles.csv")
            continue
        found = locate(raws[aid], quote)
        if found is None:
            hint = ""
            if quote in cleans[aid] or restore_obfuscation(quote)[0] in cleans[aid]:
                hint = (" It is in the clean text: evidence is quoted from the raw seed as printed "
                        "(with its hidden words such as 't.hiệt m.ạng' and its page furniture).")
            problems.append(f"{where}, column {ev['quote_field']}: not found in seeds/{seed_files[aid]} "
                            f"(article {aid}); expected text copied exactly from the raw seed, so that "
                            f"Ctrl-F finds it there.{hint} Quote: {quote!r}")
            continue
        line, start, end, count = found
        out.append({"table": ev["table"], "row": ev["row"], "article_id": aid, "line": line,
                    "char_start": start, "char_end": end, "occurrences": count})
    if problems:
        raise BuildError(f"{len(problems)} evidence quote(s) do not fit the seeds:\n  " + "\n  ".join(problems))
    return out


# --- Writing -------------------------------------------------------------------------------------

def _csv_text(fields: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        if set(row) != set(fields):
            raise BuildError(f"internal: row keys {sorted(row)} differ from the declared fields {fields}")
        writer.writerow([row[f] for f in fields])
    return buf.getvalue()


def _shown(path: Path) -> str:
    return _problems._display(path)


def _check_targets(data: Path, outputs: dict[Path, str]) -> None:
    """Before anything is written: every file to write must be a file (or absent) in folders (or absent)."""
    for path, text in outputs.items():
        if not unicodedata.is_normalized("NFC", text):
            raise BuildError(f"{_shown(path)}: the text to write is not Unicode NFC")
        if not _descriptor._inside(path, data):
            raise BuildError(f"{_shown(path)} leads out of the data folder (through a link to "
                             f"{os.path.realpath(path)}); the build writes only inside the data folder: replace "
                             "the link with a folder or a file")
        for parent in reversed(path.relative_to(data).parents[:-1]):
            folder = data / parent
            if os.path.lexists(folder) and not folder.is_dir():
                raise BuildError(f"{_shown(folder)} is a file, but the build writes {_shown(path)} inside it, so it "
                                 f"must be a folder: rename or move that file, then build again")
        if path.is_dir():
            raise BuildError(f"{_shown(path)} is a folder, but the build writes a file of that name: rename or move "
                             "the folder, then build again")


def _commit(data: Path, outputs: dict[Path, str], removals: list[Path]) -> None:
    """Write every output to a temporary folder inside ``data``, then swap them in (and remove ``removals``).

    All or nothing: if any step fails, the files already swapped are put back and a BuildError says
    what failed. The temporary folder is always removed.
    """
    _check_targets(data, outputs)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".build-", dir=data))
    except OSError as exc:
        raise BuildError(f"cannot write in {_problems._folder_display(data)} ({exc.strerror}): the build writes the "
                         "derived tables there. Make the folder writable, or build a copy of it") from None
    journal: list[tuple[Path, Path | None]] = []  # (file, its old version in the stage, or None if it is new)
    created: list[Path] = []
    current = data
    try:
        staged = {}
        for i, (path, text) in enumerate(outputs.items()):
            current = path
            staged[path] = stage / f"new-{i}"
            staged[path].write_bytes(text.encode("utf-8"))
        for path in removals:
            current = path
            backup = stage / f"old-{len(journal)}"
            os.replace(path, backup)
            journal.append((path, backup))
        for path, new in staged.items():
            current = path
            for parent in reversed(path.relative_to(data).parents[:-1]):
                if not (data / parent).is_dir():
                    (data / parent).mkdir()
                    created.append(data / parent)
            backup = None
            if os.path.lexists(path):
                backup = stage / f"old-{len(journal)}"
                os.replace(path, backup)
            journal.append((path, backup))
            os.replace(new, path)
    except OSError as exc:
        undone = _roll_back(journal, created)
        raise BuildError(f"writing {_shown(current)} failed ({exc.strerror or exc}). "
                         + ("Every file already written was put back as it was" if undone else
                            "Some files could not be put back: restore the data folder from git or a copy"),
                         written=not undone) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _roll_back(journal: list[tuple[Path, Path | None]], created: list[Path]) -> bool:
    ok = True
    for path, backup in reversed(journal):
        try:
            if os.path.lexists(path):
                os.unlink(path)
            if backup is not None:
                os.replace(backup, path)
        except OSError:
            ok = False
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            ok = False
    return ok


_FILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _check_manifest(data: Path, package: dict) -> None:
    """The seed manifest must be readable as a whole before the build trusts it (raises DataError)."""
    res = _resource(package, "articles")
    parsed = _csvtext._parse(data / res["path"])
    if parsed.exists and not parsed.problems and parsed.has("article_id", "seed_file", "sha256"):
        return
    problems = [p for p in _loader._checked(data, package, res).problems if p.row in (None, 1) or p.column is None]
    raise _problems.DataError(problems or [_problems.Problem(_shown(data / res["path"]), expected="a readable table")],
                           heading=f"the seed manifest {_shown(data / res['path'])} cannot be read")


# --- The build -----------------------------------------------------------------------------------

def _row_keys(data: Path, package: dict) -> dict[tuple[str, int], str]:
    """(table, spreadsheet row) -> the row's primary key as shown in sentence_coverage ('q003', 'us, a000, Mỹ')."""
    keys = {}
    for res in package["resources"]:
        if not res.get("x-evidence"):
            continue
        pk = res["schema"].get("primaryKey")
        pk = [pk] if isinstance(pk, str) else list(pk or [])
        with open(data / res["path"], encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                keys[(res["name"], n)] = ", ".join(row.get(k) or "" for k in pk) if pk else f"row {n}"
    return keys


def derive(*, data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> dict:
    """Everything the build writes, computed in memory and written nowhere.

    Returns a dict: ``outputs`` ({path: text} for the clean texts and every derived CSV),
    ``tables`` ({name: rows}), ``articles`` (count), ``clean_folder``, ``coverage_problems``
    (sentences with neither facts nor a reason, and misused reasons; see :mod:`iraqtalks.data.coverage`).
    Raises what :func:`build` raises.
    """
    from . import coverage

    data = _data_dir(data_dir)
    if not data.is_dir():
        what = "a file" if data.exists() else "no such folder"
        raise BuildError(f"{_problems._folder_display(data)}: {what}; expected a data folder containing "
                         "datapackage.json and the CSV files (check the spelling of the folder)")
    package = _descriptor.read_package(data_dir=data)  # its shape, its paths (inside the folder), its links: before any table
    _check_manifest(data, package)
    seeds = Path(seeds_dir) if seeds_dir is not None else seeds_dir_for(data)
    verify_seeds(data, seeds)  # raises SeedError before anything is written

    articles = manifest(data)
    rules = _cleaning.rules(data_dir=data)
    raws, cleans, seed_files, logs = {}, {}, {}, {}
    log_rows, sentence_rows = [], []
    for n, art in enumerate(articles, start=2):
        aid = art["article_id"]
        if not _FILE_ID.fullmatch(aid or ""):
            raise BuildError(f"{_shown(data / 'articles.csv')} row {n}, column article_id: found {aid!r}, expected "
                             "an id of letters, digits, '-', '_' and '.' that starts with a letter or digit (the build "
                             f"writes the clean text to {CLEAN_DIR}/<article_id>.txt)")
        raw = read_raw(art["seed_file"], seeds)
        clean, log = clean_article(aid, raw, rules)
        raws[aid], cleans[aid], seed_files[aid], logs[aid] = raw, clean, art["seed_file"], log
        log_rows.extend(log)
        sentence_rows.extend(split_sentences(clean, aid, headline=art.get("headline", ""), rules=rules,
                                             where=f"{data / 'articles.csv'} row {n}, column headline"))

    evidence = _evidence_rows(data, package)
    locations = _evidence_locations(evidence, raws, cleans, seed_files)

    keys = _row_keys(data, package)
    reasons_res = _resource(package, REASONS)
    reasons_file = data / reasons_res["path"]
    reasons = coverage.read_reasons(reasons_file)
    covered = coverage.coverage_rows(
        [a["article_id"] for a in articles], raws, logs, cleans, sentence_rows,
        [{"table": ev["table"], "key": keys.get((ev["table"], ev["row"]), f"row {ev['row']}"),
          "article_id": ev["article_id"], "quote": ev["quote"]} for ev in evidence],
        reasons)
    names: dict[str, set[str]] = {}
    credits: set[str] = set()
    for res in package["resources"]:
        if res["name"] not in ("actor_names", "outlets"):
            continue
        with open(data / res["path"], encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if res["name"] == "actor_names":
                    names.setdefault(row.get("article_id", ""), set()).add(row.get("name_as_written", ""))
                else:
                    credits.update(v for v in (row.get("name"), row.get("name_vi")) if v)
    coverage_problems = coverage.problems(covered, sentence_rows, reasons, _problems._display(reasons_file),
                                          names, credits, reason_names=[str(v) for v in next(
                                              f for f in reasons_res["schema"]["fields"]
                                              if f["name"] == "reason")["constraints"]["enum"]])

    outputs: dict[Path, str] = {}
    for aid in sorted(cleans):
        outputs[data / CLEAN_DIR / f"{aid}.txt"] = cleans[aid]
    tables = {"cleaning_log": log_rows, "sentences": sentence_rows, "evidence_locations": locations,
              "sentence_coverage": covered}
    for name in DERIVED:
        res = _resource(package, name)
        if not res.get("x-derived"):
            raise BuildError(f"datapackage.json, resource {name}: the build writes it, so it must have x-derived: true")
        outputs[data / res["path"]] = _csv_text(_field_names(package, name), tables[name])
    return {"data_dir": data, "outputs": outputs, "tables": tables, "articles": len(articles),
            "clean_folder": data / CLEAN_DIR, "coverage_problems": coverage_problems}


def build(*, data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> dict:
    """Verify the seeds and regenerate the derived files in ``data_dir`` (default: the kit's data/).

    Raises :class:`~iraqtalks.data.seeds.SeedError` (a seed changed; nothing written),
    :class:`BuildError` or :class:`~iraqtalks.text.clean.CleaningError` (the tables or the cleaning
    rules do not fit the seeds; nothing written), :class:`~iraqtalks.data.problems.DataError` (a table
    or datapackage.json cannot be read; nothing written). Returns a summary dict: ``data_dir``,
    ``articles``, ``clean_files``, the row count of each derived table, ``readme`` (path or None),
    ``notes`` and ``uncovered`` (the number of sentences with neither facts nor a reason).
    """
    derived = derive(data_dir=data_dir, seeds_dir=seeds_dir)
    data, outputs, tables = derived["data_dir"], derived["outputs"], derived["tables"]

    notes = []
    readme = None
    if importlib.util.find_spec("iraqtalks.data.datadict") is None:
        notes.append("data/README.md was not regenerated: iraqtalks/data/datadict.py is missing")
    else:
        from . import datadict

        try:
            text = datadict.render(data_dir=data)
        except _problems.DataError as exc:
            raise BuildError(f"data/README.md could not be generated: {exc}") from exc
        readme_path = data / "README.md"
        if readme_path in outputs:
            raise BuildError("datapackage.json: a derived table has the path README.md, the data dictionary's file")
        outputs[readme_path] = text
        readme = str(readme_path)

    clean_folder = data / CLEAN_DIR
    stale_files = []
    if clean_folder.is_dir():
        for stale in sorted(clean_folder.glob("*.txt")):
            if stale not in outputs:
                stale_files.append(stale)
                notes.append(f"removed {stale}: no article {stale.stem} in articles.csv")
    _commit(data, outputs, stale_files)

    uncovered = sum(1 for c in tables["sentence_coverage"] if not c["facts"] and not c["reason"])
    if derived["coverage_problems"]:
        notes.append(f"{len(derived['coverage_problems'])} sentence coverage problem(s), "
                     f"{uncovered} sentence(s) with neither facts nor a reason: run check-data for the list")
    return {
        "data_dir": str(data),
        "articles": derived["articles"],
        "clean_files": [str(p) for p in outputs if p.parent == clean_folder],
        **{name: len(rows) for name, rows in tables.items()},
        "readme": readme,
        "notes": notes,
        "uncovered": uncovered,
    }


def stale_problems(*, data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> list:
    """Derived files that differ from a fresh build of the data folder, and the coverage problems.

    Returns a list of :class:`iraqtalks.data.problems.Problem`: one per derived file (CSV or clean text)
    whose bytes differ from what :func:`derive` computes now (after rows were edited, moved or
    deleted, evidence_locations and sentence_coverage point at the wrong rows), telling to run
    ``./kit build DIR``; then the sentence coverage problems. Raises what :func:`derive` raises.
    """
    derived = derive(data_dir=data_dir, seeds_dir=seeds_dir)
    data = derived["data_dir"]
    shown_dir = _problems._display(data)
    out = []
    for path, text in derived["outputs"].items():
        try:
            on_disk = path.read_bytes()
        except OSError:
            on_disk = None
        if on_disk != text.encode("utf-8"):
            found = "no such file" if on_disk is None else "a table that differs from a fresh build of this folder"
            out.append(_problems.Problem(
                _problems._display(path), found=found, found_is_value=False,
                expected="the file the build writes from the hand-made tables and the seeds",
                message=f"a derived file is out of date (rows of the hand-made tables were edited, added, moved "
                        f"or deleted since the last build, so its row numbers and offsets may point at the wrong "
                        f"rows); run `./kit build {shown_dir}` to regenerate it"))
    clean_folder = derived["clean_folder"]
    if clean_folder.is_dir():
        for extra in sorted(clean_folder.glob("*.txt")):
            if extra not in derived["outputs"]:
                out.append(_problems.Problem(_problems._display(extra), found="a clean text of no article in articles.csv",
                                          found_is_value=False, expected="no such file",
                                          message=f"run `./kit build {shown_dir}` to remove it"))
    return out + derived["coverage_problems"]


def main(*, data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> int:
    """Run :func:`build` and print a short summary. Returns 0, or 1 with the error message."""
    try:
        result = build(data_dir=data_dir, seeds_dir=seeds_dir)
    except SeedError as exc:
        print(str(exc), file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except (BuildError, CleaningError, _problems.DataError, OSError) as exc:
        print(f"Build stopped: {exc}", file=sys.stderr)
        if not getattr(exc, "written", False):
            print("Nothing was written.", file=sys.stderr)
        return 1
    print(f"Seeds verified: {result['articles']} files match the checksums in articles.csv.")
    print(f"Wrote to {result['data_dir']}:")
    print(f"  {CLEAN_DIR + '/*.txt':<24}{len(result['clean_files']):>5} files")
    for name in DERIVED:
        print(f"  {name + '.csv':<24}{result[name]:>5} rows")
    if result["readme"]:
        print("  README.md regenerated")
    for note in result["notes"]:
        print(f"Note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
