"""Checks for the basics several notebooks share.

Sigmoid and its derivative, a neuron's forward pass, softmax, binary cross-entropy and a momentum
step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, check_function
from dlcourse.scratch.activations import sigmoid, sigmoid_grad, softmax
from dlcourse.scratch.losses import binary_cross_entropy
from dlcourse.scratch.optim import SGD

__all__ = [
    "check_bce",
    "check_momentum_step",
    "check_neuron_forward",
    "check_sigmoid",
    "check_sigmoid_grad",
    "check_softmax",
]

# ===================================================================================================
# 01 — the artificial neuron
# ===================================================================================================

_Z_ORDINARY = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0])
_Z_EXTREME = np.array([-1000.0, -40.0, 40.0, 1000.0])
_Z_GRID = np.linspace(-6.0, 6.0, 12).reshape(3, 4)

_SIGMOID_CASES = (
    Case("ordinary z in [-3, 4]", (_Z_ORDINARY,)),
    Case("a 2-D batch of z", (_Z_GRID,)),
    Case("extreme z = ±1000 and ±40", (_Z_EXTREME,)),
    Case("a scalar z = 0.3", (0.3,)),
)


def check_sigmoid(fn: Callable) -> bool:
    """Check ``fn(z) = σ(z) = 1 / (1 + e^(-z))`` element-wise, finite and silent at z = ±1000."""
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
        ],
    )


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


def check_neuron_forward(fn: Callable) -> bool:
    """Check ``fn(X, w, b) = σ(X w + b)`` for a batch: ``X: (n, d)``, ``w: (d,)``, ``b`` scalar.

    The result must have shape ``(n,)``, one probability per sample.
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
    )


# ===================================================================================================
# 03 — gradient descent and optimizers
# ===================================================================================================


def _momentum_reference(param, grad, velocity, lr, momentum):
    param = np.array(param, dtype=np.float64)
    optimizer = SGD([param], lr=lr, momentum=momentum)
    # start from the given velocity: torch keeps it as the "momentum_buffer" state
    optimizer.state[0]["momentum_buffer"] = np.array(velocity, dtype=np.float64)
    optimizer.step([np.asarray(grad, dtype=np.float64)])
    return param, optimizer.state[0]["momentum_buffer"]


def _momentum_velocity_form(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return param + velocity, velocity


def _momentum_dampened(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return param - lr * velocity, velocity


def _momentum_stale(param, grad, velocity, lr, momentum):
    return param - lr * velocity, momentum * velocity + grad


_MOMENTUM_CASES = (
    Case(
        "a first step (velocity = 0)",
        (np.array([1.0, -2.0, 0.5]), np.array([0.2, -0.4, 1.0]), np.zeros(3), 0.1, 0.9),
    ),
    Case(
        "a step with velocity [0.5, 0.5, -1]",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.2, -0.4, 1.0]),
            np.array([0.5, 0.5, -1.0]),
            0.05,
            0.9,
        ),
    ),
    Case(
        "a 2-D parameter, momentum 0.5",
        (np.arange(6.0).reshape(2, 3), np.ones((2, 3)), np.full((2, 3), 0.3), 0.01, 0.5),
    ),
    Case(
        "momentum 0.99 against the gradient",
        (np.array([3.0, -1.0]), np.array([1.0, -2.0]), np.array([-0.7, 0.7]), 0.1, 0.99),
    ),
)


def check_momentum_step(fn: Callable) -> bool:
    """Check one SGD-with-momentum step in PyTorch's convention.

    ``fn(param, grad, velocity, lr, momentum) -> (new_param, new_velocity)`` with
    ``new_velocity = momentum * velocity + grad`` and ``new_param = param - lr * new_velocity``
    (``torch.optim.SGD`` with ``dampening=0``; the velocity starts at 0).
    """
    return check_function(
        fn,
        "momentum step",
        _MOMENTUM_CASES,
        _momentum_reference,
        "Revisit momentum in PyTorch's convention: the velocity accumulates past gradients, "
        "decayed by the momentum factor, and the parameter then moves against it, scaled by the "
        "learning rate.",
        names=("new_param", "new_velocity"),
        mistakes=[
            (
                _momentum_velocity_form,
                "That is the velocity form (learning rate inside the velocity, opposite sign). "
                "This exercise uses PyTorch's convention, where lr only enters the parameter "
                "update.",
            ),
            (
                _momentum_dampened,
                "The gradient is scaled by (1 - momentum): that is a moving average (dampening), "
                "which torch.optim.SGD does not apply by default.",
            ),
            (
                _momentum_stale,
                "The parameter moved with the old velocity: update the velocity first, then use it.",
            ),
            (
                lambda *args: _momentum_reference(*args)[::-1],
                "The outputs are swapped: return (new_param, new_velocity).",
            ),
        ],
    )


# ===================================================================================================
# 05 — activation functions
# ===================================================================================================


def check_sigmoid_grad(fn: Callable) -> bool:
    """Check ``fn(z) = σ'(z)``, the sigmoid's derivative, element-wise; silent at z = ±1000.

    (The formula is the exercise, so it is not written here; the reference is
    ``dlcourse.scratch.activations.sigmoid_grad``.)
    """
    return check_function(
        fn,
        "sigmoid derivative",
        _SIGMOID_CASES,
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
        ],
    )


_SOFTMAX_CASES = (
    Case("a vector of 4 logits", (np.array([1.0, 2.0, 0.5, -1.0]),)),
    Case(
        "a batch of 3 samples x 4 classes",
        (np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 3.0, 1.0, 0.1]]),),
    ),
    Case("logits of 1000", (np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0]]),)),
)


def check_softmax(fn: Callable) -> bool:
    """Check ``fn(z) = softmax`` over the last axis (classes) for 1-D and 2-D ``z``.

    ``softmax(z)_c = e^(z_c) / sum_k e^(z_k)``; must stay finite and silent for logits of 1000.
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
                lambda z: softmax(z, axis=0),
                "You normalised over the batch (axis 0); normalise each sample over its classes.",
            ),
            (
                lambda z: np.exp(z) / np.exp(z).sum(),
                "Each row must sum to 1: sum over the class axis only, keeping the dimensions.",
            ),
        ],
    )


# ===================================================================================================
# 06 — loss functions
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


def _bce_terms(p, y):
    p, y = np.asarray(p), np.asarray(y)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def check_bce(fn: Callable) -> bool:
    """Check ``fn(y_hat, y)``: the mean binary cross-entropy of probabilities ``y_hat``.

    ``BCE = -(1/N) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]``, a single number, for
    ``y_hat`` (probabilities, not logits) and ``y`` (0/1 labels) of shape ``(N,)``.
    """
    return check_function(
        fn,
        "binary cross-entropy",
        _BCE_CASES,
        binary_cross_entropy,
        "BCE is the negative log-likelihood of Bernoulli labels, averaged over samples: each "
        "sample contributes the log of the probability the model gave to its true class.",
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
        ],
    )
