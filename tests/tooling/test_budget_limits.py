"""Each course notebook keeps within its budget once its notebook issue has landed (issue 13).

Counts of content from the .py sources (`python -m dlcourse budget`), not timings. Add a notebook's
number to LANDED when the issue that brings it within budget lands.
"""

import pytest

from dlcourse.tooling import budget, pipeline

LANDED: set[int] = {1, 2, 3, 4, 5, 6, 7, 8, 9}

BUDGETS = {row.number: row for row in budget.measure(pipeline.notebook_sources())}


def test_landed_names_notebooks_that_have_limits():
    assert set(budget.LIMITS) >= LANDED


@pytest.mark.parametrize("number", sorted(LANDED), ids=lambda number: f"{number:02d}")
def test_a_landed_notebook_is_within_its_budget(number):
    assert number in BUDGETS, f"no notebook numbered {number:02d}"
    assert budget.over_limit(BUDGETS[number]) == []


@pytest.mark.parametrize("session", budget.SESSIONS, ids=lambda session: session.name)
def test_a_session_fits_its_time_once_all_its_notebooks_landed(session):
    if not set(session.notebooks) <= LANDED:
        pytest.skip(f"{session.name}: not every notebook has landed yet")
    minutes = sum(BUDGETS[number].core_minutes for number in session.notebooks)
    assert minutes <= session.minutes, f"{session.name}: {minutes:.1f} min > {session.minutes}"
