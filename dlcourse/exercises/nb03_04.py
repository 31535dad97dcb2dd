"""Self-checks for notebooks 03 (gradient descent) and 04 (backpropagation).

03: one Adam step with bias correction; one epoch of mini-batch SGD on a one-gene linear model.
04: a central finite-difference gradient; the hidden layer's delta; the backward pass of a
    3-H-1 sigmoid network under the deck's ½·MSE.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, check_function
from dlcourse.scratch.activations import Sigmoid, sigmoid
from dlcourse.scratch.gradcheck import numerical_gradient
from dlcourse.scratch.layers import Dense as _Dense
from dlcourse.scratch.losses import MSELoss
from dlcourse.scratch.network import Sequential as _Sequential
from dlcourse.scratch.optim import SGD, Adam

__all__ = [
    "check_adam_step",
    "check_backward_pass",
    "check_central_difference",
    "check_hidden_delta",
    "check_minibatch_epoch",
]


def _adam_reference(param, grad, m, v, t, lr, beta1, beta2, eps):
    param = np.array(param, dtype=np.float64)
    optimizer = Adam([param], lr=lr, betas=(beta1, beta2), eps=eps)
    # resume from step t - 1 with the given moments: torch's state keys
    optimizer.state[0].update(
        step=t - 1,
        exp_avg=np.array(m, dtype=np.float64),
        exp_avg_sq=np.array(v, dtype=np.float64),
    )
    optimizer.step([np.asarray(grad, dtype=np.float64)])
    return param, optimizer.state[0]["exp_avg"], optimizer.state[0]["exp_avg_sq"]


def _adam_moments(grad, m, v, beta1, beta2):
    grad = np.asarray(grad, dtype=np.float64)
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad * grad


def _adam_uncorrected(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v) + eps), m, v


def _adam_first_moment_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def _adam_second_moment_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _adam_eps_inside(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _adam_stores_corrected(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


_ADAM_CASES = (
    Case(
        "the first step (t = 1, m = v = 0)",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.2, -0.4, 1.0]),
            np.zeros(3),
            np.zeros(3),
            1,
            0.1,
            0.9,
            0.999,
            1e-8,
        ),
    ),
    Case(
        "step t = 5 with non-zero moments",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.3, 0.1, -0.2]),
            np.array([0.1, -0.05, 0.2]),
            np.array([0.02, 0.01, 0.05]),
            5,
            0.01,
            0.9,
            0.999,
            1e-8,
        ),
    ),
    Case(
        "a 2-D parameter at t = 100, betas (0.8, 0.99)",
        (
            np.arange(6.0).reshape(2, 3),
            np.full((2, 3), 0.5),
            np.full((2, 3), 0.4),
            np.full((2, 3), 0.3),
            100,
            0.001,
            0.8,
            0.99,
            1e-8,
        ),
    ),
    Case(
        "tiny gradients with eps = 1e-3 (eps matters)",
        (
            np.array([0.5, -0.5]),
            np.array([1e-3, -2e-3]),
            np.zeros(2),
            np.zeros(2),
            3,
            0.1,
            0.9,
            0.999,
            1e-3,
        ),
    ),
)


def check_adam_step(fn: Callable) -> bool:
    """Check one Adam step in PyTorch's convention (``torch.optim.Adam``, no weight decay).

    ``fn(param, grad, m, v, t, lr, beta1, beta2, eps) -> (new_param, new_m, new_v)``, where ``t``
    is the number of this step (1 for the first) and ``m``, ``v`` the moments after step t − 1
    (zeros before the first)::

        m = beta1 m + (1 − beta1) g          v = beta2 v + (1 − beta2) g²
        m̂ = m / (1 − beta1^t)                v̂ = v / (1 − beta2^t)
        new_param = param − lr m̂ / (sqrt(v̂) + eps)

    The returned moments are the uncorrected ``m`` and ``v`` (the optimizer's state); all arrays
    have the shape of ``param``.
    """
    return check_function(
        fn,
        "Adam step",
        _ADAM_CASES,
        _adam_reference,
        "Revisit Adam: two moving averages (of g and of g²), both divided by their "
        "bias-correction factor for step t, then a step of size lr along m̂ / (sqrt(v̂) + eps).",
        names=("new_param", "new_m", "new_v"),
        mistakes=[
            (
                _adam_uncorrected,
                "No bias correction: m and v start at 0, so in the first steps divide them by "
                "(1 − beta1^t) and (1 − beta2^t) before using them.",
            ),
            (
                _adam_first_moment_only,
                "Only m is bias-corrected: v also starts at 0 and needs (1 − beta2^t).",
            ),
            (
                _adam_second_moment_only,
                "Only v is bias-corrected: m also starts at 0 and needs (1 − beta1^t).",
            ),
            (
                _adam_eps_inside,
                "eps is inside the square root; torch.optim.Adam adds it after: sqrt(v̂) + eps.",
            ),
            (
                _adam_stores_corrected,
                "The parameter is right, but return the raw moving averages m and v (the state "
                "carried to the next step), not the bias-corrected m̂ and v̂.",
            ),
        ],
    )


def _linear_model(w: float, b: float) -> _Sequential:
    layer = _Dense(1, 1, rng=0)
    layer.W[...], layer.b[...] = w, b
    return _Sequential(layer)


def _minibatch_epoch_reference(w, b, x, y, lr, batch_size, seed):
    x = np.asarray(x, dtype=np.float64)[:, None]
    y = np.asarray(y, dtype=np.float64)[:, None]
    model, loss = _linear_model(w, b), MSELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        model.zero_grad()
        loss(model(x[batch]), y[batch])
        model.backward(loss.backward())
        optimizer.step(model.gradients())
    return float(model[0].W[0, 0]), float(model[0].b[0])


def _minibatch_epoch_with(w, b, x, y, lr, batches, scale):
    """A manual epoch over ``batches`` with gradient ``scale · Σ_batch residual · (x, 1)``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    for batch in batches:
        residual = w * x[batch] + b - y[batch]
        factor = scale(len(batch))
        w, b = w - lr * factor * np.sum(residual * x[batch]), b - lr * factor * np.sum(residual)
    return w, b


def _batches(order, batch_size, drop_last=False):
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    return [order[s : s + batch_size] for s in range(0, stop, batch_size)]


def _shuffled(x, seed):
    return np.random.default_rng(seed).permutation(len(x))


def _mean_mse(n):
    return 2.0 / n


_MINIBATCH_MISTAKES = [
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(np.arange(len(x)), B), _mean_mse
        ),
        "The samples were taken in their original order: shuffle them first with "
        "np.random.default_rng(seed).permutation(n).",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B, drop_last=True), _mean_mse
        ),
        "The last, smaller batch was skipped: an epoch uses every sample once.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B), lambda n: 2.0
        ),
        "The gradient is summed over the batch: the loss is a mean, so divide by the batch size.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B), lambda n: 1.0 / n
        ),
        "The gradient is half the right size: that is the gradient of ½·MSE. The loss here is "
        "torch's MSE, (1/B) Σ (ŷ − y)², whose derivative has a factor 2.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, [np.arange(len(x))], _mean_mse
        ),
        "That is one full-batch step: take one step per mini-batch of batch_size samples.",
    ),
]

