"""Accessibility of the kit in a real JupyterLab (Chromium + Playwright): fonts, keyboard, axe-core.

One throw-away JupyterLab (tests/browser/lab.py) and ONE browser page serve the whole module: the kit's
JupyterLab settings (iraqtalks/views/jupyterlab.py, what `./kit setup` writes) are installed first, every
notebook below is opened in that page and run once, all at the same time, and each test then looks at
its notebook's tab (nothing waits a fixed time: every wait is for a condition on the page).

* surfaces.ipynb (written here): Vietnamese letters whole on every surface the kit controls (the code
  editor, printed output, code spans in Markdown, the kit's own HTML: widget <code> and evidence cards),
  measured with a canvas in the font the page computed: "tổ chức" and "tô chức" have the same advance
  width; the ink of ố, ổ, ầ ... reaches no further right than the letter's cell or the ink of the letter
  with one mark fewer; in monospace ố is as wide as o.  The same notebook holds timeline_explorer() and
  source_comparison() for the keyboard tests: Tab reaches every control with a focus ring, and every
  control changes by keyboard.
* lessons 00, 03, 06 and exercise set 01 (copied from the repository): axe-core 4.14.1 (vendored in
  tests/browser/vendor/) finds ZERO violations in every output area: the kit's widgets and evidence
  cards, the pandas tables and the charts the lessons show, and check()'s feedback.  JupyterLab's own
  violations (outside the output areas) are printed, not asserted.

Screenshots go to test-artifacts/browser/.  Without /usr/bin/chromium the tests are skipped, except
under CI=true, where that is a failure.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from browserkit import (
    ALL_CELLS_DONE_JS,
    ERRORS_JS,
    KERNEL_READY_JS,
    RUN_ALL_JS,
    chromium,
    load_helper,
    need_chromium,
)

from iraqtalks.data.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

lab = load_helper("browser/lab.py", "iraqtalks_browser_lab")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
TIMEOUT_MS = 90_000
TWO_MARKS = "ốổầềẫễếộờữỹđ"

SURFACES_NOTEBOOK = "surfaces.ipynb"
AXE = Path(__file__).parent / "browser" / "vendor" / "axe.min.js"
AXE_LESSONS = ("notebooks/00-start-here.ipynb", "notebooks/03-the-timeline.ipynb", "notebooks/06-comparing-sources.ipynb",
               "exercises/01-meet-the-sources.ipynb")


def _surfaces_notebook(path: Path) -> None:
    cells = [
        nbformat.v4.new_markdown_cell("Code spans: `tổ chức` and `tô chức`"),
        nbformat.v4.new_code_cell('print("tổ chức")\nprint("tô chức")\n# tổ chức ố ổ ầ ề ẫ ễ ế'),
        nbformat.v4.new_code_cell("from iraqtalks import cite, source_comparison, timeline_explorer\n"
                                  "cite('events', 'e2024-01-27-first-round')"),
        nbformat.v4.new_code_cell("timeline_explorer()"),
        nbformat.v4.new_code_cell('source_comparison(("a001", "a002"))'),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import shutil

    need_chromium()
    import iraqtalks.views.jupyterlab as fonts

    fonts.install_lab_settings()  # what ./kit setup does: this environment's JupyterLab gets the fonts
    root = tmp_path_factory.mktemp("a11y-root")
    for name in ("data", "seeds"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    for folder in ("notebooks", "exercises"):
        (root / folder).mkdir()
    _surfaces_notebook(root / "notebooks" / SURFACES_NOTEBOOK)
    for rel in AXE_LESSONS:
        shutil.copy2(ROOT / rel, root / rel)
    work = tmp_path_factory.mktemp("a11y-jupyter")
    # JupyterLab 4 renders only the cells in view: render them all, so every output can be measured and audited
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}', encoding="utf-8")
    srv = lab.start_lab(root, work)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as b:
        yield b


# ... and if JupyterLab asks which kernel to start (it may, for a notebook opened while others start),
# take the one it offers: the notebook's own, Python 3
KERNEL_READY_OR_PICK_JS = """(path) => {
  const dialog = document.querySelector('.jp-Dialog');
  if (dialog && dialog.textContent.includes('Select Kernel')) {
    const accept = dialog.querySelector('.jp-Dialog-button.jp-mod-accept');
    if (accept) accept.click();
  }
  return (""" + KERNEL_READY_JS + """)(path);
}"""
OPEN_JS = """(path) => { window.jupyterapp.commands.execute('docmanager:open', {path: path}); }"""
# Bring a notebook's tab to the front and give its panel's id (every locator of a test is scoped to it)
ACTIVATE_JS = """(path) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  return panel.id;
}"""
SHOWN_JS = """(id) => { const el = document.getElementById(id);
  return !!el && !el.classList.contains('lm-mod-hidden') && el.offsetParent !== null; }"""
NEXT_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
WIDGETS_LOADED_JS = """(id) => !document.getElementById(id).textContent.includes('Loading widget')"""

NOTEBOOKS = (f"notebooks/{SURFACES_NOTEBOOK}",) + AXE_LESSONS


class LabPage:
    """The one page: every notebook open in its own tab, every cell of each run."""

    def __init__(self, page):
        self.page = page

    def show(self, path: str) -> str:
        """Bring `path`'s tab to the front; returns a CSS selector for its panel."""
        panel_id = self.page.evaluate(ACTIVATE_JS, path)
        self.page.wait_for_function(SHOWN_JS, arg=panel_id)
        self.page.wait_for_function(WIDGETS_LOADED_JS, arg=panel_id)
        self.page.evaluate(NEXT_FRAMES_JS)  # labext/a11y.js runs on the next animation frame after a change
        return f'[id="{panel_id}"]'


