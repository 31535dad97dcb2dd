"""The opening deck's timetable (notebook 00) fits the day and gives each notebook its core minutes.

The timetable is the Markdown table of notebook 00 whose header starts with ``time``: one row per
slot, ``| 9:30–9:55 | 01 | the artificial neuron |``, with ``—`` in the notebook column for a
break. Each notebook's slot must hold at least its core minutes as ``python -m dlcourse budget``
counts them (dlcourse.tooling.budget), inside its session (budget.SESSIONS: morning, afternoon).
"""

import re

import pytest

from dlcourse.tooling import budget, pipeline

OPENING = pipeline.repository_root() / "notebooks" / "00_environment_check.py"
TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[–-]\s*(\d{1,2}):(\d{2})$")
TEACHING = list(range(1, 10))


def minutes_of(hours: str, minutes: str) -> int:
    """Minutes since midnight of a clock time given as its two parts (``"9"``, ``"30"`` → 570)."""
    return 60 * int(hours) + int(minutes)


def parse_range(text: str) -> tuple[int, int]:
    """``"9:30–12:30"`` → (570, 750): start and end in minutes since midnight."""
    found = TIME_RANGE.match(text.strip())
    assert found, f"time range: expected 'H:MM–H:MM', got {text!r}"
    start, end = minutes_of(*found.groups()[:2]), minutes_of(*found.groups()[2:])
    assert start < end, f"time range: expected start < end, got {text!r}"
    return start, end


def table_rows(markdown: str) -> list[list[str]]:
    """The cells of each row of the Markdown tables in ``markdown`` (separator rows left out)."""
    rows = []
    for line in markdown.splitlines():
        line = line.strip()
        if line.startswith("|") and not re.fullmatch(r"\|[\s:|-]+\|", line):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def timetable(notebook) -> list[tuple[int, int, int | None]]:
    """The timetable's slots in order: (start, end, notebook number or None for a break)."""
    for cell in notebook.cells:
        rows = table_rows(cell.source) if cell.cell_type == "markdown" else []
        if rows and rows[0][0].lower() == "time":
            slots = []
            for row in rows[1:]:
                start, end = parse_range(row[0])
                number = int(row[1]) if row[1].isdigit() else None
                slots.append((start, end, number))
            return slots
    pytest.fail(f"{OPENING.name}: no timetable (a table whose header starts with 'time')")


SLOTS = timetable(pipeline.read_source(OPENING))
BUDGETS = {row.number: row for row in budget.measure(pipeline.notebook_sources())}


def slot_of(number: int) -> tuple[int, int]:
    (slot,) = [(start, end) for start, end, found in SLOTS if found == number]
    return slot


def test_parse_range_reads_clock_times():
    assert parse_range("9:30–12:30") == (570, 750)
    assert parse_range("14:30-17:00") == (870, 1020)
    with pytest.raises(AssertionError, match="expected 'H:MM–H:MM'"):
        parse_range("9.30–10")


def test_timetable_rows_are_read_from_markdown():
    markdown = "| time | notebook |\n| --- | --- |\n| 9:30–9:55 | 01 |\n| 9:55–10:05 | — |"
    assert table_rows(markdown) == [["time", "notebook"], ["9:30–9:55", "01"], ["9:55–10:05", "—"]]


def test_every_notebook_appears_once_in_order():
    numbers = [number for _, _, number in SLOTS if number is not None]
    assert numbers == TEACHING, f"timetable: expected notebooks {TEACHING} in order, got {numbers}"


def test_slots_follow_one_another_without_overlap():
    for (_, end, _), (start, _, _) in zip(SLOTS, SLOTS[1:], strict=False):
        assert end <= start, f"timetable: a slot ends at {end} min, after the next starts ({start})"


@pytest.mark.parametrize("session", budget.SESSIONS, ids=lambda session: session.name)
def test_each_session_fits_its_hours(session):
    opens, closes = parse_range(session.times)
    for number in session.notebooks:
        start, end = slot_of(number)
        assert opens <= start and end <= closes, (
            f"notebook {number:02d}: expected its slot within {session.name} {session.times}, "
            f"got {start // 60}:{start % 60:02d}–{end // 60}:{end % 60:02d}"
        )


@pytest.mark.parametrize("number", TEACHING, ids=lambda number: f"{number:02d}")
def test_each_slot_holds_the_notebooks_core_minutes(number):
    start, end = slot_of(number)
    core = BUDGETS[number].core_minutes
    assert end - start >= core, (
        f"notebook {number:02d}: expected a slot of at least {core} core minutes, "
        f"got {end - start} min"
    )
