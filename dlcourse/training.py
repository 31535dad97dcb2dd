"""The PyTorch side of the course: a readable training loop with validation and early stopping.

``fit`` is the loop that notebook 08 writes by hand, packaged so that later notebooks can focus on
the model::

    train_loader = make_loader(splits.X_train, splits.y_train, batch_size=32, shuffle=True)
    val_loader = make_loader(splits.X_val, splits.y_val, batch_size=256)
    history = fit(model, train_loader, val_loader, nn.BCEWithLogitsLoss(),
                  torch.optim.Adam(model.parameters(), lr=1e-3), epochs=200, device=DEVICE,
                  early_stopping=EarlyStopping(patience=20), metrics={"accuracy": accuracy})

Each epoch: ``model.train()``, one pass over ``train_loader`` (forward, loss, backward, step),
then ``model.eval()`` under ``torch.no_grad()`` for the validation loss and metrics. On CPU the
result is deterministic for a given seed (``seed_everything``) and ``make_loader`` seed.

Shape convention: a model with one output unit returns ``(n, 1)`` while binary and regression
targets are ``(n,)``; losses and metrics here receive the output with that last axis dropped, so
``BCEWithLogitsLoss``/``MSELoss`` compare ``(n,)`` with ``(n,)`` instead of failing or, worse,
broadcasting to ``(n, n)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm.auto import tqdm
from tqdm.notebook import tqdm_notebook

from dlcourse._validation import fail, require_int, require_positive_int, require_real

__all__ = [
    "EarlyStopping",
    "History",
    "accuracy",
    "evaluate",
    "fit",
    "make_loader",
    "predict_proba",
]

Metric = Callable[[torch.Tensor, torch.Tensor], float]


# ---------------------------------------------------------------------------------------------
# Data loaders
# ---------------------------------------------------------------------------------------------

_Y_DTYPES = {"float32": torch.float32, "int64": torch.int64}


def make_loader(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    y_dtype: str | None = None,
) -> DataLoader:
    """A ``DataLoader`` of ``(X_batch, y_batch)`` from NumPy arrays (or DataFrames / Series).

    ``X`` becomes float32. The target's dtype follows what the usual losses expect:

    * integer labels with values in {0, 1} -> float32 ``(n,)``, for ``BCEWithLogitsLoss``;
    * integer labels with more values -> int64 ``(n,)`` class indices, for ``CrossEntropyLoss``;
    * float targets -> float32, for regression losses (``MSELoss``, ``L1Loss``).

    ``y_dtype="int64"`` forces class indices (e.g. two classes with ``CrossEntropyLoss``) and
    ``y_dtype="float32"`` forces floats. Shuffling uses its own ``torch.Generator`` seeded with
    ``seed``, so the batch order is reproducible and independent of the global random state.

    Args:
        X: features ``(n_samples, ...)``.
        y: targets ``(n_samples,)`` or ``(n_samples, k)``.
        batch_size: samples per batch (>= 1); the last batch may be smaller.
        shuffle: reshuffle every epoch (training) or keep the order (validation, test).
        seed: seed of the shuffling generator (non-negative integer).
        y_dtype: ``None`` (automatic, as above), ``"float32"`` or ``"int64"``.

    Returns:
        torch.utils.data.DataLoader over a ``TensorDataset(X, y)``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    batch_size = require_positive_int("batch_size", batch_size)
    seed = require_int("seed", seed, 0)
    if X.ndim < 1 or len(X) == 0 or not np.issubdtype(X.dtype, np.number):
        raise fail("X", "a non-empty numeric array (n_samples, ...)", f"{X.dtype} {X.shape}")
    if y.ndim < 1 or len(y) != len(X) or not np.issubdtype(y.dtype, np.number):
        raise fail(
            "y", f"a numeric array with {len(X)} rows (one per row of X)", f"{y.dtype} {y.shape}"
        )
    if y_dtype is None:
        binary = np.issubdtype(y.dtype, np.integer) and np.isin(y, (0, 1)).all()
        target_dtype = torch.int64 if np.issubdtype(y.dtype, np.integer) and not binary else None
        target_dtype = target_dtype or torch.float32
    elif y_dtype in _Y_DTYPES:
        target_dtype = _Y_DTYPES[y_dtype]
    else:
        raise fail("y_dtype", f"None or one of {sorted(_Y_DTYPES)}", repr(y_dtype))
    # torch.tensor copies: pandas hands out read-only arrays, which torch.as_tensor warns about.
    dataset = TensorDataset(
        torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=target_dtype)
    )
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