_RNG_MINIBATCH = np.random.default_rng(3)
_X_MINIBATCH = _RNG_MINIBATCH.normal(size=12)
_Y_MINIBATCH = 1.5 * _X_MINIBATCH - 0.5 + 0.3 * _RNG_MINIBATCH.normal(size=12)
_MINIBATCH_CASES = (
    Case(
        "12 samples, batches of 5 (the last has 2)",
        (0.0, 0.0, _X_MINIBATCH, _Y_MINIBATCH, 0.1, 5, 0),
    ),
    Case("12 samples, batches of 1 (SGD)", (-1.0, 2.0, _X_MINIBATCH, _Y_MINIBATCH, 0.05, 1, 1)),
    Case("12 samples, one batch of 12", (0.5, 0.5, _X_MINIBATCH, _Y_MINIBATCH, 0.2, 12, 2)),
    Case("12 samples, batches of 4, seed 7", (2.0, -1.0, _X_MINIBATCH, _Y_MINIBATCH, 0.1, 4, 7)),
)


def check_minibatch_epoch(fn: Callable) -> bool:
    """Check one epoch of mini-batch SGD on the linear model ``ŷ = w x + b`` with torch's MSE.

    ``fn(w, b, x, y, lr, batch_size, seed) -> (w, b)``: ``x, y: (n,)``; ``w, b``: numbers.
    The epoch visits the samples in the order ``np.random.default_rng(seed).permutation(n)``,
    in consecutive batches of ``batch_size`` (the last one may be smaller), and after each batch
    takes one step ``θ ← θ − lr ∇L_batch`` with ``L_batch = (1/B) Σ_batch (w x_i + b − y_i)²``.
    """
    return check_function(
        fn,
        "mini-batch epoch",
        _MINIBATCH_CASES,
        _minibatch_epoch_reference,
        "Revisit mini-batch SGD: shuffle once, cut the shuffled samples into consecutive batches, "
        "and after each batch update w and b with the gradient of that batch's mean loss.",
        names=("w", "b"),
        mistakes=_MINIBATCH_MISTAKES,
    )


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


