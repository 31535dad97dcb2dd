"""The notebooks run elsewhere (issue 20): Colab links, the bootstrap first cell, the wheel's contents.

The slow test builds a wheel of the package here, installs it through notebook 00's own first cell
in a fresh virtual environment that sees every dependency but not ``dlcourse`` (offline:
``DLCOURSE_SOURCE`` points at the wheel), and runs that cell twice.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dlcourse.tooling import bootstrap, editions, pipeline
from dlcourse.tooling.course import load_course
from dlcourse.tooling.errors import BuildError

ROOT = pipeline.repository_root()
SOURCES = pipeline.notebook_sources()
REPOSITORY = load_course().repository
ENVIRONMENT_CHECK = ROOT / "notebooks" / "00_environment_check.py"


def ipynb_name(source: Path) -> str:
    return pipeline.output_path(source).name


# -- the snippet -------------------------------------------------------------------------------


def test_the_snippets_default_source_is_the_configured_repository():
    text = bootstrap.snippet()
    urls = re.findall(r'"(https://[^"]+)"', text)
    assert urls == [REPOSITORY]
    assert 'f"git+{repository}"' in text and '"DLCOURSE_SOURCE"' in text
    assert bootstrap.snippet("https://github.com/someone/fork/") != text
    assert '"https://github.com/someone/fork"' in bootstrap.snippet(
        "https://github.com/someone/fork/"
    )


def test_the_snippet_is_short_compiles_and_prints_one_line_only_when_installing():
    text = bootstrap.snippet()
    compile(text, "<snippet>", "exec")
    code = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(code) <= 9, code
    assert text.count("print(") == 1 and "(first run only)" in text
    # silent where the package is installed: everything it does is under the `if`
    assert text.split("\nif ", 1)[1].startswith('importlib.util.find_spec("dlcourse") is None:')
    # pip leaves installed packages alone (no --upgrade, no --force-reinstall): Colab keeps torch
    assert "--upgrade" not in text and "-U" not in text.split() and "force" not in text


def test_the_snippet_is_the_one_that_ruff_formats_and_accepts():
    """A notebook source with the snippet must stay `ruff check` and `ruff format` clean."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    text = bootstrap.snippet() + "import numpy as np\n\nprint(np.pi)\n"
    name = "--stdin-filename=notebooks/99_sample.py"
    checked = subprocess.run([ruff, "check", name, "-"], input=text, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = subprocess.run(
        [ruff, "format", name, "-"], input=text, capture_output=True, text=True
    )
    assert formatted.stdout == text


def test_without_snippet_leaves_the_cells_own_code():
    own = "import numpy as np\n\nseed_everything(0)\n"
    assert bootstrap.without_snippet(bootstrap.snippet() + own) == own
    assert bootstrap.without_snippet(own) == own


# -- the Colab link ----------------------------------------------------------------------------


def test_the_nbgitpuller_links_open_notebook_00_of_the_course_and_of_the_student_edition():
    course = bootstrap.nbgitpuller_url("https://hub.example.org/")
    assert course.startswith("https://hub.example.org/hub/user-redirect/git-pull?repo=https://")
    assert "&branch=main&targetPath=day3-deep-learning-foundations&" in course
    assert course.endswith(
        "urlpath=lab/tree/day3-deep-learning-foundations/notebooks/00_environment_check.ipynb"
    )
    student = bootstrap.nbgitpuller_url(student=True)
    assert "&branch=student&targetPath=day3-deep-learning-foundations-student&" in student
    assert student.endswith("-student/00_environment_check.ipynb")


def test_colab_urls_point_at_the_notebook_and_at_its_student_edition():
    owner_repo = "unipv-genomic-data-science/day3-deep-learning-foundations"
    assert bootstrap.github_path(REPOSITORY) == owner_repo == bootstrap.github_path()
    assert bootstrap.colab_url("03_gradient_descent.ipynb") == (
        f"https://colab.research.google.com/github/{owner_repo}/blob/main/notebooks/"
        "03_gradient_descent.ipynb"
    )
    assert bootstrap.colab_url("03_gradient_descent.ipynb", student=True) == (
        f"https://colab.research.google.com/github/{owner_repo}/blob/student/03_gradient_descent.ipynb"
    )
    assert bootstrap.github_path("https://github.com/a/b.git") == "a/b"


@pytest.mark.parametrize(
    "url", ["https://gitlab.com/a/b", "https://github.com/a", "http://github.com/a/b"]
)
def test_a_repository_colab_cannot_open_is_refused(url):
    with pytest.raises(BuildError, match=r"expected https://github.com/<owner>/<name>, got"):
        bootstrap.github_path(url)


def test_the_student_edition_points_its_colab_link_at_the_student_branch():
    link = bootstrap.colab_link("01_lesson.ipynb")
    other = "[elsewhere](https://colab.research.google.com/github/a/b/blob/dev/notebooks/x.ipynb)"
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 01 — Lesson"),
            new_markdown_cell(link),
            new_markdown_cell(other),
            new_code_cell(bootstrap.snippet() + "x = 1"),
        ]
    )
    student = editions.student_edition(notebook)
    assert student.cells[1].source == bootstrap.colab_link("01_lesson.ipynb", student=True)
    assert student.cells[2].source == other
    assert notebook.cells[1].source == link  # the course's notebook is left alone
    assert editions.core_edition(notebook).cells[1].source == link


# -- every notebook ----------------------------------------------------------------------------


def lesson(link: str, code: str, slide_type: str = "skip"):
    title = new_markdown_cell("# 01 — Lesson")
    badge = new_markdown_cell(link)
    badge.metadata["slideshow"] = {"slide_type": slide_type}
    return new_notebook(cells=[title, badge, new_code_cell(code)])


