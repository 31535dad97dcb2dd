"""Practice checks of the Breast Cancer practical (notebook 09): classification metrics.

Sensitivity and specificity from a confusion matrix, the decision threshold that minimises the
expected cost of the errors, and permutation importance. Labels: 1 = malignant (positive),
0 = benign, as ``dlcourse.data.load_breast_cancer_splits`` returns them by default. scikit-learn
is imported inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse.evaluation import confusion_counts
from dlcourse.exercises.core import (
    Case,
    CheckResult,
    as_array,
    check_function,
    guarded,
    is_stub_code,
    not_implemented,
    report,
    run_student,
    trouble,
)
from dlcourse.scratch.activations import sigmoid

__all__ = [
    "check_cost_threshold",
    "check_permutation_importance",
    "check_sensitivity_specificity",
]

# ===================================================================================================
# Sensitivity and specificity
# ===================================================================================================


def _confusion_counts(y_true, y_pred) -> tuple[int, int, int, int]:
    """(TP, FN, TN, FP) of 0/1 predictions: a prediction of 1 is flagged at threshold 0.5."""
    counts = confusion_counts(y_true, y_pred, 0.5)
    return counts["TP"], counts["FN"], counts["TN"], counts["FP"]


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


def check_sensitivity_specificity(fn: Callable) -> CheckResult:
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


def _cost_threshold_cases() -> list[Case]:
    rng = np.random.default_rng(10)
    cases = []
    for label, n, cost_fn, cost_fp, separation in (
        ("120 validation tumours, a missed cancer costs 5 false alarms", 120, 5.0, 1.0, 1.5),
        ("200 tumours, equal costs", 200, 1.0, 1.0, 1.0),
        ("150 tumours, a missed cancer costs 20 false alarms", 150, 20.0, 1.0, 1.2),
    ):
        y = (rng.random(n) < 0.37).astype(np.int64)
        p = 1.0 / (1.0 + np.exp(-(separation * (2 * y - 1) + rng.normal(0.0, 1.0, n) - 0.5)))
        cases.append(Case(label, (y, p, cost_fn, cost_fp)))
    return cases


def _as_threshold(value: object) -> float | None:
    """A returned threshold as a float (a 0-d array or tensor too), or None if it is not one."""
    array = None if isinstance(value, bool) else as_array(value)
    if array is None or array.shape != () or np.isnan(array):
        return None
    return float(array)


def _threshold_hint(t: float, y, p, cost_fn: float, cost_fp: float) -> str:
    """What a threshold that misses the minimum cost most likely got wrong."""
    if _expected_cost(y, p, t, cost_fp, cost_fn) <= _minimum_cost(y, p, cost_fp, cost_fn) + 1e-9:
        return (
            "It minimises the cost with the two costs swapped: a false negative (a "
            "missed malignant tumour) costs cost_fn."
        )
    if np.isclose(t, cost_fp / (cost_fp + cost_fn)):
        return (
            "That is the Bayes threshold cost_fp / (cost_fp + cost_fn), optimal only for "
            "perfectly calibrated probabilities; here minimise the cost actually counted "
            "on these tumours."
        )
    if np.isclose(t, 0.5):
        return "0.5 ignores the costs: try every candidate threshold and keep the cheapest."
    return (
        "Try every distinct predicted probability as a threshold, count FN and FP "
        "with the rule p >= threshold, and keep the threshold with the lowest "
        "cost_fn * FN + cost_fp * FP."
    )


_COST = "cost-minimising threshold"


@guarded(_COST)
def check_cost_threshold(fn: Callable) -> CheckResult:
    """Check ``fn(y_true, p, cost_fn, cost_fp) -> threshold`` that minimises the total cost.

    ``y_true: (n,)`` labels (1 = malignant), ``p: (n,)`` predicted probabilities of malignancy;
    a tumour is called malignant when ``p >= threshold``. The total cost on these tumours is
    ``cost_fn * FN + cost_fp * FP``; any threshold reaching the minimum over all thresholds is
    accepted (ties between thresholds do not matter), so the check compares costs, not
    thresholds. A number, a 0-d array or a 0-d tensor is accepted as the threshold.
    """
    if is_stub_code(fn):
        return not_implemented(_COST)
    if not callable(fn):
        return report(False, _COST, f"expected a function, got {type(fn).__name__}")
    for case in _cost_threshold_cases():
        outcome = run_student(fn, case.args)
        if outcome.not_implemented:
            return not_implemented(_COST)
        problem = trouble(outcome, case.label)
        if problem is not None:
            return report(False, _COST, problem)
        t = _as_threshold(outcome.value)
        if t is None:
            return report(
                False,
                _COST,
                f"expected one threshold (a number) for {case.label}, got "
                f"{type(outcome.value).__name__}.",
            )
        y, p, cost_fn, cost_fp = case.args
        best = _minimum_cost(y, p, cost_fn, cost_fp)
        cost = _expected_cost(y, p, t, cost_fn, cost_fp)
        if cost > best + 1e-9:
            hint = _threshold_hint(t, y, p, cost_fn, cost_fp)
            wrong = f"{case.label}: your threshold {t:.3f} costs {cost:g}, the minimum is {best:g}."
            return report(False, _COST, f"{wrong} {hint}")
    return report(True, f"{_COST}: the minimum cost is reached on 3 validation sets", "")


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


_IMPORTANCE = "permutation importance"


@guarded(_IMPORTANCE)
def check_permutation_importance(fn: Callable) -> CheckResult:
    """Check ``fn(predict, X, y, n_repeats, seed) -> importances`` (permutation importance).

    ``predict(X)`` maps features ``(n, d)`` to probabilities ``(n,)``; the importance of feature
    ``j`` is the mean over ``n_repeats`` random permutations of column ``j`` (the other columns
    untouched) of ``AUC(original) - AUC(column j permuted)``, so the result has shape ``(d,)``.
    The check uses a model that ignores features 1 and 3 (their importance must be 0 within
    1e-12) and compares features 0 and 2 with a reference over 200 permutations (atol 0.03, the
    Monte Carlo spread of 30 permutations is far below). ``X`` must be left unchanged.
    """
    what = _IMPORTANCE
    if is_stub_code(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    predict, X, y = _importance_problem()
    outcome = run_student(fn, (predict, X, y, 30, 0))
    if outcome.not_implemented:
        return not_implemented(what)
    problem = trouble(outcome, "a model of 4 features")
    if problem is not None:
        return report(False, what, problem)
    values = as_array(outcome.value)
    if values is None or values.shape != (4,) or not np.all(np.isfinite(values)):
        shape = None if values is None else values.shape
        return report(
            False, what, f"expected 4 finite importances (one per feature), got shape {shape}."
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
