"""Activations against float64 PyTorch: values and gradients, extremes included.

Tolerance: elementwise relative error <= 1e-10 (``assert_allclose(rtol=1e-10, atol=0)``), so a
tiny value such as sigmoid(-50) ≈ 2e-22 is checked to ten digits too, not swamped by the big ones.
One stated exception: tanh's derivative ``1 − tanh(z)²`` (torch's formula) cancels for |z| > ~18,
where tanh(z) is 1 within an ulp, so both engines return rounding noise of order 1e-16; there the
tolerance is absolute, 4.5e-16 (two ulps of 1).
"""

import functools
import inspect

import numpy as np
import pytest
import torch

from dlcourse.scratch import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)

RTOL = 1e-10
EXTREMES = np.array(
    [-1000.0, -100.0, -50.0, -20.0, -1e-300, 0.0, 1e-300, 20.0, 50.0, 100.0, 1000.0]
)


def inputs(seed: int = 0) -> np.ndarray:
    """(16, 16) logits: normal(0, 10) with every extreme value planted in the first row."""
    z = np.random.default_rng(seed).normal(0.0, 10.0, size=(16, 16))
    z[0, : EXTREMES.size] = EXTREMES
    return z


TANH_GRAD_ATOL = 2 * np.finfo(np.float64).eps

ELEMENTWISE = [
    # (layer, plain value, plain derivative, torch function, absolute tolerance of the gradient)
    (Identity, identity, identity_grad, lambda t: t * 1.0, 0.0),
    (Sigmoid, sigmoid, sigmoid_grad, torch.sigmoid, 0.0),
    (Tanh, tanh, tanh_grad, torch.tanh, TANH_GRAD_ATOL),
    (ReLU, relu, relu_grad, torch.relu, 0.0),
    (LeakyReLU, leaky_relu, leaky_relu_grad, torch.nn.functional.leaky_relu, 0.0),
]


def torch_value_and_grad(fn, z: np.ndarray, grad_out: np.ndarray):
    z_t = torch.tensor(z, requires_grad=True)
    out = fn(z_t)
    out.backward(torch.tensor(grad_out))
    return out.detach().numpy(), z_t.grad.numpy()


@pytest.mark.parametrize(("layer_cls", "value", "derivative", "torch_fn", "grad_atol"), ELEMENTWISE)
def test_layer_matches_torch(layer_cls, value, derivative, torch_fn, grad_atol):
    z = inputs()
    grad_out = np.random.default_rng(1).standard_normal(z.shape)
    expected_y, expected_dz = torch_value_and_grad(torch_fn, z, grad_out)
    layer = layer_cls()
    np.testing.assert_allclose(layer(z), expected_y, rtol=RTOL, atol=0)
    atol = grad_atol * np.abs(grad_out).max()
    np.testing.assert_allclose(layer.backward(grad_out), expected_dz, rtol=RTOL, atol=atol)


@pytest.mark.parametrize(("layer_cls", "value", "derivative", "torch_fn", "grad_atol"), ELEMENTWISE)
def test_plain_functions_match_torch(layer_cls, value, derivative, torch_fn, grad_atol):
    z = inputs(2)
    expected_y, expected_dz = torch_value_and_grad(torch_fn, z, np.ones_like(z))
    np.testing.assert_allclose(value(z), expected_y, rtol=RTOL, atol=0)
    np.testing.assert_allclose(derivative(z), expected_dz, rtol=RTOL, atol=grad_atol)


@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5])
def test_leaky_relu_slope_matches_torch(slope):
    z = inputs(3)
    grad_out = np.random.default_rng(4).standard_normal(z.shape)
    fn = functools.partial(torch.nn.functional.leaky_relu, negative_slope=slope)
    expected_y, expected_dz = torch_value_and_grad(fn, z, grad_out)
    layer = LeakyReLU(slope)
    np.testing.assert_allclose(layer(z), expected_y, rtol=RTOL, atol=0)
    np.testing.assert_allclose(layer.backward(grad_out), expected_dz, rtol=RTOL, atol=0)
    np.testing.assert_allclose(leaky_relu(z, slope), expected_y, rtol=RTOL, atol=0)
    np.testing.assert_allclose(
        leaky_relu_grad(z, slope),
        torch_value_and_grad(fn, z, np.ones_like(z))[1],
        rtol=RTOL,
        atol=0,
    )


