"""dlcourse.tooling.pipeline: .py -> executed .ipynb and the pairing check."""

import nbformat
import pytest

from dlcourse.tooling import pipeline

SOURCE = """# %% [markdown] slideshow={"slide_type": "slide"}
# # A tiny notebook

# %% slideshow={"slide_type": "-"}
print(6 * 7)

# %% slideshow={"slide_type": "-"} tags=["exercise"]
answer = None

# %% slideshow={"slide_type": "-"} tags=["solution", "nbval-check-output"]
answer = 42
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    source = folder / "01_tiny.py"
    source.write_text(SOURCE)
    return source, pipeline.build_notebook(source)


# Building runs a kernel (about a second each on a busy machine).
@pytest.mark.slow
def test_build_executes_every_cell_and_records_outputs(built):
    _, target = built
    notebook = nbformat.read(target, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2, 3]
    assert code[0].outputs[0]["text"] == "42\n"
    assert notebook.metadata.kernelspec.name == "python3"
    assert "execution" not in code[0].metadata


@pytest.mark.slow
def test_fresh_build_is_up_to_date(built):
    source, _ = built
    assert pipeline.pairing_problems(source) == []


@pytest.mark.slow
def test_pairing_detects_changed_source_metadata_and_order(built, tmp_path):
    source, target = built
    for edit, expected in [
        (lambda text: text.replace("6 * 7", "6 * 8"), "cell 2: source differs"),
        (lambda text: text.replace('tags=["exercise"]', ""), "cell 3: metadata differs"),
        (lambda text: text + "\n# %%\nprint(1)\n", "5 cells in 01_tiny.py, 4 in 01_tiny.ipynb"),
    ]:
        changed = tmp_path / source.name
        changed.write_text(edit(SOURCE))
        (tmp_path / target.name).write_bytes(target.read_bytes())
        problems = pipeline.pairing_problems(changed)
        assert any(expected in problem for problem in problems), problems
        assert "make notebooks" in problems[-1]


def test_pairing_detects_missing_and_unexecuted_notebooks(tmp_path):
    source = tmp_path / "02_x.py"
    source.write_text(SOURCE)
    assert "missing" in pipeline.pairing_problems(source)[0]
    nbformat.write(pipeline.read_source(source), pipeline.output_path(source))
    assert any("never executed" in problem for problem in pipeline.pairing_problems(source))


@pytest.mark.slow
def test_a_failing_notebook_names_the_cell_and_the_error(tmp_path):
    source = tmp_path / "03_broken.py"
    source.write_text("# %%\nx = 1\n\n# %%\n1 / 0\n")
    with pytest.raises(pipeline.NotebookError) as error:
        pipeline.build_notebook(source)
    message = str(error.value)
    assert "03_broken.py: code cell 2 of 2 raised" in message
    assert "ZeroDivisionError" in message and "make notebooks" in message
    assert not pipeline.output_path(source).exists()


def test_notebook_sources_only_lists_numbered_notebooks(tmp_path):
    for name in ("01_a.py", "helper.py", "10_b.py", "02_c.ipynb"):
        (tmp_path / name).write_text("")
    assert [path.name for path in pipeline.notebook_sources(tmp_path)] == ["01_a.py", "10_b.py"]
    with pytest.raises(pipeline.NotebookError, match="expected a directory"):
        pipeline.notebook_sources(tmp_path / "nope")


@pytest.mark.slow
def test_rebuilding_gives_the_same_file(built, tmp_path):
    source, target = built
    first = target.read_bytes()
    pipeline.build_notebook(source)
    assert target.read_bytes() == first
