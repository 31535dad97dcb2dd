"""The student edition: no solution survives, every exercise keeps its stub, outputs are cleared.

Runs over every notebook that exists, on the files that `python -m dlcourse student` writes (the
command `make student` runs). That the edition executes top to bottom is checked by nbval, which
`make test` runs over build/student/.
"""

import re
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.tooling import editions, pipeline
from dlcourse.tooling.bootstrap import to_student_links

SOURCES = pipeline.notebook_sources()
SOLUTION, EXERCISE = editions.SOLUTION_TAG, editions.EXERCISE_TAG
CHECK_CALL = re.compile(r"\bcheck_\w+\(")


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def code_lines(text):
    """Meaningful lines of code: stripped, no blanks, no comments."""
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def student_problems(original, student):
    """What is wrong with ``student`` as the student edition of ``original``; empty when fine."""
    problems = []
    kept = [
        cell
        for cell in original.cells
        if SOLUTION not in tags(cell) and not editions.is_speaker_note(cell)
    ]
    shared = set().union(*(code_lines(cell.source) for cell in kept)) if kept else set()
    student_text = (
        set().union(*(code_lines(cell.source) for cell in student.cells))
        if (student.cells)
        else set()
    )
    # 1. No solution cell and no line that only a solution has.
    for index, cell in enumerate(student.cells, start=1):
        if SOLUTION in tags(cell):
            problems.append(f"cell {index} is still tagged {SOLUTION!r}")
    for index, cell in enumerate(original.cells, start=1):
        if SOLUTION not in tags(cell):
            continue
        answer = code_lines(cell.source) - shared
        if not answer:
            problems.append(f"solution cell {index} adds nothing to its stub")
        leaked = sorted(answer & student_text)
        if leaked:
            problems.append(f"solution cell {index} leaks into the edition: {leaked[0]!r}")
    # 2. Every exercise cell is kept unchanged, in order; every solution has a stub before it.
    exercises = [(cell.cell_type, cell.source) for cell in original.cells if EXERCISE in tags(cell)]
    in_student = [(cell.cell_type, cell.source) for cell in student.cells if EXERCISE in tags(cell)]
    if exercises != in_student:
        missing = [source for kind, source in exercises if (kind, source) not in in_student]
        problems.append(f"exercise cells changed or missing: {missing[:1]!r}")
    # A code solution follows its code stub; an answer in words follows its prompt.
    stub = prompt = None
    for index, cell in enumerate(original.cells, start=1):
        if EXERCISE in tags(cell):
            stub, prompt = (cell, prompt) if cell.cell_type == "code" else (stub, cell)
        elif SOLUTION in tags(cell) and cell.cell_type == "markdown":
            if prompt is None and stub is None:
                problems.append(f"solution cell {index} has no exercise prompt before it")
        elif SOLUTION in tags(cell):
            if stub is None:
                problems.append(
                    f"solution cell {index} has no exercise stub (a code cell "
                    f"tagged {EXERCISE!r}) before it"
                )
            elif not CHECK_CALL.search(stub.source):
                problems.append(f"the stub before solution cell {index} calls no check_*()")
            stub = None
    # 3. Outputs cleared, nothing else lost.
    for index, cell in enumerate(student.cells, start=1):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            problems.append(f"cell {index} kept its outputs")
    # The Colab link is the one cell the edition rewrites: it points at the student edition's copy.
    expected = [
        (c.cell_type, to_student_links(c.source) if c.cell_type == "markdown" else c.source)
        for c in kept
    ]
    if expected != [(c.cell_type, c.source) for c in student.cells]:
        problems.append("cells other than solutions and notes were dropped, changed or reordered")
    return problems


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The student edition as the command line writes it (what `make student` runs)."""
    out = tmp_path_factory.mktemp("student")
    result = subprocess.run(
        [sys.executable, "-m", "dlcourse", "student", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_student_edition_has_no_solution_and_keeps_every_stub(source, edition):
    target = edition / f"{source.stem}.ipynb"
    assert target.is_file(), f"{target.name} was not written"
    student = nbformat.read(target, as_version=4)
    assert student_problems(pipeline.read_source(source), student) == []


def test_notebooks_with_exercises_have_solutions_and_stubs():
    with_exercises = 0
    for source in SOURCES:
        notebook = pipeline.read_source(source)
        solutions = [
            cell for cell in notebook.cells if cell.cell_type == "code" and SOLUTION in tags(cell)
        ]
        stubs = [
            cell for cell in notebook.cells if cell.cell_type == "code" and EXERCISE in tags(cell)
        ]
        assert len(stubs) >= len(solutions), f"{source.name}: a solution without a stub"
        with_exercises += bool(solutions)
    if len(SOURCES) > 1:
        assert with_exercises, "no notebook has an exercise with a solution"


# The checker itself: it must catch what it is there to catch.


def exercise_notebook():
    def cell(kind, source, *cell_tags, **fields):
        made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
        made.metadata["slideshow"] = {"slide_type": "-"}
        if cell_tags:
            made.metadata["tags"] = list(cell_tags)
        return made

    return new_notebook(
        cells=[
            cell("md", "## Exercise: write `double`", EXERCISE),
            cell(
                "code",
                "def double(x):\n    # YOUR CODE HERE\n    return None\n\n\ncheck_double(double)",
                EXERCISE,
            ),
            cell(
                "code",
                "def double(x):\n    return 2 * x\n\n\ncheck_double(double)",
                SOLUTION,
                execution_count=3,
                outputs=[new_output("stream", name="stdout", text="✓\n")],
            ),
            cell(
                "code",
                "print('after')",
                "nbval-check-output",
                execution_count=4,
                outputs=[new_output("stream", name="stdout", text="after\n")],
            ),
        ]
    )


def test_the_checker_accepts_the_real_student_edition():
    original = exercise_notebook()
    assert student_problems(original, editions.student_edition(original)) == []


def test_the_checker_catches_a_leaked_solution_and_a_lost_stub():
    original = exercise_notebook()
    leaked = editions.student_edition(original)
    leaked.cells[1].source = original.cells[2].source  # the answer pasted into the stub
    problems = student_problems(original, leaked)
    assert any("leaks" in problem and "2 * x" in problem for problem in problems)
    assert any("exercise cells changed" in problem for problem in problems)

    untagged = editions.student_edition(original)
    untagged.cells.insert(2, original.cells[2])
    assert any("still tagged" in problem for problem in student_problems(original, untagged))

    no_stub = exercise_notebook()
    no_stub.cells[1].metadata["tags"] = []
    assert any(
        "no exercise stub" in problem
        for problem in student_problems(no_stub, editions.student_edition(no_stub))
    )


def test_the_checker_catches_kept_outputs():
    original = exercise_notebook()
    student = editions.student_edition(original)
    student.cells[-1].outputs = original.cells[-1].outputs
    assert any("kept its outputs" in problem for problem in student_problems(original, student))


def test_the_checker_accepts_an_answer_in_words_after_its_prompt():
    original = exercise_notebook()
    answer = new_markdown_cell("Closer with a smaller learning rate.")
    answer.metadata.update(slideshow={"slide_type": "skip"}, tags=[SOLUTION])
    original.cells.insert(3, answer)
    assert student_problems(original, editions.student_edition(original)) == []
    orphan = exercise_notebook()
    orphan.cells.insert(0, answer)
    problems = student_problems(orphan, editions.student_edition(orphan))
    assert any("no exercise prompt" in problem for problem in problems)
