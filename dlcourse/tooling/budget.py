"""``python -m dlcourse budget``: what each notebook asks of its slot, counted from its ``.py`` source.

These are counts of content (nothing is executed), so a test can enforce them. Core cells are the
cells tagged neither ``deep-dive`` nor ``practice``; of those:

- lecture slides: cells whose ``slide_type`` is ``slide`` or ``subslide`` (fragments not counted);
- core words: words of the Markdown cells, speaker notes (``slide_type`` ``notes``) left out; a word
  is a run of non-space characters holding a letter or digit (``#``, ``|``, ``---`` are not words);
- core code lines: non-blank, non-comment lines of the code cells tagged neither ``solution`` (the
  exercise's 6 minutes cover it) nor ``hide-code`` (figure code, never shown on a slide: plumbing),
  without the bootstrap snippet at the top of the setup cell (``dlcourse.tooling.bootstrap``);
- in-class exercises: Markdown cells tagged ``exercise`` (the prompts);
- core minutes: :data:`FORMULA`.

The day (../shared/DESIGN.md): the morning 9:30–12:30 (01–07, 180 min) and the afternoon
14:30–17:00 (08–09, 150 min); :data:`LIMITS` holds each notebook's limits.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from dlcourse.tooling import pipeline
from dlcourse.tooling.bootstrap import without_snippet
from dlcourse.tooling.editions import (
    DEEP_DIVE_TAG,
    EXERCISE_TAG,
    HIDE_CODE_TAG,
    PRACTICE_TAG,
    SOLUTION_TAG,
    tags,
)
from dlcourse.tooling.outputs import write_json

COMMAND = "budget"
WORDS_PER_MINUTE = 120
CODE_LINES_PER_MINUTE = 10
MINUTES_PER_EXERCISE = 6
FORMULA = (
    f"core minutes = core words / {WORDS_PER_MINUTE} + core code lines / {CODE_LINES_PER_MINUTE}"
    f" + {MINUTES_PER_EXERCISE} × in-class exercises"
)
WORD = re.compile(r"\S*\w\S*")


@dataclass(frozen=True)
class Limit:
    """The most a notebook may ask of its slot."""

    lecture_slides: int
    core_minutes: float


@dataclass(frozen=True)
class Session:
    """A part of the day: the notebooks taught in it and the minutes it has."""

    name: str
    times: str
    notebooks: tuple[int, ...]
    minutes: int


LIMITS = {
    **{number: Limit(lecture_slides=18, core_minutes=25) for number in range(1, 8)},
    8: Limit(lecture_slides=25, core_minutes=60),
    9: Limit(lecture_slides=25, core_minutes=90),
}
SESSIONS = (
    Session("morning", "9:30–12:30", tuple(range(1, 8)), 180),
    Session("afternoon", "14:30–17:00", (8, 9), 150),
)


@dataclass(frozen=True)
class Budget:
    """One notebook's counts (the keys of ``build/budget.json``)."""

    notebook: str
    lecture_slides: int
    core_words: int
    core_code_lines: int
    in_class_exercises: int
    core_minutes: float

    @property
    def number(self) -> int | None:
        """The notebook's number (``03`` → 3), or ``None`` when its name has none."""
        prefix = self.notebook.split("_", 1)[0]
        return int(prefix) if prefix.isdigit() else None


def _slide_type(cell: nbformat.NotebookNode) -> str:
    slideshow = cell.get("metadata", {}).get("slideshow", {})
    return slideshow.get("slide_type", "-") if isinstance(slideshow, dict) else "-"