@pytest.fixture(scope="module")
def lab_page(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(server.lab_url(NOTEBOOKS[0]))
        for i, path in enumerate(NOTEBOOKS):  # each starts running as soon as its kernel is there
            if i:
                page.evaluate(OPEN_JS, path)
            page.wait_for_function(KERNEL_READY_OR_PICK_JS, arg=path)
            page.evaluate(RUN_ALL_JS, path)
        for path in NOTEBOOKS:
            page.wait_for_function(ALL_CELLS_DONE_JS, arg=path)
            errors = page.evaluate(ERRORS_JS, path)
            assert errors == [], f"cells of {path} raised errors: {errors}"
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "a11y-failure.png"))
        context.close()
        raise
    try:
        yield LabPage(page)
    finally:
        context.close()


# For each surface: the element, the font the page computed for it, and canvas measurements in that font.
MEASURE_JS = """async ([selector, letters]) => {
  const el = document.querySelector(selector);
  if (!el) return {missing: selector};
  const cs = getComputedStyle(el);
  const font = `${cs.fontStyle} ${cs.fontWeight} 40px ${cs.fontFamily}`;
  await document.fonts.load(font, 'tổ chức ' + letters);
  const c = document.createElement('canvas').getContext('2d');
  c.font = font;
  const m = t => { const x = c.measureText(t); return {w: x.width, right: x.actualBoundingBoxRight}; };
  const out = {family: cs.fontFamily, with: m('tổ chức').w, without: m('tô chức').w, o: m('o').w, marks: {}};
  for (const ch of letters) {
    // the letter with one mark fewer (ố -> ô, ữ -> ư): its ink is what the last mark may not go beyond
    const parts = ch.normalize('NFD');
    out.marks[ch] = Object.assign(m(ch), {base: m(parts.slice(0, -1).normalize('NFC') || ch)});
  }
  return out;
}"""

SURFACES = {
    "code editor": (".jp-CodeCell .cm-content", True),
    "printed output": (".jp-OutputArea-output pre", True),
    "Markdown code span": (".jp-RenderedMarkdown code", True),
    "kit HTML <code> (comparison widget)": (".iraqtalks-source-comparison code", True),
    "kit evidence card": (".iraqtalks-citation td[lang='vi']", False),
}


