"""Activation functions: plain functions (value and derivative, for plots) and layers (for networks).

The plain functions are elementwise on NumPy arrays (``softmax`` acts along an axis). The layers
follow the :class:`~dlcourse.scratch.layers.Layer` protocol: ``forward`` validates and caches the
input ``self.x`` and output ``self.out``, so each ``_backward`` is one line of maths returning
dL/d(input). Conventions are PyTorch's, e.g. ReLU'(0) = 0.
"""

from __future__ import annotations

import numpy as np

from dlcourse._validation import as_float_array, fail, require_real

from .layers import Layer


def identity(z: np.ndarray) -> np.ndarray:
    """f(z) = z."""
    return as_float_array("identity: z", z)


def identity_grad(z: np.ndarray) -> np.ndarray:
    """f'(z) = 1."""
    return np.ones_like(as_float_array("identity_grad: z", z))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), evaluated without overflow for any z.

    With ``e = exp(-|z|) <= 1`` the two algebraically equal forms ``1 / (1 + e)`` (z >= 0) and
    ``e / (1 + e)`` (z < 0) never exponentiate a large positive number, so z = ±1000 is safe.
    """
    z = as_float_array("sigmoid: z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z) (1 − σ(z)), computed from σ(z) as torch's backward does."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z − e^(-z)) / (e^z + e^(-z))."""
    return np.tanh(as_float_array("tanh: z", z))


def tanh_grad(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − tanh(z)²."""
    t = tanh(z)
    return 1.0 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(z, 0)."""
    return np.maximum(as_float_array("relu: z", z), 0.0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    """ReLU'(z) = 1 if z > 0 else 0; the value 0 at the kink is torch's choice."""
    return (as_float_array("relu_grad: z", z) > 0).astype(np.float64)


def _check_slope(what: str, negative_slope: float) -> float:
    return require_real(what, negative_slope, -np.inf, np.inf, "(-inf, inf)")


def leaky_relu(z: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """LeakyReLU(z) = z if z > 0 else negative_slope · z."""
    z = as_float_array("leaky_relu: z", z)
    slope = _check_slope("leaky_relu: negative_slope", negative_slope)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """LeakyReLU'(z) = 1 if z > 0 else negative_slope (torch's choice at 0)."""
    z = as_float_array("leaky_relu_grad: z", z)
    slope = _check_slope("leaky_relu_grad: negative_slope", negative_slope)
    return np.where(z > 0, 1.0, slope)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z) along ``axis``.

    Subtracting the maximum leaves the result unchanged and keeps every exponent <= 0 (no overflow).
    """
    z = as_float_array("softmax: z", z)
    if z.ndim == 0 or not -z.ndim <= axis < z.ndim:
        raise fail("softmax: axis", f"an axis of an array with {z.ndim} dimensions", axis)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Identity(Layer):
    """y = x; backward passes the gradient through (``torch.nn.Identity``)."""

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out


class Sigmoid(Layer):
    """y = σ(x); dL/dx = g · y (1 − y), using the cached output (``torch.nn.Sigmoid``)."""

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * (1.0 - self.out) * self.out


class Tanh(Layer):
    """y = tanh(x); dL/dx = g · (1 − y²), using the cached output (``torch.nn.Tanh``)."""

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * (1.0 - self.out * self.out)


class ReLU(Layer):
    """y = max(x, 0); dL/dx = g where x > 0, else 0 (``torch.nn.ReLU``)."""

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out * (self.x > 0)


class LeakyReLU(Layer):
    """y = x if x > 0 else a·x; dL/dx = g or a·g (``torch.nn.LeakyReLU``, a = negative_slope)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = _check_slope("LeakyReLU: negative_slope", negative_slope)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, self.negative_slope * x)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return np.where(self.x > 0, grad_out, self.negative_slope * grad_out)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Layer):
    """y = softmax(x) along the last axis (``torch.nn.Softmax(dim=-1)``).

    Backward (Jacobian-vector product, no (C, C) Jacobian built): ``dL/dx = y (g − Σ_j g_j y_j)``.
    Pair softmax outputs with a likelihood loss only for teaching: ``CrossEntropyLoss`` takes the
    logits and fuses log-softmax for stability, as torch does.
    """

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return softmax(x, axis=-1)

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return self.out * (grad_out - np.sum(grad_out * self.out, axis=-1, keepdims=True))

    def extra_repr(self) -> str:
        return "dim=-1"


ACTIVATIONS: dict[str, type[Layer]] = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def get_activation(name_or_layer: str | Layer) -> Layer:
    """An activation layer from its registry name (a new instance), or the layer itself."""
    if isinstance(name_or_layer, Layer):
        return name_or_layer
    if isinstance(name_or_layer, str) and name_or_layer.lower() in ACTIVATIONS:
        return ACTIVATIONS[name_or_layer.lower()]()
    raise fail("get_activation", f"a Layer or one of {sorted(ACTIVATIONS)}", repr(name_or_layer))
