"""The cleaning rules of a data folder (``cleaning_rules.csv``, declared in datapackage.json) and the cleaner
with them: what :mod:`iraqtalks.text.clean` does, with the rules and headlines this folder gives.

    clean_text, log = clean_article("a001", raw)     # the kit's rules (or those of data_dir=)
"""
from __future__ import annotations

from pathlib import Path

from ..text import clean as _clean
from .descriptor import _package, _resource
from .paths import data_dir as _data_dir
from .problems import _display
from .seeds import manifest

__all__ = ["RULES_TABLE", "rules", "clean_article", "split_sentences", "headline"]

#: The table of cleaning rules in datapackage.json.
RULES_TABLE = "cleaning_rules"


def rules(*, data_dir: str | Path | None = None) -> _clean.RuleSet:
    """The cleaning rules of a data folder (its file is the path of the ``cleaning_rules`` resource).

    Raises CleaningError naming the file, row and column of a malformed rule, and naming the rule of an
    article that the seed manifest (articles.csv) does not have.
    """
    dd = _data_dir(data_dir)
    path = dd / _resource(_package(dd), RULES_TABLE)["path"]
    found = _clean.read_rules(path, _display(path))
    known = {row.get("article_id", "") for row in manifest(dd)}
    for (aid, rule), row in zip(found.rules, found.rows):
        if aid and aid not in known:
            raise _clean.CleaningError(
                f"{found.source} row {row}, column article_id: {aid!r} is not an article_id in articles.csv "
                f"(rule {rule.name!r}); expected one of {', '.join(sorted(known)) or '(none: articles.csv has no rows)'}"
                ", or an empty cell for a rule for every article")
    return found


def headline(article_id: str, *, data_dir: str | Path | None = None) -> tuple[str, str]:
    """The headline of an article in articles.csv, and where it is (for messages)."""
    dd = _data_dir(data_dir)
    path = dd / "articles.csv"
    for n, row in enumerate(manifest(dd), start=2):
        if row.get("article_id") == article_id:
            return row.get("headline", ""), f"{path} row {n}, column headline"
    raise _clean.CleaningError(f"{path}: no row with article_id {article_id!r}")


def clean_article(article_id: str, raw: str, *, data_dir: str | Path | None = None) -> tuple[str, list[dict]]:
    """Clean one raw seed with the rules of the data folder: ``(clean_text, log_rows)``
    (see :func:`iraqtalks.text.clean.clean_article`)."""
    return _clean.clean_article(article_id, raw, rules(data_dir=data_dir))


def split_sentences(clean_text: str, article_id: str, *, data_dir: str | Path | None = None) -> list[dict]:
    """The ``sentences`` rows of one clean text, with the headline of articles.csv and the subheadings of the
    rules file (see :func:`iraqtalks.text.clean.split_sentences`)."""
    title, where = headline(article_id, data_dir=data_dir)
    return _clean.split_sentences(clean_text, article_id, headline=title, where=where, rules=rules(data_dir=data_dir))
