#!/usr/bin/env python3
"""The kit's one entry point, in plain Python so it works the same in bash, PowerShell and cmd.

    python kit.py lab     set up (first time only) and open JupyterLab on the first lesson
    python kit.py test    set up (first time only, with the test tools) and run the whole test suite

Other commands: build | check-data [DIR] | nav | exercises | grading nbgrader DIR | bench | setup [--test] | lock

On Linux and macOS `./kit lab` is the same as `python3 kit.py lab`; on Windows run `py kit.py lab`.
Needs only Python 3.10 or newer: this file uses the standard library alone.

Set-up installs the exact packages pinned in `uv.lock` into a private environment, `.venv/`, with `uv`
(the one on PATH, or one installed for the kit into `.kit-tools/`); if `uv` can not be had, it falls back
to pip and the generated `requirements*.txt` files, and says so.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WINDOWS = os.name == "nt"
VENV = HERE / ".venv"
TOOLS = HERE / ".kit-tools"
BIN = "Scripts" if WINDOWS else "bin"
EXE = ".exe" if WINDOWS else ""
FIRST_LESSON = "notebooks/00-start-here.ipynb"
COMMANDS = ("lab", "test", "setup", "build", "check-data", "nav", "exercises", "grading", "bench", "lock", "help")
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


def bootstrap_uv() -> Path | None:
    """Install uv from PyPI into `.kit-tools/` (a small environment of its own). None if that fails."""
    say("uv is not on PATH: installing it for the kit into .kit-tools/ (one small download, first run only)")
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
        return
    started = time.monotonic()
    first = not venv_python().exists()
    if first:
        say("first run: installing the pinned packages into .venv/ (about 10-30 s with a good connection; "
            "a few minutes if the kit has to fall back to pip)")
    uv = find_uv() or bootstrap_uv()
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV))
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
    if first:
        say(f"set-up done in {time.monotonic() - started:.0f} s; later runs start at once")


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
    return _run([venv_python(), "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
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
    if cmd in ("bench", "grading"):  # grading: nbgrader is one of the test extra's tools
        setup(test=True)
        if cmd == "grading":
            return _run([venv_python(), "-m", "iraqtalks", cmd, *args], cwd=HERE)
        return _run([venv_python(), "benchmarks/run.py", *args], cwd=HERE)
    setup()
    return _run([venv_python(), "-m", "iraqtalks", cmd, *args], cwd=HERE)


if __name__ == "__main__":
    sys.exit(main())
