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
import warnings
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

from dlcourse._validation import (
    fail,
    require_instance,
    require_int,
    require_positive_int,
    type_name,
)
from dlcourse.scratch.train import EarlyStoppingBase
from dlcourse.scratch.train import accuracy as _accuracy

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


def _require_same_index(X: object, y: object) -> None:
    """A DataFrame X and a Series y must share their index: rows are paired by position."""
    X_index, y_index = getattr(X, "index", None), getattr(y, "index", None)
    if not isinstance(X_index, pd.Index) or not isinstance(y_index, pd.Index):
        return
    if not X_index.equals(y_index):
        received = (
            "the same labels in another order"
            if X_index.sort_values().equals(y_index.sort_values())
            else "different index labels"
        )
        expected = "the same index as X, in the same order (rows are paired by position)"
        raise fail("y", expected, f"{received}: use y.loc[X.index]")


def _target_dtype(y: np.ndarray, y_dtype: str | None) -> torch.dtype:
    """From the array's dtype, never its values (a split missing a class keeps its dtype)."""
    if y_dtype is not None:
        if y_dtype not in _Y_DTYPES:
            raise fail("y_dtype", f"None or one of {sorted(_Y_DTYPES)}", repr(y_dtype))
        return _Y_DTYPES[y_dtype]
    if np.issubdtype(y.dtype, np.integer):
        return torch.int64
    return torch.float32


def make_loader(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    y_dtype: str | None = None,
) -> DataLoader:
    """A ``DataLoader`` of ``(X_batch, y_batch)`` from NumPy arrays (or a DataFrame and a Series).

    ``X`` becomes float32. The target's dtype follows the array's dtype, never the values present
    (a validation split that happens to miss a class must not change type):

    * integer labels -> int64 ``(n,)``: class indices for ``CrossEntropyLoss``; :func:`fit`
      converts them to float for ``BCEWithLogitsLoss`` (a hand-written loop does ``y.float()``);
    * float or bool targets -> float32, for ``BCEWithLogitsLoss`` and regression losses.

    ``y_dtype="int64"`` or ``"float32"`` forces one. A DataFrame ``X`` and a Series ``y`` must
    have the same index in the same order (rows are paired by position). Shuffling uses its own
    ``torch.Generator`` seeded with ``seed``, so the batch order is reproducible and independent
    of the global random state.

    Args:
        X: features ``(n_samples, ...)``.
        y: targets ``(n_samples,)`` or ``(n_samples, k)``.
        batch_size: samples per batch (>= 1); the last batch may be smaller.
        shuffle: reshuffle every epoch (training) or keep the order (validation, test).
        seed: seed of the shuffling generator (non-negative integer).
        y_dtype: ``None`` (from y's dtype, as above), ``"float32"`` or ``"int64"``.

    Returns:
        torch.utils.data.DataLoader over a ``TensorDataset(X, y)``.
    """
    _require_same_index(X, y)
    X = np.asarray(X)
    y = np.asarray(y)
    batch_size = require_positive_int("batch_size", batch_size)
    seed = require_int("seed", seed, 0)
    if X.ndim < 1 or len(X) == 0 or X.dtype.kind not in "biuf":
        raise fail("X", "a non-empty real array (n_samples, ...)", f"{X.dtype} {X.shape}")
    if y.ndim < 1 or len(y) != len(X) or y.dtype.kind not in "biuf":
        raise fail(
            "y", f"a real array with {len(X)} rows (one per row of X)", f"{y.dtype} {y.shape}"
        )
    target_dtype = _target_dtype(y, y_dtype)
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


