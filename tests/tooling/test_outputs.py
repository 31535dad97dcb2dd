"""Nothing lost (issue 19, "Data loss"): every command that writes checks its inputs and its output.

A command refuses an output folder holding files it did not create (the notebook sources above all),
never deletes what it did not make, and answers a bad ``--out`` with one ✗ line and exit code 1.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse.tooling import bench, cli, outputs, pipeline
from dlcourse.tooling.errors import OutputError

ROOT = pipeline.repository_root()
SOURCE = """# %% [markdown] slideshow={"slide_type": "slide"}
# # Tiny

# %% slideshow={"slide_type": "-"}
x = 6 * 7

# %% slideshow={"slide_type": "skip"} tags=["solution"]
y = x
"""
FOLDER_COMMANDS = ["student", "core", "slides"]
FILE_COMMANDS = ["bench", "budget"]
UNWRITABLE = Path("/proc/dlcourse-no-such-place")  # /proc takes no new entries, even from root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing changed)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def sources(tmp_path):
    """A notebooks folder as committed: a .py source and its executed .ipynb (made up, not run)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    source = folder / "01_tiny.py"
    source.write_text(SOURCE)
    executed = pipeline.read_source(source)
    for number, made in enumerate(c for c in executed.cells if c.cell_type == "code"):
        made.execution_count = number + 1
    nbformat.write(executed, pipeline.output_path(source))
    return folder


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["student", "core"])
def test_an_edition_refuses_to_overwrite_the_notebooks(command, sources, capsys):
    before = snapshot(sources)
    code, out, err = run(capsys, command, "--out", str(sources), str(sources / "01_tiny.py"))
    assert code == 1 and out == ""
    assert err.startswith(f"✗ {command} --out: expected a folder apart from the inputs")
    assert snapshot(sources) == before


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_a_folder_holding_files_the_command_did_not_create_is_refused(command, sources, capsys):
    out = sources.parent / "somewhere"
    (out / "assets").mkdir(parents=True)
    (out / "assets" / "mine.css").write_text("keep me")
    (out / "index.html").write_text("my own page")
    before = snapshot(out)
    code, _, err = run(capsys, command, "--out", str(out), str(sources / "01_tiny.py"))
    assert code == 1 and "which holds 2 entries it did not create" in err
    assert "Traceback" not in err
    assert snapshot(out) == before


def test_a_folder_another_command_wrote_is_refused(sources, capsys):
    out = sources.parent / "student"
    assert run(capsys, "student", "--out", str(out), str(sources / "01_tiny.py"))[0] == 0
    code, _, err = run(capsys, "core", "--out", str(out), str(sources / "01_tiny.py"))
    assert code == 1 and "which `python -m dlcourse student` wrote" in err


@pytest.mark.parametrize("command", FOLDER_COMMANDS + FILE_COMMANDS)
@pytest.mark.parametrize("kind", ["file", "under a file", "unwritable"])
def test_a_bad_out_path_is_one_line_and_exit_code_one(command, kind, sources, capsys):
    blocker = sources.parent / "a-file.txt"
    blocker.write_text("not a folder")
    out = {
        "file": blocker if command in FOLDER_COMMANDS else sources.parent,
        "under a file": blocker / "sub" / ("report.json" if command in FILE_COMMANDS else "out"),
        "unwritable": UNWRITABLE / ("report.json" if command in FILE_COMMANDS else "out"),
    }[kind]
    before = snapshot(sources.parent)
    code, _, err = run(capsys, command, "--out", str(out), str(sources / "01_tiny.py"))
    assert code == 1
    assert err.startswith(f"✗ {command} --out: expected ") and err.count("\n") == 1, err
    assert snapshot(sources.parent) == before


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_report_overwrites_only_a_report_it_wrote(command, sources, capsys):
    notes = sources / "notes.json"
    notes.write_text('{"mine": true}')
    code, _, err = run(capsys, command, "--out", str(notes), str(sources / "01_tiny.py"))
    assert code == 1 and "which it did not write" in err
    assert notes.read_text() == '{"mine": true}'
    source = sources / "01_tiny.py"
    code, _, err = run(capsys, command, "--out", str(source), str(source))
    assert code == 1 and "expected a .json file path" in err
    assert source.read_text() == SOURCE


@pytest.mark.parametrize("command", ["student", "core", "bench", "budget"])
def test_inputs_are_checked_before_the_output_is_touched(command, sources, capsys, monkeypatch):
    monkeypatch.setattr(bench, "_measure", lambda *_: pytest.fail("a notebook ran"))
    out = sources.parent / ("out.json" if command in FILE_COMMANDS else "out")
    missing = sources / "02_missing.py"
    code, _, err = run(
        capsys, command, "--out", str(out), str(sources / "01_tiny.py"), str(missing)
    )
    assert code == 1 and "expected an existing .py file" in err
    assert not out.exists()


