"""``python -m iraqtalks build``: verify the seeds, then regenerate every derived file.

The steps, in order (nothing is written unless every step succeeds):

1. Check every seed against the SHA-256 in data/articles.csv (:func:`iraqtalks.seeds.verify_seeds`).
   A changed seed stops the build with a message naming the file and both checksums.
2. Clean each seed (:func:`iraqtalks.clean.clean_article`) and split the clean text into
   sentences (:func:`iraqtalks.clean.split_sentences`).
3. Find every evidence quote of every hand-made table (resources with ``x-evidence`` in
   data/datapackage.json) in its raw seed: line, character offsets, number of occurrences.
4. Map every evidence quote to the sentences it lies in, and join the hand-made reasons of
   ``sentence_reasons.csv`` (:mod:`iraqtalks.coverage`): one ``sentence_coverage`` row per sentence.
5. Write ``data/clean/<article_id>.txt``, ``cleaning_log.csv``, ``sentences.csv``,
   ``evidence_locations.csv`` and ``sentence_coverage.csv`` (UTF-8, NFC, LF line ends; the same
   bytes on every run), then regenerate data/README.md with :func:`iraqtalks.datadict.write`
   when that module exists.

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
import sys
import unicodedata
from pathlib import Path

from . import schema
from .clean import CleaningError, clean_article, restore_obfuscation, split_sentences
from .paths import data_dir as _data_dir, seeds_dir_for
from .seeds import SeedError, manifest, read_raw, verify_seeds

__all__ = ["BuildError", "CLEAN_DIR", "build", "derive", "locate", "main", "stale_problems"]

#: Folder (inside the data folder) for the clean texts.
CLEAN_DIR = "clean"
#: Derived resources this module writes, by name in data/datapackage.json.
DERIVED = ("cleaning_log", "sentences", "evidence_locations", "sentence_coverage")
#: The hand-made table of reasons why a sentence backs no fact (read by the build for sentence_coverage).
REASONS = "sentence_reasons"


class BuildError(ValueError):
    """The hand-made tables do not fit the seeds (a quote not found, an unknown article...).

    ``written`` is True only when the derived files were already written (data/README.md failed).
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
    """Every evidence quote of the hand-made tables (via :func:`iraqtalks.schema.evidence_rows`),
    with the file and the column names that messages need."""
    specs = {}
    for res in package["resources"]:
        spec = res.get("x-evidence")
        if not spec:
            continue
        quote_fields = spec["quote_fields"]
        if res.get("x-derived") or len(quote_fields) != 1:
            raise BuildError(
                f"datapackage.json, resource {res['name']}: x-evidence is for hand-made tables with exactly one "
                f"quote field (evidence_locations has one row per table row); found x-derived "
                f"{res.get('x-derived')!r} and quote_fields {quote_fields}"
            )
        specs[res["name"]] = (data / res["path"], spec["article_field"], quote_fields[0])
    rows = []
    for ev in schema.evidence_rows(data):
        path, article_field, quote_field = specs[ev.table]
        rows.append({"table": ev.table, "row": ev.row, "path": path, "article_field": article_field,
                     "quote_field": quote_field, "article_id": ev.article_id, "quote": ev.quote})
    return rows


# --- Evidence ------------------------------------------------------------------------------------

def locate(raw: str, quote: str) -> tuple[int, int, int, int] | None:
    """Where ``quote`` first occurs in ``raw``: (line, char_start, char_end, occurrences).

    ``line`` is 1-based, offsets are 0-based characters, ``occurrences`` counts every start
    position (overlaps included). None when the quote does not occur.

    >>> locate("ab\\ncd cd", "cd")
    (2, 3, 5, 2)
    """
    if not quote:
        return None
    start = raw.find(quote)
    if start < 0:
        return None
    count, pos = 0, start
    while pos >= 0:
        count += 1
        pos = raw.find(quote, pos + 1)
    return raw.count("\n", 0, start) + 1, start, start + len(quote), count


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


def _write(path: Path, text: str) -> None:
    if not unicodedata.is_normalized("NFC", text):
        raise BuildError(f"{path}: the text to write is not Unicode NFC")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)


# --- The build -----------------------------------------------------------------------------------

