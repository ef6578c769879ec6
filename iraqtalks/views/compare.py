"""The source comparison: two or more articles side by side (shared and unshared events, numbers that differ
for the same quantity, names written differently, framing), each item with the Vietnamese evidence and its
English translation.  A plain ipywidgets control that displays itself; ``.static()`` is the coverage heatmap.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import ipywidgets as W
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.numbers import number_verdict
from ..text.labels import date_text
from ..text.labels import escape_html as _e
from ..text.vietnamese import fold_case
from .heatmap import coverage_figure, coverage_tables
from .shared import STYLE, ShowsWidget, Tables, need_columns, text_frame

__all__ = ["SourceComparison", "source_comparison"]


def _quote_cells(vi: str, en: str) -> str:
    return (f'<td class="iraqtalks-vi" lang="vi">{_e(vi)}</td>'
            f'<td class="iraqtalks-en" lang="en">{_e(en)}</td>')


class SourceComparison(ShowsWidget):
    """Two or more articles side by side (see :func:`source_comparison`).

    After each update these DataFrames describe the comparison (the HTML shows the same):
    ``event_coverage`` (event_id, reported_by, status = all | some | one), ``numbers_differ``,
    ``numbers_agree`` (measure ids), ``names_differ``, ``framing`` (with a `same_words` flag).
    """

    def __init__(self, articles: Iterable[str] = ("a001", "a002"), data_dir=None, *,
                 tables: Mapping[str, pd.DataFrame] | None = None):
        t = Tables(data_dir, tables)
        self.coverage, self.events, self.reports, self.articles = coverage_tables(t)
        self.actor_names = t.actors()
        self._art = self.articles.set_index("article_id")
        self.numbers = self._prep_numbers(*t.raw("numbers"))
        self.names = text_frame(t.raw("actor_names")[0], "actor_names",
                                 ["actor_id", "article_id", "name_as_written", "name_type", "evidence", "evidence_en"],
                                 [], t.raw("actor_names")[1])
        self.terms = text_frame(t.raw("framing_terms")[0], "framing_terms",
                                 ["concept_id", "article_id", "term_vi", "term_en", "connotation_en", "evidence",
                                  "evidence_en"], [], t.raw("framing_terms")[1])
        chosen = list(articles)
        known = list(self.articles["article_id"])
        unknown = [a for a in chosen if a not in known]
        if unknown:
            raise ValueError(f"source_comparison: unknown article id(s) {unknown}; expected some of {', '.join(known)}")
        if len(set(chosen)) < 2:
            raise ValueError(f"source_comparison: choose at least two different articles, found {chosen!r}")

        self.picker = W.SelectMultiple(options=[(f"{a} · {lab}", a) for a, lab in
                                                zip(self.articles["article_id"], self.articles["label_en"])],
                                       value=tuple(dict.fromkeys(chosen)), rows=min(8, len(known)),
                                       description="Articles", layout=W.Layout(width="auto", min_width="40em"))
        self.status = W.Label(value="")
        self.output = W.HTML(value="", layout=W.Layout(max_height="40em", overflow="auto"))
        self.picker.add_class("iraqtalks-article-select")
        self.status.add_class("iraqtalks-compare-status")
        self.output.add_class("iraqtalks-compare")
        self.picker.observe(lambda change: self.update(), names="value")
        self.widget = W.VBox([self.picker, self.status, self.output])
        self.widget.add_class("iraqtalks-source-comparison")
        self.update()

    @staticmethod
    def _prep_numbers(df: pd.DataFrame, from_file: bool) -> pd.DataFrame:
        num = text_frame(df, "numbers", ["number_id", "article_id", "value_as_written", "qualifier", "measure_id",
                                          "counted_en", "evidence", "evidence_en"],
                          ["qualifier_as_written", "unit", "as_of"], from_file)
        need_columns(df, "numbers", ["value"], from_file)
        num["value"] = pd.to_numeric(df["value"].reset_index(drop=True).astype("string").replace("", pd.NA),
                                     errors="coerce").astype("Float64").to_numpy()
        return num

    @property
    def chosen(self) -> list[str]:
        return list(self.picker.value)

    def label(self, article_id: str) -> str:
        return f"{article_id} · {self._art.at[article_id, 'label_en']}"

    # ---- the comparisons ------------------------------------------------------------------
    def compare(self, chosen: list[str]) -> dict[str, pd.DataFrame]:
        m = self.coverage[chosen]
        m = m[m.any(axis=1)]
        n = m.sum(axis=1)
        cov = pd.DataFrame({
            "event_id": m.index,
            "reported_by": [tuple(a for a in chosen if m.at[e, a]) for e in m.index],
            "status": np.where(n == len(chosen), "all", np.where(n == 1, "one", "some")),
        })

        num = self.numbers[self.numbers["article_id"].isin(chosen)]
        differ, agree = [], []
        for measure, grp in num.groupby("measure_id", sort=True):
            if grp["article_id"].nunique() < 2:
                continue
            # the one verdict of the kit (iraqtalks.analysis.numbers), as compare_numbers gives it
            (agree if number_verdict(grp) == "same figure" else differ).append(measure)
        numbers_differ = num[num["measure_id"].isin(differ)].sort_values(["measure_id", "article_id", "number_id"])

        nm = self.names[self.names["article_id"].isin(chosen)]
        names_differ_ids = []
        for actor, grp in nm.groupby("actor_id", sort=True):
            spellings = {a: frozenset(g["name_as_written"].map(fold_case)) for a, g in grp.groupby("article_id")}
            if len(spellings) >= 2 and len(set(spellings.values())) > 1:
                names_differ_ids.append(actor)
        names_differ = nm[nm["actor_id"].isin(names_differ_ids)].sort_values(["actor_id", "article_id", "name_as_written"])

        ft = self.terms[self.terms["article_id"].isin(chosen)]
        shared = ft.groupby("concept_id")["article_id"].nunique()
        framing = ft[ft["concept_id"].isin(shared[shared >= 2].index)].copy()
        same = {concept: len({frozenset(g2["term_vi"].map(fold_case)) for _, g2 in g.groupby("article_id")}) == 1
                for concept, g in framing.groupby("concept_id")}
        framing["same_words"] = framing["concept_id"].map(same).astype(bool)
        framing = framing.sort_values(["concept_id", "article_id", "term_vi"])
        return {"event_coverage": cov, "numbers_differ": numbers_differ,
                "numbers_agree": pd.DataFrame({"measure_id": agree}), "names_differ": names_differ,
                "framing": framing}

    def _html(self, chosen: list[str], c: dict[str, pd.DataFrame]) -> str:
        ev = self.events.set_index("event_id")
        by_pair: dict[tuple[str, str], list[dict]] = {}
        for x in self.reports.sort_values(["own"], ascending=False, kind="stable").to_dict("records"):
            by_pair.setdefault((x["event_id"], x["article_id"]), []).append(x)
        # a heading of its own, one level under a lesson's sections (##), so that the h4 below follow in order
        out = [STYLE, '<div class="iraqtalks-compare-body">',
               '<h3 class="iraqtalks-compare-title" style="margin:0.2em 0">Source comparison</h3>',
               "<p>Comparing: " + "; ".join(f"<b>{_e(self.label(a))}</b>" for a in chosen) + "</p>"]

        def events_section(title: str, rows: pd.DataFrame, cls: str) -> None:
            out.append(f'<h4 class="{cls}">{_e(title)} ({len(rows)})</h4>')
            if rows.empty:
                out.append("<p><i>None.</i></p>")
                return
            out.append('<ul class="iraqtalks-compare-events">')
            for r in rows.itertuples(index=False):
                e = ev.loc[r.event_id]
                when = date_text(e["date_start"], e["date_end"], e["date_precision"])
                out.append(f'<li data-event-id="{_e(r.event_id)}"><b>{_e(when)}</b> — {_e(e["summary_en"])}'
                           f'<table class="iraqtalks-table"><tr><th>Article</th>'
                           f"<th>Date as written</th><th>Vietnamese (verbatim)</th>"
                           f"<th>English translation</th><th>Attributed to</th></tr>")
                for a, x in ((art, x) for art in r.reported_by for x in by_pair[(r.event_id, art)]):
                    out.append(f"<tr><td>{_e(self.label(a))}</td><td>{_e(x['date_as_written'] or '—')}</td>"
                               f"{_quote_cells(x['evidence'], x['evidence_en'])}"
                               f"<td>{_e(x['attributed_to'] or '—')}</td></tr>")
                out.append("</table></li>")
            out.append("</ul>")

        cov = c["event_coverage"]
        events_section(f"Events all {len(chosen)} report", cov[cov["status"] == "all"], "iraqtalks-shared")
        if len(chosen) > 2:
            events_section("Events some (but not all) report", cov[cov["status"] == "some"], "iraqtalks-some")
        events_section("Events only one reports", cov[cov["status"] == "one"], "iraqtalks-only-one")

        def td(text) -> str:
            return f"<td>{_e(text)}</td>"

        def grouped(frame: pd.DataFrame, key: str, h4: str, empty: str, headers: list[str], heading, cells) -> None:
            """One section: a heading with the count, then per `key` a caption and a table of its rows,
            each ending with the Vietnamese evidence and its English translation."""
            out.append(f'{h4} ({frame[key].nunique() if key in frame else 0})</h4>')
            if frame.empty:
                out.append(f"<p><i>{_e(empty)}</i></p>")
            head = "".join(f"<th>{h}</th>" for h in ["Article", *headers, "Vietnamese (verbatim)", "English translation"])
            for value, grp in frame.groupby(key, sort=True):
                out.append(f'{heading(value, grp)}<table class="iraqtalks-table"><tr>{head}</tr>')
                for r in grp.itertuples(index=False):
                    out.append(f"<tr>{td(self.label(r.article_id))}{''.join(cells(r))}"
                               f"{_quote_cells(r.evidence, r.evidence_en)}</tr>")
                out.append("</table>")

        grouped(c["numbers_differ"], "measure_id",
                '<h4 class="iraqtalks-numbers">Numbers that differ for the same quantity',
                "None: where these articles count the same thing, they give the same figure.",
                ["Figure as written", "Hedge"],
                lambda m, grp: (f'<p data-measure-id="{_e(m)}"><b>{_e(grp["counted_en"].iloc[0])}</b> '
                                f'<code>{_e(m)}</code></p>'),
                lambda r: [td(r.value_as_written),
                           td(r.qualifier + (f" ({r.qualifier_as_written})" if r.qualifier_as_written else ""))])
        agree = c["numbers_agree"]["measure_id"].tolist()
        if agree:
            out.append(f"<p>Same figure in each article that gives it: {_e(', '.join(agree))}.</p>")
        grouped(c["names_differ"], "actor_id",
                '<h4 class="iraqtalks-names">Names written differently for the same actor', "None.",
                ["Name as written", "Kind of name"],
                lambda a, grp: f'<p data-actor-id="{_e(a)}"><b>{_e(self.actor_names.get(a, a))}</b></p>',
                lambda r: [td(r.name_as_written), td(r.name_type)])
        grouped(c["framing"], "concept_id",
                '<h4 class="iraqtalks-framing">How each frames the same thing',
                "No concept is named by two of these articles.",
                ["Term", "Literally", "What it suggests"],
                lambda k, grp: (f'<p data-concept-id="{_e(k)}"><b>{_e(k.replace("_", " "))}</b> — '
                                f'{"same words" if grp["same_words"].iloc[0] else "different words"}</p>'),
                lambda r: [f"<td lang='vi'>{_e(r.term_vi)}</td>", td(r.term_en), td(r.connotation_en)])
        out.append("</div>")
        return "".join(out)

    def update(self) -> None:
        """Recompute the comparison for the articles chosen in the picker."""
        chosen = self.chosen
        if len(chosen) < 2:
            self.status.value = "Choose two or more articles to compare (hold Ctrl or Shift to pick several)."
            self.output.value = f'<p class="iraqtalks-empty"><b>{_e(self.status.value)}</b></p>'
            for name in ("event_coverage", "numbers_differ", "numbers_agree", "names_differ", "framing"):
                setattr(self, name, pd.DataFrame())
            return
        c = self.compare(chosen)
        for name, df in c.items():
            setattr(self, name, df)
        cov = c["event_coverage"]
        self.status.value = (f"{len(chosen)} articles: {int((cov['status'] == 'all').sum())} events shared by all, "
                             f"{int((cov['status'] == 'one').sum())} reported by only one")
        self.output.value = self._html(chosen, c)

    def static(self) -> Figure:
        """A coverage heatmap (matplotlib Figure) of the chosen articles."""
        chosen = self.chosen if len(self.chosen) >= 1 else list(self.coverage.columns)
        matrix = self.coverage[chosen]
        return coverage_figure(matrix[matrix.any(axis=1)], self.events, self.articles)

    def __repr__(self) -> str:
        return f"<SourceComparison of {', '.join(self.chosen)} (interactive: run the notebook to use it)>"


def source_comparison(articles: Iterable[str] = ("a001", "a002"), data_dir=None, *,
                      tables: Mapping[str, pd.DataFrame] | None = None) -> SourceComparison:
    """Compare two or more articles: shared and unshared events, differing numbers and names, framing.

    Every item carries the Vietnamese evidence and its English translation.  `tables` may hold
    DataFrames (events, event_reports, articles, actors, actor_names, numbers, framing_terms) that
    replace the files in `data_dir`.
    """
    return SourceComparison(articles, data_dir, tables=tables)
