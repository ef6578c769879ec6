"""Command line: python -m iraqtalks {build, check-data [DIR], nav, exercises}."""
from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m iraqtalks", description="The Iraq–US talks teaching kit.")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="verify the seeds and regenerate every derived table and data/README.md")
    b.add_argument("dir", nargs="?", default=None, help="data folder (default: the kit's data/); its seeds are the seeds/ folder beside it")
    c = sub.add_parser("check-data", help="validate a data folder and list any problems")
    c.add_argument("dir", nargs="?", default=None, help="data folder (default: the kit's data/)")
    sub.add_parser("nav", help="rewrite the previous/next navigation cells of the lesson notebooks")
    sub.add_parser("exercises", help="regenerate the student exercise notebooks from the solutions")
    args = p.parse_args(argv)

    if args.cmd == "build":
        from .build import main as build_main
        return build_main(args.dir)
    if args.cmd == "check-data":
        from .schema import check_data_cli
        return check_data_cli(args.dir)
    if args.cmd == "nav":
        from .nav import main as nav_main
        return nav_main()
    if args.cmd == "exercises":
        from .exercises_build import main as ex_main
        return ex_main()
    return 2


def run(argv: list[str] | None = None) -> int | str | None:
    """main(), for the command line: a reader that stops early (``... | head -1``) is not an error to report."""
    try:
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's --help and usage errors
            status = exc.code
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python's advice: send the rest of the output nowhere, so that the exit does not fail on the flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(run())
