"""Figures that evaluate a binary or k-class classifier: ROC/PR curves, confusion matrix, calibration.

scikit-learn's metrics are imported inside the functions that use them, so ``import
dlcourse.plots`` stays cheap (scikit-learn costs about a second to import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcourse._validation import fail, require_int

from .style import _axes, _axes_pair, _color, _numpy


def _binary_scores(y_true: object, scores: object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels 0/1 with both classes, and ``{name: scores}`` (one unnamed array -> "model")."""
    y_true = _numpy(y_true)
    if y_true.ndim != 1 or not np.isin(y_true, (0, 1)).all() or len(np.unique(y_true)) != 2:
        raise fail("y_true", "binary labels 0/1 with both classes present", y_true[:10])
    named = dict(scores) if isinstance(scores, Mapping) else {"model": scores}
    checked = {}
    for name, values in named.items():
        values = _numpy(values).astype(float)
        if values.shape != y_true.shape or not np.all(np.isfinite(values)):
            raise fail(f"scores[{name!r}]", f"finite scores of shape {y_true.shape}", values.shape)
        checked[name] = values
    return y_true.astype(int), checked


def plot_roc_pr(
    y_true: np.ndarray,
    scores: np.ndarray | Mapping[str, np.ndarray],
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """ROC curve (left) and precision-recall curve (right) of one or several binary classifiers.

    Args:
        y_true: labels ``(n,)`` in {0, 1}; 1 is the positive class (e.g. malignant).
        scores: scores or probabilities of class 1, ``(n,)``; or ``{name: scores}`` to compare
            models (e.g. logistic regression vs MLP).
        ax: a pair of Axes, or None for a new figure.

    Returns:
        The Figure. Legends give the ROC AUC and the average precision (AP); the dashed lines
        are chance: the diagonal (ROC) and the prevalence of class 1 (PR).
    """
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    y_true, named = _binary_scores(y_true, scores)
    fig, (ax_roc, ax_pr) = _axes_pair(ax)
    for i, (name, values) in enumerate(named.items()):
        color = _color(i)
        fpr, tpr, _ = roc_curve(y_true, values)
        precision, recall, _ = precision_recall_curve(y_true, values)
        ax_roc.plot(
            fpr, tpr, color=color, label=f"{name} (AUC {roc_auc_score(y_true, values):.3f})"
        )
        ax_pr.step(
            recall,
            precision,
            where="post",
            color=color,
            label=f"{name} (AP {average_precision_score(y_true, values):.3f})",
        )
    ax_roc.plot([0, 1], [0, 1], "--", color="0.5", linewidth=1, label="chance")
    ax_pr.axhline(y_true.mean(), linestyle="--", color="0.5", linewidth=1, label="chance")
    ax_roc.set(
        xlabel="false positive rate (1 − specificity)",
        ylabel="true positive rate (sensitivity)",
        title="ROC",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax_pr.set(
        xlabel="recall (sensitivity)",
        ylabel="precision",
        title="precision–recall",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax_roc.legend(loc="lower right")
    ax_pr.legend(loc="lower left")
    return fig


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str],
    ax: Axes | None = None,
) -> Axes:
    """Confusion matrix: rows are true classes, columns predicted classes.

    Each cell shows the count and, below it, the share of its row (for the positive class's row
    of a binary problem, the right cell is the sensitivity).

    Args:
        y_true: true labels ``(n,)`` in ``0 ... len(class_names) - 1``.
        y_pred: predicted labels ``(n,)``, same range.
        class_names: ``class_names[k]`` names label k.
        ax: where to draw; a new figure when None.

    Returns:
        The Axes.
    """
    y_true, y_pred = _numpy(y_true), _numpy(y_pred)
    if y_true.ndim != 1 or y_pred.shape != y_true.shape or len(y_true) == 0:
        raise fail("y_pred", f"labels of the same shape as y_true {y_true.shape}", y_pred.shape)
    if isinstance(class_names, str) or len(class_names) < 2:
        raise fail("class_names", "at least two names", repr(class_names))
    k = len(class_names)
    for what, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.isin(labels, np.arange(k)).all():
            raise fail(
                what, f"labels in 0 ... {k - 1} (one per class name)", f"values {np.unique(labels)}"
            )
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true.astype(int), y_pred.astype(int)), 1)  # counts[true, predicted]
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax, figsize=(5.5, 4.5))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                f"{counts[i, j]}\n{shares[i, j]:.0%}",
                ha="center",
                va="center",
                color="white" if shares[i, j] > 0.5 else "black",
            )
    ax.set(
        xticks=range(k),
        yticks=range(k),
        xticklabels=class_names,
        yticklabels=class_names,
        xlabel="predicted",
        ylabel="true",
    )
    ax.grid(False)
    return ax


def plot_calibration(
    y_true: np.ndarray,
    probs: np.ndarray | Mapping[str, np.ndarray],
    n_bins: int = 5,
    ax: Axes | None = None,
    positive_name: str = "class 1",
) -> Axes:
    """Reliability diagram: the observed share of positives against the predicted probability.

    Predictions are grouped into ``n_bins`` equal-width bins of ``p``
    (:func:`dlcourse.evaluation.calibration_bins`); a calibrated model lies on the diagonal (of
    the cases given p ~ 0.8, about 80% are positive). Each point is labelled with the number of
    samples behind it, because a bin of a few samples says almost nothing.

    Args:
        y_true: labels ``(n,)`` in {0, 1}.
        probs: probabilities of class 1 ``(n,)``, or ``{name: probs}`` to compare models.
        n_bins: number of bins (>= 2).
        ax: where to draw; a new figure when None.
        positive_name: what class 1 is (axis labels), e.g. ``"malignant"``.

    Returns:
        The Axes.
    """
    from dlcourse.evaluation import calibration_bins  # pandas, loaded only when drawing this

    y_true, named = _binary_scores(y_true, probs)
    n_bins = require_int("n_bins", n_bins, 2)
    if not isinstance(positive_name, str):
        raise fail("positive_name", "a string", repr(positive_name))
    ax = _axes(ax, figsize=(6, 4.6))
    ax.plot([0, 1], [0, 1], "--", color="0.5", linewidth=1, label="perfectly calibrated")
    for i, (name, p) in enumerate(named.items()):
        if p.min() < 0 or p.max() > 1:
            raise fail(
                f"probs[{name!r}]",
                "probabilities in [0, 1]",
                f"values in [{p.min():.3g}, {p.max():.3g}]",
            )
        bins = calibration_bins(y_true, p, n_bins=n_bins)
        ax.plot(bins["mean p"], bins["observed"], "o-", color=_color(i), label=name)
        for x, observed, count in zip(bins["mean p"], bins["observed"], bins["count"], strict=True):
            ax.annotate(
                f"n={count}",
                (x, observed),
                fontsize=9,
                xytext=(6, -12 + 16 * i),  # one row per model, so that labels do not overlap
                textcoords="offset points",
            )
    ax.set(
        xlabel=f"predicted probability of {positive_name}",
        ylabel=f"observed share {positive_name}",
        xlim=(-0.02, 1.02),
        ylim=(-0.08, 1.08),  # room for the count labels of points at 0 and 1
    )
    ax.legend(loc="upper left")
    return ax
