"""Tests of the self-check engine, dlcourse.exercises.core.

What one check line looks like and how it displays; stubs against forgotten returns; comparisons
with tolerances; and the guards around the student's code: deep copies, arguments changed in
place, read-only cases, the time limit (signal and thread), sys.exit(), tensors as answers.
"""

import sys
import threading
import time

import numpy as np
import pytest
import torch

from dlcourse.exercises import core
from dlcourse.exercises.core import Case, CheckResult, check_close, check_function, compare

from .conftest import assert_not_implemented, assert_passes, assert_rejected, run

CASES = [Case("x = [1, 2]", (np.array([1.0, 2.0]),)), Case("x = 3", (3.0,))]


def double(x):
    return 2 * np.asarray(x)


def check_double(fn, **options):
    """A small check built like the course's: double its input."""
    return check_function(fn, "double", CASES, double, "Multiply by 2.", **options)


# ---------------------------------------------------------------------------------------------
# The result: one line, truthy only when passed, displayed as nothing in IPython
# ---------------------------------------------------------------------------------------------


def test_report_and_not_implemented_print_one_line_each(capsys):
    results = [core.report(True, "shapes", ""), core.report(False, "shapes", "expected (3,)")]
    results.append(core.not_implemented("task"))
    assert capsys.readouterr().out.splitlines() == [
        "✓ shapes",
        "✗ shapes: expected (3,)",
        "… task: not implemented yet",
    ]
    assert [bool(r) for r in results] == [True, False, False]
    assert [r.status for r in results] == ["passed", "failed", "not implemented"]
    assert str(results[1]) == "✗ shapes: expected (3,)"
    assert "✗ shapes" in repr(results[1])  # readable in a pytest failure


def test_a_result_displays_nothing_in_ipython():
    from IPython.core.formatters import DisplayFormatter

    data, metadata = DisplayFormatter().format(CheckResult("failed", "✗ x: hint"))
    assert data == {} and metadata == {}


