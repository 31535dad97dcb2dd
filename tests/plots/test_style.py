"""Tests of dlcourse.plots.style and of what every figure shares: the style, the Axes contract."""

import subprocess
import sys

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from dlcourse import plots
from dlcourse.scratch import landscapes


def test_set_style_uses_the_colour_blind_safe_palette():
    plots.set_style()
    cycle = [to_hex(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle == [c.lower() for c in plots.PALETTE]
    assert len(set(plots.PALETTE)) == 8 and plots.PALETTE[0] == "#0072B2"
    assert tuple(mpl.rcParams["figure.figsize"]) == plots.FIGSIZE
    assert mpl.rcParams["font.size"] >= 12


def test_every_plot_draws_on_a_given_axes(binary_scores, xor_points):
    y, probs = binary_scores
    X, labels = xor_points
    for draw in (
        lambda ax: plots.plot_calibration(y, probs, ax=ax),
        lambda ax: plots.plot_confusion_matrix(y, probs > 0.5, ["a", "b"], ax=ax),
        lambda ax: plots.plot_network([2, 3, 1], ax=ax),
        lambda ax: plots.plot_gradient_norms({"a": [1.0, 2.0]}, ax=ax),
        lambda ax: plots.plot_training_curves({"train_loss": [1.0]}, ax=ax),
        lambda ax: plots.plot_decision_boundary(lambda Z: Z[:, 0] > 0, X, labels, ax=ax),
        lambda ax: plots.plot_loss_surface(landscapes.SADDLE, ax=ax, resolution=20),
    ):
        _, ax = plt.subplots()
        assert draw(ax) is ax
    with pytest.raises(ValueError, match="ax: expected None or a matplotlib Axes"):
        plots.plot_network([2, 1], ax="left")


def test_the_package_exports_every_figure_function():
    drawn = {name for name in dir(plots) if name.startswith("plot_")}
    assert drawn <= set(plots.__all__)
    assert {"plot_flowchart", "plot_neuron", "plot_computational_graph"} <= drawn


@pytest.mark.slow
def test_importing_plots_loads_neither_sklearn_nor_torch():
    code = (
        "import sys, dlcourse.plots; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'torch', 'scipy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