# ---------------------------------------------------------------------------------------------
# History and early stopping
# ---------------------------------------------------------------------------------------------


@dataclass
class History:
    """What happened during ``fit``, one entry per epoch run.

    Attributes:
        train_loss: mean training loss of each epoch (averaged over the epoch's batches while the
            weights were changing, weighted by batch size).
        val_loss: mean validation loss after each epoch (eval mode); empty without validation.
        metrics: validation metrics, ``name -> [value per epoch]``.
        best_epoch: 0-based index (into the lists) of the best validation loss, the epoch whose
            weights early stopping restores; the epoch *number* shown in plots is
            ``best_epoch + 1``. ``None`` without validation.
        stopped_epoch: 0-based index of the last epoch run when early stopping ended training,
            ``None`` when all requested epochs ran.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_epoch: int | None = None

    @property
    def best_val_loss(self) -> float | None:
        """The validation loss at ``best_epoch``."""
        return None if self.best_epoch is None else self.val_loss[self.best_epoch]

    def to_frame(self) -> pd.DataFrame:
        """One row per epoch (index ``epoch`` from 1), columns train_loss, val_loss, metrics."""
        columns = {"train_loss": self.train_loss}
        if self.val_loss:
            columns["val_loss"] = self.val_loss
        columns.update(self.metrics)
        index = pd.RangeIndex(1, len(self.train_loss) + 1, name="epoch")
        return pd.DataFrame(columns, index=index)


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    An epoch improves when ``val_loss < best_loss - min_delta``. After ``patience`` consecutive
    epochs without improvement, :meth:`step` returns True. With ``restore_best=True``, ``fit``
    then loads the weights (and buffers, e.g. batch-norm statistics) saved at the best epoch, so
    the model returned is the one that validated best, not the last, overfitted one.

    Args:
        patience: epochs without improvement tolerated before stopping (>= 1).
        min_delta: the smallest decrease that counts as an improvement (>= 0).
        restore_best: load the best epoch's weights when training ends.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = require_positive_int("patience", patience)
        self.min_delta = require_real("min_delta", min_delta, 0, math.inf, "[0, inf)")
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (``fit`` calls this, so one object can be reused)."""
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.epochs_without_improvement = 0

    def step(self, val_loss: float, model: nn.Module, epoch: int) -> bool:
        """Record epoch ``epoch`` (0-based); return True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = epoch
            if self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

    def restore(self, model: nn.Module) -> None:
        """Load the best epoch's weights into ``model`` (no-op without ``restore_best``)."""
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best={self.restore_best})"
        )


# ---------------------------------------------------------------------------------------------
# Evaluation helpers
# ---------------------------------------------------------------------------------------------


@contextmanager
def _inference(model: nn.Module) -> Iterator[None]:
    """``model.eval()`` and ``torch.no_grad()``, then every submodule back to its previous mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for module, training in modes:
            module.training = training


def _split_batch(batch: object) -> tuple[torch.Tensor, torch.Tensor | None]:
    if isinstance(batch, (list, tuple)):
        if len(batch) == 1:
            return batch[0], None
        if len(batch) == 2:
            return batch[0], batch[1]
        raise fail("batch", "(X,) or (X, y) from the loader", f"a tuple of {len(batch)} items")
    if isinstance(batch, torch.Tensor):
        return batch, None
    raise fail("batch", "a tensor or a tuple (X, y)", type(batch).__name__)


def _to_device(batch: object, device: torch.device | str, what: str):
    """``(X, y)`` of a batch on ``device``; a loader without targets is an error here."""
    X, y = _split_batch(batch)
    if y is None:
        raise fail(what, "batches (X, y) with targets", "batches without targets")
    return X.to(device), y.to(device)


def _mean(total: float, count: int, what: str) -> float:
    if count == 0:
        raise fail(what, "at least one batch", "an empty loader")
    return total / count


def _align(output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Drop a trailing output axis of size 1 when the target has no such axis."""
    if output.ndim == y.ndim + 1 and output.shape[-1] == 1:
        return output.squeeze(-1)
    return output


def _input_dtype(model: nn.Module) -> torch.dtype:
    parameter = next(model.parameters(), None)
    return parameter.dtype if parameter is not None else torch.float32


