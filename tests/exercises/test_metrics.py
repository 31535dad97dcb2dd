"""Tests of the metrics checks: sensitivity/specificity, cost threshold, permutation importance."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from dlcourse.exercises import metrics as ex

from .conftest import assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Sensitivity and specificity
# ---------------------------------------------------------------------------------------------


def test_sensitivity_reference_matches_sklearn():
    from sklearn.metrics import recall_score

    y, p = ex._SENS_TRUE, ex._SENS_PRED
    sens, spec = ex._sensitivity_specificity(y, p)
    assert sens == pytest.approx(recall_score(y, p), rel=1e-12)
    assert spec == pytest.approx(recall_score(1 - y, 1 - p), rel=1e-12)


def test_sensitivity_accepts_tensors(capsys):
    correct = solution("check_sensitivity_specificity")
    as_tensors = lambda y, p: tuple(torch.tensor(float(v)) for v in correct(y, p))  # noqa: E731
    assert_passes(capsys, ex.check_sensitivity_specificity, as_tensors)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda y, p: ex._sensitivity_specificity(y, p)[::-1], "swapped"),
        (ex._precision_specificity, "precision"),
        (ex._sensitivity_npv, "negative predictive value"),
        (lambda y, p: (np.mean(np.asarray(y) == np.asarray(p)),) * 2, "confusion matrix"),
    ],
)
def test_sensitivity_rejects_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_sensitivity_specificity, mistake, fragment)


# ---------------------------------------------------------------------------------------------
# Cost threshold
# ---------------------------------------------------------------------------------------------


def cost_threshold(*args):
    return solution("check_cost_threshold")(*args)


def test_cost_threshold_accepts_any_threshold_with_the_minimum_cost(capsys):
    def just_below(y_true, p, cost_fn, cost_fp):  # a different threshold, the same predictions
        t = cost_threshold(y_true, p, cost_fn, cost_fp)
        below = p[p < t]
        return (t + below.max()) / 2 if below.size else t

    assert_passes(capsys, ex.check_cost_threshold, just_below)


@pytest.mark.parametrize("wrap", [torch.tensor, np.array, float])
def test_cost_threshold_accepts_a_0d_tensor_or_array(capsys, wrap):
    assert_passes(capsys, ex.check_cost_threshold, lambda *args: wrap(cost_threshold(*args)))


def test_cost_threshold_cases_separate_the_mistakes():
    for case in ex._cost_threshold_cases()[::2]:
        y, p, cost_fn, cost_fp = case.args
        best = ex._minimum_cost(y, p, cost_fn, cost_fp)
        for wrong in (0.5, cost_fp / (cost_fp + cost_fn), cost_threshold(y, p, cost_fp, cost_fn)):
            assert ex._expected_cost(y, p, wrong, cost_fn, cost_fp) > best


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda y, p, cost_fn, cost_fp: cost_threshold(y, p, cost_fp, cost_fn), "swapped"),
        (lambda y, p, cost_fn, cost_fp: 0.5, "0.5 ignores the costs"),
        (lambda y, p, cost_fn, cost_fp: cost_fp / (cost_fp + cost_fn), "Bayes threshold"),
        (lambda y, p, cost_fn, cost_fp: 0.9, "Try every distinct"),
        (lambda y, p, cost_fn, cost_fp: [0.1, 0.2], "a number"),
        (lambda y, p, cost_fn, cost_fp: True, "a number"),
        (lambda y, p, cost_fn, cost_fp: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_cost_threshold_rejects_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_cost_threshold, mistake, fragment)


# ---------------------------------------------------------------------------------------------
# Permutation importance
# ---------------------------------------------------------------------------------------------


def permutation_importance(
    predict, X, y, n_repeats, seed, *, restore=True, in_place=False, sign=1.0, drop=True
):
    """Permutation importance with one typical mistake switched on (correct by default)."""
    rng = np.random.default_rng(seed)
    baseline = roc_auc_score(y, predict(X))
    importances = []
    work = X if in_place else X.copy()
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            if restore and not in_place:
                work = X.copy()
            work[:, j] = work[rng.permutation(len(work)), j]
            score = roc_auc_score(y, predict(work))
            drops.append(sign * (baseline - score) if drop else score)
        importances.append(np.mean(drops))
    return np.array(importances)


def test_permutation_importance_accepts_a_correct_answer(capsys):
    assert_passes(capsys, ex.check_permutation_importance, permutation_importance)


def test_permutation_importance_reference_agrees_with_sklearn():
    from sklearn.inspection import permutation_importance as sklearn_importance

    predict, X, y = ex._importance_problem()

    class Wrapped:
        def fit(self, X, y):
            return self

    result = sklearn_importance(
        Wrapped(),
        X,
        y,
        scoring=lambda est, X, y: roc_auc_score(y, predict(X)),
        n_repeats=200,
        random_state=0,
    )
    ours = ex._permutation_importance_reference(predict, X, y, 200, 1)
    np.testing.assert_allclose(result.importances_mean, ours, atol=0.01)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"restore": False}, "one column at a time"),
        ({"in_place": True}, "changed its argument `X` in place"),
        ({"sign": -1.0}, "negative importance"),
        ({"drop": False}, "the drop"),
    ],
)
def test_permutation_importance_rejects_mistakes(capsys, options, fragment):
    def mistake(predict, X, y, n_repeats, seed):
        return permutation_importance(predict, X, y, n_repeats, seed, **options)

    assert_rejected(capsys, ex.check_permutation_importance, mistake, fragment)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda *args: np.zeros(3), "shape"),
        (lambda *args: "high", "shape"),
        (lambda *args: np.zeros(4), "expected about"),
        (lambda *args: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_permutation_importance_rejects_wrong_shapes_and_values(capsys, answer, fragment):
    assert_rejected(capsys, ex.check_permutation_importance, answer, fragment)


def test_fast_auc_equals_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    scores = np.round(rng.normal(size=200) + y, 1)  # rounded: many ties
    assert ex._auc(y, scores) == pytest.approx(roc_auc_score(y, scores), rel=1e-12)
