"""The widgets in a real JupyterLab, driven through Debian's Chromium with Playwright.

A throw-away JupyterLab (temporary config, data, runtime, settings and workspace folders) serves a
temporary copy of the notebook; the test runs all cells, waits for the widgets to render, then uses
the page like a learner: picks an actor in the dropdown, moves the date slider with the keyboard,
switches to "as reported", and checks that the count and the picture change each time.
Screenshots go to test-artifacts/browser/.

Without /usr/bin/chromium the test is skipped, except under CI=true, where that is a failure.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

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

# The notebook to open: the timeline lesson.  It is copied to a temporary folder before it is opened,
# so the test never changes it.  Set to None to use a small generated notebook instead (import,
# timeline_explorer(), source_comparison()), which also checks that the comparison widget renders.
LESSON_NOTEBOOK: Path | None = ROOT / "notebooks" / "03-the-timeline.ipynb"

ARTIFACTS = ROOT / "test-artifacts" / "browser"
TIMEOUT_MS = 60_000


lab = load_helper("browser/lab.py", "iraqtalks_browser_lab")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def notebook_root(tmp_path: Path) -> tuple[Path, str]:
    """A folder for JupyterLab to serve, holding the notebook under test (and links to data/ and seeds/)."""
    root = tmp_path / "root"
    root.mkdir()
    for name in ("data", "seeds"):  # for lessons that read ../data or data/ relative to themselves
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    if LESSON_NOTEBOOK is None:
        nb = lab.generated_notebook(root / "notebooks" / "timeline.ipynb")
    else:
        nb = root / "notebooks" / LESSON_NOTEBOOK.name
        nb.parent.mkdir()
        shutil.copy2(LESSON_NOTEBOOK, nb)
    return root, nb.relative_to(root).as_posix()


@pytest.fixture
def lab_server(notebook_root, tmp_path: Path):
    need_chromium()
    root, _ = notebook_root
    server = lab.start_lab(root, tmp_path / "jupyter")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(lab_server):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1100})
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        yield pg
        context.close()


# JavaScript: the notebook panel of `path`, and whether its kernel is connected and idle.
PANEL_JS = """(path) => Array.from(window.jupyterapp.shell.widgets('main'))
                       .find(w => w.context && w.context.path === path)"""
IMG_SRC_JS = "() => { const i = document.querySelector('.iraqtalks-timeline img.iraqtalks-plot'); return i ? i.src : null; }"


def _shot(pg, name: str, show=None) -> Path:
    """A screenshot of the page, with `show` (a locator) scrolled into view first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    if show is not None:
        show.scroll_into_view_if_needed()
    pg.screenshot(path=str(path))
    return path


def _wait_change(pg, what: str, js: str, old, timeout: int = TIMEOUT_MS):
    """Wait until the value of `js` differs from `old`; fail saying `what` did not change."""
    try:
        pg.wait_for_function(f"(old) => {{ const v = ({js})(); return v !== null && v !== old; }}", arg=old,
                             timeout=timeout)
    except Exception as exc:  # playwright's TimeoutError; say what was expected
        _shot(pg, "failure.png")
        raise AssertionError(f"{what} did not change within {timeout / 1000:.0f} s (still {old!r})") from exc
    return pg.evaluate(js)


# textContent, not innerText: JupyterLab skips rendering cells outside the viewport, and innerText of
# an unrendered element is empty.
COUNT_JS = "() => { const c = document.querySelector('.iraqtalks-timeline .iraqtalks-count'); return c ? c.textContent.trim() : null; }"
NOTEBOOK_TEXT_JS = "() => document.querySelector('.jp-Notebook').textContent"


