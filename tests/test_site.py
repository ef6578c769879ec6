"""The offline site (`./kit site DIR`): the lessons as pages, built and read with no network.

* The site is built from the student edition (a stand-in until `./kit release` lands: see `student_edition`)
  with every outgoing connection refused, so a build that reached for the network would fail.
* Every page loads only files of the site itself: no script, stylesheet, image or font from anywhere else.
* Lessons link to each other (previous / contents / next) as pages; the lesson map links every lesson.
* The committed outputs are on the pages: every figure, every evidence card with its inline styling, and the
  timeline's saved widget state with the vendored renderer that draws it.
* The vendored renderer is the one its manifest names, byte for byte.
* In Chromium (Debian's, through Playwright), with every request that is neither file:// nor the test's own
  server aborted and recorded: the timeline page, served over HTTP and opened from disk, draws the saved timeline
  widget (its heading, controls and picture), and the first lesson's evidence cards keep their styling; no request
  leaves the site.  Screenshots go to test-artifacts/site/.  Without /usr/bin/chromium the browser tests skip,
  except under CI=true, where that is a failure.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import shutil
import socket
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from browserkit import chromium, need_chromium

from iraqtalks.authoring import site
from iraqtalks.authoring.nav import lesson_files
from iraqtalks.authoring.release import write_student_edition
from iraqtalks.data.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "site"
TIMEOUT_MS = 60_000
LESSONS = [p.stem for p in lesson_files(ROOT / "notebooks")]


def student_edition(dest: Path) -> Path:
    """The student edition of the kit (what a teacher publishes), written into `dest`."""
    return write_student_edition(dest)


@pytest.fixture
def no_network(monkeypatch):
    """Refuse every connection that is not to this machine's loopback address; record the attempts."""
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")
                                      or self.family == getattr(socket, "AF_UNIX", None)):
            return real_connect(self, address)
        attempts.append(address)
        raise OSError(f"test: the network is blocked (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("test: no DNS")))
    return attempts


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return student_edition(tmp_path_factory.mktemp("student") / "kit")


@pytest.fixture(scope="module")
def built(edition, tmp_path_factory) -> site.SiteReport:
    """The site of the student edition, built once for this module with the network blocked."""
    mp = pytest.MonkeyPatch()
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(self, address):
        attempts.append(address)
        raise OSError("test: the network is blocked")

    mp.setattr(socket.socket, "connect", connect)
    try:
        report = site.write_site(tmp_path_factory.mktemp("site") / "out", source=edition)
    finally:
        mp.undo()
    assert socket.socket.connect is real_connect
    assert attempts == [], f"building the site tried to connect to {attempts}"
    return report


# --------------------------------------------------------------------------------------------------------
# What a page loads
# --------------------------------------------------------------------------------------------------------

class _Loads(HTMLParser):
    """Every URL a page loads by itself (scripts, stylesheets, images, frames, media, fonts), and its links."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
               ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src")}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.links: list[str] = []
        self.text_in: list[str] = []
        self._tag = None

    def handle_starttag(self, tag, attrs):
        kind = dict(attrs).get("type") or ""
        # Code the browser runs or styles it applies; not the JSON data blocks (saved widget state and views).
        self._tag = tag if tag == "style" or (tag == "script" and kind in ("", "text/javascript", "module")) else None
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in self.LOADING:
                self.loads.append(value)
            if tag == "a" and name == "href":
                self.links.append(value)
            if name == "srcset":
                self.loads += [part.split()[0] for part in value.split(",") if part.strip()]
            if name == "style":
                self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)

    def handle_endtag(self, tag):
        self._tag = None

    def handle_data(self, data):
        if self._tag in ("style", "script"):
            self.text_in.append(data)


def _parse(page: Path) -> _Loads:
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _is_local(url: str) -> bool:
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", url) or url.startswith(("data:", "blob:"))


def _resolves(page: Path, url: str, root: Path) -> bool:
    if url.startswith(("data:", "blob:", "#")):
        return True
    path = (page.parent / unquote(urlsplit(url).path)).resolve()
    return path.is_file() and path.is_relative_to(root.resolve())


@pytest.mark.slow
def test_every_lesson_and_exercise_has_a_page(built, edition):
    names = {p.relative_to(built.dest).as_posix() for p in built.pages}
    assert names == ({"index.html"} | {f"notebooks/{s}.html" for s in LESSONS}
                     | {f"exercises/{p.stem}.html" for p in sorted((edition / "exercises").glob("*.ipynb"))})
    assert (built.dest / site.MARKER).is_file()
    assert not (built.dest / "exercises" / "solutions").exists() and not (built.dest / "teachers").exists()


@pytest.mark.slow
def test_no_page_loads_anything_from_outside_the_site(built):
    for page in built.pages:
        parsed = _parse(page)
        for url in parsed.loads:
            assert _is_local(url), f"{page.name} loads {url} from outside the site"
            assert _resolves(page, url, built.dest), f"{page.name} loads {url}, which the site does not hold"
        inline = re.sub(r"/\*.*?\*/", "", "\n".join(parsed.text_in), flags=re.DOTALL)  # comments cite sources
        for url in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", inline):
            assert _is_local(url), f"{page.name} imports {url}"
        for url in re.findall(r"url\(\s*['\"]?(https?:[^'\")]+)", inline):
            pytest.fail(f"{page.name} has a stylesheet that fetches {url}")
        for url in re.findall(r"(?:src|href)\s*=\s*['\"](https?:[^'\"]+)", inline):
            pytest.fail(f"{page.name} has a script that points at {url}")
        assert not re.search(r"cdn|unpkg|https?://|['\"]//", inline, re.IGNORECASE), \
            f"{page.name}: a script or stylesheet names an address outside the site"


@pytest.mark.slow
def test_lessons_link_previous_contents_and_next(built):
    for i, stem in enumerate(LESSONS):
        page = built.dest / "notebooks" / f"{stem}.html"
        links = _parse(page).links
        assert not [h for h in links if h.endswith(".ipynb") and not h.startswith("http")], \
            f"{page.name} still links to notebooks: {[h for h in links if h.endswith('.ipynb')]}"
        assert f"{LESSONS[0]}.html" in links or i == 0, f"{page.name} has no link to the contents"
        if i > 0:
            assert f"{LESSONS[i - 1]}.html" in links, f"{page.name} has no link to the previous lesson"
        if i + 1 < len(LESSONS):
            assert f"{LESSONS[i + 1]}.html" in links, f"{page.name} has no link to the next lesson"
        for href in links:
            if _is_local(href) and not href.startswith("#"):
                assert _resolves(page, href, built.dest), f"{page.name} links to {href}, which is not in the site"
    index = _parse(built.dest / "index.html").links
    assert index[:len(LESSONS)] == [f"notebooks/{s}.html" for s in LESSONS]


@pytest.mark.slow
def test_pages_hold_the_committed_outputs(built, edition):
    for stem in LESSONS:
        nb = nbformat.read(edition / "notebooks" / f"{stem}.ipynb", as_version=4)
        text = (built.dest / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        for out in outputs:
            data = out.get("data", {})
            if "image/png" in data:
                assert data["image/png"].strip()[:200] in text, f"{stem}: a committed figure is missing"
        cards = sum("iraqtalks-citation" in o.get("data", {}).get("text/html", "") for o in outputs)
        kept = re.findall(r"""class=["']iraqtalks-citation["'] style=["']border-left:4px solid #0072B2""", text)
        assert cards > 0 or stem != "01-meet-the-sources"
        assert len(kept) >= cards, f"{stem}: {cards} evidence cards in the notebook, {len(kept)} styled on the page"


@pytest.mark.slow
def test_the_timeline_page_carries_its_widget_state_and_renderer(built):
    text = (built.dest / "notebooks" / "03-the-timeline.html").read_text(encoding="utf-8")
    assert '<script type="application/vnd.jupyter.widget-state+json">' in text
    assert '<script type="application/vnd.jupyter.widget-view+json">' in text
    assert f"widgetRendererSrc = '../{site.STATIC}/embed.js'" in text
    manifest = json.loads((built.dest / site.STATIC / site.MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((built.dest / site.STATIC / name).read_bytes()).hexdigest() == digest, name


# --------------------------------------------------------------------------------------------------------
# The vendored renderer, links, and bad input
# --------------------------------------------------------------------------------------------------------

def test_vendored_renderer_is_the_pinned_release():
    manifest = site.check_vendored()
    assert manifest["package"] == site.HTML_MANAGER_PACKAGE
    assert manifest["version"] == site.HTML_MANAGER_VERSION
    assert manifest["tarball_integrity"] == site.HTML_MANAGER_INTEGRITY
    assert set(manifest["files"]) >= {"embed.js", "embed.js.LICENSE.txt"}
    # The fonts its stylesheet names first are all there.
    embed = (site.HTML_MANAGER_DIR / "embed.js").read_text(encoding="utf-8")
    assert set(re.findall(r'"([0-9a-f]{20}\.woff2)"', embed)) <= set(manifest["files"])


def test_a_changed_vendored_file_is_named(tmp_path, monkeypatch):
    copy = tmp_path / "html-manager"
    shutil.copytree(site.HTML_MANAGER_DIR, copy)
    with open(copy / "embed.js", "ab") as fh:
        fh.write(b"\n// changed\n")
    with pytest.raises(site.SiteError, match=r"embed\.js: its sha256 differs"):
        site.check_vendored(copy)
    (copy / "embed.js").unlink()
    with pytest.raises(site.SiteError, match=r"embed\.js: missing"):
        site.check_vendored(copy)
    (copy / site.MANIFEST).write_text("{", encoding="utf-8")
    with pytest.raises(site.SiteError, match="MANIFEST.json: the vendored widget renderer's manifest"):
        site.check_vendored(copy)


@pytest.mark.parametrize("text, page, expected", [
    ("< [Meet](01-meet-the-sources.ipynb) | [Contents](00-start-here.ipynb) >", "notebooks/02-x.html",
     "< [Meet](01-meet-the-sources.html) | [Contents](00-start-here.html) >"),
    ("[Exercise](../exercises/01-meet-the-sources.ipynb)", "notebooks/01-meet-the-sources.html",
     "[Exercise](../exercises/01-meet-the-sources.html)"),
    ("[Part](01-meet-the-sources.ipynb#the-outlets)", "notebooks/02-x.html",
     "[Part](01-meet-the-sources.html#the-outlets)"),
    ('<a href="00-start-here.ipynb">home</a>', "notebooks/02-x.html", '<a href="00-start-here.html">home</a>'),
    # Not a page of the site: left alone.
    ("[Key](../exercises/solutions/01-meet-the-sources.ipynb)", "notebooks/01-meet-the-sources.html",
     "[Key](../exercises/solutions/01-meet-the-sources.ipynb)"),
    ("[Other](https://example.org/a.ipynb)", "notebooks/02-x.html", "[Other](https://example.org/a.ipynb)"),
    ("[Up](../../00-start-here.ipynb)", "notebooks/02-x.html", "[Up](../../00-start-here.ipynb)"),
])
def test_links_to_pages_are_rewritten(text, page, expected):
    pages = {"notebooks/00-start-here.html", "notebooks/01-meet-the-sources.html", "notebooks/02-x.html",
             "exercises/01-meet-the-sources.html"}
    assert site.rewrite_links(text, page, pages) == expected


def test_a_folder_that_is_not_a_site_is_left_alone(tmp_path, capsys):
    from iraqtalks.__main__ import main

    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["site", str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"{dest}: is not empty and was not written by `./kit site`" in err and "Traceback" not in err
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_site_without_a_folder_says_what_to_give(capsys):
    from iraqtalks.__main__ import main

    assert main(["site"]) == 2
    assert "give the folder to write the site into" in capsys.readouterr().err


def test_a_broken_notebook_is_named_and_nothing_is_written(edition, tmp_path):
    kit = tmp_path / "kit"
    shutil.copytree(edition / "notebooks", kit / "notebooks")
    (kit / "notebooks" / "04-whos-who.ipynb").write_text('{"cells": [', encoding="utf-8")
    dest = tmp_path / "out"
    with pytest.raises(site.SiteError, match=r"04-whos-who\.ipynb: not a readable notebook"):
        site.write_site(dest, source=kit)
    assert not dest.exists()


@pytest.mark.slow
def test_a_rebuild_replaces_an_earlier_site(edition, tmp_path, no_network):
    kit = tmp_path / "kit"
    shutil.copytree(edition / "notebooks", kit / "notebooks")
    for name in LESSONS[3:]:
        (kit / "notebooks" / f"{name}.ipynb").unlink()
    dest = tmp_path / "out"
    first = site.write_site(dest, source=kit)
    (dest / "notebooks" / "stale.html").write_text("old", encoding="utf-8")
    second = site.write_site(dest, source=kit)
    assert sorted(p.name for p in (dest / "notebooks").iterdir()) == [f"{s}.html" for s in LESSONS[:3]]
    assert [p.name for p in first.pages] == [p.name for p in second.pages]
    assert no_network == []


# --------------------------------------------------------------------------------------------------------
# In a browser, with every outside request refused
# --------------------------------------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built):
    """The site served on 127.0.0.1 (a free port), stopped after the module's tests."""
    handler = functools.partial(_Quiet, directory=str(built.dest))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_context(server):
    """A Chromium context in which every request that is neither file:// nor the test server is aborted."""
    need_chromium()
    outside: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 1000})

        def route(r):
            url = r.request.url
            if url.startswith(("file://", server, "data:", "blob:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        context.route("**/*", route)
        context.on("request", lambda req: None if req.url.startswith(("file://", server, "data:", "blob:"))
                   else outside.append(req.url))
        yield context, outside
        context.close()


def _open(context, url: str):
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    return page, errors


def _timeline_renders(page, shot: str) -> None:
    timeline = page.locator(".widget-vbox.iraqtalks-timeline")
    timeline.wait_for(state="visible")
    assert "Timeline explorer" in timeline.inner_text()
    assert re.search(r"\d+ of \d+ events selected", timeline.inner_text())
    assert timeline.locator("select").count() >= 2, "the saved dropdowns are not drawn"
    picture = timeline.locator("img").first
    picture.wait_for(state="visible")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 100", arg=picture.element_handle())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    timeline.screenshot(path=str(ARTIFACTS / shot))


@pytest.mark.browser
@pytest.mark.slow
def test_browser_timeline_page_draws_its_saved_widget_with_nothing_from_outside(built, server, browser_context):
    context, outside = browser_context
    page, errors = _open(context, server + "notebooks/03-the-timeline.html")
    _timeline_renders(page, "03-timeline-served.png")
    # The navigation works: the next lesson's page is one click away.
    page.locator("a[href='04-whos-who.html']").first.click()
    page.wait_for_url(server + "notebooks/04-whos-who.html")
    page.close()
    # Opened straight from disk, as a teacher would from a USB stick.
    page2, errors2 = _open(context, (built.dest / "notebooks" / "03-the-timeline.html").as_uri())
    _timeline_renders(page2, "03-timeline-file.png")
    page2.close()
    assert errors == [] and errors2 == [], errors + errors2
    assert outside == [], f"requests left the site: {outside}"


@pytest.mark.browser
@pytest.mark.slow
def test_browser_evidence_cards_keep_their_styling(built, server, browser_context):
    context, outside = browser_context
    page, errors = _open(context, server + "notebooks/01-meet-the-sources.html")
    card = page.locator(".iraqtalks-citation").first
    card.wait_for(state="visible")
    style = card.evaluate("(el) => { const s = getComputedStyle(el); "
                          "return [s.borderLeftWidth, s.borderLeftStyle, s.borderLeftColor]; }")
    assert style == ["4px", "solid", "rgb(0, 114, 178)"], style
    assert "Vietnamese (verbatim)" in card.inner_text() and "English" in card.inner_text()
    # The Vietnamese and English columns sit side by side, each readable (not squeezed to nothing).
    widths = card.locator("td[lang]").evaluate_all("(tds) => tds.slice(0, 2).map(td => td.getBoundingClientRect().width)")
    assert len(widths) == 2 and min(widths) > 150, widths
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "01-evidence-card.png"))
    page.close()
    assert errors == [], errors
    assert outside == [], f"requests left the site: {outside}"