def test_bench_checks_its_output_before_running_any_notebook(sources, capsys, monkeypatch):
    monkeypatch.setattr(bench, "_measure", lambda *_: pytest.fail("a notebook ran"))
    code, _, err = run(capsys, "bench", "--out", str(sources), str(sources / "01_tiny.py"))
    assert code == 1 and "expected a .json file path, got the folder" in err


def fake_measure(notebook_path, cwd):
    failed = "floor" not in Path(notebook_path).name
    error = "\x1b[0;31mValueError\x1b[0m: boom" if failed else None
    return {"wall_s": 1.0, "peak_mib": None if failed else 100.0, "error": error}


def test_bench_exits_non_zero_when_a_notebook_fails(sources, capsys, monkeypatch):
    monkeypatch.setattr(bench, "_measure", fake_measure)
    monkeypatch.setattr(bench, "_scratch_vs_torch", lambda: None)
    out = sources.parent / "bench.json"
    code, printed, err = run(capsys, "bench", "--out", str(out), str(sources / "01_tiny.py"))
    assert code == 1 and "FAILED" in printed and "✗ 1 notebook(s) failed: 01_tiny" in err
    assert json.loads(out.read_text())["notebooks"][0]["notebook"] == "01_tiny"


@pytest.mark.slow
def test_bench_stores_no_terminal_colour_codes(sources):
    source = sources / "02_broken.py"
    source.write_text("# %%\nimport math\n\n# %%\nraise ValueError('boom')\n")
    result = bench._measure(source, sources)
    assert "ValueError" in result["error"] and "boom" in result["error"]
    assert "\x1b" not in result["error"]


def test_a_rebuild_replaces_only_what_the_command_created(sources, capsys):
    out = sources.parent / "student"
    first, second = sources / "01_tiny.py", sources / "02_other.py"
    shutil.copy(first, second)
    assert run(capsys, "student", "--out", str(out), str(first), str(second))[0] == 0
    companions = ["GLOSSARY.md", "README.md"]  # the student edition's glossary and README
    assert sorted(path.name for path in out.iterdir()) == [
        outputs.MARKER,
        "01_tiny.ipynb",
        "02_other.ipynb",
        *companions,
    ]
    assert run(capsys, "student", "--out", str(out), str(first))[0] == 0
    assert sorted(path.name for path in out.iterdir()) == [
        outputs.MARKER,
        "01_tiny.ipynb",
        *companions,
    ]
    (out / "my-answers.ipynb").write_text("{}")
    code, _, err = run(capsys, "student", "--out", str(out), str(first))
    assert code == 1 and "'my-answers.ipynb'" in err
    assert (out / "my-answers.ipynb").read_text() == "{}"


@pytest.mark.slow
def test_a_failing_slide_build_leaves_the_previous_build_alone(sources, capsys):
    out = sources.parent / "slides"
    assert run(capsys, "slides", "--out", str(out), str(sources / "01_tiny.ipynb"))[0] == 0
    before = snapshot(out)
    assert "index.html" in before and any(name.startswith("assets/") for name in before)
    missing = sources / "07_missing.py"
    missing.write_text("# %%\n")
    code, _, err = run(
        capsys, "slides", "--out", str(out), str(sources / "01_tiny.ipynb"), str(missing)
    )
    assert code == 1 and "make notebooks" in err
    assert snapshot(out) == before


def test_check_folder_accepts_new_empty_and_own_folders(tmp_path):
    assert outputs.check_folder(tmp_path / "new" / "deeper", "student") == tmp_path / "new/deeper"
    (tmp_path / "empty").mkdir()
    assert outputs.check_folder(tmp_path / "empty", "student") == tmp_path / "empty"
    with outputs.OutputFolder(tmp_path / "own", "student") as folder:
        (folder / "01.ipynb").write_text("{}")
    marker = json.loads((folder / outputs.MARKER).read_text())
    assert marker == {"generated_by": "python -m dlcourse student", "entries": ["01.ipynb"]}
    assert outputs.check_folder(folder, "student") == folder
    with pytest.raises(OutputError, match="expected a folder, got the file"):
        outputs.check_folder(folder / "01.ipynb", "student")


@pytest.mark.slow
def test_the_real_notebooks_folder_is_refused_without_a_traceback():
    """`python -m dlcourse student --out notebooks` once overwrote the committed notebooks."""
    notebooks = ROOT / "notebooks"
    # The executed notebooks are what the student edition would overwrite.
    before = {name: data for name, data in snapshot(notebooks).items() if name.endswith(".ipynb")}
    result = subprocess.run(
        [sys.executable, "-m", "dlcourse", "student", "--out", "notebooks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1 and result.stderr.startswith("✗ student --out: expected")
    assert "Traceback" not in result.stderr
    assert {name: snapshot(notebooks)[name] for name in before} == before
