"""The kit installs as a real package, from one lock, on every current Python, and its entry point works.

* `pyproject.toml` declares the dependencies; `uv.lock` pins them all; `requirements*.txt` are generated from the lock.
* The lock holds a wheel for every compiled package on Python 3.10-3.14 for Linux, macOS and Windows, so no
  classroom machine falls back to a source build.
* A wheel built from the kit, installed on its own into a fresh environment, finds the kit's data when it is told
  where it is (or runs inside a copy of the kit) and otherwise says in one sentence how to point it there.
* `kit.py` (the logic behind `./kit` and `py kit.py` on Windows) runs JupyterLab as root with the flag it needs.

Nothing here uses the network: the wheel is built in-process and installed with `uv pip install --offline --no-deps`.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import canonicalize_name, parse_wheel_filename

from iraqtalks.data.paths import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _load_kit():
    spec = importlib.util.spec_from_file_location("kit_entry", ROOT / "kit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kit = _load_kit()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


def _uv() -> str:
    """The uv that `./kit test` installs with the test tools (or one on PATH)."""
    here = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    found = str(here) if here.exists() else shutil.which("uv")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true and uv is missing: it is one of the test tools in pyproject.toml", pytrace=False)
    pytest.skip("uv is not installed here (./kit test installs it with the test tools)")


# --------------------------------------------------------------------------------------------------------
# One place for dependencies, one lock, generated requirements
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["requirements.txt", "requirements-test.txt"])
def test_requirements_files_are_generated_from_the_lock(name):
    uv = _uv()
    extra = [] if name == "requirements.txt" else ["--only-extra-test"]
    fresh = kit.export_requirements(uv, extra)
    committed = (ROOT / name).read_text(encoding="utf-8")
    assert committed == fresh, f"{name} is out of date with uv.lock: run ./kit lock"


def test_the_lock_matches_pyproject():
    """`uv lock --check` fails when pyproject.toml asks for something the lock does not hold."""
    out = subprocess.run([_uv(), "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_every_package_in_requirements_txt_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line == "-e .":
            continue
        req = Requirement(line)
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", line


def test_directly_imported_packages_are_declared():
    declared = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    for name in ("pandas", "numpy", "matplotlib", "ipywidgets", "pillow", "cycler", "nbformat", "ipython"):
        assert name in declared, f"{name} is imported by iraqtalks but not declared in pyproject.toml"


def test_test_tools_are_not_in_the_learners_environment():
    learner = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for tool in ("pytest==", "nbval==", "playwright==", "hypothesis==", "frictionless=="):
        assert f"\n{tool}" not in learner, tool
        assert f"\n{tool}" in (ROOT / "requirements-test.txt").read_text(encoding="utf-8"), tool


# --------------------------------------------------------------------------------------------------------
# Wheels for every Python a classroom may have
# --------------------------------------------------------------------------------------------------------

PLATFORMS = {
    "linux": ({"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
               "os_name": "posix"}, [f"manylinux_2_{m}_x86_64" for m in range(28, 4, -1)]
              + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]),
    "macos": ({"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64",
               "os_name": "posix"}, list(mac_platforms((14, 0), "arm64"))),
    "windows": ({"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
                 "os_name": "nt"}, ["win_amd64"]),
}
PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]


def _environment(python: str, platform: str) -> dict[str, str]:
    env, _ = PLATFORMS[platform]
    return {"python_version": python, "python_full_version": python + ".0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": "test", **env}


def _supported_tags(python: str, platform: str) -> set[Tag]:
    major, minor = (int(x) for x in python.split("."))
    _, plats = PLATFORMS[platform]
    tags = set(cpython_tags((major, minor), platforms=plats))
    tags |= set(compatible_tags((major, minor), interpreter=f"cp{major}{minor}", platforms=plats))
    return tags


def _locked_packages() -> dict[tuple[str, str], dict]:
    return {(canonicalize_name(p["name"]), p["version"]): p for p in LOCK["package"]}


def _installed_set(python: str, platform: str) -> list[tuple[str, str]]:
    """(name, version) of every package the lock installs, test tools included, for that Python and platform."""
    env = _environment(python, platform)
    out = []
    for text in ((ROOT / "requirements.txt").read_text(encoding="utf-8"),
                 (ROOT / "requirements-test.txt").read_text(encoding="utf-8")):
        for line in text.splitlines():
            if not line.strip() or line.startswith("#") or line == "-e .":
                continue
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                out.append((canonicalize_name(req.name), str(next(iter(req.specifier)).version)))
    return out


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_has_a_wheel_for_every_package(python, platform):
    locked = _locked_packages()
    tags = _supported_tags(python, platform)
    needs_build = []
    for name, version in _installed_set(python, platform):
        entry = locked[(name, version)]
        wheels = [Path(w["url"]).name for w in entry.get("wheels", [])]
        ok = any(tags & set(parse_wheel_filename(w)[3]) for w in wheels)
        if not ok:
            needs_build.append(f"{name}=={version}")
    assert not needs_build, (
        f"On Python {python} ({platform}) these locked packages have no wheel and would be built from source: "
        + ", ".join(needs_build)
    )


def test_a_python_marker_would_be_noticed():
    """The check above can fail: numpy 2.2.6 (the lock's choice for 3.10) has no Python 3.14 wheel."""
    entry = _locked_packages()[("numpy", "2.2.6")]
    wheels = [Path(w["url"]).name for w in entry["wheels"]]
    assert not any(_supported_tags("3.14", "linux") & set(parse_wheel_filename(w)[3]) for w in wheels)
    assert Marker("python_version < '3.11'").evaluate(_environment("3.10", "linux"))


# --------------------------------------------------------------------------------------------------------
# A wheel, installed on its own
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of the kit's package, built in-process from a copy of its sources (no network, no build isolation)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "iraqtalks", src / "iraqtalks", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    code = (
        "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return out / done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_wheel_declares_the_dependencies(wheel):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode("utf-8")
        names = z.namelist()
    requires = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]
    declared = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    found = {canonicalize_name(Requirement(r).name) for r in requires if "extra ==" not in r}
    assert declared == found
    assert "iraqtalks/teaching/answer_keys.json" in names  # the exercise checker's keys ship with the package
    assert any(n.endswith("entry_points.txt") for n in names)


