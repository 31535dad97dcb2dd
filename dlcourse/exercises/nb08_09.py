"""Self-checks for notebooks 08 (PyTorch essentials) and 09 (the Breast Cancer practical).

08: standardising genes with broadcasting (torch), a Dataset of one-hot DNA, early stopping by
    hand (compared with dlcourse.training.fit).
09: sensitivity and specificity, a cost-minimising decision threshold, permutation importance.
torch, sklearn and dlcourse.training are imported inside the checks, so that importing this
module stays as light as before for the morning's NumPy-only notebooks.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from dlcourse.data import one_hot_dna as _one_hot_dna
from dlcourse.data import simulate_dna_motif as _simulate_dna_motif
from dlcourse.exercises.core import (
    Case,
    _as_array,
    _call,
    _never_raises,
    _Outcome,
    _unimplemented,
    check_function,
    compare,
    is_stub,
    not_implemented,
    report,
)
from dlcourse.scratch.activations import sigmoid

__all__ = [
    "check_cost_threshold",
    "check_dna_dataset",
    "check_fit_early_stopping",
    "check_permutation_importance",
    "check_sensitivity_specificity",
    "check_standardise_genes",
]


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


def check_standardise_genes(fn: Callable) -> bool:
    """Check ``fn(X)``: every column (gene) of a tensor standardised to mean 0, population sd 1.

    ``X: (n_samples, n_genes)`` float64 tensor; the result has the same shape, with
    ``z_ij = (x_ij - mean_j) / s_j`` and ``s_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)`` (the
    population standard deviation, as ``sklearn.preprocessing.StandardScaler``). ``X`` must not be
    modified in place, and the result must be a tensor.
    """
    import torch

    what = "standardise genes"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    cases = _standardise_cases()
    X = cases[0].args[0].clone()
    outcome = _call(fn, (X,))
    if outcome.error is None and not _unimplemented(outcome.value):
        if not isinstance(outcome.value, torch.Tensor):
            return report(
                False,
                what,
                f"expected a torch tensor, got {type(outcome.value).__name__}. Hint: tensor "
                "operations (mean, std, -, /) keep the result a tensor; no NumPy needed.",
            )
        if not torch.equal(X, cases[0].args[0]):
            return report(
                False,
                what,
                "X was modified in place. Hint: build a new tensor (X - mean) / sd instead of "
                "using -= or /= on X.",
            )
    return check_function(
        lambda X: fn(X.clone()),
        what,
        cases,
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
    )


def _dna_dataset_problem() -> tuple[list[str], np.ndarray]:
    X, y = _simulate_dna_motif(n_sequences=10, length=16, motif="TATAAT", seed=3)
    return list(X["sequence"]), y.to_numpy()


def check_dna_dataset(dataset_class: object) -> bool:
    """Check a ``torch.utils.data.Dataset`` class of one-hot encoded DNA sequences.

    ``dataset_class(sequences, labels)`` with ``sequences`` a list of ``n`` equal-length DNA
    strings and ``labels`` an int array ``(n,)`` in {0, 1}. The dataset must have ``len == n`` and
    ``dataset[i] == (x, y)`` with ``x`` the float32 tensor ``(length, 4)`` equal to
    ``dlcourse.data.one_hot_dna(sequences[i])`` (channels A, C, G, T) and ``y`` a float32 scalar
    tensor (the target ``BCEWithLogitsLoss`` expects). A ``DataLoader`` over it then yields
    ``(batch, length, 4)`` and ``(batch,)``.
    """
    import torch
    from torch.utils.data import DataLoader

    what = "DNA dataset"
    if is_stub(dataset_class):
        return not_implemented(what)
    if not isinstance(dataset_class, type):
        return report(False, what, f"expected a class, got {type(dataset_class).__name__}")
    sequences, labels = _dna_dataset_problem()
    try:
        dataset = dataset_class(list(sequences), labels.copy())
        length = dataset.__len__()
        item = dataset.__getitem__(2)
    except NotImplementedError:
        return not_implemented(what)
    except Exception as error:
        return report(
            False,
            what,
            f"creating it or calling len / [2] raised {type(error).__name__}: {error}. Hint: "
            "store the sequences and labels in __init__; __len__ returns how many there are; "
            "__getitem__(i) returns sample i.",
        )
    if length is None or item is None or _unimplemented(item):
        return not_implemented(what)
    if length != len(sequences):
        return report(False, what, f"len(dataset) is {length}, expected {len(sequences)}.")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        return report(
            False, what, "dataset[i] should be a pair (x, y): the encoded sequence and its label."
        )
    x, y = item
    expected_x = _one_hot_dna(sequences[2])
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        return report(False, what, "x and y should be torch tensors (torch.as_tensor(...)).")
    if tuple(x.shape) == expected_x.T.shape and tuple(x.shape) != expected_x.shape:
        return report(
            False,
            what,
            f"x has shape {tuple(x.shape)}: that is channels first. Keep one_hot_dna's layout "
            f"(length, 4) = {expected_x.shape}.",
        )
    problem = compare(x, expected_x, rtol=0.0, atol=0.0)
    if problem is not None:
        return report(
            False,
            what,
            f"x of sample 2: {problem}. Hint: one row per base, columns "
            "A, C, G, T, as dlcourse.data.one_hot_dna encodes it.",
        )
    if x.dtype != torch.float32 or y.dtype != torch.float32:
        return report(
            False,
            what,
            f"dtypes are x: {x.dtype}, y: {y.dtype}; a model's weights and BCEWithLogitsLoss's "
            "targets are float32. Hint: torch.as_tensor(..., dtype=torch.float32).",
        )
    if y.shape != () or float(y) != labels[2]:
        return report(
            False,
            what,
            f"y of sample 2 should be the scalar {labels[2]}, got shape "
            f"{tuple(y.shape)} with values {y.flatten()[:3].tolist()}.",
        )
    try:
        X_batch, y_batch = next(iter(DataLoader(dataset, batch_size=4)))
    except Exception as error:
        return report(False, what, f"a DataLoader over it raised {type(error).__name__}: {error}")
    if tuple(X_batch.shape) != (4, 16, 4) or tuple(y_batch.shape) != (4,):
        return report(
            False,
            what,
            f"a DataLoader batch of 4 has shapes {tuple(X_batch.shape)} "
            f"and {tuple(y_batch.shape)}, expected (4, 16, 4) and (4,).",
        )
    return report(True, f"{what}: length, encoding, dtypes and batches are right", "")


_EARLY_STOPPING_MAX_EPOCHS = 60
_EARLY_STOPPING_PATIENCE = 5


class _CountingLoader:
    """A DataLoader stand-in that counts the passes over it (one per epoch for training data)."""

    def __init__(self, loader: object) -> None:
        self.loader = loader
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return iter(self.loader)

    def __len__(self) -> int:
        return len(self.loader)

    def __getattr__(self, name: str) -> object:
        return getattr(self.loader, name)


def _early_stopping_run(train: Callable | None, restore_best: bool = True) -> tuple:
    """Run ``train`` on a fixed, seeded, overfitting problem on the CPU.

    ``train`` is the student's function, or None for the reference ``fit``. Returns its result, the
    final weights and the number of epochs run.
    """
    import torch
    from torch import nn

    from dlcourse.training import EarlyStopping, fit, make_loader

    rng = np.random.default_rng(8)
    X = rng.normal(size=(160, 6))
    scores = np.column_stack([X[:, 0] - X[:, 1], X[:, 1] + X[:, 2], 0.5 * X[:, 3]])
    y = np.argmax(scores + rng.gumbel(size=scores.shape), axis=1).astype(np.int64)
    train_loader = _CountingLoader(make_loader(X[:96], y[:96], batch_size=32, shuffle=True))
    val_loader = make_loader(X[96:], y[96:], batch_size=40)  # two batches: 40 and 24
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
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
    return result, [p.detach().clone() for p in model.parameters()], train_loader.passes


def _same_weights(a: list, b: list, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    import torch

    return len(a) == len(b) and all(
        x.shape == y.shape and torch.allclose(x, y, rtol=rtol, atol=atol)
        for x, y in zip(a, b, strict=True)
    )


@_never_raises
def check_fit_early_stopping(fn: Callable) -> bool:
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
    what = "fit with early stopping"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    try:
        best, weights, epochs_run = _early_stopping_run(fn)
    except NotImplementedError:
        return not_implemented(what)
    except Exception as error:
        return report(
            False,
            what,
            f"raised {type(error).__name__}: {error}. Hint: start from "
            "train_by_hand in section 7 and add the validation pass and the stopping "
            "rule.",
        )
    if _unimplemented(best):
        return not_implemented(what)
    if isinstance(best, bool) or not isinstance(best, (int, np.integer)):
        return report(False, what, f"expected the best epoch as an int, got {type(best).__name__}.")
    reference_best, reference_weights, reference_epochs = _early_stopping_run(None)
    restored = _same_weights(weights, reference_weights)
    if restored and best == reference_best and epochs_run != reference_epochs:
        return report(
            False,
            what,
            f"the best epoch and weights are right, but training ran {epochs_run} epochs instead "
            f"of {reference_epochs}: stop as soon as `patience` epochs in a row have not improved.",
        )
    if restored and best == reference_best:
        return report(
            True,
            f"{what}: best epoch {best}, epochs run and final weights match "
            "dlcourse.training.fit (rtol 1e-5)",
            "",
        )
    if restored and best == reference_best + 1:
        return report(
            False,
            what,
            f"you returned epoch {best}, the reference {reference_best}: "
            "return the 0-based index (the first epoch is 0).",
        )
    if best == reference_best:
        _, last_weights, _ = _early_stopping_run(None, restore_best=False)
        if _same_weights(weights, last_weights):
            return report(
                False,
                what,
                "the best epoch is right but the model ends with the last epoch's weights. "
                "Hint: state_dict() holds references to the live tensors, so save a deep copy "
                "(copy.deepcopy) when the validation loss improves, and load it at the end.",
            )
    found = (
        "the best epoch is right but the final weights differ from dlcourse.training.fit"
        if best == reference_best
        else f"the best epoch is {best}, expected {reference_best}"
    )
    return report(
        False,
        what,
        f"{found}. Hint: zero the gradients before each backward pass; validate in "
        "eval mode (dropout off) under torch.no_grad(), with a batch-size-weighted mean over all "
        "validation batches; count an improvement only when the loss is strictly lower.",
    )


def _confusion_counts(y_true, y_pred) -> tuple[int, int, int, int]:
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = int(np.sum((y_true == 1) & (y_pred == 1)))
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    tn = int(np.sum((y_true == 0) & (y_pred == 0)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    return tp, fn, tn, fp


def _sensitivity_specificity(y_true, y_pred):
    tp, fn, tn, fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fn), tn / (tn + fp)


def _precision_specificity(y_true, y_pred):
    tp, _fn, tn, fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fp), tn / (tn + fp)


def _sensitivity_npv(y_true, y_pred):
    tp, fn, tn, _fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fn), tn / (tn + fn)


_RNG_SENS = np.random.default_rng(9)
_SENS_TRUE = (_RNG_SENS.random(40) < 0.35).astype(np.int64)
_SENS_PRED = np.where(_RNG_SENS.random(40) < 0.8, _SENS_TRUE, 1 - _SENS_TRUE)
_SENS_CASES = (
    Case(
        "10 tumours (4 malignant)",
        (np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1])),
    ),
    Case("40 tumours with 20% of predictions flipped", (_SENS_TRUE, _SENS_PRED)),
    Case(
        "every malignant tumour found, 3 false alarms",
        (np.array([1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 1, 1, 0, 0, 0])),
    ),
)


def check_sensitivity_specificity(fn: Callable) -> bool:
    """Check ``fn(y_true, y_pred) -> (sensitivity, specificity)`` with 1 = malignant (positive).

    ``y_true, y_pred: (n,)`` integer labels in {0, 1}. Sensitivity (recall, true positive rate)
    ``TP / (TP + FN)``: the share of malignant tumours that are flagged. Specificity (true negative
    rate) ``TN / (TN + FP)``: the share of benign tumours that are cleared.
    """
    return check_function(
        fn,
        "sensitivity and specificity",
        _SENS_CASES,
        _sensitivity_specificity,
        "Count the four cells of the confusion matrix (TP, FN, TN, FP) with malignant = 1 as the "
        "positive class; sensitivity divides by all truly malignant tumours, specificity by all "
        "truly benign ones.",
        names=("sensitivity", "specificity"),
        mistakes=[
            (
                lambda y, p: _sensitivity_specificity(y, p)[::-1],
                "The two values are swapped (or benign was taken as the positive class): return "
                "(sensitivity, specificity) with malignant = 1 positive.",
            ),
            (
                _precision_specificity,
                "The first value is the precision TP / (TP + FP); sensitivity divides by the truly "
                "malignant tumours, TP + FN.",
            ),
            (
                _sensitivity_npv,
                "The second value is the negative predictive value TN / (TN + FN); specificity "
                "divides by the truly benign tumours, TN + FP.",
            ),
        ],
    )


def _expected_cost(
    y_true: np.ndarray, p: np.ndarray, threshold: float, cost_fn: float, cost_fp: float
) -> float:
    predicted = p >= threshold
    fn = np.sum((y_true == 1) & ~predicted)
    fp = np.sum((y_true == 0) & predicted)
    return float(cost_fn * fn + cost_fp * fp)


def _minimum_cost(y_true: np.ndarray, p: np.ndarray, cost_fn: float, cost_fp: float) -> float:
    candidates = np.append(np.unique(p), np.inf)  # np.inf: call every tumour benign
    return min(_expected_cost(y_true, p, t, cost_fn, cost_fp) for t in candidates)


def _cost_threshold_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(10)
    cases = []
    for label, n, cost_fn, cost_fp, separation in (
        ("120 validation tumours, a missed cancer costs 5 false alarms", 120, 5.0, 1.0, 1.5),
        ("200 tumours, equal costs", 200, 1.0, 1.0, 1.0),
        ("150 tumours, a missed cancer costs 20 false alarms", 150, 20.0, 1.0, 1.2),
    ):
        y = (rng.random(n) < 0.37).astype(np.int64)
        p = 1.0 / (1.0 + np.exp(-(separation * (2 * y - 1) + rng.normal(0.0, 1.0, n) - 0.5)))
        cases.append((label, (y, p, cost_fn, cost_fp)))
    return cases


@_never_raises
def check_cost_threshold(fn: Callable) -> bool:
    """Check ``fn(y_true, p, cost_fn, cost_fp) -> threshold`` that minimises the total cost.

    ``y_true: (n,)`` labels (1 = malignant), ``p: (n,)`` predicted probabilities of malignancy;
    a tumour is called malignant when ``p >= threshold``. The total cost on these tumours is
    ``cost_fn * FN + cost_fp * FP``; any threshold reaching the minimum over all thresholds is
    accepted (ties between thresholds do not matter), so the check compares costs, not
    thresholds.
    """
    what = "cost-minimising threshold"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    for index, (label, (y, p, cost_fn, cost_fp)) in enumerate(_cost_threshold_cases()):
        outcome = _call(fn, (y.copy(), p.copy(), cost_fn, cost_fp))
        if isinstance(outcome.error, NotImplementedError) or (
            index == 0 and outcome.error is None and _unimplemented(outcome.value)
        ):
            return not_implemented(what)
        if outcome.error is not None:
            return report(
                False, what, f"raised {type(outcome.error).__name__}: {outcome.error} for {label}."
            )
        t = outcome.value
        if hasattr(t, "item") and getattr(t, "size", 1) == 1:
            t = t.item()
        if isinstance(t, bool) or not isinstance(t, (int, float)) or np.isnan(t):
            return report(
                False,
                what,
                f"expected one threshold (a number) for {label}, got "
                f"{type(outcome.value).__name__}.",
            )
        best = _minimum_cost(y, p, cost_fn, cost_fp)
        cost = _expected_cost(y, p, t, cost_fn, cost_fp)
        if cost <= best + 1e-9:
            continue
        wrong = f"{label}: your threshold {t:.3f} costs {cost:g}, the minimum is {best:g}."
        swapped = (
            _expected_cost(y, p, t, cost_fp, cost_fn)
            <= _minimum_cost(y, p, cost_fp, cost_fn) + 1e-9
        )
        if swapped:
            hint = (
                "It minimises the cost with the two costs swapped: a false negative (a "
                "missed malignant tumour) costs cost_fn."
            )
        elif np.isclose(t, cost_fp / (cost_fp + cost_fn)):
            hint = (
                "That is the Bayes threshold cost_fp / (cost_fp + cost_fn), optimal only for "
                "perfectly calibrated probabilities; here minimise the cost actually counted "
                "on these tumours."
            )
        elif np.isclose(t, 0.5):
            hint = "0.5 ignores the costs: try every candidate threshold and keep the cheapest."
        else:
            hint = (
                "Try every distinct predicted probability as a threshold, count FN and FP "
                "with the rule p >= threshold, and keep the threshold with the lowest "
                "cost_fn * FN + cost_fp * FP."
            )
        return report(False, what, f"{wrong} {hint}")
    return report(True, f"{what}: the minimum cost is reached on 3 validation sets", "")


def _importance_problem() -> tuple[Callable, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, 4))

    def predict(X):
        X = np.asarray(X, dtype=np.float64)
        return sigmoid(2.0 * X[:, 0] - 1.5 * X[:, 2])

    y = (rng.random(400) < predict(X)).astype(np.int64)
    return predict, X, y


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC by the rank-sum (Mann-Whitney) formula, ties as half: ``roc_auc_score``, faster."""
    from scipy.stats import rankdata

    positive = np.asarray(y) == 1
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((rankdata(scores)[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _permutation_importance_reference(predict, X, y, n_repeats, seed):
    rng = np.random.default_rng(seed)
    baseline = _auc(y, predict(X))
    importances = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            X_permuted = X.copy()
            X_permuted[:, j] = X[rng.permutation(len(X)), j]
            drops.append(baseline - _auc(y, predict(X_permuted)))
        importances[j] = np.mean(drops)
    return importances


@_never_raises
def check_permutation_importance(fn: Callable) -> bool:
    """Check ``fn(predict, X, y, n_repeats, seed) -> importances`` (permutation importance).

    ``predict(X)`` maps features ``(n, d)`` to probabilities ``(n,)``; the importance of feature
    ``j`` is the mean over ``n_repeats`` random permutations of column ``j`` (the other columns
    untouched) of ``AUC(original) - AUC(column j permuted)``, so the result has shape ``(d,)``.
    The check uses a model that ignores features 1 and 3 (their importance must be 0 within
    1e-12) and compares features 0 and 2 with a reference over 200 permutations (atol 0.03, the
    Monte Carlo spread of 30 permutations is far below). ``X`` must be left unchanged.
    """
    what = "permutation importance"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    predict, X, y = _importance_problem()
    X_given = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # not _call: it would pass a copy of X, and X must stay unchanged in the caller
            outcome = _Outcome(value=fn(predict, X_given, y.copy(), 30, 0))
        except Exception as error:
            outcome = _Outcome(error=error)
    if isinstance(outcome.error, NotImplementedError) or (
        outcome.error is None and _unimplemented(outcome.value)
    ):
        return not_implemented(what)
    if outcome.error is not None:
        return report(False, what, f"raised {type(outcome.error).__name__}: {outcome.error}")
    values = _as_array(outcome.value)
    if values is None or values.shape != (4,) or not np.all(np.isfinite(values)):
        shape = None if values is None else values.shape
        return report(
            False, what, f"expected 4 finite importances (one per feature), got shape {shape}."
        )
    if not np.array_equal(X_given, X):
        return report(
            False,
            what,
            "X was changed: permute a copy of X (X.copy()), so that the "
            "caller's data stays intact.",
        )
    from sklearn.metrics import roc_auc_score

    baseline = roc_auc_score(y, predict(X))
    reference = _permutation_importance_reference(predict, X, y, 200, 1)
    ignored = np.abs(values[[1, 3]])
    if np.allclose(values[[1, 3]], baseline, atol=1e-9):
        return report(
            False,
            what,
            "the values are the AUC after permuting; the importance is "
            "the drop, AUC(original) - AUC(permuted).",
        )
    if np.any(ignored > 1e-12):
        return report(
            False,
            what,
            f"features 1 and 3, which the model ignores, get {values[1]:.3g} and {values[3]:.3g} "
            "instead of 0. Hint: permute one column at a time, in a fresh copy of X, leaving the "
            "other columns as they were.",
        )
    if np.all(values[[0, 2]] < 0):
        return report(
            False,
            what,
            "the informative features get negative importance: the "
            "importance is AUC(original) - AUC(permuted), positive when permuting hurts.",
        )
    gap = np.abs(values - reference).max()
    if gap > 0.03:
        return report(
            False,
            what,
            f"features 0 and 2 get {values[0]:.3f} and {values[2]:.3f}, expected about "
            f"{reference[0]:.3f} and {reference[2]:.3f} (atol 0.03). Hint: for each repeat, "
            "permute the rows of one column only (rng.permutation), recompute the AUC, and "
            "average the drops.",
        )
    return report(
        True,
        f"{what}: zero for ignored features, within 0.03 of the reference for "
        f"the others (max gap {gap:.3f})",
        "",
    )
