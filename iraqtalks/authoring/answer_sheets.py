"""One-page answer sheets for the teacher, generated from the solution notebooks.

    python -m iraqtalks answers DIR        # or: ./kit answers DIR

For every exercise set, DIR gets ``answers-NN-slug.md`` (Markdown) and ``answers-NN-slug.pdf`` (the same sheet
printed by headless Chromium; no LaTeX), plus ``answers.html``, all the sheets in one page to print from a
browser. Each question shows its prompt, the accepted answer as the checker accepts it (the solution's value;
for text questions the key points and the words that count for each; for reflections the checklist), why it
is right, and where the lesson explains it. These sheets hold the answers: keep them with the teacher's copy
of the kit, never in the student edition.
"""
from __future__ import annotations

import contextlib
import html
import re
import sys
from pathlib import Path

from ..data.paths import ROOT
from ..teaching import checker as ex
from . import exercise_format as exfmt

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

CSS = """
@page { size: A4; margin: 12mm 13mm; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 7.9pt; line-height: 1.25;
       color: #111; margin: 0; }
h1 { font-size: 12.5pt; margin: 0 0 2pt 0; }
p.sub { margin: 0 0 5pt 0; color: #444; }
section.q { border-top: 0.6pt solid #999; padding: 3pt 0 2pt 0; break-inside: avoid; }
h2 { font-size: 9pt; margin: 0 0 1pt 0; }
.prompt { margin: 0 0 2pt 0; }
.answer { margin: 0 0 1pt 0; }
.answer b, .why b, .where b { color: #000; }
.why, .where { margin: 0 0 1pt 0; color: #222; }
table { border-collapse: collapse; margin: 1pt 0 2pt 0; font-size: 7.2pt; }
th, td { border: 0.5pt solid #aaa; padding: 0.5pt 3pt; text-align: left; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 7.6pt; }
article.sheet { break-after: page; }
article.sheet:last-child { break-after: auto; }
"""


def _plain(md: str) -> str:
    """The prompt's question in one paragraph (the paragraph with the bold question, and the answer form)."""
    paras = [p.strip() for p in md.split("\n\n") if p.strip()]
    question = next((p for p in paras if "**" in p and not p.lstrip().startswith("- **")), paras[-1] if paras else "")
    form = next((p for p in paras if re.fullmatch(r"\*[^*].*\*", p)), "")
    text = question + (" " + form if form and form != question else "")
    return re.sub(r"[*`]", "", " ".join(text.split()))


def _title(md: str) -> str:
    m = re.search(r"^###\s+(.+)$", md, flags=re.M)
    return m.group(1).strip() if m else ""


def _frame_rows(value, spec: dict) -> tuple[list[str], list[list[str]]]:
    return ex.frame_table(value, None, spec.get("decimals"))


def accepted(q: exfmt.Question, value) -> dict:
    """What the checker accepts for question `q`, in plain words: {'text': str} or {'table': (cols, rows)}."""
    s = q.spec
    if q.kind == "number":
        out = ex.format_number(ex.as_number(value), s.get("decimals"))
        return {"text": f"{out} (as a number; text such as \"{out}\" is read the same way)"}
    if q.kind == "choice":
        letter = ex.canonical_choice(value, q.options)
        return {"text": f"{letter}. {q.options[letter]}"}
    if q.kind == "ids":
        shown = value.tolist() if hasattr(value, "tolist") else list(value) if not isinstance(value, str) else [value]
        unique = sorted({str(v).strip() for v in shown}, key=ex.fold)
        return {"text": "; ".join(unique) + " (in any order; capitals and spaces do not matter)"}
    if q.kind == "frame":
        return {"table": _frame_rows(value, s), "text": "rows in any order"}
    if q.kind == "text":
        points = "; ".join(f"{kp['label']}: any of " + ", ".join(f"\"{a}\"" for a in kp["any"])
                           for kp in s["keypoints"])
        return {"text": f"Key points (all needed): {points}. Model answer: \"{value.strip()}\""}
    if q.kind == "reflect":
        items = "; ".join(s["checklist"])
        return {"text": f"Not graded; the learner sees this checklist: {items}. Model answer: \"{value.strip()}\""}
    return {"text": str(value)}


def sheet_data(slug: str, root: Path | None = None) -> dict:
    """Everything one answer sheet shows, from the solution notebook of set `slug`."""
    nb = exfmt.read_notebook(exfmt.solution_path(slug, root))
    questions = exfmt.parse_set(slug, nb)
    values = exfmt.run_solution_code(slug, nb, questions, exfmt.solution_path(slug, root).parent)
    lesson_title = next((c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells
                         if c.cell_type == "markdown" and c.source.startswith("# ")), slug)
    items = []
    for q in questions:
        items.append({"qid": q.qid, "kind": q.kind, "title": _title(q.prompt), "prompt": _plain(q.prompt),
                      **accepted(q, values[q.qid]), "why": q.spec["why"], "pointer": q.spec["pointer"]})
    return {"slug": slug, "title": lesson_title, "questions": items}


def _md_table(cols: list[str], rows: list[list[str]]) -> str:
    esc = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(map(esc, cols)) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(map(esc, r)) + " |" for r in rows]
    return "\n".join(lines)