def test_vietnamese_letters_sit_whole_on_every_surface(lab_page):
    page = lab_page.page
    scope = lab_page.show(f"notebooks/{SURFACES_NOTEBOOK}")
    page.locator(f"{scope} .iraqtalks-source-comparison code").first.wait_for(state="attached")
    problems = []
    for name, (selector, mono) in SURFACES.items():
        r = page.evaluate(MEASURE_JS, [f"{scope} {selector}", TWO_MARKS])
        assert "missing" not in r, f"{name}: nothing matches {selector}"
        if abs(r["with"] - r["without"]) > 0.01:
            problems.append(f"{name} ({r['family']}): 'tổ chức' is {r['with']:.1f} px wide, 'tô chức' "
                            f"{r['without']:.1f} px: a letter falls back to another font")
        for ch, mk in r["marks"].items():
            if mk["right"] > max(mk["w"], mk["base"]["right"]) + 0.1 * mk["w"]:
                problems.append(f"{name} ({r['family']}): the ink of {ch} reaches {mk['right']:.1f} px "
                                f"in a {mk['w']:.1f} px letter: a mark drifts right")
            if mono and abs(mk["w"] - r["o"]) > 0.01:
                problems.append(f"{name} ({r['family']}): {ch} is {mk['w']:.1f} px wide, o {r['o']:.1f} px")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"{scope} .jp-Notebook").screenshot(path=str(ARTIFACTS / "fonts.png"))
    assert problems == [], "\n".join(problems)
    # The code font JupyterLab uses is the kit's (from overrides.json and custom.css)
    family = page.evaluate("(s) => getComputedStyle(document.querySelector(s)).fontFamily",
                           f"{scope} .jp-CodeCell .cm-content")
    assert "Iraqtalks Mono" in family


def test_the_font_settings_are_complete(tmp_path):
    """install_lab_settings writes the code font and the font extension, keeps other settings, and is idempotent."""
    import json

    import iraqtalks.views.jupyterlab as fonts

    overrides = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(json.dumps({"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}))
    paths = fonts.install_lab_settings(tmp_path)
    data = json.loads(overrides.read_text())
    assert data["@jupyterlab/notebook-extension:tracker"] == {"windowingMode": "none"}
    assert data["@jupyterlab/apputils-extension:themes"]["overrides"]["code-font-family"].startswith("'Iraqtalks Mono'")
    package = json.loads((paths["extension"] / "package.json").read_text())
    entry = paths["extension"] / package["jupyterlab"]["_build"]["load"]
    js = entry.read_text()
    assert js.count("@font-face") == 2 and "data:font/woff2;base64," in js and "Iraqtalks Mono" in js
    assert (paths["extension"] / "OFL.txt").is_file()
    before = sorted((q.name, q.read_bytes()) for q in paths['extension'].rglob('*') if q.is_file())
    fonts.install_lab_settings(tmp_path)
    assert sorted((q.name, q.read_bytes()) for q in paths['extension'].rglob('*') if q.is_file()) == before


# ---------------------------------------------------------------------------------------------------------
# Keyboard: every control of both widgets is reached by Tab, changed by the keyboard, and shows a focus ring.

# What has focus: its kit class (the nearest ancestor's iraqtalks-* class) and a few facts about it.
ACTIVE_JS = """() => {
  const el = document.activeElement;
  if (!el) return null;
  let node = el, cls = null;
  while (node && !cls) { cls = Array.from(node.classList || []).find(c => c.startsWith('iraqtalks-')) || null; node = node.parentElement; }
  const cs = getComputedStyle(el);
  return {cls, tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40),
          ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1,
          pressed: el.getAttribute('aria-pressed'), valuetext: el.getAttribute('aria-valuetext'),
          role: el.getAttribute('role'), label: el.getAttribute('aria-label'), value: el.value === undefined ? null : String(el.value)};
}"""

CONTROLS = ["iraqtalks-lang-toggle", "iraqtalks-mode-toggle", "iraqtalks-lanes-toggle", "iraqtalks-date-slider",
            "iraqtalks-actor-filter", "iraqtalks-type-filter", "iraqtalks-article-filter", "iraqtalks-details",
            "iraqtalks-article-select", "iraqtalks-compare"]


@pytest.fixture()
def widget_page(lab_page):
    """The surfaces notebook's tab with its widgets drawn: (page, the panel's selector)."""
    page = lab_page.page
    scope = lab_page.show(f"notebooks/{SURFACES_NOTEBOOK}")
    try:
        page.locator(f"{scope} .iraqtalks-timeline img.iraqtalks-plot").first.wait_for(state="visible")
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "a11y-failure.png"))
        raise
    page.locator(f"{scope} .iraqtalks-source-comparison .iraqtalks-compare").first.wait_for(state="visible")
    page.wait_for_function("(s) => !!document.querySelector(s + ' .iraqtalks-details[tabindex=\"0\"]')", arg=scope)
    return page, scope


def _tab_through(page, scope: str, n: int = 40) -> list[dict]:
    page.locator(f"{scope} .iraqtalks-timeline .iraqtalks-lang-toggle button").first.focus()
    seen = [page.evaluate(ACTIVE_JS)]
    for _ in range(n):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(ACTIVE_JS))
    return seen


