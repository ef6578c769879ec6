#!/usr/bin/env python3
"""The kit's one entry point, in plain Python so it works the same in bash, PowerShell and cmd.

    python kit.py lab     set up (first time only) and open JupyterLab on the first lesson
    python kit.py test    set up (first time only, with the test tools) and run the whole test suite

Other commands: build | check-data [DIR] | nav | exercises | release DIR | answers DIR | site DIR |
grading nbgrader DIR | handouts DIR | bench | setup [--test] | lock

On Linux and macOS `./kit lab` is the same as `python3 kit.py lab`; on Windows run `py kit.py lab`.
Needs only Python 3.10 or newer: this file uses the standard library alone.

Set-up installs the exact packages pinned in `uv.lock` into a private environment, `.venv/`, with `uv`
(the one on PATH, or the uv that `uv.lock` pins, fetched for the kit into `.kit-tools/` and checked against
its SHA-256); if `uv` can not be had, it falls back to pip and the generated `requirements*.txt` files, and
says so.
"""
from __future__ import annotations

import hashlib
import io
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WINDOWS = os.name == "nt"
VENV = HERE / ".venv"
TOOLS = HERE / ".kit-tools"
BIN = "Scripts" if WINDOWS else "bin"
EXE = ".exe" if WINDOWS else ""
FIRST_LESSON = "notebooks/00-start-here.ipynb"
COMMANDS = ("lab", "test", "setup", "build", "check-data", "nav", "exercises", "release", "answers", "site",
            "grading", "handouts", "bench", "lock", "help")
LOCK_INPUTS = ("pyproject.toml", "uv.lock")


def say(message: str) -> None:
    print(f"kit: {message}", flush=True)


def venv_python(venv: Path | None = None) -> Path:
    return (VENV if venv is None else venv) / BIN / f"python{EXE}"


def _run(cmd: list[str], **kw) -> int:
    return subprocess.call([str(c) for c in cmd], **kw)


def _stamp_value(extra: str) -> str:
    h = hashlib.sha256()
    for name in LOCK_INPUTS:
        p = HERE / name
        h.update(p.read_bytes() if p.exists() else b"")
    h.update(extra.encode())
    return h.hexdigest()


def find_uv() -> Path | None:
    """`uv` on PATH, or the copy the kit installed for itself earlier."""
    on_path = shutil.which("uv")
    if on_path:
        return Path(on_path)
    mine = TOOLS / BIN / f"uv{EXE}"
    return mine if mine.exists() else None


def uv_wheel_for_this_machine(lock_text: str, system: str | None = None, machine: str | None = None,
                              libc: str | None = None) -> tuple[str, str] | None:
    """(url, sha256) of the uv wheel that `uv.lock` pins for this operating system and processor, or None."""
    m = re.search(r'\[\[package\]\]\nname = "uv"\nversion = "[^"]+"\n.*?\nwheels = \[\n(.*?)\n\]', lock_text, re.S)
    if not m:
        return None
    wheels = re.findall(r'url = "([^"]+\.whl)", hash = "sha256:([0-9a-f]{64})"', m.group(1))
    system = system or sys.platform
    machine = (machine or platform.machine()).lower()
    if libc is None:
        libc = platform.libc_ver()[0] if system.startswith("linux") else ""
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}.get(machine)
    if system.startswith("linux") and arch:
        want = [f"manylinux_2_17_{arch}"] if libc == "glibc" else [f"musllinux_1_1_{arch}"]
    elif system == "darwin" and arch:
        want = ["macosx_11_0_arm64"] if arch == "aarch64" else ["macosx_10_12_x86_64"]
    elif system == "win32" and arch:
        want = ["win_arm64"] if arch == "aarch64" else ["win_amd64"]
    else:
        return None
    for tag in want:
        for url, sha in wheels:
            if tag in url.rsplit("/", 1)[-1]:
                return url, sha
    return None


def _fetch_uv() -> Path | None:
    """Download the locked uv wheel straight from PyPI (checked against the lock's SHA-256) and unpack uv."""
    if any(os.environ.get(v) for v in ("PIP_INDEX_URL", "PIP_NO_INDEX", "UV_INDEX_URL", "UV_NO_INDEX",
                                       "UV_DEFAULT_INDEX")):
        return None  # a mirror or an offline set-up is configured: leave it to pip
    found = uv_wheel_for_this_machine((HERE / "uv.lock").read_text(encoding="utf-8"))
    if found is None:
        return None
    url, sha = found
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            data = r.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha:
        say("the downloaded uv does not match the SHA-256 in uv.lock; not using it")
        return None
    target = TOOLS / BIN / f"uv{EXE}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        member = next((n for n in z.namelist() if re.fullmatch(rf"[^/]+\.data/scripts/uv{re.escape(EXE)}", n)), None)
        if member is None:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(member))
    target.chmod(0o755)
    return target