class EarlyStopping(EarlyStoppingBase):
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    An epoch improves when ``val_loss < best_loss - min_delta``. After ``patience`` consecutive
    epochs without improvement, :meth:`step` returns True. With ``restore_best=True``, ``fit``
    then loads the weights (and buffers, e.g. batch-norm statistics) saved at the best epoch, so
    the model returned is the one that validated best, not the last, overfitted one. The rule is
    :class:`dlcourse.scratch.train.EarlyStoppingBase`'s; this class saves a ``state_dict``.

    Args:
        patience: epochs without improvement tolerated before stopping (>= 1).
        min_delta: the smallest decrease that counts as an improvement (>= 0).
        restore_best: load the best epoch's weights when training ends.
    """

    def _snapshot(self, model: nn.Module) -> dict[str, torch.Tensor]:
        return copy.deepcopy(model.state_dict())

    def _load(self, model: nn.Module, state: dict[str, torch.Tensor]) -> None:
        model.load_state_dict(state)


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


def _split_batch(batch: object, what: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    if isinstance(batch, (list, tuple)) and len(batch) in (1, 2):
        parts = tuple(batch)
    elif isinstance(batch, (list, tuple)):
        raise fail(what, "batches (X,) or (X, y)", f"a tuple of {len(batch)} items")
    else:
        parts = (batch,)
    for part in parts:
        if not isinstance(part, torch.Tensor):
            expected = "batches of torch tensors, e.g. from make_loader(X, y)"
            raise fail(what, expected, f"a batch holding a {type_name(part)}")
    return parts[0], parts[1] if len(parts) == 2 else None


def _to_device(batch: object, device: torch.device | str, what: str):
    """``(X, y)`` of a batch on ``device``; a loader without targets is an error here."""
    X, y = _split_batch(batch, what)
    if y is None:
        raise fail(what, "batches (X, y) with targets", "batches without targets")
    return X.to(device), y.to(device)


def _mean(total: float, count: int, what: str) -> float:
    if count == 0:
        raise fail(what, "at least one batch", "an empty loader")
    return total / count


# Losses that compare output and target element by element (same shape, float targets), and
# losses that take class indices (target shape = output shape without the class axis).
_ELEMENTWISE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)
_BINARY_LOSSES = (nn.BCEWithLogitsLoss, nn.BCELoss)
_CLASS_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)


def _align(output: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop a trailing axis of size 1 that only one of output and target has."""
    if output.ndim == y.ndim + 1 and output.shape[-1] == 1:
        output = output.squeeze(-1)
    elif y.ndim == output.ndim + 1 and y.shape[-1] == 1:
        y = y.squeeze(-1)
    return output, y


def _loss_inputs(output: torch.Tensor, y: torch.Tensor, loss_fn: Callable):
    """Output and target as ``loss_fn`` must see them, or a ValueError naming the mismatch.

    After aligning a trailing axis of size 1, element-wise losses (MSE, BCE, ...) need equal
    shapes (no silent (n,) vs (n, 1) broadcast to (n, n)) and get the target in the output's
    float dtype; class-index losses need labels in [0, n_classes); BCE needs targets in [0, 1].
    """
    output, y = _align(output, y)
    class_indices = output.ndim == y.ndim + 1 and output.shape[:-1] == y.shape
    if isinstance(loss_fn, _CLASS_LOSSES) or (
        not isinstance(loss_fn, _ELEMENTWISE_LOSSES + _BINARY_LOSSES) and class_indices
    ):
        if class_indices and not y.is_floating_point():
            n_classes = output.shape[-1]
            valid = (y >= 0) & (y < n_classes)
            if isinstance(loss_fn, _CLASS_LOSSES):
                valid |= y == loss_fn.ignore_index
            if not bool(valid.all()):
                bad = int(y[~valid][0])
                raise fail("targets", f"class labels in [0, {n_classes - 1}]", f"label {bad}")
            return output, y
        if output.shape == y.shape and y.is_floating_point():  # class probabilities
            return output, y
        raise fail(
            "targets",
            f"class labels of shape {tuple(output.shape[:-1])} for outputs of shape "
            f"{tuple(output.shape)}",
            f"{y.dtype} targets of shape {tuple(y.shape)}",
        )
    if output.shape != y.shape:
        hint = (
            "; for two classes use one output unit with BCEWithLogitsLoss"
            if isinstance(loss_fn, _BINARY_LOSSES)
            else ""
        )
        raise fail(
            "model output",
            f"the targets' shape {tuple(y.shape)} (after dropping a trailing axis of size 1)"
            + hint,
            f"outputs of shape {tuple(output.shape)}",
        )
    if isinstance(loss_fn, _BINARY_LOSSES) and not bool(((y >= 0) & (y <= 1)).all()):
        bad = float(y[~((y >= 0) & (y <= 1))][0])
        raise fail("targets", "values in [0, 1] for a binary cross-entropy", f"value {bad:g}")
    return output, (y.to(output.dtype) if output.is_floating_point() else y)