def test_the_check_catches_a_missing_link_a_wrong_one_a_visible_one_and_a_missing_snippet():
    name = "01_lesson.ipynb"
    good = lesson(bootstrap.colab_link(name), bootstrap.snippet() + "x = 1")
    assert bootstrap.problems(good, name) == []
    assert "cell 2: expected the Colab link" in bootstrap.problems(good, "02_other.ipynb")[0]
    assert "student" in bootstrap.problems(good, name, student=True)[0]
    visible = lesson(bootstrap.colab_link(name), bootstrap.snippet(), slide_type="slide")
    assert "expected slide type 'skip'" in bootstrap.problems(visible, name)[0]
    bare = lesson(bootstrap.colab_link(name), "x = 1")
    assert "bootstrap snippet" in bootstrap.problems(bare, name)[0]


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_every_notebook_has_its_colab_link_and_the_bootstrap_first(source):
    assert bootstrap.problems(pipeline.read_source(source), ipynb_name(source)) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_every_student_edition_links_to_the_student_branch(source):
    student = editions.student_edition(pipeline.read_source(source))
    assert bootstrap.problems(student, ipynb_name(source), student=True) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_nothing_a_notebook_runs_reads_a_repository_folder_by_a_relative_path(source):
    """Data comes with the package (or scikit-learn), so a notebook runs outside the checkout."""
    code = [cell.source for cell in pipeline.read_source(source).cells if cell.cell_type == "code"]
    found = re.findall(
        r"""["'](?:\.\.?/)*(?:data|notebooks|dlcourse)/[^"']*["']""", "\n".join(code)
    )
    assert not found, f"{source.name} reads repository files: {found}"


def test_the_student_library_reads_no_file_of_the_checkout():
    library = [
        path
        for path in (ROOT / "dlcourse").rglob("*.py")
        if "tooling" not in path.relative_to(ROOT).parts
    ]
    for path in library:
        text = path.read_text(encoding="utf-8")
        assert "repository_root" not in text and "../" not in text, path
        assert not re.search(r"""["'](?:data|notebooks)/""", text), path


def test_the_readme_gives_every_route_from_the_configured_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run it elsewhere: Colab, Binder, a university JupyterHub", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert bootstrap.colab_url("00_environment_check.ipynb") in section
    assert bootstrap.colab_url("00_environment_check.ipynb", student=True) in section
    assert bootstrap.binder_url() in readme  # the badge, at the top
    assert bootstrap.nbgitpuller_url() in section
    assert bootstrap.nbgitpuller_url(student=True) in section
    assert "environment.yml" in section


# -- the wheel and a fresh environment (offline) -------------------------------------------------


def build_wheel(out: Path) -> Path:
    """A wheel of the package, built offline from a copy of the checkout's package files."""
    tree = out / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "dlcourse", tree / "dlcourse", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    offline = ["--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *offline, "-w", str(out / "dist"), str(tree)],
        check=True,
        env=env,
        capture_output=True,
    )
    (wheel,) = (out / "dist").glob("dlcourse-*.whl")
    return wheel


def package_files() -> set[str]:
    """Every file of ``dlcourse/`` in the checkout (modules, templates, assets, the data)."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "dlcourse").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def fresh_environment(folder: Path) -> tuple[Path, Path]:
    """A venv that sees this environment's packages (torch, numpy, pip...) but not ``dlcourse``.

    Returns its interpreter and its own site-packages. The packages are reached through a folder of
    links to this environment's site-packages minus every ``dlcourse`` entry (the editable finder
    and its ``.pth`` included), named in a ``.pth`` file: nothing is copied or downloaded.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    own = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    shared = folder / "shared-site-packages"
    shared.mkdir()
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        name = entry.name.lower()
        if name.startswith(("dlcourse", "__editable__")) or entry.suffix == ".pth":
            continue
        (shared / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (own / "course-dependencies.pth").write_text(f"{shared}\n")
    return python, own


REPORT = """
import json, dlcourse
from dlcourse.data import check_breast_cancer_data
print(json.dumps({"dlcourse": dlcourse.__file__, "data": check_breast_cancer_data()}))
"""


@pytest.mark.slow
def test_the_first_cell_installs_the_wheel_once_in_a_fresh_environment(tmp_path):
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        carried = {name for name in archive.namelist() if name.startswith("dlcourse/")}
    assert package_files() <= carried, f"missing from the wheel: {package_files() - carried}"

    python, own = fresh_environment(tmp_path / "venv")
    probe = [python, "-c", "import importlib.util as u; print(u.find_spec('dlcourse'))"]
    assert subprocess.run(probe, capture_output=True, text=True, cwd=tmp_path).stdout == "None\n"
    notebook = pipeline.read_source(ENVIRONMENT_CHECK)
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    script = tmp_path / "first_cell.py"
    script.write_text(setup + "\n" + REPORT, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_", "DLCOURSE_"))
    }
    env |= {
        "DLCOURSE_SOURCE": str(wheel),
        "PIP_NO_INDEX": "1",  # offline: anything not already there would fail, not download
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
    }
    before = {path.name for path in own.iterdir()}

    def run() -> list[str]:
        done = subprocess.run(
            [python, script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stderr == "", done.stderr
        return done.stdout.splitlines()

    first = run()
    message = bootstrap.INSTALL_MESSAGE.format(source=wheel)
    assert first[:-1] == [message], first
    report = json.loads(first[-1])
    assert Path(report["dlcourse"]).is_relative_to(own) and report["data"] is True
    installed = {path.name for path in own.iterdir()} - before
    assert {name.split("-")[0] for name in installed} == {"dlcourse"}, installed  # nothing else

    second = run()
    assert second == first[-1:], second  # silent, and nothing installed again
    assert {path.name for path in own.iterdir()} - before == installed
