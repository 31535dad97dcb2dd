"""`python -m dlcourse budget`: the counting rules on small synthetic notebooks, the table, the JSON."""

import json

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dlcourse.tooling import budget, cli

KEYS = [
    "notebook",
    "lecture_slides",
    "core_words",
    "core_code_lines",
    "in_class_exercises",
    "core_minutes",
]


def cell(kind, source, slide_type="-", *tags):
    made = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
    made.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        made.metadata["tags"] = list(tags)
    return made


def sample():
    """Every rule once; the comments give what each cell adds (slides, words, code lines, ex.)."""
    return new_notebook(
        cells=[
            cell("md", "# Title words here", "slide"),  # 1 slide, 3 words ('#' is not a word)
            cell("md", "Say this to the room", "notes"),  # speaker notes: no words
            cell("code", "import numpy as np\n\n# a comment\nx = 1  # why", "skip"),  # 2 lines
            cell("md", "## Exercise: sigmoid", "subslide", "exercise"),  # 1 slide, 2 words, 1 ex.
            cell("code", "def sigmoid(z):\n    return None", "-", "exercise"),  # 2 lines
            cell("code", "def sigmoid(z):\n    return 1", "skip", "solution"),  # solution: 0
            cell("code", "plt.plot(x)\nplt.show()", "-", "hide-code"),  # figure code: 0 lines
            cell("md", "more | text --- here", "fragment"),  # fragment: no slide; 3 words
            cell("md", "## Deep dive — x\n\nmany words", "slide", "deep-dive"),  # not core
            cell("code", "a = 1\nb = 2", "-", "deep-dive"),  # not core
            cell("md", "## Practice: relu", "slide", "exercise", "practice"),  # not core
            cell("code", "def relu(z):\n    return None", "-", "exercise", "practice"),  # not core
        ]
    )


def test_the_counting_rules():
    counted = budget.count(sample(), "03_sample")
    assert counted == budget.Budget(
        notebook="03_sample",
        lecture_slides=2,
        core_words=8,
        core_code_lines=4,
        in_class_exercises=1,
        core_minutes=round(8 / 120 + 4 / 10 + 6, 1),
    )
    assert counted.number == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [("", 0), ("# Heading", 1), ("| a | b |\n|---|---|", 2), ("$\\sigma(z)$ is **smooth**.", 3)],
)
def test_words_are_runs_holding_a_letter_or_digit(text, words):
    assert budget.count_words(text) == words


def test_code_lines_skip_blanks_and_comments():
    assert budget.count_code_lines("x = 1\n\n   # note\n#\ny = 2  # inline\n") == 2


def test_the_formula_is_the_one_decided():
    assert budget.minutes(words=240, code_lines=30, exercises=2) == pytest.approx(2 + 3 + 12)
    assert budget.FORMULA == (
        "core minutes = core words / 120 + core code lines / 10 + 6 × in-class exercises"
    )


def test_limits_and_sessions_follow_the_schedule():
    assert all(budget.LIMITS[n] == budget.Limit(18, 25) for n in range(1, 8))
    assert budget.LIMITS[8] == budget.Limit(25, 60) and budget.LIMITS[9] == budget.Limit(25, 90)
    morning, afternoon = budget.SESSIONS
    assert (morning.notebooks, morning.minutes, morning.times) == (
        tuple(range(1, 8)),
        180,
        "9:30–12:30",
    )
    assert (afternoon.notebooks, afternoon.minutes, afternoon.times) == ((8, 9), 150, "14:30–17:00")


def row(name, slides, minutes):
    return budget.Budget(name, slides, 0, 0, 0, minutes)


def test_over_limit_names_what_is_over():
    assert budget.over_limit(row("01_a", 18, 25.0)) == []
    assert budget.over_limit(row("01_a", 19, 25.1)) == [
        "19 lecture slides > 18",
        "25.1 core minutes > 25",
    ]
    assert budget.over_limit(row("09_b", 25, 90.0)) == []
    assert budget.over_limit(row("00_env", 99, 999.0)) == []  # no limit before the day


def test_the_table_prints_the_formula_and_the_session_totals():
    rows = [row("00_env", 3, 5.0), row("01_a", 10, 20.0), row("02_b", 20, 30.0)]
    rows += [row("08_c", 20, 100.0), row("09_d", 20, 60.0)]
    table = budget.format_table(rows)
    assert budget.FORMULA in table
    assert (
        "morning (9:30–12:30): 2 notebooks, 30 lecture slides, 50.0 core minutes of 180 ✓" in table
    )
    assert (
        "afternoon (14:30–17:00): 2 notebooks, 40 lecture slides, 160.0 core minutes of 150 ✗"
        in table
    )
    assert "✗ 20 lecture slides > 18; 30.0 core minutes > 25" in table
    assert "100.0 core minutes > 60" in table


def write_source(folder, name, cells):
    text = ""
    for kind, slide_type, tags, body in cells:
        tag_text = f" tags={json.dumps(tags)}" if tags else ""
        marker = " [markdown]" if kind == "md" else ""
        text += f'# %%{marker} slideshow={{"slide_type": "{slide_type}"}}{tag_text}\n{body}\n\n'
    path = folder / name
    path.write_text(text)
    return path


def test_the_command_prints_the_table_and_writes_the_json(tmp_path, capsys):
    first = write_source(
        tmp_path,
        "01_one.py",
        [("md", "slide", [], "# # One two"), ("code", "-", [], "x = 1")],
    )
    second = write_source(
        tmp_path, "08_two.py", [("md", "slide", ["exercise"], "# ## Exercise three")]
    )
    out = tmp_path / "build" / "budget.json"
    assert cli.main(["budget", "--out", str(out), str(first), str(second)]) == 0
    printed = capsys.readouterr().out
    assert budget.FORMULA in printed and "01_one" in printed and "afternoon" in printed
    report = json.loads(out.read_text())
    assert [list(entry) for entry in report["notebooks"]] == [KEYS, KEYS]
    assert report["notebooks"][0] == {
        "notebook": "01_one",
        "lecture_slides": 1,
        "core_words": 2,
        "core_code_lines": 1,
        "in_class_exercises": 0,
        "core_minutes": 0.1,
    }
    assert report["notebooks"][1]["in_class_exercises"] == 1
    assert report["formula"] == budget.FORMULA
    assert [total["session"] for total in report["sessions"]] == ["morning", "afternoon"]
    # a second run replaces the report it wrote
    assert cli.main(["budget", "--out", str(out), str(first)]) == 0
    assert len(json.loads(out.read_text())["notebooks"]) == 1
