"""Optimization landscapes: gradients against autograd and finite differences; trajectories."""

import warnings

import numpy as np
import pytest
import torch

from dlcourse.scratch import (
    ILL_CONDITIONED_QUADRATIC,
    LANDSCAPES,
    MULTIMODAL,
    ROSENBROCK,
    SADDLE,
    SGD,
    Adam,
    Landscape,
    numerical_gradient,
    relative_error,
    trajectory,
)

TORCH_F = {
    "ill_conditioned_quadratic": lambda x, y: 0.5 * (x**2 + 25 * y**2),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "saddle": lambda x, y: x**2 - y**2 + y**4 / 4,
    "multimodal": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
}


def test_registry():
    assert set(LANDSCAPES) == set(TORCH_F)
    assert LANDSCAPES["rosenbrock"] is ROSENBROCK
    for landscape in LANDSCAPES.values():
        assert isinstance(landscape, Landscape)
        (x_lo, x_hi), (y_lo, y_hi) = landscape.bounds
        for point in (landscape.x0, *landscape.minima):
            assert x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi


@pytest.mark.parametrize("name", sorted(TORCH_F))
def test_values_and_gradients_match_autograd(name):
    landscape = LANDSCAPES[name]
    points = np.random.default_rng(0).uniform(-3, 3, size=(50, 2))
    xy = torch.tensor(points, requires_grad=True)
    values = TORCH_F[name](xy[:, 0], xy[:, 1])
    values.sum().backward()
    assert relative_error(landscape.f(points), values.detach().numpy()) <= 1e-12
    assert relative_error(landscape.grad(points), xy.grad.numpy()) <= 1e-12


@pytest.mark.parametrize("name", sorted(TORCH_F))
def test_gradients_match_finite_differences(name):
    landscape = LANDSCAPES[name]
    for point in np.random.default_rng(1).uniform(-2, 2, size=(5, 2)):
        numeric = numerical_gradient(landscape.f, point.copy())
        assert relative_error(landscape.grad(point), numeric) <= 1e-7


@pytest.mark.parametrize("name", sorted(TORCH_F))
def test_minima_are_stationary_and_lowest(name):
    landscape = LANDSCAPES[name]
    np.testing.assert_allclose(landscape.grad(landscape.minima), 0.0, atol=1e-12)
    assert landscape.f(landscape.minimum) == pytest.approx(landscape.f(landscape.minima).min())
    around = landscape.minimum + np.random.default_rng(2).normal(0, 1e-3, size=(100, 2))
    assert np.all(landscape.f(around) > landscape.f(landscape.minimum))


def test_shapes_and_grid_evaluation():
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5)), axis=-1)
    assert ROSENBROCK.f(grid).shape == (5, 7)
    assert ROSENBROCK.grad(grid).shape == (5, 7, 2)
    assert isinstance(ROSENBROCK.f(np.array([1.0, 1.0])), float)
    assert ROSENBROCK.grad(np.array([1.0, 1.0])).shape == (2,)
    assert SADDLE.f(np.zeros(2)) == 0.0 and SADDLE.f(SADDLE.minimum) == pytest.approx(-1.0)
    with pytest.raises(
        ValueError,
        match=r"rosenbrock.f: xy: expected points of shape \(2,\) or \(..., 2\), got \(3,\)",
    ):
        ROSENBROCK.f(np.zeros(3))


def test_landscape_arrays_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        ROSENBROCK.x0[0] = 5.0


def test_trajectory_records_every_step():
    lr = 0.05
    path = trajectory(lambda params: SGD(params, lr=lr), ILL_CONDITIONED_QUADRATIC, steps=10)
    assert path.shape == (11, 2)
    np.testing.assert_array_equal(path[0], ILL_CONDITIONED_QUADRATIC.x0)
    manual = ILL_CONDITIONED_QUADRATIC.x0.copy()
    for t in range(1, 11):
        manual = manual - lr * ILL_CONDITIONED_QUADRATIC.grad(manual)
        np.testing.assert_allclose(path[t], manual, rtol=1e-15)


def test_optimizers_reach_the_minima():
    path = trajectory(lambda p: Adam(p, lr=0.02), ROSENBROCK, steps=3000)
    np.testing.assert_allclose(path[-1], ROSENBROCK.minimum, atol=1e-2)
    path = trajectory(lambda p: SGD(p, lr=0.01, momentum=0.9), SADDLE, steps=500)
    assert np.min(np.linalg.norm(SADDLE.minima - path[-1], axis=1)) < 1e-3
    path = trajectory(lambda p: SGD(p, lr=0.01), MULTIMODAL, x0=np.array([4.0, 4.0]), steps=500)
    assert np.min(np.linalg.norm(MULTIMODAL.minima - path[-1], axis=1)) < 1e-6


def test_divergence_is_recorded_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(lambda p: SGD(p, lr=1.0), ROSENBROCK, steps=50)
    assert not np.all(np.isfinite(path))
    np.testing.assert_array_equal(ROSENBROCK.x0, [-1.2, 1.0])  # the landscape's start is untouched


def make(params):
    return SGD(params, lr=0.1)


def test_trajectory_bad_input():
    with pytest.raises(ValueError, match=r"trajectory: expected x0 of shape \(2,\), got \(3,\)"):
        trajectory(make, SADDLE, x0=np.zeros(3))
    with pytest.raises(ValueError, match="trajectory: steps: expected an integer >= 0, got -1"):
        trajectory(make, SADDLE, steps=-1)
    with pytest.raises(
        ValueError, match="trajectory: landscape: expected a Landscape such as ROSENBROCK, got str"
    ):
        trajectory(make, "rosenbrock")
    with pytest.raises(ValueError, match="trajectory: steps: expected an integer >= 0, got 2.5"):
        trajectory(make, SADDLE, steps=2.5)
    with pytest.raises(
        ValueError,
        match=r"trajectory: make_optimizer\(params\): expected an Optimizer over exactly",
    ):
        trajectory(lambda p: SGD([np.zeros(2)], lr=0.1), SADDLE)
    with pytest.raises(
        ValueError,
        match="trajectory: make_optimizer: expected a function .*, got dlcourse.scratch.SGD",
    ):
        trajectory(SGD([np.zeros(2)], lr=0.1), SADDLE)