def _row_keys(data: Path, package: dict) -> dict[tuple[str, int], str]:
    """(table, spreadsheet row) -> the row's primary key as shown in sentence_coverage ('q003', 'us, a000, Mỹ')."""
    keys = {}
    for res in package["resources"]:
        if not res.get("x-evidence"):
            continue
        pk = res["schema"].get("primaryKey")
        pk = [pk] if isinstance(pk, str) else list(pk or [])
        with open(data / res["path"], encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                keys[(res["name"], n)] = ", ".join(row.get(k) or "" for k in pk) if pk else f"row {n}"
    return keys


def derive(data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> dict:
    """Everything the build writes, computed in memory and written nowhere.

    Returns a dict: ``outputs`` ({path: text} for the clean texts and every derived CSV),
    ``tables`` ({name: rows}), ``articles`` (count), ``clean_folder``, ``coverage_problems``
    (sentences with neither facts nor a reason, and misused reasons; see :mod:`iraqtalks.coverage`).
    Raises what :func:`build` raises.
    """
    from . import coverage

    data = _data_dir(data_dir)
    seeds = Path(seeds_dir) if seeds_dir is not None else seeds_dir_for(data)
    verify_seeds(data, seeds)  # raises SeedError before anything is written

    package = schema.read_package(data)
    articles = manifest(data)
    raws, cleans, seed_files, logs = {}, {}, {}, {}
    log_rows, sentence_rows = [], []
    for art in articles:
        aid = art["article_id"]
        raw = read_raw(art["seed_file"], seeds)
        clean, log = clean_article(aid, raw)
        raws[aid], cleans[aid], seed_files[aid], logs[aid] = raw, clean, art["seed_file"], log
        log_rows.extend(log)
        sentence_rows.extend(split_sentences(clean, aid, data=data))

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
        with open(data / res["path"], encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if res["name"] == "actor_names":
                    names.setdefault(row.get("article_id", ""), set()).add(row.get("name_as_written", ""))
                else:
                    credits.update(v for v in (row.get("name"), row.get("name_vi")) if v)
    coverage_problems = coverage.problems(covered, sentence_rows, reasons, schema._display(reasons_file),
                                          names, credits)

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


def build(data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> dict:
    """Verify the seeds and regenerate the derived files in ``data_dir`` (default: the kit's data/).

    Raises :class:`~iraqtalks.seeds.SeedError` (a seed changed; nothing written),
    :class:`BuildError` or :class:`~iraqtalks.clean.CleaningError` (the tables or the cleaning
    rules do not fit the seeds; nothing written), :class:`~iraqtalks.schema.DataError` (a table
    or datapackage.json cannot be read; nothing written). Returns a summary dict: ``data_dir``,
    ``articles``, ``clean_files``, the row count of each derived table, ``readme`` (path or None),
    ``notes`` and ``uncovered`` (the number of sentences with neither facts nor a reason).
    """
    derived = derive(data_dir, seeds_dir)
    data, outputs, tables = derived["data_dir"], derived["outputs"], derived["tables"]

    notes = []
    clean_folder = derived["clean_folder"]
    if clean_folder.is_dir():
        for stale in sorted(clean_folder.glob("*.txt")):
            if stale not in outputs:
                stale.unlink()
                notes.append(f"removed {stale}: no article {stale.stem} in articles.csv")
    for path, text in outputs.items():
        _write(path, text)

    readme = None
    if importlib.util.find_spec("iraqtalks.datadict") is None:
        notes.append("data/README.md was not regenerated: iraqtalks/datadict.py is missing")
    else:
        from . import datadict

        try:
            readme = str(datadict.write(data))
        except schema.DataError as exc:
            raise BuildError(f"the derived files were written, but data/README.md could not be "
                             f"regenerated: {exc}", written=True) from exc

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


def stale_problems(data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> list:
    """Derived files that differ from a fresh build of the data folder, and the coverage problems.

    Returns a list of :class:`iraqtalks.schema.Problem`: one per derived file (CSV or clean text)
    whose bytes differ from what :func:`derive` computes now (after rows were edited, moved or
    deleted, evidence_locations and sentence_coverage point at the wrong rows), telling to run
    ``./kit build DIR``; then the sentence coverage problems. Raises what :func:`derive` raises.
    """
    derived = derive(data_dir, seeds_dir)
    data = derived["data_dir"]
    shown_dir = schema._display(data)
    out = []
    for path, text in derived["outputs"].items():
        try:
            on_disk = path.read_bytes()
        except OSError:
            on_disk = None
        if on_disk != text.encode("utf-8"):
            found = "no such file" if on_disk is None else "a table that differs from a fresh build of this folder"
            out.append(schema.Problem(
                schema._display(path), found=found, found_is_value=False,
                expected="the file the build writes from the hand-made tables and the seeds",
                message=f"a derived file is out of date (rows of the hand-made tables were edited, added, moved "
                        f"or deleted since the last build, so its row numbers and offsets may point at the wrong "
                        f"rows); run `./kit build {shown_dir}` to regenerate it"))
    clean_folder = derived["clean_folder"]
    if clean_folder.is_dir():
        for extra in sorted(clean_folder.glob("*.txt")):
            if extra not in derived["outputs"]:
                out.append(schema.Problem(schema._display(extra), found="a clean text of no article in articles.csv",
                                          found_is_value=False, expected="no such file",
                                          message=f"run `./kit build {shown_dir}` to remove it"))
    return out + derived["coverage_problems"]


def main(data_dir: str | Path | None = None, seeds_dir: str | Path | None = None) -> int:
    """Run :func:`build` and print a short summary. Returns 0, or 1 with the error message."""
    try:
        result = build(data_dir, seeds_dir)
    except SeedError as exc:
        print(str(exc), file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except (BuildError, CleaningError, schema.DataError) as exc:
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
