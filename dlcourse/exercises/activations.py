"""Checks for activation functions.

The derivatives of the sigmoid and of leaky ReLU, a stable softmax, and the softmax's backward pass
(a vector-Jacobian product).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.activations import (
    Softmax,
    leaky_relu,
    leaky_relu_grad,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
)

__all__ = [
    "check_leaky_relu_grad",
    "check_sigmoid_grad",
    "check_softmax",
    "check_softmax_backward",
]

_Z_ORDINARY = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0])
_Z_GRID = np.linspace(-6.0, 6.0, 12).reshape(3, 4)
_Z_INTEGER = np.array([-3, -1, 0, 2, 5])


def _rounded_like_input(activation: Callable) -> Callable:
    """The mistake of building the output with the input's dtype: integers in, integers out."""
    return lambda z, *args: activation(z, *args).astype(np.asarray(z).dtype)


_INTEGER_HINT = (
    "For integer z the result was rounded to integers: build the output as floats "
    "(np.asarray(z, dtype=float), or np.zeros(z.shape) instead of np.zeros_like(z))."
)

# ===================================================================================================
# The sigmoid's derivative
# ===================================================================================================

_SIGMOID_GRAD_CASES = (
    Case("ordinary z in [-3, 4]", (_Z_ORDINARY,)),
    Case("a 2-D batch of z", (_Z_GRID,)),
    Case("extreme z = ±1000 and ±40", (np.array([-1000.0, -40.0, 40.0, 1000.0]),)),
    Case("a scalar z = 0.3", (0.3,)),
    Case("an integer array z = [-3, -1, 0, 2, 5]", (_Z_INTEGER,)),
)


def check_sigmoid_grad(fn: Callable) -> CheckResult:
    """Check ``fn(z) = σ'(z)``, the sigmoid's derivative, element-wise; silent at z = ±1000.

    (The formula is the exercise, so it is not written here; the reference is
    ``dlcourse.scratch.activations.sigmoid_grad``.)
    """
    return check_function(
        fn,
        "sigmoid derivative",
        _SIGMOID_GRAD_CASES,
        sigmoid_grad,
        "Differentiate σ(z) = 1 / (1 + e^(-z)) with the chain rule and write the result in terms "
        "of σ(z) itself; it peaks at 1/4 for z = 0 and vanishes for large |z|.",
        mistakes=[
            (
                sigmoid,
                "You return σ(z) itself; the derivative has a second factor (check its value at "
                "z = 0, which is 1/4).",
            ),
            (
                lambda z: np.asarray(z) * (1 - np.asarray(z)),
                "The product form applies to σ(z), not to z: compute σ(z) first.",
            ),
            (
                lambda z: 1 - sigmoid(z) ** 2,
                "That is the form of tanh's derivative; redo the chain rule for σ.",
            ),
            (_rounded_like_input(sigmoid_grad), _INTEGER_HINT),
        ],
    )


# ===================================================================================================
# The derivative of leaky ReLU
# ===================================================================================================

_LEAKY_CASES = (
    Case("ordinary z in [-3, 4] with the default slope", (_Z_ORDINARY,)),
    Case("a 2-D batch of z, negative_slope = 0.2", (_Z_GRID, 0.2)),
    Case("negative_slope = 0 (plain ReLU)", (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.0)),
    Case(
        "z = 0 and a tiny positive z, negative_slope = 0.1", (np.array([0.0, 1e-12, -1e-12]), 0.1)
    ),
    Case("an integer array z = [-3, -1, 0, 2, 5], negative_slope = 0.2", (_Z_INTEGER, 0.2)),
)


def check_leaky_relu_grad(fn: Callable) -> CheckResult:
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
            (_rounded_like_input(leaky_relu_grad), _INTEGER_HINT),  # first: it can look like ReLU
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


# ===================================================================================================
# A stable softmax
# ===================================================================================================

_SOFTMAX_CASES = (
    Case("a vector of 4 logits", (np.array([1.0, 2.0, 0.5, -1.0]),)),
    Case(
        "a batch of 3 samples x 4 classes",
        (np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 3.0, 1.0, 0.1]]),),
    ),
    Case("logits of 1000", (np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0]]),)),
    Case(
        "rows on different scales, [[1000, 1001], [0, 1]]", (np.array([[1000.0, 1001.0], [0, 1]]),)
    ),
    Case("an integer batch [[1, 3, 0], [2, 2, -1]]", (np.array([[1, 3, 0], [2, 2, -1]]),)),
)


def _softmax_shifted_by(z, shift):
    e = np.exp(z - shift)
    return e / e.sum(axis=-1, keepdims=True)


def check_softmax(fn: Callable) -> CheckResult:
    """Check ``fn(z) = softmax`` over the last axis (classes) for 1-D and 2-D ``z``.

    ``softmax(z)_c = e^(z_c) / sum_k e^(z_k)``; must stay finite and silent for logits of 1000, in
    every row of a batch whatever the other rows hold, and for integer logits.
    """
    return check_function(
        fn,
        "softmax",
        _SOFTMAX_CASES,
        softmax,
        "Each sample's outputs must be positive and sum to 1 over the classes (the last axis). "
        "For large logits, use the fact that softmax does not change when the same constant is "
        "subtracted from every logit of a sample.",
        mistakes=[
            (
                lambda z: _softmax_shifted_by(z, 0.0),
                "np.exp overflows for large logits: use the fact that softmax does not change when "
                "the same constant is subtracted from every logit of a sample.",
            ),
            (
                lambda z: _softmax_shifted_by(z, np.max(z)),
                "One shift for the whole batch is not enough: a row whose logits all lie far below "
                "that shift underflows to 0 / 0. Shift each sample (row) by its own constant.",
            ),
            (
                lambda z: softmax(z, axis=0),
                "You normalised over the batch (axis 0); normalise each sample over its classes.",
            ),
            (
                lambda z: np.exp(z) / np.exp(z).sum(),
                "Each row must sum to 1: sum over the class axis only, keeping the dimensions.",
            ),
            (_rounded_like_input(softmax), _INTEGER_HINT),
        ],
    )


# ===================================================================================================
# The softmax's backward pass
# ===================================================================================================

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


def check_softmax_backward(fn: Callable) -> CheckResult:
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
