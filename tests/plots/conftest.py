"""Fixtures shared by the tests of dlcourse.plots: headless figures, closed after each test."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes


@pytest.fixture(autouse=True)
def _headless_and_closed(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("dlcourse.plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    with mpl.rc_context():
        yield
    plt.close("all")


@pytest.fixture
def labelled_lines():
    """``labelled_lines(ax)``: the Axes' lines that carry a legend label, by label."""

    def lines(ax: Axes) -> dict:
        return {
            line.get_label(): line
            for line in ax.get_lines()
            if not line.get_label().startswith("_")
        }

    return lines


@pytest.fixture
def xor_points():
    """80 points (80, 2) and their XOR labels (80,): the class is the sign of x1 * x2."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


@pytest.fixture
def binary_scores():
    """200 labels in {0, 1} and scores in [0, 1] that are higher for class 1."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    return y, np.clip(0.4 * y + 0.6 * rng.random(200), 0, 1)