def test_tab_reaches_every_control_with_a_focus_ring(widget_page):
    seen = _tab_through(*widget_page)
    reached = {s["cls"] for s in seen if s}
    missing = [c for c in CONTROLS if c not in reached]
    assert missing == [], f"Tab never reaches {missing}; it went through {[s and s['cls'] for s in seen]}"
    no_ring = sorted({s["cls"] for s in seen[1:] if s and s["cls"] in CONTROLS and not s["ring"]})
    assert no_ring == [], f"no visible focus ring on {no_ring}"
    regions = [s for s in seen if s and s["cls"] in ("iraqtalks-details", "iraqtalks-compare")]
    assert all(s["role"] == "region" and s["label"] for s in regions)
    handles = [s for s in seen if s and s["cls"] == "iraqtalks-date-slider"]
    assert len(handles) >= 2 and all(s["label"] and s["valuetext"] and not s["valuetext"].isdigit() for s in handles)


def test_every_control_changes_by_keyboard(widget_page):
    page, scope = widget_page
    tl = page.locator(f"{scope} .iraqtalks-timeline").first
    count = lambda: tl.locator(".iraqtalks-count").text_content()  # noqa: E731
    img = lambda: tl.locator("img.iraqtalks-plot").get_attribute("src")  # noqa: E731

    # toggle buttons: Space and Enter press them; aria-pressed follows
    for cls, key in (("iraqtalks-mode-toggle", "Space"), ("iraqtalks-lanes-toggle", "Enter")):
        second = tl.locator(f".{cls} button").nth(1)
        assert second.get_attribute("aria-pressed") == "false"
        before = img()
        second.focus()
        second.press(key)
        page.wait_for_function("(el) => el.getAttribute('aria-pressed') === 'true'", arg=second.element_handle())
        page.wait_for_function("([el, old]) => el.src !== old", arg=[tl.locator("img.iraqtalks-plot").element_handle(), before])
        assert tl.locator(f".{cls} button").nth(0).get_attribute("aria-pressed") == "false"

    # dropdowns: ArrowDown picks the next option (JupyterLab's notebook shortcuts do not take the key)
    for cls in ("iraqtalks-actor-filter", "iraqtalks-type-filter", "iraqtalks-article-filter"):
        sel = tl.locator(f".{cls} select")
        before = sel.input_value()
        sel.focus()
        sel.press("ArrowDown")
        page.wait_for_function("([el, old]) => el.value !== old", arg=[sel.element_handle(), before])
        assert page.evaluate("() => document.activeElement.tagName") == "SELECT"  # still in the widget
        sel.press("ArrowUp")
        page.wait_for_function("([el, old]) => el.value === old", arg=[sel.element_handle(), before])

    # the date handles: arrows move a day at a time, and the handle says the date
    lower = tl.locator(".iraqtalks-date-slider .noUi-handle-lower")
    before_text = lower.get_attribute("aria-valuetext")
    lower.focus()
    lower.press("ArrowRight")
    page.wait_for_function("([el, old]) => el.getAttribute('aria-valuetext') !== old", arg=[lower.element_handle(), before_text])
    assert lower.get_attribute("aria-valuetext") != before_text
    assert tl.locator(".iraqtalks-date-label").text_content().startswith(lower.get_attribute("aria-valuetext"))

    # the language toggle: Enter switches the explorer to Vietnamese
    vi = tl.locator(".iraqtalks-lang-toggle button").nth(1)
    vi.focus()
    vi.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('sự kiện')", arg=tl.locator(".iraqtalks-count").element_handle())
    assert "sự kiện" in count()

    # the comparison's article list: arrows move the choice, Shift+arrows add to it
    cmp = page.locator(f"{scope} .iraqtalks-source-comparison").first
    picker = cmp.locator(".iraqtalks-article-select select")
    status0 = cmp.locator(".iraqtalks-compare-status").text_content()
    picker.focus()
    picker.press("ArrowDown")
    picker.press("Shift+ArrowDown")
    page.wait_for_function("([el, old]) => el.textContent !== old",
                           arg=[cmp.locator(".iraqtalks-compare-status").element_handle(), status0])
    chosen = page.evaluate("(el) => Array.from(el.selectedOptions).length", picker.element_handle())
    assert chosen == 2
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "keyboard.png"))


