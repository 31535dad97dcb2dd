"""Checks for PyTorch essentials.

Standardising genes with broadcasting, a ``Dataset`` of one-hot DNA, and a training loop with early
stopping written by hand (compared with ``dlcourse.training.fit``). torch and dlcourse.training are
imported inside the checks, so that importing the package stays light for the NumPy notebooks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.data import one_hot_dna, simulate_dna_motif
from dlcourse.exercises import core
from dlcourse.exercises.core import (
    Case,
    CheckResult,
    check_function,
    compare,
    forgot_return,
    guarded,
    is_stub_code,
    not_implemented,
    report,
    run_student,
    trouble,
)

__all__ = ["check_dna_dataset", "check_fit_early_stopping", "check_standardise_genes"]

# ===================================================================================================
# Standardising genes with broadcasting
# ===================================================================================================


def _standardise_cases() -> tuple[Case, ...]:
    import torch

    rng = np.random.default_rng(8)
    scales = np.array([1.0, 10.0, 0.1, 3.0])
    means = np.array([5.0, -2.0, 100.0, 0.0])
    return (
        Case("a (6, 4) expression matrix", (torch.from_numpy(rng.normal(size=(6, 4))),)),
        Case(
            "genes on different scales, (40, 4)",
            (torch.from_numpy(means + scales * rng.normal(size=(40, 4))),),
        ),
        Case("a single gene, (10, 1)", (torch.from_numpy(rng.normal(3.0, 2.0, size=(10, 1))),)),
        Case("a square (5, 5) matrix", (torch.from_numpy(rng.normal(size=(5, 5))),)),
    )


def _standardise_reference(X):
    return (X - X.mean(dim=0)) / X.std(dim=0, correction=0)


def _not_a_tensor(value: object) -> str | None:
    import torch

    if isinstance(value, torch.Tensor):
        return None
    return (
        f"expected a torch tensor, got {type(value).__name__}. Hint: tensor operations (mean, std, "
        "-, /) keep the result a tensor; no NumPy needed."
    )


def check_standardise_genes(fn: Callable) -> CheckResult:
    """Check ``fn(X)``: every column (gene) of a tensor standardised to mean 0, population sd 1.

    ``X: (n_samples, n_genes)`` float64 tensor; the result is a tensor of the same shape, with
    ``z_ij = (x_ij - mean_j) / s_j`` and ``s_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)`` (the
    population standard deviation, as ``sklearn.preprocessing.StandardScaler``), computed by
    broadcasting (no Python loop) and without modifying ``X`` in place.
    """
    return check_function(
        fn,
        "standardise genes",
        _standardise_cases(),
        _standardise_reference,
        "Each gene is a column: compute its mean and population standard deviation over the "
        "samples (dim=0), and let broadcasting subtract and divide every row by them.",
        rtol=1e-10,
        atol=1e-12,
        mistakes=[
            (
                lambda X: (X - X.mean(dim=0)) / X.std(dim=0),
                "That is the sample standard deviation (divides by n - 1); use the population "
                "one (divides by n), as StandardScaler does: std(dim=0, correction=0).",
            ),
            (
                lambda X: (
                    (X - X.mean(dim=1, keepdim=True)) / X.std(dim=1, keepdim=True, correction=0)
                ),
                "You standardised each sample (row); standardise each gene (column): dim=0.",
            ),
            (
                lambda X: X - X.mean(dim=0),
                "The genes are centred but not scaled: divide by their standard deviation too.",
            ),
        ],
        no_loop="X.mean(dim=0) and X.std(dim=0, ...) give every gene at once; broadcasting "
        "applies them to every row.",
        output_problem=_not_a_tensor,
    )


# ===================================================================================================
# A Dataset of one-hot DNA
# ===================================================================================================

_DNA = "DNA dataset"


def _dna_dataset_problem() -> tuple[list[str], np.ndarray]:
    X, y = simulate_dna_motif(n_sequences=10, length=16, motif="TATAAT", seed=3)
    return list(X["sequence"]), y.to_numpy()


def _build_and_read(dataset_class: type, sequences: list[str], labels: np.ndarray) -> tuple:
    """The student's dataset, its length and its item 2 (the dunders, so None is seen as such)."""
    dataset = dataset_class(sequences, labels)
    return dataset, dataset.__len__(), dataset.__getitem__(2)


