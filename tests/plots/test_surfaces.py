"""Tests of dlcourse.plots.surfaces: loss surfaces with trajectories, decision boundaries."""

import numpy as np
import pytest
import torch
from torch import nn

from dlcourse import plots
from dlcourse.scratch import landscapes
from dlcourse.training import predict_proba


def test_loss_surface_draws_levels_and_trajectories(labelled_lines):
    quadratic = landscapes.ILL_CONDITIONED_QUADRATIC
    paths = {"gd": np.array([[-4.0, 1.0], [-3.0, -0.5], [-2.0, 0.3]]), "adam": np.zeros((4, 2))}
    ax = plots.plot_loss_surface(
        quadratic.f, ((-5, 5), (-2, 2)), trajectories=paths, levels=15, resolution=50
    )
    ax.figure.canvas.draw()
    contour = ax.collections[0]
    assert len(contour.levels) == 15
    steps = np.diff(contour.levels)
    growth = steps[1:] / steps[:-1]
    np.testing.assert_allclose(growth, growth[0], rtol=1e-6)  # geometric above the minimum
    assert growth[0] > 1
    lines = labelled_lines(ax)
    assert set(lines) == {"gd", "adam"}
    np.testing.assert_array_equal(np.column_stack(lines["gd"].get_data()), paths["gd"])
    assert ax.get_xlim() == (-5, 5) and ax.get_ylim() == (-2, 2)


def test_loss_surface_linear_levels_and_a_landscape_object(labelled_lines):
    ax = plots.plot_loss_surface(
        landscapes.ROSENBROCK, levels=[1, 10, 100], log_levels=False, resolution=30
    )
    assert list(ax.collections[0].levels) == [1, 10, 100]
    assert "minimum" in labelled_lines(ax)
    assert ax.get_xlim() == landscapes.ROSENBROCK.bounds[0]


def test_loss_surface_survives_a_diverging_trajectory():
    path = np.array([[0.0, 0.0], [10.0, -10.0], [np.inf, np.nan]])
    ax = plots.plot_loss_surface(
        landscapes.SADDLE.f, ((-2, 2), (-2, 2)), {"lr too large": path}, resolution=20
    )
    ax.figure.canvas.draw()
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


def test_decision_boundary_of_probabilities_draws_the_half_line(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(lambda Z: 1 / (1 + np.exp(-Z[:, 0])), X, y, resolution=40)
    ax.figure.canvas.draw()
    boundary = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]]
    assert len(boundary) == 1
    scatter = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatter] == ["class 0", "class 1"]
    assert sum(len(c.get_offsets()) for c in scatter) == len(X)
    assert len(ax.figure.axes) == 2  # the colour bar


def test_decision_boundary_names_the_classes_in_legend_and_colour_bar(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(
        lambda Z: 1 / (1 + np.exp(-Z[:, 0])), X, y, resolution=20, class_names=["control", "case"]
    )
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["control", "case"]
    assert ax.figure.axes[1].get_ylabel() == "P(case)"


@pytest.mark.parametrize(
    ("names", "message"),
    [("ab", "a sequence of strings"), (["only one"], "at least 2 names"), ([0, 1], "a sequence")],
)
def test_decision_boundary_rejects_bad_class_names(xor_points, names, message):
    X, y = xor_points
    with pytest.raises(ValueError, match=f"class_names: expected {message}"):
        plots.plot_decision_boundary(lambda Z: Z[:, 0] > 0, X, y, resolution=20, class_names=names)


def test_decision_boundary_of_labels_and_class_probabilities(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(lambda Z: (Z[:, 0] > 0).astype(int), X, y, resolution=30)
    assert len(ax.collections[0].levels) == 3  # filled regions between -0.5, 0.5, 1.5
    probs = lambda Z: np.column_stack([Z[:, 0] > 0, Z[:, 0] <= 0]).astype(float)  # noqa: E731
    ax = plots.plot_decision_boundary(probs, X, y, resolution=30)
    assert len(ax.figure.axes) == 1  # no colour bar for labels


def test_decision_boundary_of_a_torch_model_through_predict_proba(xor_points):
    X, y = xor_points
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1))
    modes = []
    model.register_forward_hook(lambda m, i, o: modes.append((m.training, o.requires_grad)))
    before = [p.detach().clone() for p in model.parameters()]
    ax = plots.plot_decision_boundary(lambda G: predict_proba(model, G, "cpu"), X, y, resolution=30)
    assert modes == [(False, False)]
    assert model.training  # the previous mode is restored
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert any(list(getattr(c, "levels", [])) == [0.5] for c in ax.collections)
    three_classes = nn.Linear(2, 3)
    plots.plot_decision_boundary(
        lambda G: predict_proba(three_classes, G, "cpu"), X, np.arange(80) % 3, resolution=20
    )


def test_decision_boundary_takes_a_function_not_a_torch_model(xor_points):
    X, y = xor_points
    with pytest.raises(
        ValueError,
        match="predict: expected a function of NumPy points .*"
        "predict_proba\\(model, X, device\\).*got Sequential",
    ):
        plots.plot_decision_boundary(nn.Sequential(nn.Linear(2, 1)), X, y, resolution=20)


def test_decision_boundary_accepts_a_tensor_output(xor_points):
    X, y = xor_points
    ax = plots.plot_decision_boundary(
        lambda G: torch.sigmoid(torch.as_tensor(G[:, 0]).requires_grad_()), X, y, resolution=20
    )
    assert any(list(getattr(c, "levels", [])) == [0.5] for c in ax.collections)


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
    with pytest.raises(ValueError, match="predict\\(X\\): expected labels or probabilities"):
        plots.plot_decision_boundary(lambda Z: Z[:, 0], X, y, resolution=20)  # logits
