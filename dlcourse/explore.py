"""Explorations: sliders in a live JupyterLab kernel, one static figure everywhere else.

``explore(draw, lr=(0.001, 1.0, 0.001, 0.1), optimizer=["sgd", "adam"])`` calls
``draw(lr=..., optimizer=...)``, a function that draws a matplotlib figure:

* **live** (a notebook open in JupyterLab or Colab): one control per parameter
  (``ipywidgets.interactive``), and the figure is redrawn whenever a control changes;
* **static** (everything else: nbval, the pipeline that executes the notebooks, so also the slides
  and handouts built from them, a script, a test): ``draw`` runs once at the default values and
  each figure it opened is shown as a plain image, so an executed notebook never holds a widget
  that needs a running kernel ("Loading widget...").

Live or static (:func:`is_live`), in order of precedence:

1. the environment variable ``DLCOURSE_STATIC``: ``1`` forces static, ``0`` forces live (e.g.
   to try the controls in a kernel that is not started by a Jupyter server);
2. static outside an IPython kernel (a script, pytest, terminal IPython) or without ipywidgets;
3. live in a kernel that a Jupyter server started for a notebook (the server gives it
   ``JPY_SESSION_NAME``; nbclient, nbval and papermill do not) or in Google Colab; else static.

Rule 3 already makes executed notebooks static. Tools that execute notebooks (the notebook
pipeline, ``make``'s nbval run) should also set ``DLCOURSE_STATIC=1``, so that a build started from
a JupyterLab terminal, whose environment may carry ``JPY_SESSION_NAME`` on, stays static.

Controls, one per keyword argument (the ``ipywidgets.interact`` conventions):

* a tuple ``(min, max, step, default)``: a slider (integer slider when all four are integers);
* a list of choices ``[a, b, c]``: a selection slider for numbers, a dropdown otherwise; the
  default is the first choice, or give ``([a, b, c], default)``.

Moving a control must feel instant (a redraw well under 0.3 s): precompute what is slow once, e.g.
with :func:`precompute`, and let ``draw`` only look results up and plot them. A live redraw is
rendered to PNG in one pass (:class:`LiveRenderer`), not twice as the inline backend's tight bounding
box does, and through one canvas for all redraws, so that text and maths laid out for one redraw
(tick labels, titles) are reused by the next.
"""

from __future__ import annotations

import gc
import io
import itertools
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dlcourse._validation import fail

__all__ = [
    "STATIC_ENV_VAR",
    "LiveRenderer",
    "Precomputed",
    "explore",
    "is_live",
    "live_view",
    "precompute",
]

#: ``1``: every exploration renders statically; ``0``: live even where it would be static.
STATIC_ENV_VAR = "DLCOURSE_STATIC"


@dataclass(frozen=True)
class _Control:
    """One parsed control: a range ``(min, max, step)`` or a list of choices, and its default."""

    name: str
    default: Any
    bounds: tuple[Real, Real, Real] | None = None
    choices: tuple | None = None


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _parse(name: str, spec: object) -> _Control:
    what = f"explore({name}=...)"
    expected = "(min, max, step, default), a list of choices, or (list of choices, default)"
    if isinstance(spec, tuple) and len(spec) == 4 and all(_is_number(v) for v in spec):
        low, high, step, default = spec
        if not (low < high and step > 0 and low <= default <= high):
            raise fail(what, "min < max, step > 0 and min <= default <= max", repr(spec))
        return _Control(name, default, bounds=(low, high, step))
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], list):
        choices, default = spec
    elif isinstance(spec, list):
        choices, default = spec, spec[0] if spec else None
    else:
        raise fail(what, expected, repr(spec))
    if not choices:
        raise fail(what, "at least one choice", repr(spec))
    if default not in choices:
        raise fail(what, f"a default among the choices {choices}", repr(default))
    return _Control(name, default, choices=tuple(choices))


def _parse_all(draw: object, controls: Mapping[str, object]) -> list[_Control]:
    if not callable(draw):
        raise fail("explore(draw)", "a function draw(**params) that draws a figure", repr(draw))
    if not controls:
        raise fail("explore", "at least one control, e.g. lr=(0.001, 1.0, 0.001, 0.1)", "none")
    return [_parse(name, spec) for name, spec in controls.items()]


