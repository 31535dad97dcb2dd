"""Checks for the forward pass.

Counting an MLP's parameters, its batched forward pass, the collapse of linear layers without
activations, and a bump built from three ReLUs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.activations import ReLU, relu
from dlcourse.scratch.layers import Dense
from dlcourse.scratch.network import MLP, Sequential

__all__ = [
    "check_collapse",
    "check_mlp_forward",
    "check_parameter_count",
    "check_relu_bump",
]


def _mlp_parameter_count(sizes):
    return sum(p.size for p in MLP(list(sizes), rng=0).parameters())


_PARAMETER_CASES = (
    Case("sizes = [3, 4, 1]", ([3, 4, 1],)),
    Case("sizes = [2, 4, 1]", ([2, 4, 1],)),
    Case("sizes = [30, 64, 64, 1]", ([30, 64, 64, 1],)),
    Case("sizes = [2000, 128, 4]", ([2000, 128, 4],)),
)


def check_parameter_count(fn: Callable) -> CheckResult:
    """Check ``fn(sizes) -> int``: the trainable parameters of the MLP ``sizes[0] -> ... ``.

    Each dense layer ``l`` has an ``(n_l, n_{l-1})`` weight matrix and ``n_l`` biases, so the total
    is ``sum_l (n_{l-1} + 1) n_l``; activations have no parameters. Compared with the number of
    entries of ``dlcourse.scratch.MLP(sizes).parameters()``.
    """
    return check_function(
        fn,
        "parameter count",
        _PARAMETER_CASES,
        _mlp_parameter_count,
        "Count, for each pair of consecutive layers, one weight per connection (every unit of the "
        "previous layer to every unit of the next) plus one bias per unit of the next layer.",
        rtol=0.0,
        atol=0.0,
        mistakes=[
            (
                lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)),
                "Only the weights are counted: every unit outside the input layer has a bias too.",
            ),
            (
                lambda sizes: (
                    sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)) + sizes[0]
                ),
                "The input layer has no bias: it only holds the data.",
            ),
            (
                lambda sizes: sum(a * (b + 1) for a, b in zip(sizes[:-1], sizes[1:], strict=True)),
                "The biases belong to the receiving layer (one per output unit), not to the inputs.",
            ),
        ],
    )


def _random_dense_weights(sizes, seed):
    """Weights ``[(W_1, b_1), ...]`` of shapes ``(n_l, n_{l-1})`` and ``(n_l,)`` for a case."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(n_out, n_in)), rng.normal(size=n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def _stack_of_dense(layers, activation=None):
    """A scratch Sequential of Dense layers with the given weights, ``activation`` between them."""
    modules = []
    for k, (W, b) in enumerate(layers):
        dense = Dense(W.shape[1], W.shape[0], rng=0)
        dense.W[...], dense.b[...] = W, b
        modules.append(dense)
        if activation is not None and k + 1 < len(layers):
            modules.append(activation())
    return Sequential(*modules)


_RNG_MLP = np.random.default_rng(2)
_MLP_CASES = (
    Case(
        "3 -> 4 -> 1, a batch of 5",
        (_RNG_MLP.normal(size=(5, 3)), _random_dense_weights([3, 4, 1], 20)),
    ),
    Case(
        "3 -> 5 -> 2 -> 4, a batch of 6",
        (_RNG_MLP.normal(size=(6, 3)), _random_dense_weights([3, 5, 2, 4], 21)),
    ),
    Case(
        "square layers 4 -> 4 -> 4, so a transpose cannot hide",
        (_RNG_MLP.normal(size=(4, 4)), _random_dense_weights([4, 4, 4], 22)),
    ),
    Case("a single layer 3 -> 2 (no hidden layer)", (np.eye(3), _random_dense_weights([3, 2], 23))),
)


def _mlp_forward(X, layers):
    return _stack_of_dense(layers, ReLU)(X)


def _mlp_forward_with(X, layers, transform, last):
    """A forward pass with a wrong ingredient, for the known-mistake messages."""
    H = X
    for k, (W, b) in enumerate(layers):
        H = transform(H, W, b)
        if k + 1 < len(layers) or last:
            H = np.maximum(H, 0.0)
    return H


def check_mlp_forward(fn: Callable) -> CheckResult:
    """Check ``fn(X, layers)``: the forward pass of a ReLU MLP on a batch.

    ``X: (N, n_0)`` holds one sample per row; ``layers`` is a list ``[(W_1, b_1), ..., (W_L, b_L)]``
    with ``W_l: (n_l, n_{l-1})`` (``nn.Linear``'s layout) and ``b_l: (n_l,)``. Every hidden layer
    computes ``H_l = ReLU(H_{l-1} W_l^T + b_l)``; the output layer has no activation (identity).
    The result is ``(N, n_L)``, compared with ``dlcourse.scratch`` Dense and ReLU layers.
    """
    return check_function(
        fn,
        "MLP forward",
        _MLP_CASES,
        _mlp_forward,
        "Loop over the layers: each one multiplies the batch by its transposed weight matrix, adds "
        "its bias (broadcast over the rows) and, except for the last layer, applies ReLU. The "
        "result has one row per sample and one column per output unit.",
        mistakes=[
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W.T + b, True),
                "ReLU is also applied after the output layer: the output's activation depends on "
                "the task, and here it is the identity.",
            ),
            (
                lambda X, layers: _stack_of_dense(layers)(X),
                "No ReLU at all: without activations the layers collapse into one linear map.",
            ),
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W.T, False),
                "The biases are missing.",
            ),
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W + b, False),
                "W_l is (n_out, n_in): multiply the batch by its transpose.",
            ),
        ],
    )


