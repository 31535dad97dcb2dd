"""Gradient checking: finite differences agree with backprop, and a broken backward is caught."""

import numpy as np
import pytest

from dlcourse.scratch import (
    MLP,
    CrossEntropyLoss,
    Dense,
    Dropout,
    GradientCheckReport,
    MSELoss,
    gradient_check,
    numerical_gradient,
    relative_error,
)


def test_relative_error_definition():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 4.0]), np.array([1.0, 2.0])) == 0.5
    # Relative to the largest entry, so a 1e-22 versus 0 entry does not dominate.
    assert relative_error(np.array([1.0, 1e-22]), np.array([1.0, 0.0])) == 1e-22
    assert relative_error(np.array([0.0]), np.array([1e-10]), floor=1e-2) == pytest.approx(1e-8)
    with pytest.raises(
        ValueError, match=r"relative_error: expected b of shape \(2,\) .*, got \(3,\)"
    ):
        relative_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_a_cubic():
    x = np.random.default_rng(0).standard_normal((3, 4))
    original = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    # Central differences: truncation error eps² f''' = 6e-12 here; rounding ~1e-16 |f| / eps.
    assert relative_error(grad, 3 * original**2) <= 1e-8
    np.testing.assert_array_equal(x, original)  # every entry restored exactly


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def explode(_):
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(explode, x)
    assert x.tolist() == [1.0, 2.0]


def test_numerical_gradient_bad_input():
    with pytest.raises(
        ValueError, match="numerical_gradient: x: expected a float64 numpy array .*, got list"
    ):
        numerical_gradient(sum, [1.0, 2.0])
    with pytest.raises(
        ValueError, match=r"numerical_gradient: eps: expected a number in \(0, inf\), got -1"
    ):
        numerical_gradient(np.sum, np.zeros(2), eps=-1)


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, size=8)
    return X, y


def test_correct_model_passes_with_dropout_and_batchnorm():
    model = MLP([4, 6, 5, 3], activation="tanh", dropout=0.5, batch_norm=True, rng=0)
    X, y = small_problem()
    running = [b.copy() for _, b in model.named_buffers()]
    report = gradient_check(model, CrossEntropyLoss(), X, y)
    assert isinstance(report, GradientCheckReport)
    assert list(report.errors) == [name for name, _ in model.named_parameters()]
    assert report.max_error <= 1e-7
    assert report.passed()
    # The Dense biases feeding BatchNorm have an exact gradient of 0 (noise in both estimates):
    # the scale floor keeps them from reading as a 100% error.
    assert np.abs(report.analytic["0.b"]).max() < 1e-12
    assert report.errors["0.b"] <= 1e-7
    # Dropout was switched off only for the check; running statistics are restored.
    assert all(layer.training for layer in model if isinstance(layer, Dropout))
    for (_, buffer), saved in zip(model.named_buffers(), running, strict=True):
        np.testing.assert_array_equal(buffer, saved)


def test_broken_backward_is_flagged():
    class ForgetfulDense(Dense):
        """dL/dW computed with a transposed gradient flow: a classic student bug."""

        def _backward(self, grad_out):
            grad_in = super()._backward(grad_out)
            self.dW *= 2.0
            return grad_in

    model = MLP([4, 5, 1], rng=0)
    broken = ForgetfulDense(5, 1, rng=1)
    model.layers[2] = broken
    X = np.random.default_rng(1).standard_normal((6, 4))
    y = np.random.default_rng(2).standard_normal((6, 1))
    report = gradient_check(model, MSELoss(), X, y)
    assert report.errors["2.W"] == pytest.approx(0.5, rel=1e-6)
    assert report.errors["0.W"] <= 1e-7 and report.errors["2.b"] <= 1e-7
    assert not report.passed()
    text = str(report)
    assert "2.W" in text and "✗" in text and "FAILED" in text
    assert report.analytic["2.W"].shape == report.numerical["2.W"].shape == (1, 5)


def test_report_table():
    report = GradientCheckReport(
        errors={"0.W": 1e-9, "0.b": 2e-10},
        analytic={"0.W": np.zeros((2, 3)), "0.b": np.zeros(2)},
        numerical={"0.W": np.zeros((2, 3)), "0.b": np.zeros(2)},
    )
    assert str(report) == (
        "parameter  shape         relative error\n"
        "0.W        (2, 3)        1.00e-09 ✓\n"
        "0.b        (2,)          2.00e-10 ✓\n"
        "max relative error 1.00e-09 (tolerance 1e-06): passed"
    )
    assert report.passed(tol=1e-9) and not report.passed(tol=1e-10)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
@pytest.mark.parametrize("first", [True, False])
def test_a_non_finite_error_fails(bad, first):
    # Python's max skips a NaN unless it comes first: the report must not.
    errors = {"0.W": bad, "0.b": 1e-9} if first else {"0.W": 1e-9, "0.b": bad}
    arrays = {name: np.zeros(2) for name in errors}
    report = GradientCheckReport(errors, arrays, arrays)
    assert not report.passed()
    assert not np.isfinite(report.max_error)
    assert "FAILED" in str(report) and "✗" in str(report)


def test_a_backward_returning_nan_fails():
    class NanDense(Dense):
        def _backward(self, grad_out):
            grad_in = super()._backward(grad_out)
            self.dW[...] = np.nan
            return grad_in

    model = MLP([3, 2], rng=0)
    model.layers[0] = NanDense(3, 2, rng=0)
    X, y = np.ones((4, 3)), np.zeros((4, 2))
    assert not gradient_check(model, MSELoss(), X, y).passed()


def test_gradient_check_bad_input():
    with pytest.raises(
        ValueError,
        match="gradient_check: model: expected a dlcourse.scratch.Sequential, "
        "got dlcourse.scratch.Dense",
    ):
        gradient_check(Dense(2, 1), MSELoss(), np.zeros((2, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="gradient_check: loss: expected a loss object"):
        gradient_check(MLP([2, 1]), np.mean, np.zeros((2, 2)), np.zeros((2, 1)))
