"""An offline site: the lessons as static HTML pages, with their committed outputs (``./kit site DIR``).

A teacher projecting a lesson, or a learner reading on a phone, needs the lessons without a kernel.
:func:`write_site` turns every lesson ``notebooks/NN-slug.ipynb`` and every student exercise notebook
``exercises/NN-slug.ipynb`` into a page, with nbconvert's HTML exporter (installed with JupyterLab, works with no
network, and keeps the outputs exactly as committed: tables, figures, the kit's evidence cards with their
inline styling, and the saved widget views)::

    DIR/index.html                       the lesson map, linking to every page
    DIR/notebooks/NN-slug.html           one page per lesson
    DIR/exercises/NN-slug.html           one page per student exercise notebook (the lessons link to them)
    DIR/assets/html-manager/             the widget renderer, served by the site itself

Links between notebooks (the previous / contents / next cells that ``./kit nav`` writes) are rewritten from
``.ipynb`` to ``.html``.  Nothing on a page is fetched from outside the site: nbconvert's references to
require.js, MathJax and Mermaid on a CDN are left out (no lesson uses them), and the saved widget state is drawn
by ``@jupyter-widgets/html-manager``'s ``embed.js``, vendored in ``iraqtalks/authoring/site_assets/html-manager/`` by
:func:`vendor_html_manager` (``python -m iraqtalks site --vendor``: ``npm pack`` of a pinned version, checked
against the registry's sha512 integrity; the committed files are checked against ``MANIFEST.json`` before each
build).  The pages work opened straight from disk (``file://``) or served by any static web server.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..data.paths import ROOT
from ..data.seeds import sha256_of

__all__ = [
    "SiteError",
    "SiteReport",
    "ASSETS_DIR",
    "HTML_MANAGER_DIR",
    "HTML_MANAGER_PACKAGE",
    "HTML_MANAGER_VERSION",
    "HTML_MANAGER_INTEGRITY",
    "MARKER",
    "check_vendored",
    "rewrite_links",
    "write_site",
    "vendor_html_manager",
    "main",
]

ASSETS_DIR = Path(__file__).resolve().with_name("site_assets")
TEMPLATE_BASE = ASSETS_DIR / "templates"  # holds the nbconvert template "kitsite"
TEMPLATE_NAME = "kitsite"
HTML_MANAGER_DIR = ASSETS_DIR / "html-manager"
HTML_MANAGER_PACKAGE = "@jupyter-widgets/html-manager"
# The html-manager release that draws ipywidgets 8 widget state (ipywidgets asks for ^1.0.1), and the sha512
# integrity the npm registry publishes for its tarball (`npm view @jupyter-widgets/html-manager@1.0.15 dist.integrity`).
HTML_MANAGER_VERSION = "1.0.15"
HTML_MANAGER_INTEGRITY = ("sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==")
# What the site needs from the tarball: the standalone embedder (standard widgets, no require.js), its licence
# notices, and the icon fonts its CSS names first (browsers that read woff2 fetch nothing else).
_VENDORED = re.compile(r"^package/dist/(embed\.js|embed\.js\.LICENSE\.txt|[0-9a-f]{20}\.woff2)$")
MANIFEST = "MANIFEST.json"
STATIC = "assets/html-manager"  # not _static: GitHub Pages (Jekyll) leaves out folders whose names start with _
MARKER = ".kit-site"  # written into every site folder, so a rebuild may replace it and nothing else
_MARKER_TEXT = "This folder was written by `./kit site` (the Iraq–US talks teaching kit); a rebuild replaces it.\n"


class SiteError(RuntimeError):
    """The site could not be built: the message names the file and says what was expected."""


@dataclass
class SiteReport:
    dest: Path
    pages: list[Path] = field(default_factory=list)
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------------- vendoring

def check_vendored(folder: Path = HTML_MANAGER_DIR) -> dict:
    """The vendored widget renderer's manifest, after checking every file against its sha256.

    Raises SiteError naming the file that is missing or changed, and how to restore it.
    """
    manifest_path = folder / MANIFEST
    fix = ("restore it from git (`git checkout -- iraqtalks/authoring/site_assets`) or re-vendor it with "
           "`python -m iraqtalks site --vendor` (needs npm and the network)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SiteError(f"{manifest_path}: the vendored widget renderer's manifest is missing or unreadable "
                        f"({exc}); {fix}") from None
    if "embed.js" not in files:
        raise SiteError(f"{manifest_path}: lists no embed.js; {fix}")
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise SiteError(f"{path}: missing (the manifest lists it); {fix}")
        if sha256_of(path) != digest:
            raise SiteError(f"{path}: its sha256 differs from the one in {MANIFEST} ({digest}); {fix}")
    return manifest


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def vendor_html_manager(dest: Path = HTML_MANAGER_DIR, npm: str = "npm") -> dict:
    """Fetch the pinned html-manager with `npm pack`, check its integrity, and write the files the site needs.

    A maintainer's step (it needs npm and the network); its output is committed, so building the site never
    needs either.  Running it again writes the same bytes.
    """
    spec = f"{HTML_MANAGER_PACKAGE}@{HTML_MANAGER_VERSION}"
    exe = shutil.which(npm)
    if exe is None:
        raise SiteError(f"`{npm}` was not found on PATH: vendoring {spec} needs npm (e.g. `apt-get install npm`)")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([exe, "pack", spec, "--json", "--pack-destination", tmp],
                             capture_output=True, text=True, cwd=tmp)
        if out.returncode != 0:
            raise SiteError(f"`npm pack {spec}` failed:\n{out.stderr.strip()}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise SiteError(f"`npm pack {spec}` wrote {len(tarballs)} tarballs in {tmp}, expected one")
        tgz = tarballs[0]
        got = _integrity(tgz)
        if got != HTML_MANAGER_INTEGRITY:
            raise SiteError(f"{tgz.name}: integrity {got} is not the pinned {HTML_MANAGER_INTEGRITY}")
        files: dict[str, str] = {}
        staged = Path(tmp) / "staged"
        staged.mkdir()
        with tarfile.open(tgz, "r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and _VENDORED.match(member.name):
                    name = member.name.rsplit("/", 1)[1]
                    data = tar.extractfile(member).read()
                    (staged / name).write_bytes(data)
                    files[name] = hashlib.sha256(data).hexdigest()
        if "embed.js" not in files:
            raise SiteError(f"{tgz.name}: holds no package/dist/embed.js")
        manifest = {
            "package": HTML_MANAGER_PACKAGE,
            "version": HTML_MANAGER_VERSION,
            "license": "BSD-3-Clause (the bundled libraries' notices are in embed.js.LICENSE.txt)",
            "tarball_integrity": HTML_MANAGER_INTEGRITY,
            "made_by": "python -m iraqtalks site --vendor (iraqtalks/authoring/site.py, vendor_html_manager)",
            "files": dict(sorted(files.items())),
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staged, dest)
    return manifest


# ------------------------------------------------------------------------------------------------ the pages

_MD_LINK = re.compile(r"(\]\()(<?)([^)\s>#]+)\.ipynb([#][^)\s>]*)?(>?)(\s+\"[^\"]*\")?\)")
_HREF = re.compile(r"(href=[\"'])([^\"'#:]+)\.ipynb([#][^\"']*)?([\"'])")


def rewrite_links(text: str, page: str, pages: set[str]) -> str:
    """`text` (markdown) with every relative link to a notebook that becomes a page pointing at that page.

    `page` is the site path of the page being written (``notebooks/03-the-timeline.html``); `pages` holds the
    site paths of all pages.  Links to anything else are left as they are.
    """
    base = page.rsplit("/", 1)[0] + "/" if "/" in page else ""

    def target_exists(rel: str) -> bool:
        parts: list[str] = []
        for part in (base + rel + ".html").split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    return False
                parts.pop()
            else:
                parts.append(part)
        return "/".join(parts) in pages

    def md(m: re.Match) -> str:
        if not target_exists(m.group(3)):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{m.group(3)}.html{m.group(4) or ''}{m.group(5)}{m.group(6) or ''})"

    def href(m: re.Match) -> str:
        if not target_exists(m.group(2)):
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}.html{m.group(3) or ''}{m.group(4)}"

    return _HREF.sub(href, _MD_LINK.sub(md, text))


def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_BASE)],
        template_name=TEMPLATE_NAME,
        theme="light",
        # The site's own copy of the widget renderer, relative to a page one folder down (notebooks/, exercises/).
        widget_renderer_url=f"../{STATIC}/embed.js",
        # The kitsite template leaves out the blocks that would load these; blank them too, so nothing points out.
        require_js_url="",
        mathjax_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
    )


def _read(path: Path):
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise SiteError(f"{path}: not a readable notebook ({type(exc).__name__}: {exc}); "
                        "expected the .ipynb JSON that JupyterLab saves") from None


def _sources(source: Path) -> list[tuple[Path, str]]:
    """(notebook, site path of its page) for every lesson and every student exercise notebook."""
    from .nav import lesson_files

    lessons = lesson_files(source / "notebooks")
    if not lessons:
        raise SiteError(f"{source / 'notebooks'}: holds no lesson notebooks (NN-slug.ipynb); "
                        "expected the kit's notebooks/ folder")
    out = [(p, f"notebooks/{p.stem}.html") for p in lessons]
    exercises = source / "exercises"
    if exercises.is_dir():
        out += [(p, f"exercises/{p.stem}.html") for p in sorted(exercises.glob("*.ipynb"))]
    return out


def _prepare_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise SiteError(f"{dest}: is a file; expected a folder for the site (new, empty, or an earlier site)")
    if dest.is_dir() and any(dest.iterdir()):
        if not (dest / MARKER).is_file():
            raise SiteError(f"{dest}: is not empty and was not written by `./kit site` (no {MARKER} in it); "
                            "choose a new or empty folder, so that nothing in it is lost")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _index_page(lessons: list, exercises: list[str]) -> str:
    rows = []
    for lesson in lessons:
        objectives = "".join(f"<li>{html.escape(o)}</li>" for o in lesson.objectives)
        time_ = f" <span class='time'>({html.escape(lesson.time)})</span>" if lesson.time else ""
        rows.append(f"<li><a href='notebooks/{html.escape(lesson.path.stem)}.html'>{html.escape(lesson.number)}. "
                    f"{html.escape(lesson.title)}</a>{time_}" + (f"<ul>{objectives}</ul>" if objectives else "")
                    + "</li>")
    ex = "".join(f"<li><a href='exercises/{html.escape(s)}.html'>{html.escape(s)}</a></li>" for s in exercises)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>The Iraq–US talks teaching kit: lessons</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 48em; margin: 1em auto;
       padding: 0 1em; line-height: 1.5; color: #1a1a1a; }}
a {{ color: #0b5cad; }} .time {{ color: #555; font-size: 90%; }} li {{ margin: 0.3em 0; }}
</style>
</head>
<body>
<h1>The Iraq–US talks teaching kit</h1>
<p>The lessons as pages, with the outputs saved in the notebooks: read or project them without Jupyter.
To run the code, open the notebooks in JupyterLab (<code>./kit lab</code>).</p>
<h2>Lessons</h2>
<ol class="lessons">{''.join(rows)}</ol>
<h2>Exercises (student notebooks)</h2>
<ul class="exercises">{ex}</ul>
</body>
</html>
"""


