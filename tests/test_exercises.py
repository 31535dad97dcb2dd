"""Tests of dlcourse.exercises: checks accept solutions, reject typical mistakes, never raise."""

import inspect
import warnings

import numpy as np
import pytest
import torch

from dlcourse import exercises
from dlcourse.exercises import (
    check_bce,
    check_close,
    check_momentum_step,
    check_neuron_forward,
    check_sigmoid,
    check_sigmoid_grad,
    check_softmax,
    compare,
    report,
)

# ---------------------------------------------------------------------------------------------
# Reference solutions, as a student would write them (NumPy, or torch for a cross-check)
# ---------------------------------------------------------------------------------------------


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def neuron_forward(X, w, b):
    return sigmoid(X @ w + b)


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def bce(y_hat, y):
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def momentum_step(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return param - lr * velocity, velocity


def bce_torch(y_hat, y):
    return torch.nn.functional.binary_cross_entropy(torch.tensor(y_hat), torch.tensor(y)).item()


def momentum_step_torch(param, grad, velocity, lr, momentum):
    p = torch.tensor(param, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=lr, momentum=momentum)
    optimizer.state[p]["momentum_buffer"] = torch.tensor(velocity)
    p.grad = torch.tensor(grad)
    optimizer.step()
    velocity = optimizer.state[p]["momentum_buffer"] if momentum else torch.tensor(grad)
    return p.detach().numpy(), velocity.numpy()


CHECKS_AND_SOLUTIONS = [
    (check_sigmoid, sigmoid),
    (check_sigmoid, lambda z: torch.sigmoid(torch.as_tensor(z)).numpy()),
    (check_sigmoid_grad, sigmoid_grad),
    (check_neuron_forward, neuron_forward),
    (check_softmax, softmax),
    (check_softmax, lambda z: torch.softmax(torch.as_tensor(z), dim=-1).numpy()),
    (check_bce, bce),
    (check_bce, bce_torch),
    (check_momentum_step, momentum_step),
    (check_momentum_step, momentum_step_torch),
]

ALL_CHECKS = sorted({check for check, _ in CHECKS_AND_SOLUTIONS}, key=lambda c: c.__name__)


@pytest.mark.parametrize(("check", "solution"), CHECKS_AND_SOLUTIONS)
def test_checks_accept_correct_solutions(check, solution, capsys):
    assert check(solution) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and "rtol=1e-06, atol=1e-08" in out


def _stub_returning_none(*args):
    return None


def _stub_returning_ellipsis(*args): ...


def _stub_raising(*args):
    raise NotImplementedError


def _stub_pair(*args):
    return None, None


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize(
    "stub", [None, ..., _stub_returning_none, _stub_returning_ellipsis, _stub_raising, _stub_pair]
)
def test_checks_report_stubs_as_not_implemented(check, stub, capsys):
    assert check(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize(
    "answer",
    [
        lambda *args: 1 / 0,
        lambda *args: "a string",
        lambda *args: [1, [2, 3]],
        lambda: 0.0,  # wrong number of parameters
        42,
    ],
)
def test_checks_never_raise(check, answer, capsys):
    assert check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ ")


def test_an_exception_is_reported_with_its_type_and_message(capsys):
    def broken(z):
        raise KeyError("oops")

    assert check_sigmoid(broken) is False
    assert "raised KeyError: 'oops'" in capsys.readouterr().out


def _expect_rejection(check, answer, capsys, *fragments):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check must not leak the student's warnings
        assert check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ "), out
    for fragment in fragments:
        assert fragment in out, out
    return out


def test_sigmoid_rejects_overflow_and_sign_errors(capsys):
    _expect_rejection(check_sigmoid, lambda z: 1 / (1 + np.exp(-z)), capsys, "overflow", "±1000")
    _expect_rejection(check_sigmoid, lambda z: 1 / (1 + np.exp(z)), capsys, "1 - σ(z)")
    _expect_rejection(check_sigmoid, lambda z: np.tanh(z), capsys, "differ")


def test_sigmoid_grad_rejects_typical_mistakes(capsys):
    out = _expect_rejection(check_sigmoid_grad, sigmoid, capsys, "σ(z) itself", "second factor")
    assert "(1 - σ" not in out and "1 − σ" not in out  # a hint, not the answer
    _expect_rejection(check_sigmoid_grad, lambda z: z * (1 - z), capsys, "compute σ(z) first")
    _expect_rejection(check_sigmoid_grad, lambda z: 1 - sigmoid(z) ** 2, capsys, "tanh")


def test_neuron_forward_rejects_typical_mistakes(capsys):
    _expect_rejection(check_neuron_forward, lambda X, w, b: sigmoid(X @ w), capsys, "bias")
    _expect_rejection(check_neuron_forward, lambda X, w, b: X @ w + b, capsys, "not applied")
    _expect_rejection(
        check_neuron_forward, lambda X, w, b: sigmoid(X @ w[:, None] + b), capsys, "(n, 1)"
    )
    _expect_rejection(
        check_neuron_forward,
        lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b))),
        capsys,
        "overflow",
        "stable sigmoid",
    )


