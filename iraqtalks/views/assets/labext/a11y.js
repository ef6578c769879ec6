// Keyboard and screen-reader help for the Iraq-US talks kit's widgets in JupyterLab (iraqtalks/views/jupyterlab.py
// bundles this file into the kit's tiny JupyterLab extension).  It only adds attributes to the kit's own
// widgets, found by their CSS classes (iraqtalks-timeline, iraqtalks-source-comparison):
//  - data-lm-suppress-shortcuts: keys typed in a kit widget go to the control (ArrowDown changes a menu)
//    instead of JupyterLab's notebook shortcuts (ArrowDown would move to the next cell);
//  - aria-pressed on toggle buttons; aria-valuetext (the date, not the day's index) on the date handles;
//  - scroll boxes reachable by Tab (tabindex=0, role=region and a name);
//  - alt text on the explorer's picture: the description the kit writes under it (.iraqtalks-plot-alt).
(function () {
  var ROOTS = '.iraqtalks-timeline, .iraqtalks-source-comparison';
  var SCROLLERS = {'iraqtalks-details': 'Events in the window, with their evidence',
                   'iraqtalks-compare': 'What the chosen articles say, side by side'};
  function set(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function enhance() {
    document.querySelectorAll(ROOTS).forEach(function (root) {
      set(root, 'data-lm-suppress-shortcuts', 'true');
      root.querySelectorAll('.widget-toggle-buttons button').forEach(function (b) {
        set(b, 'aria-pressed', b.classList.contains('mod-active') ? 'true' : 'false');
      });
      root.querySelectorAll('.iraqtalks-date-slider').forEach(function (s) {
        var box = s.parentElement, label = box && box.querySelector('.iraqtalks-date-label');
        var text = label ? label.textContent.split(' – ') : [];
        var lower = s.querySelector('.noUi-handle-lower'), upper = s.querySelector('.noUi-handle-upper');
        if (lower && text.length === 2) { set(lower, 'aria-valuetext', text[0]); set(lower, 'aria-label', 'First day'); }
        if (upper && text.length === 2) { set(upper, 'aria-valuetext', text[1]); set(upper, 'aria-label', 'Last day'); }
      });
      Object.keys(SCROLLERS).forEach(function (cls) {
        root.querySelectorAll('.' + cls).forEach(function (el) {
          set(el, 'tabindex', '0'); set(el, 'role', 'region'); set(el, 'aria-label', SCROLLERS[cls]);
        });
      });
      var alt = root.querySelector('.iraqtalks-plot-alt');
      root.querySelectorAll('img.iraqtalks-plot').forEach(function (img) {
        if (alt && alt.textContent.trim()) set(img, 'alt', alt.textContent.trim());
      });
    });
  }
  var queued = false;
  function later() { if (!queued) { queued = true; requestAnimationFrame(function () { queued = false; enhance(); }); } }
  // JupyterLab's notebook takes ArrowUp/ArrowDown (move to the next cell) before a menu sees them, whatever
  // data-lm-suppress-shortcuts says; a menu of the kit keeps them (its own change event still fires).
  var MENU_KEYS = {ArrowUp: 1, ArrowDown: 1, PageUp: 1, PageDown: 1, Home: 1, End: 1};
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if (MENU_KEYS[e.key] && !e.altKey && t && t.tagName === 'SELECT' && t.closest && t.closest(ROOTS)) {
      e.stopPropagation();
    }
  }, true);
  function start() {
    new MutationObserver(later).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                        attributeFilter: ['class'], characterData: true});
    enhance();
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
