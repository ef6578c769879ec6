"""Fonts that show every Vietnamese letter whole, in the kit's HTML and in JupyterLab's code font.

Letters with two marks (ố ổ ầ ề ẫ ễ ế) have no glyph of their own in DejaVu Sans Mono or Liberation Mono,
the monospace fonts a stock Linux browser picks: the browser then draws a base letter plus combining marks
and the second mark drifts right.  The kit therefore ships Noto Sans Mono (SIL Open Font License 1.1, from
npm ``@fontsource/noto-sans-mono`` 5.3.0; licence in ``iraqtalks/views/assets/fonts/OFL.txt``), only its Latin and
Vietnamese subsets at weight 400 (about 15 kB of WOFF2), under the family name ``Iraqtalks Mono``.

* :data:`MONO_STACK` and :data:`SANS_STACK` are the CSS font stacks the kit's own HTML uses.
* :func:`install_lab_settings` (run by ``./kit setup`` and ``./kit lab``) makes JupyterLab use the font for
  code, printed output and code spans: it writes JupyterLab's ``overrides.json`` (the theme's code font) in
  the virtualenv's ``share/jupyter/lab/settings/``, and a tiny prebuilt extension ``iraqtalks-lab`` in
  ``share/jupyter/labextensions/`` that adds the ``@font-face`` rules (the font inlined as ``data:`` URIs) to
  the page and runs ``labext/a11y.js`` (keyboard and screen-reader attributes on the kit's widgets).  (JupyterLab's ``custom.css`` is no way: it is read only from the user's ``~/.jupyter/custom``.)
"""
from __future__ import annotations

import base64
import json
import shutil
import sys
from pathlib import Path

FONT_DIR = Path(__file__).with_name("assets") / "fonts"
MONO_FAMILY = "Iraqtalks Mono"

# Every face: (file, CSS unicode-range), as @fontsource/noto-sans-mono 5.3.0 declares them.
FACES = (
    ("noto-sans-mono-latin-400-normal.woff2",
     "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,"
     "U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"),
    ("noto-sans-mono-vietnamese-400-normal.woff2",
     "U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,U+0300-0301,U+0303-0304,"
     "U+0308-0309,U+0323,U+0329,U+1EA0-1EF9,U+20AB"),
)

# The kit's font first; then fonts that hold every Vietnamese letter on the common systems (Menlo on macOS,
# Consolas on Windows, Noto Sans Mono where installed); DejaVu/Liberation last (letters with two marks break).
MONO_STACK = (f"'{MONO_FAMILY}', 'Noto Sans Mono', Menlo, Consolas, 'Cascadia Mono', 'DejaVu Sans Mono', "
              "'Liberation Mono', monospace")
# Sans: system fonts with full Vietnamese (system-ui, Segoe UI, Helvetica on macOS, Noto Sans, DejaVu Sans)
# before Arial, which Linux maps to Liberation Sans (no letters with two marks).
SANS_STACK = ("system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Helvetica, Arial, sans-serif")

# What JupyterLab's theme uses for code (editor, printed output, code spans in Markdown).
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:themes": {"overrides": {"code-font-family": MONO_STACK}}}


def font_face_css() -> str:
    """The @font-face rules for ``Iraqtalks Mono``, the font inlined as data: URIs (no file to serve)."""
    rules = []
    for name, ranges in FACES:
        data = base64.b64encode((FONT_DIR / name).read_bytes()).decode("ascii")
        rules.append(f"@font-face{{font-family:'{MONO_FAMILY}';font-style:normal;font-weight:400;font-display:swap;"
                     f"src:url(data:font/woff2;base64,{data}) format('woff2');unicode-range:{ranges}}}")
    return "\n".join(rules) + "\n"


def custom_css() -> str:
    return ("/* Written by the Iraq-US talks kit (iraqtalks/views/jupyterlab.py): Noto Sans Mono, SIL OFL 1.1, so that\n"
            "   Vietnamese letters with two marks show whole in code, printed output and code spans. */\n"
            + font_face_css()
            + f":root:root{{--jp-code-font-family:{MONO_STACK}}}\n"  # above the theme's :root
            # a focus ring on every control of the kit's widgets, dark blue (Okabe-Ito) on white
            + ".iraqtalks-timeline :focus-visible,.iraqtalks-source-comparison :focus-visible"
              "{outline:2px solid #0072B2 !important;outline-offset:1px}\n")


