"""The course's figures in one consistent, colour-blind-safe style.

Call :func:`set_style` once (first cell of every notebook). Every function here draws on the
``ax`` it is given, or on a new slide-sized figure (``FIGSIZE`` = 8 x 4.5 inches, 16:9), and
returns the Axes (one panel) or the Figure (several panels); none calls ``plt.show()``, so a
notebook shows the figure once and a test can inspect what was drawn.

Colours are the Okabe-Ito palette (``PALETTE``, ``COLORS``), distinguishable with the common
colour-vision deficiencies; class 0 is always blue and class 1 vermillion. Continuous values use
``viridis`` (loss surfaces) or a blue-white-vermillion diverging map (probabilities).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.ticker import MaxNLocator
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from dlcourse._validation import fail, require_int
from dlcourse.scratch import activations as _activations

__all__ = [
    "COLORS",
    "FIGSIZE",
    "PALETTE",
    "PROBABILITY_CMAP",
    "plot_activations",
    "plot_calibration",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_loss_surface",
    "plot_network",
    "plot_roc_pr",
    "plot_training_curves",
    "set_style",
]

#: Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies.
COLORS = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "reddish_purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The colour cycle, in order: class k is drawn in ``PALETTE[k]``.
PALETTE = tuple(COLORS.values())
#: 16:9, the shape of a 1280 x 720 slide.
FIGSIZE = (8.0, 4.5)
#: Probability of class 1: blue (0) through white (0.5) to vermillion (1).
PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "dlcourse_probability", [COLORS["blue"], "#FFFFFF", COLORS["vermillion"]]
)


def set_style() -> None:
    """Apply the course style to matplotlib (and thus seaborn): palette, fonts, sizes, grid.

    Font sizes are chosen so that a figure of ``FIGSIZE`` stays readable on a 1280 x 720 slide.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 120,
            "savefig.dpi": 160,
            "savefig.bbox": "tight",
            "font.size": 13,
            "axes.titlesize": 15,
            "axes.labelsize": 14,
            "xtick.labelsize": 12,
            "ytick.labelsize": 12,
            "legend.fontsize": 12,
            "legend.frameon": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "lines.linewidth": 2.0,
            "lines.markersize": 6,
            "image.cmap": "viridis",
            "mathtext.fontset": "dejavusans",
        }
    )


# ---------------------------------------------------------------------------------------------
# Small private helpers
# ---------------------------------------------------------------------------------------------


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    elif not isinstance(ax, Axes):
        raise fail("ax", "None or a matplotlib Axes", type(ax).__name__)
    return ax


def _axes_pair(ax: Sequence[Axes] | None) -> tuple[Figure, Sequence[Axes]]:
    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=FIGSIZE, layout="constrained")
        return fig, axes
    axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else []
    if len(axes) != 2 or not all(isinstance(a, Axes) for a in axes):
        raise fail("ax", "None or a pair of matplotlib Axes", repr(ax))
    return axes[0].figure, axes


def _color(index: int) -> str:
    """The palette colour of class or series ``index`` (repeating after 8)."""
    return PALETTE[index % len(PALETTE)]


