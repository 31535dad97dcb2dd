"""dlcourse: helper package of the Day 3 deep-learning course.

Modules:
    runtime       seeds (``seed_everything`` also fixes scratch layers built with rng=None),
                  device choice and the environment report
    scratch       the from-scratch NumPy engine (no torch import): activations, losses (and the
                  L1/L2 penalties), layers, network, optim, train (the NumPy learning loop, accuracy,
                  early stopping), gradcheck, landscapes
    torch_bridge  a scratch model as a ``torch.nn.Sequential`` with the same weights
    data          datasets: Breast Cancer Wisconsin and seeded genomics simulators
    training      the PyTorch training loop (guarded against silent misuse), evaluation helpers
    _validation   the shared ``require_…`` input checks ("<what>: expected …, got …")
    plots         one consistent figure style and the course's figures
    exercises     self-checks for the notebooks' exercises
    tooling       course build: notebook pipeline, slides, student edition, bench, CLI
"""

__version__ = "0.1.0"