def test_timeline_explorer_works_in_jupyterlab(lab_server, notebook_root, page):
    from iraqtalks.views.timeline import ALL, timeline_explorer

    started = time.monotonic()
    _, nb_path = notebook_root
    nb_text = (lab_server.root / nb_path).read_text(encoding="utf-8")
    expect_comparison = "source_comparison(" in nb_text
    oracle = timeline_explorer(render=False)  # the same default view as the notebook's, computed here
    first_window = oracle.window_toggle.value  # the window the page's slider spans (the weeks of the talks)

    page.goto(lab_server.lab_url(nb_path))
    page.wait_for_function(KERNEL_READY_JS, arg=nb_path)
    page.evaluate(RUN_ALL_JS, nb_path)

    # --- the widgets render ---------------------------------------------------------------
    timeline = page.locator(".iraqtalks-timeline").first
    timeline.wait_for(state="attached")
    timeline.scroll_into_view_if_needed()
    timeline.locator(".iraqtalks-count").wait_for(state="visible")
    page.wait_for_function(IMG_SRC_JS.replace("return i ? i.src : null;", "return !!(i && i.src && i.naturalWidth > 100);"))
    for cls in ("iraqtalks-date-slider", "iraqtalks-actor-filter", "iraqtalks-type-filter", "iraqtalks-article-filter",
                "iraqtalks-mode-toggle", "iraqtalks-plot", "iraqtalks-details"):
        timeline.locator(f".{cls}").first.wait_for(state="visible")
    if expect_comparison:
        page.locator(".iraqtalks-source-comparison .iraqtalks-compare").first.wait_for(state="visible")
    page.wait_for_function(f"() => !({NOTEBOOK_TEXT_JS})().includes('Loading widget')")
    notebook_text = page.evaluate(NOTEBOOK_TEXT_JS)
    assert "Error displaying widget" not in notebook_text
    page.wait_for_function(f"() => {{ const t = ({COUNT_JS})(); return !!t && t.includes('events selected'); }}")
    count0 = page.evaluate(COUNT_JS)
    assert count0 == oracle.count.value, f"the page shows {count0!r}, the same explorer in Python {oracle.count.value!r}"
    assert "events selected" in count0
    if expect_comparison:
        assert "Comparing:" in page.locator(".iraqtalks-source-comparison").first.text_content()
    _shot(page, "01-rendered.png", timeline)
    plot_png0 = timeline.locator("img.iraqtalks-plot").screenshot()

    # --- pick an actor in the dropdown --------------------------------------------------------
    # An actor whose events are fewer than all and who also loses events when the window shrinks to its
    # last day (so that the slider step below changes the count too).
    last = oracle._days[-1]
    default = oracle.default_state()

    def count_for(actor, lo, hi):
        oracle.set_filters(actor=actor, dates=(lo, hi))
        return len(oracle.selected)

    n_default = count_for(ALL, default.date_lo, default.date_hi)
    actor = next((a for a in oracle.filter_options["actor"][1:]
                  if 0 < count_for(a, default.date_lo, default.date_hi) != n_default
                  and count_for(a, last, last) != count_for(a, default.date_lo, default.date_hi)), None)
    assert actor is not None, "no actor in the data narrows the selection; the test needs a different step"
    if oracle.window_toggle.value != first_window:  # a day outside the window widened the oracle's slider:
        oracle.window_toggle.value = first_window     # back to the page's window, so that positions match
    name = oracle.actor_name(actor)
    src0 = page.evaluate(IMG_SRC_JS)
    # ipywidgets writes the label with non-breaking spaces as the option text, and plainly as its value
    timeline.locator(".iraqtalks-actor-filter select").select_option(value=name)
    count1 = _wait_change(page, "the count after choosing an actor", COUNT_JS, count0)
    oracle.set_filters(actor=actor, dates=(default.date_lo, default.date_hi))
    assert count1 == oracle.count.value
    src1 = _wait_change(page, "the plot after choosing an actor", IMG_SRC_JS, src0)
    _shot(page, "02-actor-filter.png", timeline)

    # --- move the date slider with the keyboard -------------------------------------------------
    lower = timeline.locator(".iraqtalks-date-slider .noUi-handle-lower")
    lower.focus()
    lower.press("End")  # the lower handle runs up to the upper one: the window shrinks to one day
    count2 = _wait_change(page, "the count after moving the date slider", COUNT_JS, count1)
    lo_i = int(float(lower.get_attribute("aria-valuenow")))
    hi_i = int(float(timeline.locator(".iraqtalks-date-slider .noUi-handle-upper").get_attribute("aria-valuenow")))
    # the slider spans the start view's window: its positions are days of that window
    oracle.set_filters(actor=actor, dates=(oracle.slider_day(lo_i), oracle.slider_day(hi_i)))
    assert count2 == oracle.count.value, f"slider at {oracle.slider_day(lo_i)} – {oracle.slider_day(hi_i)}"
    assert oracle.slider_day(lo_i) > default.date_lo.date()
    src2 = _wait_change(page, "the plot after moving the date slider", IMG_SRC_JS, src1)
    label = timeline.locator(".iraqtalks-date-label").text_content()
    assert label.endswith(str(oracle.slider_day(hi_i).year)) and " – " in label
    _shot(page, "03-date-slider.png", timeline)

    # --- back to the full window, then 'as reported' -----------------------------------------------
    lower.press("Home")
    count3 = _wait_change(page, "the count after moving the slider back", COUNT_JS, count2)
    oracle.set_filters(actor=actor, dates=(oracle.slider_day(0), oracle.slider_day(hi_i)))
    assert count3 == oracle.count.value
    src3 = _wait_change(page, "the plot after moving the slider back", IMG_SRC_JS, src2)
    timeline.locator(".iraqtalks-mode-toggle button", has_text="As reported").click()
    _wait_change(page, "the plot after switching to 'as reported'", IMG_SRC_JS, src3)
    assert page.evaluate(COUNT_JS) == count3  # the mode changes the picture, not the selection
    plot_png4 = timeline.locator("img.iraqtalks-plot").screenshot()
    assert plot_png4 != plot_png0
    _shot(page, "04-as-reported.png", timeline)
    timeline.screenshot(path=str(ARTIFACTS / "05-timeline-widget.png"))

    # every cell of the notebook has run, without an error or a broken widget
    page.wait_for_function(ALL_CELLS_DONE_JS, arg=nb_path)
    notebook_text = page.evaluate(NOTEBOOK_TEXT_JS)
    assert "Error displaying widget" not in notebook_text
    errors = page.evaluate(ERRORS_JS, nb_path)
    assert errors == [], f"cells raised errors: {errors}"
    # Not a timing assertion, just a note in the test log for whoever watches the suite's speed.
    print(f"browser test body took {time.monotonic() - started:.1f} s")

