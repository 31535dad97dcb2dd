"""Figures of functions over the plane: loss surfaces with optimizer paths, decision boundaries.

Both evaluate a function on a grid covering the region drawn and colour or contour the values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from dlcourse._validation import fail, require_int

from .style import COLORS, PROBABILITY_CMAP, _axes, _color, _numpy

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


def _is_torch_module(predict: object) -> bool:
    """Whether ``predict`` is a ``torch.nn.Module``, told from its class names (torch not imported)."""
    return any(
        cls.__module__.startswith("torch.nn") and cls.__name__ == "Module"
        for cls in type(predict).__mro__
    )


def _predict_grid(predict: object, grid: np.ndarray) -> np.ndarray:
    """``predict(grid)`` as a NumPy array; ``predict`` must be a function of NumPy points."""
    if _is_torch_module(predict):
        raise fail(
            "predict",
            "a function of NumPy points (n, 2), e.g. lambda X: predict_proba(model, X, device) "
            "for a torch model (it returns logits tensors)",
            type(predict).__name__,
        )
    if not callable(predict):
        raise fail(
            "predict",
            "a function (n, 2) -> labels (n,), probabilities (n,) or probabilities (n, k)",
            type(predict).__name__,
        )
    return _numpy(predict(grid))


def _class_names(names: Sequence[str] | None, n_labels: int) -> list[str]:
    """``names`` checked against the labels 0 ... n_labels-1 (at least two), or the defaults."""
    needed = max(n_labels, 2)
    if names is None:
        return [f"class {k}" for k in range(needed)]
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise fail("class_names", "a sequence of strings, one per class", repr(names))
    if len(names) < needed:
        raise fail(
            "class_names", f"at least {needed} names (labels 0 ... {needed - 1})", len(names)
        )
    return list(names)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 200,
    class_names: Sequence[str] | None = None,
) -> Axes:
    """The regions a classifier assigns to each class, with the data on top.

    ``predict`` is evaluated on a ``resolution x resolution`` grid covering the data (10% margin):

    * a function ``(n, 2) -> (n,)``: class labels (integers) or, for two classes, the
      probability of class 1 (floats in [0, 1]), drawn as a blue-white-vermillion map with the
      p = 0.5 boundary as a black line;
    * a function ``(n, 2) -> (n, k)``: class probabilities; each point gets its ``argmax``
      (``(n, 1)`` is read as ``(n,)``).

    ``predict`` is any function of a NumPy array; this module never runs a model itself. The output
    may be a NumPy array, a list or a tensor (detached and copied to the CPU). A torch model
    returns logits, not probabilities: pass ``lambda X: predict_proba(model, X, device)`` (from
    ``dlcourse.training``, eval mode and no gradients) instead of the model.

    Args:
        predict: the classifier, as above.
        X: points ``(n, 2)``.
        y: labels ``(n,)`` in 0 ... k-1.
        ax: where to draw; a new slide-sized figure when None.
        resolution: grid points per axis (>= 10).
        class_names: a name per class label 0 ... k-1, for the legend and the colour bar
            (``P(<name of class 1>)``); default ``class 0``, ``class 1``, ...

    Returns:
        The Axes.
    """
    X, y = _points_2d(X, y)
    y = _class_labels(y)
    resolution = require_int("resolution", resolution, 10)
    names = _class_names(class_names, int(y.max()) + 1)
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
        ax.figure.colorbar(filled, ax=ax, label=f"P({names[1]})")
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
            label=names[k],
        )
    ax.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]), xlabel="$x_1$", ylabel="$x_2$")
    ax.grid(False)
    ax.legend(loc="upper right", frameon=True)
    return ax
