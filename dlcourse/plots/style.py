"""The course style: the colour-blind-safe palette, the slide figure size, ``set_style``.

Also the private helpers every figure module shares (a new or given Axes, a palette colour, an
array from a tensor), so each module of :mod:`dlcourse.plots` draws in the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from dlcourse._validation import fail

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
# Private helpers shared by the figure modules
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
