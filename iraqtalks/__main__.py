"""Command line: python -m iraqtalks {build, check-data [DIR], nav, exercises, release DIR, answers DIR, site DIR,
grading TOOL DIR, handouts DIR}."""
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
    r = sub.add_parser("release", help="write the student edition (no solutions, no teacher guide) into DIR")
    r.add_argument("dir", nargs="?", default=None, help="a new or empty folder outside the kit")
    a = sub.add_parser("answers", help="write one-page answer sheets (Markdown and PDF) for the teacher into DIR")
    a.add_argument("dir", nargs="?", default=None, help="a folder outside the kit")
    s = sub.add_parser("site", help="write the lessons as static HTML pages (an offline site) into DIR")
    s.add_argument("dir", nargs="?", default=None, help="folder for the site (new, empty, or an earlier site)")
    s.add_argument("--vendor", action="store_true",
                   help="maintainers: re-fetch the pinned widget renderer with npm into iraqtalks/authoring/site_assets/")
    h = sub.add_parser("handouts", help="print the classroom handouts (article cards, worksheets, answer sheets) as "
                       "PDFs into DIR")
    h.add_argument("dir", nargs="?", default=None, help="a new or empty folder outside the kit")
    g = sub.add_parser("grading", help="export the exercise sets to a grading tool (nbgrader) in a course folder",
                       add_help=False)
    g.add_argument("rest", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)

    if args.cmd == "build":
        from .data.build import main as build_main
        return build_main(data_dir=args.dir)
    if args.cmd == "check-data":
        from .data.report import check_data_cli
        return check_data_cli(data_dir=args.dir)
    if args.cmd == "nav":
        from .authoring.nav import main as nav_main
        return nav_main()
    if args.cmd == "release":
        from .authoring.release import main as release_main
        return release_main(args.dir)
    if args.cmd == "answers":
        from .authoring.answer_sheets import main as answers_main
        return answers_main(args.dir)
    if args.cmd == "exercises":
        from .authoring.exercises_build import main as ex_main
        return ex_main()
    if args.cmd == "site":
        from .authoring.site import main as site_main
        return site_main(args.dir, vendor=args.vendor)
    if args.cmd == "handouts":
        from .authoring.handouts import main as handouts_main
        return handouts_main(args.dir)
    if args.cmd == "grading":
        from .authoring.grading import main as grading_main
        return grading_main(args.rest)
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
