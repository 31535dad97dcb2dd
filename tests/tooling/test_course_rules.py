"""Rules every notebook keeps for the student in the room (issues 13 and 15), read from the sources."""

import re

import pytest

from dlcourse.tooling import budget, pipeline
from dlcourse.tooling.editions import tags

SOURCES = {source.stem[:2]: source for source in pipeline.notebook_sources()}
TEACHING = [number for number in SOURCES if number != "00"]


def text_of(number: str) -> str:
    return "\n".join(cell.source for cell in pipeline.read_source(SOURCES[number]).cells)


@pytest.mark.parametrize("number", sorted(SOURCES))
def test_no_notebook_refers_students_to_a_deck_they_do_not_have(number):
    found = re.findall(r"(?:the|course's|our) (?:course )?deck\b|slides say", text_of(number), re.I)
    assert not found, f"{number}: say 'the lecture' or state the convention: {found}"


@pytest.mark.parametrize("number", [n for n in TEACHING if n != "01"])
def test_a_notebook_opens_with_what_came_before(number):
    assert "**Previously" in text_of(number)


@pytest.mark.parametrize("number", TEACHING)
def test_a_notebook_names_its_common_mistakes(number):
    assert re.search(r"common mistakes", text_of(number), re.I)


def test_the_morning_trains_without_pytorch_in_notebook_07():
    """07 is taught with the NumPy engine: PyTorch comes in 08 (deep dives may compare with it)."""
    notebook = pipeline.read_source(SOURCES["07"])
    core_code = [cell.source for cell in budget.core_cells(notebook) if cell.cell_type == "code"]
    uses = [source for source in core_code if re.search(r"\btorch\b", source)]
    assert not uses, f"core cells of 07 use torch: {uses}"


@pytest.mark.parametrize("number", TEACHING)
def test_every_solution_asserts_its_own_check(number):
    notebook = pipeline.read_source(SOURCES[number])
    solutions = [cell.source for cell in notebook.cells if "solution" in tags(cell)]
    assert solutions, f"{number} has no solution cells"
    for source in solutions:
        if "check_" in source:
            assert re.search(r"^assert check_\w+\(", source, re.M), source[:200]
