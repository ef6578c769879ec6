"""The data dictionary, data/README.md, generated from data/datapackage.json (never edited by hand).

    python -c "from iraqtalks.data import datadict; datadict.write()"

`python -m iraqtalks build` also rewrites it. A test checks that the committed file equals render().
"""
from __future__ import annotations

from pathlib import Path

from ..text.labels import NUMBER_WORDS_EN
from .descriptor import _as_list, ranges, read_package
from .paths import data_dir as _data_dir

__all__ = ["render", "write", "type_label"]


def _cell(text: object) -> str:
    """Text made safe for one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def type_label(field: dict) -> str:
    """How a field's type reads in the dictionary: `string (enum: a, b), **required**`, `date`, ..."""
    label = field.get("type", "string")
    cons = field.get("constraints") or {}
    extras = []
    if "enum" in cons:
        extras.append("enum: " + ", ".join(f"`{v}`" for v in cons["enum"]))
    if "pattern" in cons:
        extras.append(f"pattern: `{cons['pattern']}`")
    if cons.get("unique"):
        extras.append("unique")
    if extras:
        label += " (" + "; ".join(extras) + ")"
    if cons.get("required"):
        label += ", **required**"
    return _cell(label)


def field_description(field: dict) -> str:
    """A field's description, followed by what each of its values means where datapackage.json declares it
    (``x-enum-labels`` with a ``meaning``): 'Why the sentence backs no fact: page_furniture: ...; restated: ...'."""
    text = field.get("description", "")
    labels = field.get("x-enum-labels") or {}
    meanings = [f"{v}: {labels[str(v)]['meaning']}" for v in (field.get("constraints") or {}).get("enum", [])
                if "meaning" in labels.get(str(v), {})]
    return f"{text.rstrip('.')}: " + "; ".join(meanings) if meanings else text


def _keys(fields) -> str:
    return ", ".join(f"`{f}`" for f in _as_list(fields))


def _table_section(res: dict) -> list[str]:
    schema = res["schema"]
    out = [f"### {res['name']}", ""]
    if res.get("title"):
        out += [f"**{res['title']}.** {res.get('description', '')}".rstrip(), ""]
    elif res.get("description"):
        out += [res["description"], ""]
    out.append(f"- File: `{res['path']}`")
    if schema.get("primaryKey"):
        out.append(f"- Primary key: {_keys(schema['primaryKey'])} (no two rows share it)")
    fks = schema.get("foreignKeys") or []
    if fks:
        links = []
        for fk in fks:
            target = fk["reference"].get("resource") or res["name"]
            rfields = ", ".join(f"`{target}.{f}`" for f in _as_list(fk["reference"]["fields"]))
            links.append(f"{_keys(fk['fields'])} → {rfields}")
        out.append("- Foreign keys (an empty cell means no link): " + "; ".join(links))
    ev = res.get("x-evidence")
    if ev:
        quotes = _keys(ev.get("quote_fields"))
        line = (f"- Evidence: {quotes} is copied verbatim, on one line, from the raw seed of the article in "
                f"`{ev['article_field']}` (Ctrl-F finds it there)")
        within = _as_list(ev.get("within_evidence"))
        if within:
            line += f"; {_keys(within)} must occur inside it"
        out.append(line)
    seedq = res.get("x-seed-quote")
    if seedq:
        out.append(f"- Seed side: {_keys(seedq.get('quote_fields'))} is copied verbatim, on one line, from the clean "
                   f"text of the article in `{seedq['article_field']}` (`clean/<article_id>.txt`)")
    for start, end in ranges(res):
        out.append(f"- Range: `{end}` is never before `{start}`")
    limited = [f"`{f['name']}` ≤ {f['x-max-words']} words" for f in schema["fields"] if f.get("x-max-words")]
    if limited:
        out.append("- Length: " + ", ".join(limited))
    if res.get("x-outside"):
        out.append("- **Outside evidence** (not the pages' own words): found by lateral reading, kept beside the "
                   "page-only tables and never used to overwrite them")
    elif res.get("x-derived"):
        out.append("- Derived: built by `python -m iraqtalks build` from the seeds and the hand-made tables; "
                   "do not edit it by hand")
    else:
        out.append("- Hand-made: read from the articles by people")
    out += ["", "| variable | type | description |", "| --- | --- | --- |"]
    for f in schema["fields"]:
        out.append(f"| `{f['name']}` | {type_label(f)} | {_cell(field_description(f))} |")
    out.append("")
    return out


def _count_words(n: int) -> str:
    """5 -> 'five' (up to twenty), else the digits."""
    return NUMBER_WORDS_EN[n] if n < len(NUMBER_WORDS_EN) else str(n)