def bootstrap_uv() -> Path | None:
    """Get uv for the kit, into `.kit-tools/`: the wheel pinned in uv.lock, else pip's copy. None if both fail."""
    say("uv is not on PATH: fetching the uv pinned in uv.lock into .kit-tools/ (first run only)")
    fetched = _fetch_uv()
    if fetched is not None:
        return fetched
    say("fetching uv directly did not work; installing it with pip instead")
    if not venv_python(TOOLS).exists():
        if _run([sys.executable, "-m", "venv", TOOLS]) != 0:
            return None
    if _run([venv_python(TOOLS), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv"]) != 0:
        return None
    mine = TOOLS / BIN / f"uv{EXE}"
    return mine if mine.exists() else None


def setup(test: bool = False) -> None:
    """Make `.venv/` hold exactly the locked packages (plus the test tools for `test`). Fast when nothing changed."""
    group = "test" if test else "learner"
    stamp = VENV / f".kit-{group}.sha256"
    want = _stamp_value(group)
    if venv_python().exists() and stamp.exists() and stamp.read_text().strip() == want:
        install_fonts()
        return
    started = time.monotonic()
    first = not venv_python().exists()
    if first:
        say("first run: installing the pinned packages into .venv/ (about 10-30 s with a good connection; "
            "a few minutes if the kit has to fall back to pip)")
    uv = find_uv() or bootstrap_uv()
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV))
    # Trust the computer's own certificate store, as pip does: school networks often inspect TLS with their
    # own certificate authority, which uv's bundled certificates do not know.
    env.setdefault("UV_SYSTEM_CERTS", "1")
    ok = False
    if uv is not None:
        cmd = [uv, "sync", "--frozen", "--inexact", "--python", sys.executable, "--quiet"]
        if test:
            cmd += ["--extra", "test"]
        ok = _run(cmd, cwd=HERE, env=env) == 0
        if not ok:
            say("uv could not install the locked packages; falling back to pip")
    else:
        say("uv could not be installed; falling back to pip (slower)")
    if not ok:
        if not venv_python().exists() and _run([sys.executable, "-m", "venv", VENV]) != 0:
            sys.exit("kit: could not create the virtual environment in .venv/")
        reqs = ["-r", "requirements.txt"] + (["-r", "requirements-test.txt"] if test else [])
        if _run([venv_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs],
                cwd=HERE) != 0:
            sys.exit("kit: installing the packages failed; see the messages above")
    stamp.write_text(want + "\n")
    install_fonts()
    if first:
        say(f"set-up done in {time.monotonic() - started:.0f} s; later runs start at once")


