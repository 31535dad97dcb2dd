"""Optimizers with torch.optim's update rules, step for step.

``params`` is a list of float arrays (e.g. ``model.parameters()``); ``step(grads)`` updates them in
place from a list of gradients in the same order (e.g. ``model.gradients()``). Per-parameter state
lives in ``optimizer.state[i]`` under torch's key names (``"momentum_buffer"``, ``"exp_avg"``,
``"exp_avg_sq"``, ``"sum"``, ``"square_avg"``, ``"grad_avg"``, ``"step"``), created on the first step.

Each update is written in the order torch evaluates it (``p + (-lr * m) / denom`` rather than
``p - lr * (m / denom)``) so that 200 steps agree with torch.optim to ~1e-14 relative, not merely
"closely". Where the lecture writes a rule differently, the class docstring says how.
"""

from __future__ import annotations

import numpy as np

from dlcourse._validation import as_float_array, fail, require_real, type_name

_INF = float("inf")


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight (end − start)`` in place, with torch.lerp's two branches for accuracy."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end + (weight - 1.0) * (end - start)


def _check_param(what: str, p: object) -> None:
    """A parameter must be a writable float array: ``step`` updates it in place."""
    if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
        got = f"dtype {p.dtype}" if isinstance(p, np.ndarray) else type_name(p)
        raise fail(what, "a float numpy array (updated in place)", got)
    if not p.flags.writeable:
        raise fail(what, "a writable array (updated in place)", "a read-only array")


