"""Run the notebooks where a student already is: Colab, Binder, a university JupyterHub.

Two things every notebook carries, defined once here and checked over every notebook by
``tests/test_bootstrap.py``:

- the **bootstrap snippet**, the top of the first code cell (the setup cell). Where ``dlcourse`` is
  importable it does nothing and prints nothing, so committed outputs and nbval are unchanged.
  Where it is not (Colab, a fresh hub), it prints one line and pip-installs the course package
  from ``$DLCOURSE_SOURCE`` (a local checkout or wheel: the offline test) or, by default,
  ``git+<repository>`` (``repository`` in ``course.toml``). pip leaves what is already installed
  alone: Colab keeps its own torch, numpy, matplotlib, seaborn, scikit-learn and ipywidgets.
- the **Colab link**, a Markdown cell right after the title cell (slide type ``skip``, so no deck
  shows it): ``[Open in Colab](https://colab.research.google.com/github/<owner>/<repo>/blob/main/
  notebooks/NN_topic.ipynb)``. A text link, not the badge image, so the rendered notebooks stay
  offline. The student edition points it at its own copy: the ``student`` branch, which
  ``.github/workflows/pages.yml`` writes from ``build/student/`` on every push to ``main``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlencode, urlsplit

import nbformat

from dlcourse.tooling.course import load_course
from dlcourse.tooling.errors import BuildError

SOURCE_ENV_VAR = "DLCOURSE_SOURCE"
SOURCE_BRANCH = "main"
#: The branch the student edition is published to, its notebooks at the top level.
STUDENT_BRANCH = "student"
NOTEBOOK_FOLDER = "notebooks"
COLAB = "https://colab.research.google.com/github"
BINDER = "https://mybinder.org/v2/gh"
LINK_TEXT = "Open in Colab"
# What the snippet prints before it installs (with the source filled in).
INSTALL_MESSAGE = "Installing the course package from {source} (first run only)"

SNIPPET_TEMPLATE = """\
# Colab or a fresh JupyterHub: install the course package on first run (silent where installed)
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("dlcourse") is None:
    repository = "{repository}"
    source = os.environ.get("{env}", f"git+{{repository}}")
    print(f"{message}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-qq", source], check=True)
"""


def repository_url(repository: str | None = None) -> str:
    """The course repository's URL: ``repository`` or, by default, ``course.toml``'s."""
    return (repository or load_course().repository).rstrip("/")


def github_path(repository: str | None = None) -> str:
    """``owner/name`` of a GitHub repository URL (``https://github.com/owner/name[.git]``).

    Raises:
        BuildError: the URL is not a GitHub repository's.
    """
    url = repository_url(repository)
    parts = urlsplit(url)
    path = PurePosixPath(parts.path.removesuffix(".git")).parts[1:]
    if parts.scheme != "https" or parts.netloc != "github.com" or len(path) != 2:
        raise BuildError(
            f"course repository: expected https://github.com/<owner>/<name>, got {url!r}"
        )
    return "/".join(path)


def snippet(repository: str | None = None) -> str:
    """The bootstrap snippet, ending with a blank line, for ``repository`` (default: the course's)."""
    return (
        SNIPPET_TEMPLATE.format(
            repository=repository_url(repository), env=SOURCE_ENV_VAR, message=INSTALL_MESSAGE
        )
        + "\n"
    )


def without_snippet(source: str, repository: str | None = None) -> str:
    """``source`` (a code cell) without its leading bootstrap snippet: the cell's own code.

    What the budget should count of a setup cell (the snippet is plumbing no slide shows).
    """
    if not source.startswith(SNIPPET_TEMPLATE.partition("{repository}")[0]):
        return source  # most cells: no need to read the course config
    head = snippet(repository)
    return source[len(head) :] if source.startswith(head) else source


def colab_url(name: str, *, student: bool = False, repository: str | None = None) -> str:
    """The Colab address of notebook ``name`` (``NN_topic.ipynb``), or of its student edition."""
    where = f"{STUDENT_BRANCH}/{name}" if student else f"{SOURCE_BRANCH}/{NOTEBOOK_FOLDER}/{name}"
    return f"{COLAB}/{github_path(repository)}/blob/{where}"


def colab_link(name: str, *, student: bool = False, repository: str | None = None) -> str:
    """The Markdown source of the Colab link cell of notebook ``name``."""
    return f"[{LINK_TEXT}]({colab_url(name, student=student, repository=repository)})"


def binder_url(
    path: str = "notebooks/00_environment_check.ipynb", repository: str | None = None
) -> str:
    """The mybinder.org address that builds the repository and opens ``path`` in JupyterLab."""
    return f"{BINDER}/{github_path(repository)}/HEAD?urlpath=lab/tree/{path}"


def nbgitpuller_url(
    hub: str = "https://<your-hub>", *, student: bool = False, repository: str | None = None
) -> str:
    """The nbgitpuller link that pulls the course (or its student edition) into a hub's home.

    The course lands in ``~/<repo>/`` and opens ``notebooks/00_environment_check.ipynb``; the
    student edition lands in ``~/<repo>-student/`` (so both can coexist) and opens its notebook 00.
    """
    name = github_path(repository).split("/")[1]
    target = f"{name}-student" if student else name
    first = (
        "00_environment_check.ipynb" if student else f"{NOTEBOOK_FOLDER}/00_environment_check.ipynb"
    )
    query = {
        "repo": repository_url(repository),
        "branch": STUDENT_BRANCH if student else SOURCE_BRANCH,
        "targetPath": target,
        "urlpath": f"lab/tree/{target}/{first}",
    }
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?" + urlencode(query, safe="/:")


_SOURCE_LINK = re.compile(
    rf"({re.escape(COLAB)}/[\w.-]+/[\w.-]+/blob/){SOURCE_BRANCH}/{NOTEBOOK_FOLDER}/"
    r"(\d\d_\w+\.ipynb)"
)


def to_student_links(markdown: str) -> str:
    """``markdown`` with every Colab link to a course notebook pointed at its student edition."""
    return _SOURCE_LINK.sub(rf"\g<1>{STUDENT_BRANCH}/\g<2>", markdown)


def _slide_type(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def problems(
    notebook: nbformat.NotebookNode,
    name: str,
    *,
    student: bool = False,
    repository: str | None = None,
) -> list[str]:
    """What ``notebook`` (file ``name``, e.g. ``03_gradient_descent.ipynb``) lacks to run elsewhere.

    Checks: cell 2 is the Colab link (alone, slide type ``skip``) to ``name`` on the source branch
    (``student``: on the student branch); the first code cell starts with :func:`snippet`.
    An empty list means the notebook is ready.
    """
    found = []
    cells = notebook.cells
    link = colab_link(name, student=student, repository=repository)
    second = cells[1] if len(cells) > 1 else None
    if second is None or second.cell_type != "markdown" or second.source.strip() != link:
        got = "nothing" if second is None else repr(second.source[:120])
        found.append(f"cell 2: expected the Colab link {link}, got {got}")
    elif _slide_type(second) != "skip":
        found.append(
            f"cell 2 (Colab link): expected slide type 'skip', got {_slide_type(second)!r}"
        )
    code = next((cell for cell in cells if cell.cell_type == "code"), None)
    if code is None or not code.source.startswith(snippet(repository)):
        got = "no code cell" if code is None else repr(code.source[:120])
        found.append(f"first code cell: expected to start with the bootstrap snippet, got {got}")
    return found