def _eval_pass(
    model: nn.Module, loader: DataLoader, loss_fn: Callable, device: torch.device | str
) -> tuple[float, torch.Tensor, torch.Tensor]:
    """Mean loss over ``loader`` (weighted by batch size) and the outputs and targets, on CPU."""
    total, count, outputs, targets = 0.0, 0, [], []
    with _inference(model):
        for batch in loader:
            X, y = _to_device(batch, device, "loader")
            output = _align(model(X), y)
            total += loss_fn(output, y).item() * len(X)
            count += len(X)
            outputs.append(output.cpu())
            targets.append(y.cpu())
    return _mean(total, count, "loader"), torch.cat(targets), torch.cat(outputs)


def evaluate(
    model: nn.Module, loader: DataLoader, loss_fn: Callable, device: torch.device | str
) -> float:
    """Mean loss of ``model`` over ``loader`` in eval mode, without gradients.

    The mean is weighted by batch size, ``sum_b n_b * L_b / sum_b n_b``, so a smaller last batch
    counts for what it holds (assumes ``loss_fn`` averages over the batch, the default
    ``reduction="mean"``). The model's train/eval mode is restored afterwards.
    """
    return _eval_pass(model, loader, loss_fn, device)[0]


def _probabilities(output: torch.Tensor) -> torch.Tensor:
    if output.ndim == 1 or output.shape[-1] == 1:
        return torch.sigmoid(output.reshape(len(output)))
    return torch.softmax(output, dim=-1)


def predict_proba(
    model: nn.Module,
    X_or_loader: np.ndarray | torch.Tensor | DataLoader,
    device: torch.device | str,
) -> np.ndarray:
    """Class probabilities of a classifier that outputs logits.

    One output unit (binary): ``p = sigmoid(logit)``, shape ``(n,)``, the probability of class 1.
    ``k > 1`` outputs: ``p = softmax(logits)``, shape ``(n, k)``, rows summing to 1. Runs in eval
    mode under ``torch.no_grad()`` and restores the model's mode.

    Args:
        model: a module mapping a batch ``(n, ...)`` to logits ``(n,)``, ``(n, 1)`` or ``(n, k)``.
        X_or_loader: features ``(n, ...)`` (NumPy array, DataFrame or tensor, converted to the
            model's dtype) or a DataLoader yielding ``X`` or ``(X, y)`` batches.
        device: where to run the model.

    Returns:
        NumPy float array of probabilities (``(n,)`` or ``(n, k)``).
    """
    if isinstance(X_or_loader, DataLoader):
        batches = (_split_batch(batch)[0] for batch in X_or_loader)
    else:
        X = torch.as_tensor(np.asarray(X_or_loader), dtype=_input_dtype(model))
        if X.ndim < 1 or len(X) == 0:
            raise fail("X", "a non-empty array (n_samples, ...)", tuple(X.shape))
        batches = iter([X])
    with _inference(model):
        probs = [_probabilities(model(X.to(device))).cpu() for X in batches]
    if not probs:
        raise fail("X_or_loader", "at least one sample", "an empty loader")
    return torch.cat(probs).numpy()


def accuracy(y_true: torch.Tensor, output: torch.Tensor) -> float:
    """Fraction of correct predictions from logits, usable as a ``fit`` metric.

    Binary (output ``(n,)`` or ``(n, 1)``): predict 1 when the logit is > 0, i.e. p > 0.5.
    Multi-class (output ``(n, k)``): predict ``argmax`` over classes.
    """
    if output.ndim == 1 or output.shape[-1] == 1:
        predicted = (output.reshape(len(output)) > 0).long()
    else:
        predicted = output.argmax(dim=-1)
    return (predicted == y_true.reshape(len(y_true)).long()).float().mean().item()


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------


def _epoch_bar(epochs: int, progress: bool):
    """A ``tqdm.auto`` bar over epochs, and in Jupyter the display handle that shows it.

    In a notebook the bar is a widget whose plain-text fallback is captured once, when shown, so
    an executed ``.ipynb`` would keep "0%" forever (tqdm issue #1120); publishing the widget under
    a display id lets ``fit`` update that fallback with the final state.
    """
    options = {"desc": "epochs", "unit": "epoch", "leave": True, "disable": not progress}
    if not progress or not issubclass(tqdm, tqdm_notebook):
        return tqdm(total=epochs, dynamic_ncols=True, **options), None
    from IPython.display import display

    bar = tqdm(total=epochs, display=False, **options)
    return bar, display(bar.container, display_id=True)