def test_softmax_layer_matches_torch():
    z = inputs(5)
    z[1] = 1000.0  # a row of equal huge logits: naive exp overflows
    grad_out = np.random.default_rng(6).standard_normal(z.shape)
    expected_y, expected_dz = torch_value_and_grad(lambda t: torch.softmax(t, -1), z, grad_out)
    layer = Softmax()
    y = layer(z)
    np.testing.assert_allclose(y, expected_y, rtol=RTOL, atol=0)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-15)
    # The gradient sums to zero across each row, so entries are cancellations of O(1) terms:
    # relative to the row's scale they agree to 1e-10 (elementwise they cannot).
    dz = layer.backward(grad_out)
    np.testing.assert_allclose(dz, expected_dz, rtol=0, atol=RTOL * np.abs(expected_dz).max())


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_function_axis(axis):
    z = inputs(7)
    expected = torch.softmax(torch.tensor(z), dim=axis).numpy()
    np.testing.assert_allclose(softmax(z, axis=axis), expected, rtol=RTOL, atol=0)


def test_sigmoid_is_stable_without_warnings():
    # Underflow to 0 is the correct answer here; overflow or nan would be the bug.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = sigmoid(np.array([-1000.0, 1000.0]))
        grads = sigmoid_grad(np.array([-1000.0, 1000.0]))
    assert values.tolist() == [0.0, 1.0]
    assert grads.tolist() == [0.0, 0.0]


def test_relu_grad_at_zero_is_zero_as_torch():
    assert relu_grad(np.array([0.0])).tolist() == [0.0]
    assert leaky_relu_grad(np.array([0.0]), 0.1).tolist() == [0.1]


def test_registry_and_get_activation():
    assert set(ACTIVATIONS) == {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"}
    for name, cls in ACTIVATIONS.items():
        assert isinstance(get_activation(name), cls)
        assert get_activation(name) is not get_activation(name)
    layer = Tanh()
    assert get_activation(layer) is layer
    with pytest.raises(ValueError, match=r"get_activation: expected .*'relu'.*, got 'swish'"):
        get_activation("swish")


@pytest.mark.parametrize("cls", list(ACTIVATIONS.values()))
def test_backward_is_one_line_of_maths(cls):
    body = inspect.getsource(cls._backward).splitlines()[1:]
    assert len([line for line in body if line.strip()]) == 1, body


def test_layers_have_no_parameters_and_follow_protocol():
    for cls in ACTIVATIONS.values():
        layer = cls()
        assert layer.params == [] and layer.grads == []
        assert layer.eval() is layer and layer.training is False
        assert layer.train() is layer and layer.training is True


def test_backward_checks_shape_and_order():
    layer = ReLU()
    with pytest.raises(RuntimeError, match="ReLU.backward: expected a forward call"):
        layer.backward(np.ones(3))
    layer(np.ones((2, 3)))
    with pytest.raises(
        ValueError, match=r"ReLU.backward: expected grad_out .*\(2, 3\).*, got \(3, 2\)"
    ):
        layer.backward(np.ones((3, 2)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="sigmoid: z: expected an array of real numbers, got str"):
        sigmoid("abc")
    with pytest.raises(
        ValueError, match="relu: z: expected an array of real numbers, got dtype complex128"
    ):
        relu(np.array([1 + 1j, 2.0]))
    with pytest.raises(ValueError, match="softmax: axis: expected an axis of an array with 2"):
        softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="LeakyReLU: negative_slope: expected a number"):
        LeakyReLU("0.1")