def _first_batch(dataset: object) -> tuple:
    from torch.utils.data import DataLoader

    return next(iter(DataLoader(dataset, batch_size=4)))


@guarded(_DNA)
def check_dna_dataset(dataset_class: object) -> CheckResult:
    """Check a ``torch.utils.data.Dataset`` class of one-hot encoded DNA sequences.

    ``dataset_class(sequences, labels)`` with ``sequences`` a list of ``n`` equal-length DNA
    strings and ``labels`` an int array ``(n,)`` in {0, 1}. The dataset must have ``len == n`` and
    ``dataset[i] == (x, y)`` with ``x`` the float32 tensor ``(length, 4)`` equal to
    ``dlcourse.data.one_hot_dna(sequences[i])`` (channels A, C, G, T) and ``y`` a float32 scalar
    tensor (the target ``BCEWithLogitsLoss`` expects). A ``DataLoader`` over it then yields
    ``(batch, length, 4)`` and ``(batch,)``.
    """
    import torch

    if is_stub_code(dataset_class):
        return not_implemented(_DNA)
    if not isinstance(dataset_class, type):
        return report(False, _DNA, f"expected a class, got {type(dataset_class).__name__}")
    sequences, labels = _dna_dataset_problem()
    outcome = run_student(_build_and_read, (dataset_class, sequences, labels))
    if outcome.not_implemented:
        return not_implemented(_DNA)
    problem = trouble(
        outcome,
        "DNADataset(sequences, labels), len(dataset) and dataset[2]",
        "Hint: store the sequences and labels in __init__; __len__ returns how many there are; "
        "__getitem__(i) returns sample i.",
    )
    if problem is not None:
        return report(False, _DNA, problem)
    dataset, length, item = outcome.value
    for method, value in (("__len__", length), ("__getitem__", item)):
        if value is None:
            return report(False, _DNA, forgot_return(f"a dataset of {len(sequences)}", method))
    if length != len(sequences):
        return report(False, _DNA, f"len(dataset) is {length}, expected {len(sequences)}.")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        return report(
            False, _DNA, "dataset[i] should be a pair (x, y): the encoded sequence and its label."
        )
    x, y = item
    expected_x = one_hot_dna(sequences[2])
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        return report(False, _DNA, "x and y should be torch tensors (torch.as_tensor(...)).")
    if tuple(x.shape) == expected_x.T.shape and tuple(x.shape) != expected_x.shape:
        return report(
            False,
            _DNA,
            f"x has shape {tuple(x.shape)}: that is channels first. Keep one_hot_dna's layout "
            f"(length, 4) = {expected_x.shape}.",
        )
    problem = compare(x, expected_x, rtol=0.0, atol=0.0)
    if problem is not None:
        return report(
            False,
            _DNA,
            f"x of sample 2: {problem}. Hint: one row per base, columns "
            "A, C, G, T, as dlcourse.data.one_hot_dna encodes it.",
        )
    if x.dtype != torch.float32 or y.dtype != torch.float32:
        return report(
            False,
            _DNA,
            f"dtypes are x: {x.dtype}, y: {y.dtype}; a model's weights and BCEWithLogitsLoss's "
            "targets are float32. Hint: torch.as_tensor(..., dtype=torch.float32).",
        )
    if y.shape != () or float(y) != labels[2]:
        return report(
            False,
            _DNA,
            f"y of sample 2 should be the scalar {labels[2]}, got shape "
            f"{tuple(y.shape)} with values {y.flatten()[:3].tolist()}.",
        )
    batch = run_student(_first_batch, (dataset,))
    problem = trouble(batch, "a DataLoader batch of 4")
    if problem is not None:
        return report(False, _DNA, problem)
    X_batch, y_batch = batch.value
    if tuple(X_batch.shape) != (4, 16, 4) or tuple(y_batch.shape) != (4,):
        return report(
            False,
            _DNA,
            f"a DataLoader batch of 4 has shapes {tuple(X_batch.shape)} "
            f"and {tuple(y_batch.shape)}, expected (4, 16, 4) and (4,).",
        )
    return report(True, f"{_DNA}: length, encoding, dtypes and batches are right", "")


