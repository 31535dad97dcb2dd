"""The self-checks of notebook 07 (training and regularisation).

Each check must accept a correct solution, reject the typical mistakes with a hint (never the
answer), report a stub as "not implemented yet", and never raise. The references they compare
with are checked here against the scratch layers and ``dlcourse.training.EarlyStopping``.
"""

import numpy as np
import pytest
import torch

from dlcourse.exercises import (
    check_batchnorm_forward,
    check_dropout_forward,
    check_early_stopping,
    check_weight_decay_step,
    nb07,
)
from dlcourse.scratch import BatchNorm1d, Dropout

# ---------------------------------------------------------------------------------------------
# Solutions, as a student would write them (NumPy only)
# ---------------------------------------------------------------------------------------------


def weight_decay_step_solution(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


def dropout_forward_solution(x, p, u, training):
    if not training:
        return x
    return x * (u >= p) / (1 - p)


def early_stopping_solution(val_losses, patience, min_delta):
    best_loss, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss - min_delta:
            best_loss, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def batchnorm_forward_solution(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


CHECKS = [
    (check_weight_decay_step, weight_decay_step_solution),
    (check_dropout_forward, dropout_forward_solution),
    (check_early_stopping, early_stopping_solution),
    (check_batchnorm_forward, batchnorm_forward_solution),
]
IDS = [check.__name__ for check, _ in CHECKS]


def run(check, fn, capsys):
    result = check(fn)
    return result, capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Behaviour shared by every check
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_accepts_the_solution(check, solution, capsys):
    ok, out = run(check, solution, capsys)
    assert ok is True
    assert out.startswith("✓") and "rtol=" in out


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_stub_is_not_implemented_yet(check, solution, capsys):
    def stub(*args):
        return None

    def tuple_stub(*args):
        return None, None

    def raises_not_implemented(*args):
        raise NotImplementedError

    for answer in (None, ..., stub, tuple_stub, raises_not_implemented):
        ok, out = run(check, answer, capsys)
        assert ok is False
        assert "not implemented yet" in out


# ---------------------------------------------------------------------------------------------
# Typical mistakes: rejected, with the matching hint and without the answer
# ---------------------------------------------------------------------------------------------


def assert_rejected(check, fn, capsys, *fragments):
    ok, out = run(check, fn, capsys)
    assert ok is False and out.startswith("✗"), out
    for fragment in fragments:
        assert fragment in out, out
    return out


def test_weight_decay_step_mistakes(capsys):
    check = check_weight_decay_step
    assert_rejected(check, lambda w, g, lr, wd: w - lr * g - wd * w, capsys, "learning rate")
    assert_rejected(check, lambda w, g, lr, wd: w - lr * (g + 2 * wd * w), capsys, "factor 2")
    assert_rejected(check, lambda w, g, lr, wd: w - lr * (g - wd * w), capsys, "sign")
    assert_rejected(check, lambda w, g, lr, wd: w - lr * g, capsys, "missing")
    assert_rejected(check, lambda w, g, lr, wd: w + lr * (g + wd * w), capsys, "✗")


def test_dropout_forward_mistakes(capsys):
    check = check_dropout_forward
    assert_rejected(check, lambda x, p, u, t: x * (u >= p) if t else x, capsys, "not rescaled")
    assert_rejected(
        check, lambda x, p, u, t: x * (u >= p) * (1 - p) if t else x, capsys, "multiply by (1 - p)"
    )
    assert_rejected(
        check, lambda x, p, u, t: x * (u < p) / (1 - p) if t else x, capsys, "probability p"
    )
    assert_rejected(
        check, lambda x, p, u, t: dropout_forward_solution(x, p, u, True), capsys, "switched off"
    )
    assert_rejected(
        check,
        lambda x, p, u, t: dropout_forward_solution(x, p, u, True) if t else x * (1 - p),
        capsys,
        "unchanged",
    )


def test_early_stopping_mistakes(capsys):
    check = check_early_stopping

    def ties_improve(v, p, d):
        best, best_epoch, waited = np.inf, 0, 0
        for epoch, loss in enumerate(v):
            if loss <= best - d:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited == p:
                    return best_epoch, epoch
        return best_epoch, len(v) - 1

    def one_late(v, p, d):
        best, best_epoch, waited = np.inf, 0, 0
        for epoch, loss in enumerate(v):
            if loss < best - d:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited > p:
                    return best_epoch, epoch
        return best_epoch, len(v) - 1

    assert_rejected(check, ties_improve, capsys, "strictly better")
    assert_rejected(check, one_late, capsys, "one epoch too late")
    assert_rejected(
        check, lambda v, p, d: early_stopping_solution(v, p, 0.0), capsys, "min_delta is ignored"
    )
    assert_rejected(
        check,
        lambda v, p, d: tuple(e + 1 for e in early_stopping_solution(v, p, d)),
        capsys,
        "off by one",
    )
    assert_rejected(
        check,
        lambda v, p, d: (int(np.argmin(v)), early_stopping_solution(v, p, d)[1]),
        capsys,
        "actually run",
    )
    assert_rejected(check, lambda v, p, d: early_stopping_solution(v, p, d)[0], capsys, "tuple")


def test_batchnorm_forward_mistakes(capsys):
    check = check_batchnorm_forward

    def variant(x, g, b, e, ddof=0, axis=0, eps_outside=False):
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
        std = np.sqrt(var) + e if eps_outside else np.sqrt(var + e)
        return g * (x - mean) / std + b

    assert_rejected(check, lambda x, g, b, e: variant(x, g, b, e, ddof=1), capsys, "biased")
    assert_rejected(check, lambda x, g, b, e: variant(x, g, b, e, axis=1), capsys, "each sample")
    assert_rejected(
        check, lambda x, g, b, e: variant(x, g, b, e, eps_outside=True), capsys, "inside"
    )
    assert_rejected(check, lambda x, g, b, e: variant(x, 1.0, 0.0, e), capsys, "gamma")
    assert_rejected(check, lambda x, g, b, e: g * x / np.sqrt(1 + e) + b, capsys, "evaluation")


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_hints_never_print_the_answer(check, solution, capsys):
    ok, out = run(check, lambda *args: 0.123456789, capsys)
    assert ok is False
    assert "0.123456789" not in out and "expected [" not in out


# ---------------------------------------------------------------------------------------------
# The references agree with the scratch layers, torch and the training loop's EarlyStopping
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_reference_matches_the_scratch_layer_with_its_own_generator(p):
    x = np.random.default_rng(0).normal(size=(6, 9))
    layer = Dropout(p, rng=123)
    expected = layer.forward(x)
    draws = np.random.default_rng(123).random(x.shape)
    np.testing.assert_array_equal(nb07._dropout_reference(x, p, draws, True), expected)
    np.testing.assert_allclose(
        dropout_forward_solution(x, p, draws, True), expected, rtol=1e-15, atol=0
    )
    np.testing.assert_array_equal(nb07._dropout_reference(x, p, draws, False), x)


def test_weight_decay_reference_matches_torch_sgd():
    w0 = np.random.default_rng(1).normal(size=(3, 4))
    grad = np.random.default_rng(2).normal(size=(3, 4))
    weight = torch.tensor(w0, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.05, weight_decay=0.1)
    weight.grad = torch.tensor(grad)
    optimizer.step()
    ours = nb07._weight_decay_reference(w0, grad, 0.05, 0.1)
    np.testing.assert_allclose(ours, weight.detach().numpy(), rtol=1e-14, atol=1e-15)


def test_batchnorm_reference_matches_torch_in_training_mode():
    x = np.random.default_rng(3).normal(size=(7, 5)) * 3 + 1
    gamma, beta = np.linspace(0.5, 2, 5), np.linspace(-1, 1, 5)
    layer = torch.nn.BatchNorm1d(5, eps=1e-5).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    expected = layer.train()(torch.tensor(x)).detach().numpy()
    ours = nb07._batchnorm_reference(x, gamma, beta, 1e-5)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        batchnorm_forward_solution(x, gamma, beta, 1e-5), expected, rtol=1e-12, atol=1e-12
    )


def test_early_stopping_reference_matches_fit_on_a_scripted_curve():
    losses = [1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 1.0, 1.1]
    assert nb07._early_stopping_reference(np.array(losses), 3, 0.0) == (2, 5)
    assert early_stopping_solution(np.array(losses), 3, 0.0) == (2, 5)
    assert nb07._early_stopping_reference(np.array([1.0, 0.9, 0.8]), 5, 0.0) == (2, 2)


def test_scratch_batchnorm_is_the_reference_layer():
    layer = BatchNorm1d(3)
    x = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(
        nb07._batchnorm_reference(x, np.ones(3), np.zeros(3), 1e-5), layer.forward(x)
    )
