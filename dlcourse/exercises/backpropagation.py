"""Checks for backpropagation.

A central finite-difference gradient, the hidden layer's delta, and the backward pass of a 3-H-1
sigmoid network under ½·MSE.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.activations import Sigmoid, sigmoid
from dlcourse.scratch.gradcheck import numerical_gradient
from dlcourse.scratch.layers import Dense
from dlcourse.scratch.network import Sequential

__all__ = ["check_backward_pass", "check_central_difference", "check_hidden_delta"]

# ===================================================================================================
# A central finite difference
# ===================================================================================================


def _central_reference(f, x, eps):
    return numerical_gradient(f, np.array(x, dtype=np.float64), eps)


def _forward_difference(f, x, eps):
    x = np.array(x, dtype=np.float64)
    grad, f0 = np.empty_like(x), f(x)
    for index in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[index] += eps
        grad[index] = (f(shifted) - f0) / eps
    return grad


def _wavy(x):
    return float(np.sum(np.sin(x) * x**2))


def _quadratic_form(W):
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    return float(np.sum(W * (A @ W)) + np.sum(W))


def _neuron_loss(w):
    z = w[0] * 1.5 + w[1]
    return 0.5 * float((1.0 / (1.0 + np.exp(-z)) - 0.2) ** 2)


_CENTRAL_CASES = (
    Case(
        "f(x) = Σ sin(x) x², x of shape (4,), eps = 1e-4",
        (_wavy, np.array([0.3, -1.2, 2.0, 0.0]), 1e-4),
    ),
    Case(
        "a quadratic form of W of shape (2, 3), eps = 1e-5",
        (_quadratic_form, np.arange(6.0).reshape(2, 3) / 4, 1e-5),
    ),
    Case("a neuron's loss of (w, b), eps = 1e-6", (_neuron_loss, np.array([0.8, -0.3]), 1e-6)),
)


def check_central_difference(fn: Callable) -> CheckResult:
    """Check ``fn(f, x, eps)``: the gradient of a scalar ``f`` at ``x`` by central differences.

    ``∂f/∂x_i ≈ (f(x + eps e_i) − f(x − eps e_i)) / (2 eps)`` for every entry i; ``x`` may be of
    any shape and the result has the same shape. Compared with
    :func:`dlcourse.scratch.gradcheck.numerical_gradient` at the same ``eps``.
    """
    return check_function(
        fn,
        "central difference",
        _CENTRAL_CASES,
        _central_reference,
        "Perturb one entry at a time by +eps and by −eps (all other entries unchanged), and "
        "divide the difference of the two function values by the distance between the points.",
        mistakes=[
            (
                _forward_difference,
                "That is a forward difference (f(x + eps) − f(x)) / eps, accurate only to O(eps): "
                "evaluate f on both sides of x.",
            ),
            (
                lambda f, x, eps: 2.0 * _central_reference(f, x, eps),
                "Twice too large: the two points x ± eps are 2·eps apart.",
            ),
        ],
    )


# ===================================================================================================
# The hidden layer's delta
# ===================================================================================================


def _hidden_delta_reference(W2, delta2, z1):
    W2, delta2, z1 = (np.asarray(a, dtype=np.float64) for a in (W2, delta2, z1))
    output_layer = Dense(W2.shape[1], W2.shape[0], rng=0)
    output_layer.W[...] = W2
    activation = Sigmoid()
    output_layer.forward(activation.forward(z1))
    return activation.backward(output_layer.backward(delta2))


_RNG_DELTA = np.random.default_rng(4)
_DELTA_CASES = (
    Case(
        "one sample, 4 hidden units, 1 output (the lecture's 3-4-1)",
        (_RNG_DELTA.normal(size=(1, 4)), np.array([[0.7]]), _RNG_DELTA.normal(size=(1, 4))),
    ),
    Case(
        "a batch of 5 samples",
        (
            _RNG_DELTA.normal(size=(1, 4)),
            _RNG_DELTA.normal(size=(5, 1)),
            _RNG_DELTA.normal(size=(5, 4)),
        ),
    ),
    Case(
        "2 outputs, 3 hidden units, a batch of 6",
        (
            _RNG_DELTA.normal(size=(2, 3)),
            _RNG_DELTA.normal(size=(6, 2)),
            3 * _RNG_DELTA.normal(size=(6, 3)),
        ),
    ),
)


def check_hidden_delta(fn: Callable) -> CheckResult:
    """Check ``fn(W2, delta2, z1) -> delta1``, the error signal of a sigmoid hidden layer.

    Batched rows (samples in rows, as in torch): ``W2: (n_out, n_hidden)``,
    ``delta2: (batch, n_out)`` (dL/dz of the output layer), ``z1: (batch, n_hidden)`` (the
    hidden pre-activations). ``delta1 = (delta2 @ W2) * σ'(z1)``, shape ``(batch, n_hidden)``:
    the lecture's ``δ⁽¹⁾ = W⁽²⁾ᵀ δ⁽²⁾ ⊙ f'(z⁽¹⁾)`` with each sample as a row.
    """
    return check_function(
        fn,
        "hidden-layer delta",
        _DELTA_CASES,
        _hidden_delta_reference,
        "The hidden layer's error is the output error sent back through the weights that connect "
        "the two layers, then multiplied element-wise by the activation's derivative at z1.",
        mistakes=[
            (
                lambda W2, d2, z1: np.asarray(d2) @ np.asarray(W2),
                "The derivative of the activation is missing: multiply element-wise by σ'(z1).",
            ),
            (
                lambda W2, d2, z1: (np.asarray(d2) @ np.asarray(W2)) * sigmoid(z1),
                "You multiplied by σ(z1); the chain rule needs its derivative σ(z1)(1 − σ(z1)).",
            ),
            (
                lambda W2, d2, z1: (np.asarray(d2) @ np.asarray(W2)) * np.asarray(z1),
                "You multiplied by z1; the chain rule needs σ'(z1), the activation's derivative.",
            ),
        ],
    )


# ===================================================================================================
# A complete backward pass
# ===================================================================================================


def _network(W1, b1, W2, b2) -> Sequential:
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    hidden, output = Dense(W1.shape[1], W1.shape[0], rng=0), Dense(W2.shape[1], 1, rng=0)
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = W1, b1, W2, b2
    return Sequential(hidden, Sigmoid(), output)


def _backward_with(X, y, W1, b1, W2, b2, dloss):
    """Gradients of the 3-H-1 network when dL/dŷ is ``dloss(y_hat, y)``; the layer API's order."""
    model = _network(W1, b1, W2, b2)
    y_hat = model(np.asarray(X, dtype=np.float64))
    model.zero_grad()
    model.backward(dloss(y_hat, np.asarray(y, dtype=np.float64)))
    dW1, db1, dW2, db2 = (g.copy() for g in model.gradients())
    return dW1, db1, dW2, db2


