"""The course's figures in one consistent, colour-blind-safe style.

Call :func:`set_style` once (first cell of every notebook). Every function here draws on the
``ax`` it is given, or on a new slide-sized figure (``FIGSIZE`` = 8 x 4.5 inches, 16:9), and
returns the Axes (one panel) or the Figure (several panels); none calls ``plt.show()``, so a
notebook shows the figure once and a test can inspect what was drawn.

Colours are the Okabe-Ito palette (``PALETTE``, ``COLORS``), distinguishable with the common
colour-vision deficiencies; class 0 is always blue and class 1 vermillion. Continuous values use
``viridis`` (loss surfaces) or a blue-white-vermillion diverging map (probabilities).

Layout, one module per kind of figure (import from ``dlcourse.plots``; the modules are the map):

=============  ===================================================================================
``style``      ``set_style``, ``COLORS``, ``PALETTE``, ``FIGSIZE``, ``PROBABILITY_CMAP``; the
               private helpers the other modules share
``diagrams``   drawings, not data: ``plot_neuron``, ``plot_network``, ``plot_flowchart``,
               ``plot_computational_graph``
``curves``     line plots: ``plot_activations``, ``plot_training_curves``, ``plot_gradient_norms``
``surfaces``   functions over the plane: ``plot_loss_surface``, ``plot_decision_boundary``
``evaluation`` classifiers: ``plot_roc_pr``, ``plot_confusion_matrix``, ``plot_calibration``
=============  ===================================================================================

Importing this package loads matplotlib and NumPy only: scikit-learn is imported by the evaluation
functions that use it, and nothing here imports torch (``plot_decision_boundary`` takes a
function, so a torch model is passed as ``lambda X: predict_proba(model, X, device)``).
"""

from .curves import plot_activations, plot_gradient_norms, plot_training_curves
from .diagrams import plot_computational_graph, plot_flowchart, plot_network, plot_neuron
from .evaluation import plot_calibration, plot_confusion_matrix, plot_roc_pr
from .style import COLORS, FIGSIZE, PALETTE, PROBABILITY_CMAP, set_style
from .surfaces import plot_decision_boundary, plot_loss_surface

__all__ = [
    "COLORS",
    "FIGSIZE",
    "PALETTE",
    "PROBABILITY_CMAP",
    "plot_activations",
    "plot_calibration",
    "plot_computational_graph",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_flowchart",
    "plot_gradient_norms",
    "plot_loss_surface",
    "plot_network",
    "plot_neuron",
    "plot_roc_pr",
    "plot_training_curves",
    "set_style",
]
