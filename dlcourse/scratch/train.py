"""The learning loop for the NumPy engine: mini-batch epochs, evaluation, accuracy, early stopping.

The loop that notebook 03 writes by hand, packaged for later notebooks (07 trains with it)::

    model = MLP([20, 32, 1], dropout=0.2, rng=0)
    loss, optimizer = BCEWithLogitsLoss(), AdamW(model.parameters(), lr=1e-2)
    stopper, rng = EarlyStopping(patience=10), np.random.default_rng(0)
    for epoch in range(200):
        train_loss = train_epoch(model, loss, optimizer, X_train, y_train, 32, rng)
        val_loss = evaluate(model, loss, X_val, y_val)
        if stopper.step(val_loss, model, epoch):
            break
    stopper.restore(model)          # the best epoch's weights, copied back in place

The same ``EarlyStopping`` rule (and its base class) serves :mod:`dlcourse.training` for torch.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from dlcourse._validation import (
    as_float_array,
    as_rng,
    fail,
    require_2d,
    require_positive_int,
    require_real,
)

from .layers import Dense
from .network import Sequential

Penalty = Callable[[Sequential], float]


def _batches(X: object, y: object, what: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(f"{what}: X", X)
    require_2d(what, X, "X")
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise fail(what, f"y with {len(X)} rows (one per row of X)", f"shape {tuple(y.shape)}")
    return X, y


def train_epoch(
    model: Sequential,
    loss,
    optimizer,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator | int | None = None,
    penalty: Penalty | None = None,
) -> float:
    """One pass over ``(X, y)`` in shuffled mini-batches; returns the mean training loss.

    Per batch: ``zero_grad``, forward, loss, backward, [``penalty``], ``optimizer.step``. The mean
    is weighted by batch size (the last batch may be smaller) and is the data loss only, without
    the penalty. ``model`` is put in training mode (dropout on, batch statistics).

    Args:
        model: a :class:`Sequential` (e.g. ``MLP([...])``).
        loss: a loss object such as ``BCEWithLogitsLoss()``.
        optimizer: an optimizer over ``model.parameters()``.
        X: inputs ``(n, features)``.
        y: targets ``(n,)`` or ``(n, outputs)``, as ``loss`` expects.
        batch_size: samples per update (>= 1).
        rng: shuffles the rows; pass one Generator for every epoch (an int seed would repeat
            the same order each epoch; None follows NumPy's global seed).
        penalty: ``penalty(model) -> value`` that adds its gradient to the model's gradients,
            e.g. :func:`dense_weight_penalty` ``(l1_penalty, 1e-3)``.
    """
    X, y = _batches(X, y, "train_epoch")
    batch_size = require_positive_int("train_epoch: batch_size", batch_size)
    order = as_rng("train_epoch", rng).permutation(len(X))
    model.train()
    total = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        model.zero_grad()
        value = loss(model(X[batch]), y[batch])
        model.backward(loss.backward())
        if penalty is not None:
            penalty(model)
        optimizer.step(model.gradients())
        total += value * len(batch)
    return total / len(X)


def dense_weight_penalty(penalty_fn: Callable, lam: float) -> Penalty:
    """A ``penalty`` for :func:`train_epoch` on the Dense weights W (biases are not penalised).

    ``penalty_fn(params, lam) -> (value, grads)`` is :func:`~dlcourse.scratch.losses.l1_penalty`
    or :func:`~dlcourse.scratch.losses.l2_penalty`; each gradient is added to its layer's ``dW``.
    """
    lam = require_real("dense_weight_penalty: lam", lam, 0.0, np.inf, "[0, inf)")

    def penalty(model: Sequential) -> float:
        dense = [layer for layer in model if isinstance(layer, Dense)]
        value, grads = penalty_fn([layer.W for layer in dense], lam)
        for layer, grad in zip(dense, grads, strict=True):
            layer.dW += grad
        return value

    return penalty


def evaluate(model: Sequential, loss, X: np.ndarray, y: np.ndarray) -> float:
    """``loss(model(X), y)`` in evaluation mode (dropout off, running statistics); modes restored."""
    X, y = _batches(X, y, "evaluate")
    modes = [layer.training for layer in model]
    model.eval()
    try:
        return float(loss(model(X), y))
    finally:
        for layer, mode in zip(model, modes, strict=True):
            layer.train(mode)


def accuracy(y: object, output: object, probabilities: bool = False) -> float:
    """Fraction of correct predictions; ``output`` holds logits unless ``probabilities=True``.

    Binary (``output`` of shape ``(n,)`` or ``(n, 1)``): predict 1 when the logit is > 0, or, with
    ``probabilities=True``, when p > 0.5 (the same decision). Multi-class (``(n, k)``): the
    ``argmax``, the same for logits and probabilities. Binary logits all within [0, 1] look like
    probabilities and give a warning (read as logits they predict class 1 for every sample);
    ``probabilities=True`` with values outside [0, 1] is an error.
    """
    y = np.asarray(y)
    output = as_float_array("accuracy: output", output)
    n = len(output) if output.ndim else 0
    if n == 0 or output.ndim > 2 or y.size != n:
        shapes = f"y {tuple(y.shape)}, output {tuple(output.shape)}"
        raise fail("accuracy", "n labels y and output (n,), (n, 1) or (n, k), n >= 1", shapes)
    if output.ndim == 2 and output.shape[1] > 1:
        predicted = output.argmax(axis=1)
    else:
        scores = output.reshape(n)
        in_unit = bool(np.all((scores >= 0) & (scores <= 1)))
        if probabilities and not in_unit:
            seen = f"values in [{scores.min():.3g}, {scores.max():.3g}] (logits?)"
            raise fail("accuracy", "probabilities in [0, 1] (probabilities=True)", seen)
        if not probabilities and in_unit and n > 1:
            warnings.warn(
                "accuracy: expected logits (class 1 when > 0), got values all in [0, 1] that look "
                "like probabilities; pass probabilities=True if they are",
                stacklevel=2,
            )
        predicted = scores > (0.5 if probabilities else 0.0)
    return float(np.mean(predicted == y.reshape(n)))


class EarlyStoppingBase:
    """Stop when the validation loss has not improved for ``patience`` epochs (engine-agnostic).

    An epoch improves when ``val_loss < best_loss - min_delta``; :meth:`step` returns True after
    ``patience`` epochs in a row without improvement. With ``restore_best`` the best epoch's
    weights are kept (``_snapshot``) and :meth:`restore` puts them back (``_load``): subclasses
    say how for their engine.

    Args:
        patience: epochs without improvement tolerated before stopping (>= 1).
        min_delta: the smallest decrease that counts as an improvement (>= 0).
        restore_best: keep the best epoch's weights so that :meth:`restore` can load them.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = require_positive_int("patience", patience)
        self.min_delta = require_real("min_delta", min_delta, 0, math.inf, "[0, inf)")
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far, so one object can be reused."""
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_state = None
        self.epochs_without_improvement = 0

    def step(self, val_loss: float, model, epoch: int) -> bool:
        """Record epoch ``epoch`` (0-based); return True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = epoch
            if self.restore_best:
                self.best_state = self._snapshot(model)
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

    def restore(self, model) -> None:
        """Load the best epoch's weights into ``model`` (no-op without ``restore_best``)."""
        if self.restore_best and self.best_state is not None:
            self._load(model, self.best_state)

    def _snapshot(self, model):
        raise NotImplementedError

    def _load(self, model, state) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best={self.restore_best})"
        )


class EarlyStopping(EarlyStoppingBase):
    """Early stopping for a scratch :class:`Sequential`: the best weights are NumPy copies.

    ``restore`` writes them back *into* the model's arrays, which stay the same objects, so an
    optimizer built on ``model.parameters()`` keeps working. Running statistics are kept too.
    """

    def _snapshot(self, model: Sequential) -> dict[str, np.ndarray]:
        return {name: a.copy() for name, a in model.named_parameters() + model.named_buffers()}

    def _load(self, model: Sequential, state: dict[str, np.ndarray]) -> None:
        for name, array in model.named_parameters() + model.named_buffers():
            array[...] = state[name]