_COLLAPSE_CASES = (
    Case("two layers 3 -> 4 -> 1", (_random_dense_weights([3, 4, 1], 30),)),
    Case("three layers 3 -> 5 -> 2 -> 4", (_random_dense_weights([3, 5, 2, 4], 31),)),
    Case("three square layers 3 -> 3 -> 3 -> 3", (_random_dense_weights([3, 3, 3, 3], 32),)),
    Case("one layer 2 -> 2", (_random_dense_weights([2, 2], 33),)),
)


def _collapse_reference(layers):
    """Read the single affine map off the network itself: b = f(0), column i of W = f(e_i) - f(0)."""
    n_in = layers[0][0].shape[1]
    outputs = _stack_of_dense(layers)(np.vstack([np.zeros(n_in), np.eye(n_in)]))
    b = outputs[0]
    return (outputs[1:] - b).T, b


def _collapse_reversed(layers):
    W, b = np.eye(layers[0][0].shape[1]), np.zeros(layers[0][0].shape[1])
    for W_l, b_l in layers:
        W, b = W @ W_l, b + b_l
    return W, b


def _collapse_bias_sum(layers):
    W = _collapse_reference(layers)[0]
    return W, sum(b_l for _, b_l in layers)


def _collapse_last_bias(layers):
    return _collapse_reference(layers)[0], layers[-1][1]


def check_collapse(fn: Callable) -> CheckResult:
    """Check ``fn(layers) -> (W, b)``: the one affine map equal to a stack of linear layers.

    ``layers`` is a list of ``(W_l, b_l)`` with ``W_l: (n_l, n_{l-1})``, ``b_l: (n_l,)``; without
    activations the network computes ``x -> W x + b`` with ``W = W_L ... W_2 W_1: (n_L, n_0)`` and
    ``b = W_L(... (W_2 b_1 + b_2) ...) + b_L: (n_L,)``. The reference reads ``W`` and ``b`` off a
    ``dlcourse.scratch`` network of ``Dense`` layers with these weights.
    """
    return check_function(
        fn,
        "collapse of linear layers",
        _COLLAPSE_CASES,
        _collapse_reference,
        "Substitute one layer into the next: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), "
        "and repeat layer by layer, keeping the order of the matrix products.",
        names=("W", "b"),
        mistakes=[
            (
                _collapse_reversed,
                "The matrices are multiplied in the wrong order: the first layer acts first, so "
                "its matrix is the rightmost factor.",
            ),
            (
                _collapse_bias_sum,
                "W is right, but the earlier biases also pass through the later layers' weights.",
            ),
            (
                _collapse_last_bias,
                "W is right, but the earlier layers' biases are missing from b.",
            ),
        ],
    )


_BUMP_X = np.linspace(-3.0, 5.0, 33)
_BUMP_CASES = (
    Case("left = 0, peak = 1, right = 2", (_BUMP_X, 0.0, 1.0, 2.0)),
    Case("an asymmetric bump: left = -1, peak = 0.5, right = 3", (_BUMP_X, -1.0, 0.5, 3.0)),
    Case("a narrow bump: left = 2, peak = 2.25, right = 2.5", (_BUMP_X, 2.0, 2.25, 2.5)),
)


def _relu_bump(x, left, peak, right):
    up, down = 1.0 / (peak - left), 1.0 / (right - peak)
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


def check_relu_bump(fn: Callable) -> CheckResult:
    """Check ``fn(x, left, peak, right)``: the hat function built from three ReLUs.

    ``x`` is 1-D; ``left < peak < right``. The hat is 0 outside ``[left, right]``, rises linearly
    to 1 at ``peak`` and falls linearly back to 0 at ``right``; with ``u = 1 / (peak - left)`` and
    ``d = 1 / (right - peak)`` it equals ``u relu(x - left) - (u + d) relu(x - peak) +
    d relu(x - right)``, a hidden layer of three ReLU units and a linear output.
    """
    return check_function(
        fn,
        "ReLU bump",
        _BUMP_CASES,
        _relu_bump,
        "Each ReLU adds a kink: the slope must become +1/(peak - left) at left, change to "
        "-1/(right - peak) at peak, and return to 0 at right. The coefficient of each ReLU is the "
        "change of slope at its kink.",
        mistakes=[
            (
                lambda x, l, p, r: (relu(x - l) - 2 * relu(x - p) + relu(x - r)) / (p - l),
                "That is only right for equal spacing: the slopes on the two sides differ when "
                "peak - left != right - peak.",
            ),
            (
                lambda x, l, p, r: relu(x - l) - 2 * relu(x - p) + relu(x - r),
                "The height at the peak must be 1: scale the slopes by the widths of the two sides.",
            ),
            (
                lambda x, l, p, r: (relu(x - l) - relu(x - p)) / (p - l),
                "That is a ramp that stays at 1: the falling side and the return to 0 are missing.",
            ),
        ],
    )
