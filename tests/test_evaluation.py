"""dlcourse.evaluation: counts, the sensitivity threshold, intervals, out-of-fold scores, splits."""

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix

from dlcourse.evaluation import (
    calibration_bins,
    confusion_counts,
    out_of_fold_proba,
    rates_with_intervals,
    repeated_splits,
    summarise_paired,
    threshold_for_sensitivity,
)
from dlcourse.stats import paired_difference, wilson_interval


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = (rng.random(150) < 0.37).astype(int)
    p = 1 / (1 + np.exp(-(2.0 * (2 * y - 1) + rng.normal(0, 1.5, 150))))
    return y, p


def test_confusion_counts_match_sklearn(scored):
    y, p = scored
    tn, fp, fn, tp = confusion_matrix(y, (p >= 0.4).astype(int)).ravel()
    assert confusion_counts(y, p, 0.4) == {"TP": tp, "FN": fn, "TN": tn, "FP": fp}


def test_threshold_is_the_highest_reaching_the_target(scored):
    y, p = scored
    for target in (0.8, 0.9, 0.95, 1.0):
        t = threshold_for_sensitivity(y, p, target)
        assert np.mean(p[y == 1] >= t) >= target  # reaches the target
        higher = p[p > t]
        if higher.size:  # the next higher candidate does not
            assert np.mean(p[y == 1] >= higher.min()) < target


def test_threshold_exact_product_of_target_and_count():
    y = np.array([1] * 20 + [0] * 5)
    p = np.linspace(1.0, 0.0, 25)
    t = threshold_for_sensitivity(y, p, 0.95)  # 0.95 * 20 = 19 positives, not 20
    assert np.sum(p[y == 1] >= t) == 19


def test_threshold_rejects_bad_input():
    with pytest.raises(ValueError, match="target"):
        threshold_for_sensitivity([0, 1], [0.2, 0.8], 0.0)
    with pytest.raises(ValueError, match="at least one positive"):
        threshold_for_sensitivity([0, 0], [0.2, 0.8], 0.9)
    with pytest.raises(ValueError, match="0/1 labels"):
        threshold_for_sensitivity([0, 2], [0.2, 0.8], 0.9)


def test_rates_with_intervals_are_wilson_of_the_counts(scored):
    y, p = scored
    table = rates_with_intervals(y, p, 0.5)
    c = confusion_counts(y, p, 0.5)
    expected = wilson_interval(c["TN"], c["TN"] + c["FP"])
    row = table.loc["specificity"]
    assert row["count"] == f"{c['TN']} / {c['TN'] + c['FP']}"
    assert np.allclose(
        [row["rate"], row["low"], row["high"]], [expected.estimate, expected.low, expected.high]
    )
    assert np.isnan(rates_with_intervals(y, p, 2.0).loc["PPV", "rate"])  # nothing flagged


def test_out_of_fold_scores_come_from_models_that_did_not_see_the_row():
    X = np.arange(40, dtype=float)[:, None]
    y = np.array([0, 1] * 20)
    seen = []

    def fit_predict(X_fit, y_fit, X_held):
        seen.append(set(X_fit[:, 0]) & set(X_held[:, 0]))
        return X_held[:, 0] / 100

    scores = out_of_fold_proba(fit_predict, X, y, n_folds=4)
    assert np.allclose(scores, X[:, 0] / 100)  # every row predicted once, in place
    assert len(seen) == 4 and all(not overlap for overlap in seen)


def test_repeated_splits_are_disjoint_stratified_and_differ():
    y = np.array([1] * 37 + [0] * 63)
    splits = repeated_splits(y, n_repeats=3, val_size=0.15, eval_size=0.2, seed=0)
    for split in splits:
        rows = np.concatenate([split["fit"], split["val"], split["eval"]])
        assert sorted(rows.tolist()) == list(range(100))
        assert len(split["eval"]) == 20 and abs(y[split["eval"]].sum() - 7.4) <= 1
    assert not np.array_equal(splits[0]["eval"], splits[1]["eval"])


def test_summarise_paired_uses_paired_differences():
    a = pd.DataFrame({"AUC": [0.90, 0.92, 0.95, 0.91]})
    b = pd.DataFrame({"AUC": [0.88, 0.91, 0.92, 0.90]})
    table, differences = summarise_paired({"A": a, "B": b})
    expected = paired_difference(a["AUC"], b["AUC"])
    assert differences["AUC"] == expected
    assert table.loc["AUC", "difference"] == round(expected.estimate, 3)
    assert table.loc["AUC", "A mean"] == round(a["AUC"].mean(), 3)


def test_calibration_bins_match_sklearn_and_count(scored):
    y, p = scored
    bins = calibration_bins(y, p, n_bins=5)
    observed, predicted = calibration_curve(y, p, n_bins=5, strategy="uniform")
    assert np.allclose(bins["observed"], observed, atol=1e-12)
    assert np.allclose(bins["mean p"], predicted, atol=1e-12)
    assert bins["count"].sum() == len(y)


def test_summarise_paired_shows_rate_intervals_inside_0_and_1():
    a = pd.DataFrame({"specificity": [1.0, 1.0, 0.97, 1.0]})  # t interval reaches above 1
    b = pd.DataFrame({"specificity": [0.97, 1.0, 1.0, 0.94]})
    table, differences = summarise_paired({"A": a, "B": b})
    assert table.loc["specificity", "A interval"].endswith(", 1.000]")
    low, high = (float(x) for x in table.loc["specificity", "B interval"].strip("[]").split(","))
    assert 0.0 <= low <= high <= 1.0
    # differences may be negative: their interval is not clipped
    assert differences["specificity"].low < 0
    assert table.loc["specificity", "difference interval"].startswith("[-")
