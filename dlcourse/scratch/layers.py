"""Layers with trainable parameters: Dense, Dropout, BatchNorm1d, and the Layer protocol they share.

Every layer (activations included) follows one protocol, mirroring ``torch.nn.Module``:

- ``forward(x)`` (also ``layer(x)``) validates ``x``, computes the output in ``_forward`` and
  caches the input ``layer.x`` and output ``layer.out`` that ``backward`` needs;
- ``backward(grad_out)`` takes dL/d(output), returns dL/d(input) from ``_backward``, and *adds*
  dL/d(parameter) into ``grads`` as PyTorch's ``.grad`` does, so call ``zero_grad()`` before each
  backward pass;
- ``params`` and ``grads`` are lists of arrays in the same order (``param_names`` names them);
  the optimizers update ``params`` in place, so these are always the same array objects;
- ``buffers`` are non-trainable state (BatchNorm's running statistics), named by ``buffer_names``;
- ``training`` is switched by ``train()`` / ``eval()`` (Dropout and BatchNorm1d behave differently).

Arrays are float64, and ``x: (batch, features)``: there is no loop over samples.
"""

from __future__ import annotations

import numpy as np

from dlcourse._validation import (
    as_float_array,
    as_rng,
    fail,
    global_rng,
    require_2d,
    require_positive_int,
    require_real,
    require_same_shape,
)

INITS = ("torch", "he", "xavier")


