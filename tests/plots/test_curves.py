"""Tests of dlcourse.plots.curves: activations, training curves, gradient norms."""

import numpy as np
import pytest

from dlcourse import plots
from dlcourse.scratch import activations
from dlcourse.training import History


def test_activations_show_values_and_derivatives_from_scratch(labelled_lines):
    fig = plots.plot_activations(["sigmoid", "relu"], z=np.linspace(-4, 4, 81))
    fig.canvas.draw()
    ax_f, ax_grad = fig.axes
    assert set(labelled_lines(ax_f)) == {"sigmoid", "relu"}
    sigmoid_grad = ax_grad.get_lines()[0].get_ydata()
    np.testing.assert_allclose(sigmoid_grad, activations.sigmoid_grad(np.linspace(-4, 4, 81)))
    assert sigmoid_grad.max() == pytest.approx(0.25)


def test_activations_default_and_unknown_names():
    fig = plots.plot_activations()
    assert len(fig.axes[0].get_lines()) == 4
    with pytest.raises(ValueError, match="names: expected .*unknown \\['swish'\\]"):
        plots.plot_activations(["sigmoid", "swish"])


def test_training_curves_mark_the_best_epoch(labelled_lines):
    history = History(
        train_loss=[1.0, 0.6, 0.4, 0.3, 0.25], val_loss=[1.1, 0.7, 0.5, 0.55, 0.6], best_epoch=2
    )
    ax = plots.plot_training_curves(history)
    ax.figure.canvas.draw()
    lines = labelled_lines(ax)
    assert set(lines) == {"training loss", "validation loss", "best epoch (3)"}
    np.testing.assert_array_equal(lines["training loss"].get_xdata(), [1, 2, 3, 4, 5])
    assert list(lines["best epoch (3)"].get_xdata()) == [3, 3]
    ax = plots.plot_training_curves({"train_loss": [1.0, 0.5]})
    assert set(labelled_lines(ax)) == {"training loss"}


def test_training_curves_reject_bad_histories():
    with pytest.raises(ValueError, match="history: expected"):
        plots.plot_training_curves({"val_loss": [1.0]})
    with pytest.raises(ValueError, match="val_loss: expected 2 values"):
        plots.plot_training_curves({"train_loss": [1.0, 0.5], "val_loss": [1.0]})
    with pytest.raises(ValueError, match="best_epoch: expected an index"):
        plots.plot_training_curves({"train_loss": [1.0, 0.5], "best_epoch": 2})


def test_training_curves_put_epochs_on_whole_numbers():
    ax = plots.plot_training_curves({"train_loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]})
    ax.figure.canvas.draw()
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks)


def test_gradient_norms_on_a_log_scale(labelled_lines):
    norms = {"sigmoid": [1e-6, 1e-4, 1e-2], "relu": np.array([0.3, 0.0, 0.2, 0.25])}
    ax = plots.plot_gradient_norms(norms)
    ax.figure.canvas.draw()
    assert ax.get_yscale() == "log"
    lines = labelled_lines(ax)
    assert set(lines) == {"sigmoid", "relu"}
    assert np.isnan(lines["relu"].get_ydata()[1])  # a dead layer is a gap, not a crash
    with pytest.raises(ValueError, match="norms\\['bad'\\]: expected"):
        plots.plot_gradient_norms({"bad": [-1.0, 1.0]})
    with pytest.raises(ValueError, match="norms: expected"):
        plots.plot_gradient_norms({})