@pytest.fixture(scope="module")
def wheel_env(wheel, tmp_path_factory) -> dict:
    """A fresh environment with only the wheel installed; the kit's own packages come from PYTHONPATH."""
    uv = _uv()
    venv = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([uv, "pip", "install", "-q", "--offline", "--no-deps", "--python", str(python), str(wheel)],
                   check=True)
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = {k: v for k, v in os.environ.items() if k not in ("IRAQTALKS_DATA", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join(site)
    return {"python": python, "env": env}


def _run_in(wheel_env, code: str, cwd: Path, **extra_env) -> subprocess.CompletedProcess:
    env = dict(wheel_env["env"], **extra_env)
    return subprocess.run([str(wheel_env["python"]), "-c", code], cwd=cwd, env=env, capture_output=True, text=True)


LOAD = (
    "import iraqtalks, sys; from iraqtalks import load\n"
    "print(iraqtalks.__file__)\n"
    "try:\n    print(len(load('events')))\n"
    "except FileNotFoundError as e:\n    print('ERROR', e); sys.exit(3)\n"
)


@pytest.mark.slow
def test_wheel_install_uses_its_own_copy_of_the_package(wheel_env, tmp_path):
    out = _run_in(wheel_env, LOAD, tmp_path)
    first = out.stdout.splitlines()[0]
    assert str(Path(wheel_env["python"]).parent.parent) in first, first
    assert str(ROOT / "iraqtalks") not in first


@pytest.mark.slow
def test_wheel_install_outside_the_kit_says_how_to_point_it_at_the_data(wheel_env, tmp_path):
    out = _run_in(wheel_env, LOAD, tmp_path)
    assert out.returncode == 3, out.stdout + out.stderr
    message = out.stdout.splitlines()[-1]
    assert "IRAQTALKS_DATA" in message and "data_dir=" in message
    assert message.count(". ") == 0  # one sentence
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_wheel_install_finds_the_data_from_the_environment_variable(wheel_env, tmp_path):
    out = _run_in(wheel_env, LOAD, tmp_path, IRAQTALKS_DATA=str(ROOT / "data"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert int(out.stdout.splitlines()[-1]) > 0


@pytest.mark.slow
def test_wheel_install_finds_the_data_from_inside_a_copy_of_the_kit(wheel_env, tmp_path):
    copy = tmp_path / "student-copy"
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copytree(ROOT / "seeds", copy / "seeds")
    (copy / "notebooks").mkdir()
    out = _run_in(wheel_env, LOAD, copy / "notebooks")
    assert out.returncode == 0, out.stdout + out.stderr
    assert int(out.stdout.splitlines()[-1]) > 0


@pytest.mark.slow
def test_wheel_install_with_a_wrong_environment_variable_says_so(wheel_env, tmp_path):
    out = _run_in(wheel_env, LOAD, tmp_path, IRAQTALKS_DATA=str(tmp_path / "nowhere"))
    assert out.returncode == 3
    assert "IRAQTALKS_DATA is set to" in out.stdout and "datapackage.json" in out.stdout


def test_console_script_is_declared():
    assert PYPROJECT["project"]["scripts"]["iraqtalks"] == "iraqtalks.__main__:main"


# --------------------------------------------------------------------------------------------------------
# kit.py: the logic behind ./kit (bash) and `py kit.py` (Windows)
# --------------------------------------------------------------------------------------------------------

def test_lab_as_root_passes_allow_root():
    cmd = kit.lab_command([], root=True, port=8899, token="t0k")
    assert "--allow-root" in cmd
    assert "--ServerApp.port=8899" in cmd and "--IdentityProvider.token=t0k" in cmd
    assert kit.FIRST_LESSON in cmd
    assert "--LabApp.news_url=None" in cmd


def test_lab_as_a_user_does_not_pass_allow_root():
    assert "--allow-root" not in kit.lab_command([], root=False, port=8888, token="x")


def test_lab_keeps_the_users_own_port_and_flags():
    cmd = kit.lab_command(["--port=9999", "--no-browser"], root=False, port=8888, token="x")
    assert not any(c.startswith("--ServerApp.port=") for c in cmd)
    assert cmd[-2:] == ["--port=9999", "--no-browser"]


def test_lab_prints_the_address_and_allows_root(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(kit, "setup", lambda test=False: None)
    monkeypatch.setattr(kit, "is_root", lambda: True)
    monkeypatch.setattr(kit, "free_port", lambda: 8765)
    monkeypatch.setattr(kit.os, "execv", lambda exe, cmd: seen.setdefault("cmd", cmd))
    monkeypatch.setattr(kit, "WINDOWS", False)
    kit.lab([])
    out = capsys.readouterr().out
    assert "running as root" in out and "--allow-root" in seen["cmd"]
    assert "http://localhost:8765/lab/tree/notebooks/00-start-here.ipynb?token=" in out


def test_free_port_skips_a_port_in_use():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert kit.free_port(busy) != busy


def _record_setup(monkeypatch, tmp_path, uv):
    calls = []
    venv = tmp_path / ".venv"
    monkeypatch.setattr(kit, "VENV", venv)
    monkeypatch.setattr(kit, "find_uv", lambda: uv)
    monkeypatch.setattr(kit, "bootstrap_uv", lambda: None)

    def run(cmd, **kw):
        calls.append([str(c) for c in cmd])
        if "env" in kw:
            assert kw["env"]["UV_SYSTEM_CERTS"] == "1"  # the computer's own certificate store
        if "venv" in cmd or (len(cmd) > 1 and cmd[1] == "sync"):
            kit.venv_python(venv).parent.mkdir(parents=True, exist_ok=True)
            kit.venv_python(venv).write_text("")
        return 0

    monkeypatch.setattr(kit, "_run", run)
    return calls


def test_setup_installs_from_the_lock_with_uv(monkeypatch, tmp_path, capsys):
    calls = _record_setup(monkeypatch, tmp_path, Path("/opt/uv"))
    monkeypatch.delenv("UV_SYSTEM_CERTS", raising=False)
    kit.setup(test=False)
    assert calls == [["/opt/uv", "sync", "--frozen", "--inexact", "--python", sys.executable, "--quiet"]]
    assert "first run" in capsys.readouterr().out
    kit.setup(test=False)  # nothing changed: nothing to do
    assert len(calls) == 1
    kit.setup(test=True)  # the test tools are added
    assert calls[-1][-2:] == ["--extra", "test"]


def test_setup_falls_back_to_pip_and_says_so(monkeypatch, tmp_path, capsys):
    calls = _record_setup(monkeypatch, tmp_path, None)
    kit.setup(test=True)
    out = capsys.readouterr().out
    assert "falling back to pip" in out
    assert calls[0][1:3] == ["-m", "venv"]
    assert calls[1][-4:] == ["-r", "requirements.txt", "-r", "requirements-test.txt"]


def test_windows_paths(monkeypatch, tmp_path):
    monkeypatch.setattr(kit, "BIN", "Scripts")
    monkeypatch.setattr(kit, "EXE", ".exe")
    assert kit.venv_python(tmp_path) == tmp_path / "Scripts" / "python.exe"


def test_unknown_command_exits_2(capsys):
    assert kit.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_kit_uses_the_standard_library_only():
    import ast

    tree = ast.parse((ROOT / "kit.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_the_test_command_does_not_install_system_packages():
    for name in ("kit", "kit.py"):
        assert "apt-get" not in (ROOT / name).read_text(encoding="utf-8"), name
    assert "apt-get install" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------------
# Getting uv on a machine that has none: the wheel uv.lock pins, checked against its SHA-256
# --------------------------------------------------------------------------------------------------------

LOCK_TEXT = (ROOT / "uv.lock").read_text(encoding="utf-8")


@pytest.mark.parametrize(("system", "machine", "libc", "tag"), [
    ("linux", "x86_64", "glibc", "manylinux_2_17_x86_64"),
    ("linux", "aarch64", "glibc", "manylinux_2_17_aarch64"),
    ("linux", "x86_64", "", "musllinux_1_1_x86_64"),
    ("darwin", "arm64", "", "macosx_11_0_arm64"),
    ("darwin", "x86_64", "", "macosx_10_12_x86_64"),
    ("win32", "AMD64", "", "win_amd64"),
    ("win32", "ARM64", "", "win_arm64"),
])
def test_the_locked_uv_wheel_for_each_machine(system, machine, libc, tag):
    url, sha = kit.uv_wheel_for_this_machine(LOCK_TEXT, system, machine, libc)
    name = url.rsplit("/", 1)[-1]
    assert tag in name and name.startswith("uv-") and len(sha) == 64
    version = re.search(r'name = "uv"\nversion = "([^"]+)"', LOCK_TEXT).group(1)
    assert name.startswith(f"uv-{version}-")


def test_no_uv_wheel_for_an_unknown_machine():
    assert kit.uv_wheel_for_this_machine(LOCK_TEXT, "linux", "s390x", "glibc") is None
    assert kit.uv_wheel_for_this_machine("no uv here", "linux", "x86_64", "glibc") is None


def _fake_wheel(exe: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"uv-0.0.0.data/scripts/uv{exe}", b"#!/bin/sh\necho uv 0.0.0\n")
        z.writestr("uv-0.0.0.dist-info/METADATA", "Name: uv\n")
    return buf.getvalue()


def _serve(monkeypatch, tmp_path, payload: bytes, sha: str):
    monkeypatch.setattr(kit, "TOOLS", tmp_path / ".kit-tools")
    monkeypatch.setattr(kit, "uv_wheel_for_this_machine", lambda text: ("https://files.example/uv.whl", sha))
    for var in ("PIP_INDEX_URL", "PIP_NO_INDEX", "UV_INDEX_URL", "UV_NO_INDEX", "UV_DEFAULT_INDEX"):
        monkeypatch.delenv(var, raising=False)

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(kit.urllib.request, "urlopen", lambda url, timeout=0: Response(payload))


def test_fetched_uv_is_unpacked_when_its_hash_matches(monkeypatch, tmp_path):
    payload = _fake_wheel()
    _serve(monkeypatch, tmp_path, payload, hashlib.sha256(payload).hexdigest())
    got = kit._fetch_uv()
    assert got == tmp_path / ".kit-tools" / kit.BIN / "uv"
    assert got.read_bytes().startswith(b"#!/bin/sh") and os.access(got, os.X_OK)


def test_fetched_uv_is_refused_when_its_hash_differs(monkeypatch, tmp_path, capsys):
    _serve(monkeypatch, tmp_path, _fake_wheel(), "0" * 64)
    assert kit._fetch_uv() is None
    assert "does not match the SHA-256" in capsys.readouterr().out
    assert not (tmp_path / ".kit-tools").exists()


def test_a_configured_mirror_is_left_to_pip(monkeypatch, tmp_path):
    payload = _fake_wheel()
    _serve(monkeypatch, tmp_path, payload, hashlib.sha256(payload).hexdigest())
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.school.example/simple")
    assert kit._fetch_uv() is None
