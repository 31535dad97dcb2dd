"""Checks for gradient descent and its optimizers.

One step of SGD with momentum and one of Adam, in PyTorch's conventions, and one epoch of
mini-batch SGD on a one-gene linear model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.layers import Dense
from dlcourse.scratch.losses import MSELoss
from dlcourse.scratch.network import Sequential
from dlcourse.scratch.optim import SGD, Adam

__all__ = ["check_adam_step", "check_minibatch_epoch", "check_momentum_step"]

# ===================================================================================================
# SGD with momentum
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


def check_momentum_step(fn: Callable) -> CheckResult:
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
# Adam
# ===================================================================================================


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


def _adam_step_shifted(shift):
    """Adam with the bias correction of step ``t + shift``: an off-by-one in the step count."""

    def step(param, grad, m, v, t, lr, beta1, beta2, eps):
        m, v = _adam_moments(grad, m, v, beta1, beta2)
        m_hat, v_hat = m / (1 - beta1 ** (t + shift)), v / (1 - beta2 ** (t + shift))
        return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    return step


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


def check_adam_step(fn: Callable) -> CheckResult:
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
                _adam_step_shifted(+1),
                "The bias correction is for step t + 1: t is already the number of this step "
                "(1 for the first), so divide by (1 − beta1^t) and (1 − beta2^t) as given.",
            ),
            (
                _adam_step_shifted(-1),
                "The bias correction is for step t − 1: t is already the number of this step "
                "(1 for the first), so use beta^t itself (at t = 1, 1 − beta^0 = 0 divides by zero).",
            ),
            (
                _adam_stores_corrected,
                "The parameter is right, but return the raw moving averages m and v (the state "
                "carried to the next step), not the bias-corrected m̂ and v̂.",
            ),
        ],
    )


# ===================================================================================================
# One epoch of mini-batch SGD
# ===================================================================================================


def _linear_model(w: float, b: float) -> Sequential:
    layer = Dense(1, 1, rng=0)
    layer.W[...], layer.b[...] = w, b
    return Sequential(layer)


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


def check_minibatch_epoch(fn: Callable) -> CheckResult:
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
