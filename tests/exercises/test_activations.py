"""Tests of the activation checks: sigmoid and leaky-ReLU derivatives, softmax, softmax backward."""

import numpy as np
import pytest
import torch

from dlcourse.exercises import activations as ex
from dlcourse.scratch import sigmoid, softmax

from .conftest import assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# The sigmoid's derivative
# ---------------------------------------------------------------------------------------------


def test_sigmoid_grad_rejects_typical_mistakes_without_giving_the_answer(capsys):
    line = assert_rejected(capsys, ex.check_sigmoid_grad, sigmoid, "σ(z) itself", "second factor")
    assert "(1 - σ" not in line and "1 − σ" not in line  # a hint, not the answer
    assert_rejected(capsys, ex.check_sigmoid_grad, lambda z: z * (1 - z), "compute σ(z) first")
    assert_rejected(capsys, ex.check_sigmoid_grad, lambda z: 1 - sigmoid(z) ** 2, "tanh")


def test_sigmoid_grad_rejects_an_integer_result_for_integer_z(capsys):
    def like_input(z):
        out = np.zeros_like(np.asarray(z))
        out[...] = sigmoid(z) * (1 - sigmoid(z))
        return out

    assert_rejected(capsys, ex.check_sigmoid_grad, like_input, "integer")


# ---------------------------------------------------------------------------------------------
# Leaky ReLU's derivative
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda z, s=0.01: np.where(np.asarray(z) >= 0, 1.0, s), "z = 0"),
        (lambda z, s=0.01: np.where(np.asarray(z) > 0, z, s * np.asarray(z)), "activation"),
        (lambda z, s=0.01: (np.asarray(z) > 0) * 1.0, "plain ReLU"),
        (lambda z, s=0.01: np.where(np.asarray(z) > 0, 1.0, 0.01), "negative_slope"),
    ],
)
def test_leaky_relu_grad_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_leaky_relu_grad, mistake, fragment)


def test_leaky_relu_grad_needs_the_default_slope(capsys):
    correct = solution("check_leaky_relu_grad")

    def no_default(z, negative_slope):
        return correct(z, negative_slope)

    assert_rejected(capsys, ex.check_leaky_relu_grad, no_default, "TypeError")


def test_leaky_relu_grad_rejects_ones_like_an_integer_input(capsys):
    def ones_like(z, negative_slope=0.01):
        grad = np.ones_like(z)
        grad[np.asarray(z) <= 0] = negative_slope
        return grad

    assert_rejected(capsys, ex.check_leaky_relu_grad, ones_like, "integer", "rounded")


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------


def test_softmax_names_the_overflow_without_giving_the_answer(capsys):
    naive = lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)  # noqa: E731
    line = assert_rejected(capsys, ex.check_softmax, naive, "1000", "overflow")
    assert "maximum" not in line and "max(" not in line  # the idea (shift invariance) only


def test_softmax_must_be_stable_per_row(capsys):
    def global_shift(z):
        e = np.exp(z - np.max(z))
        return e / e.sum(axis=-1, keepdims=True)

    assert_rejected(capsys, ex.check_softmax, global_shift, "[[1000, 1001], [0, 1]]", "each sample")
    with np.errstate(invalid="ignore", under="ignore"):
        shifted = global_shift(np.array([[1000.0, 1001.0], [0.0, 1.0]]))
    assert np.all(np.isnan(shifted[1]))  # 0 / 0 in the second row


def test_softmax_rejects_wrong_axes(capsys):
    assert_rejected(capsys, ex.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(), "Each row")

    def over_batch(z):
        e = np.exp(z - z.max())
        return e / e.sum(axis=0, keepdims=True)

    assert_rejected(capsys, ex.check_softmax, over_batch, "axis 0")


def test_softmax_accepts_torch(capsys):
    assert_passes(
        capsys,
        ex.check_softmax,
        lambda z: torch.softmax(torch.as_tensor(z, dtype=torch.float64), dim=-1),
    )


@pytest.mark.parametrize("case", ex._SOFTMAX_CASES, ids=lambda case: case.label)
def test_softmax_reference_matches_torch(case):
    (z,) = case.args
    expected = torch.softmax(torch.tensor(z, dtype=torch.float64), dim=-1).numpy()
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------------------------------------
# Softmax backward
# ---------------------------------------------------------------------------------------------


def y_hat(z):
    return softmax(np.asarray(z, dtype=float))


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda z, g: y_hat(z) * (1 - y_hat(z)) * g, "diagonal"),
        (lambda z, g: y_hat(z) * (g - np.sum(g * y_hat(z))), "each row"),
        (lambda z, g: g - np.sum(g * y_hat(z), axis=-1, keepdims=True), "missing"),
    ],
)
def test_softmax_backward_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_softmax_backward, mistake, fragment)


def test_softmax_backward_rejects_an_unstable_softmax(capsys):
    def naive(z, g):
        e = np.exp(z)
        p = e / e.sum(axis=-1, keepdims=True)
        return p * (g - np.sum(g * p, axis=-1, keepdims=True))

    assert_rejected(capsys, ex.check_softmax_backward, naive, "logits of 1000")


@pytest.mark.parametrize("case", ex._SOFTMAX_BACKWARD_CASES, ids=lambda case: case.label)
def test_softmax_backward_reference_matches_autograd(case):
    z, grad_out = (torch.tensor(a, dtype=torch.float64) for a in case.args)
    z.requires_grad_()
    torch.softmax(z, dim=-1).backward(grad_out)
    np.testing.assert_allclose(
        ex._softmax_backward(*case.args), z.grad.numpy(), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize(
    "name",
    ["check_sigmoid_grad", "check_leaky_relu_grad", "check_softmax", "check_softmax_backward"],
)
def test_an_answer_slightly_off_is_rejected_with_its_tolerance(capsys, name):
    correct = solution(name)
    check = getattr(ex, name)
    line = assert_rejected(capsys, check, lambda *args: np.asarray(correct(*args)) + 1e-3)
    assert "differ" in line and "rtol=" in line
