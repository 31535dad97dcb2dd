"""``python -m dlcourse bench``: wall time and peak memory of every notebook, as a student runs it.

Each notebook runs in its own child process (which starts the kernel), so the peak resident memory of
the kernel can be read from ``getrusage(RUSAGE_CHILDREN)`` in that child. Each notebook's *floor* is a
notebook made of its own first code cell (the imports and seeding) alone, measured in the same run, so
the ratio says what a notebook costs beyond starting a kernel and importing its libraries.

This is a benchmark, not a test: it prints a table and writes ``build/bench.json``; it never fails on
a slow figure. It does fail on a notebook that cannot run: every source is read before anything runs,
the output path is checked before the first notebook (:mod:`dlcourse.tooling.outputs`), and the
command exits non-zero when a notebook failed (its row says why, without terminal colour codes).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from dlcourse.tooling import pipeline
from dlcourse.tooling.outputs import check_file, write_json

COMMAND = "bench"


def _floor_notebook(source: Path) -> nbformat.NotebookNode:
    """A notebook holding only the first code cell of ``source`` (its imports and seeding)."""
    notebook = pipeline.read_source(source)
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells = [first_code]
    return notebook


def _measure(notebook_path: Path, cwd: Path) -> dict:
    """Run one notebook in a child process; return wall seconds, peak MiB and the error if any."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "dlcourse.tooling.bench", str(notebook_path), str(cwd)],
        capture_output=True,
        text=True,
    )
    wall_s = time.perf_counter() - start
    result = {"wall_s": round(wall_s, 2), "peak_mib": None, "error": None}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode == 0 and lines:
        result["peak_mib"] = round(float(lines[-1]), 1)
    else:
        stderr = pipeline.strip_ansi(completed.stderr).strip().splitlines()
        result["error"] = (stderr or ["failed"])[-1]
    return result


def _run_in_child(notebook_path: str, cwd: str) -> None:
    """Child side: execute the notebook, print the kernel's peak resident memory in MiB."""
    path = Path(notebook_path)
    if path.suffix == ".py":
        notebook = pipeline.read_source(path)
    else:
        notebook = nbformat.read(path, as_version=4)
    try:
        pipeline.execute(notebook, cwd=Path(cwd))
    except pipeline.NotebookError as error:
        sys.exit(f"{path.name}: {error}")
    # ru_maxrss is in KiB on Linux; the kernel is this process's only (waited-for) child.
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def run_benchmark(sources: list[Path], output: Path) -> dict:
    """Measure each notebook and its floor, then the scratch-vs-torch timing; write ``output``.

    Raises:
        NotebookError: a source cannot be read (checked for all before any runs).
        OutputError: ``output`` cannot be written (checked before any notebook runs).
    """
    if not sources:
        raise pipeline.NotebookError("bench: expected at least one notebook source, got none")
    for source in sources:
        pipeline.read_source(source)
    check_file(output, COMMAND)
    rows = []
    for source in sources:
        with tempfile.TemporaryDirectory() as tmp:
            floor_path = Path(tmp) / "floor.ipynb"
            nbformat.write(_floor_notebook(source), floor_path)
            floor = _measure(floor_path, source.parent)
        row = {"notebook": source.stem, **_measure(source, source.parent), "floor": floor}
        if floor["wall_s"]:
            row["time_ratio"] = round(row["wall_s"] / floor["wall_s"], 2)
        if row["peak_mib"] and floor["peak_mib"]:
            row["memory_ratio"] = round(row["peak_mib"] / floor["peak_mib"], 2)
        rows.append(row)
    report = {"notebooks": rows, "scratch_vs_torch": _scratch_vs_torch()}
    write_json(output, COMMAND, report)
    return report


def failures(report: dict) -> list[str]:
    """The notebooks of ``report`` that failed (the notebook or its floor)."""
    return [row["notebook"] for row in report["notebooks"] if row["error"] or row["floor"]["error"]]


def _scratch_vs_torch() -> dict:
    from dlcourse.tooling.bench_engine import benchmark_scratch_vs_torch

    return benchmark_scratch_vs_torch()


def format_report(report: dict) -> str:
    """The benchmark as a plain-text table."""
    lines = [
        f"{'notebook':<30} {'wall s':>7} {'floor s':>8} {'ratio':>6} "
        f"{'peak MiB':>9} {'floor MiB':>10} {'ratio':>6}"
    ]
    for row in report["notebooks"]:
        error = row["error"] or row["floor"]["error"]
        if error:
            lines.append(f"{row['notebook']:<30} FAILED: {error}")
            continue
        floor = row["floor"]
        lines.append(
            f"{row['notebook']:<30} {row['wall_s']:>7.2f} {_number(floor['wall_s'], 8)} "
            f"{_number(row.get('time_ratio'), 6)} {_number(row['peak_mib'], 9)} "
            f"{_number(floor['peak_mib'], 10)} {_number(row.get('memory_ratio'), 6)}"
        )
    lines.append("floor = the same notebook's first code cell alone (kernel start and imports)")
    speed = report.get("scratch_vs_torch")
    if speed:
        lines.append(
            f"\nMLP 30-64-64-1, batch 256, forward+backward: scratch {speed['scratch_ms']:.3f} ms, "
            f"torch {speed['torch_ms']:.3f} ms, ratio {speed['ratio']:.2f} (target <= 2)"
        )
    return "\n".join(lines)


def _number(value: float | None, width: int) -> str:
    return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"


if __name__ == "__main__":
    _run_in_child(*sys.argv[1:3])
