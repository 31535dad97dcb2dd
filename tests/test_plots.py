"""Tests of dlcourse.plots: every figure renders headless and draws what it promises."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from sklearn.metrics import roc_auc_score
from torch import nn

from dlcourse import plots
from dlcourse.scratch import activations, landscapes
from dlcourse.training import History


@pytest.fixture(autouse=True)
def _headless_and_closed(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("dlcourse.plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    with mpl.rc_context():
        yield
    plt.close("all")


def _render(figure: Figure) -> None:
    figure.canvas.draw()


def _labelled_lines(ax: Axes) -> dict:
    return {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }


def test_set_style_uses_the_colour_blind_safe_palette():
    plots.set_style()
    cycle = [to_hex(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle == [c.lower() for c in plots.PALETTE]
    assert len(set(plots.PALETTE)) == 8 and plots.PALETTE[0] == "#0072B2"
    assert tuple(mpl.rcParams["figure.figsize"]) == plots.FIGSIZE
    assert mpl.rcParams["font.size"] >= 12


def test_activations_show_values_and_derivatives_from_scratch():
    fig = plots.plot_activations(["sigmoid", "relu"], z=np.linspace(-4, 4, 81))
    _render(fig)
    ax_f, ax_grad = fig.axes
    assert set(_labelled_lines(ax_f)) == {"sigmoid", "relu"}
    sigmoid_grad = ax_grad.get_lines()[0].get_ydata()
    np.testing.assert_allclose(sigmoid_grad, activations.sigmoid_grad(np.linspace(-4, 4, 81)))
    assert sigmoid_grad.max() == pytest.approx(0.25)


def test_activations_default_and_unknown_names():
    fig = plots.plot_activations()
    assert len(fig.axes[0].get_lines()) == 4
    with pytest.raises(ValueError, match="names: expected .*unknown \\['swish'\\]"):
        plots.plot_activations(["sigmoid", "swish"])


def test_loss_surface_draws_levels_and_trajectories():
    quadratic = landscapes.ILL_CONDITIONED_QUADRATIC
    paths = {"gd": np.array([[-4.0, 1.0], [-3.0, -0.5], [-2.0, 0.3]]), "adam": np.zeros((4, 2))}
    ax = plots.plot_loss_surface(
        quadratic.f, ((-5, 5), (-2, 2)), trajectories=paths, levels=15, resolution=50
    )
    _render(ax.figure)
    contour = ax.collections[0]
    assert len(contour.levels) == 15
    steps = np.diff(contour.levels)
    growth = steps[1:] / steps[:-1]
    np.testing.assert_allclose(growth, growth[0], rtol=1e-6)  # geometric above the minimum
    assert growth[0] > 1
    lines = _labelled_lines(ax)
    assert set(lines) == {"gd", "adam"}
    np.testing.assert_array_equal(np.column_stack(lines["gd"].get_data()), paths["gd"])
    assert ax.get_xlim() == (-5, 5) and ax.get_ylim() == (-2, 2)


def test_loss_surface_linear_levels_and_a_landscape_object():
    ax = plots.plot_loss_surface(
        landscapes.ROSENBROCK, levels=[1, 10, 100], log_levels=False, resolution=30
    )
    assert list(ax.collections[0].levels) == [1, 10, 100]
    assert "minimum" in _labelled_lines(ax)
    assert ax.get_xlim() == landscapes.ROSENBROCK.bounds[0]


def test_loss_surface_survives_a_diverging_trajectory():
    path = np.array([[0.0, 0.0], [10.0, -10.0], [np.inf, np.nan]])
    ax = plots.plot_loss_surface(
        landscapes.SADDLE.f, ((-2, 2), (-2, 2)), {"lr too large": path}, resolution=20
    )
    _render(ax.figure)
    assert ax.get_xlim() == (-2, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bounds": (0, 1)}, "bounds: expected"),
        ({"bounds": ((1, 0), (0, 1))}, "x_min < x_max"),
        ({"trajectories": {"sgd": np.zeros((5, 3))}}, "trajectories\\['sgd'\\]: expected"),
        ({"levels": 1}, "levels: expected"),
    ],
)
def test_loss_surface_rejects_bad_input(kwargs, message):
    kwargs = {"bounds": ((-1, 1), (-1, 1)), **kwargs}
    with pytest.raises(ValueError, match=message):
        plots.plot_loss_surface(landscapes.SADDLE.f, resolution=20, **kwargs)


def test_loss_surface_rejects_a_function_of_the_wrong_shape():
    with pytest.raises(ValueError, match="landscape_fn\\(xy\\): expected values of shape"):
        plots.plot_loss_surface(lambda xy: xy.sum(), ((-1, 1), (-1, 1)), resolution=20)


@pytest.fixture
def xor_points():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def test_decision_boundary_of_probabilities_draws_the_half_line(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(lambda Z: 1 / (1 + np.exp(-Z[:, 0])), X, y, resolution=40)
    _render(ax.figure)
    boundary = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]]
    assert len(boundary) == 1
    scatter = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatter] == ["class 0", "class 1"]
    assert sum(len(c.get_offsets()) for c in scatter) == len(X)
    assert len(ax.figure.axes) == 2  # the colour bar


def test_decision_boundary_of_labels_and_class_probabilities(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(lambda Z: (Z[:, 0] > 0).astype(int), X, y, resolution=30)
    assert len(ax.collections[0].levels) == 3  # filled regions between -0.5, 0.5, 1.5
    probs = lambda Z: np.column_stack([Z[:, 0] > 0, Z[:, 0] <= 0]).astype(float)  # noqa: E731
    ax = plots.plot_decision_boundary(probs, X, y, resolution=30)
    assert len(ax.figure.axes) == 1  # no colour bar for labels


def test_decision_boundary_of_a_torch_model_uses_eval_mode_and_no_grad(xor_points):
    X, y = xor_points
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1))
    modes = []
    model.register_forward_hook(lambda m, i, o: modes.append((m.training, o.requires_grad)))
    before = [p.detach().clone() for p in model.parameters()]
    ax = plots.plot_decision_boundary(model, X, y, resolution=30)
    assert modes == [(False, False)]
    assert model.training  # the previous mode is restored
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert any(list(getattr(c, "levels", [])) == [0.5] for c in ax.collections)
    three_classes = nn.Linear(2, 3)
    plots.plot_decision_boundary(three_classes, X, np.arange(80) % 3, resolution=20)


def test_decision_boundary_rejects_bad_input(xor_points):
    X, y = xor_points
    with pytest.raises(ValueError, match="X: expected points of shape \\(n, 2\\)"):
        plots.plot_decision_boundary(lambda Z: Z[:, 0] > 0, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="y: expected labels of shape \\(80,\\)"):
        plots.plot_decision_boundary(lambda Z: Z[:, 0] > 0, X, y[:-1])
    with pytest.raises(ValueError, match="predict\\(X\\): expected an output of shape"):
        plots.plot_decision_boundary(lambda Z: Z[:10, 0], X, y, resolution=20)
    with pytest.raises(ValueError, match="predict: expected a function"):
        plots.plot_decision_boundary("model", X, y, resolution=20)


def test_training_curves_mark_the_best_epoch():
    history = History(
        train_loss=[1.0, 0.6, 0.4, 0.3, 0.25], val_loss=[1.1, 0.7, 0.5, 0.55, 0.6], best_epoch=2
    )
    ax = plots.plot_training_curves(history)
    _render(ax.figure)
    lines = _labelled_lines(ax)
    assert set(lines) == {"training loss", "validation loss", "best epoch (3)"}
    np.testing.assert_array_equal(lines["training loss"].get_xdata(), [1, 2, 3, 4, 5])
    assert list(lines["best epoch (3)"].get_xdata()) == [3, 3]
    ax = plots.plot_training_curves({"train_loss": [1.0, 0.5]})
    assert set(_labelled_lines(ax)) == {"training loss"}


def test_training_curves_reject_bad_histories():
    with pytest.raises(ValueError, match="history: expected"):
        plots.plot_training_curves({"val_loss": [1.0]})
    with pytest.raises(ValueError, match="val_loss: expected 2 values"):
        plots.plot_training_curves({"train_loss": [1.0, 0.5], "val_loss": [1.0]})
    with pytest.raises(ValueError, match="best_epoch: expected an index"):
        plots.plot_training_curves({"train_loss": [1.0, 0.5], "best_epoch": 2})


def test_gradient_norms_on_a_log_scale():
    norms = {"sigmoid": [1e-6, 1e-4, 1e-2], "relu": np.array([0.3, 0.0, 0.2, 0.25])}
    ax = plots.plot_gradient_norms(norms)
    _render(ax.figure)
    assert ax.get_yscale() == "log"
    lines = _labelled_lines(ax)
    assert set(lines) == {"sigmoid", "relu"}
    assert np.isnan(lines["relu"].get_ydata()[1])  # a dead layer is a gap, not a crash
    with pytest.raises(ValueError, match="norms\\['bad'\\]: expected"):
        plots.plot_gradient_norms({"bad": [-1.0, 1.0]})
    with pytest.raises(ValueError, match="norms: expected"):
        plots.plot_gradient_norms({})


def test_network_diagram_draws_every_unit_and_weight():
    ax = plots.plot_network([3, 4, 1])
    _render(ax.figure)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 8
    assert len(ax.collections[0].get_segments()) == 3 * 4 + 4 * 1
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["input\n3 features", "hidden 1\n4 units", "output\n1 unit"]


def test_network_diagram_truncates_wide_layers_and_takes_labels():
    ax = plots.plot_network([30, 64, 1], labels=["x", "h", "y"], max_units=6)
    assert len(ax.patches) == 6 + 6 + 1
    assert len(ax.collections[0].get_segments()) == 6 * 6 + 6
    assert [t.get_text() for t in ax.texts].count("⋮") == 2
    for sizes, message in [([3], "sizes: expected"), ([3, 0], "sizes\\[1\\]: expected")]:
        with pytest.raises(ValueError, match=message):
            plots.plot_network(sizes)
    with pytest.raises(ValueError, match="labels: expected 2 labels"):
        plots.plot_network([2, 1], labels=["only one"])


@pytest.fixture
def binary_scores():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    return y, np.clip(0.4 * y + 0.6 * rng.random(200), 0, 1)


def test_roc_pr_curves_report_auc_and_ap(binary_scores):
    y, scores = binary_scores
    fig = plots.plot_roc_pr(y, {"logistic": scores, "mlp": scores**2})
    _render(fig)
    ax_roc, ax_pr = fig.axes
    legend = [t.get_text() for t in ax_roc.get_legend().get_texts()]
    assert legend[0] == f"logistic (AUC {roc_auc_score(y, scores):.3f})"
    assert len(_labelled_lines(ax_roc)) == 3 and len(_labelled_lines(ax_pr)) == 3
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
    _render(ax.figure)
    assert [t.get_text() for t in ax.texts] == ["1\n50%", "1\n50%", "1\n33%", "2\n67%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["benign", "malignant"]
    with pytest.raises(ValueError, match="y_pred: expected labels in 0 ... 1"):
        plots.plot_confusion_matrix([0, 1], [0, 2], ["a", "b"])


def test_calibration_curve(binary_scores):
    y, probs = binary_scores
    ax = plots.plot_calibration(y, probs, n_bins=5)
    _render(ax.figure)
    lines = _labelled_lines(ax)
    assert "perfectly calibrated" in lines and len(lines) == 2
    assert len(lines[next(k for k in lines if k.startswith("model"))].get_xdata()) <= 5
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        plots.plot_calibration(y, probs * 2)


def test_every_plot_draws_on_a_given_axes(binary_scores, xor_points):
    y, probs = binary_scores
    X, labels = xor_points
    for draw in (
        lambda ax: plots.plot_calibration(y, probs, ax=ax),
        lambda ax: plots.plot_confusion_matrix(y, probs > 0.5, ["a", "b"], ax=ax),
        lambda ax: plots.plot_network([2, 3, 1], ax=ax),
        lambda ax: plots.plot_gradient_norms({"a": [1.0, 2.0]}, ax=ax),
        lambda ax: plots.plot_training_curves({"train_loss": [1.0]}, ax=ax),
        lambda ax: plots.plot_decision_boundary(lambda Z: Z[:, 0] > 0, X, labels, ax=ax),
        lambda ax: plots.plot_loss_surface(landscapes.SADDLE, ax=ax, resolution=20),
    ):
        _, ax = plt.subplots()
        assert draw(ax) is ax
    with pytest.raises(ValueError, match="ax: expected None or a matplotlib Axes"):
        plots.plot_network([2, 1], ax="left")


def test_training_curves_put_epochs_on_whole_numbers():
    ax = plots.plot_training_curves({"train_loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]})
    ax.figure.canvas.draw()
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
    plt.close(ax.figure)
