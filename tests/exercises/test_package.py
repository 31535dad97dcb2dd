"""The contract every check keeps, and the package's layout.

Each check: is documented, accepts the solution its notebook ships, reports a stub as not
implemented, tells a forgotten ``return`` apart from a stub, survives ``sys.exit()``, an endless
loop and any junk answer without raising. Each topic module imports only the engine.
"""

import ast
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest

from dlcourse import exercises
from dlcourse.exercises import core

from .conftest import (
    ALL_CHECKS,
    assert_not_implemented,
    assert_passes,
    assert_rejected,
    notebook_solution,
    run,
)

VALUE_CHECKS = {"check_xor_network"}  # takes the answer's values, not code
CLASS_CHECKS = {"check_dna_dataset"}  # takes a class
FUNCTION_CHECKS = [name for name in ALL_CHECKS if name not in VALUE_CHECKS | CLASS_CHECKS]
PACKAGE = Path(exercises.__file__).parent
TOPICS = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "core"))


def _arity(check):
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = inspect.signature(check).parameters.values()
    return sum(p.kind in kinds and p.default is inspect.Parameter.empty for p in parameters)


# The training-loop check trains small models: seconds per call, so `make unit` skips it.
SLOW_CHECKS = {"check_fit_early_stopping"}


def _marked(names):
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_CHECKS else n for n in names]


@pytest.mark.parametrize("name", _marked(ALL_CHECKS))
def test_every_check_accepts_its_notebook_solution(capsys, name):
    assert_passes(capsys, getattr(exercises, name), *notebook_solution(name))


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_every_check_is_documented_and_reports_stubs(capsys, name):
    check = getattr(exercises, name)
    assert check.__doc__, f"{name} has no docstring"
    assert_not_implemented(capsys, check, *[None] * _arity(check))
    assert_not_implemented(capsys, check, *[...] * _arity(check))


def stub(*args):
    # YOUR CODE HERE
    return None


def forgot_return(*args):
    len(args)


def exits(*args):
    sys.exit()


def endless(*args):
    while True:
        pass


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_every_function_check_tells_a_stub_from_a_forgotten_return(capsys, name):
    check = getattr(exercises, name)
    assert_not_implemented(capsys, check, stub)
    assert_rejected(capsys, check, forgot_return, "did you forget `return`?")


@pytest.mark.parametrize("name", _marked(FUNCTION_CHECKS))
def test_every_function_check_survives_exit_and_endless_loops(capsys, monkeypatch, name):
    check = getattr(exercises, name)
    assert_rejected(capsys, check, exits, "sys.exit()")
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.1)
    assert_rejected(capsys, check, endless, "stopped after")


def broken(*args, **kwargs):
    raise KeyError("oops")


def returns_text(*args, **kwargs):
    return "text"


def returns_wrong_shape(*args, **kwargs):
    return np.zeros(7)


@pytest.mark.parametrize("name", ALL_CHECKS)
@pytest.mark.parametrize(
    "answer", [broken, returns_text, returns_wrong_shape, lambda: 0.0, 42, "text", [1, [2, 3]]]
)
def test_no_check_raises_or_passes_junk(capsys, name, answer):
    check = getattr(exercises, name)
    result, line = run(capsys, check, *[answer] * _arity(check))
    assert not result and line.startswith("✗ "), line
    what = line[2:].split(":")[0]
    assert what and what != "function"  # labelled with the exercise


def test_the_package_exports_every_topic_check_once():
    exported = {name for name in exercises.__all__ if name.startswith("check_")}
    from_topics = set()
    for topic in TOPICS:
        module = __import__(f"dlcourse.exercises.{topic}", fromlist=["__all__"])
        assert set(module.__all__).isdisjoint(from_topics), topic
        from_topics |= set(module.__all__)
        for name in module.__all__:
            assert getattr(exercises, name) is getattr(module, name)
    checks = {name for name in from_topics if name.startswith("check_")}
    assert checks == exported - {"check_close", "check_function"}
    assert set(TOPICS) == {
        "neuron",
        "forward_pass",
        "gradient_descent",
        "backpropagation",
        "activations",
        "losses",
        "regularization",
        "pytorch",
        "metrics",
        "practical",
    }
    for topic in TOPICS:  # the package docstring describes the layout
        assert f"``{topic}``" in exercises.__doc__


@pytest.mark.parametrize("topic", TOPICS)
def test_a_topic_module_imports_only_the_engine(topic):
    tree = ast.parse((PACKAGE / f"{topic}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module.startswith("dlcourse.exercises"):
            package_import = node.module == "dlcourse.exercises"
            imported |= (
                {f"{node.module}.{a.name}" for a in node.names} if package_import else {node.module}
            )
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names if a.name.startswith("dlcourse.exercises")}
    assert imported == {"dlcourse.exercises.core"}


def test_no_check_exports_a_writeable_array():
    for topic in [*TOPICS, "core"]:
        module = sys.modules[f"dlcourse.exercises.{topic}"]
        for name in module.__all__:
            assert not isinstance(getattr(module, name), np.ndarray), f"{topic}.{name}"
    assert not hasattr(exercises, "XOR_INPUTS")  # dead code removed: no notebook used it