def _numpy(values: object) -> np.ndarray:
    """NumPy array from an array-like or a torch tensor (detached, moved to the CPU)."""
    if hasattr(values, "detach") and hasattr(values, "cpu"):
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def _points_2d(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X, y = _numpy(X).astype(float), _numpy(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise fail("X", "points of shape (n, 2)", X.shape)
    if y.shape != (len(X),):
        raise fail("y", f"labels of shape ({len(X)},)", y.shape)
    return X, y


def _class_labels(y: np.ndarray) -> np.ndarray:
    if not np.all(np.equal(np.mod(y, 1), 0)) or np.min(y) < 0:
        raise fail("y", "class labels 0, 1, ..., k-1", f"values {np.unique(y)[:5]}")
    return y.astype(int)


def _binary_scores(y_true: object, scores: object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels 0/1 with both classes, and ``{name: scores}`` (one unnamed array -> "model")."""
    y_true = _numpy(y_true)
    if y_true.ndim != 1 or not np.isin(y_true, (0, 1)).all() or len(np.unique(y_true)) != 2:
        raise fail("y_true", "binary labels 0/1 with both classes present", y_true[:10])
    named = dict(scores) if isinstance(scores, Mapping) else {"model": scores}
    checked = {}
    for name, values in named.items():
        values = _numpy(values).astype(float)
        if values.shape != y_true.shape or not np.all(np.isfinite(values)):
            raise fail(f"scores[{name!r}]", f"finite scores of shape {y_true.shape}", values.shape)
        checked[name] = values
    return y_true.astype(int), checked


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
# Loss surfaces and optimizer trajectories
# ---------------------------------------------------------------------------------------------


def _bounds(bounds: object) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x_min, x_max), (y_min, y_max) = bounds
        x_min, x_max, y_min, y_max = (float(v) for v in (x_min, x_max, y_min, y_max))
    except (TypeError, ValueError):
        raise fail("bounds", "((x_min, x_max), (y_min, y_max))", repr(bounds)) from None
    if not (x_min < x_max and y_min < y_max):
        raise fail("bounds", "x_min < x_max and y_min < y_max", repr(bounds))
    return (x_min, x_max), (y_min, y_max)


def _contour_levels(Z: np.ndarray, levels: int | Sequence[float], log_levels: bool) -> np.ndarray:
    if not isinstance(levels, (int, np.integer)) or isinstance(levels, bool):
        return np.sort(np.asarray(levels, dtype=float))
    levels = require_int("levels", levels, 2)
    low, high = np.nanmin(Z), np.nanmax(Z)
    if not log_levels:
        return np.linspace(low, high, levels)
    # log spacing of the height above the minimum: dense near the minimum where paths converge
    height = high - low
    return low + np.geomspace(height * 1e-6, height, levels)


def plot_loss_surface(
    landscape_fn: Callable[[np.ndarray], np.ndarray] | object,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    trajectories: Mapping[str, np.ndarray] | None = None,
    levels: int | Sequence[float] = 30,
    log_levels: bool = True,
    ax: Axes | None = None,
    resolution: int = 200,
) -> Axes:
    """Contour lines of a 2-D loss surface, with optimizer trajectories drawn on top.

    Args:
        landscape_fn: ``f(xy) -> values`` mapping points ``(..., 2)`` to losses ``(...)``; or a
            ``dlcourse.scratch.landscapes.Landscape`` (its ``f``, its ``bounds`` by default, and
            its minima marked with a star).
        bounds: ``((x_min, x_max), (y_min, y_max))``, the region drawn; trajectories leaving
            it are clipped.
        trajectories: ``{label: path}`` with ``path`` of shape ``(T, 2)`` (e.g. from
            ``landscapes.trajectory``); each is drawn from a circle (start) to a square (end).
            Non-finite points (a diverged run) are skipped.
        levels: number of contour lines, or their explicit values.
        log_levels: with a number of levels, space them logarithmically in height above the
            grid's minimum, ``f_min + geomspace(1e-6 h, h)`` with ``h = f_max - f_min``, so the
            valley floor is resolved; otherwise evenly.
        ax: where to draw; a new slide-sized figure when None.
        resolution: grid points per axis (>= 10).

    Returns:
        The Axes (``ax.collections[0]`` is the contour set, one line per trajectory).
    """
    minima = None
    if hasattr(landscape_fn, "f") and hasattr(landscape_fn, "bounds"):
        minima = getattr(landscape_fn, "minima", None)
        bounds = landscape_fn.bounds if bounds is None else bounds
        landscape_fn = landscape_fn.f
    if not callable(landscape_fn):
        raise fail(
            "landscape_fn", "a function f(xy) of points (..., 2)", type(landscape_fn).__name__
        )
    (x_min, x_max), (y_min, y_max) = _bounds(bounds)
    resolution = require_int("resolution", resolution, 10)
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    Z = _numpy(landscape_fn(np.stack([xx, yy], axis=-1))).astype(float)
    if Z.shape != xx.shape:
        raise fail(
            "landscape_fn(xy)",
            f"values of shape {xx.shape} for xy of shape {(*xx.shape, 2)}",
            Z.shape,
        )
    ax = _axes(ax)
    ax.contour(
        xx,
        yy,
        Z,
        levels=_contour_levels(Z, levels, log_levels),
        cmap="viridis",
        linewidths=1.0,
        alpha=0.8,
    )
    if minima is not None:
        minima = np.atleast_2d(minima)
        ax.plot(
            minima[:, 0],
            minima[:, 1],
            "*",
            color=COLORS["black"],
            markersize=14,
            linestyle="none",
            label="minimum",
        )
    for i, (label, path) in enumerate((trajectories or {}).items()):
        color = _color(i)
        path = _numpy(path).astype(float)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
            raise fail(f"trajectories[{label!r}]", "a path of shape (T, 2)", path.shape)
        path = np.where(np.isfinite(path), path, np.nan)
        ax.plot(path[:, 0], path[:, 1], "-", color=color, linewidth=1.8, label=label)
        ax.plot(*path[0], "o", color=color, markersize=7)
        finite = path[np.isfinite(path).all(axis=1)]
        ax.plot(*finite[-1], "s", color=color, markersize=7)
    ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max), xlabel="$w_1$", ylabel="$w_2$")
    ax.grid(False)
    if trajectories or minima is not None:
        ax.legend(loc="best")
    return ax


# ---------------------------------------------------------------------------------------------
# Decision boundaries
# ---------------------------------------------------------------------------------------------


def _predict_grid(predict: object, grid: np.ndarray) -> np.ndarray:
    torch = sys.modules.get("torch")  # a torch model is only possible once torch is imported
    if torch is not None and isinstance(predict, torch.nn.Module):
        from dlcourse.training import predict_proba

        parameter = next(predict.parameters(), None)
        device = parameter.device if parameter is not None else "cpu"
        return predict_proba(predict, grid, device)
    if not callable(predict):
        raise fail(
            "predict",
            "a function (n, 2) -> labels or probabilities, or a torch model",
            type(predict).__name__,
        )
    return _numpy(predict(grid))


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray] | object,
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 200,
) -> Axes:
    """The regions a classifier assigns to each class, with the data on top.

    ``predict`` is evaluated on a ``resolution x resolution`` grid covering the data (10% margin):

    * a function ``(n, 2) -> (n,)``: class labels (integers) or, for two classes, the
      probability of class 1 (floats in [0, 1]), drawn as a blue-white-vermillion map with the
      p = 0.5 boundary as a black line;
    * a function ``(n, 2) -> (n, k)``: class probabilities; each point gets its ``argmax``;
    * a ``torch.nn.Module`` returning logits: run in eval mode under ``torch.no_grad()`` on the
      device of its parameters (``dlcourse.training.predict_proba``): one output -> sigmoid,
      probability of class 1; ``k`` outputs -> softmax, then argmax.

    Args:
        predict: the classifier, as above.
        X: points ``(n, 2)``.
        y: labels ``(n,)`` in 0 ... k-1.
        ax: where to draw; a new slide-sized figure when None.
        resolution: grid points per axis (>= 10).

    Returns:
        The Axes.
    """
    X, y = _points_2d(X, y)
    y = _class_labels(y)
    resolution = require_int("resolution", resolution, 10)
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    output = _predict_grid(predict, grid)
    if output.ndim == 2 and output.shape[1] == 1:
        output = output[:, 0]
    if output.shape[0] != len(grid) or output.ndim not in (1, 2):
        raise fail(
            "predict(X)", f"an output of shape ({len(grid)},) or ({len(grid)}, k)", output.shape
        )
    ax = _axes(ax)
    n_classes = max(int(y.max()) + 1, 2)
    probability = output.ndim == 1 and not np.all(np.equal(np.mod(output, 1), 0))
    if probability:
        if output.min() < 0 or output.max() > 1:
            raise fail(
                "predict(X)",
                "labels or probabilities in [0, 1]",
                f"values in [{output.min():.3g}, {output.max():.3g}]",
            )
        p = output.reshape(xx.shape)
        filled = ax.contourf(
            xx, yy, p, levels=np.linspace(0, 1, 11), cmap=PROBABILITY_CMAP, alpha=0.7
        )
        ax.contour(xx, yy, p, levels=[0.5], colors=COLORS["black"], linewidths=1.5)
        ax.figure.colorbar(filled, ax=ax, label="P(class 1)")
    else:
        labels = output.argmax(axis=1) if output.ndim == 2 else output.astype(int)
        n_classes = max(n_classes, int(labels.max()) + 1)
        colors = ListedColormap([_color(k) for k in range(n_classes)])
        ax.contourf(
            xx,
            yy,
            labels.reshape(xx.shape),
            levels=np.arange(n_classes + 1) - 0.5,
            cmap=colors,
            alpha=0.25,
        )
    for k in range(int(y.max()) + 1):
        members = y == k
        ax.scatter(
            X[members, 0],
            X[members, 1],
            s=22,
            color=_color(k),
            edgecolors="white",
            linewidths=0.5,
            label=f"class {k}",
        )
    ax.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]), xlabel="$x_1$", ylabel="$x_2$")
    ax.grid(False)
    ax.legend(loc="upper right", frameon=True)
    return ax


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


# ---------------------------------------------------------------------------------------------
# Network diagram
# ---------------------------------------------------------------------------------------------


def _layer_label(index: int, size: int, n_layers: int) -> str:
    units = f"{size} unit{'s' if size != 1 else ''}"
    if index == 0:
        return f"input\n{size} feature{'s' if size != 1 else ''}"
    if index == n_layers - 1:
        return f"output\n{units}"
    return f"hidden {index}\n{units}"


def plot_network(
    sizes: Sequence[int],
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    max_units: int = 10,
) -> Axes:
    """A feedforward network drawn as circles (units) and lines (weights), e.g. ``[3, 4, 1]``.

    Every unit of a layer connects to every unit of the next (a dense layer). A layer wider
    than ``max_units`` shows its first and last ``max_units // 2`` units with a vertical
    ellipsis between, and its true size in the label.

    Args:
        sizes: units per layer, input first, at least two layers, each >= 1.
        ax: where to draw; a new slide-sized figure when None.
        labels: one label per layer (default "input / hidden l / output" with sizes).
        max_units: the most units drawn per layer (>= 2).

    Returns:
        The Axes (``ax.patches``: one circle per drawn unit; ``ax.collections[0]``: the edges).
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise fail("sizes", "a list of at least two layer sizes, e.g. [3, 4, 1]", repr(sizes))
    sizes = [require_int(f"sizes[{i}]", size, 1) for i, size in enumerate(sizes)]
    max_units = require_int("max_units", max_units, 2)
    if labels is None:
        labels = [_layer_label(i, size, len(sizes)) for i, size in enumerate(sizes)]
    elif isinstance(labels, str) or len(labels) != len(sizes):
        raise fail("labels", f"{len(sizes)} labels (one per layer)", repr(labels))
    ax = _axes(ax)
    shown = [min(size, 2 * (max_units // 2)) if size > max_units else size for size in sizes]
    height = max(shown)
    # layers further apart than units, so that the edges between them stay visible
    spacing = max(2.5, 0.6 * height)
    positions = []
    for layer, (size, count) in enumerate(zip(sizes, shown, strict=True)):
        ys = (np.arange(count) - (count - 1) / 2)[::-1]
        if size > count:  # leave a gap for the ellipsis between the two halves
            ys = ys + np.where(np.arange(count) < count // 2, 0.5, -0.5)
            ax.text(layer * spacing, 0, "⋮", ha="center", va="center", fontsize=18)
        positions.append(np.column_stack([np.full(count, layer * spacing), ys]))
    edges = [
        [start, end]
        for left, right in itertools.pairwise(positions)
        for start in left
        for end in right
    ]
    ax.add_collection(LineCollection(edges, colors="0.6", linewidths=0.8, zorder=1))
    for layer, points in enumerate(positions):
        role = "sky_blue" if layer == 0 else "vermillion" if layer == len(sizes) - 1 else "orange"
        for x, y in points:
            ax.add_patch(
                Circle(
                    (x, y), 0.22, facecolor=COLORS[role], edgecolor="black", linewidth=1.0, zorder=2
                )
            )
        ax.text(layer * spacing, -(height / 2 + 0.9), labels[layer], ha="center", va="top")
    ax.set_xlim(-0.6 * spacing, (len(sizes) - 0.4) * spacing)
    ax.set_ylim(-(height / 2 + 2.3), height / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ---------------------------------------------------------------------------------------------
# Classifier evaluation
# ---------------------------------------------------------------------------------------------


def plot_roc_pr(
    y_true: np.ndarray,
    scores: np.ndarray | Mapping[str, np.ndarray],
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """ROC curve (left) and precision-recall curve (right) of one or several binary classifiers.

    Args:
        y_true: labels ``(n,)`` in {0, 1}; 1 is the positive class (e.g. malignant).
        scores: scores or probabilities of class 1, ``(n,)``; or ``{name: scores}`` to compare
            models (e.g. logistic regression vs MLP).
        ax: a pair of Axes, or None for a new figure.

    Returns:
        The Figure. Legends give the ROC AUC and the average precision (AP); the dashed lines
        are chance: the diagonal (ROC) and the prevalence of class 1 (PR).
    """
    y_true, named = _binary_scores(y_true, scores)
    fig, (ax_roc, ax_pr) = _axes_pair(ax)
    for i, (name, values) in enumerate(named.items()):
        color = _color(i)
        fpr, tpr, _ = roc_curve(y_true, values)
        precision, recall, _ = precision_recall_curve(y_true, values)
        ax_roc.plot(
            fpr, tpr, color=color, label=f"{name} (AUC {roc_auc_score(y_true, values):.3f})"
        )
        ax_pr.step(
            recall,
            precision,
            where="post",
            color=color,
            label=f"{name} (AP {average_precision_score(y_true, values):.3f})",
        )
    ax_roc.plot([0, 1], [0, 1], "--", color="0.5", linewidth=1, label="chance")
    ax_pr.axhline(y_true.mean(), linestyle="--", color="0.5", linewidth=1, label="chance")
    ax_roc.set(
        xlabel="false positive rate (1 − specificity)",
        ylabel="true positive rate (sensitivity)",
        title="ROC",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax_pr.set(
        xlabel="recall (sensitivity)",
        ylabel="precision",
        title="precision–recall",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax_roc.legend(loc="lower right")
    ax_pr.legend(loc="lower left")
    return fig


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str],
    ax: Axes | None = None,
) -> Axes:
    """Confusion matrix: rows are true classes, columns predicted classes.

    Each cell shows the count and, below it, the share of its row (for the positive class's row
    of a binary problem, the right cell is the sensitivity).

    Args:
        y_true: true labels ``(n,)`` in ``0 ... len(class_names) - 1``.
        y_pred: predicted labels ``(n,)``, same range.
        class_names: ``class_names[k]`` names label k.
        ax: where to draw; a new figure when None.

    Returns:
        The Axes.
    """
    y_true, y_pred = _numpy(y_true), _numpy(y_pred)
    if y_true.ndim != 1 or y_pred.shape != y_true.shape or len(y_true) == 0:
        raise fail("y_pred", f"labels of the same shape as y_true {y_true.shape}", y_pred.shape)
    if isinstance(class_names, str) or len(class_names) < 2:
        raise fail("class_names", "at least two names", repr(class_names))
    k = len(class_names)
    for what, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.isin(labels, np.arange(k)).all():
            raise fail(
                what, f"labels in 0 ... {k - 1} (one per class name)", f"values {np.unique(labels)}"
            )
    counts = confusion_matrix(y_true.astype(int), y_pred.astype(int), labels=np.arange(k))
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax, figsize=(5.5, 4.5))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                f"{counts[i, j]}\n{shares[i, j]:.0%}",
                ha="center",
                va="center",
                color="white" if shares[i, j] > 0.5 else "black",
            )
    ax.set(
        xticks=range(k),
        yticks=range(k),
        xticklabels=class_names,
        yticklabels=class_names,
        xlabel="predicted",
        ylabel="true",
    )
    ax.grid(False)
    return ax


def plot_calibration(
    y_true: np.ndarray,
    probs: np.ndarray | Mapping[str, np.ndarray],
    n_bins: int = 10,
    ax: Axes | None = None,
) -> Axes:
    """Reliability diagram: observed frequency of class 1 against the predicted probability.

    Predictions are grouped into ``n_bins`` equal-width bins of ``p``; a calibrated model lies
    on the diagonal (of the cases given p ~ 0.8, about 80% are positive). The legend gives the
    Brier score ``(1/n) sum (p_i - y_i)^2`` (lower is better).

    Args:
        y_true: labels ``(n,)`` in {0, 1}.
        probs: probabilities of class 1 ``(n,)``, or ``{name: probs}`` to compare models.
        n_bins: number of bins (>= 2).
        ax: where to draw; a new figure when None.

    Returns:
        The Axes.
    """
    y_true, named = _binary_scores(y_true, probs)
    n_bins = require_int("n_bins", n_bins, 2)
    ax = _axes(ax, figsize=(5.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="0.5", linewidth=1, label="perfectly calibrated")
    for i, (name, p) in enumerate(named.items()):
        color = _color(i)
        if p.min() < 0 or p.max() > 1:
            raise fail(
                f"probs[{name!r}]",
                "probabilities in [0, 1]",
                f"values in [{p.min():.3g}, {p.max():.3g}]",
            )
        observed, predicted = calibration_curve(y_true, p, n_bins=n_bins, strategy="uniform")
        ax.plot(
            predicted,
            observed,
            "o-",
            color=color,
            label=f"{name} (Brier {brier_score_loss(y_true, p):.3f})",
        )
    ax.set(
        xlabel="predicted probability",
        ylabel="observed frequency of class 1",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(loc="upper left")
    return ax


# --- notebook 01/02 ---


def plot_flowchart(
    rows: Mapping[str, Sequence[str]],
    ax: Axes | None = None,
    highlight: Mapping[str, Sequence[int]] | None = None,
) -> Axes:
    """Rows of boxes joined by arrows, one row per pipeline (e.g. classic ML vs deep learning).

    Each row is drawn left to right: its name on the left, then one box per step with an arrow
    from each step to the next. Boxes listed in ``highlight[row]`` (0-based step indices) are
    filled in orange, the others in sky blue, so a figure can point at the steps that differ.

    Args:
        rows: ``{row name: [step text, ...]}``, at least one row, each with at least one step;
            step texts may contain newlines and matplotlib mathtext.
        ax: where to draw; a new slide-sized figure when None.
        highlight: ``{row name: [step index, ...]}`` of boxes to emphasise (default none).

    Returns:
        The Axes (``ax.texts``: per row, its name then its boxes and the arrows between them, the
        arrows being ``Annotation`` objects with empty text).
    """
    if not isinstance(rows, Mapping) or not rows:
        raise fail("rows", "a non-empty mapping {row name: [step, ...]}", repr(rows))
    for name, steps in rows.items():
        if isinstance(steps, str) or not isinstance(steps, Sequence) or not steps:
            raise fail(f"rows[{name!r}]", "a non-empty list of step texts", repr(steps))
    highlight = {} if highlight is None else dict(highlight)
    unknown = [name for name in highlight if name not in rows]
    if unknown:
        raise fail("highlight", f"row names among {list(rows)}", f"unknown {unknown}")
    ax = _axes(ax)
    n_steps = max(len(steps) for steps in rows.values())
    spacing = 2.4
    for r, (name, steps) in enumerate(rows.items()):
        y = -1.5 * r
        ax.text(-1.0, y + 0.62, name, ha="left", va="bottom", fontweight="bold")
        marked = set(highlight.get(name, ()))
        previous = None
        for k, step in enumerate(steps):
            color = COLORS["orange"] if k in marked else COLORS["sky_blue"]
            box = {"boxstyle": "round,pad=0.4", "facecolor": color, "alpha": 0.35}
            text = ax.text(k * spacing, y, step, ha="center", va="center", fontsize=11, bbox=box)
            if previous is not None:  # arrow from the right edge of one box to the left of the next
                ax.annotate(
                    "",
                    xy=(0.0, 0.5),
                    xycoords=text,
                    xytext=(1.0, 0.5),
                    textcoords=previous,
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": "0.3",
                        "lw": 1.5,
                        "shrinkA": 6,
                        "shrinkB": 6,
                    },
                )
            previous = text
    ax.set_xlim(-1.1, spacing * (n_steps - 1) + 1.1)
    ax.set_ylim(-1.5 * (len(rows) - 1) - 0.8, 1.1)
    ax.axis("off")
    return ax


# --- notebook 03/04 ---


def plot_computational_graph(
    nodes: Mapping[str, tuple[float, float, str]],
    edges: Sequence[tuple[str, str]],
    forward: Mapping[str, str] | None = None,
    backward: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A computational graph: one box per value or operation, arrows in the forward direction.

    The forward value of a node is written above its box (blue) and the gradient that the
    backward pass brings to it, ``∂L/∂node``, below (vermillion), so one figure shows both
    passes of backpropagation.

    Args:
        nodes: ``{name: (x, y, label)}``: box centre in data coordinates and the text in the box
            (matplotlib mathtext allowed, e.g. ``"$z = wx + b$"``); at least one node.
        edges: ``[(from_name, to_name), ...]``: arrows from an input to the node that uses it.
        forward: ``{name: text}`` written above the box, e.g. ``{"z": "0.7"}`` (optional).
        backward: ``{name: text}`` written below the box, e.g. ``{"z": "∂L/∂z = -0.1"}``
            (optional).
        ax: where to draw; a new slide-sized figure when None.

    Returns:
        The Axes (``ax.texts``: the boxes in the order of ``nodes``, then the forward texts, then
        the backward texts).
    """
    if not isinstance(nodes, Mapping) or not nodes:
        raise fail("nodes", "a non-empty mapping {name: (x, y, label)}", repr(nodes))
    for name, spec in nodes.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 3:
            raise fail(f"nodes[{name!r}]", "a triple (x, y, label)", repr(spec))
    for edge in edges:
        if not isinstance(edge, (tuple, list)) or len(edge) != 2:
            raise fail("edges", "pairs (from_name, to_name)", repr(edge))
        unknown = [end for end in edge if end not in nodes]
        if unknown:
            raise fail("edges", f"node names among {list(nodes)}", f"unknown {unknown}")
    notes = {"forward": dict(forward or {}), "backward": dict(backward or {})}
    for what, texts in notes.items():
        unknown = [name for name in texts if name not in nodes]
        if unknown:
            raise fail(what, f"node names among {list(nodes)}", f"unknown {unknown}")
    ax = _axes(ax)
    boxes = {}
    for name, (x, y, label) in nodes.items():
        box = {"boxstyle": "round,pad=0.4", "facecolor": COLORS["sky_blue"], "alpha": 0.3}
        boxes[name] = ax.text(float(x), float(y), label, ha="center", va="center", bbox=box)
    for start, end in edges:
        ax.annotate(
            "",
            xy=(0.0, 0.5),
            xycoords=boxes[end],
            xytext=(1.0, 0.5),
            textcoords=boxes[start],
            arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 1.5, "shrinkA": 6, "shrinkB": 6},
        )
    for what, offset, color, va in (
        ("forward", 0.42, COLORS["blue"], "bottom"),
        ("backward", -0.42, COLORS["vermillion"], "top"),
    ):
        for name, text in notes[what].items():
            x, y, _ = nodes[name]
            ax.text(float(x), float(y) + offset, text, ha="center", va=va, color=color, fontsize=11)
    xs = [float(spec[0]) for spec in nodes.values()]
    ys = [float(spec[1]) for spec in nodes.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    ax.axis("off")
    return ax


def plot_neuron(
    input_labels: Sequence[str] = ("$x_1$", "$x_2$", "$x_3$"),
    ax: Axes | None = None,
    activation: str = "$f$",
    output_label: str = "$y$",
) -> Axes:
    r"""One artificial neuron: inputs, weighted edges, the sum and activation, the output.

    Inputs are drawn as circles on the left, each joined to the neuron by an edge labelled
    ``w_i``; the neuron is a circle split into the weighted sum ``Σ`` (with the bias ``b``) and the
    activation; an arrow leads to the output ``y = f(Σ_i w_i x_i + b)``.

    Args:
        input_labels: one label per input (at least one), e.g. gene names or ``$x_1$``.
        ax: where to draw; a new figure of 6 x 3.4 inches when None.
        activation: the text in the activation half of the neuron, e.g. ``"$\\sigma$"``.
        output_label: the text at the output arrow.

    Returns:
        The Axes (``ax.patches``: one circle per input, then the neuron's circle).
    """
    if isinstance(input_labels, str) or not isinstance(input_labels, Sequence) or not input_labels:
        raise fail("input_labels", "a non-empty list of labels", repr(input_labels))
    ax = _axes(ax, figsize=(6.0, 3.4))
    n = len(input_labels)
    ys = (np.arange(n) - (n - 1) / 2)[::-1] * 1.1
    centre = np.array([3.0, 0.0])
    radius = 0.75
    for i, (y, label) in enumerate(zip(ys, input_labels, strict=True)):
        ax.add_patch(Circle((0.0, y), 0.3, facecolor=COLORS["sky_blue"], edgecolor="black"))
        ax.text(-0.45, y, label, ha="right", va="center")
        start = np.array([0.3, y])
        direction = centre - start
        end = centre - radius * direction / np.linalg.norm(direction)
        ax.annotate(
            "", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "0.4", "lw": 1.2}
        )
        middle = start + 0.4 * (end - start)
        ax.text(
            middle[0],
            middle[1] + 0.12,
            f"$w_{{{i + 1}}}$",
            ha="center",
            va="bottom",
            color=COLORS["vermillion"],
        )
    ax.add_patch(
        Circle(tuple(centre), radius, facecolor=COLORS["orange"], alpha=0.5, edgecolor="black")
    )
    ax.plot([centre[0], centre[0]], [-radius, radius], color="black", lw=1)
    ax.text(centre[0] - radius / 2, 0, "$\\Sigma$", ha="center", va="center", fontsize=18)
    ax.text(centre[0] + radius / 2, 0, activation, ha="center", va="center", fontsize=18)
    ax.text(centre[0], -radius - 0.15, "$+\\,b$", ha="center", va="top")
    ax.annotate(
        "",
        xy=(centre[0] + radius + 1.0, 0),
        xytext=(centre[0] + radius, 0),
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
    )
    ax.text(centre[0] + radius + 1.1, 0, output_label, ha="left", va="center")
    ax.set_xlim(-1.9, centre[0] + radius + 2.4)
    ax.set_ylim(min(ys.min(), -radius) - 0.7, max(ys.max(), radius) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
