"""The editions: student (no solutions) and core (no deep dives); the deep-dive convention holds.

That each edition of the course notebooks runs top to bottom is checked by nbval, which `make test`
runs over build/student/ and build/core/.
"""

import copy
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.tooling import cli, editions, pipeline

SOURCES = pipeline.notebook_sources()
DEEP_DIVE = editions.DEEP_DIVE_TAG
HEADING = re.compile(r"^## Deep dive — \S")
BANNER = re.compile(r"^> \*\*Deep dive — optional\.\*\* \S", re.MULTILINE)


def cell(kind, source, *tags, slide_type="-", **fields):
    made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
    made.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        made.metadata["tags"] = list(tags)
    return made


def ran(source, count=1, text="1\n"):
    return {"execution_count": count, "outputs": [new_output("stream", name="stdout", text=text)]}


def lesson():
    """A core path with an in-class exercise, a deep dive, and a practice exercise."""
    return new_notebook(
        cells=[
            cell("md", "# Lesson", slide_type="slide"),
            cell("md", "Ask the room: why?", slide_type="notes"),
            cell("code", "x = 1\nprint(x)", "nbval-check-output", **ran("x = 1")),
            cell("md", "## Exercise: `double`", "exercise", slide_type="slide"),
            cell("code", "def double(v):\n    return None", "exercise", **ran("", 2)),
            cell("code", "def double(v):\n    return 2 * v", "solution", slide_type="skip"),
            cell(
                "md",
                "## Deep dive — the proof\n\n> **Deep dive — optional.** It proves it.",
                DEEP_DIVE,
                slide_type="slide",
            ),
            cell("code", "proof = double(x)", DEEP_DIVE, "nbval-check-output", **ran("", 3)),
            cell("md", "## Practice: `triple`", "exercise", "practice", slide_type="slide"),
            cell("code", "def triple(v):\n    return None", "exercise", "practice"),
            cell("code", "def triple(v):\n    return 3 * v", "solution", "practice"),
        ]
    )


def sources_of(notebook):
    return [cell.source for cell in notebook.cells]


@pytest.mark.parametrize("make", [editions.student_edition, editions.core_edition])
def test_an_edition_clears_outputs_and_the_output_check_tag_and_leaves_its_input_alone(make):
    original = lesson()
    before = copy.deepcopy(original)
    edition = make(original)
    assert original == before
    for made in edition.cells:
        if made.cell_type == "code":
            assert made.outputs == [] and made.execution_count is None
        assert editions.CHECK_OUTPUT_TAG not in editions.tags(made)


def test_the_student_edition_drops_solutions_and_speaker_notes_only():
    original = lesson()
    student = editions.student_edition(original)
    kept = [
        c.source
        for c in original.cells
        if editions.SOLUTION_TAG not in editions.tags(c) and not editions.is_speaker_note(c)
    ]
    assert sources_of(student) == kept
    assert "Ask the room: why?" not in sources_of(student)
    assert "def double(v):\n    return None" in sources_of(student)
    assert DEEP_DIVE in editions.tags(student.cells[4])


def test_the_core_variant_drops_deep_dives_and_keeps_solutions_and_practice():
    original = lesson()
    core = editions.core_edition(original)
    assert sources_of(core) == sources_of(original)[:6] + sources_of(original)[8:]
    assert not any(DEEP_DIVE in editions.tags(made) for made in core.cells)
    assert "def double(v):\n    return 2 * v" in sources_of(core)


def test_the_core_command_writes_the_variant_of_each_source(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    source = folder / "01_lesson.py"
    source.write_text(
        '# %% [markdown] slideshow={"slide_type": "slide"}\n# # Lesson\n\n'
        '# %% slideshow={"slide_type": "-"}\nx = 1\n\n'
        '# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]\n'
        "# ## Deep dive — more\n#\n# > **Deep dive — optional.** More.\n\n"
        '# %% slideshow={"slide_type": "-"} tags=["deep-dive"]\ny = x + 1\n'
    )
    out = tmp_path / "core"
    assert cli.main(["core", "--out", str(out), str(source)]) == 0
    written = nbformat.read(out / "01_lesson.ipynb", as_version=4)
    assert sources_of(written) == ["# Lesson", "x = 1"]
    assert f"wrote {out / '01_lesson.ipynb'}" in capsys.readouterr().out
    assert (out / "GLOSSARY.md").is_file()
    assert not (out / "README.md").exists()


def test_the_student_edition_comes_with_its_readme_and_the_glossary(tmp_path):
    out = tmp_path / "student"
    source = pipeline.repository_root() / "notebooks" / "00_environment_check.py"
    assert cli.main(["student", "--out", str(out), str(source)]) == 0
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "student edition" in readme and "✗" in readme and "did you forget `return`" in readme
    assert (out / "GLOSSARY.md").read_text(encoding="utf-8").startswith("# Glossary")


def deep_dive_problems(notebook):
    """Where ``notebook`` breaks the deep-dive convention (../shared/DESIGN.md, issue 13)."""
    problems = []
    previous = False
    for index, made in enumerate(notebook.cells, start=1):
        current = DEEP_DIVE in editions.tags(made)
        if current and not previous:
            slide_type = made.metadata.get("slideshow", {}).get("slide_type")
            if made.cell_type != "markdown" or slide_type != "slide":
                problems.append(f"cell {index}: a deep dive opens with a markdown slide")
            elif not HEADING.match(made.source) or not BANNER.search(made.source):
                problems.append(
                    f"cell {index}: a deep dive opens with '## Deep dive — <title>' and the "
                    "banner '> **Deep dive — optional.** …'"
                )
        previous = current
    return problems


def test_the_convention_check_catches_a_deep_dive_without_its_banner():
    assert deep_dive_problems(lesson()) == []
    unmarked = lesson()
    unmarked.cells[6].source = "## More maths"
    assert "banner" in deep_dive_problems(unmarked)[0]
    code_first = lesson()
    del code_first.cells[6]
    assert "markdown slide" in deep_dive_problems(code_first)[0]


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_every_deep_dive_of_the_course_is_marked_for_the_reader(source):
    assert deep_dive_problems(pipeline.read_source(source)) == []
