"""Checks for the artificial neuron.

The sigmoid, a neuron on a batch, its decision boundary, and a hand-wired network for XOR of two
SNPs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import (
    Case,
    CheckResult,
    as_array,
    check_function,
    guarded,
    is_stub,
    not_implemented,
    read_only,
    report,
)
from dlcourse.scratch.activations import ReLU, sigmoid
from dlcourse.scratch.layers import Dense
from dlcourse.scratch.network import Sequential

__all__ = [
    "check_decision_boundary",
    "check_neuron_forward",
    "check_sigmoid",
    "check_xor_network",
]

# ===================================================================================================
# The sigmoid
# ===================================================================================================

_SIGMOID_CASES = (
    Case("ordinary z in [-3, 4]", (np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0]),)),
    Case("a 2-D batch of z", (np.linspace(-6.0, 6.0, 12).reshape(3, 4),)),
    Case("extreme z = ±1000 and ±40", (np.array([-1000.0, -40.0, 40.0, 1000.0]),)),
    Case("a scalar z = 0.3", (0.3,)),
    Case("an integer array z = [-3, -1, 0, 2, 5]", (np.array([-3, -1, 0, 2, 5]),)),
)


def check_sigmoid(fn: Callable) -> CheckResult:
    """Check ``fn(z) = σ(z) = 1 / (1 + e^(-z))`` element-wise, finite and silent at z = ±1000.

    ``z`` is a number or an array of any shape, float or integer; the result has its shape.
    """
    return check_function(
        fn,
        "sigmoid",
        _SIGMOID_CASES,
        sigmoid,
        "Revisit the logistic function: it maps any real z into (0, 1), acting element-wise, and "
        "np.exp overflows for arguments above ~709, so look for an algebraically equal form that "
        "never exponentiates a large positive number.",
        mistakes=[
            (
                lambda z: np.exp(-np.asarray(z)) / (1 + np.exp(-np.asarray(z))),
                "That is 1 - σ(z): check the sign of the exponent.",
            ),
            (
                lambda z: sigmoid(z).astype(np.asarray(z).dtype),
                "For integer z the result was rounded to integers: build the output as floats "
                "(np.asarray(z, dtype=float), or np.zeros(z.shape) instead of np.zeros_like(z)).",
            ),
        ],
    )


# ===================================================================================================
# A neuron on a batch
# ===================================================================================================

_RNG_NEURON = np.random.default_rng(1)
_NEURON_CASES = (
    Case(
        "X of shape (5, 3)",
        (_RNG_NEURON.normal(size=(5, 3)), np.array([0.5, -1.0, 2.0]), 0.1),
    ),
    Case(
        "one feature, X of shape (4, 1)",
        (np.array([[-2.0], [0.0], [1.0], [3.0]]), np.array([1.5]), -0.5),
    ),
    Case(
        "large weights (z up to ±1000)",
        (np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]), np.array([1000.0, -800.0]), 0.0),
    ),
)


def _neuron(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return sigmoid(X @ w + b)


def check_neuron_forward(fn: Callable) -> CheckResult:
    """Check ``fn(X, w, b) = σ(X w + b)`` for a batch: ``X: (n, d)``, ``w: (d,)``, ``b`` scalar.

    The result must have shape ``(n,)``, one probability per sample, computed without a Python
    loop (the prompt asks for one matrix-vector product).
    """
    return check_function(
        fn,
        "neuron forward",
        _NEURON_CASES,
        _neuron,
        "A neuron computes a weighted sum of its inputs plus the bias, z = w·x + b, then applies "
        "its activation; for a batch, do it for every row of X at once (matrix-vector product). "
        "The output has one value per sample: shape (n,). Use a numerically stable sigmoid.",
        mistakes=[
            (lambda X, w, b: sigmoid(X @ w), "The bias b is missing from the pre-activation z."),
            (lambda X, w, b: X @ w + b, "That is z: the activation σ is not applied."),
            (
                lambda X, w, b: sigmoid(X @ w + b)[:, None],
                "Shape (n, 1): the output should be a flat vector of shape (n,).",
            ),
        ],
        no_loop="One matrix-vector product X @ w computes z for every sample at once.",
    )


# ===================================================================================================
# The decision boundary as a line
# ===================================================================================================

# In the first case swapping (slope, intercept) differs from negating both.
_BOUNDARY_CASES = (
    Case("w = [1, 2], b = -3", (np.array([1.0, 2.0]), -3.0)),
    Case("w = [-3, 0.5], b = 2", (np.array([-3.0, 0.5]), 2.0)),
    Case("w = [2, -4], b = 0.5", (np.array([2.0, -4.0]), 0.5)),
)


def _boundary_line(w, b):
    w = np.asarray(w, dtype=np.float64)
    return -w[0] / w[1], -b / w[1]


def check_decision_boundary(fn: Callable) -> CheckResult:
    """Check ``fn(w, b) -> (slope, intercept)`` of a two-input neuron's decision boundary.

    ``w: (2,)``, ``b`` a number, ``w[1] != 0``. The boundary is where ``z = w1 x1 + w2 x2 + b = 0``
    (so ``σ(z) = 0.5``), written as the line ``x2 = slope * x1 + intercept``:
    ``slope = -w1 / w2`` and ``intercept = -b / w2``.
    """
    return check_function(
        fn,
        "decision boundary",
        _BOUNDARY_CASES,
        _boundary_line,
        "The boundary is the set of points where the pre-activation z is exactly 0: write "
        "w1 x1 + w2 x2 + b = 0 and solve it for x2.",
        names=("slope", "intercept"),
        mistakes=[
            (
                lambda w, b: _boundary_line(w, b)[::-1],
                "The two values are swapped: return (slope, intercept), in that order.",
            ),
            (
                lambda w, b: (w[0] / w[1], b / w[1]),
                "The signs are flipped: move w1 x1 and b to the other side of the equation.",
            ),
            (
                lambda w, b: (-w[1] / w[0], -b / w[0]),
                "You solved for x1: the line should give x2 as a function of x1.",
            ),
            (
                lambda w, b: (-w[0] / w[1], b / w[1]),
                "The intercept's sign is wrong: the bias moves to the other side too.",
            ),
            (
                lambda w, b: (-w[0] / w[1], -b),
                "The intercept must also be divided by w2.",
            ),
        ],
    )


# ===================================================================================================
# XOR of two SNPs, wired by hand
# ===================================================================================================

# Carrier status of two SNPs (minor allele present = 1) and the XOR phenotype (case = 1).
_XOR_INPUTS = read_only(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
_XOR_TARGETS = read_only(np.array([0, 1, 1, 0]))
_XOR = "XOR network"


def _xor_parts(W1, b1, W2, b2) -> tuple[list[np.ndarray] | None, str | None]:
    """The four arrays as float64 with consistent shapes, or a message saying what is off."""
    arrays = []
    for name, value in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), strict=True):
        array = as_array(value)
        if array is None:
            return None, f"{name} must be numbers, got {type(value).__name__}"
        if not np.all(np.isfinite(array)):
            return None, f"{name} contains nan or inf"
        arrays.append(array)
    W1, b1, W2, b2 = arrays
    if W1.ndim != 2 or W1.shape[1] != 2:
        return None, f"W1 must have shape (hidden units, 2), got {W1.shape}"
    hidden = W1.shape[0]
    expected = {"b1": (hidden,), "W2": (1, hidden), "b2": (1,)}
    for name, array in zip(("b1", "W2", "b2"), (b1, W2, b2), strict=True):
        if array.shape != expected[name]:
            return None, (
                f"{name} must have shape {expected[name]} for {hidden} hidden units, "
                f"got {array.shape}"
            )
    return arrays, None


@guarded(_XOR)
def check_xor_network(W1: object, b1: object, W2: object, b2: object) -> CheckResult:
    """Check hand-set weights of a 2-H-1 ReLU network that computes XOR of two carrier flags.

    The network is ``z = W2 relu(W1 a + b1) + b2`` with ``W1: (H, 2)``, ``b1: (H,)``,
    ``W2: (1, H)``, ``b2: (1,)`` (``nn.Linear``'s layout) and an identity output: a logit. For
    each of the four inputs ``a`` (carrier of SNP 1, carrier of SNP 2) it must predict a case
    (``z > 0``) exactly when one SNP is carried, and a control (``z < 0``) otherwise; ``z = 0`` is
    undecided and fails. Any number of hidden units H >= 1 is accepted.
    """
    if any(is_stub(value) for value in (W1, b1, W2, b2)):
        return not_implemented(_XOR)
    arrays, problem = _xor_parts(W1, b1, W2, b2)
    if problem is not None:
        return report(False, _XOR, problem)
    W1, b1, W2, b2 = arrays
    layer_1, layer_2 = Dense(2, W1.shape[0], rng=0), Dense(W1.shape[0], 1, rng=0)
    layer_1.W[...], layer_1.b[...], layer_2.W[...], layer_2.b[...] = W1, b1, W2, b2
    z = Sequential(layer_1, ReLU(), layer_2)(_XOR_INPUTS)[:, 0]
    wrong = [
        f"a = ({int(a[0])}, {int(a[1])}) gives z = {value:.3g}, should be "
        f"{'> 0 (case)' if target else '< 0 (control)'}"
        for a, value, target in zip(_XOR_INPUTS, z, _XOR_TARGETS, strict=True)
        if not (value > 0 if target else value < 0)
    ]
    if wrong:
        return report(
            False,
            _XOR,
            "; ".join(wrong) + ". Hint: one hidden unit can count the carried SNPs "
            "(a1 + a2); another can fire only when both are carried; the output then subtracts "
            "enough of the second from the first, and its bias sets the threshold.",
        )
    return report(True, f"{_XOR}: all 4 genotype combinations classified correctly", "")
