"""Tests of dlcourse.plots.evaluation: ROC/PR curves, confusion matrix, calibration."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score

from dlcourse import plots


def test_roc_pr_curves_report_auc_and_ap(binary_scores, labelled_lines):
    y, scores = binary_scores
    fig = plots.plot_roc_pr(y, {"logistic": scores, "mlp": scores**2})
    fig.canvas.draw()
    ax_roc, ax_pr = fig.axes
    legend = [t.get_text() for t in ax_roc.get_legend().get_texts()]
    assert legend[0] == f"logistic (AUC {roc_auc_score(y, scores):.3f})"
    assert len(labelled_lines(ax_roc)) == 3 and len(labelled_lines(ax_pr)) == 3
    fig2, axes = plt.subplots(1, 2)
    assert plots.plot_roc_pr(y, scores, ax=axes) is fig2


def test_roc_pr_rejects_bad_labels_and_scores(binary_scores):
    y, scores = binary_scores
    with pytest.raises(ValueError, match="y_true: expected binary labels"):
        plots.plot_roc_pr(y + 1, scores)
    with pytest.raises(ValueError, match="scores\\['model'\\]: expected finite scores"):
        plots.plot_roc_pr(y, scores[:-1])
    with pytest.raises(ValueError, match="ax: expected None or a pair"):
        plots.plot_roc_pr(y, scores, ax=plt.subplots()[1])


def test_confusion_matrix_shows_counts():
    ax = plots.plot_confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ["benign", "malignant"])
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.texts] == ["1\n50%", "1\n50%", "1\n33%", "2\n67%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["benign", "malignant"]
    with pytest.raises(ValueError, match="y_pred: expected labels in 0 ... 1"):
        plots.plot_confusion_matrix([0, 1], [0, 2], ["a", "b"])


def test_confusion_matrix_counts_agree_with_sklearn():
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.integers(0, 3, 100), rng.integers(0, 3, 100)
    ax = plots.plot_confusion_matrix(y_true, y_pred, ["a", "b", "c"])
    counts = [int(t.get_text().split("\n")[0]) for t in ax.texts]
    assert counts == confusion_matrix(y_true, y_pred).ravel().tolist()


def test_calibration_curve(binary_scores, labelled_lines):
    y, probs = binary_scores
    ax = plots.plot_calibration(y, probs, n_bins=5)
    ax.figure.canvas.draw()
    lines = labelled_lines(ax)
    assert "perfectly calibrated" in lines and len(lines) == 2
    assert len(lines[next(k for k in lines if k.startswith("model"))].get_xdata()) <= 5
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        plots.plot_calibration(y, probs * 2)


def test_calibration_points_carry_their_counts_and_the_positive_class(binary_scores):
    from dlcourse.evaluation import calibration_bins

    y, probs = binary_scores
    ax = plots.plot_calibration(y, probs, n_bins=4, positive_name="malignant")
    bins = calibration_bins(y, probs, n_bins=4)
    assert [t.get_text() for t in ax.texts] == [f"n={n}" for n in bins["count"]]
    assert sum(int(t.get_text()[2:]) for t in ax.texts) == len(y)
    assert ax.get_xlabel() == "predicted probability of malignant"
    assert ax.get_ylabel() == "observed share malignant"