def _in_kernel() -> bool:
    """Whether this code runs in an IPython kernel (a notebook's, live or executed by a tool)."""
    ipython = sys.modules.get("IPython")  # not imported: certainly not in a kernel
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def is_live() -> bool:
    """Whether :func:`explore` shows controls here (see the module docstring for the rules)."""
    forced = os.environ.get(STATIC_ENV_VAR, "").strip()
    if forced in ("0", "1"):
        return forced == "0"
    if forced:
        raise fail(STATIC_ENV_VAR, "unset, 0 (live) or 1 (static)", repr(forced))
    if not _in_kernel():
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return "JPY_SESSION_NAME" in os.environ or "google.colab" in sys.modules


def _figures_of(result: object, opened: Sequence[int]) -> list[Figure]:
    """The figures ``draw`` opened (pyplot numbers ``opened``) and the one it returned, if any."""
    figures = [plt.figure(number) for number in opened]
    returned = result.figure if isinstance(result, Axes) else result
    if isinstance(returned, Figure) and returned not in figures:
        figures.append(returned)
    return figures


def _draw(draw: Callable[..., object], params: Mapping[str, object]) -> list[Figure]:
    """Run ``draw(**params)``; the figures it drew, in the order they were opened."""
    before = set(plt.get_fignums())
    result = draw(**params)
    return _figures_of(result, [n for n in plt.get_fignums() if n not in before])


def _draw_and_show(draw: Callable[..., object], params: Mapping[str, object]) -> list[Figure]:
    """Run ``draw(**params)``; in a kernel, display each new figure once and close it."""
    figures = _draw(draw, params)
    if _in_kernel():
        from IPython.display import display

        for figure in figures:
            display(figure)
            plt.close(figure)
    return figures


class LiveRenderer:
    """Renders the figures of successive redraws to PNG, fast enough to follow a slider.

    Two savings over displaying the figure (the inline backend's ``bbox_inches="tight"``): one
    drawing pass instead of two (a figure without a layout engine gets the ``"tight"`` one, so
    that its labels stay inside), and one Agg canvas, hence one renderer, for every figure of the
    same size and dpi, so that matplotlib's caches of text extents and parsed maths, which belong
    to a renderer, serve the next redraw (the tick labels and titles hardly change).
    """

    def __init__(self) -> None:
        self._canvas: FigureCanvasAgg | None = None

    def png(self, figure: Figure) -> bytes:
        """The figure as PNG bytes at its own dpi, drawn once (the figure is left open)."""
        if not isinstance(figure, Figure):
            raise fail("LiveRenderer.png(figure)", "a matplotlib Figure", repr(figure))
        if figure.get_layout_engine() is None:
            figure.set_layout_engine("tight")
        if self._canvas is None:
            self._canvas = FigureCanvasAgg(figure)
        else:  # what FigureCanvasAgg(figure) does, keeping the canvas and its renderer
            figure.set_canvas(self._canvas)
            self._canvas.figure = figure
        buffer = io.BytesIO()
        with mpl.rc_context({"savefig.bbox": "standard"}):
            self._canvas.print_png(buffer)
        return buffer.getvalue()

    def show(self, draw: Callable[..., object], params: Mapping[str, object]) -> list[Figure]:
        """Run ``draw(**params)``, display each figure it drew as a PNG image and close it."""
        from IPython.display import Image, display

        figures = _draw(draw, params)
        for figure in figures:
            display(Image(data=self.png(figure), format="png"))
            plt.close(figure)
        return figures


def _widget(control: _Control, continuous_update: bool) -> object:
    import ipywidgets as widgets

    common = {"description": control.name, "style": {"description_width": "initial"}}
    if control.choices is not None:
        if all(_is_number(choice) for choice in control.choices):
            return widgets.SelectionSlider(
                options=list(control.choices),
                value=control.default,
                continuous_update=continuous_update,
                **common,
            )
        return widgets.Dropdown(options=list(control.choices), value=control.default, **common)
    low, high, step = control.bounds
    if all(isinstance(v, Integral) for v in (low, high, step, control.default)):
        return widgets.IntSlider(
            min=low,
            max=high,
            step=step,
            value=control.default,
            continuous_update=continuous_update,
            **common,
        )
    decimals = max(0, -math.floor(math.log10(step)))  # a step of 0.05 reads 0.05, not 0.1
    return widgets.FloatSlider(
        min=low,
        max=high,
        step=step,
        value=control.default,
        readout_format=f".{decimals}f",
        continuous_update=continuous_update,
        **common,
    )


