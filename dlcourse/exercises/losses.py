"""Checks for loss functions.

The gradient of MAE, binary cross-entropy on probabilities and (stably) on logits, and PyTorch's
class-weighted cross-entropy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.activations import sigmoid
from dlcourse.scratch.losses import (
    L1Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
)

__all__ = [
    "check_bce",
    "check_bce_with_logits",
    "check_mae_grad",
    "check_weighted_cross_entropy",
]

# ===================================================================================================
# The gradient of MAE
# ===================================================================================================

_MAE_CASES = (
    Case(
        "5 predictions",
        (np.array([2.5, 0.0, -1.2, 3.0, 1.0]), np.array([2.0, 0.4, -1.0, 3.5, 0.0])),
    ),
    Case(
        "a column (4, 1) with one exact prediction",
        (np.array([[1.0], [2.0], [-0.5], [0.3]]), np.array([[1.0], [1.5], [0.5], [0.2]])),
    ),
    Case(
        "a (3, 2) batch: N counts every element",
        (
            np.array([[0.1, 2.0], [-1.0, 0.0], [4.0, -3.0]]),
            np.array([[0.0, 2.5], [1.0, 0.0], [3.0, -2.0]]),
        ),
    ),
)


def _mae_grad(y_hat, y):
    loss = L1Loss()
    loss(y_hat, y)
    return loss.backward()


def check_mae_grad(fn: Callable) -> CheckResult:
    """Check ``fn(y_hat, y) = dMAE/dy_hat = sign(y_hat - y) / N``, shaped like ``y_hat``.

    ``MAE = (1/N) sum |y_hat - y|`` over all N elements (``torch.nn.L1Loss``); where
    ``y_hat == y`` the gradient is 0, as torch's. Compared with ``dlcourse.scratch.L1Loss``.
    """
    return check_function(
        fn,
        "MAE gradient",
        _MAE_CASES,
        _mae_grad,
        "Differentiate |r| for r = y_hat - y: its derivative is the sign of r. The mean divides "
        "every term by N, the number of elements.",
        mistakes=[
            (
                lambda p, y: np.sign(np.asarray(y) - np.asarray(p)) / np.asarray(p).size,
                "The sign is flipped: differentiate with respect to y_hat, not y.",
            ),
            (
                lambda p, y: np.sign(np.asarray(p) - np.asarray(y)),
                "The mean's 1/N is missing.",
            ),
            (
                lambda p, y: np.sign(np.asarray(p) - np.asarray(y)) / len(np.asarray(p)),
                "For a 2-D y_hat, N is the number of elements (y_hat.size), not of rows: "
                "L1Loss averages over every element.",
            ),
            (
                lambda p, y: 2 * (np.asarray(p) - np.asarray(y)) / np.asarray(p).size,
                "That is the gradient of MSE; the absolute value gives a gradient of constant size.",
            ),
        ],
    )


# ===================================================================================================
# Binary cross-entropy
# ===================================================================================================

_BCE_CASES = (
    Case("4 predictions", (np.array([0.9, 0.2, 0.6, 0.4]), np.array([1.0, 0.0, 1.0, 1.0]))),
    Case(
        "confident predictions (p = 1e-7, 1 - 1e-7)",
        (np.array([1e-7, 1 - 1e-7, 0.5]), np.array([0.0, 1.0, 1.0])),
    ),
    Case(
        "confidently wrong (p = 1e-7 for a positive)", (np.array([1e-7, 0.3]), np.array([1.0, 0.0]))
    ),
)


def _bce_terms(p, y, eps=0.0):
    p, y = np.asarray(p), np.asarray(y)
    return -(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


def check_bce(fn: Callable) -> CheckResult:
    """Check ``fn(y_hat, y)``: the mean binary cross-entropy of probabilities ``y_hat``.

    ``BCE = -(1/N) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]``, a single number, for
    ``y_hat`` (probabilities, not logits) and ``y`` (0/1 labels) of shape ``(N,)``. The cases
    include confident predictions (ŷ = 1e-7), where an eps added inside the log shows.
    """
    return check_function(
        fn,
        "binary cross-entropy",
        _BCE_CASES,
        binary_cross_entropy,
        "BCE is the negative log-likelihood of Bernoulli labels, averaged over samples: each "
        "sample contributes the log of the probability the model gave to its true class. Take "
        "the log of ŷ as it is: an eps added inside the log changes the loss at ŷ = 1e-7.",
        mistakes=[
            (
                lambda p, y: -_bce_terms(p, y).mean(),
                "The sign is flipped: a loss is the *negative* log-likelihood (always >= 0).",
            ),
            (
                lambda p, y: _bce_terms(p, y).sum(),
                "That is the sum over samples; the loss is the mean.",
            ),
            (_bce_terms, "One value per sample: average them into a single number."),
            (
                lambda p, y: -(np.asarray(y) * np.log(p)).mean(),
                "Only the positive samples contribute: the y = 0 samples need their term too.",
            ),
            (
                lambda p, y: _bce_terms(p, y, eps=1e-8).mean(),
                "A small eps added inside the log changes the loss noticeably when ŷ is itself "
                "tiny (ŷ = 1e-7): take np.log of the probabilities as they are.",
            ),
        ],
    )


# ===================================================================================================
# Binary cross-entropy from logits
# ===================================================================================================

_BCE_LOGITS_CASES = (
    Case("4 logits", (np.array([2.0, -1.0, 0.5, -0.3]), np.array([1.0, 0.0, 1.0, 1.0]))),
    Case(
        "a column (3, 1) of logits",
        (np.array([[3.0], [-2.0], [0.0]]), np.array([[1.0], [1.0], [0.0]])),
    ),
    Case(
        "confident logits ±40 (σ rounds to 0 or 1)",
        (np.array([40.0, -40.0, 40.0, -40.0]), np.array([0.0, 1.0, 1.0, 0.0])),
    ),
    Case("extreme logits ±1000", (np.array([1000.0, -1000.0, 5.0]), np.array([0.0, 1.0, 1.0]))),
)


def _bce_logits_naive(z, y):
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return binary_cross_entropy(sigmoid(z), y)


def check_bce_with_logits(fn: Callable) -> CheckResult:
    """Check ``fn(z, y)``: mean binary cross-entropy computed from logits ``z`` (one number).

    ``BCE = (1/N) sum [(1 - y) z + log(1 + e^(-z))]``, equal to BCE of ``σ(z)`` but finite and
    silent for ``|z| = 1000`` (``torch.nn.BCEWithLogitsLoss``). ``z`` and ``y`` have the same shape.
    """
    return check_function(
        fn,
        "BCE with logits",
        _BCE_LOGITS_CASES,
        binary_cross_entropy_with_logits,
        "Write log σ(z) and log(1 - σ(z)) directly in terms of z: both are -softplus of ±z, and "
        "softplus(x) = max(x, 0) + log(1 + e^(-|x|)) never overflows.",
        mistakes=[
            (
                _bce_logits_naive,
                "Right formula, lost precision: computing σ(z) first rounds it to exactly 0 or 1 "
                "for large |z|, and the log of that is clamped or infinite. Stay with z.",
            ),
            (
                lambda z, y: -binary_cross_entropy_with_logits(z, y),
                "The sign is flipped: the loss is the negative log-likelihood (always >= 0).",
            ),
            (
                lambda z, y: binary_cross_entropy_with_logits(z, y, reduction="sum"),
                "That is the sum over samples; the loss is the mean.",
            ),
        ],
    )


# ===================================================================================================
# Class-weighted cross-entropy
# ===================================================================================================

_RNG_06 = np.random.default_rng(6)
_WEIGHTED_CE_CASES = (
    Case(
        "4 samples, 3 classes, equal weights",
        (
            np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.3, 2.5], [1.0, 1.0, 1.0]]),
            np.array([0, 1, 2, 1]),
            np.ones(3),
        ),
    ),
    Case(
        "class weights [1, 2, 5]",
        (_RNG_06.normal(size=(6, 3)), np.array([0, 0, 0, 1, 1, 2]), np.array([1.0, 2.0, 5.0])),
    ),
    Case(
        "a class absent from the batch, weights [0.5, 3, 1, 2]",
        (_RNG_06.normal(size=(5, 4)), np.array([0, 2, 2, 3, 0]), np.array([0.5, 3.0, 1.0, 2.0])),
    ),
    Case(
        "logits of 1000",
        (
            np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]]),
            np.array([2, 1]),
            np.array([1.0, 4.0, 2.0]),
        ),
    ),
)


def _nll(z, y):
    z = np.asarray(z, dtype=np.float64)
    return -log_softmax(z)[np.arange(len(y)), np.asarray(y)]


def check_weighted_cross_entropy(fn: Callable) -> CheckResult:
    """Check ``fn(z, y, weight)``: class-weighted cross-entropy on logits, as PyTorch computes it.

    ``z: (N, C)`` logits, ``y: (N,)`` integer labels, ``weight: (C,)``; with
    ``ℓ_i = -log softmax(z_i)[y_i]`` the answer is ``sum_i w[y_i] ℓ_i / sum_i w[y_i]``
    (``torch.nn.CrossEntropyLoss(weight=...)``), finite and silent for logits of 1000.
    """
    return check_function(
        fn,
        "weighted cross-entropy",
        _WEIGHTED_CE_CASES,
        lambda z, y, w: cross_entropy(z, y, weight=w),
        "Per sample: the negative log-softmax of its true class, computed stably (subtract the "
        "row's maximum), times the weight of that class; then PyTorch's weighted mean.",
        mistakes=[
            (
                lambda z, y, w: float(np.mean(np.asarray(w)[np.asarray(y)] * _nll(z, y))),
                "You divided by N. PyTorch's weighted mean divides by the sum of the weights of "
                "the samples' true classes, so equal weights of any size give the plain mean.",
            ),
            (
                lambda z, y, w: cross_entropy(z, y),
                "The class weights are not applied: multiply each sample's loss by w[y_i].",
            ),
            (
                lambda z, y, w: float(np.sum(np.asarray(w)[np.asarray(y)] * _nll(z, y))),
                "That is the weighted sum; divide it by the sum of the weights used.",
            ),
            (
                lambda z, y, w: (
                    -float(np.sum(np.asarray(w)[np.asarray(y)] * _nll(z, y)))
                    / float(np.sum(np.asarray(w)[np.asarray(y)]))
                ),
                "The sign is flipped: the loss is the negative log-likelihood (always >= 0).",
            ),
        ],
    )
