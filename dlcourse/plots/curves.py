"""Line plots: activation functions and their derivatives, training curves, gradient norms."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from dlcourse._validation import fail
from dlcourse.scratch import activations as _activations

from .style import COLORS, FIGSIZE, _axes, _numpy

# ---------------------------------------------------------------------------------------------
# Activation functions
# ---------------------------------------------------------------------------------------------


def _activation_pairs() -> dict[str, tuple[Callable, Callable]]:
    """``name -> (f, f')`` for every registered activation with an element-wise derivative."""
    return {
        name: (getattr(_activations, name), getattr(_activations, f"{name}_grad"))
        for name in _activations.ACTIVATIONS
        if hasattr(_activations, f"{name}_grad")
    }


def plot_activations(names: Sequence[str] | None = None, z: np.ndarray | None = None) -> Figure:
    """Activation functions (left) and their derivatives (right), from ``dlcourse.scratch``.

    Args:
        names: registry names, default ``("sigmoid", "tanh", "relu", "leaky_relu")``; any
            activation of ``dlcourse.scratch.activations.ACTIVATIONS`` with a ``<name>_grad``.
        z: the pre-activation values on the x axis, 1-D; default 401 points in [-5, 5].

    Returns:
        The Figure; ``fig.axes[0]`` shows f(z), ``fig.axes[1]`` f'(z), one line per name.
    """
    available = _activation_pairs()
    names = ("sigmoid", "tanh", "relu", "leaky_relu") if names is None else names
    if isinstance(names, str) or not names:
        raise fail("names", "a non-empty list of activation names", repr(names))
    unknown = [name for name in names if name not in available]
    if unknown:
        raise fail("names", f"names among {sorted(available)}", f"unknown {unknown}")
    z = np.linspace(-5.0, 5.0, 401) if z is None else _numpy(z).astype(float)
    if z.ndim != 1 or len(z) < 2:
        raise fail("z", "a 1-D array of at least 2 values", z.shape)
    fig, (ax_f, ax_grad) = plt.subplots(1, 2, figsize=FIGSIZE, layout="constrained", sharex=True)
    for name in names:
        f, grad = available[name]
        ax_f.plot(z, f(z), label=name)
        ax_grad.plot(z, grad(z), label=name)
    ax_f.set(title="activation f(z)", xlabel="z")
    ax_grad.set(title="derivative f'(z)", xlabel="z")
    ax_f.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# Training diagnostics
# ---------------------------------------------------------------------------------------------


def _history_field(history: object, name: str) -> object:
    if isinstance(history, Mapping):
        return history.get(name)
    return getattr(history, name, None)


def plot_training_curves(history: object, ax: Axes | None = None) -> Axes:
    """Training and validation loss per epoch, with a vertical line at the best epoch.

    Args:
        history: a ``dlcourse.training.History`` or a mapping with ``train_loss``, optionally
            ``val_loss`` and ``best_epoch`` (0-based; drawn at epoch ``best_epoch + 1``). The
            best epoch is the early-stopping point: the weights that are restored.
        ax: where to draw; a new slide-sized figure when None.

    Returns:
        The Axes (epochs on x from 1).
    """
    train = _history_field(history, "train_loss")
    if train is None or len(train) == 0:
        raise fail("history", "a History or mapping with a non-empty train_loss", repr(history))
    val = _history_field(history, "val_loss") or []
    if len(val) not in (0, len(train)):
        raise fail("history.val_loss", f"{len(train)} values (one per epoch)", len(val))
    best = _history_field(history, "best_epoch")
    ax = _axes(ax)
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, train, color=COLORS["blue"], label="training loss")
    if len(val):
        ax.plot(epochs, val, color=COLORS["vermillion"], label="validation loss")
    if best is not None:
        if not 0 <= best < len(train):
            raise fail("history.best_epoch", f"an index in [0, {len(train) - 1}]", best)
        ax.axvline(
            best + 1,
            color=COLORS["black"],
            linestyle="--",
            linewidth=1.2,
            label=f"best epoch ({best + 1})",
        )
        if len(val):
            ax.plot(best + 1, val[best], "o", color=COLORS["vermillion"])
    ax.set(xlabel="epoch", ylabel="loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend()
    return ax


def plot_gradient_norms(
    norms: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    xlabel: str = "layer (input → output)",
) -> Axes:
    """Gradient norms per layer on a log scale, one line per setting (e.g. per activation).

    Vanishing gradients show as lines falling towards the input layers, exploding ones as lines
    rising; a zero norm (a dead layer) cannot be drawn on a log axis and leaves a gap.

    Args:
        norms: ``{label: values}``, ``values[l]`` the gradient norm ``||dL/dW^(l+1)||`` of layer
            ``l + 1``; the sequences may differ in length.
        ax: where to draw; a new slide-sized figure when None.
        xlabel: the x axis label (e.g. ``"epoch"`` when the values are over time instead).

    Returns:
        The Axes (one line per label, x from 1, log y).
    """
    if not isinstance(norms, Mapping) or not norms:
        raise fail("norms", "a non-empty dict {label: per-layer norms}", repr(norms))
    ax = _axes(ax)
    for label, values in norms.items():
        values = _numpy(values).astype(float)
        if values.ndim != 1 or len(values) == 0 or np.any(values < 0):
            raise fail(f"norms[{label!r}]", "a 1-D sequence of norms >= 0", values)
        ax.plot(
            np.arange(1, len(values) + 1),
            np.where(values > 0, values, np.nan),
            "o-",
            label=str(label),
        )
    ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel="gradient norm")
    ax.legend()
    return ax
