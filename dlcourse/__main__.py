"""Allow ``python -m dlcourse <command>``; the commands live in :mod:`dlcourse.tooling.cli`.

Imported only when run, so that importing the student library never loads the course build.
"""


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``doctor`` needs only the student library)."""
    from dlcourse.tooling.cli import main as run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
