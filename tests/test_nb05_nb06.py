"""The self-checks of notebooks 05 (activation functions) and 06 (loss functions).

Each check must accept a correct solution, reject the typical mistakes with a hint (never the
answer), report a stub as "not implemented yet", and never raise.
"""

import numpy as np
import pytest

from dlcourse.exercises import (
    check_bce_with_logits,
    check_leaky_relu_grad,
    check_mae_grad,
    check_softmax_backward,
    check_weighted_cross_entropy,
)
from dlcourse.scratch import sigmoid, softmax

# ---------------------------------------------------------------------------------------------
# Solutions, as a student would write them (NumPy only)
# ---------------------------------------------------------------------------------------------


def leaky_relu_grad_solution(z, negative_slope=0.01):
    return np.where(np.asarray(z) > 0, 1.0, negative_slope)


def softmax_backward_solution(z, grad_out):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    y_hat = e / e.sum(axis=-1, keepdims=True)
    return y_hat * (grad_out - np.sum(grad_out * y_hat, axis=-1, keepdims=True))


def mae_grad_solution(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    return np.sign(y_hat - y) / y_hat.size


def bce_with_logits_solution(z, y):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    softplus_neg = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))  # -log sigmoid(z)
    return float(np.mean((1 - y) * z + softplus_neg))


def weighted_cross_entropy_solution(z, y, weight):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    w = np.asarray(weight)[y]
    return float(np.sum(w * -log_p[np.arange(len(y)), y]) / np.sum(w))


CHECKS = [
    (check_leaky_relu_grad, leaky_relu_grad_solution),
    (check_softmax_backward, softmax_backward_solution),
    (check_mae_grad, mae_grad_solution),
    (check_bce_with_logits, bce_with_logits_solution),
    (check_weighted_cross_entropy, weighted_cross_entropy_solution),
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

    for answer in (None, ..., stub):
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


def test_leaky_relu_grad_mistakes(capsys):
    check = check_leaky_relu_grad
    assert_rejected(check, lambda z, s=0.01: np.where(np.asarray(z) >= 0, 1.0, s), capsys, "z = 0")
    assert_rejected(
        check,
        lambda z, s=0.01: np.where(np.asarray(z) > 0, z, s * np.asarray(z)),
        capsys,
        "activation",
    )
    assert_rejected(check, lambda z, s=0.01: (np.asarray(z) > 0) * 1.0, capsys, "plain ReLU")
    assert_rejected(
        check, lambda z, s=0.01: np.where(np.asarray(z) > 0, 1.0, 0.01), capsys, "negative_slope"
    )


def test_leaky_relu_grad_needs_the_default_slope(capsys):
    def no_default(z, negative_slope):
        return leaky_relu_grad_solution(z, negative_slope)

    assert_rejected(check_leaky_relu_grad, no_default, capsys, "TypeError")


def test_softmax_backward_mistakes(capsys):
    def y_hat(z):
        return softmax(np.asarray(z, dtype=float))

    check = check_softmax_backward
    assert_rejected(check, lambda z, g: y_hat(z) * (1 - y_hat(z)) * g, capsys, "diagonal")
    assert_rejected(check, lambda z, g: y_hat(z) * (g - np.sum(g * y_hat(z))), capsys, "each row")
    assert_rejected(
        check, lambda z, g: g - np.sum(g * y_hat(z), axis=-1, keepdims=True), capsys, "missing"
    )


def test_softmax_backward_rejects_an_unstable_softmax(capsys):
    def naive(z, g):
        e = np.exp(z)
        y_hat = e / e.sum(axis=-1, keepdims=True)
        return y_hat * (g - np.sum(g * y_hat, axis=-1, keepdims=True))

    assert_rejected(check_softmax_backward, naive, capsys, "logits of 1000")


def test_mae_grad_mistakes(capsys):
    check = check_mae_grad
    assert_rejected(check, lambda p, y: -mae_grad_solution(p, y), capsys, "sign is flipped")
    assert_rejected(check, lambda p, y: np.sign(np.asarray(p) - y), capsys, "1/N")
    assert_rejected(
        check, lambda p, y: np.sign(np.asarray(p) - y) / len(np.asarray(p)), capsys, "y_hat.size"
    )
    assert_rejected(check, lambda p, y: 2 * (np.asarray(p) - y) / np.size(p), capsys, "MSE")


def test_bce_with_logits_mistakes(capsys):
    check = check_bce_with_logits

    def through_sigmoid(z, y):
        p = sigmoid(z)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def through_sigmoid_clamped(z, y):
        p = sigmoid(z)
        with np.errstate(divide="ignore"):
            log_p, log_1mp = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
        return float(-np.mean(y * log_p + (1 - y) * log_1mp))

    assert_rejected(check, through_sigmoid, capsys, "±40")
    assert_rejected(check, through_sigmoid_clamped, capsys, "Stay with z")
    assert_rejected(check, lambda z, y: -bce_with_logits_solution(z, y), capsys, "sign")
    assert_rejected(
        check, lambda z, y: bce_with_logits_solution(z, y) * np.size(z), capsys, "the mean"
    )


def test_weighted_cross_entropy_mistakes(capsys):
    check = check_weighted_cross_entropy

    def divided_by_n(z, y, w):
        return weighted_cross_entropy_solution(z, y, w) * np.sum(np.asarray(w)[y]) / len(y)

    def unweighted(z, y, w):
        return weighted_cross_entropy_solution(z, y, np.ones(np.shape(z)[1]))

    def summed(z, y, w):
        return weighted_cross_entropy_solution(z, y, w) * np.sum(np.asarray(w)[y])

    def naive(z, y, w):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        w_i = np.asarray(w)[y]
        return float(np.sum(w_i * -np.log(p[np.arange(len(y)), y])) / np.sum(w_i))

    assert_rejected(check, divided_by_n, capsys, "divided by N")
    assert_rejected(check, unweighted, capsys, "not applied")
    assert_rejected(check, summed, capsys, "weighted sum")
    assert_rejected(check, naive, capsys, "logits of 1000")


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_rejects_an_answer_that_is_slightly_off(check, solution, capsys):
    ok, out = run(check, lambda *args: np.asarray(solution(*args)) + 1e-3, capsys)
    assert ok is False
    assert "differ" in out and "rtol=" in out
