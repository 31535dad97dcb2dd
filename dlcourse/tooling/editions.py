"""Editions made from a notebook source: the student edition and the core (deep-dive-free) variant.

Both are written from the ``.py`` source (no outputs) and executed by ``make test`` with nbval, so
each must run top to bottom:

- the **student edition** (``python -m dlcourse student`` → ``build/student/``) drops the cells
  tagged ``solution`` and the speaker notes, and points each "Open in Colab" link at the student
  edition's own copy (the ``student`` branch, :mod:`dlcourse.tooling.bootstrap`): what students
  receive;
- the **core variant** (``python -m dlcourse core`` → ``build/core/``) drops the cells tagged
  ``deep-dive``: the lecture's path, which proves that no core cell needs a deep dive.

Outputs are cleared in both, so the nbval tag that compares a cell's output is dropped as well.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat

from dlcourse.tooling.bootstrap import to_student_links

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
DEEP_DIVE_TAG = "deep-dive"
PRACTICE_TAG = "practice"
HIDE_CODE_TAG = "hide-code"
# Cleared outputs cannot be compared, so an edition drops the nbval output-check tag.
CHECK_OUTPUT_TAG = "nbval-check-output"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    """The cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def is_speaker_note(cell: nbformat.NotebookNode) -> bool:
    """True for a cell whose slide type is ``notes``: what the presenter says, not the student."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"


def _without(
    notebook: nbformat.NotebookNode, tag: str, *, drop_notes: bool = False
) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without the cells tagged ``tag``, every output cleared.

    With ``drop_notes`` the speaker notes go too.
    """
    edition = nbformat.from_dict(notebook)
    edition.cells = [
        cell
        for cell in edition.cells
        if tag not in tags(cell) and not (drop_notes and is_speaker_note(cell))
    ]
    for cell in edition.cells:
        kept = [name for name in tags(cell) if name != CHECK_OUTPUT_TAG]
        if kept:
            cell.metadata["tags"] = kept
        else:
            cell.metadata.pop("tags", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return edition


def student_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without solutions and speaker notes, every output cleared.

    Its Colab links open the student edition (published on the ``student`` branch), not the
    course's notebook with its solutions.
    """
    edition = _without(notebook, SOLUTION_TAG, drop_notes=True)
    for cell in edition.cells:
        if cell.cell_type == "markdown":
            cell.source = to_student_links(cell.source)
    return edition


def core_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without ``deep-dive``-tagged cells and with every output cleared."""
    return _without(notebook, DEEP_DIVE_TAG)


def edition_companions(edition: str) -> list[Path]:
    """The files an edition's folder gets beside its notebooks.

    The glossary the notebooks link to and, for the student edition, a README that says how to
    work with it.
    """
    from dlcourse.tooling import pipeline

    companions = [pipeline.repository_root() / "notebooks" / "GLOSSARY.md"]
    if edition == "student":
        companions.append(Path(__file__).with_name("student") / "README.md")
    return companions


EDITIONS: dict[str, Callable[[nbformat.NotebookNode], nbformat.NotebookNode]] = {
    "student": student_edition,
    "core": core_edition,
}