class Optimizer:
    """Base class: validates ``params``/``lr``, checks ``grads`` and applies ``_update`` to each."""

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        name = type(self).__name__
        params = list(params) if isinstance(params, (list, tuple)) else params
        if not isinstance(params, list) or not params:
            raise fail(f"{name}: params", "a non-empty list of float arrays", type_name(params))
        for i, p in enumerate(params):
            _check_param(f"{name}: params[{i}]", p)
            shared = next((j for j in range(i) if np.shares_memory(p, params[j])), None)
            if shared is not None:
                raise fail(
                    f"{name}: params[{i}]",
                    "each parameter once (a repeated array would be stepped twice)",
                    f"the same array as params[{shared}]",
                )
        self.params: list[np.ndarray] = params
        self.lr = require_real(f"{name}: lr", lr, 0.0, _INF, "(0, inf)")
        self.state: dict[int, dict] = {i: {} for i in range(len(params))}

    def step(self, grads: list[np.ndarray]) -> None:
        """Update every parameter in place from ``grads`` (same order and shapes as ``params``)."""
        name = f"{type(self).__name__}.step"
        if not isinstance(grads, (list, tuple)) or len(grads) != len(self.params):
            got = f"{len(grads)}" if isinstance(grads, (list, tuple)) else type_name(grads)
            raise fail(name, f"a list of {len(self.params)} gradients (one per parameter)", got)
        checked = []
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            g = as_float_array(f"{name}: grads[{i}]", g)
            if g.shape != p.shape:
                raise fail(name, f"grads[{i}] of shape {p.shape}", tuple(g.shape))
            checked.append(g)
        for i, (p, g) in enumerate(zip(self.params, checked, strict=True)):
            self._update(p, g, self.state[i])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def _nonneg(self, what: str, value: float) -> float:
        return require_real(f"{type(self).__name__}: {what}", value, 0.0, _INF, "[0, inf)")

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("params", "state"))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov and L2 weight decay (torch.optim.SGD).

    With ``g = grad + weight_decay · p``::

        b = g                                    on the first step (torch: the buffer starts at g)
        b = momentum · b + (1 − dampening) · g   afterwards
        d = g + momentum · b  (nesterov)   or   d = b   (classical)   or   d = g   (momentum = 0)
        p = p − lr · d

    The lecture writes ``v = β v + g; θ = θ − η v``: exactly this rule with ``dampening = 0``
    (the buffer starts at zero there, so its first step is also ``v = g``). Textbooks also write
    the moving average ``v = β v + (1 − β) g``, which is ``dampening = β`` except on the first step,
    where torch takes ``b = g`` rather than ``(1 − β) g``; and the velocity form
    ``v = β v − η g; θ = θ + v``, which equals torch's for a constant learning rate.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = self._nonneg("momentum", momentum)
        self.dampening = require_real("SGD: dampening", dampening, -_INF, _INF, "(-inf, inf)")
        self.nesterov = bool(nesterov)
        self.weight_decay = self._nonneg("weight_decay", weight_decay)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise fail(
                "SGD: nesterov",
                "momentum > 0 and dampening = 0",
                f"momentum={self.momentum}, dampening={self.dampening}",
            )

    def _update(self, p, g, state):
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p += -self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad (torch.optim.Adagrad): per-coordinate steps shrinking with the summed squared gradient.

    With ``g = grad + weight_decay · p`` and step count t = 1, 2, ...::

        lr_t = lr / (1 + (t − 1) · lr_decay)
        G = G + g²                    (G starts at initial_accumulator_value)
        p = p − lr_t · g / (sqrt(G) + eps)

    ``eps`` sits outside the square root (some texts write ``sqrt(G + eps)``); torch's default is
    1e-10.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay = self._nonneg("lr_decay", lr_decay)
        self.weight_decay = self._nonneg("weight_decay", weight_decay)
        self.initial_accumulator_value = self._nonneg(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = self._nonneg("eps", eps)

    def _update(self, p, g, state):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        state["step"] += 1
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += g * g
        std = np.sqrt(state["sum"])
        std += self.eps
        p += (-clr * g) / std


class RMSProp(Optimizer):
    """RMSProp (torch.optim.RMSprop), optionally centred and with momentum.

    With ``g = grad + weight_decay · p``::

        s = alpha · s + (1 − alpha) · g²                      (s starts at 0)
        centred: a = alpha · a + (1 − alpha) · g;  d = sqrt(s − a²) + eps,  else d = sqrt(s) + eps
        momentum > 0: b = momentum · b + g / d;  p = p − lr · b     (b starts at 0)
        otherwise:    p = p − lr · g / d

    The lecture's decay rate γ ≈ 0.9 is torch's ``alpha``, whose default is 0.99. ``eps`` is added
    outside the square root. Unlike SGD, the momentum buffer starts at zero.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = require_real("RMSProp: alpha", alpha, 0.0, 1.0, "[0, 1]")
        self.eps = self._nonneg("eps", eps)
        self.weight_decay = self._nonneg("weight_decay", weight_decay)
        self.momentum = self._nonneg("momentum", momentum)
        self.centered = bool(centered)

    def _update(self, p, g, state):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p)
            if self.momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p)
        state["step"] += 1
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1.0 - self.alpha) * g * g
        if self.centered:
            grad_avg = state["grad_avg"]
            _lerp_(grad_avg, g, 1.0 - self.alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            p += -self.lr * buf
        else:
            p += (-self.lr * g) / avg


class Adam(Optimizer):
    """Adam (torch.optim.Adam), with optional L2 weight decay and AMSGrad.

    With ``g = grad + weight_decay · p`` and step count t = 1, 2, ...::

        m = β1 m + (1 − β1) g        v = β2 v + (1 − β2) g²           (both start at 0)
        v_max = max(v_max, v)  if amsgrad, and v_max replaces v below
        p = p − lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)

    That is the paper's ``p − lr · m̂ / (sqrt(v̂) + eps)`` with ``m̂ = m/(1 − β1^t)``,
    ``v̂ = v/(1 − β2^t)``: ``eps`` is added after the bias correction, outside the square root.
    Weight decay here is L2 (added to the gradient, then rescaled by Adam); see :class:`AdamW`.
    """

    _decoupled = False

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise fail(f"{name}: betas", "a pair (beta1, beta2)", repr(betas))
        self.betas = (
            require_real(f"{name}: betas[0]", betas[0], 0.0, 1.0, "[0, 1)"),
            require_real(f"{name}: betas[1]", betas[1], 0.0, 1.0, "[0, 1)"),
        )
        self.eps = self._nonneg("eps", eps)
        self.weight_decay = self._nonneg("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)

    def _update(self, p, g, state):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        beta1, beta2 = self.betas
        if self.weight_decay != 0:
            if self._decoupled:
                p *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        _lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * g * g
        step = float(state["step"])
        step_size = self.lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second = state["max_exp_avg_sq"]
        else:
            second = exp_avg_sq
        denom = np.sqrt(second) / bias_correction2_sqrt
        denom += self.eps
        p += (-step_size * exp_avg) / denom


class AdamW(Adam):
    """AdamW (torch.optim.AdamW): Adam with *decoupled* weight decay, default 1e-2.

    Before the Adam step (which then uses the raw gradient): ``p = p · (1 − lr · weight_decay)``.
    Unlike Adam's L2 term, this shrinkage is not divided by ``sqrt(v̂)``, so every weight decays
    at the same relative rate.
    """

    _decoupled = True

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
