"""The package layout (issue 13): layers import downwards only, modules stay small, notebooks use the surface."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import iraqtalks
from iraqtalks.data.paths import ROOT

PACKAGE = ROOT / "iraqtalks"

# The learner layers, lowest first: a module may import from its own layer and the layers before it, never after.
LAYERS = ("text", "data", "analysis", "views", "teaching")
# Tools on top: they may import every layer, and no learner layer imports them.
TOOLS = ("io", "authoring")

# Modules allowed over MAX_LINES (none since views/widgets.py was split; keep it empty).
TOO_LONG_FOR_NOW: set[str] = set()
MAX_LINES = 600

# Imports allowed against the rules (none since the views' and cleaning helpers became public; keep it empty).
KNOWN_EXCEPTIONS: set[tuple[str, str, str]] = set()


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imports(path: Path):
    """(module imported, name or None) for every import statement of a file, at any depth, made absolute."""
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                yield mod, a.name


def layer_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "iraqtalks" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS + TOOLS else None


def target_of(mod: str, name: str | None) -> str:
    """`from iraqtalks.data import loader` names the module iraqtalks.data.loader."""
    if name and (PACKAGE.parent / (mod.replace(".", "/") + f"/{name}.py")).exists():
        return f"{mod}.{name}"
    return mod


def test_the_layers_import_downwards_only():
    wrong = []
    for path in modules():
        shown = str(path.relative_to(ROOT))
        here = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if here is None:
            continue
        for mod, name in imports(path):
            there = layer_of(target_of(mod, name))
            if there is None or there == here or (shown, mod, name) in KNOWN_EXCEPTIONS:
                continue
            if here in TOOLS:
                continue  # io and authoring may use every layer
            if there in TOOLS or LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{shown} ({here}) imports {mod}{'.' + name if name else ''} ({there})")
    assert not wrong, "imports against the layer order " + " <- ".join(LAYERS) + ":\n" + "\n".join(wrong)


def test_no_private_name_crosses_a_layer():
    wrong = []
    for path in modules():
        shown = str(path.relative_to(ROOT))
        here = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for mod, name in imports(path):
            there = layer_of(mod)
            if name and name.startswith("_") and not name.startswith("__") and there and there != here \
                    and (shown, mod, name) not in KNOWN_EXCEPTIONS:
                wrong.append(f"{shown} imports the private {mod}.{name}")
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_a_wrong_import(tmp_path):
    """The layer test would catch data importing the views (the check is not vacuous)."""
    bad = PACKAGE / "data" / "_layout_probe.py"
    bad.write_text("from ..views.timeline import timeline_explorer\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="data/_layout_probe.py"):
            test_the_layers_import_downwards_only()
    finally:
        bad.unlink()


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= TOO_LONG_FOR_NOW, {k: v for k, v in long.items() if k not in TOO_LONG_FOR_NOW}


def notebook_code(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_import_only_the_surface(path):
    wrong = []
    for code in notebook_code(path):
        lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.startswith("iraqtalks") for a in node.names):
                wrong.append(ast.unparse(node))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("iraqtalks"):
                if node.module != "iraqtalks" or any(a.name not in iraqtalks._SURFACE for a in node.names):
                    wrong.append(ast.unparse(node))
    assert not wrong, f"{path.name}: import from the learner surface (iraqtalks._SURFACE): {wrong}"


def test_every_surface_name_resolves():
    for name, (module, attribute) in iraqtalks._SURFACE.items():
        assert getattr(iraqtalks, name) is not None, (name, module, attribute)


def test_import_iraqtalks_is_light():
    """`import iraqtalks` pulls in no pandas, matplotlib or ipywidgets (checked in a fresh interpreter)."""
    code = ("import sys, iraqtalks; heavy = [m for m in ('pandas', 'numpy', 'matplotlib', 'ipywidgets') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "", f"import iraqtalks imported: {out.stdout.strip()}"
    # and the probe sees a heavy import when there is one
    out = subprocess.run([sys.executable, "-c", code.replace("import sys, iraqtalks;", "import sys, iraqtalks; iraqtalks.load;")],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert "pandas" in out.stdout


ROOMS_WITHOUT_PRIVATE_IMPORTS = ("teaching", "authoring")


def private_uses(path: Path) -> list[str]:
    """Private names (``_x``) a module takes from another module of the package: imported by name, or read as
    ``module._x`` from a module it imported."""
    shown = str(path.relative_to(ROOT))
    here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases, found = {}, []
    for mod, name in imports(path):
        if not mod.startswith("iraqtalks") or name is None:
            continue
        target = target_of(mod, name)
        if target != mod:  # `from iraqtalks.x import module as alias`
            continue
        if name.startswith("_") and not name.startswith("__") and mod != here \
                and (shown, mod, name) not in KNOWN_EXCEPTIONS:
            found.append(f"{shown} imports the private {mod}.{name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if (PACKAGE.parent / ((node.module or "").replace(".", "/") + f"/{a.name}.py")).exists() or node.level:
                    aliases[a.asname or a.name] = a.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            found.append(f"{shown} reads the private {node.value.id}.{node.attr}")
    return found


def test_no_private_name_crosses_a_module_in_teaching_and_authoring():
    wrong = [w for room in ROOMS_WITHOUT_PRIVATE_IMPORTS for p in sorted((PACKAGE / room).glob("*.py"))
             for w in private_uses(p)]
    assert not wrong, "\n".join(wrong)


def test_the_private_name_check_sees_one(tmp_path):
    bad = PACKAGE / "authoring" / "_layout_probe.py"
    bad.write_text("from ..teaching import checker as ex\nfrom ..teaching.checker import _next_hint\n"
                   "x = ex._wrong\n", encoding="utf-8")
    try:
        found = private_uses(bad)
    finally:
        bad.unlink()
    assert any("_next_hint" in w for w in found) and any("ex._wrong" in w for w in found), found