class Layer:
    """Base class of every layer: stateless and parameter-free unless a subclass says otherwise.

    ``forward`` and ``backward`` are the boundary: they validate their argument, cache the input
    and output, and call ``_forward(x)`` / ``_backward(grad_out)``, where a subclass writes only the
    maths (as micrograd's ops do). Inside ``_backward`` the cached ``self.x`` (the input) and
    ``self.out`` (the output) of the last forward call are available.
    """

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.param_names: list[str] = []
        self.buffers: list[np.ndarray] = []
        self.buffer_names: list[str] = []
        self.training = True
        self.x: np.ndarray | None = None
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Validate ``x``, compute the output with ``_forward`` and cache both for backward."""
        name = type(self).__name__
        x = as_float_array(f"{name}.forward: x", x)
        self._check_input(f"{name}.forward", x)
        out = self._forward(x)
        self.x, self.out = x, out
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Validate dL/d(output) against the cached output, then return ``_backward``'s dL/d(input)."""
        name = f"{type(self).__name__}.backward"
        if self.out is None:
            raise RuntimeError(f"{name}: expected a forward call before backward, got none")
        grad_out = as_float_array(f"{name}: grad_out", grad_out)
        require_same_shape(name, grad_out, self.out.shape, "grad_out (the forward output's shape)")
        return self._backward(grad_out)

    def _check_input(self, what: str, x: np.ndarray) -> None:
        """Shape checks of a subclass (none by default: elementwise layers take any shape)."""

    def _forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def train(self, mode: bool = True) -> Layer:
        self.training = bool(mode)
        return self

    def eval(self) -> Layer:
        return self.train(False)

    def zero_grad(self) -> None:
        """Set every gradient to zero in place (the arrays stay the same objects)."""
        for grad in self.grads:
            grad.fill(0.0)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Dense(Layer):
    """Fully connected layer ``y = x W^T + b``, as ``torch.nn.Linear``.

    Shapes: ``x: (batch, in_features)``, ``W: (out_features, in_features)``, ``b: (out_features,)``,
    ``y: (batch, out_features)``. The lecture writes ``z = W x + b`` for one column vector ``x``;
    stacking the batch as rows turns that into ``x W^T``, which is what torch computes.

    Backward, with ``g = dL/dy: (batch, out_features)``::

        dL/dW = g^T x    (summed over the batch)     dL/db = sum_batch g     dL/dx = g W

    Initialisation (``init``):

    - ``"torch"`` (default): ``W, b ~ U(-1/sqrt(in), 1/sqrt(in))``, what ``nn.Linear`` does
      (``kaiming_uniform_(a=sqrt(5))`` reduces to this bound);
    - ``"he"``: ``W ~ N(0, 2/in)`` (``kaiming_normal_``, suited to ReLU), ``b = 0``;
    - ``"xavier"``: ``W ~ U(-sqrt(6/(in+out)), sqrt(6/(in+out)))`` (``xavier_uniform_``), ``b = 0``.

    ``rng``: a ``numpy.random.Generator`` (shared, so a model draws from one stream), an int seed,
    or None to follow NumPy's global seed (set by ``seed_everything``), as torch layers follow
    torch's.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator | int | None = None,
        init: str = "torch",
    ) -> None:
        super().__init__()
        self.in_features = require_positive_int("Dense: in_features", in_features)
        self.out_features = require_positive_int("Dense: out_features", out_features)
        if init not in INITS:
            raise fail("Dense: init", f"one of {INITS}", repr(init))
        self.init = init
        rng = as_rng("Dense", rng)
        shape = (self.out_features, self.in_features)
        if init == "torch":
            bound = 1.0 / np.sqrt(self.in_features)
            self.W = rng.uniform(-bound, bound, size=shape)
            self.b = rng.uniform(-bound, bound, size=self.out_features)
        elif init == "he":
            self.W = rng.normal(0.0, np.sqrt(2.0 / self.in_features), size=shape)
            self.b = np.zeros(self.out_features)
        else:
            bound = np.sqrt(6.0 / (self.in_features + self.out_features))
            self.W = rng.uniform(-bound, bound, size=shape)
            self.b = np.zeros(self.out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self.param_names = ["W", "b"]

    def _check_input(self, what: str, x: np.ndarray) -> None:
        require_2d(what, x, "x", self.in_features)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return x @ self.W.T + self.b

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.dW += grad_out.T @ self.x
        self.db += grad_out.sum(axis=0)
        return grad_out @ self.W

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Dropout(Layer):
    """Inverted dropout, as ``torch.nn.Dropout``.

    Training: each element is kept with probability ``1 - p`` (where its draw ``u = rng.random()``
    satisfies ``u >= p``) and scaled by ``1 / (1 - p)``, so the expected output equals the input
    and nothing needs rescaling at test time. ``eval()``: identity. Some texts instead multiply by
    ``1 - p`` at test time ("standard" dropout); torch, and this class, rescale during training.

    Backward multiplies by the same mask: ``dL/dx = mask * g`` with ``mask in {0, 1/(1-p)}``.
    ``p`` must lie in [0, 1) (torch also accepts 1, which zeroes everything). ``rng`` as for
    :class:`Dense`; with None each mask follows NumPy's global seed (set by ``seed_everything``).
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        self.p = require_real("Dropout: p", p, 0.0, 1.0, "[0, 1)")
        self.rng = None if rng is None else as_rng("Dropout", rng)
        self.mask: np.ndarray | None = None

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        rng = global_rng() if self.rng is None else self.rng
        self.mask = (rng.random(x.shape) >= self.p) * (1.0 / (1.0 - self.p))
        return x * self.mask

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out if self.mask is None else grad_out * self.mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Layer):
    """Batch normalisation over the batch axis, as ``torch.nn.BatchNorm1d`` (affine, tracked stats).

    ``x: (batch, num_features)``. Training mode, per feature::

        mu = mean(x)    var = mean((x - mu)^2)            (biased: divide by N)
        x_hat = (x - mu) / sqrt(var + eps)      y = gamma * x_hat + beta
        running_mean <- (1 - momentum) * running_mean + momentum * mu
        running_var  <- (1 - momentum) * running_var  + momentum * var * N / (N - 1)   (unbiased)

    Evaluation mode normalises with ``running_mean`` and ``running_var`` instead. ``gamma`` and
    ``beta`` are torch's ``weight`` and ``bias``. torch's ``momentum`` weights the *new* batch
    (0.1), the opposite of the usual exponential-average "momentum" (0.9) of some textbooks.

    Backward in training mode (the batch statistics depend on x), with ``g = dL/dy``::

        dx_hat = g * gamma
        dL/dx = (N dx_hat - sum(dx_hat) - x_hat sum(dx_hat * x_hat)) / (N sqrt(var + eps))
        dL/dgamma = sum(g * x_hat)      dL/dbeta = sum(g)
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features = require_positive_int("BatchNorm1d: num_features", num_features)
        self.momentum = require_real("BatchNorm1d: momentum", momentum, 0.0, 1.0, "[0, 1]")
        self.eps = require_real("BatchNorm1d: eps", eps, 0.0, np.inf, "(0, inf)")
        self.gamma = np.ones(self.num_features)
        self.beta = np.zeros(self.num_features)
        self.dgamma = np.zeros(self.num_features)
        self.dbeta = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.params = [self.gamma, self.beta]
        self.grads = [self.dgamma, self.dbeta]
        self.param_names = ["gamma", "beta"]
        self.buffers = [self.running_mean, self.running_var]
        self.buffer_names = ["running_mean", "running_var"]
        self.x_hat: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None
        self._batch_stats = True

    def _check_input(self, what: str, x: np.ndarray) -> None:
        require_2d(what, x, "x", self.num_features)
        if self.training and x.shape[0] < 2:
            raise fail(what, "more than 1 sample per batch in training mode", x.shape[0])

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if self.training:
            mean, var = x.mean(axis=0), x.var(axis=0)
            self._update_running_stats(mean, var, n=x.shape[0])
        else:
            mean, var = self.running_mean, self.running_var
        self._batch_stats = self.training
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        self.running_mean *= 1.0 - self.momentum
        self.running_mean += self.momentum * mean
        self.running_var *= 1.0 - self.momentum
        self.running_var += (self.momentum * n / (n - 1)) * var

    def _backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.dgamma += np.sum(grad_out * self.x_hat, axis=0)
        self.dbeta += grad_out.sum(axis=0)
        dx_hat = grad_out * self.gamma
        if not self._batch_stats:  # eval mode: the statistics are constants
            return dx_hat * self.inv_std
        n = dx_hat.shape[0]
        sum_dx_hat = dx_hat.sum(axis=0)
        sum_dx_hat_x_hat = np.sum(dx_hat * self.x_hat, axis=0)
        return (n * dx_hat - sum_dx_hat - self.x_hat * sum_dx_hat_x_hat) * (self.inv_std / n)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
