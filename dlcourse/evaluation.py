"""Honest evaluation of a binary classifier: splits, out-of-fold scores, thresholds, intervals.

The practical (notebook 09) decides everything without its test set and then evaluates once. This
module holds the plumbing that protocol needs, so the notebook shows only the steps a student writes:

* :func:`confusion_counts`: TP, FN, TN, FP at a threshold (class 1 positive, ``p >= t`` flags);
* :func:`threshold_for_sensitivity`: the highest threshold that still reaches a sensitivity target;
* :func:`rates_with_intervals`: sensitivity, specificity, PPV, NPV and accuracy as counts, rates and
  Wilson intervals (:func:`dlcourse.stats.wilson_interval`);
* :func:`out_of_fold_proba`: a prediction for every training sample by a model that did not see it;
* :func:`repeated_splits`: repeated stratified fit / validation / evaluation splits, and
  :func:`compare_on_splits`: models trained and scored on each of them;
* :func:`summarise_paired`: two models' metrics over the same splits, each mean with its t interval
  and the paired difference with its interval (:func:`dlcourse.stats.paired_difference`);
* :func:`calibration_bins`: the reliability diagram's points *with* the number of samples per bin.

Labels are 0/1 with 1 the positive class (malignant in notebook 09); ``p`` is the predicted
probability (or any score) of class 1, shape ``(n,)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from dlcourse._validation import as_float_array, fail, require_int, require_real
from dlcourse.stats import Interval, paired_difference, wilson_interval

__all__ = [
    "calibration_bins",
    "compare_on_splits",
    "confusion_counts",
    "out_of_fold_proba",
    "rates_with_intervals",
    "repeated_splits",
    "summarise_paired",
    "threshold_for_sensitivity",
]


def _labels(what: str, y: object) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.size == 0 or not np.isin(labels, (0, 1)).all():
        raise fail(what, "a non-empty array (n,) of 0/1 labels", labels.shape)
    return labels.astype(np.int64)


def _scores(what: str, p: object, n: int) -> np.ndarray:
    scores = as_float_array(what, p)
    if scores.shape != (n,) or not np.isfinite(scores).all():
        raise fail(what, f"finite scores of shape ({n},)", scores.shape)
    return scores


def confusion_counts(y_true: object, p: object, threshold: float) -> dict[str, int]:
    """The four cells of the confusion matrix when ``p >= threshold`` is called positive.

    Args:
        y_true: labels ``(n,)`` in {0, 1}, 1 positive.
        p: scores ``(n,)``.
        threshold: the decision threshold ``t``.

    Returns:
        ``{"TP": ..., "FN": ..., "TN": ..., "FP": ...}`` as Python ints.
    """
    y = _labels("confusion_counts: y_true", y_true)
    flagged = _scores("confusion_counts: p", p, len(y)) >= float(threshold)
    positive = y == 1
    return {
        "TP": int(np.sum(positive & flagged)),
        "FN": int(np.sum(positive & ~flagged)),
        "TN": int(np.sum(~positive & ~flagged)),
        "FP": int(np.sum(~positive & flagged)),
    }


def threshold_for_sensitivity(y_true: object, p: object, target: float) -> float:
    """The highest threshold ``t`` whose sensitivity ``TP / (TP + FN)`` is at least ``target``.

    Flagging ``p >= t`` reaches the target when at least ``k = ceil(target * n_pos)`` positives
    are flagged, i.e. when ``t`` is at most the k-th largest positive score. Every lower ``t``
    reaches it too but flags more negatives, so the highest one, the k-th largest positive score,
    keeps the most specificity: ties between thresholds are broken at the specific end.

    Args:
        y_true: labels ``(n,)`` in {0, 1} with at least one positive.
        p: scores ``(n,)``.
        target: the sensitivity to reach, in (0, 1].

    Returns:
        The threshold, one of the positive samples' scores.
    """
    y = _labels("threshold_for_sensitivity: y_true", y_true)
    scores = _scores("threshold_for_sensitivity: p", p, len(y))
    target = require_real("threshold_for_sensitivity: target", target, 0.0, 1.0, "(0, 1]")
    if target <= 0:
        raise fail("threshold_for_sensitivity: target", "a sensitivity in (0, 1]", target)
    positives = np.sort(scores[y == 1])[::-1]
    if positives.size == 0:
        raise fail("threshold_for_sensitivity: y_true", "at least one positive label", "none")
    # 1e-12 absorbs 0.95 * 20 = 19.000000000000004 (one more positive than needed otherwise)
    k = math.ceil(target * positives.size - 1e-12)
    return float(positives[k - 1])


_RATES = {  # name: (numerator cells, denominator cells)
    "sensitivity": (("TP",), ("TP", "FN")),
    "specificity": (("TN",), ("TN", "FP")),
    "PPV": (("TP",), ("TP", "FP")),
    "NPV": (("TN",), ("TN", "FN")),
    "accuracy": (("TP", "TN"), ("TP", "FN", "TN", "FP")),
}


def rates_with_intervals(
    y_true: object, p: object, threshold: float, confidence: float = 0.95
) -> pd.DataFrame:
    """Counts, rates and Wilson intervals of the usual rates at one threshold.

    sensitivity = TP / (TP + FN), specificity = TN / (TN + FP), PPV (precision) = TP / (TP + FP),
    NPV = TN / (TN + FN), accuracy = (TP + TN) / n. A rate with an empty denominator (no flagged
    sample for PPV, say) gets NaN.

    Returns:
        One row per rate; columns ``count`` (e.g. ``"31 / 32"``), ``rate``, ``low``, ``high``.
    """
    cells = confusion_counts(y_true, p, threshold)
    rows = {}
    for name, (top, bottom) in _RATES.items():
        k, n = sum(cells[c] for c in top), sum(cells[c] for c in bottom)
        if n == 0:
            rows[name] = {"count": "0 / 0", "rate": np.nan, "low": np.nan, "high": np.nan}
            continue
        interval = wilson_interval(k, n, confidence)
        rows[name] = {
            "count": f"{k} / {n}",
            "rate": interval.estimate,
            "low": interval.low,
            "high": interval.high,
        }
    return pd.DataFrame(rows).T.astype({"rate": float, "low": float, "high": float})


def out_of_fold_proba(
    fit_predict: Callable[[np.ndarray, np.ndarray, np.ndarray], object],
    X: object,
    y: object,
    n_folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """A score for every sample from a model trained without it (stratified k-fold).

    For each of ``n_folds`` stratified folds, ``fit_predict(X_fit, y_fit, X_held_out)`` trains on
    the other folds and returns scores ``(n_held_out,)`` for the held-out fold. Every sample is
    held out exactly once, so the result is as honest as a validation set as large as ``X``.

    Args:
        fit_predict: trains a fresh model and returns its scores of the held-out rows.
        X: features ``(n, d)``.
        y: labels ``(n,)`` in {0, 1}.
        n_folds: number of folds (>= 2).
        seed: seed of the fold assignment.

    Returns:
        Out-of-fold scores ``(n,)``.
    """
    from sklearn.model_selection import StratifiedKFold

    labels = _labels("out_of_fold_proba: y", y)
    features = np.asarray(X)
    if len(features) != len(labels):
        raise fail("out_of_fold_proba: X", f"{len(labels)} rows (one per label)", len(features))
    folds = StratifiedKFold(require_int("n_folds", n_folds, 2), shuffle=True, random_state=seed)
    scores = np.full(len(labels), np.nan)
    for fit_rows, held_out in folds.split(features, labels):
        predicted = np.asarray(
            fit_predict(features[fit_rows], labels[fit_rows], features[held_out]), dtype=float
        )
        if predicted.shape != (len(held_out),):
            raise fail("fit_predict", f"scores of shape ({len(held_out)},)", predicted.shape)
        scores[held_out] = predicted
    return scores


def repeated_splits(
    y: object, n_repeats: int = 10, val_size: float = 0.15, eval_size: float = 0.2, seed: int = 0
) -> list[dict[str, np.ndarray]]:
    """``n_repeats`` stratified splits of the rows into fit / validation / evaluation parts.

    Split ``r`` uses ``random_state = seed + r``: first ``eval_size`` of the rows is held out, then
    ``val_size`` (a fraction of all rows) of the rest, both stratified by label.

    Returns:
        One ``{"fit": rows, "val": rows, "eval": rows}`` per repeat (row indices into ``y``).
    """
    from sklearn.model_selection import train_test_split

    labels = _labels("repeated_splits: y", y)
    n_repeats = require_int("n_repeats", n_repeats, 2)
    val_size = require_real("val_size", val_size, 0.0, 1.0, "(0, 1)")
    eval_size = require_real("eval_size", eval_size, 0.0, 1.0, "(0, 1)")
    if val_size + eval_size >= 1:
        raise fail("val_size + eval_size", "a total below 1", val_size + eval_size)
    rows = np.arange(len(labels))
    splits = []
    for r in range(n_repeats):
        rest, held = train_test_split(
            rows, test_size=eval_size, stratify=labels, random_state=seed + r
        )
        fit_rows, val_rows = train_test_split(
            rest,
            test_size=val_size / (1 - eval_size),
            stratify=labels[rest],
            random_state=seed + r,
        )
        splits.append({"fit": fit_rows, "val": val_rows, "eval": held})
    return splits


def _mean_interval(values: np.ndarray, confidence: float) -> Interval:
    # the mean of one sample with its t interval is the paired difference with zero
    return paired_difference(values, np.zeros_like(values), confidence)


def summarise_paired(
    results: Mapping[str, pd.DataFrame], confidence: float = 0.95
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Two models' metrics over the same splits: means with t intervals and paired differences.

    Args:
        results: exactly two entries ``{name: DataFrame}``, one row per split (the same splits in
            the same order) and one column per metric.
        confidence: coverage of every interval.

    Returns:
        A table, one row per metric, with ``"<name> mean"``, ``"<name> interval"`` per model and
        ``"difference"``, ``"difference interval"`` (first model minus second); and the
        :class:`dlcourse.stats.PairedDifference` of each metric, for verdicts and asserts. The
        metrics are rates in [0, 1], so a model's interval is shown clipped to [0, 1] (a t interval
        near 1 would otherwise print impossible values such as 1.002).
    """
    if len(results) != 2:
        raise fail("summarise_paired: results", "two models", len(results))
    (name_a, a), (name_b, b) = results.items()
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        raise fail(
            "summarise_paired", "two tables of the same shape and columns", (a.shape, b.shape)
        )

    def shown(interval: Interval, bounds: tuple[float, float] = (-np.inf, np.inf)) -> str:
        low, high = np.clip([interval.low, interval.high], *bounds)
        return f"[{low:.3f}, {high:.3f}]"

    rows, differences = {}, {}
    for metric in a.columns:
        row = {}
        for name, table in ((name_a, a), (name_b, b)):
            interval = _mean_interval(table[metric].to_numpy(dtype=float), confidence)
            row[f"{name} mean"] = round(interval.estimate, 3)
            row[f"{name} interval"] = shown(interval, (0.0, 1.0))
        difference = paired_difference(
            a[metric].to_numpy(dtype=float), b[metric].to_numpy(dtype=float), confidence
        )
        row["difference"] = round(difference.estimate, 3)
        row["difference interval"] = shown(difference)
        rows[metric], differences[metric] = row, difference
    return pd.DataFrame(rows).T, differences


