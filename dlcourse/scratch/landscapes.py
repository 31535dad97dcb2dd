"""Two-dimensional test functions with analytic gradients, and optimizer trajectories on them.

Each :class:`Landscape` evaluates ``f`` on points ``xy: (..., 2)`` (a grid for contour plots or a
single point) and its gradient ``grad`` with the same leading shape. :func:`trajectory` runs any
optimizer from :mod:`dlcourse.scratch.optim` on one of them and returns the path, which is what
notebook 03's race of optimizers plots::

    path = trajectory(lambda params: Adam(params, lr=0.1), ROSENBROCK, steps=500)   # (501, 2)

The four landscapes (``LANDSCAPES`` maps these names to them):

- ``ill_conditioned_quadratic``: ``½ (x² + 25 y²)``, minimum (0, 0), a ravine with condition number
  25: gradient descent is stable only for lr < 2/25 and then crawls along x while zig-zagging
  across y; momentum and per-coordinate scaling (RMSProp, Adam) each fix one of the two problems;
- ``rosenbrock``: ``(1 − x)² + 100 (y − x²)²``, minimum (1, 1) at the end of a curved, flat valley;
- ``saddle``: ``x² − y² + y⁴/4``, a saddle point at (0, 0). The quartic term bounds it below, so
  the two minima (0, ±√2), f = −1, exist and optimizers have somewhere to go. The default start
  (−2, 0.01) lies almost on the ridge line y = 0, where the gradient's y-component is tiny;
- ``multimodal``: Himmelblau's ``(x² + y − 11)² + (x + y² − 7)²``, four minima with f = 0 (all
  global; ``minimum`` is (3, 2)), a local maximum near (−0.27, −0.92) and four saddles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlcourse._validation import (
    as_float_array,
    fail,
    require_callable,
    require_instance,
    require_int,
    require_same_shape,
)

from .optim import Optimizer


@dataclass(frozen=True, eq=False)
class Landscape:
    """A test function ``f: R² -> R`` with its gradient and plotting hints.

    ``f(xy)``: ``xy: (..., 2)`` -> ``(...)`` (a float for a single point); ``grad(xy)``: ``(..., 2)``.
    ``minimum``: a global minimiser, ``(2,)``; ``minima``: every known local minimiser, ``(k, 2)``;
    ``bounds``: ``((x_min, x_max), (y_min, y_max))`` for plots; ``x0``: a starting point that shows
    the function's difficulty.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minimum: np.ndarray
    minima: np.ndarray
    bounds: tuple[tuple[float, float], tuple[float, float]]
    x0: np.ndarray

    def __post_init__(self) -> None:
        # Shared module-level instances: a notebook must not move the minimum by accident.
        for array in (self.minimum, self.minima, self.x0):
            array.flags.writeable = False

    def __repr__(self) -> str:
        return f"Landscape({self.name!r}, minimum={self.minimum.tolist()})"


def _xy(what: str, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xy = as_float_array(what, xy)
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise fail(what, "points of shape (2,) or (..., 2)", tuple(xy.shape))
    return xy[..., 0], xy[..., 1]


def _value(v: np.ndarray) -> np.ndarray | float:
    return float(v) if np.ndim(v) == 0 else v


QUADRATIC_CONDITION = 25.0


def _quadratic_f(xy):
    x, y = _xy("ill_conditioned_quadratic.f: xy", xy)
    return _value(0.5 * (x * x + QUADRATIC_CONDITION * y * y))


def _quadratic_grad(xy):
    x, y = _xy("ill_conditioned_quadratic.grad: xy", xy)
    return np.stack([x, QUADRATIC_CONDITION * y], axis=-1)


ILL_CONDITIONED_QUADRATIC = Landscape(
    name="ill-conditioned quadratic",
    f=_quadratic_f,
    grad=_quadratic_grad,
    minimum=np.zeros(2),
    minima=np.zeros((1, 2)),
    bounds=((-6.0, 6.0), (-3.0, 3.0)),
    x0=np.array([-5.0, 2.0]),
)


def _rosenbrock_f(xy):
    x, y = _xy("rosenbrock.f: xy", xy)
    return _value((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2)


def _rosenbrock_grad(xy):
    x, y = _xy("rosenbrock.grad: xy", xy)
    inner = y - x * x
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * inner, 200.0 * inner], axis=-1)