def _backward_reference(X, y, W1, b1, W2, b2):
    return _backward_with(X, y, W1, b1, W2, b2, lambda y_hat, t: (y_hat - t) / len(t))


def _backward_no_activation_grad(X, y, W1, b1, W2, b2):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    h = sigmoid(X @ W1.T + b1)
    delta2 = (h @ W2.T + b2 - y) / len(y)
    delta1 = delta2 @ W2
    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ h, delta2.sum(axis=0)


_RNG_BACKWARD = np.random.default_rng(5)
_BACKWARD_CASES = (
    Case(
        "one sample, 3-4-1 (the lecture's example)",
        (
            _RNG_BACKWARD.normal(size=(1, 3)),
            np.array([[1.5]]),
            _RNG_BACKWARD.normal(size=(4, 3)),
            _RNG_BACKWARD.normal(size=4),
            _RNG_BACKWARD.normal(size=(1, 4)),
            np.array([0.1]),
        ),
    ),
    Case(
        "a batch of 6 samples, 3-4-1",
        (
            _RNG_BACKWARD.normal(size=(6, 3)),
            _RNG_BACKWARD.normal(size=(6, 1)),
            _RNG_BACKWARD.normal(size=(4, 3)),
            _RNG_BACKWARD.normal(size=4),
            _RNG_BACKWARD.normal(size=(1, 4)),
            np.array([-0.2]),
        ),
    ),
    Case(
        "a batch of 10 samples, 3-5-1",
        (
            _RNG_BACKWARD.normal(size=(10, 3)),
            _RNG_BACKWARD.normal(size=(10, 1)),
            _RNG_BACKWARD.normal(size=(5, 3)),
            _RNG_BACKWARD.normal(size=5),
            _RNG_BACKWARD.normal(size=(1, 5)),
            np.array([0.3]),
        ),
    ),
)


def check_backward_pass(fn: Callable) -> CheckResult:
    """Check ``fn(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for a 3-H-1 sigmoid network.

    The network is ``ŷ = σ(X W1ᵀ + b1) W2ᵀ + b2`` (torch's layout: ``X: (N, 3)``,
    ``W1: (H, 3)``, ``b1: (H,)``, ``W2: (1, H)``, ``b2: (1,)``, ``y, ŷ: (N, 1)``) and the loss is
    the lecture's ½·MSE averaged over the batch, ``L = (1/N) Σ_i ½ (ŷ_i − y_i)²``, so
    ``dL/dŷ = (ŷ − y) / N``. Each gradient has the shape of its parameter.
    """
    return check_function(
        fn,
        "backward pass",
        _BACKWARD_CASES,
        _backward_reference,
        "Go through the table of notebook 04 from the output back: the output delta, the output "
        "layer's gradients, the hidden delta (weights, then σ'), the hidden layer's gradients; "
        "weight gradients sum over the batch as deltaᵀ @ (the layer's input).",
        names=("dW1", "db1", "dW2", "db2"),
        mistakes=[
            (
                lambda *args: _backward_with(*args, lambda y_hat, t: y_hat - t),
                "Every gradient is N times too large: the loss is a mean over the batch, so "
                "dL/dŷ carries a factor 1/N.",
            ),
            (
                lambda *args: _backward_with(*args, lambda y_hat, t: 2 * (y_hat - t) / len(t)),
                "Every gradient is twice too large: that is torch's MSE without ½. With the "
                "lecture's ½·MSE, dL/dŷ = (ŷ − y)/N.",
            ),
            (
                _backward_no_activation_grad,
                "The hidden layer's gradients miss the sigmoid's derivative σ'(z1) in delta1.",
            ),
        ],
    )
