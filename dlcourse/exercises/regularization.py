"""Checks for training and regularization.

One SGD step with weight decay, inverted dropout, the early-stopping rule, and batch normalisation
in training mode.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.exercises.core import Case, CheckResult, check_function
from dlcourse.scratch.layers import BatchNorm1d, Dropout
from dlcourse.scratch.optim import SGD

__all__ = [
    "check_batchnorm_forward",
    "check_dropout_forward",
    "check_early_stopping",
    "check_weight_decay_step",
]

# ===================================================================================================
# A gradient step with weight decay
# ===================================================================================================


def _weight_decay_reference(w, grad, lr, weight_decay):
    w = np.array(w, dtype=np.float64)
    SGD([w], lr=lr, weight_decay=weight_decay).step([np.asarray(grad, dtype=np.float64)])
    return w


_RNG_WD = np.random.default_rng(7)
_WEIGHT_DECAY_CASES = (
    Case(
        "w = [1, -2, 0.5], lr = 0.1, weight_decay = 0.01",
        (np.array([1.0, -2.0, 0.5]), np.array([0.2, -0.4, 1.0]), 0.1, 0.01),
    ),
    Case(
        "a (3, 4) weight matrix, lr = 0.05, weight_decay = 0.1",
        (_RNG_WD.normal(size=(3, 4)), _RNG_WD.normal(size=(3, 4)), 0.05, 0.1),
    ),
    Case(
        "a zero gradient (pure decay), lr = 0.5, weight_decay = 0.2",
        (np.array([2.0, -1.0, 0.25]), np.zeros(3), 0.5, 0.2),
    ),
    Case(
        "weight_decay = 0 (plain gradient descent)",
        (np.array([3.0, -1.0]), np.array([1.0, 2.0]), 0.1, 0.0),
    ),
)


def check_weight_decay_step(fn: Callable) -> CheckResult:
    """Check one gradient-descent step with L2 weight decay, in PyTorch's convention.

    ``fn(w, grad, lr, weight_decay) -> new_w`` with
    ``new_w = w - lr * (grad + weight_decay * w)``: the step on ``L + (weight_decay / 2) ||w||^2``,
    as ``torch.optim.SGD(..., weight_decay=weight_decay)`` takes it. ``w`` and ``grad`` have any
    (equal) shape; ``lr`` and ``weight_decay`` are numbers.
    """
    return check_function(
        fn,
        "weight-decay step",
        _WEIGHT_DECAY_CASES,
        _weight_decay_reference,
        "Add the gradient of the penalty (weight_decay / 2) * ||w||^2 to the loss gradient, then "
        "take an ordinary gradient-descent step with that total gradient.",
        mistakes=[
            (
                lambda w, g, lr, wd: w - lr * g - wd * w,
                "The decay term is not scaled by the learning rate: the penalty's gradient is part "
                "of the gradient, and the whole gradient is multiplied by lr.",
            ),
            (
                lambda w, g, lr, wd: w - lr * (g + 2 * wd * w),
                "That is the gradient of weight_decay * ||w||^2 (the lecture's form). PyTorch's "
                "weight_decay is the coefficient of (1/2) ||w||^2, whose gradient has no factor 2.",
            ),
            (
                lambda w, g, lr, wd: w - lr * (g - wd * w),
                "The weights grow: the penalty's gradient points away from zero, so subtracting "
                "it must shrink w. Check the sign.",
            ),
            (
                lambda w, g, lr, wd: w - lr * g,
                "The weight-decay term is missing: only the loss gradient was used.",
            ),
        ],
    )


# ===================================================================================================
# Inverted dropout
# ===================================================================================================


class _FixedDraws:
    """Stands in for a ``numpy.random.Generator``: ``random(shape)`` returns the given draws."""

    def __init__(self, u: np.ndarray) -> None:
        self.u = np.asarray(u, dtype=np.float64)

    def random(self, shape: tuple) -> np.ndarray:
        if tuple(shape) != self.u.shape:
            raise ValueError(f"uniform draws: expected shape {tuple(shape)}, got {self.u.shape}")
        return self.u


def _dropout_reference(x, p, u, training):
    """The scratch ``Dropout`` layer, fed the uniform draws ``u`` instead of its own."""
    layer = Dropout(p)
    layer.rng = _FixedDraws(u)
    layer.train(bool(training))
    return layer.forward(x)


_RNG_DROPOUT = np.random.default_rng(70)
_DROPOUT_CASES = (
    Case(
        "x of shape (4, 5), p = 0.5, training",
        (_RNG_DROPOUT.normal(size=(4, 5)), 0.5, _RNG_DROPOUT.random((4, 5)), True),
    ),
    Case(
        "x of shape (3, 8), p = 0.2, training",
        (_RNG_DROPOUT.normal(size=(3, 8)), 0.2, _RNG_DROPOUT.random((3, 8)), True),
    ),
    Case(
        "evaluation mode (training = False), p = 0.5",
        (_RNG_DROPOUT.normal(size=(4, 5)), 0.5, _RNG_DROPOUT.random((4, 5)), False),
    ),
    Case(
        "p = 0 (nothing dropped), training",
        (_RNG_DROPOUT.normal(size=(2, 3)), 0.0, _RNG_DROPOUT.random((2, 3)), True),
    ),
)


def check_dropout_forward(fn: Callable) -> CheckResult:
    """Check ``fn(x, p, u, training)``: the forward pass of inverted dropout, as ``nn.Dropout``.

    ``x``: activations of any shape; ``p``: the probability of *dropping* a unit, in [0, 1);
    ``u``: uniform draws in [0, 1) with the shape of ``x`` (one per unit); ``training``: a bool.
    In training a unit is kept when ``u >= p`` and kept units are scaled by ``1 / (1 - p)``;
    in evaluation the output is ``x`` unchanged. Compared with :class:`dlcourse.scratch.Dropout`
    fed the same draws.
    """
    return check_function(
        fn,
        "inverted dropout",
        _DROPOUT_CASES,
        _dropout_reference,
        "In training, zero the dropped units and rescale the kept ones so that the expected "
        "output equals the input; in evaluation the layer does nothing.",
        mistakes=[
            (
                lambda x, p, u, t: x * (u >= p) if t else x,
                "The kept units are not rescaled, so the expected output shrinks by (1 - p) in "
                "training: inverted dropout divides the kept units by the keep probability.",
            ),
            (
                lambda x, p, u, t: x * (u >= p) * (1 - p) if t else x,
                "You multiply by (1 - p): that shrinks the output further. Inverted dropout "
                "divides by the keep probability, so the expected output equals the input.",
            ),
            (
                lambda x, p, u, t: x * (u < p) / (1 - p) if t else x,
                "You keep a unit with probability p, but p is the probability of dropping it.",
            ),
            (
                lambda x, p, u, t: _dropout_reference(x, p, u, True),
                "In evaluation mode (training = False) dropout must be switched off: return x.",
            ),
            (
                lambda x, p, u, t: _dropout_reference(x, p, u, True) if t else x * (1 - p),
                "In evaluation mode inverted dropout returns x unchanged: the rescaling already "
                "happened in training (scaling at test time is the older, non-inverted form).",
            ),
        ],
    )


# ===================================================================================================
# The early-stopping rule
# ===================================================================================================


def _early_stopping_reference(val_losses, patience, min_delta):
    """The NumPy engine's ``EarlyStopping`` rule applied epoch by epoch (no torch needed)."""
    from dlcourse.scratch import EarlyStopping

    stopper = EarlyStopping(patience=int(patience), min_delta=min_delta, restore_best=False)
    last = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if stopper.step(float(loss), None, epoch):
            last = epoch
            break
    return stopper.best_epoch, last


