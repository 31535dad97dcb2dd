"""Tests of dlcourse.plots.diagrams: the drawings show every unit, weight and label."""

import re

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Circle
from matplotlib.text import Annotation

from dlcourse import plots
from dlcourse.plots import plot_computational_graph, plot_flowchart, plot_neuron


def test_network_diagram_draws_every_unit_and_weight():
    ax = plots.plot_network([3, 4, 1])
    ax.figure.canvas.draw()
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 8
    assert len(ax.collections[0].get_segments()) == 3 * 4 + 4 * 1
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["input\n3 features", "hidden 1\n4 units", "output\n1 unit"]


def test_network_diagram_truncates_wide_layers_and_takes_labels():
    ax = plots.plot_network([30, 64, 1], labels=["x", "h", "y"], max_units=6)
    assert len(ax.patches) == 6 + 6 + 1
    assert len(ax.collections[0].get_segments()) == 6 * 6 + 6
    assert [t.get_text() for t in ax.texts].count("⋮") == 2
    for sizes, message in [([3], "sizes: expected"), ([3, 0], "sizes\\[1\\]: expected")]:
        with pytest.raises(ValueError, match=message):
            plots.plot_network(sizes)
    with pytest.raises(ValueError, match="labels: expected 2 labels"):
        plots.plot_network([2, 1], labels=["only one"])


def test_plot_flowchart_draws_every_row_and_step():
    rows = {"classic": ["raw", "features", "model"], "deep": ["raw", "layers"]}
    ax = plot_flowchart(rows, highlight={"deep": [1]})
    texts = [text.get_text() for text in ax.texts if text.get_text()]
    assert texts == ["classic", "raw", "features", "model", "deep", "raw", "layers"]
    arrows = [text for text in ax.texts if isinstance(text, Annotation)]
    assert len(arrows) == 2 + 1
    start = next(i for i, text in enumerate(ax.texts) if text.get_text() == "deep")
    deep_boxes = [text for text in ax.texts[start + 1 :] if text.get_text()]
    colour = {text.get_text(): text.get_bbox_patch().get_facecolor() for text in deep_boxes}
    assert colour["layers"] != colour["raw"]  # the highlighted step is filled differently
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("rows", "highlight", "message"),
    [
        ({}, None, "rows: expected a non-empty mapping"),
        ({"a": []}, None, "rows['a']: expected a non-empty list"),
        ({"a": "text"}, None, "rows['a']: expected a non-empty list"),
        ({"a": ["x"]}, {"b": [0]}, "highlight: expected row names"),
    ],
)
def test_plot_flowchart_rejects_bad_input(rows, highlight, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plot_flowchart(rows, highlight=highlight)
    plt.close("all")


def test_plot_neuron_draws_inputs_and_the_unit():
    ax = plot_neuron(["$x_1$", "$x_2$", "$x_3$", "$x_4$"], activation="$\\sigma$")
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    assert len(circles) == 4 + 1
    texts = [text.get_text() for text in ax.texts]
    assert "$w_{4}$" in texts and "$\\sigma$" in texts and "$y$" in texts
    plt.close(ax.figure)


@pytest.mark.parametrize("labels", [[], "x1", None])
def test_plot_neuron_rejects_bad_labels(labels):
    with pytest.raises(ValueError, match="input_labels: expected a non-empty list"):
        plot_neuron(labels)
    plt.close("all")


NODES = {"x": (0, 1, "$x$"), "w": (0, -1, "$w$"), "z": (2, 0, "$z = wx$"), "L": (4, 0, "$L$")}
EDGES = [("x", "z"), ("w", "z"), ("z", "L")]


def test_computational_graph_draws_boxes_arrows_and_both_passes():
    ax = plot_computational_graph(
        NODES, EDGES, forward={"x": "1.5", "z": "0.3"}, backward={"w": "∂L/∂w = 2", "L": "1"}
    )
    texts = [t.get_text() for t in ax.texts]
    assert texts[: len(NODES)] == [label for _, _, label in NODES.values()]
    assert {"1.5", "0.3", "∂L/∂w = 2", "1"} <= set(texts)
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == len(EDGES)
    plt.close(ax.figure)


def test_computational_graph_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_computational_graph(NODES, EDGES, ax=ax) is ax
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": {}}, "nodes: expected a non-empty mapping"),
        ({"nodes": {"x": (0, 1)}}, "a triple (x, y, label)"),
        ({"edges": [("x", "y")]}, "unknown ['y']"),
        ({"edges": [("x",)]}, "pairs (from_name, to_name)"),
        ({"forward": {"q": "1"}}, "forward: expected node names"),
        ({"backward": {"q": "1"}}, "backward: expected node names"),
    ],
)
def test_computational_graph_rejects_bad_input(kwargs, message):
    arguments = {"nodes": NODES, "edges": EDGES, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        plot_computational_graph(**arguments)
    plt.close("all")