def live_view(
    draw: Callable[..., object], /, *, continuous_update: bool = False, **controls: object
) -> object:
    """The live exploration as an ``ipywidgets.interactive`` (not displayed; runs ``draw`` once).

    Args:
        draw: ``draw(**params)`` draws a figure; one keyword per control.
        continuous_update: redraw while a slider is dragged (True) or when it is released.
        **controls: ``name=(min, max, step, default)`` or ``name=[choice, ...]`` (see the
            module docstring).

    Returns:
        The ``ipywidgets.interactive`` box: its ``children`` are the controls, in the order
        given, then the Output widget that holds the figure.
    """
    import ipywidgets

    parsed = _parse_all(draw, controls)
    renderer = LiveRenderer()
    # What the notebook holds now (data, models, torch) stays alive while the controls are used:
    # collected once and moved out of the collector's reach, it is skipped by a full collection
    # during a redraw (a pause of about 0.3 s of CPU otherwise, with a course notebook loaded).
    # Cycles among these objects that become garbage later wait for a kernel restart.
    gc.collect()
    gc.freeze()

    def redraw(**params: object) -> None:
        renderer.show(draw, params)

    widgets = {control.name: _widget(control, continuous_update) for control in parsed}
    return ipywidgets.interactive(redraw, **widgets)


def explore(
    draw: Callable[..., object], /, *, continuous_update: bool = False, **controls: object
) -> None:
    """Controls that redraw ``draw(**params)`` when live; one static figure at the defaults else.

    Args:
        draw: ``draw(**params)`` draws a matplotlib figure (on new figures, e.g. with
            ``plt.subplots``, or returning the Figure or Axes it drew on); one keyword per control.
        continuous_update: live only: redraw while a slider is dragged, not just when released.
        **controls: ``name=(min, max, step, default)`` for a slider, ``name=[choice, ...]`` or
            ``name=([choice, ...], default)`` for choices.

    Raises:
        ValueError: a control that is none of the above, or a default outside its range
            (checked in both modes, so a static build catches what would break live).

    Example:
        ``explore(lambda p: plot_confusion_matrix(y, probs >= p, names), p=(0.05, 0.95, 0.05, 0.5))``
    """
    parsed = _parse_all(draw, controls)
    if not is_live():
        _draw_and_show(draw, {control.name: control.default for control in parsed})
        return
    from IPython.display import display

    display(live_view(draw, continuous_update=continuous_update, **controls))


class Precomputed:
    """``compute(**params)`` evaluated once at every point of a grid, looked up by nearest point.

    Call it with the same keywords: a number is matched to the nearest grid value of its
    parameter (a float slider's 0.30000000000000004 finds 0.3), any other value exactly.
    ``grid`` holds the values as lists, so ``explore(draw, **table.grid)`` offers exactly them.
    """

    def __init__(self, compute: Callable[..., object], grid: Mapping[str, Sequence[object]]):
        if not callable(compute):
            raise fail("precompute(compute)", "a function of the grid's parameters", repr(compute))
        if not grid:
            raise fail("precompute", "at least one parameter, e.g. rate=[0.0, 0.5]", "none")
        self.grid: dict[str, list] = {}
        for name, values in grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
                raise fail(f"precompute({name}=...)", "a non-empty list of values", repr(values))
            self.grid[name] = list(values)
        names = list(self.grid)
        self.results = {
            point: compute(**dict(zip(names, point, strict=True)))
            for point in itertools.product(*self.grid.values())
        }

    def _nearest(self, name: str, value: object) -> object:
        values = self.grid[name]
        if _is_number(value) and all(_is_number(v) for v in values):
            return min(values, key=lambda v: abs(v - value))
        if value not in values:
            raise fail(f"lookup({name}=...)", f"one of {values}", repr(value))
        return value

    def __call__(self, **params: object) -> object:
        if set(params) != set(self.grid):
            raise fail("lookup", f"the parameters {sorted(self.grid)}", sorted(params))
        return self.results[tuple(self._nearest(name, params[name]) for name in self.grid)]


def precompute(compute: Callable[..., object], /, **grid: Sequence[object]) -> Precomputed:
    """Evaluate ``compute(**params)`` at every combination of the ``grid`` values, once.

    Example: ``curves = precompute(train, rate=[0.0, 0.2, 0.5], weight_decay=[0.0, 1e-3])`` runs
    ``train`` six times; ``curves(rate=0.2, weight_decay=0.0)`` then returns that run's result.
    """
    return Precomputed(compute, grid)
