"""Schematic diagrams: a neuron, a feedforward network, a pipeline flowchart, a computational graph.

Nothing here is computed from data: each function draws boxes, circles and arrows on an Axes with
its axis turned off, so the figure reads like a slide drawing.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle

from dlcourse._validation import fail, require_int

from .style import COLORS, _axes


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
