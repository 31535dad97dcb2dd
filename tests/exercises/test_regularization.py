"""Tests of the regularization checks: weight decay, inverted dropout, early stopping, batch norm.

The references are compared with the scratch layers, torch and dlcourse.training.EarlyStopping.
"""

import numpy as np
import pytest
import torch

from dlcourse.exercises import regularization as ex
from dlcourse.scratch import BatchNorm1d, Dropout

from .conftest import assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Weight decay
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda w, g, lr, wd: w - lr * g - wd * w, "learning rate"),
        (lambda w, g, lr, wd: w - lr * (g + 2 * wd * w), "factor 2"),
        (lambda w, g, lr, wd: w - lr * (g - wd * w), "sign"),
        (lambda w, g, lr, wd: w - lr * g, "missing"),
        (lambda w, g, lr, wd: w + lr * (g + wd * w), "Add the gradient of the penalty"),
    ],
)
def test_weight_decay_step_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_weight_decay_step, mistake, fragment)


def test_an_in_place_weight_decay_step_without_return_forgot_its_return(capsys):
    def in_place(w, grad, lr, weight_decay):
        w -= lr * (grad + weight_decay * w)

    line = assert_rejected(capsys, ex.check_weight_decay_step, in_place, "forget `return`")
    assert "not implemented" not in line


def test_an_in_place_weight_decay_step_is_rejected(capsys):
    def in_place(w, grad, lr, weight_decay):
        w -= lr * (grad + weight_decay * w)
        return w

    assert_rejected(capsys, ex.check_weight_decay_step, in_place, "`w` in place")


def test_weight_decay_reference_matches_torch_sgd():
    w0 = np.random.default_rng(1).normal(size=(3, 4))
    grad = np.random.default_rng(2).normal(size=(3, 4))
    weight = torch.tensor(w0, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.05, weight_decay=0.1)
    weight.grad = torch.tensor(grad)
    optimizer.step()
    ours = ex._weight_decay_reference(w0, grad, 0.05, 0.1)
    np.testing.assert_allclose(ours, weight.detach().numpy(), rtol=1e-14, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# Inverted dropout
# ---------------------------------------------------------------------------------------------


def dropout(*args):
    return solution("check_dropout_forward")(*args)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda x, p, u, t: x * (u >= p) if t else x, "not rescaled"),
        (lambda x, p, u, t: x * (u >= p) * (1 - p) if t else x, "multiply by (1 - p)"),
        (lambda x, p, u, t: x * (u < p) / (1 - p) if t else x, "probability p"),
        (lambda x, p, u, t: dropout(x, p, u, True), "switched off"),
        (lambda x, p, u, t: dropout(x, p, u, True) if t else x * (1 - p), "unchanged"),
    ],
)
def test_dropout_forward_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_dropout_forward, mistake, fragment)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_reference_matches_the_scratch_layer_with_its_own_generator(p):
    x = np.random.default_rng(0).normal(size=(6, 9))
    expected = Dropout(p, rng=123).forward(x)
    draws = np.random.default_rng(123).random(x.shape)
    np.testing.assert_array_equal(ex._dropout_reference(x, p, draws, True), expected)
    np.testing.assert_allclose(dropout(x, p, draws, True), expected, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(ex._dropout_reference(x, p, draws, False), x)


# ---------------------------------------------------------------------------------------------
# The early-stopping rule
# ---------------------------------------------------------------------------------------------


def early_stopping(*args):
    return solution("check_early_stopping")(*args)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda v, p, d: ex._early_stopping_variant(v, p, d, ties=True), "strictly better"),
        (lambda v, p, d: ex._early_stopping_variant(v, p, d, late=True), "one epoch too late"),
        (lambda v, p, d: early_stopping(v, p, 0.0), "min_delta is ignored"),
        (lambda v, p, d: tuple(e + 1 for e in early_stopping(v, p, d)), "off by one"),
        (lambda v, p, d: (int(np.argmin(v)), early_stopping(v, p, d)[1]), "actually run"),
        (lambda v, p, d: early_stopping(v, p, d)[0], "tuple"),
    ],
)
def test_early_stopping_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_early_stopping, mistake, fragment)


def test_early_stopping_reference_matches_fit_on_a_scripted_curve():
    losses = np.array([1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 1.0, 1.1])
    assert ex._early_stopping_reference(losses, 3, 0.0) == (2, 5)
    assert tuple(early_stopping(losses, 3, 0.0)) == (2, 5)
    assert ex._early_stopping_reference(np.array([1.0, 0.9, 0.8]), 5, 0.0) == (2, 2)


# ---------------------------------------------------------------------------------------------
# Batch normalisation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda x, g, b, e: ex._batchnorm_variant(x, g, b, e, ddof=1), "biased"),
        (lambda x, g, b, e: ex._batchnorm_variant(x, g, b, e, axis=1), "each sample"),
        (lambda x, g, b, e: ex._batchnorm_variant(x, g, b, e, eps_outside=True), "inside"),
        (lambda x, g, b, e: ex._batchnorm_variant(x, 1.0, 0.0, e), "gamma"),
        (lambda x, g, b, e: g * x / np.sqrt(1 + e) + b, "evaluation"),
    ],
)
def test_batchnorm_forward_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_batchnorm_forward, mistake, fragment)


def test_batchnorm_reference_matches_torch_in_training_mode():
    x = np.random.default_rng(3).normal(size=(7, 5)) * 3 + 1
    gamma, beta = np.linspace(0.5, 2, 5), np.linspace(-1, 1, 5)
    layer = torch.nn.BatchNorm1d(5, eps=1e-5).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    expected = layer.train()(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(
        ex._batchnorm_reference(x, gamma, beta, 1e-5), expected, rtol=1e-12, atol=1e-12
    )
    layer = BatchNorm1d(5)
    np.testing.assert_allclose(
        ex._batchnorm_reference(x, np.ones(5), np.zeros(5), 1e-5), layer.forward(x)
    )


@pytest.mark.parametrize(
    "name",
    [
        "check_weight_decay_step",
        "check_dropout_forward",
        "check_early_stopping",
        "check_batchnorm_forward",
    ],
)
def test_hints_never_print_the_answer(capsys, name):
    line = assert_rejected(capsys, getattr(ex, name), lambda *args: 0.123456789)
    assert "0.123456789" not in line and "expected [" not in line