def _kernel_outputs(cells):
    """The outputs of each code cell run in a fresh Jupyter kernel."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return [cell.outputs for cell in notebook.cells]


@pytest.mark.slow
def test_a_notebook_cell_shows_the_line_exactly_once():
    setup = (
        "import numpy as np\nfrom dlcourse.exercises import check_sigmoid\n"
        "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))"
    )
    last, asserted, middle, wrong = _kernel_outputs(
        [
            setup,
            "check_sigmoid(sigmoid)",
            "assert check_sigmoid(sigmoid)",
            "check_sigmoid(sigmoid)\nx = 1",
            "check_sigmoid(lambda z: z)",
        ]
    )[1:]
    for outputs, mark in ((last, "✓"), (asserted, "✓"), (middle, "✓"), (wrong, "✗")):
        assert [output.output_type for output in outputs] == ["stream"], outputs
        lines = outputs[0].text.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{mark} sigmoid"), lines


# ---------------------------------------------------------------------------------------------
# Stubs and forgotten returns
# ---------------------------------------------------------------------------------------------


def stub_none(x):
    # YOUR CODE HERE
    return None


def stub_ellipsis(x): ...


def stub_pass(x):
    """A docstring does not make a stub real."""
    pass


def stub_raising(x):
    raise NotImplementedError("write me")


def stub_pair(x):
    return None, None


@pytest.mark.parametrize(
    "answer",
    [None, ..., stub_none, stub_ellipsis, stub_pass, stub_raising, stub_pair, lambda x: None],
)
def test_untouched_stubs_are_not_implemented_yet(capsys, answer):
    assert_not_implemented(capsys, check_double, answer)


def forgot_return(x):
    x * 2


def in_place_without_return(x):
    x *= 2


@pytest.mark.parametrize("answer", [forgot_return, in_place_without_return])
def test_a_body_that_returns_none_forgot_its_return(capsys, answer):
    line = assert_rejected(capsys, check_double, answer, "did you forget `return`?")
    assert "x = [1, 2]" in line and "not implemented" not in line


def test_is_stub_code_on_classes_and_other_callables():
    class Stub:
        def __init__(self, data):
            pass

        def __len__(self):
            return None

    class LenWithoutReturn(Stub):
        def __len__(self):
            len([1])

    assert core.is_stub_code(Stub) and not core.is_stub_code(LenWithoutReturn)
    assert not core.is_stub_code(np.tanh) and not core.is_stub_code(lambda x: 0.5)
    assert not core.is_stub_code(0) and not core.is_stub_code(np.zeros(2))


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def test_compare_describes_what_is_off():
    assert compare([1.0, 2.0], np.array([1.0, 2.0 + 1e-9])) is None
    assert "expected shape (2,), got shape (2, 1)" in compare(np.ones((2, 1)), np.ones(2))
    assert "expected a single number" in compare(np.ones(3), 1.0)
    assert "nan or inf" in compare([np.nan, 1.0], [1.0, 1.0])
    message = compare([1.0, 2.5, 3.0], [1.0, 2.0, 3.0])
    assert "1 of 3 value(s) differ" in message and "index [1]" in message
    assert compare([1.0, 1.1], [1.0, 1.0], rtol=0.2) is None
    assert compare((1.0, 2.0), (1.0, 3.0), names=("a", "b")).startswith("b: ")
    assert "expected numbers" in compare("text", 1.0)


def test_compare_takes_tensors_of_any_shape_device_and_grad():
    assert compare(torch.tensor([1.0], requires_grad=True), [1.0]) is None
    assert compare(torch.tensor(0.25, dtype=torch.float64), 0.25) is None  # a 0-d tensor


def test_check_close_for_value_answers(capsys):
    assert check_close(0.25, 0.25, "σ'(0)")
    assert not check_close(0.5, 0.25, "σ'(0)", "evaluate the derivative at 0")
    assert not check_close(None, 0.25, "σ'(0)")
    assert not check_close(object(), 0.25, "σ'(0)")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ σ'(0) (rtol=1e-06, atol=1e-08)"
    assert out[1].startswith("✗ σ'(0): ") and out[1].endswith("evaluate the derivative at 0")
    assert out[2] == "… σ'(0): not implemented yet"
    assert out[3].startswith("✗ σ'(0): expected numbers")


def test_check_function_states_its_tolerance_and_numerical_warnings(capsys):
    line = assert_passes(capsys, check_double, lambda x: x * 2.0)
    assert line == "✓ double: correct on 2 test cases (rtol=1e-06, atol=1e-08)"
    line = assert_rejected(capsys, check_double, lambda x: np.log(x - 1.0), "by 2", "x = [1, 2]")
    assert "numerical warning" in line and "divide by zero" in line


def test_a_known_mistake_is_named_even_when_it_overflows(capsys):
    def overflows(x):
        return np.exp(1000.0 * np.asarray(x))

    mistakes = [(lambda x: x + 1, "added one"), (overflows, "exp overflows")]
    line = assert_rejected(capsys, check_double, overflows, mistakes=mistakes)
    assert line.endswith("exp overflows")
    assert_rejected(capsys, check_double, lambda x: x + 1, "added one", mistakes=mistakes)


def test_a_tensor_answer_is_accepted(capsys):
    assert_passes(capsys, check_double, lambda x: torch.as_tensor(x) * 2)
    assert_passes(capsys, check_double, lambda x: (torch.as_tensor(x) * 2).requires_grad_(False))


def test_no_loop_rejects_right_values_computed_in_a_loop(capsys):
    def looped(x):
        return np.array([2 * v for v in np.atleast_1d(x)]).reshape(np.shape(x))

    assert_rejected(capsys, check_double, looped, "no loop", "Use 2 * x.", no_loop="Use 2 * x.")
    assert_passes(capsys, check_double, double, no_loop="Use 2 * x.")


def test_an_error_inside_the_check_is_labelled_with_the_exercise(capsys):
    def broken_reference(x):
        raise RuntimeError("reference exploded")

    result, line = run(
        capsys, check_function, double, "double", CASES, broken_reference, "Multiply by 2."
    )
    assert not result and line.startswith("✗ double: the check failed (RuntimeError")


# ---------------------------------------------------------------------------------------------
# Guards: copies, in-place changes, read-only cases, sys.exit(), the time limit
# ---------------------------------------------------------------------------------------------


def test_cases_are_read_only_and_answers_get_writeable_copies(capsys):
    case = Case("x", (np.arange(3.0), [np.ones(2)]))
    assert not case.args[0].flags.writeable and not case.args[1][0].flags.writeable
    outcome = core.run_student(lambda x, xs: (x.flags.writeable, xs[0].flags.writeable), case.args)
    assert outcome.value == (True, True) and outcome.changed is None


def test_an_answer_that_pops_from_a_list_argument_damages_nothing():
    args = ([np.ones(2), np.zeros(2)], 3)
    outcomes = [core.run_student(lambda xs, n: [xs.pop() for _ in range(2)], args) for _ in "ab"]
    assert [len(o.value) for o in outcomes] == [2, 2] and len(args[0]) == 2
    assert outcomes[0].changed is None  # a list mutated, no array changed


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        (in_place_without_return, "x"),
        (lambda x: np.multiply(x, 2, out=x), "x"),
        (lambda *values: np.multiply(values[0], 2, out=values[0]), "argument 1"),
    ],
)
def test_an_argument_changed_in_place_is_named(answer, name):
    outcome = core.run_student(answer, (np.array([1.0, 2.0]),))
    assert outcome.changed == name


def test_a_check_rejects_an_answer_that_overwrites_its_input(capsys):
    def overwrites(x):
        x = np.asarray(x)
        x *= 2
        return x

    assert_rejected(capsys, check_double, overwrites, "changed its argument `x` in place")


def test_sys_exit_is_caught_and_reported(capsys):
    def exits(x):
        sys.exit("bye")

    assert_rejected(capsys, check_double, exits, "sys.exit()", "x = [1, 2]")


def test_an_exception_is_reported_with_its_type_message_and_the_hint(capsys):
    def broken(x):
        raise KeyError("oops")

    assert_rejected(capsys, check_double, broken, "raised KeyError: 'oops' for x = [1, 2]", "by 2")


def endless(x):
    while True:
        pass


def swallowing(x):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # the time limit is not an Exception
            pass


@pytest.mark.parametrize("answer", [endless, swallowing])
def test_the_time_limit_stops_an_endless_loop(capsys, monkeypatch, answer):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.2)
    started = time.monotonic()
    assert_rejected(capsys, check_double, answer, "stopped after 0.2 s for x = [1, 2]")
    assert time.monotonic() - started < 5


def test_the_time_limit_keeps_an_outer_timer_running(monkeypatch):
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        outcome = core.run_student(endless, (1.0,), time_limit=0.1)
        assert isinstance(outcome.error, BaseException) and not fired
        time.sleep(0.6)
        assert fired  # the outer timer still fired, after ours
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_time_limit_works_off_the_main_thread(capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 0.2)
    results = []
    worker = threading.Thread(target=lambda: results.append(check_double(endless)))
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and not results[0]
    assert "stopped after 0.2 s" in results[0].message
    deadline = time.monotonic() + 5
    while any(t.name == "dlcourse-check" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the student's thread was not stopped"
        time.sleep(0.05)
    capsys.readouterr()


def test_a_correct_answer_off_the_main_thread_passes(capsys):
    results = []
    worker = threading.Thread(target=lambda: results.append(check_double(double)))
    worker.start()
    worker.join(10)
    assert results[0].passed
    capsys.readouterr()