def check_central_difference(fn: Callable) -> bool:
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


def _hidden_delta_reference(W2, delta2, z1):
    W2, delta2, z1 = (np.asarray(a, dtype=np.float64) for a in (W2, delta2, z1))
    output_layer = _Dense(W2.shape[1], W2.shape[0], rng=0)
    output_layer.W[...] = W2
    activation = Sigmoid()
    output_layer.forward(activation.forward(z1))
    return activation.backward(output_layer.backward(delta2))


_RNG_DELTA = np.random.default_rng(4)
_DELTA_CASES = (
    Case(
        "one sample, 4 hidden units, 1 output (the deck's 3-4-1)",
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


def check_hidden_delta(fn: Callable) -> bool:
    """Check ``fn(W2, delta2, z1) -> delta1``, the error signal of a sigmoid hidden layer.

    Batched rows (samples in rows, as in torch): ``W2: (n_out, n_hidden)``,
    ``delta2: (batch, n_out)`` (dL/dz of the output layer), ``z1: (batch, n_hidden)`` (the
    hidden pre-activations). ``delta1 = (delta2 @ W2) * σ'(z1)``, shape ``(batch, n_hidden)``:
    the deck's ``δ⁽¹⁾ = W⁽²⁾ᵀ δ⁽²⁾ ⊙ f'(z⁽¹⁾)`` with each sample as a row.
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


def _network(W1, b1, W2, b2) -> _Sequential:
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    hidden, output = _Dense(W1.shape[1], W1.shape[0], rng=0), _Dense(W2.shape[1], 1, rng=0)
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = W1, b1, W2, b2
    return _Sequential(hidden, Sigmoid(), output)


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
        "one sample, 3-4-1 (the deck's example)",
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


def check_backward_pass(fn: Callable) -> bool:
    """Check ``fn(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for a 3-H-1 sigmoid network.

    The network is ``ŷ = σ(X W1ᵀ + b1) W2ᵀ + b2`` (torch's layout: ``X: (N, 3)``,
    ``W1: (H, 3)``, ``b1: (H,)``, ``W2: (1, H)``, ``b2: (1,)``, ``y, ŷ: (N, 1)``) and the loss is
    the deck's ½·MSE averaged over the batch, ``L = (1/N) Σ_i ½ (ŷ_i − y_i)²``, so
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
                "deck's ½·MSE, dL/dŷ = (ŷ − y)/N.",
            ),
            (
                _backward_no_activation_grad,
                "The hidden layer's gradients miss the sigmoid's derivative σ'(z1) in delta1.",
            ),
        ],
    )