def write_site(dest: str | Path, source: str | Path | None = None) -> SiteReport:
    """Write the offline site into `dest` (new, empty, or an earlier site) from the kit folder `source`."""
    from .nav import read_lesson

    started = time.monotonic()
    source = Path(source) if source is not None else ROOT
    dest = Path(dest).expanduser().resolve()
    manifest = check_vendored()
    todo = _sources(source)
    pages = {site_path for _, site_path in todo}
    notebooks = [(path, site_path, _read(path)) for path, site_path in todo]  # read all before writing anything
    lessons = [read_lesson(path, nb) for path, site_path, nb in notebooks if site_path.startswith("notebooks/")]

    _prepare_dest(dest)
    static = dest / STATIC
    static.mkdir(parents=True)
    for name in [*manifest["files"], MANIFEST]:
        shutil.copy2(HTML_MANAGER_DIR / name, static / name)

    exporter = _exporter()
    report = SiteReport(dest=dest)
    for path, site_path, nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = rewrite_links(cell.source, site_path, pages)
        nb.metadata["title"] = next((les.title for les in lessons if les.path == path), path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        out = dest / site_path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        report.pages.append(out)
    exercise_stems = [site_path.split("/", 1)[1][:-5] for _, site_path, _ in notebooks
                      if site_path.startswith("exercises/")]
    index = dest / "index.html"
    index.write_text(_index_page(lessons, exercise_stems), encoding="utf-8")
    report.pages.insert(0, index)
    report.seconds = time.monotonic() - started
    return report


def main(dest: str | None, vendor: bool = False) -> int:
    try:
        if vendor:
            manifest = vendor_html_manager()
            print(f"vendored {manifest['package']}@{manifest['version']} into "
                  f"{HTML_MANAGER_DIR.relative_to(ROOT) if HTML_MANAGER_DIR.is_relative_to(ROOT) else HTML_MANAGER_DIR}: "
                  + ", ".join(manifest["files"]))
            if dest is None:
                return 0
        if dest is None:
            print("site: give the folder to write the site into, e.g. `./kit site site/`", file=sys.stderr)
            return 2
        report = write_site(dest)
    except (SiteError, ValueError) as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(report.pages)} pages into {report.dest} in {report.seconds:.1f} s; "
          f"open {report.dest / 'index.html'}")
    return 0