def coverage_lines(*, data_dir: str | Path | None = None) -> list[str]:
    """The '## Coverage' section: how many sentences back fact rows, and why the others back none
    (from sentence_coverage.csv, which the build writes; nothing if that file is missing)."""
    import csv

    path = _data_dir(data_dir) / "sentence_coverage.csv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return []
    arts = sorted({r["article_id"] for r in rows})
    total = len(rows)
    facts = sum(1 for r in rows if r["facts"] not in ("", "0"))
    reasons = sum(1 for r in rows if r["facts"] in ("", "0") and r["reason"])
    none = total - facts - reasons
    out = ["## Coverage", "",
           f"The hand-made tables are a sentence-by-sentence reading of the {_count_words(len(arts))} articles, and this "
           "is measured, "
           f"not assumed: of the {total} sentences of the clean texts, {facts} hold the evidence of at least one "
           f"fact row and {reasons} back no fact, each with a declared reason (`sentence_reasons`); "
           f"{none} have neither. `sentence_coverage` lists the rows of every sentence, and "
           "`python -m iraqtalks check-data` reports any sentence with neither.", "",
           "| article | sentences | with fact rows | with a reason | neither |", "| --- | --- | --- | --- | --- |"]
    for a in arts:
        mine = [r for r in rows if r["article_id"] == a]
        f = sum(1 for r in mine if r["facts"] not in ("", "0"))
        g = sum(1 for r in mine if r["facts"] in ("", "0") and r["reason"])
        out.append(f"| {a} | {len(mine)} | {f} | {g} | {len(mine) - f - g} |")
    out += [f"| all | {total} | {facts} | {reasons} | {none} |", ""]
    return out


def render(*, data_dir: str | Path | None = None) -> str:
    """The text of data/README.md, built from datapackage.json (and the coverage figures of sentence_coverage.csv)."""
    pkg = read_package(data_dir=data_dir)
    resources = pkg["resources"]
    out = [f"# {pkg.get('title', pkg.get('name', 'Data'))}", ""]
    if pkg.get("description"):
        out += [pkg["description"], ""]
    out += [
        "_This file is generated from `datapackage.json` by `python -m iraqtalks build` "
        "(`iraqtalks.data.datadict.write()`). Edit `datapackage.json`, not this file._",
        "",
        "## Licence",
        "",
    ]
    for lic in pkg.get("licenses") or []:
        name = lic.get("title") or lic.get("name", "")
        ref = f" — <{lic['path']}>" if lic.get("path") else ""
        out.append(f"- **{lic.get('name', '')}**: {name}{ref}")
    if pkg.get("x-licence-note"):
        out += ["", pkg["x-licence-note"]]
    out.append("")
    if pkg.get("sources"):
        out += ["## Sources", ""]
        for src in pkg["sources"]:
            where = f" (`{src['path']}`)" if src.get("path") else ""
            out.append(f"- {src.get('title', '')}{where}")
        out.append("")
    out += coverage_lines(data_dir=data_dir)
    for sec in pkg.get("x-sections") or []:
        out += [f"## {sec['title']}", ""]
        for para in _as_list(sec.get("text")):
            out += [para, ""]
    out += [
        "## How to load",
        "",
        "```python",
        "from iraqtalks import load, load_all",
        'events = load("events")      # one table as a typed pandas DataFrame',
        "tables = load_all()          # every table, by name",
        'mine = load("events", data_dir="path/to/my/data")   # a copy of this folder',
        "```",
        "",
        "Dates load as datetime64, integers as Int64, numbers as Float64, columns with a fixed list of "
        "values as Categorical (in the listed order); an empty cell is a missing value (`<NA>`).",
        "",
        "## How to check",
        "",
        "```",
        "python -m iraqtalks check-data                  # this folder",
        "python -m iraqtalks check-data path/to/my/data  # a copy",
        "```",
        "",
        "Every problem is listed with its file, spreadsheet row (the header is row 1), column, what was "
        "found and what was expected.",
        "",
        "## Conventions",
        "",
        "- Files are CSV, UTF-8 (no byte-order mark), Unicode NFC, LF line ends; an empty cell means missing. "
        "A spreadsheet's 'CSV UTF-8' save (with a byte-order mark and CRLF line ends) is read as the same data.",
        "- Dates are ISO `YYYY-MM-DD`. The verbatim columns (every `evidence`, and those described as "
        "verbatim or as written) keep the Vietnamese text exactly as printed: there `28/1` is 28 January, "
        "`8.2` is 8 February and `2.500` is 2500.",
        "- `evidence` is always in Vietnamese and `evidence_en` is the kit's English translation.",
        "",
        "## Tables",
        "",
        "| table | file | rows are |",
        "| --- | --- | --- |",
    ]
    for res in resources:
        out.append(f"| [{res['name']}](#{res['name']}) | `{res['path']}` | {_cell(res.get('title', ''))} |")
    out.append("")
    for res in resources:
        out += _table_section(res)
    return "\n".join(out).rstrip("\n") + "\n"


def write(*, data_dir: str | Path | None = None) -> Path:
    """Write render() to README.md in the data folder (LF line ends, UTF-8). Returns the path."""
    path = _data_dir(data_dir) / "README.md"
    path.write_bytes(render(data_dir=data_dir).encode("utf-8"))
    return path