def _early_stopping_variant(val_losses, patience, min_delta, *, ties=False, late=False):
    """Typical wrong rules: ties count as improvements, or stopping one epoch too late."""
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        improved = loss <= best - min_delta if ties else loss < best - min_delta
        if improved:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
        if (waited > patience) if late else (waited >= patience):
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


_EARLY_STOPPING_CASES = (
    Case(
        "a U-shaped validation curve, patience = 3",
        (np.array([1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 1.0, 1.1]), 3, 0.0),
    ),
    Case(
        "a plateau of equal losses, patience = 2",
        (np.array([0.9, 0.8, 0.8, 0.8, 0.79, 0.78, 0.77]), 2, 0.0),
    ),
    Case(
        "small improvements below min_delta = 0.05, patience = 3",
        (np.array([1.0, 0.9, 0.88, 0.87, 0.86, 0.85, 0.7]), 3, 0.05),
    ),
    Case(
        "a curve that keeps improving, patience = 5",
        (np.array([1.0, 0.9, 0.8, 0.75, 0.72, 0.7]), 5, 0.0),
    ),
    Case(
        "a noisy curve of 30 epochs, patience = 4",
        (
            0.5
            + 0.01 * (np.arange(30) - 12.0) ** 2 / 12
            + np.random.default_rng(71).normal(0, 0.02, 30),
            4,
            0.0,
        ),
    ),
)


