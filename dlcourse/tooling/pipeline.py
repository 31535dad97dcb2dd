"""The notebook pipeline: percent ``.py`` source -> executed ``.ipynb``, and the check that they agree.

The ``.py`` file (jupytext percent format) is the source of truth. ``build_notebook`` reads it, runs it
in a fresh kernel of the current environment and writes the ``.ipynb`` with its outputs. Direction is
always ``.py`` -> ``.ipynb``; modification times are never consulted.

``pairing_problems`` compares a committed ``.ipynb`` with its ``.py``: cell types, sources, metadata
and order must match and every code cell must have been executed.

The editions made from a source (student, core) are in :mod:`dlcourse.tooling.editions`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from dlcourse.tooling.errors import NotebookError

NOTEBOOK_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+\.py$")
KERNEL_NAME = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
# Keys that execution or a front end adds to a cell; they say nothing about the source.
VOLATILE_CELL_METADATA = frozenset({"execution", "ExecuteTime", "collapsed", "scrolled", "trusted"})
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXECUTION_TIMEOUT_S = 600
# Terminal colour codes (IPython colours its tracebacks): kept out of messages and reports.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes."""
    return ANSI_ESCAPE.sub("", text)


def repository_root() -> Path:
    """The folder holding ``pyproject.toml`` and ``notebooks/`` (the checkout's top level)."""
    return Path(__file__).resolve().parents[2]


def notebook_sources(folder: Path | None = None) -> list[Path]:
    """The course's notebook sources ``NN_topic.py`` in ``folder`` (default ``notebooks/``), sorted."""
    folder = Path(folder) if folder is not None else repository_root() / "notebooks"
    if not folder.is_dir():
        raise NotebookError(f"notebook folder: expected a directory, got {folder} (not found)")
    return sorted(path for path in folder.glob("*.py") if NOTEBOOK_PATTERN.match(path.name))


def read_source(source: Path) -> nbformat.NotebookNode:
    """Read a percent ``.py`` source into a notebook (no outputs), with the course's kernelspec."""
    source = Path(source)
    if source.suffix != ".py" or not source.is_file():
        raise NotebookError(f"notebook source: expected an existing .py file, got {source}")
    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    # nbformat draws random cell ids; numbered ones keep rebuilt notebooks byte-for-byte stable.
    for index, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{index:03d}"
    return notebook


def _clean_outputs(notebook: nbformat.NotebookNode) -> None:
    """Drop what differs between runs although the computation is the same (widget model ids)."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and WIDGET_MIME in data:
                del data[WIDGET_MIME]


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in a fresh kernel started from this Python, in folder ``cwd``.

    Raises:
        NotebookError: a cell raised; the message names the cell and the error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # Explorations (dlcourse.explore) render one static figure in an executed notebook.
    os.environ.setdefault("DLCOURSE_STATIC", "1")

    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=EXECUTION_TIMEOUT_S,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(cwd)}},
        # ipykernel warns on every start that local TCP is unencrypted; only errors matter here.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise NotebookError(_describe_failure(notebook, error)) from None
    _clean_outputs(notebook)
    return notebook


def _describe_failure(notebook: nbformat.NotebookNode, error: Exception) -> str:
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    failed = next(
        (
            index
            for index, cell in enumerate(code_cells)
            if any(output.get("output_type") == "error" for output in cell.get("outputs", []))
        ),
        None,
    )
    where = f"code cell {failed + 1} of {len(code_cells)}" if failed is not None else "a cell"
    summary = strip_ansi(str(error)).strip().splitlines()
    last = summary[-1] if summary else type(error).__name__
    return f"{where} raised: {last}"


def output_path(source: Path) -> Path:
    """The executed notebook that belongs to a ``.py`` source."""
    return Path(source).with_suffix(".ipynb")


def build_notebook(source: Path) -> Path:
    """Execute the ``.py`` source and write its ``.ipynb`` beside it; return the ``.ipynb`` path."""
    source = Path(source)
    notebook = read_source(source)
    try:
        execute(notebook, cwd=source.parent)
    except NotebookError as error:
        raise NotebookError(
            f"{source.name}: {error}. Fix the .py source and run `make notebooks` again."
        ) from None
    target = output_path(source)
    nbformat.write(notebook, target)
    return target


@dataclass(frozen=True)
class CellView:
    """What of a cell the pairing check compares."""

    cell_type: str
    source: str
    metadata: dict


def _cell_views(notebook: nbformat.NotebookNode) -> list[CellView]:
    views = []
    for cell in notebook.cells:
        metadata = {
            key: value
            for key, value in cell.get("metadata", {}).items()
            if key not in VOLATILE_CELL_METADATA
        }
        views.append(CellView(cell.cell_type, cell.source, metadata))
    return views


def pairing_problems(source: Path) -> list[str]:
    """Differences between a ``.py`` source and its committed ``.ipynb``; empty when up to date."""
    source = Path(source)
    target = output_path(source)
    if not target.is_file():
        return [f"{target.name} is missing: run `make notebooks`"]
    expected = _cell_views(read_source(source))
    committed = nbformat.read(target, as_version=4)
    actual = _cell_views(committed)
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{len(expected)} cells in {source.name}, {len(actual)} in {target.name}")
    for index, (want, have) in enumerate(zip(expected, actual, strict=False), start=1):
        for field in ("cell_type", "source", "metadata"):
            if getattr(want, field) != getattr(have, field):
                problems.append(f"cell {index}: {field} differs")
    for index, cell in enumerate(committed.cells, start=1):
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None:
            problems.append(f"cell {index}: code cell was never executed")
    if problems:
        problems.append(f"rebuild it: make notebooks NOTEBOOKS={source.as_posix()}")
    return [f"{target.name}: {problem}" for problem in problems]