def install_fonts() -> None:
    """JupyterLab settings for fonts that show Vietnamese whole (iraqtalks/views/jupyterlab.py): code font, custom.css."""
    python = venv_python()
    try:  # not via _run: this is a side step of set-up, not one of its installs
        status = subprocess.call([str(python), "-m", "iraqtalks.views.jupyterlab"], cwd=HERE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL) if python.exists() else 1
    except OSError:
        status = 1
    if status != 0:
        say("could not write the JupyterLab font settings (iraqtalks/views/jupyterlab.py); Vietnamese in code cells "
            "may show marks out of place")


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def free_port(start: int = 8888, host: str = "127.0.0.1") -> int:
    """The first port from `start` on which nothing listens."""
    for port in range(start, start + 100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    return 0


def lab_command(extra: list[str], root: bool, port: int, token: str) -> list[str]:
    """The `jupyter lab` command line `./kit lab` runs (kept separate so tests can check it)."""
    cmd = [str(venv_python()), "-m", "jupyterlab", f"--notebook-dir={HERE}", FIRST_LESSON]
    given = " ".join(extra)
    if "--port" not in given:
        cmd.append(f"--ServerApp.port={port}")
    if "token" not in given:
        cmd.append(f"--IdentityProvider.token={token}")
    if root and "--allow-root" not in given:
        cmd.append("--allow-root")
    if "news_url" not in given:
        cmd.append("--LabApp.news_url=None")  # no pop-up about news feeds over the first lesson
    return cmd + extra


def lab(extra: list[str]) -> int:
    setup()
    root = is_root()
    if root:
        say("running as root (common in containers): starting JupyterLab with --allow-root")
    port = free_port()
    token = secrets.token_hex(16)
    for arg in extra:
        if arg.startswith("--port=") or arg.startswith("--ServerApp.port="):
            port = int(arg.split("=", 1)[1])
    url = f"http://localhost:{port}/lab/tree/{FIRST_LESSON}?token={token}"
    say(f"JupyterLab will answer at {url}")
    say("(your browser should open it; if not, copy the address above into it. Stop with Ctrl-C.)")
    cmd = lab_command(extra, root, port, token)
    if WINDOWS:
        return _run(cmd)
    os.execv(cmd[0], cmd)
    return 0  # not reached


def test(extra: list[str]) -> int:
    setup(test=True)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    # One worker per core, at most 4 (pytest-xdist); --dist loadscope keeps each test file and each notebook on
    # one worker, so a notebook's cells run in order in one kernel. `./kit test -n 0` runs in one process.
    workers = ["-n", str(max(1, min(4, os.cpu_count() or 1))), "--dist", "loadscope"]
    return _run([venv_python(), "-m", "pytest", "-p", "no:cacheprovider", *workers, "--nbval",
                 "--nbval-sanitize-with", "tests/sanitize.cfg", *extra], cwd=HERE, env=env)


def lock() -> int:
    """Re-resolve uv.lock from pyproject.toml and regenerate requirements*.txt from it."""
    uv = find_uv() or bootstrap_uv()
    if uv is None:
        sys.exit("kit: `./kit lock` needs uv; install it with `pip install uv`")
    if _run([uv, "lock"], cwd=HERE) != 0:
        return 1
    for name, extra in (("requirements.txt", []), ("requirements-test.txt", ["--only-extra-test"])):
        text = export_requirements(uv, extra)
        (HERE / name).write_text(text, encoding="utf-8")
        say(f"wrote {name}")
    return 0


REQUIREMENTS_HEADER = (
    "# Generated from uv.lock by `./kit lock`; do not edit (a test checks it is in sync).\n"
    "# Every package is pinned, transitive ones included, for Python 3.10-3.14 on Linux, macOS and Windows.\n"
)


def export_requirements(uv: Path | str, extra: list[str]) -> str:
    """requirements.txt text for the learner's packages (extra=[]) or the test tools only."""
    if extra == ["--only-extra-test"]:
        base = _export(uv, [])
        full = _export(uv, ["--extra", "test"])
        have = set(base.splitlines())
        lines = [ln for ln in full.splitlines() if ln not in have]
        body = "\n".join(lines) + "\n"
        header = REQUIREMENTS_HEADER + "# The test tools `./kit test` adds to requirements.txt.\n"
        return header + body
    body = _export(uv, [])
    # Binder/repo2docker and the pip fallback also install the kit's own helper package, editable.
    return REQUIREMENTS_HEADER + body + "-e .\n"


def _export(uv: Path | str, args: list[str]) -> str:
    out = subprocess.run(
        [str(uv), "export", "--frozen", "--format", "requirements-txt", "--no-hashes", "--no-header",
         "--no-emit-project", "--no-annotate", *args],
        cwd=HERE, capture_output=True, text=True, check=True,
    )
    return out.stdout


def usage() -> str:
    return __doc__.split("\n\n")[1] + "\n\n" + __doc__.split("\n\n")[2] + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    cmd = args.pop(0) if args else "help"
    if sys.version_info < (3, 10):
        sys.exit("kit: the kit needs Python 3.10 or newer")
    if cmd not in COMMANDS:
        sys.stderr.write(f"kit: unknown command {cmd!r}\n\n" + usage())
        return 2
    if cmd == "help":
        sys.stdout.write(usage())
        return 0
    if cmd == "lab":
        return lab(args)
    if cmd == "test":
        return test(args)
    if cmd == "setup":
        setup(test="--test" in args)
        return 0
    if cmd == "lock":
        return lock()
    if cmd == "bench":
        setup(test=True)
        return _run([venv_python(), "benchmarks/run.py", *args], cwd=HERE)
    # The answer sheets and handouts are printed with Playwright, and grading uses nbgrader: all come with the
    # test tools.
    setup(test=cmd in ("answers", "grading", "handouts"))
    return _run([venv_python(), "-m", "iraqtalks", cmd, *args], cwd=HERE)

if __name__ == "__main__":
    sys.exit(main())