def check_early_stopping(fn: Callable) -> CheckResult:
    """Check ``fn(val_losses, patience, min_delta) -> (best_epoch, last_epoch)``.

    ``val_losses``: validation loss after each epoch, shape ``(n_epochs,)``. An epoch improves
    when its loss is below ``best_loss - min_delta``; training stops after ``patience``
    consecutive epochs without improvement. ``best_epoch`` is the 0-based index of the best
    epoch (the weights to restore); ``last_epoch`` the 0-based index of the last epoch run
    (``n_epochs - 1`` when patience never runs out). The rule of
    :class:`dlcourse.training.EarlyStopping`.
    """
    return check_function(
        fn,
        "early-stopping rule",
        _EARLY_STOPPING_CASES,
        _early_stopping_reference,
        "Walk through the epochs in order, remembering the best loss so far and how many epochs "
        "have passed without an improvement; an improvement must beat the best by more than "
        "min_delta. Epochs are counted from 0.",
        names=("best_epoch", "last_epoch"),
        mistakes=[
            (
                lambda v, p, d: _early_stopping_variant(v, p, d, ties=True),
                "An epoch that only equals the best loss counts as an improvement in your rule; "
                "it must be strictly better (by more than min_delta).",
            ),
            (
                lambda v, p, d: _early_stopping_variant(v, p, d, late=True),
                "Training stops one epoch too late: stop as soon as the number of epochs without "
                "improvement reaches patience.",
            ),
            (
                lambda v, p, d: _early_stopping_reference(v, p, 0.0),
                "min_delta is ignored: an improvement smaller than min_delta does not count.",
            ),
            (
                lambda v, p, d: tuple(e + 1 for e in _early_stopping_reference(v, p, d)),
                "The epochs are off by one: count them from 0, like Python indices.",
            ),
            (
                lambda v, p, d: (int(np.argmin(v)), _early_stopping_reference(v, p, d)[1]),
                "The best epoch must be among the epochs actually run: a loss after the stop is "
                "never seen.",
            ),
        ],
    )


# ===================================================================================================
# Batch normalisation in training mode
# ===================================================================================================


def _batchnorm_reference(x, gamma, beta, eps):
    """The scratch ``BatchNorm1d`` in training mode with the given gamma, beta and eps."""
    x = np.asarray(x, dtype=np.float64)
    layer = BatchNorm1d(x.shape[1], eps=eps)
    layer.gamma[...] = gamma
    layer.beta[...] = beta
    return layer.forward(x)


def _batchnorm_variant(x, gamma, beta, eps, *, ddof=0, axis=0, eps_outside=False):
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    return gamma * (x - mean) / std + beta


_RNG_BN = np.random.default_rng(72)
_BATCHNORM_CASES = (
    Case(
        "a batch of 8 samples x 3 genes on different scales",
        (
            _RNG_BN.normal(size=(8, 3)) * np.array([1.0, 5.0, 0.5]) + np.array([2.0, -3.0, 10.0]),
            np.array([1.0, 2.0, 0.5]),
            np.array([0.0, -1.0, 0.3]),
            1e-5,
        ),
    ),
    Case(
        "a batch of 2 samples x 4 features",
        (_RNG_BN.normal(size=(2, 4)), np.ones(4), np.zeros(4), 1e-5),
    ),
    Case(
        "a nearly constant feature (variance ~1e-4), eps = 1e-3",
        (
            np.column_stack([_RNG_BN.normal(size=6), 0.01 * _RNG_BN.normal(size=6)]),
            np.array([1.5, 1.0]),
            np.array([0.5, 0.0]),
            1e-3,
        ),
    ),
)


def check_batchnorm_forward(fn: Callable) -> CheckResult:
    """Check ``fn(x, gamma, beta, eps)``: batch normalisation in training mode.

    ``x: (batch, features)``, ``gamma, beta: (features,)``. Per feature, over the batch:
    ``mu = mean(x)``, ``var = mean((x - mu)^2)`` (biased, divide by N),
    ``y = gamma * (x - mu) / sqrt(var + eps) + beta``; shape ``(batch, features)``. Compared
    with :class:`dlcourse.scratch.BatchNorm1d` in training mode (``torch.nn.BatchNorm1d``).
    """
    return check_function(
        fn,
        "batch norm (training mode)",
        _BATCHNORM_CASES,
        _batchnorm_reference,
        "Normalise every feature (column) with the mean and variance of the current batch, then "
        "scale by gamma and shift by beta.",
        mistakes=[
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, ddof=1),
                "You used the unbiased variance (divide by N - 1); in training mode batch norm "
                "normalises with the biased batch variance (divide by N).",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, axis=1),
                "You normalised each sample across its features; batch norm normalises each "
                "feature across the samples of the batch.",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, eps_outside=True),
                "eps is added outside the square root; it belongs inside, to the variance.",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, np.ones_like(g), np.zeros_like(b), e),
                "The normalised values are right, but gamma (scale) and beta (shift) are not "
                "applied.",
            ),
            (
                lambda x, g, b, e: g * x / np.sqrt(1.0 + e) + b,
                "That is evaluation mode with fresh running statistics (mean 0, variance 1): in "
                "training mode use the statistics of the batch itself.",
            ),
        ],
    )