def _merge_json(path: Path, update: dict) -> None:
    current = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8") or "{}")
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}: is not valid JSON ({exc}); fix or remove it, then run again") from None
    for plugin, values in update.items():
        entry = current.setdefault(plugin, {})
        for key, value in values.items():
            if isinstance(value, dict):
                entry.setdefault(key, {}).update(value)
            else:
                entry[key] = value
    text = json.dumps(current, indent=2, ensure_ascii=False) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


EXTENSION = "iraqtalks-lab"
A11Y_JS = Path(__file__).with_name("assets") / "labext" / "a11y.js"


def _extension_js() -> str:
    """A prebuilt JupyterLab extension, written by hand: a module-federation container whose only effect is to
    add the kit's @font-face rules (and the code font) to the page, and to run labext/a11y.js (keyboard and
    screen-reader attributes on the kit's widgets) when JupyterLab loads it."""
    css = custom_css()
    return ("// Written by the Iraq-US talks kit (iraqtalks/views/jupyterlab.py). Noto Sans Mono: SIL Open Font License 1.1.\n"
            + A11Y_JS.read_text(encoding="utf-8") +
            "(function () {\n"
            "  var css = %s;\n"
            "  if (!document.getElementById('iraqtalks-fonts')) {\n"
            "    var s = document.createElement('style'); s.id = 'iraqtalks-fonts'; s.textContent = css;\n"
            "    document.head.appendChild(s);\n"
            "  }\n"
            "  var g = (window._JUPYTERLAB = window._JUPYTERLAB || {});\n"
            "  g[%s] = {\n"
            "    init: function () { return Promise.resolve(); },\n"
            "    get: function () { return Promise.resolve(function () { return {default: []}; }); }\n"
            "  };\n"
            "})();\n") % (json.dumps(css), json.dumps(EXTENSION))


def lab_paths(prefix: Path | str | None = None) -> dict[str, Path]:
    prefix = Path(prefix or sys.prefix)
    return {
        "overrides": prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
        "extension": prefix / "share" / "jupyter" / "labextensions" / EXTENSION,
    }


def install_lab_settings(prefix: Path | str | None = None) -> dict[str, Path]:
    """Make the JupyterLab of the environment at `prefix` (default: this one) use the kit's fonts.

    Idempotent; keeps any other settings already in overrides.json.  Returns the paths written.
    """
    import hashlib

    p = lab_paths(prefix)
    old = p["extension"].with_name("iraqtalks-fonts")  # this extension's first name
    if (old / "package.json").is_file():
        shutil.rmtree(old)
    _merge_json(p["overrides"], LAB_OVERRIDES)
    js = _extension_js()
    name = f"remoteEntry.{hashlib.sha256(js.encode()).hexdigest()[:16]}.js"
    static = p["extension"] / "static"
    static.mkdir(parents=True, exist_ok=True)
    for old in static.glob("remoteEntry.*.js"):
        if old.name != name:
            old.unlink()
    if not (static / name).is_file():
        (static / name).write_text(js, encoding="utf-8")
    package = {"name": EXTENSION, "version": "1.0.0", "private": True, "license": "OFL-1.1 (the font); MIT (the rest)",
               "description": "The Iraq-US talks kit in JupyterLab: Noto Sans Mono for Vietnamese; keyboard and "
                                  "screen-reader attributes on the kit's widgets",
               "jupyterlab": {"extension": True, "_build": {"load": f"static/{name}", "style": "./style"}}}
    text = json.dumps(package, indent=2) + "\n"
    if not (p["extension"] / "package.json").is_file() or (p["extension"] / "package.json").read_text() != text:
        (p["extension"] / "package.json").write_text(text, encoding="utf-8")
    shutil.copyfile(FONT_DIR / "OFL.txt", p["extension"] / "OFL.txt")
    return p


if __name__ == "__main__":  # python -m iraqtalks.views.jupyterlab [PREFIX]: what ./kit setup runs
    for what, path in install_lab_settings(sys.argv[1] if len(sys.argv) > 1 else None).items():
        print(f"{what}: {path}")