ROSENBROCK = Landscape(
    name="Rosenbrock",
    f=_rosenbrock_f,
    grad=_rosenbrock_grad,
    minimum=np.ones(2),
    minima=np.ones((1, 2)),
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    x0=np.array([-1.2, 1.0]),
)


SADDLE_MINIMUM_Y = np.sqrt(2.0)


def _saddle_f(xy):
    x, y = _xy("saddle.f: xy", xy)
    return _value(x * x - y * y + 0.25 * y**4)


def _saddle_grad(xy):
    x, y = _xy("saddle.grad: xy", xy)
    return np.stack([2.0 * x, -2.0 * y + y**3], axis=-1)


SADDLE = Landscape(
    name="saddle",
    f=_saddle_f,
    grad=_saddle_grad,
    minimum=np.array([0.0, SADDLE_MINIMUM_Y]),
    minima=np.array([[0.0, SADDLE_MINIMUM_Y], [0.0, -SADDLE_MINIMUM_Y]]),
    bounds=((-2.5, 2.5), (-2.5, 2.5)),
    x0=np.array([-2.0, 0.01]),
)


HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.2831859912861696],
        [3.5844283403304917, -1.8481265269644034],
    ]
)


def _himmelblau_f(xy):
    x, y = _xy("himmelblau.f: xy", xy)
    return _value((x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2)


def _himmelblau_grad(xy):
    x, y = _xy("himmelblau.grad: xy", xy)
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return np.stack([4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b], axis=-1)


MULTIMODAL = Landscape(
    name="Himmelblau",
    f=_himmelblau_f,
    grad=_himmelblau_grad,
    minimum=HIMMELBLAU_MINIMA[0].copy(),
    minima=HIMMELBLAU_MINIMA,
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    x0=np.array([-0.5, -0.5]),
)

LANDSCAPES: dict[str, Landscape] = {
    "ill_conditioned_quadratic": ILL_CONDITIONED_QUADRATIC,
    "rosenbrock": ROSENBROCK,
    "saddle": SADDLE,
    "multimodal": MULTIMODAL,
}


def trajectory(
    make_optimizer: Callable[[list[np.ndarray]], Optimizer],
    landscape: Landscape,
    x0: np.ndarray | None = None,
    steps: int = 100,
) -> np.ndarray:
    """The points visited by an optimizer on ``landscape``: an array ``(steps + 1, 2)``.

    ``make_optimizer(params) -> Optimizer`` receives ``[xy]``, the single (2,) parameter, and must
    return an optimizer over it, e.g. ``lambda params: SGD(params, lr=0.01, momentum=0.9)``.
    Row 0 is ``x0`` (default ``landscape.x0``); row t is the point after t steps of
    ``optimizer.step([landscape.grad(xy)])``. A diverging run is recorded as it goes (rows may
    become inf or nan, which matplotlib skips) without overflow warnings.
    """
    require_instance(
        "trajectory: landscape", landscape, Landscape, "a Landscape such as ROSENBROCK"
    )
    start = landscape.x0 if x0 is None else x0
    xy = np.array(as_float_array("trajectory: x0", start), dtype=np.float64)
    require_same_shape("trajectory", xy, (2,), "x0")
    steps = require_int("trajectory: steps", steps, 0)
    require_callable(
        "trajectory: make_optimizer",
        make_optimizer,
        "a function params -> Optimizer, e.g. lambda params: SGD(params, lr=0.01)",
    )
    optimizer = make_optimizer([xy])
    if (
        not isinstance(optimizer, Optimizer)
        or len(optimizer.params) != 1
        or (optimizer.params[0] is not xy)
    ):
        raise fail(
            "trajectory: make_optimizer(params)",
            "an Optimizer over exactly the params it was given",
            repr(optimizer),
        )
    path = np.empty((steps + 1, 2))
    path[0] = xy
    # Divergence is a result to plot here (too large a learning rate), not an error to report.
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            optimizer.step([landscape.grad(xy)])
            path[t] = xy
    return path
