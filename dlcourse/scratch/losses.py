"""Loss functions: plain functions (values, for notebooks) and classes with ``backward()``.

Conventions are PyTorch's (``torch.nn.MSELoss`` etc.), with ``reduction="mean"`` (default) or
``"sum"``. A loss object is called as ``value = loss(y_hat, y)`` (a float) and ``loss.backward()``
returns dL/d(y_hat), shaped like ``y_hat``. ``y_hat`` and ``y`` must have the same shape, e.g.
both (N,) or both (N, 1): a (N,) target against a (N, 1) prediction would broadcast to (N, N)
silently in NumPy, so it is an error here.
"""

from __future__ import annotations

import numpy as np

from dlcourse._validation import (
    as_float_array,
    fail,
    require_in_unit_interval,
    require_real,
    require_same_shape,
)

from .activations import sigmoid

REDUCTIONS = ("mean", "sum")
LOG_CLAMP = -100.0
# torch floors BCE's gradient denominator with the C++ float literal 1e-12f; matching it bit for
# bit means using that float32 value (9.99999996e-13), not the double 1e-12.
BCE_GRAD_EPS = float(np.float32(1e-12))


def _check_reduction(what: str, reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise fail(f"{what}: reduction", f"one of {REDUCTIONS}", repr(reduction))
    return reduction


def _pair(what: str, y_hat: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    y_hat = as_float_array(f"{what}: y_hat", y_hat)
    y = as_float_array(f"{what}: y", y)
    if y_hat.size == 0:
        raise fail(what, "a non-empty y_hat", f"shape {tuple(y_hat.shape)}")
    if y.shape != y_hat.shape:
        raise fail(what, f"y of shape {y_hat.shape} (the shape of y_hat)", tuple(y.shape))
    return y_hat, y


def _reduce(values: np.ndarray, reduction: str) -> float:
    return float(values.mean() if reduction == "mean" else values.sum())


def mse(y_hat: np.ndarray, y: np.ndarray, reduction: str = "mean") -> float:
    """Mean squared error ``(1/N) Σ (ŷ − y)²`` over all N elements, without the ½ (torch).

    The lecture's ½·MSE has gradient ``(ŷ − y)/N``; this one's is ``2(ŷ − y)/N``. Same minimiser,
    learning rates differ by a factor 2.
    """
    _check_reduction("mse", reduction)
    y_hat, y = _pair("mse", y_hat, y)
    diff = y_hat - y
    return _reduce(diff * diff, reduction)


def mae(y_hat: np.ndarray, y: np.ndarray, reduction: str = "mean") -> float:
    """Mean absolute error ``(1/N) Σ |ŷ − y|`` (torch's ``L1Loss``)."""
    _check_reduction("mae", reduction)
    y_hat, y = _pair("mae", y_hat, y)
    return _reduce(np.abs(y_hat - y), reduction)


def binary_cross_entropy(y_hat: np.ndarray, y: np.ndarray, reduction: str = "mean") -> float:
    """Binary cross-entropy on probabilities: ``−(1/N) Σ [y log p + (1 − y) log(1 − p)]``.

    ``y_hat`` holds probabilities p in [0, 1]; y in [0, 1] (checked: a target of 2 or −1 is an
    error here, where torch would return a number). Each log is clamped at −100, as torch
    does, so p = 0 or 1 gives a large finite loss instead of inf. ``log(1 − p)`` is ``log1p(−p)``
    to stay accurate for tiny p. Prefer :func:`binary_cross_entropy_with_logits` for training.
    """
    _check_reduction("binary_cross_entropy", reduction)
    y_hat, y = _pair("binary_cross_entropy", y_hat, y)
    require_in_unit_interval("binary_cross_entropy", y_hat, "y_hat as probabilities")
    require_in_unit_interval("binary_cross_entropy", y, "y (targets)")
    # log(0) = -inf is expected here and then clamped, so its warning would only be noise.
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(y_hat), LOG_CLAMP)
        log_1mp = np.maximum(np.log1p(-y_hat), LOG_CLAMP)
    return _reduce(-(y * log_p + (1.0 - y) * log_1mp), reduction)


def _pos_weight(what: str, pos_weight: object, shape: tuple) -> np.ndarray | None:
    if pos_weight is None:
        return None
    pw = as_float_array(f"{what}: pos_weight", pos_weight)
    try:
        broadcast = np.broadcast_shapes(pw.shape, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise fail(what, f"pos_weight broadcastable to y_hat's shape {shape}", tuple(pw.shape))
    return pw


def binary_cross_entropy_with_logits(
    y_hat: np.ndarray,
    y: np.ndarray,
    pos_weight: np.ndarray | float | None = None,
    reduction: str = "mean",
) -> float:
    """Binary cross-entropy on logits z = ``y_hat``, fused with the sigmoid for stability.

    Per element, with ``w = 1 + (pos_weight − 1) y`` (w = 1 without ``pos_weight``)::

        ℓ = (1 − y) z + w · softplus(−z),    softplus(−z) = −log σ(z) = max(−z, 0) + log1p(e^(−|z|))

    which equals ``−[pos_weight · y log σ(z) + (1 − y) log(1 − σ(z))]`` but never overflows, even
    for |z| in the thousands. Targets must lie in [0, 1] (torch does not check). A logit of ±inf
    gives NaN, as in torch. ``pos_weight`` (scalar or per-output array) scales the positive term,
    as in ``torch.nn.BCEWithLogitsLoss``.
    """
    what = "binary_cross_entropy_with_logits"
    _check_reduction(what, reduction)
    z, y = _pair(what, y_hat, y)
    require_in_unit_interval(what, y, "y (targets)")
    pw = _pos_weight(what, pos_weight, z.shape)
    softplus_neg = np.maximum(-z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    weight = 1.0 if pw is None else 1.0 + (pw - 1.0) * y
    return _reduce((1.0 - y) * z + weight * softplus_neg, reduction)


def _labels(what: str, logits: object, labels: object) -> tuple[np.ndarray, np.ndarray]:
    logits = as_float_array(f"{what}: y_hat", logits)
    if logits.ndim != 2 or logits.shape[0] == 0 or logits.shape[1] == 0:
        raise fail(what, "y_hat (logits) of shape (batch, n_classes)", tuple(logits.shape))
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise fail(what, "y as integer class labels (e.g. int64)", f"dtype {labels.dtype}")
    if labels.shape != (logits.shape[0],):
        raise fail(what, f"y of shape ({logits.shape[0]},)", tuple(labels.shape))
    n_classes = logits.shape[1]
    if labels.min() < 0 or labels.max() >= n_classes:
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise fail(what, f"labels in [0, {n_classes - 1}]", f"label {bad}")
    return logits, labels


def _class_weight(what: str, weight: object, n_classes: int) -> np.ndarray | None:
    if weight is None:
        return None
    weight = as_float_array(f"{what}: weight", weight)
    require_same_shape(what, weight, (n_classes,), "weight (one per class)")
    return weight


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` along the last axis: ``z − max z − log Σ e^(z − max z)`` (stable)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(
    y_hat: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None = None,
    reduction: str = "mean",
) -> float:
    """Multi-class cross-entropy on logits, as ``torch.nn.CrossEntropyLoss``.

    ``y_hat: (N, C)`` logits (no softmax applied), ``y: (N,)`` integer labels in [0, C). Per sample
    ``ℓ_i = −log softmax(z_i)[y_i]``. With class weights ``w: (C,)`` the mean is weighted as torch
    does: ``Σ w[y_i] ℓ_i / Σ w[y_i]`` (not divided by N). ``ignore_index`` and label smoothing are
    not implemented.
    """
    what = "cross_entropy"
    _check_reduction(what, reduction)
    logits, labels = _labels(what, y_hat, y)
    w = _class_weight(what, weight, logits.shape[1])
    nll = -log_softmax(logits)[np.arange(labels.shape[0]), labels]
    if w is None:
        return _reduce(nll, reduction)
    weighted = w[labels] * nll
    if reduction == "sum":
        return float(weighted.sum())
    return float(weighted.sum() / w[labels].sum())


def _penalty_inputs(what: str, params: object, lam: object) -> tuple[list[np.ndarray], float]:
    lam = require_real(f"{what}: lam", lam, 0.0, np.inf, "[0, inf)")
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)) or not params:
        raise fail(f"{what}: params", "a non-empty list of arrays, e.g. [layer.W]", repr(params))
    return [as_float_array(f"{what}: params[{i}]", p) for i, p in enumerate(params)], lam


def l1_penalty(params: list[np.ndarray], lam: float) -> tuple[float, list[np.ndarray]]:
    """L1 penalty ``lam · Σ |w|`` over every entry of ``params``, and its gradient ``lam · sign(w)``.

    Returns ``(value, grads)`` with one gradient per array of ``params``. sign(0) = 0, the
    subgradient torch's autograd uses for ``abs``. Add ``value`` to the loss and each gradient to
    the parameter's gradient before the optimizer step; usually ``params`` are the weights only,
    e.g. ``[layer.W for layer in model if isinstance(layer, Dense)]``.
    """
    params, lam = _penalty_inputs("l1_penalty", params, lam)
    return lam * sum(float(np.abs(p).sum()) for p in params), [lam * np.sign(p) for p in params]


def l2_penalty(params: list[np.ndarray], lam: float) -> tuple[float, list[np.ndarray]]:
    """L2 penalty ``(lam / 2) · Σ w²`` and its gradient ``lam · w``: SGD's ``weight_decay = lam``.

    Returns ``(value, grads)`` as :func:`l1_penalty`. Adding these gradients and stepping plain
    SGD is exactly ``SGD(..., weight_decay=lam)``; with Adam it is Adam's (coupled) weight decay,
    not AdamW's.
    """
    params, lam = _penalty_inputs("l2_penalty", params, lam)
    return 0.5 * lam * sum(float(np.sum(p * p)) for p in params), [lam * p for p in params]


class _Loss:
    """Base class: ``__call__`` stores the validated inputs, ``backward`` differentiates them."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _check_reduction(type(self).__name__, reduction)
        self._inputs: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        value = self._value(y_hat, y)
        self._inputs = (as_float_array("y_hat", y_hat), np.asarray(y))
        return value

    forward = __call__

    def backward(self) -> np.ndarray:
        """dL/d(y_hat) for the last call, shaped like ``y_hat``."""
        if self._inputs is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: expected a call loss(y_hat, y) first, got none"
            )
        return self._grad(*self._inputs)

    def _scale(self, y_hat: np.ndarray) -> float:
        return 1.0 / y_hat.size if self.reduction == "mean" else 1.0

    def _value(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def _grad(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSELoss(_Loss):
    """``L = (1/N) Σ (ŷ − y)²`` (no ½, as torch); ``dL/dŷ = 2 (ŷ − y) / N``.

    The lecture's ½·MSE has ``dL/dŷ = (ŷ − y) / N``: same minimum, half the gradient.
    """

    def _value(self, y_hat, y):
        return mse(y_hat, y, self.reduction)

    def _grad(self, y_hat, y):
        return (y_hat - y) * (2.0 * self._scale(y_hat))


class L1Loss(_Loss):
    """``L = (1/N) Σ |ŷ − y|``; ``dL/dŷ = sign(ŷ − y) / N`` with sign(0) = 0, as torch."""

    def _value(self, y_hat, y):
        return mae(y_hat, y, self.reduction)

    def _grad(self, y_hat, y):
        return np.sign(y_hat - y) * self._scale(y_hat)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (see :func:`binary_cross_entropy`).

    ``dL/dp = (p − y) / max(p (1 − p), 1e-12) / N``: torch's backward, whose floor keeps p = 0 or 1
    finite.
    """

    def _value(self, y_hat, y):
        return binary_cross_entropy(y_hat, y, self.reduction)

    def _grad(self, y_hat, y):
        denom = np.maximum((1.0 - y_hat) * y_hat, BCE_GRAD_EPS)
        return (y_hat - y) / denom * self._scale(y_hat)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (see :func:`binary_cross_entropy_with_logits`).

    ``dL/dz = (σ(z) − y) / N``, or with ``pos_weight`` p: ``((p y + 1 − y) σ(z) − p y) / N``.
    """

    def __init__(
        self, pos_weight: np.ndarray | float | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.pos_weight = (
            None
            if pos_weight is None
            else as_float_array("BCEWithLogitsLoss: pos_weight", pos_weight)
        )

    def _value(self, y_hat, y):
        return binary_cross_entropy_with_logits(y_hat, y, self.pos_weight, self.reduction)

    def _grad(self, y_hat, y):
        s = sigmoid(y_hat)
        if self.pos_weight is None:
            grad = s - y
        else:
            py = self.pos_weight * y
            grad = (py + 1.0 - y) * s - py
        return grad * self._scale(y_hat)


class CrossEntropyLoss(_Loss):
    """Cross-entropy on logits with integer labels (see :func:`cross_entropy`).

    ``dL/dz_i = (softmax(z_i) − onehot(y_i)) / N``; with class weights each row is scaled by
    ``w[y_i] / Σ_k w[y_k]`` instead of 1/N.
    """

    def __init__(self, weight: np.ndarray | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = None if weight is None else as_float_array("CrossEntropyLoss: weight", weight)

    def _value(self, y_hat, y):
        return cross_entropy(y_hat, y, self.weight, self.reduction)

    def _grad(self, y_hat, y):
        n = y_hat.shape[0]
        rows = np.arange(n)
        grad = np.exp(log_softmax(y_hat))
        grad[rows, y] -= 1.0
        if self.weight is None:
            scale = 1.0 / n if self.reduction == "mean" else 1.0
            return grad * scale
        w = self.weight[y]
        if self.reduction == "mean":
            w = w / w.sum()
        return grad * w[:, None]
