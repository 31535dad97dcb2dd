"""Self-checks for notebooks 05 (activation functions) and 06 (loss functions).

05: the derivative of leaky ReLU, the softmax's vector-Jacobian product (backward).
06: the MAE gradient, BCE on logits (stable), torch's class-weighted cross-entropy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.basics import _Z_GRID, _Z_ORDINARY
from dlcourse.exercises.core import Case, check_function
from dlcourse.scratch.activations import (
    Softmax,
    leaky_relu,
    leaky_relu_grad,
    relu_grad,
    sigmoid,
    softmax,
)
from dlcourse.scratch.losses import (
    L1Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
)

__all__ = [
    "check_bce_with_logits",
    "check_leaky_relu_grad",
    "check_mae_grad",
    "check_softmax_backward",
    "check_weighted_cross_entropy",
]

_LEAKY_CASES = (
    Case("ordinary z in [-3, 4] with the default slope", (_Z_ORDINARY,)),
    Case("a 2-D batch of z, negative_slope = 0.2", (_Z_GRID, 0.2)),
    Case("negative_slope = 0 (plain ReLU)", (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.0)),
    Case(
        "z = 0 and a tiny positive z, negative_slope = 0.1", (np.array([0.0, 1e-12, -1e-12]), 0.1)
    ),
)


def check_leaky_relu_grad(fn: Callable) -> bool:
    """Check ``fn(z, negative_slope=0.01)``: LeakyReLU'(z) element-wise, any shape of ``z``.

    ``1`` where ``z > 0``, ``negative_slope`` where ``z <= 0`` (PyTorch's value at ``z = 0``);
    with ``negative_slope = 0`` this is ReLU's derivative. The first case calls ``fn(z)`` alone,
    so the default slope must be 0.01.
    """
    return check_function(
        fn,
        "leaky ReLU derivative",
        _LEAKY_CASES,
        leaky_relu_grad,
        "Leaky ReLU is linear on each side of 0: its derivative is the slope of the side z lies "
        "on, returned with the shape of z.",
        mistakes=[
            (
                lambda z, s=0.01: np.where(np.asarray(z) >= 0, 1.0, s),
                "Only z = 0 is off: at the kink PyTorch uses the slope of the negative side.",
            ),
            (
                lambda z, s=0.01: leaky_relu(z, s),
                "You return the activation f(z) itself; the exercise asks for its derivative.",
            ),
            (
                lambda z, s=0.01: relu_grad(z),
                "Negative inputs get derivative 0: that is plain ReLU. Leaky ReLU keeps the slope "
                "negative_slope there.",
            ),
            (
                lambda z, s=0.01: leaky_relu_grad(z, 0.01),
                "The slope is always 0.01: use the negative_slope argument.",
            ),
        ],
    )


_RNG_05 = np.random.default_rng(5)
_SOFTMAX_BACKWARD_CASES = (
    Case(
        "a batch of 2 samples x 3 classes",
        (
            np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]),
            np.array([[0.3, -0.2, 1.0], [1.0, 0.5, -2.0]]),
        ),
    ),
    Case(
        "one sample, grad_out selecting one output",
        (np.array([[0.5, -1.0, 2.0, 0.0]]), np.array([[0.0, 0.0, 1.0, 0.0]])),
    ),
    Case(
        "a batch of 4 samples x 5 classes",
        (_RNG_05.normal(size=(4, 5)), _RNG_05.normal(size=(4, 5))),
    ),
    Case(
        "logits of 1000",
        (
            np.array([[1000.0, 999.0, 998.0], [-1000.0, 0.0, 1000.0]]),
            np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]),
        ),
    ),
)


def _softmax_backward(z, grad_out):
    layer = Softmax()
    layer.forward(z)
    return layer.backward(grad_out)


def check_softmax_backward(fn: Callable) -> bool:
    """Check ``fn(z, grad_out) = dL/dz`` for ``y_hat = softmax(z)`` over the last axis.

    ``z`` (logits) and ``grad_out = dL/dy_hat`` have shape ``(n_samples, n_classes)``; the answer
    ``y_hat * (grad_out - sum_c grad_out_c y_hat_c)`` (sum per sample) has the same shape. Compared
    with :class:`dlcourse.scratch.activations.Softmax`'s ``backward``; logits of 1000 included.
    """

    def y_hat(z):
        return softmax(np.asarray(z, dtype=np.float64), axis=-1)

    return check_function(
        fn,
        "softmax backward",
        _SOFTMAX_BACKWARD_CASES,
        _softmax_backward,
        "Start from the Jacobian dy_c/dz_k = y_c (1[c = k] - y_k) with y = softmax(z), and "
        "multiply grad_out by it for each sample, without building the matrix.",
        mistakes=[
            (
                lambda z, g: y_hat(z) * (1 - y_hat(z)) * g,
                "You used only the diagonal of the Jacobian. Every output depends on every logit: "
                "the off-diagonal terms -y_c y_k contribute too.",
            ),
            (
                lambda z, g: y_hat(z) * (g - np.sum(g * y_hat(z))),
                "The sum over classes must be taken separately for each sample (each row), "
                "keeping the dimensions so that it broadcasts.",
            ),
            (
                lambda z, g: g - np.sum(g * y_hat(z), axis=-1, keepdims=True),
                "A factor is missing: each row is also multiplied element-wise by y = softmax(z).",
            ),
            (
                lambda z, g: z * (g - np.sum(g * z, axis=-1, keepdims=True)),
                "The Jacobian is written with the softmax outputs y = softmax(z), not the logits.",
            ),
        ],
    )


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


def check_mae_grad(fn: Callable) -> bool:
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


def check_bce_with_logits(fn: Callable) -> bool:
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


def check_weighted_cross_entropy(fn: Callable) -> bool:
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