# ===================================================================================================
# Early stopping by hand
# ===================================================================================================

_FIT = "fit with early stopping"
_EARLY_STOPPING_MAX_EPOCHS = 60
_EARLY_STOPPING_PATIENCE = 5
#: The whole training run is one case (about 2 s on a laptop's CPU): six times the usual limit.
_FIT_TIME_LIMITS = 6


class _TrackedLoader:
    """A DataLoader stand-in that counts the passes over it and notes which loader is being read."""

    def __init__(self, loader: object, name: str, log: dict) -> None:
        self.loader, self.name, self.log = loader, name, log
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        self.log["reading"] = self.name
        return iter(self.loader)

    def __len__(self) -> int:
        return len(self.loader)

    def __getattr__(self, name: str) -> object:
        return getattr(self.loader, name)


def _early_stopping_run(train: Callable | None, restore_best: bool = True) -> tuple:
    """Run ``train`` on a fixed, seeded, overfitting problem on the CPU.

    ``train`` is the student's function, or None for the reference ``fit``. Returns its result, the
    final weights, the number of epochs run, and the set of (loader read, ``model.training``)
    pairs seen by the model's forward passes.
    """
    import torch
    from torch import nn

    from dlcourse.training import EarlyStopping, fit, make_loader

    rng = np.random.default_rng(8)
    X = rng.normal(size=(160, 6))
    scores = np.column_stack([X[:, 0] - X[:, 1], X[:, 1] + X[:, 2], 0.5 * X[:, 3]])
    y = np.argmax(scores + rng.gumbel(size=scores.shape), axis=1).astype(np.int64)
    log: dict = {"reading": None, "modes": set()}
    loader = make_loader(X[:96], y[:96], batch_size=32, shuffle=True)
    train_loader = _TrackedLoader(loader, "train", log)
    val_loader = _TrackedLoader(make_loader(X[96:], y[96:], batch_size=40), "val", log)  # 40 + 24
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
        model.register_forward_pre_hook(
            lambda module, inputs: log["modes"].add((log["reading"], module.training))
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        args = (model, train_loader, val_loader, nn.CrossEntropyLoss(), optimizer)
        if train is None:
            history = fit(
                *args,
                epochs=_EARLY_STOPPING_MAX_EPOCHS,
                device="cpu",
                early_stopping=EarlyStopping(_EARLY_STOPPING_PATIENCE, restore_best=restore_best),
                progress=False,
            )
            result = history.best_epoch
        else:
            result = train(*args, _EARLY_STOPPING_MAX_EPOCHS, _EARLY_STOPPING_PATIENCE, "cpu")
    weights = [p.detach().clone() for p in model.parameters()]
    return result, weights, train_loader.passes, log["modes"]


def _same_weights(a: list, b: list, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    import torch

    return len(a) == len(b) and all(
        x.shape == y.shape and torch.allclose(x, y, rtol=rtol, atol=atol)
        for x, y in zip(a, b, strict=True)
    )


def _wrong_modes(modes: set) -> str | None:
    """A hint when the training or the validation batches ran in the wrong mode, or None."""
    if ("train", False) in modes:
        return (
            "Some training batches ran in eval mode (dropout off): call model.train() at the "
            "start of every epoch, since model.eval() for validation stays on until you switch "
            "back."
        )
    if ("val", True) in modes:
        return (
            "The validation loss was computed in train mode (dropout on): call model.eval() "
            "before the validation pass."
        )
    return None


@guarded(_FIT)
def check_fit_early_stopping(fn: Callable) -> CheckResult:
    """Check a hand-written training loop with early stopping against ``dlcourse.training.fit``.

    ``fn(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device)``
    trains (``zero_grad`` -> forward -> loss -> ``backward`` -> ``step`` per batch, in train
    mode), computes the validation loss after each epoch (eval mode, ``torch.no_grad()``,
    batch-size-weighted mean), counts an epoch as an improvement when its loss is strictly below
    the best so far, stops after ``patience`` epochs in a row without improvement, loads the best
    epoch's weights into ``model`` and returns that epoch's 0-based index. The check trains a
    small 3-class network on a fixed problem (CPU, seeded, early stopping triggers) and compares
    the returned epoch and the number of epochs run exactly, the final weights with rtol 1e-5.
    """
    if is_stub_code(fn):
        return not_implemented(_FIT)
    if not callable(fn):
        return report(False, _FIT, f"expected a function, got {type(fn).__name__}")
    outcome = run_student(
        _early_stopping_run, (fn,), time_limit=_FIT_TIME_LIMITS * core.TIME_LIMIT_S
    )
    if outcome.not_implemented:
        return not_implemented(_FIT)
    problem = trouble(
        outcome,
        "the training problem",
        "Hint: start from train_by_hand in section 7 and add the validation pass and the "
        "stopping rule.",
    )
    if problem is not None:
        return report(False, _FIT, problem)
    best, weights, epochs_run, modes = outcome.value
    if best is None:
        return report(False, _FIT, forgot_return("the training problem"))
    if isinstance(best, bool) or not isinstance(best, (int, np.integer)):
        return report(False, _FIT, f"expected the best epoch as an int, got {type(best).__name__}.")
    reference_best, reference_weights, reference_epochs, _ = _early_stopping_run(None)
    restored = _same_weights(weights, reference_weights)
    if restored and best == reference_best and epochs_run != reference_epochs:
        return report(
            False,
            _FIT,
            f"the best epoch and weights are right, but training ran {epochs_run} epochs instead "
            f"of {reference_epochs}: stop as soon as `patience` epochs in a row have not improved.",
        )
    if restored and best == reference_best:
        return report(
            True,
            f"{_FIT}: best epoch {best}, epochs run and final weights match "
            "dlcourse.training.fit (rtol 1e-5)",
            "",
        )
    if restored and best == reference_best + 1:
        return report(
            False,
            _FIT,
            f"you returned epoch {best}, the reference {reference_best}: "
            "return the 0-based index (the first epoch is 0).",
        )
    found = (
        "the best epoch is right but the final weights differ from dlcourse.training.fit"
        if best == reference_best
        else f"the best epoch is {best}, expected {reference_best}"
    )
    modes_hint = _wrong_modes(modes)
    if modes_hint is not None:
        return report(False, _FIT, f"{found}. {modes_hint}")
    if best == reference_best:
        _, last_weights, _, _ = _early_stopping_run(None, restore_best=False)
        if _same_weights(weights, last_weights):
            return report(
                False,
                _FIT,
                "the best epoch is right but the model ends with the last epoch's weights. "
                "Hint: state_dict() holds references to the live tensors, so save a deep copy "
                "(copy.deepcopy) when the validation loss improves, and load it at the end.",
            )
    return report(
        False,
        _FIT,
        f"{found}. Hint: zero the gradients before each backward pass; validate in "
        "eval mode (dropout off) under torch.no_grad(), with a batch-size-weighted mean over all "
        "validation batches; count an improvement only when the loss is strictly lower.",
    )