def _batch_loss(model, batch, loss_fn, device, what: str):
    """Forward one batch; returns (loss, aligned output, target, batch size)."""
    X, y = _to_device(batch, device, what)
    output, y = _loss_inputs(model(X), y, loss_fn)
    loss = loss_fn(output, y)
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type_name(loss)
        raise fail("loss_fn", "a scalar loss (reduction='mean')", f"a loss of shape {shape}")
    return loss, output, y, len(X)


def _require_mean_loss(loss_fn: Callable) -> None:
    reduction = getattr(loss_fn, "reduction", "mean")
    if reduction == "none":
        raise fail("loss_fn", "a loss with reduction='mean' (one number per batch)", "'none'")


def _same_device(actual: torch.device, wanted: torch.device) -> bool:
    return actual.type == wanted.type and (wanted.index is None or actual.index == wanted.index)


def _require_on_device(model: nn.Module, device: torch.device | str, what: str) -> None:
    """Every parameter and buffer of ``model`` on ``device`` (checked, not moved)."""
    wanted = torch.device(device)
    for tensor in [*model.parameters(), *model.buffers()]:
        if not _same_device(tensor.device, wanted):
            raise fail(
                what,
                f"a model on {wanted} (the device argument): call model.to({str(wanted)!r})",
                f"a model with parameters on {tensor.device}",
            )


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
            loss, output, y, n = _batch_loss(model, batch, loss_fn, device, "loader")
            total += loss.item() * n
            count += n
            outputs.append(output.cpu())
            targets.append(y.cpu())
    return _mean(total, count, "loader"), torch.cat(targets), torch.cat(outputs)