def calibration_bins(y_true: object, p: object, n_bins: int = 5) -> pd.DataFrame:
    """Reliability-diagram points with their sample counts (equal-width bins of ``p`` in [0, 1]).

    Returns:
        One row per non-empty bin: ``low``, ``high`` (its edges), ``count``, ``mean p`` (the mean
        predicted probability) and ``observed`` (the fraction of positives among its samples).
        A calibrated model has ``observed ~ mean p``; with few samples in a bin the observed
        fraction is noisy, which is why the counts belong on the figure.
    """
    y = _labels("calibration_bins: y_true", y_true)
    probs = _scores("calibration_bins: p", p, len(y))
    if probs.min() < 0 or probs.max() > 1:
        raise fail("calibration_bins: p", "probabilities in [0, 1]", (probs.min(), probs.max()))
    n_bins = require_int("n_bins", n_bins, 2)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, n_bins - 1)  # p = 1 in the last bin
    rows = []
    for b in range(n_bins):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "low": edges[b],
                    "high": edges[b + 1],
                    "count": int(inside.sum()),
                    "mean p": float(probs[inside].mean()),
                    "observed": float(y[inside].mean()),
                }
            )
    return pd.DataFrame(rows)


def compare_on_splits(
    models: Mapping[str, Callable[..., tuple[object, object]]],
    X: object,
    y: object,
    splits: list[dict[str, np.ndarray]],
    target_sensitivity: float,
) -> dict[str, pd.DataFrame]:
    """Each model on each split, scored on the split's evaluation part; for :func:`summarise_paired`.

    Per split a ``StandardScaler`` is fitted on the ``"fit"`` rows and applied to all parts; then
    ``models[name](X_fit, y_fit, X_val, y_val, X_eval)`` trains a fresh model and returns its
    scores ``(p_val, p_eval)``. The threshold is chosen on the validation part with
    :func:`threshold_for_sensitivity`; the evaluation part gives the ROC-AUC, the accuracy at 0.5
    and the sensitivity and specificity at that threshold.

    Args:
        models: ``name -> fit_predict``, e.g. ``{"MLP": ..., "logistic regression": ...}``.
        X: raw features ``(n, d)``.
        y: labels ``(n,)`` in {0, 1}.
        splits: from :func:`repeated_splits`.
        target_sensitivity: the sensitivity the threshold must reach on validation.

    Returns:
        ``name -> DataFrame``, one row per split, columns ``AUC``, ``accuracy``,
        ``sensitivity at t``, ``specificity at t``.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    features, labels = np.asarray(X, dtype=np.float64), _labels("compare_on_splits: y", y)
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in models}
    for split in splits:
        scaler = StandardScaler().fit(features[split["fit"]])
        Xs = {part: scaler.transform(features[r]) for part, r in split.items()}
        ys = {part: labels[r] for part, r in split.items()}
        for name, fit_predict in models.items():
            p_val, p_eval = fit_predict(Xs["fit"], ys["fit"], Xs["val"], ys["val"], Xs["eval"])
            t = threshold_for_sensitivity(ys["val"], p_val, target_sensitivity)
            p_eval = _scores(f"{name}: p_eval", p_eval, len(ys["eval"]))
            flagged, malignant = p_eval >= t, ys["eval"] == 1
            rows[name].append(
                {
                    "AUC": roc_auc_score(ys["eval"], p_eval),
                    "accuracy": float(np.mean((p_eval >= 0.5) == malignant)),
                    "sensitivity at t": float(flagged[malignant].mean()),
                    "specificity at t": float((~flagged[~malignant]).mean()),
                }
            )
    return {name: pd.DataFrame(table) for name, table in rows.items()}
