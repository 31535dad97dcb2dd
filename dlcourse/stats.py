"""Comparisons with their uncertainty: paired differences, bootstrap and Wilson intervals.

Every "A beats B" in the course is decided here, never by eye: a paired difference over seeds or
splits with its t interval (:func:`paired_difference`), a percentile bootstrap interval of any
statistic of paired samples (:func:`bootstrap_interval`), or a Wilson score interval for a
proportion such as a sensitivity (:func:`wilson_interval`). When an interval covers 0 the verdict is
"no clear difference".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlcourse._validation import as_float_array, fail, require_int, require_real

__all__ = [
    "Interval",
    "PairedDifference",
    "bootstrap_interval",
    "paired_difference",
    "wilson_interval",
]


def _require_confidence(confidence: object) -> float:
    return require_real("confidence", confidence, 0.0, 1.0, "(0, 1)")


@dataclass(frozen=True)
class Interval:
    """An estimate with a two-sided interval at ``confidence`` (e.g. 0.95)."""

    estimate: float
    low: float
    high: float
    confidence: float

    def covers(self, value: float) -> bool:
        """True when ``value`` lies inside ``[low, high]``."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        level = round(100 * self.confidence)
        return f"{self.estimate:.3f} [{level}% CI {self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class PairedDifference(Interval):
    """Mean of ``a - b`` over paired runs, with its t interval.

    Attributes:
        n: number of pairs (seeds or splits).
        sd: sample standard deviation of the differences (ddof=1).
    """

    n: int = 0
    sd: float = 0.0

    def verdict(self, name_a: str, name_b: str, better: str = "higher") -> str:
        """One sentence a notebook can print: who is better, or "no clear difference".

        Args:
            name_a: what ``a`` measured (e.g. ``"MLP"``).
            name_b: what ``b`` measured.
            better: ``"higher"`` when larger values are better (AUC), ``"lower"`` for losses.
        """
        if better not in ("higher", "lower"):
            raise fail("verdict: better", "'higher' or 'lower'", repr(better))
        if self.covers(0.0):
            return f"no clear difference between {name_a} and {name_b} (interval covers 0)"
        a_larger = self.low > 0
        a_wins = a_larger == (better == "higher")
        winner, loser = (name_a, name_b) if a_wins else (name_b, name_a)
        return f"{winner} better than {loser} (interval excludes 0)"

    def __str__(self) -> str:
        return f"mean difference {Interval.__str__(self)} over {self.n} paired runs"


def paired_difference(a: object, b: object, confidence: float = 0.95) -> PairedDifference:
    """Mean of the paired differences ``a - b`` with a Student-t interval.

    Args:
        a: values of method A, shape ``(n,)``: one per seed or split.
        b: values of method B on the same seeds or splits, shape ``(n,)``.
        confidence: coverage of the two-sided interval.

    Returns:
        The mean difference d̄, and d̄ ± t_{n-1, (1+confidence)/2} · s_d / √n.
    """
    from scipy import stats

    confidence = _require_confidence(confidence)
    a = as_float_array("paired_difference: a", a)
    b = as_float_array("paired_difference: b", b)
    if a.ndim != 1 or a.shape != b.shape or a.size < 2:
        raise fail(
            "paired_difference", "a and b of the same shape (n,) with n >= 2", (a.shape, b.shape)
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise fail("paired_difference", "finite values", "NaN or inf")
    d = a - b
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    half = float(stats.t.ppf((1 + confidence) / 2, df=d.size - 1)) * sd / np.sqrt(d.size)
    return PairedDifference(mean, mean - half, mean + half, confidence, n=int(d.size), sd=sd)


def bootstrap_interval(
    statistic: Callable[..., float],
    *arrays: object,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of ``statistic(*arrays)``, resampling rows together.

    Args:
        statistic: a function of the arrays, e.g. ``lambda y, p, q: auc(y, p) - auc(y, q)``.
        arrays: samples with the same first dimension ``n``; row i of each is kept together.
        n_resamples: number of bootstrap resamples (>= 100).
        confidence: coverage of the two-sided interval.
        seed: seed of the resampling (fixed, so the interval is reproducible).

    Returns:
        The statistic on the data and the percentile interval of its resampled values. Resamples
        on which ``statistic`` raises ValueError or is not finite (e.g. one class only) are skipped.
    """
    confidence = _require_confidence(confidence)
    n_resamples = require_int("n_resamples", n_resamples, 100)
    if not arrays:
        raise fail("bootstrap_interval", "at least one array", "none")
    arrays = tuple(np.asarray(x) for x in arrays)
    n = len(arrays[0])
    if n < 2 or any(len(x) != n for x in arrays):
        raise fail("bootstrap_interval", "arrays of the same length >= 2", [len(x) for x in arrays])
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_resamples):
        rows = rng.integers(0, n, size=n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. scikit-learn's "only one class" on a resample
            try:
                value = float(statistic(*(x[rows] for x in arrays)))
            except ValueError:
                continue
        if np.isfinite(value):
            values.append(value)
    if len(values) < n_resamples // 2:
        raise fail("bootstrap_interval", "a statistic defined on most resamples", f"{len(values)}")
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return Interval(float(statistic(*arrays)), float(low), float(high), confidence)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval of a proportion ``successes / n`` (e.g. a sensitivity).

    It stays inside [0, 1] and behaves well at 0 % and 100 %, where the textbook p ± z·√(p(1−p)/n)
    collapses to a point.
    """
    from scipy import stats

    confidence = _require_confidence(confidence)
    n = require_int("wilson_interval: n", n, 1)
    successes = require_int("wilson_interval: successes", successes, 0)
    if successes > n:
        raise fail("wilson_interval: successes", f"an integer <= n = {n}", successes)
    z = float(stats.norm.ppf((1 + confidence) / 2))
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return Interval(p, float(max(0.0, centre - half)), float(min(1.0, centre + half)), confidence)