def _end_bar_early(bar, epochs_run: int) -> None:
    """Shrink the bar's total to the epochs run: a bar left short of its total looks failed (red)."""
    bar.total = epochs_run
    if hasattr(bar, "container"):  # the Jupyter widget keeps its own maximum
        bar.container.children[1].max = epochs_run
    bar.set_description("epochs (stopped early)")


def _train_epoch(model, loader, loss_fn, optimizer, device) -> float:
    model.train()
    total, count = 0.0, 0
    for batch in loader:
        X, y = _to_device(batch, device, "train_loader")
        optimizer.zero_grad()
        loss = loss_fn(_align(model(X), y), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X)
        count += len(X)
    return _mean(total, count, "train_loader")


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device | str,
    early_stopping: EarlyStopping | None = None,
    metrics: Mapping[str, Metric] | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs, validating after each one.

    Per epoch: ``model.train()``; for each batch ``(X, y)`` moved to ``device``:
    ``optimizer.zero_grad()``, ``loss = loss_fn(model(X), y)``, ``loss.backward()``,
    ``optimizer.step()``. Then, in eval mode under ``torch.no_grad()``, the validation loss
    (batch-size-weighted mean) and each metric on the whole validation set. Dropout is therefore
    off and batch norm uses its running statistics during validation.

    Args:
        model: the network; moved to ``device`` (in place, so ``optimizer`` stays valid).
        train_loader: batches ``(X, y)`` for training (shuffled, see :func:`make_loader`).
        val_loader: batches ``(X, y)`` for validation, or ``None`` (then no early stopping and
            no metrics).
        loss_fn: e.g. ``nn.BCEWithLogitsLoss()``; called as ``loss_fn(output, y)`` with a
            trailing output axis of size 1 dropped to match 1-D targets.
        optimizer: a ``torch.optim`` optimizer over ``model.parameters()``.
        epochs: maximum number of passes over ``train_loader`` (>= 1).
        device: ``"cpu"``, ``"cuda"``, a ``torch.device``...
        early_stopping: stop when the validation loss stalls; the object is reset first, and
            with ``restore_best`` the model ends with the best epoch's weights.
        metrics: ``name -> fn(y_true, output) -> float``, computed on the validation set with
            the model's raw outputs (logits) and targets as CPU tensors, e.g. :func:`accuracy`.
        progress: show a ``tqdm.auto`` progress bar over epochs (widget in Jupyter, text in a
            terminal) with the latest losses.

    Returns:
        History with per-epoch losses and metrics, ``best_epoch`` and ``stopped_epoch``.
    """
    epochs = require_positive_int("epochs", epochs)
    if val_loader is None and (early_stopping is not None or metrics):
        raise fail("val_loader", "a DataLoader when early_stopping or metrics are used", "None")
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise fail("early_stopping", "None or an EarlyStopping", type(early_stopping).__name__)
    metrics = dict(metrics or {})
    for name, metric in metrics.items():
        if not callable(metric):
            raise fail(f"metrics[{name!r}]", "a function (y_true, output) -> float", repr(metric))
    if early_stopping is not None:
        early_stopping.reset()

    model.to(device)
    history = History(metrics={name: [] for name in metrics})
    bar, handle = _epoch_bar(epochs, progress)
    try:
        for epoch in range(epochs):
            history.train_loss.append(_train_epoch(model, train_loader, loss_fn, optimizer, device))
            postfix = {"train_loss": f"{history.train_loss[-1]:.4f}"}
            stop = False
            if val_loader is not None:
                val_loss, y_true, output = _eval_pass(model, val_loader, loss_fn, device)
                history.val_loss.append(val_loss)
                for name, metric in metrics.items():
                    history.metrics[name].append(float(metric(y_true, output)))
                postfix["val_loss"] = f"{val_loss:.4f}"
                if early_stopping is not None:
                    stop = early_stopping.step(val_loss, model, epoch)
            bar.set_postfix(postfix, refresh=False)
            bar.update(1)
            if stop:
                history.stopped_epoch = epoch
                _end_bar_early(bar, epoch + 1)
                break
    finally:
        bar.close()
        if handle is not None:
            handle.update(bar.container)

    if early_stopping is not None and early_stopping.best_epoch is not None:
        history.best_epoch = early_stopping.best_epoch
        early_stopping.restore(model)
    elif history.val_loss:
        losses = np.asarray(history.val_loss)
        finite = np.isfinite(losses)
        if finite.any():  # a diverged (NaN) epoch can never be the best one
            history.best_epoch = int(np.argmin(np.where(finite, losses, np.inf)))
    return history