def test_softmax_rejects_overflow_and_wrong_axes(capsys):
    out = _expect_rejection(
        check_softmax, lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True), capsys, "1000"
    )
    assert "maximum" not in out and "max(" not in out  # the idea (shift invariance) only
    _expect_rejection(check_softmax, lambda z: np.exp(z) / np.exp(z).sum(), capsys, "Each row")

    def over_batch(z):
        e = np.exp(z - z.max())
        return e / e.sum(axis=0, keepdims=True)

    _expect_rejection(check_softmax, over_batch, capsys, "axis 0")


def test_bce_rejects_typical_mistakes(capsys):
    def terms(p, y):
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))

    _expect_rejection(check_bce, lambda p, y: -terms(p, y).mean(), capsys, "sign")
    _expect_rejection(check_bce, lambda p, y: terms(p, y).sum(), capsys, "sum")
    _expect_rejection(check_bce, terms, capsys, "single number")
    _expect_rejection(check_bce, lambda p, y: -np.mean(y * np.log(p)), capsys, "y = 0")


def test_momentum_rejects_other_conventions(capsys):
    def velocity_form(p, g, v, lr, m):
        v = m * v - lr * g
        return p + v, v

    def dampened(p, g, v, lr, m):
        v = m * v + (1 - m) * g
        return p - lr * v, v

    _expect_rejection(check_momentum_step, velocity_form, capsys, "velocity form")
    _expect_rejection(check_momentum_step, dampened, capsys, "(1 - momentum)")
    _expect_rejection(
        check_momentum_step, lambda p, g, v, lr, m: (p - lr * v, m * v + g), capsys, "old velocity"
    )
    _expect_rejection(check_momentum_step, lambda *a: momentum_step(*a)[::-1], capsys, "swapped")
    _expect_rejection(
        check_momentum_step, lambda p, g, v, lr, m: p - lr * g, capsys, "expected a tuple"
    )


def test_checks_do_not_modify_their_inputs_between_cases(capsys):
    def in_place(param, grad, velocity, lr, momentum):
        velocity *= momentum
        velocity += grad
        param -= lr * velocity
        return param, velocity

    assert check_momentum_step(in_place) is True
    assert check_momentum_step(momentum_step) is True


# ---------------------------------------------------------------------------------------------
# Core helpers
# ---------------------------------------------------------------------------------------------


def test_report_and_not_implemented(capsys):
    assert report(True, "shapes", "unused") is True
    assert report(False, "shapes", "expected (3,)") is False
    assert exercises.not_implemented("task") is False
    assert capsys.readouterr().out.splitlines() == [
        "✓ shapes",
        "✗ shapes: expected (3,)",
        "… task: not implemented yet",
    ]


def test_is_stub():
    assert exercises.is_stub(None) and exercises.is_stub(...)
    assert not exercises.is_stub(0) and not exercises.is_stub(np.zeros(2))


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
    assert compare(torch.tensor([1.0], requires_grad=True), [1.0]) is None


def test_check_close_for_value_answers(capsys):
    assert check_close(0.25, 0.25, "σ'(0)") is True
    assert check_close(0.5, 0.25, "σ'(0)", "evaluate the derivative at 0") is False
    assert check_close(None, 0.25, "σ'(0)") is False
    assert check_close(object(), 0.25, "σ'(0)") is False
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ σ'(0) (rtol=1e-06, atol=1e-08)"
    assert out[1].startswith("✗ σ'(0): ") and out[1].endswith("evaluate the derivative at 0")
    assert out[2] == "… σ'(0): not implemented yet"
    assert out[3].startswith("✗ σ'(0): expected numbers")


def test_check_function_reports_the_tolerance_and_numerical_warnings(capsys):
    cases = [exercises.Case("x = 1", (1.0,))]
    assert exercises.check_function(lambda x: x * 2.0, "double", cases, lambda x: 2 * x, "") is True
    assert (
        exercises.check_function(
            lambda x: np.log(x - 1.0), "log", cases, lambda x: 0.0, "mind the domain", atol=1e-3
        )
        is False
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ double: correct on 1 test case (rtol=1e-06, atol=1e-08)"
    assert "numerical warning for x = 1" in out[1] and "mind the domain" in out[1]


# The contract every check keeps, whichever notebook it serves ---------------------------------

ALL_CHECKS = sorted(
    name
    for name in exercises.__all__
    if name.startswith("check_") and name not in ("check_close", "check_function")
)


def _required_arguments(check):
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = inspect.signature(check).parameters.values()
    return [p for p in parameters if p.kind in kinds and p.default is inspect.Parameter.empty]


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_every_check_is_documented_reports_stubs_and_never_raises(name, capsys):
    check = getattr(exercises, name)
    assert check.__doc__, f"{name} has no docstring"
    count = len(_required_arguments(check))
    assert check(*[None] * count) is False
    assert "not implemented yet" in capsys.readouterr().out

    def broken(*args, **kwargs):
        raise KeyError("oops")

    def returns_text(*args, **kwargs):
        return "text"

    def returns_wrong_shape(*args, **kwargs):
        return np.zeros(7)

    for answer in (broken, returns_text, returns_wrong_shape, 42, "text"):
        assert check(*[answer] * count) is False  # reported, never raised
        out = capsys.readouterr().out
        assert out.startswith(("✗", "…")), out
