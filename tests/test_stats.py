"""dlcourse.stats against SciPy and published values."""

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sklearn.metrics import roc_auc_score

from dlcourse.stats import bootstrap_interval, paired_difference, wilson_interval


def test_paired_difference_matches_scipy_ttest_rel():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 1.0, 8), rng.normal(0.0, 1.0, 8)
    ours = paired_difference(a, b, confidence=0.9)
    ci = scipy_stats.ttest_rel(a, b).confidence_interval(confidence_level=0.9)
    assert ours.estimate == pytest.approx(np.mean(a - b), rel=1e-12)
    assert (ours.low, ours.high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert ours.n == 8
    assert ours.sd == pytest.approx(np.std(a - b, ddof=1), rel=1e-12)


def test_verdicts_follow_the_interval():
    lower_loss = paired_difference([0.10, 0.11, 0.12, 0.10], [0.20, 0.21, 0.19, 0.22])
    assert (
        lower_loss.verdict("L2", "none", better="lower")
        == "L2 better than none (interval excludes 0)"
    )
    assert (
        lower_loss.verdict("L2", "none", better="higher")
        == "none better than L2 (interval excludes 0)"
    )
    noisy = paired_difference([0.1, 0.3, 0.2], [0.2, 0.1, 0.25])
    assert noisy.verdict("A", "B").startswith("no clear difference")
    assert "over 3 paired runs" in str(noisy)
    with pytest.raises(ValueError, match="better: expected 'higher' or 'lower', got 'up'"):
        noisy.verdict("A", "B", better="up")


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ([1.0], [2.0], r"expected a and b of the same shape \(n,\) with n >= 2"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], "same shape"),
        ([1.0, np.nan], [1.0, 2.0], "expected finite values, got NaN or inf"),
    ],
)
def test_paired_difference_rejects_bad_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        paired_difference(a, b)


def test_wilson_interval_matches_published_values():
    # Wilson (1927) score interval; e.g. Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662.
    interval = wilson_interval(81, 263)
    assert (interval.low, interval.high) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert wilson_interval(10, 10).high == pytest.approx(1.0, abs=1e-12)
    assert wilson_interval(0, 10).low == 0.0
    assert wilson_interval(0, 10).high > 0.2
    with pytest.raises(ValueError, match="successes: expected an integer <= n = 3, got 4"):
        wilson_interval(4, 3)


@pytest.mark.slow
def test_bootstrap_interval_is_reproducible_and_covers_the_estimate():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.3 + rng.uniform(0, 0.7, 200), 0, 1)
    q = rng.uniform(0, 1, 200)

    def auc_gain(y, p, q):
        return roc_auc_score(y, p) - roc_auc_score(y, q)

    first = bootstrap_interval(auc_gain, y, p, q, n_resamples=300)
    assert first == bootstrap_interval(auc_gain, y, p, q, n_resamples=300)
    assert first.low < first.estimate < first.high
    assert first.low > 0  # p carries the label, q is noise
    wide = bootstrap_interval(auc_gain, y[:40], p[:40], q[:40], n_resamples=300)
    assert wide.high - wide.low > first.high - first.low


@pytest.mark.slow
def test_bootstrap_skips_resamples_where_the_statistic_is_undefined():
    y = np.array([0] * 17 + [1] * 3)
    interval = bootstrap_interval(lambda y, s: roc_auc_score(y, s), y, np.linspace(0, 1, 20))
    assert interval.estimate == 1.0
    assert interval.low == 1.0
    with pytest.raises(ValueError, match="arrays of the same length >= 2"):
        bootstrap_interval(np.mean, [1.0, 2.0], [1.0])