def to_markdown(data: dict) -> str:
    out = [f"# Answer sheet: {data['title']}", "",
           f"Exercise set `exercises/{data['slug']}.ipynb`. For the teacher: keep this sheet out of the student "
           "edition.", ""]
    for it in data["questions"]:
        out += [f"## {it['qid']} · {it['title']} ({it['kind']})", "", it["prompt"], ""]
        if "table" in it:
            cols, rows = it["table"]
            out += [f"**Accepted answer** ({it['text']}):", "", _md_table(cols, rows), ""]
        else:
            out += [f"**Accepted answer:** {it['text']}", ""]
        out += [f"**Why:** {it['why']}", "", f"**Where the lesson explains it:** {it['pointer']}", ""]
    return "\n".join(out).rstrip() + "\n"


def _html_sheet(data: dict) -> str:
    e = html.escape
    parts = [f"<article class='sheet'><h1>Answer sheet: {e(data['title'])}</h1>",
             f"<p class='sub'>Exercise set <code>exercises/{e(data['slug'])}.ipynb</code>. For the teacher: keep "
             "this sheet out of the student edition.</p>"]
    for it in data["questions"]:
        parts.append(f"<section class='q'><h2>{e(it['qid'])} · {e(it['title'])} ({e(it['kind'])})</h2>")
        parts.append(f"<p class='prompt'>{e(it['prompt'])}</p>")
        if "table" in it:
            cols, rows = it["table"]
            head = "".join(f"<th scope='col'>{e(c)}</th>" for c in cols)
            body = "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in r) + "</tr>" for r in rows)
            parts.append(f"<p class='answer'><b>Accepted answer</b> ({e(it['text'])}):</p>"
                         f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        else:
            parts.append(f"<p class='answer'><b>Accepted answer:</b> {e(it['text'])}</p>")
        parts.append(f"<p class='why'><b>Why:</b> {e(it['why'])}</p>")
        parts.append(f"<p class='where'><b>Where the lesson explains it:</b> {e(it['pointer'])}</p></section>")
    parts.append("</article>")
    return "".join(parts)


def to_html(sheets: list[dict]) -> str:
    body = "".join(_html_sheet(d) for d in sheets)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Answer sheets</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def pdf_pages(path: Path) -> int:
    """The number of pages of a PDF that Chromium printed (its page objects; no PDF library needed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


@contextlib.contextmanager
def offline_page(on_launch_error=None, executable: Path | None = None):
    """A page of headless Chromium (Playwright, Debian's /usr/bin/chromium) that fetches nothing: the printed
    pages are self-contained. `on_launch_error(exc)` may turn a Chromium that does not start into a clearer error;
    `executable` is another Chromium than Debian's."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=str(executable or CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            if on_launch_error is None:
                raise
            raise on_launch_error(exc) from None
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:"))
                       else route.continue_())
            yield page
        finally:
            browser.close()


def print_pdfs(pages: dict[Path, str]) -> None:
    """Print each HTML text to its PDF path, one A4 page each."""
    with offline_page() as page:
        for path, text in pages.items():
            page.set_content(text, wait_until="load")
            # One page: a sheet that runs over is printed a little smaller (down to 85 %).
            for scale in (1.0, 0.95, 0.9, 0.85):
                page.pdf(path=str(path), format="A4", print_background=True, prefer_css_page_size=True,
                         scale=scale)
                if pdf_pages(path) <= 1:
                    break


def write_answer_sheets(dest: str | Path, root: Path | None = None, pdf: bool = True) -> list[Path]:
    """Write the answer sheets into `dest`; returns the files written."""
    dest = Path(dest).expanduser().resolve()
    dest.mkdir(parents=True, exist_ok=True)
    sheets = [sheet_data(slug, root) for slug in exfmt.exercise_sets(root)]
    written: list[Path] = []
    pages: dict[Path, str] = {}
    for data in sheets:
        md = dest / f"answers-{data['slug']}.md"
        md.write_text(to_markdown(data), encoding="utf-8")
        written.append(md)
        pages[dest / f"answers-{data['slug']}.pdf"] = to_html([data])
    everything = dest / "answers.html"
    everything.write_text(to_html(sheets), encoding="utf-8")
    written.append(everything)
    if pdf:
        print_pdfs(pages)
        written += list(pages)
    return written


def main(dest: str | None) -> int:
    if not dest:
        print("answers: give a folder for the answer sheets, e.g. ./kit answers ../answer-sheets", file=sys.stderr)
        return 2
    if not exfmt.SOLUTIONS_DIR.is_dir():
        print("answers: this copy of the kit has no exercises/solutions/ (it is the student edition); "
              "make the answer sheets from the teacher's full kit", file=sys.stderr)
        return 1
    target = Path(dest).expanduser().resolve()
    if target == ROOT or ROOT in target.parents:
        print(f"answers: {target} is inside the kit; write the answer sheets outside it, so they are never "
              "published with the kit", file=sys.stderr)
        return 1
    pdf = CHROMIUM.is_file()
    try:
        files = write_answer_sheets(target, pdf=pdf)
    except exfmt.BuildError as exc:
        print(f"answers: {exc}", file=sys.stderr)
        return 1
    print(f"answers: wrote {len(files)} files to {target}")
    if not pdf:
        print(f"answers: {CHROMIUM} is missing, so no PDFs were printed; print answers.html from a browser, or "
              "install Debian's chromium and run this again")
    return 0
