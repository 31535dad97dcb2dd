"""Gradient checking: compare backpropagation with central finite differences.

``numerical_gradient`` is the CS231n recipe: perturb one entry of ``x`` in place by ±eps, evaluate
the function, restore the entry. ``gradient_check`` runs it for every parameter of a model and
reports the relative error per parameter, e.g. ``print(gradient_check(model, loss, X, y))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dlcourse._validation import fail, require_real, type_name

from .layers import Dropout

DEFAULT_TOL = 1e-6
# Finite differences resolve a gradient only to about machine-eps * |L| / (2 eps) ≈ 1e-10 |L|
# (eps = 1e-6), so a gradient scale is floored at 1e-2 |L|: that noise then reads as ~1e-8,
# far below the 1e-6 tolerance, while any error above ~1e-8 |L| still fails.
SCALE_FLOOR = 1e-2


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 0.0) -> float:
    """``max |a − b| / max(max |a|, max |b|, floor)``: the error relative to the arrays' scale.

    Relative to the largest entry rather than entry by entry, so an entry that is 0 in one array and
    1e-22 in the other (an exact and a rounded derivative) does not blow up the ratio. ``floor``
    keeps arrays that are zero up to rounding from reading as a 100% error. 0.0 when both arrays
    are all zeros.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise fail("relative_error", f"b of shape {a.shape} (the shape of a)", b.shape)
    if a.size == 0:
        return 0.0
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), floor)
    diff = np.max(np.abs(a - b))
    if scale == 0.0:
        return 0.0
    return float(diff / scale)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences ``df/dx[i] ≈ (f(x + eps·e_i) − f(x − eps·e_i)) / (2 eps)``.

    ``f`` is called as ``f(x)`` with ``x`` perturbed *in place*, one entry at a time, and every
    entry is restored exactly afterwards. For a plain function use ``f(x)`` directly; for a model
    parameter ``W`` pass ``lambda _: loss(model(X), y)`` and ``W`` itself: the model sees the
    perturbation because it holds the same array. ``x`` must be a float64 array (it is written to).
    Truncation error is O(eps²); rounding error O(1e-16 / eps), hence eps around 1e-6 in float64.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type_name(x)
        raise fail("numerical_gradient: x", "a float64 numpy array (perturbed in place)", got)
    eps = require_real("numerical_gradient: eps", eps, 0.0, np.inf, "(0, inf)")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + eps
            f_plus = f(x)
            x[index] = original - eps
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad


@dataclass
class GradientCheckReport:
    """Per-parameter relative errors of backprop against finite differences.

    ``errors``: name ("0.W", "0.b", "2.W", ...) -> :func:`relative_error` with the scale floored
    at ``scale_floor``; ``analytic`` and ``numerical`` hold the two gradients, for a closer look
    at a failing parameter.
    """

    errors: dict[str, float]
    analytic: dict[str, np.ndarray] = field(repr=False)
    numerical: dict[str, np.ndarray] = field(repr=False)
    eps: float = 1e-6
    scale_floor: float = 0.0

    @property
    def max_error(self) -> float:
        """The largest error; NaN when any error is NaN (Python's ``max`` would skip it)."""
        return float(np.max(list(self.errors.values()))) if self.errors else 0.0

    def passed(self, tol: float = DEFAULT_TOL) -> bool:
        """True when every error is finite and at most ``tol``: an inf or NaN error fails."""
        return bool(np.isfinite(self.max_error)) and self.max_error <= tol

    def __str__(self) -> str:
        width = max([len("parameter"), *(len(name) for name in self.errors)])
        lines = [f"{'parameter':<{width}}  {'shape':<12}  relative error"]
        for name, error in self.errors.items():
            shape = str(self.analytic[name].shape)
            mark = "✓" if np.isfinite(error) and error <= DEFAULT_TOL else "✗"
            lines.append(f"{name:<{width}}  {shape:<12}  {error:.2e} {mark}")
        verdict = "passed" if self.passed() else "FAILED"
        lines.append(
            f"max relative error {self.max_error:.2e} (tolerance {DEFAULT_TOL:.0e}): {verdict}"
        )
        return "\n".join(lines)


def gradient_check(
    model, loss, X: np.ndarray, y: np.ndarray, eps: float = 1e-6
) -> GradientCheckReport:
    """Check ``model.backward`` against :func:`numerical_gradient` for every parameter.

    ``model``: a :class:`~dlcourse.scratch.network.Sequential`; ``loss``: a loss object such as
    ``MSELoss()``; ``X: (batch, in_features)``; ``y`` as the loss expects. Dropout layers are
    switched off during the check (a random mask would change between evaluations, so finite
    differences would measure noise) and restored afterwards; other layers keep their mode, so
    BatchNorm1d in training mode is checked with batch statistics, and its running statistics are
    restored after the many forward passes. Afterwards the model's gradients hold the analytic
    gradient of this batch. Cost: two forward passes per parameter entry, so keep the model small.

    Error per parameter: ``max |analytic − numerical| / max(max |analytic|, max |numerical|,
    1e-2 · max(|L|, 1))``. The floor is there because central differences carry rounding noise of
    about 1e-16 · |L| / eps ≈ 1e-10 |L|: a gradient that is exactly zero (the bias of a Dense layer
    feeding BatchNorm1d, cancelled by the mean subtraction) would otherwise show a 100% error made
    of noise. Any discrepancy larger than ~1e-8 |L| still fails the default tolerance of 1e-6.
    """
    for attr in ("named_parameters", "named_buffers", "zero_grad", "forward", "backward"):
        if not hasattr(model, attr):
            raise fail("gradient_check: model", "a dlcourse.scratch.Sequential", type_name(model))
    if not (callable(loss) and hasattr(loss, "backward")):
        raise fail("gradient_check: loss", "a loss object such as MSELoss()", type_name(loss))
    eps = require_real("gradient_check: eps", eps, 0.0, np.inf, "(0, inf)")
    dropouts = [layer for layer in model.layers if isinstance(layer, Dropout) and layer.training]
    saved_buffers = [(b, b.copy()) for _, b in model.named_buffers()]
    for layer in dropouts:
        layer.eval()
    try:
        model.zero_grad()
        value = loss(model.forward(X), y)
        model.backward(loss.backward())
        named = model.named_parameters()
        analytic = {name: g.copy() for (name, _), g in zip(named, model.gradients(), strict=True)}
        numerical = {
            name: numerical_gradient(lambda _: loss(model.forward(X), y), p, eps)
            for name, p in named
        }
    finally:
        for layer in dropouts:
            layer.train()
        for buffer, saved in saved_buffers:
            buffer[...] = saved
    floor = SCALE_FLOOR * max(abs(value), 1.0)
    errors = {name: relative_error(analytic[name], numerical[name], floor) for name in analytic}
    return GradientCheckReport(errors, analytic, numerical, eps, floor)
