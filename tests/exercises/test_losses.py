"""Tests of the loss checks: MAE gradient, BCE, BCE from logits, weighted cross-entropy.

The references are compared with torch.nn's losses (float64).
"""

import numpy as np
import pytest
import torch

from dlcourse.exercises import losses as ex
from dlcourse.scratch import sigmoid

from .conftest import assert_passes, assert_rejected, solution

SCALAR_CHECKS = ["check_bce", "check_bce_with_logits", "check_weighted_cross_entropy"]


def bce_torch(y_hat, y):
    return torch.nn.functional.binary_cross_entropy(torch.tensor(y_hat), torch.tensor(y))


@pytest.mark.parametrize("name", SCALAR_CHECKS)
def test_a_loss_returned_as_a_0d_tensor_is_accepted(capsys, name):
    correct = solution(name)
    assert_passes(capsys, getattr(ex, name), lambda *args: torch.tensor(float(correct(*args))))


def test_bce_accepts_torch_bce(capsys):
    assert_passes(capsys, ex.check_bce, bce_torch)


# ---------------------------------------------------------------------------------------------
# MAE gradient
# ---------------------------------------------------------------------------------------------


def test_mae_grad_mistakes(capsys):
    correct = solution("check_mae_grad")
    check = ex.check_mae_grad
    assert_rejected(capsys, check, lambda p, y: -correct(p, y), "sign is flipped")
    assert_rejected(capsys, check, lambda p, y: np.sign(np.asarray(p) - y), "1/N")
    assert_rejected(
        capsys, check, lambda p, y: np.sign(np.asarray(p) - y) / len(np.asarray(p)), "y_hat.size"
    )
    assert_rejected(capsys, check, lambda p, y: 2 * (np.asarray(p) - y) / np.size(p), "MSE")


@pytest.mark.parametrize("case", ex._MAE_CASES, ids=lambda case: case.label)
def test_mae_grad_reference_matches_autograd(case):
    y_hat, y = (torch.tensor(a, dtype=torch.float64) for a in case.args)
    y_hat.requires_grad_()
    torch.nn.L1Loss()(y_hat, y).backward()
    np.testing.assert_allclose(ex._mae_grad(*case.args), y_hat.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Binary cross-entropy
# ---------------------------------------------------------------------------------------------


def terms(p, y, eps=0.0):
    return -(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda p, y: -terms(p, y).mean(), "sign"),
        (lambda p, y: terms(p, y).sum(), "sum"),
        (terms, "single number"),
        (lambda p, y: -np.mean(y * np.log(p)), "y = 0"),
        (lambda p, y: terms(p, y, eps=1e-8).mean(), "ŷ = 1e-7"),
        (lambda p, y: terms(p, y, eps=1e-7).mean(), "ŷ = 1e-7"),
    ],
)
def test_bce_rejects_typical_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_bce, mistake, fragment)


def test_bce_cases_include_the_confident_predictions_the_prompt_warns_about():
    smallest = min(float(np.min(case.args[0])) for case in ex._BCE_CASES)
    assert smallest == pytest.approx(1e-7)


@pytest.mark.parametrize("case", ex._BCE_CASES, ids=lambda case: case.label)
def test_bce_reference_matches_torch(case):
    expected = bce_torch(*case.args).item()
    assert ex.binary_cross_entropy(*case.args) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# BCE from logits
# ---------------------------------------------------------------------------------------------


def test_bce_with_logits_mistakes(capsys):
    correct = solution("check_bce_with_logits")
    check = ex.check_bce_with_logits

    def through_sigmoid(z, y):
        p = sigmoid(z)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def through_sigmoid_clamped(z, y):
        p = sigmoid(z)
        with np.errstate(divide="ignore"):
            log_p, log_1mp = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
        return float(-np.mean(y * log_p + (1 - y) * log_1mp))

    assert_rejected(capsys, check, through_sigmoid, "±40")
    assert_rejected(capsys, check, through_sigmoid_clamped, "Stay with z")
    assert_rejected(capsys, check, lambda z, y: -correct(z, y), "sign")
    assert_rejected(capsys, check, lambda z, y: correct(z, y) * np.size(z), "the mean")


@pytest.mark.parametrize("case", ex._BCE_LOGITS_CASES, ids=lambda case: case.label)
def test_bce_with_logits_reference_matches_torch(case):
    z, y = (torch.tensor(a, dtype=torch.float64) for a in case.args)
    expected = torch.nn.BCEWithLogitsLoss()(z, y).item()
    assert ex.binary_cross_entropy_with_logits(*case.args) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Weighted cross-entropy
# ---------------------------------------------------------------------------------------------


def test_weighted_cross_entropy_mistakes(capsys):
    correct = solution("check_weighted_cross_entropy")
    check = ex.check_weighted_cross_entropy

    def divided_by_n(z, y, w):
        return correct(z, y, w) * np.sum(np.asarray(w)[y]) / len(y)

    def unweighted(z, y, w):
        return correct(z, y, np.ones(np.shape(z)[1]))

    def summed(z, y, w):
        return correct(z, y, w) * np.sum(np.asarray(w)[y])

    def naive(z, y, w):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        w_i = np.asarray(w)[y]
        return float(np.sum(w_i * -np.log(p[np.arange(len(y)), y])) / np.sum(w_i))

    assert_rejected(capsys, check, divided_by_n, "divided by N")
    assert_rejected(capsys, check, unweighted, "not applied")
    assert_rejected(capsys, check, summed, "weighted sum")
    assert_rejected(capsys, check, naive, "logits of 1000")


@pytest.mark.parametrize("case", ex._WEIGHTED_CE_CASES, ids=lambda case: case.label)
def test_weighted_cross_entropy_reference_matches_torch(case):
    z, y, weight = case.args
    loss = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight, dtype=torch.float64))
    expected = loss(torch.tensor(z, dtype=torch.float64), torch.tensor(y)).item()
    assert ex.cross_entropy(z, y, weight=weight) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", ["check_mae_grad", *SCALAR_CHECKS])
def test_an_answer_slightly_off_is_rejected_with_its_tolerance(capsys, name):
    correct = solution(name)
    line = assert_rejected(capsys, getattr(ex, name), lambda *a: np.asarray(correct(*a)) + 1e-3)
    assert "differ" in line and "rtol=" in line
