"""Tests of the backpropagation checks: central difference, hidden delta, backward pass.

The references are compared with exact derivatives and with autograd (float64).
"""

import numpy as np
import pytest
import torch

from dlcourse.exercises import backpropagation as ex
from dlcourse.scratch import sigmoid, sigmoid_grad

from .conftest import assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Central difference
# ---------------------------------------------------------------------------------------------


def central(*args):
    return solution("check_central_difference")(*args)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._forward_difference, "forward difference"),
        (lambda f, x, eps: 2 * central(f, x, eps), "2·eps apart"),
        (lambda f, x, eps: central(f, x, eps).ravel()[:, None], "expected shape"),
        (lambda f, x, eps: central(f, x, eps) / 2, "Perturb one entry at a time"),
    ],
)
def test_central_difference_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_central_difference, mistake, hint)


def test_central_difference_rejects_shifting_x_without_restoring_it(capsys):
    def never_restores(f, x, eps):
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            x[index] += eps
            up = f(x)
            x[index] -= 2 * eps
            grad[index] = (up - f(x)) / (2 * eps)
        return grad

    assert_rejected(
        capsys, ex.check_central_difference, never_restores, "changed its argument `x` in place"
    )


def test_central_difference_accepts_shifting_x_and_restoring_it(capsys):
    def restores(f, x, eps):
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            saved = x[index]
            x[index] = saved + eps
            up = f(x)
            x[index] = saved - eps
            grad[index] = (up - f(x)) / (2 * eps)
            x[index] = saved
        return grad

    assert_passes(capsys, ex.check_central_difference, restores)


def test_central_difference_reference_is_close_to_the_exact_gradient():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    np.testing.assert_allclose(
        ex._central_reference(ex._wavy, x, 1e-4), exact, rtol=1e-6, atol=1e-7
    )


# ---------------------------------------------------------------------------------------------
# Hidden delta
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda W2, d2, z1: d2 @ W2, "derivative of the activation is missing"),
        (lambda W2, d2, z1: (d2 @ W2) * sigmoid(z1), "multiplied by σ(z1)"),
        (lambda W2, d2, z1: (d2 @ W2) * z1, "multiplied by z1"),
        (lambda W2, d2, z1: W2.T @ d2, "expected shape"),
        (lambda W2, d2, z1: (d2 @ W2) * (1 - sigmoid(z1)), "output error sent back"),
    ],
)
def test_hidden_delta_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_hidden_delta, mistake, hint)


@pytest.mark.parametrize("case", ex._DELTA_CASES, ids=lambda case: case.label)
def test_hidden_delta_reference_matches_autograd(case):
    W2, delta2, z1 = (torch.tensor(a) for a in case.args)
    z1.requires_grad_()
    (torch.sigmoid(z1) @ W2.T * delta2).sum().backward()
    np.testing.assert_allclose(ex._hidden_delta_reference(*case.args), z1.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        (case.args[1] @ case.args[0]) * sigmoid_grad(case.args[2]), z1.grad.numpy(), rtol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# Backward pass
# ---------------------------------------------------------------------------------------------


def backward(*args):
    return solution("check_backward_pass")(*args)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda *a: tuple(len(a[0]) * g for g in backward(*a)), "N times too large"),
        (lambda *a: tuple(2 * g for g in backward(*a)), "twice too large"),
        (ex._backward_no_activation_grad, "sigmoid's derivative"),
        (lambda *a: backward(*a)[::-1], "dW1"),
        (lambda *a: backward(*a)[:2], "expected a tuple"),
    ],
)
def test_backward_pass_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_backward_pass, mistake, hint)


@pytest.mark.parametrize("case", ex._BACKWARD_CASES, ids=lambda case: case.label)
def test_backward_reference_matches_autograd_with_half_mse(case):
    X, y, W1, b1, W2, b2 = (torch.tensor(a, dtype=torch.float64) for a in case.args)
    params = [p.requires_grad_() for p in (W1, b1, W2, b2)]
    y_hat = torch.sigmoid(X @ params[0].T + params[1]) @ params[2].T + params[3]
    (0.5 * ((y_hat - y) ** 2).mean()).backward()
    for ours, p in zip(ex._backward_reference(*case.args), params, strict=True):
        np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_central_difference_accepts_restoring_x_up_to_rounding(capsys):
    def shift_and_shift_back(f, x, eps):
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            x[index] += eps
            up = f(x)
            x[index] -= 2 * eps
            grad[index] = (up - f(x)) / (2 * eps)
            x[index] += eps  # back to x, up to rounding
        return grad

    assert_passes(capsys, ex.check_central_difference, shift_and_shift_back)