def test_the_explorer_picture_has_a_text_alternative(widget_page):
    page, scope = widget_page
    alt = page.locator(f"{scope} .iraqtalks-timeline img.iraqtalks-plot").first.get_attribute("alt")
    assert alt and alt.startswith(("Chart:", "Biểu đồ:")) and "events" in alt or "sự kiện" in alt


# ---------------------------------------------------------------------------------------------------------
# axe-core on the lessons that host the widgets and the cards: zero violations inside the kit's own HTML.

# The kit's own HTML (its widgets, evidence cards and feedback): must be on the audited pages.
KIT_HTML = (".iraqtalks-timeline", ".iraqtalks-source-comparison", ".iraqtalks-citation", ".iraqtalks-feedback")
AXE_RUN_JS = """async ([include, exclude]) => {
  const ctx = exclude ? {include: include, exclude: exclude} : {include: include};
  const r = await axe.run(ctx, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 120)),
                                 count: v.nodes.length}));
}"""
COUNT_JS = """(s) => ({outputs: document.querySelectorAll(s + ' .jp-OutputArea-output').length,
  tables: document.querySelectorAll(s + ' .jp-OutputArea-output table.dataframe').length,
  images: document.querySelectorAll(s + ' .jp-OutputArea-output img').length})"""


def _report(title: str, found: list[dict]) -> None:
    print(f"  {title}: {sum(v['count'] for v in found)} nodes in {len(found)} rules")
    for v in found:
        print(f"    {v['id']} ({v['impact']}, {v['count']}): {v['help']}; e.g. {v['nodes'][0]}")


@pytest.mark.parametrize("lesson", AXE_LESSONS)
def test_axe_finds_no_violation_in_any_output(lab_page, lesson):
    """Every output area: the kit's HTML, pandas tables, charts, feedback.  JupyterLab's own page: printed."""
    page = lab_page.page
    scope = lab_page.show(lesson)
    version = page.evaluate("() => axe.version")
    present = [s for s in KIT_HTML if page.locator(f"{scope} {s}").count()]
    assert present, f"{lesson}: none of the kit's HTML ({KIT_HTML}) is on the page"
    counts = page.evaluate(COUNT_JS, scope)
    assert counts["tables"] > 0, f"{lesson}: no pandas table audited ({counts})"
    outputs = page.evaluate(AXE_RUN_JS, [[[f"{scope} .jp-OutputArea-output"]], None])
    # outside the outputs: the whole of JupyterLab's page once, then only this notebook's panel
    lab_scope = "body" if lesson == AXE_LESSONS[0] else scope
    lab_own = page.evaluate(AXE_RUN_JS, [[[lab_scope]], [[".jp-OutputArea-output"]]])
    print(f"\naxe {version} on {lesson} ({counts['outputs']} output areas, {counts['tables']} pandas tables, "
          f"{counts['images']} images; kit HTML: {', '.join(present)}):")
    _report("output areas (asserted)", outputs)
    _report("outside the outputs: JupyterLab and the notebook's Markdown (not asserted)", lab_own)
    assert outputs == [], f"axe {version} finds in the outputs of {lesson}: " + "; ".join(
        f"{v['id']} x{v['count']}: {v['help']} ({v['nodes']})" for v in outputs)