def core_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The cells of the core path: tagged neither ``deep-dive`` nor ``practice``."""
    return [
        cell
        for cell in notebook.cells
        if DEEP_DIVE_TAG not in tags(cell) and PRACTICE_TAG not in tags(cell)
    ]


def count_words(markdown: str) -> int:
    """Words in ``markdown``: runs of non-space characters that hold a letter or a digit."""
    return len(WORD.findall(markdown))


def count_code_lines(code: str) -> int:
    """Lines of ``code`` that are neither blank nor a comment."""
    lines = (line.strip() for line in code.splitlines())
    return sum(1 for line in lines if line and not line.startswith("#"))


def minutes(words: int, code_lines: int, exercises: int) -> float:
    """Estimated minutes of a core path (:data:`FORMULA`)."""
    return (
        words / WORDS_PER_MINUTE
        + code_lines / CODE_LINES_PER_MINUTE
        + MINUTES_PER_EXERCISE * exercises
    )


def count(notebook: nbformat.NotebookNode, name: str) -> Budget:
    """The budget of ``notebook`` (``name`` is its file stem, e.g. ``03_gradient_descent``)."""
    core = core_cells(notebook)
    markdown = [cell for cell in core if cell.cell_type == "markdown"]
    slides = sum(_slide_type(cell) in {"slide", "subslide"} for cell in core)
    words = sum(count_words(cell.source) for cell in markdown if _slide_type(cell) != "notes")
    code = sum(
        count_code_lines(without_snippet(cell.source))
        for cell in core
        if cell.cell_type == "code" and not {SOLUTION_TAG, HIDE_CODE_TAG} & set(tags(cell))
    )
    exercises = sum(EXERCISE_TAG in tags(cell) for cell in markdown)
    return Budget(name, slides, words, code, exercises, round(minutes(words, code, exercises), 1))


def measure(sources: list[Path]) -> list[Budget]:
    """The budget of each notebook source (``.py``, read, not executed)."""
    return [count(pipeline.read_source(source), Path(source).stem) for source in sources]


def over_limit(budget: Budget) -> list[str]:
    """What of ``budget`` exceeds its notebook's limits; empty when within them (or none apply)."""
    limit = LIMITS.get(budget.number)
    if limit is None:
        return []
    problems = []
    if budget.lecture_slides > limit.lecture_slides:
        problems.append(f"{budget.lecture_slides} lecture slides > {limit.lecture_slides}")
    if budget.core_minutes > limit.core_minutes:
        problems.append(f"{budget.core_minutes:.1f} core minutes > {limit.core_minutes}")
    return problems


def session_totals(budgets: list[Budget]) -> list[dict]:
    """Per session: its notebooks found in ``budgets``, their slides and minutes, and its time."""
    totals = []
    for session in SESSIONS:
        rows = [budget for budget in budgets if budget.number in session.notebooks]
        totals.append(
            {
                "session": session.name,
                "times": session.times,
                "notebooks": [budget.notebook for budget in rows],
                "lecture_slides": sum(budget.lecture_slides for budget in rows),
                "core_minutes": round(sum(budget.core_minutes for budget in rows), 1),
                "available_minutes": session.minutes,
            }
        )
    return totals


def format_table(budgets: list[Budget]) -> str:
    """The budget as a plain-text table, the formula, and the totals against the schedule."""
    header = (
        f"{'notebook':<30} {'slides':>6} {'words':>6} {'code':>5} {'ex.':>4} {'minutes':>8}  limit"
    )
    lines = [header]
    for budget in budgets:
        limit = LIMITS.get(budget.number)
        verdict = ""
        if limit is not None:
            verdict = f"≤ {limit.lecture_slides} slides, ≤ {limit.core_minutes:g} min"
            problems = over_limit(budget)
            verdict += f"  ✗ {'; '.join(problems)}" if problems else "  ✓"
        lines.append(
            f"{budget.notebook:<30} {budget.lecture_slides:>6} {budget.core_words:>6} "
            f"{budget.core_code_lines:>5} {budget.in_class_exercises:>4} "
            f"{budget.core_minutes:>8.1f}  {verdict}".rstrip()
        )
    lines.append("")
    lines.append(FORMULA)
    for total in session_totals(budgets):
        mark = "✓" if total["core_minutes"] <= total["available_minutes"] else "✗"
        lines.append(
            f"{total['session']} ({total['times']}): {len(total['notebooks'])} notebooks, "
            f"{total['lecture_slides']} lecture slides, {total['core_minutes']:.1f} core minutes "
            f"of {total['available_minutes']} {mark}"
        )
    return "\n".join(lines)


def write_report(budgets: list[Budget], output: Path) -> dict:
    """Write ``output`` (JSON): the formula, a row per notebook and the session totals."""
    report = {
        "formula": FORMULA,
        "notebooks": [asdict(budget) for budget in budgets],
        "sessions": session_totals(budgets),
    }
    write_json(output, COMMAND, report)
    return report
