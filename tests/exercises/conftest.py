"""Shared helpers of the exercise-check tests: call a check, assert its verdict, read solutions.

Solutions are not copied here: :func:`notebook_solution` reads the notebook's ``solution`` cell that
calls a check and returns the arguments that cell passes to it, so a test always exercises the
answer the notebook ships.
"""

from __future__ import annotations

import ast
import functools
import importlib
import warnings
from pathlib import Path

from dlcourse import exercises

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Every self-check a notebook can import (the engine's generic helpers excluded).
ALL_CHECKS = sorted(
    name
    for name in exercises.__all__
    if name.startswith("check_") and name not in ("check_close", "check_function")
)


def run(capsys, check, *args, **options):
    """Call ``check(*args, **options)``; return its result and the single line it printed.

    The check must print exactly one line and leak no warning (warnings are errors here).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check(*args, **options)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert lines[0] == result.message
    return result, lines[0]


def assert_passes(capsys, check, *args, **options):
    """The check accepts ``args``: a truthy result and a ✓ line."""
    result, line = run(capsys, check, *args, **options)
    assert result and result.passed and line.startswith("✓ "), line
    return line


def assert_rejected(capsys, check, answer, *fragments, **options):
    """The check rejects ``answer``: a falsy result and a ✗ line holding every fragment."""
    result, line = run(capsys, check, answer, **options)
    assert not result and result.status == "failed" and line.startswith("✗ "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def assert_not_implemented(capsys, check, *args):
    """The check reports ``args`` as an untouched stub: a falsy result and a … line."""
    result, line = run(capsys, check, *args)
    assert not result and line.startswith("… ") and line.endswith("not implemented yet"), line
    return line


def _read_source():
    """``read_source`` of the course's notebook pipeline, wherever the build tooling keeps it."""
    for module in ("dlcourse.build.pipeline", "dlcourse.tooling.pipeline", "dlcourse.pipeline"):
        try:
            return importlib.import_module(module).read_source
        except ImportError:
            continue
    raise ImportError("dlcourse's notebook pipeline (read_source) was not found")


def _check_call(statement: ast.stmt) -> ast.Call | None:
    """The ``check_…(…)`` call of ``check_…(…)`` or ``assert check_…(…)``, else None."""
    node = statement.value if isinstance(statement, ast.Expr) else None
    if isinstance(statement, ast.Assert):
        node = statement.test
    is_check = (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("check_")
    )
    return node if is_check else None


def _definitions(tree: ast.Module, call: ast.Call) -> list[ast.stmt]:
    """The statements of a solution cell that define its answer.

    Its functions and classes, and the assignments to the names passed to the check; the rest of
    the cell may use notebook state.
    """
    passed = {arg.id for arg in call.args if isinstance(arg, ast.Name)}
    return [
        statement
        for statement in tree.body
        if isinstance(statement, (ast.FunctionDef, ast.ClassDef))
        or (
            isinstance(statement, ast.Assign)
            and {t.id for t in statement.targets if isinstance(t, ast.Name)} & passed
        )
    ]


@functools.cache
def _solutions() -> dict[str, tuple[str, list[ast.stmt], ast.Call]]:
    """Per check: the notebook, its imports with the solution's definitions, and the check call."""
    read_source = _read_source()
    found = {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        cells = [cell for cell in read_source(path).cells if cell.cell_type == "code"]
        trees = []
        for cell in cells:
            try:
                trees.append((cell, ast.parse(cell.source)))
            except SyntaxError:  # a cell with IPython magics holds no solution
                continue
        imports = [
            statement
            for _, tree in trees
            for statement in tree.body
            if isinstance(statement, (ast.Import, ast.ImportFrom))
        ]
        for cell, tree in trees:
            if "solution" not in cell.metadata.get("tags", []):
                continue
            calls = [call for call in map(_check_call, tree.body) if call is not None]
            for call in calls:
                found.setdefault(
                    call.func.id, (path.name, imports + _definitions(tree, call), call)
                )
    return found


def notebook_solution(check_name: str) -> tuple:
    """The arguments that the notebooks' solution cell passes to ``check_name``.

    The cell's definitions (see :func:`_definitions`) run in a fresh namespace holding the
    notebook's imports (nothing else of the notebook), then the call's arguments are evaluated
    there.
    """
    solutions = _solutions()
    assert check_name in solutions, f"no notebook has a solution cell calling {check_name}"
    notebook, statements, call = solutions[check_name]
    namespace: dict = {"__name__": f"solution_of_{check_name}"}
    exec(compile(ast.Module(statements, type_ignores=[]), notebook, "exec"), namespace)
    return tuple(
        eval(compile(ast.Expression(arg), notebook, "eval"), namespace) for arg in call.args
    )


def solution(check_name: str):
    """The single answer (a function or a class) of the notebooks' solution to ``check_name``."""
    (answer,) = notebook_solution(check_name)
    return answer
