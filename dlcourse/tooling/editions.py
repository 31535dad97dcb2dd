"""Editions made from a notebook source: the student edition and the core (deep-dive-free) variant.

Both are written from the ``.py`` source (no outputs) and executed by ``make test`` with nbval, so
each must run top to bottom:

- the **student edition** (``python -m dlcourse student`` → ``build/student/``) drops the cells
  tagged ``solution``: what students receive;
- the **core variant** (``python -m dlcourse core`` → ``build/core/``) drops the cells tagged
  ``deep-dive``: the lecture's path, which proves that no core cell needs a deep dive.

Outputs are cleared in both, so the nbval tag that compares a cell's output is dropped as well.
"""

from __future__ import annotations

from collections.abc import Callable

import nbformat

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


def _without(notebook: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without the cells tagged ``tag``, every output cleared."""
    edition = nbformat.from_dict(notebook)
    edition.cells = [cell for cell in edition.cells if tag not in tags(cell)]
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
    """A copy of ``notebook`` without ``solution``-tagged cells and with every output cleared."""
    return _without(notebook, SOLUTION_TAG)


def core_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without ``deep-dive``-tagged cells and with every output cleared."""
    return _without(notebook, DEEP_DIVE_TAG)


EDITIONS: dict[str, Callable[[nbformat.NotebookNode], nbformat.NotebookNode]] = {
    "student": student_edition,
    "core": core_edition,
}