def evaluate(
    model: nn.Module, loader: DataLoader, loss_fn: Callable, device: torch.device | str
) -> float:
    """Mean loss of ``model`` over ``loader`` in eval mode, without gradients.

    The mean is weighted by batch size, ``sum_b n_b * L_b / sum_b n_b``, so a smaller last batch
    counts for what it holds (``loss_fn`` must average over the batch, ``reduction="mean"``).
    The model must already be on ``device``; its train/eval mode is restored afterwards.
    """
    require_instance("evaluate: model", model, nn.Module, "a torch.nn.Module")
    _require_mean_loss(loss_fn)
    _require_on_device(model, device, "evaluate")
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
        device: where the model is (checked: move it with ``model.to(device)`` first).

    Returns:
        NumPy float array of probabilities (``(n,)`` or ``(n, k)``).
    """
    require_instance("predict_proba: model", model, nn.Module, "a torch.nn.Module")
    _require_on_device(model, device, "predict_proba")
    if isinstance(X_or_loader, DataLoader):
        batches = (_split_batch(batch, "X_or_loader")[0] for batch in X_or_loader)
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


def accuracy(y_true: torch.Tensor, output: torch.Tensor, probabilities: bool = False) -> float:
    """Fraction of correct predictions from logits (default), usable as a ``fit`` metric.

    Binary (output ``(n,)`` or ``(n, 1)``): predict 1 when the logit is > 0, i.e. p > 0.5; with
    ``probabilities=True`` the output holds p and the threshold is 0.5. Multi-class (output
    ``(n, k)``): predict ``argmax`` over classes. Binary logits all in [0, 1] look like
    probabilities and give a warning; see :func:`dlcourse.scratch.train.accuracy`, which this is.
    """
    return _accuracy(
        torch.as_tensor(y_true).detach().cpu().numpy(),
        torch.as_tensor(output).detach().cpu().double().numpy(),
        probabilities=probabilities,
    )


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
        optimizer.zero_grad()
        loss, _, _, n = _batch_loss(model, batch, loss_fn, device, "train_loader")
        loss.backward()
        optimizer.step()
        total += loss.item() * n
        count += n
    return _mean(total, count, "train_loader")


def _require_model_optimizer(model: nn.Module, optimizer: object, loss_fn: Callable) -> None:
    """The optimizer must step this model's parameters (not another model's, silently)."""
    require_instance("fit: model", model, nn.Module, "a torch.nn.Module")
    require_instance(
        "fit: optimizer",
        optimizer,
        torch.optim.Optimizer,
        "a torch.optim optimizer, e.g. torch.optim.Adam(model.parameters())",
    )
    own = {id(p) for p in model.parameters()}
    if isinstance(loss_fn, nn.Module):
        own |= {id(p) for p in loss_fn.parameters()}
    held = [p for group in optimizer.param_groups for p in group["params"]]
    foreign = sum(id(p) not in own for p in held)
    if foreign or not held:
        raise fail(
            "fit: optimizer",
            "an optimizer over this model's parameters, e.g. torch.optim.Adam(model.parameters())",
            f"{foreign} of its {len(held)} parameters outside the model",
        )


def _warn_if_non_finite(history: History, epoch: int) -> bool:
    """Warn when this epoch's training or validation loss is NaN or inf; True when it warned."""
    for what, values in (
        ("training loss", history.train_loss),
        ("validation loss", history.val_loss),
    ):
        if values and not math.isfinite(values[-1]):
            warnings.warn(
                f"fit: the {what} became {values[-1]} in epoch {epoch + 1}; the weights no longer "
                "mean anything: lower the learning rate, or look for NaN/inf in the inputs",
                RuntimeWarning,
                stacklevel=3,
            )
            return True
    return False


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
        model: the network; moved to ``device`` (in place, so ``optimizer`` stays valid), as is
            a loss module's state (class weights, ``pos_weight``).
        train_loader: batches ``(X, y)`` for training (shuffled, see :func:`make_loader`).
        val_loader: batches ``(X, y)`` for validation, or ``None`` (then no early stopping and
            no metrics).
        loss_fn: e.g. ``nn.BCEWithLogitsLoss()`` (``reduction="mean"``); called as
            ``loss_fn(output, y)`` once a trailing axis of size 1 that only one of them has is
            dropped. Element-wise losses (MSE, BCE) then need equal shapes, and get integer
            targets as floats; class losses need labels in [0, n_classes).
        optimizer: a ``torch.optim`` optimizer over ``model.parameters()`` (checked).
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

    Raises:
        ValueError: before the first step, for an optimizer over other parameters, a loss with
            ``reduction="none"``, outputs that do not match the targets (e.g. two outputs with
            BCE), labels out of range, or batches that are not tensors.

    Warns:
        RuntimeWarning: once, when the training or validation loss becomes NaN or infinite.
    """
    epochs = require_positive_int("epochs", epochs)
    _require_model_optimizer(model, optimizer, loss_fn)
    _require_mean_loss(loss_fn)
    if val_loader is None and (early_stopping is not None or metrics):
        raise fail("val_loader", "a DataLoader when early_stopping or metrics are used", "None")
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise fail(
            "early_stopping", "None or a dlcourse.training.EarlyStopping", type_name(early_stopping)
        )
    metrics = dict(metrics or {})
    for name, metric in metrics.items():
        if not callable(metric):
            raise fail(f"metrics[{name!r}]", "a function (y_true, output) -> float", repr(metric))
    if early_stopping is not None:
        early_stopping.reset()

    model.to(device)
    if isinstance(loss_fn, nn.Module):
        loss_fn.to(device)  # class weights or pos_weight live beside the outputs
    history = History(metrics={name: [] for name in metrics})
    warned = False
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
            warned = warned or _warn_if_non_finite(history, epoch)
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
