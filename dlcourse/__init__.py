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
    stats         comparisons with their uncertainty: paired differences, bootstrap, Wilson
    explore       slider explorations (live in JupyterLab, one static figure elsewhere)
    plots         one figure style; diagrams, curves, surfaces, evaluation figures
    exercises     self-checks: ``core`` (the engine) and one module per topic
    tooling       course build (never imported by the modules above): notebook pipeline,
                  editions, slides, budget, bench, CLI
"""

__version__ = "0.1.0"
