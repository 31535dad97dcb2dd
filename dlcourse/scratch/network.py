"""Sequential networks: chain layers forward, chain their gradients backward.

``Sequential`` mirrors ``torch.nn.Sequential`` (indexing, ``len``, a torch-like ``repr``) plus the
two halves of backpropagation made explicit::

    model.zero_grad()
    y_hat = model(X)                         # forward, each layer caches what it needs
    value = loss(y_hat, y)
    model.backward(loss.backward())          # chain rule, last layer first
    optimizer.step(model.gradients())        # same order as model.parameters()

``MLP(sizes, ...)`` builds the usual stack. Converting to and from ``torch.nn.Sequential`` lives in
:mod:`dlcourse.torch_bridge`, so this package never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from dlcourse._validation import as_rng, fail, require_ints, require_real, type_name

from .activations import ACTIVATIONS, get_activation
from .layers import INITS, BatchNorm1d, Dense, Dropout, Layer

_PROTOCOL = ("forward", "backward", "params", "grads", "train", "eval")


class Sequential:
    """Layers applied in order; ``x: (batch, in_features)`` of the first layer."""

    def __init__(self, *layers: Layer) -> None:
        for i, layer in enumerate(layers):
            missing = [name for name in _PROTOCOL if not hasattr(layer, name)]
            if missing:
                raise fail(
                    f"Sequential: layer {i}",
                    "a layer with forward, backward, params, grads, train, eval (e.g. Dense(3, 4))",
                    f"{type_name(layer)} without {', '.join(missing)}",
                )
        self.layers: list[Layer] = list(layers)
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Backpropagate dL/d(output); accumulates parameter gradients, returns dL/d(input)."""
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def parameters(self) -> list[np.ndarray]:
        """Every trainable array, layer by layer (the objects the optimizer updates in place)."""
        return [p for layer in self.layers for p in layer.params]

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays, in the order of :meth:`parameters`."""
        return [g for layer in self.layers for g in layer.grads]

    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        """``("<layer index>.<name>", array)`` pairs, e.g. ``"0.W"``, ``"0.b"``, ``"2.W"``."""
        return [
            (f"{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in zip(_names(layer, "param_names", "params"), layer.params, strict=True)
        ]

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """Non-trainable state such as ``"1.running_mean"``."""
        return [
            (f"{i}.{name}", b)
            for i, layer in enumerate(self.layers)
            for name, b in zip(
                _names(layer, "buffer_names", "buffers"), getattr(layer, "buffers", []), strict=True
            )
        ]

    def zero_grad(self) -> None:
        """Zero every gradient in place; needed because backward accumulates, as in torch."""
        for grad in self.gradients():
            grad.fill(0.0)

    def train(self, mode: bool = True) -> Sequential:
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def eval(self) -> Sequential:
        return self.train(False)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __getitem__(self, index: int | slice) -> Layer | Sequential:
        if isinstance(index, slice):
            part = Sequential(*self.layers[index])
            part.training = self.training
            return part
        return self.layers[index]

    def __repr__(self) -> str:
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)" if lines else "Sequential()"


def _names(layer: Layer, attr: str, values: str) -> list[str]:
    """A layer's parameter names, or their positions for a layer that does not name them."""
    names = getattr(layer, attr, None)
    return (
        list(names) if names is not None else [str(k) for k in range(len(getattr(layer, values)))]
    )


def _activation_factory(what: str, activation: str | Callable[[], Layer]) -> Callable[[], Layer]:
    if isinstance(activation, str):
        if activation.lower() not in ACTIVATIONS:
            raise fail(what, f"one of {sorted(ACTIVATIONS)} or a layer class", repr(activation))
        return lambda: get_activation(activation)
    if isinstance(activation, Layer):
        raise fail(
            what,
            "a name or a class/factory (one new layer per position, since layers cache state)",
            f"the instance {activation!r}",
        )
    if callable(activation):
        return activation
    raise fail(what, f"one of {sorted(ACTIVATIONS)} or a layer class", repr(activation))


def MLP(
    sizes: Sequence[int],
    activation: str | Callable[[], Layer] = "relu",
    output: str | Callable[[], Layer] = "identity",
    rng: np.random.Generator | int | None = None,
    init: str = "torch",
    dropout: float = 0.0,
    batch_norm: bool = False,
) -> Sequential:
    """A multilayer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Each hidden block is ``Dense -> [BatchNorm1d] -> activation -> [Dropout(dropout)]``; the last
    block is ``Dense -> output``, where ``output="identity"`` adds no layer (logits/regression,
    as one writes in torch). ``activation`` and ``output`` are registry names (see
    ``ACTIVATIONS``) or classes/factories such as ``lambda: LeakyReLU(0.2)``. All weights and
    dropout masks draw from one generator built from ``rng``, so a seed fixes the whole model;
    ``rng=None`` seeds that generator from NumPy's global state, so ``seed_everything`` fixes it.

    Example: ``MLP([30, 64, 64, 1])`` is Dense(30, 64), ReLU, Dense(64, 64), ReLU, Dense(64, 1).
    """
    sizes = require_ints("MLP: sizes", sizes, minimum=1, min_length=2, example="[30, 64, 1]")
    if init not in INITS:
        raise fail("MLP: init", f"one of {INITS}", repr(init))
    dropout = require_real("MLP: dropout", dropout, 0.0, 1.0, "[0, 1)")
    make_hidden = _activation_factory("MLP: activation", activation)
    make_output = None if output == "identity" else _activation_factory("MLP: output", output)
    rng = as_rng("MLP", rng)
    layers: list[Layer] = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1], strict=True):
        layers.append(Dense(fan_in, fan_out, rng=rng, init=init))
        if batch_norm:
            layers.append(BatchNorm1d(fan_out))
        layers.append(make_hidden())
        if dropout > 0:
            layers.append(Dropout(dropout, rng=rng))
    layers.append(Dense(sizes[-2], sizes[-1], rng=rng, init=init))
    if make_output is not None:
        layers.append(make_output())
    return Sequential(*layers)
