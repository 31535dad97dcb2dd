"""Command line: ``python -m dlcourse <command>``, the commands the Makefile runs.

Commands: doctor, notebooks, check-notebooks, student, core, slides, handouts, bench, budget. Each
command prints what went wrong and what to do, and exits non-zero, instead of showing a traceback.
``doctor`` needs only the student library; the other commands need the ``build`` extra (jupytext,
nbclient, nbconvert, nbformat), which ``make`` installs.

A command that writes reads and checks all its inputs first, then its output path
(:mod:`dlcourse.tooling.outputs`), and only then writes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from dlcourse.tooling.errors import BuildError, NotebookError

OK, FAIL = "✓", "✗"


def _ensure_utf8_output() -> None:
    # A Windows console or a C locale may not encode ✓/✗; never crash on a symbol.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def doctor(_: argparse.Namespace) -> int:
    """Print the environment report; exit 1 when something is missing."""
    from dlcourse.runtime import environment_report, format_report

    checks = environment_report()
    print("Day 3 course environment check")
    print(format_report(checks))
    missing = [check.name for check in checks if not check.ok]
    if missing:
        print(
            f"\n{len(missing)} problem(s): {', '.join(missing)}. Fix them, then run doctor again."
        )
        return 1
    print("\nAll set: run `make lab` to open the notebooks.")
    return 0


def _selected_sources(paths: list[str]) -> list[Path]:
    from dlcourse.tooling import pipeline

    if not paths:
        return pipeline.notebook_sources()
    sources = []
    for raw in paths:
        path = Path(raw)
        path = path.with_suffix(".py") if path.suffix == ".ipynb" else path
        if not path.is_file():
            raise NotebookError(f"notebook source: expected an existing .py file, got {raw}")
        sources.append(path)
    return sources


def notebooks(args: argparse.Namespace) -> int:
    """Execute each notebook source into its ``.ipynb``."""
    from dlcourse.tooling import pipeline

    sources = _selected_sources(args.paths)
    for source in sources:
        print(f"executing {source.name} ...", flush=True)
        target = pipeline.build_notebook(source)
        print(f"  wrote {target.name}")
    return 0


def check_notebooks(args: argparse.Namespace) -> int:
    """Fail when any committed ``.ipynb`` is out of date with its ``.py``."""
    from dlcourse.tooling import pipeline

    problems = [
        problem
        for source in _selected_sources(args.paths)
        for problem in pipeline.pairing_problems(source)
    ]
    for problem in problems:
        print(f"{FAIL} {problem}")
    if problems:
        return 1
    print(f"{OK} every notebook is up to date with its .py source")
    return 0


def edition(args: argparse.Namespace) -> int:
    """Write an edition (``student`` or ``core``) of every notebook source under ``--out``."""
    import nbformat

    from dlcourse.tooling import pipeline
    from dlcourse.tooling.editions import EDITIONS, edition_companions
    from dlcourse.tooling.outputs import OutputFolder

    make = EDITIONS[args.command]
    sources = _selected_sources(args.paths)
    editions = [(source, make(pipeline.read_source(source))) for source in sources]
    with OutputFolder(Path(args.out), args.command, inputs=sources) as out:
        for source, notebook in editions:
            target = out / f"{source.stem}.ipynb"
            nbformat.write(notebook, target)
            print(f"wrote {target}")
        for companion in edition_companions(args.command):
            shutil.copyfile(companion, out / companion.name)
    return 0


def slides(args: argparse.Namespace) -> int:
    """Build a reveal.js deck per executed notebook, and the index page, under ``--out``."""
    from dlcourse.tooling import pipeline
    from dlcourse.tooling.course import load_course
    from dlcourse.tooling.slides import build_slides

    # Slides need the executed .ipynb (a clear error says so when it is missing), not the .py.
    notebooks = [Path(path) for path in args.paths] or pipeline.notebook_sources()
    out = Path(args.out)
    course = load_course(Path(args.course) if args.course else None)
    decks = build_slides(notebooks, out, render=args.notebooks, student=args.student, course=course)
    for deck in decks:
        print(f"wrote {deck.path} ({deck.slides} slides)")
        for extra in (deck.full, deck.solutions):
            if extra is not None:
                print(f"  {extra.kind}: {extra.path} ({extra.slides} slides)")
    print(f"{OK} open {out / 'index.html'} (offline; press S in a deck for the speaker view)")
    return 0


def handouts(args: argparse.Namespace) -> int:
    """Print each lecture deck that ``slides`` built to a PDF handout under ``--out``."""
    from dlcourse.tooling.handouts import build_handouts, lecture_decks

    decks = [Path(path) for path in args.paths] or lecture_decks(Path(args.slides))
    out = Path(args.out)
    for handout in build_handouts(decks, out):
        print(f"wrote {handout.path} ({handout.pages} pages, one per slide)")
    print(f"{OK} {len(decks)} handout(s) in {out}")
    return 0


def bench(args: argparse.Namespace) -> int:
    """Time every notebook against its floor; print the table and write JSON."""
    from dlcourse.tooling.bench import failures, format_report, run_benchmark

    output = Path(args.out)
    report = run_benchmark(_selected_sources(args.paths), output)
    print(format_report(report))
    print(f"\nwritten to {output}")
    failed = failures(report)
    if failed:
        print(f"{FAIL} {len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def budget(args: argparse.Namespace) -> int:
    """Count each notebook's lecture slides, words, code and exercises; print and write JSON."""
    from dlcourse.tooling.budget import format_table, measure, write_report
    from dlcourse.tooling.outputs import check_file

    output = check_file(Path(args.out), "budget")
    budgets = measure(_selected_sources(args.paths))
    print(format_table(budgets))
    write_report(budgets, output)
    print(f"\nwritten to {output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dlcourse", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check the environment").set_defaults(run=doctor)
    for name, run, help_text in (
        ("notebooks", notebooks, "execute notebooks/NN_*.py into .ipynb"),
        ("check-notebooks", check_notebooks, "check .ipynb files are up to date"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("paths", nargs="*", help="notebook sources (default: all)")
        command.set_defaults(run=run)
    for name, help_text in (
        ("student", "build the student edition (solutions removed, outputs cleared)"),
        ("core", "build the core variant (deep dives removed, outputs cleared)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("paths", nargs="*", help="notebook sources (default: all)")
        command.add_argument("--out", default=f"build/{name}", help="output folder")
        command.set_defaults(run=edition)
    command = commands.add_parser("slides", help="build the reveal.js slides (offline)")
    command.add_argument("paths", nargs="*", help="notebook sources (default: all)")
    command.add_argument("--out", default="build/slides", help="output folder")
    command.add_argument(
        "--notebooks", action="store_true", help="also render the notebooks as HTML pages"
    )
    command.add_argument(
        "--student", metavar="FOLDER", help="also publish this student edition (make student)"
    )
    command.add_argument(
        "--course", metavar="TOML", help="the course config (default: course.toml at the root)"
    )
    command.set_defaults(run=slides)
    command = commands.add_parser(
        "handouts", help="print each lecture deck to a PDF handout, a page per slide (Chromium)"
    )
    command.add_argument("paths", nargs="*", help="lecture decks (default: all in --slides)")
    command.add_argument("--slides", default="build/slides", help="the folder `slides` wrote")
    command.add_argument("--out", default="build/handouts", help="output folder")
    command.set_defaults(run=handouts)
    command = commands.add_parser("bench", help="time and measure every notebook")
    command.add_argument("paths", nargs="*", help="notebook sources (default: all)")
    command.add_argument("--out", default="build/bench.json", help="JSON report path")
    command.set_defaults(run=bench)
    command = commands.add_parser(
        "budget", help="count each notebook's lecture slides and core minutes (no execution)"
    )
    command.add_argument("paths", nargs="*", help="notebook sources (default: all)")
    command.add_argument("--out", default="build/budget.json", help="JSON report path")
    command.set_defaults(run=budget)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    _ensure_utf8_output()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BuildError as error:
        print(f"{FAIL} {error}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        print(
            f"{FAIL} missing package {error.name!r}: run `make install` (the course build needs "
            "`pip install -e '.[build]'`; `python -m dlcourse doctor` lists the rest)",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"{FAIL} {where}{error.strerror or error}", file=sys.stderr)
        return 1
